#!/usr/bin/env python3
"""
30-daemon.py -- tfsd's command line and daemon mode: -h/-V, usage errors
(exit 2), startup failures (exit 1, one line), the honest start (the
command returns only once the daemon listens and its pid file is
written), the pid file lock (a second daemon refuses naming the pid, a
stale file does not block), -s, and the pid file removed on exit.
"""

import os
import shutil
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import SLOW, Tap, gone, port_of, read_pid, wait_for, \
    wait_gone  # noqa

t = Tap()
tmp, root = tfslib.temp_dir("tfs-daemon-", "root")
pidfile = os.path.join(tmp, "tfsd.pid")
started = []        # daemon pids to stop at the end, whatever happens


def run(args, timeout=30 * SLOW):
    return tfslib.run_tfsd(args, timeout=timeout)


def lines(text):
    """Lines of text, valgrind's own chatter left out."""
    return [ln for ln in text.splitlines() if ln and not ln.startswith("==")]


def daemon_args(extra=()):
    # a log file: a daemon refuses to start where there is no syslog
    return ["-l", "127.0.0.1", "-p", "0", "-r", root, "-P", pidfile,
            "-w", "2", "--log-file", os.path.join(tmp, "tfsd.log")] + \
        list(extra)


def test_help_version():
    rc, out, err = run(["-h"])
    t.eq(rc, 0, "-h exits 0")
    t.ok("usage: tfsd" in out and "--max-spare" in out, "-h prints usage",
         out + err)
    rc, out, err = run(["--help"])
    t.eq(rc, 0, "--help exits 0")
    rc, out, err = run(["-V"])
    t.ok(rc == 0 and out.startswith("tfsd "), "-V exits 0 with the version",
         out + err)


def test_usage_errors():
    for args, what in ((["--bogus"], "unknown long option"),
                       (["-Z"], "unknown short option"),
                       (["-p", "abc"], "port not a number"),
                       (["-p", "70000"], "port out of range"),
                       (["-w", "0"], "no workers"),
                       (["-w"], "missing value"),
                       (["--min-spare", "9", "--max-spare", "3"],
                        "min-spare above max-spare"),
                       (["-s", "explode", "-P", pidfile], "bad -s name"),
                       (["extra"], "stray argument")):
        rc, out, err = run(args + ["-f", "-r", root, "-l", "127.0.0.1"])
        t.ok(rc == 2 and len(lines(err)) == 1 and
             lines(err)[0].startswith("tfsd: "),
             "bad usage (%s) exits 2 with one line" % what,
             "rc %r, stderr %r" % (rc, err))


def test_startup_failures():
    rc, out, err = run(["-f", "-l", "127.0.0.1", "-p", "0", "-r",
                        os.path.join(tmp, "missing")])
    t.ok(rc == 1 and len(lines(err)) == 1 and "missing" in err,
         "missing root exits 1 with one line", "rc %r, %r" % (rc, err))
    rc, out, err = run(daemon_args()[:-4] + ["-r", os.path.join(tmp, "nope")])
    t.ok(rc == 1 and "nope" in err,
         "missing root in daemon mode exits 1 on the terminal",
         "rc %r, %r" % (rc, err))
    with socket.socket() as so:
        so.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        so.bind(("127.0.0.1", 0))
        so.listen(1)
        busy = so.getsockname()[1]
        rc, out, err = run(["-f", "-l", "127.0.0.1", "-p", str(busy),
                            "-r", root])
        t.ok(rc == 1 and len(lines(err)) == 1 and "in use" in err,
             "port in use exits 1 with one line", "rc %r, %r" % (rc, err))
        rc, out, err = run(["-l", "127.0.0.1", "-p", str(busy), "-r", root,
                            "-P", pidfile])
        t.ok(rc == 1 and "in use" in err and not os.path.exists(pidfile),
             "port in use in daemon mode exits 1, no pid file left",
             "rc %r, %r" % (rc, err))
    rc, out, err = run(["-f", "-l", "no.such.host.invalid", "-p", "0",
                        "-r", root])
    t.ok(rc == 1 and len(lines(err)) == 1, "bad listen address exits 1",
         "rc %r, %r" % (rc, err))


def test_daemon():
    t0 = time.monotonic()
    rc, out, err = run(daemon_args())
    ms = (time.monotonic() - t0) * 1000
    pid = read_pid(pidfile)
    if pid:
        started.append(pid)
    t.eq(rc, 0, "daemon start exits 0")
    t.note("daemon start returned in %.0f ms" % ms)
    port = port_of(err)
    t.ok(port is not None and "root=%s" % os.path.realpath(root) in err,
         "the listening line names the real port and the root", err)
    t.ok(pid is not None and pid > 0 and not gone(pid),
         "the pid file names a running process", repr(pid))
    if not pid or port is None:
        return None
    # The command returned: the daemon must answer at once, no retry.
    try:
        with tfslib.Conn(port, timeout=5 * SLOW) as c:
            t.ok(c.hello is not None and c.hello[0] == 1,
                 "the daemon answers HELLO as soon as the command returned")
    except OSError as e:
        t.ok(False, "the daemon answers HELLO as soon as the command "
             "returned", e)
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ppid, sid = int(fields[1]), int(fields[3])
    t.ok(ppid != os.getpid() and sid != os.getsid(0) and sid != pid,
         "double fork: a new session, not its leader, not our child",
         "ppid %d sid %d pid %d" % (ppid, sid, pid))
    t.eq(os.readlink("/proc/%d/cwd" % pid), "/", "the daemon works from /")
    fds = {os.readlink("/proc/%d/fd/%d" % (pid, n)) for n in (0, 1, 2)}
    t.eq(fds, {"/dev/null"}, "the daemon's stdio is /dev/null")
    kids = tfslib.children(pid)
    t.ok(len(kids) >= 1, "the daemon has workers", kids)
    return pid, port, kids


def test_second_daemon(pid):
    rc, out, err = run(daemon_args())
    t.ok(rc == 1 and str(pid) in err and len(lines(err)) == 1,
         "a second daemon on the same pid file refuses, naming pid %d" % pid,
         "rc %r, %r" % (rc, err))
    t.eq(read_pid(pidfile), pid, "the refused start left the pid file alone")
    t.ok(not gone(pid), "the first daemon still runs")


def test_signal_stop(pid, kids):
    rc, out, err = run(["-s", "stop", "-P", pidfile])
    t0 = time.monotonic()
    t.eq(rc, 0, "-s stop exits 0 once delivered")
    ok = wait_gone(pid)
    ms = (time.monotonic() - t0) * 1000
    t.ok(ok, "-s stop stops the daemon")
    t.note("daemon stopped %.0f ms after -s stop returned" % ms)
    t.ok(wait_for(lambda: not os.path.exists(pidfile), 5 * SLOW),
         "the pid file is removed on exit")
    t.ok(all(gone(k) for k in kids), "no worker outlives the daemon",
         [(k, tfslib.proc_state(k)) for k in kids])
    rc, out, err = run(["-s", "stop", "-P", pidfile])
    t.ok(rc == 1 and len(lines(err)) == 1 and pidfile in err,
         "-s with a missing pid file exits 1 with one line",
         "rc %r, %r" % (rc, err))


def test_stale_pidfile():
    rc, out, err = run(daemon_args())
    pid = read_pid(pidfile)
    if pid:
        started.append(pid)
    if rc != 0 or not pid:
        t.ok(False, "daemon started for the stale pid file test", err)
        return
    kids = tfslib.children(pid)
    os.kill(pid, signal.SIGKILL)
    wait_gone(pid)
    t.ok(wait_for(lambda: all(gone(k) for k in kids), 3 * SLOW),
         "workers of a SIGKILLed master exit (no orphans)",
         [(k, tfslib.proc_state(k)) for k in kids])
    t.eq(read_pid(pidfile), pid, "a killed daemon leaves a stale pid file")
    rc, out, err = run(["-s", "reload", "-P", pidfile])
    t.ok(rc == 1 and len(lines(err)) == 1 and "not running" in err,
         "-s on a stale pid file exits 1: not running", "rc %r, %r" % (rc, err))
    rc, out, err = run(daemon_args())
    new = read_pid(pidfile)
    if new:
        started.append(new)
    t.ok(rc == 0 and new and new != pid and not gone(new),
         "a stale pid file does not block a restart", "rc %r, %r" % (rc, err))
    if rc != 0 or not new:
        return
    port = port_of(err)
    old = set(tfslib.children(new))
    rc, out, err = run(["-s", "reload", "-P", pidfile])
    t.eq(rc, 0, "-s reload exits 0")
    ok = wait_for(lambda: tfslib.children(new) and
                  not (set(tfslib.children(new)) & old), 10 * SLOW)
    now = set(tfslib.children(new))
    t.ok(ok and now and not (now & old), "-s reload replaces every worker",
         "old %s now %s" % (sorted(old), sorted(now)))
    try:
        with tfslib.Conn(port, timeout=5 * SLOW) as c:
            t.ok(c.hello is not None, "the reloaded daemon serves")
    except OSError as e:
        t.ok(False, "the reloaded daemon serves", e)
    rc, out, err = run(["-s", "quit", "-P", pidfile])
    t.eq(rc, 0, "-s quit exits 0")
    t.ok(wait_gone(new), "-s quit stops an idle daemon")
    t.ok(not os.path.exists(pidfile), "the pid file is removed after quit")


def test_user():
    if os.geteuid() != 0:
        t.skip("-u drops privileges", "not root")
        return
    try:
        import pwd
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        t.skip("-u drops privileges", "no user nobody")
        return
    os.chmod(tmp, 0o755)
    os.chmod(root, 0o755)
    p = tfslib.Server(args=["-u", "nobody", "-w", "2"], root=root)
    try:
        kids = p.workers()
        uids = []
        for k in [p.pid] + kids:
            with open("/proc/%d/status" % k) as f:
                for ln in f:
                    if ln.startswith("Uid:"):
                        uids.append(int(ln.split()[1]))
        t.ok(uids and all(u == nobody.pw_uid for u in uids),
             "-u nobody: master and workers run as nobody", uids)
    finally:
        p.stop(keep_root=True)
    os.chmod(root, 0o700)
    rc, out, err = run(["-f", "-l", "127.0.0.1", "-p", "0", "-r", root,
                        "-u", "nobody"])
    os.chmod(root, 0o755)
    t.ok(rc == 1 and len(lines(err)) == 1 and "nobody" in err,
         "-u with a root the user cannot read exits 1 with one line",
         "rc %r, %r" % (rc, err))


def test_dual_stack():
    if not socket.has_ipv6:
        t.skip("'::' serves IPv4 and IPv6", "no IPv6")
        return
    try:
        with socket.socket(socket.AF_INET6) as so:
            so.bind(("::1", 0))
    except OSError:
        t.skip("'::' serves IPv4 and IPv6", "no IPv6 loopback")
        return
    p = tfslib.Server(args=["-w", "1"], root=root, listen="::")
    try:
        t.ok("listening on [::]:%d " % p.port in p.line,
             "the listening line puts an IPv6 address in brackets", p.line)
        for host in ("127.0.0.1", "::1"):
            try:
                with tfslib.Conn(p.port, host=host) as c:
                    t.ok(c.hello is not None, "'::' serves %s" % host)
            except OSError as e:
                t.ok(False, "'::' serves %s" % host, e)
    finally:
        p.stop(keep_root=True)


try:
    test_help_version()
    test_usage_errors()
    test_startup_failures()
    r = test_daemon()
    if r:
        pid, port, kids = r
        test_second_daemon(pid)
        test_signal_stop(pid, kids)
    test_stale_pidfile()
    t.run("-u", test_user)
    t.run("dual stack", test_dual_stack)
finally:
    for pid in started:
        if not gone(pid):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            wait_gone(pid, 5)
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(t.done())
