#!/bin/sh
# deps.sh - find the Debian packages relayctl needs to build and test, and
# install the missing ones when run as root on Debian; otherwise print the
# exact command and fail.  Never starts the system Postfix.
#
# usage: mk/deps.sh [build|check|demo|bench|fuzz]   (default: check)
set -eu

what=${1:-check}

build="gcc make pkg-config libcurl4-openssl-dev libssl-dev libjansson-dev libreadline-dev"
check="$build libcmocka-dev bats postfix sasl2-bin libsasl2-modules openssl python3 iproute2 procps valgrind groff-base dnsmasq-base tmux zsh fish mandoc parallel strace time"
case $what in
build) want=$build ;;
check|demo) want=$check ;;
bench) want="$check nmap swaks" ;;
fuzz) want="$build clang" ;;
*) echo "deps.sh: unknown set '$what' (use build, check, demo, bench or fuzz)" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	# Not Debian: check what we can through pkg-config and PATH, and say
	# which Debian names to look for.
	ok=1
	pkg-config --exists libcurl jansson readline openssl 2>/dev/null || ok=
	if [ "$what" != build ]; then
		pkg-config --exists cmocka 2>/dev/null || ok=
		for c in bats postconf saslpasswd2 openssl python3; do
			command -v "$c" >/dev/null 2>&1 || ok=
		done
	fi
	[ -n "$ok" ] && exit 0
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
# A Postfix that is already installed (a real mail server) is left alone.
case " $missing " in
*" postfix "*) new_postfix=1 ;;
*) new_postfix= ;;
esac
[ -n "$new_postfix" ] &&
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
policy=${RELAYCTL_POLICY_RC:-/usr/sbin/policy-rc.d}	# tests point it elsewhere
own_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	own_policy=1
fi
cleanup() { [ -n "$own_policy" ] && rm -f "$policy"; return 0; }
trap cleanup EXIT INT TERM

export DEBIAN_FRONTEND=noninteractive
# An old or empty package list finds nothing: update once per run.
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2

# Debian's postinst may still have enabled the unit on a systemd machine:
# only for a Postfix this run installed.
if [ -n "$new_postfix" ] && command -v systemctl >/dev/null 2>&1 &&
	[ -d "${RELAYCTL_SYSTEMD_DIR:-/run/systemd/system}" ]; then
	systemctl disable --now postfix.service >/dev/null 2>&1 || true
fi
exit 0
