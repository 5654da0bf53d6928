#!/usr/bin/env python3
"""
21-client-transfer.py -- transfers of tfs against a real tfsd: a cut
download or upload resumed with -r, Ctrl-C keeping the partial file,
--retry reconnecting across a server restart on the same port, --verify
catching a corrupted download (a partial file whose bytes were damaged,
then resumed), -R folders both ways, and what a lost connection leaves.
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakesrv  # noqa: E402
import tfslib  # noqa: E402
from tfslib import MiB, err, size_of, wait_for  # noqa: E402
from tfslib import read_file as read, write_file as write  # noqa: E402

t = tfslib.Tap()
work, local = tfslib.temp_dir("tfs-xfer-", "local")
SIZE = 16 * MiB
RATE = "4M"         # so that a transfer lasts long enough to be cut


def start(port, *args, opts=()):
    """tfs in the background from local/; returns the Popen."""
    return tfslib.tfs_bg(port, *args, opts=opts, cwd=local)


srv = tfslib.Server()
root = srv.root
P = srv.port
big = os.urandom(SIZE)
write(os.path.join(root, "big.bin"), big)
write(os.path.join(local, "up.bin"), big)
part = os.path.join(local, ".big.bin.tfs-part")
tfs = tfslib.client(P, local)

try:
    # ---- a download cut short, then resumed --------------------------------
    p = start(P, "get", "big.bin", opts=["--limit-rate", RATE])
    t.ok(wait_for(lambda: size_of(part) > MiB, 20 * tfslib.SLOW),
         "a download grows a partial file beside the target")
    p.kill()
    p.wait()
    have = size_of(part)
    t.ok(0 < have < SIZE and not os.path.exists(os.path.join(local,
         "big.bin")), "cut short: the partial is kept, nothing under "
         "the final name (%d bytes)" % have)
    r = tfs("get", "-r", "big.bin")
    t.eq(r.returncode, 0, "get -r finishes it")
    t.ok("resuming at" in err(r), "... resuming, not starting over",
         err(r))
    t.ok(read(os.path.join(local, "big.bin")) == big and
         not os.path.exists(part), "... byte-exact, partial renamed")
    os.unlink(os.path.join(local, "big.bin"))

    # the same with the global -r, after Ctrl-C
    p = start(P, "get", "big.bin", opts=["--limit-rate", RATE])
    wait_for(lambda: size_of(part) > MiB, 20 * tfslib.SLOW)
    p.send_signal(signal.SIGINT)
    rc = p.wait(30 * tfslib.SLOW)
    e = p.stderr.read().decode(errors="replace")
    t.eq(rc, 1, "Ctrl-C during get: exit 1")
    t.ok("interrupted" in e and "partial download kept" in e,
         "Ctrl-C says the partial is kept", e)
    t.ok(size_of(part) > 0, "Ctrl-C keeps the partial file")
    r = tfs("get", "big.bin", opts=["-r", "--verify"])
    t.ok(r.returncode == 0 and "resuming at" in err(r) and
         read(os.path.join(local, "big.bin")) == big,
         "tfs -r --verify get resumes after Ctrl-C and checks", err(r))
    os.unlink(os.path.join(local, "big.bin"))

    # a partial longer than the file: -r starts over
    write(part, big + b"extra")
    r = tfs("get", "-r", "big.bin")
    t.ok(r.returncode == 0 and read(os.path.join(local, "big.bin")) ==
         big, "a partial longer than the file is started over")
    os.unlink(os.path.join(local, "big.bin"))
    # without -r a stale partial is not trusted
    write(part, b"Z" * 1000)
    r = tfs("get", "big.bin")
    t.ok(r.returncode == 0 and read(os.path.join(local, "big.bin")) ==
         big, "without -r a download starts from 0")
    os.unlink(os.path.join(local, "big.bin"))

    # ---- --verify catches a corrupted download ---------------------------------
    damaged = bytearray(big[:SIZE // 2])
    damaged[1000:1004] = b"XXXX"
    write(part, bytes(damaged))
    r = tfs("get", "big.bin", opts=["-r", "--verify"])
    t.eq(r.returncode, 1, "--verify: a corrupted resumed download fails")
    t.ok("SHA-256 mismatch" in err(r), "... saying SHA-256 mismatch",
         err(r))
    t.ok(not os.path.exists(os.path.join(local, "big.bin")) and
         not os.path.exists(part),
         "... and leaves no file under the final name, nor the bad "
         "partial")
    write(part, bytes(damaged))
    r = tfs("get", "-rv", "big.bin")
    t.eq(r.returncode, 1, "get -rv catches it too")
    r = tfs("get", "-v", "big.bin")
    t.ok(r.returncode == 0 and read(os.path.join(local, "big.bin")) ==
         big, "get -v of a sound download succeeds")
    os.unlink(os.path.join(local, "big.bin"))
    r = tfs("get", "big.bin", "-", opts=["--verify"])
    t.ok(r.returncode == 0 and r.stdout == big,
         "--verify works for get to stdout")

    # ---- an upload cut short, then resumed ---------------------------------------
    p = start(P, "put", "up.bin", opts=["--limit-rate", RATE])
    time.sleep(1.5)
    p.kill()
    p.wait()
    t.ok(not os.path.exists(os.path.join(root, "up.bin")),
         "a cut upload leaves nothing under its name")
    r = tfs("put", "-r", "up.bin")
    t.eq(r.returncode, 0, "put -r finishes it")
    t.ok("resuming at" in err(r), "... resuming where the server's "
         "partial ends", err(r))
    t.ok(read(os.path.join(root, "up.bin")) == big, "... byte-exact")
    r = tfs("put", "up.bin", "up2.bin", opts=["--verify"])
    t.ok(r.returncode == 0 and read(os.path.join(root, "up2.bin")) == big,
         "put --verify of a sound upload succeeds")
    r = tfs("put", "-v", "up.bin", "up3.bin")
    t.eq(r.returncode, 0, "put -v")

    # a SUM that disagrees: put --verify must fail
    def lying(pe):
        for typ, _ in pe.frames():
            if typ == tfslib.PUT_T:
                pe.send(tfslib.frame(tfslib.READY, tfslib.u64(0)))
            elif typ == tfslib.END:
                pe.send(tfslib.frame(tfslib.OK))
            elif typ == tfslib.SUM_T:
                pe.send(tfslib.frame(tfslib.DIGEST, tfslib.s(b"sha256") +
                                     tfslib.s(b"\0" * 32)))
            elif typ == tfslib.QUIT_T:
                pe.send(tfslib.frame(tfslib.OK))
                return
    with fakesrv.FakeServer(lying) as fk:
        r = tfslib.tfs(fk.port, "put", "up.bin", opts=["--verify"],
                       cwd=local)
        t.ok(r.returncode == 1 and "SHA-256 mismatch" in err(r),
             "put --verify fails when SUM disagrees", err(r))

    # ---- a lost connection without --retry: 3, partial kept ------------------------
    p = start(P, "get", "big.bin", opts=["--limit-rate", RATE])
    wait_for(lambda: size_of(part) > MiB, 20 * tfslib.SLOW)
    srv.stop(keep_root=True)
    rc = p.wait(30 * tfslib.SLOW)
    e = p.stderr.read().decode(errors="replace")
    t.eq(rc, 3, "server gone mid-transfer: exit 3")
    t.ok("connection" in e.splitlines()[0], "one clear line", e)
    t.ok(size_of(part) > 0, "the partial is kept for get -r")

    # ---- --retry across a server restart on the same port ------------------------
    srv.start(port=P)
    os.unlink(part)
    p = start(P, "get", "big.bin", opts=["--limit-rate", RATE,
                                          "--retry", "6"])
    wait_for(lambda: size_of(part) > MiB, 20 * tfslib.SLOW)
    srv.stop(keep_root=True)
    time.sleep(1)
    srv.start(port=P)
    rc = p.wait(60 * tfslib.SLOW)
    e = p.stderr.read().decode(errors="replace")
    t.eq(rc, 0, "--retry: a get survives a server restart")
    t.ok("reconnecting" in e and "resuming at" in e,
         "... reconnecting and resuming", e)
    t.ok(read(os.path.join(local, "big.bin")) == big, "... byte-exact")
    os.unlink(os.path.join(local, "big.bin"))

    p = start(P, "put", "up.bin", "up4.bin", opts=["--limit-rate", RATE,
                                                   "--retry", "6",
                                                   "--verify"])
    time.sleep(1.5)
    srv.stop(keep_root=True)
    time.sleep(1)
    srv.start(port=P)
    rc = p.wait(60 * tfslib.SLOW)
    e = p.stderr.read().decode(errors="replace")
    t.eq(rc, 0, "--retry: a put survives a server restart", )
    t.ok("resuming at" in e, "... resuming the server's partial", e)
    t.ok(read(os.path.join(root, "up4.bin")) == big, "... byte-exact")

    # --retry that never gets through
    free = tfslib.free_port()
    t0 = time.monotonic()
    r = tfslib.tfs(free, "ls", opts=["--retry", "2"])
    t.ok(r.returncode == 3 and time.monotonic() - t0 >= 1.0,
         "--retry gives up after N attempts with back-off: 3")

    # ---- -R folders ------------------------------------------------------------------
    tree = os.path.join(work, "tree")
    files = {"a.txt": b"a", "sub/b.txt": b"bb", "sub/deep/c.bin":
             os.urandom(3 * MiB), "sub/empty/.keep": b"", "z.txt": b""}
    for n, d in files.items():
        write(os.path.join(tree, n), d)
    os.mkdir(os.path.join(tree, "emptydir"))
    r = tfs("put", "-R", tree)
    t.eq(r.returncode, 0, "put -R uploads a folder")
    ok = all(read(os.path.join(root, "tree", n)) == d
             for n, d in files.items())
    t.ok(ok and os.path.isdir(os.path.join(root, "tree", "emptydir")),
         "... every file and folder, byte-exact")
    write(os.path.join(tree, "sub", "new.txt"), b"new")
    r = tfs("put", "-R", tree)
    t.ok(r.returncode == 0 and os.path.exists(os.path.join(root, "tree",
         "sub", "new.txt")), "put -R again reuses existing folders")
    r = tfs("put", "-R", tree, "elsewhere/x")
    t.eq(r.returncode, 1, "put -R into a folder whose parent is missing "
         "fails")
    r = tfs("put", "-R", tree, "copy")
    t.ok(r.returncode == 0 and os.path.exists(os.path.join(root, "copy",
         "sub", "deep", "c.bin")), "put -R LOCAL REMOTE names the target")
    r = tfs("get", "-R", "tree", "back")
    t.eq(r.returncode, 0, "get -R downloads a folder")
    files["sub/new.txt"] = b"new"
    ok = all(read(os.path.join(local, "back", n)) == d
             for n, d in files.items())
    t.ok(ok and os.path.isdir(os.path.join(local, "back", "emptydir")),
         "... every file and folder, byte-exact")
    r = tfs("get", "-R", "tree")
    t.ok(r.returncode == 0 and os.path.exists(os.path.join(local, "tree",
         "sub", "deep", "c.bin")), "get -R without LOCAL uses the name")
    r = tfs("get", "-R", "tree/a.txt", "a-copy.txt")
    t.ok(r.returncode == 0 and read(os.path.join(local, "a-copy.txt")) ==
         b"a", "get -R of a file copies that file (as cp -r)", err(r))
    r = tfs("put", "-R", os.path.join(tree, "z.txt"), "z-copy.txt")
    t.ok(r.returncode == 0 and os.path.exists(os.path.join(root,
         "z-copy.txt")), "put -R of a file copies that file", err(r))

    # a hostile server's names never leave the target folder
    def evil(pe):
        for typ, _ in pe.frames():
            if typ == tfslib.STAT_T:
                pe.send(fakesrv.entry(b"", kind="d"))
            elif typ == tfslib.LIST_T:
                pe.send(fakesrv.entry(b"../escaped", size=1) +
                        fakesrv.entry(b"..", kind="d") +
                        fakesrv.entry(b"/etc", kind="d") +
                        tfslib.frame(tfslib.END, tfslib.u64(3)))
            elif typ == tfslib.QUIT_T:
                pe.send(tfslib.frame(tfslib.OK))
                return
            else:
                pe.send(fakesrv.error(1))
    # ---- Ctrl-C while a server has stopped reading a PUT ---------------
    # The upload blocks waiting for room to write; SIGINT must end it at
    # once, not after the stall timeout.
    stuck = threading.Event()

    def deaf(pe):
        for f in pe.frames():
            if f[0] == tfslib.PUT_T:
                pe.send(tfslib.frame(tfslib.READY, tfslib.u64(0)))
                stuck.wait(30)
                return
            pe.send(fakesrv.error(1))
    with fakesrv.FakeServer(deaf) as fk:
        p = start(fk.port, "put", "up.bin")
        time.sleep(1.5 * tfslib.SLOW)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        try:
            rc = p.wait(10 * tfslib.SLOW)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
        secs = time.monotonic() - t0
        e = p.stderr.read().decode(errors="replace")
        stuck.set()
        t.ok(rc == 1 and secs < 5 * tfslib.SLOW and "interrupted" in e,
             "Ctrl-C ends a PUT the server stopped reading, at once "
             "(%.1f s, exit %s)" % (secs, rc), e)

    os.mkdir(os.path.join(work, "evil"))
    with fakesrv.FakeServer(evil) as fk:
        r = tfslib.tfs(fk.port, "get", "-R", "d", "dest",
                       cwd=os.path.join(work, "evil"))
        t.ok(not os.path.exists(os.path.join(work, "escaped")) and
             not os.path.exists(os.path.join(work, "evil", "escaped")),
             "get -R never writes a hostile name outside its folder")
finally:
    srv.stop()
    shutil.rmtree(work, ignore_errors=True)

sys.exit(t.done())
