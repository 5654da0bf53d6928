#!/usr/bin/env python3
"""
24-client-copy.py -- transfers as sftp, cp and lftp users expect, against
a real tfsd (and fakesrv.Tree where the bytes that cross are counted, or
where the server lacks UTIME): -R copies into existing and missing
folders both ways, wildcards in any component with zero, one and many
matches, several sources with a file last (an error, nothing copied),
-p keeping the times of files and folders, -a from a shorter file,
mirror with changed, new, deleted and identical files (the bytes that
cross counted), --delete, -n and --checksum, -j 4 with a connection's
process killed midway and with a server worker killed (resumed, nothing
corrupt), rm -r on a tree with a symbolic link inside, mkdir -p, ls
-alhtSr, help within 80 columns, and messages naming what was typed.
"""

import hashlib
import os
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakesrv  # noqa: E402
import tfslib  # noqa: E402

t = tfslib.Tap()
work, local = tfslib.temp_dir("tfs-copy-", "local")
write = tfslib.write_file
read = tfslib.read_file
err, out = tfslib.err, tfslib.out
MiB = 1024 * 1024


def tree_of(top):
    """{relative path: bytes or None for a folder} of a local tree."""
    got = {}
    for d, dirs, files in os.walk(top):
        for n in dirs:
            got[os.path.relpath(os.path.join(d, n), top)] = None
        for n in files:
            got[os.path.relpath(os.path.join(d, n), top)] = \
                read(os.path.join(d, n))
    return got


def log_bytes(srv, verb):
    """Bytes the server's log says moved by verb (GET or PUT) so far."""
    n = 0
    for ln in list(srv.log):
        f = ln.split()
        if verb not in f:
            continue
        i = f.index(verb)
        # "... GET path BYTES OK ms", or "... GET "path" - OK BYTES ms"
        if i + 3 < len(f) and f[i + 2].isdigit() and f[i + 3] == "OK":
            n += int(f[i + 2])
        elif "OK" in f[i + 1:]:
            j = f.index("OK", i + 1)
            if j + 1 < len(f) and f[j + 1].isdigit():
                n += int(f[j + 1])
    return n


def has_utime(port):
    """1 when the server answers UTIME (not UNSUPPORTED)."""
    with tfslib.Conn(port) as c:
        c.send(fakesrv.UTIME_T, tfslib.s("nope") + tfslib.s64(0))
        return c.expect_error() != "UNSUPPORTED"


srv = tfslib.server()
root = srv.root
tfs = tfslib.client(srv.port, local)
try:
    files = {"docs/a.txt": b"A" * 10, "docs/b.txt": b"B" * 20,
             "docs/sub/c.md": b"C" * 30, "docs/.hidden": b"h",
             "logs/x1.log": b"1", "logs/x2.log": b"22",
             "top.txt": b"top"}
    for n, d in files.items():
        write(os.path.join(root, n), d)

    # ---- -R into existing and missing folders, both ways ------------------
    os.mkdir(os.path.join(local, "have"))
    r = tfs("get", "-R", "docs", "have")
    t.ok(r.returncode == 0 and
         read(os.path.join(local, "have", "docs", "sub", "c.md")) ==
         b"C" * 30 and os.path.exists(os.path.join(local, "have", "docs",
                                                    ".hidden")),
         "get -R dir EXISTING makes EXISTING/dir (as cp -r)", err(r))
    r = tfs("get", "-R", "docs", "fresh")
    t.ok(r.returncode == 0 and
         read(os.path.join(local, "fresh", "sub", "c.md")) == b"C" * 30,
         "get -R dir MISSING makes MISSING the copy", err(r))
    r = tfs("put", "-R", "have", "docs")
    t.ok(r.returncode == 0 and os.path.exists(os.path.join(
         root, "docs", "have", "docs", "sub", "c.md")),
         "put -R dir EXISTING makes EXISTING/dir", err(r))
    r = tfs("put", "-R", "fresh", "newtop")
    t.ok(r.returncode == 0 and os.path.exists(os.path.join(
         root, "newtop", "sub", "c.md")), "put -R dir MISSING makes "
         "MISSING the copy", err(r))

    # ---- wildcards -----------------------------------------------------------
    os.mkdir(os.path.join(local, "w"))
    r = tfs("get", "nothing*", "w")
    t.ok(r.returncode == 1 and "no match" in err(r),
         "a pattern matching nothing is an error (1)", err(r))
    r = tfs("get", "top.t?t", "w")
    t.ok(r.returncode == 0 and os.listdir(os.path.join(local, "w")) ==
         ["top.txt"], "a pattern with one match", err(r))
    r = tfs("get", "*/x*.log", "d*/[ab].txt", "w")
    t.eq(sorted(os.listdir(os.path.join(local, "w"))),
         ["a.txt", "b.txt", "top.txt", "x1.log", "x2.log"],
         "patterns with many matches, wildcards in a folder component")
    r = tfs("ls", "d*/*.txt")
    t.eq(out(r), "docs/a.txt\ndocs/b.txt\n", "ls takes wildcards")
    r = tfs("stat", "logs/x?.log")
    t.ok(r.returncode == 0 and out(r).count("kind:  file") == 2,
         "stat takes wildcards", out(r))
    r = tfs("sum", "logs/*")
    t.ok(r.returncode == 0 and len(out(r).splitlines()) == 2,
         "sum takes wildcards", out(r))
    r = tfs("mget", "logs/*")
    t.ok(r.returncode == 0 and os.path.exists(os.path.join(local,
         "x2.log")), "mget stays: every word a source, here", err(r))
    write(os.path.join(local, "up", "m1.dat"), b"m1")
    write(os.path.join(local, "up", "m2.dat"), b"m2")
    r = tfs("put", "up/*.dat", "logs")
    t.ok(r.returncode == 0 and os.path.exists(os.path.join(root, "logs",
         "m2.dat")), "put with a local pattern into a folder", err(r))

    # ---- several sources with a file last: nothing copied ---------------------
    before = sorted(os.listdir(local))
    r = tfs("get", "top.txt", "docs/a.txt", "x2.log")
    t.ok(r.returncode == 1 and "several" in err(r) and
         sorted(os.listdir(local)) == before and
         read(os.path.join(local, "x2.log")) == b"22",
         "get A B FILE: error 1, nothing copied", err(r))
    r = tfs("get", "logs/*.log", "notadir")
    t.ok(r.returncode == 1 and not os.path.exists(os.path.join(local,
         "notadir")), "a pattern matching several counts as several",
         err(r))
    r = tfs("put", "up/m1.dat", "up/m2.dat", "top.txt")
    t.ok(r.returncode == 1 and read(os.path.join(root, "top.txt")) ==
         b"top", "put A B FILE: error 1, nothing copied", err(r))

    # ---- -p: times of files and folders -----------------------------------------
    os.utime(os.path.join(root, "docs", "a.txt"), (0, 1000000000))
    os.utime(os.path.join(root, "docs", "sub"), (0, 1100000000))
    os.utime(os.path.join(root, "docs"), (0, 1200000000))
    r = tfs("get", "-Rp", "docs", "timed")
    st_a = os.stat(os.path.join(local, "timed", "a.txt")).st_mtime
    st_s = os.stat(os.path.join(local, "timed", "sub")).st_mtime
    st_d = os.stat(os.path.join(local, "timed")).st_mtime
    t.ok(r.returncode == 0 and (st_a, st_s, st_d) ==
         (1000000000, 1100000000, 1200000000),
         "get -Rp keeps the times of files and folders",
         (err(r), st_a, st_s, st_d))
    r = tfs("get", "-p", "docs/a.txt", "pa.txt")
    t.eq(os.stat(os.path.join(local, "pa.txt")).st_mtime, 1000000000,
         "get -p keeps a file's time")
    # uploads need UTIME: the real server's, or the fake's until then
    up_tree = fakesrv.Tree()
    up_srv = None if has_utime(srv.port) else \
        fakesrv.FakeServer(up_tree.serve)
    up_port = srv.port if up_srv is None else up_srv.port
    utree = os.path.join(local, "utree")
    write(os.path.join(utree, "f.txt"), b"f")
    write(os.path.join(utree, "in", "g.txt"), b"g")
    os.utime(os.path.join(utree, "f.txt"), (0, 1300000000))
    os.utime(os.path.join(utree, "in"), (0, 1400000000))
    os.utime(utree, (0, 1500000000))
    r = tfslib.tfs(up_port, "put", "-Rp", "utree", cwd=local)
    if up_srv is None:
        got = [os.stat(os.path.join(root, "utree", p)).st_mtime
               for p in ("f.txt", "in", "")]
    else:
        got = [up_tree.mtimes.get(p) for p in ("utree/f.txt", "utree/in",
                                               "utree")]
    t.ok(r.returncode == 0 and got == [1300000000, 1400000000, 1500000000],
         "put -Rp sets times with UTIME, folders after their contents "
         "(%s server)" % ("real" if up_srv is None else "fake"),
         (err(r), got))

    # ---- -a: from tfs's partial, or a shorter file of that name -------------
    big = os.urandom(2 * MiB)
    write(os.path.join(root, "big.bin"), big)
    write(os.path.join(local, "big.bin"), big[:MiB])
    n0 = log_bytes(srv, "GET")
    r = tfs("get", "-a", "big.bin")
    time.sleep(0.3)
    t.ok(r.returncode == 0 and read(os.path.join(local, "big.bin")) ==
         big and log_bytes(srv, "GET") - n0 == MiB,
         "get -a goes on from a shorter file of that name (1 MiB crossed)",
         (err(r), log_bytes(srv, "GET") - n0))

    # ---- mirror ------------------------------------------------------------------
    src = {"m/a.txt": b"a" * 1000, "m/b.txt": b"b" * 2000,
           "m/sub/c.txt": b"c" * 3000, "m/sub/d.txt": b"d" * 4000}
    for n, d in src.items():
        write(os.path.join(root, n), d)
    r = tfs("mirror", "m", "mm")
    t.ok(r.returncode == 0 and tree_of(os.path.join(local, "mm")) ==
         tree_of(os.path.join(root, "m")) and "4 of 4 files" in out(r),
         "mirror copies a tree, with a summary", (out(r), err(r)))
    n0 = log_bytes(srv, "GET")
    r = tfs("mirror", "m", "mm")
    time.sleep(0.3)
    t.ok(r.returncode == 0 and log_bytes(srv, "GET") == n0 and
         "0 of 4 files" in out(r), "mirror again: nothing crosses",
         (out(r), log_bytes(srv, "GET") - n0))
    write(os.path.join(root, "m", "b.txt"), b"B" * 2500)   # changed size
    write(os.path.join(root, "m", "sub", "c.txt"), b"C" * 3000)
    os.utime(os.path.join(root, "m", "sub", "c.txt"), (0, 1234567890))
    write(os.path.join(root, "m", "new.txt"), b"n" * 500)
    os.unlink(os.path.join(root, "m", "a.txt"))
    r = tfs("mirror", "-n", "--delete", "m", "mm")
    t.ok(r.returncode == 0 and "get m/b.txt" in out(r) and
         "get m/new.txt" in out(r) and "get m/sub/c.txt" in out(r) and
         "rm mm/a.txt" in out(r) and "d.txt" not in out(r) and
         "mkdir" not in out(r) and os.path.exists(os.path.join(local, "mm", "a.txt")) and
         read(os.path.join(local, "mm", "b.txt")) == b"b" * 2000,
         "mirror -n says what it would do (no mkdir of folders there "
         "already) and does nothing", out(r))
    n0 = log_bytes(srv, "GET")
    r = tfs("mirror", "--delete", "m", "mm")
    time.sleep(0.3)
    t.ok(r.returncode == 0 and tree_of(os.path.join(local, "mm")) ==
         tree_of(os.path.join(root, "m")),
         "mirror --delete: changed, new and deleted files", err(r))
    t.eq(log_bytes(srv, "GET") - n0, 2500 + 3000 + 500,
         "... only the changed and new files' bytes cross")
    r = tfs("mirror", "--checksum", "m", "mm")
    t.ok(r.returncode == 0 and "0 of 4 files" in out(r),
         "mirror --checksum finds equal files equal", out(r))

    # mirror -R: the bytes a fake server received
    ft = fakesrv.Tree()
    with fakesrv.FakeServer(ft.serve) as fk:
        run = tfslib.client(fk.port, local)
        r = run("mirror", "-R", "mm", "up")
        t.ok(r.returncode == 0 and ft.received == 2500 + 3000 + 500 +
             4000 and ft.node("up/sub/d.txt") == b"d" * 4000,
             "mirror -R uploads a tree", (err(r), ft.received))
        ft.received = 0
        r = run("mirror", "-R", "mm", "up")
        t.ok(r.returncode == 0 and ft.received == 0,
             "mirror -R again: nothing crosses (times were kept)",
             (err(r), out(r), ft.received))
        write(os.path.join(local, "mm", "sub", "d.txt"), b"D" * 4000)
        os.utime(os.path.join(local, "mm", "sub", "d.txt"), (0, 999))
        ft.put_file("up/stale.txt", b"old")
        r = run("mirror", "-R", "--delete", "mm", "up")
        t.ok(r.returncode == 0 and ft.received == 4000 and
             ft.node("up/stale.txt") is None and
             ft.node("up/sub/d.txt") == b"D" * 4000,
             "mirror -R --delete: a changed time is copied, the extra "
             "removed", (err(r), ft.received))

    # ---- -j 4 ------------------------------------------------------------------
    par = {"par/f%d.bin" % i: os.urandom(MiB + i) for i in range(12)}
    for n, d in par.items():
        write(os.path.join(root, n), d)
    r = tfs("get", "-R", "-j", "4", "par", "par4")
    t.ok(r.returncode == 0 and all(read(os.path.join(local, "par4",
         os.path.basename(n))) == d for n, d in par.items()),
         "get -R -j 4 copies every file", err(r))
    r = tfs("put", "-R", "-j4", "par4", "parup")
    t.ok(r.returncode == 0 and all(read(os.path.join(root, "parup",
         os.path.basename(n))) == d for n, d in par.items()),
         "put -R -j4 copies every file", err(r))

    # a connection's process killed midway: its file goes to another
    p = tfslib.tfs_bg(srv.port, "get", "-R", "-j", "4", "par", "park",
                      opts=["--limit-rate", "2M"], cwd=local)
    kids = []
    tfslib.wait_for(lambda: len(tfslib.children(p.pid)) >= 4, 10)
    time.sleep(0.5)
    kids = tfslib.children(p.pid)
    if kids:
        os.kill(kids[0], signal.SIGKILL)
    rc = p.wait(120)
    e = p.stderr.read().decode(errors="replace")
    ok = all(read(os.path.join(local, "park", os.path.basename(n))) == d
             for n, d in par.items()
             if os.path.exists(os.path.join(local, "park",
                                            os.path.basename(n))))
    t.ok(rc == 0 and ok and len(kids) >= 4 and "handed to another" in e and
         len(os.listdir(os.path.join(local, "park"))) == 12,
         "-j 4: a connection's process killed midway; its file resumed "
         "by another, nothing corrupt", (rc, e))
    # a server worker killed midway: --retry reconnects and resumes
    p = tfslib.tfs_bg(srv.port, "get", "-R", "-j", "4", "par", "parw",
                      opts=["--limit-rate", "2M", "--retry", "5"],
                      cwd=local)
    time.sleep(1.0)
    busy = srv.workers()
    for w in busy:
        # every worker, so that the ones serving us are among them
        os.kill(w, signal.SIGKILL)
    rc = p.wait(120)
    e = p.stderr.read().decode(errors="replace")
    t.ok(rc == 0 and busy and all(read(os.path.join(local, "parw",
         os.path.basename(n))) == d for n, d in par.items()),
         "-j 4: a server worker killed midway; resumed, nothing corrupt",
         (rc, e))

    # ---- rm -r with a symbolic link inside; mkdir -p -------------------------
    write(os.path.join(root, "keep", "precious.txt"), b"keep me")
    write(os.path.join(root, "gone", "x", "y.txt"), b"y")
    os.symlink(os.path.join(root, "keep"), os.path.join(root, "gone",
                                                         "link"))
    r = tfs("rm", "-r", "gone")
    t.ok(r.returncode == 0 and not os.path.lexists(os.path.join(root,
         "gone")) and read(os.path.join(root, "keep", "precious.txt")) ==
         b"keep me", "rm -r removes a tree; the link inside is removed, "
         "never followed", err(r))
    r = tfs("rm", "keep")
    t.ok(r.returncode == 1 and "NOT_EMPTY" in err(r),
         "rm without -r leaves a folder with contents", err(r))
    r = tfs("mkdir", "-p", "p1/p2/p3")
    t.ok(r.returncode == 0 and os.path.isdir(os.path.join(root, "p1",
         "p2", "p3")), "mkdir -p makes the parents", err(r))
    r = tfs("mkdir", "-p", "p1/p2")
    t.eq(r.returncode, 0, "mkdir -p of folders that are there: 0")

    # ---- ls flags, help -----------------------------------------------------------
    os.utime(os.path.join(root, "docs", "b.txt"), (0, 2000000000))
    r = tfs("ls", "docs")
    t.eq(out(r), "a.txt\nb.txt\nhave/\nsub/\n", "ls hides dot-files")
    r = tfs("ls", "-a", "docs")
    t.ok(".hidden" in out(r), "ls -a shows them")
    r = tfs("ls", "-S", "docs")
    t.eq(out(r).splitlines()[:2], ["b.txt", "a.txt"], "ls -S: biggest "
         "first")
    r = tfs("ls", "-t", "docs")
    t.eq(out(r).splitlines()[0], "b.txt", "ls -t: newest first")
    r = tfs("ls", "-r", "docs")
    t.eq(out(r).splitlines()[-1], "a.txt", "ls -r: reversed")
    r = tfs("ls", "-h", "big.bin")
    t.ok("2.0M" in out(r) and str(2 * MiB) not in out(r),
         "ls -h: sizes in units only", out(r))
    r = tfs("help")
    wide = [ln for ln in out(r).splitlines() if len(ln) > 79]
    t.ok(r.returncode == 0 and not wide and "mirror" in out(r),
         "help lines fit in 80 columns", wide)

    # ---- messages, -q, skipped files ------------------------------------------
    sk = os.path.join(local, "sk")
    write(os.path.join(sk, "ok.txt"), b"ok")
    os.mkfifo(os.path.join(sk, "fifo"))
    os.symlink("/etc", os.path.join(sk, "out"))
    r = tfs("put", "-R", "sk", opts=["-q"])
    t.ok(r.returncode == 1 and "sk/fifo" in err(r) and "sk/out" in err(r)
         and os.path.exists(os.path.join(root, "sk", "ok.txt")),
         "put -R: a special file and a link out of the tree are skipped "
         "with warnings (not hidden by -q); exit 1", err(r))
    os.makedirs(os.path.join(local, "msg", "docs", "a.txt", "x"))
    r = tfs("get", "-R", "docs", "msg")
    t.ok(r.returncode == 1 and "get docs/a.txt: " in err(r) and
         read(os.path.join(local, "msg", "docs", "b.txt")) == b"B" * 20,
         "a failed file is named as typed; the others are copied", err(r))
    r = tfs("get", "-R", "docs", "quiet", opts=["-q"])
    t.ok(r.returncode == 0 and err(r) == "", "-q: no chatter", err(r))
    tfslib.check_logs(t)
    if up_srv is not None:
        up_srv.close()
finally:
    srv.stop()
    shutil.rmtree(work, ignore_errors=True)

sys.exit(t.done())
