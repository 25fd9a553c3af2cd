#!/bin/bash
# fleet.sh - relayctl audit of 1,000 targets at -j 1, 8 and 64: hosts per
# second and peak RSS (GNU time).  The targets are one scripted server
# process (bench/fleetserver.c, epoll, built here) on 1,000 loopback
# addresses 127.1.x.y:2525 answering as closed servers, of which 2% have no
# listener; first all prompt, then with 2% slow (their banner SLOW seconds
# late, on every connection).  Loopback only.  Writes
# bench/results/fleet.json.
#
#   bash bench/fleet.sh [N] [SLOW]      (default 1000 targets, 1 s)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
relayctl=${RELAYCTL:-$root/relayctl}
n=${1:-1000}
slow=${2:-1}
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
tmp=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -o "$tmp/fleetserver" "$root/bench/fleetserver.c"

results=()
printf '%-7s %-5s %9s %9s %12s  %s\n' servers jobs "wall s" "hosts/s" "peak RSS MB" verdicts
for mode in prompt slow; do
	delay=0; jobs="1 8 64"
	[ "$mode" = slow ] && { delay=$slow; jobs="8 64"; }
	"$tmp/fleetserver" "$n" 2525 "$delay" "$tmp/targets" >"$tmp/ready" &
	server=$!
	for _ in $(seq 1 200); do [ -s "$tmp/ready" ] && break; sleep 0.05; done
	for j in $jobs; do
		/usr/bin/time -f '%e %M' -o "$tmp/time" "$relayctl" audit --targets "$tmp/targets" \
			-j "$j" --timeout "$((${slow%.*} + 2))" --source 127.0.0.66 --assume-outsider \
			--format jsonl >"$tmp/out" || true
		read -r wall rss < <(tail -n 1 "$tmp/time")
		verdicts=$("$PYTHON" -c '
import collections, json, sys
c = collections.Counter(json.loads(l)["verdict"] for l in open(sys.argv[1]))
print(",".join("%s=%d" % kv for kv in sorted(c.items())))' "$tmp/out")
		hps=$(awk -v n="$n" -v w="$wall" 'BEGIN { printf "%.1f", n / w }')
		mb=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
		printf '%-7s %-5s %9s %9s %12s  %s\n' "$mode" "$j" "$wall" "$hps" "$mb" "$verdicts"
		results+=("{\"servers\": \"$mode\", \"jobs\": $j, \"wall_s\": $wall, \"hosts_per_s\": $hps, \"peak_rss_mb\": $mb, \"verdicts\": \"$verdicts\"}")
	done
	kill "$server"; wait "$server" 2>/dev/null || true; server=
	rm -f "$tmp/ready"
done
mkdir -p "$root/bench/results"
{
	printf '{"date": "%s", "machine": "%s, %s cores", "targets": %s, "slow_s": %s, "runs": [' \
		"$(date -u +%FT%TZ)" "$(uname -sr)" "$(nproc)" "$n" "$slow"
	(IFS=,; printf '%s' "${results[*]}")
	printf ']}\n'
} >"$root/bench/results/fleet.json"
echo "written: bench/results/fleet.json"
