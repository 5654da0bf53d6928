#!/usr/bin/env python3
"""
20-client-commands.py -- every command of tfs in one-command and batch
modes against a real tfsd, every exit status (0 ok, 1 failed, 2 usage,
3 no connection), batch rules ('-' prefix, '#' and blank lines, stop at
the first failure), stdin/stdout as '-', the HELLO wait, transparent
reconnection after an idle close or a reload, and a client that survives
any malformed reply.
"""

import hashlib
import os
import stat
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakesrv  # noqa: E402
import tfslib  # noqa: E402
from tfslib import err, out  # noqa: E402
from tfslib import read_file as read, write_file as write  # noqa: E402

t = tfslib.Tap()
work, local = tfslib.temp_dir("tfs-client-", "local")


def clean(r):
    """True when the client ended on its own with a documented status."""
    return r.returncode in (0, 1, 2, 3) and "Sanitizer" not in err(r) and \
        "runtime error" not in err(r)


srv = tfslib.Server()
root = srv.root
P = srv.port
tfs = tfslib.client(P, local)


try:
    # ---- put / ls / stat / get, one command each --------------------------
    data = os.urandom(300000)
    write(os.path.join(local, "a.bin"), data)
    r = tfs("put", "a.bin")
    t.eq(r.returncode, 0, "put LOCAL exits 0")
    t.ok(os.path.exists(os.path.join(root, "a.bin")) and
         read(os.path.join(root, "a.bin")) == data,
         "put stores the file under its name in the remote folder")
    t.eq(r.stdout, b"", "put prints nothing on stdout")
    t.ok("\r" not in err(r), "no progress bar when stderr is not a tty")

    os.mkdir(os.path.join(root, "docs"))
    write(os.path.join(root, "docs", "readme.txt"), b"read me\n")
    r = tfs("ls")
    t.eq(out(r), "a.bin\ndocs/\n", "ls lists names, folders marked")
    r = tfs("ls", "-l")
    lines = out(r).splitlines()
    t.ok(r.returncode == 0 and len(lines) == 2 and "300000" in lines[0]
         and lines[0].startswith("-rw") and lines[1].startswith("d")
         and lines[1].endswith("docs/"),
         "ls -l shows kind, mode, exact size, date, name", out(r))
    t.ok("293K" in lines[0], "ls -l shows the size in units", lines[0])
    r = tfs("ls", "a.bin")
    t.eq(out(r), "a.bin\n", "ls of a file shows that file")
    r = tfs("ls", "nope")
    t.eq(r.returncode, 1, "ls of a missing folder exits 1")
    t.eq(err(r).strip(),
         "tfs: ls nope: no such file or folder (NOT_FOUND)",
         "errors read 'tfs: CMD ARG: words (NAME)'")
    r = tfs("stat", "a.bin")
    t.ok(r.returncode == 0 and "kind:  file" in out(r) and
         "size:  300000" in out(r), "stat shows kind and size", out(r))
    r = tfs("stat", "docs")
    t.ok("kind:  folder" in out(r), "stat of a folder")

    r = tfs("get", "a.bin", "copy.bin")
    t.ok(r.returncode == 0 and read(os.path.join(local, "copy.bin")) ==
         data, "get REMOTE LOCAL")
    os.mkdir(os.path.join(local, "into"))
    r = tfs("get", "docs/readme.txt", "into")
    t.ok(r.returncode == 0 and
         read(os.path.join(local, "into", "readme.txt")) == b"read me\n",
         "get REMOTE FOLDER saves under the remote name in it")
    r = tfs("get", "docs/readme.txt")
    t.ok(r.returncode == 0 and
         os.path.exists(os.path.join(local, "readme.txt")),
         "get REMOTE saves under its last component")
    t.ok(not [f for f in os.listdir(local) if f.endswith(".tfs-part")],
         "no partial file left after complete downloads")
    r = tfs("get", "a.bin", "-")
    t.ok(r.returncode == 0 and r.stdout == data,
         "get REMOTE - writes exactly the file to stdout")
    # A device or fifo named as LOCAL is written into, never replaced
    # (a private null device when root may make one, else a fifo).
    node = os.path.join(local, "sink")
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        kind = "device"
    except OSError:
        os.mkfifo(node)
        kind = "fifo"
    drained = []
    if kind == "fifo":
        import threading

        def drain():
            with open(node, "rb") as f:
                drained.append(f.read())
        th = threading.Thread(target=drain, daemon=True)
        th.start()
    r = tfs("get", "a.bin", node)
    if kind == "fifo":
        th.join(10)
    st = os.stat(node)
    t.ok(r.returncode == 0 and not stat.S_ISREG(st.st_mode) and
         (kind == "device" or drained == [data]),
         "get REMOTE %s writes into it and leaves it a %s" % (kind, kind),
         err(r))
    t.ok(not [f for f in os.listdir(local) if f.endswith(".tfs-part")],
         "no partial file beside a %s" % kind)
    os.unlink(node)
    r = tfs("get", "nope.bin")
    t.eq(r.returncode, 1, "get of a missing file exits 1")
    t.ok("get nope.bin: no such file or folder (NOT_FOUND)" in err(r),
         "get's error names the file", err(r))
    t.ok(not os.path.exists(os.path.join(local, "nope.bin")) and
         not os.path.exists(os.path.join(local, ".nope.bin.tfs-part")),
         "a failed get leaves no file and no empty partial")
    r = tfs("get", "docs")
    t.eq(r.returncode, 1, "get of a folder exits 1")

    r = tfs("put", "-", "docs/from-stdin.txt", input=b"piped\n")
    t.ok(r.returncode == 0 and
         read(os.path.join(root, "docs", "from-stdin.txt")) == b"piped\n",
         "put - REMOTE stores stdin")
    r = tfs("put", "-", input=b"x")
    t.eq(r.returncode, 2, "put - without REMOTE is bad usage")
    r = tfs("put", "a.bin", "docs")
    t.ok(r.returncode == 0 and
         os.path.exists(os.path.join(root, "docs", "a.bin")),
         "put LOCAL FOLDER stores under the local name in it")
    r = tfs("put", "a.bin", "docs/renamed.bin")
    t.ok(r.returncode == 0 and
         os.path.exists(os.path.join(root, "docs", "renamed.bin")),
         "put LOCAL REMOTE stores under the given name")
    r = tfs("put", "missing.bin")
    t.ok(r.returncode == 1 and "missing.bin" in err(r),
         "put of a missing local file exits 1")
    r = tfs("put", "-n", "a.bin")
    t.ok(r.returncode == 1 and "EXISTS" in err(r),
         "put -n never replaces", err(r))

    # ---- mkdir / mv / rm ---------------------------------------------------
    r = tfs("mkdir", "new")
    t.ok(r.returncode == 0 and os.path.isdir(os.path.join(root, "new")),
         "mkdir")
    r = tfs("mkdir", "new")
    t.ok(r.returncode == 1 and "EXISTS" in err(r), "mkdir of an existing "
         "folder exits 1")
    r = tfs("mv", "docs/renamed.bin", "moved.bin")
    t.ok(r.returncode == 0 and os.path.exists(os.path.join(root,
         "moved.bin")), "mv renames")
    r = tfs("mv", "moved.bin", "new")
    t.ok(r.returncode == 0 and os.path.exists(os.path.join(root, "new",
         "moved.bin")), "mv into a folder")
    r = tfs("mv", "a.bin", "docs/a.bin")
    t.ok(r.returncode == 1 and "EXISTS" in err(r), "mv never replaces")
    r = tfs("rm", "new/moved.bin")
    t.ok(r.returncode == 0 and not os.path.exists(os.path.join(root,
         "new", "moved.bin")), "rm a file")
    r = tfs("rm", "new")
    t.ok(r.returncode == 0 and not os.path.exists(os.path.join(root,
         "new")), "rm an empty folder")
    r = tfs("rm", "docs")
    t.ok(r.returncode == 1 and "NOT_EMPTY" in err(r),
         "rm of a folder with entries exits 1")

    # ---- sum ---------------------------------------------------------------
    want = hashlib.sha256(data).hexdigest()
    r = tfs("sum", "a.bin")
    t.ok(r.returncode == 0 and out(r).startswith(want + "  /a.bin\n"),
         "sum prints the SHA-256 of the remote file", out(r))
    t.ok("local a.bin: matches" in out(r),
         "sum says when the local file of that name matches")
    write(os.path.join(local, "a.bin"), b"different")
    r = tfs("sum", "a.bin")
    t.ok(r.returncode == 1 and "differs" in out(r),
         "sum exits 1 when the local file differs")
    write(os.path.join(local, "a.bin"), data)
    r = tfs("sum", "docs/readme.txt", cwd=work)
    t.ok(r.returncode == 0 and "local" not in out(r),
         "sum without a local file prints only the digest")

    # ---- mget / mput ---------------------------------------------------------
    for n in ("m1.txt", "m2.txt", "m3.dat"):
        write(os.path.join(root, "docs", n), n.encode())
    mdir = os.path.join(work, "mget")
    os.mkdir(mdir)
    r = tfs("mget", "docs/*.txt", cwd=mdir)
    t.ok(r.returncode == 0 and sorted(os.listdir(mdir)) ==
         ["from-stdin.txt", "m1.txt", "m2.txt", "readme.txt"],
         "mget matches remote names with a pattern", sorted(os.listdir(
             mdir)))
    r = tfs("mget", "docs/*.zip", cwd=mdir)
    t.ok(r.returncode == 1 and "no match" in err(r),
         "mget without a match exits 1")
    pdir = os.path.join(work, "mput")
    for n in ("p1.log", "p2.log", "p3.txt"):
        write(os.path.join(pdir, n), n.encode())
    r = tfs(input="mkdir logs\ncd logs\nmput *.log\n", cwd=pdir,
            opts=["-b", "-"])
    t.ok(r.returncode == 0 and sorted(os.listdir(os.path.join(root,
         "logs"))) == ["p1.log", "p2.log"],
         "mput uploads the local files matching a pattern", err(r))
    r = tfs("mput", "*.none", cwd=pdir)
    t.eq(r.returncode, 1, "mput without a match exits 1")

    # ---- cd / pwd / lcd / lpwd / lls / ! / help, in a batch --------------------
    script = ("# a comment\n\npwd\ncd docs\npwd\nls readme.txt\ncd ..\n"
              "pwd\ncd /docs\nget readme.txt r2.txt\nlcd into\nlpwd\n"
              "lls\n!echo shell-ran\nhelp get\n")
    r = tfs(input=script)
    o = out(r).splitlines()
    t.eq(r.returncode, 0, "a batch on stdin exits 0 when all succeed")
    t.eq(o[:5], ["/", "/docs", "readme.txt", "/", os.path.join(local,
         "into")], "pwd, cd (relative, .., absolute), lcd, lpwd")
    t.ok("readme.txt" in o and "shell-ran" in o,
         "lls lists the local folder; !COMMAND runs", o)
    t.ok(any(ln.startswith("get [-apRv] [-j N] REMOTE... [LOCAL]")
             for ln in o), "help COMMAND")
    t.ok(os.path.exists(os.path.join(local, "r2.txt")),
         "get in the remote working folder")
    r = tfs("cd", "a.bin")
    t.ok(r.returncode == 1 and "NOT_A_DIR" in err(r),
         "cd to a file exits 1")
    r = tfs("cd", "nope")
    t.eq(r.returncode, 1, "cd to a missing folder exits 1")
    r = tfs("help")
    t.ok(r.returncode == 0 and "mget" in out(r) and "quit" in out(r),
         "help lists the commands")
    r = tfs("!false")
    t.eq(r.returncode, 1, "a failing !COMMAND exits 1")

    # ---- batch rules -----------------------------------------------------------
    r = tfs(input="mkdir b1\nrm nothing-here\nmkdir b2\n")
    t.eq(r.returncode, 1, "a batch stops at the first failing command")
    t.ok(os.path.isdir(os.path.join(root, "b1")) and
         not os.path.exists(os.path.join(root, "b2")),
         "commands after the failing one are not run")
    r = tfs(input="-rm nothing-here\nmkdir b3\n")
    t.ok(os.path.isdir(os.path.join(root, "b3")),
         "a failing '-' line lets the batch go on")
    t.eq(r.returncode, 0, "... and does not change the exit status "
         "(as sftp -b and make)")
    t.eq(err(r).strip(), "-:1: rm nothing-here: no such file or folder "
         "(NOT_FOUND)", "... but it is reported, named FILE:LINE ('-' "
         "for stdin)")
    r = tfs(input="-rm nothing-here\nmkdir b3\n-ls /nope\n")
    t.eq(r.returncode, 1, "a plain failing line after '-' lines counts")
    # LINE counts every physical line: blank and '#' lines too
    bf = os.path.join(work, "lines.tfs")
    write(bf, b"# a comment\n\nls docs\n  -rm gone-1\n\nstat gone-2\n")
    r = tfslib.tfs(P, opts=["-b", bf], cwd=local)
    e = err(r).splitlines()
    t.ok(r.returncode == 1 and len(e) == 2 and
         e[0].startswith(bf + ":4: rm gone-1: ") and
         e[1].startswith(bf + ":6: stat gone-2: "),
         "batch errors read FILE:LINE: (FILE as given)", err(r))
    r = tfslib.tfs(P, opts=["-v", "-b", bf], cwd=local)
    t.ok("tfs> ls docs\n" in err(r) and "tfs> -rm" not in err(r) and
         "tfs> rm gone-1" in err(r) and "tfs> stat gone-2" in err(r),
         "-v echoes each batch command as it runs", err(r))
    r = tfs(input="  # indented comment\n\n   \nls docs/m1.txt\n")
    t.ok(r.returncode == 0 and out(r) == "docs/m1.txt\n",
         "blank and '#' lines are skipped")
    bf = os.path.join(work, "cmds.tfs")
    write(bf, b"mkdir b4\nquit\nmkdir b5\n")
    r = tfslib.tfs(P, opts=["-b", bf], cwd=local)
    t.ok(r.returncode == 0 and os.path.isdir(os.path.join(root, "b4"))
         and not os.path.exists(os.path.join(root, "b5")),
         "-b FILE runs a file; quit ends it with 0")
    r = tfslib.tfs(P, opts=["-b", os.path.join(work, "none.tfs")])
    t.eq(r.returncode, 1, "-b of a missing file exits 1")
    r = tfs(input="frobnicate\nmkdir b6\n")
    t.ok(r.returncode == 2 and not os.path.exists(os.path.join(root,
         "b6")), "an unknown command in a batch is bad usage (2) and "
         "stops it")
    r = tfs(input='get "unterminated\n')
    t.eq(r.returncode, 2, "an unterminated quote is bad usage")
    write(os.path.join(root, "docs", "with space.txt"), b"sp")
    r = tfs(input="get 'docs/with space.txt' \"sp ace.txt\"\n")
    t.ok(r.returncode == 0 and os.path.exists(os.path.join(local,
         "sp ace.txt")), "quoted names with spaces")

    # ---- usage errors: 2 ---------------------------------------------------------
    r = tfslib.subprocess.run(tfslib.wrap([tfslib.TFS]), capture_output=True)
    t.eq(r.returncode, 2, "no HOST: 2")
    r = tfslib.subprocess.run(tfslib.wrap([tfslib.TFS, "--bogus", "h"]),
                              capture_output=True)
    t.eq(r.returncode, 2, "unknown option: 2")
    r = tfslib.subprocess.run(tfslib.wrap([tfslib.TFS, "h:99999", "ls"]),
                              capture_output=True)
    t.eq(r.returncode, 2, "bad port: 2")
    r = tfslib.subprocess.run(tfslib.wrap([tfslib.TFS, "--retry", "x",
                                           "h"]), capture_output=True)
    t.eq(r.returncode, 2, "bad --retry: 2")
    r = tfs("get")
    t.eq(r.returncode, 2, "a command without its arguments: 2")
    r = tfs("ls", "-z")
    t.eq(r.returncode, 2, "a command's unknown option: 2")
    r = tfs("mv", "a")
    t.eq(r.returncode, 2, "mv with one argument: 2")
    r = tfslib.subprocess.run(tfslib.wrap([tfslib.TFS, "-h"]),
                              capture_output=True)
    t.ok(r.returncode == 0 and b"usage" in r.stdout, "-h: usage, 0")
    r = tfslib.subprocess.run(tfslib.wrap([tfslib.TFS, "-V"]),
                              capture_output=True)
    t.ok(r.returncode == 0 and r.stdout.startswith(b"tfs "), "-V: 0")

    # ---- no connection: 3 ----------------------------------------------------------
    free = tfslib.free_port()
    r = tfslib.tfs(free, "ls")
    t.eq(r.returncode, 3, "nothing listening: 3")
    t.ok("cannot connect" in err(r) and len(err(r).splitlines()) == 1,
         "one clear line", err(r))
    r = tfslib.tfs(free, input="ls\n")
    t.eq(r.returncode, 3, "batch, nothing listening: 3")
    r = tfslib.tfs(free, "lpwd", cwd=local)
    t.eq(r.returncode, 0, "a local command needs no connection")
    r = tfslib.tfs(free, "frob")
    t.eq(r.returncode, 2, "bad usage is told before connecting")
    r = tfslib.subprocess.run(tfslib.wrap([tfslib.TFS, "host.invalid",
                                           "ls"]), capture_output=True,
                              timeout=60)
    t.eq(r.returncode, 3, "an unknown host: 3")

    # ---- HELLO never comes: the wait notice, then 3 -------------------------------
    with fakesrv.FakeServer(None, accept=False) as fk:
        t0 = time.monotonic()
        r = tfslib.tfs(fk.port, "ls", opts=["--timeout", "2"])
        dt = time.monotonic() - t0
        t.eq(r.returncode, 3, "no HELLO within --timeout: 3")
        t.ok("waiting for a free server worker" in err(r),
             "says it waits for a worker", err(r))
        t.ok("no free server worker after 2 s" in err(r), "gives up "
             "with a clear line", err(r))
        t.ok(1.5 <= dt < 10 * tfslib.SLOW, "gives up after about "
             "--timeout (%.1f s)" % dt)
        r = tfslib.tfs(fk.port, "ls", opts=["-q", "--timeout", "1"])
        t.ok("waiting" not in err(r), "-q keeps the notice quiet")

    # the same with a real tfsd whose only worker is busy: served once free
    with tfslib.Server(args=["-w", "1", "-m", "1", "--min-spare", "0",
                             "--max-spare", "1"]) as s1:
        hold = tfslib.Conn(s1.port)
        # busy in a request: an idle connection would be closed for tfs
        hold.req(tfslib.PUT("held", 10))
        hold.recv()
        p = tfslib.subprocess.Popen(
            tfslib.wrap([tfslib.TFS, "--timeout", "20",
                         "127.0.0.1:%d" % s1.port, "ls"]),
            stdin=tfslib.subprocess.DEVNULL, stdout=tfslib.subprocess.PIPE,
            stderr=tfslib.subprocess.PIPE)
        time.sleep(2)
        hold.close()
        o, e = p.communicate(timeout=30 * tfslib.SLOW)
        t.ok(p.returncode == 0 and b"waiting for a free server worker" in e,
             "a busy pool: tfs waits, says so, and is served once a "
             "worker is free", e)

    # ---- a server that closes idle connections: transparent -----------------------
    with tfslib.Server(args=["--idle-timeout", "1"]) as s2:
        write(os.path.join(s2.root, "f.txt"), b"f")
        r = tfslib.tfs(s2.port, input="ls\n!sleep 2.5\nls\nget f.txt -\n",
                       cwd=local)
        t.ok(r.returncode == 0 and out(r) == "f.txt\nf.txt\nf",
             "an idle close between commands is made good "
             "transparently", err(r))
        # a reload (HUP) between commands: old workers close idle ones
        r = tfslib.tfs(s2.port, input="ls\n!kill -HUP %d; sleep 0.5\nls\n"
                       % s2.pid, cwd=local)
        t.ok(r.returncode == 0 and out(r) == "f.txt\nf.txt\n",
             "a reload between commands is made good transparently",
             err(r))

    # ---- IPv6 ----------------------------------------------------------------------
    try:
        s6 = tfslib.Server(listen="::1")
    except Exception as e:
        t.skip("[::1]:PORT", "no IPv6 loopback: %s" % e)
    else:
        write(os.path.join(s6.root, "six.txt"), b"6")
        r = tfslib.tfs(s6.port, "get", "six.txt", "-", host="::1")
        t.ok(r.returncode == 0 and r.stdout == b"6", "[::1]:PORT")
        r = tfslib.subprocess.run(tfslib.wrap([tfslib.TFS, "-p",
                                  str(s6.port), "::1", "ls"]),
                                  capture_output=True, timeout=30)
        t.ok(r.returncode == 0 and r.stdout == b"six.txt\n",
             "-p PORT with a bare IPv6 address")
        s6.stop()

    # ---- hostile and malformed replies: never a crash -------------------------------
    def answer(reply):
        def script(p):
            for f in p.frames():
                if f[0] == tfslib.QUIT_T:
                    p.send(tfslib.frame(tfslib.OK))
                    return
                p.send(reply(f))
                if callable(getattr(reply, "close", None)):
                    return
        return script

    u64, s_, fr = tfslib.u64, tfslib.s, tfslib.frame
    cases = [
        ("ENTRY cut short", ["ls"],
         lambda f: fr(tfslib.ENTRY, b"\x66\x00")),
        ("END count wrong", ["ls"],
         lambda f: fakesrv.entry(b"a") + fr(tfslib.END, u64(5))),
        ("unknown type", ["ls"], lambda f: fr(0x33, b"")),
        ("a request type", ["ls"], lambda f: fr(tfslib.GET_T, s_(b"x") +
                                                u64(0))),
        ("length over 1 MiB", ["ls"],
         lambda f: b"\x42\x7f\xff\xff\xff"),
        ("kind not f or d", ["ls"],
         lambda f: fakesrv.entry(b"a", kind="x") + fr(tfslib.END,
                                                      u64(1))),
        ("DIGEST of the wrong length", ["sum", "x"],
         lambda f: fr(tfslib.DIGEST, s_(b"sha256") + s_(b"abc"))),
        ("DIGEST of another algorithm", ["sum", "x"],
         lambda f: fr(tfslib.DIGEST, s_(b"md5") + s_(b"a" * 32))),
        ("more DATA than FILE said", ["get", "x", "-"],
         lambda f: fr(tfslib.FILE, u64(3) + u64(0)) +
         fr(tfslib.DATA, b"abcdef") + fr(tfslib.END, u64(6))),
        ("END count not matching", ["get", "x", "-"],
         lambda f: fr(tfslib.FILE, u64(3) + u64(0)) +
         fr(tfslib.DATA, b"abc") + fr(tfslib.END, u64(2))),
        ("FILE at another offset", ["get", "x", "-"],
         lambda f: fr(tfslib.FILE, u64(3) + u64(2))),
        ("empty DATA", ["get", "x", "-"],
         lambda f: fr(tfslib.FILE, u64(3) + u64(0)) + fr(tfslib.DATA)),
        ("OK to GET", ["get", "x", "-"], lambda f: fr(tfslib.OK)),
        ("READY past the size", ["put", "-", "x"],
         lambda f: fr(tfslib.READY, u64(1 << 40))),
        ("unknown error code", ["stat", "x"],
         lambda f: fakesrv.error(999, b"strange\x1b")),
        ("ERROR cut short", ["stat", "x"],
         lambda f: fr(tfslib.ERROR, b"\x00")),
        ("STAT answered by END", ["stat", "x"],
         lambda f: fr(tfslib.END, u64(0))),
    ]
    for name, args, reply in cases:
        with fakesrv.FakeServer(answer(reply)) as fk:
            r = tfslib.tfs(fk.port, *args, input=b"abc", cwd=work,
                           timeout=30 * tfslib.SLOW)
            t.ok(clean(r) and r.returncode != 0,
                 "malformed reply (%s): a clean failure, status %d"
                 % (name, r.returncode), err(r))

    # names no request could reach are left out, the rest shown
    def names(f):
        return (fakesrv.entry(b"../up") + fakesrv.entry(b"a/b") +
                fakesrv.entry(b"\x1b[2J") + fakesrv.entry(b"..") +
                fakesrv.entry(b"ok.txt") + fr(tfslib.END, u64(5)))
    with fakesrv.FakeServer(answer(names)) as fk:
        r = tfslib.tfs(fk.port, "ls", cwd=work)
        t.ok(r.returncode == 0 and r.stdout == b"ok.txt\n",
             "hostile names in a listing are never shown", r.stdout)
        r = tfslib.tfs(fk.port, "mget", "*", cwd=work)
        t.ok(not os.path.exists(os.path.join(work, "up")) and
             not os.path.exists(os.path.join(os.path.dirname(work), "up")),
             "a hostile name never becomes a local file")

    with fakesrv.FakeServer(answer(lambda f: fakesrv.error(999, b"x"))) \
            as fk:
        r = tfslib.tfs(fk.port, "stat", "x")
        t.ok("server error 999" in err(r), "an unknown error code is "
             "shown by number", err(r))

    def hello_first(p):
        p.recv()

    for name, first in [("not HELLO first", fr(tfslib.OK)),
                        ("HELLO of version 2", fakesrv.hello(version=2)),
                        ("garbage", b"HTTP/1.1 400 Bad Request\r\n\r\n")]:
        fk = fakesrv.FakeServer(hello_first, send_hello=False)
        fk.script = (lambda b: lambda p: (p.send(b), p.recv()))(first)
        r = tfslib.tfs(fk.port, "ls")
        fk.close()
        t.ok(clean(r) and r.returncode == 3,
             "%s: could not connect (3)" % name, err(r))

    # a server that dies in the middle of a reply: lost (3), one line
    def die(p):
        p.recv()
        p.send(fr(tfslib.FILE, u64(10) + u64(0)) + fr(tfslib.DATA,
                                                      b"12345"))
    with fakesrv.FakeServer(die) as fk:
        r = tfslib.tfs(fk.port, "get", "x", cwd=work)
        t.eq(r.returncode, 3, "connection lost mid-transfer: 3")
        lines = err(r).splitlines()
        t.ok(len(lines) == 1 and "connection" in lines[0] and
             "partial download kept in .x.tfs-part" in lines[0],
             "one clear line says the connection was lost and what is "
             "kept", err(r))
        t.ok(os.path.exists(os.path.join(work, ".x.tfs-part")) and
             not os.path.exists(os.path.join(work, "x")),
             "the partial is kept, nothing under the final name")
finally:
    srv.stop()
    shutil.rmtree(work, ignore_errors=True)

sys.exit(t.done())
