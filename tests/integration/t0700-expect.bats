#!/usr/bin/env bats
# Phase compliance against real Postfix sandboxes: audit --expect-phase
# cell by cell from an outsider, an allow-listed host and a CRAM-MD5 user;
# the vantage point's honesty; enable-phase --verify proving a change or
# undoing it byte for byte.

load ../lib/helpers

OUT=127.0.0.66
ALLOWED=127.0.0.77

teardown() {
	sandbox_stop "${SB:-}"
	true
}

# start_phased PHASE [sandbox options] - a sandbox put in PHASE (with the
# allow list $ALLOWED/32 for phases 2 and 3); PASSFILE holds the password
start_phased() {
	local phase=$1
	shift
	SB=$(sandbox_start "$@")
	sandbox_load "$SB"
	PASSFILE=$BATS_TEST_TMPDIR/pass
	(umask 077; printf '%s\n' "$SANDBOX_PASS" >"$PASSFILE")
	set_phase "$phase"
}

# set_phase PHASE - enable-phase PHASE on the sandbox ("3-tls" hardened)
set_phase() {
	local args=("${1%-tls}")
	[[ $1 == *-tls ]] && args+=(--plaintext-after-tls)
	[[ $1 == 2* || $1 == 3* ]] && args+=(--allow "$ALLOWED/32")
	relayctl enable-phase "${args[@]}" -y -c "$SANDBOX_CONFIG_DIR" >/dev/null 2>&1
}

# expect_audit PHASE [options] - audit --expect-phase PHASE as JSON from
# all three vantage points; $output holds the document
expect_audit() {
	local phase=$1
	shift
	run --separate-stderr relayctl audit -c "$SANDBOX_CONFIG_DIR" --json \
		--expect-phase "$phase" --source $OUT --allowed-source $ALLOWED \
		--auth-user "$SANDBOX_USER" --auth-pass-file "$PASSFILE" \
		--allow-cleartext-auth "$@" "127.0.0.1:$SANDBOX_PORT"
}

# differing - the cells that differ, as "status severity cell" lines
differing() {
	printf '%s\n' "$output" | "$PYTHON" -c '
import json, sys
t = json.load(sys.stdin)["targets"][0]
for c in t["expect"]["cells"]:
    if c["status"] in ("too-open", "too-closed"):
        print(c["status"], c["severity"], c["cell"])' | sort
}

@test "expect-phase: phases 0, 1, 2, 3 and 3-tls each hold cell by cell, exit 0" {
	start_phased 0 --tls
	phases="0 1 2 3 3-tls"
	# Under valgrind (CI's third pass, after the plain and ASan ones run
	# all five) two phases keep the memory checks and CI's time in bounds.
	[ "${RELAYCTL_VALGRIND:-}" = 1 ] && phases="2 3-tls"
	for phase in $phases; do
		set_phase $phase
		expect_audit $phase --ca-file "$SANDBOX_DIR/tls/cert.pem"
		[ "$status" -eq 0 ] || { echo "phase $phase: exit $status"; echo "$output" | head -c 3000; echo "$stderr"; false; }
		printf '%s\n' "$output" | PHASE=$phase "$PYTHON" -c '
import json, os, sys
t = json.load(sys.stdin)["targets"][0]
e = t["expect"]
assert e["phase"] == os.environ["PHASE"], e["phase"]
n = e["counts"]
assert n["too_open"] == 0 and n["too_closed"] == 0 and n["untested"] == 0, n
assert n["as_expected"] >= 70, n
assert t["verdict"] == "closed" and t["vantage"]["trust"] == "outsider", t["vantage"]
views = {(v["view"], v["tls"]) for v in e["views"]}
assert ("outsider", True) in views and ("outsider", False) in views, views
assert ("allowed", True) in views, views
cells = {c["cell"]: c for c in e["cells"]}
# the positive paths were seen, not assumed
assert cells["outsider/tls/POS-POSTMASTER"]["observed"] == "accept"
cram = cells.get("outsider/tls/AUTH-USER-CRAM-MD5") or cells["outsider/tls/AUTH-UNOFFERED-CRAM-MD5"]
want = "refuse" if os.environ["PHASE"] == "0" else "accept"
assert cram["expected"] == want and cram["observed"] == want, cram'
	done
}

@test "expect-phase: one phase lower or higher names exactly the cells that differ" {
	start_phased 2
	expect_audit 1
	[ "$status" -eq 2 ]
	run differing
	# exactly the relay tests from the allow-listed host (the plain
	# external recipient from each of the 7 kinds of sender), critical
	[ "$output" = "$(for s in EXT IP LOCAL NULL PM SERVER UNQUAL; do
		echo "too-open critical allowed/plain/RLY-PLAIN-$s"; done | sort)" ]
	expect_audit 3
	[ "$status" -eq 2 ]
	run differing
	[ "$output" = "$(printf '%s\n' \
		'too-closed critical outsider/plain/AUTH-UNOFFERED-LOGIN' \
		'too-closed critical outsider/plain/AUTH-UNOFFERED-PLAIN' \
		'too-closed critical outsider/plain/OFFER-LOGIN' \
		'too-closed critical outsider/plain/OFFER-PLAIN' | sort)" ]
	# Phase 3 judged as 2: PLAIN and LOGIN users relay (critical), the
	# offers are warnings.
	set_phase 3
	expect_audit 2
	[ "$status" -eq 2 ]
	run differing
	[ "$output" = "$(printf '%s\n' \
		'too-open critical outsider/plain/AUTH-USER-LOGIN' \
		'too-open critical outsider/plain/AUTH-USER-PLAIN' \
		'too-open warning outsider/plain/OFFER-LOGIN' \
		'too-open warning outsider/plain/OFFER-PLAIN' | sort)" ]
	# and the text report names them
	run relayctl audit -c "$SANDBOX_CONFIG_DIR" --expect-phase 2 --source $OUT \
		--allowed-source $ALLOWED "127.0.0.1:$SANDBOX_PORT"
	# only the offers differ without the test user: warnings
	[ "$status" -eq 1 ]
	[[ $output == *"phase 2: "*" too open, 0 too closed"* ]]
	[[ $output == *"warning EXP-TOO-OPEN: from the outsider source 127.0.0.66 (an outsider under phase 2): 2 cells more open than the phase allows"* ]]
	[[ $output == *"outsider/plain/OFFER-PLAIN: expected refuse, observed accept: EHLO before TLS: AUTH "*"PLAIN"* ]]
}

@test "expect-phase: a master.cf -o mynetworks=0.0.0.0/0 override is caught" {
	start_phased 2
	sed -i "s|^\(127.0.0.1:$SANDBOX_PORT inet.*smtpd\)\$|\1 -o mynetworks=0.0.0.0/0|" "$SANDBOX_CONFIG_DIR/master.cf"
	grep -q 'mynetworks=0.0.0.0/0' "$SANDBOX_CONFIG_DIR/master.cf"
	postfix -c "$SANDBOX_CONFIG_DIR" reload 2>/dev/null
	sleep 1
	expect_audit 2
	[ "$status" -eq 2 ]
	printf '%s\n' "$output" | "$PYTHON" -c '
import json, sys
t = json.load(sys.stdin)["targets"][0]
assert t["verdict"] == "open", t["verdict"]
assert t["vantage"]["trust"] == "outsider", t["vantage"]
assert "0.0.0.0/0" in t["vantage"]["why"] and "master.cf" in t["vantage"]["why"], t["vantage"]
f = {(x["id"], x["severity"]) for x in t["findings"]}
assert ("EXP-TOO-OPEN", "critical") in f and ("AUD-OPEN-RELAY", "critical") in f, f
bad = [c["cell"] for c in t["expect"]["cells"] if c["status"] == "too-open"]
assert "outsider/plain/RLY-PLAIN-EXT" in bad, bad
# explained from the configuration: the setting, its line, the fix
ex = t["explain"]
assert len(ex) == 1 and ex[0]["decision"] == "accept", ex
assert "permit_mynetworks in smtpd_relay_restrictions (main.cf:" in ex[0]["because"], ex
assert "matched 0.0.0.0/0 of mynetworks (master.cf:2 (-o on 127.0.0.1:" in ex[0]["because"], ex
assert ex[0]["fix"].startswith("remove 0.0.0.0/0 from mynetworks (master.cf:2"), ex
assert "outsider/plain/RLY-PLAIN-EXT" in ex[0]["cells"], ex'
	# and by relayctl explain, from the audit's JSON
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/audit.json"
	run relayctl explain -c "$SANDBOX_CONFIG_DIR" --audit "$BATS_TEST_TMPDIR/audit.json"
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == "  accept: permit_mynetworks in smtpd_relay_restrictions (main.cf:"*") matched 0.0.0.0/0 of mynetworks (master.cf:2 (-o on 127.0.0.1:$SANDBOX_PORT))" ]]
	[[ ${lines[2]} == "    fix: remove 0.0.0.0/0 from mynetworks"* ]]
}

@test "explain: the restriction and the line that decide, for one client" {
	start_phased 2
	run relayctl explain -c "$SANDBOX_CONFIG_DIR" --source $OUT
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "127.0.0.66 -> <relaytest@example.net>, no AUTH: refuse" ]]
	[[ ${lines[1]} == "  because reject_unauth_destination in smtpd_relay_restrictions (main.cf:"*") matched: example.net is not a domain of the server"* ]]
	run relayctl explain -c "$SANDBOX_CONFIG_DIR" --source $ALLOWED
	[[ ${lines[0]} == *": accept" ]]
	[[ ${lines[1]} == *"matched 127.0.0.77/32 of mynetworks (main.cf:"* ]]
	[[ ${lines[2]} == *"relayctl allow del 127.0.0.77/32" ]]
	run relayctl explain -c "$SANDBOX_CONFIG_DIR" --auth CRAM-MD5 --json
	[ "$status" -eq 0 ]
	[[ $output == *'"decision": "accept"'* ]]
	[[ $output == *"permit_sasl_authenticated in smtpd_relay_restrictions"* ]]
	run relayctl explain -c "$SANDBOX_CONFIG_DIR" --auth CRAM-MD5 --tls --json
	[[ $output == *'"tls": true'* ]]
	[[ $output == *'"decision": "accept"'* ]]
	# PLAIN is not offered in phase 2: it cannot authenticate anybody
	run relayctl explain -c "$SANDBOX_CONFIG_DIR" --auth PLAIN
	[[ ${lines[0]} == *": refuse" ]]
	# the send-only trap, set on the smtpd service in master.cf
	sed -i "s|^\(127.0.0.1:$SANDBOX_PORT inet.*smtpd\)\$|\1 -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject|" "$SANDBOX_CONFIG_DIR/master.cf"
	run relayctl explain -c "$SANDBOX_CONFIG_DIR" --rcpt "postmaster@$SANDBOX_DOMAIN"
	[[ ${lines[0]} == *": refuse" ]]
	[[ ${lines[1]} == "  because reject in smtpd_recipient_restrictions (master.cf:2 (-o on 127.0.0.1:$SANDBOX_PORT))"* ]]
	[[ ${lines[2]} == "  fix: mail for local users must be accepted from anyone"* ]]
	# bad input
	run --separate-stderr relayctl explain -c "$SANDBOX_CONFIG_DIR" --source 10.0.0.0/8
	[ "$status" -eq 64 ]
	[[ $stderr == *"'10.0.0.0/8' is not one IPv4 or IPv6 address"* ]]
	run --separate-stderr relayctl explain -c "$SANDBOX_CONFIG_DIR" --auth NTLM
	[ "$status" -eq 64 ]
	# many stray operands: refused, not written past an array
	run --separate-stderr relayctl explain -c "$SANDBOX_CONFIG_DIR" $(seq 1 60)
	[ "$status" -eq 64 ]
	[[ $stderr == *"unexpected argument '1'"* ]]
	echo '{"x": 1}' >"$BATS_TEST_TMPDIR/x.json"
	run --separate-stderr relayctl explain -c "$SANDBOX_CONFIG_DIR" --audit "$BATS_TEST_TMPDIR/x.json"
	[ "$status" -eq 65 ]
	[[ $stderr == *"is not the JSON of 'relayctl audit --json'"* ]]
}

@test "expect-phase: a SASL side without CRAM-MD5 is too closed" {
	# Cyrus without CRAM-MD5.  (With Postfix 3.6's mechanism filter set
	# to cram-md5, nothing would be left and smtpd would not start at
	# all; as on Postfix 3.5, the filter is left out here.)
	SB=$(sandbox_start --mechs "DIGEST-MD5 PLAIN LOGIN")
	sandbox_load "$SB"
	PASSFILE=$BATS_TEST_TMPDIR/pass
	(umask 077; printf '%s\n' "$SANDBOX_PASS" >"$PASSFILE")
	relayctl enable-phase 1 --postfix-version 3.5 -y -c "$SANDBOX_CONFIG_DIR" >/dev/null 2>&1
	expect_audit 1 --postfix-version 3.5
	[ "$status" -eq 2 ]
	run differing
	[ "$output" = "$(printf '%s\n' \
		'too-closed critical outsider/plain/AUTH-UNOFFERED-CRAM-MD5' \
		'too-closed critical outsider/plain/OFFER-CRAM-MD5' \
		'too-open warning outsider/plain/OFFER-OTHER' | sort)" ]
}

@test "expect-phase: a host missing from the allow list is too closed" {
	start_phased 2
	run relayctl audit -c "$SANDBOX_CONFIG_DIR" --json --expect-phase 2 --source $OUT \
		--allowed-source 127.0.0.88 "127.0.0.1:$SANDBOX_PORT"
	[ "$status" -eq 2 ]
	run differing
	[[ $output == *"too-closed critical allowed/plain/RLY-PLAIN-EXT"* ]]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
}

@test "expect-phase: cells no vantage point saw are untested, never passed" {
	start_phased 2
	run relayctl audit --json --expect-phase 2 --source $OUT "127.0.0.1:$SANDBOX_PORT"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | "$PYTHON" -c '
import json, sys
t = json.load(sys.stdin)["targets"][0]
un = {c["cell"]: c for c in t["expect"]["cells"] if c["status"] == "untested"}
assert set(un) == {"allowed/any/RLY-PLAIN-EXT", "outsider/any/AUTH-USER-CRAM-MD5"}, un
assert "--allowed-source" in un["allowed/any/RLY-PLAIN-EXT"]["why"]
f = [x for x in t["findings"] if x["id"] == "EXP-UNTESTED"]
assert f and f[0]["severity"] == "ok" and len(f[0]["evidence"]) == 2, f'
	run --separate-stderr relayctl audit --allowed-source 127.0.0.77 127.0.0.1:1
	[ "$status" -eq 64 ]
	[[ $stderr == *"--allowed-source needs --expect-phase"* ]]
	run --separate-stderr relayctl audit --expect-phase 4 127.0.0.1:1
	[ "$status" -eq 64 ]
	[[ $stderr == *"invalid phase '4'"* ]]
	run --separate-stderr relayctl enable-phase 2 --verify-wait 3 -c "$SANDBOX_CONFIG_DIR"
	[ "$status" -eq 64 ]
	[[ $stderr == *"need --verify"* ]]
	run --separate-stderr relayctl enable-phase 2 --verify --verify-wait x -c "$SANDBOX_CONFIG_DIR"
	[ "$status" -eq 64 ]
	[[ $stderr == *"invalid --verify-wait 'x'"* ]]
	run --separate-stderr relayctl audit --expect-phase 2 --allowed-source 10.0.0.0/8 127.0.0.1:1
	[ "$status" -eq 64 ]
	[[ $stderr == *"invalid --allowed-source '10.0.0.0/8'"* ]]
}

@test "vantage: a trusted source says so and is never closed" {
	start_phased 2
	# Known from the configuration: the allowed host and the server itself.
	for src in $ALLOWED 127.0.0.1; do
		run relayctl audit -c "$SANDBOX_CONFIG_DIR" --json --source $src "127.0.0.1:$SANDBOX_PORT"
		[ "$status" -eq 3 ] || { echo "$src: exit $status"; false; }
		printf '%s\n' "$output" | SRC=$src "$PYTHON" -c '
import json, os, sys
t = json.load(sys.stdin)["targets"][0]
assert t["verdict"] == "unknown", t["verdict"]
v = t["vantage"]
assert v["trust"] == "trusted" and not v["outsider_view"], v
assert os.environ["SRC"] in v["why"] and "mynetworks" in v["why"] and "main.cf:" in v["why"], v
assert "outsider" in t["reason"], t["reason"]
ids = {f["id"] for f in t["findings"]}
assert "AUD-VANTAGE-TRUSTED" in ids and "AUD-OPEN-RELAY" not in ids, ids'
	done
	# Suspected without the configuration: it relayed, so unknown.
	run relayctl audit --source $ALLOWED --tests 'RLY-PLAIN-*' "127.0.0.1:$SANDBOX_PORT"
	[ "$status" -eq 3 ]
	[[ ${lines[0]} == *": unknown (audited from a trusted address"* ]]
	[[ $output == *"vantage: suspected (127.0.0.77 is an address of the server's own machine"* ]]
	# An untrusted one from this machine: closed, and said so.
	run relayctl audit --source $OUT --tests 'RLY-PLAIN-*' "127.0.0.1:$SANDBOX_PORT"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *": closed ("* ]]
	[[ $output == *"ok AUD-VANTAGE-LOCAL"* ]]
	# With the configuration and no --source, an untrusted address is
	# chosen: mynetworks is 127.0.0.1/32 127.0.0.77/32.
	run --separate-stderr relayctl audit -c "$SANDBOX_CONFIG_DIR" --json "127.0.0.1:$SANDBOX_PORT"
	[ "$status" -eq 0 ]
	[[ $stderr == *"auditing 127.0.0.1:$SANDBOX_PORT from 127.0.0.2"* ]]
	printf '%s\n' "$output" | "$PYTHON" -c '
import json, sys
t = json.load(sys.stdin)["targets"][0]
assert t["verdict"] == "closed" and t["vantage"]["source"] == "127.0.0.2", t["vantage"]
assert t["vantage"]["trust"] == "outsider", t["vantage"]'
}

@test "verify: a healthy change is proved, and what was not seen is said" {
	start_phased 0
	before=$(cat "$SANDBOX_CONFIG_DIR/main.cf")
	run --separate-stderr relayctl enable-phase 2 --allow $ALLOWED/32 --verify -c "$SANDBOX_CONFIG_DIR"
	[ "$status" -eq 0 ] || { echo "exit $status"; echo "$output"; echo "$stderr"; false; }
	[[ $output == *"verify: auditing 127.0.0.1:$SANDBOX_PORT against phase 2 from 127.0.0.2 (outsider) and 127.0.0.77 (allowed)"* ]]
	[[ $output == *"phase 2: "*" cells as expected, 0 too open, 0 too closed, 1 untested"* ]]
	[[ $output == *"outsider/any/AUTH-USER-CRAM-MD5: no test user's credentials"* ]]
	[[ ${lines[-1]} == "changed: phase 2 ("*"Postfix reloaded" ]]
	[ "$(cat "$SANDBOX_CONFIG_DIR/main.cf")" != "$before" ]
	# the vantage points can be chosen
	run --separate-stderr relayctl enable-phase 2 --verify --verify-source $OUT \
		--verify-allowed-source 127.0.0.77 -c "$SANDBOX_CONFIG_DIR"
	[ "$status" -eq 0 ]
	[[ $output == *"from 127.0.0.66 (outsider) and 127.0.0.77 (allowed)"* ]]
	# unchanged: the server is audited as it is
	run relayctl enable-phase 2 --verify --json -c "$SANDBOX_CONFIG_DIR"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert d["result"] == "unchanged", d["result"]
assert d["verify"]["expect"]["counts"]["too_open"] == 0, d["verify"]["expect"]["counts"]'
}

@test "verify: --dry-run audits the server now against the target phase" {
	start_phased 1
	cp "$SANDBOX_CONFIG_DIR/main.cf" "$BATS_TEST_TMPDIR/before"
	run relayctl enable-phase 3 --dry-run --verify -c "$SANDBOX_CONFIG_DIR"
	[ "$status" -eq 2 ]
	[[ $output == *"+smtpd_sasl_mechanism_filter = cram-md5, plain, login"* ]]
	[[ $output == *"critical EXP-TOO-CLOSED"*"outsider/plain/OFFER-PLAIN"* ]]
	[[ ${lines[-1]} == "dry run: phase 3 would change"* ]]
	cmp "$BATS_TEST_TMPDIR/before" "$SANDBOX_CONFIG_DIR/main.cf"
}

@test "verify: a master.cf override that breaks the phase is rolled back byte for byte" {
	start_phased 0
	# The send-only trap, on the smtpd service only: local mail refused.
	sed -i "s|^\(127.0.0.1:$SANDBOX_PORT inet.*smtpd\)\$|\1 -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject|" "$SANDBOX_CONFIG_DIR/master.cf"
	postfix -c "$SANDBOX_CONFIG_DIR" reload 2>/dev/null
	cp "$SANDBOX_CONFIG_DIR/main.cf" "$BATS_TEST_TMPDIR/before"
	run --separate-stderr relayctl enable-phase 1 --verify -c "$SANDBOX_CONFIG_DIR"
	[ "$status" -eq 2 ] || { echo "exit $status"; echo "$output"; echo "$stderr"; false; }
	[[ $output == *"critical EXP-TOO-CLOSED"*"outsider/plain/POS-POSTMASTER: expected accept, observed refuse"* ]]
	[[ ${lines[-1]} == "rolled back: phase 1 failed its verification; the previous $SANDBOX_CONFIG_DIR/main.cf is back in place and Postfix reloaded" ]]
	cmp "$BATS_TEST_TMPDIR/before" "$SANDBOX_CONFIG_DIR/main.cf"
	run relayctl status -c "$SANDBOX_CONFIG_DIR"
	[[ ${lines[0]} == "phase: 0" ]]
}

@test "verify: a broken reload is rolled back byte for byte" {
	start_phased 1
	cp "$SANDBOX_CONFIG_DIR/main.cf" "$BATS_TEST_TMPDIR/before"
	# The reload fails outright: the old file goes back before any audit.
	run --separate-stderr relayctl enable-phase 2 --allow $ALLOWED/32 --verify --reload-cmd 'exit 1' -c "$SANDBOX_CONFIG_DIR"
	[ "$status" -eq 75 ]
	[[ $stderr == *"restored the previous '$SANDBOX_CONFIG_DIR/main.cf'"* ]]
	cmp "$BATS_TEST_TMPDIR/before" "$SANDBOX_CONFIG_DIR/main.cf"
	# The "reload" stops the server instead: it no longer answers.
	run --separate-stderr relayctl enable-phase 2 --allow $ALLOWED/32 --verify --verify-wait 2 \
		--reload-cmd "postfix -c '$SANDBOX_CONFIG_DIR' stop" -c "$SANDBOX_CONFIG_DIR"
	[ "$status" -eq 2 ] || { echo "exit $status"; echo "$output"; echo "$stderr"; false; }
	[[ $stderr == *"verify: the server does not answer after the change"* ]]
	[[ $output == *"rolled back: phase 2 failed its verification"* ]]
	cmp "$BATS_TEST_TMPDIR/before" "$SANDBOX_CONFIG_DIR/main.cf"
}

@test "verify: where this machine has no untrusted address, it says what it could not see" {
	# Debian's stock mynetworks: all of 127.0.0.0/8 is the server itself
	SB=$(sandbox_start --set "mynetworks=127.0.0.0/8 [::1]/128")
	sandbox_load "$SB"
	run --separate-stderr relayctl enable-phase 1 --verify -c "$SANDBOX_CONFIG_DIR"
	[ "$status" -eq 3 ] || { echo "exit $status"; echo "$output"; echo "$stderr"; false; }
	[[ $output == *"verify: auditing 127.0.0.1:$SANDBOX_PORT against phase 1 from the default address (outsider)"* ]]
	[[ $output == *"warning AUD-VANTAGE-TRUSTED: the outsider's view was not seen: 127.0.0.1 is in mynetworks (127.0.0.0/8, main.cf:"* ]]
	[[ $output == *"outsider/plain/RLY-PLAIN-EXT: the server trusts the source"* ]]
	[[ ${lines[-1]} == "changed: phase 1 ("* ]]
	run relayctl status -c "$SANDBOX_CONFIG_DIR"
	[[ ${lines[0]} == "phase: 1" ]]
}
