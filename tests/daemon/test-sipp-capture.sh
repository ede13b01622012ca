#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# listenind learns calls by capturing SIP on an interface (AF_PACKET).
#
#        uac                                  uas
#  +------------------------+          +-------------+
#  | sipp uac    listenind  |          |  sipp uas   |
#  |        \      | capture|          |             |
#  |         +---- ua ------|----------| ub          |
#  +------------------------+          +-------------+
#     10.77.0.1/24                        10.77.0.2/24
#
# The call table must match what sipp did, state by state: a basic call
# with SDP, hold and resume by re-INVITE and BYE; a call rejected busy; a
# call cancelled while ringing; the basic call again over TCP.

. "$(dirname "$0")/lib.sh"

need_root
need_tool sipp sip-tester
setup

netns uac
netns uas
veth uac ua 10.77.0.1/24 uas ub 10.77.0.2/24

cat >"$TMP/listenind.conf" <<CONF
[daemon]
log_level = info
control_socket = $TMP/run/control.sock
control_mode = 0600
[hep]
# capture only
listen_udp =
[capture]
interfaces = ua
ports = 5060
[calls]
ended_linger = 10m
CONF

start_daemon uac "$TMP/listenind.conf" 2>"$TMP/listenind.log"
check "control socket has mode 0600" [ "$(stat -c %a "$LISTENIND_SOCKET")" = 600 ]

call_scenarios uac uas 10.77.0.2:5060 10.77.0.1 10.77.0.2

cap=$(stat_of 'j["capture"]')
expect_json "capture: SIP over UDP handed to the call table, none refused" "$cap" \
	'j["enabled"] and j["sip_udp"] >= 23 and j["sip_rejected"] == 0'

# The basic call again with SIP over TCP: one connection, stream reassembly.
SIPP_OPTS="-t t1" sipp_pair basic uac uas 10.77.0.2:5060 10.77.0.1 10.77.0.2
seen=$(seen_states "$TMP/states_basic" alice)
diag "basic over TCP: states seen while polling: $seen"
check "basic over TCP: polled ringing, answered, held, resumed, ended in order" \
	in_order "ringing answered held resumed ended" "$seen"
c=$(call_of alice)
expect_json "basic over TCP: history trying, ringing, answered, held, resumed, ended" "$c" \
	'[h["state"] for h in j["history"]] == ["trying", "ringing", "answered", "held", "resumed", "ended"] and j["id"] == 4'
cap=$(stat_of 'j["capture"]')
diag "capture counters: $cap"
expect_json "capture: SIP over TCP reassembled and handed over" "$cap" \
	'j["sip_tcp"] >= 13 and j["sip_rejected"] == 0'
calls=$(stat_of 'j["calls"]')
expect_json "call table: 4 calls created, 4 ended, nothing rejected" "$calls" \
	'j["created"] == 4 and j["ended"] == 4 and sum(j["rejected"].values()) == 0'

check "listenind still answers" daemon_alive
check "listenind stops cleanly on SIGTERM" stop_daemon
check "control socket removed on exit" [ ! -e "$LISTENIND_SOCKET" ]
no_sanitizer_report "$TMP/listenind.log"
finish
