#!/usr/bin/env python3
"""
14-rights.py -- what a connection that has not signed in may do
(--anonymous none|ro|rw, ro by default), in the check order of
PROTOCOL.md (paths, flags, rights, read-only), and UTIME: the
modification time of a file or folder, with the path rules and the
confinement of the other requests.
"""

import os
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import authlib  # noqa: E402
import tfslib  # noqa: E402
from tfslib import (DELETE, GET, LIST, MKDIR, PUT, QUIT, RENAME, STAT,  # noqa
                    SUM, UTIME, Tap)

t = Tap()

WRITES = [("PUT", PUT("new.txt", 3)), ("DELETE", DELETE("a.txt")),
          ("RENAME", RENAME("a.txt", "b.txt")), ("MKDIR", MKDIR("d2")),
          ("UTIME", UTIME("a.txt", 1000000))]


def answer(c, msg):
    """'OK' when a read request succeeds, else its error name."""
    t_, payload = msg
    path = tfslib.Reader(payload).str().decode()
    if t_ == tfslib.LIST_T:
        got = c.list(path)
    elif t_ == tfslib.STAT_T:
        got = c.stat(path)
    elif t_ == tfslib.GET_T:
        got = c.get(path)
    else:
        got = c.sum(path)
    return got if isinstance(got, str) else "OK"


def lay(root):
    tfslib.write_file(os.path.join(root, "a.txt"), b"abc")
    os.mkdir(os.path.join(root, "d"))


def test_default_ro():
    srv = tfslib.server(anonymous=None)
    lay(srv.root)
    with tfslib.Conn(srv.port) as c:
        t.eq(answer(c, LIST("")), "OK", "default: anonymous LIST")
        t.eq(answer(c, STAT("a.txt")), "OK", "default: anonymous STAT")
        t.eq(answer(c, GET("a.txt")), "OK", "default: anonymous GET")
        t.eq(answer(c, SUM("a.txt")), "OK", "default: anonymous SUM")
        for name, msg in WRITES:
            t.eq(c.simple(msg), "AUTH_REQUIRED",
                 "default (ro): anonymous %s is AUTH_REQUIRED" % name)
        t.eq(c.simple(MKDIR("../x")), "BAD_PATH",
             "the path rules come before the rights")
        t.eq(c.simple(PUT("x", 1, 0x80)), "UNSUPPORTED",
             "unknown flags come before the rights")
        t.eq(c.simple(QUIT()), "OK", "the connection stayed usable")
    t.ok(os.path.exists(os.path.join(srv.root, "a.txt")) and
         not os.path.exists(os.path.join(srv.root, "d2")),
         "nothing changed on disk")


def test_rw():
    srv = tfslib.server(args=["--anonymous", "rw"])
    lay(srv.root)
    with tfslib.Conn(srv.port) as c:
        t.eq(c.simple(MKDIR("d2")), "OK", "--anonymous rw: MKDIR")
        t.eq(c.put("p.txt", b"xyz"), "OK", "--anonymous rw: PUT")
        t.eq(c.simple(UTIME("p.txt", 1234567890)), "OK",
             "--anonymous rw: UTIME")


def test_read_only():
    srv = tfslib.server(args=["--anonymous", "rw", "--read-only"])
    lay(srv.root)
    with tfslib.Conn(srv.port) as c:
        for name, msg in WRITES:
            t.eq(c.simple(msg), "DENIED",
                 "--read-only --anonymous rw: %s is DENIED" % name)
        t.eq(answer(c, LIST("")), "OK", "--read-only: LIST still works")
    srv = tfslib.server(args=["--read-only"], anonymous=None)
    with tfslib.Conn(srv.port) as c:
        t.eq(c.simple(MKDIR("d3")), "AUTH_REQUIRED",
             "--read-only, anonymous ro: the rights answer first")


def test_none():
    tmp = tempfile.mkdtemp(prefix="tfs-users-")
    users = os.path.join(tmp, "users")
    authlib.make_users(users, [("bob", "secret", "ro", None)])
    srv = tfslib.server(args=["--anonymous", "none", "--users", users])
    lay(srv.root)
    with tfslib.Conn(srv.port) as c:
        t.eq(c.list(""), "AUTH_REQUIRED", "--anonymous none: LIST")
        t.eq(c.get("a.txt"), "AUTH_REQUIRED", "--anonymous none: GET")
        t.eq(c.simple(MKDIR("x")), "AUTH_REQUIRED",
             "--anonymous none: MKDIR")
        t.eq(c.simple(QUIT()), "OK", "--anonymous none: QUIT is allowed")
    r = subprocess.run([tfslib.TFSD, "-f", "-l", "127.0.0.1", "-p", "0",
                        "--anonymous", "none"], capture_output=True,
                       timeout=10, stdin=subprocess.DEVNULL)
    t.eq(r.returncode, 2, "--anonymous none without --users is bad usage")
    r = subprocess.run([tfslib.TFSD, "--anonymous", "all", "-t"],
                       capture_output=True, timeout=10)
    t.ok(r.returncode != 0 and b"--anonymous" in r.stderr,
         "--anonymous all is refused", r.stderr)


def test_utime():
    srv = tfslib.server()
    root = srv.root
    lay(root)
    tfslib.write_file(os.path.join(root, "d", "in.txt"), b"1")
    outside = os.path.join(srv.tmp, "outside.txt")
    tfslib.write_file(outside, b"o")
    os.symlink(outside, os.path.join(root, "out"))
    os.symlink("a.txt", os.path.join(root, "link"))
    os.mkfifo(os.path.join(root, "fifo"))
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(os.path.join(root, "sock"))
    os.utime(os.path.join(root, "a.txt"), (111, 222))
    with tfslib.Conn(srv.port) as c:
        t.eq(c.simple(UTIME("a.txt", 1500000000)), "OK", "UTIME a file")
        st = os.stat(os.path.join(root, "a.txt"))
        t.eq((st.st_mtime, st.st_atime), (1500000000, 111),
             "UTIME sets the mtime and leaves the atime alone")
        t.eq(c.stat("a.txt")["mtime"], 1500000000, "STAT shows it")
        t.eq(c.simple(UTIME("d", 1400000000)), "OK", "UTIME a folder")
        t.eq(os.stat(os.path.join(root, "d")).st_mtime, 1400000000,
             "the folder's mtime is set")
        t.eq(c.simple(UTIME("a.txt", -86400)), "OK",
             "UTIME before the epoch")
        t.eq(os.stat(os.path.join(root, "a.txt")).st_mtime, -86400,
             "a negative mtime is stored")
        t.eq(c.simple(UTIME("link", 1300000000)), "OK",
             "UTIME through a link inside the root")
        t.eq(os.stat(os.path.join(root, "a.txt")).st_mtime, 1300000000,
             "the link's target got the time")
        before = os.stat(outside).st_mtime
        t.eq(c.simple(UTIME("out", 1000)), "DENIED",
             "UTIME through a link leading out is DENIED")
        t.eq(os.stat(outside).st_mtime, before,
             "the file outside is untouched")
        t.eq(c.simple(UTIME("fifo", 1000)), "NOT_A_FILE",
             "UTIME of a fifo is NOT_A_FILE")
        t.eq(c.simple(UTIME("sock", 1000)), "NOT_A_FILE",
             "UTIME of a socket is NOT_A_FILE")
        t.eq(c.simple(UTIME("nothere", 1000)), "NOT_FOUND",
             "UTIME of a missing name")
        t.eq(c.simple(UTIME("a.txt/x", 1000)), "NOT_A_DIR",
             "UTIME through a file")
        t.eq(c.simple(UTIME("", 1000)), "BAD_PATH",
             "UTIME of the root (the empty path) is BAD_PATH")
        t.eq(c.simple(UTIME("../a", 1000)), "BAD_PATH", "UTIME of ../a")
        t.eq(c.simple(UTIME(".tfs-part-a", 1000)), "BAD_PATH",
             "UTIME of a reserved name")
        c.send(tfslib.UTIME_T, tfslib.s("a.txt") + b"\0\0\0")
        t.eq(c.expect_error(), "PROTOCOL", "a short UTIME is PROTOCOL")
    sock.close()


sys.exit(t.run_all(test_default_ro, test_rw, test_read_only, test_none,
                   test_utime, logs=True))
