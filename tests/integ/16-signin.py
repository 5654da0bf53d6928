#!/usr/bin/env python3
"""
16-signin.py -- sign-in with SCRAM-SHA-256 against tfsd --users: WELCOME
with the user's rights and a server signature the client can check, the
home as the connection's root with the root's confinement, AUTH_FAILED
alike for a wrong password and an unknown user, UNSUPPORTED, DENIED and
the protocol errors of the exchange, the user in each log line and no
secret in any; five failures from an address within a minute refuse
its sign-ins at once for a while, in every worker; the users file
checked at start (exit 1) and read again on HUP (a broken one logged
and the old users kept), also with -u.
"""

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import authlib  # noqa: E402
import tfslib  # noqa: E402
from tfslib import (AUTH, CHALLENGE, LIST, MKDIR, QUIT, STEP, Reader,  # noqa
                    SLOW, Tap)

t = Tap()
TMP = tempfile.mkdtemp(prefix="tfs-signin-")
USERS = os.path.join(TMP, "users")
authlib.make_users(USERS, [
    ("bob", "bob-pw-1", "rw", None),
    ("carol", "carol-pw-2", "ro", "homes/carol"),
    ("dave", "dave-pw-3", "rw", "homes/missing"),
    ("eve", "eve-pw-4", "rw", "a.txt"),
    ("fay", "fay-pw-5", "rw", "homes/fay"),
])
SECRETS = ["bob-pw-1", "carol-pw-2", "dave-pw-3", "eve-pw-4", "fay-pw-5"]


def lay(root):
    tfslib.write_file(os.path.join(root, "a.txt"), b"top")
    tfslib.write_file(os.path.join(root, "homes", "carol", "c.txt"), b"c")
    os.makedirs(os.path.join(root, "homes", "fay"))
    os.symlink("../../a.txt", os.path.join(root, "homes", "carol", "up"))
    os.symlink(os.path.join(os.path.realpath(root), "homes", "carol",
                            "c.txt"),
               os.path.join(root, "homes", "carol", "abs"))


def names(listing):
    return sorted(e["name"].decode() for e in listing)


def test_welcome(srv):
    with tfslib.Conn(srv.port) as c:
        r = authlib.sign_in(c, "bob", "bob-pw-1")
        t.eq(r, ("WELCOME", "bob", 3, True),
             "bob signs in: WELCOME bob rw, the server signature checks")
        t.eq(c.put("by-bob.txt", b"hi"), "OK", "bob may write (rw)")
        r = authlib.sign_in(c, "bob", "bob-pw-1")
        t.eq(r[0], "DENIED", "AUTH after a sign-in is DENIED")
        t.eq(c.simple(QUIT()), "OK", "the connection stayed usable")


def test_home(srv):
    with tfslib.Conn(srv.port) as c:
        r = authlib.sign_in(c, "carol", "carol-pw-2")
        t.eq(r, ("WELCOME", "carol", 1, True), "carol signs in: ro")
        t.eq(names(c.list("")), ["abs", "c.txt"],
             "carol's empty path is her home (links leading out left out)")
        t.eq(c.get("c.txt"), b"c", "GET in the home")
        t.eq(c.get("up"), "DENIED",
             "a link out of the home (inside the served root) is DENIED")
        t.eq(c.get("abs"), b"c", "an absolute link into the home is followed")
        t.eq(c.get("../a.txt"), "BAD_PATH", "../ is BAD_PATH")
        t.eq(c.simple(MKDIR("x")), "DENIED",
             "a user without the write right gets DENIED, not "
             "AUTH_REQUIRED")
    with tfslib.Conn(srv.port) as c:
        r = authlib.sign_in(c, "fay", "fay-pw-5")
        t.eq(r[0], "WELCOME", "fay signs in")
        t.eq(c.put("f.txt", b"fay"), "OK", "fay writes in her home")
    t.eq(tfslib.read_file(os.path.join(srv.root, "homes", "fay", "f.txt")),
         b"fay", "the file landed in the home")


def test_failures(srv):
    with tfslib.Conn(srv.port) as c:
        wrong = authlib.sign_in(c, "bob", "not-it")
        t.eq(wrong[0], "AUTH_FAILED", "a wrong password is AUTH_FAILED")
        t.ok(c.list("") != "AUTH_REQUIRED", "still anonymous: LIST works")
        t.eq(c.simple(MKDIR("x")), "AUTH_REQUIRED",
             "still anonymous: MKDIR needs a sign-in")
        unknown = authlib.sign_in(c, "nobody-here", "whatever")
        t.eq(unknown, wrong,
             "an unknown user gets the same AUTH_FAILED as a wrong password")
        r = authlib.sign_in(c, "bob", "bob-pw-1")
        t.eq(r[0], "WELCOME", "the right password after wrong ones")
    with tfslib.Conn(srv.port) as c:
        c.req(AUTH(authlib.MECH, "nonsense"))
        t.eq(c.expect_error(), "AUTH_FAILED",
             "a malformed client-first-message is AUTH_FAILED")
        c.req(AUTH("PLAIN", "\0bob\0bob-pw-1"))
        t.eq(c.expect_error(), "UNSUPPORTED", "another mechanism")
        t.eq(c.simple(QUIT()), "OK", "the connection stayed usable")
    for who, pw, what in (("dave", "dave-pw-3", "a missing home"),
                          ("eve", "eve-pw-4", "a home that is a file")):
        with tfslib.Conn(srv.port) as c:
            r = authlib.sign_in(c, who, pw)
            t.eq(r[0], "AUTH_FAILED", "%s: AUTH_FAILED" % what)
            t.eq(c.simple(MKDIR("x")), "AUTH_REQUIRED",
                 "%s: the connection stays anonymous" % what)


def test_protocol(srv):
    with tfslib.Conn(srv.port) as c:
        c.req(STEP("c=biws,r=x,p=AAAA"))
        t.eq(c.expect_error(), "PROTOCOL", "STEP without an exchange")
        t.ok(c.closed(), "and the connection is closed")
    for what, msg in (("LIST", LIST("")), ("AUTH", None),
                      ("an unknown type", (0x33, b""))):
        with tfslib.Conn(srv.port) as c:
            ex = authlib.Exchange("bob", "bob-pw-1")
            c.req(AUTH(authlib.MECH, ex.first()))
            ty, _ = c.recv()
            if msg is None:
                msg = AUTH(authlib.MECH, ex.first())
            c.req(msg)
            t.eq((ty, c.expect_error()), (CHALLENGE, "PROTOCOL"),
                 "%s during an exchange is PROTOCOL" % what)
            t.ok(c.closed(), "and the connection is closed")


def test_no_users():
    srv = tfslib.server()
    with tfslib.Conn(srv.port) as c:
        r = authlib.sign_in(c, "bob", "bob-pw-1")
        t.eq(r[0], "UNSUPPORTED", "AUTH on a server without users")
        t.eq(c.simple(QUIT()), "OK", "the connection stayed usable")


def test_read_only():
    srv = tfslib.server(args=["--users", USERS, "--read-only"])
    lay(srv.root)
    with tfslib.Conn(srv.port) as c:
        r = authlib.sign_in(c, "bob", "bob-pw-1")
        t.eq(r[:3], ("WELCOME", "bob", 1),
             "--read-only: WELCOME says bob may only read here")
        t.eq(c.simple(MKDIR("x")), "DENIED", "--read-only: MKDIR DENIED")


def test_logs(srv):
    time.sleep(0.2)
    log = "".join(srv.log)
    t.ok(' bob STEP "bob" ' in log and ' bob PUT ' in log,
         "log lines name the user", log[-2000:])
    t.ok(" - LIST " in log and ' - AUTH "nobody-here" ' in log,
         "anonymous requests log '-', AUTH the name tried")
    t.ok("AUTH_FAILED:wrong-proof" in log and
         "AUTH_FAILED:unknown-user" in log,
         "failed sign-ins are logged with why")
    t.ok("homes/missing" in log, "a missing home is logged")
    bad = [s for s in SECRETS + ["not-it"] if s in log]
    t.ok(not bad and ",p=" not in log, "no password or proof in the log",
         bad)


def start_fails(args, desc, want):
    r = subprocess.run([tfslib.TFSD, "-f", "-l", "127.0.0.1", "-p", "0",
                        "-r", TMP] + args, capture_output=True, timeout=20,
                       stdin=subprocess.DEVNULL)
    err = r.stderr.decode(errors="replace").strip().splitlines()
    t.ok(r.returncode == 1 and len(err) == 1 and want in err[0],
         desc, "status %d, stderr %r" % (r.returncode, err))


def test_bad_file():
    bad = os.path.join(TMP, "bad")
    shutil.copy(USERS, bad)
    os.chmod(bad, 0o644)
    start_fails(["--users", bad], "a users file others may read: exit 1 "
                "with one line", "bad")
    os.chmod(bad, 0o600)
    with open(bad, "a") as f:
        f.write("broken line\n")
    start_fails(["--users", bad], "a malformed users file: exit 1, "
                "FILE:LINE", "bad:6")
    start_fails(["--users", os.path.join(TMP, "nothere")],
                "a missing users file: exit 1", "nothere")


def test_hup():
    users = os.path.join(TMP, "users-hup")
    shutil.copy(USERS, users)
    os.chmod(users, 0o600)
    srv = tfslib.server(args=["--users", users])
    lay(srv.root)
    authlib.make_users(users, [("gus", "gus-pw-6", "rw", None)])
    srv.signal(signal.SIGHUP)
    ok = False
    deadline = time.monotonic() + 10 * SLOW
    while not ok and time.monotonic() < deadline:
        with tfslib.Conn(srv.port) as c:
            ok = authlib.sign_in(c, "gus", "gus-pw-6")[0] == "WELCOME"
        time.sleep(0.1)
    t.ok(ok, "HUP: a user added to the file may sign in")
    os.chmod(users, 0o644)
    srv.signal(signal.SIGHUP)
    time.sleep(1)
    with tfslib.Conn(srv.port) as c:
        r = authlib.sign_in(c, "gus", "gus-pw-6")
        t.eq(r[0], "WELCOME", "HUP with a broken file: the old users stay")
    t.ok(any("keeping the users" in ln for ln in srv.log),
         "HUP with a broken file is logged", "".join(srv.log[-5:]))


def test_throttle():
    """Failed sign-ins count per address, across workers; no sleep."""
    srv = tfslib.server(args=["--users", USERS, "-w", "3"])
    for i in range(5):
        with tfslib.Conn(srv.port) as c:
            r = authlib.sign_in(c, "bob", "wrong-%d" % i)
        if r[0] != "AUTH_FAILED":
            break
    t.eq(r[0], "AUTH_FAILED", "five wrong passwords on five connections")
    for what in ("the right password", "again, elsewhere"):
        with tfslib.Conn(srv.port) as c:
            t0 = time.monotonic()
            r = authlib.sign_in(c, "bob", "bob-pw-1")
            secs = time.monotonic() - t0
            t.ok(r[0] == "AUTH_FAILED" and b"try again in" in r[1],
                 "then %s: AUTH_FAILED, saying how long to wait" % what,
                 r)
            t.ok(secs < 1 * SLOW, "at once (%.0f ms): no worker sleeps"
                 % (secs * 1000))
            t.eq(c.list("")[0:0], [], "the connection stays usable")
    time.sleep(0.2)
    t.ok(any("no sign-in from this address for 60 s" in ln
             for ln in srv.log), "the block is logged once it begins",
         "".join(srv.log[-5:]))


def test_user_drop():
    """-u: the file must belong to the user the server runs as."""
    if os.geteuid() != 0:
        t.skip("-u nobody", "not root")
        return
    nobody = pwd.getpwnam("nobody")
    tmp = tempfile.mkdtemp(prefix="tfs-drop-")
    os.chmod(tmp, 0o755)
    root = os.path.join(tmp, "root")
    os.mkdir(root)
    os.chmod(root, 0o755)
    users = os.path.join(tmp, "users")
    shutil.copy(USERS, users)
    os.chmod(users, 0o600)
    start_fails(["-u", "nobody", "--users", users, "-r", root],
                "-u nobody with a users file of root's: exit 1", "users")
    os.chown(users, nobody.pw_uid, nobody.pw_gid)
    srv = tfslib.server(args=["-u", "nobody", "--users", users], root=root)
    with tfslib.Conn(srv.port) as c:
        r = authlib.sign_in(c, "bob", "bob-pw-1")
        t.eq(r[0], "WELCOME", "-u nobody with nobody's users file")
    srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)


main = tfslib.server(args=["--users", USERS], anonymous=None)
lay(main.root)
t.run("welcome", test_welcome, main)
t.run("home", test_home, main)
t.run("failures", test_failures, main)
t.run("protocol", test_protocol, main)
t.run("no users", test_no_users)
t.run("read-only", test_read_only)
t.run("bad file", test_bad_file)
t.run("hup", test_hup)
t.run("throttle", test_throttle)
t.run("-u", test_user_drop)
t.run("logs", test_logs, main)
tfslib.check_logs(t)
shutil.rmtree(TMP, ignore_errors=True)
sys.exit(t.done())
