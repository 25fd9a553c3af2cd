#!/usr/bin/env bats
# Bad input gets a clear error naming the problem and its exit code, and
# leaves main.cf byte for byte as it was; rollback restores exact bytes;
# concurrent writers are serialised by the lock.  No Postfix runs here:
# relayctl reloads only an instance that runs.

load ../lib/helpers

setup() {
	CONF=$BATS_TEST_TMPDIR/etc
	small_conf "$CONF"
	SUM=$(sha256sum <"$CONF/main.cf")
}

teardown() {
	chattr -i "$CONF" "$CONF/main.cf" 2>/dev/null || true
}

unchanged() {
	[ "$(sha256sum <"$CONF/main.cf")" = "$SUM" ] || { echo "main.cf changed"; false; }
}

# refused CODE TEXT ARGS... - relayctl ARGS fails with exit CODE, says
# TEXT on stderr, prints nothing on stdout (or, with REFUSED_DIFF=1, only
# the diff it could not apply), and main.cf is unchanged
refused() {
	local code=$1 text=$2
	shift 2
	run --separate-stderr relayctl "$@"
	[ "$status" -eq "$code" ] || { echo "exit $status, want $code: $stderr"; return 1; }
	[[ $stderr == *"$text"* ]] || { echo "stderr: $stderr"; return 1; }
	if [ "${REFUSED_DIFF:-}" = 1 ]; then
		[[ $output == "--- "* && $output != *changed:* ]] || { echo "stdout: $output"; return 1; }
	else
		[ -z "$output" ] || { echo "stdout: $output"; return 1; }
	fi
	unchanged
}

@test "bad input: phase 4, a bad CIDR, 0.0.0.0/0, --allow with phase 1" {
	refused 64 "invalid phase '4'" enable-phase 4 -c "$CONF"
	refused 64 "invalid phase 'two'" enable-phase two -c "$CONF"
	refused 64 "'10.0.0.0/33'" enable-phase 2 --allow 10.0.0.0/33 -c "$CONF"
	refused 64 "'300.1.2.3/24'" enable-phase 2 --allow 300.1.2.3/24 -c "$CONF"
	refused 64 "rule I1" enable-phase 2 --allow 0.0.0.0/0 -c "$CONF"
	refused 64 "rule I1" enable-phase 3 --allow ::/0 -c "$CONF"
	refused 64 "an allow list needs phase 2 or 3" enable-phase 1 --allow 192.0.2.0/24 -c "$CONF"
	refused 64 "an allow list needs phase 2 or 3" enable-phase 0 --allow 192.0.2.0/24 -c "$CONF"
	refused 64 "phase 2 needs at least one allowed network" enable-phase 2 -c "$CONF"
	refused 64 "--plaintext-after-tls needs phase 3" enable-phase 2 --plaintext-after-tls --allow 192.0.2.0/24 -c "$CONF"
	refused 64 "which phase?" enable-phase -c "$CONF"
	refused 64 "give one phase only" enable-phase 1 2 -c "$CONF"
	# Nothing else was created beside main.cf, but for the lock file that
	# phase 2 without --allow takes to read the current list.
	[ -z "$(ls -A "$CONF" | grep -v -e '^main.cf$' -e '^main.cf.relayctl.lock$')" ]
}

@test "bad input: a main.cf line without '=' is named with its line number" {
	printf 'myhostname = a.example\nthis line has no equals sign\n' >>"$CONF/main.cf"
	SUM=$(sha256sum <"$CONF/main.cf")
	refused 65 "main.cf: line 9: missing '=' after attribute name" enable-phase 1 -c "$CONF"
	refused 65 "line 9" status -c "$CONF"
}

@test "bad input: a missing or unreadable directory" {
	refused 66 "cannot use config directory '$BATS_TEST_TMPDIR/nope'" status -c "$BATS_TEST_TMPDIR/nope"
	refused 66 "'$BATS_TEST_TMPDIR/nope/main.cf'" enable-phase 1 -c "$BATS_TEST_TMPDIR/nope"
	mkdir "$BATS_TEST_TMPDIR/empty"
	refused 66 "main.cf" status -c "$BATS_TEST_TMPDIR/empty"
	refused 66 "is not a directory" status -c "$CONF/main.cf"
}

@test "bad input: a read-only (immutable) main.cf or directory" {
	chattr +i "$CONF/main.cf" 2>/dev/null || skip "no chattr on this file system"
	REFUSED_DIFF=1 refused 73 "is unchanged" enable-phase 1 -c "$CONF"
	chattr -i "$CONF/main.cf"
	# The lock file exists now; make the directory itself immutable.
	chattr +i "$CONF"
	REFUSED_DIFF=1 refused 73 "is unchanged" enable-phase 1 -c "$CONF"
	chattr -i "$CONF"
	[ -z "$(ls "$CONF" | grep -v -e '^main.cf$' -e '^main.cf.relayctl.lock$' -e '^relayctl-backups$')" ]
}

@test "a dry run shows the diff and writes nothing" {
	run --separate-stderr relayctl enable-phase 2 --allow 192.0.2.0/24 --dry-run -c "$CONF"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "--- $CONF/main.cf" ]]
	[[ $output == *"-mynetworks = 127.0.0.0/8 [::1]/128"* ]]
	[[ $output == *"+mynetworks = 127.0.0.0/8 [::1]/128 192.0.2.0/24"* ]]
	[[ $output == *"-smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination"* ]]
	[[ ${lines[-1]} == "dry run: phase 2 would change "*"; nothing written" ]]
	unchanged
}

@test "host bits are cleared with a warning; every untouched line stays" {
	run --separate-stderr relayctl enable-phase 2 --allow 192.0.2.7/24 -c "$CONF"
	[ "$status" -eq 0 ]
	[[ $stderr == *"warning: '192.0.2.7/24' has host bits set; using '192.0.2.0/24'"* ]]
	grep -qx 'mynetworks = 127.0.0.0/8 \[::1\]/128 192.0.2.0/24' "$CONF/main.cf"
	for l in '# a small main.cf' 'compatibility_level = 3.6' 'myhostname = mx.example.org' \
		'mydestination = $myhostname, localhost' 'inet_protocols = ipv4'; do
		grep -qxF "$l" "$CONF/main.cf"
	done
}

@test "allow add, del and list change the allow list and nothing else" {
	relayctl enable-phase 2 --allow 192.0.2.0/24 -c "$CONF" >/dev/null
	before=$(grep -v '^mynetworks' "$CONF/main.cf")
	run relayctl allow add 198.51.100.0/24 2001:db8::/48 -c "$CONF"
	[ "$status" -eq 0 ]
	run relayctl allow list -c "$CONF"
	[ "${lines[*]}" = "192.0.2.0/24 198.51.100.0/24 [2001:db8::]/48" ]
	run relayctl allow del 192.0.2.0/24 -c "$CONF"
	[ "$status" -eq 0 ]
	run relayctl allow list -c "$CONF"
	[ "${lines[*]}" = "198.51.100.0/24 [2001:db8::]/48" ]
	[ "$(grep -v '^mynetworks' "$CONF/main.cf")" = "$before" ]
	SUM=$(sha256sum <"$CONF/main.cf")
	refused 64 "rule I1" allow add 0.0.0.0/0 -c "$CONF"
	refused 64 "use add, del or list" allow frob -c "$CONF"
	run relayctl allow add 198.51.100.0/24 -c "$CONF"
	[[ $output == "unchanged"* ]]
	unchanged
}

@test "rollback restores the exact previous bytes, and lists its backups" {
	printf '# CRLF line\r\nrelay_domains =\r\n' >>"$CONF/main.cf"
	orig=$(sha256sum <"$CONF/main.cf")
	relayctl enable-phase 1 -c "$CONF" >/dev/null
	mid=$(sha256sum <"$CONF/main.cf")
	[ "$mid" != "$orig" ]
	relayctl enable-phase 2 --allow 192.0.2.0/24 -c "$CONF" >/dev/null
	run relayctl rollback --list -c "$CONF"
	[ "${#lines[@]}" -eq 2 ]
	run relayctl rollback -c "$CONF"
	[ "$status" -eq 0 ]
	[ "$(sha256sum <"$CONF/main.cf")" = "$mid" ]
	# A chosen, older backup: the very first bytes.
	oldest=$(relayctl rollback --list -c "$CONF" | tail -1)
	run relayctl rollback "$(basename "$oldest")" -c "$CONF"
	[ "$status" -eq 0 ]
	[ "$(sha256sum <"$CONF/main.cf")" = "$orig" ]
	SUM=$orig
	refused 66 "no backup 'main.cf.nope'" rollback main.cf.nope -c "$CONF"
}

@test "concurrent writers are serialised by the lock: every step is one writer's whole change" {
	# 20 writers; 8 under valgrind, where each holds the lock for a second
	# or more and the 30 s wait for it would be too close
	writers=20
	[ -z "${RELAYCTL_WRAP:-}" ] || writers=8
	args=()
	for i in $(seq 1 $writers); do
		case $((i % 4)) in
		0) args+=("0") ;;
		1) args+=("1") ;;
		2) args+=("2 --allow 192.0.2.$i/32") ;;
		3) args+=("3 --allow 198.51.100.0/24 --allow 203.0.113.$i/32") ;;
		esac
	done
	pids=()
	for i in $(seq 0 $((writers - 1))); do
		# shellcheck disable=SC2086
		relayctl enable-phase ${args[$i]} -c "$CONF" --json >"$BATS_TEST_TMPDIR/out.$i" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || { echo "a writer failed"; cat "$BATS_TEST_TMPDIR"/out.*; false; }
	done
	run relayctl status -c "$CONF" --json
	phase=$(echo "$output" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["phase"])')
	[[ $phase == 0 || $phase == 1 || $phase == 2 || $phase == 3 ]]
	postconf -c "$CONF" -n >/dev/null
	changed=$(grep -l '"result": "changed"' "$BATS_TEST_TMPDIR"/out.* | wc -l)
	n=$(relayctl rollback --list -c "$CONF" | wc -l)
	[ "$n" -eq "$(( changed < 10 ? changed : 10 ))" ]
	# The kept backups, oldest first, then main.cf: each step from one to
	# the next is exactly one writer's change of the one before (a writer
	# that bypassed the lock would lose another's change, or mix two).
	mapfile -t chain < <(relayctl rollback --list -c "$CONF" | tac)
	chain+=("$CONF/main.cf")
	step=$BATS_TEST_TMPDIR/step
	for ((k = 0; k + 1 < ${#chain[@]}; k++)); do
		found=
		for a in $(printf '%s\n' "${args[@]}" | sort -u | tr ' ' '+'); do
			a=${a//+/ }
			rm -rf "$step"; mkdir -p "$step"
			cp "${chain[$k]}" "$step/main.cf"
			# shellcheck disable=SC2086
			relayctl enable-phase $a -y --no-reload -c "$step" >/dev/null 2>&1 || continue
			if cmp -s "$step/main.cf" "${chain[$((k + 1))]}"; then found=$a; break; fi
		done
		[ -n "$found" ] || { echo "step $k -> $((k + 1)) is no writer's change"; diff "${chain[$k]}" "${chain[$((k + 1))]}"; false; }
	done
}

@test "a failed reload puts the previous main.cf back" {
	run --separate-stderr relayctl enable-phase 1 -c "$CONF" --reload-cmd 'echo no such instance >&2; exit 3'
	[ "$status" -eq 75 ]
	[[ $stderr == *"reload command"*"failed (exit 3): no such instance"* ]]
	[[ $stderr == *"restored the previous '$CONF/main.cf'"* ]]
	unchanged
	# A reload command that works, and --no-reload, both write.
	run relayctl enable-phase 1 -c "$CONF" --reload-cmd "touch $BATS_TEST_TMPDIR/reloaded" --json
	[ "$status" -eq 0 ]
	[ -e "$BATS_TEST_TMPDIR/reloaded" ]
	[[ $output == *'"reloaded": true'* ]]
	run relayctl enable-phase 0 -c "$CONF" --no-reload --reload-cmd false
	[ "$status" -eq 0 ]
	[[ $output == *"changed: phase 0"* ]]
}

@test "allow refuses phase 0 and configurations in no phase" {
	relayctl enable-phase 0 -c "$CONF" >/dev/null
	SUM=$(sha256sum <"$CONF/main.cf")
	refused 78 "phase 0 (outbound mail off)" allow add 192.0.2.0/24 -c "$CONF"
	run relayctl allow list -c "$CONF"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "lint: each risk has its ID, severity and fix; the exit code is the worst" {
	cat >"$CONF/main.cf" <<'MAIN'
compatibility_level = 3.6
mynetworks = 127.0.0.0/8 0.0.0.0/0 10.0.0.0/6
relay_domains = example.com
smtpd_relay_restrictions = permit_mynetworks, check_client_access hash:/etc/postfix/ok, permit_sasl_authenticated, defer_unauth_destination
smtpd_sasl_auth_enable = yes
smtpd_sasl_security_options =
MAIN
	run relayctl lint -c "$CONF" --json
	[ "$status" -eq 2 ]
	echo "$output" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
got = {f["id"]: f for f in d["findings"]}
want = {"LNT-MYNET-ALL": "critical", "LNT-MYNET-WIDE": "warning",
        "LNT-RELAY-DOMAINS": "warning", "LNT-RELAY-CHECK": "warning",
        "LNT-RELAY-DEFER": "warning", "LNT-AUTH-ANON": "critical",
        "LNT-AUTH-CLEARTEXT": "warning", "LNT-AUTH-UNRESTRICTED": "warning"}
for i, sev in want.items():
    assert i in got, (i, sorted(got))
    assert got[i]["severity"] == sev, got[i]
    assert got[i]["fix"], got[i]
assert d["phase"] == "custom", d["phase"]'
	run relayctl lint -c "$CONF"
	[[ $output == *"critical LNT-MYNET-ALL: mynetworks contains '0.0.0.0/0'"* ]]
	[[ $output == *"  fix: remove it from mynetworks now"* ]]
	# A phase written by relayctl lints clean but for the clear-text note.
	cat >"$CONF/main.cf" <<'MAIN'
compatibility_level = 3.6
mynetworks = 127.0.0.0/8
MAIN
	relayctl enable-phase 1 -c "$CONF" >/dev/null
	run relayctl lint -c "$CONF"
	[ "$status" -eq 0 ]
	[[ $output == "no relay risks found in $CONF/main.cf" ]]
}

@test "the Postfix version is cached by postconf's identity: asked once, asked again when postconf is replaced" {
	bin=$BATS_TEST_TMPDIR/bin
	export RELAYCTL_CACHE_DIR=$BATS_TEST_TMPDIR/cache
	mkdir -p "$bin"
	# postconf VERSION - a postconf that says VERSION and counts the asking
	fakepc() {
		rm -f "$bin/postconf"	# a new file, as an upgrade makes
		cat >"$bin/postconf" <<SH
#!/bin/sh
if [ "\$*" = "-dh mail_version" ]; then echo x >>"$BATS_TEST_TMPDIR/asked"; echo $1; exit 0; fi
exec /usr/sbin/postconf "\$@"
SH
		chmod 755 "$bin/postconf"
	}
	fakepc 3.5.0
	for i in 1 2 3; do
		PATH=$bin:$PATH run --separate-stderr relayctl enable-phase 1 --dry-run -c "$CONF"
		[ "$status" -eq 0 ]
		[[ $stderr == *"note: Postfix 3.5.0 has no smtpd_sasl_mechanism_filter"* ]]
	done
	[ "$(wc -l <"$BATS_TEST_TMPDIR/asked")" -eq 1 ]
	[ "$(stat -c %a "$RELAYCTL_CACHE_DIR/postfix-version")" = 644 ]
	fakepc 3.8.0
	PATH=$bin:$PATH run --separate-stderr relayctl enable-phase 1 --dry-run -c "$CONF"
	[[ $output == *"+smtpd_sasl_mechanism_filter = cram-md5"* ]]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/asked")" -eq 2 ]
	# a cache others could write is not believed
	chmod 666 "$RELAYCTL_CACHE_DIR/postfix-version"
	PATH=$bin:$PATH run --separate-stderr relayctl enable-phase 1 --dry-run -c "$CONF"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/asked")" -eq 3 ]
	# RELAYCTL_CACHE_DIR empty: no cache at all
	RELAYCTL_CACHE_DIR= PATH=$bin:$PATH run relayctl status -c "$CONF"
	RELAYCTL_CACHE_DIR= PATH=$bin:$PATH run relayctl status -c "$CONF"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/asked")" -eq 5 ]
}

@test "--postfix-version before 3.6: no mechanism filter, and a note saying what to do" {
	run --separate-stderr relayctl enable-phase 1 --dry-run --postfix-version 3.5.0 -c "$CONF"
	[ "$status" -eq 0 ]
	[[ $stderr == *"note: Postfix 3.5.0 has no smtpd_sasl_mechanism_filter"*"Cyrus mech_list"* ]]
	[[ $output != *"smtpd_sasl_mechanism_filter"* ]]
	run --separate-stderr relayctl enable-phase 1 --dry-run --postfix-version 3.7.11 -c "$CONF"
	[[ $output == *"+smtpd_sasl_mechanism_filter = cram-md5"* ]]
	unchanged
}
