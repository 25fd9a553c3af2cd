#!/usr/bin/env bats
# relayctl shell: a script on stdin and a real terminal (tmux).  A staged
# change writes exactly the bytes of the equivalent enable-phase; errors
# stop a script; completion offers the allow list after `allow del `;
# history persists across sessions.  Postfix runs only for apply --verify.

load ../lib/helpers

setup() {
	CONF=$BATS_TEST_TMPDIR/etc
	small_conf "$CONF"
	SUM=$(sha256sum <"$CONF/main.cf")
	export XDG_STATE_HOME=$BATS_TEST_TMPDIR/state
}

teardown() {
	tmux_stop
	[ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null
	sandbox_stop "${SB:-}"
	true
}

# copy NAME - a copy of the configuration as it is now
copy() {
	rm -rf "$BATS_TEST_TMPDIR/$1"
	cp -r "$CONF" "$BATS_TEST_TMPDIR/$1"
	rm -rf "$BATS_TEST_TMPDIR/$1/relayctl-backups"
	echo "$BATS_TEST_TMPDIR/$1"
}

unchanged() {
	[ "$(sha256sum <"$CONF/main.cf")" = "$SUM" ] || { echo "main.cf changed"; false; }
}

# shell_script TEXT [ARGS] - run the shell on CONF with TEXT on stdin
shell_script() {
	local text=$1
	shift
	run --separate-stderr relayctl shell -c "$CONF" "$@" <<<"$text"
}

@test "shell script: a staged change writes exactly the bytes of enable-phase" {
	ref=$(copy ref)
	shell_script 'phase 2
allow add 192.0.2.0/24 198.51.100.0/24
allow del 198.51.100.0/24
allow add 2001:db8::/48
diff
apply --no-reload'
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[[ $output == *"+mynetworks = 127.0.0.0/8 [::1]/128 192.0.2.0/24 [2001:db8::]/48"* ]]
	[[ $output == *"dry run: phase 2 would change"* ]]
	[[ $output == *"changed: phase 2"* ]]
	run relayctl enable-phase 2 --allow 192.0.2.0/24 --allow 2001:db8::/48 --no-reload -y -c "$ref"
	[ "$status" -eq 0 ]
	cmp "$CONF/main.cf" "$ref/main.cf"
	[ "$(sha256sum <"$CONF/main.cf")" != "$SUM" ]	# it did change

	# phase 3 keeps the list in place, as enable-phase 3 does
	shell_script 'phase 3
apply --no-reload'
	[ "$status" -eq 0 ]
	[[ $stderr == *"warning: phase 3 lets users authenticate with PLAIN"* ]]
	relayctl enable-phase 3 --no-reload -y -c "$ref" >/dev/null 2>&1
	cmp "$CONF/main.cf" "$ref/main.cf"

	# an edit of the list alone is `relayctl allow`
	shell_script 'allow del 192.0.2.0/24
allow add 203.0.113.0/24
apply --no-reload'
	[ "$status" -eq 0 ]
	relayctl allow del 192.0.2.0/24 --no-reload -y -c "$ref" >/dev/null
	relayctl allow add 203.0.113.0/24 --no-reload -y -c "$ref" >/dev/null
	cmp "$CONF/main.cf" "$ref/main.cf"
	grep -q '^mynetworks = 127.0.0.0/8 \[::1\]/128 \[2001:db8::\]/48 203.0.113.0/24$' "$CONF/main.cf"
}

@test "shell script: diff shows what enable-phase --dry-run shows, and writes nothing" {
	shell_script 'phase 1
diff'
	[ "$status" -eq 0 ]
	shell_diff=$output
	unchanged
	run relayctl enable-phase 1 --dry-run -c "$CONF"
	[ "$status" -eq 0 ]
	[ "$shell_diff" = "$output" ]
	unchanged
}

@test "shell script: the first error stops it; --keep-going goes on" {
	shell_script 'phase 2
allow add 192.0.2.0/24
phase 7
apply --no-reload'
	[ "$status" -eq 64 ]
	[[ $stderr == *"phase: invalid phase '7'"* ]]
	[[ $stderr == *"line 3: stopped after an error (exit 64)"* ]]
	[[ $stderr == *"warning: the staged change (phase 2, allow add 192.0.2.0/24) was not applied"* ]]
	[ -z "$output" ]
	unchanged

	shell_script 'phase 2
allow add 192.0.2.0/24
phase 7
apply --no-reload' --keep-going
	[ "$status" -eq 64 ]
	[[ $output == *"changed: phase 2"* ]]
	grep -q '^mynetworks = .*192.0.2.0/24' "$CONF/main.cf"
}

@test "shell script: allow-list edits with phase 1 or a last deletion do what the commands do" {
	relayctl enable-phase 2 --allow 192.0.2.0/24 --no-reload -y -c "$CONF" >/dev/null
	ref=$(copy ref)
	# deletions staged with phase 1: the list goes anyway
	shell_script 'allow del 192.0.2.0/24
phase 1
apply --no-reload'
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	relayctl enable-phase 1 --no-reload -y -c "$ref" >/dev/null
	cmp "$CONF/main.cf" "$ref/main.cf"
	# the last entry deleted without a phase: as `relayctl allow del`
	relayctl enable-phase 2 --allow 192.0.2.0/24 --no-reload -y -c "$CONF" >/dev/null
	relayctl enable-phase 2 --allow 192.0.2.0/24 --no-reload -y -c "$ref" >/dev/null
	shell_script 'allow del 192.0.2.0/24
apply --no-reload'
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	relayctl allow del 192.0.2.0/24 --no-reload -y -c "$ref" >/dev/null
	cmp "$CONF/main.cf" "$ref/main.cf"
	run relayctl status -c "$CONF"
	[[ $output == "phase: 1"* ]]
}

@test "shell script: apply refuses a file changed since the last diff" {
	# the file is edited between the shell's diff and its apply
	mkfifo "$BATS_TEST_TMPDIR/in"
	relayctl shell -c "$CONF" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	exec 4>"$BATS_TEST_TMPDIR/in"
	# `version` runs once the shell has taken in what diff showed
	printf 'phase 1\ndiff\nversion\n' >&4
	for _ in $(seq 1 600); do grep -q "^relayctl [0-9]" "$BATS_TEST_TMPDIR/out" && break; sleep 0.1; done
	grep -q "dry run" "$BATS_TEST_TMPDIR/out"
	echo '# edited by someone else' >>"$CONF/main.cf"
	SUM=$(sha256sum <"$CONF/main.cf")
	printf 'apply --no-reload\n' >&4
	exec 4>&-
	wait "$pid" || st=$?
	[ "${st:-0}" -eq 75 ]
	grep -q "changed since the last 'diff'; nothing written" "$BATS_TEST_TMPDIR/err"
	unchanged
}

@test "shell script: diff --color colours that diff only; the shell's own commands have help" {
	shell_script 'phase 1
diff --color=always
lint
phase --help
allow --help
apply --bogus' --keep-going
	[ "$status" -eq 64 ]
	esc=$'\033['
	[[ $output == *"${esc}32m+smtpd_sasl_auth_enable"* ]]
	lint=$(printf '%s\n' "$output" | grep 'LNT-RELAY-DEFER')
	[[ $lint != *"$esc"* ]]
	[[ $output == *"usage: phase N [--plaintext-after-tls]"* ]]
	[[ $output == *"usage: allow add|del CIDR..."* ]]
	[[ $stderr == *"apply: unknown option '--bogus'; see 'help apply'"* ]]
}

@test "shell script: monitoring codes are results; the last command's code is the exit code" {
	shell_script 'lint
version'
	[ "$status" -eq 0 ]
	[[ $output == *"LNT-RELAY-DEFER"* ]]
	[[ $output == *"relayctl "[0-9]* ]]
	shell_script 'version
lint'
	[ "$status" -eq 1 ]
}

@test "shell script: bad lines get a clear error, and the file stays as it was" {
	check() {
		shell_script "$1"
		[ "$status" -eq "$2" ] || { echo "'$1': exit $status, want $2: $stderr"; return 1; }
		[[ $stderr == *"$3"* ]] || { echo "'$1': stderr: $stderr"; return 1; }
		unchanged
	}
	check "phase '2" 64 "a quote (') is not closed"
	check 'frob' 64 "'frob' is not a command; 'help' lists them"
	check 'shell' 64 "this is the shell already"
	check 'apply' 64 "apply: nothing is staged"
	check 'diff' 64 "diff: nothing is staged"
	check 'allow add 0.0.0.0/0' 64 "rule I1"
	check 'allow add 10.0.0.0/33' 64 "'10.0.0.0/33'"
	check 'allow frob 10.0.0.0/8' 64 "allow: unknown action"
	check $'phase 1\nallow add 192.0.2.0/24' 64 "the staged phase 1 has no allow list"
	check $'phase 2\napply --no-reload' 64 "phase 2 needs at least one allowed network"
	check $'phase 2\napply --bogus' 64 "apply: unknown option '--bogus'"
	check $'phase 2\napply --verify-wait 3' 64 "need --verify"
	check 'status --color=sometimes' 64 "invalid --color 'sometimes'"
}

@test "shell script: allow list marks the staged edits, discard drops them" {
	relayctl enable-phase 2 --allow 192.0.2.0/24 --no-reload -y -c "$CONF" >/dev/null
	SUM=$(sha256sum <"$CONF/main.cf")
	shell_script 'allow add 198.51.100.0/24
allow del 192.0.2.0/24
allow list
status
discard
allow list
discard'
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c '^192.0.2.0/24')" -eq 2 ]
	[[ $output == *"192.0.2.0/24 (staged: del)"* ]]
	[[ $output == *"198.51.100.0/24 (staged: add)"* ]]
	[[ $stderr == *"staged, not applied: allow add 198.51.100.0/24, allow del 192.0.2.0/24"* ]]
	[[ $output == *"discarded: allow add 198.51.100.0/24, allow del 192.0.2.0/24"* ]]
	[[ $output == *"nothing is staged"* ]]
	[[ $stderr != *"was not applied"* ]]
	unchanged
}

@test "shell script: commands run as on the command line, with the shell's options" {
	shell_script 'status --json
help enable-phase
help phase'
	[ "$status" -eq 0 ]	# help's code; status's 1 (no phase) is a result
	printf '%s\n' "$output" | sed -n '/^{/,/^}/p' | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert d["config_dir"].endswith("/etc"), d' || { echo "$output"; false; }
	[[ $output == *"usage: relayctl enable-phase N"* ]]
	[[ $output == *"usage: phase N [--plaintext-after-tls]"* ]]
	[[ $output == *"example:"* ]]
}

@test "shell on a terminal: diff and apply write the bytes of enable-phase; Tab offers the allow list after 'allow del '" {
	ref=$(copy ref)
	tmux_start "TERM=xterm XDG_STATE_HOME=$XDG_STATE_HOME ${RELAYCTL_WRAP:-} $RELAYCTL shell -c $CONF"
	tmux_wait 'relayctl>'
	tmux_keys 'phase 2' Enter 'allow add 192.0.2.0/24' Enter 'allow add 198.51.100.0/24' Enter
	tmux_wait 'relayctl*> allow add 198.51.100.0/24'
	tmux_keys 'diff' Enter
	tmux_wait 'dry run: phase 2 would change'
	tmux_keys 'apply --no-reload' Enter
	tmux_wait 'changed: phase 2'
	relayctl enable-phase 2 --allow 192.0.2.0/24 --allow 198.51.100.0/24 --no-reload -y -c "$ref" >/dev/null
	cmp "$CONF/main.cf" "$ref/main.cf"

	# completion: both networks (the first Tab inserts their common "19",
	# the second finds no more, the third lists, as readline does), then
	# the one that starts with 198
	tmux_keys 'allow del ' Tab
	tmux_wait 'relayctl> allow del 19'
	tmux_keys Tab Tab
	tmux_wait '192.0.2.0/24     198.51.100.0/24'
	tmux_keys C-u 'allow del 198' Tab
	tmux_wait 'relayctl> allow del 198.51.100.0/24'
	tmux_keys C-u 'enable-phase ' Tab Tab
	tmux_wait '0  1  2  3'
	# Ctrl-C drops the line; the shell stays
	tmux_keys C-c
	tmux_keys 'version' Enter
	tmux_wait 'relayctl 0.'
	tmux_prompt 'relayctl>'
	tmux_keys C-d
	tmux_wait '[exit 0]'
}

@test "shell on a terminal: history persists across sessions, Ctrl-R finds it, hosts audited before complete" {
	hist=$XDG_STATE_HOME/relayctl/history
	tmux_start "TERM=xterm XDG_STATE_HOME=$XDG_STATE_HOME ${RELAYCTL_WRAP:-} $RELAYCTL shell -c $CONF"
	tmux_wait 'relayctl>'
	tmux_keys 'version' Enter ' lint' Enter 'audit --timeout 2 127.0.0.1:1' Enter
	tmux_wait '127.0.0.1:1: unknown'
	tmux_keys 'exit' Enter
	tmux_wait '[exit 3]'	# the last command's code, as sh: audit's unknown
	tmux_stop
	[ "$(stat -c %a "$hist")" = 600 ]
	[ "$(stat -c %a "$XDG_STATE_HOME/relayctl")" = 700 ]
	grep -qx 'version' "$hist"
	grep -qx 'audit --timeout 2 127.0.0.1:1' "$hist"
	run grep -c 'lint' "$hist"	# a line starting with a space is not kept
	[ "$output" = 0 ]

	tmux_start "TERM=xterm XDG_STATE_HOME=$XDG_STATE_HOME ${RELAYCTL_WRAP:-} $RELAYCTL shell -c $CONF"
	tmux_wait 'relayctl>'
	tmux_keys C-r 'vers'
	tmux_wait "(reverse-i-search)\`vers': version"
	tmux_keys Enter
	tmux_wait 'relayctl 0.'
	tmux_keys 'audit 127' Tab
	tmux_wait 'relayctl> audit 127.0.0.1:1'
	tmux_keys C-u C-d
	tmux_wait '[exit 0]'
	[ "$(grep -c . "$hist")" -eq 4 ]	# version, audit, exit, version
}

@test "shell on a terminal: Ctrl-C stops a running command, Ctrl-D with a staged change asks first" {
	fake tarpit
	tmux_start "TERM=xterm XDG_STATE_HOME=$XDG_STATE_HOME ${RELAYCTL_WRAP:-} $RELAYCTL shell -c $CONF"
	tmux_wait 'relayctl>'
	tmux_keys "audit --timeout 60 127.0.0.1:$FAKE_PORT" Enter
	sleep 1
	tmux_keys C-c
	tmux_wait 'relayctl: audit: interrupted'
	tmux_keys 'phase 0' Enter
	tmux_prompt 'relayctl*>'
	tmux_keys C-d
	tmux_wait "the staged change (phase 0) is not applied"
	tmux_prompt 'relayctl*>'
	tmux_keys C-d
	tmux_wait '[exit 0]'	# the last command's: phase 0
	unchanged
}

@test "shell: apply --verify checks a real Postfix and keeps the change" {
	SB=$(sandbox_start)
	sandbox_load "$SB"
	run --separate-stderr relayctl shell -c "$SANDBOX_CONFIG_DIR" <<'EOF'
phase 2
allow add 127.0.0.77/32
apply --verify
status
EOF
	[ "$status" -eq 0 ] || { echo "exit $status: $output $stderr"; false; }
	[[ $output == *"changed: phase 2"* ]]
	[[ $output == *"phase: 2"* ]]
	[[ $stderr != *"staged, not applied"* ]]
}

@test "shell on a terminal: a pasted block runs line by line" {
	tmux_start "TERM=xterm XDG_STATE_HOME=$XDG_STATE_HOME ${RELAYCTL_WRAP:-} $RELAYCTL shell -c $CONF"
	tmux_wait 'relayctl>'
	tmux -S "$TMUX_SOCK" set-buffer $'phase 1\ndiscard\n'
	tmux -S "$TMUX_SOCK" paste-buffer -p	# bracketed: Enter runs it
	tmux_keys Enter
	tmux_wait 'discarded: phase 1'
	tmux_prompt 'relayctl>'
	tmux_keys C-d
	tmux_wait '[exit 0]'
	grep -qx 'phase 1' "$XDG_STATE_HOME/relayctl/history"
	grep -qx 'discard' "$XDG_STATE_HOME/relayctl/history"
}

@test "shell on a terminal: no history through a symbolic link or in a directory others can write" {
	mkdir -p "$XDG_STATE_HOME/relayctl"
	echo secret >"$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$XDG_STATE_HOME/relayctl/history"
	tmux_start "TERM=xterm XDG_STATE_HOME=$XDG_STATE_HOME ${RELAYCTL_WRAP:-} $RELAYCTL shell -c $CONF"
	tmux_wait "warning: no history: '$XDG_STATE_HOME/relayctl/history' is not a regular file of yours"
	tmux_keys 'version' Enter 'exit' Enter
	tmux_wait '[exit 0]'
	tmux_stop
	[ "$(cat "$BATS_TEST_TMPDIR/target")" = secret ]
	rm "$XDG_STATE_HOME/relayctl/history"
	chmod 777 "$XDG_STATE_HOME/relayctl"
	tmux_start "TERM=xterm XDG_STATE_HOME=$XDG_STATE_HOME ${RELAYCTL_WRAP:-} $RELAYCTL shell -c $CONF"
	tmux_wait "warning: no history: '$XDG_STATE_HOME/relayctl' is not a directory of yours"
	tmux_keys 'exit' Enter
	tmux_wait '[exit 0]'
	[ ! -e "$XDG_STATE_HOME/relayctl/history" ]
}
