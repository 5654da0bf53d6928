#!/usr/bin/env python3
"""
31-pool.py -- the worker pool: 200 connections while workers are
SIGKILLed at random leave no zombie and the pool back within its bounds;
the pool grows under 64 concurrent slow clients and shrinks back to
--max-spare after; --max-workers is a hard cap, at which connections
idle longest are closed for those that wait; --max-requests recycles
workers.  Prints how fast the pool grew and shrank.
"""

import os
import random
import signal
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import SLOW, Tap, gone, wait_for  # noqa: E402

t = Tap()


def session(port, hold=0.0):
    """Connect, read HELLO, wait hold s, QUIT, read OK.  True on success."""
    with tfslib.Conn(port, timeout=10 * SLOW) as c:
        if hold:
            time.sleep(hold)
        return c.simple(tfslib.QUIT()) == "OK"


def connect(port, n, timeout):
    """n connections to port, not yet read from."""
    socks = []
    for _ in range(n):
        so = socket.create_connection(("127.0.0.1", port))
        so.settimeout(timeout)
        socks.append(so)
    return socks


def served(socks, timeout=None):
    """How many of socks a worker took up: a frame header (HELLO) came."""
    n = 0
    for so in socks:
        if timeout is not None:
            so.settimeout(timeout)
        try:
            if len(so.recv(5)) == 5:
                n += 1
        except OSError:
            pass
    return n


def first_frames(so, n):
    """The types of the first n frames so receives (fewer if it closes)."""
    out, buf = [], b""
    try:
        while len(out) < n:
            while len(buf) < 5:
                chunk = so.recv(65536)
                if not chunk:
                    return out
                buf += chunk
            size = struct.unpack(">I", buf[1:5])[0]
            while len(buf) < 5 + size:
                chunk = so.recv(65536)
                if not chunk:
                    return out
                buf += chunk
            out.append(buf[0])
            buf = buf[5 + size:]
    except OSError:
        pass
    return out


def close_all(socks):
    for so in socks:
        so.close()


def test_kill_storm():
    srv = tfslib.Server(args=["-w", "4", "--min-spare", "2",
                              "--max-spare", "4", "-m", "16"])
    try:
        done = threading.Event()
        zombie_age = {}           # pid -> first time seen as a zombie
        worst = [0.0]
        killed = []

        def watch():
            while not done.is_set():
                now = time.monotonic()
                for k in srv.workers():
                    if tfslib.proc_state(k) == "Z":
                        first = zombie_age.setdefault(k, now)
                        worst[0] = max(worst[0], now - first)
                time.sleep(0.005)

        def killer():
            rnd = random.Random(31)
            while not done.is_set():
                ks = srv.live_workers()
                if ks:
                    k = rnd.choice(ks)
                    try:
                        os.kill(k, signal.SIGKILL)
                        killed.append(k)
                    except ProcessLookupError:
                        pass
                time.sleep(rnd.uniform(0.02, 0.2))

        results = []
        lock = threading.Lock()

        def client(n):
            for _ in range(n):
                ok = False
                # a killed worker cuts its client, which tries again, as
                # tfs --retry does; on a loaded machine each try takes
                # longer and meets more kills, so it is bounded in time
                # rather than in tries
                deadline = time.monotonic() + 30 * tfslib.SLOW
                while not ok and time.monotonic() < deadline:
                    try:
                        ok = session(srv.port, 0.1)
                    except (OSError, tfslib.ServerClosed, ValueError):
                        # a respawn under valgrind takes far longer
                        time.sleep(0.05 * tfslib.SLOW)
                with lock:
                    results.append(ok)

        threads = [threading.Thread(target=watch),
                   threading.Thread(target=killer)]
        threads += [threading.Thread(target=client, args=(25,))
                    for _ in range(8)]
        t0 = time.monotonic()
        for th in threads:
            th.start()
        for th in threads[2:]:
            th.join()
        done.set()
        for th in threads[:2]:
            th.join()
        ms = (time.monotonic() - t0) * 1000
        t.note("200 connections with %d workers SIGKILLed in %.0f ms" %
               (len(killed), ms))
        t.eq(sum(results), 200, "200 connections served while workers die")
        t.ok(len(killed) >= 10, "workers were killed (%d)" % len(killed))
        t.ok(worst[0] < 1.0, "no zombie outlives a second (worst %.0f ms)"
             % (worst[0] * 1000))
        time.sleep(1.0)
        zs = [k for k in srv.workers() if tfslib.proc_state(k) == "Z"]
        t.eq(zs, [], "no zombie left")
        t2 = time.monotonic()
        ok = wait_for(lambda: 2 <= len(srv.live_workers()) <= 4, 20 * SLOW)
        t.ok(ok, "the pool is back within --min-spare 2 .. --max-spare 4 "
             "(%d workers)" % len(srv.live_workers()))
        t.note("pool back within bounds %.0f ms after the storm" %
               ((time.monotonic() - t2) * 1000))
        t.ok(session(srv.port), "the server still serves")
        t.ok(srv.proc.poll() is None, "the master survived")
    finally:
        t.eq(srv.stop(), 0, "stop after the storm exits 0")


def test_grow_shrink():
    n_clients = 64
    # 64 clients from one address: no --max-per-ip
    srv = tfslib.Server(args=["-w", "4", "--min-spare", "2",
                              "--max-spare", "32", "-m", "80",
                              "--max-per-ip", "0"])
    socks = []
    try:
        base = len(srv.live_workers())
        t0 = time.monotonic()
        socks = connect(srv.port, n_clients, 60 * SLOW)
        # Each client is served once a worker accepts it: HELLO arrives.
        got = served(socks)
        grew_ms = (time.monotonic() - t0) * 1000
        peak = len(srv.live_workers())
        t.eq(got, n_clients, "all %d slow clients were served at once"
             % n_clients)
        t.ok(peak >= n_clients and peak <= 80,
             "the pool grew from %d to %d workers (cap 80)" % (base, peak))
        t.note("grew to %d workers in %.0f ms" % (peak, grew_ms))
        close_all(socks)
        socks = []
        t1 = time.monotonic()
        ok = wait_for(lambda: len(srv.live_workers()) <= 32, 150)
        shrink_ms = (time.monotonic() - t1) * 1000
        n = len(srv.live_workers())
        t.ok(ok, "the pool shrank back to --max-spare (%d workers)" % n)
        t.note("back to max-spare in %.0f ms (%d workers retired)" %
               (shrink_ms, peak - n))
        time.sleep(1.5)
        t.ok(len(srv.live_workers()) >= 2, "and kept --min-spare idle workers")
    finally:
        close_all(socks)
        srv.stop()


def test_cap():
    srv = tfslib.Server(args=["-w", "2", "--min-spare", "2",
                              "--max-spare", "4", "-m", "6"])
    socks = []
    try:
        most = [0]
        done = threading.Event()

        def watch():
            while not done.is_set():
                most[0] = max(most[0], len(srv.live_workers()))
                time.sleep(0.01)

        th = threading.Thread(target=watch)
        th.start()
        socks = connect(srv.port, 12, 0.2)
        time.sleep(4)
        # at the cap, those idle longest are closed for those that wait
        firsts = [first_frames(so, 2) for so in socks]
        t.eq(sum(1 for f in firsts if f[:1] == [tfslib.HELLO]), 12,
             "--max-workers 6: twelve clients get HELLO in turn")
        t.eq(sum(1 for f in firsts if f == [tfslib.HELLO, tfslib.ERROR]),
             6, "six idle ones were closed (ERROR) for those that waited")
        done.set()
        th.join()
        t.ok(most[0] <= 6, "never more than 6 workers (most %d)" % most[0])
    finally:
        close_all(socks)
        srv.stop()


def test_max_requests():
    with tfslib.Server(args=["-w", "2", "--min-spare", "1", "--max-spare",
                             "2", "--max-requests", "3"]) as srv:
        before = set(srv.live_workers())
        ok = 0
        for _ in range(20):
            try:
                ok += session(srv.port)
            except (OSError, tfslib.ServerClosed):
                pass
        t.eq(ok, 20, "--max-requests 3: 20 connections all served")
        wait_for(lambda: len(srv.live_workers()) >= 1, 5 * SLOW)
        after = set(srv.live_workers())
        t.ok(after and not (before & after),
             "workers were recycled (new pids)",
             "before %s after %s" % (sorted(before), sorted(after)))


def test_stall_backstop():
    with tfslib.Server(args=["-w", "1", "--min-spare", "0", "--max-spare",
                             "1", "--stall-timeout", "1"]) as srv:
        tfslib.sparse_file(os.path.join(srv.root, "big"), 64 * tfslib.MiB)
        c = tfslib.Conn(srv.port)
        c.req(tfslib.GET("big"))
        ty, p = c.recv()
        t.eq(ty, tfslib.FILE, "a GET is under way")
        c.recv()
        ws = srv.live_workers()
        t.eq(len(ws), 1, "one worker serves it")
        # A worker that stops dead cannot time out on its own: the
        # master must notice the slot making no progress.
        t0 = time.monotonic()
        os.kill(ws[0], signal.SIGSTOP)
        ok = wait_for(lambda: gone(ws[0]), 20 * SLOW)
        t.ok(ok, "the master kills a worker stuck in a transfer")
        t.note("stuck worker killed %.0f ms after it stopped "
               "(--stall-timeout 1)" % ((time.monotonic() - t0) * 1000))
        c.close()
        ok = wait_for(lambda: len(srv.live_workers()) == 1, 5 * SLOW)
        t.ok(ok and session(srv.port), "and replaces it")


sys.exit(t.run_all(test_stall_backstop, test_kill_storm, test_grow_shrink,
                   test_cap, test_max_requests))
