#!/usr/bin/env python3
"""
35-sandbox.py -- least privilege: every worker runs with no new
privileges and a seccomp filter (/proc/PID/status), the master says
once what the sandbox comes to (and, run as root without -u, that it
serves with root's rights), a worker killed by SIGSYS (as the filter
would kill it) is logged and replaced while a transfer on another
worker goes on untouched, and files and folders are created 0644 and
0755 under a umask of 077.
"""

import hashlib
import os
import signal
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import SLOW, Tap, wait_for  # noqa: E402

t = Tap()


def status_fields(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            k, _, v = ln.partition(":")
            out[k] = v.strip()
    return out


def live(srv):
    return [k for k in srv.workers() if tfslib.proc_state(k) not in
            (None, "Z")]


def serving(srv, sock):
    """The worker whose socket is the other end of our sock, or None."""
    port = sock.getsockname()[1]
    inode = None
    with open("/proc/net/tcp") as f:
        for ln in f.readlines()[1:]:
            fields = ln.split()
            local, remote = fields[1], fields[2]
            if int(local.split(":")[1], 16) == srv.port and \
                    int(remote.split(":")[1], 16) == port:
                inode = fields[9]
    for w in live(srv):
        try:
            fds = os.listdir("/proc/%d/fd" % w)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink("/proc/%d/fd/%s" % (w, fd)) == \
                        "socket:[%s]" % inode:
                    return w
            except OSError:
                pass
    return None


def test_proc_status():
    srv = tfslib.server(args=["-w", "2"])
    with tfslib.Conn(srv.port) as c:
        c.list("")
    ws = live(srv)
    t.ok(len(ws) >= 1, "workers run")
    for w in ws[:2]:
        st = status_fields(w)
        t.eq(st.get("NoNewPrivs"), "1", "worker %d: NoNewPrivs: 1" % w)
        if tfslib.VALGRIND:
            t.skip("worker %d: Seccomp: 2" % w, "no filter under valgrind")
        else:
            t.eq(st.get("Seccomp"), "2", "worker %d: Seccomp: 2 (filter)"
                 % w)
    st = status_fields(srv.pid)
    t.eq(st.get("NoNewPrivs"), "0", "the master is not confined")
    srv.signal(signal.SIGHUP)
    time.sleep(1)
    time.sleep(0.2)
    lines = [ln for ln in srv.log if "sandbox:" in ln]
    t.ok(len(lines) == 1, "the sandbox is logged once, by the master, "
         "not by the workers (nor again on HUP)", lines)


def test_startup_lines():
    """What the master says after its listening line: once."""
    srv = tfslib.server(args=["-w", "3"])
    time.sleep(0.5)
    log = "".join(srv.log)
    t.ok(log.count("sandbox:") == 1 and
         ("landlock" in log or "Landlock" in log),
         "the sandbox status is logged once", log)
    if os.geteuid() == 0:
        t.ok(log.count("root's rights") == 1,
             "running as root without -u: warned once", log)
    else:
        t.skip("the root warning", "not root")


def test_sigsys():
    srv = tfslib.server(args=["-w", "2", "--min-spare", "2"])
    data = os.urandom(1024 * 1024) * 16
    with open(os.path.join(srv.root, "big"), "wb") as f:
        f.write(data)
    with tfslib.Conn(srv.port, timeout=30 * SLOW) as c:
        c.req(tfslib.GET("big"))
        ty, p = c.recv()
        busy = serving(srv, c.sock)
        others = [w for w in live(srv) if w != busy]
        t.ok(ty == tfslib.FILE and busy is not None and others,
             "a GET runs on one worker, another is idle")
        victim = others[0]
        os.kill(victim, signal.SIGSYS)
        got = [c.recv()]
        while got[-1][0] == tfslib.DATA:
            got.append(c.recv())
        body = b"".join(p for ty, p in got if ty == tfslib.DATA)
        t.ok(got[-1][0] == tfslib.END and
             hashlib.sha256(body).digest() == hashlib.sha256(data).digest(),
             "the GET on the other worker completes intact")
    t.ok(wait_for(lambda: any("killed by signal %d" % signal.SIGSYS in ln
                              for ln in srv.log), 5 * SLOW),
         "the death by SIGSYS is logged", "".join(srv.log[-5:]))
    t.ok(wait_for(lambda: victim not in live(srv) and len(live(srv)) >= 2,
                  10 * SLOW), "and the worker replaced")
    with tfslib.Conn(srv.port) as c:
        t.eq(c.get("big")[:10], data[:10], "the server goes on serving")


def test_big_requests():
    """Every request on inputs big enough to take libc's other paths
    (a LIST sorted with a heap buffer, multi-frame bodies), under the
    filter: no worker dies of it."""
    srv = tfslib.server(args=["-w", "1", "--min-spare", "0", "-m", "1"])
    os.mkdir(os.path.join(srv.root, "many"))
    for i in range(3000):
        open(os.path.join(srv.root, "many", "f%04d" % i), "wb").close()
    data = os.urandom(1024 * 1024) * 8
    with tfslib.Conn(srv.port, timeout=30 * SLOW) as c:
        names = c.list("many")
        t.eq(len(names), 3000, "LIST of 3000 entries")
        t.eq(c.put("big", data), "OK", "PUT of 8 MiB")
        t.eq(c.get("big"), data, "GET of 8 MiB")
        t.eq(c.sum("big"), hashlib.sha256(data).digest(), "SUM of 8 MiB")
        t.eq(c.simple(tfslib.RENAME("big", "big2")), "OK", "RENAME")
        t.eq(c.simple(tfslib.DELETE("big2")), "OK", "DELETE")
    t.ok(not any("killed by signal" in ln for ln in srv.log),
         "no worker killed by the filter", "".join(srv.log[-5:]))


def test_umask():
    old = os.umask(0o077)
    try:
        srv = tfslib.server()
    finally:
        os.umask(old)
    with tfslib.Conn(srv.port) as c:
        t.eq(c.put("f.txt", b"x"), "OK", "umask 077: PUT")
        t.eq(c.simple(tfslib.MKDIR("d")), "OK", "umask 077: MKDIR")
        t.eq(c.put("d/g.txt", b"y"), "OK", "umask 077: PUT in it")
    mode = lambda p: stat.S_IMODE(os.stat(os.path.join(srv.root, p)).st_mode)
    t.eq(oct(mode("f.txt")), oct(0o644), "a new file is 0644")
    t.eq(oct(mode("d")), oct(0o755), "a new folder is 0755")
    t.eq(oct(mode("d/g.txt")), oct(0o644), "a file in it is 0644")


sys.exit(t.run_all(test_proc_status, test_startup_lines, test_sigsys,
                   test_umask, test_big_requests, logs=True))
