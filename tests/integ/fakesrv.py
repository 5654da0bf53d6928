"""
fakesrv.py -- a scripted stand-in for tfsd, for the client's tests: it
listens on 127.0.0.1, and each connection runs a Python function that
reads the client's frames and answers whatever the test wants, malformed
or hostile replies included.  Threads only; nothing to kill afterwards.
"""

import socket
import struct
import threading

import tfslib


def hello(version=1, max_payload=tfslib.FRAME_MAX, name=b"fake"):
    return tfslib.frame(tfslib.HELLO, tfslib.u16(version) +
                        tfslib.u32(max_payload) + tfslib.s(name))


def entry(name, kind="f", size=0, mtime=0, mode=0o644):
    return tfslib.frame(tfslib.ENTRY, tfslib.u8(ord(kind)) +
                        tfslib.u64(size) + tfslib.s64(mtime) +
                        tfslib.u32(mode) + tfslib.s(name))


def error(code, text=b"x"):
    return tfslib.frame(tfslib.ERROR, tfslib.u16(code) + tfslib.s(text))


class Peer:
    """The server side of one connection."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def send(self, b):
        self.sock.sendall(b)

    def recv(self):
        """Next frame (type, payload), or None at end of stream."""
        while len(self.buf) < 5:
            c = self.sock.recv(65536)
            if not c:
                return None
            self.buf += c
        t, n = struct.unpack(">BI", self.buf[:5])
        while len(self.buf) < 5 + n:
            c = self.sock.recv(65536)
            if not c:
                return None
            self.buf += c
        p = self.buf[5:5 + n]
        self.buf = self.buf[5 + n:]
        return t, p

    def frames(self):
        """The client's frames (type, payload) until it closes."""
        while True:
            f = self.recv()
            if f is None:
                return
            yield f


class FakeServer(tfslib.Closing):
    """Accept connections on a free port; run script(peer) for each."""

    def __init__(self, script, send_hello=True, accept=True):
        self.script = script
        self.send_hello = send_hello
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.port = self.lsock.getsockname()[1]
        self.conns = []
        self.done = False
        if accept:
            threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while not self.done:
            try:
                s, _ = self.lsock.accept()
            except OSError:
                return
            self.conns.append(s)
            threading.Thread(target=self._run, args=(s,),
                             daemon=True).start()

    def _run(self, s):
        try:
            p = Peer(s)
            if self.send_hello:
                p.send(hello())
            self.script(p)
        except OSError:
            pass
        finally:
            tfslib.close_quietly(s)

    def close(self):
        self.done = True
        for s in [self.lsock] + self.conns:
            tfslib.close_quietly(s)


# ---- sign-in and a small file tree, for the client's tests ------------------

AUTH_T, STEP_T, UTIME_T = 0x0A, 0x0B, 0x0C
CHALLENGE, WELCOME = 0x46, 0x47
E_DENIED, E_NOT_FOUND, E_EXISTS, E_NOT_A_DIR = 3, 1, 2, 6
E_NOT_A_FILE, E_NOT_EMPTY, E_UNSUPPORTED = 5, 7, 14
E_AUTH_FAILED, E_AUTH_REQUIRED, E_BUSY = 17, 18, 10
R_READ, R_WRITE = 1, 2


def welcome(user, rights, msg=b""):
    return tfslib.frame(WELCOME, tfslib.s(user) + tfslib.u8(rights) +
                        tfslib.s(msg))


def scram_keys(password, salt, iters):
    """(StoredKey, ServerKey, ClientKey) of RFC 5802 for a password."""
    import hashlib
    import hmac
    sp = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iters)
    ck = hmac.new(sp, b"Client Key", "sha256").digest()
    sk = hmac.new(sp, b"Server Key", "sha256").digest()
    return hashlib.sha256(ck).digest(), sk, ck


class Scram:
    """
    The server's side of one SCRAM-SHA-256 exchange.  users maps a name
    to a password; forge makes the server-final message's signature
    wrong (a server that does not know the password).
    """

    def __init__(self, users, forge=False, iters=4096):
        self.users, self.forge, self.iters = users, forge, iters

    def first(self, msg):
        """client-first-message -> server-first-message (or None)."""
        import base64
        import os as _os
        if not msg.startswith(b"n,,"):
            return None
        self.cfb = msg[3:]
        attrs = dict(a.split(b"=", 1) for a in self.cfb.split(b","))
        self.user = attrs.get(b"n", b"").decode()
        self.salt = b"salt-of-" + self.user.encode()
        self.nonce = attrs[b"r"] + base64.b64encode(_os.urandom(18))
        self.sf = b"r=" + self.nonce + b",s=" + \
            base64.b64encode(self.salt) + b",i=" + str(self.iters).encode()
        return self.sf

    def final(self, msg):
        """client-final-message -> server-final-message, or None."""
        import base64
        import hashlib
        import hmac
        import os as _os
        if self.user not in self.users:
            return None
        stored, skey, _ = scram_keys(self.users[self.user], self.salt,
                                     self.iters)
        without, _, proof = msg.rpartition(b",p=")
        am = self.cfb + b"," + self.sf + b"," + without
        csig = hmac.new(stored, am, "sha256").digest()
        ck = bytes(a ^ b for a, b in zip(base64.b64decode(proof), csig))
        if hashlib.sha256(ck).digest() != stored:
            return None
        sig = hmac.new(skey, am, "sha256").digest()
        if self.forge:
            sig = _os.urandom(32)
        return b"v=" + base64.b64encode(sig)


class Tree:
    """
    A small file server in memory, safe across connections: files are
    bytes, folders dicts.  users maps name -> (password, rights); anon
    is what an anonymous connection may do (R_READ | R_WRITE bits).
    hostile, when set, is a function(path) -> list of extra ENTRY frames
    for LIST of path (names no server should send).  endless makes every
    folder hold one more folder, for ever.  Counts the bytes of GET and
    PUT bodies in .sent and .received, and the sign-ins in .signins.
    """

    def __init__(self, users=None, anon=R_READ | R_WRITE, forge=False,
                 hostile=None, endless=False):
        self.root = {}
        self.mtimes = {}
        self.users = users or {}
        self.anon = anon
        self.forge = forge
        self.hostile = hostile
        self.endless = endless
        self.sent = self.received = 0
        self.signins = []
        self.lock = threading.Lock()

    # -- the tree ----------------------------------------------------------
    def node(self, path):
        if self.endless:
            return {}
        n = self.root
        for c in [c for c in path.split("/") if c]:
            if not isinstance(n, dict) or c not in n:
                return None
            n = n[c]
        return n

    def parent(self, path):
        head, _, name = path.rpartition("/")
        return self.node(head), name

    def put_file(self, path, data, mtime=1000000000):
        """A file (bytes) or a folder ({}), its folders made."""
        d = self.root
        parts = path.split("/")
        for c in parts[:-1]:
            d = d.setdefault(c, {})
        name = parts[-1]
        d[name] = data
        self.mtimes[path] = mtime

    def entry_of(self, name, n, path):
        kind = "d" if isinstance(n, dict) else "f"
        size = 0 if kind == "d" else len(n)
        return entry(name, kind, size, self.mtimes.get(path, 1000000000),
                     0o755 if kind == "d" else 0o644)

    # -- one connection ------------------------------------------------------
    def serve(self, p):
        rights, user, sc = self.anon, None, None
        for t, pl in p.frames():
            r = tfslib.Reader(pl)
            if t == tfslib.QUIT_T:
                p.send(tfslib.frame(tfslib.OK))
                return
            if t == AUTH_T:
                mech, msg = r.str(), r.str()
                if not self.users:
                    p.send(error(E_UNSUPPORTED))
                    continue
                sc = Scram({u: pw for u, (pw, _) in self.users.items()},
                           self.forge)
                p.send(tfslib.frame(CHALLENGE, tfslib.s(sc.first(msg))))
                continue
            if t == STEP_T:
                fin = sc.final(r.str()) if sc else None
                if fin is None:
                    p.send(error(E_AUTH_FAILED, b"no"))
                    continue
                user, rights = sc.user, self.users[sc.user][1]
                with self.lock:
                    self.signins.append(user)
                p.send(welcome(user, rights, fin))
                continue
            path = r.str().decode("utf-8", "replace")
            need = R_WRITE if t in (tfslib.PUT_T, tfslib.DELETE_T,
                                    tfslib.RENAME_T, tfslib.MKDIR_T,
                                    UTIME_T) else R_READ
            if need & ~rights:
                p.send(error(E_AUTH_REQUIRED if user is None else E_DENIED))
                continue
            with self.lock:
                self.request(p, t, r, path)

    def request(self, p, t, r, path):
        n = self.node(path)
        if t == tfslib.LIST_T:
            if n is None:
                return p.send(error(E_NOT_FOUND))
            if not isinstance(n, dict):
                return p.send(error(E_NOT_A_DIR))
            out = []
            if self.endless:
                out.append(entry("deeper", "d"))
            for name in sorted(n):
                full = (path + "/" + name).lstrip("/")
                out.append(self.entry_of(name, n[name], full))
            if self.hostile:
                out += self.hostile(path)
            p.send(b"".join(out) + tfslib.frame(tfslib.END,
                                                tfslib.u64(len(out))))
        elif t == tfslib.STAT_T:
            if n is None:
                return p.send(error(E_NOT_FOUND))
            p.send(self.entry_of(path.rpartition("/")[2], n, path))
        elif t == tfslib.GET_T:
            off = r.u64()
            if n is None:
                return p.send(error(E_NOT_FOUND))
            if isinstance(n, dict):
                return p.send(error(E_NOT_A_FILE))
            body = n[off:]
            self.sent += len(body)
            out = [tfslib.frame(tfslib.FILE, tfslib.u64(len(n)) +
                                tfslib.u64(off))]
            for i in range(0, len(body), 65536):
                out.append(tfslib.frame(tfslib.DATA, body[i:i + 65536]))
            out.append(tfslib.frame(tfslib.END, tfslib.u64(len(body))))
            p.send(b"".join(out))
        elif t == tfslib.PUT_T:
            self.put(p, r, path)
        elif t == tfslib.MKDIR_T:
            d, name = self.parent(path)
            if not isinstance(d, dict):
                return p.send(error(E_NOT_FOUND))
            if name in d:
                return p.send(error(E_EXISTS))
            d[name] = {}
            p.send(tfslib.frame(tfslib.OK))
        elif t == tfslib.DELETE_T:
            d, name = self.parent(path)
            if not isinstance(d, dict) or name not in d:
                return p.send(error(E_NOT_FOUND))
            if isinstance(d[name], dict) and d[name]:
                return p.send(error(E_NOT_EMPTY))
            del d[name]
            p.send(tfslib.frame(tfslib.OK))
        elif t == tfslib.RENAME_T:
            to = r.str().decode()
            d, name = self.parent(path)
            d2, name2 = self.parent(to)
            if not isinstance(d, dict) or name not in d:
                return p.send(error(E_NOT_FOUND))
            if not isinstance(d2, dict):
                return p.send(error(E_NOT_FOUND))
            if name2 in d2:
                return p.send(error(E_EXISTS))
            d2[name2] = d.pop(name)
            p.send(tfslib.frame(tfslib.OK))
        elif t == tfslib.SUM_T:
            import hashlib
            if not isinstance(n, bytes):
                return p.send(error(E_NOT_FOUND if n is None
                                    else E_NOT_A_FILE))
            p.send(tfslib.frame(tfslib.DIGEST, tfslib.s(b"sha256") +
                                tfslib.s(hashlib.sha256(n).digest())))
        elif t == UTIME_T:
            if n is None:
                return p.send(error(E_NOT_FOUND))
            self.mtimes[path] = r.s64()
            p.send(tfslib.frame(tfslib.OK))
        else:
            p.send(error(E_UNSUPPORTED))

    def put(self, p, r, path):
        size, _ = r.u64(), r.u8()
        d, name = self.parent(path)
        if not isinstance(d, dict):
            return p.send(error(E_NOT_FOUND))
        p.send(tfslib.frame(tfslib.READY, tfslib.u64(0)))
        got = []
        while True:
            f = p.recv()
            if f is None:
                return
            if f[0] == tfslib.DATA:
                got.append(f[1])
                self.received += len(f[1])
            else:
                break
        d[name] = b"".join(got)
        self.mtimes[path] = 1000000000
        p.send(tfslib.frame(tfslib.OK))
