#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Copies reach supervisors byte-identical and rewritten to the output's
# addresses, for IPv4 and IPv6, both directions of a call, several outputs,
# media forwarded by the gateway (PRE_ROUTING) and sent by it (LOCAL_OUT);
# traffic a tap does not match is neither copied nor altered, and copies are
# never matched again.
# listenin: timeout=600

. "$(dirname "$0")/lib.sh"

N=50
RATE=100
S1=0x11110001
S2=0x22220002

require_root
require_tools
require_module
ktap_plan 9
topo_setup_or_bail

# copy_one FAMILY-SUFFIX: caller -> agent through gw, one output to sup1.
copy_one() {
	local v=$1 caller agent sup gws id
	eval "caller=\$caller$v agent=\$agent$v sup=\$sup1$v gws=\$gws$v"

	id=$(tap_add --cookie 101 stream "$(ep $agent 5000)" from "$(ep $caller 4000)" \
		output "$(ep $sup 6000)" src "$(ep $gws 7000)")
	recv_start agent "$ns_agent" --expect $N --ssrc $S1 --from "$(ep $caller 4000)" "$(ep $agent 5000)"
	recv_start sup1 "$ns_sup1" --expect $N --ssrc $S1 --from "$(ep $gws 7000)" "$(ep $sup 6000)"
	send "$ns_caller" -c $N -r $RATE -s $S1 "$(ep $caller 4000)" "$(ep $agent 5000)"
	recv_check agent sup1
	expect_eq "copies' source" "$(recv_field sup1 from)" "$(ep $gws 7000)"
	expect_eq "originals' source" "$(recv_field agent from)" "$(ep $caller 4000)"
	expect_eq "tap packets" "$(tap_counter "$id" packets)" $N
	expect_eq "tap copies" "$(tap_counter "$id" copies)" $N
	expect_eq "tap copy failures" "$(tap_counter "$id" copy_failures)" 0
}

both_directions() {
	recv_start agent "$ns_agent" --expect $N --ssrc $S1 --from "$caller4:4000" "$agent4:5000"
	recv_start caller "$ns_caller" --expect $N --ssrc $S2 --from "$agent4:5002" "$caller4:4002"
	recv_start sup1a "$ns_sup1" --expect $N --ssrc $S1 --from "$gws4:7000" "$sup14:6000"
	recv_start sup1b "$ns_sup1" --expect $N --ssrc $S2 --from "$gws4:7002" "$sup14:6002"
	tap_add --cookie 102 \
		stream "$agent4:5000" from "$caller4:4000" output "$sup14:6000" src "$gws4:7000" \
		stream "$caller4:4002" from "$agent4:5002" output "$sup14:6002" src "$gws4:7002" >/dev/null
	send_bg agent_send "$ns_agent" -c $N -r $RATE -s $S2 "$agent4:5002" "$caller4:4002"
	send "$ns_caller" -c $N -r $RATE -s $S1 "$caller4:4000" "$agent4:5000"
	bg_wait agent_send || { diag_file "$tmp/agent_send.err"; fail "agent's rtpsend failed"; }
	recv_check agent caller sup1a sup1b
}

two_supervisors() {
	local v id
	for v in 4 6; do
		local caller agent sup1 sup2 gws
		eval "caller=\$caller$v agent=\$agent$v sup1=\$sup1$v sup2=\$sup2$v gws=\$gws$v"
		id=$(tap_add --cookie 103 stream "$(ep $agent 5000)" \
			output "$(ep $sup1 6000)" src "$(ep $gws 7000)" \
			output "$(ep $sup2 6100)" src "$(ep $gws 7100)")
		recv_start agent "$ns_agent" --expect $N --from "$(ep $caller 4000)" "$(ep $agent 5000)"
		recv_start sup1 "$ns_sup1" --expect $N --from "$(ep $gws 7000)" "$(ep $sup1 6000)"
		recv_start sup2 "$ns_sup2" --expect $N --from "$(ep $gws 7100)" "$(ep $sup2 6100)"
		send "$ns_caller" -c $N -r $RATE -s $S1 "$(ep $caller 4000)" "$(ep $agent 5000)"
		recv_check agent sup1 sup2
		expect_eq "IPv$v tap packets" "$(tap_counter "$id" packets)" $N
		expect_eq "IPv$v tap copies (two outputs)" "$(tap_counter "$id" copies)" $((2 * N))
		tap_del "$id"
	done
}

local_out() {
	local v
	for v in 4 6; do
		local gwa agent sup gws
		eval "gwa=\$gwa$v agent=\$agent$v sup=\$sup1$v gws=\$gws$v"
		tap_add stream "$(ep $agent 5000)" output "$(ep $sup 6000)" src "$(ep $gws 7000)" >/dev/null
		recv_start agent "$ns_agent" --expect $N --from "$(ep $gwa 4500)" "$(ep $agent 5000)"
		recv_start sup1 "$ns_sup1" --expect $N --from "$(ep $gws 7000)" "$(ep $sup 6000)"
		send "$ns_gw" -c $N -r $RATE -s $S1 "$(ep $gwa 4500)" "$(ep $agent 5000)"
		recv_check agent sup1
		n_gw "$LICTL" tap flush >/dev/null
	done
}

loopback_once() {
	# Media between two processes of the gateway crosses LOCAL_OUT and then
	# PRE_ROUTING on lo: it must be copied once, not twice.
	local v id
	for v in 4 6; do
		local gwc gwa sup gws
		eval "gwc=\$gwc$v gwa=\$gwa$v sup=\$sup1$v gws=\$gws$v"
		id=$(tap_add stream "$(ep $gwa 5500)" output "$(ep $sup 6000)" src "$(ep $gws 7000)")
		recv_start local "$ns_gw" --expect $N --from "$(ep $gwc 4500)" "$(ep $gwa 5500)"
		recv_start sup1 "$ns_sup1" --expect $N --from "$(ep $gws 7000)" "$(ep $sup 6000)"
		send "$ns_gw" -c $N -r $RATE -s $S1 "$(ep $gwc 4500)" "$(ep $gwa 5500)"
		recv_check local sup1
		expect_eq "IPv$v tap packets" "$(tap_counter "$id" packets)" $N
		expect_eq "IPv$v tap copies" "$(tap_counter "$id" copies)" $N
		tap_del "$id"
	done
}

not_matching() {
	local before id
	id=$(tap_add stream "$agent4:5000" from "$caller4:4000" ssrc $S1 \
		output "$sup14:6000" src "$gws4:7000")
	tap_add stream "$(ep $agent6 5000)" from "$(ep $caller6 4000)" ssrc $S1 \
		output "$(ep $sup16 6000)" src "$(ep $gws6 7000)" >/dev/null
	before=$(sys_stat copies_sent)
	recv_start sup1 "$ns_sup1" --expect-none "$sup14:6000"
	recv_start sup1v6 "$ns_sup1" --expect-none "$(ep $sup16 6000)"

	diag "another destination port"
	recv_start agent "$ns_agent" --expect $N --from "$caller4:4000" "$agent4:5001"
	send "$ns_caller" -c $N -r $RATE -s $S1 "$caller4:4000" "$agent4:5001"
	recv_check agent
	diag "another source port"
	recv_start agent "$ns_agent" --expect $N --from "$caller4:4001" "$agent4:5000"
	send "$ns_caller" -c $N -r $RATE -s $S1 "$caller4:4001" "$agent4:5000"
	recv_check agent
	diag "another SSRC"
	recv_start agent "$ns_agent" --expect $N --ssrc $S2 "$agent4:5000"
	send "$ns_caller" -c $N -r $RATE -s $S2 "$caller4:4000" "$agent4:5000"
	recv_check agent
	diag "another source address (the gateway's)"
	recv_start agent "$ns_agent" --expect $N --from "$gwa4:4000" "$agent4:5000"
	send "$ns_gw" -c $N -r $RATE -s $S1 "$gwa4:4000" "$agent4:5000"
	recv_check agent
	diag "IPv6 to the IPv4 stream's port, from another address"
	recv_start agent "$ns_agent" --expect $N "$(ep $agent6 5000)"
	send "$ns_gw" -c $N -r $RATE -s $S1 "$(ep $gwa6 4000)" "$(ep $agent6 5000)"
	recv_check agent
	diag "the agent's answer (the opposite direction)"
	recv_start caller "$ns_caller" --expect $N --from "$agent4:5000" "$caller4:4000"
	send "$ns_agent" -c $N -r $RATE -s $S1 "$agent4:5000" "$caller4:4000"
	recv_check caller

	recv_check sup1 sup1v6
	expect_eq "tap packets" "$(tap_counter "$id" packets)" 0
	expect_eq "copies sent" "$(sys_stat copies_sent)" "$before"

	diag "control: what the narrowed taps do match is copied"
	recv_start sup1 "$ns_sup1" --expect $N --ssrc $S1 "$sup14:6000"
	recv_start sup1v6 "$ns_sup1" --expect $N --ssrc $S1 "$(ep $sup16 6000)"
	send "$ns_caller" -c $N -r $RATE -s $S1 "$caller4:4000" "$agent4:5000"
	send "$ns_caller" -c $N -r $RATE -s $S1 "$(ep $caller6 4000)" "$(ep $agent6 5000)"
	recv_check sup1 sup1v6
}

two_taps_one_stream() {
	# Two monitoring sessions of one call: each tap gets its own copies.
	local id1 id2
	id1=$(tap_add --cookie 1 stream "$agent4:5000" output "$sup14:6000" src "$gws4:7000")
	id2=$(tap_add --cookie 2 stream "$agent4:5000" output "$sup24:6100" src "$gws4:7100")
	recv_start agent "$ns_agent" --expect $N "$agent4:5000"
	recv_start sup1 "$ns_sup1" --expect $N --from "$gws4:7000" "$sup14:6000"
	recv_start sup2 "$ns_sup2" --expect $N --from "$gws4:7100" "$sup24:6100"
	send "$ns_caller" -c $N -r $RATE -s $S1 "$caller4:4000" "$agent4:5000"
	if ! recv_check agent sup1 sup2; then
		diag "first tap: $(tap_json "$id1" | jq -c .counters)"
		diag "second tap: $(tap_json "$id2" | jq -c .counters)"
		fail "copies missing"
	fi
	expect_eq "first tap's copies" "$(tap_counter "$id1" copies)" $N
	expect_eq "second tap's copies" "$(tap_counter "$id2" copies)" $N
}

copies_not_rematched() {
	# The second tap matches where the first one's copies go: copies must
	# not be copied again (and the agent's media still arrives).
	local id2
	tap_add stream "$agent4:5000" output "$sup14:6000" src "$gws4:7000" >/dev/null
	id2=$(tap_add stream "$sup14:6000" output "$sup24:6100" src "$gws4:7100")
	recv_start agent "$ns_agent" --expect $N "$agent4:5000"
	recv_start sup1 "$ns_sup1" --expect $N --from "$gws4:7000" "$sup14:6000"
	recv_start sup2 "$ns_sup2" --expect-none "$sup24:6100"
	send "$ns_caller" -c $N -r $RATE -s $S1 "$caller4:4000" "$agent4:5000"
	recv_check agent sup1 sup2
	expect_eq "second tap's packets" "$(tap_counter "$id2" packets)" 0
}

subtest "IPv4 copy is byte-identical and rewritten to the output" copy_one 4
subtest "IPv6 copy is byte-identical and rewritten to the output" copy_one 6
subtest "both directions of a call copied in one tap" both_directions
subtest "two supervisors on one call" two_supervisors
subtest "LOCAL_OUT: media sent by the gateway itself is copied" local_out
subtest "media between processes of the gateway itself is copied once" loopback_once
subtest "traffic a tap does not match is neither copied nor altered" not_matching
subtest "two taps on one stream each get copies" two_taps_one_stream
subtest "copies are never matched again" copies_not_rematched
ktap_finish
