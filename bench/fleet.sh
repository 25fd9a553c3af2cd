#!/bin/bash
# fleet.sh - relayctl audit of 1,000 targets at -j 1, 8 and 64: hosts per
# second and peak RSS (GNU time).  The targets are one scripted server
# process (bench/fleetserver.py) on 1,000 loopback addresses 127.1.x.y:2525,
# answering as closed servers; 2% have no listener and 2% wait SLOW seconds
# before their banner.  Loopback only.  Writes bench/results/fleet.json.
#
#   bash bench/fleet.sh [N] [SLOW]      (default 1000 targets, 1 s)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
relayctl=${RELAYCTL:-$root/relayctl}
n=${1:-1000}
slow=${2:-1}
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
tmp=$(mktemp -d)
"$PYTHON" "$root/bench/fleetserver.py" "$n" 2525 "$slow" "$tmp/targets" >"$tmp/ready" 2>"$tmp/server.err" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 200); do [ -s "$tmp/ready" ] && break; sleep 0.05; done
[ -s "$tmp/ready" ] || { cat "$tmp/server.err" >&2; exit 1; }
# the server's own limit on open files must allow 1,000 listeners
results=()
printf '%-6s %10s %10s %12s %10s\n' jobs "wall s" "hosts/s" "peak RSS MB" verdicts
for j in 1 8 64; do
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$relayctl" audit --targets "$tmp/targets" \
		-j "$j" --timeout "$((${slow%.*} + 2))" --source 127.0.0.66 --assume-outsider \
		--format jsonl >"$tmp/out.$j" || true
	read -r wall rss <"$tmp/time"
	verdicts=$("$PYTHON" -c '
import collections, json, sys
c = collections.Counter(json.loads(l)["verdict"] for l in open(sys.argv[1]))
print(",".join("%s=%d" % kv for kv in sorted(c.items())))' "$tmp/out.$j")
	hps=$(awk -v n="$n" -v w="$wall" 'BEGIN { printf "%.1f", n / w }')
	mb=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
	printf '%-6s %10s %10s %12s %s\n' "$j" "$wall" "$hps" "$mb" "$verdicts"
	results+=("{\"jobs\": $j, \"wall_s\": $wall, \"hosts_per_s\": $hps, \"peak_rss_mb\": $mb, \"verdicts\": \"$verdicts\"}")
done
mkdir -p "$root/bench/results"
{
	printf '{"date": "%s", "machine": "%s, %s cores", "targets": %s, "slow_s": %s, "runs": [' \
		"$(date -u +%FT%TZ)" "$(uname -sr)" "$(nproc)" "$n" "$slow"
	(IFS=,; printf '%s' "${results[*]}")
	printf ']}\n'
} >"$root/bench/results/fleet.json"
echo "written: bench/results/fleet.json"
