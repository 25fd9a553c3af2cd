#!/usr/bin/env bats
# The man page and the completions against the command table: a command or
# option in one and not the other fails here.  And the man page is clean.

load ../lib/helpers

@test "docs: man page and completions match the command table" {
	run bash -c '"$0" help --json | "$1" "$2/tests/lib/doccheck.py" "$2"' "$RELAYCTL" "$PYTHON" "$ROOT"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "docs: the consistency check catches a command missing from the docs" {
	# A table with an extra command and option must be reported.
	run bash -c '"$0" help --json | "$1" -c "
import json, sys
d = json.load(sys.stdin)
d[\"commands\"].append({\"name\": \"frob\", \"synopsis\": \"\", \"summary\": \"x\", \"example\": \"relayctl frob\",
  \"options\": [{\"name\": \"zap\", \"short\": None, \"arg\": None, \"help\": \"z\"}]})
print(json.dumps(d))" | "$1" "$2/tests/lib/doccheck.py" "$2"' "$RELAYCTL" "$PYTHON" "$ROOT"
	[ "$status" -eq 1 ]
	[[ $output == *"man/relayctl.8: command 'frob' is missing"* ]]
	[[ $output == *"completions/relayctl.bash: command 'frob' is missing"* ]]
	[[ $output == *"completions/_relayctl: command 'frob' is missing"* ]]
	[[ $output == *"completions/relayctl.fish: command 'frob' is missing"* ]]
	[[ $output == *"completions/relayctl.fish: option '--zap' of 'frob' is missing"* ]]
}

@test "docs: the check finds an option missing from one command's section" {
	# version --json removed from the man page's version entry only.
	cp -r "$ROOT/man" "$ROOT/completions" "$BATS_TEST_TMPDIR/"
	sed -i '/^\.It Cm version/,/^\.El/{/^\.It Fl -json/d}' "$BATS_TEST_TMPDIR/man/relayctl.8"
	sed -i "s/complete -c relayctl -n '__fish_seen_subcommand_from version' -l json.*//" \
		"$BATS_TEST_TMPDIR/completions/relayctl.fish"
	run bash -c '"$0" help --json | "$1" "$2/tests/lib/doccheck.py" "$3"' \
		"$RELAYCTL" "$PYTHON" "$ROOT" "$BATS_TEST_TMPDIR"
	[ "$status" -eq 1 ]
	[[ $output == *"man/relayctl.8: option '--json' of 'version' is missing"* ]]
	[[ $output == *"completions/relayctl.fish: option '--json' of 'version' is missing"* ]]
	[[ $output != *"bash"* ]]
}

@test "docs: the completions are the ones mk/completions.py writes" {
	mkdir -p "$BATS_TEST_TMPDIR/c"
	run bash -c '"$0" help --json | "$1" "$2/mk/completions.py" "$3"' \
		"$RELAYCTL" "$PYTHON" "$ROOT" "$BATS_TEST_TMPDIR/c"
	[ "$status" -eq 0 ]
	for f in relayctl.bash _relayctl relayctl.fish; do
		diff -u "$ROOT/completions/$f" "$BATS_TEST_TMPDIR/c/$f" ||
			{ echo "completions/$f is stale: run 'make completions'"; false; }
	done
}

@test "docs: the man page formats without a warning" {
	run groff -ww -mandoc -z "$ROOT/man/relayctl.8"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	if command -v mandoc >/dev/null; then
		run mandoc -Tlint -Wwarning "$ROOT/man/relayctl.8"
		[ -z "$output" ]
	fi
}

@test "docs: the bash completion completes commands and options" {
	run bash -c 'source "$0/completions/relayctl.bash"
		COMP_WORDS=(relayctl ver); COMP_CWORD=1; _relayctl; echo "1:${COMPREPLY[*]}"
		COMP_WORDS=(relayctl help --j); COMP_CWORD=2; _relayctl; echo "2:${COMPREPLY[*]}"
		COMP_WORDS=(relayctl --ver); COMP_CWORD=1; _relayctl; echo "3:${COMPREPLY[*]}"
		COMP_WORDS=(relayctl help ""); COMP_CWORD=2; _relayctl; echo "4:${COMPREPLY[*]}"' "$ROOT"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1:version" ]
	[ "${lines[1]}" = "2:--json" ]
	[ "${lines[2]}" = "3:--version" ]
	[ "${lines[3]}" = "4:$(relayctl help --json | "$PYTHON" -c 'import json,sys; print(" ".join(c["name"] for c in json.load(sys.stdin)["commands"]))')" ]
}
