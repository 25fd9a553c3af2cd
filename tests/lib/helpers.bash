# helpers.bash - shared by the bats files: the binary under test, the
# Postfix sandbox and the raw SMTP client.  Load with `load ../lib/helpers`.

bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
LIB=$ROOT/tests/lib
RELAYCTL=${RELAYCTL:-$ROOT/relayctl}
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
export PYTHON
# the Postfix version cache of the runs under test: theirs, not the system's
export RELAYCTL_CACHE_DIR=${RELAYCTL_CACHE_DIR:-$BATS_RUN_TMPDIR/cache}

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

# A real terminal for the interactive tests: tmux on a private socket,
# 120x50, no status line, the pane kept after its command ends.
# tmux_start CMD - run CMD (a shell command line) in it, then print
# "[exit N]" with its exit code; TMUX_PID
tmux_start() {
	TMUX_SOCK=$BATS_TEST_TMPDIR/tmux.sock
	printf 'set -g remain-on-exit on\nset -g status off\nset -g history-limit 5000\n' \
		>"$BATS_TEST_TMPDIR/tmux.conf"
	tmux -S "$TMUX_SOCK" -f "$BATS_TEST_TMPDIR/tmux.conf" new-session -d -x 120 -y 50 \
		"$1; echo \"[exit \$?]\"; sleep 600"
	TMUX_PID=$(tmux -S "$TMUX_SOCK" display-message -p '#{pid}')
}

# tmux_keys KEYS... - type into the terminal (tmux send-keys syntax)
tmux_keys() {
	tmux -S "$TMUX_SOCK" send-keys "$@"
}

# tmux_screen - the terminal's text, with its scrollback, blank lines dropped
tmux_screen() {
	tmux -S "$TMUX_SOCK" capture-pane -p -S -5000 | sed '/^[[:space:]]*$/d'
}

# tmux_wait TEXT [SECONDS] - wait until TEXT (fixed string) is on the
# screen; show the screen if it never comes
tmux_wait() {
	local i
	for ((i = 0; i < ${2:-30} * 10; i++)); do
		tmux_screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "never saw '$1'; the screen:" >&2
	tmux_screen >&2
	return 1
}

# tmux_prompt PROMPT - wait until the last line on the screen is PROMPT
# alone: the program reads the terminal again (keys typed before that may
# meet the terminal in another mode: a Ctrl-D would be lost)
tmux_prompt() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(tmux_screen | tail -n 1)" = "$1" ] && return 0
		sleep 0.1
	done
	echo "never saw the prompt '$1' last; the screen:" >&2
	tmux_screen >&2
	return 1
}

# tmux_stop - end the terminal and what runs in it, by the server's PID
tmux_stop() {
	[ -n "${TMUX_PID:-}" ] || return 0
	kill "$TMUX_PID" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 "$TMUX_PID" 2>/dev/null || break
		sleep 0.1
	done
	TMUX_PID=
}

# small_conf DIR - a small main.cf (in no phase: it defers relaying) in DIR
small_conf() {
	mkdir -p "$1"
	cat >"$1/main.cf" <<'MAIN'
# a small main.cf
compatibility_level = 3.6
myhostname = mx.example.org
mydestination = $myhostname, localhost
mynetworks = 127.0.0.0/8 [::1]/128
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
inet_protocols = ipv4
MAIN
}

# fake MODE - start the scripted server tests/lib/fakesmtp.py MODE;
# FAKE_PORT, FAKE_PID (the caller's teardown kills it)
fake() {
	rm -f "$BATS_TEST_TMPDIR/port"
	"$PYTHON" "$LIB/fakesmtp.py" "$1" "$BATS_TEST_TMPDIR/port" </dev/null >/dev/null 2>&1 3>&- &
	FAKE_PID=$!
	for _ in $(seq 1 100); do
		[ -s "$BATS_TEST_TMPDIR/port" ] && break
		sleep 0.05
	done
	FAKE_PORT=$(cat "$BATS_TEST_TMPDIR/port")
}
