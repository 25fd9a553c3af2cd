#!/bin/bash
# sandbox.sh - start and stop private Postfix instances for tests, demo and
# benchmarks.  Each instance lives in its own temporary directory (config,
# queue, data, SASL database, TLS key, log) and listens only on loopback
# (127.0.0.1 unless --addr says another 127.x address).
# It never reads or writes /etc/postfix and never touches a system instance;
# it stops exactly the processes it started, by PID.
#
#   sandbox.sh start [options]   print the instance directory; its settings
#                                are in DIR/sandbox.env (shell syntax)
#   sandbox.sh stop DIR          stop the instance and remove DIR
#   sandbox.sh stop-all FILE     stop every instance listed in FILE
#
# start options:
#   --tls              STARTTLS with a fresh self-signed certificate
#   --wrapper          also an implicit-TLS (smtps) listener; implies --tls
#   --mechs "M ..."    SASL mechanisms offered (default "CRAM-MD5 PLAIN LOGIN");
#                      --mechs "" or --no-auth turns AUTH off
#   --set NAME=VALUE   extra main.cf setting (repeatable, applied last)
#   --registry FILE    append DIR to FILE, for stop-all after a failed run
#   --keep             stop leaves DIR in place (for debugging)
#   --addr A           listen on the loopback address A (default 127.0.0.1)
#   --port P           listen on port P (default: a free one)
#
# Delivery is impossible by construction: main.cf routes every transport to
# error(8), and master.cf runs the error daemon under the names smtp, relay,
# local, virtual and lmtp, so even a main.cf rewritten by a test cannot
# deliver a message anywhere.
set -euo pipefail

die() { echo "sandbox.sh: $*" >&2; exit 1; }

DOMAIN=relayctl.test
ADDR=127.0.0.1
HOSTNAME_=mx.relayctl.test
SASL_USER=relaytest

# Debian's own python3: a pyenv shim on PATH costs most of a second a call.
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

daemon_dir=$(postconf -dh daemon_directory 2>/dev/null) || die "postconf not found: run 'make deps' as root"
[ -x "$daemon_dir/master" ] || die "no Postfix master in '$daemon_dir'"

# free_ports N [ADDR] - print N TCP ports on ADDR (127.0.0.1) that are free
# right now
free_ports() {
	"$PYTHON" - "$1" "${2:-127.0.0.1}" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind((sys.argv[2], 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# ours PORT PID - the listener on 127.0.0.1:PORT is master PID's, not a
# process that took the port between free_ports and the bind (another test
# run's sandbox, say)
ours() {
	ss -Hltnp "sport = :$1" 2>/dev/null | grep -q "pid=$2,"
}

# wait_banner PORT PID - wait until the instance answers 220 or dies
wait_banner() {
	local port=$1 pid=$2 i line
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 1
		if ours "$port" "$pid" &&
			line=$(timeout 2 bash -c "exec 5<>/dev/tcp/$ADDR/$port && IFS= read -r l <&5 && echo \"\$l\" && printf 'QUIT\r\n' >&5" 2>/dev/null) &&
			[[ $line == 220* ]]; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

cmd_start() {
	local tls=0 wrapper=0 mechs="CRAM-MD5 PLAIN LOGIN" registry="" keep=0
	local fixed_port=""
	local -a extra=()
	while [ $# -gt 0 ]; do
		case $1 in
		--tls) tls=1 ;;
		--wrapper) tls=1; wrapper=1 ;;
		--mechs) [ $# -ge 2 ] || die "--mechs needs a value"; mechs=$2; shift ;;
		--no-auth) mechs="" ;;
		--set) [ $# -ge 2 ] || die "--set needs NAME=VALUE"
			[[ $2 == [a-z_]*=* ]] || die "--set '$2': expected NAME=VALUE"
			extra+=("$2"); shift ;;
		--registry) [ $# -ge 2 ] || die "--registry needs a file"; registry=$2; shift ;;
		--keep) keep=1 ;;
		--addr) [ $# -ge 2 ] || die "--addr needs an address"
			[[ $2 == 127.* ]] || die "--addr '$2': a loopback address only"
			ADDR=$2; shift ;;
		--port) [ $# -ge 2 ] || die "--port needs a number"
			[[ $2 =~ ^[0-9]+$ ]] || die "--port '$2': not a number"
			fixed_port=$2; shift ;;
		*) die "unknown start option '$1'" ;;
		esac
		shift
	done
	for m in $mechs; do
		case $m in CRAM-MD5|PLAIN|LOGIN|DIGEST-MD5) ;; *) die "unsupported mechanism '$m'" ;; esac
	done

	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/relayctl-sandbox.XXXXXX")
	# Until the instance answers, any failure takes it all down again.
	# shellcheck disable=SC2064
	trap "cmd_stop '$dir' >/dev/null 2>&1 || rm -rf -- '$dir'" EXIT
	# Postfix daemons run as the postfix user once started: they must be
	# able to reach the SASL database and the log below this directory.
	chmod 755 "$dir"
	[ -n "$registry" ] && echo "$dir" >>"$registry"
	mkdir -p "$dir/etc" "$dir/spool" "$dir/data" "$dir/etc/sasl"
	chown postfix: "$dir/data"

	local ports port tls_port=""
	ports=$(free_ports 2 "$ADDR")
	port=${fixed_port:-${ports% *}}
	[ "$wrapper" = 1 ] && tls_port=${ports#* }

	local pass
	pass=$(openssl rand -hex 12)

	{
		echo "# private relayctl test instance; see tests/lib/sandbox.sh"
		echo "compatibility_level = 3.6"
		echo "queue_directory = $dir/spool"
		echo "data_directory = $dir/data"
		echo "maillog_file = $dir/maillog"
		echo "maillog_file_prefixes = $dir"
		echo "mail_owner = postfix"
		echo "setgid_group = postdrop"
		echo "inet_interfaces = 127.0.0.1"
		echo "inet_protocols = ipv4"
		echo "myhostname = $HOSTNAME_"
		echo "mydomain = $DOMAIN"
		echo "myorigin = \$mydomain"
		echo "mydestination = \$myhostname, \$mydomain"
		echo "mynetworks = 127.0.0.1/32"
		echo "relay_domains ="
		echo "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination"
		echo "alias_maps ="
		echo "alias_database ="
		echo "local_recipient_maps = inline:{postmaster=ok, $SASL_USER=ok}"
		echo "default_transport = error:5.7.1 relayctl test sandbox delivers nothing"
		echo "relay_transport = error:5.7.1 relayctl test sandbox delivers nothing"
		echo "biff = no"
		# No DNS: tests talk to loopback only, and a PTR query would
		# leave the machine (and stall an offline CI).
		echo "smtpd_peername_lookup = no"
		echo "smtpd_banner = \$myhostname ESMTP relayctl-sandbox"
		# Audits abort every transaction with RSET, so no message is
		# ever delivered and the flow-control tokens are not returned:
		# without this, each accepted RCPT waits in_flow_delay (1 s)
		# once the tokens run out.
		echo "in_flow_delay = 0"
		if [ -n "$mechs" ]; then
			echo "smtpd_sasl_auth_enable = yes"
			echo "smtpd_sasl_type = cyrus"
			echo "smtpd_sasl_path = smtpd"
			# Debian's Postfix reads $config_directory/sasl/smtpd.conf, upstream
			# reads cyrus_sasl_config_path: both name the same place.
			echo "cyrus_sasl_config_path = $dir/etc/sasl"
			echo "smtpd_sasl_local_domain = $DOMAIN"
			echo "smtpd_sasl_security_options = noanonymous"
		fi
		if [ "$tls" = 1 ]; then
			echo "smtpd_tls_security_level = may"
			echo "smtpd_tls_loglevel = 1"
			echo "smtpd_tls_chain_files = $dir/tls/key.pem, $dir/tls/cert.pem"
		fi
		local kv
		for kv in "${extra[@]}"; do
			echo "${kv%%=*} = ${kv#*=}"
		done
	} >"$dir/etc/main.cf"

	{
		echo "# service type private unpriv chroot wakeup maxproc command"
		echo "$ADDR:$port inet n - n - - smtpd"
		[ "$wrapper" = 1 ] &&
			echo "$ADDR:$tls_port inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt"
		cat <<'EOF'
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
# Delivery agents: all of them are the error daemon in a sandbox.
smtp      unix - - n - - error
relay     unix - - n - - error
local     unix - n n - - error
virtual   unix - n n - - error
lmtp      unix - - n - - error
EOF
	} >"$dir/etc/master.cf"

	if [ -n "$mechs" ]; then
		{
			echo "pwcheck_method: auxprop"
			echo "auxprop_plugin: sasldb"
			echo "sasldb_path: $dir/etc/sasl/sasldb2"
			echo "mech_list: $mechs"
		} >"$dir/etc/sasl/smtpd.conf"
		printf '%s' "$pass" | saslpasswd2 -f "$dir/etc/sasl/sasldb2" -p -c -u "$DOMAIN" "$SASL_USER" ||
			die "saslpasswd2 failed"
		chown postfix: "$dir/etc/sasl/sasldb2"
		chmod 640 "$dir/etc/sasl/sasldb2"
	fi

	if [ "$tls" = 1 ]; then
		mkdir -p "$dir/tls"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$dir/tls/key.pem" -out "$dir/tls/cert.pem" -days 2 \
			-subj "/CN=$HOSTNAME_" -addext "subjectAltName=DNS:$HOSTNAME_" 2>/dev/null ||
			die "openssl could not make a certificate"
		chmod 600 "$dir/tls/key.pem"
	fi

	# Queue directories, as "postfix check" would create them, without
	# running the system-wide post-install.
	(cd "$dir/spool" &&
		mkdir active bounce corrupt defer deferred flush hold incoming private saved trace &&
		chown postfix: active bounce corrupt defer deferred flush hold incoming private saved trace &&
		chmod 700 active bounce corrupt defer deferred flush hold incoming private saved trace)
	mkdir -p "$dir/spool/pid" "$dir/spool/public" "$dir/spool/maildrop"
	chown postfix:postdrop "$dir/spool/public" "$dir/spool/maildrop"
	chmod 710 "$dir/spool/public"; chmod 730 "$dir/spool/maildrop"

	# Postfix waits up to 2 s for a main.cf changed in the last second to
	# settle (dict_load_file); files made a minute ago start at once.
	touch -d '-1 min' "$dir/etc/main.cf" "$dir/etc/master.cf"
	postconf -c "$dir/etc" -n >/dev/null 2>"$dir/postconf.err" ||
		die "the generated main.cf does not parse: $(cat "$dir/postconf.err")"

	# master -d stays in the foreground, so $! is its PID; setsid gives it a
	# session of its own, which holds every process it starts.  fd 3 is
	# closed for bats, which waits for it.
	MAIL_CONFIG="$dir/etc" setsid "$daemon_dir/master" -c "$dir/etc" -d \
		</dev/null >>"$dir/master.out" 2>&1 3>&- &
	local pid=$!
	{
		echo "SANDBOX_DIR=$dir"
		echo "SANDBOX_CONFIG_DIR=$dir/etc"
		echo "SANDBOX_PID=$pid"
		echo "SANDBOX_PORT=$port"
		echo "SANDBOX_ADDR=$ADDR"
		echo "SANDBOX_TLS_PORT=$tls_port"
		echo "SANDBOX_DOMAIN=$DOMAIN"
		echo "SANDBOX_HOSTNAME=$HOSTNAME_"
		echo "SANDBOX_USER=$SASL_USER"
		echo "SANDBOX_PASS=$pass"
		echo "SANDBOX_MECHS='$mechs'"
		echo "SANDBOX_KEEP=$keep"
	} >"$dir/sandbox.env"
	chmod 600 "$dir/sandbox.env"	# it holds the test password


	if ! wait_banner "$port" "$pid" || { [ -n "$tls_port" ] && ! wait_banner_tls "$tls_port" "$pid"; }; then
		echo "sandbox.sh: Postfix did not start on $ADDR:$port; its output:" >&2
		tail -n 20 "$dir/master.out" "$dir/maillog" >&2 2>/dev/null || true
		exit 1	# the EXIT trap stops it
	fi
	trap - EXIT
	echo "$dir"
}

# wait_banner_tls PORT PID - the wrapper-mode listener answers 220 over TLS
wait_banner_tls() {
	local port=$1 pid=$2 i
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 1
		ours "$port" "$pid" || { sleep 0.05; continue; }
		if echo QUIT | timeout 2 openssl s_client -quiet -connect "$ADDR:$port" 2>/dev/null | grep -q '^220'; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# alive PID - the process exists and is not a zombie
alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $st != Z* ]]
}

cmd_stop() {
	local dir=${1:-}
	[ -n "$dir" ] || die "stop needs the instance directory"
	if [ ! -f "$dir/sandbox.env" ]; then
		# A start that died before writing it left only files behind.
		if [ -f "$dir/etc/main.cf" ] && [[ $(basename "$dir") == relayctl-sandbox.* ]]; then
			rm -rf -- "$dir"
			return 0
		fi
		echo "sandbox.sh: '$dir' is not a sandbox directory" >&2
		return 1
	fi
	local SANDBOX_PID="" SANDBOX_KEEP=0
	# shellcheck disable=SC1091
	. <(grep -E '^SANDBOX_(PID|KEEP)=' "$dir/sandbox.env")
	local pid=$SANDBOX_PID i
	if [ -n "$pid" ] && alive "$pid"; then
		# Only our master: its command line names our config directory.
		if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-c $dir/etc"; then
			kill -TERM "$pid" 2>/dev/null || true
			for i in $(seq 1 100); do
				alive "$pid" || break
				sleep 0.05
			done
			alive "$pid" && kill -KILL "$pid" 2>/dev/null
			# Children left in its session (master normally takes
			# them along).  Zombies only wait for init to reap them.
			pkill -KILL -s "$pid" 2>/dev/null || true
			for i in $(seq 1 40); do
				ps -o stat= -s "$pid" 2>/dev/null | grep -qv '^Z' || break
				sleep 0.05
			done
		fi
	fi
	if [ "$SANDBOX_KEEP" = 1 ]; then
		echo "sandbox.sh: kept $dir" >&2
	else
		rm -rf -- "$dir"
	fi
}

cmd_stop_all() {
	local file=${1:-} d
	[ -n "$file" ] || die "stop-all needs the registry file"
	[ -f "$file" ] || return 0
	while IFS= read -r d; do
		if [ -n "$d" ] && [ -d "$d" ]; then
			cmd_stop "$d" || true
		fi
	done <"$file"
	return 0
}

case ${1:-} in
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
stop-all) shift; cmd_stop_all "$@" ;;
*) die "usage: sandbox.sh start [options] | stop DIR | stop-all FILE" ;;
esac
