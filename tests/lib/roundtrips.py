#!/usr/bin/python3
"""roundtrips.py - connections and SMTP round trips of relayctl audits,
counted from their transcripts, against the floor.

Reads `relayctl audit --json` on stdin; prints one JSON object per target:
  {"target", "verdict", "tests", "connections", "round_trips",
   "floor_connections", "floor_round_trips", "ratio"}

A round trip is a wait for the server: the greeting of each connection,
then every run of replies after a run of commands.  The floor is what
the same tests need at least on a server that offers PIPELINING and
Postfix's stock error limits:
  - the battery: one connection per 10 tests the server may refuse
    (smtpd_soft_error_limit: more errors and every reply is delayed),
    each the greeting, EHLO, and one pipelined batch ending in QUIT;
  - each AUTH test on a connection of its own: the greeting, EHLO, the
    AUTH steps (PLAIN 1, LOGIN 2 and CRAM-MD5 2, with an initial
    response), then one batch (MAIL, RCPT, RSET, QUIT; or QUIT alone);
  - with STARTTLS, two more per connection (STARTTLS, EHLO again).
"""
import json
import math
import sys

AUTH_STEPS = {"PLAIN": 1, "LOGIN": 2, "CRAM-MD5": 2}


def count(transcript):
    conns = rtt = 0
    prev = None
    for line in transcript:
        if line.startswith("-- connection end"):
            prev = None
            continue
        kind = line[:1]
        if prev is None:
            conns += 1
            rtt += 1          # connect and greeting
        elif kind == "<" and prev == ">":
            rtt += 1
        prev = kind
    return conns, rtt


def floor(t):
    tls = 2 if t.get("tls", {}).get("starttls") else 0
    refusable = auth_conns = auth_rtt = 0
    for x in t["tests"]:
        if x["id"].startswith("AUTH-"):
            if x["result"] == "untested" and x.get("rcpt_reply") is None \
                    and x["mail_reply"] is None:
                continue      # not sent (clear text)
            mech = x["id"].split("-", 2)[2]
            auth_conns += 1
            auth_rtt += 2 + tls + AUTH_STEPS.get(mech, 1) + 1
        elif x["kind"] != "local":
            refusable += 1
    battery = math.ceil(refusable / 10) if refusable else 0
    if not battery and any(not x["id"].startswith("AUTH-")
                           for x in t["tests"]):
        battery = 1
    return battery + auth_conns, battery * (3 + tls) + auth_rtt


def main():
    doc = json.load(sys.stdin)
    for t in doc["targets"]:
        conns, rtt = count(t.get("transcript", []))
        fconns, frtt = floor(t)
        print(json.dumps({
            "target": t["target"], "verdict": t["verdict"],
            "tests": len(t["tests"]), "connections": conns,
            "round_trips": rtt, "floor_connections": fconns,
            "floor_round_trips": frtt,
            "ratio": round(rtt / frtt, 2) if frtt else None}))


if __name__ == "__main__":
    main()
