#!/usr/bin/env bats
# make install / uninstall with PREFIX and DESTDIR: the binary, the man page
# and the three completions land where packagers expect them, and go again.

load ../lib/helpers

@test "install: DESTDIR and PREFIX place every file, uninstall removes them" {
	dest=$BATS_TEST_TMPDIR/dest
	run make -C "$ROOT" --no-print-directory install DESTDIR="$dest" PREFIX=/opt/rc BIN="$RELAYCTL" B="${RELAYCTL_B:-build}"
	[ "$status" -eq 0 ]
	for f in sbin/relayctl share/man/man8/relayctl.8 \
		share/bash-completion/completions/relayctl \
		share/zsh/site-functions/_relayctl \
		share/fish/vendor_completions.d/relayctl.fish; do
		[ -f "$dest/opt/rc/$f" ] || { echo "missing $f"; false; }
	done
	[ -x "$dest/opt/rc/sbin/relayctl" ]
	[ "$(stat -c %a "$dest/opt/rc/share/man/man8/relayctl.8")" = 644 ]
	run "$dest/opt/rc/sbin/relayctl" --version
	[ "$status" -eq 0 ]
	[[ $output == "relayctl "* ]]
	run make -C "$ROOT" --no-print-directory uninstall DESTDIR="$dest" PREFIX=/opt/rc
	[ "$status" -eq 0 ]
	[ -z "$(find "$dest" -type f)" ]
}
