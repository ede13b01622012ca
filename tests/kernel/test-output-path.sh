#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# How copies leave the gateway. By default they go from the route straight
# to the neighbour layer and the netfilter output hooks never see them;
# with output_hooks=Y they are sent through LOCAL_OUT and POST_ROUTING.
# Either way they arrive byte-identical, the gateway resolves a supervisor's
# neighbour entry itself, and a copy larger than its route's MTU is
# fragmented rather than lost. Source-based policy routing applies to them.
# listenin: timeout=600

. "$(dirname "$0")/lib.sh"

N=40
RATE=100
S1=0x11110001
PARAM=/sys/module/listenin/parameters/output_hooks

require_root
require_tools
require_module
command -v nft >/dev/null || skip_all "nft not installed"
ktap_plan 5
topo_setup_or_bail

# Counts the copies (UDP to port 6000) that cross the gateway's output hooks.
n_gw nft -f - <<'EOF' || { echo "Bail out! cannot load the nft counters"; exit 1; }
table inet li_out {
	counter out4 { }
	counter out6 { }
	counter post4 { }
	counter post6 { }
	chain output {
		type filter hook output priority 0;
		meta nfproto ipv4 udp dport 6000 counter name out4
		meta nfproto ipv6 udp dport 6000 counter name out6
	}
	chain postrouting {
		type filter hook postrouting priority 0;
		meta nfproto ipv4 udp dport 6000 counter name post4
		meta nfproto ipv6 udp dport 6000 counter name post6
	}
}
EOF

hook_count() {
	n_gw nft -j list counter inet li_out "$1" | jq -er '.nftables[] | select(.counter) | .counter.packets'
}

reset_counters() {
	n_gw nft reset counters table inet li_out >/dev/null
}

# copy_through FAMILY-SUFFIX [RTPSEND-ARGS...]: N packets caller -> agent,
# one output to sup1; every copy must arrive, none may fail. With
# COPIES=fail, the copies have no route: the originals still all arrive and
# every copy fails.
copy_through() {
	local v=$1 caller agent sup gws id copies=$N failures=0 receivers="agent sup1"
	shift
	eval "caller=\$caller$v agent=\$agent$v sup=\$sup1$v gws=\$gws$v"
	[ "${COPIES:-}" != fail ] || copies=0 failures=$N receivers=agent
	id=$(tap_add stream "$(ep $agent 5000)" output "$(ep $sup 6000)" src "$(ep $gws 7000)") || return 1
	recv_start agent "$ns_agent" --expect $N --ssrc $S1 "$(ep $agent 5000)"
	[ "$receivers" = agent ] ||
		recv_start sup1 "$ns_sup1" --expect $N --ssrc $S1 --from "$(ep $gws 7000)" "$(ep $sup 6000)"
	send "$ns_caller" -c $N -r $RATE -s $S1 "$@" "$(ep $caller 4000)" "$(ep $agent 5000)"
	# shellcheck disable=SC2086
	recv_check $receivers
	expect_eq "IPv$v tap copies" "$(tap_counter "$id" copies)" $copies
	expect_eq "IPv$v tap copy failures" "$(tap_counter "$id" copy_failures)" $failures
	tap_del "$id"
}

# copies_seen_by_hooks HOOKS EXPECTED: with output_hooks=HOOKS and no
# neighbour entry for the supervisors (the first copies resolve it), IPv4
# and IPv6 copies arrive and each output hook counts EXPECTED of each.
copies_seen_by_hooks() {
	local c
	echo "$1" >$PARAM
	n_gw ip neigh flush dev gs
	n_gw ip -6 neigh flush dev gs
	reset_counters
	copy_through 4
	copy_through 6
	echo N >$PARAM
	for c in out4 post4 out6 post6; do
		expect_eq "copies seen by counter $c" "$(hook_count $c)" "$2"
	done
}

direct() {
	expect_eq "output_hooks default" "$(cat $PARAM)" N
	copies_seen_by_hooks N 0
}

# The originals fit the 1500-byte links (IPv4 ones carry DF from the
# caller's path MTU discovery); the route to sup1 is narrower.
fragmented() {
	local hooks=$1
	echo "$hooks" >$PARAM
	n_gw ip route add $sup14/32 dev gs mtu lock 576
	n_gw ip -6 route add $sup16/128 dev gs mtu 1280
	copy_through 4 --len 1000
	copy_through 6 --len 1300
	n_gw ip route del $sup14/32
	n_gw ip -6 route del $sup16/128
	echo N >$PARAM
}

# A rule for the copies' source sends them to a table where the supervisor
# is unreachable: the route lookup must include the source. Without the
# rule (the cached route is refreshed when rules change) they arrive again.
source_routing() {
	n_gw ip rule add from $gws4 lookup 100 pref 100
	n_gw ip -6 rule add from $gws6 lookup 100 pref 100
	n_gw ip route add unreachable $sup14/32 table 100
	n_gw ip -6 route add unreachable $sup16/128 table 100
	COPIES=fail copy_through 4
	COPIES=fail copy_through 6
	n_gw ip rule del pref 100
	n_gw ip -6 rule del pref 100
	copy_through 4
	copy_through 6
	n_gw ip route flush table 100
	n_gw ip -6 route flush table 100
}

subtest "copies bypass the output hooks and resolve neighbours" direct
subtest "output_hooks=Y sends copies through OUTPUT and POSTROUTING" copies_seen_by_hooks Y $N
subtest "a copy larger than its route's MTU is fragmented" fragmented N
subtest "the same with output_hooks=Y" fragmented Y
subtest "copies are routed by their source too (ip rule from)" source_routing
ktap_finish
