#!/usr/bin/env python3
"""
22-client-pty.py -- the interactive shell of tfs through a pseudo-
terminal: the prompt, Tab completion of commands, remote files (names
with spaces quoted) and folders, get with the progress bar's final line,
ls, Ctrl-C clearing the line at the prompt and aborting a long transfer
(the partial kept, the prompt back), the bar fitted to a resized window,
"- stalled -", history kept across sessions, Ctrl-D exiting 0, exit
status 3 when the connection cannot be made again, and AUTH_REQUIRED
met by asking for a user and a password (a fake server).
"""

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakesrv  # noqa: E402
import tfslib  # noqa: E402

t = tfslib.Tap()
work, local = tfslib.temp_dir("tfs-pty-", "local")
state = os.path.join(work, "state")
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


class Shell:
    """tfs on a pseudo-terminal: send keys, wait for output."""

    def __init__(self, port, opts=(), cols=100, args=()):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(local)
            env = dict(os.environ, HOME=work, XDG_STATE_HOME=state,
                       TERM="xterm", INPUTRC="/dev/null")
            cmd = tfslib.tfs_cmd(port, args, opts)
            try:
                os.execvpe(cmd[0], cmd, env)
            finally:
                os._exit(127)   # never run the rest of the test twice
        self.resize(cols)
        self.buf = b""
        self.status = None

    def resize(self, cols, rows=30):
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ,
                    struct.pack("HHHH", rows, cols, 0, 0))

    def send(self, b):
        os.write(self.fd, b)

    def _read(self, wait):
        r, _, _ = select.select([self.fd], [], [], wait)
        if not r:
            return True
        try:
            c = os.read(self.fd, 65536)
        except OSError:
            return False
        if not c:
            return False
        self.buf += c
        return True

    def expect(self, pattern, timeout=20):
        """Wait for regex pattern (bytes) in the output since the last
        match; returns the text up to the end of the match, or None."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout * tfslib.SLOW
        while True:
            m = rx.search(self.buf)
            if m:
                got = self.buf[:m.end()]
                self.buf = self.buf[m.end():]
                return got
            left = end - time.monotonic()
            if left <= 0 or not self._read(min(left, 0.2)):
                if not rx.search(self.buf):
                    return None

    def wait(self, timeout=10):
        end = time.monotonic() + timeout * tfslib.SLOW
        while time.monotonic() < end:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(st)
                return self.status
            self._read(0.1)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        return None

    def close(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
        os.close(self.fd)


srv = tfslib.Server()
root = srv.root
tfslib.write_file(os.path.join(root, "hello.txt"), b"hello\n")
tfslib.write_file(os.path.join(root, "my file.txt"), b"spaces\n")
tfslib.write_file(os.path.join(root, "docs", "inner.txt"), b"inner\n")
tfslib.sparse_file(os.path.join(root, "big.bin"), 256 * tfslib.MiB)
PROMPT = rb"tfs 127\.0\.0\.1:/> "
sh = None
try:
    sh = Shell(srv.port, opts=["--limit-rate", "8M"])
    t.ok(sh.expect(PROMPT) is not None, "the shell shows 'tfs HOST:/> '",
         sh.buf[:3000])

    sh.send(b"mkd\t")
    t.ok(sh.expect(rb"mkdir ") is not None, "Tab completes a command name")
    sh.send(b"\x03")
    t.ok(sh.expect(PROMPT) is not None, "Ctrl-C at the prompt gives a "
         "fresh line")
    sh.send(b"pwd\r")
    got = sh.expect(PROMPT)
    t.ok(got is not None and b"\r/\r\n" in ANSI.sub(b"", got) and
         b"mkdir" not in got,
         "... and the cleared text is not run", got)

    sh.send(b"get hel\t")
    t.ok(sh.expect(rb"get hello\.txt ") is not None,
         "Tab completes a remote file name")
    sh.send(b"\r")
    got = sh.expect(PROMPT)
    t.ok(got is not None and re.search(
        rb"hello\.txt \S+ in \d+:\d\d \(\S+/s\)", ANSI.sub(b"", got)),
        "get shows the progress bar's final line: size, time, rate", got)
    t.ok(os.path.exists(os.path.join(local, "hello.txt")),
         "get fetched the file")

    sh.send(b"get my\t")
    t.ok(sh.expect(rb"get my\\ file\.txt ") is not None,
         "a remote name with a space is completed quoted")
    sh.send(b"\r")
    sh.expect(PROMPT)
    t.ok(os.path.exists(os.path.join(local, "my file.txt")),
         "... and the quoted name works")

    sh.send(b"cd do\t")
    t.ok(sh.expect(rb"cd docs/") is not None, "Tab completes a folder "
         "with its '/'")
    sh.send(b"\r")
    t.ok(sh.expect(rb"tfs 127\.0\.0\.1:/docs> ") is not None,
         "cd shows in the prompt")
    sh.send(b"ls\r")
    got = sh.expect(rb"tfs 127\.0\.0\.1:/docs> ")
    t.ok(got is not None and b"inner.txt" in got, "ls lists the folder")

    # the cache of a folder is dropped after a change in it
    sh.send(b"cd /\r")
    sh.expect(PROMPT)
    sh.send(b"cd ne\t")
    sh.send(b"\x03")
    sh.expect(PROMPT)
    sh.send(b"mkdir newdir\r")
    sh.expect(PROMPT)
    sh.send(b"cd ne\t")
    t.ok(sh.expect(rb"cd newdir/") is not None,
         "completion sees a folder made since it last listed")
    sh.send(b"\x03")
    sh.expect(PROMPT)

    os.mkdir(os.path.join(local, "localdir"))
    sh.send(b"lcd loc\t")
    t.ok(sh.expect(rb"lcd localdir/") is not None,
         "Tab completes a local folder where a command takes one")
    sh.send(b"\x03")
    sh.expect(PROMPT)

    sh.send(b"mget *.txt\r")
    got = sh.expect(PROMPT)
    t.ok(got is not None and re.search(rb"total: 2 files, \S+ in \d+:\d\d",
                                       ANSI.sub(b"", got)),
         "a multi-file transfer ends with a total line", got)

    sh.send(b"lls\r")
    got = sh.expect(PROMPT)
    t.ok(got is not None and b"hello.txt" in got, "lls")
    sh.send(b"get -r b\t")
    t.ok(sh.expect(rb"get -r big\.bin ") is not None,
         "completion skips a command's options")
    sh.send(b"\r")
    t.ok(sh.expect(rb"big\.bin +\[[=> ]+\] +\d+%", 15) is not None,
         "a long get shows a bar: name, bar, percent")
    sh.expect(rb"/s")
    sh.resize(60)
    time.sleep(1.2)
    sh._read(0.3)
    tail = ANSI.sub(b"", sh.buf).split(b"\r")
    frames = [x for x in tail[1:-1] if b"%" in x][-3:]
    t.ok(frames and all(len(x) <= 59 for x in frames),
         "after the window shrinks the bar fits in it",
         [len(x) for x in frames])
    sh.send(b"\x03")
    got = sh.expect(PROMPT, 15)
    t.ok(got is not None and b"interrupted" in got,
         "Ctrl-C aborts the transfer and the prompt comes back", got)
    t.ok(os.path.getsize(os.path.join(local, ".big.bin.tfs-part")) > 0
         and not os.path.exists(os.path.join(local, "big.bin")),
         "... keeping the partial file, nothing under the final name")
    sh.send(b"lpwd\r")
    got = sh.expect(PROMPT)
    t.ok(got is not None and local.encode() in got,
         "the shell goes on after an aborted transfer")
    sh.send(b"!sleep 30\r")
    time.sleep(0.5)
    sh.send(b"\x03")
    time.sleep(0.2)
    sh.send(b"\x03")
    t.ok(sh.expect(PROMPT) is not None,
         "Ctrl-C (twice) during !COMMAND stops the command, not the shell")
    time.sleep(0.5)
    sh._read(0.2)
    sh.buf = b""
    sh.send(b"ls hello.txt\r")
    got = sh.expect(PROMPT)
    t.ok(got is not None and b"hello.txt" in got,
         "the connection is made again for the next command")

    sh.send(b"\x04")
    t.eq(sh.wait(), 0, "Ctrl-D exits 0")
    sh.close()
    hist = os.path.join(state, "tfs", "history")
    t.ok(os.path.exists(hist) and b"get hello.txt" in open(hist,
         "rb").read(), "history is kept in $XDG_STATE_HOME/tfs/history")

    # history comes back in the next session
    sh = Shell(srv.port)
    sh.expect(PROMPT)
    sh.send(b"\x1b[A")
    t.ok(sh.expect(rb"ls hello\.txt") is not None,
         "the next session recalls the last line with Up")
    sh.send(b"\x03")
    # rm -r asks once in the shell; -f does not ask
    tfslib.write_file(os.path.join(root, "rmme", "a", "b.txt"), b"b")
    sh.send(b"rm -r rmme\r")
    got = sh.expect(rb"remove rmme and all it holds\? \[y/N\] ")
    t.ok(got is not None, "rm -r asks once in the shell", sh.buf[-300:])
    sh.send(b"n\r")
    sh.expect(PROMPT)
    t.ok(os.path.exists(os.path.join(root, "rmme", "a", "b.txt")),
         "... and 'n' removes nothing")
    sh.send(b"rm -rf rmme\r")
    got = sh.expect(PROMPT)
    t.ok(got is not None and b"[y/N]" not in got and
         not os.path.exists(os.path.join(root, "rmme")),
         "rm -rf removes without asking", got)

    sh.expect(PROMPT, 1)
    sh.send(b"quit\r")
    t.eq(sh.wait(), 0, "quit exits 0")
    sh.close()

    # the connection lost and not to be made again: 3
    s2 = tfslib.Server()
    sh = Shell(s2.port)
    sh.expect(PROMPT)
    s2.stop()
    sh.send(b"ls\r")
    t.eq(sh.wait(), 3, "the server gone for good: the shell exits 3")
    sh.close()

    # a transfer that stops moving says so after 5 s
    def stall(pe):
        for f in pe.frames():
            if f[0] == tfslib.GET_T:
                pe.send(tfslib.frame(tfslib.FILE, tfslib.u64(1 << 24) +
                                     tfslib.u64(0)) +
                        tfslib.frame(tfslib.DATA, b"x" * 65536))
                time.sleep(20)
                return
    with fakesrv.FakeServer(stall) as fk:
        sh = Shell(fk.port, args=["get", "s.bin"])
        got = sh.expect(rb"- stalled -", 12)
        t.ok(got is not None, "'- stalled -' after 5 s without bytes")
        sh.send(b"\x03")
        t.eq(sh.wait(), 1, "Ctrl-C of a one-command get exits 1")
        sh.close()

    # AUTH_REQUIRED at the prompt: a user and a password are asked for,
    # then the command runs again, signed in
    tree = fakesrv.Tree(users={"bob": ("s3cret", 3)}, anon=1)
    with fakesrv.FakeServer(tree.serve) as fk:
        sh = Shell(fk.port)
        sh.expect(PROMPT)
        sh.send(b"mkdir made\r")
        got = sh.expect(rb"asks to sign in; user[^:]*: ")
        t.ok(got is not None and b"AUTH_REQUIRED" in got,
             "AUTH_REQUIRED in the shell asks for a user", got)
        sh.send(b"bob\r")
        got = sh.expect(rb"Password for bob@127\.0\.0\.1: ")
        t.ok(got is not None, "... then for the password", sh.buf[-300:])
        sh.send(b"s3cret\r")
        got = sh.expect(PROMPT)
        t.ok(got is not None and b"s3cret" not in got and
             "made" in tree.root, "... signs in (no echo) and runs the "
             "command again", got)
        sh.send(b"whoami\r")
        got = sh.expect(PROMPT)
        t.ok(got is not None and b"bob rw" in got, "whoami: bob rw", got)
        sh.send(b"quit\r")
        t.eq(sh.wait(), 0, "quit exits 0")
        sh.close()
        sh = Shell(fk.port)
        sh.expect(PROMPT)
        sh.send(b"mkdir made2\r")
        sh.expect(rb"asks to sign in; user[^:]*: ")
        sh.send(b"bob\r")
        sh.expect(rb"Password for bob@127\.0\.0\.1: ")
        sh.send(b"wrong\r")
        got = sh.expect(PROMPT)
        t.ok(got is not None and b"AUTH_FAILED" in got and
             "made2" not in tree.root, "a wrong password at the prompt "
             "is reported; the command is not run", got)
        sh.send(b"whoami\r")
        got = sh.expect(PROMPT)
        t.ok(got is not None and b"anonymous ro" in got,
             "... and the shell stays, anonymous", got)
        sh.send(b"quit\r")
        t.eq(sh.wait(), 0, "quit exits 0")
        sh.close()
finally:
    if sh is not None and sh.status is None:
        sh.close()
    srv.stop()
    shutil.rmtree(work, ignore_errors=True)

sys.exit(t.done())
