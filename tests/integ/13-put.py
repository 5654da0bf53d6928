#!/usr/bin/env python3
"""
13-put.py -- uploads against a real tfsd: atomic replacement (a reader
sees the old or the new file, never a mix), resume, BUSY, NOCLOBBER,
limits, fsync, every way an upload can go wrong leaving the old version
intact, pipelining, and the idle and stall timeouts.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import (ERROR, OK, READY, ENTRY, END, DATA, FILE,  # noqa: E402
                    u8, u64, s, frame, parse_error,
                    GET, STAT, RESUME, NOCLOBBER)

t = tfslib.Tap()

server = tfslib.server

MiB = tfslib.MiB


def partials(dirpath):
    return sorted(n for n in os.listdir(dirpath)
                  if n.startswith(".tfs-") and n != ".tfs-sweep")


def put_retry_busy(port, path, size, flags):
    """A new connection's PUT, retried while the last holder lets go."""
    deadline = time.monotonic() + 10 * tfslib.SLOW
    while True:
        c = tfslib.Conn(port)
        r = c.put_start(path, size, flags)
        if r != "BUSY" or time.monotonic() > deadline:
            return c, r
        c.close()
        time.sleep(0.05)


def atomic(srv):
    R = srv.root
    v1, v2 = b"a" * (4 * MiB), b"b" * (4 * MiB)
    with tfslib.Conn(srv.port) as a, tfslib.Conn(srv.port) as b:
        t.eq(a.put("f", v1), "OK", "PUT v1")
        t.eq(a.put_start("f", len(v2)), 0, "PUT v2: READY 0")
        a.send_data(v2[:2 * MiB])
        time.sleep(0.2)
        t.ok(b.get("f") == v1, "GET while the upload runs: the old version")
        t.eq(b.stat("f")["size"], len(v1), "STAT while it runs: old size")
        t.eq([e["name"] for e in b.list("")], [b"f"], "LIST while it runs: "
             "no partial shown")
        a.send_data(v2[2 * MiB:])
        a.send(END, u64(len(v2)))
        t.eq(a.reply(), "OK", "PUT v2: OK once all arrived")
        t.ok(b.get("f") == v2, "then GET sees the new version")
        t.eq(partials(R), [], "no partial left after success")

        # a GET already running when the new version lands keeps the old
        big1, big2 = b"1" * (16 * MiB), b"2" * (16 * MiB)
        t.eq(a.put("g", big1), "OK", "PUT 16 MiB v1")
        b.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        b.req(GET("g"))
        tp, p = b.recv()
        t.eq(tp, FILE, "slow GET started")
        t.eq(a.put("g", big2), "OK", "PUT v2 completes during the GET")
        got = []
        while True:
            tp, p = b.recv()
            if tp != DATA:
                break
            got.append(p)
        got = b"".join(got)
        t.ok(tp == END and got == big1, "the running GET got v1 whole "
             "(%d bytes)" % len(got))

    # many readers and writers at once: each GET is one version whole
    va, vb = b"A" * (2 * MiB + 17), b"B" * (2 * MiB + 17)
    stop = threading.Event()
    bad, reads, writes = [], [0], [0]

    def writer():
        with tfslib.Conn(srv.port) as c:
            i = 0
            while not stop.is_set():
                r = c.put("mix", va if i % 2 else vb)
                if r != "OK":
                    bad.append("put " + r)
                writes[0] += 1
                i += 1

    with tfslib.Conn(srv.port) as c:
        c.put("mix", va)
    th = threading.Thread(target=writer)
    th.start()
    deadline = time.monotonic() + 3
    with tfslib.Conn(srv.port) as c:
        while time.monotonic() < deadline:
            r = c.get("mix")
            if r not in (va, vb):
                bad.append(r if isinstance(r, str) else "mixed")
            reads[0] += 1
    stop.set()
    th.join()
    t.ok(not bad and reads[0] > 0 and writes[0] > 1, "%d GETs during %d "
         "PUTs: never a mix" % (reads[0], writes[0]), bad[:5])


def broken_uploads(srv):
    """Each bad upload: PROTOCOL, closed, the old version intact."""
    R = srv.root
    old = b"old version"
    with tfslib.Conn(srv.port) as c:
        t.eq(c.put("k", old), "OK", "PUT the old version")
    cases = [
        ("more bytes than announced",
         lambda c: (c.send_data(b"x" * 11),)),
        ("more bytes than announced, then END",
         lambda c: (c.send_data(b"x" * 5), c.send_data(b"y" * 5),
                    c.send_data(b"z" * 5))),
        ("fewer bytes, then END", lambda c: (c.send_data(b"x" * 9),
                                             c.send(END, u64(9)))),
        ("END with a wrong count", lambda c: (c.send_data(b"x" * 10),
                                              c.send(END, u64(11)))),
        ("END with a short payload", lambda c: (c.send_data(b"x" * 10),
                                                c.send(END, b"\x00"))),
        ("empty DATA", lambda c: (c.send(DATA, b""),)),
        ("a request during the upload", lambda c: (c.req(STAT("k")),)),
        ("an unknown type during the upload",
         lambda c: (c.send(0x33, b"?"),)),
        ("a server type during the upload", lambda c: (c.send(OK, b""),)),
        ("a frame over 1 MiB during the upload",
         lambda c: (c.send_raw(u8(DATA) + tfslib.u32(tfslib.FRAME_MAX + 1)),
                    )),
    ]
    for desc, act in cases:
        with tfslib.Conn(srv.port) as c:
            off = c.put_start("k", 10)
            if off != 0:
                t.ok(False, desc, "PUT answered %r" % off)
                continue
            act(c)
            t.eq(c.reply_or_closed(), "PROTOCOL", desc + ": PROTOCOL")
            t.ok(c.closed(), desc + ": closed")
        with tfslib.Conn(srv.port) as c:
            t.eq(c.get("k"), old, desc + ": old version intact")
    with tfslib.Conn(srv.port) as c:
        t.eq([e["name"] for e in c.list("")], [b"k"], "no partial ever "
             "listed")

    # a client that just goes away
    with tfslib.Conn(srv.port) as c:
        t.eq(c.put_start("k", 3 * MiB), 0, "PUT, then disconnect")
        c.send_data(b"n" * MiB)
    time.sleep(0.3)
    with tfslib.Conn(srv.port) as c:
        t.eq(c.get("k"), old, "disconnect mid-upload: old version intact")
        t.eq([e["name"] for e in c.list("")], [b"k"], "nothing partial "
             "visible")
    t.eq(len(partials(R)), 1, "the partial is kept on disk for RESUME")


def resume(srv):
    R = srv.root
    data = os.urandom(5 * MiB + 3)
    with tfslib.Conn(srv.port) as c:
        t.eq(c.put_start("r.bin", len(data), RESUME), 0,
             "RESUME with nothing kept: READY 0")
        c.send_data(data[:2 * MiB])
    c, off = put_retry_busy(srv.port, "r.bin", len(data), RESUME)
    t.eq(off, 2 * MiB, "RESUME after a disconnect: READY at the bytes kept")
    c.send_data(data[off:])
    c.send(END, u64(len(data) - off))
    t.eq(c.reply(), "OK", "the rest sent: OK")
    t.ok(c.get("r.bin") == data, "the resumed file is whole and right")
    c.close()

    with tfslib.Conn(srv.port) as c:
        t.eq(c.put_start("r2", 1000), 0, "PUT of 1000")
        c.send_data(b"q" * 400)
    c, off = put_retry_busy(srv.port, "r2", 999, RESUME)
    t.eq(off, 0, "RESUME with another size: READY 0")
    c.close()
    c, off = put_retry_busy(srv.port, "r2", 1000, 0)
    t.eq(off, 0, "a PUT without RESUME starts over")
    c.send_data(b"q" * 600)
    c.close()
    c, off = put_retry_busy(srv.port, "r2", 1000, RESUME)
    t.eq(off, 600, "... and what it sent is what RESUME continues")
    c.send_data(b"q" * 400)
    c.send(END, u64(400))
    t.eq(c.reply(), "OK", "finished")
    c.close()

    # a long name gets a hashed partial, and resumes too
    long = "L" * 250
    with tfslib.Conn(srv.port) as c:
        t.eq(c.put_start(long, 100, RESUME), 0, "PUT of a 250-byte name")
        c.send_data(b"l" * 60)
    c, off = put_retry_busy(srv.port, long, 100, RESUME)
    t.eq(off, 60, "RESUME of a 250-byte name")
    c.send_data(b"l" * 40)
    c.send(END, u64(40))
    t.eq(c.reply(), "OK", "... finished")
    t.eq(c.get(long), b"l" * 100, "... and right")
    c.close()

    # RESUME of an upload kept whole but never finished: READY size
    with tfslib.Conn(srv.port) as c:
        t.eq(c.put_start("w", 5), 0, "PUT of 5")
        c.send_data(b"12345")
    c, off = put_retry_busy(srv.port, "w", 5, RESUME)
    t.eq(off, 5, "RESUME of a complete partial: READY 5")
    c.send(END, u64(0))
    t.eq(c.reply(), "OK", "END 0: OK")
    t.eq(c.get("w"), b"12345", "stored")
    c.close()
    t.eq(partials(R), [], "no partial left behind")


def kill_mid_upload():
    """SIGKILL the worker mid-PUT: old version intact, lock gone, resume."""
    with server(args=tfslib.ONE_WORKER) as srv:
        old, new = b"o" * 1000, os.urandom(3 * MiB)
        with tfslib.Conn(srv.port) as c:
            t.eq(c.put("v", old), "OK", "old version stored")
        c = tfslib.Conn(srv.port)
        t.eq(c.put_start("v", len(new)), 0, "PUT started")
        c.send_data(new[:MiB])
        time.sleep(0.5 * tfslib.SLOW)
        pids = srv.workers()
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        c.close()
        tfslib.wait_for(lambda: srv.workers() and
                        not set(srv.workers()) & set(pids), 10 * tfslib.SLOW)
        with tfslib.Conn(srv.port) as c:
            t.eq(c.get("v"), old, "worker killed mid-PUT: old version "
                 "intact")
            t.eq([e["name"] for e in c.list("")], [b"v"], "nothing partial "
                 "visible")
            off = c.put_start("v", len(new), RESUME)
            t.eq(off, MiB, "the lock died with the worker: RESUME READY at "
                 "the bytes written")
            if isinstance(off, int):
                c.send_data(new[off:])
                c.send(END, u64(len(new) - off))
                t.eq(c.reply(), "OK", "resumed upload finished")
                t.ok(c.get("v") == new, "new version whole")


def busy_noclobber(srv):
    R = srv.root
    with tfslib.Conn(srv.port) as a, tfslib.Conn(srv.port) as b:
        t.eq(a.put_start("x", 10), 0, "PUT x")
        t.eq(b.put_start("x", 99), "BUSY", "PUT x of another size: BUSY")
        t.eq(b.put_start("x", 10, RESUME), "BUSY", "PUT x RESUME: BUSY")
        a.send_data(b"0123456789")
        a.send(END, u64(10))
        t.eq(a.reply(), "OK", "first upload unharmed")

        t.eq(a.put_start("nc", 4, NOCLOBBER), 0, "PUT NOCLOBBER of a new "
             "name: READY")
        t.eq(b.put_start("nc", 4, NOCLOBBER), "BUSY", "a second one: BUSY")
        tfslib.write_file(os.path.join(R, "nc"), b"came first")
        a.send_data(b"late")
        a.send(END, u64(4))
        t.eq(a.reply(), "EXISTS", "target created during the upload: "
             "EXISTS at the end")
        t.eq(open(os.path.join(R, "nc"), "rb").read(), b"came first",
             "... and the file that came first is untouched")
        t.eq(partials(R), [], "... and the partial removed")
        t.eq(a.put("nc", b"x", flags=NOCLOBBER), "EXISTS", "NOCLOBBER onto "
             "a file: EXISTS before READY")
        t.eq(a.put("nc", b"over"), "OK", "without NOCLOBBER it replaces")


def limits():
    with server(args=["--max-file-size", "100"]) as srv:
        with tfslib.Conn(srv.port) as c:
            t.eq(c.put_start("a", 101, RESUME), "TOO_LARGE",
                 "max-file-size: TOO_LARGE before READY")
            t.eq(c.put("a", b"y" * 100), "OK", "at the limit: OK")
    with server(args=["--read-only"]) as srv:
        with tfslib.Conn(srv.port) as c:
            t.eq(c.put_start("a", 1, RESUME), "DENIED", "read-only: DENIED")
            t.eq(c.list(""), [], "read-only: nothing created")


def fsync_count(args):
    """fsync calls made by the worker during one PUT (None: no strace)."""
    if shutil.which("strace") is None:
        return None
    with server(args=tfslib.ONE_WORKER + args) as srv:
        pid = srv.workers()[0]
        log = os.path.join(srv.tmp, "strace.log")
        st = subprocess.Popen(["strace", "-f", "-p", str(pid), "-o", log,
                               "-e", "trace=fsync,fdatasync"],
                              stderr=subprocess.PIPE)
        time.sleep(0.5 * tfslib.SLOW)   # attached
        if st.poll() is not None:
            return None
        with tfslib.Conn(srv.port) as c:
            r = c.put("f", b"data" * 1000)
        time.sleep(0.2)
        os.kill(st.pid, signal.SIGINT)
        st.wait(10)
        if r != "OK" or not os.path.exists(log):
            return None
        return sum(1 for ln in open(log) if "fsync(" in ln or
                   "fdatasync(" in ln)


def fsync():
    n = fsync_count([])
    if n is None:
        t.skip("fsync before OK", "strace cannot attach")
        t.skip("--no-fsync", "strace cannot attach")
        return
    t.ok(n >= 2, "fsync of the file and its folder before OK (%d)" % n)
    t.eq(fsync_count(["--no-fsync"]), 0, "--no-fsync: no fsync")


def pipelining(srv):
    tfslib.write_file(os.path.join(srv.root, "p"), b"pipe")
    with tfslib.Conn(srv.port) as c:
        c.send_raw(frame(2, s("p")) + frame(3, s("p") + u64(1)) +
                   frame(1, s("")) + frame(2, s("zz")) +
                   frame(8, s("p")) + frame(4, s("q") + u64(3) + u8(0)))
        seq = []
        while True:
            tp, p = c.recv()
            seq.append(parse_error(p)[0] if tp == ERROR else tp)
            if tp == READY:
                break
        t.eq(seq, [ENTRY, FILE, DATA, END, ENTRY, END, "NOT_FOUND",
                   tfslib.DIGEST, READY], "pipelined requests answered in "
             "order, PUT last")
        # DATA, END and the next requests in one write
        c.send_raw(frame(DATA, b"abc") + frame(END, u64(3)) +
                   frame(3, s("q") + u64(0)) + frame(9))
        seq = []
        while True:
            try:
                tp, p = c.recv()
            except tfslib.ServerClosed:
                break
            seq.append(p if tp == DATA else tp)
        t.eq(seq, [OK, FILE, b"abc", END, OK], "upload then GET and QUIT "
             "in one write")


def timeouts():
    with server(args=["--idle-timeout", "2", "--stall-timeout",
                             "1"]) as srv:
        with tfslib.Conn(srv.port) as c:
            ok = True
            for _ in range(6):
                time.sleep(0.5)
                ok = ok and isinstance(c.stat(""), dict)
            t.ok(ok, "a connection in use is not idle (3 s, idle 2 s)")
        with tfslib.Conn(srv.port, timeout=15 * tfslib.SLOW) as c:
            t0 = time.monotonic()
            r = c.expect_error()
            dt = time.monotonic() - t0
            t.eq(r, "TIMEOUT", "idle: ERROR TIMEOUT")
            t.ok(1.5 < dt < 6 * tfslib.SLOW, "after the idle timeout "
                 "(%.1f s)" % dt)
            t.ok(c.closed(), "idle: closed")
        # stalls
        for desc, raw in (("half a header", b"\x02\x00\x00"),
                          ("half a payload", frame(2, s("abcdef"))[:8])):
            with tfslib.Conn(srv.port, timeout=15 * tfslib.SLOW) as c:
                c.send_raw(raw)
                t0 = time.monotonic()
                r = c.expect_error()
                dt = time.monotonic() - t0
                t.eq(r, "TIMEOUT", "frame stalled (%s): TIMEOUT" % desc)
                t.ok(dt < 1.9 or tfslib.VALGRIND, "after the stall "
                     "timeout, not the idle one (%.1f s)" % dt)
                t.ok(c.closed(), "stalled frame: closed")
        with tfslib.Conn(srv.port, timeout=15 * tfslib.SLOW) as c:
            t.eq(c.put_start("s", 100), 0, "PUT, then silence")
            c.send_data(b"s" * 30)
            c.send_raw(u8(DATA) + tfslib.u32(50) + b"s" * 10)
            t0 = time.monotonic()
            r = c.reply()
            dt = time.monotonic() - t0
            t.eq(r, "TIMEOUT", "stalled upload: TIMEOUT")
            t.ok(dt < 1.9 or tfslib.VALGRIND, "after the stall timeout "
                 "(%.1f s)" % dt)
            t.ok(c.closed(), "stalled upload: closed")
        c, off = put_retry_busy(srv.port, "s", 100, RESUME)
        t.eq(off, 40, "the stalled upload resumes after every byte that "
             "arrived, the cut frame's 10 included")
        c.close()


def graceful(srv):
    """A worker told to stop mid-upload finishes it, then SHUTTING_DOWN."""
    data = os.urandom(2 * MiB)
    with tfslib.Conn(srv.port) as c:
        t.eq(c.put_start("g", len(data)), 0, "PUT started")
        c.send_data(data[:MiB])
        time.sleep(0.2)
        for pid in srv.workers():
            os.kill(pid, signal.SIGHUP)
        time.sleep(0.2)
        c.send_data(data[MiB:])
        c.send(END, u64(len(data)))
        t.eq(c.reply(), "OK", "the upload in progress finishes")
        t.eq(c.expect_error(), "SHUTTING_DOWN", "then ERROR SHUTTING_DOWN")
        t.ok(c.closed(), "then closed")
    with tfslib.Conn(srv.port) as c:
        t.ok(c.get("g") == data, "the upload is stored, new workers serve")


def expiry():
    with server(args=["--partial-max-age", "1"]) as srv:
        R = srv.root
        os.mkdir(os.path.join(R, "d"))
        with tfslib.Conn(srv.port) as c:
            t.eq(c.put_start("d/e", 100), 0, "PUT, then disconnect")
            c.send_data(b"e" * 10)
        time.sleep(0.3)
        t.eq(len(partials(os.path.join(R, "d"))), 1, "the partial is kept")
        c, off = put_retry_busy(srv.port, "d/e", 100, RESUME)
        t.eq(off, 10, "young partial: RESUME continues")
        c.close()
        time.sleep(2.5)
        with tfslib.Conn(srv.port) as c:
            t.eq(c.list("d"), [], "LIST of the folder")
        t.eq(partials(os.path.join(R, "d")), [], "an old partial is removed "
             "when its folder is listed")
        c, off = put_retry_busy(srv.port, "d/e", 100, RESUME)
        t.eq(off, 0, "then RESUME starts at 0")
        c.close()
        # an upload in progress is never expired, however old its bytes
        with tfslib.Conn(srv.port) as a, tfslib.Conn(srv.port) as b:
            t.eq(a.put_start("d/h", 10), 0, "PUT in progress")
            a.send_data(b"h" * 5)
            time.sleep(2.5)
            b.list("d")
            t.eq(len(partials(os.path.join(R, "d"))), 2 - 1,
                 "... kept while its upload holds it")
            a.send_data(b"h" * 5)
            a.send(END, u64(10))
            t.eq(a.reply(), "OK", "... and it finishes")


for name, fn in (("atomic", atomic), ("broken uploads", broken_uploads),
                 ("resume", resume), ("busy and noclobber", busy_noclobber),
                 ("pipelining", pipelining), ("graceful", graceful)):
    with server() as srv:
        t.run(name, fn, srv)
for name, fn in (("kill mid-upload", kill_mid_upload), ("limits", limits),
                 ("fsync", fsync), ("timeouts", timeouts),
                 ("expiry", expiry)):
    t.run(name, fn)
tfslib.check_logs(t)
sys.exit(t.done())
