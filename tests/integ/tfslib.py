"""
tfslib.py -- helpers for the integration tests: start tfsd on a free
loopback port in a temporary root, speak raw TFS/1 frames, run the tfs
client, wait for processes and conditions, make files, and report TAP
lines.  A test file keeps only its own tests.

Every process started here is stopped by its PID; nothing is killed by
name.  Everything talks to 127.0.0.1 (or ::1) only.
"""

import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
BINDIR = os.path.abspath(os.path.join(TOP, os.environ.get("TFS_BIN", "bin")))
TFSD = os.path.join(BINDIR, "tfsd")
TFS = os.path.join(BINDIR, "tfs")
VALGRIND = os.environ.get("TFS_VALGRIND") == "1"
# Under valgrind everything is 20-50x slower: tests scale waits by this.
SLOW = 20 if VALGRIND else 1


def _sanitized(path):
    """True when the binary at path was built with AddressSanitizer."""
    try:
        with open(path, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


# ASan keeps freed memory in quarantine, so a process's size says nothing
# about leaks there (LeakSanitizer reports them at exit instead).
SANITIZED = _sanitized(TFSD)

# Message types (PROTOCOL.md)
LIST_T, STAT_T, GET_T, PUT_T, DELETE_T, RENAME_T, MKDIR_T, SUM_T, QUIT_T = \
    range(1, 10)
AUTH_T, STEP_T, UTIME_T = 0x0A, 0x0B, 0x0C
DATA, END = 0x20, 0x21
HELLO, OK, ENTRY, FILE, READY, DIGEST, ERROR = \
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x7F
CHALLENGE, WELCOME = 0x46, 0x47
RIGHT_READ, RIGHT_WRITE = 1, 2
FRAME_MAX = 1048576
MiB = 1024 * 1024
RESUME, NOCLOBBER = 1, 2

ERRORS = ["", "NOT_FOUND", "EXISTS", "DENIED", "BAD_PATH", "NOT_A_FILE",
          "NOT_A_DIR", "NOT_EMPTY", "NO_SPACE", "TOO_LARGE", "BUSY", "RANGE",
          "IO", "PROTOCOL", "UNSUPPORTED", "TIMEOUT", "SHUTTING_DOWN",
          "AUTH_FAILED", "AUTH_REQUIRED"]
E = {name: code for code, name in enumerate(ERRORS) if name}

VALGRIND_CMD = ["valgrind", "--quiet", "--vgdb=no", "--leak-check=full",
                "--errors-for-leak-kinds=definite", "--error-exitcode=99",
                "--trace-children=yes", "--child-silent-after-fork=no",
                "--track-fds=no",
                "--suppressions=" + os.path.join(HERE, "valgrind.supp")]


def wrap(cmd):
    """Prefix a command with valgrind when TFS_VALGRIND=1."""
    return VALGRIND_CMD + cmd if VALGRIND else cmd


def run_tfsd(args, timeout=None, env=None, pre=()):
    """Run tfsd (under valgrind when asked); (status, stdout, stderr).
    Output goes to files, not pipes: a daemon that keeps a pipe open
    (valgrind keeps its own copy of stderr in the daemon it follows)
    would hang a reader waiting for the end of it."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        rc = subprocess.run(list(pre) + wrap([TFSD] + args),
                            stdin=subprocess.DEVNULL, stdout=out,
                            stderr=err, env=env,
                            timeout=timeout or 60 * SLOW)
        out.seek(0)
        err.seek(0)
        return (rc.returncode, out.read().decode(errors="replace"),
                err.read().decode(errors="replace"))


# ---- encoding -------------------------------------------------------------

def u8(n): return struct.pack(">B", n)
def u16(n): return struct.pack(">H", n)
def u32(n): return struct.pack(">I", n)
def u64(n): return struct.pack(">Q", n)
def s64(n): return struct.pack(">q", n)


def s(b):
    """A str field: u16 length then the bytes."""
    if isinstance(b, str):
        b = b.encode()
    return u16(len(b)) + b


def frame(t, payload=b""):
    return u8(t) + u32(len(payload)) + payload


def LIST(p): return (LIST_T, s(p))
def STAT(p): return (STAT_T, s(p))
def GET(p, off=0): return (GET_T, s(p) + u64(off))
def PUT(p, size, flags=0): return (PUT_T, s(p) + u64(size) + u8(flags))
def DELETE(p): return (DELETE_T, s(p))
def RENAME(a, b): return (RENAME_T, s(a) + s(b))
def MKDIR(p): return (MKDIR_T, s(p))
def SUM(p): return (SUM_T, s(p))
def QUIT(): return (QUIT_T, b"")
def AUTH(mech, msg): return (AUTH_T, s(mech) + s(msg))
def STEP(msg): return (STEP_T, s(msg))
def UTIME(p, mtime): return (UTIME_T, s(p) + s64(mtime))


# ---- decoding -------------------------------------------------------------

class Reader:
    def __init__(self, b):
        self.b, self.i = b, 0

    def take(self, n):
        if self.i + n > len(self.b):
            raise ValueError("field runs past the payload")
        v = self.b[self.i:self.i + n]
        self.i += n
        return v

    def u8(self): return self.take(1)[0]
    def u16(self): return struct.unpack(">H", self.take(2))[0]
    def u32(self): return struct.unpack(">I", self.take(4))[0]
    def u64(self): return struct.unpack(">Q", self.take(8))[0]
    def s64(self): return struct.unpack(">q", self.take(8))[0]
    def str(self): return self.take(self.u16())

    def end(self):
        if self.i != len(self.b):
            raise ValueError("bytes left over")


def parse_entry(p):
    """ENTRY payload -> dict(kind, size, mtime, mode, name)."""
    r = Reader(p)
    d = dict(kind=chr(r.u8()), size=r.u64(), mtime=r.s64(), mode=r.u32(),
             name=r.str())
    r.end()
    return d


def parse_error(p):
    """ERROR payload -> (name, message)."""
    r = Reader(p)
    code = r.u16()
    msg = r.str()
    r.end()
    name = ERRORS[code] if 0 < code < len(ERRORS) else "code%d" % code
    return name, msg


def parse_u64(p):
    r = Reader(p)
    v = r.u64()
    r.end()
    return v


def parse_file(p):
    """FILE payload -> (size, offset)."""
    r = Reader(p)
    v = (r.u64(), r.u64())
    r.end()
    return v


def parse_digest(p):
    """DIGEST payload -> (algorithm, digest)."""
    r = Reader(p)
    v = (r.str(), r.str())
    r.end()
    return v


class ServerClosed(Exception):
    pass


class Closing:
    """`with X() as x:` calls x.close() at the end of the block."""

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def close_quietly(so):
    """Close a socket, whatever state it is in."""
    try:
        so.close()
    except OSError:
        pass


class Conn(Closing):
    """A raw TFS/1 connection: read HELLO, send and receive frames."""

    def __init__(self, port, host="127.0.0.1", timeout=10 * SLOW,
                 hello=True):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.hello = None
        if hello:
            t, p = self.recv()
            if t != HELLO:
                raise ValueError("first frame is 0x%02x, not HELLO" % t)
            r = Reader(p)
            self.hello = (r.u16(), r.u32(), r.str())
            r.end()

    def send_raw(self, b):
        self.sock.sendall(b)

    def send(self, t, payload=b""):
        self.sock.sendall(frame(t, payload))

    def req(self, msg):
        """Send a request built by LIST(), GET() ..."""
        self.send(*msg)

    def _fill(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(max(65536, n - len(self.buf)))
            if not chunk:
                raise ServerClosed("connection closed by the server")
            self.buf += chunk

    def recv(self):
        """Next frame as (type, payload); ServerClosed at end of stream."""
        self._fill(5)
        t, n = struct.unpack(">BI", self.buf[:5])
        self._fill(5 + n)
        p = self.buf[5:5 + n]
        self.buf = self.buf[5 + n:]
        return t, p

    def closed(self, timeout=5 * SLOW):
        """True when the server closes the connection within timeout."""
        self.sock.settimeout(timeout)
        try:
            while True:
                if self.buf:
                    self.buf = b""
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True

    def expect_error(self):
        """Receive one frame; return the error name, or None if not ERROR."""
        t, p = self.recv()
        if t != ERROR:
            return None
        return parse_error(p)[0]

    def reply(self):
        """Receive one frame: 'OK', the error name, or 'type 0xNN'."""
        t, p = self.recv()
        if t == OK:
            return "OK"
        if t == ERROR:
            return parse_error(p)[0]
        return "type 0x%02x" % t

    def reply_or_closed(self):
        """reply(), or 'closed' when the server closes the connection
        first."""
        try:
            return self.reply()
        except ServerClosed:
            return "closed"

    def answer(self, msg, want, parse):
        """Send a request; parse(payload) of a reply of type want, or the
        error name."""
        self.req(msg)
        t, p = self.recv()
        if t == want:
            return parse(p)
        if t == ERROR:
            return parse_error(p)[0]
        raise ValueError("unexpected frame 0x%02x after request %d" %
                         (t, msg[0]))

    def simple(self, msg):
        """Send a request answered by one frame: 'OK' or the error name."""
        self.req(msg)
        return self.reply()

    def list(self, path=""):
        """LIST -> list of entry dicts, or the error name."""
        self.req(LIST(path))
        out = []
        while True:
            t, p = self.recv()
            if t == ENTRY:
                out.append(parse_entry(p))
            elif t == END:
                if parse_u64(p) != len(out):
                    raise ValueError("END count does not match")
                return out
            elif t == ERROR:
                return parse_error(p)[0]
            else:
                raise ValueError("unexpected frame 0x%02x in LIST" % t)

    def stat(self, path):
        """STAT -> the entry dict, or the error name."""
        return self.answer(STAT(path), ENTRY, parse_entry)

    def get(self, path, offset=0):
        """GET -> the bytes, or the error name (also for an ERROR midway)."""
        head = self.answer(GET(path, offset), FILE, parse_file)
        if not isinstance(head, tuple):
            return head
        size, off = head
        data = []
        got = 0
        while True:
            t, p = self.recv()
            if t == DATA:
                data.append(p)
                got += len(p)
            elif t == END:
                n = parse_u64(p)
                if n != got or n != size - off:
                    raise ValueError("END %d after %d bytes" % (n, got))
                return b"".join(data)
            elif t == ERROR:
                return parse_error(p)[0]
            else:
                raise ValueError("unexpected frame 0x%02x in GET" % t)

    def put_start(self, path, size, flags=0):
        """PUT: the READY offset, or the error name."""
        return self.answer(PUT(path, size, flags), READY, parse_u64)

    def send_data(self, data, chunk=FRAME_MAX):
        """The bytes as DATA frames of chunk bytes at most."""
        for i in range(0, len(data), chunk):
            self.send(DATA, data[i:i + chunk])

    def put(self, path, data, flags=0, chunk=FRAME_MAX, size=None):
        """PUT the bytes; returns 'OK' or the error name."""
        size = len(data) if size is None else size
        off = self.put_start(path, size, flags)
        if not isinstance(off, int):
            return off
        rest = data[off:]
        self.send_data(rest, chunk)
        self.send(END, u64(len(rest)))
        return self.reply()

    def sum(self, path):
        """SUM -> 32 raw bytes, or the error name."""
        r = self.answer(SUM(path), DIGEST, parse_digest)
        if not isinstance(r, tuple):
            return r
        algo, dig = r
        if algo != b"sha256":
            raise ValueError("algorithm %r" % algo)
        return dig

    def close(self):
        close_quietly(self.sock)


# ---- the server -----------------------------------------------------------

# A pool of exactly one worker, for tests that follow one process.
ONE_WORKER = ["-w", "1", "--min-spare", "0", "--max-spare", "1", "-m", "1"]


class Server(Closing):
    """
    tfsd -f on 127.0.0.1 and a free port, in a temporary root.  Anonymous
    connections may write (--anonymous rw), as most tests need, unless
    args say otherwise or anonymous names another setting (None: tfsd's
    own default).
    """

    def __init__(self, args=(), root=None, listen="127.0.0.1",
                 wait=10 * SLOW, env=None, anonymous="rw"):
        self.tmp = None
        if root is None:
            self.tmp, root = temp_dir("tfs-test-", "root")
        self.root = root
        self.args = list(args)
        if anonymous is not None and "--anonymous" not in self.args:
            self.args += ["--anonymous", anonymous]
        self.listen = listen
        self.env = env
        self.port = 0
        self.start(wait)

    def start(self, wait=10 * SLOW, port=None):
        """Start (or start again, on the same port when port is given)."""
        if port is None:
            port = self.port
        cmd = wrap([TFSD, "-f", "-l", self.listen, "-p", str(port),
                    "-r", self.root] + self.args)
        self.errlog = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=self.env)
        self.pid = self.proc.pid
        line = self._read_line(wait)
        if "listening on" not in line:
            self.stop()
            raise RuntimeError("tfsd did not start: %r" % line)
        # "tfsd: listening on 127.0.0.1:PORT root=DIR workers=N"
        addr = line.split("listening on ", 1)[1].split(" ", 1)[0]
        self.port = int(addr.rsplit(":", 1)[1])
        self.line = line
        # Keep draining stderr so the server never blocks on a full pipe.
        import threading
        self.log = list(getattr(self, "early", []))
        self.drain = threading.Thread(target=self._drain, daemon=True)
        self.drain.start()

    def _read_line(self, wait):
        import select
        deadline = time.monotonic() + wait
        buf = b""
        fd = self.proc.stderr.fileno()
        while b"\n" not in buf or b"listening on" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                break
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buf += chunk
        text = buf.decode(errors="replace")
        # lines read with the listening one belong to the log
        self.early = text.split("listening on", 1)[-1].splitlines(True)[1:]
        for ln in text.splitlines():
            if "listening on" in ln:
                return ln
        return text

    def _drain(self):
        for ln in self.proc.stderr:
            self.log.append(ln.decode(errors="replace"))

    def signal(self, sig):
        os.kill(self.pid, sig)

    def workers(self):
        """PIDs of the master's children (its workers)."""
        return children(self.pid)

    def live_workers(self):
        """The workers that are neither gone nor zombies."""
        return [k for k in self.workers() if not gone(k)]

    def wait(self, timeout=10 * SLOW):
        """Wait for the master to exit; its exit status, or None."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, keep_root=False):
        """TERM the master by PID, then KILL if it lingers; returns status."""
        rc = None
        if self.proc.poll() is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                rc = self.proc.wait(10 * SLOW)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                rc = self.proc.wait()
        else:
            rc = self.proc.returncode
        if self.tmp and not keep_root:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return rc

    def problems(self):
        """
        Sanitizer and valgrind reports in the server's log so far (call
        after stop() to see everything): a worker's leak or memory error
        is in its stderr even when no reply showed it.
        """
        import re
        if getattr(self, "drain", None) is not None and \
                self.proc.poll() is not None:
            self.drain.join(5)
        pat = re.compile(r"(AddressSanitizer|LeakSanitizer|"
                         r"UndefinedBehaviorSanitizer|runtime error:|"
                         r"definitely lost in|Invalid (read|write|free)|"
                         r"uninitialised|Syscall param|Mismatched free|"
                         r"overlap in|Process terminating|"
                         r"status (23|99)\b)")
        return [ln for ln in list(getattr(self, "log", []))
                if pat.search(ln)]

    def close(self):
        self.stop()


def temp_dir(prefix, sub):
    """A new temporary folder holding an empty folder sub: (tmp, tmp/sub)."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    path = os.path.join(tmp, sub)
    os.mkdir(path)
    return tmp, path


def write_file(path, data):
    """Write bytes to path, making its folders."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def sparse_file(path, size):
    """A file of size bytes, all zero, that costs no disk."""
    with open(path, "wb") as f:
        f.truncate(size)


def size_of(path):
    """The size of the file at path, -1 when there is none."""
    try:
        return os.path.getsize(path)
    except OSError:
        return -1


def read_pid(path):
    """The number in a pid file, 0 when it is empty, None when unreadable."""
    try:
        with open(path) as f:
            return int(f.read().strip() or "0")
    except (OSError, ValueError):
        return None


def port_of(err):
    """The port in tfsd's "listening on HOST:PORT" line of err, or None."""
    for ln in err.splitlines():
        if "listening on" in ln:
            return int(ln.split("listening on ", 1)[1].split(" ")[0]
                       .rsplit(":", 1)[1])
    return None


def names(lst, sort=False):
    """The names of a Conn.list() result, or its error name as it is."""
    if not isinstance(lst, list):
        return lst
    out = [e["name"] for e in lst]
    return sorted(out) if sort else out


SERVERS = []


def server(*a, **kw):
    """A Server remembered, so that check_logs() looks at its log."""
    srv = Server(*a, **kw)
    SERVERS.append(srv)
    return srv


def check_logs(tap):
    """Stop every server() and fail one test if a log holds a report."""
    bad = []
    for srv in SERVERS:
        srv.stop()
        bad += srv.problems()
    tap.ok(not bad, "no sanitizer or valgrind report in tfsd's log",
           "".join(bad[:20]))


def children(pid):
    """PIDs whose parent is pid (from /proc)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        # The name may hold spaces and parentheses: split after the last ')'.
        fields = st.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            out.append(int(d))
    return out


def proc_state(pid):
    """One-letter state of pid ('Z' for a zombie), or None if gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def proc_kb(pid, key, name="status"):
    """A kB field of /proc/PID/name (VmRSS of status, Private_Dirty of
    smaps_rollup ...), or None."""
    try:
        with open("/proc/%d/%s" % (pid, name)) as f:
            for ln in f:
                if ln.startswith(key + ":"):
                    return int(ln.split()[1])
    except OSError:
        pass
    return None


def proc_fds(pid):
    """How many descriptors pid has open, or None."""
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return None


def proc_cmdline(pid):
    """pid's command line (its title once it set one), or ''."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def gone(pid):
    """Dead: no process, or a zombie left for its parent to reap."""
    return proc_state(pid) in (None, "Z")


def wait_for(cond, timeout, step=0.01):
    """Poll cond() every step s until it is true or timeout s pass;
    returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(step)
    return cond()


def wait_gone(pid, timeout=10 * SLOW):
    return wait_for(lambda: gone(pid), timeout)


def free_port():
    """A port nobody listens on right now (for tests that need one)."""
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


# ---- the client -----------------------------------------------------------

def tfs_cmd(port, args=(), opts=(), host="127.0.0.1"):
    """The command line `tfs [opts] HOST:PORT args...` (under valgrind
    when asked)."""
    target = "[%s]:%d" % (host, port) if ":" in host else \
        "%s:%d" % (host, port)
    return wrap([TFS] + list(opts) + [target] + list(args))


def tfs(port, *args, input=None, timeout=60 * SLOW, host="127.0.0.1",
        opts=(), env=None, cwd=None):
    """Run `tfs [opts] HOST:PORT args...`; returns CompletedProcess (bytes)."""
    if isinstance(input, str):
        input = input.encode()
    return subprocess.run(tfs_cmd(port, args, opts, host), input=input,
                          capture_output=True, timeout=timeout, env=env,
                          cwd=cwd, stdin=None if input is not None
                          else subprocess.DEVNULL)


def tfs_bg(port, *args, opts=(), cwd=None):
    """tfs in the background, its stderr kept; returns the Popen."""
    return subprocess.Popen(tfs_cmd(port, args, opts), cwd=cwd,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def client(port, cwd):
    """tfs() run against port from the folder cwd (unless told cwd=)."""
    def run(*args, **kw):
        kw.setdefault("cwd", cwd)
        return tfs(port, *args, **kw)
    return run


def err(r):
    """What a finished tfs wrote to stderr, as text."""
    return r.stderr.decode(errors="replace")


def out(r):
    """What a finished tfs wrote to stdout, as text."""
    return r.stdout.decode(errors="replace")


# ---- reporting --------------------------------------------------------------

class Tap:
    """TAP lines: ok N - desc / not ok N - desc; done() gives exit status."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, desc), flush=True)
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, desc), flush=True)
            if diag is not None:
                for ln in str(diag).splitlines() or [""]:
                    print("#   " + ln, flush=True)
        return cond

    def eq(self, got, want, desc):
        return self.ok(got == want, desc,
                       "got %r, want %r" % (got, want))

    def skip(self, desc, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, desc, why), flush=True)

    def note(self, text):
        print("# " + text, flush=True)

    def run(self, desc, fn, *a):
        """Run fn; an exception is one failed test, not a crashed script."""
        try:
            fn(*a)
        except Exception as e:  # report and go on with the next test
            self.ok(False, desc, "%s: %s" % (type(e).__name__, e))

    def run_all(self, *fns, logs=False):
        """run() each test function, named after it; then done().  With
        logs, check_logs() first: what the servers of server() logged."""
        for fn in fns:
            self.run(fn.__name__.replace("test_", "", 1).replace("_", " "),
                     fn)
        if logs:
            check_logs(self)
        return self.done()

    def done(self):
        print("# %d passed, %d failed" % (self.n - self.failed, self.failed),
              flush=True)
        return 1 if self.failed else 0
