#!/usr/bin/env bats
# The man page and the completions against the command table: a command or
# option in one and not the other fails here.  And the man page is clean.

load ../lib/helpers

teardown() {
	tmux_stop
}

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
	sed -i "s/complete -c relayctl -n '__relayctl_using version' -l json.*//" \
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

@test "docs: the bash completion loads and completes enable-phase to the phases" {
	run bash -c 'source "$0/completions/relayctl.bash"; complete -p relayctl
		COMP_WORDS=(relayctl enable-phase ""); COMP_CWORD=2; _relayctl; echo "1:${COMPREPLY[*]}"
		COMP_WORDS=(relayctl -c /etc/postfix enable-phase ""); COMP_CWORD=4; _relayctl; echo "2:${COMPREPLY[*]}"
		COMP_WORDS=(relayctl audit --format ""); COMP_CWORD=3; _relayctl; echo "3:${COMPREPLY[*]}"
		COMP_WORDS=(relayctl status --color a); COMP_CWORD=3; _relayctl; echo "4:${COMPREPLY[*]}"
		COMP_WORDS=(relayctl enable-phase 2 ""); COMP_CWORD=3; _relayctl; echo "5:${COMPREPLY[*]}"' "$ROOT"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "complete -F _relayctl relayctl" ]
	[ "${lines[1]}" = "1:0 1 2 3" ]
	[ "${lines[2]}" = "2:0 1 2 3" ]
	[ "${lines[3]}" = "3:text json jsonl nagios" ]
	[ "${lines[4]}" = "4:always auto" ]
	[ "${lines[5]}" = "5:" ]
}

@test "docs: the bash completion offers the allow list after 'allow del'" {
	conf=$BATS_TEST_TMPDIR/etc
	mkdir -p "$conf" "$BATS_TEST_TMPDIR/bin"
	printf 'myhostname = mx.example.org\nmydestination = localhost\n' >"$conf/main.cf"
	relayctl enable-phase 2 --allow 192.0.2.0/24 --allow 198.51.100.0/24 --no-reload -y -c "$conf" >/dev/null
	ln -s "$RELAYCTL" "$BATS_TEST_TMPDIR/bin/relayctl"
	run env PATH="$BATS_TEST_TMPDIR/bin:$PATH" bash -c 'source "$0/completions/relayctl.bash"
		COMP_WORDS=(relayctl -c "$1" allow del ""); COMP_CWORD=5; _relayctl; echo "${COMPREPLY[*]}"' "$ROOT" "$conf"
	[ "$status" -eq 0 ]
	[ "$output" = "192.0.2.0/24 198.51.100.0/24" ]
}

@test "docs: the fish completion loads and completes enable-phase to the phases" {
	command -v fish >/dev/null || skip "fish is not installed (make deps installs it)"
	run fish --no-config -c 'source $argv[1]/completions/relayctl.fish; complete -C "relayctl enable-phase "; echo ---; complete -C "relayctl audit --tls "; echo ---; complete -C "relayctl -c /x enable-phase 2 "' "$ROOT"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]:0:4}" | tr '\n' ' ')" = "0 1 2 3 " ]
	[ "${lines[4]}" = "---" ]
	[[ $output == *"starttls"* && $output == *"implicit"* ]]
	[ "${lines[-1]}" = "---" ]	# one phase only
}

@test "docs: the zsh completion loads and completes enable-phase to the phases" {
	command -v zsh >/dev/null || skip "zsh is not installed (make deps installs it)"
	tmux_start "env -i HOME=$BATS_TEST_TMPDIR TERM=xterm PATH=/usr/bin:/bin zsh -f"
	tmux_keys "fpath=($ROOT/completions \$fpath); autoload -Uz compinit; compinit -u -D; PS1='zsh%% '" Enter
	tmux_keys 'relayctl enable-phase ' Tab
	tmux_wait '0  1  2  3' 10
	tmux_keys C-u 'relayctl audit --format ' Tab
	tmux_wait 'json    jsonl   nagios  text' 10
	tmux_stop
}
