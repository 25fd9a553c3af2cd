#!/bin/sh
# run.sh - run every test suite and end with one line "N passed, N failed".
#
#   RELAYCTL=/path/to/relayctl sh tests/run.sh UNIT_TEST_BINARY...
#
# Unit tests (cmocka) and integration tests (bats, tests/integration/*.bats)
# both speak TAP here; this script counts their "ok" and "not ok" lines.  A
# suite that dies without reporting counts as one failure.  RELAYCTL_WRAP
# (e.g. "valgrind -q --error-exitcode=99") runs every test binary and every
# relayctl invocation under it.  Postfix sandboxes that a test left running
# are stopped at the end and count as a failure.
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${RELAYCTL:?RELAYCTL must name the relayctl binary}"
export RELAYCTL
export RELAYCTL_WRAP="${RELAYCTL_WRAP:-}"

work=$(mktemp -d "${TMPDIR:-/tmp}/relayctl-tests.XXXXXX")

# RELAYCTL_VALGRIND=1: everything under valgrind, each process's report in
# its own log; a test may not look at stderr, so non-empty logs fail here.
if [ "${RELAYCTL_VALGRIND:-}" = 1 ]; then
	mkdir -p "$work/valgrind"
	RELAYCTL_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --log-file=$work/valgrind/%p.log"
fi
export RELAYCTL_SANDBOX_REGISTRY="$work/sandboxes"
: >"$RELAYCTL_SANDBOX_REGISTRY"
cleanup() {
	bash "$here/lib/sandbox.sh" stop-all "$RELAYCTL_SANDBOX_REGISTRY" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# count FILE - print "passed failed skipped" of the TAP in FILE
count() {
	awk '
	/^ok / { if ($0 ~ /# [Ss][Kk][Ii][Pp]/) s++; else p++ }
	/^not ok / { f++ }
	END { printf "%d %d %d\n", p, f, s }' "$1"
}

passed=0 failed=0 skipped=0

# suite NAME CMD... - run one suite, echo its output, add up its counts
suite() {
	name=$1; shift
	out="$work/out"
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	set -- $(count "$out")
	if [ "$rc" -ne 0 ] && [ "$2" -eq 0 ]; then
		echo "not ok - suite '$name' exited with status $rc without a failed test"
		set -- "$1" 1 "$3"
	fi
	passed=$((passed + $1)); failed=$((failed + $2)); skipped=$((skipped + $3))
}

for t in "$@"; do
	# shellcheck disable=SC2086
	suite "$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP $RELAYCTL_WRAP "$t"
done

if ls "$here"/integration/*.bats >/dev/null 2>&1; then
	# The files run two at a time when GNU parallel is there (bats needs
	# it for --jobs): they share nothing but the machine, and most of
	# their time is spent waiting for Postfix.  RELAYCTL_TEST_JOBS=1 runs
	# them one by one.
	jobs=${RELAYCTL_TEST_JOBS:-2}
	if [ "$jobs" -gt 1 ] && command -v parallel >/dev/null 2>&1; then
		suite bats bats --tap --jobs "$jobs" --no-parallelize-within-files "$here"/integration
	else
		suite bats bats --tap "$here"/integration
	fi
else
	echo "not ok - no integration tests found in $here/integration"
	failed=$((failed + 1))
fi

left=$(grep -c . "$RELAYCTL_SANDBOX_REGISTRY" 2>/dev/null || true)
live=0
while IFS= read -r d; do
	[ -d "$d" ] && live=$((live + 1))
done <"$RELAYCTL_SANDBOX_REGISTRY"
if [ -d "$work/valgrind" ]; then
	for f in "$work"/valgrind/*.log; do
		[ -s "$f" ] || continue
		echo "not ok - valgrind reported errors:"
		sed 's/^/# /' "$f"
		failed=$((failed + 1))
	done
fi

if [ "$live" -gt 0 ]; then
	echo "not ok - $live of $left Postfix sandboxes were left behind by the tests (stopped now)"
	failed=$((failed + 1))
fi

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
