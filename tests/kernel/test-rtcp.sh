#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RTCP is copied only for streams with the rtcp flag: RTCP on port + 1 goes
# to the output's port + 1 from its source port + 1, RTCP multiplexed on the
# RTP port (RFC 5761) to the output's port. Without the flag it is not copied.
# The call's RTCP reaches the agent untouched either way.

. "$(dirname "$0")/lib.sh"

N=30
RATE=100

require_root
require_tools
require_module
ktap_plan 2
topo_setup_or_bail

with_flag() {
	local v=$1 caller agent sup gws id
	eval "caller=\$caller$v agent=\$agent$v sup=\$sup1$v gws=\$gws$v"
	id=$(tap_add stream "$(ep $agent 5000)" rtcp output "$(ep $sup 6000)" src "$(ep $gws 7000)")

	diag "IPv$v RTP"
	recv_start sup1 "$ns_sup1" --expect $N --from "$(ep $gws 7000)" "$(ep $sup 6000)"
	send "$ns_caller" -c $N -r $RATE "$(ep $caller 4000)" "$(ep $agent 5000)"
	recv_check sup1
	diag "IPv$v RTCP on port + 1"
	recv_start agent "$ns_agent" --rtcp --expect $N "$(ep $agent 5001)"
	recv_start sup1 "$ns_sup1" --rtcp --expect $N --from "$(ep $gws 7001)" "$(ep $sup 6001)"
	send "$ns_caller" --rtcp -c $N -r $RATE "$(ep $caller 4001)" "$(ep $agent 5001)"
	recv_check agent sup1
	diag "IPv$v RTCP multiplexed on the RTP port"
	recv_start agent "$ns_agent" --rtcp --expect $N "$(ep $agent 5000)"
	recv_start sup1 "$ns_sup1" --rtcp --expect $N --from "$(ep $gws 7000)" "$(ep $sup 6000)"
	send "$ns_caller" --rtcp -c $N -r $RATE "$(ep $caller 4000)" "$(ep $agent 5000)"
	recv_check agent sup1
	tap_del "$id"
}

copied_with_flag() {
	with_flag 4
	with_flag 6
}

not_copied_without_flag() {
	tap_add stream "$agent4:5000" output "$sup14:6000" src "$gws4:7000" >/dev/null
	recv_start sup1 "$ns_sup1" --expect-none "$sup14:6001"
	recv_start agent "$ns_agent" --rtcp --expect $N "$agent4:5001"
	send "$ns_caller" --rtcp -c $N -r $RATE "$caller4:4001" "$agent4:5001"
	recv_check agent sup1
	recv_start sup1 "$ns_sup1" --expect-none "$sup14:6000"
	recv_start agent "$ns_agent" --rtcp --expect $N "$agent4:5000"
	send "$ns_caller" --rtcp -c $N -r $RATE "$caller4:4000" "$agent4:5000"
	recv_check agent sup1
	# RTP is still copied.
	recv_start sup1 "$ns_sup1" --expect $N "$sup14:6000"
	send "$ns_caller" -c $N -r $RATE "$caller4:4000" "$agent4:5000"
	recv_check sup1
}

subtest "RTCP on port + 1 and multiplexed copied with the rtcp flag" copied_with_flag
subtest "RTCP not copied without the rtcp flag" not_copied_without_flag
ktap_finish
