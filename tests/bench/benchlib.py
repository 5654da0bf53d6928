"""
benchlib.py -- what scripts/bench and scripts/bench-ab share: the peers
(nginx, vsftpd, iperf3), each started from a configuration file of our
own in a temporary folder on a loopback port and stopped by its PID; the
clients that measure a server (tfs, curl, wrk, tfsload); files, the page
cache and private null devices; and statistics over alternating pairs.

A figure is never an absolute time alone: the machine drifts 2-4x within
minutes, so every comparison is made of pairs run back to back, in an
order that alternates from one round to the next, and reported as the
min, median and max of the per-pair ratios.

Nothing here talks to anything but 127.0.0.1.
"""

import json
import os
import signal
import socket
import stat
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "integ"))
from tfslib import proc_cmdline  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "integ"))
import tfslib  # noqa: E402,F401  (re-exported for the scripts)

MIB = 1 << 20
LOG = []
QUIET = [False]


def log(line):
    """Keep every raw line for bench.log; show progress on stderr."""
    LOG.append(line)
    if not QUIET[0]:
        print("bench: " + line, file=sys.stderr, flush=True)


def kv(line):
    """'name a=1 b=2' -> {'a': '1', 'b': '2'}."""
    out = {}
    for tok in line.split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            out[k] = v
    return out


# ---- statistics ----------------------------------------------------------

def spread(xs):
    """(min, median, max) of the values that are not None, or None."""
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return (min(xs), statistics.median(xs), max(xs))


def pair_ratios(a, b):
    """a[i] / b[i] for every round where both were measured."""
    return [x / y for x, y in zip(a, b)
            if x is not None and y is not None and y > 0]


def rotate(items, i):
    """The order of round i: forwards on even rounds, backwards on odd
    ones, so that no contestant always runs first (or always after the
    same one)."""
    items = list(items)
    return items if i % 2 == 0 else items[::-1]


# ---- files, page cache, sinks ---------------------------------------------

def make_file(path, size):
    """size bytes of incompressible data, written quickly."""
    block = os.urandom(MIB)
    with open(path, "wb") as f:
        left = size
        while left > 0:
            n = min(left, MIB)
            f.write(block[:n])
            left -= n


def warm(path):
    """Read a file once so it is in the page cache."""
    with open(path, "rb") as f:
        while f.read(8 * MIB):
            pass


def prefault(tmp, size):
    """
    Write and delete size bytes of scratch file just before a run that
    writes a file.  On a virtual machine that hands freed memory back to
    its host (free page reporting), the first touch of those pages again
    costs a host fault each: page-cache writes then run 10x slower for a
    while, whoever makes them.  Touching them first measures the program,
    not the host; every contestant that writes gets the same treatment.
    """
    path = os.path.join(tmp, "scratch")
    block = bytes(MIB)
    with open(path, "wb") as f:
        for _ in range(size // MIB):
            f.write(block)
    os.unlink(path)


def null_sink(tmp, name="null"):
    """
    A private character device like /dev/null (1,3) for every client's
    output: a client that replaced its output file instead of writing
    into it would only replace this copy.  None when mknod is not
    allowed (not root): then /dev/null itself.
    """
    path = os.path.join(tmp, name)
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError:
        return None
    return path


def is_chardev(path):
    try:
        return stat.S_ISCHR(os.lstat(path).st_mode)
    except OSError:
        return False


def private_dirty(pid):
    """Private_Dirty of pid in KiB (smaps_rollup), or None."""
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for ln in f:
                if ln.startswith("Private_Dirty:"):
                    return int(ln.split()[1])
    except OSError:
        pass
    return None




def load_average():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


# ---- processes -------------------------------------------------------------

def free_port():
    """A loopback port nobody listens on just now."""
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


def wait_port(port, proc, budget=10.0):
    """Wait until 127.0.0.1:port accepts; False if proc died first."""
    end = time.monotonic() + budget
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def stop_pid(proc, sig=signal.SIGTERM, budget=10.0):
    """Stop a process we started, by its PID: sig, then SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.kill(proc.pid, sig)
        proc.wait(budget)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


# CPU seconds (user + system) of the last command timed(): the client's
# cost, which drift disturbs far less than its wall time.
LAST_CPU = [None]


def timed(cmd, timeout=300):
    """Wall seconds of cmd, or None (logged) when it failed or took
    longer than timeout seconds."""
    LAST_CPU[0] = None
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watchdog = threading.Timer(timeout, p.kill)
    watchdog.start()
    try:
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
    finally:
        watchdog.cancel()
    dt = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    p.stderr.close()
    if p.returncode != 0:
        log("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
                                 err.decode(errors="replace").strip()[:300]))
        return None
    LAST_CPU[0] = ru.ru_utime + ru.ru_stime
    return dt


def cpu_seconds(pids):
    """User + system seconds that the processes pids have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / tick


def run_tool(cmd, timeout=120):
    """Run a bench program; its last stdout line parsed as key=value."""
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    line = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    log("%s -> %s%s" % (" ".join(os.path.basename(c) if i == 0 else c
                                 for i, c in enumerate(cmd)),
                        line or "(no output)",
                        (" [exit %d: %s]" % (p.returncode, p.stderr.strip())
                         if p.returncode else "")))
    return kv(line), p.returncode


class Peer:
    """A server started from our own configuration, stopped by PID."""

    name = "peer"

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, self.name)
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.proc = None

    def start(self, cmd, stop_sig=signal.SIGTERM):
        self.stop_sig = stop_sig
        self.errlog = open(os.path.join(self.dir, "stderr"), "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=self.errlog, stderr=self.errlog)
        if not wait_port(self.port, self.proc):
            self.stop()
            with open(os.path.join(self.dir, "stderr"), "rb") as f:
                why = f.read().decode(errors="replace").strip()[-300:]
            raise RuntimeError("%s did not start: %s" % (self.name, why))
        log("%s started, pid %d, port %d" % (self.name, self.proc.pid,
                                             self.port))

    def stop(self):
        stop_pid(self.proc, getattr(self, "stop_sig", signal.SIGTERM))
        self.proc = None
        if getattr(self, "errlog", None):
            self.errlog.close()


NGINX_CONF = """\
# the bench's own nginx: sendfile, keep-alive, no access log
worker_processes %(workers)d;
user root root;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    client_body_temp_path %(dir)s/body;
    proxy_temp_path %(dir)s/proxy;
    fastcgi_temp_path %(dir)s/fastcgi;
    uwsgi_temp_path %(dir)s/uwsgi;
    scgi_temp_path %(dir)s/scgi;
    types { application/octet-stream bin; }
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:%(port)d backlog=1024;
        root %(root)s;
    }
}
"""


class Nginx(Peer):
    """
    nginx with sendfile, one worker per core (as `worker_processes auto`
    would), keep-alive connections never recycled, no access log: what
    a careful administrator serving static files would write.
    """

    name = "nginx"

    def __init__(self, tmp, root, workers=None):
        Peer.__init__(self, tmp)
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF % dict(dir=self.dir, port=self.port,
                                      root=root,
                                      workers=workers or os.cpu_count()))
        self.start(["nginx", "-p", self.dir, "-c", conf, "-g",
                    "daemon off; master_process on;"], signal.SIGQUIT)

    def url(self, path):
        return "http://127.0.0.1:%d/%s" % (self.port, path)


VSFTPD_CONF = """\
# the bench's own vsftpd: anonymous, sendfile, uploads into up/
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=%(port)d
background=NO
anonymous_enable=YES
anon_root=%(root)s
no_anon_password=YES
write_enable=YES
anon_upload_enable=YES
anon_other_write_enable=YES
local_enable=NO
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=%(pmin)d
pasv_max_port=%(pmax)d
secure_chroot_dir=%(empty)s
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
xferlog_enable=NO
dirmessage_enable=NO
use_sendfile=YES
max_clients=0
max_per_ip=0
"""


class Vsftpd(Peer):
    """
    vsftpd serving an anonymous root (root's, not writable: vsftpd
    insists) whose up/ folder the ftp user may write; sendfile on.  Its
    sandboxes that need namespaces are off, as a container has none.
    """

    name = "vsftpd"

    def __init__(self, tmp, files):
        Peer.__init__(self, tmp)
        self.root = os.path.join(self.dir, "root")
        empty = os.path.join(self.dir, "empty")
        up = os.path.join(self.root, "up")
        for d in (self.root, empty, up):
            os.makedirs(d, exist_ok=True)
        os.chmod(self.root, 0o755)
        os.chmod(empty, 0o755)
        try:
            import pwd
            ftp = pwd.getpwnam("ftp")
            os.chown(up, ftp.pw_uid, ftp.pw_gid)
        except (KeyError, OSError):
            os.chmod(up, 0o777)
        for f in files:
            os.link(f, os.path.join(self.root, os.path.basename(f)))
        pmin = 20000 + (self.port % 20000)
        conf = os.path.join(self.dir, "vsftpd.conf")
        with open(conf, "w") as f:
            f.write(VSFTPD_CONF % dict(port=self.port, root=self.root,
                                       empty=empty, pmin=pmin,
                                       pmax=pmin + 200))
        self.start(["vsftpd", conf])

    def url(self, path):
        return "ftp://127.0.0.1:%d/%s" % (self.port, path)

    def uploaded(self, name):
        return os.path.join(self.root, "up", name)


class Iperf3(Peer):
    """iperf3 -s on loopback, with its defaults: the streaming ceiling."""

    name = "iperf3"

    def __init__(self, tmp):
        Peer.__init__(self, tmp)
        self.start(["iperf3", "-s", "-B", "127.0.0.1", "-p",
                    str(self.port)])

    def run(self, size):
        """MB/s received for size bytes over one connection, or None."""
        p = subprocess.run(["iperf3", "-c", "127.0.0.1", "-p",
                            str(self.port), "-n", str(size), "-J"],
                           capture_output=True, text=True, timeout=120)
        try:
            d = json.loads(p.stdout)
            mbps = d["end"]["sum_received"]["bits_per_second"] / 8e6
        except (ValueError, KeyError, TypeError):
            log("iperf3 -c: exit %d: %s" % (p.returncode,
                                             p.stdout[-300:].strip()))
            return None
        log("iperf3 -n %d: %.0f MB/s" % (size, mbps))
        return mbps


class Tfsd:
    """
    tfsd -f from a bin folder (bin/ unless told), on a free loopback
    port, its log drained so that it never blocks; stopped by its PID.
    """

    def __init__(self, root, args, bindir=None):
        self.bindir = bindir or tfslib.BINDIR
        self.tfsd = os.path.join(self.bindir, "tfsd")
        self.tfs = os.path.join(self.bindir, "tfs")
        self.proc = subprocess.Popen(
            [self.tfsd, "-f", "-l", "127.0.0.1", "-p", "0", "-r", root] +
            list(args), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.pid = self.proc.pid
        self.port = 0
        self.log = []
        # "tfsd: listening on 127.0.0.1:PORT root=DIR workers=N"
        for ln in self.proc.stderr:
            ln = ln.decode(errors="replace")
            self.log.append(ln)
            if "listening on" in ln:
                addr = ln.split("listening on ", 1)[1].split(" ", 1)[0]
                self.port = int(addr.rsplit(":", 1)[1])
                break
        if self.port == 0:
            self.stop()
            raise RuntimeError("tfsd did not start: %s" %
                               "".join(self.log)[-300:])
        self.drain = threading.Thread(target=self._drain, daemon=True)
        self.drain.start()

    def _drain(self):
        for ln in self.proc.stderr:
            self.log.append(ln.decode(errors="replace"))

    def workers(self):
        """PIDs of the master's children (its workers)."""
        return tfslib.children(self.pid)

    def idle_workers(self):
        """Workers whose process title says idle (all if none do)."""
        kids = self.workers()
        idle = [k for k in kids if "idle" in proc_cmdline(k)]
        return idle if idle else kids

    def addr(self):
        return "127.0.0.1:%d" % self.port

    def stop(self):
        stop_pid(self.proc)


# tfsd as the bench runs it: quiet, anyone may write, any number of
# connections from one address (every client here is 127.0.0.1), and no
# fsync unless asked (the peers do not fsync either).
TFSD_BASE = ["-q", "--anonymous", "rw", "--max-per-ip", "0"]


# ---- clients ----------------------------------------------------------------

def mbps(size, dt):
    return size / dt / 1e6 if dt else None


def wrk(url, conns, secs, close=False):
    """Requests/s of wrk -t1 (tfsload's one thread), or None."""
    cmd = ["wrk", "-t1", "-c%d" % conns, "-d%ds" % secs, url]
    if close:
        cmd[1:1] = ["-H", "Connection: close"]
    p = subprocess.run(cmd, capture_output=True, text=True,
                       timeout=secs + 60)
    rps = errs = None
    for ln in p.stdout.splitlines():
        ln = ln.strip()
        if ln.startswith("Requests/sec:"):
            rps = float(ln.split()[1])
        elif ln.startswith("Non-2xx") or ln.startswith("Socket errors"):
            errs = ln
    log("wrk%s -c%d %s -> %s%s" % (" close" if close else "", conns, url,
                                   "%.0f req/s" % rps if rps else "failed",
                                   " (%s)" % errs if errs else ""))
    if p.returncode != 0 or (errs and errs.startswith("Non-2xx")):
        return None
    return rps


def tfs_get(srv, sink, name="big"):
    """Seconds of `tfs -q get name SINK` (a device: the bytes go nowhere)."""
    return timed([srv.tfs, "-q", srv.addr(), "get", name, sink])


def tfs_put(srv, path, name, root):
    """Seconds of `tfs -q put path name`, None unless all of it landed."""
    dt = timed([srv.tfs, "-q", srv.addr(), "put", path, name])
    dst = os.path.join(root, name)
    ok = dt is not None and os.path.exists(dst) and \
        os.path.getsize(dst) == os.path.getsize(path)
    if os.path.exists(dst):
        os.unlink(dst)
    return dt if ok else None


def tfsload(port, conns, secs, extra=(), path="small", size=4096):
    """ops/s of build/bench/tfsload (one thread, as wrk -t1), or None."""
    d, rc = run_tool([os.path.join(BENCH_BIN, "tfsload"), "-p", str(port),
                      "-f", path, "-s", str(size), "-c", str(conns),
                      "-d", str(secs), "-w", "0"] + list(extra))
    if rc != 0 or "ops_per_s" not in d or int(d.get("bad", "0")):
        return None
    return float(d["ops_per_s"])


BENCH_BIN = os.path.join(TOP, os.environ.get("TFS_BENCH_BIN",
                                             os.path.join("build", "bench")))
