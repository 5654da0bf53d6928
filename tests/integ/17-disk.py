#!/usr/bin/env python3
"""
17-disk.py -- room for uploads, answered NO_SPACE before READY: a file
larger than the free space of the root's file system (a small tmpfs,
when this runs as root and may mount one), more than --max-partial
(bytes, or 10 % of the file system by default) held by unfinished
uploads in progress and kept for RESUME (counted again at start), the
room of a worker killed mid-upload given back, a refused RESUME keeping
its partial; sizes near 2^63 refused cleanly; the connection usable
after each refusal.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import DATA, PUT, READY, RESUME, SLOW, Tap  # noqa: E402

t = Tap()
K = 1024


def partials(root):
    out = []
    for d, _, files in os.walk(root):
        out += [os.path.join(d, f) for f in files if f.startswith(".tfs-p")]
    return out


def start_put(c, path, size, flags=0):
    """PUT up to READY: its offset, or the error name."""
    c.req(PUT(path, size, flags))
    ty, p = c.recv()
    if ty == READY:
        return tfslib.parse_u64(p)
    return tfslib.parse_error(p)[0] if ty == tfslib.ERROR else hex(ty)


def leave_partial(srv, path, size, sent):
    """
    An upload of size bytes that stops after sent bytes (a QUIT in the
    middle: PROTOCOL), once the server has logged its end.
    """
    with tfslib.Conn(srv.port) as c:
        if start_put(c, path, size) != 0:
            return False
        c.send(DATA, b"k" * sent)
        c.send(tfslib.QUIT_T)
        try:
            c.recv()
        except (OSError, tfslib.ServerClosed):
            pass
    return wait_log(srv, 'PUT "%s" - PROTOCOL' % path, 10 * SLOW)


def wait_log(srv, text, secs):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        if any(text in ln for ln in srv.log):
            return True
        time.sleep(0.05)
    return False


def test_tmpfs():
    if os.geteuid() != 0:
        t.skip("a file larger than the free space", "not root: no tmpfs")
        return
    tmp = tempfile.mkdtemp(prefix="tfs-disk-")
    mnt = os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tfs-test",
                        mnt], capture_output=True, timeout=30)
    if r.returncode != 0:
        t.skip("a file larger than the free space",
               "cannot mount a tmpfs: %s" % r.stderr.decode().strip())
        os.rmdir(mnt)
        os.rmdir(tmp)
        return
    try:
        srv = tfslib.Server(root=mnt, args=["--max-partial", "0"])
        try:
            with tfslib.Conn(srv.port) as c:
                c.req(PUT("huge", 16 * K * K))
                ty, p = c.recv()
                name, msg = tfslib.parse_error(p) if ty == tfslib.ERROR \
                    else (hex(ty), b"")
                t.eq(name, "NO_SPACE", "16 MiB onto an 8 MiB tmpfs: "
                     "NO_SPACE before READY")
                t.ok(b"free" in msg, "the message says what is free", msg)
                t.eq(partials(mnt), [], "no partial is left behind")
                t.eq(c.put("fits", b"f" * (2 * K * K)), "OK",
                     "2 MiB fits, on the same connection")
        finally:
            srv.stop()
        srv = tfslib.Server(root=mnt)
        try:
            with tfslib.Conn(srv.port) as c:
                t.eq(c.put("big", b"b" * (K * K)), "NO_SPACE",
                     "by default unfinished uploads may hold 10 % of the "
                     "file system: a 1 MiB PUT on 8 MiB is refused")
                t.eq(c.put("small", b"s" * (500 * K)), "OK",
                     "500 KiB is within it")
        finally:
            srv.stop()
    finally:
        subprocess.run(["umount", mnt], timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def test_max_partial():
    srv = tfslib.server(args=["--max-partial", "100K"])
    port, root = srv.port, srv.root
    t.ok(leave_partial(srv, "kept.bin", 60 * K, 30 * K),
         "an upload of 60 KiB left after 30 KiB")
    with tfslib.Conn(port) as c:
        t.eq(c.put("other.bin", b"o" * (80 * K)), "NO_SPACE",
             "80 KiB more than the 30 KiB kept would pass 100 KiB")
        t.eq(c.list("")[0:0], [], "the connection stays usable")
        t.eq(start_put(c, "kept.bin", 60 * K, RESUME), 30 * K,
             "the kept upload resumes (its bytes no longer count as kept)")
        c.send(DATA, b"k" * (30 * K))
        c.send(tfslib.END, tfslib.u64(30 * K))
        t.eq(c.recv()[0], tfslib.OK, "and completes")
        t.eq(c.put("other.bin", b"o" * (80 * K)), "OK",
             "then 80 KiB fits")
    with tfslib.Conn(port) as a, tfslib.Conn(port) as b:
        t.eq(start_put(a, "a.bin", 60 * K), 0, "an upload of 60 KiB runs")
        t.eq(b.put("b.bin", b"b" * (60 * K)), "NO_SPACE",
             "a second of 60 KiB meanwhile: NO_SPACE (in progress counts)")
        a.send(DATA, b"a" * (60 * K))
        a.send(tfslib.END, tfslib.u64(60 * K))
        t.eq(a.recv()[0], tfslib.OK, "the first completes")
        t.eq(b.put("b.bin", b"b" * (60 * K)), "OK", "then the second fits")


def test_killed_worker():
    srv = tfslib.server(args=["--max-partial", "100K"] + tfslib.ONE_WORKER)
    with tfslib.Conn(srv.port) as a:
        t.eq(start_put(a, "x.bin", 90 * K), 0, "one worker: 90 KiB begins")
        a.send(DATA, b"x" * 1000)
        time.sleep(0.2)
        for pid in srv.workers():
            os.kill(pid, signal.SIGKILL)
    ok = False
    deadline = time.monotonic() + 10 * SLOW
    while not ok and time.monotonic() < deadline:
        try:
            with tfslib.Conn(srv.port) as b:
                ok = b.put("y.bin", b"y" * (90 * K)) == "OK"
        except (OSError, tfslib.ServerClosed):
            time.sleep(0.1)
    t.ok(ok, "the worker killed mid-upload gave its room back")


def test_counted_at_start():
    tmp = tempfile.mkdtemp(prefix="tfs-disk-")
    root = os.path.join(tmp, "root")
    os.mkdir(root)
    srv = tfslib.Server(root=root, args=["--max-partial", "100K"])
    t.ok(leave_partial(srv, "old.bin", 100 * K, 90 * K),
         "an upload left after 90 KiB")
    srv.stop(keep_root=True)
    srv = tfslib.server(root=root, args=["--max-partial", "100K"])
    time.sleep(0.5)
    with tfslib.Conn(srv.port) as c:
        t.eq(c.put("new.bin", b"n" * (20 * K)), "NO_SPACE",
             "a restarted server counts the kept partials (90 KiB + 20)")
    srv.stop(keep_root=True)
    srv = tfslib.server(root=root, args=["--max-partial", "50K"])
    with tfslib.Conn(srv.port) as c:
        t.eq(start_put(c, "old.bin", 100 * K, RESUME), "NO_SPACE",
             "a RESUME the limit refuses: NO_SPACE")
    t.eq(len(partials(root)), 1, "and its partial is kept")
    srv.stop(keep_root=True)
    srv = tfslib.server(root=root, args=["--max-partial", "0"])
    with tfslib.Conn(srv.port) as c:
        t.eq(start_put(c, "old.bin", 100 * K, RESUME), 90 * K,
             "without the limit it resumes from 90 KiB")
    shutil.rmtree(tmp, ignore_errors=True)


def test_huge_sizes():
    srv = tfslib.server(args=["--max-partial", "0"])
    with tfslib.Conn(srv.port) as c:
        t.eq(start_put(c, "h", 2 ** 63 - 1), "NO_SPACE",
             "2^63-1 bytes: NO_SPACE (no disk is that big)")
        t.eq(start_put(c, "h", 2 ** 63), "TOO_LARGE", "2^63 bytes: TOO_LARGE")
        t.eq(start_put(c, "h", 2 ** 64 - 1), "TOO_LARGE",
             "2^64-1 bytes: TOO_LARGE")
        t.eq(start_put(c, "h", 2 ** 63 - 1, RESUME), "NO_SPACE",
             "2^63-1 with RESUME: NO_SPACE")
        t.eq(c.put("h", b"fine"), "OK", "the connection stays usable")
    t.eq(partials(srv.root), [], "no partial left by the refusals")
    srv = tfslib.server(args=["--max-partial", "10%"])
    with tfslib.Conn(srv.port) as c:
        t.eq(start_put(c, "h", 2 ** 63 - 1), "NO_SPACE",
             "2^63-1 bytes against 10 %: NO_SPACE")


sys.exit(t.run_all(test_tmpfs, test_max_partial, test_killed_worker,
                   test_counted_at_start, test_huge_sizes, logs=True))
