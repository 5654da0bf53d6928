"""
authlib.py -- sign-in helpers for the integration tests: a users file
made with tfsd's own --set-user, and a SCRAM-SHA-256 client (RFC 5802,
RFC 7677, GS2 header "n,,") over a tfslib.Conn.
"""

import base64
import hashlib
import hmac
import os
import subprocess

import tfslib
from tfslib import AUTH, CHALLENGE, ERROR, STEP, WELCOME, Reader, \
    parse_error

MECH = "SCRAM-SHA-256"


def make_users(path, users):
    """
    Write the users file at path with tfsd --set-user, one call per
    (name, password, rights, home) of users; home None is the root.
    """
    for name, password, rights, home in users:
        cmd = [tfslib.TFSD, "--users", path, "--set-user", name,
               "--rights", rights]
        if home is not None:
            cmd += ["--home", home]
        r = subprocess.run(cmd, input=(password + "\n").encode(),
                           capture_output=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError("--set-user %s: %s" % (name, r.stderr))
    os.chmod(path, 0o600)


def _escape(name):
    return name.replace("=", "=3D").replace(",", "=2C")


def _h(key, msg):
    return hmac.new(key, msg, hashlib.sha256).digest()


class Exchange:
    """One SCRAM-SHA-256 exchange as a client."""

    def __init__(self, user, password, nonce=None):
        self.user = user
        self.password = password
        self.nonce = nonce or base64.b64encode(os.urandom(18)).decode()
        self.bare = "n=%s,r=%s" % (_escape(user), self.nonce)

    def first(self):
        return "n,," + self.bare

    def final(self, server_first):
        """The client-final-message for server_first (bytes or str)."""
        if isinstance(server_first, bytes):
            server_first = server_first.decode()
        attrs = dict(a.split("=", 1) for a in server_first.split(","))
        salt = base64.b64decode(attrs["s"])
        it = int(attrs["i"])
        salted = hashlib.pbkdf2_hmac("sha256", self.password.encode(),
                                     salt, it)
        client_key = _h(salted, b"Client Key")
        stored = hashlib.sha256(client_key).digest()
        without = "c=biws,r=" + attrs["r"]
        self.auth_msg = ",".join([self.bare, server_first, without])
        sig = _h(stored, self.auth_msg.encode())
        proof = bytes(a ^ b for a, b in zip(client_key, sig))
        server_key = _h(salted, b"Server Key")
        self.server_sig = _h(server_key, self.auth_msg.encode())
        return without + ",p=" + base64.b64encode(proof).decode()

    def verify(self, server_final):
        if isinstance(server_final, bytes):
            server_final = server_final.decode()
        return server_final == "v=" + \
            base64.b64encode(self.server_sig).decode()


def _reply(conn, want):
    """(None, a Reader of its payload) when the next frame is of type want;
    else (what sign_in returns for it, None)."""
    t, p = conn.recv()
    if t == ERROR:
        return parse_error(p), None
    if t != want:
        return ("type 0x%02x" % t,), None
    return None, Reader(p)


def sign_in(conn, user, password):
    """
    Sign in on conn.  Returns ("WELCOME", user, rights, verified) or the
    error name with its message: ("AUTH_FAILED", message).
    """
    ex = Exchange(user, password)
    conn.req(AUTH(MECH, ex.first()))
    bad, r = _reply(conn, CHALLENGE)
    if bad:
        return bad
    server_first = r.str()
    r.end()
    conn.req(STEP(ex.final(server_first)))
    bad, r = _reply(conn, WELCOME)
    if bad:
        return bad
    who, rights, final = r.str(), r.u8(), r.str()
    r.end()
    return ("WELCOME", who.decode(), rights, ex.verify(final))
