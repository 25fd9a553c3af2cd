#!/bin/bash
# audit.sh - relayctl audit against nmap's smtp-open-relay script on the
# same sandbox Postfix, from the same outsider address (127.0.0.66), in one
# run: median wall time of several alternating runs, the ratio, and the RCPT
# commands each made (counted from Postfix's own log).  Two servers: one
# with Postfix's stock error throttling, one without.  Loopback only.
#
#   bash bench/audit.sh [RUNS]     (default 5; needs root, nmap: make deps)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
relayctl=${RELAYCTL:-$root/relayctl}
runs=${1:-5}
OUT=127.0.0.66
sandbox() { bash "$root/tests/lib/sandbox.sh" "$@"; }
command -v nmap >/dev/null || { echo "bench/audit.sh: nmap is missing: run 'sh mk/deps.sh bench' as root" >&2; exit 1; }

throttled=$(sandbox start --no-auth --set smtpd_error_sleep_time=1s \
	--set smtpd_soft_error_limit=10 --set smtpd_hard_error_limit=20)
free=$(sandbox start --no-auth --set smtpd_error_sleep_time=0 \
	--set smtpd_soft_error_limit=1000 --set smtpd_hard_error_limit=1000)
trap 'sandbox stop "$throttled"; sandbox stop "$free"' EXIT

ns() { date +%s%N; }
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# rcpts DIR - RCPT commands in the log since MARK lines
rcpts() { tail -n +"$2" "$1/maillog" | sed -n 's/.* rcpt=[0-9]*\/\([0-9]*\).*/\1/p' | awk '{s+=$1} END {print s+0}'; }

declare -A t n
results=()
for name in throttled free; do
	dir=${!name}
	port=$(. "$dir/sandbox.env"; echo "$SANDBOX_PORT")
	for ((r = 0; r < runs; r++)); do
		mark=$(($(wc -l <"$dir/maillog") + 1))
		s=$(ns)
		"$relayctl" audit --source $OUT --tls none "127.0.0.1:$port" >/dev/null || true
		t[$name.relayctl]+=" $(( ($(ns) - s) / 1000000 ))"
		sleep 0.3
		n[$name.relayctl]=$(rcpts "$dir" "$mark")
		mark=$(($(wc -l <"$dir/maillog") + 1))
		s=$(ns)
		nmap -sT -Pn -n -p "$port" -S $OUT -e lo --script +smtp-open-relay \
			127.0.0.1 >"$dir/nmap.out" 2>&1 || true
		t[$name.nmap]+=" $(( ($(ns) - s) / 1000000 ))"
		sleep 0.3
		n[$name.nmap]=$(rcpts "$dir" "$mark")
	done
	mr=$(echo "${t[$name.relayctl]}" | median)
	mn=$(echo "${t[$name.nmap]}" | median)
	ratio=$(awk -v a="$mn" -v b="$mr" 'BEGIN { printf "%.1f", a / b }')
	printf '%-10s relayctl %6s ms, %3s RCPTs | nmap %6s ms, %3s RCPTs | nmap/relayctl %sx\n' \
		"$name" "$mr" "${n[$name.relayctl]}" "$mn" "${n[$name.nmap]}" "$ratio"
	results+=("\"$name\": {\"relayctl_ms\": $mr, \"relayctl_rcpts\": ${n[$name.relayctl]}, \"nmap_ms\": $mn, \"nmap_rcpts\": ${n[$name.nmap]}, \"speedup\": $ratio}")
done
mkdir -p "$root/bench/results"
{
	echo "{"
	echo "  \"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\","
	echo "  \"machine\": \"$(nproc) cores, $(uname -sr)\","
	echo "  \"runs\": $runs,"
	(IFS=,; echo "  ${results[*]}")
	echo "}"
} >"$root/bench/results/audit.json"
