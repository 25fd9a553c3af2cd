#!/usr/bin/env python3
"""fleetserver.py - one process that plays a fleet of closed mail servers
for bench/fleet.sh: it listens on PORT of N loopback addresses
(127.1.0.1, 127.1.0.2, ...), and answers each as a closed Postfix would
(PIPELINING; postmaster accepted; every other recipient refused 554).
Every 50th address has no listener (a dead host) and every 50th, offset by
25, is slow: it waits SLOW seconds before its banner.  Loopback only.

    fleetserver.py N PORT SLOW TARGETSFILE   (writes the targets, then serves)
"""
import asyncio
import sys

N, PORT, SLOW, TARGETS = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]


def addr(i):
    return "127.1.%d.%d" % (1 + i // 250, 1 + i % 250)


async def session(reader, writer, slow):
    if slow:
        await asyncio.sleep(SLOW)
    writer.write(b"220 mx.fleet.test ESMTP fleetserver\r\n")
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            cmd = line[:4].upper()
            if cmd in (b"EHLO", b"HELO"):
                out = b"250-mx.fleet.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
            elif cmd == b"RCPT":
                out = (b"250 2.1.5 Ok\r\n" if b"<postmaster@fleet.test>" in line
                       else b"554 5.7.1 Relay access denied\r\n")
            elif cmd == b"QUIT":
                writer.write(b"221 2.0.0 Bye\r\n")
                await writer.drain()
                break
            elif cmd in (b"MAIL", b"RSET", b"NOOP"):
                out = b"250 2.0.0 Ok\r\n"
            else:
                out = b"502 5.5.2 Error: command not recognized\r\n"
            writer.write(out)
            if not reader._buffer:      # answer a pipelined batch at once
                await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    servers = []
    with open(TARGETS, "w") as f:
        for i in range(N):
            f.write("%s:%d\n" % (addr(i), PORT))
            if i % 50 == 0:
                continue            # dead: nobody listens
            slow = i % 50 == 25
            servers.append(await asyncio.start_server(
                lambda r, w, s=slow: session(r, w, s), addr(i), PORT, backlog=64))
    print("ready", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


asyncio.run(main())
