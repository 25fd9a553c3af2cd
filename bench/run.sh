#!/bin/sh
# run.sh - every benchmark in one go (make bench): the audit of one host
# against nmap and swaks, the fleet, enable-phase against postconf -e;
# then the summary that README.md shows (bench/results/summary.md).
# Root (sandbox Postfix instances on loopback); nothing leaves the machine.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
py=$(command -v /usr/bin/python3 || command -v python3)
echo "== one host: relayctl audit vs nmap smtp-open-relay vs a swaks loop"
"$py" "$root/bench/audit.py" "${BENCH_RUNS:-5}"
echo
echo "== fleet: 1,000 targets"
bash "$root/bench/fleet.sh"
echo
echo "== config: enable-phase vs postconf -e on a 10,000-line main.cf"
bash "$root/bench/config.sh" "${BENCH_CONFIG_RUNS:-9}"
echo
"$py" "$root/bench/report.py" >"$root/bench/results/summary.md"
echo "== summary (bench/results/summary.md)"
cat "$root/bench/results/summary.md"
