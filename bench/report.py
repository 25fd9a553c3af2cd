#!/usr/bin/python3
"""report.py - bench/results/*.json as the Markdown that README.md shows:
the tables, and each goal of issue #9 met or missed, by how much.

    python3 bench/report.py >bench/results/summary.md
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from audit import table  # noqa: E402


def load(name):
    with open(os.path.join(HERE, "results", name + ".json")) as f:
        return json.load(f)


def goal(ok, text):
    return "- %s %s" % ("met:" if ok else "**missed**:", text)


def main():
    a, fl, c = load("audit"), load("fleet"), load("config")
    s = a["servers"]
    out = ["Measured %s on %s; Postfix %s, %s; %d runs of each tool per "
           "server, alternating, after one warm-up audit."
           % (a["date"][:10], a["machine"], a["postfix"], a["nmap"],
              a["runs"]), "",
           "`relayctl audit` (one host; times in ms):", "", table(a), ""]
    out += ["`relayctl audit --targets` of %d targets (%s):" % (
        fl["targets"], "2%% without a listener; 'slow': 2%% answer %s s late"
        % fl["slow_s"]), "",
        "| servers | -j | wall s | hosts/s | peak RSS MB |",
        "|---|---|---|---|---|"]
    for r in fl["runs"]:
        out.append("| %s | %d | %.2f | %.0f | %.1f |" % (
            r["servers"], r["jobs"], r["wall_s"], r["hosts_per_s"],
            r["peak_rss_mb"]))
    m = c["median_us"]
    out += ["", "Configuration, on a %d-line main.cf (median of %d, ms):" % (
        c["main_cf_lines"], c["runs"]), "",
        "| command | ms |", "|---|---|",
        "| relayctl enable-phase 2 (write) | %.1f |" % (m["enable_phase_write"] / 1000),
        "| the same without the version cache | %.1f |" % (m["enable_phase_write_no_version_cache"] / 1000),
        "| postconf -e of the same settings | %.1f |" % (m["postconf_e"] / 1000),
        "| relayctl enable-phase 2 --dry-run | %.1f |" % (m["enable_phase_dry_run"] / 1000),
        "| relayctl status | %.1f |" % (m["status"] / 1000), ""]
    j64 = [r for r in fl["runs"] if r["servers"] == "prompt" and r["jobs"] == 64][0]
    thr, free = s["throttled"], s["free"]
    out += ["Goals:",
            goal(thr["nmap_over_relayctl"] >= 20,
                 "%sx nmap's speed with stock throttling (goal 20x)"
                 % thr["nmap_over_relayctl"]),
            goal(free["nmap_over_relayctl"] >= 5,
                 "%sx nmap's speed without throttling (goal 5x)"
                 % free["nmap_over_relayctl"]),
            goal(thr["relayctl"]["tests"] >= 2 * thr["nmap"]["tests"],
                 "%d tests against nmap's %d (goal 2x)"
                 % (thr["relayctl"]["tests"], thr["nmap"]["tests"])),
            goal(max(x["round_trips_over_floor"] for x in s.values()) <= 2,
                 "round trips %sx the floor at most (goal 2x)"
                 % max(x["round_trips_over_floor"] for x in s.values())),
            goal(j64["hosts_per_s"] >= 100 and j64["peak_rss_mb"] <= 50,
                 "fleet at -j 64: %.0f hosts/s, %.1f MB (goal 100 hosts/s, "
                 "50 MB)" % (j64["hosts_per_s"], j64["peak_rss_mb"])),
            goal(c["ratio_write_to_postconf_e"] <= 1.0,
                 "enable-phase takes %sx the time of postconf -e (goal 1x "
                 "at most; %sx when postconf must be asked the version)"
                 % (c["ratio_write_to_postconf_e"],
                    c["ratio_write_no_version_cache_to_postconf_e"]))]
    print("\n".join(out))


if __name__ == "__main__":
    main()
