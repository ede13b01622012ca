#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A tap whose media stops for its idle timeout is removed and announced with
# TAP_EXPIRED (lictl monitor shows it) carrying its id, cookie, cause and
# final counters; media keeps a tap alive past its timeout; a tap that never
# saw a packet expires counting from its creation, and soon even when a tap
# with a long timeout spaces the scans far apart; more idle taps than one
# batch of the scan all expire; other taps stay.
# listenin: timeout=400

. "$(dirname "$0")/lib.sh"

N=450
RATE=50

require_root
require_tools
require_module
TAPS=$PWD/tests/build/bench/taps
[ -x "$TAPS" ] || skip_all "$TAPS is missing: build with make -C tests/bench"
ktap_plan 3
topo_setup_or_bail

monitor_start() {
	bg monitor "$ns_gw" "$LICTL" -j monitor
	# lictl subscribes right after it starts; give it a moment under emulation.
	sleep 1.5
	kill -0 "$(cat "$tmp/monitor.pid")" 2>/dev/null || { diag_file "$tmp/monitor.err"; fail "lictl monitor exited"; }
}

# wait_gone ID SECONDS: waits until tap ID no longer exists.
wait_gone() {
	for _ in $(seq $(($2 * 4))); do
		n_gw "$LICTL" tap show "$1" >/dev/null 2>&1 || return 0
		sleep 0.25
	done
	fail "tap $1 still exists after $2 s"
}

# event ID FIELD: FIELD of the monitor's event about tap ID.
event() {
	jq -r --argjson id "$1" "select(.id == \$id) | $2" "$tmp/monitor.out"
}

expires_after_media_stops() {
	local id keep exp0 out
	exp0=$(sys_stat taps_expired)
	monitor_start
	recv_start sup1 "$ns_sup1" --expect $N "$sup14:6000"
	id=$(tap_add --cookie 0xe1 --idle-timeout 3 stream "$agent4:5000" \
		output "$sup14:6000" src "$gws4:7000")
	# Media for three times the timeout; looked at while it still flows,
	# past the timeout (looking after it ends would race process start-up
	# under emulation against the 3 s timeout).
	send_bg media "$ns_caller" -c $N -r $RATE "$caller4:4000" "$agent4:5000"
	sleep 4.5
	if ! out=$(n_gw "$LICTL" -j tap show "$id" 2>&1); then
		bg_wait media || true
		recv_check sup1 || true
		fail "tap $id expired while media flowed: $out"
	fi
	diag "tap while the media flows: $out"
	bg_wait media || { diag_file "$tmp/media.err"; fail "rtpsend failed"; }
	recv_check sup1
	keep=$(tap_add --cookie 0xe2 --idle-timeout 60 stream "$agent4:5002" \
		output "$sup14:6002" src "$gws4:7002")

	wait_gone "$id" 10
	n_gw "$LICTL" tap show "$keep" >/dev/null || fail "tap $keep (idle timeout 60 s) is gone too"
	sleep 0.5
	bg_stop monitor || true
	diag "events: $(tr '\n' ' ' <"$tmp/monitor.out")"
	expect_eq "event" "$(event "$id" .event)" expired
	expect_eq "cookie" "$(event "$id" .cookie)" $((0xe1))
	expect_eq "cause" "$(event "$id" .cause)" idle
	expect_eq "final packets" "$(event "$id" .counters.packets)" $N
	expect_eq "final copies" "$(event "$id" .counters.copies)" $N
	expect_eq "events about the live tap" "$(event "$keep" .event)" ""
	expect_eq "taps_expired" $(($(sys_stat taps_expired) - exp0)) 1
	expect_eq "taps left" "$(tap_count)" 1
}

expires_without_media() {
	local id start secs
	monitor_start
	start=$(date +%s)
	# The namespace's first tap, with an hour's timeout, queues the first
	# scan 8 s later: only a scan brought forward by the 1 s tap finds it
	# idle within 4 s.
	tap_add --idle-timeout 3600 stream "$agent4:5002" output "$sup14:6002" \
		src "$gws4:7002" >/dev/null
	id=$(tap_add --cookie 0xe3 --idle-timeout 1 stream "$(ep $agent6 5000)" \
		output "$(ep $sup16 6000)" src "$(ep $gws6 7000)")
	wait_gone "$id" 4
	secs=$(($(date +%s) - start))
	expect_ge "seconds until expiry" $secs 1
	sleep 0.5
	bg_stop monitor || true
	expect_eq "event" "$(event "$id" .event)" expired
	expect_eq "cookie" "$(event "$id" .cookie)" $((0xe3))
	expect_eq "final packets" "$(event "$id" .counters.packets)" 0
}

# More taps go idle at once than one scan unlinks per batch (32): all of them
# expire, each announced once, and the tap with a long timeout stays.
expires_in_batches() {
	local n=80 exp0 left out
	exp0=$(sys_stat taps_expired)
	tap_add --idle-timeout 3600 stream "$agent4:5002" output "$sup14:6002" \
		src "$gws4:7002" >/dev/null
	monitor_start
	# all created within milliseconds, so one scan finds them idle together
	out=$(n_gw "$TAPS" add $n 172.16.0.1 20000 $sup14 6000 $gws4 7000 2 2>&1) ||
		fail "taps add $n: $out"
	diag "$out"
	expect_eq "taps added" "$(sed -n 's/^added \([0-9]*\) taps, 0 refused.*/\1/p' <<<"$out")" $n
	for _ in $(seq 40); do
		left=$(tap_count)
		[ "$left" = 1 ] && break
		sleep 0.25
	done
	[ "$left" = 1 ] || diag "taps left: $(n_gw "$LICTL" -j tap show | tr '\n' ' ' | cut -c1-2000)"
	expect_eq "taps left" "$left" 1
	sleep 0.5
	bg_stop monitor || true
	expect_eq "taps_expired" $(($(sys_stat taps_expired) - exp0)) $n
	expect_eq "expiry events" "$(jq -r 'select(.event == "expired") | .id' "$tmp/monitor.out" | sort -u | wc -l)" $n
	expect_eq "events in all" "$(wc -l <"$tmp/monitor.out")" $n
}

# First: no scan is queued yet in the new namespace.
subtest "a tap that never saw media expires" expires_without_media
subtest "an idle tap expires with TAP_EXPIRED, media keeps it alive" expires_after_media_stops
subtest "80 taps idle at once all expire, in batches" expires_in_batches
ktap_finish
