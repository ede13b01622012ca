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
# call cancelled while ringing.

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
diag "capture counters: $cap"
expect_json "capture: SIP over UDP handed to the call table, none refused" "$cap" \
	'j["enabled"] and j["sip_udp"] >= 23 and j["sip_rejected"] == 0'
calls=$(stat_of 'j["calls"]')
expect_json "call table: 3 calls created, 3 ended, nothing rejected" "$calls" \
	'j["created"] == 3 and j["ended"] == 3 and sum(j["rejected"].values()) == 0'

check "listenind still answers" daemon_alive
check "listenind stops cleanly on SIGTERM" stop_daemon
check "control socket removed on exit" [ ! -e "$LISTENIND_SOCKET" ]
no_sanitizer_report "$TMP/listenind.log"
finish
