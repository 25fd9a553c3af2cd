#!/usr/bin/env python3
"""smtpc.py - a tiny raw-socket SMTP client for the test harness.

Connects (optionally from a chosen source address, optionally over implicit
TLS), reads the banner, sends each COMMAND given on the command line and
prints one line per exchange:

    <banner>\t220 mx.relayctl.test ESMTP relayctl-sandbox
    EHLO client.example\t250 ...        (the last line of each reply)

then sends QUIT.  Pseudo-commands:

    STARTTLS             sends STARTTLS; on 220 wraps the socket in TLS
    AUTH MECH            authenticates as --user with SMTPC_PASSWORD from the
                         environment (CRAM-MD5, PLAIN or LOGIN); the password
                         is never printed
    CAPS                 prints the EHLO keywords of the last EHLO, one line

It refuses DATA and BDAT: the harness must never send a message.  Exit
status: 0 when every exchange completed (whatever the reply codes), 1 on a
connection, protocol or usage error.
"""
import argparse
import base64
import hashlib
import hmac
import os
import socket
import ssl
import sys


class SMTPError(Exception):
    pass


class Conn:
    def __init__(self, sock, timeout):
        self.sock = sock
        self.sock.settimeout(timeout)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            if len(self.buf) > 65536:
                raise SMTPError("reply line too long")
            chunk = self.sock.recv(4096)
            if not chunk:
                raise SMTPError("connection closed by server")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def reply(self):
        lines = []
        while True:
            line = self.line()
            if len(line) < 3 or not line[:3].isdigit():
                raise SMTPError("malformed reply line %r" % line)
            lines.append(line)
            if len(line) == 3 or line[3] == " ":
                return lines
            if line[3] != "-":
                raise SMTPError("malformed reply line %r" % line)

    def send(self, cmd):
        verb = cmd.split(" ", 1)[0].upper()
        if verb in ("DATA", "BDAT"):
            raise SMTPError("refusing to send %s" % verb)
        if "\r" in cmd or "\n" in cmd:
            raise SMTPError("CR or LF inside a command")
        self.sock.sendall(cmd.encode() + b"\r\n")
        return self.reply()


def b64(s):
    return base64.b64encode(s.encode()).decode()


def auth(conn, mech, user, password):
    mech = mech.upper()
    if mech == "PLAIN":
        return conn.send("AUTH PLAIN " + b64("\0%s\0%s" % (user, password)))
    if mech == "LOGIN":
        r = conn.send("AUTH LOGIN")
        if not r[-1].startswith("334"):
            return r
        r = conn.send(b64(user))
        if not r[-1].startswith("334"):
            return r
        return conn.send(b64(password))
    if mech == "CRAM-MD5":
        r = conn.send("AUTH CRAM-MD5")
        if not r[-1].startswith("334"):
            return r
        challenge = base64.b64decode(r[-1][4:].strip())
        digest = hmac.new(password.encode(), challenge, hashlib.md5).hexdigest()
        return conn.send(b64("%s %s" % (user, digest)))
    raise SMTPError("unsupported mechanism %r" % mech)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--source", help="local address to bind (e.g. 127.0.0.66)")
    ap.add_argument("--tls", action="store_true", help="implicit TLS (smtps)")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--user", default="relaytest")
    ap.add_argument("commands", nargs="*")
    a = ap.parse_args()
    # Tests talk to loopback only: refuse anything else outright.
    try:
        import ipaddress
        if not ipaddress.ip_address(a.host).is_loopback:
            raise ValueError
        if a.source and not ipaddress.ip_address(a.source).is_loopback:
            raise ValueError
    except ValueError:
        print("smtpc: only loopback addresses are allowed (host %r, source %r)"
              % (a.host, a.source), file=sys.stderr)
        return 1

    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        sock = socket.create_connection(
            (a.host, a.port), timeout=a.timeout,
            source_address=(a.source, 0) if a.source else None)
        if a.tls:
            sock = ctx.wrap_socket(sock)
        conn = Conn(sock, a.timeout)
        out = sys.stdout
        r = conn.reply()
        print("<banner>\t" + r[-1], file=out)
        caps = []
        for cmd in a.commands:
            verb = cmd.split(" ", 1)[0].upper()
            if verb == "CAPS":
                print("CAPS\t" + " ".join(caps), file=out)
                continue
            if verb == "AUTH":
                mech = cmd.split(" ", 1)[1]
                password = os.environ.get("SMTPC_PASSWORD")
                if password is None:
                    raise SMTPError("AUTH needs SMTPC_PASSWORD in the environment")
                r = auth(conn, mech, a.user, password)
            else:
                r = conn.send(cmd)
            if verb in ("EHLO", "HELO"):
                caps = [l[4:].split(" ")[0].upper() + ("=" + " ".join(l[4:].split(" ")[1:]) if " " in l[4:] else "")
                        for l in r[1:]]
            print("%s\t%s" % (cmd, r[-1]), file=out)
            if verb == "STARTTLS" and r[-1].startswith("220"):
                conn.sock = ctx.wrap_socket(conn.sock)
                caps = []
        try:
            conn.send("QUIT")
        except (SMTPError, OSError):
            pass
        sock.close()
    except (SMTPError, OSError) as e:
        print("smtpc: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
