#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A listen-only supervisor can never become audible: packets from an
# output's destination address:port back to its source address:port are
# dropped in the gateway and counted, while the call's media keeps flowing
# and copies keep coming. Talk-back from elsewhere, to an output that is not
# listen-only, or after the tap is gone passes.
# listenin: timeout=600

. "$(dirname "$0")/lib.sh"

N=50
C=300
RATE=100
S1=0x11110001
ST=0x7a7a0001

require_root
require_tools
require_module
ktap_plan 5
topo_setup_or_bail

# talkback FAMILY-SUFFIX: sup1 talks back to the gateway's own address (local
# delivery), sup2 to the caller's address (forwarding); both dropped.
talkback() {
	local v=$1 caller agent sup1 sup2 gws id sys0 ns0 out
	eval "caller=\$caller$v agent=\$agent$v sup1=\$sup1$v sup2=\$sup2$v gws=\$gws$v"

	id=$(tap_add --cookie 201 stream "$(ep $agent 5000)" from "$(ep $caller 4000)" \
		output "$(ep $sup1 6000)" src "$(ep $gws 7000)" listen-only \
		output "$(ep $sup2 6100)" src "$(ep $caller 4010)" listen-only)
	sys0=$(sys_stat talkback_dropped)
	ns0=$(ns_stat talkback_dropped)

	# What reaches the gateway's 7000 must come from sup1's port 6001 only,
	# and nothing may reach the caller's 4010. The supervisors talk back from
	# the ports they receive copies on, as phones with symmetric RTP do,
	# while the call goes on.
	recv_start gw "$ns_gw" --expect $N --ssrc $ST --from "$(ep $sup1 6001)" "$(ep $gws 7000)"
	recv_start caller "$ns_caller" --expect-none "$(ep $caller 4010)"
	recv_start agent "$ns_agent" --expect $C --ssrc $S1 --from "$(ep $caller 4000)" "$(ep $agent 5000)"
	recv_start sup1 "$ns_sup1" --expect $C --ssrc $S1 --from "$(ep $gws 7000)" \
		--talk "$(ep $gws 7000)" --talk-count $N --talk-rate $RATE --talk-delay 1 --talk-ssrc $ST \
		"$(ep $sup1 6000)"
	recv_start sup2 "$ns_sup2" --expect $C --ssrc $S1 --from "$(ep $caller 4010)" \
		--talk "$(ep $caller 4010)" --talk-count $N --talk-rate $RATE --talk-delay 1 --talk-ssrc $ST \
		"$(ep $sup2 6100)"

	send_bg call "$ns_caller" -c $C -r $RATE -s $S1 "$(ep $caller 4000)" "$(ep $agent 5000)"
	# The same supervisor from another port is not talk-back.
	send "$ns_sup1" -c $N -r $RATE -s $ST "$(ep $sup1 6001)" "$(ep $gws 7000)"
	bg_wait call || { diag_file "$tmp/call.err"; fail "the caller's rtpsend failed"; }
	recv_check gw caller agent sup1 sup2
	expect_eq "sup1's talk-back sent" "$(recv_field sup1 talk_sent)" $N
	expect_eq "sup2's talk-back sent" "$(recv_field sup2 talk_sent)" $N

	expect_eq "talkback_dropped in sysfs" $(($(sys_stat talkback_dropped) - sys0)) $((2 * N))
	expect_eq "talkback_dropped of the namespace" $(($(ns_stat talkback_dropped) - ns0)) $((2 * N))
	out=$(tap_json "$id")
	expect_eq "tap talkback_dropped" "$(jq -r '.counters.talkback_dropped' <<<"$out")" $((2 * N))
	expect_eq "first output's talkback_dropped" \
		"$(jq -r '.streams[0].outputs[0].counters.talkback_dropped' <<<"$out")" $N
	expect_eq "second output's talkback_dropped" \
		"$(jq -r '.streams[0].outputs[1].counters.talkback_dropped' <<<"$out")" $N
	expect_eq "tap copies" "$(jq -r '.counters.copies' <<<"$out")" $((2 * C))
}

shared_source() {
	# Two sessions on one call whose copies both come from the gateway's
	# 7000: each supervisor's talk-back must be dropped.
	local id1 id2
	id1=$(tap_add stream "$agent4:5000" output "$sup14:6000" src "$gws4:7000" listen-only)
	id2=$(tap_add stream "$agent4:5000" output "$sup24:6100" src "$gws4:7000" listen-only)
	recv_start gw "$ns_gw" --expect-none "$gws4:7000"
	send "$ns_sup1" -c $N -r $RATE -s $ST "$sup14:6000" "$gws4:7000"
	send "$ns_sup2" -c $N -r $RATE -s $ST "$sup24:6100" "$gws4:7000"
	if ! recv_check gw; then
		diag "first tap: $(tap_json "$id1" | jq -c .counters)"
		diag "second tap: $(tap_json "$id2" | jq -c .counters)"
		fail "talk-back got through"
	fi
	expect_eq "first tap's talkback_dropped" "$(tap_counter "$id1" talkback_dropped)" $N
	expect_eq "second tap's talkback_dropped" "$(tap_counter "$id2" talkback_dropped)" $N
}

not_listen_only() {
	local sys0
	tap_add stream "$agent4:5000" output "$sup14:6000" src "$gws4:7000" >/dev/null
	sys0=$(sys_stat talkback_dropped)
	recv_start gw "$ns_gw" --expect $N --from "$sup14:6000" "$gws4:7000"
	send "$ns_sup1" -c $N -r $RATE -s $ST "$sup14:6000" "$gws4:7000"
	recv_check gw
	expect_eq "talkback_dropped" "$(sys_stat talkback_dropped)" "$sys0"
}

after_delete() {
	local id
	id=$(tap_add stream "$agent4:5000" output "$sup14:6000" src "$gws4:7000" listen-only)
	recv_start gw "$ns_gw" --expect-none "$gws4:7000"
	send "$ns_sup1" -c $N -r $RATE -s $ST "$sup14:6000" "$gws4:7000"
	recv_check gw
	tap_del "$id"
	recv_start gw "$ns_gw" --expect $N --from "$sup14:6000" "$gws4:7000"
	send "$ns_sup1" -c $N -r $RATE -s $ST "$sup14:6000" "$gws4:7000"
	recv_check gw
}

subtest "IPv4 talk-back from listen-only outputs dropped and counted, media flows" talkback 4
subtest "IPv6 talk-back from listen-only outputs dropped and counted, media flows" talkback 6
subtest "listen-only supervisors of two taps sharing a copy source are both muted" shared_source
subtest "an output that is not listen-only lets talk-back through" not_listen_only
subtest "talk-back passes again once the tap is deleted" after_delete
ktap_finish
