#!/usr/bin/env python3
"""
53-logs.py -- tfsd's log: one line per request whose fields split with
shell quoting rules (PEER USER REQUEST PATH TO RESULT BYTES MS), paths
quoted and escaped whatever bytes they hold (spaces, quotes, backslashes,
newlines, control bytes, bytes that are not UTF-8), the result one
token, no QUIT line but with -v; USR1 moves the lines to a new file, and
so does the logrotate snippet; a daemon without syslog nor --log-file
refuses to start.
"""

import codecs
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import SLOW, TOP, Tap, wait_for  # noqa: E402

t = Tap()
tmp = tempfile.mkdtemp(prefix="tfs-logs-")

# name -> what STAT answers; the server refuses control bytes in paths,
# and the log must still show what was asked, escaped
NAMES = [
    (b"a b", "OK"),
    (b'q"uote', "OK"),
    (b"back\\slash", "OK"),
    (b"\xff\xfe latin-1 \xe9", "OK"),
    (b"caf\xc3\xa9", "OK"),
    (b"-", "OK"),
    (b"new\nline", "BAD_PATH"),
    (b"ctl\x01\x1b[31m", "BAD_PATH"),
    (b"tab\there", "BAD_PATH"),
    (b"missing file", "NOT_FOUND"),
]


FIELD = re.compile(r'"(?:[^"\\]|\\.)*"|[^ ]+')


def split(line):
    """A request line's fields: words, and C string literals whole."""
    return FIELD.findall(line)


def request_lines(path):
    """The request lines of a log file, as field lists after the worker."""
    out = []
    with open(path, "rb") as f:
        raw = f.read()
    for ln in raw.decode("ascii", errors="replace").splitlines():
        m = re.match(r".*? worker \d+: (.*)$", ln)
        if m:
            out.append(split(m.group(1)))
    return raw, out


def unescape(field):
    """A quoted field of the log back to the bytes it names."""
    if len(field) < 2 or field[0] != '"' or field[-1] != '"':
        return None
    return codecs.escape_decode(field[1:-1].encode("ascii"))[0]


def test_fields():
    log = os.path.join(tmp, "fields.log")
    srv = tfslib.server(args=["-w", "1", "--log-file", log,
                              "--anonymous", "rw"])
    for name, res in NAMES:
        if res == "OK":
            tfslib.write_file(os.path.join(srv.root.encode(), name),
                              b"x" * 1000)
    with tfslib.Conn(srv.port) as c:
        sent = []
        for name, res in NAMES:
            c.stat(name)
            sent.append(("STAT", name, None, res, 0))
        t.eq(c.get(b"a b"), b"x" * 1000, "GET of a name with a space")
        sent.append(("GET", b"a b", None, "OK", 1000))
        up = b'up "load" \xe9\\'
        t.eq(c.put(up, b"u" * 500), "OK", "PUT of a hostile name")
        sent.append(("PUT", up, None, "OK", 500))
        t.eq(c.simple(tfslib.RENAME(b"a b", b'c"d\xff')), "OK",
             "RENAME to a hostile name")
        sent.append(("RENAME", b"a b", b'c"d\xff', "OK", 0))
        c.list("")
        sent.append(("LIST", b"", None, "OK", 0))
        port = c.sock.getsockname()[1]
        t.eq(c.simple(tfslib.QUIT()), "OK", "QUIT")
    t.ok(wait_for(lambda: len(request_lines(log)[1]) >= len(sent),
                  5 * SLOW), "a line per request reaches the log file")
    raw, lines = request_lines(log)
    bad = sorted({b for b in raw if b != 0x0a and not 0x20 <= b < 0x7f})
    t.eq(bad, [], "the log holds printable ASCII and newlines only")
    t.eq(len(lines), len(sent), "one line per request, none for QUIT")
    for fields, (op, path, to, res, nbytes) in zip(lines, sent):
        what = "%s %r" % (op, path)
        if len(fields) != 8:
            t.ok(False, "%s: 8 fields" % what, fields)
            continue
        peer, user, rop, rpath, rto, rres, rbytes, rms = fields
        t.ok(peer == "127.0.0.1:%d" % port and user == "-" and rop == op
             and unescape(rpath) == path and
             (rto == "-" if to is None else unescape(rto) == to) and
             rres == res and rbytes == str(nbytes) and rms.isdigit(),
             "%s: peer, -, request, path, to, %s, bytes, ms" % (what, res),
             fields)
    # the same line split by hand: quotes only around the paths
    rawlines = [ln for ln in raw.decode().splitlines() if " STAT " in ln]
    t.ok(all(re.search(r' - STAT "[^"\\]*(\\.[^"\\]*)*" - [A-Z_]+ \d+ \d+$',
                       ln) for ln in rawlines),
         "a STAT line ends: STAT \"PATH\" - RESULT BYTES MS", rawlines)
    srv.stop()


def test_verbose_quit():
    log = os.path.join(tmp, "verbose.log")
    srv = tfslib.server(args=["-w", "1", "--log-file", log, "-v"])
    with tfslib.Conn(srv.port) as c:
        t.eq(c.simple(tfslib.QUIT()), "OK", "QUIT with -v")
    ok = wait_for(lambda: any(f[2:3] == ["QUIT"]
                              for f in request_lines(log)[1]), 5 * SLOW)
    t.ok(ok, "with -v, QUIT has its line", request_lines(log)[1])
    srv.stop()


def test_usr1():
    log = os.path.join(tmp, "rot.log")
    srv = tfslib.server(args=["-w", "2", "--log-file", log])
    with tfslib.Conn(srv.port) as c:
        c.stat("before")
    t.ok(wait_for(lambda: len(request_lines(log)[1]) == 1, 5 * SLOW),
         "a request line in the log file")
    os.rename(log, log + ".1")
    srv.signal(signal.SIGUSR1)
    t.ok(wait_for(lambda: os.path.exists(log), 5 * SLOW),
         "USR1: the master opens a new file")
    time.sleep(0.2)
    with tfslib.Conn(srv.port) as c:
        c.stat("after")
    t.ok(wait_for(lambda: len(request_lines(log)[1]) == 1, 5 * SLOW) and
         request_lines(log)[1][0][3] == '"after"' and
         len(request_lines(log + ".1")[1]) == 1,
         "the next request's line goes to the new file, not the old")
    srv.stop()


def test_logrotate():
    if shutil.which("logrotate") is None:
        t.skip("logrotate snippet", "logrotate is not installed "
               "(scripts/install-deps --test)")
        return
    logdir = os.path.join(tmp, "log")
    rundir = os.path.join(tmp, "run")
    os.makedirs(os.path.join(logdir, "tfsd"), mode=0o755)
    os.makedirs(os.path.join(rundir, "tfsd"))
    gen = os.path.join(tmp, "gen")
    r = subprocess.run(["make", "--no-print-directory", "-s", "gen",
                        "GEN=" + gen, "logdir=" + logdir,
                        "runstatedir=" + rundir, "sbindir=" + tfslib.BINDIR],
                       cwd=TOP, capture_output=True, text=True)
    t.eq(r.returncode, 0, "make gen writes the logrotate snippet")
    snippet = tfslib.read_file(os.path.join(gen, "tfsd.logrotate")).decode()
    t.ok("su tfsd tfsd" in snippet, "the snippet rotates as the user tfsd")
    # there is no user tfsd here: rotate as whoever runs the test
    if os.geteuid() == 0:
        snippet = snippet.replace("su tfsd tfsd", "su root root")
    else:
        snippet = snippet.replace("su tfsd tfsd", "")
    conf = os.path.join(tmp, "logrotate.conf")
    with open(conf, "w") as f:
        f.write(snippet)
    log = os.path.join(logdir, "tfsd", "tfsd.log")
    pidfile = os.path.join(rundir, "tfsd", "tfsd.pid")
    _, _, err = tfslib.run_tfsd(["-l", "127.0.0.1", "-p", "0", "-r", tmp,
                                  "-P", pidfile, "--log-file", log,
                                  "-w", "1"])
    port = int(re.search(r"listening on 127.0.0.1:(\d+)", err).group(1))
    pid = int(open(pidfile).read())
    try:
        with tfslib.Conn(port) as c:
            c.stat("one")
        wait_for(lambda: len(request_lines(log)[1]) == 1, 5 * SLOW)
        r = subprocess.run(["logrotate", "-f", "-s",
                            os.path.join(tmp, "lr.state"), conf],
                           capture_output=True, text=True, timeout=60)
        t.ok(r.returncode == 0, "logrotate -f with the snippet", r.stderr)
        t.ok(wait_for(lambda: os.path.exists(log), 5 * SLOW),
             "its postrotate made tfsd open a new log file (tfsd -s reopen)")
        time.sleep(0.2)
        with tfslib.Conn(port) as c:
            c.stat("two")
        t.ok(wait_for(lambda: [f[3] for f in request_lines(log)[1]] ==
                      ['"two"'], 5 * SLOW) and
             [f[3] for f in request_lines(log + ".1")[1]] == ['"one"'],
             "the old lines in tfsd.log.1, the new in tfsd.log")
    finally:
        tfslib.run_tfsd(["-s", "stop", "-P", pidfile])
        wait_for(lambda: tfslib.proc_state(pid) in (None, "Z"), 10 * SLOW)


def test_no_syslog():
    if os.path.exists("/dev/log"):
        t.skip("refusal without syslog", "this machine has /dev/log")
        return
    pidfile = os.path.join(tmp, "nosyslog.pid")
    rc, _, err = tfslib.run_tfsd(["-l", "127.0.0.1", "-p", "0", "-r", tmp,
                                  "-P", pidfile])
    lines = [ln for ln in err.splitlines() if not ln.startswith("==")]
    t.ok(rc == 1 and len(lines) == 1 and "/dev/log" in lines[0]
         and "--log-file" in lines[0],
         "no /dev/log and no --log-file: exit 1, one line saying so",
         (rc, err))
    t.ok(not os.path.exists(pidfile) and not os.path.exists(
        os.path.join(tmp, "nosyslog.scoreboard")),
         "and no pid file nor scoreboard left")


try:
    status = t.run_all(test_fields, test_verbose_quit, test_usr1,
                       test_logrotate, test_no_syslog, logs=True)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(status)
