#!/usr/bin/env bats
# enable-phase against a real Postfix: for each phase the settings of
# PHASES.md, a passing `postfix check`, a reload, and the phase's behaviour
# seen over SMTP from an outsider (127.0.0.66), an allow-listed host
# (127.0.0.77) and the server itself (127.0.0.1).

load ../lib/helpers

OUT=127.0.0.66
ALLOWED=127.0.0.77

setup() {
	SB=$(sandbox_start --tls)
	sandbox_load "$SB"
	export SMTPC_PASSWORD=$SANDBOX_PASS
}

teardown() {
	sandbox_stop "${SB:-}"
}

# conf NAME - the value postconf -n shows for NAME
conf() {
	postconf -c "$SANDBOX_CONFIG_DIR" -nh "$1"
}

# rcpt SOURCE [COMMAND...] - the reply code to an external RCPT TO from
# SOURCE after the given commands (e.g. "AUTH CRAM-MD5", STARTTLS)
rcpt() {
	local src=$1
	shift
	local cmds=("EHLO client.example.net")
	for c in "$@"; do
		cmds+=("$c")
		[ "$c" = STARTTLS ] && cmds+=("EHLO client.example.net")
	done
	smtpc --port "$SANDBOX_PORT" --source "$src" --user "$SANDBOX_USER" "${cmds[@]}" \
		"MAIL FROM:<someone@example.net>" "RCPT TO:<victim@example.com>" RSET |
		awk -F '\t' '$1 == "RCPT TO:<victim@example.com>" { print substr($2, 1, 3) }'
}

# auth_code SOURCE MECH [STARTTLS] - the final reply code to AUTH MECH
auth_code() {
	local pre=()
	[ "${3:-}" = STARTTLS ] && pre=(STARTTLS "EHLO client.example.net")
	smtpc --port "$SANDBOX_PORT" --source "$1" --user "$SANDBOX_USER" \
		"EHLO client.example.net" "${pre[@]}" "AUTH $2" |
		awk -F '\t' -v c="AUTH $2" '$1 == c { print substr($2, 1, 3) }'
}

# local_code SOURCE - the reply code to RCPT TO:<postmaster@local domain>
local_code() {
	smtpc --port "$SANDBOX_PORT" --source "$1" "EHLO client.example.net" \
		"MAIL FROM:<someone@example.net>" "RCPT TO:<postmaster@$SANDBOX_DOMAIN>" RSET |
		awk -F '\t' '$1 ~ /^RCPT/ { print substr($2, 1, 3) }'
}

# enable ARGS - run enable-phase on the sandbox; it must change something
# and reload the running instance
enable() {
	run --separate-stderr relayctl enable-phase "$@" --config-dir "$SANDBOX_CONFIG_DIR" --json
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	echo "$output" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert d["result"] == "changed", d
assert d["reloaded"] is True, d
assert d["backup"], d'
	grep -q "reload -- version" "$SANDBOX_DIR/maillog"
}

# checked - postfix check passes on the written configuration
checked() {
	run postfix -c "$SANDBOX_CONFIG_DIR" check
	[ "$status" -eq 0 ]
}

@test "phase 0: nothing leaves, nobody relays, local mail still arrives" {
	enable 0
	checked
	[[ $(conf default_transport) == error:* ]]
	[[ $(conf relay_transport) == error:* ]]
	[ "$(conf smtpd_relay_restrictions)" = "reject_unauth_destination" ]
	[ "$(conf smtpd_sasl_auth_enable)" = "no" ]
	[ "$(rcpt $OUT)" = 554 ]
	[ "$(rcpt 127.0.0.1)" = 554 ]
	[ "$(auth_code $OUT CRAM-MD5)" = 503 ]
	[ "$(local_code $OUT)" = 250 ]
	run relayctl status -c "$SANDBOX_CONFIG_DIR"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "phase: 0" ]]
}

@test "phase 1: CRAM-MD5 users relay, PLAIN is refused, outsiders cannot" {
	enable 1
	checked
	[ "$(conf default_transport)" = smtp ]
	[ "$(conf relay_transport)" = relay ]
	[ "$(conf mynetworks)" = "127.0.0.1/32" ]
	[ "$(conf smtpd_relay_restrictions)" = "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination" ]
	[ "$(conf smtpd_sasl_auth_enable)" = yes ]
	[ "$(conf smtpd_sasl_type)" = cyrus ]
	[ "$(conf smtpd_sasl_path)" = smtpd ]
	[ "$(conf smtpd_sasl_security_options)" = "noanonymous, noplaintext" ]
	[ "$(conf smtpd_sasl_tls_security_options)" = '$smtpd_sasl_security_options' ]
	[ "$(conf smtpd_sasl_mechanism_filter)" = cram-md5 ]
	[ "$(rcpt $OUT)" = 554 ]
	[ "$(rcpt $ALLOWED)" = 554 ]
	[ "$(rcpt 127.0.0.1)" = 250 ]
	[ "$(rcpt $OUT "AUTH CRAM-MD5")" = 250 ]
	[ "$(auth_code $OUT PLAIN)" != 235 ]
	[ "$(auth_code $OUT PLAIN STARTTLS)" != 235 ]
	[ "$(rcpt $OUT "AUTH PLAIN")" = 554 ]
	[ "$(local_code $OUT)" = 250 ]
}

@test "phase 2: the allow list relays without AUTH; others as in phase 1" {
	enable 2 --allow $ALLOWED/32
	checked
	[ "$(conf mynetworks)" = "127.0.0.1/32 127.0.0.77/32" ]
	[ "$(conf smtpd_sasl_mechanism_filter)" = cram-md5 ]
	[ "$(rcpt $OUT)" = 554 ]
	[ "$(rcpt $ALLOWED)" = 250 ]
	[ "$(rcpt $OUT "AUTH CRAM-MD5")" = 250 ]
	[ "$(auth_code $OUT PLAIN)" != 235 ]
	[ "$(auth_code $OUT LOGIN)" != 235 ]
	[ "$(local_code $OUT)" = 250 ]
	run relayctl status -c "$SANDBOX_CONFIG_DIR" --json
	echo "$output" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert d["phase"] == "2", d["phase"]
assert d["relay_networks"]["allow"] == ["127.0.0.77/32"], d["relay_networks"]
assert d["auth_mechanisms"] == ["CRAM-MD5"], d'
}

@test "phase 3: PLAIN and LOGIN users relay too, with a clear-text warning" {
	run --separate-stderr relayctl enable-phase 3 --allow $ALLOWED/32 -c "$SANDBOX_CONFIG_DIR"
	[ "$status" -eq 0 ]
	[[ $stderr == *"warning: phase 3"*"clear text"* ]]
	[[ ${lines[-1]} == "changed: phase 3 "* ]]
	checked
	[ "$(conf smtpd_sasl_security_options)" = noanonymous ]
	[ "$(conf smtpd_sasl_mechanism_filter)" = "cram-md5, plain, login" ]
	[ "$(rcpt $OUT)" = 554 ]
	[ "$(rcpt $ALLOWED)" = 250 ]
	for m in CRAM-MD5 PLAIN LOGIN; do
		[ "$(rcpt $OUT "AUTH $m")" = 250 ]
	done
	[ "$(local_code $OUT)" = 250 ]
}

@test "phase 3 --plaintext-after-tls: PLAIN and LOGIN only inside STARTTLS" {
	enable 3 --plaintext-after-tls --allow $ALLOWED/32
	checked
	[ "$(conf smtpd_sasl_security_options)" = "noanonymous, noplaintext" ]
	[ "$(conf smtpd_sasl_tls_security_options)" = noanonymous ]
	[ "$(conf smtpd_tls_security_level)" = may ]
	[ "$(auth_code $OUT PLAIN)" != 235 ]
	[ "$(auth_code $OUT PLAIN STARTTLS)" = 235 ]
	[ "$(rcpt $OUT STARTTLS "AUTH LOGIN")" = 250 ]
	[ "$(rcpt $OUT "AUTH CRAM-MD5")" = 250 ]
	[ "$(rcpt $OUT)" = 554 ]
	run relayctl status -c "$SANDBOX_CONFIG_DIR"
	[[ ${lines[0]} == "phase: 3-tls" ]]
}

@test "enable-phase twice: the second run changes nothing" {
	enable 2 --allow $ALLOWED/32
	sum=$(sha256sum <"$SANDBOX_CONFIG_DIR/main.cf")
	run relayctl enable-phase 2 --allow $ALLOWED/32 -c "$SANDBOX_CONFIG_DIR" --json
	[ "$status" -eq 0 ]
	echo "$output" | "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); assert d["result"] == "unchanged", d'
	[ "$(sha256sum <"$SANDBOX_CONFIG_DIR/main.cf")" = "$sum" ]
	# Phase 2 without --allow keeps the list.
	run relayctl enable-phase 2 -c "$SANDBOX_CONFIG_DIR"
	[ "$status" -eq 0 ]
	[[ $output == "unchanged: phase 2"* ]]
}

@test "every phase in turn, then back to 0: each step as expected" {
	for p in 1 "2 --allow $ALLOWED/32" 3 "3 --plaintext-after-tls" 0 1; do
		# shellcheck disable=SC2086
		run relayctl enable-phase $p -c "$SANDBOX_CONFIG_DIR" --yes
		[ "$status" -eq 0 ]
		run relayctl status -c "$SANDBOX_CONFIG_DIR" --json
		want=${p%% *}
		[[ $p == *plaintext* ]] && want=3-tls
		got=$(echo "$output" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["phase"])')
		[ "$got" = "$want" ] || { echo "after enable-phase $p: phase $got"; false; }
	done
	[ "$(rcpt $ALLOWED)" = 554 ]	# phase 1 again: the list went with phase 0
}
