# helpers.bash - shared by the bats files: the binary under test, the
# Postfix sandbox and the raw SMTP client.  Load with `load ../lib/helpers`.

bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
LIB=$ROOT/tests/lib
RELAYCTL=${RELAYCTL:-$ROOT/relayctl}
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
export PYTHON

# relayctl ARGS - the binary under test, under $RELAYCTL_WRAP if set
relayctl() {
	# shellcheck disable=SC2086
	${RELAYCTL_WRAP:-} "$RELAYCTL" "$@"
}

# sandbox_start [OPTIONS] - start a private Postfix, print its directory;
# registered so that tests/run.sh can stop it if the test cannot
sandbox_start() {
	bash "$LIB/sandbox.sh" start ${RELAYCTL_SANDBOX_REGISTRY:+--registry "$RELAYCTL_SANDBOX_REGISTRY"} "$@"
}

# sandbox_stop DIR - stop it and remove DIR
sandbox_stop() {
	[ -n "${1:-}" ] && bash "$LIB/sandbox.sh" stop "$1"
}

# sandbox_load DIR - the instance's settings as SANDBOX_* variables
sandbox_load() {
	# shellcheck disable=SC1091
	. "$1/sandbox.env"
}

# smtpc ARGS - the raw test client (tests/lib/smtpc.py)
smtpc() {
	"$PYTHON" "$LIB/smtpc.py" "$@"
}

# reply CMD - the reply line to CMD in the $output of an smtpc run
reply() {
	printf '%s\n' "$output" | awk -F '\t' -v c="$1" '$1 == c { print $2; exit }'
}

# expect_reply CMD PREFIX - that reply starts with PREFIX, or show why not
expect_reply() {
	local got
	got=$(reply "$1")
	if [[ $got != "$2"* ]]; then
		echo "reply to '$1': got '$got', want '$2...'" >&2
		echo "transcript:" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

# proc_alive PID - the process exists and is not a zombie
proc_alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $st != Z* ]]
}
