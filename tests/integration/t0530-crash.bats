#!/usr/bin/env bats
# Crash safety of a write, proved with strace(1)'s fault injection on the
# real binary: SIGKILL at every system call of enable-phase leaves main.cf
# exactly the old or exactly the new bytes, and the next run is not
# blocked; ENOSPC and EIO on a write or an fsync leave the original intact
# with a clear error.  (Under valgrind the system calls are valgrind's:
# these tests then skip.)

load ../lib/helpers

setup() {
	[ -z "${RELAYCTL_WRAP:-}" ] || skip "strace counts the wrapper's system calls"
	command -v strace >/dev/null || skip "strace is not installed (make deps installs it)"
	# LeakSanitizer cannot run under ptrace (make asan): the leaks of these
	# paths are checked by the other tests
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	CONF=$BATS_TEST_TMPDIR/etc
	small_conf "$CONF"
	cp "$CONF/main.cf" "$BATS_TEST_TMPDIR/old"
	# the new bytes, from a run on a copy
	cp -r "$CONF" "$BATS_TEST_TMPDIR/ref"
	relayctl enable-phase 2 --allow 192.0.2.0/24 -y --no-reload --postfix-version 3.7.11 \
		-c "$BATS_TEST_TMPDIR/ref" >/dev/null
	cp "$BATS_TEST_TMPDIR/ref/main.cf" "$BATS_TEST_TMPDIR/new"
	if cmp -s "$BATS_TEST_TMPDIR/old" "$BATS_TEST_TMPDIR/new"; then false; fi
}

# change [STRACE ARGS] - enable-phase 2 on CONF, under strace with ARGS
change() {
	strace -o /dev/null "$@" "$RELAYCTL" enable-phase 2 --allow 192.0.2.0/24 -y \
		--no-reload --postfix-version 3.7.11 -c "$CONF"
}

# old_or_new - main.cf is exactly one of the two versions
old_or_new() {
	cmp -s "$CONF/main.cf" "$BATS_TEST_TMPDIR/old" || cmp -s "$CONF/main.cf" "$BATS_TEST_TMPDIR/new"
}

@test "crash: SIGKILL at every system call leaves the old or the new main.cf, and no lock behind" {
	# The system calls of a whole run, each as NAME:N, its N-th call of
	# that name (strace counts each name on its own); the file can change
	# only after the lock is taken, so the kills start at its open.
	strace -o "$BATS_TEST_TMPDIR/trace" "$RELAYCTL" enable-phase 2 --allow 192.0.2.0/24 -y \
		--no-reload --postfix-version 3.7.11 -c "$BATS_TEST_TMPDIR/ref" >/dev/null 2>&1
	cp "$BATS_TEST_TMPDIR/old" "$BATS_TEST_TMPDIR/ref/main.cf"
	strace -o "$BATS_TEST_TMPDIR/trace" "$RELAYCTL" enable-phase 2 --allow 192.0.2.0/24 -y \
		--no-reload --postfix-version 3.7.11 -c "$BATS_TEST_TMPDIR/ref" >/dev/null 2>&1
	awk '/^[a-z_0-9]+\(/ { name = $0; sub(/\(.*/, "", name); n[name]++
		if (index($0, "main.cf.relayctl.lock")) on = 1
		if (on) print name ":" n[name] }' "$BATS_TEST_TMPDIR/trace" >"$BATS_TEST_TMPDIR/points"
	points=$(grep -c . "$BATS_TEST_TMPDIR/points")
	[ "$points" -gt 20 ]
	grep -q '^rename:' "$BATS_TEST_TMPDIR/points"
	old=0 new=0 i=0 missed=0
	while IFS=: read -r call when; do
		i=$((i + 1))
		cp "$BATS_TEST_TMPDIR/old" "$CONF/main.cf"
		# the same redirections as the traced run: the same calls
		st=0
		strace -o /dev/null -e trace="$call" -e inject="$call:signal=KILL:when=$when" \
			"$RELAYCTL" enable-phase 2 --allow 192.0.2.0/24 -y --no-reload \
			--postfix-version 3.7.11 -c "$CONF" >/dev/null 2>&1 || st=$?
		# a call the run did not make this time (e.g. one more getrandom
		# for a temporary name) kills nothing; counted below
		if [ "$st" -ne 137 ]; then
			missed=$((missed + 1))
			continue
		fi
		old_or_new || { echo "killed at $call #$when: main.cf is neither version"; diff "$BATS_TEST_TMPDIR/old" "$CONF/main.cf"; false; }
		if cmp -s "$CONF/main.cf" "$BATS_TEST_TMPDIR/old"; then old=$((old + 1)); else new=$((new + 1)); fi
		# a killed run never blocks the next one
		if [ $((i % 8)) -eq 0 ]; then
			run relayctl enable-phase 2 --allow 192.0.2.0/24 -y --no-reload --postfix-version 3.7.11 -c "$CONF"
			[ "$status" -eq 0 ] || { echo "after a kill at $call #$when: $output"; false; }
			cmp -s "$CONF/main.cf" "$BATS_TEST_TMPDIR/new"
		fi
	done <"$BATS_TEST_TMPDIR/points"
	echo "# $points kill points from the lock on: $old left the old file, $new the new, $missed not reached" >&3
	# before the rename the old file, after it the new: both were seen;
	# and nearly every point was reached
	[ "$old" -gt 0 ]
	[ "$new" -gt 0 ]
	[ $((missed * 10)) -lt "$points" ]
}

@test "crash: ENOSPC or EIO on any write, fsync, link or rename leaves main.cf intact, with an error" {
	for fault in write:error=ENOSPC write:error=EIO fsync:error=EIO link:error=ENOSPC rename:error=EIO; do
		call=${fault%%:*} failed=0
		for when in 1 2 3 4; do
			cp "$BATS_TEST_TMPDIR/old" "$CONF/main.cf"
			rm -rf "$CONF/relayctl-backups"
			run --separate-stderr change -e trace="$call" -e inject="$fault:when=$when"
			[ "$status" -ne 0 ] || continue	# no such call, or not ours
			[ -n "$stderr" ] || { echo "$fault #$when: exit $status and no message"; false; }
			if [ "$status" -eq 74 ]; then
				continue	# the fault fell on stdout, after the write
			fi
			failed=$((failed + 1))
			[ "$status" -eq 73 ] || { echo "$fault #$when: exit $status: $stderr"; false; }
			cmp -s "$CONF/main.cf" "$BATS_TEST_TMPDIR/old" ||
				{ echo "$fault #$when: main.cf changed"; false; }
			[[ $stderr == "relayctl: "*"$(case $fault in *ENOSPC*) echo "No space left on device" ;; *) echo "Input/output error" ;; esac)"* ]] ||
				{ echo "$fault #$when: $stderr"; false; }
		done
		# the fault did stop the write at least once
		[ "$failed" -gt 0 ] || { echo "$fault never stopped the write"; false; }
	done
}
