#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# listenind learns calls from Kamailio's HEPv3 copies (siptrace module).
#
#       uac                       proxy                          uas
#  +-----------+     +-------------------------------+     +-----------+
#  | sipp uac  |     | kamailio    ---HEP---> listenind|     | sipp uas  |
#  |        ua |-----| p1                        p2   |-----| ub        |
#  +-----------+     +-------------------------------+     +-----------+
#   10.77.1.1/24      10.77.1.2/24      10.77.2.2/24        10.77.2.1/24
#
# Kamailio record-routes every call and sends a HEPv3 copy of every message
# it receives and sends to listenind on 127.0.0.1:9060 (UDP) in its own
# namespace. The call table must match what sipp did, state by state.

. "$(dirname "$0")/lib.sh"

need_root
need_tool sipp sip-tester
need_tool kamailio kamailio
setup

netns uac
netns proxy
netns uas
veth uac ua 10.77.1.1/24 proxy p1 10.77.1.2/24
veth uas ub 10.77.2.1/24 proxy p2 10.77.2.2/24

cat >"$TMP/listenind.conf" <<CONF
[daemon]
log_level = info
control_socket = $TMP/run/control.sock
[hep]
listen_udp = 127.0.0.1:9060
[calls]
ended_linger = 10m
CONF

start_daemon proxy "$TMP/listenind.conf" 2>"$TMP/listenind.log"

mkdir -p "$TMP/kamailio"
bg proxy kamailio -DD -E -m 16 -M 4 -f "$HERE/kamailio/kamailio.cfg" \
	-Y "$TMP/kamailio" -l udp:10.77.1.2:5060 -l udp:10.77.2.2:5060 \
	-l udp:127.0.0.1:5060 -A 'UAS_URI="sip:10.77.2.1:5060"' \
	-A 'HEP_URI="sip:127.0.0.1:9060"' >"$TMP/kamailio.log" 2>&1
KAMAILIO_PID=$BG_PID
for i in $(seq 1 50); do
	run_in proxy ss -lun 2>/dev/null | grep -q '10.77.2.2:5060' && break
	sleep 0.1
done
if ! kill -0 "$KAMAILIO_PID" 2>/dev/null; then
	sed 's/^/# /' "$TMP/kamailio.log"
	echo "Bail out! kamailio did not start"
	exit 1
fi

call_scenarios uac uas 10.77.1.2:5060 10.77.1.1 10.77.2.1

hep=$(stat_of 'j["hep"]')
diag "HEP counters: $hep"
expect_json "HEP: messages delivered to the call table, none undecodable" "$hep" \
	'j["sip_delivered"] >= 30 and j["messages"] == j["udp_datagrams"]'
calls=$(stat_of 'j["calls"]')
diag "call table: $calls"
expect_json "call table: 3 calls created, 3 ended" "$calls" \
	'j["created"] == 3 and j["ended"] == 3'

check "listenind still answers" daemon_alive
kill "$KAMAILIO_PID"
check "listenind stops cleanly on SIGTERM" stop_daemon
check "control socket removed on exit" [ ! -e "$LISTENIND_SOCKET" ]
no_sanitizer_report "$TMP/listenind.log"
finish
