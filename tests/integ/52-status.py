#!/usr/bin/env python3
"""
52-status.py -- tfsd -s status against a real daemon: idle workers, a
connection waiting between requests, a GET and a PUT in progress (one of
a hostile name), as a table and as JSON; the totals survive a reload;
the scoreboard file is 0600 and goes away at exit, and what a killed
daemon leaves behind is never shown.  Then the default pid file: a
daemon started without -P by an ordinary user, -s reload and -s status
without -P, and the pid file's newline.
"""

import json
import os
import pwd
import re
import shutil
import signal
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import SLOW, Tap, port_of, read_pid  # noqa: E402

t = Tap()
tmp = tempfile.mkdtemp(prefix="tfs-status-")
root = os.path.join(tmp, "root")
os.mkdir(root)
pidfile = os.path.join(tmp, "tfsd.pid")
sbfile = os.path.join(tmp, "tfsd.scoreboard")
logfile = os.path.join(tmp, "tfsd.log")
started = []
BIG = 64 * 1024 * 1024
# the server refuses control bytes in paths; the rest must come out escaped
HOSTILE = b'we "q" \\ \xff.bin'



def run(args, env=None, pre=()):
    return tfslib.run_tfsd(args, env=env, pre=pre)


def start(extra=()):
    rc, out, err = run(["-l", "127.0.0.1", "-p", "0", "-r", root, "-P",
                        pidfile, "--log-file", logfile, "-w", "3",
                        "--min-spare", "1", "--anonymous", "rw"] +
                       list(extra))
    pid = read_pid(pidfile)
    if rc != 0 or not pid:
        raise RuntimeError("tfsd did not start: %r" % err)
    started.append(pid)
    return pid, port_of(err)


def status(json_out=True, pf=pidfile):
    args = ["-s", "status", "-P", pf] + (["--json"] if json_out else [])
    rc, out, err = run(args)
    if json_out and rc == 0:
        return rc, json.loads(out), err
    return rc, out, err


def wait_status(pred, timeout=10 * SLOW):
    """Poll -s status --json until pred(doc) holds; the last doc."""
    deadline = time.monotonic() + timeout
    doc = None
    while time.monotonic() < deadline:
        rc, doc, err = status()
        if rc == 0 and pred(doc):
            return doc
        time.sleep(0.1)
    return doc


def slow_get(port, path):
    """A GET whose reader never reads: the worker blocks mid-transfer."""
    c = tfslib.Conn(port)
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    c.req(tfslib.GET(path))
    return c


def half_put(port, path, size, sent):
    c = tfslib.Conn(port)
    c.req(tfslib.PUT(path, size))
    ty, p = c.recv()
    if ty != tfslib.READY:
        raise RuntimeError("PUT not READY")
    for i in range(0, sent, 65536):
        c.send(tfslib.DATA, b"u" * 65536)
    return c


def by_state(doc, state):
    return [w for w in doc["workers"] if w["state"] == state]


def test_busy_pool():
    tfslib.write_file(os.path.join(root, "big.bin"), b"b" * BIG)
    pid, port = start()
    st = os.stat(sbfile)
    t.eq(st.st_mode & 0o777, 0o600, "the scoreboard file beside the pid "
         "file is 0600")
    doc = wait_status(lambda d: d["idle"] == 3)
    t.ok(doc and doc["pid"] == pid and doc["idle"] == 3 and
         doc["busy"] == 0, "an idle daemon: 3 idle workers", doc)
    kids = set(tfslib.children(pid))
    t.eq({w["pid"] for w in doc["workers"]}, kids,
         "the workers shown are the master's children")

    waiting = tfslib.Conn(port)
    t.eq(waiting.stat("big.bin")["size"], BIG, "a STAT on one connection")
    getter = slow_get(port, "big.bin")
    putter = half_put(port, HOSTILE, 10 * 1024 * 1024, 1024 * 1024)
    doc = wait_status(lambda d: d["busy"] == 2 and d["waiting"] == 1 and
                      all(w["bytes"] >= 1024 * 1024
                          for w in by_state(d, "busy")))
    t.ok(doc and doc["busy"] == 2 and doc["waiting"] == 1,
         "two transfers busy, one connection waiting", doc)
    if not doc:
        return
    get = [w for w in doc["workers"] if w["request"] == "GET"]
    put = [w for w in doc["workers"] if w["request"] == "PUT"]
    wait = by_state(doc, "waiting")
    t.ok(len(get) == 1 and get[0]["path"] == "big.bin" and
         get[0]["bytes"] > 0 and get[0]["bytes"] < BIG and
         get[0]["peer"] == "127.0.0.1:%d" % getter.sock.getsockname()[1] and
         get[0]["user"] is None and get[0]["rate"] > 0,
         "the GET in progress: path, bytes so far, rate, peer, anonymous",
         get)
    t.ok(len(put) == 1 and put[0]["bytes"] >= 1024 * 1024 and
         put[0]["path"] == 'we \\"q\\" \\\\ \\377.bin',
         "the PUT in progress, its hostile path escaped", put)
    t.ok(len(wait) == 1 and wait[0]["request"] is None and
         wait[0]["peer"] == "127.0.0.1:%d" % waiting.sock.getsockname()[1]
         and wait[0]["connected"] is not None,
         "the connection between requests: waiting, with its peer", wait)
    t.ok(doc["requests"] >= 1 and doc["bytes_out"] >= get[0]["bytes"] and
         doc["bytes_in"] >= put[0]["bytes"],
         "the totals count the finished STAT and the transfers so far",
         doc)

    rc, table, err = status(json_out=False)
    lines = table.splitlines()
    t.eq(rc, 0, "-s status exits 0")
    t.ok(lines and lines[0].startswith("tfsd pid %d, up " % pid) and
         "2 busy, 1 waiting" in lines[0], "the table's first line: pid, "
         "uptime and the workers' states", lines[:2])
    rows = [ln for ln in lines if ln[:4].strip().isdigit()]
    # the count in the same table: the pool may have grown since doc
    m = re.search(r"; (\d+) workers:", lines[0]) if lines else None
    t.ok(m and len(rows) == int(m.group(1)) and len(rows) >= 3,
         "one line per worker", (lines[:1], len(rows)))
    t.ok(any(" GET " in r and '"big.bin"' in r for r in rows),
         "the GET's line names its path in quotes", rows)
    t.ok("\ufffd" not in table and '"we \\"q\\" \\\\ \\377.bin"' in table,
         "a path's quotes, backslash and byte 0xff come out escaped",
         repr(table))

    # finish everything; the totals then hold all of it
    for i in range(9):
        putter.send(tfslib.DATA, b"u" * (1024 * 1024))
    putter.send(tfslib.END, tfslib.u64(10 * 1024 * 1024))
    ty, p = putter.recv()
    t.eq(ty, tfslib.OK, "the PUT completes")
    for c in (waiting, getter, putter):
        c.close()
    doc = wait_status(lambda d: d["busy"] == 0 and d["waiting"] == 0 and
                      d["connections"] >= 3)
    t.ok(doc and doc["connections"] >= 3 and
         doc["bytes_in"] == 10 * 1024 * 1024 and doc["requests"] >= 3,
         "after the connections: 3 served, the upload's 10 MiB in", doc)
    before = doc
    os.kill(pid, signal.SIGHUP)
    doc = wait_status(lambda d: not (set(w["pid"] for w in d["workers"]) &
                                     kids) and d["idle"] >= 1)
    t.ok(doc and doc["connections"] == before["connections"] and
         doc["bytes_in"] == before["bytes_in"] and
         doc["bytes_out"] == before["bytes_out"],
         "the totals survive a reload that replaced every worker",
         (before, doc))
    return pid


def test_stale(pid):
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5 * SLOW
    while tfslib.proc_state(pid) not in (None, "Z") and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    t.ok(os.path.exists(sbfile), "a killed daemon leaves its scoreboard")
    rc, out, err = status(json_out=False)
    t.ok(rc == 1 and out == "" and "not running" in err,
         "-s status refuses a stale scoreboard: exit 1, nothing shown",
         (rc, out, err))
    pid2, port = start()
    doc = wait_status(lambda d: d["idle"] >= 1)
    t.ok(doc and doc["pid"] == pid2 and doc["connections"] == 0,
         "a new daemon on the same pid file starts a new scoreboard", doc)
    rc, out, err = run(["-s", "stop", "-P", pidfile])
    deadline = time.monotonic() + 10 * SLOW
    # the two go one after the other: wait for both
    while (os.path.exists(sbfile) or os.path.exists(pidfile)) and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    t.ok(not os.path.exists(sbfile) and not os.path.exists(pidfile),
         "a stopped daemon removes its scoreboard and pid file")
    rc, out, err = status()
    t.ok(rc == 1 and "tfsd running?" in err, "-s status without a daemon "
         "exits 1", (rc, out, err))


def test_usage():
    rc, out, err = run(["--json", "-s", "reload", "-P", pidfile])
    t.eq(rc, 2, "--json without -s status is bad usage")


def unprivileged():
    """(prefix to run as an ordinary user, uid), or None to skip."""
    if os.geteuid() != 0:
        return [], os.geteuid()
    if shutil.which("setpriv") is None:
        return None
    try:
        pw = pwd.getpwnam("nobody")
    except KeyError:
        return None
    return (["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid,
             "--clear-groups", "--"], pw.pw_uid)


def test_default_pidfile():
    how = unprivileged()
    if how is None:
        t.skip("default pid file", "running as root without setpriv or a "
               "user nobody: never touching /run/tfsd.pid")
        return
    pre, uid = how
    home = os.path.join(tmp, "user")
    rt = os.path.join(home, "runtime")
    os.makedirs(rt)
    os.chmod(tmp, 0o755)
    os.chmod(home, 0o755)
    os.chmod(root, 0o755)
    if os.geteuid() == 0:
        os.chown(rt, uid, -1)
    os.chmod(rt, 0o700)
    env = dict(os.environ, XDG_RUNTIME_DIR=rt)
    log = os.path.join(rt, "tfsd.log")
    rc, out, err = run(["-l", "127.0.0.1", "-p", "0", "-r", root,
                        "--log-file", log, "-w", "2"], env=env, pre=pre)
    dflt = os.path.join(rt, "tfsd.pid")
    pid = read_pid(dflt)
    if pid:
        started.append(pid)
    t.ok(rc == 0 and pid, "a daemon without -P writes "
         "$XDG_RUNTIME_DIR/tfsd.pid", (rc, err))
    if not pid:
        return
    with open(dflt, "rb") as f:
        text = f.read()
    t.eq(text, b"%d\n" % pid, "the pid file holds the pid and a newline")
    kids = set(tfslib.children(pid))
    rc, out, err = run(["-s", "reload"], env=env, pre=pre)
    t.eq(rc, 0, "-s reload without -P finds the daemon (%s)" %
         ("as nobody" if pre else "as this user"))
    deadline = time.monotonic() + 10 * SLOW
    while time.monotonic() < deadline:
        now = set(tfslib.children(pid))
        if now and not (now & kids):
            break
        time.sleep(0.05)
    t.ok(now and not (now & kids), "and the reload replaced the workers",
         (kids, now))
    rc, out, err = run(["-s", "status"], env=env, pre=pre)
    t.ok(rc == 0 and out.startswith("tfsd pid %d" % pid),
         "-s status without -P shows it", (rc, out, err))
    rc, out, err = run(["-s", "stop"], env=env, pre=pre)
    t.eq(rc, 0, "-s stop without -P")
    deadline = time.monotonic() + 10 * SLOW
    while os.path.exists(dflt) and time.monotonic() < deadline:
        time.sleep(0.05)
    t.ok(not os.path.exists(dflt) and
         not os.path.exists(os.path.join(rt, "tfsd.scoreboard")),
         "the default pid file and its scoreboard are gone after the stop")


try:
    pid = None
    try:
        pid = test_busy_pool()
    except Exception as e:  # report, then go on
        t.ok(False, "-s status of a busy pool", "%s: %s" %
             (type(e).__name__, e))
    if pid:
        t.run("a stale scoreboard", test_stale, pid)
    t.run("usage", test_usage)
    t.run("the default pid file", test_default_pidfile)
finally:
    for p in started:
        # only a tfsd of ours still running: a pid may be reused
        try:
            with open("/proc/%d/cmdline" % p, "rb") as f:
                mine = b"tfsd" in f.read()
        except OSError:
            mine = False
        if mine and tfslib.proc_state(p) not in (None, "Z"):
            os.kill(p, signal.SIGKILL)
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(t.done())
