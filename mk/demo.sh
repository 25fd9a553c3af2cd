#!/bin/bash
# demo.sh - the main job on an embedded default: a throwaway Postfix on
# 127.0.0.1 (tests/lib/sandbox.sh), put in phase 2 by relayctl with one
# allow-listed address, then audited by relayctl from an outsider's
# address and from the allowed one, to show the difference.  Stops
# everything it started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
relayctl=${RELAYCTL:-$root/relayctl}
OUTSIDER=127.0.0.66
ALLOWED=127.0.0.77

if [ "$(id -u)" -ne 0 ]; then
	echo "make demo: the throwaway Postfix needs root (it runs as the postfix user)" >&2
	exit 1
fi
sb=$(bash "$root/tests/lib/sandbox.sh" start --tls)
trap 'bash "$root/tests/lib/sandbox.sh" stop "$sb"' EXIT
# shellcheck disable=SC1091
. "$sb/sandbox.env"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "a throwaway Postfix on 127.0.0.1:$SANDBOX_PORT (config $SANDBOX_CONFIG_DIR)"
"$relayctl" status -c "$SANDBOX_CONFIG_DIR" | head -5 || true

say "relayctl enable-phase 2 --allow $ALLOWED/32"
"$relayctl" enable-phase 2 --allow "$ALLOWED/32" -c "$SANDBOX_CONFIG_DIR"

say "relayctl status"
"$relayctl" status -c "$SANDBOX_CONFIG_DIR" | sed -n '1,5p' || true

say "relayctl audit from an outsider ($OUTSIDER): must be closed"
"$relayctl" audit --source "$OUTSIDER" "127.0.0.1:$SANDBOX_PORT" || true

say "relayctl audit from the allow-listed host ($ALLOWED): it may relay"
"$relayctl" audit --source "$ALLOWED" --tests 'RLY-PLAIN-*' "127.0.0.1:$SANDBOX_PORT" || true

say "the server's log: no DATA command, so nothing was relayed"
if grep -q -E 'DATA|BDAT' "$SANDBOX_DIR/maillog"; then
	echo "DATA found in the log!" >&2
	exit 1
fi
echo "no DATA in $(grep -c 'connect from' "$SANDBOX_DIR/maillog") connections"
