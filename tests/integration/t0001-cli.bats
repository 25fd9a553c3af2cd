#!/usr/bin/env bats
# The command line: dispatch through the command table, help in every
# form, the version, and usage errors that name the problem and exit 64.

load ../lib/helpers

EX_USAGE=64

@test "cli: no arguments prints the usage on stderr and exits 64" {
	run --separate-stderr relayctl
	[ "$status" -eq $EX_USAGE ]
	[ -z "$output" ]
	[[ $stderr == "usage: relayctl "* ]]
	[[ $stderr == *"commands:"* ]]
}

# commands - the command names from help --json; fails when there are none
commands() {
	local names
	names=$(relayctl help --json | "$PYTHON" -c 'import json,sys; print(" ".join(c["name"] for c in json.load(sys.stdin)["commands"]))')
	[ -n "$names" ] || { echo "help --json listed no commands" >&2; return 1; }
	echo "$names"
}

@test "cli: --help and -h print the usage with every command on stdout" {
	cmds=$(commands)
	for h in --help -h; do
		run --separate-stderr relayctl $h
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[[ $output == "usage: relayctl "* ]]
		for c in $cmds; do
			[[ $output == *"  $c "* ]]
		done
	done
}

@test "cli: relayctl help equals relayctl --help" {
	run relayctl help
	[ "$status" -eq 0 ]
	a=$output
	run relayctl --help
	[ "$status" -eq 0 ]
	[ "$output" = "$a" ]
}

@test "cli: --version, -V and the version command agree" {
	run --separate-stderr relayctl --version
	[ "$status" -eq 0 ]
	[[ $output =~ ^relayctl\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[ "$(relayctl -V)" = "$output" ]
	[ "$(relayctl version)" = "$output" ]
	want=$(sed -n 's/^VERSION[[:space:]]*=[[:space:]]*//p' "$ROOT/Makefile")
	[ "$output" = "relayctl $want" ]
}

@test "cli: version --json is valid JSON naming relayctl and jansson" {
	run --separate-stderr relayctl version --json
	[ "$status" -eq 0 ]
	echo "$output" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert d["relayctl"] and d["jansson"], d'
}

@test "cli: help CMD and CMD --help print the same help for every command" {
	cmds=$(commands)
	for c in $cmds; do
		run --separate-stderr relayctl help "$c"
		[ "$status" -eq 0 ]
		[[ $output == "usage: relayctl $c"* ]]
		[[ $output == *"example:"* ]]
		a=$output
		run relayctl "$c" --help
		[ "$status" -eq 0 ]
		[ "$output" = "$a" ]
		run relayctl "$c" -h
		[ "$output" = "$a" ]
	done
}

@test "cli: help --json lists every command with its options" {
	run --separate-stderr relayctl help --json
	[ "$status" -eq 0 ]
	echo "$output" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert d["program"] == "relayctl"
names = [c["name"] for c in d["commands"]]
assert names == sorted(names) and len(names) == len(set(names)), names
assert "help" in names and "version" in names
for c in d["commands"] + [d["global"]]:
    for k in ("name", "synopsis", "summary", "example", "options"):
        assert k in c, (c, k)
    for o in c["options"]:
        assert o["name"] and o["help"], o
assert [o["name"] for o in d["global"]["options"]] == ["version", "color", "config-dir", "json", "postfix-version"]
shell = [c["name"] for c in d["shell_commands"]]
assert shell == sorted(shell) and "apply" in shell and "phase" in shell, shell'
	run relayctl help --json version
	[ "$status" -eq 0 ]
	echo "$output" | "$PYTHON" -c 'import json,sys; assert json.load(sys.stdin)["name"] == "version"'
}

@test "cli: an unknown command is named, with the usage exit code" {
	run --separate-stderr relayctl frobnicate
	[ "$status" -eq $EX_USAGE ]
	[ -z "$output" ]
	[ "$stderr" = "relayctl: 'frobnicate' is not a relayctl command; see 'relayctl --help'" ]
	run --separate-stderr relayctl help frobnicate
	[ "$status" -eq $EX_USAGE ]
	[ "$stderr" = "relayctl: help: 'frobnicate' is not a relayctl command; see 'relayctl help'" ]
}

@test "cli: unknown options are named, globally and per command" {
	run --separate-stderr relayctl --frob
	[ "$status" -eq $EX_USAGE ]
	[ "$stderr" = "relayctl: unknown option '--frob'; see 'relayctl --help'" ]
	run --separate-stderr relayctl -x version
	[ "$status" -eq $EX_USAGE ]
	[ "$stderr" = "relayctl: unknown option '-x'; see 'relayctl --help'" ]
	run --separate-stderr relayctl version --frob
	[ "$status" -eq $EX_USAGE ]
	[ -z "$output" ]
	[ "$stderr" = "relayctl: version: unknown option '--frob'; see 'relayctl version --help'" ]
	run --separate-stderr relayctl version --json=yes
	[ "$status" -eq $EX_USAGE ]
	[ "$stderr" = "relayctl: version: option '--json' takes no argument; see 'relayctl version --help'" ]
}

@test "cli: stray arguments are refused" {
	run --separate-stderr relayctl version extra
	[ "$status" -eq $EX_USAGE ]
	[[ $stderr == *"unexpected argument 'extra'"* ]]
	run --separate-stderr relayctl help version help
	[ "$status" -eq $EX_USAGE ]
	[[ $stderr == *"too many arguments"* ]]
}

@test "cli: options after -- are operands; global options stop at the command" {
	run --separate-stderr relayctl -- version
	[ "$status" -eq 0 ]
	[[ $output == "relayctl "* ]]
	run --separate-stderr relayctl help -- --json
	[ "$status" -eq $EX_USAGE ]
	[[ $stderr == *"'--json' is not a relayctl command"* ]]
}

@test "cli: a write error on stdout is reported, with exit code 74" {
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr bash -c '"$0" help >/dev/full' "$RELAYCTL"
	[ "$status" -eq 74 ]
	[[ $stderr == "relayctl: cannot write to standard output: No space left on device" ]]
	run --separate-stderr bash -c '"$0" help --json >/dev/full' "$RELAYCTL"
	[ "$status" -eq 74 ]
}

@test "cli: colour only on a terminal, --color overrides, NO_COLOR and TERM=dumb turn it off" {
	conf=$BATS_TEST_TMPDIR/etc
	mkdir -p "$conf"
	printf 'myhostname = mx.example.org\nsmtpd_relay_restrictions = permit_mynetworks defer_unauth_destination\n' >"$conf/main.cf"
	esc=$'\033['
	# not a terminal: plain, unless --color=always
	run relayctl lint -c "$conf"
	[[ $output == *"warning LNT-RELAY-DEFER"* && $output != *"$esc"* ]]
	run relayctl lint --color=always -c "$conf"
	[[ $output == *"${esc}33mwarning${esc}m LNT-RELAY-DEFER"* ]]
	run env NO_COLOR=1 "$RELAYCTL" --color always lint -c "$conf"
	[[ $output == *"${esc}33mwarning"* ]]
	# a terminal (script(1) gives one): colour, unless NO_COLOR, TERM=dumb or never
	run script -qec "TERM=xterm $RELAYCTL lint -c $conf" /dev/null
	[[ $output == *"${esc}33mwarning"* ]]
	run script -qec "TERM=xterm NO_COLOR=1 $RELAYCTL lint -c $conf" /dev/null
	[[ $output == *"warning LNT-RELAY-DEFER"* && $output != *"$esc"* ]]
	run script -qec "TERM=dumb $RELAYCTL lint -c $conf" /dev/null
	[[ $output != *"$esc"* ]]
	run script -qec "TERM=xterm $RELAYCTL lint --color=never -c $conf" /dev/null
	[[ $output != *"$esc"* ]]
	# diffs: removed lines red, added green; JSON never
	run relayctl enable-phase 1 --dry-run --color=always -c "$conf"
	[[ $output == *"${esc}31m-smtpd_relay_restrictions"* ]]
	[[ $output == *"${esc}32m+smtpd_sasl_auth_enable = yes${esc}m"* ]]
	run relayctl enable-phase 1 --dry-run --json --color=always -c "$conf"
	[[ $output != *"$esc"* ]]
	# a verdict
	run relayctl audit --color=always --timeout 2 127.0.0.1:1
	[[ $output == *"127.0.0.1:1: ${esc}33munknown${esc}m"* ]]
}

@test "cli: --color takes only auto, always or never" {
	run --separate-stderr relayctl lint --color=sometimes
	[ "$status" -eq 64 ]
	[ "$stderr" = "relayctl: lint: invalid --color 'sometimes': use auto, always or never; see 'relayctl lint --help'" ]
	run --separate-stderr relayctl --color
	[ "$status" -eq 64 ]
	[[ $stderr == *"option '--color' needs an argument"* ]]
}
