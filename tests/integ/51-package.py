#!/usr/bin/env python3
"""
51-package.py -- the Debian packages and the systemd files: make deb
builds tfsd and tfs with dpkg-buildpackage (outside the tree), their file
lists and control data are checked with dpkg-deb; tfsd.service passes
systemd-analyze verify and scores as hardened, and every system call
tfsd makes (strace) is one its filter allows; the maintainer scripts
parse.  Each part skips with a message when its tools are missing
(scripts/install-deps --test installs them).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import TOP, Tap  # noqa: E402

t = Tap()
tmp = tempfile.mkdtemp(prefix="tfs-package-")

TFSD_FILES = [
    "./etc/logrotate.d/tfsd",
    "./etc/tfsd/tfsd.conf",
    "./lib/systemd/system/tfsd.service",
    "./usr/lib/tmpfiles.d/tfsd.conf",
    "./usr/sbin/tfsd",
    "./usr/share/bash-completion/completions/tfsd",
    "./usr/share/doc/tfsd/README.md",
    "./usr/share/doc/tfsd/changelog",
    "./usr/share/doc/tfsd/copyright",
    "./usr/share/doc/tfsd/protocol.md",
    "./usr/share/doc/tfsd/usage.md",
    "./usr/share/man/man5/tfsd.conf.5.gz",
    "./usr/share/man/man8/tfsd.8.gz",
]
TFS_FILES = [
    "./usr/bin/tfs",
    "./usr/share/bash-completion/completions/tfs",
    "./usr/share/doc/tfs/changelog",
    "./usr/share/doc/tfs/copyright",
    "./usr/share/man/man1/tfs.1.gz",
]


def deb_files(deb):
    """
    The regular files of a .deb, as dpkg-deb -c lists them; whether
    dh_compress compressed a document depends on its size: not its name.
    """
    out = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True,
                         text=True, check=True).stdout
    files = []
    for ln in out.splitlines():
        if not ln.startswith("d"):
            f = ln.split()[5]
            if f.startswith("./usr/share/doc/") and f.endswith(".gz"):
                f = f[:-3]
            files.append(f)
    return sorted(files)


def test_deb():
    tools = [x for x in ("dpkg-buildpackage", "dh", "fakeroot", "dpkg-deb")
             if shutil.which(x) is None]
    if tools:
        t.skip("make deb", "%s not installed (scripts/install-deps --test)"
               % ", ".join(tools))
        return
    out = os.path.join(tmp, "deb")
    r = subprocess.run(["make", "--no-print-directory", "deb",
                        "DEB_DIR=" + out],
                       cwd=TOP, capture_output=True, text=True, timeout=900,
                       env=dict(os.environ, DEB_BUILD_OPTIONS="nocheck"))
    t.eq(r.returncode, 0, "make deb builds the packages")
    if r.returncode != 0:
        t.note("\n".join((r.stdout + r.stderr).splitlines()[-30:]))
        return
    debs = sorted(f for f in os.listdir(out) if f.endswith(".deb"))
    t.note("built " + " ".join(debs))
    server = [f for f in debs if f.startswith("tfsd_")]
    client = [f for f in debs if f.startswith("tfs_")]
    t.ok(server and client, "a tfsd and a tfs package", debs)
    if not server or not client:
        return
    got = deb_files(os.path.join(out, server[0]))
    t.eq(got, TFSD_FILES, "dpkg-deb -c tfsd: the server, its manuals, "
         "unit, tmpfiles, configuration, logrotate and completion")
    got = deb_files(os.path.join(out, client[0]))
    t.eq(got, TFS_FILES, "dpkg-deb -c tfs: the client, its manual and "
         "completion")
    info = subprocess.run(["dpkg-deb", "-I", os.path.join(out, server[0])],
                          capture_output=True, text=True).stdout
    t.ok(re.search(r"Depends:.*adduser", info) and
         re.search(r"Depends:.*libsystemd0", info),
         "tfsd depends on adduser and libsystemd0", info)
    ctl = os.path.join(tmp, "control")
    subprocess.run(["dpkg-deb", "-e", os.path.join(out, server[0]), ctl],
                   check=True)
    conffiles = tfslib.read_file(os.path.join(ctl, "conffiles")).decode()
    t.eq(sorted(conffiles.split()), ["/etc/logrotate.d/tfsd",
                                     "/etc/tfsd/tfsd.conf"],
         "the configuration and logrotate snippet are conffiles")
    postinst = tfslib.read_file(os.path.join(ctl, "postinst")).decode()
    t.ok("adduser --system" in postinst and "/srv/tfs" in postinst and
         "deb-systemd-helper enable 'tfsd.service'" in postinst and
         "systemd-tmpfiles" in postinst,
         "postinst adds the user tfsd, makes /srv/tfs, enables the unit "
         "and makes /run/tfsd")
    # the user exists before systemd-tmpfiles gives it /run/tfsd
    t.ok(postinst.find("adduser") < postinst.find("systemd-tmpfiles"),
         "postinst adds the user before the tmpfiles")
    conf = subprocess.run(["dpkg-deb", "--fsys-tarfile",
                           os.path.join(out, server[0])],
                          capture_output=True).stdout
    t.ok(b"root /srv/tfs" in conf, "the packaged tfsd.conf serves /srv/tfs")
    t.ok(b"__asan_init" not in conf, "the packaged tfsd is built with "
         "Debian's flags, not those of the make that ran the tests")
    left = subprocess.run(["git", "status", "--porcelain", "--ignored",
                           "debian"], cwd=TOP, capture_output=True,
                          text=True).stdout
    t.eq(left, "", "the build left nothing in the tree's debian/")


def test_scripts():
    for s in ("tfsd.postinst", "tfsd.postrm"):
        r = subprocess.run(["sh", "-n", os.path.join(TOP, "debian", s)],
                           capture_output=True, text=True)
        t.ok(r.returncode == 0, "sh -n debian/%s" % s, r.stderr)


def gen_unit():
    """The unit and manuals, with ExecStart on the tfsd under test."""
    gen = os.path.join(tmp, "gen")
    r = subprocess.run(["make", "--no-print-directory", "-s", "gen",
                        "GEN=" + gen, "sbindir=" + tfslib.BINDIR],
                       cwd=TOP, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    man = os.path.join(tmp, "man")
    for sect, page in (("8", "tfsd.8"), ("5", "tfsd.conf.5")):
        os.makedirs(os.path.join(man, "man" + sect), exist_ok=True)
        shutil.copy(os.path.join(gen, page),
                    os.path.join(man, "man" + sect, page))
    return os.path.join(gen, "tfsd.service"), man


def test_systemd():
    if shutil.which("systemd-analyze") is None:
        t.skip("systemd-analyze verify", "systemd is not installed "
               "(scripts/install-deps --test)")
        return
    unit, man = gen_unit()
    env = dict(os.environ, MANPATH=man, SYSTEMD_LOG_COLOR="0")
    r = subprocess.run(["systemd-analyze", "verify", unit],
                       capture_output=True, text=True, env=env, timeout=60)
    mine = [ln for ln in (r.stdout + r.stderr).splitlines()
            if "tfsd" in ln]
    t.ok(r.returncode == 0 and not mine,
         "systemd-analyze verify tfsd.service: no complaint",
         r.stdout + r.stderr)
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes",
                        unit], capture_output=True, text=True, env=env,
                       timeout=60)
    m = re.search(r"Overall exposure level for tfsd.service: ([\d.]+)",
                  r.stdout + r.stderr)
    if m is None:
        t.skip("systemd-analyze security", "no --offline here")
        return
    t.note("systemd-analyze security: exposure %s" % m.group(1))
    t.ok(float(m.group(1)) < 2.0, "the unit is hardened (exposure %s, "
         "below 2.0)" % m.group(1))
    text = tfslib.read_file(unit).decode()
    for want in ("Type=notify", "ExecReload=/bin/kill -HUP $MAINPID",
                 "NoNewPrivileges=yes", "ProtectSystem=strict",
                 "ReadWritePaths=-/srv/tfs", "ProtectHome=yes",
                 "PrivateTmp=yes", "CapabilityBoundingSet=",
                 "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
                 "SystemCallFilter=@system-service", "User=tfsd"):
        t.ok(want in text.splitlines(), "tfsd.service: " + want)


def syscall_groups():
    """systemd's syscall groups: name -> set of calls, nested expanded."""
    out = subprocess.run(["systemd-analyze", "syscall-filter"],
                         capture_output=True, text=True).stdout
    raw, cur = {}, None
    for ln in out.splitlines():
        if ln.startswith("@"):
            cur = ln.strip()
            raw[cur] = []
        elif cur and ln.strip() and not ln.strip().startswith("#"):
            raw[cur].append(ln.strip())

    def expand(g, seen):
        res = set()
        for x in raw.get(g, []):
            if not x.startswith("@"):
                res.add(x)
            elif x not in seen:
                seen.add(x)
                res |= expand(x, seen)
        return res
    return lambda g: expand(g, set())


def test_syscalls():
    """Every call tfsd makes serving is one the unit's filter allows."""
    if shutil.which("strace") is None or \
            shutil.which("systemd-analyze") is None:
        t.skip("system calls under the unit's filter", "strace or "
               "systemd-analyze is not installed")
        return
    if tfslib.SANITIZED or tfslib.VALGRIND:
        t.skip("system calls under the unit's filter", "a sanitizer or "
               "valgrind makes calls of its own")
        return
    group = syscall_groups()
    # the unit's filter lines in order: a list adds, a ~list takes away
    allowed = set()
    text = tfslib.read_file(os.path.join(tfslib.TOP, "dist",
                                         "tfsd.service.in")).decode()
    for ln in text.splitlines():
        if not ln.startswith("SystemCallFilter="):
            continue
        words = ln.split("=", 1)[1]
        names = set()
        for w in words.lstrip("~").split():
            names |= group(w) if w.startswith("@") else {w}
        allowed = allowed - names if words.startswith("~") else \
            allowed | names
    root = os.path.join(tmp, "sysroot")
    os.mkdir(root)
    tfslib.write_file(os.path.join(root, "f"), b"f" * 100000)
    trace = os.path.join(tmp, "trace")
    conf = os.path.join(tmp, "sys.conf")
    with open(conf, "w") as f:
        f.write("anonymous rw\n")
    pidfile = os.path.join(tmp, "sys.pid")
    proc = subprocess.Popen(["strace", "-f", "-qq", "-o", trace,
                             tfslib.TFSD, "-f", "-l", "127.0.0.1", "-p", "0",
                             "-r", root, "-w", "2", "-c", conf,
                             "-P", pidfile],
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # signals go to tfsd itself, by the pid in its pid file: proc is
    # strace, which a TERM would make let go of tfsd and leave it running
    pid = None
    try:
        line = proc.stderr.readline().decode()
        port = int(re.search(r"127.0.0.1:(\d+)", line).group(1))
        tfslib.wait_for(lambda: tfslib.read_pid(pidfile), 5 * tfslib.SLOW)
        pid = tfslib.read_pid(pidfile)
        with tfslib.Conn(port) as c:
            c.list("")
            c.stat("f")
            c.get("f")
            c.sum("f")
            c.put("g", b"g" * 100000)
            c.simple(tfslib.MKDIR("d"))
            c.simple(tfslib.RENAME("g", "d/g"))
            c.simple(tfslib.DELETE("d/g"))
        for sig in (signal.SIGHUP, signal.SIGUSR1):
            os.kill(pid, sig)
            time.sleep(0.3)
        with tfslib.Conn(port) as c:
            c.list("")
    finally:
        if pid is None:
            # no pid file yet: strace's child is tfsd
            with open("/proc/%d/task/%d/children" % (proc.pid,
                                                     proc.pid)) as f:
                kids = f.read().split()
            pid = int(kids[0]) if kids else None
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
        proc.wait(30)
    used = set()
    with open(trace) as f:
        for ln in f:
            m = re.match(r"\d+\s+([a-z0-9_]+)\(", ln)
            if m:
                used.add(m.group(1))
    t.note("tfsd made %d kinds of system call" % len(used))
    t.ok(len(used) > 20 and not (used - allowed),
         "every system call of tfsd serving, reloading and stopping is "
         "allowed by the unit's SystemCallFilter= lines "
         "(@system-service ~@privileged @resources, the sandbox's)",
         sorted(used - allowed))


try:
    status = t.run_all(test_syscalls, test_scripts, test_systemd, test_deb)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(status)
