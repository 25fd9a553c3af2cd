#!/usr/bin/python3
"""audit.py - one host: relayctl audit against nmap's smtp-open-relay and a
swaks loop over relayctl's own tricks, on the same sandbox Postfix, from
the same outsider address (127.0.0.66), in one run.

Three servers: closed with Postfix's stock error throttling (1 s sleep
after 10 errors), closed without throttling, and an open relay (the
classic mistake: mynetworks = 0.0.0.0/0; its transports discard, where
the closed ones' are error:, so that RCPT TO is accepted).  Each tool
runs RUNS times per server, the three alternating, after one warm-up
audit (Postfix starts its smtpd processes, which all then reuse).  Measured: wall time
(median, min and max), peak RSS (the largest process), the tests run, the
RCPT commands Postfix saw (its own log), the verdict; for relayctl also
its connections and round trips against the floor (tests/lib/roundtrips.py).
Writes bench/results/audit.json and prints a table.  Loopback only; no
DATA is ever sent (nmap's script stops at RCPT, swaks --quit-after RCPT).

    python3 bench/audit.py [RUNS]      (default 5; root; make deps-bench)
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import roundtrips  # noqa: E402

RELAYCTL = os.environ.get("RELAYCTL", os.path.join(ROOT, "relayctl"))
SANDBOX = os.path.join(ROOT, "tests", "lib", "sandbox.sh")
OUT = "127.0.0.66"
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5

SERVERS = [
    ("closed, stock throttling", "throttled",
     ["--set", "smtpd_error_sleep_time=1s", "--set", "smtpd_soft_error_limit=10",
      "--set", "smtpd_hard_error_limit=20"]),
    ("closed, no throttling", "free",
     ["--set", "smtpd_error_sleep_time=0", "--set", "smtpd_soft_error_limit=1000",
      "--set", "smtpd_hard_error_limit=1000"]),
    ("open relay", "open",
     ["--set", "mynetworks=0.0.0.0/0", "--set", "default_transport=discard",
      "--set", "relay_transport=discard", "--set", "smtpd_error_sleep_time=1s", "--set", "smtpd_soft_error_limit=10",
      "--set", "smtpd_hard_error_limit=20"]),
]


def run(argv):
    """argv's wall time in ms, its peak RSS in KiB, exit code, stdout"""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    ms = (time.perf_counter() - t0) * 1000
    p.returncode = os.waitstatus_to_exitcode(status)
    return ms, ru.ru_maxrss, p.returncode, out.decode(errors="replace")


def rcpts(log, mark):
    """RCPT commands Postfix counted in LOG after byte MARK"""
    n = 0
    with open(log, errors="replace") as f:
        f.seek(mark)
        for line in f:
            m = re.search(r" rcpt=\d+/(\d+)| rcpt=(\d+)", line)
            if m and "disconnect from" in line:
                n += int(m.group(1) or m.group(2))
    return n


def settle(log, mark=0):
    """wait until every session Postfix logged after byte MARK has ended
    (a throttled one ends seconds after its client left); the log size"""
    time.sleep(0.2)     # postlogd writes the log a little later
    for _ in range(600):
        with open(log, errors="replace") as f:
            f.seek(mark)
            text = f.read()
        if text.count(" connect from ") == text.count(" disconnect from "):
            break
        time.sleep(0.1)
    return os.path.getsize(log)


def relayctl(port):
    ms, rss, rc, out = run([RELAYCTL, "audit", "--source", OUT,
                            "--assume-outsider", "--json",
                            "127.0.0.1:%d" % port])
    t = json.loads(out)["targets"][0]
    conns, rtt = roundtrips.count(t["transcript"])
    fconns, frtt = roundtrips.floor(t)
    return ms, rss, {"verdict": t["verdict"], "tests": len(t["tests"]),
                     "connections": conns, "round_trips": rtt,
                     "floor_connections": fconns, "floor_round_trips": frtt,
                     "battery": [(x["mail_from"], x["rcpt_to"], x["kind"])
                                 for x in t["tests"]
                                 if not x["id"].startswith("AUTH-")]}


def nmap(port):
    ms, rss, rc, out = run([
        "nmap", "-sT", "-Pn", "-n", "-p", str(port), "-S", OUT, "-e", "lo",
        "--script", "+smtp-open-relay", "--script-args",
        "smtp-open-relay.domain=relayctl.test,smtp-open-relay.ip=127.0.0.1,"
        "smtp-open-relay.from=relayctl@example.net,"
        "smtp-open-relay.to=relaytest@example.net,smtp.domain=relayctl.example.net",
        "127.0.0.1"])
    if "Server is an open relay" in out:
        verdict = "open"
    elif "doesn't seem to be an open relay" in out:
        verdict = "closed"
    else:
        verdict = "unknown"
    return ms, rss, {"verdict": verdict}


def swaks(port, battery):
    """one swaks per trick, as an admin's shell loop would"""
    total, peak, relayed = 0.0, 0, False
    for frm, to, kind in battery:
        frm = "<>" if frm == "<>" else frm.strip("<>")
        ms, rss, rc, _ = run([
            "swaks", "--server", "127.0.0.1", "--port", str(port),
            "--local-interface", OUT, "--helo", "relayctl.example.net",
            "--from", frm, "--to", to.strip("<>"), "--quit-after", "RCPT",
            "--silent", "3"])
        total += ms
        peak = max(peak, rss)
        if rc == 0 and kind == "relay":
            relayed = True
    return total, peak, {"verdict": "open" if relayed else "closed",
                         "tests": len(battery)}


def stats(v):
    return {"median": round(statistics.median(v), 1), "min": round(min(v), 1),
            "max": round(max(v), 1)}


def main():
    for tool in ("nmap", "swaks"):
        if shutil.which(tool) is None:
            sys.exit("bench/audit.py: %s is missing: run 'sh mk/deps.sh "
                     "bench' as root" % tool)
    started = []
    results = {}
    try:
        for title, key, args in SERVERS:
            d = subprocess.check_output(["bash", SANDBOX, "start", "--no-auth"]
                                        + args, text=True).strip()
            started.append(d)
            env = dict(l.split("=", 1) for l in
                       open(os.path.join(d, "sandbox.env")).read().split("\n")
                       if "=" in l)
            port, log = int(env["SANDBOX_PORT"]), os.path.join(d, "maillog")
            r = {t: {"ms": [], "rss": [], "rcpts": [], "runs": []}
                 for t in ("relayctl", "nmap", "swaks")}
            # A warm-up audit: Postfix starts its smtpd processes, which
            # every tool's later sessions reuse; its battery is swaks's.
            battery = relayctl(port)[2]["battery"]
            settle(log)
            for i in range(RUNS):
                for tool in ("relayctl", "nmap", "swaks"):
                    mark = os.path.getsize(log)
                    if tool == "relayctl":
                        ms, rss, info = relayctl(port)
                        battery = info.pop("battery")
                    elif tool == "nmap":
                        ms, rss, info = nmap(port)
                    else:
                        ms, rss, info = swaks(port, battery)
                    settle(log, mark)
                    n = rcpts(log, mark)
                    if tool == "nmap":
                        info["tests"] = n
                    r[tool]["ms"].append(ms)
                    r[tool]["rss"].append(rss)
                    r[tool]["rcpts"].append(n)
                    r[tool]["runs"].append(info)
            out = {"server": title}
            for tool, v in r.items():
                last = v["runs"][-1]
                out[tool] = {"wall_ms": stats(v["ms"]),
                             "peak_rss_kib": int(statistics.median(v["rss"])),
                             "rcpts": v["rcpts"][-1],
                             "tests": last["tests"],
                             "verdicts": sorted({x["verdict"] for x in v["runs"]})}
            rl = r["relayctl"]["runs"][-1]
            out["relayctl"].update({k: rl[k] for k in (
                "connections", "round_trips", "floor_connections",
                "floor_round_trips")})
            med = {t: out[t]["wall_ms"]["median"] for t in r}
            out["nmap_over_relayctl"] = round(med["nmap"] / med["relayctl"], 1)
            out["swaks_over_relayctl"] = round(med["swaks"] / med["relayctl"], 1)
            out["round_trips_over_floor"] = round(
                rl["round_trips"] / rl["floor_round_trips"], 2)
            results[key] = out
    finally:
        for d in started:
            subprocess.call(["bash", SANDBOX, "stop", d])

    doc = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "machine": machine(), "runs": RUNS,
           "postfix": subprocess.check_output(
               ["postconf", "-dh", "mail_version"], text=True).strip(),
           "nmap": subprocess.check_output(
               ["nmap", "--version"], text=True).split("\n")[0],
           "servers": results}
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "audit.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(table(doc))


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return "%s, %d cores, %s" % (cpu, os.cpu_count(), os.uname().release)


def table(doc):
    rows = ["| server | tool | wall ms, median (min-max) | tests | RCPTs "
            "| verdict | peak RSS MB |", "|---|---|---|---|---|---|---|"]
    for s in doc["servers"].values():
        for tool in ("relayctl", "nmap", "swaks"):
            t = s[tool]
            w = t["wall_ms"]
            rows.append("| %s | %s | %s (%s-%s) | %d | %d | %s | %.1f |" % (
                s["server"], tool, f(w["median"]), f(w["min"]), f(w["max"]),
                t["tests"], t["rcpts"], "/".join(t["verdicts"]),
                t["peak_rss_kib"] / 1024))
    rows.append("")
    rows.append("| server | nmap / relayctl | swaks / relayctl | relayctl "
                "connections (floor) | round trips (floor) |")
    rows.append("|---|---|---|---|---|")
    for s in doc["servers"].values():
        r = s["relayctl"]
        rows.append("| %s | %sx | %sx | %d (%d) | %d (%d), %sx |" % (
            s["server"], s["nmap_over_relayctl"], s["swaks_over_relayctl"],
            r["connections"], r["floor_connections"], r["round_trips"],
            r["floor_round_trips"], s["round_trips_over_floor"]))
    return "\n".join(rows)


def f(ms):
    return "{:,.0f}".format(ms) if ms >= 100 else "{:.1f}".format(ms)


if __name__ == "__main__":
    main()
