#!/usr/bin/env python3
"""
34-slowloris.py -- a connection must earn its worker: the first request
must arrive whole within --first-request-timeout (or the idle timeout
if shorter); a frame or a transfer under way must move --min-rate bytes
a second over the stall window, bytes counting and not frames (a steady
slow upload passes, a trickle is cut, and so is a GET to a reader that
takes a trickle); when every worker is busy and connections wait, the
pool forks at once, and at --max-workers the connections idle longest
(between requests, or without a whole first request) are closed with
ERROR TIMEOUT, never one in a request; and 300 idle or trickling sockets
from one address do not keep a new client from being served
(scripts/slowloris).  Prints the times measured.
"""

import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import DATA, END, LIST, PUT, QUIT, READY, SLOW, Tap  # noqa
from tfslib import frame, u64  # noqa: E402

t = Tap()


def timed_error(c, limit):
    """(error name or None, seconds) of the next frame, waiting limit s."""
    t0 = time.monotonic()
    c.sock.settimeout(limit)
    try:
        name = c.expect_error()
    except (OSError, tfslib.ServerClosed):
        name = None
    return name, time.monotonic() - t0


def trickle(c, data, every, stop):
    """Send data one byte every `every` s until done or stop is set."""
    for i in range(len(data)):
        if stop.is_set():
            return
        try:
            c.send_raw(data[i:i + 1])
        except OSError:
            return
        time.sleep(every)


def trickled_error(c, data, every, limit):
    """timed_error() while data trickles in one byte every `every` s."""
    stop = threading.Event()
    th = threading.Thread(target=trickle, args=(c, data, every, stop))
    th.start()
    try:
        return timed_error(c, limit)
    finally:
        stop.set()
        th.join()


def timed_list(port):
    """A new client's first LIST: (whether it was answered, seconds)."""
    t0 = time.monotonic()
    with tfslib.Conn(port) as c:
        ok = isinstance(c.list(""), list)
        return ok, time.monotonic() - t0


def test_first_request():
    srv = tfslib.server(args=["--first-request-timeout", "1"])
    with tfslib.Conn(srv.port) as c:
        name, secs = timed_error(c, 10 * SLOW)
        t.eq(name, "TIMEOUT", "no first request: ERROR TIMEOUT")
        t.ok(0.8 <= secs < 4 * SLOW, "after about 1 s (%.1f s)" % secs)
        t.ok(c.closed(), "and the connection is closed")
    with tfslib.Conn(srv.port) as c:
        name, secs = trickled_error(
            c, frame(*LIST("a/rather/long/path/name")), 0.2, 10 * SLOW)
        t.eq(name, "TIMEOUT", "a first request trickling in: ERROR TIMEOUT")
        t.ok(secs < 4 * SLOW, "within the first-request timeout (%.1f s)"
             % secs)
    with tfslib.Conn(srv.port) as c:
        t.ok(isinstance(c.list(""), list), "a prompt first request")
        time.sleep(1.5)
        t.ok(isinstance(c.list(""), list),
             "after it, the idle timeout applies, not the first-request one")
    srv = tfslib.server(args=["--first-request-timeout", "5",
                              "--idle-timeout", "1"])
    with tfslib.Conn(srv.port) as c:
        name, secs = timed_error(c, 10 * SLOW)
        t.ok(name == "TIMEOUT" and secs < 3 * SLOW,
             "a shorter idle timeout bounds the first request (%.1f s)"
             % secs)
    time.sleep(0.2)
    t.ok(any("no first request" in ln for ln in srv.log),
         "the close is logged")


def test_min_rate_request():
    srv = tfslib.server(args=["--stall-timeout", "2", "--min-rate", "1024"])
    with tfslib.Conn(srv.port) as c:
        t.ok(isinstance(c.list(""), list), "a first request")
        name, secs = trickled_error(c, frame(*LIST("x" * 200)), 0.4,
                                    15 * SLOW)
        t.eq(name, "TIMEOUT", "a request trickled at 2 bytes/s is cut, "
             "though never silent for the 2 s stall")
        t.ok(secs < 6 * SLOW, "within a window or two (%.1f s)" % secs)


def test_min_rate_upload():
    srv = tfslib.server(args=["--stall-timeout", "2", "--min-rate", "1024"])
    size = 48 * 1024
    data = os.urandom(size)
    with tfslib.Conn(srv.port, timeout=30 * SLOW) as c:
        c.req(PUT("steady.bin", size))
        ty, _ = c.recv()
        t0 = time.monotonic()
        c.send_raw(frame(DATA, b"")[:1] + size.to_bytes(4, "big"))
        for i in range(0, size, 4096):
            c.send_raw(data[i:i + 4096])
            time.sleep(0.25)
        c.send(END, u64(size))
        ty2, p = c.recv()
        spent = time.monotonic() - t0
        t.ok(ty == READY and ty2 == tfslib.OK,
             "one DATA frame at 16 KB/s over %.1f s (past two windows) "
             "is stored" % spent)
    t.eq(tfslib.read_file(os.path.join(srv.root, "steady.bin")), data,
         "every byte of it")
    with tfslib.Conn(srv.port, timeout=30 * SLOW) as c:
        c.req(PUT("trickle.bin", 1000))
        ty, _ = c.recv()
        body = b"".join(frame(DATA, b"z" * 10) for _ in range(100))
        name, secs = trickled_error(c, body, 0.02, 20 * SLOW)
        t.eq(name, "TIMEOUT", "an upload of tiny frames at 50 bytes/s "
             "is cut")
        t.ok(secs < 8 * SLOW, "within a window or two (%.1f s)" % secs)
    t.ok(not os.path.exists(os.path.join(srv.root, "trickle.bin")),
         "and nothing of it is visible")


def test_min_rate_get():
    srv = tfslib.server(args=["--stall-timeout", "1",
                              "--min-rate", "4194304"])
    with open(os.path.join(srv.root, "big"), "wb") as f:
        f.write(os.urandom(1024 * 1024) * 48)
    with tfslib.Conn(srv.port, timeout=30 * SLOW) as c:
        c.req(tfslib.GET("big"))
        t0 = time.monotonic()
        cut = []
        # the kernel's buffers keep the reader busy after the cut: the
        # log says when the server gave up
        while not cut and time.monotonic() - t0 < 15 * SLOW:
            try:
                if not c.sock.recv(4096):
                    break
            except OSError:
                break
            time.sleep(0.01)
            cut = [ln for ln in srv.log if ' GET "big" ' in ln and
                   " TIMEOUT" in ln]
        secs = time.monotonic() - t0
        t.ok(cut, "a GET read at 400 KB/s under --min-rate 4 MiB/s is cut "
             "(after %.1f s)" % secs, "".join(srv.log[-5:]))


def test_grow_at_once():
    srv = tfslib.server(args=["-w", "1", "--min-spare", "0", "-m", "2"])
    with tfslib.Conn(srv.port) as first:
        t.ok(isinstance(first.list(""), list), "-w 1 --min-spare 0 -m 2: "
             "the first client is served")
        ok, secs = timed_list(srv.port)
        t.ok(ok and secs < 1 * SLOW, "a second client is served at once "
             "while the first stays connected (%.0f ms)" % (secs * 1000))
        t.note("second client served in %.0f ms" % (secs * 1000))
        t.ok(isinstance(first.list(""), list), "the first still is")


def test_yield():
    srv = tfslib.server(args=["-w", "1", "--min-spare", "0",
                              "--max-spare", "1", "-m", "1"])
    with tfslib.Conn(srv.port) as idle:
        t.ok(isinstance(idle.list(""), list), "-m 1: a client, then idle")
        time.sleep(0.3)
        ok, secs = timed_list(srv.port)
        t.ok(ok and secs < 2 * SLOW, "at the cap a waiting client is "
             "served (%.0f ms)" % (secs * 1000))
        name, _ = timed_error(idle, 5 * SLOW)
        t.eq(name, "TIMEOUT", "by closing the idle one: ERROR TIMEOUT")
    # one in a request is never closed for another
    size = 64 * 1024
    with tfslib.Conn(srv.port, timeout=30 * SLOW) as up:
        up.req(PUT("slow.bin", size))
        ty, _ = up.recv()
        up.send_raw(frame(DATA, b"")[:1] + size.to_bytes(4, "big"))
        waiting = socket.create_connection(("127.0.0.1", srv.port))
        waiting.settimeout(0.2)
        early = None
        for i in range(0, size, 8192):
            up.send_raw(b"u" * 8192)
            time.sleep(0.15)
            try:
                early = early or waiting.recv(5)
            except OSError:
                pass
        up.send(END, u64(size))
        t.ok(ty == READY and up.recv()[0] == tfslib.OK and not early,
             "an upload in progress is not closed for a waiting client")
        t.eq(up.simple(QUIT()), "OK", "the uploader quits")
    waiting.settimeout(10 * SLOW)
    try:
        hello = waiting.recv(5)
    except OSError:
        hello = b""
    t.ok(hello[:1] == bytes([tfslib.HELLO]), "then the waiting client is "
         "served")
    waiting.close()


def test_slowloris():
    script = os.path.join(tfslib.TOP, "scripts", "slowloris")
    for mode in ("idle", "trickle"):
        r = subprocess.run([script, "--sockets", "300", "--mode", mode,
                            "--clients", "2", "--hold", "1.5",
                            "--timeout", "10", "--tfsd", tfslib.TFSD,
                            "--args", "-w", "2", "-m", "16",
                            "--max-per-ip", "0"],
                           capture_output=True, timeout=120)
        out = r.stdout.decode(errors="replace")
        for ln in out.splitlines():
            t.note(ln)
        t.ok(r.returncode == 0, "300 %s sockets from one address, -m 16: "
             "new clients served within 10 s" % mode, out + r.stderr.decode(
                 errors="replace"))


sys.exit(t.run_all(test_first_request, test_min_rate_request,
                   test_min_rate_upload, test_min_rate_get, test_grow_at_once,
                   test_yield, test_slowloris, logs=True))
