#!/usr/bin/env bats
# Hostile and broken servers: each ends within --timeout + 1 s as
# "unknown" with the reason, in bounded memory, without a crash (and,
# under `make valgrind`, without a memory error).

load ../lib/helpers

teardown() {
	[ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null
	true
}


@test "hostile: dribble, endless reply, bad code, NUL, reset, stalled and garbage TLS" {
	[ -x /usr/bin/time ] || skip "GNU time is not installed (make deps installs it)"
	# mode, and what the reason must say
	while read -r mode reason; do
		fake "$mode"
		# time and memory of relayctl itself; under valgrind, valgrind's
		# would be measured, so there only the outcome is checked
		/usr/bin/time -f '%e %M' -o "$BATS_TEST_TMPDIR/time" \
			${RELAYCTL_WRAP:-} "$RELAYCTL" audit --timeout 2 "127.0.0.1:$FAKE_PORT" \
			>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || st=$?
		kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true
		FAKE_PID=
		read -r secs kb < <(tail -n 1 "$BATS_TEST_TMPDIR/time")
		out=$(cat "$BATS_TEST_TMPDIR/out")
		echo "# $mode: exit ${st:-0}, $secs s, $kb KB: ${out:0:100}" >&3
		[ "${st:-0}" -eq 3 ] || { echo "$mode: exit ${st:-0}: $out $(cat "$BATS_TEST_TMPDIR/err")"; false; }
		[[ $out == *": unknown ("*"$reason"* ]] || { echo "$mode: $out"; false; }
		unset st
		[ -z "${RELAYCTL_WRAP:-}" ] || continue
		# within the timeout and a second (the --timeout is per wait)
		awk -v s="$secs" 'BEGIN { exit !(s < 3.0) }' || { echo "$mode took $secs s"; false; }
		# bounded memory: a 1 MB line or an endless reply is not kept
		[ "$kb" -lt 40000 ] || { echo "$mode: $kb KB"; false; }
	done <<'MODES'
dribble timed out
multiline Too large response
longline protocol error
badcode 999
nul protocol error
reset Connection reset
tlsstall timed out
tlsgarbage TLS
MODES
}
