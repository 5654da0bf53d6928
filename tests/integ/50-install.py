#!/usr/bin/env python3
"""
50-install.py -- what an administrator installs: make install into a
DESTDIR puts every file where the GNU directory variables say, with the
paths of that command line inside; make uninstall takes every one back
(an edited configuration stays); the manual pages document every option
that --help prints and render without a warning; the bash completion
parses and completes options and values.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import TFS, TFSD, TOP, Tap  # noqa: E402

t = Tap()
tmp = tempfile.mkdtemp(prefix="tfs-install-")


def make(*args, env=None):
    """make in the tree, with the binaries under test taken as built."""
    binrel = os.path.relpath(tfslib.BINDIR, TOP)
    cmd = ["make", "--no-print-directory", "-s",
           "BIN=" + binrel, "GEN=" + os.path.join(tmp, "gen"),
           "-o", os.path.join(binrel, "tfsd"),
           "-o", os.path.join(binrel, "tfs")] + list(args)
    return subprocess.run(cmd, cwd=TOP, capture_output=True, text=True,
                          timeout=120, env=env)


def files_under(root):
    """Every file and link below root, as paths relative to it."""
    out = []
    for d, dirs, names in os.walk(root):
        for n in names:
            out.append(os.path.relpath(os.path.join(d, n), root))
        for n in dirs:
            if os.path.islink(os.path.join(d, n)):
                out.append(os.path.relpath(os.path.join(d, n), root))
    return sorted(out)


EXPECTED = {
    "usr/local/bin/tfs": 0o755,
    "usr/local/sbin/tfsd": 0o755,
    "usr/local/share/man/man1/tfs.1": 0o644,
    "usr/local/share/man/man5/tfsd.conf.5": 0o644,
    "usr/local/share/man/man8/tfsd.8": 0o644,
    "usr/local/lib/systemd/system/tfsd.service": 0o644,
    "usr/local/lib/tmpfiles.d/tfsd.conf": 0o644,
    "usr/local/etc/logrotate.d/tfsd": 0o644,
    "usr/local/etc/tfsd/tfsd.conf": 0o644,
    "usr/local/share/bash-completion/completions/tfs": 0o644,
    "usr/local/share/bash-completion/completions/tfsd": 0o644,
    "usr/local/share/doc/tfs/examples/tfsd.conf": 0o644,
}


def test_install_default():
    dest = os.path.join(tmp, "dest")
    r = make("install", "DESTDIR=" + dest)
    t.eq(r.returncode, 0, "make install DESTDIR=... exits 0")
    if r.returncode != 0:
        t.note(r.stdout + r.stderr)
        return
    got = files_under(dest)
    for f in got:
        t.note("installed " + f)
    t.eq(got, sorted(EXPECTED), "make install puts exactly the expected "
         "files under PREFIX=/usr/local")
    modes = {f: os.stat(os.path.join(dest, f)).st_mode & 0o7777
             for f in got if f in EXPECTED}
    t.eq(modes, {f: m for f, m in EXPECTED.items() if f in modes},
         "programs 0755, the rest 0644")
    r = subprocess.run([os.path.join(dest, "usr/local/sbin/tfsd"), "-V"],
                       capture_output=True, text=True)
    t.ok(r.returncode == 0 and r.stdout.startswith("tfsd "),
         "the installed tfsd runs", r.stdout + r.stderr)
    unit = tfslib.read_file(os.path.join(
        dest, "usr/local/lib/systemd/system/tfsd.service")).decode()
    t.ok("ExecStart=/usr/local/sbin/tfsd -f -c /usr/local/etc/tfsd/"
         "tfsd.conf" in unit and not re.search(r"@[a-z]+@", unit),
         "the unit names the installed program and configuration",
         [ln for ln in unit.splitlines() if "@" in ln or "Exec" in ln])
    for f in ("usr/local/share/man/man8/tfsd.8",
              "usr/local/etc/logrotate.d/tfsd",
              "usr/local/lib/tmpfiles.d/tfsd.conf"):
        text = tfslib.read_file(os.path.join(dest, f)).decode()
        t.ok(not re.search(r"@[a-z]+@", text),
             "%s: every @dir@ replaced" % os.path.basename(f),
             re.findall(r"@[a-z]+@", text))

    # an administrator's edit survives a second install and the uninstall
    conf = os.path.join(dest, "usr/local/etc/tfsd/tfsd.conf")
    with open(conf, "a") as f:
        f.write("workers 9\n")
    r = make("install", "DESTDIR=" + dest)
    t.ok(r.returncode == 0 and "workers 9" in open(conf).read(),
         "make install keeps an existing tfsd.conf", r.stdout + r.stderr)
    r = make("uninstall", "DESTDIR=" + dest)
    t.eq(r.returncode, 0, "make uninstall exits 0")
    t.eq(files_under(dest), ["usr/local/etc/tfsd/tfsd.conf"],
         "make uninstall removes everything but the edited tfsd.conf")
    t.ok("kept" in r.stdout, "make uninstall says it kept the edited "
         "configuration", r.stdout)
    os.unlink(conf)
    r = make("install", "DESTDIR=" + dest)
    r = make("uninstall", "DESTDIR=" + dest)
    t.eq(files_under(dest), [], "install then uninstall leaves no file")


def test_install_dirs():
    """Debian's directories, as debian/rules passes them."""
    dest = os.path.join(tmp, "deb")
    r = make("install", "DESTDIR=" + dest, "prefix=/usr",
             "systemdunitdir=/lib/systemd/system",
             "tmpfilesdir=/usr/lib/tmpfiles.d")
    got = files_under(dest)
    want = sorted(["usr/bin/tfs", "usr/sbin/tfsd",
                   "usr/share/man/man1/tfs.1",
                   "usr/share/man/man5/tfsd.conf.5",
                   "usr/share/man/man8/tfsd.8",
                   "lib/systemd/system/tfsd.service",
                   "usr/lib/tmpfiles.d/tfsd.conf",
                   "etc/logrotate.d/tfsd", "etc/tfsd/tfsd.conf",
                   "usr/share/bash-completion/completions/tfs",
                   "usr/share/bash-completion/completions/tfsd",
                   "usr/share/doc/tfs/examples/tfsd.conf"])
    if r.returncode != 0:
        t.ok(False, "make install prefix=/usr", r.stdout + r.stderr)
        return
    t.eq(got, want, "prefix=/usr puts the configuration in /etc")
    unit = tfslib.read_file(os.path.join(
        dest, "lib/systemd/system/tfsd.service")).decode()
    t.ok("ExecStart=/usr/sbin/tfsd -f -c /etc/tfsd/tfsd.conf -P "
         "/run/tfsd/tfsd.pid" in unit, "the unit runs /usr/sbin/tfsd with "
         "/etc/tfsd/tfsd.conf")
    r = make("uninstall", "DESTDIR=" + dest, "prefix=/usr",
             "systemdunitdir=/lib/systemd/system",
             "tmpfilesdir=/usr/lib/tmpfiles.d")
    t.eq(files_under(dest), [], "and uninstall with the same directories "
         "removes all")


def help_options(prog):
    """The options --help prints: ['-r', '--root', ...]."""
    out = subprocess.run([prog, "-h"], capture_output=True,
                         text=True).stdout
    opts = []
    for ln in out.splitlines():
        m = re.match(r"\s+(-\w)?,?\s*(--[\w-]+)?", ln)
        if m:
            opts += [o for o in m.groups() if o]
    return opts


def render(page):
    """The page as plain text (no bold, no hyphen glyphs), or None."""
    if shutil.which("groff") is None:
        return None
    r = subprocess.run(["groff", "-t", "-mandoc", "-Tascii", "-P-cbou",
                        page], capture_output=True, text=True)
    return r.stdout


def documented(text, opt):
    pat = r"(^|[\s\[(|,])" + re.escape(opt) + r"($|[\s\]),|=])"
    return re.search(pat, text, re.M) is not None


def test_manuals():
    gen = os.path.join(tmp, "gen")
    r = make("gen")
    t.eq(r.returncode, 0, "make gen writes the manuals")
    pages = {p: os.path.join(gen, p) for p in ("tfsd.8", "tfs.1",
                                               "tfsd.conf.5")}
    if render(pages["tfsd.8"]) is None:
        t.skip("manual pages", "groff is not installed "
               "(scripts/install-deps --test)")
        return
    for name, page in pages.items():
        r = subprocess.run(["groff", "-t", "-mandoc", "-ww", "-z",
                            "-Tutf8", page], capture_output=True, text=True)
        t.ok(r.returncode == 0 and r.stderr == "",
             "%s renders without a groff warning" % name, r.stderr)
        if shutil.which("man"):
            r = subprocess.run(["man", "--warnings", "-l", page],
                               capture_output=True, text=True,
                               env=dict(os.environ, MANPAGER="cat",
                                        MANWIDTH="80"))
            t.ok(r.returncode == 0 and r.stderr == "",
                 "man --warnings -l %s is silent" % name, r.stderr)
            wide = [ln for ln in r.stdout.splitlines() if len(ln) > 80]
            t.eq(wide, [], "%s fits 80 columns" % name)
    for prog, name in ((TFSD, "tfsd.8"), (TFS, "tfs.1")):
        text = render(pages[name])
        opts = help_options(prog)
        missing = [o for o in opts if not documented(text, o)]
        t.ok(len(opts) > 10 and not missing,
             "%s documents every option of %s -h (%d)" %
             (name, os.path.basename(prog), len(opts)), missing)
    text = render(pages["tfsd.8"])
    for sect in ("SIGNALS", "FILES", "EXIT STATUS", "EXAMPLES", "LOGGING",
                 "STATUS", "SYSTEMD"):
        t.ok(re.search(r"^" + sect + r"$", text, re.M),
             "tfsd.8 has a %s section" % sect)
    for sig in ("SIGTERM", "SIGQUIT", "SIGHUP", "SIGUSR1"):
        t.ok(sig in text, "tfsd.8 tells what %s does" % sig)
    # the file's option names: every long option but the commands
    text = render(pages["tfsd.conf.5"])
    cli = {"--config", "--test-config", "--signal", "--json", "--set-user",
           "--rights", "--home", "--del-user", "--list-users", "--help",
           "--version"}
    names = [o[2:] for o in help_options(TFSD)
             if o.startswith("--") and o not in cli]
    missing = [n for n in names if not documented(text, n)]
    t.ok(names and not missing, "tfsd.conf.5 documents every option a "
         "file may hold (%d)" % len(names), missing)


COMPLETE = r"""
source /usr/share/bash-completion/bash_completion || exit 3
source "$1" || exit 4
compopt() { :; }
comp() {
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
    local f=_${1##*/}
    $f "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    echo "${COMPREPLY[*]}"
}
comp "$2" --ro
comp "$2" -s re
comp "$2" --anonymous r
comp "$3" --ver
comp "$3" somehost mkd
comp "$3" 127.0.0.1:"$4" get "sub "
comp "$3" 127.0.0.1:"$4" ls "sub dir/"
"""


def test_completion():
    f = os.path.join(TOP, "dist", "tfs.bash-completion")
    r = subprocess.run(["bash", "-n", f], capture_output=True, text=True)
    t.ok(r.returncode == 0 and not r.stderr, "bash -n on the completion",
         r.stderr)
    if not os.path.exists("/usr/share/bash-completion/bash_completion"):
        t.skip("completion of options", "bash-completion is not installed "
               "(scripts/install-deps --test)")
        return
    srv = tfslib.server(args=["-w", "1"])
    tfslib.write_file(os.path.join(srv.root, "sub dir", "x y"), b"x")
    tfslib.write_file(os.path.join(srv.root, "sub dir", "z"), b"z")
    r = subprocess.run(["bash", "--norc", "-c", COMPLETE, "complete", f,
                        TFSD, TFS, str(srv.port)], capture_output=True,
                       text=True, timeout=60)
    srv.stop()
    lines = r.stdout.splitlines()
    want = ["--root", "reload reopen", "ro rw",
            "--verbose --verify --version",
            "mkdir"]
    t.eq(lines[:5], want, "the completion offers options, -s names, "
         "--anonymous values and commands")
    t.eq(lines[5:], ["sub dir/", "sub dir/x y sub dir/z"],
         "and remote paths, from a listing of the server")
    if r.stderr:
        t.note(r.stderr)


def tfsd_under(pid):
    """The tfsd masters among pid's descendants (make may run a shell)."""
    found, todo = [], [pid]
    while todo:
        for k in tfslib.children(todo.pop()):
            try:
                exe = os.readlink("/proc/%d/exe" % k)
            except OSError:
                continue
            if os.path.basename(exe) == "tfsd":
                found.append(k)
            else:
                todo.append(k)
    return found


def test_make_run():
    """The README's first command: a demo folder anyone may write."""
    demo = os.path.join(tmp, "demo")
    port = tfslib.free_port()
    binrel = os.path.relpath(tfslib.BINDIR, TOP)
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "-s", "BIN=" + binrel,
         "-o", os.path.join(binrel, "tfsd"), "-o", os.path.join(binrel, "tfs"),
         "-o", "all", "run", "RUN_ROOT=" + demo, "RUN_PORT=%d" % port],
        cwd=TOP, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    server = None
    try:
        line = proc.stderr.readline().decode()
        t.ok("listening on 127.0.0.1:%d" % port in line,
             "make run serves on 127.0.0.1", line)
        server = tfsd_under(proc.pid)
        with tfslib.Conn(port) as c:
            names = [e["name"] for e in c.list("")]
            t.ok(b"README" in names, "the demo folder has a README", names)
            t.eq(c.put("hello.txt", b"hello\n"), "OK",
                 "anyone may write without signing in")
            t.eq(c.get("hello.txt"), b"hello\n", "and read it back")
    finally:
        for k in server or []:
            os.kill(k, signal.SIGTERM)
        try:
            proc.wait(10 * tfslib.SLOW)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


try:
    status = t.run_all(test_make_run, test_install_default,
                       test_install_dirs, test_manuals, test_completion)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(status)
