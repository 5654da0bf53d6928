#!/usr/bin/env python3
"""
32-signals.py -- the master's signals: TERM/INT stop now (exit 0, no
worker left), QUIT lets a running 100 MiB GET finish while new
connections are refused, HUP replaces every worker without cutting a
running transfer, an idle connection gets ERROR SHUTTING_DOWN on QUIT
and HUP, --graceful-timeout cuts what still runs, USR1 reopens the log
file, and a worker SIGKILLed in the middle of a PUT leaves the old
version intact and nothing partial visible.  Prints how long stops took.
"""

import hashlib
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import SLOW, Tap, wait_for  # noqa: E402

t = Tap()
BIG = 100 * 1024 * 1024
CHUNK = os.urandom(1024 * 1024)
BIG_SHA = hashlib.sha256(CHUNK * (BIG // len(CHUNK))).hexdigest()


def make_big(root):
    with open(os.path.join(root, "big"), "wb") as f:
        for _ in range(BIG // len(CHUNK)):
            f.write(CHUNK)


class Download:
    """A GET of "big" read a little at first, then to its end."""

    def __init__(self, port):
        self.c = tfslib.Conn(port, timeout=30 * SLOW)
        self.c.req(tfslib.GET("big"))
        ty, p = self.c.recv()
        if ty != tfslib.FILE:
            raise ValueError("GET big answered 0x%02x" % ty)
        self.h = hashlib.sha256()
        self.got = 0
        for _ in range(2):          # under way; the rest waits in the worker
            self.step()

    def step(self):
        ty, p = self.c.recv()
        if ty == tfslib.DATA:
            self.h.update(p)
            self.got += len(p)
            return None
        if ty == tfslib.END:
            return tfslib.parse_u64(p)
        raise ValueError("frame 0x%02x during GET" % ty)

    def finish(self):
        """True when every byte arrived, END matched and the hash is right."""
        try:
            while True:
                n = self.step()
                if n is not None:
                    return n == BIG and self.got == BIG and \
                        self.h.hexdigest() == BIG_SHA
        except (OSError, tfslib.ServerClosed, ValueError):
            return False
        finally:
            self.c.close()


def refused(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def idle_gets_shutting_down(c, what):
    try:
        name = c.expect_error()
    except (OSError, tfslib.ServerClosed) as e:
        name = repr(e)
    t.eq(name, "SHUTTING_DOWN", "%s: an idle connection gets ERROR "
         "SHUTTING_DOWN" % what)
    t.ok(c.closed(), "%s: then the connection is closed" % what)
    c.close()


def test_term():
    for sig in (signal.SIGTERM, signal.SIGINT):
        srv = tfslib.Server(args=["-w", "3"])
        name = signal.Signals(sig).name
        try:
            make_big(srv.root)
            kids = srv.workers()
            d = Download(srv.port)
            t0 = time.monotonic()
            srv.signal(sig)
            rc = srv.wait()
            ms = (time.monotonic() - t0) * 1000
            t.eq(rc, 0, "%s stops the server with exit 0" % name)
            t.note("%s stop with a transfer running took %.0f ms" %
                   (name, ms))
            t.ok(all(tfslib.proc_state(k) is None for k in kids),
                 "%s: no worker left behind" % name,
                 [(k, tfslib.proc_state(k)) for k in kids])
            t.ok(not d.finish(), "%s cuts the running transfer" % name)
        finally:
            srv.stop()
    with tfslib.Server(args=["-w", "4"]) as srv:
        t0 = time.monotonic()
        srv.signal(signal.SIGTERM)
        rc = srv.wait()
        t.note("TERM stop of an idle server took %.0f ms" %
               ((time.monotonic() - t0) * 1000))
        t.eq(rc, 0, "TERM stops an idle server with exit 0")


def test_quit():
    with tfslib.Server(args=["-w", "3", "--min-spare", "1",
                             "--max-spare", "3"]) as srv:
        make_big(srv.root)
        kids = srv.workers()
        d = Download(srv.port)
        idle = tfslib.Conn(srv.port)
        t0 = time.monotonic()
        srv.signal(signal.SIGQUIT)
        idle_gets_shutting_down(idle, "QUIT")
        ok = wait_for(lambda: refused(srv.port), 3 * SLOW)
        t.ok(ok, "QUIT: new connections are refused at once")
        t.note("QUIT: connections refused after %.0f ms" %
               ((time.monotonic() - t0) * 1000))
        t.ok(srv.proc.poll() is None, "QUIT: the master waits for the "
             "running transfer")
        t.ok(d.finish(), "QUIT: the running 100 MiB GET finishes intact")
        t1 = time.monotonic()
        rc = srv.wait()
        t.eq(rc, 0, "QUIT: the server then exits 0")
        t.note("QUIT: exit %.0f ms after the last transfer ended, "
               "%.0f ms after the signal" %
               ((time.monotonic() - t1) * 1000,
                (time.monotonic() - t0) * 1000))
        t.ok(all(tfslib.proc_state(k) is None for k in kids),
             "QUIT: no worker left behind")


def test_quit_idle():
    with tfslib.Server(args=["-w", "4"]) as srv:
        t0 = time.monotonic()
        srv.signal(signal.SIGQUIT)
        rc = srv.wait()
        t.eq(rc, 0, "QUIT stops an idle server with exit 0")
        t.note("QUIT stop of an idle server took %.0f ms" %
               ((time.monotonic() - t0) * 1000))


def test_graceful_timeout():
    with tfslib.Server(args=["-w", "2", "--graceful-timeout", "1"]) as srv:
        make_big(srv.root)
        d = Download(srv.port)      # and then never read again
        t0 = time.monotonic()
        srv.signal(signal.SIGQUIT)
        rc = srv.wait(15 * SLOW)
        ms = (time.monotonic() - t0) * 1000
        t.eq(rc, 0, "--graceful-timeout 1: QUIT exits 0 with a stuck "
             "transfer")
        t.ok(ms < 6000 * SLOW, "--graceful-timeout 1: stopped in %.0f ms"
             % ms)
        t.note("QUIT with --graceful-timeout 1 and a stuck client took "
               "%.0f ms" % ms)
        t.ok(not d.finish(), "--graceful-timeout: the stuck transfer is "
             "cut")


def test_hup():
    srv = tfslib.Server(args=["-w", "3", "--min-spare", "1",
                              "--max-spare", "4"])
    try:
        make_big(srv.root)
        old = set(srv.workers())
        d = Download(srv.port)
        idle = tfslib.Conn(srv.port)
        t0 = time.monotonic()
        srv.signal(signal.SIGHUP)
        try:
            with tfslib.Conn(srv.port, timeout=5 * SLOW) as c:
                t.eq(c.simple(tfslib.QUIT()), "OK",
                     "HUP: a new connection is served at once")
        except (OSError, tfslib.ServerClosed) as e:
            t.ok(False, "HUP: a new connection is served at once", e)
        t.note("HUP: new connection served %.0f ms after the signal" %
               ((time.monotonic() - t0) * 1000))
        idle_gets_shutting_down(idle, "HUP")
        t.ok(d.finish(), "HUP: the running 100 MiB GET is not cut")
        ok = wait_for(lambda: not (set(srv.live_workers()) & old), 5 * SLOW)
        new = set(srv.live_workers())
        t.ok(ok and new, "HUP: every worker replaced (new pids)",
             "old %s new %s" % (sorted(old), sorted(new)))
        t.ok(srv.proc.poll() is None, "HUP: the server keeps running")
        with tfslib.Conn(srv.port) as c:
            t.eq(c.simple(tfslib.QUIT()), "OK", "HUP: and serves after")
    finally:
        t.eq(srv.stop(), 0, "stop after HUP exits 0")


def test_hup_fresh():
    """A connection accepted as HUP came is served its first request."""
    with tfslib.Server(args=["-w", "2", "--min-spare", "1",
                             "--max-spare", "2"]) as srv:
        tfslib.write_file(os.path.join(srv.root, "f"), b"fresh")
        c = tfslib.Conn(srv.port)
        srv.signal(signal.SIGHUP)
        time.sleep(0.1)
        t.eq(c.get("f"), b"fresh", "HUP: a connection that has not asked "
             "yet gets its first request served")
        t.eq(c.expect_error(), "SHUTTING_DOWN",
             "HUP: then, idle, ERROR SHUTTING_DOWN")
        t.ok(c.closed(), "HUP: and the connection is closed")
        c.close()
        c = tfslib.Conn(srv.port)
        srv.signal(signal.SIGHUP)
        t0 = time.monotonic()
        t.eq(c.expect_error(), "SHUTTING_DOWN",
             "HUP: a connection that never asks gets ERROR SHUTTING_DOWN")
        t.ok(time.monotonic() - t0 < 5 * SLOW, "HUP: within moments")
        c.close()


def test_usr1():
    import tempfile
    logdir = tempfile.mkdtemp(prefix="tfs-log-")
    log = os.path.join(logdir, "tfsd.log")
    srv = tfslib.Server(args=["-w", "2", "--log-file", log])
    try:
        kids = set(srv.workers())
        t.ok(os.path.exists(log), "--log-file creates the log file")
        os.rename(log, log + ".1")
        srv.signal(signal.SIGUSR1)
        ok = wait_for(lambda: os.path.exists(log), 5 * SLOW)
        t.ok(ok, "USR1 reopens the log file under its name")
        time.sleep(0.2)
        t.eq(set(srv.live_workers()), kids, "USR1 leaves the workers be")
        with tfslib.Conn(srv.port) as c:
            t.eq(c.simple(tfslib.QUIT()), "OK", "the server serves after "
                 "USR1")
    finally:
        srv.stop()
        for f in (log, log + ".1"):
            if os.path.exists(f):
                os.unlink(f)
        os.rmdir(logdir)


def test_kill_mid_put():
    # -m 1: a connection that comes while the worker ends the last one
    # would otherwise get a worker of its own at once
    with tfslib.Server(args=tfslib.ONE_WORKER) as srv:
        old = b"the old version\n" * 1000
        with tfslib.Conn(srv.port) as c:
            r = c.put("f", old)
        if r != "OK":
            t.ok(False, "PUT of the old version", r)
            return
        c = tfslib.Conn(srv.port)
        size = 8 * 1024 * 1024
        c.req(tfslib.PUT("f", size))
        ty, p = c.recv()
        t.eq(ty, tfslib.READY, "PUT answered READY")
        for _ in range(4):
            c.send(tfslib.DATA, CHUNK)
        time.sleep(0.3)
        ws = srv.live_workers()
        t.eq(len(ws), 1, "one worker, busy with the PUT")
        for w in ws:
            os.kill(w, signal.SIGKILL)
        t.ok(c.closed(), "the killed worker's connection is cut")
        c.close()
        ok = wait_for(lambda: srv.live_workers() and
                      not (set(srv.live_workers()) & set(ws)), 10 * SLOW)
        t.ok(ok, "a new worker replaces the killed one")
        with tfslib.Conn(srv.port) as c2:
            t.eq(c2.get("f"), old, "the old version is intact")
            names = c2.list("")
            names = [e["name"] for e in names] if isinstance(names, list) \
                else names
            t.eq(names, [b"f"], "nothing partial is listed")
            r = c2.stat("f")
            t.eq(r["size"] if isinstance(r, dict) else r, len(old),
                 "STAT shows the old size")
        odd = [n for n in os.listdir(srv.root)
               if n != "f" and not n.startswith(".tfs-")]
        t.eq(odd, [], "no other file appeared in the root")


sys.exit(t.run_all(test_term, test_quit, test_quit_idle,
                   test_graceful_timeout, test_hup, test_hup_fresh,
                   test_usr1, test_kill_mid_put))
