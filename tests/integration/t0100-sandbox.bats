#!/usr/bin/env bats
# The Postfix test harness itself: a real private Postfix on loopback that
# accepts SMTP, refuses relay to an outsider, accepts local mail, speaks
# SASL and TLS as asked, runs twice at once, and leaves nothing behind.

load ../lib/helpers

OUT=127.0.0.66		# not in the sandbox's mynetworks (127.0.0.1/32)

etc_postfix_sum() {
	if [ -d /etc/postfix ]; then
		(cd /etc/postfix && find . -xdev -printf '%p %m %u %s %T@\n' | sort &&
			find . -xdev -type f -exec sha256sum {} + | sort) | sha256sum
	else
		echo absent
	fi
}

# masters - the live Postfix master processes that are not our sandboxes
masters() {
	local pid
	for pid in $(pgrep -x master); do
		proc_alive "$pid" || continue	# stopped, waiting for init to reap it
		tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "-c ${TMPDIR:-/tmp}/relayctl-sandbox\." ||
			echo "$pid"
	done
}

setup_file() {
	etc_postfix_sum >"$BATS_FILE_TMPDIR/etc-postfix.before"
	masters >"$BATS_FILE_TMPDIR/masters.before"
	SB=$(sandbox_start --tls --wrapper)
	echo "$SB" >"$BATS_FILE_TMPDIR/sandbox"
}

teardown_file() {
	sandbox_stop "$(cat "$BATS_FILE_TMPDIR/sandbox")"
}

setup() {
	sandbox_load "$(cat "$BATS_FILE_TMPDIR/sandbox")"
	export SMTPC_PASSWORD=$SANDBOX_PASS
}

@test "sandbox: accepts SMTP on its own loopback port" {
	[ -n "$SANDBOX_PORT" ]
	run smtpc --port "$SANDBOX_PORT" --source $OUT "EHLO client.example.net"
	[ "$status" -eq 0 ]
	expect_reply "<banner>" "220 $SANDBOX_HOSTNAME ESMTP"
	expect_reply "EHLO client.example.net" "250 "
	# Bound to 127.0.0.1 only: nobody else on the machine gets an answer.
	run ss -Hltn "sport = :$SANDBOX_PORT"
	[[ $output == *"127.0.0.1:$SANDBOX_PORT"* ]]
	[[ $output != *"0.0.0.0:$SANDBOX_PORT"* ]]
}

@test "sandbox: an outsider cannot relay to an external domain" {
	run smtpc --port "$SANDBOX_PORT" --source $OUT "EHLO client.example.net" \
		"MAIL FROM:<spammer@example.net>" "RCPT TO:<victim@example.com>" RSET
	[ "$status" -eq 0 ]
	expect_reply "MAIL FROM:<spammer@example.net>" "250 "
	expect_reply "RCPT TO:<victim@example.com>" "554 5.7.1 <victim@example.com>: Relay access denied"
	# Postfix saw the outsider's address, not loopback's trusted one.
	grep -q "connect from unknown\[$OUT\]" "$SANDBOX_DIR/maillog"
}

@test "sandbox: an outsider's mail for the local domain is accepted" {
	run smtpc --port "$SANDBOX_PORT" --source $OUT "EHLO client.example.net" \
		"MAIL FROM:<someone@example.net>" "RCPT TO:<postmaster@$SANDBOX_DOMAIN>" \
		"RCPT TO:<$SANDBOX_USER@$SANDBOX_DOMAIN>" "RCPT TO:<nobody@$SANDBOX_DOMAIN>" RSET
	[ "$status" -eq 0 ]
	expect_reply "RCPT TO:<postmaster@$SANDBOX_DOMAIN>" "250 2.1.5"
	expect_reply "RCPT TO:<$SANDBOX_USER@$SANDBOX_DOMAIN>" "250 2.1.5"
	# An unknown local user is refused as such: a sink would accept it.
	expect_reply "RCPT TO:<nobody@$SANDBOX_DOMAIN>" "550 5.1.1"
}

@test "sandbox: even a trusted client cannot get mail delivered anywhere" {
	# 127.0.0.1 is in mynetworks, so the relay check passes; the error
	# transport still refuses the recipient.
	run smtpc --port "$SANDBOX_PORT" --source 127.0.0.1 "EHLO client.example.net" \
		"MAIL FROM:<a@example.net>" "RCPT TO:<victim@example.com>" RSET
	[ "$status" -eq 0 ]
	expect_reply "RCPT TO:<victim@example.com>" "550 5.7.1"
	[[ $(reply "RCPT TO:<victim@example.com>") == *"delivers nothing"* ]]
	# And every delivery agent in master.cf is the error daemon.
	run awk '$2 == "unix" && $1 ~ /^(smtp|relay|local|virtual|lmtp)$/ { print $1, $8 }' \
		"$SANDBOX_CONFIG_DIR/master.cf"
	[ "${#lines[@]}" -eq 5 ]
	for l in "${lines[@]}"; do [[ $l == *" error" ]]; done
}

@test "sandbox: the test user authenticates with CRAM-MD5, PLAIN and LOGIN" {
	run smtpc --port "$SANDBOX_PORT" --source $OUT "EHLO c.example.net" CAPS
	[[ $(reply CAPS) == *"AUTH=CRAM-MD5 PLAIN LOGIN"* ]]
	for m in CRAM-MD5 PLAIN LOGIN; do
		run smtpc --port "$SANDBOX_PORT" --source $OUT --user "$SANDBOX_USER" \
			"EHLO c.example.net" "AUTH $m" "MAIL FROM:<u@example.net>" \
			"RCPT TO:<victim@example.com>" RSET
		[ "$status" -eq 0 ]
		expect_reply "AUTH $m" "235 2.7.0"
		# Authenticated: past the relay check, stopped by the transport.
		expect_reply "RCPT TO:<victim@example.com>" "550 5.7.1"
	done
	[[ $output != *"$SANDBOX_PASS"* ]]
}

@test "sandbox: a wrong password is refused and does not unlock relay" {
	SMTPC_PASSWORD=not-the-password run smtpc --port "$SANDBOX_PORT" --source $OUT \
		"EHLO c.example.net" "AUTH CRAM-MD5" "MAIL FROM:<u@example.net>" \
		"RCPT TO:<victim@example.com>" RSET
	[ "$status" -eq 0 ]
	expect_reply "AUTH CRAM-MD5" "535 5.7.8"
	expect_reply "RCPT TO:<victim@example.com>" "554 5.7.1"
}

@test "sandbox: STARTTLS is offered and works" {
	run smtpc --port "$SANDBOX_PORT" --source $OUT "EHLO c.example.net" CAPS \
		STARTTLS "EHLO c.example.net" "MAIL FROM:<a@example.net>" \
		"RCPT TO:<victim@example.com>" RSET
	[ "$status" -eq 0 ]
	[[ $(reply CAPS) == *STARTTLS* ]]
	expect_reply STARTTLS "220 2.0.0"
	expect_reply "RCPT TO:<victim@example.com>" "554 5.7.1"
	grep -q "Anonymous TLS connection established from unknown\[$OUT\]" "$SANDBOX_DIR/maillog"
}

@test "sandbox: the implicit-TLS listener speaks TLS only" {
	[ -n "$SANDBOX_TLS_PORT" ]
	run smtpc --tls --port "$SANDBOX_TLS_PORT" --source $OUT "EHLO c.example.net" CAPS
	[ "$status" -eq 0 ]
	expect_reply "<banner>" "220 $SANDBOX_HOSTNAME"
	[[ $(reply CAPS) != *STARTTLS* ]]
	# A plain-text client gets no banner from it.
	run smtpc --timeout 2 --port "$SANDBOX_TLS_PORT" --source $OUT
	[ "$status" -ne 0 ]
}

@test "sandbox: mechanisms are selectable per instance, and AUTH can be off" {
	one=$(sandbox_start --mechs CRAM-MD5)
	none=$(sandbox_start --no-auth)
	sandbox_load "$one"
	SMTPC_PASSWORD=$SANDBOX_PASS run smtpc --port "$SANDBOX_PORT" --source $OUT \
		"EHLO c.example.net" CAPS "AUTH PLAIN" "AUTH CRAM-MD5"
	one_out=$output
	sandbox_load "$none"
	run smtpc --port "$SANDBOX_PORT" --source $OUT "EHLO c.example.net" CAPS
	none_out=$output
	sandbox_stop "$one"
	sandbox_stop "$none"
	output=$one_out
	[[ $(reply CAPS) == *"AUTH=CRAM-MD5 "* ]]
	[[ $(reply CAPS) != *PLAIN* ]]
	expect_reply "AUTH PLAIN" "535"
	expect_reply "AUTH CRAM-MD5" "235"
	output=$none_out
	[[ $(reply CAPS) != *AUTH* ]]
}

@test "sandbox: two instances run at once, each on its own port" {
	a=$(sandbox_start --no-auth --set 'smtpd_banner=$myhostname ESMTP instance-a')
	b=$(sandbox_start --no-auth --set 'smtpd_banner=$myhostname ESMTP instance-b')
	pa=$(. "$a/sandbox.env"; echo "$SANDBOX_PORT")
	pb=$(. "$b/sandbox.env"; echo "$SANDBOX_PORT")
	[ "$pa" != "$pb" ]
	run smtpc --port "$pa" --source $OUT
	[[ $(reply "<banner>") == *instance-a ]]
	run smtpc --port "$pb" --source $OUT
	[[ $(reply "<banner>") == *instance-b ]]
	# Stopping one leaves the other serving.
	sandbox_stop "$a"
	run smtpc --port "$pb" --source $OUT
	[[ $(reply "<banner>") == *instance-b ]]
	sandbox_stop "$b"
}

@test "sandbox: stop never kills a process that is not its master" {
	# A stale sandbox.env naming a PID that is now someone else's.
	setsid sleep 300 </dev/null >/dev/null 2>&1 3>&- &
	victim=$!
	fake=$(mktemp -d "${TMPDIR:-/tmp}/relayctl-sandbox.XXXXXX")
	mkdir -p "$fake/etc" && : >"$fake/etc/main.cf"
	printf 'SANDBOX_PID=%s\nSANDBOX_KEEP=0\n' "$victim" >"$fake/sandbox.env"
	run bash "$LIB/sandbox.sh" stop "$fake"
	alive=0; proc_alive "$victim" && alive=1
	kill "$victim" 2>/dev/null || true
	[ "$alive" -eq 1 ]
	[ ! -e "$fake" ]
}

@test "sandbox: stop-all goes on past a broken entry" {
	broken=$(mktemp -d "${TMPDIR:-/tmp}/relayctl-sandbox.XXXXXX")
	d=$(sandbox_start --no-auth)
	pid=$(. "$d/sandbox.env"; echo "$SANDBOX_PID")
	printf '%s\n%s\n' "$broken" "$d" >"$BATS_TEST_TMPDIR/registry"
	run bash "$LIB/sandbox.sh" stop-all "$BATS_TEST_TMPDIR/registry"
	rmdir "$broken" 2>/dev/null || true
	[ "$status" -eq 0 ]
	run ! proc_alive "$pid"
	[ ! -e "$d" ]
}

@test "sandbox: stop ends exactly its own processes and removes its directory" {
	mine=$SANDBOX_PID myport=$SANDBOX_PORT	# this file's instance
	d=$(sandbox_start --no-auth)
	pid=$(. "$d/sandbox.env"; echo "$SANDBOX_PID")
	port=$(. "$d/sandbox.env"; echo "$SANDBOX_PORT")
	run smtpc --port "$port" --source $OUT "EHLO c.example.net"   # an smtpd child
	proc_alive "$pid"
	kids=$(ps -o pid= -s "$pid" | wc -l)
	[ "$kids" -ge 3 ]	# master, smtpd and at least one more
	sandbox_stop "$d"
	run ! proc_alive "$pid"
	[ -z "$(ps -o stat= -s "$pid" | grep -v '^Z')" ]
	[ ! -e "$d" ]
	# The file's own instance is untouched.
	proc_alive "$mine"
	run smtpc --port "$myport" --source $OUT
	[ "$status" -eq 0 ]
}

@test "sandbox: bad start options fail clearly and leave nothing behind" {
	# A private TMPDIR: what is left behind is ours to see, whatever else
	# runs on the machine.
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
	run bash "$LIB/sandbox.sh" start --mechs BOGUS
	[ "$status" -ne 0 ]
	[[ $output == *"unsupported mechanism 'BOGUS'"* ]]
	run bash "$LIB/sandbox.sh" start --frob
	[ "$status" -ne 0 ]
	[[ $output == *"unknown start option '--frob'"* ]]
	run bash "$LIB/sandbox.sh" start --set novalue
	[[ $output == *"expected NAME=VALUE"* ]]
	# A failure after the directory exists: a main.cf Postfix rejects.
	run bash "$LIB/sandbox.sh" start --no-auth --set 'mynetworks=${x'
	[ "$status" -ne 0 ]
	[[ $output == *"does not parse"* ]]
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "harness: the SMTP client never sends DATA and talks to loopback only" {
	run smtpc --port "$SANDBOX_PORT" --source $OUT "EHLO c.example.net" \
		"MAIL FROM:<a@example.net>" "RCPT TO:<postmaster@$SANDBOX_DOMAIN>" DATA
	[ "$status" -eq 1 ]
	[[ $output == *"refusing to send DATA"* ]]
	run smtpc --port "$SANDBOX_PORT" "BDAT 10 LAST"
	[[ $output == *"refusing to send BDAT"* ]]
	run smtpc --host 192.0.2.1 --port 25
	[ "$status" -eq 1 ]
	[[ $output == *"only loopback addresses"* ]]
	run smtpc --port "$SANDBOX_PORT" --source 192.0.2.1
	[[ $output == *"only loopback addresses"* ]]
	run ! grep -q "DATA\|BDAT" "$SANDBOX_DIR/maillog"
}

@test "harness: /etc/postfix untouched and no system Postfix started" {
	[ "$(etc_postfix_sum)" = "$(cat "$BATS_FILE_TMPDIR/etc-postfix.before")" ]
	# No Postfix master appeared that is not one of our sandboxes (one
	# that ran before, on a real mail server, is not ours to judge).
	[ "$(masters)" = "$(cat "$BATS_FILE_TMPDIR/masters.before")" ]
}
