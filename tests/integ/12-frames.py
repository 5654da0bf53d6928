#!/usr/bin/env python3
"""
12-frames.py -- malformed and unexpected frames against a real tfsd.

A broken frame answers ERROR PROTOCOL and closes the connection, after
which the same worker serves the next client; an unknown type answers
UNSUPPORTED and the connection stays usable.  One worker only, so
"the next client" is served by the very worker that saw the bad frame.
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import (ERROR, ENTRY, END, DATA, u8, u16, u32,  # noqa: E402
                    u64, s, frame, parse_error, parse_entry)

t = tfslib.Tap()

server = tfslib.server


def protocol(srv, raw, desc, shut=False):
    """Send raw bytes on a new connection: PROTOCOL, then closed."""
    with tfslib.Conn(srv.port) as c:
        c.send_raw(raw)
        if shut:
            c.sock.shutdown(socket.SHUT_WR)
        t.eq(c.reply_or_closed(), "PROTOCOL", desc + ": PROTOCOL")
        t.ok(c.closed(), desc + ": connection closed")


def gentle_close(srv):
    """
    A PROTOCOL error with much input unread still ends in an orderly
    close (FIN), not a reset that could destroy the error reply.
    """
    with tfslib.Conn(srv.port) as c:
        c.send_raw(frame(tfslib.DATA, b"x") + b"\0" * (512 * 1024))
        t.eq(c.expect_error(), "PROTOCOL", "junk after a bad frame: PROTOCOL")
        how = "open"
        try:
            while c.sock.recv(65536):
                pass
            how = "FIN"
        except ConnectionResetError:
            how = "reset"
        except (socket.timeout, TimeoutError):
            how = "left open"
        t.eq(how, "FIN", "then an orderly close, not a reset")


def usable(srv, desc):
    with tfslib.Conn(srv.port) as c:
        t.eq(c.stat("f")["size"], 4, desc)


def run(srv):
    tfslib.write_file(os.path.join(srv.root, "f"), b"four")
    pids = srv.workers()
    t.eq(len(pids), 1, "one worker")

    # lengths
    protocol(srv, u8(1) + u32(tfslib.FRAME_MAX + 1), "length 1 MiB + 1")
    protocol(srv, u8(0x33) + u32(0xFFFFFFFF), "length 4 GiB of an unknown "
             "type")
    protocol(srv, u8(0x20) + u32(0x80000000), "DATA of 2 GiB")
    usable(srv, "the worker serves the next client")
    gentle_close(srv)
    # truncated: the stream ends inside a frame
    protocol(srv, frame(1, s("f"))[:4], "header cut short", shut=True)
    protocol(srv, frame(1, s("abcdef"))[:9], "payload cut short", shut=True)

    # fields too short / too long
    cases = [
        (frame(1, b""), "LIST without its path"),
        (frame(1, u16(5) + b"ab"), "LIST path running past the payload"),
        (frame(1, s("f") + b"x"), "LIST with a byte left over"),
        (frame(2, b"\x00"), "STAT with half a length"),
        (frame(3, s("f")), "GET without offset"),
        (frame(3, s("f") + u32(0)), "GET with a short offset"),
        (frame(3, s("f") + u64(0) + b"z"), "GET with a byte left over"),
        (frame(4, s("f") + u64(1)), "PUT without flags"),
        (frame(4, s("f") + u64(1) + u8(0) + u8(0)), "PUT with extra bytes"),
        (frame(6, s("f")), "RENAME without its target"),
        (frame(6, s("f") + s("g") + b"!"), "RENAME with a byte left over"),
        (frame(7, u16(0xFFFF)), "MKDIR claiming 65535 bytes"),
        (frame(8, b""), "SUM without its path"),
        (frame(9, b"x"), "QUIT with a payload"),
    ]
    for raw, desc in cases:
        protocol(srv, raw, desc)

    # known types out of place
    protocol(srv, frame(DATA, b"abc"), "DATA outside an upload")
    protocol(srv, frame(DATA, b""), "empty DATA outside an upload")
    protocol(srv, frame(END, u64(0)), "END outside an upload")
    for ty, name in ((0x40, "HELLO"), (0x41, "OK"), (0x42, "ENTRY"),
                     (0x43, "FILE"), (0x44, "READY"), (0x45, "DIGEST"),
                     (0x46, "CHALLENGE"), (0x47, "WELCOME"),
                     (0x7F, "ERROR")):
        protocol(srv, frame(ty, b""), "%s from a client" % name)
    protocol(srv, frame(0x7F, u16(1) + s("boo")), "a well-formed ERROR from "
             "a client")

    # after an error reply the bytes that followed are not read as requests
    with tfslib.Conn(srv.port) as c:
        c.send_raw(frame(1, b"") + frame(2, s("f")))
        t.eq(c.expect_error(), "PROTOCOL", "bad frame with a good one behind")
        t.ok(c.closed(), "... nothing answered after PROTOCOL")

    # unknown types: UNSUPPORTED, skipped, the connection goes on
    with tfslib.Conn(srv.port) as c:
        for ty in (0x00, 0x0D, 0x1F, 0x22, 0x3F, 0x48, 0x7E, 0x80, 0xFF):
            c.send(ty, b"some payload")
            t.eq(c.expect_error(), "UNSUPPORTED", "type 0x%02x: UNSUPPORTED"
                 % ty)
        c.send(0x55, b"\x00" * tfslib.FRAME_MAX)
        t.eq(c.expect_error(), "UNSUPPORTED", "unknown type with a 1 MiB "
             "payload: UNSUPPORTED")
        c.send(0x56, b"")
        t.eq(c.expect_error(), "UNSUPPORTED", "unknown type, empty")
        t.eq(c.stat("f")["size"], 4, "connection usable after UNSUPPORTED")
        # pipelined: unknown, good, unknown, good
        c.send_raw(frame(0x60, b"x") + frame(2, s("f")) + frame(0x61) +
                   frame(2, s("nope")))
        got = []
        for _ in range(4):
            tp, p = c.recv()
            got.append(parse_error(p)[0] if tp == ERROR else tp)
        t.eq(got, ["UNSUPPORTED", ENTRY, "UNSUPPORTED", "NOT_FOUND"],
             "unknown types pipelined between requests, answered in order")

    # a frame fed one byte at a time
    with tfslib.Conn(srv.port) as c:
        for b in frame(2, s("f")):
            c.send_raw(bytes([b]))
            time.sleep(0.005)
        tp, p = c.recv()
        t.eq((tp, parse_entry(p)["size"]), (ENTRY, 4), "a request sent one "
             "byte at a time")
        # 200 pipelined requests in one write
        c.send_raw(b"".join(frame(2, s("f" if i % 3 else "x"))
                            for i in range(200)))
        ok = True
        for i in range(200):
            tp, p = c.recv()
            want = ENTRY if i % 3 else ERROR
            ok = ok and tp == want
        t.ok(ok, "200 pipelined requests answered in order")

    # the same single worker saw all of it and is still the one serving
    t.eq(srv.workers(), pids, "the same worker served every client")
    usable(srv, "and serves the next one")


with server(args=tfslib.ONE_WORKER) as srv:
    t.run("frames", run, srv)
tfslib.check_logs(t)
sys.exit(t.done())
