#!/usr/bin/env python3
"""
33-refusals.py -- who may connect: --allow (IPv4 and IPv6, an
IPv4-mapped peer of a dual-stack socket matching IPv4 entries) and
--max-per-ip (16 by default, 0 for no limit).  A refused connection
gets one ERROR (DENIED or BUSY) in place of HELLO, is closed, and makes
one log line; a bad CIDR is bad usage (and -t says so); HUP reads a new
list from the configuration file.
"""

import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import SLOW, Tap  # noqa: E402

t = Tap()


def first_frame(port, host="127.0.0.1"):
    """(type, error name or None, closed after) of a new connection."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    so = socket.socket(fam, socket.SOCK_STREAM)
    so.settimeout(10 * SLOW)
    so.connect((host, port))
    c = tfslib.Conn.__new__(tfslib.Conn)
    c.sock, c.buf = so, b""
    try:
        ty, p = c.recv()
    except (OSError, tfslib.ServerClosed):
        so.close()
        return None, None, True
    name = tfslib.parse_error(p)[0] if ty == tfslib.ERROR else None
    closed = c.closed(2 * SLOW) if ty == tfslib.ERROR else False
    so.close()
    return ty, name, closed


def has_ipv6():
    try:
        with socket.socket(socket.AF_INET6) as so:
            so.bind(("::1", 0))
        return True
    except OSError:
        return False


def test_allow():
    srv = tfslib.server(args=["--allow", "192.0.2.0/24",
                              "--allow", "2001:db8::/32"])
    t.eq(first_frame(srv.port), (tfslib.ERROR, "DENIED", True),
         "an address outside --allow: ERROR DENIED in place of HELLO, "
         "then closed")
    time.sleep(0.2)
    lines = [ln for ln in srv.log if "refused" in ln]
    t.ok(len(lines) == 1, "one log line for the refusal", lines)
    t.ok(lines and "DENIED" in lines[0] and "127.0.0.1" in lines[0],
         "it names the peer and DENIED", lines)
    srv = tfslib.server(args=["--allow", "10.0.0.0/8",
                              "--allow", "127.0.0.0/8"])
    t.eq(first_frame(srv.port)[0], tfslib.HELLO,
         "an address inside --allow is served")
    if not has_ipv6():
        t.skip("--allow on a dual-stack socket", "no IPv6 loopback")
        return
    srv = tfslib.server(args=["--allow", "127.0.0.1"], listen="::")
    t.eq(first_frame(srv.port)[0], tfslib.HELLO,
         "dual-stack: 127.0.0.1 (an IPv4-mapped peer) matches 127.0.0.1")
    t.eq(first_frame(srv.port, "::1")[:2], (tfslib.ERROR, "DENIED"),
         "dual-stack: ::1 does not")
    srv = tfslib.server(args=["--allow", "::1/128"], listen="::")
    t.eq(first_frame(srv.port, "::1")[0], tfslib.HELLO,
         "--allow ::1/128: ::1 is served")
    t.eq(first_frame(srv.port)[:2], (tfslib.ERROR, "DENIED"),
         "and ::ffff:127.0.0.1 is not")


def test_max_per_ip():
    srv = tfslib.server(args=["--max-per-ip", "2"])
    a, b = tfslib.Conn(srv.port), tfslib.Conn(srv.port)
    t.eq(first_frame(srv.port)[:3], (tfslib.ERROR, "BUSY", True),
         "--max-per-ip 2: a third connection gets ERROR BUSY, closed")
    a.close()
    ok = tfslib.wait_for(
        lambda: first_frame(srv.port)[0] == tfslib.HELLO, 5 * SLOW, 0.05)
    t.ok(ok, "once one closes, a new one is served")
    t.eq(b.simple(tfslib.QUIT()), "OK", "the others were never touched")
    b.close()
    time.sleep(0.2)
    t.ok(any("BUSY" in ln and "refused" in ln for ln in srv.log),
         "the refusal is logged")

    srv = tfslib.server(args=["-m", "40"])
    held = [tfslib.Conn(srv.port) for _ in range(16)]
    t.eq(first_frame(srv.port)[:2], (tfslib.ERROR, "BUSY"),
         "by default the 17th connection from one address is BUSY")
    for c in held:
        c.close()
    srv = tfslib.server(args=["-m", "40", "--max-per-ip", "0"])
    held = [tfslib.Conn(srv.port) for _ in range(30)]
    t.eq(first_frame(srv.port)[0], tfslib.HELLO,
         "--max-per-ip 0: 31 at once are served")
    for c in held:
        c.close()


def test_killed_worker_frees_its_place():
    srv = tfslib.server(args=["--max-per-ip", "1"] + tfslib.ONE_WORKER)
    c = tfslib.Conn(srv.port)
    for pid in srv.workers():
        os.kill(pid, signal.SIGKILL)
    c.close()
    ok = tfslib.wait_for(
        lambda: first_frame(srv.port)[0] == tfslib.HELLO, 10 * SLOW, 0.1)
    t.ok(ok, "a worker killed with a connection open gives its place back")


def test_bad_cidr():
    for bad in ("10.0.0.1/8", "300.1.1.1", "fe80::1%eth0", "::1/129", "x"):
        r = subprocess.run([tfslib.TFSD, "-f", "-l", "127.0.0.1", "-p", "0",
                            "--allow", bad], capture_output=True, timeout=10,
                           stdin=subprocess.DEVNULL)
        err = r.stderr.decode(errors="replace")
        t.ok(r.returncode == 2 and "--allow" in err and bad in err and
             len(err.strip().splitlines()) == 1,
             "--allow %s: bad usage, one clear line" % bad, err)
    r = subprocess.run([tfslib.TFSD, "-t", "--allow", "10.0.0.1/8"],
                       capture_output=True, timeout=10)
    t.ok(r.returncode == 1 and b"--allow 10.0.0.1/8" in r.stderr,
         "-t reports the bad CIDR", r.stderr)
    tmp = tempfile.mkdtemp(prefix="tfs-allow-")
    conf = os.path.join(tmp, "tfsd.conf")
    with open(conf, "w") as f:
        f.write("allow 127.0.0.0/8\nallow 192.0.2.300\n")
    r = subprocess.run([tfslib.TFSD, "-t", "-c", conf], capture_output=True,
                       timeout=10)
    t.ok(r.returncode == 1 and b"192.0.2.300" in r.stderr,
         "-t -c FILE reports a bad CIDR of the file", r.stderr)


def test_hup():
    tmp = tempfile.mkdtemp(prefix="tfs-allow-")
    conf = os.path.join(tmp, "tfsd.conf")
    with open(conf, "w") as f:
        f.write("allow 192.0.2.0/24\n")
    srv = tfslib.server(args=["-c", conf])
    t.eq(first_frame(srv.port)[1], "DENIED", "-c with allow 192.0.2.0/24")
    with open(conf, "w") as f:
        f.write("allow 192.0.2.0/24\nallow 127.0.0.1\n")
    srv.signal(signal.SIGHUP)
    ok = tfslib.wait_for(
        lambda: first_frame(srv.port)[0] == tfslib.HELLO, 10 * SLOW, 0.1)
    t.ok(ok, "HUP: a list that now holds 127.0.0.1 serves it")
    with open(conf, "w") as f:
        f.write("allow 127.0.0.1/8\n")
    srv.signal(signal.SIGHUP)
    time.sleep(1)
    t.eq(first_frame(srv.port)[0], tfslib.HELLO,
         "HUP with a bad CIDR: the running list is kept")
    t.ok(any("keeping the running configuration" in ln for ln in srv.log),
         "and the log says so")


sys.exit(t.run_all(test_allow, test_max_per_ip,
                   test_killed_worker_frees_its_place, test_bad_cidr,
                   test_hup, logs=True))
