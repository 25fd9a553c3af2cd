#!/bin/bash
# demo.sh - the main job on an embedded default: a throwaway Postfix on
# 127.0.0.1 (tests/lib/sandbox.sh), put in phase 2 by relayctl with one
# allow-listed address and verified on the spot, then audited by relayctl
# from an outsider's address, and checked cell by cell against phase 2
# from an outsider, the allowed address and a CRAM-MD5 user.  Stops
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

say "relayctl enable-phase 2 --allow $ALLOWED/32 --verify"
"$relayctl" enable-phase 2 --allow "$ALLOWED/32" --verify -c "$SANDBOX_CONFIG_DIR" |
	grep -v '^    ' || true

say "relayctl status"
"$relayctl" status -c "$SANDBOX_CONFIG_DIR" | sed -n '1,5p' || true

say "relayctl audit from an outsider ($OUTSIDER): must be closed"
"$relayctl" audit --source "$OUTSIDER" "127.0.0.1:$SANDBOX_PORT" || true

say "relayctl audit --expect-phase 2: outsider, allow-listed host ($ALLOWED), CRAM-MD5 user"
RELAYCTL_AUTH_PASS=$SANDBOX_PASS "$relayctl" audit -c "$SANDBOX_CONFIG_DIR" \
	--expect-phase 2 --source "$OUTSIDER" --allowed-source "$ALLOWED" \
	--auth-user "$SANDBOX_USER" --ca-file "$SANDBOX_DIR/tls/cert.pem" \
	"127.0.0.1:$SANDBOX_PORT" || true

say "the server's log: no DATA command, so nothing was relayed"
if grep -q -E 'DATA|BDAT' "$SANDBOX_DIR/maillog"; then
	echo "DATA found in the log!" >&2
	exit 1
fi
echo "no DATA in $(grep -c 'connect from' "$SANDBOX_DIR/maillog") connections"
