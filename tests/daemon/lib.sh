# SPDX-License-Identifier: GPL-2.0
#
# Shared by tests/daemon/test-*.sh: listenind integration tests on the host
# (no kernel module), with listenind built with ASan and UBSan. Each test builds its own network namespaces (names
# carry the test's pid), runs listenind, sipp and Kamailio in them, talks to
# the daemon through lictl, prints TAP, and cleans up on exit. Exit status:
# 0 pass, 1 fail, 4 skip.
#
# Source it from bash with the repository root as the current directory or
# anywhere: paths are resolved from this file.

set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/tests/daemon
# The daemon runs as built with ASan and UBSan; lictl as shipped.
LISTENIND=${LISTENIND:-$ROOT/daemon/build-asan/listenind}
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=4:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
LICTL=${LICTL:-$ROOT/daemon/build/lictl}
# Debian's interpreter: a version manager's shim in PATH can take seconds to start.
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
TEST=$(basename "$0" .sh)
pfx=lid$$
TMP=
PIDS=
NSS=
n_test=0
n_fail=0

skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}

ok() {
	n_test=$((n_test + 1))
	echo "ok $n_test - $*"
}

not_ok() {
	n_test=$((n_test + 1))
	n_fail=$((n_fail + 1))
	echo "not ok $n_test - $*"
}

# check DESCRIPTION COMMAND...: one TAP line from a command's status.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# eventually COMMAND...: retries a command for up to 5 s until it succeeds.
eventually() {
	local i
	for i in $(seq 1 50); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# not COMMAND...: succeeds when the command fails.
not() {
	! "$@"
}

# quiet COMMAND...: runs a command for its status only.
quiet() {
	"$@" >/dev/null 2>&1
}

diag() {
	echo "# $*"
}

finish() {
	echo "1..$n_test"
	[ "$n_fail" -eq 0 ]
	exit $?
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root for network namespaces"
	ip netns list >/dev/null 2>&1 || skip_all "ip netns does not work here"
}

need_tool() {
	command -v "$1" >/dev/null 2>&1 ||
		skip_all "$1 is not installed (scripts/install-deps installs $2)"
}

build() {
	[ -n "${NO_BUILD:-}" ] && return 0
	if ! make -s -C "$ROOT/daemon" >"$TMP/build.log" 2>&1 ||
	   ! make -s -C "$ROOT/daemon" SANITIZE=1 build-asan/listenind >>"$TMP/build.log" 2>&1; then
		cat "$TMP/build.log" >&2
		echo "Bail out! make -C daemon (and SANITIZE=1) failed"
		exit 1
	fi
}

cleanup() {
	local p ns
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	for ns in $NSS; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "$TMP" ] && rm -rf "$TMP"
}

setup() {
	TMP=$(mktemp -d "/tmp/$TEST.XXXXXX")
	trap cleanup EXIT
	trap 'exit 1' INT TERM
	build
}

# netns NAME: creates namespace $pfx-NAME with loopback up.
netns() {
	local ns=$pfx-$1
	ip netns add "$ns" || { echo "Bail out! cannot create namespace $ns"; exit 1; }
	NSS="$NSS $ns"
	ip -n "$ns" link set lo up
}

# run_in NAME COMMAND...: runs a command in namespace $pfx-NAME.
run_in() {
	local ns=$pfx-$1
	shift
	ip netns exec "$ns" "$@"
}

# veth A IFA ADDRA B IFB ADDRB: a veth pair between two namespaces.
veth() {
	ip link add "$2" netns "$pfx-$1" type veth peer name "$5" netns "$pfx-$4" &&
	ip -n "$pfx-$1" addr add "$3" dev "$2" &&
	ip -n "$pfx-$4" addr add "$6" dev "$5" &&
	ip -n "$pfx-$1" link set "$2" up &&
	ip -n "$pfx-$4" link set "$5" up
}

# bg NAME COMMAND...: runs a command in a namespace in the background.
bg() {
	local ns=$pfx-$1
	shift
	ip netns exec "$ns" "$@" &
	PIDS="$PIDS $!"
	BG_PID=$!
}

# start_daemon NAME CONFIG: runs listenind in a namespace, waits for its socket.
start_daemon() {
	local i
	bg "$1" "$LISTENIND" -c "$2"
	DAEMON_PID=$BG_PID
	export LISTENIND_SOCKET
	LISTENIND_SOCKET=$(sed -n 's/^control_socket *= *//p' "$2")
	for i in $(seq 1 50); do
		[ -S "$LISTENIND_SOCKET" ] && "$LICTL" calls >/dev/null 2>&1 && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "Bail out! listenind did not start"
	exit 1
}

daemon_alive() {
	kill -0 "$DAEMON_PID" 2>/dev/null && "$LICTL" calls >/dev/null
}

# stop_daemon: SIGTERM, and the status listenind exits with.
stop_daemon() {
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID"
}

# pyq EXPR: evaluates a Python expression over the JSON on stdin (as j).
pyq() {
	"$PYTHON" -c '
import json, sys
j = json.load(sys.stdin)
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r))' "$1"
}

# ctl REQUEST_JSON: one raw request on the control socket, reply on stdout.
ctl() {
	"$PYTHON" - "$LISTENIND_SOCKET" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while not buf.endswith(b"\n"):
    d = s.recv(65536)
    if not d:
        break
    buf += d
sys.stdout.write(buf.decode())
EOF
}

stat_of() {
	ctl '{"cmd":"stats"}' | pyq "$1"
}

# poll_states OUT: records "caller_user id state" of every call every 0.1 s,
# over one control connection, until killed.
poll_states() {
	exec "$PYTHON" - "$LISTENIND_SOCKET" >"$1" <<'EOF'
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rwb")
print("ready", "polling", flush=True)
while True:
    f.write(b'{"cmd":"calls"}\n')
    f.flush()
    for c in json.loads(f.readline())["calls"]:
        print(c["caller"]["user"], c["id"], c["state"], flush=True)
    time.sleep(0.1)
EOF
}

# seen_states FILE CALLER_USER: the states observed of that caller's newest
# call, consecutive duplicates merged.
seen_states() {
	awk -v u="$2" '$1 == u { if ($2 + 0 > max) max = $2 + 0; id[NR] = $2; st[NR] = $3 }
		END { for (i = 1; i <= NR; i++) if ((i in st) && id[i] == max) print st[i] }' "$1" |
		uniq | tr '\n' ' ' | sed 's/ $//'
}

# in_order "A B C" "X A Y B C": every word of the first, in order, in the second.
in_order() {
	"$PYTHON" -c '
import sys
want, seen = sys.argv[1].split(), sys.argv[2].split()
it = iter(seen)
sys.exit(0 if all(w in it for w in want) else 1)' "$1" "$2"
}

# rss_kb PID
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# daemon_pid: the listenind process (not the ip netns exec wrapper, which execs it).
daemon_pid() {
	echo "$DAEMON_PID"
}

# call_of CALLER_USER: the JSON of the newest call from that caller.
call_of() {
	local id
	id=$("$LICTL" -j calls | pyq "max([c['id'] for c in j if c['caller']['user'] == '$1'] or [0])")
	[ "$id" != 0 ] && "$LICTL" -j call show "$id"
}

# sipp_pair NAME UAC_NS UAS_NS TARGET UAC_IP UAS_IP: runs scenario NAME
# (with $SIPP_OPTS added to both sides, e.g. "-t t1" for TCP)
# (scenarios/uac_NAME.xml against uas_NAME.xml) while recording the call
# states listenind reports; $TMP/states_NAME holds what was seen.
sipp_pair() {
	local s=$1 uas poller rc urc i t0=$SECONDS
	# shellcheck disable=SC2086
	bg "$3" sipp -sf "$HERE/scenarios/uas_$s.xml" -i "$6" -p 5060 -m 1 \
		${SIPP_OPTS:-} -nostdin -timeout 30s -timeout_error >"$TMP/uas_$s.log" 2>&1
	uas=$BG_PID
	poll_states "$TMP/states_$s" &
	poller=$!
	for i in $(seq 1 100); do
		[ -s "$TMP/states_$s" ] && break
		sleep 0.05
	done
	# shellcheck disable=SC2086
	run_in "$2" sipp "$4" -sf "$HERE/scenarios/uac_$s.xml" -s bob -i "$5" -p 5060 \
		-m 1 ${SIPP_OPTS:-} -nostdin -timeout 30s -timeout_error >"$TMP/uac_$s.log" 2>&1
	rc=$?
	diag "$s: caller done after $((SECONDS - t0)) s"
	wait "$uas"
	urc=$?
	diag "$s: callee done after $((SECONDS - t0)) s"
	sleep 0.5
	kill "$poller"
	wait "$poller" 2>/dev/null
	check "sipp $s: caller (exit $rc) and callee (exit $urc) completed" \
		[ "$((rc + urc))" -eq 0 ]
}

# expect_json WHAT JSON EXPR: a TAP line for a Python expression over JSON.
expect_json() {
	local got
	got=$(printf '%s' "$2" | pyq "$3" 2>&1)
	if [ "$got" = True ] || [ "$got" = true ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "$3 -> $got"
	fi
}

# human_call_ok TEXT UAC_IP UAS_IP: lictl call show's text for the basic call.
human_call_ok() {
	grep -qE "^  caller +alice@$2 \(Alice Caller\)$" <<<"$1" &&
		grep -qE "^    caller_to_callee +audio +$3:50000 rtcp 50001 payloads 0 active$" <<<"$1" &&
		grep -qE "^    callee_to_caller +audio +$2:40000 rtcp 40001 payloads 0,8 active$" <<<"$1" &&
		grep -qE "Z +held +hold$" <<<"$1"
}

# call_scenarios UAC_NS UAS_NS TARGET UAC_IP UAS_IP: the basic, busy and
# cancel calls, each checked state by state against what sipp did.
call_scenarios() {
	local c seen
	sipp_pair basic "$@"
	seen=$(seen_states "$TMP/states_basic" alice)
	diag "basic: states seen while polling: $seen"
	check "basic: polled ringing, answered, held, resumed, ended in order" \
		in_order "ringing answered held resumed ended" "$seen"
	c=$(call_of alice)
	expect_json "basic: history is trying, ringing, answered, held, resumed, ended" "$c" \
		'[h["state"] for h in j["history"]] == ["trying", "ringing", "answered", "held", "resumed", "ended"]'
	expect_json "basic: history events invite, provisional, answer, hold, resume, bye" "$c" \
		'[h["event"] for h in j["history"]] == ["invite", "provisional", "answer", "hold", "resume", "bye"]'
	# The display name's quotes are SIP syntax; the daemon may keep them.
	expect_json "basic: parties alice (Alice Caller) -> bob" "$c" \
		'j["caller"]["user"] == "alice" and j["callee"]["user"] == "bob" and j["caller"]["display"].strip("\"") == "Alice Caller"'
	expect_json "basic: queue and agent from X-Queue, X-Agent" "$c" \
		'j["queue"] == "sales" and j["agent"] == "agent-1001"'
	expect_json "basic: caller to callee media goes to $5:50000" "$c" \
		'[(s["dst"], s["rtp_port"]) for s in j["media"]["caller_to_callee"]] == [("'"$5"'", 50000)]'
	expect_json "basic: callee to caller media goes to $4:40000" "$c" \
		'[(s["dst"], s["rtp_port"]) for s in j["media"]["callee_to_caller"]] == [("'"$4"'", 40000)]'
	expect_json "basic: answered and ended times set, end reason bye" "$c" \
		'j["answered"] is not None and j["ended"] is not None and j["end_reason"] == "bye"'

	sipp_pair busy "$@"
	seen=$(seen_states "$TMP/states_busy" carol)
	diag "busy: states seen while polling: $seen"
	check "busy: polled ringing, then ended" in_order "ringing ended" "$seen"
	c=$(call_of carol)
	expect_json "busy: history trying, ringing, ended; final status 486" "$c" \
		'[h["state"] for h in j["history"]] == ["trying", "ringing", "ended"] and j["final_status"] == 486 and j["end_reason"] == "failure" and j["answered"] is None'
	expect_json "busy: queue support" "$c" 'j["queue"] == "support"'

	sipp_pair cancel "$@"
	seen=$(seen_states "$TMP/states_cancel" erin)
	diag "cancel: states seen while polling: $seen"
	check "cancel: polled ringing, then ended" in_order "ringing ended" "$seen"
	c=$(call_of erin)
	expect_json "cancel: history trying, ringing, ended by cancel, never answered" "$c" \
		'[h["state"] for h in j["history"]] == ["trying", "ringing", "ended"] and j["end_reason"] == "cancel" and j["answered"] is None'

	c=$("$LICTL" call show "$("$LICTL" -j calls | pyq "[c['id'] for c in j if c['caller']['user'] == 'alice'][0]")")
	printf '%s\n' "$c" | sed 's/^/# /'
	check "lictl call show: human form with parties, media and history" \
		human_call_ok "$c" "$4" "$5"
	c=$("$LICTL" calls)
	printf '%s\n' "$c" | sed 's/^/# /'
	check "lictl calls: human table lists the three calls" \
		[ "$(printf '%s\n' "$c" | grep -cE ' (alice|carol|erin)@')" -eq 3 ]
}

# no_sanitizer_report LOG: one TAP line; prints the report when there is one.
no_sanitizer_report() {
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$1"; then
		not_ok "no sanitizer report in listenind's log"
		grep -A30 -E 'AddressSanitizer|LeakSanitizer|runtime error' "$1" | sed 's/^/# /'
	else
		ok "no sanitizer report in listenind's log"
	fi
}
