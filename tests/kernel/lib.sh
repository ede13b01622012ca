# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by tests/kernel/test-*.sh: the network namespace topology, helpers
# to run commands in each namespace, background RTP receivers, lictl and
# counter helpers, and KTAP output. Source it from a bash test run as root
# with the repository as the current directory.
#
# The topology (every namespace name carries the test's pid):
#
#                          gw: listenin.ko hooks, taps, ip forwarding
#     caller          +-----------------------------------------+          agent
#  +---------+        |                                         |       +---------+
#  |     c0  |--------| gc 192.0.2.254        198.51.100.254 ga |-------| a0      |
#  +---------+        |    2001:db8:c::fe     2001:db8:a::fe    |       +---------+
#  192.0.2.1/24       |                                         |   198.51.100.1/24
#  2001:db8:c::1/64   |          gs 203.0.113.254/24             |   2001:db8:a::1/64
#                     +--------------|--------------------------+
#                                    |       2001:db8:5::fe/64
#                              lan: bridge br0
#                              /            \
#                       sup1 s0              sup2 s0
#                   203.0.113.1/24         203.0.113.2/24
#                   2001:db8:5::1/64       2001:db8:5::2/64
#
# Media between caller and agent is forwarded by gw (PRE_ROUTING); copies
# leave gw on gs towards the supervisors' LAN. Processes run in gw itself
# exercise LOCAL_OUT.

LICTL=${LICTL:-daemon/build/lictl}
LISTENIN_KO=${LISTENIN_KO:-kmod/listenin.ko}
TOOLS=${TOOLS:-tests/build/tools}
case $LICTL in /*) ;; *) LICTL=$PWD/$LICTL ;; esac
case $LISTENIN_KO in /*) ;; *) LISTENIN_KO=$PWD/$LISTENIN_KO ;; esac
case $TOOLS in /*) ;; *) TOOLS=$PWD/$TOOLS ;; esac
RTPSEND=$TOOLS/rtpsend
RTPRECV=$TOOLS/rtprecv
RAWSEND=$TOOLS/rawsend
SYSFS=/sys/kernel/listenin
if command -v ping >/dev/null; then PING=ping; else PING="busybox ping"; fi

TEST=$(basename "$0" .sh)
pfx=li$$
ns_caller=$pfx-caller
ns_gw=$pfx-gw
ns_agent=$pfx-agent
ns_lan=$pfx-lan
ns_sup1=$pfx-sup1
ns_sup2=$pfx-sup2
all_ns="$ns_caller $ns_gw $ns_agent $ns_lan $ns_sup1 $ns_sup2"

# Addresses, for tests to use by name.
caller4=192.0.2.1
caller6=2001:db8:c::1
gwc4=192.0.2.254
gwc6=2001:db8:c::fe
agent4=198.51.100.1
agent6=2001:db8:a::1
gwa4=198.51.100.254
gwa6=2001:db8:a::fe
gws4=203.0.113.254
gws6=2001:db8:5::fe
sup14=203.0.113.1
sup16=2001:db8:5::1
sup24=203.0.113.2
sup26=2001:db8:5::2

n_caller() { ip netns exec "$ns_caller" "$@"; }
n_gw() { ip netns exec "$ns_gw" "$@"; }
n_agent() { ip netns exec "$ns_agent" "$@"; }
n_lan() { ip netns exec "$ns_lan" "$@"; }
n_sup1() { ip netns exec "$ns_sup1" "$@"; }
n_sup2() { ip netns exec "$ns_sup2" "$@"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/listenin-$TEST.XXXXXX")
ktap_n=0
ktap_failed=0
ktap_planned=0

# --- KTAP ------------------------------------------------------------------

diag() { printf '# %s\n' "$*"; }

# Prints a file's lines as KTAP diagnostics.
diag_file() { [ -s "$1" ] && sed 's/^/# /' "$1"; return 0; }

ktap_plan() {
	ktap_planned=$1
	echo "TAP version 13"
	echo "1..$1"
}

ktap_result() {
	ktap_n=$((ktap_n + 1))
	if [ "$1" = ok ]; then
		echo "ok $ktap_n $2"
	else
		ktap_failed=$((ktap_failed + 1))
		echo "not ok $ktap_n $2"
	fi
}

ktap_skip() {
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n $1 # SKIP $2"
}

# subtest NAME FUNCTION [ARGS...]: runs FUNCTION in a subshell with errexit,
# so the first failing command or assertion fails the subtest; stops its
# background processes afterwards.
subtest() {
	local name=$1 rc
	shift
	diag "$name"
	(
		set -e
		"$@"
	)
	rc=$?
	bg_stop_all
	[ -e "/run/netns/$ns_gw" ] && [ -d /sys/module/listenin ] &&
		n_gw "$LICTL" tap flush >/dev/null 2>&1
	if [ $rc -eq 0 ]; then
		ktap_result ok "$name"
	else
		ktap_result fail "$name"
	fi
}

# Ends the test: exit 0 when every subtest passed and every namespace is gone.
ktap_finish() {
	cleanup
	trap - EXIT
	if [ "$ktap_planned" -ne "$ktap_n" ]; then
		diag "planned $ktap_planned subtests, ran $ktap_n"
		ktap_failed=$((ktap_failed + 1))
	fi
	if ! check_no_namespaces; then
		ktap_failed=$((ktap_failed + 1))
	fi
	rm -rf "$tmp"
	[ "$ktap_failed" -eq 0 ] && exit 0
	diag "$ktap_failed of $ktap_n subtests failed"
	exit 1
}

skip_all() {
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	cleanup
	rm -rf "$tmp"
	trap - EXIT
	exit 4
}

fail() {
	diag "FAIL: $*"
	return 1
}

expect_eq() {
	# expect_eq WHAT GOT WANT
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

expect_ge() {
	[ "$2" -ge "$3" ] 2>/dev/null || fail "$1: got '$2', want at least $3"
}

expect_le() {
	[ "$2" -le "$3" ] 2>/dev/null || fail "$1: got '$2', want at most $3"
}

# --- prerequisites ---------------------------------------------------------

require_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
}

require_tools() {
	local t
	for t in "$RTPSEND" "$RTPRECV" "$RAWSEND" "$LICTL"; do
		[ -x "$t" ] || skip_all "$t is missing: build with make -C daemon && make -C tests"
	done
	command -v jq >/dev/null || skip_all "jq is missing: run scripts/install-deps"
}

require_module() {
	[ -d /sys/module/listenin ] || skip_all "listenin.ko is not loaded"
	[ -d $SYSFS ] || skip_all "listenin.ko is loaded but $SYSFS is missing"
}

# Loads the module with the given parameters (for tests marked
# "# listenin: no-autoload"); unloads a copy loaded before, if any.
module_load() {
	if [ -d /sys/module/listenin ]; then
		rmmod listenin || return 1
	fi
	insmod "$LISTENIN_KO" "$@"
}

module_unload() {
	[ -d /sys/module/listenin ] || return 0
	rmmod listenin
}

# --- topology --------------------------------------------------------------

ns_sysctl() {
	local ns=$1
	shift
	ip netns exec "$ns" sysctl -q -w "$@" >/dev/null
}

topo_setup() {
	local ns
	for ns in $all_ns; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		ns_sysctl "$ns" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
		ns_sysctl "$ns" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done

	ip -n "$ns_caller" link add c0 type veth peer name gc netns "$ns_gw" || return 1
	ip -n "$ns_agent" link add a0 type veth peer name ga netns "$ns_gw" || return 1
	ip -n "$ns_gw" link add gs type veth peer name lgw netns "$ns_lan" || return 1
	ip -n "$ns_sup1" link add s0 type veth peer name l1 netns "$ns_lan" || return 1
	ip -n "$ns_sup2" link add s0 type veth peer name l2 netns "$ns_lan" || return 1
	ip -n "$ns_lan" link add br0 type bridge forward_delay 0 || return 1
	for ns in lgw l1 l2; do
		ip -n "$ns_lan" link set "$ns" master br0 up
	done
	ip -n "$ns_lan" link set br0 up

	addr_up "$ns_caller" c0 $caller4/24 $caller6/64
	addr_up "$ns_gw" gc $gwc4/24 $gwc6/64
	addr_up "$ns_agent" a0 $agent4/24 $agent6/64
	addr_up "$ns_gw" ga $gwa4/24 $gwa6/64
	addr_up "$ns_gw" gs $gws4/24 $gws6/64
	addr_up "$ns_sup1" s0 $sup14/24 $sup16/64
	addr_up "$ns_sup2" s0 $sup24/24 $sup26/64

	route_default "$ns_caller" $gwc4 $gwc6 || return 1
	route_default "$ns_agent" $gwa4 $gwa6 || return 1
	route_default "$ns_sup1" $gws4 $gws6 || return 1
	route_default "$ns_sup2" $gws4 $gws6 || return 1
	ns_sysctl "$ns_gw" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

	topo_check
}

# Sets the topology up or bails out of the whole test.
topo_setup_or_bail() {
	topo_setup && return 0
	echo "Bail out! cannot build the network namespace topology"
	cleanup
	rm -rf "$tmp"
	trap - EXIT
	exit 1
}

route_default() {
	ip -n "$1" route add default via "$2" && ip -n "$1" -6 route add default via "$3"
}

addr_up() {
	local ns=$1 dev=$2
	ip -n "$ns" addr add "$3" dev "$dev"
	ip -n "$ns" addr add "$4" dev "$dev" nodad
	ip -n "$ns" link set "$dev" up
}

# Resolves neighbours and proves every path works before a test relies on it.
topo_check() {
	local a
	for a in $agent4 $agent6 $sup14 $sup16 $sup24 $sup26; do
		n_caller $PING -q -c 1 -W 5 "$a" >/dev/null ||
			{ diag "topology: caller cannot reach $a"; return 1; }
	done
	for a in $caller4 $caller6 $sup14 $sup16; do
		n_agent $PING -q -c 1 -W 5 "$a" >/dev/null ||
			{ diag "topology: agent cannot reach $a"; return 1; }
	done
}

check_no_namespaces() {
	local left
	left=$(ip netns list | awk -v p="$pfx-" 'index($1, p) == 1 { print $1 }')
	[ -z "$left" ] && return 0
	diag "namespaces left behind: $(echo $left)"
	return 1
}

cleanup() {
	local ns
	bg_stop_all
	for ns in $all_ns; do
		[ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null
	done
	return 0
}

trap 'cleanup; rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- background processes --------------------------------------------------

# bg NAME NAMESPACE COMMAND...: runs COMMAND in NAMESPACE in the background
# with its output in $tmp/NAME.out and $tmp/NAME.err; $tmp/NAME.pid is the
# command's own pid (ip netns exec execs it), so a signal reaches it.
bg() {
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	echo $! >"$tmp/$name.pid"
}

# bg_wait NAME: waits for NAME and returns its exit status.
bg_wait() {
	local pid rc=0
	pid=$(cat "$tmp/$1.pid") || return 1
	wait "$pid" || rc=$?
	rm -f "$tmp/$1.pid"
	return $rc
}

bg_stop() {
	local pid
	[ -e "$tmp/$1.pid" ] || return 0
	pid=$(cat "$tmp/$1.pid")
	kill -TERM "$pid" 2>/dev/null
	bg_wait "$1"
}

bg_stop_all() {
	local f
	for f in "$tmp"/*.pid; do
		[ -e "$f" ] || continue
		kill -TERM "$(cat "$f")" 2>/dev/null
		wait "$(cat "$f")" 2>/dev/null
		rm -f "$f"
	done
	return 0
}

# --- RTP -------------------------------------------------------------------

# recv_start NAME NAMESPACE RTPRECV-ARGS...: starts rtprecv in NAMESPACE and
# returns once it is bound. It runs until recv_check stops it.
recv_start() {
	local name=$1 ns=$2
	shift 2
	rm -f "$tmp/$name.ready"
	bg "$name" "$ns" "$RTPRECV" -d 120 --ready "$tmp/$name.ready" -v "$@"
	for _ in $(seq 100); do
		[ -e "$tmp/$name.ready" ] && return 0
		kill -0 "$(cat "$tmp/$name.pid")" 2>/dev/null || break
		sleep 0.1
	done
	diag "rtprecv $name did not start"
	diag_file "$tmp/$name.err"
	return 1
}

# recv_check NAME...: stops the receivers (after a moment for packets in
# flight) and fails unless each met its expectations; prints their summaries.
recv_check() {
	local name rc=0
	sleep 0.5
	for name in "$@"; do
		if bg_stop "$name"; then
			diag "$name: $(tail -n 1 "$tmp/$name.out")"
		else
			diag "$name: rtprecv's expectations not met:"
			diag_file "$tmp/$name.out"
			diag_file "$tmp/$name.err"
			rc=1
		fi
	done
	return $rc
}

# recv_field NAME KEY: a value of the receiver's summary line.
recv_field() {
	tail -n 1 "$tmp/$1.out" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# send NAMESPACE RTPSEND-ARGS...: sends in the foreground; fails on errors.
send() {
	local ns=$1 out
	shift
	out=$(ip netns exec "$ns" "$RTPSEND" "$@" 2>&1) || { diag "rtpsend $*: $out"; return 1; }
	return 0
}

# send_bg NAME NAMESPACE RTPSEND-ARGS...: sends in the background.
send_bg() {
	local name=$1 ns=$2
	shift 2
	bg "$name" "$ns" "$RTPSEND" "$@"
}

# ep ADDR PORT: ADDR:PORT or [ADDR]:PORT.
ep() {
	case $1 in *:*) echo "[$1]:$2" ;; *) echo "$1:$2" ;; esac
}

# --- lictl and counters ----------------------------------------------------

lictl_gw() { n_gw "$LICTL" "$@"; }

# tap_add LICTL-TAP-ADD-ARGS...: creates a tap in gw and prints its id. Taps
# get an hour of idle timeout unless told otherwise: emulation is slow.
tap_add() {
	local out idle="--idle-timeout 3600"
	case " $* " in *" --idle-timeout "*|*" --idle-timeout="*) idle= ;; esac
	out=$(n_gw "$LICTL" -j tap add $idle "$@" 2>&1) || { diag "lictl tap add $*: $out"; return 1; }
	printf '%s\n' "$out" | jq -er '.id' 2>/dev/null || { diag "lictl tap add printed no id: $out"; return 1; }
}

tap_del() {
	local out
	out=$(n_gw "$LICTL" tap del "$1" 2>&1) || { diag "lictl tap del $1: $out"; return 1; }
}

# tap_json ID: lictl's JSON for tap ID (an object).
tap_json() {
	n_gw "$LICTL" -j tap show "$1"
}

# tap_counter ID NAME: counter NAME (packets, copies, ...) of tap ID.
tap_counter() {
	tap_json "$1" | jq -er ".counters.$2"
}

# tap_count: number of taps in gw.
tap_count() {
	n_gw "$LICTL" -j tap show | jq -er 'if type == "array" then length else .taps | length end'
}

# ns_stat NAME: namespace figure NAME (lower case, e.g. copies_sent) of gw.
ns_stat() {
	n_gw "$LICTL" -j stats | jq -er ".namespace.$1"
}

# sys_stat NAME: global figure from sysfs.
sys_stat() {
	cat "$SYSFS/$1"
}

# nstat_get NAMESPACE COUNTER: an absolute SNMP counter in a namespace.
nstat_get() {
	ip netns exec "$1" nstat -asz "$2" | awk -v c="$2" '$1 == c { print $2; f = 1 } END { if (!f) print 0 }'
}

# --- kernel log ------------------------------------------------------------

kmsg_mark() {
	echo "listenin-test: $TEST: $1" >/dev/kmsg 2>/dev/null || true
}

# kmsg_clean MARK: no warning, BUG or oops logged since kmsg_mark MARK.
kmsg_clean() {
	local bad
	bad=$(dmesg 2>/dev/null | awk -v m="listenin-test: $TEST: $1" 'index($0, m) { seen = 1; next } seen' |
		grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace:|KASAN|UBSAN|refcount_t|list_(add|del) corruption' || true)
	[ -z "$bad" ] && return 0
	diag "kernel log since '$1':"
	printf '%s\n' "$bad" | sed 's/^/# /'
	return 1
}
