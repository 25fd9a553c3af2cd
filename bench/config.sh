#!/bin/bash
# config.sh - enable-phase on a 10,000-line main.cf against postconf -e of
# the same settings, in one run, as ratios.  Writes bench/results/config.json
# and prints a table.  No Postfix runs; nothing leaves this machine.
#
#   bash bench/config.sh [RUNS]      (default 7 runs of each, alternating)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
relayctl=${RELAYCTL:-$root/relayctl}
runs=${1:-7}
work=$(mktemp -d "${TMPDIR:-/tmp}/relayctl-bench.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

# A 10,000-line main.cf: the stock Debian one, then blocks of comments,
# settings and continuation lines, as a long-lived server's file grows.
make_conf() {
	local d=$1 i
	mkdir -p "$d"
	cp "$root/tests/fixtures/debian/main.cf" "$d/main.cf"
	cp "$root/tests/fixtures/debian/master.cf" "$d/master.cf"
	for ((i = 0; $(wc -l <"$d/main.cf") < 10000; i++)); do
		printf '# block %d: notes on the next settings\n#\n' "$i"
		printf 'local_note_%d = value %d\n' "$i" "$i"
		printf 'local_list_%d = a%d,\n    b%d,\n    c%d\n\n' "$i" "$i" "$i" "$i"
	done >>"$d/main.cf"
	head -n 10000 "$d/main.cf" >"$d/main.cf.tmp" && mv "$d/main.cf.tmp" "$d/main.cf"
	touch -d '-1 min' "$d/main.cf" "$d/master.cf"
}

# The settings relayctl writes for phase 2 on this file.
settings=(
	"mynetworks=127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128 192.0.2.0/24"
	"smtpd_relay_restrictions=permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination"
	"smtpd_sasl_auth_enable=yes"
	"smtpd_sasl_type=cyrus"
	"smtpd_sasl_path=smtpd"
	"smtpd_sasl_security_options=noanonymous, noplaintext"
	"smtpd_sasl_tls_security_options=\$smtpd_sasl_security_options"
	"smtpd_sasl_mechanism_filter=cram-md5"
)

ns() { date +%s%N; }

# timed NAME CMD... - run CMD on a fresh copy, append the ms to NAME's list
declare -A times
timed() {
	local name=$1 t0 t1
	shift
	rm -rf "$work/c" && cp -a "$work/base" "$work/c"
	touch -d '-1 min' "$work/c/main.cf"
	t0=$(ns)
	"$@" >/dev/null 2>&1 || true	# status exits 1 on warnings
	t1=$(ns)
	times[$name]+=" $(( (t1 - t0) / 1000 ))"
}

# peak RSS in KiB of one run
rss() {
	rm -rf "$work/c" && cp -a "$work/base" "$work/c"
	touch -d '-1 min' "$work/c/main.cf"
	/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1
}

make_conf "$work/base"
version=$(postconf -dh mail_version)
# relayctl's cache of the Postfix version: a private one, filled by the
# first run; write_nocache goes without it
export RELAYCTL_CACHE_DIR=$work/cache
lines=$(wc -l <"$work/base/main.cf")

for ((r = 0; r < runs; r++)); do
	timed dryrun "$relayctl" enable-phase 2 --allow 192.0.2.0/24 --dry-run -c "$work/c"
	timed write "$relayctl" enable-phase 2 --allow 192.0.2.0/24 --no-reload -c "$work/c"
	RELAYCTL_CACHE_DIR= timed write_nocache "$relayctl" enable-phase 2 --allow 192.0.2.0/24 \
		--no-reload -c "$work/c"
	timed write_v "$relayctl" enable-phase 2 --allow 192.0.2.0/24 --no-reload -c "$work/c" \
		--postfix-version "$version"
	timed postconf postconf -c "$work/c" -e "${settings[@]}"
	timed status "$relayctl" status -c "$work/c"
done

# The two writers must agree on the result.
rm -rf "$work/a" "$work/b" && cp -a "$work/base" "$work/a" && cp -a "$work/base" "$work/b"
"$relayctl" enable-phase 2 --allow 192.0.2.0/24 --no-reload -c "$work/a" >/dev/null
postconf -c "$work/b" -e "${settings[@]}"
touch -d '-1 min' "$work/a/main.cf" "$work/b/main.cf"
same=false
diff <(postconf -c "$work/a" -n 2>/dev/null | grep -v ^config_directory) <(postconf -c "$work/b" -n 2>/dev/null | grep -v ^config_directory) >"$work/same.diff" && same=true

median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
spread() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk 'NR==1{lo=$1} {hi=$1} END {print lo "-" hi}'; }

m_dry=$(echo "${times[dryrun]}" | median)
m_write=$(echo "${times[write]}" | median)
m_pc=$(echo "${times[postconf]}" | median)
m_write_v=$(echo "${times[write_v]}" | median)
m_write_nc=$(echo "${times[write_nocache]}" | median)
m_status=$(echo "${times[status]}" | median)
r_write=$(rss "$relayctl" enable-phase 2 --allow 192.0.2.0/24 --no-reload -c "$work/c")
r_pc=$(rss postconf -c "$work/c" -e "${settings[@]}")
ratio=$(awk -v a="$m_write" -v b="$m_pc" 'BEGIN { printf "%.2f", a / b }')
ratio_dry=$(awk -v a="$m_dry" -v b="$m_pc" 'BEGIN { printf "%.2f", a / b }')
ratio_v=$(awk -v a="$m_write_v" -v b="$m_pc" 'BEGIN { printf "%.2f", a / b }')
ratio_nc=$(awk -v a="$m_write_nc" -v b="$m_pc" 'BEGIN { printf "%.2f", a / b }')

printf '%s lines of main.cf, %s runs each (median, min-max, microseconds)\n' "$lines" "$runs"
printf '  %-38s %8s  %s\n' "relayctl enable-phase 2 --dry-run" "$m_dry" "$(echo "${times[dryrun]}" | spread)"
printf '  %-38s %8s  %s\n' "relayctl enable-phase 2 (write)" "$m_write" "$(echo "${times[write]}" | spread)"
printf '  %-38s %8s  %s\n' "  the same, no version cache" "$m_write_nc" "$(echo "${times[write_nocache]}" | spread)"
printf '  %-38s %8s  %s\n' "  the same, --postfix-version given" "$m_write_v" "$(echo "${times[write_v]}" | spread)"
printf '  %-38s %8s  %s\n' "postconf -e (same 8 settings)" "$m_pc" "$(echo "${times[postconf]}" | spread)"
printf '  %-38s %8s  %s\n' "relayctl status" "$m_status" "$(echo "${times[status]}" | spread)"
printf '  write / postconf -e = %s (%s without the version cache, %s with --postfix-version), dry run / postconf -e = %s\n' \
	"$ratio" "$ratio_nc" "$ratio_v" "$ratio_dry"
printf '  peak RSS %s KiB vs %s KiB; same postconf -n result: %s\n' "$r_write" "$r_pc" "$same"

mkdir -p "$root/bench/results"
cat >"$root/bench/results/config.json" <<JSON
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "machine": "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)",
  "main_cf_lines": $lines,
  "runs": $runs,
  "median_us": { "enable_phase_dry_run": $m_dry, "enable_phase_write": $m_write,
                 "enable_phase_write_version_given": $m_write_v,
                 "enable_phase_write_no_version_cache": $m_write_nc,
                 "postconf_e": $m_pc, "status": $m_status },
  "peak_rss_kib": { "enable_phase_write": $r_write, "postconf_e": $r_pc },
  "ratio_write_to_postconf_e": $ratio,
  "ratio_dry_run_to_postconf_e": $ratio_dry,
  "ratio_write_version_given_to_postconf_e": $ratio_v,
  "ratio_write_no_version_cache_to_postconf_e": $ratio_nc,
  "same_result_as_postconf_e": $same
}
JSON
