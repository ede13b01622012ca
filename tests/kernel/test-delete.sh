#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Deleting or flushing taps stops their copies before lictl returns: packets
# sent after the command are not copied, while the call's media is untouched.
# Both are announced with TAP_DELETED and the cause.

. "$(dirname "$0")/lib.sh"

N=50
RATE=100

require_root
require_tools
require_module
ktap_plan 3
topo_setup_or_bail

monitor_start() {
	bg monitor "$ns_gw" "$LICTL" -j monitor
	sleep 1.5
	kill -0 "$(cat "$tmp/monitor.pid")" 2>/dev/null || { diag_file "$tmp/monitor.err"; fail "lictl monitor exited"; }
}

event() {
	jq -r --argjson id "$1" "select(.id == \$id) | $2" "$tmp/monitor.out"
}

delete_stops_copies() {
	local id
	monitor_start
	id=$(tap_add --cookie 0xd1 stream "$agent4:5000" output "$sup14:6000" src "$gws4:7000")
	recv_start agent "$ns_agent" --expect $((2 * N)) "$agent4:5000"
	recv_start sup1 "$ns_sup1" --expect $N "$sup14:6000"
	send "$ns_caller" -c $N -r $RATE -q 0 "$caller4:4000" "$agent4:5000"
	tap_del "$id"
	send "$ns_caller" -c $N -r $RATE -q $N "$caller4:4000" "$agent4:5000"
	recv_check agent sup1
	expect_eq "last copied sequence number" "$(sed -n 's/.*last_seq=\([0-9]*\).*/\1/p' "$tmp/sup1.out" | head -n 1)" $((N - 1))
	n_gw "$LICTL" tap show "$id" >/dev/null 2>&1 && fail "tap $id still listed after delete"
	sleep 0.5
	bg_stop monitor || true
	expect_eq "event" "$(event "$id" .event)" deleted
	expect_eq "cause" "$(event "$id" .cause)" deleted
	expect_eq "cookie" "$(event "$id" .cookie)" $((0xd1))
	expect_eq "final copies" "$(event "$id" .counters.copies)" $N
}

flush_stops_copies() {
	local id4 id6 flushed
	monitor_start
	id4=$(tap_add --cookie 0xf4 stream "$agent4:5000" output "$sup14:6000" src "$gws4:7000")
	id6=$(tap_add --cookie 0xf6 stream "$(ep $agent6 5000)" output "$(ep $sup16 6000)" src "$(ep $gws6 7000)")
	recv_start sup1 "$ns_sup1" --expect $N "$sup14:6000"
	recv_start sup1v6 "$ns_sup1" --expect $N "$(ep $sup16 6000)"
	send_bg v6 "$ns_caller" -c $N -r $RATE -q 0 "$(ep $caller6 4000)" "$(ep $agent6 5000)"
	send "$ns_caller" -c $N -r $RATE -q 0 "$caller4:4000" "$agent4:5000"
	bg_wait v6
	flushed=$(n_gw "$LICTL" -j tap flush | jq -r .flushed)
	expect_eq "flushed" "$flushed" 2
	send_bg v6 "$ns_caller" -c $N -r $RATE -q $N "$(ep $caller6 4000)" "$(ep $agent6 5000)"
	send "$ns_caller" -c $N -r $RATE -q $N "$caller4:4000" "$agent4:5000"
	bg_wait v6
	recv_check sup1 sup1v6
	expect_eq "taps left" "$(tap_count)" 0
	sleep 0.5
	bg_stop monitor || true
	expect_eq "IPv4 tap's event" "$(event "$id4" .event)/$(event "$id4" .cause)" deleted/flushed
	expect_eq "IPv6 tap's event" "$(event "$id6" .event)/$(event "$id6" .cause)" deleted/flushed
}

delete_unknown() {
	local out
	if out=$(n_gw "$LICTL" tap del 4000000000 2>&1); then
		fail "lictl tap del of a missing tap succeeded: $out"
	fi
	diag "lictl: $out"
	[ -n "$out" ] || fail "lictl tap del of a missing tap printed nothing"
}

subtest "delete stops copies at once and announces TAP_DELETED" delete_stops_copies
subtest "flush stops every tap's copies at once" flush_stops_copies
subtest "deleting a tap that does not exist fails with a message" delete_unknown
ktap_finish
