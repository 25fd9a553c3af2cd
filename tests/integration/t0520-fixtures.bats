#!/usr/bin/env bats
# Real-world main.cf files (Debian's stock one, and a messy one with
# continuations, comments inside them, duplicates, CRLF, $ references and
# master.cf overrides): status agrees with postconf -x on every relay
# setting, before and after a change, and a change keeps every line it does
# not own byte for byte.

load ../lib/helpers

# fold - whitespace runs to one space, as postconf prints
fold() {
	tr -s ' \t\r\n' '    ' | sed 's/^ //; s/ $//'
}

# agree DIR - every parameter status reports equals postconf -x's value
agree() {
	local dir=$1 name value want bad=0
	run relayctl status -c "$dir" --json
	[ "$status" -le 1 ] || { echo "status failed: $output"; return 1; }
	while IFS=$'\t' read -r name value; do
		want=$(postconf -c "$dir" -xh "$name" 2>/dev/null | fold)
		if [ "$(printf '%s' "$value" | fold)" != "$want" ]; then
			echo "$name: relayctl '$value', postconf -x '$want'"
			bad=1
		fi
	done < <(echo "$output" | "$PYTHON" -c '
import json, sys
for p in json.load(sys.stdin)["parameters"]:
    print(p["name"] + "\t" + p["value"])')
	return $bad
}

# copy NAME - the fixture in a fresh directory, made a minute old (Postfix
# waits for files changed in the last second)
copy() {
	local d=$BATS_TEST_TMPDIR/$1
	mkdir -p "$d"
	cp "$ROOT/tests/fixtures/$1/main.cf" "$ROOT/tests/fixtures/$1/master.cf" "$d/"
	touch -d '-1 min' "$d/main.cf" "$d/master.cf"
	echo "$d"
}

# changed_names OLD NEW - the parameters whose postconf -n lines differ
changed_names() {
	diff <(postconf -c "$1" -n) <(postconf -c "$2" -n) | sed -n 's/^> \([a-z_0-9]*\) =.*/\1/p'
}

@test "fixtures: status agrees with postconf -x on the stock Debian main.cf" {
	d=$(copy debian)
	agree "$d"
	run relayctl status -c "$d" --json
	echo "$output" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert d["phase"] == "custom", d["phase"]
ids = {f["id"] for f in d["findings"]}
assert "LNT-RELAY-DEFER" in ids, ids'
}

@test "fixtures: status agrees with postconf -x on the messy main.cf" {
	d=$(copy messy)
	agree "$d"
}

@test "fixtures: a phase change on the Debian main.cf keeps every other byte" {
	d=$(copy debian)
	cp -r "$d" "$BATS_TEST_TMPDIR/before"
	run relayctl enable-phase 2 --allow 192.0.2.0/24 --allow 2001:db8::/48 -c "$d"
	[ "$status" -eq 0 ]
	touch -d '-1 min' "$d/main.cf"
	names=$(changed_names "$BATS_TEST_TMPDIR/before" "$d")
	[ -n "$names" ]
	# shellcheck disable=SC2086
	"$PYTHON" "$LIB/untouched.py" "$BATS_TEST_TMPDIR/before/main.cf" "$d/main.cf" $names
	cmp "$BATS_TEST_TMPDIR/before/master.cf" "$d/master.cf"
	agree "$d"
	run relayctl status -c "$d"
	[[ ${lines[0]} == "phase: 2" ]]
	postconf -c "$d" -n | grep -qx 'mynetworks = 127.0.0.0/8 \[::ffff:127.0.0.0\]/104 \[::1\]/128 192.0.2.0/24 \[2001:db8::\]/48'
}

@test "fixtures: a phase change on the messy main.cf keeps every other byte" {
	d=$(copy messy)
	cp -r "$d" "$BATS_TEST_TMPDIR/before"
	for p in "3 --allow 192.0.2.0/24" "1"; do
		# shellcheck disable=SC2086
		run relayctl enable-phase $p -c "$d"
		[ "$status" -eq 0 ] || { echo "$output"; false; }
		touch -d '-1 min' "$d/main.cf"
		names=$(changed_names "$BATS_TEST_TMPDIR/before" "$d")
		# shellcheck disable=SC2086
		"$PYTHON" "$LIB/untouched.py" "$BATS_TEST_TMPDIR/before/main.cf" "$d/main.cf" $names
		agree "$d"
		cp "$d/main.cf" "$BATS_TEST_TMPDIR/before/main.cf"
		touch -d '-1 min' "$BATS_TEST_TMPDIR/before/main.cf"
	done
	run relayctl status -c "$d"
	[[ ${lines[0]} == "phase: 1" ]]
	cmp "$ROOT/tests/fixtures/messy/master.cf" "$d/master.cf"
}

@test "fixtures: master.cf overrides are reported, with their lines" {
	d=$(copy messy)
	run relayctl lint -c "$d" --json
	echo "$output" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
ov = [f for f in d["findings"] if f["id"].startswith("LNT-MASTER")]
assert ov, d["findings"]
assert all(f["message"].startswith("master.cf:") for f in ov), ov
assert any("smtpd_relay_restrictions" in f["message"] for f in ov), ov'
}

@test "fixtures: an override on the MX service blocks a change it would defeat" {
	d=$(copy debian)
	sed -i 's/^smtp      inet  n       -       y       -       -       smtpd$/&\n  -o smtpd_relay_restrictions=permit/' "$d/master.cf"
	grep -q 'smtpd_relay_restrictions=permit' "$d/master.cf"
	sum=$(sha256sum <"$d/main.cf")
	run --separate-stderr relayctl enable-phase 1 -c "$d"
	[ "$status" -eq 78 ]
	[[ $stderr == *"master.cf line "*" overrides smtpd_relay_restrictions for service 'smtp'"* ]]
	[ "$(sha256sum <"$d/main.cf")" = "$sum" ]
	run relayctl lint -c "$d"
	[ "$status" -eq 2 ]
	[[ $output == *"critical LNT-MASTER-PERMIT"* ]]
}

@test "fixtures: the byte-for-byte check itself catches a changed line" {
	d=$(copy messy)
	cp "$d/main.cf" "$BATS_TEST_TMPDIR/changed.cf"
	sed -i '0,/^#/s/^#/# touched/' "$BATS_TEST_TMPDIR/changed.cf"
	run "$PYTHON" "$LIB/untouched.py" "$d/main.cf" "$BATS_TEST_TMPDIR/changed.cf" mynetworks
	[ "$status" -eq 1 ]
	printf 'mynetworks = 10.0.0.0/8\n' >>"$BATS_TEST_TMPDIR/changed.cf"
	run "$PYTHON" "$LIB/untouched.py" "$d/main.cf" "$BATS_TEST_TMPDIR/changed.cf" mynetworks
	[ "$status" -eq 1 ]
	cp "$d/main.cf" "$BATS_TEST_TMPDIR/same.cf"
	run "$PYTHON" "$LIB/untouched.py" "$d/main.cf" "$BATS_TEST_TMPDIR/same.cf" mynetworks
	[ "$status" -eq 0 ]
}
