#!/usr/bin/env bats
# Many targets at once: real Postfix sandboxes (closed and open), a dead
# port and a tarpit audited with -j 8; each gets its verdict, in input
# order; the worst exit code; the Nagios line; --quiet; --targets files;
# JSON lines; the deadline.

load ../lib/helpers

OUT=127.0.0.66

setup() {
	SBS=()
	FAKE_PIDS=()
}

teardown() {
	local sb pid
	for sb in "${SBS[@]}"; do sandbox_stop "$sb"; done
	for pid in "${FAKE_PIDS[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	# the syslog test's socket, if it made one
	[ -n "${DEVLOG_OURS:-}" ] && rm -f /dev/log
	true
}

# closed_sandbox / open_sandbox - a Postfix in phase 2 / one that relays
# for everybody; its target in TARGET
closed_sandbox() {
	local sb
	sb=$(sandbox_start --no-auth)
	SBS+=("$sb")
	sandbox_load "$sb"
	TARGET=127.0.0.1:$SANDBOX_PORT
}
open_sandbox() {
	local sb
	sb=$(sandbox_start --no-auth --set mynetworks=0.0.0.0/0 --set default_transport=smtp --set relay_transport=relay)
	SBS+=("$sb")
	sandbox_load "$sb"
	TARGET=127.0.0.1:$SANDBOX_PORT
}

# tarpit - a server that accepts and never speaks; its target in TARGET
tarpit() {
	local portfile=$BATS_TEST_TMPDIR/tarpit.port
	"$PYTHON" "$LIB/fakesmtp.py" tarpit "$portfile" </dev/null >/dev/null 2>&1 3>&- &
	FAKE_PIDS+=($!)
	for _ in $(seq 1 100); do
		[ -s "$portfile" ] && break
		sleep 0.05
	done
	TARGET=127.0.0.1:$(cat "$portfile")
}

# dead - a port nobody listens on
dead() {
	TARGET=127.0.0.1:$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
}

@test "fleet: closed, open, dead and tarpit targets with -j 8: each its verdict, in order, worst exit" {
	closed_sandbox; A=$TARGET
	open_sandbox; B=$TARGET
	dead; C=$TARGET
	tarpit; D=$TARGET
	closed_sandbox; E=$TARGET
	# The sandboxes do not trust 127.0.0.66: an outsider's view.
	run --separate-stderr relayctl audit -j 8 --timeout 2 --source $OUT --assume-outsider \
		--json "$A" "$B" "$C" "$D" "$E"
	[ "$status" -eq 2 ] || { echo "exit $status"; echo "$stderr"; false; }
	printf '%s\n' "$output" | WANT="$A closed $B open $C unknown $D unknown $E closed" "$PYTHON" -c '
import json, os, sys
d = json.load(sys.stdin)
got = " ".join(t["target"] + " " + t["verdict"] for t in d["targets"])
assert got == os.environ["WANT"], (got, os.environ["WANT"])
r = {t["target"]: t.get("reason", "") for t in d["targets"]}
print(r)'
	[[ $output == *"timed out"* ]]
	[[ $output == *"connection failed"* ]]
	# the Nagios line: status, counts, the open host named, perfdata
	run --separate-stderr relayctl audit -j 8 --timeout 2 --source $OUT --assume-outsider \
		--format nagios "$A" "$B" "$C" "$D" "$E"
	[ "$status" -eq 2 ]
	[[ ${lines[0]} =~ ^"RELAY CRITICAL - 1 of 5 hosts open relay ($B) | hosts=5 open=1 unknown=2 warnings=0 time="[0-9]+\.[0-9]s$ ]] || { echo "${lines[0]}"; false; }
	# the long output: one line per host, the worst first
	[[ ${lines[1]} == "$B: open; AUD-OPEN-RELAY" ]]
	[ "${#lines[@]}" -eq 6 ]
	# the text report: the summary table, then the details
	run --separate-stderr relayctl audit -j 8 --timeout 2 --source $OUT --assume-outsider "$A" "$B" "$C"
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "TARGET"*"VERDICT"*"TESTS"*"RELAYED"*"FINDINGS" ]]
	[[ ${lines[1]} == "$A "*" closed "* ]]
	[[ ${lines[2]} == "$B "*" open "* ]]
	[[ ${lines[3]} == "$C "*" unknown "* ]]
}

@test "fleet: a slow target holds up only itself" {
	tarpit; D=$TARGET
	closed_sandbox; A=$TARGET
	closed_sandbox; B=$TARGET
	# jsonl: a line per target as it finishes; the tarpit (first in the
	# input) comes last
	run --separate-stderr relayctl audit -j 3 --timeout 3 --source $OUT --format jsonl "$D" "$A" "$B"
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 3 ]
	printf '%s\n' "${lines[2]}" | D=$D "$PYTHON" -c '
import json, os, sys
t = json.loads(sys.stdin.read())
assert t["target"] == os.environ["D"] and t["verdict"] == "unknown", t["target"]'
	for l in 0 1; do
		printf '%s\n' "${lines[$l]}" | "$PYTHON" -c 'import json, sys; assert json.loads(sys.stdin.read())["verdict"] == "closed"'
	done
	# a deadline ends the run, whatever the timeout: the tarpit's waits
	# are cut, what did not start is unknown and says so.  (The bound is
	# loose on purpose: it tells a cut wait from a 60 s timeout.)
	start=$(date +%s)
	run --separate-stderr relayctl audit -j 1 --timeout 60 --deadline 2 --source $OUT --json "$D" "$A"
	[ "$status" -eq 3 ]
	[ $(( $(date +%s) - start )) -lt 30 ]
	[[ $output == *"the deadline passed before the audit of this target started"* ]]
	# --format nagios says UNKNOWN on an error too
	run --separate-stderr relayctl audit --format nagios --targets /nonexistent
	[ "$status" -eq 3 ]
	[[ ${lines[0]} == "RELAY UNKNOWN - relayctl could not complete the check (exit 64"* ]]
}

@test "fleet: --quiet says nothing when all is well, and the problem otherwise" {
	closed_sandbox; A=$TARGET
	closed_sandbox; B=$TARGET
	run --separate-stderr relayctl audit --quiet -j 2 --source $OUT "$A" "$B"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	# a monitoring plugin always says its status
	run --separate-stderr relayctl audit --quiet -j 2 --source $OUT --format nagios "$A" "$B"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "RELAY OK - 2 hosts closed | hosts=2 open=0 unknown=0 warnings=0 time="* ]]
	# jsonl: nothing for the targets that are OK
	run --separate-stderr relayctl audit --quiet -j 2 --source $OUT --format jsonl "$A" "$B"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# on a terminal, more than one target: a progress line on stderr
	run script -qec "$RELAYCTL audit -q -j 2 --source $OUT $A $B 2>&1 >/dev/null" /dev/null
	[ "$status" -eq 0 ]
	[[ $output == *"relayctl: 2 of 2 audited, 0 open, 0 unknown"* ]]
	dead; C=$TARGET
	run --separate-stderr relayctl audit -q -j 2 --source $OUT "$A" "$C" "$B"
	[ "$status" -eq 3 ]
	[[ $output == *"$C"*"unknown"* ]]
	[[ $output != *"$A: closed"* ]]
}

@test "fleet: --targets files, with comments, from stdin, with errors naming the line" {
	closed_sandbox; A=$TARGET
	dead; C=$TARGET
	printf '# the fleet\n%s   # closed\n\n  %s\n' "$A" "$C" >"$BATS_TEST_TMPDIR/targets"
	run --separate-stderr relayctl audit --source $OUT --json --targets "$BATS_TEST_TMPDIR/targets"
	[ "$status" -eq 3 ]
	printf '%s\n' "$output" | WANT="$A $C" "$PYTHON" -c '
import json, os, sys
got = " ".join(t["target"] for t in json.load(sys.stdin)["targets"])
assert got == os.environ["WANT"], got'
	run --separate-stderr relayctl audit --source $OUT --json --targets - <"$BATS_TEST_TMPDIR/targets"
	[ "$status" -eq 3 ]
	printf 'ok.example\nbad target here\n' >"$BATS_TEST_TMPDIR/bad"
	run --separate-stderr relayctl audit --targets "$BATS_TEST_TMPDIR/bad"
	[ "$status" -eq 64 ]
	[[ $stderr == *"line 2: one target per line, not 'bad target here'"* ]]
	printf 'ok.example\nhost:99999\n' >"$BATS_TEST_TMPDIR/bad"
	run --separate-stderr relayctl audit --targets "$BATS_TEST_TMPDIR/bad"
	[ "$status" -eq 64 ]
	[[ $stderr == *"invalid target 'host:99999'"* ]]
	[[ $stderr == *"line 2"* ]]
	printf '# nothing\n' >"$BATS_TEST_TMPDIR/empty"
	run --separate-stderr relayctl audit --targets "$BATS_TEST_TMPDIR/empty"
	[ "$status" -eq 64 ]
	[[ $stderr == *"--targets has none"* ]]
	# a CR inside a line (found by fuzz_conffile), or another control byte
	printf 'ok.example\nmx\rt.example\n' >"$BATS_TEST_TMPDIR/bad"
	run --separate-stderr relayctl audit --targets "$BATS_TEST_TMPDIR/bad"
	[ "$status" -eq 64 ]
	[[ $stderr == *"line 2: a control character"* ]]
	printf 'target mx.example\nhelo a\033b\n' >"$BATS_TEST_TMPDIR/conf"
	run --separate-stderr relayctl audit --conf "$BATS_TEST_TMPDIR/conf"
	[ "$status" -eq 65 ]	# as every error of the defaults file
	[[ $stderr == *"line 2: a control character"* ]]
	# a tab is a separator, not a control character
	printf 'target\t127.0.0.1:1\ntimeout\t1\n' >"$BATS_TEST_TMPDIR/conf"
	run --separate-stderr relayctl audit --conf "$BATS_TEST_TMPDIR/conf"
	[ "$status" -eq 3 ] || { echo "exit $status: $stderr"; false; }
	[[ $output == "127.0.0.1:1: unknown"* ]]
	run --separate-stderr relayctl audit --targets /nonexistent
	[ "$status" -eq 64 ]
	[[ $stderr == *"cannot read --targets '/nonexistent'"* ]]
	run --separate-stderr relayctl audit -j 0 "$A"
	[ "$status" -eq 64 ]
	run --separate-stderr relayctl audit --format xml "$A"
	[ "$status" -eq 64 ]
	[[ $stderr == *"invalid --format 'xml'"* ]]
}

@test "fleet: --state reports exactly what changed, then nothing" {
	closed_sandbox; A=$TARGET; CA=$SANDBOX_CONFIG_DIR
	closed_sandbox; B=$TARGET
	st=$BATS_TEST_TMPDIR/state.json
	run --separate-stderr relayctl audit -j 2 --source $OUT --assume-outsider --state "$st" "$A" "$B"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s: first audited (closed)\n%s: first audited (closed)' "$A" "$B")" ]
	[ "$(stat -c %a "$st")" = 600 ]
	run --separate-stderr relayctl audit -j 2 --source $OUT --assume-outsider --state "$st" "$A" "$B"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# A becomes an open relay
	postconf -c "$CA" -e "mynetworks = 0.0.0.0/0" "default_transport = smtp" "relay_transport = relay"
	postfix -c "$CA" reload 2>/dev/null
	sleep 1
	run --separate-stderr relayctl audit -j 2 --source $OUT --assume-outsider --state "$st" "$A" "$B"
	[ "$status" -eq 2 ]
	[ "$output" = "$(printf '%s: newly open (closed -> open)\n%s: new finding AUD-OPEN-RELAY (critical)' "$A" "$A")" ] || { echo "$output"; false; }
	# nothing changed since: nothing to say, the status still critical
	run --separate-stderr relayctl audit -j 2 --source $OUT --assume-outsider --state "$st" "$A" "$B"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	# all: the whole report, the changes after it
	run --separate-stderr relayctl audit -j 2 --source $OUT --assume-outsider --state "$st" --state-report all "$A"
	[[ ${lines[0]} == "$A: open ("* ]]
	[[ $output == *"changed since the last run:"*"$B: no longer audited"* ]]
	# as JSON
	run --separate-stderr relayctl audit --source $OUT --assume-outsider --state "$st" --json "$A" "$B"
	[[ $output == *'"change": "new-target"'* ]]
	echo '{"schema": "something else"}' >"$BATS_TEST_TMPDIR/bad.json"
	cp "$BATS_TEST_TMPDIR/bad.json" "$BATS_TEST_TMPDIR/bad.copy"
	run --separate-stderr relayctl audit --state "$BATS_TEST_TMPDIR/bad.json" "$A"
	[ "$status" -eq 65 ]
	[[ $stderr == *"is not a relayctl state file"* ]]
	cmp "$BATS_TEST_TMPDIR/bad.json" "$BATS_TEST_TMPDIR/bad.copy"
}

@test "fleet: a defaults file keeps the crontab line short" {
	closed_sandbox; A=$TARGET
	closed_sandbox; B=$TARGET
	conf=$BATS_TEST_TMPDIR/relayctl.conf
	cat >"$conf" <<CONF
# relayctl audit defaults
target $A
target $B   # the second
source $OUT
assume-outsider
jobs 2
timeout 5
state $BATS_TEST_TMPDIR/state.json
CONF
	run --separate-stderr relayctl audit --quiet --conf "$conf"
	[ "$status" -eq 0 ]
	[[ $output == *"$A: first audited (closed)"* ]]
	run --separate-stderr relayctl audit --quiet --conf "$conf"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	# targets on the command line replace the file's
	run --separate-stderr relayctl audit --conf "$conf" --state-report all --json "$B"
	printf '%s\n' "$output" | B=$B "$PYTHON" -c '
import json, os, sys
d = json.load(sys.stdin)
assert [t["target"] for t in d["targets"]] == [os.environ["B"]], d["targets"]'
	[[ $output == *'"change": "dropped-target"'* ]]
	# strict, with line numbers
	printf 'jobs 2\ntimeout\n' >"$conf"
	run --separate-stderr relayctl audit --conf "$conf" "$A"
	[ "$status" -eq 65 ]
	[[ $stderr == *"$conf line 2: 'timeout' needs a value"* ]]
	printf 'auth-user u\nauth-pass hunter2\n' >"$conf"
	run --separate-stderr relayctl audit --conf "$conf" "$A"
	[ "$status" -eq 65 ]
	[[ $stderr == *"line 2: no passwords in the defaults file"* ]]
	[[ $stderr != *hunter2* ]]
	printf 'jobs 2\n\njobs abc\n' >"$conf"
	run --separate-stderr relayctl audit --conf "$conf" "$A"
	[ "$status" -eq 64 ]
	[[ $stderr == *"invalid --jobs 'abc'"* ]]
	[[ $stderr == *"that option comes from the defaults file '$conf' line 3"* ]]
	printf 'colour blue\n' >"$conf"
	run --separate-stderr relayctl audit --conf "$conf" "$A"
	[ "$status" -eq 65 ]
	[[ $stderr == *"line 1: unknown setting 'colour'"* ]]
	run --separate-stderr relayctl audit --conf /nonexistent "$A"
	[ "$status" -eq 65 ]
	[[ $stderr == *"cannot read the defaults file '/nonexistent'"* ]]
}

@test "fleet: --syslog logs one line per target with a stable tag" {
	[ ! -e /dev/log ] || skip "a syslog daemon owns /dev/log here"
	closed_sandbox; A=$TARGET
	dead; C=$TARGET
	log=$BATS_TEST_TMPDIR/syslog
	"$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
print("ready", flush=True)
with open(sys.argv[1], "ab") as f:
    while True:
        f.write(s.recv(4096) + b"\n"); f.flush()' "$log" >"$BATS_TEST_TMPDIR/ready" &
	LOGGER=$!
	FAKE_PIDS+=("$LOGGER")
	DEVLOG_OURS=1
	for _ in $(seq 1 100); do [ -s "$BATS_TEST_TMPDIR/ready" ] && break; sleep 0.05; done
	run --separate-stderr relayctl audit --syslog -j 2 --source $OUT "$A" "$C"
	[ "$status" -eq 3 ]
	sleep 0.2
	kill "$LOGGER"; wait "$LOGGER" 2>/dev/null || true
	rm -f /dev/log
	grep -q "relayctl\[[0-9]*\]: target=$A verdict=closed status=ok findings=none" "$log"
	grep -q "relayctl\[[0-9]*\]: target=$C verdict=unknown status=unknown" "$log"
	# facility mail (2), severity notice (5) and err (3): <21> and <19>
	grep -q "^<21>" "$log"
	grep -q "^<19>" "$log"
}

@test "fleet: --mx audits a domain's MX hosts in preference order, from a real DNS server" {
	# two Postfix instances on 127.0.0.11 and 127.0.0.12, the same port
	SB1=$(sandbox_start --no-auth --addr 127.0.0.11)
	SBS+=("$SB1")
	sandbox_load "$SB1"
	P=$SANDBOX_PORT
	SB2=$(sandbox_start --no-auth --addr 127.0.0.12 --port "$P")
	SBS+=("$SB2")
	DP=$("$PYTHON" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	dnsmasq --keep-in-foreground --port="$DP" --listen-address=127.0.0.1 --bind-interfaces \
		--no-resolv --no-hosts --local=/test/ --pid-file= --log-facility=- \
		--mx-host=relayctl.test,mx2.relayctl.test,20 --mx-host=relayctl.test,mx1.relayctl.test,10 \
		--host-record=mx1.relayctl.test,127.0.0.11 --host-record=mx2.relayctl.test,127.0.0.12 \
		--mx-host=relayctl.test,mx3.relayctl.test,30 \
		--host-record=implicit.test,127.0.0.12 --txt-record=noaddr.test,nothing \
		2>"$BATS_TEST_TMPDIR/dnsmasq.log" &
	FAKE_PIDS+=($!)
	for _ in $(seq 1 50); do
		ss -Hlun "sport = :$DP" | grep -q . && break
		sleep 0.05
	done
	run --separate-stderr relayctl audit --mx --resolver "127.0.0.1:$DP" --source $OUT -j 4 --timeout 3 --json \
		"relayctl.test:$P" "implicit.test:$P" nosuch.test noaddr.test
	[ "$status" -eq 3 ] || { echo "exit $status: $stderr"; cat "$BATS_TEST_TMPDIR/dnsmasq.log"; false; }
	printf '%s\n' "$output" | P=$P "$PYTHON" -c '
import json, os, sys
p = os.environ["P"]
ts = json.load(sys.stdin)["targets"]
got = [(t["target"], t["host"], t["verdict"]) for t in ts]
want = [("mx1.relayctl.test[127.0.0.11]:" + p, "127.0.0.11", "closed"),
        ("mx2.relayctl.test[127.0.0.12]:" + p, "127.0.0.12", "closed"),
        ("mx3.relayctl.test", "mx3.relayctl.test", "unknown"),
        ("implicit.test[127.0.0.12]:" + p, "127.0.0.12", "closed"),
        ("nosuch.test", "nosuch.test", "unknown"),
        ("noaddr.test", "noaddr.test", "unknown")]
assert got == want, got
assert ts[2]["reason"] == "this MX host has no A or AAAA record", ts[2]["reason"]
assert ts[4]["reason"] == "nosuch.test: no such domain (NXDOMAIN)", ts[4]["reason"]
assert ts[5]["reason"] == "noaddr.test has no MX, A or AAAA record", ts[5]["reason"]'
	# a resolver that does not answer: unknown, with the reason
	run --separate-stderr relayctl audit --mx --resolver 127.0.0.1:9 --timeout 1 relayctl.test
	[ "$status" -eq 3 ]
	[[ $output == *"the DNS server did not answer"* ]]
	run --separate-stderr relayctl audit --resolver 127.0.0.1 relayctl.test
	[ "$status" -eq 64 ]
	run --separate-stderr relayctl audit --mx --resolver ::1 relayctl.test
	[ "$status" -eq 64 ]
	[[ $stderr == *"invalid --resolver '::1'"* ]]
}
