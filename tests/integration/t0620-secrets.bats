#!/usr/bin/env bats
# Secrets: the test user's password never shows in any output of an
# authenticated audit (text, JSON, JSON lines, Nagios, -v transcripts,
# syslog, the state file), neither as itself nor in the base64 forms that
# PLAIN and LOGIN send; it is not left in the environment once read; a
# password file others may read is refused.

load ../lib/helpers

OUT=127.0.0.66

teardown() {
	[ -n "${AUDIT_PID:-}" ] && kill "$AUDIT_PID" 2>/dev/null
	[ -n "${LOG_PID:-}" ] && kill "$LOG_PID" 2>/dev/null
	[ -n "${LOG_PID:-}" ] && rm -f /dev/log
	[ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null
	sandbox_stop "${SB:-}"
	true
}

# forms - the password and its base64 forms on the wire, one per line
forms() {
	"$PYTHON" -c '
import base64, sys
u, p = sys.argv[1].encode(), sys.argv[2].encode()
print(p.decode())
print(base64.b64encode(p).decode())
print(base64.b64encode(b"\0" + u + b"\0" + p).decode())
print(base64.b64encode(u + b"\0" + u + b"\0" + p).decode())' "$1" "$2"
}

@test "secrets: no output of an authenticated audit holds the password or its base64 forms" {
	SB=$(sandbox_start --tls)
	sandbox_load "$SB"
	relayctl enable-phase 3 -c "$SANDBOX_CONFIG_DIR" >/dev/null 2>&1
	(umask 077; printf '%s\n' "$SANDBOX_PASS" >"$BATS_TEST_TMPDIR/pass")
	# a syslog to read, when this machine has none
	if [ ! -e /dev/log ]; then
		"$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")' "$BATS_TEST_TMPDIR/syslog" </dev/null >/dev/null 2>&1 3>&- &
		LOG_PID=$!
		for _ in $(seq 1 50); do [ -S /dev/log ] && break; sleep 0.05; done
	fi
	common=(--source $OUT --auth-user "$SANDBOX_USER" --auth-pass-file "$BATS_TEST_TMPDIR/pass"
		--allow-cleartext-auth --ca-file "$SB/tls/cert.pem" "127.0.0.1:$SANDBOX_PORT")
	o=$BATS_TEST_TMPDIR/out
	relayctl audit -v "${common[@]}" >"$o.text" 2>&1 || true
	relayctl audit -v --json "${common[@]}" >"$o.json" 2>&1 || true
	relayctl audit -v --format jsonl "${common[@]}" >"$o.jsonl" 2>&1 || true
	relayctl audit --format nagios "${common[@]}" >"$o.nagios" 2>&1 || true
	relayctl audit --tls none -v "${common[@]}" >"$o.clear" 2>&1 || true
	relayctl audit --syslog --state "$BATS_TEST_TMPDIR/state.json" "${common[@]}" >"$o.state" 2>&1 || true
	# the audits did authenticate, in every mechanism
	grep -q 'AUTH-USER-PLAIN.*accepted\|"AUTH-USER-PLAIN"' "$o.json"
	grep -q '> AUTH PLAIN <redacted>' "$o.text"
	grep -q '> AUTH LOGIN' "$o.text"
	[ -s "$BATS_TEST_TMPDIR/state.json" ]
	files=("$o".* "$BATS_TEST_TMPDIR/state.json")
	[ -z "${LOG_PID:-}" ] || { sleep 0.3; files+=("$BATS_TEST_TMPDIR/syslog"); grep -q relayctl "$BATS_TEST_TMPDIR/syslog"; }
	while IFS= read -r secret; do
		for f in "${files[@]}"; do
			! grep -qF -- "$secret" "$f" || { echo "'$secret' is in $f"; false; }
		done
	done < <(forms "$SANDBOX_USER" "$SANDBOX_PASS")
}

@test "secrets: RELAYCTL_AUTH_PASS is gone from the environment once read" {
	fake tarpit
	secret=s3cret-$$-$RANDOM
	(umask 077; echo other >"$BATS_TEST_TMPDIR/pass")
	# wiped also when the password comes from a file instead
	RELAYCTL_AUTH_PASS=$secret "$RELAYCTL" audit --timeout 10 --auth-user u \
		--auth-pass-file "$BATS_TEST_TMPDIR/pass" "127.0.0.1:$FAKE_PORT" >/dev/null 2>&1 &
	AUDIT_PID=$!
	pid=$AUDIT_PID
	# once it is connected to the tarpit, the password was read
	for _ in $(seq 1 100); do
		ss -Htn state established "dport = :$FAKE_PORT" | grep -q . && break
		sleep 0.1
	done
	# neither its environment nor its command line shows it
	kill -0 "$pid"	# still waiting for the tarpit
	for f in environ cmdline; do
		if tr '\0' '\n' </proc/$pid/$f | grep -qF -- "$secret"; then
			echo "the password is in /proc/$pid/$f"; false
		fi
	done
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}

@test "secrets: a password file group or others may read is refused, unless told" {
	printf 'hunter2\n' >"$BATS_TEST_TMPDIR/pass"
	chmod 0644 "$BATS_TEST_TMPDIR/pass"
	run --separate-stderr relayctl audit --timeout 1 --auth-user u \
		--auth-pass-file "$BATS_TEST_TMPDIR/pass" 127.0.0.1:1
	[ "$status" -eq 64 ]
	[[ $stderr == *"refusing --auth-pass-file '$BATS_TEST_TMPDIR/pass': group or others may read or write it (mode 0644)"* ]]
	[[ $stderr != *hunter2* ]]
	run --separate-stderr relayctl audit --timeout 1 --auth-user u --allow-insecure-pass-file \
		--auth-pass-file "$BATS_TEST_TMPDIR/pass" 127.0.0.1:1
	[ "$status" -eq 3 ]
	chmod 0600 "$BATS_TEST_TMPDIR/pass"
	run --separate-stderr relayctl audit --timeout 1 --auth-user u \
		--auth-pass-file "$BATS_TEST_TMPDIR/pass" 127.0.0.1:1
	[ "$status" -eq 3 ]
	: >"$BATS_TEST_TMPDIR/pass"
	run --separate-stderr relayctl audit --timeout 1 --auth-user u \
		--auth-pass-file "$BATS_TEST_TMPDIR/pass" 127.0.0.1:1
	[ "$status" -eq 64 ]
	[[ $stderr == *"is empty"* ]]
	# a FIFO is refused, not waited on
	rm "$BATS_TEST_TMPDIR/pass"
	mkfifo -m 0600 "$BATS_TEST_TMPDIR/pass"
	run --separate-stderr timeout 20 "$RELAYCTL" audit --timeout 1 --auth-user u \
		--auth-pass-file "$BATS_TEST_TMPDIR/pass" 127.0.0.1:1
	[ "$status" -eq 64 ]
	[[ $stderr == *"is not a regular file"* ]]
	# a password too long for the buffer is refused, not cut short
	rm "$BATS_TEST_TMPDIR/pass"
	(umask 077; head -c 2000 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/pass")
	run --separate-stderr relayctl audit --timeout 1 --auth-user u \
		--auth-pass-file "$BATS_TEST_TMPDIR/pass" 127.0.0.1:1
	[ "$status" -eq 64 ]
	[[ $stderr == *"is too long"* ]]
}
