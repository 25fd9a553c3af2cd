#!/usr/bin/env bats
# Unsafe files: relayctl runs as root and refuses to write through a
# symbolic link or into a directory others can write to (as doas refuses
# its configuration), leaving everything byte for byte as it was; the
# file it replaces keeps its owner and mode.

load ../lib/helpers

setup() {
	CONF=$BATS_TEST_TMPDIR/etc
	mkdir -p "$CONF"
	printf 'myhostname = mx.example.org\nmydestination = localhost\nmynetworks = 127.0.0.0/8\n' >"$CONF/main.cf"
	SUM=$(sha256sum <"$CONF/main.cf")
}

# refused TEXT ARGS... - relayctl ARGS exits 73 naming TEXT, and main.cf is as it was
refused() {
	local text=$1
	shift
	run --separate-stderr relayctl "$@"
	[ "$status" -eq 73 ] || { echo "exit $status, want 73: $stderr"; return 1; }
	[[ $stderr == *"$text"* ]] || { echo "stderr: $stderr"; return 1; }
	[ "$(sha256sum <"$CONF/main.cf")" = "$SUM" ] || { echo "main.cf changed"; return 1; }
}

@test "unsafe: a main.cf that is a symbolic link is not replaced, nor what it points to" {
	mv "$CONF/main.cf" "$BATS_TEST_TMPDIR/real.cf"
	ln -s "$BATS_TEST_TMPDIR/real.cf" "$CONF/main.cf"
	refused "refusing to replace '$CONF/main.cf': it is a symbolic link" \
		enable-phase 1 -y --no-reload -c "$CONF"
	[ -L "$CONF/main.cf" ]
	[ "$(sha256sum <"$BATS_TEST_TMPDIR/real.cf")" = "$SUM" ]
}

@test "unsafe: a configuration directory of another user's, or its group's to write, is refused" {
	chmod 0775 "$CONF"
	refused "refusing to write main.cf in '$CONF': the directory is writable by its group (mode 0775)" \
		enable-phase 1 -y --no-reload -c "$CONF"
	chmod 0755 "$CONF"
	chown nobody "$CONF"
	refused "the directory belongs to user $(id -u nobody), not to root or to you" \
		enable-phase 1 -y --no-reload -c "$CONF"
	chown root "$CONF"
}

@test "unsafe: a configuration directory others can write to is refused" {
	chmod 0777 "$CONF"
	refused "refusing to write main.cf in '$CONF': the directory is writable by others (mode 0777)" \
		enable-phase 1 -y --no-reload -c "$CONF"
	chmod 1777 "$CONF"	# sticky does not help: others may still plant files
	refused "writable by others (mode 1777)" allow add 192.0.2.0/24 -y --no-reload -c "$CONF"
	chmod 0755 "$CONF"
	run relayctl enable-phase 1 -y --no-reload -c "$CONF"
	[ "$status" -eq 0 ]
}

@test "unsafe: a main.cf others can write to is refused" {
	chmod 0666 "$CONF/main.cf"
	refused "it is writable by others (mode 0666)" enable-phase 1 -y --no-reload -c "$CONF"
}

@test "unsafe: a backup directory that is a link or open to others is refused" {
	mkdir "$BATS_TEST_TMPDIR/elsewhere"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$CONF/relayctl-backups"
	refused "refusing to write backups in '$CONF/relayctl-backups': it is a symbolic link" \
		enable-phase 1 -y --no-reload -c "$CONF"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/elsewhere")" ]
	rm "$CONF/relayctl-backups"
	mkdir -m 0777 "$CONF/relayctl-backups"
	chmod 0777 "$CONF/relayctl-backups"
	refused "refusing to write backups in '$CONF/relayctl-backups': the directory is writable by others" \
		enable-phase 1 -y --no-reload -c "$CONF"
}

@test "unsafe: the state file is not written through a link or in an open directory" {
	port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -m 0777 "$BATS_TEST_TMPDIR/open"
	chmod 0777 "$BATS_TEST_TMPDIR/open"
	run --separate-stderr relayctl audit --timeout 1 --state "$BATS_TEST_TMPDIR/open/state.json" "127.0.0.1:$port"
	[ "$status" -eq 73 ] || { echo "exit $status: $stderr"; false; }
	[[ $stderr == *"the directory is writable by others"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/open/state.json" ]
	echo '{"schema": "relayctl.state/1", "targets": {}}' >"$BATS_TEST_TMPDIR/target"
	before=$(sha256sum <"$BATS_TEST_TMPDIR/target")
	mkdir "$BATS_TEST_TMPDIR/safe"
	ln -s "$BATS_TEST_TMPDIR/target" "$BATS_TEST_TMPDIR/safe/state.json"
	run --separate-stderr relayctl audit --timeout 1 --state "$BATS_TEST_TMPDIR/safe/state.json" "127.0.0.1:$port"
	[ "$status" -eq 73 ]
	# refused before the audit, not after it
	[[ $stderr == *"refusing the state file '$BATS_TEST_TMPDIR/safe/state.json': it is a symbolic link"* ]] || { echo "$stderr"; false; }
	[ "$(sha256sum <"$BATS_TEST_TMPDIR/target")" = "$before" ]
}

@test "unsafe: the replaced main.cf keeps its owner, group and mode" {
	chown nobody:adm "$CONF/main.cf"
	chmod 0640 "$CONF/main.cf"
	run relayctl enable-phase 1 -y --no-reload -c "$CONF"
	[ "$status" -eq 0 ]
	[ "$(stat -c '%U:%G %a' "$CONF/main.cf")" = "nobody:adm 640" ]
	[ ! -L "$CONF/main.cf" ]
}
