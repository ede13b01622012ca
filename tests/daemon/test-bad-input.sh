#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# listenind under bad input: malformed HEP, malformed and truncated SIP (over
# HEP and on a captured interface), a TCP stream that is not HEP, a flood of
# dialogs that never complete, and abuse of the control socket. Everything
# must be counted under its reason, the daemon must keep answering, and its
# memory must stay bounded by max_calls.
#
#   one namespace "d":  hepsend.py --HEP--> 127.0.0.1:9060/udp, :9061/tcp
#                       hepsend.py --SIP--> 127.0.0.1:5060  (captured on lo)
#                       listenind, control socket in $TMP

. "$(dirname "$0")/lib.sh"

need_root
setup
SEND="$PYTHON $HERE/hepsend.py"
MAX_CALLS=200

netns d

cat >"$TMP/listenind.conf" <<CONF
[daemon]
log_level = notice
control_socket = $TMP/run/control.sock
control_max_clients = 4
[hep]
listen_udp = 127.0.0.1:9060
listen_tcp = 127.0.0.1:9061
[capture]
interfaces = lo
ports = 5060
[calls]
max_calls = $MAX_CALLS
CONF

start_daemon d "$TMP/listenind.conf" 2>"$TMP/listenind.log"

run_in d $SEND malformed-hep 127.0.0.1 9060 >/dev/null
sleep 0.3
hep=$(stat_of 'j["hep"]')
diag "HEP: $hep"
expect_json "malformed HEP: each kind counted under its reason" "$hep" \
	'all(j[k] >= 1 for k in ("short", "bad_magic", "bad_total_length", "chunk_truncated", "bad_chunk_length", "duplicate_chunk", "bad_family", "missing_payload", "missing_address", "missing_port", "not_sip", "empty_payload"))'
expect_json "malformed HEP: nothing reached the call table" "$(stat_of 'j["calls"]')" \
	'j["messages"] == 0'
check "listenind alive after malformed HEP" daemon_alive

run_in d $SEND malformed-sip 127.0.0.1 9060 >/dev/null
sleep 0.3
calls=$(stat_of 'j["calls"]')
diag "calls: $calls"
expect_json "malformed SIP over HEP: rejected by reason" "$calls" \
	'all(j["rejected"][k] >= 1 for k in ("unparseable", "no Call-ID", "no From tag", "bad CSeq", "bad SDP", "unknown call"))'
check "listenind alive after malformed SIP" daemon_alive

before=$(stat_of 'j["capture"]["sip_udp"] + j["calls"]["messages"]')
run_in d $SEND raw-sip 127.0.0.1 5060 >/dev/null
sleep 0.3
cap=$(stat_of 'j["capture"]')
diag "capture: $cap"
expect_json "malformed SIP on a captured interface: handed over and refused" "$cap" \
	'j["sip_udp"] >= 9 and j["sip_rejected"] >= 5'
check "listenind alive after captured garbage" daemon_alive

run_in d $SEND tcp 127.0.0.1 9061 >/dev/null
sleep 0.3
hep=$(stat_of 'j["hep"]')
expect_json "HEP over TCP: a message split in 7-byte writes is delivered" "$hep" \
	'j["tcp_accepted"] == 2'
check "HEP over TCP: the call it carried is in the table" \
	eventually quiet "$LICTL" call show tcp-ok
expect_json "HEP over TCP: a stream that is not HEP is closed and counted" "$hep" \
	'j["tcp_closed_not_hep"] == 1'

# Half-open dialogs: INVITEs never answered. The table holds at most
# max_calls; memory after a second flood must not grow like the first.
pid=$(daemon_pid)
rss0=$(rss_kb "$pid")
run_in d $SEND flood 127.0.0.1 9060 3000 0 >/dev/null
sleep 0.5
rss1=$(rss_kb "$pid")
run_in d $SEND flood 127.0.0.1 9060 3000 100000 >/dev/null
sleep 0.5
rss2=$(rss_kb "$pid")
calls=$(stat_of 'j["calls"]')
diag "after 6000 unanswered INVITEs: $calls"
diag "RSS: start $rss0 KiB, after flood 1 $rss1 KiB, after flood 2 $rss2 KiB"
expect_json "flood: at most max_calls ($MAX_CALLS) calls held" "$calls" \
	"j['active'] <= $MAX_CALLS and j['max_calls'] == $MAX_CALLS"
expect_json "flood: the excess was evicted or refused, and counted" "$calls" \
	'j["evicted"] + j["rejected"]["too many calls"] >= 2000'
check "flood: memory bounded (second flood grew RSS by $((rss2 - rss1)) KiB < 8 MiB)" \
	[ $((rss2 - rss1)) -lt 8192 ]
run_in d $SEND invite 127.0.0.1 9060 after-flood >/dev/null
sleep 0.2
check "a new call is still learned after the flood" \
	eventually quiet "$LICTL" call show flood-after-flood

# Control socket abuse.
reply=$("$PYTHON" - "$LISTENIND_SOCKET" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"cmd":"' + b"x" * 10000 + b'"}\n')
print(s.makefile().readline().strip())
PY
)
diag "oversized request: $reply"
check "control: an oversized request gets an error naming the limit" \
	grep -q 'longer than 4096 bytes' <<<"$reply"
check "control: invalid JSON gets an error" \
	grep -q '"error":"request is not valid JSON' <<<"$(ctl 'not json')"
check "control: unknown command gets an error listing the known ones" \
	grep -q 'unknown command \\"frobnicate\\"; known: calls, call, stats' <<<"$(ctl '{"cmd":"frobnicate"}')"
check "control: call without id gets an error" \
	grep -q 'needs an \\"id\\" string' <<<"$(ctl '{"cmd":"call"}')"
reply=$("$PYTHON" - "$LISTENIND_SOCKET" <<'PY'
import socket, sys, time
held = []
for i in range(4):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    held.append(s)
time.sleep(0.3)
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
print(s.makefile().readline().strip())
PY
)
diag "fifth client: $reply"
check "control: a client over control_max_clients is refused with a reason" \
	grep -q 'too many control clients (4)' <<<"$reply"
expect_json "control: refusals and oversized requests counted" "$(stat_of 'j["control"]')" \
	'j["refused"] == 1 and j["oversized"] == 1 and j["errors"] >= 4'

# usage_error MESSAGE ARGS...: lictl ARGS exits 2 and says MESSAGE.
usage_error() {
	local want=$1 out rc=0
	shift
	out=$("$LICTL" "$@" 2>&1) || rc=$?
	[ "$rc" -eq 2 ] && grep -qF -- "$want" <<<"$out"
}
check "lictl access review --days without a value is a usage error" \
	usage_error "--days needs a number of days" access review --days
check "lictl access review --days x names the bad value" \
	usage_error '--days "x": expected 0 to 36500' access review --days x
check "lictl access review --inactive-days 36501 is out of range" \
	usage_error '--inactive-days "36501": expected 0 to 36500' access review --inactive-days 36501
check "lictl access review rejects an unknown argument" \
	usage_error '"--bogus": unknown argument' access review --bogus 1

check "listenind still answers after everything" daemon_alive
check "listenind stops cleanly on SIGTERM (no leak report)" stop_daemon
no_sanitizer_report "$TMP/listenind.log"
finish
