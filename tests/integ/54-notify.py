#!/usr/bin/env python3
"""
54-notify.py -- tfsd and systemd's notification socket: with
NOTIFY_SOCKET naming a datagram socket of ours, the master sends READY=1
(with its pid) once it serves, RELOADING=1 then READY=1 around a HUP,
and STOPPING=1 on TERM and on QUIT; only the master speaks.  Without
NOTIFY_SOCKET no socket is even opened (strace counts them).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import SLOW, Tap  # noqa: E402

t = Tap()
tmp = tempfile.mkdtemp(prefix="tfs-notify-")


class Listener:
    """systemd's side: a datagram socket that notes who sent what."""

    def __init__(self, name):
        self.path = os.path.join(tmp, name)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.got = []           # (pid, {key: value})

    def collect(self, want, timeout=10 * SLOW):
        """Read messages until one holds the key=value want."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data, anc, _, _ = self.sock.recvmsg(
                    4096, socket.CMSG_SPACE(12))
            except (socket.timeout, TimeoutError):
                break
            pid = None
            for level, kind, cdata in anc:
                if level == socket.SOL_SOCKET and \
                        kind == socket.SCM_CREDENTIALS:
                    pid = int.from_bytes(cdata[:4], "little")
            kv = dict(ln.split("=", 1) for ln in
                      data.decode().splitlines() if "=" in ln)
            self.got.append((pid, kv))
            k, v = want.split("=", 1)
            if kv.get(k) == v:
                return kv
        return None

    def close(self):
        self.sock.close()


def test_notify(stop_sig, what):
    lis = Listener("notify-%s" % what)
    env = dict(os.environ, NOTIFY_SOCKET=lis.path)
    srv = tfslib.server(args=["-w", "2"], env=env)
    try:
        ready = lis.collect("READY=1")
        t.ok(ready is not None and ready.get("MAINPID") == str(srv.pid),
             "%s: READY=1 with MAINPID once listening" % what, lis.got)
        t.ok(ready is not None and "STATUS" in ready and
             str(srv.port) in ready["STATUS"], "%s: STATUS names the "
             "address" % what, ready)
        with tfslib.Conn(srv.port) as c:
            t.eq(c.list(""), [], "%s: it serves" % what)
        lis.got = []
        srv.signal(signal.SIGHUP)
        t.ok(lis.collect("READY=1") is not None and
             [kv.get("RELOADING") for _, kv in lis.got][:1] == ["1"],
             "%s: HUP sends RELOADING=1, then READY=1" % what, lis.got)
        lis.got = []
        srv.signal(stop_sig)
        t.ok(lis.collect("STOPPING=1") is not None,
             "%s: STOPPING=1" % what, lis.got)
        t.eq(srv.wait(), 0, "%s: the server stops, status 0" % what)
        lis.collect("NOTHING=1", timeout=0.3)
        senders = {pid for pid, _ in lis.got} if lis.got else set()
        t.ok(senders <= {srv.pid, None}, "%s: only the master wrote to "
             "the socket" % what, lis.got)
    finally:
        srv.stop()
        lis.close()


def unix_sockets(env):
    """
    AF_UNIX sockets the master opens across a HUP and a TERM, as strace
    sees them; None when strace cannot attach.
    """
    srv = tfslib.server(args=["-w", "1"], env=env)
    log = os.path.join(tmp, "strace.log")
    try:
        st = subprocess.Popen(["strace", "-p", str(srv.pid), "-o", log,
                               "-e", "trace=socket"],
                              stderr=subprocess.DEVNULL)
        time.sleep(0.5 * SLOW)
        if st.poll() is not None:
            return None
        srv.signal(signal.SIGHUP)
        time.sleep(0.3 * SLOW)
        srv.signal(signal.SIGTERM)
        srv.wait()
        st.wait(10 * SLOW)
        with open(log) as f:
            return sum(1 for ln in f if "socket(AF_UNIX" in ln)
    finally:
        srv.stop()


def test_cost():
    if shutil.which("strace") is None:
        t.skip("no socket without NOTIFY_SOCKET", "strace is not installed")
        return
    if tfslib.SANITIZED or tfslib.VALGRIND:
        t.skip("no socket without NOTIFY_SOCKET", "LeakSanitizer and "
               "valgrind do not work under strace")
        return
    lis = Listener("notify-cost")
    try:
        n = unix_sockets(dict(os.environ, NOTIFY_SOCKET=lis.path))
        if n is None:
            t.skip("no socket without NOTIFY_SOCKET", "strace cannot attach")
            return
        t.ok(n >= 3, "with NOTIFY_SOCKET: a datagram per state change "
             "(%d sockets)" % n)
        env = dict(os.environ)
        env.pop("NOTIFY_SOCKET", None)
        t.eq(unix_sockets(env), 0, "without NOTIFY_SOCKET: no socket at "
             "all, across a reload and a stop")
    finally:
        lis.close()


try:
    t.run("TERM", test_notify, signal.SIGTERM, "TERM")
    t.run("QUIT", test_notify, signal.SIGQUIT, "QUIT")
    t.run("without NOTIFY_SOCKET", test_cost)
    tfslib.check_logs(t)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(t.done())
