#!/usr/bin/env python3
"""auditschema.py - check a `relayctl audit --json` document (stdin)
against schema relayctl.audit/1 as relayctl(8) documents it.  Prints the
first violation and exits 1."""
import json
import sys

d = json.load(sys.stdin)


def need(obj, key, types, where):
    if key not in obj:
        sys.exit("%s: missing '%s'" % (where, key))
    if not isinstance(obj[key], types):
        sys.exit("%s.%s: %r is not %s" % (where, key, obj[key], types))
    return obj[key]


assert d.get("schema") == "relayctl.audit/1", d.get("schema")
for i, t in enumerate(need(d, "targets", list, "doc")):
    w = "targets[%d]" % i
    for k, ty in (("target", str), ("host", str), ("port", int), ("verdict", str),
                  ("server", dict), ("tls", dict), ("capabilities", dict),
                  ("counts", dict), ("tests", list), ("findings", list),
                  ("transcript", list)):
        need(t, k, ty, w)
    if t["verdict"] not in ("open", "closed", "unknown"):
        sys.exit("%s.verdict: %r" % (w, t["verdict"]))
    if t["verdict"] == "unknown":
        need(t, "reason", str, w)
    for k in ("banner", "name", "address", "local_domain", "source"):
        need(t["server"], k, str, w + ".server")
    for k, ty in (("active", bool), ("starttls", bool), ("version", str),
                  ("cipher", str), ("verify_result", int), ("subject", str),
                  ("issuer", str), ("not_after", str)):
        need(t["tls"], k, ty, w + ".tls")
    for side in ("before_tls", "last"):
        c = need(t["capabilities"], side, dict, w + ".capabilities")
        for k, ty in (("pipelining", bool), ("starttls", bool), ("chunking", bool),
                      ("size", int), ("auth", list)):
            need(c, k, ty, w + ".capabilities." + side)
    for k in ("run", "relayed", "denied", "deferred", "untested"):
        need(t["counts"], k, int, w + ".counts")
    for j, x in enumerate(t["tests"]):
        ww = "%s.tests[%d]" % (w, j)
        for k in ("id", "description", "kind", "mail_from", "rcpt_to", "result"):
            need(x, k, str, ww)
        if x["result"] not in ("relayed", "denied", "deferred", "untested", "accepted", "refused"):
            sys.exit("%s.result: %r" % (ww, x["result"]))
        if x["kind"] not in ("relay", "local", "probe", "auth-bogus", "auth-user"):
            sys.exit("%s.kind: %r" % (ww, x["kind"]))
    for j, f in enumerate(t["findings"]):
        ww = "%s.findings[%d]" % (w, j)
        for k in ("id", "severity", "message"):
            need(f, k, str, ww)
        need(f, "evidence", list, ww)
        if f["severity"] not in ("ok", "warning", "critical"):
            sys.exit("%s.severity: %r" % (ww, f["severity"]))
    # Tests that did not run are untested, never passed.
    ran = t["counts"]["run"]
    if t["verdict"] == "closed" and ran == 0:
        sys.exit("%s: closed with no test run" % w)
