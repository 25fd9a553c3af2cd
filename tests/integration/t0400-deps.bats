#!/usr/bin/env bats
# mk/deps.sh: nothing to do when all is there; as a non-root user with a
# package missing, the exact apt-get command and a failure; never installs.

load ../lib/helpers

# stub_path MISSING UID - a PATH whose dpkg-query reports MISSING as not
# installed, whose id -u prints UID, and whose apt-get fails loudly
stub_path() {
	local dir=$BATS_TEST_TMPDIR/stub
	mkdir -p "$dir"
	printf '#!/bin/sh\nfor p; do :; done\nif [ "$p" = "%s" ]; then printf "un "; else printf "ii "; fi\n' \
		"$1" >"$dir/dpkg-query"
	printf '#!/bin/sh\necho %s\n' "$2" >"$dir/id"
	printf '#!/bin/sh\necho "apt-get must not run" >&2; exit 99\n' >"$dir/apt-get"
	chmod +x "$dir/dpkg-query" "$dir/id" "$dir/apt-get"
	echo "$dir:$PATH"
}

@test "deps: nothing missing means nothing to do" {
	run env PATH="$(stub_path none-missing 1000)" sh "$ROOT/mk/deps.sh" check
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "deps: a non-root user gets the exact install command and a failure" {
	run --separate-stderr env PATH="$(stub_path libcmocka-dev 1000)" sh "$ROOT/mk/deps.sh" check
	[ "$status" -eq 1 ]
	[[ $stderr == *"missing Debian packages: libcmocka-dev"* ]]
	[[ $stderr == *"run as root:  apt-get update && apt-get install -y --no-install-recommends libcmocka-dev"* ]]
	[[ $stderr != *"must not run"* ]]
}

@test "deps: the build set does not ask for the test packages" {
	run --separate-stderr env PATH="$(stub_path bats 1000)" sh "$ROOT/mk/deps.sh" build
	[ "$status" -eq 0 ]
	run --separate-stderr env PATH="$(stub_path libjansson-dev 1000)" sh "$ROOT/mk/deps.sh" build
	[ "$status" -eq 1 ]
	[[ $stderr == *"libjansson-dev"* ]]
}

@test "deps: an unknown set is a usage error" {
	run --separate-stderr sh "$ROOT/mk/deps.sh" everything
	[ "$status" -eq 2 ]
	[[ $stderr == *"unknown set 'everything'"* ]]
}

# root_stubs MISSING - stubs for a root install: apt-get, debconf and
# systemctl only log their calls to $BATS_TEST_TMPDIR/calls
root_stubs() {
	local dir=$BATS_TEST_TMPDIR/stub
	stub_path "$1" 0 >/dev/null
	for c in apt-get debconf-set-selections systemctl; do
		printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$c" "$BATS_TEST_TMPDIR" >"$dir/$c"
		chmod +x "$dir/$c"
	done
	mkdir -p "$BATS_TEST_TMPDIR/systemd"
	echo "$dir:$PATH"
}

@test "deps: as root, installs only what is missing and leaves a running Postfix alone" {
	p=$(root_stubs libcmocka-dev)
	run --separate-stderr env PATH="$p" RELAYCTL_POLICY_RC="$BATS_TEST_TMPDIR/policy-rc.d" \
		RELAYCTL_SYSTEMD_DIR="$BATS_TEST_TMPDIR/systemd" sh "$ROOT/mk/deps.sh" check
	[ "$status" -eq 0 ]
	grep -q "^apt-get install -y -qq --no-install-recommends libcmocka-dev$" "$BATS_TEST_TMPDIR/calls"
	run ! grep -q "systemctl\|debconf" "$BATS_TEST_TMPDIR/calls"
	[ ! -e "$BATS_TEST_TMPDIR/policy-rc.d" ]	# made for the install, then removed
}

@test "deps: as root, a new Postfix is preseeded and never left enabled" {
	p=$(root_stubs postfix)
	run --separate-stderr env PATH="$p" RELAYCTL_POLICY_RC="$BATS_TEST_TMPDIR/policy-rc.d" \
		RELAYCTL_SYSTEMD_DIR="$BATS_TEST_TMPDIR/systemd" sh "$ROOT/mk/deps.sh" check
	[ "$status" -eq 0 ]
	grep -q "^apt-get install -y -qq --no-install-recommends postfix$" "$BATS_TEST_TMPDIR/calls"
	grep -q "^systemctl disable --now postfix.service$" "$BATS_TEST_TMPDIR/calls"
	[ ! -e "$BATS_TEST_TMPDIR/policy-rc.d" ]
}
