#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Counters move as packets do (sysfs, namespace and per tap, stream and
# output), sysfs mirrors the global figures lictl reads over netlink, and
# malformed packets (truncated UDP headers, bad UDP lengths, fragments,
# non-UDP, non-RTP payloads to a tapped port) pass the gateway untouched,
# are never copied, and are counted.
# listenin: timeout=400

. "$(dirname "$0")/lib.sh"

N=50
M=30
RATE=100
K=5

require_root
require_tools
require_module
ktap_plan 5
topo_setup_or_bail

counters_move() {
	local id out k
	local -A s0 n0
	for k in packets_inspected packets_matched copies_sent copy_failures; do
		s0[$k]=$(sys_stat $k)
		n0[$k]=$(ns_stat $k)
	done
	id=$(tap_add stream "$agent4:5000" output "$sup14:6000" src "$gws4:7000" \
		output "$sup24:6100" src "$gws4:7100")
	expect_eq "taps gauge" "$(ns_stat taps)" 1
	expect_eq "streams gauge" "$(ns_stat streams)" 1
	expect_eq "outputs gauge" "$(ns_stat outputs)" 2

	recv_start agent "$ns_agent" --expect $N "$agent4:5000"
	recv_start other "$ns_agent" --expect $M "$agent4:5001"
	recv_start sup1 "$ns_sup1" --expect $N "$sup14:6000"
	recv_start sup2 "$ns_sup2" --expect $N "$sup24:6100"
	send "$ns_caller" -c $N -r $RATE "$caller4:4000" "$agent4:5000"
	send "$ns_caller" -c $M -r $RATE "$caller4:4000" "$agent4:5001"
	recv_check agent other sup1 sup2

	for k in packets_matched copies_sent copy_failures packets_inspected; do
		diag "$k: sysfs +$(($(sys_stat $k) - s0[$k])), namespace +$(($(ns_stat $k) - n0[$k]))"
	done
	expect_eq "sysfs packets_matched" $(($(sys_stat packets_matched) - s0[packets_matched])) $N
	expect_eq "namespace packets_matched" $(($(ns_stat packets_matched) - n0[packets_matched])) $N
	expect_eq "sysfs copies_sent" $(($(sys_stat copies_sent) - s0[copies_sent])) $((2 * N))
	expect_eq "namespace copies_sent" $(($(ns_stat copies_sent) - n0[copies_sent])) $((2 * N))
	expect_eq "sysfs copy_failures" $(($(sys_stat copy_failures) - s0[copy_failures])) 0
	expect_ge "sysfs packets_inspected" $(($(sys_stat packets_inspected) - s0[packets_inspected])) $((N + M))
	expect_ge "namespace packets_inspected" $(($(ns_stat packets_inspected) - n0[packets_inspected])) $((N + M))

	# IPv4 packets of 20 + 8 + 12 + 160 bytes.
	out=$(tap_json "$id")
	expect_eq "tap packets" "$(jq -r .counters.packets <<<"$out")" $N
	expect_eq "tap bytes" "$(jq -r .counters.bytes <<<"$out")" $((N * 200))
	expect_eq "tap copies" "$(jq -r .counters.copies <<<"$out")" $((2 * N))
	expect_eq "tap copy bytes" "$(jq -r .counters.copy_bytes <<<"$out")" $((2 * N * 200))
	expect_eq "stream packets" "$(jq -r '.streams[0].counters.packets' <<<"$out")" $N
	expect_eq "first output copies" "$(jq -r '.streams[0].outputs[0].counters.copies' <<<"$out")" $N
	expect_eq "second output copies" "$(jq -r '.streams[0].outputs[1].counters.copies' <<<"$out")" $N
	expect_ge "idle msecs" "$(jq -r .idle_msecs <<<"$out")" 0

	tap_del "$id"
	expect_eq "taps gauge after delete" "$(ns_stat taps)" 0
	expect_eq "outputs gauge after delete" "$(ns_stat outputs)" 0
}

sysfs_mirrors_global() {
	local json f name sys net bad=0
	[ -d "$SYSFS" ] || fail "$SYSFS is missing"
	# Quiet moment: nothing flows, so both reads see the same figures.
	json=$(n_gw "$LICTL" -j stats)
	for name in $(jq -r '.global | keys[]' <<<"$json"); do
		f=$SYSFS/$name
		[ -r "$f" ] || { diag "no $f for the global figure $name"; bad=1; continue; }
		sys=$(cat "$f")
		net=$(jq -r ".global.$name" <<<"$json")
		[ "$sys" = "$net" ] || { diag "$name: sysfs $sys, netlink $net"; bad=1; }
	done
	for f in "$SYSFS"/*; do
		case $(stat -c %A "$f") in
		*w*) diag "$f is writable: $(stat -c %A "$f")"; bad=1 ;;
		esac
	done
	[ $bad -eq 0 ]
}

# rawkinds FAMILY-SUFFIX KIND...: sends K packets of each kind caller -> agent.
rawkinds() {
	local v=$1 caller agent k
	shift
	eval "caller=\$caller$v agent=\$agent$v"
	for k in "$@"; do
		n_caller "$RAWSEND" -c $K -r $RATE "$k" "$(ep $caller 4000)" "$(ep $agent 5000)" >/dev/null ||
			fail "rawsend $k failed"
	done
}

malformed() {
	local id4 id6 m0 f0 u0 c0 e4 e6 p4 p6
	id4=$(tap_add stream "$agent4:5000" output "$sup14:6000" src "$gws4:7000")
	id6=$(tap_add stream "$(ep $agent6 5000)" output "$(ep $sup16 6000)" src "$(ep $gws6 7000)")
	recv_start sup1 "$ns_sup1" --expect-none "$sup14:6000"
	recv_start sup1v6 "$ns_sup1" --expect-none "$(ep $sup16 6000)"
	m0=$(sys_stat malformed)
	f0=$(sys_stat fragments)
	u0=$(sys_stat not_udp)
	c0=$(sys_stat copies_sent)
	e4=$(nstat_get "$ns_agent" UdpInErrors)
	e6=$(nstat_get "$ns_agent" Udp6InErrors)
	p4=$(nstat_get "$ns_agent" IpInUnknownProtos)
	p6=$(nstat_get "$ns_agent" Ip6InUnknownProtos)

	diag "truncated UDP headers and bad UDP lengths"
	rawkinds 4 udp-trunc udp-len-long udp-len-short
	rawkinds 6 udp-trunc udp-len-long udp-len-short
	diag "non-UDP"
	rawkinds 4 not-udp
	rawkinds 6 not-udp
	diag "fragmented RTP, reassembled by the agent"
	recv_start agent "$ns_agent" --expect $K "$agent4:5000"
	recv_start agentv6 "$ns_agent" --expect $K "$(ep $agent6 5000)"
	rawkinds 4 frag
	rawkinds 6 frag
	recv_check agent agentv6
	diag "lone first and non-first fragments"
	rawkinds 4 frag-first frag-second
	rawkinds 6 frag-first frag-second
	recv_check sup1 sup1v6

	diag "malformed +$(($(sys_stat malformed) - m0)) fragments +$(($(sys_stat fragments) - f0)) not_udp +$(($(sys_stat not_udp) - u0))"
	# The agent's own UDP saw and rejected each one: they crossed the gateway.
	expect_eq "agent's UdpInErrors" $(($(nstat_get "$ns_agent" UdpInErrors) - e4)) $((3 * K))
	expect_eq "agent's Udp6InErrors" $(($(nstat_get "$ns_agent" Udp6InErrors) - e6)) $((3 * K))
	expect_eq "agent's IpInUnknownProtos" $(($(nstat_get "$ns_agent" IpInUnknownProtos) - p4)) $K
	expect_eq "agent's Ip6InUnknownProtos" $(($(nstat_get "$ns_agent" Ip6InUnknownProtos) - p6)) $K
	expect_eq "malformed" $(($(sys_stat malformed) - m0)) $((6 * K))
	expect_ge "fragments" $(($(sys_stat fragments) - f0)) $((8 * K))
	expect_ge "not_udp" $(($(sys_stat not_udp) - u0)) $((2 * K))
	expect_eq "copies_sent" "$(sys_stat copies_sent)" "$c0"
	expect_eq "IPv4 tap packets" "$(tap_counter "$id4" packets)" 0
	expect_eq "IPv6 tap packets" "$(tap_counter "$id6" packets)" 0
}

not_rtp() {
	local n0 c0 b
	tap_add stream "$agent4:5000" output "$sup14:6000" src "$gws4:7000" >/dev/null
	recv_start sup1 "$ns_sup1" --expect-none "$sup14:6000"
	n0=$(sys_stat not_rtp)
	c0=$(sys_stat copies_sent)
	for b in v0 short text; do
		recv_start agent "$ns_agent" --bogus $b --expect $K --from "$caller4:4000" "$agent4:5000"
		send "$ns_caller" --bogus $b -l 40 -c $K -r $RATE "$caller4:4000" "$agent4:5000"
		recv_check agent
	done
	recv_check sup1
	expect_eq "not_rtp" $(($(sys_stat not_rtp) - n0)) $((3 * K))
	expect_eq "copies_sent" "$(sys_stat copies_sent)" "$c0"
}

# Counters must not move for traffic of a namespace without taps.
other_namespace() {
	local m0 n0
	tap_add stream "$agent4:5000" output "$sup14:6000" src "$gws4:7000" >/dev/null
	m0=$(ns_stat packets_matched)
	n0=$(n_agent "$LICTL" -j stats | jq -r .namespace.packets_matched)
	recv_start agent "$ns_agent" --expect $N "$agent4:5000"
	send "$ns_caller" -c $N -r $RATE "$caller4:4000" "$agent4:5000"
	recv_check agent
	expect_eq "gateway's packets_matched" $(($(ns_stat packets_matched) - m0)) $N
	expect_eq "agent's packets_matched" "$(n_agent "$LICTL" -j stats | jq -r .namespace.packets_matched)" "$n0"
	expect_eq "agent's taps" "$(n_agent "$LICTL" -j tap show | jq -r length)" 0
}

subtest "inspected, matched and copied packets counted per namespace, tap, stream and output" counters_move
subtest "sysfs mirrors the global figures, read-only" sysfs_mirrors_global
subtest "malformed packets and fragments pass untouched, uncopied, counted" malformed
subtest "non-RTP payloads to a tapped port pass untouched, uncopied, counted as not_rtp" not_rtp
subtest "figures are per namespace" other_namespace
ktap_finish
