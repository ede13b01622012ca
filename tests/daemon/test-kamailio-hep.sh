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
# it receives and sends, with an authentication key, to listenind on
# 127.0.0.1:9060 (UDP) in its own namespace; then, restarted, over TCP to
# 127.0.0.1:9061. The call table must match what sipp did, state by state.

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
listen_tcp = 127.0.0.1:9061
auth_key = "listen-in test key"
[calls]
ended_linger = 10m
CONF

start_daemon proxy "$TMP/listenind.conf" 2>"$TMP/listenind.log"

# start_kamailio EXTRA_ARGS...: Kamailio in "proxy", waits for its sockets.
start_kamailio() {
	local i
	rm -rf "$TMP/kamailio"
	mkdir -p "$TMP/kamailio"
	bg proxy kamailio -DD -E -m 16 -M 4 -f "$HERE/kamailio/kamailio.cfg" \
		-Y "$TMP/kamailio" -l udp:10.77.1.2:5060 -l udp:10.77.2.2:5060 \
		-A 'UAS_URI="sip:10.77.2.1:5060"' \
		-A 'HEP_AUTH_KEY="listen-in test key"' "$@" >"$TMP/kamailio.log" 2>&1
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
}

stop_kamailio() {
	kill "$KAMAILIO_PID"
	wait "$KAMAILIO_PID" 2>/dev/null
}

start_kamailio -l udp:127.0.0.1:5060 -A 'HEP_URI="sip:127.0.0.1:9060"'
call_scenarios uac uas 10.77.1.2:5060 10.77.1.1 10.77.2.1

hep=$(stat_of 'j["hep"]')
diag "HEP counters: $hep"
expect_json "HEP over UDP: every datagram decoded, authenticated and delivered" "$hep" \
	'j["sip_delivered"] >= 30 and j["messages"] == j["udp_datagrams"] == j["sip_delivered"] and j["auth_key_missing"] == 0 and j["auth_key_wrong"] == 0'
calls=$(stat_of 'j["calls"]')
diag "call table: $calls"
expect_json "call table: 3 calls created, 3 ended, nothing rejected" "$calls" \
	'j["created"] == 3 and j["ended"] == 3 and sum(j["rejected"].values()) == 0'

# The same proxy sending HEP over TCP.
stop_kamailio
start_kamailio -l tcp:127.0.0.1:5060 -A HEP_TCP \
	-A 'HEP_URI="sip:127.0.0.1:9061;transport=tcp"'
sipp_pair busy uac uas 10.77.1.2:5060 10.77.1.1 10.77.2.1
c=$(call_of carol)
expect_json "HEP over TCP: the busy call again, ended with 486" "$c" \
	'[h["state"] for h in j["history"]] == ["trying", "ringing", "ended"] and j["final_status"] == 486 and j["id"] == 4'
hep=$(stat_of 'j["hep"]')
expect_json "HEP over TCP: one connection from Kamailio, messages delivered" "$hep" \
	'j["tcp_accepted"] == 1 and j["sip_delivered"] >= 38 and j["tcp_closed_not_hep"] == 0'

check "listenind still answers" daemon_alive
stop_kamailio
check "listenind stops cleanly on SIGTERM" stop_daemon
check "control socket removed on exit" [ ! -e "$LISTENIND_SOCKET" ]
no_sanitizer_report "$TMP/listenind.log"
finish
