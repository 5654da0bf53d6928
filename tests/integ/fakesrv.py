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
