#!/bin/sh
# deps.sh - find the Debian packages relayctl needs to build and test, and
# install the missing ones when run as root on Debian; otherwise print the
# exact command and fail.  Never starts the system Postfix.
#
# usage: mk/deps.sh [build|check|demo|bench]   (default: check)
set -eu

what=${1:-check}

build="gcc make pkg-config libcurl4-openssl-dev libjansson-dev libreadline-dev"
check="$build libcmocka-dev bats postfix sasl2-bin libsasl2-modules openssl python3 iproute2 procps valgrind"
case $what in
build) want=$build ;;
check|demo) want=$check ;;
bench) want="$check nmap swaks" ;;
*) echo "deps.sh: unknown set '$what' (use build, check, demo or bench)" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	# Not Debian: check what the build needs through pkg-config, and say
	# which Debian names to look for.
	if pkg-config --exists libcurl jansson 2>/dev/null; then
		exit 0
	fi
	echo "relayctl: this is not a Debian system; install the equivalents of:" >&2
	echo "  $want" >&2
	exit 1
fi

missing=
for p in $want; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case $st in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "relayctl: missing Debian packages:$missing" >&2
	echo "relayctl: run as root:  apt-get update && $cmd" >&2
	echo "relayctl: (postfix: answer 'No configuration'; the tests never start the system service)" >&2
	exit 1
fi

echo "relayctl: installing missing Debian packages:$missing" >&2

# Postfix: no system configuration, and no service start during install.
# A policy-rc.d that exits 101 tells invoke-rc.d and deb-systemd-invoke not
# to start anything; ours is removed again unless one was there before.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
own_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	own_policy=1
fi
cleanup() { [ -n "$own_policy" ] && rm -f /usr/sbin/policy-rc.d; return 0; }
trap cleanup EXIT INT TERM

export DEBIAN_FRONTEND=noninteractive
# An old or empty package list finds nothing: update once per run.
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2

# Debian's postinst may still have enabled the unit on a systemd machine.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	systemctl disable --now postfix.service >/dev/null 2>&1 || true
fi
exit 0
