#!/usr/bin/env python3
"""
23-client-signin.py -- the client's sign-in and what it does with a
hostile server, against fake servers (fakesrv.Tree speaks SCRAM-SHA-256
in Python): -u and USER@HOST, the password from --password-file,
TFS_PASSWORD and ~/.netrc (refused when others may read it), the netrc
login for a bare HOST, a wrong password (exit 4, never anonymous), a
server that forges its signature (connection closed, exit 4), refusals
in place of HELLO (DENIED, BUSY: 4; SHUTTING_DOWN: 3), AUTH_REQUIRED
outside the shell (4), a sign-in again after every reconnect, whoami,
login; and names no server should send (/, .., control bytes, empty)
and an endless tree, which never make get -R or mget write outside the
target folder, nor print raw.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakesrv  # noqa: E402
import tfslib  # noqa: E402

t = tfslib.Tap()
work = tempfile.mkdtemp(prefix="tfs-signin-")
home = os.path.join(work, "home")
local = os.path.join(work, "local")
os.mkdir(home)
os.mkdir(local)
RW = fakesrv.R_READ | fakesrv.R_WRITE


def env(**kw):
    e = dict(os.environ, HOME=home)
    e.pop("TFS_PASSWORD", None)
    e.update(kw)
    return e


def err(r):
    return r.stderr.decode(errors="replace")


def out(r):
    return r.stdout.decode(errors="replace")


def run(port, *args, opts=(), host="127.0.0.1", **kw):
    kw.setdefault("env", env())
    kw.setdefault("cwd", local)
    return tfslib.tfs(port, *args, opts=opts, host=host, **kw)


def netrc(text, mode=0o600):
    p = os.path.join(home, ".netrc")
    with open(p, "w") as f:
        f.write(text)
    os.chmod(p, mode)


def no_netrc():
    try:
        os.unlink(os.path.join(home, ".netrc"))
    except FileNotFoundError:
        pass


def serve(tree):
    return fakesrv.FakeServer(tree.serve)


try:
    tree = fakesrv.Tree(users={"bob": ("s3cret", RW),
                               "ro": ("pw", fakesrv.R_READ)},
                        anon=fakesrv.R_READ)
    tree.put_file("a.txt", b"alpha\n")
    fk = serve(tree)
    P = fk.port

    # ---- where the user and the password come from -----------------------
    r = run(P, "whoami", opts=["-u", "bob"],
            env=env(TFS_PASSWORD="s3cret"))
    t.ok(r.returncode == 0 and out(r) == "bob rw\n",
         "-u NAME with TFS_PASSWORD signs in; whoami says 'bob rw'", err(r))
    r = run(P, "whoami", opts=[], env=env(TFS_PASSWORD="pw"),
            host="ro@127.0.0.1")
    t.ok(r.returncode == 0 and out(r) == "ro ro\n",
         "USER@HOST signs in as USER; read-only rights shown as 'ro'",
         err(r))
    pwf = os.path.join(work, "pw.txt")
    with open(pwf, "w") as f:
        f.write("s3cret\nsecond line\n")
    r = run(P, "whoami", opts=["-u", "bob", "--password-file", pwf],
            env=env(TFS_PASSWORD="wrong"))
    t.ok(r.returncode == 0 and out(r) == "bob rw\n",
         "--password-file's first line wins over TFS_PASSWORD", err(r))
    netrc("machine 127.0.0.1 login bob password s3cret\n")
    r = run(P, "whoami")
    t.ok(r.returncode == 0 and out(r) == "bob rw\n",
         "no user: ~/.netrc's machine entry for HOST gives login and "
         "password", err(r))
    r = run(P, "whoami", opts=["-u", "bob"])
    t.ok(r.returncode == 0 and out(r) == "bob rw\n",
         "-u NAME takes its password from ~/.netrc", err(r))
    netrc("machine 127.0.0.1 login bob password s3cret\n", 0o644)
    r = run(P, "whoami")
    t.ok(r.returncode == 4 and ".netrc" in err(r) and out(r) == "",
         "a ~/.netrc others may read is refused: exit 4, not anonymous",
         err(r))
    r = run(P, "whoami", opts=["-u", "bob"])
    t.ok(r.returncode == 4 and ".netrc" in err(r),
         "... also as the password of -u NAME", err(r))
    no_netrc()
    r = run(P, "whoami", opts=["-u", "bob"], host="alice@127.0.0.1")
    t.ok(r.returncode == 2 and "bob" in err(r) and "alice" in err(r),
         "-u and a different USER@ together: bad usage (2)", err(r))
    r = run(P, "whoami", opts=["-u", "bob"], host="bob@127.0.0.1",
            env=env(TFS_PASSWORD="s3cret"))
    t.eq(r.returncode, 0, "-u and the same USER@ agree")
    r = run(P, "whoami", opts=["-u", "bob"])
    t.ok(r.returncode == 4 and "no password" in err(r) and
         "terminal" in err(r), "no password anywhere and no terminal: 4",
         err(r))
    r = run(P, "lpwd", opts=["-u", "bob"])
    t.eq(r.returncode, 0, "a local command needs no password")

    # ---- failures are final --------------------------------------------
    n0 = len(tree.signins)
    r = run(P, "get", "a.txt", opts=["-u", "bob"],
            env=env(TFS_PASSWORD="nope"))
    t.ok(r.returncode == 4 and "AUTH_FAILED" in err(r) and
         not os.path.exists(os.path.join(local, "a.txt")),
         "a wrong password: exit 4, and nothing done as anonymous",
         err(r))
    r = run(P, input="ls\nls\n", opts=["-u", "bob"],
            env=env(TFS_PASSWORD="nope"))
    t.ok(r.returncode == 4 and out(r) == "" and
         err(r).count("AUTH_FAILED") == 1,
         "in a batch, a failed sign-in ends the run (4) at once", err(r))
    r = run(P, "whoami", opts=["-u", "nobody"],
            env=env(TFS_PASSWORD="x"))
    t.eq(r.returncode, 4, "an unknown user: 4")
    t.eq(len(tree.signins), n0, "no sign-in succeeded meanwhile")

    forged = fakesrv.Tree(users={"bob": ("s3cret", RW)}, forge=True)
    forged.put_file("a.txt", b"alpha\n")
    with serve(forged) as fk2:
        r = run(fk2.port, "get", "a.txt", opts=["-u", "bob"],
                env=env(TFS_PASSWORD="s3cret"))
        t.ok(r.returncode == 4 and "prove" in err(r) and
             "closed" in err(r) and
             not os.path.exists(os.path.join(local, "a.txt")),
             "a server whose signature is forged: reported, closed, 4",
             err(r))

    nousers = fakesrv.Tree()
    with serve(nousers) as fk3:
        r = run(fk3.port, "ls", opts=["-u", "bob"],
                env=env(TFS_PASSWORD="x"))
        t.ok(r.returncode == 4 and "UNSUPPORTED" in err(r),
             "a server without users: sign-in fails with 4", err(r))

    # ---- refusals in place of HELLO --------------------------------------
    for code, name, want in ((fakesrv.E_DENIED, "DENIED", 4),
                             (fakesrv.E_BUSY, "BUSY", 4), (16,
                             "SHUTTING_DOWN", 3)):
        def refuse(p, code=code):
            p.send(fakesrv.error(code, b"go away \x1b[31m now"))
        with fakesrv.FakeServer(refuse, send_hello=False) as fk4:
            r = run(fk4.port, "ls")
            t.ok(r.returncode == want and name in err(r) and
                 "go away" in err(r) and "\x1b" not in err(r),
                 "%s in place of HELLO: exit %d with the server's words, "
                 "escaped" % (name, want), err(r))

    # ---- AUTH_REQUIRED outside the shell -----------------------------------
    r = run(P, "mkdir", "x")
    t.ok(r.returncode == 4 and "AUTH_REQUIRED" in err(r),
         "anonymous meeting AUTH_REQUIRED in one command: 4", err(r))
    r = run(P, input="-mkdir x\nls\n")
    t.ok(r.returncode == 0 and "a.txt" in out(r),
         "... on a '-' batch line: reported, the batch goes on", err(r))
    r = run(P, "whoami")
    t.ok(r.returncode == 0 and out(r) == "anonymous ro\n",
         "whoami as anonymous finds its rights by asking: 'anonymous ro'",
         err(r))
    rw = fakesrv.Tree(anon=RW)
    with serve(rw) as fk5:
        r = run(fk5.port, "whoami")
        t.eq(out(r), "anonymous rw\n", "... 'anonymous rw' where it may "
             "write")
        t.eq(rw.root, {}, "... and the probe changed nothing")
    none = fakesrv.Tree(users={"bob": ("s3cret", RW)}, anon=0)
    with serve(none) as fk6:
        r = run(fk6.port, "whoami")
        t.eq(out(r), "anonymous none\n", "... 'anonymous none'")
        r = run(fk6.port, input="login bob\nwhoami\nmkdir made\n",
                env=env(TFS_PASSWORD="s3cret"))
        t.ok(r.returncode == 0 and out(r) == "bob rw\n" and
             "made" in none.root, "login USER in a batch signs in", err(r))
        r = run(fk6.port, input="login bob\nls\n",
                env=env(TFS_PASSWORD="bad"))
        t.ok(r.returncode == 4 and "AUTH_FAILED" in err(r),
             "a failed login in a batch: 4", err(r))

    # ---- every connection of -j N signs in --------------------------------
    many = fakesrv.Tree(users={"bob": ("s3cret", RW)}, anon=0)
    for i in range(6):
        many.put_file("t/f%d.txt" % i, b"x" * (1000 + i))
    with serve(many) as fkj:
        r = run(fkj.port, "get", "-R", "-j", "3", "t", opts=["-u", "bob"],
                env=env(TFS_PASSWORD="s3cret"))
        t.ok(r.returncode == 0 and len(os.listdir(os.path.join(local,
             "t"))) == 6, "get -R -j 3 signed in", err(r))
        t.eq(many.signins, ["bob"] * 4, "... on each of its connections "
             "(the first and three more)")
    shutil.rmtree(os.path.join(local, "t"))

    # ---- a sign-in after every reconnect -----------------------------------
    # The first connection is cut in the middle of a download; --retry
    # makes a new one, which must sign in before it resumes.
    big = os.urandom(3 * 1024 * 1024)
    cut = fakesrv.Tree(users={"bob": ("s3cret", RW)}, anon=0)
    cut.put_file("big.bin", big)
    state = {"n": 0}
    lock = threading.Lock()

    def cutting(p):
        with lock:
            state["n"] += 1
            first = state["n"] == 1
        if not first:
            return cut.serve(p)
        sc = None
        for ty, pl in p.frames():
            r = tfslib.Reader(pl)
            if ty == fakesrv.AUTH_T:
                r.str()
                sc = fakesrv.Scram({"bob": "s3cret"})
                p.send(tfslib.frame(fakesrv.CHALLENGE,
                                    tfslib.s(sc.first(r.str()))))
            elif ty == fakesrv.STEP_T:
                p.send(fakesrv.welcome("bob", RW, sc.final(r.str())))
                cut.signins.append("bob")
            elif ty == tfslib.GET_T:
                p.send(tfslib.frame(tfslib.FILE, tfslib.u64(len(big)) +
                                    tfslib.u64(0)) +
                       tfslib.frame(tfslib.DATA, big[:1 << 20]))
                return
            else:
                p.send(fakesrv.error(fakesrv.E_UNSUPPORTED))
    with fakesrv.FakeServer(cutting) as fk7:
        r = run(fk7.port, "get", "big.bin", opts=["-u", "bob", "--retry",
                                                  "2", "-q"],
                env=env(TFS_PASSWORD="s3cret"))
        got = tfslib.read_file(os.path.join(local, "big.bin")) \
            if os.path.exists(os.path.join(local, "big.bin")) else b""
        t.ok(r.returncode == 0 and got == big,
             "a download cut midway resumes on a new connection", err(r))
        t.eq(cut.signins, ["bob", "bob"], "... which signed in again")
    os.unlink(os.path.join(local, "big.bin"))

    # ---- a hostile server ------------------------------------------------------
    def hostile(path):
        names = [b"../escape", b"a/b", b"..", b".", b"", b"ctl\x1b[2Jx",
                 b"/abs", b"nl\nname", b".tfs-part"]
        return [fakesrv.entry(n, "f", 3) for n in names] + \
            [fakesrv.entry(b"../up", "d")]
    bad = fakesrv.Tree(hostile=hostile)
    bad.put_file("d/ok.txt", b"fine")
    bad.put_file("ok2.txt", b"fine")
    outside = os.path.join(work, "escape")
    with serve(bad) as fk8:
        tgt = os.path.join(local, "h")
        os.mkdir(tgt)
        r = run(fk8.port, "get", "-R", "d", "h")
        found = sorted(os.listdir(os.path.join(tgt, "d")))
        t.ok(found == ["ok.txt"] and not os.path.exists(outside) and
             not os.path.exists(os.path.join(work, "up")),
             "get -R: hostile names never become files", found)
        t.ok("\x1b" not in err(r), "... nor reach the terminal raw",
             err(r))
        r = run(fk8.port, "ls")
        t.ok("\x1b" not in out(r) and "../escape" not in out(r) and
             "ok2.txt" in out(r), "ls shows no hostile name, and nothing "
             "raw", out(r))
        r = run(fk8.port, "mget", "*", cwd=tgt)
        t.ok(not os.path.exists(outside) and
             sorted(os.listdir(tgt)) == ["d", "ok2.txt"],
             "mget * writes nothing outside the target folder",
             os.listdir(tgt))

    endless = fakesrv.Tree(endless=True)
    with serve(endless) as fk9:
        r = run(fk9.port, "get", "-R", "deep", timeout=60)
        t.ok(r.returncode == 1 and "deep" in err(r) and "64" in err(r),
             "an endless tree ends get -R with an error, not a loop",
             err(r)[-500:])
        depth = 0
        p = os.path.join(local, "deep")
        while os.path.isdir(p):
            depth += 1
            p = os.path.join(p, "deeper")
        t.ok(depth <= 65, "... no deeper than 64 levels", depth)
    fk.close()

    # ---- the real tfsd's refusals in place of HELLO --------------------------
    # (skipped while the tfsd at hand parses the options but serves all)
    deny = tfslib.server(args=["--allow", "192.0.2.0/24"])
    r = run(deny.port, "ls")
    if r.returncode == 0:
        t.skip("tfsd --allow: DENIED, exit 4", "tfsd does not refuse yet")
    else:
        t.ok(r.returncode == 4 and "DENIED" in err(r),
             "tfsd --allow without us: DENIED in place of HELLO, exit 4",
             err(r))
    one = tfslib.server(args=["--max-per-ip", "1"])
    with tfslib.Conn(one.port):
        r = run(one.port, "ls", opts=["--timeout", "5"])
    if r.returncode == 0:
        t.skip("tfsd --max-per-ip: BUSY, exit 4", "tfsd does not refuse "
               "yet")
    else:
        t.ok(r.returncode == 4 and "BUSY" in err(r),
             "tfsd --max-per-ip 1, one connection held: BUSY, exit 4",
             err(r))

    # ---- the real tfsd, once it signs users in -----------------------------
    users = os.path.join(work, "users")
    subprocess.run([tfslib.TFSD, "--users", users, "--set-user", "bob"],
                   input=b"s3cret\n", capture_output=True, timeout=30)
    real = None
    try:
        real = tfslib.server(args=["--users", users, "--anonymous",
                                   "none"])
    except (RuntimeError, OSError) as e:
        t.note("tfsd does not start with --users: %s" % e)
    r = run(real.port, "whoami", opts=["-u", "bob"],
            env=env(TFS_PASSWORD="s3cret")) if real else None
    if real is None or "UNSUPPORTED" in err(r):
        t.skip("sign-in against the real tfsd", "it takes no AUTH yet")
    else:
        t.ok(r.returncode == 0 and out(r) == "bob rw\n",
             "tfsd: -u bob signs in; whoami 'bob rw'", err(r))
        r = run(real.port, "whoami", opts=["-u", "bob"],
                env=env(TFS_PASSWORD="wrong"))
        t.ok(r.returncode == 4 and "AUTH_FAILED" in err(r),
             "tfsd: a wrong password exits 4", err(r))
        r = run(real.port, "ls")
        t.ok(r.returncode == 4 and "AUTH_REQUIRED" in err(r),
             "tfsd: anonymous (none) meets AUTH_REQUIRED: 4", err(r))
        r = run(real.port, "whoami")
        t.eq(out(r), "anonymous none\n", "tfsd: whoami as anonymous")
        r = run(real.port, input="mkdir made\nwhoami\n",
                opts=["-u", "bob"], env=env(TFS_PASSWORD="s3cret"))
        t.ok(r.returncode == 0 and os.path.isdir(os.path.join(real.root,
             "made")), "tfsd: signed in, bob may write", err(r))
        # a reconnect after the server restarts signs in again
        # big enough that the socket buffers cannot hold the rest
        data = os.urandom(32 * 1024 * 1024)
        tfslib.write_file(os.path.join(real.root, "big.bin"), data)
        pwf2 = os.path.join(work, "pw2")
        with open(pwf2, "w") as f:
            f.write("s3cret\n")
        p = tfslib.tfs_bg(real.port, "get", "big.bin",
                          opts=["-u", "bob", "--password-file", pwf2,
                                "--retry", "8", "--limit-rate", "6M"],
                          cwd=local)
        time.sleep(1.5)
        real.stop(keep_root=True)
        real.start(port=real.port)
        rc = p.wait(60)
        e = p.stderr.read().decode(errors="replace")
        t.ok(rc == 0 and tfslib.read_file(os.path.join(local,
             "big.bin")) == data and "reconnecting" in e,
             "tfsd: a download across a restart signs in again (anonymous "
             "may not read) and resumes", e)
    tfslib.check_logs(t)
finally:
    shutil.rmtree(work, ignore_errors=True)

sys.exit(t.done())
