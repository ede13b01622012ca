#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module unloads cleanly while taps exist and media flows, and a network
# namespace holding taps can be deleted while media flows: no warning, no
# BUG, every tap freed, the call's media unaffected by the unload.
# listenin: no-autoload
# listenin: timeout=900

. "$(dirname "$0")/lib.sh"

RATE=200
SECS=5

require_root
require_tools
[ -r "$LISTENIN_KO" ] || skip_all "$LISTENIN_KO is missing: make module"
ktap_plan 4

add_taps() {
	tap_add stream "$agent4:5000" output "$sup14:6000" src "$gws4:7000" \
		output "$sup24:6100" src "$gws4:7100" listen-only >/dev/null
	tap_add stream "$(ep $agent6 5000)" output "$(ep $sup16 6000)" src "$(ep $gws6 7000)" >/dev/null
	tap_add stream "$caller4:4002" output "$sup14:6002" src "$gws4:7002" >/dev/null
}

start_media() {
	send_bg m4 "$ns_caller" -k -d $SECS -r $RATE "$caller4:4000" "$agent4:5000"
	send_bg m6 "$ns_caller" -k -d $SECS -r $RATE "$(ep $caller6 4000)" "$(ep $agent6 5000)"
	send_bg back "$ns_agent" -k -d $SECS -r $RATE "$agent4:5002" "$caller4:4002"
	# Talk-back the gateway drops while the tap exists.
	send_bg tb "$ns_sup2" -k -d $SECS -r $RATE "$sup24:6100" "$gws4:7100"
}

rmmod_with_traffic() {
	local sent
	kmsg_mark rmmod
	cleanup
	module_load
	topo_setup
	add_taps
	recv_start agent "$ns_agent" "$agent4:5000"
	recv_start sup1 "$ns_sup1" "$sup14:6000"
	start_media
	sleep 2
	rmmod listenin || fail "rmmod listenin failed while taps existed and media flowed"
	[ ! -d /sys/module/listenin ] || fail "listenin is still loaded"
	bg_wait m4 || true
	bg_wait m6 || true
	bg_wait back || true
	bg_wait tb || true
	recv_check agent sup1
	sent=$(sed -n 's/^sent=\([0-9]*\).*/\1/p' "$tmp/m4.out")
	expect_ge "IPv4 packets sent" "$sent" 1
	expect_eq "IPv4 media at the agent (sent $sent)" "$(recv_field agent valid)" "$sent"
	expect_ge "copies before the unload" "$(recv_field sup1 valid)" 1
	cleanup
	kmsg_clean rmmod
}

netns_delete_with_traffic() {
	local taps
	kmsg_mark netns
	cleanup
	module_load
	topo_setup
	add_taps
	expect_eq "taps" "$(sys_stat taps)" 3
	start_media
	sleep 2
	ip netns del "$ns_gw"
	for _ in $(seq 40); do
		taps=$(sys_stat taps)
		[ "$taps" -eq 0 ] && break
		sleep 0.25
	done
	expect_eq "taps after the namespace went" "$taps" 0
	expect_eq "streams after the namespace went" "$(sys_stat streams)" 0
	expect_eq "outputs after the namespace went" "$(sys_stat outputs)" 0
	bg_wait m4 || true
	bg_wait m6 || true
	bg_wait back || true
	bg_wait tb || true
	cleanup
	rmmod listenin || fail "rmmod listenin failed after the namespace was deleted"
	kmsg_clean netns
}

churn_with_traffic() {
	local i id
	cleanup
	kmsg_mark churn
	module_load
	topo_setup
	recv_start agent "$ns_agent" "$agent4:5000"
	recv_start agentv6 "$ns_agent" "$(ep $agent6 5000)"
	send_bg m4 "$ns_caller" -k -d 600 -r 100 "$caller4:4000" "$agent4:5000"
	send_bg m6 "$ns_caller" -k -d 600 -r 100 "$(ep $caller6 4000)" "$(ep $agent6 5000)"
	for i in $(seq 15); do
		id=$(tap_add stream "$agent4:5000" output "$sup14:6000" src "$gws4:7000" \
			output "$sup24:6100" src "$gws4:7100" listen-only)
		tap_add stream "$(ep $agent6 5000)" output "$(ep $sup16 6000)" src "$(ep $gws6 7000)" >/dev/null
		tap_del "$id"
		if [ $((i % 5)) -eq 0 ]; then
			n_gw "$LICTL" tap flush >/dev/null || fail "flush failed"
		fi
	done
	bg_stop m4 || true
	bg_stop m6 || true
	recv_check agent agentv6
	expect_ge "IPv4 media at the agent" "$(recv_field agent valid)" 1
	expect_eq "IPv4 media lost" "$(recv_field agent lost)" 0
	expect_eq "IPv6 media lost" "$(recv_field agentv6 lost)" 0
	expect_eq "taps after the last flush" "$(sys_stat taps)" 0
	cleanup
	module_unload
	kmsg_clean churn
}

reload_starts_empty() {
	kmsg_mark reload
	cleanup
	module_load
	topo_setup
	add_taps
	module_unload
	module_load
	expect_eq "taps listed after a reload" "$(tap_count)" 0
	expect_eq "taps gauge after a reload" "$(sys_stat taps)" 0
	expect_eq "copies_sent after a reload" "$(sys_stat copies_sent)" 0
	cleanup
	module_unload
	kmsg_clean reload
}

subtest "rmmod while taps exist and media flows" rmmod_with_traffic
subtest "deleting a namespace with taps while media flows frees them" netns_delete_with_traffic
subtest "taps added, deleted and flushed while media flows" churn_with_traffic
subtest "a reloaded module starts with no taps and zero counters" reload_starts_empty
module_unload
ktap_finish
