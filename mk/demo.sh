#!/bin/sh
# demo.sh - the main job on an embedded default: a throwaway local Postfix,
# configured with relayctl and audited by it.  The configure and audit
# commands are not built yet, so for now this says so and shows the build.
set -eu
: "${RELAYCTL:=./relayctl}"

"$RELAYCTL" --version
cat <<'MSG'

make demo: not yet.

The demo will start a throwaway Postfix on 127.0.0.1 (tests/lib/sandbox.sh),
put it in phase II with `relayctl enable-phase 2 --allow 192.0.2.0/24`,
and prove with `relayctl audit` that it is no open relay.  Those commands
arrive with the configure (#3) and audit (#4) issues.

Meanwhile `make check` starts real Postfix sandboxes and tests them.
MSG
