#!/usr/bin/env python3
"""fakesmtp.py - scripted hostile or broken SMTP servers for audit tests.

usage: fakesmtp.py MODE PORTFILE

Listens on 127.0.0.1 on a free port, writes the port to PORTFILE, serves
connections until killed.  MODES:
  tarpit      accepts, never says anything
  close       sends a banner, then closes
  garbage     sends an HTTP response instead of a banner
  longline    sends a 1 MB line without an end
  relay       a server that accepts every RCPT (an open relay)
  catchall    accepts every local recipient, refuses every external one
  pcthack     refuses plain external recipients, falls for the % hack
  anyauth     accepts AUTH with any password, then relays
  trick:TEXT  refuses external recipients except those containing TEXT
  dribble     sends its banner one byte per second
  multiline   sends "220-" continuation lines for ever
  badcode     answers with the code 999
  nul         puts a NUL byte in its banner
  reset       sends half a banner, then resets the connection
  tlsstall    offers STARTTLS, says go ahead, then never speaks TLS
  tlsgarbage  offers STARTTLS, says go ahead, then sends garbage, not TLS
It never accepts DATA: it answers 554 and closes.
"""
import socket
import struct
import sys
import threading
import time

mode, portfile = sys.argv[1], sys.argv[2]
LOCAL = "fake.relayctl.test"


def rcpt_reply(addr):
    a = addr.lower()
    # A plain local address: one @, at a local domain, no routing tricks.
    local = (a.endswith("@" + LOCAL + ">") or a.endswith("@mx." + LOCAL + ">")) \
        and "%" not in a and "!" not in a and a.count("@") == 1 and '"' not in a
    if mode == "relay":
        return b"250 2.1.5 Ok\r\n"
    if mode.startswith("trick:"):
        # Falls for one trick only: the recipient contains TEXT.
        if local or mode[6:] in addr:
            return b"250 2.1.5 Ok\r\n"
        return b"554 5.7.1 Relay access denied\r\n"
    if mode == "catchall":
        # Every local address exists, every other one is refused.
        return b"250 2.1.5 Ok\r\n" if local else b"554 5.7.1 Relay access denied\r\n"
    if mode == "pcthack":
        # Falls for the percent hack, and only for it.
        if "%" in a or local:
            return b"250 2.1.5 Ok\r\n"
        return b"554 5.7.1 Relay access denied\r\n"
    return b"554 5.7.1 denied\r\n"


def serve(c):
    try:
        if mode == "tarpit":
            c.recv(1)
            return
        if mode == "close":
            c.sendall(b"220 mx." + LOCAL.encode() + b" ESMTP\r\n")
            return
        if mode == "garbage":
            c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            c.recv(100)
            return
        if mode == "longline":
            c.sendall(b"220 " + b"x" * (1 << 20))
            c.recv(100)
            return
        if mode == "dribble":
            for ch in b"220 mx.fake.relayctl.test ESMTP\r\n":
                c.sendall(bytes([ch]))
                time.sleep(1)
            return
        if mode == "multiline":
            line = b"220-" + b"y" * 70 + b"\r\n"
            while True:
                c.sendall(line * 64)
        if mode == "badcode":
            c.sendall(b"999 what\r\n")
            c.recv(100)
            return
        if mode == "nul":
            c.sendall(b"220 mx.fake\x00.relayctl.test ESMTP\r\n")
            c.recv(100)
            return
        if mode == "reset":
            c.sendall(b"220-mx.fake.relay")
            time.sleep(0.2)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if mode in ("tlsstall", "tlsgarbage"):
            c.sendall(b"220 mx." + LOCAL.encode() + b" ESMTP fake\r\n")
            f = c.makefile("rb")
            while True:
                line = f.readline()
                if not line:
                    return
                verb = line.split(b" ")[0].strip().upper()
                if verb in (b"EHLO", b"HELO"):
                    c.sendall(b"250-mx." + LOCAL.encode() + b"\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
                elif verb == b"STARTTLS":
                    c.sendall(b"220 2.0.0 Ready to start TLS\r\n")
                    if mode == "tlsgarbage":
                        c.sendall(b"this is not a TLS record\r\n" * 100)
                    c.recv(1 << 16)     # the ClientHello, never answered
                    time.sleep(3600)
                    return
                elif verb == b"QUIT":
                    c.sendall(b"221 2.0.0 Bye\r\n")
                    return
                else:
                    c.sendall(b"250 2.0.0 Ok\r\n")
        c.sendall(b"220 mx." + LOCAL.encode() + b" ESMTP fake\r\n")
        buf = b""
        authed = False
        pending = 0     # AUTH continuation lines still expected
        while True:
            data = c.recv(4096)
            if not data:
                return
            buf += data
            while b"\r\n" in buf:
                line, buf = buf.split(b"\r\n", 1)
                cmd = line.decode("latin-1")
                verb = cmd.split(" ")[0].upper()
                if pending:
                    pending -= 1
                    if pending:
                        c.sendall(b"334 UGFzc3dvcmQ6\r\n")
                    else:
                        authed = True
                        c.sendall(b"235 2.7.0 Authentication successful\r\n")
                    continue
                if verb == "AUTH" and mode == "anyauth":
                    mech = cmd.split(" ")[1].upper()
                    if mech == "PLAIN":
                        authed = True
                        c.sendall(b"235 2.7.0 Authentication successful\r\n")
                    elif mech == "LOGIN":
                        pending = 2
                        c.sendall(b"334 VXNlcm5hbWU6\r\n")
                    else:
                        pending = 1
                        c.sendall(b"334 PDEyMzQ1QGZha2U+\r\n")
                    continue
                if verb == "RCPT" and authed:
                    c.sendall(b"250 2.1.5 Ok\r\n")
                    continue
                if verb in ("EHLO", "HELO"):
                    extra = b"250-AUTH PLAIN LOGIN CRAM-MD5\r\n" if mode == "anyauth" else b""
                    c.sendall(b"250-mx." + LOCAL.encode() + b"\r\n250-PIPELINING\r\n" + extra + b"250 8BITMIME\r\n")
                elif verb == "MAIL":
                    c.sendall(b"250 2.1.0 Ok\r\n")
                elif verb == "RCPT":
                    c.sendall(rcpt_reply(cmd[8:].strip()))
                elif verb in ("RSET", "NOOP"):
                    c.sendall(b"250 2.0.0 Ok\r\n")
                elif verb == "QUIT":
                    c.sendall(b"221 2.0.0 Bye\r\n")
                    return
                elif verb in ("DATA", "BDAT"):
                    c.sendall(b"554 5.5.1 this fake never takes DATA\r\n")
                    with open(portfile + ".data", "a") as f:
                        f.write(cmd + "\n")
                    return
                else:
                    c.sendall(b"502 5.5.2 Error: command not recognized\r\n")
    except OSError:
        pass
    finally:
        c.close()


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os
os.rename(portfile + ".tmp", portfile)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
