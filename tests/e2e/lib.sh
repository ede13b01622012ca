# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The end-to-end story's pieces, for tests/demo/story.sh and
# tests/kernel/test-e2e-*.sh (in the test VM, as root, module loaded, the
# repository as the current directory). Source tests/kernel/lib.sh first:
# its topology is the story's, with listenind in the gateway namespace.
#
#   caller 192.0.2.1 (sipp UAC, tonesend 440 Hz from :40000)
#      |                                   gateway: listenin.ko, listenind
#   gateway (routes, captures SIP on gc and ga; copies from 203.0.113.254)
#      |
#   agent 198.51.100.1 (sipp UAS, tonesend 1000 Hz from :50000)
#   supervisors' LAN: sup1 203.0.113.1 (sup-sales), sup2 203.0.113.2 (sup-support)
#
# The guest's /etc is the host's, read-only; the supervisors' accounts are
# added by bind-mounting extended copies of /etc/passwd and /etc/group over
# the originals for the duration of the test (e2e_cleanup unmounts them).

E2E=$PWD/tests/e2e
E2E_RUN=/run/listenin-e2e
LISTENIND=${LISTENIND:-$PWD/daemon/build/listenind}
TONESEND=$TOOLS/tonesend
WAVMIX=$TOOLS/wavmix
export LISTENIND_SOCKET=$E2E_RUN/ctl/control.sock
E2E_CALLER_HZ=440
E2E_AGENT_HZ=1000
e2e_daemon_pid=
e2e_mounted=

eval "kernel_$(declare -f cleanup)"
cleanup() {
	e2e_cleanup
	kernel_cleanup
}

e2e_require() {
	local t
	require_root
	require_tools
	for t in "$LISTENIND" "$TONESEND" "$WAVMIX"; do
		[ -x "$t" ] || skip_all "$t is missing: build with make -C daemon && make -C tests"
	done
	for t in sipp sqlite3 setpriv; do
		command -v $t >/dev/null || skip_all "$t is missing: run scripts/install-deps"
	done
	[ -n "${LISTENIN_VM:-}" ] || skip_all "runs in the test VM only (it mounts over /etc/passwd)"
}

# The supervisors' accounts, the daemon's directories and policy.
e2e_setup() {
	rm -rf "$E2E_RUN"
	mkdir -p "$E2E_RUN/etc" "$E2E_RUN/ctl" || return 1
	install -d -m 0700 "$E2E_RUN/audit" "$E2E_RUN/keys" || return 1
	{
		grep -v -E '^(sup-sales|sup-support|nosup):' /etc/passwd
		echo "sup-sales:x:2001:2001:Sales supervisor:/nonexistent:/usr/sbin/nologin"
		echo "sup-support:x:2002:2002:Support supervisor:/nonexistent:/usr/sbin/nologin"
		echo "nosup:x:2003:2003:Not a supervisor:/nonexistent:/usr/sbin/nologin"
	} >"$E2E_RUN/etc/passwd"
	{
		grep -v -E '^(sup-sales|sup-support|nosup|listenin|listenin-admins):' /etc/group
		echo "sup-sales:x:2001:"
		echo "sup-support:x:2002:"
		echo "nosup:x:2003:"
		echo "listenin:x:2100:sup-sales,sup-support"
		echo "listenin-admins:x:2101:"
	} >"$E2E_RUN/etc/group"
	chmod 644 "$E2E_RUN/etc/passwd" "$E2E_RUN/etc/group"
	mount --bind "$E2E_RUN/etc/passwd" /etc/passwd || return 1
	e2e_mounted="/etc/passwd"
	mount --bind "$E2E_RUN/etc/group" /etc/group || return 1
	e2e_mounted="/etc/group $e2e_mounted"
	cp "$E2E/policy.conf" "$E2E_RUN/policy.conf"
	id sup-sales >/dev/null && id sup-support >/dev/null
}

e2e_cleanup() {
	local m
	e2e_daemon_stop
	bg_stop_all
	for m in $e2e_mounted; do
		umount "$m" 2>/dev/null
	done
	e2e_mounted=
	rm -rf "$E2E_RUN"
	return 0
}

# The story's processes (sipp, tonesend, wavmix) are tests/kernel/lib.sh's
# bg processes named e2e-*: $tmp/e2e-NAME.out holds NAME's output.

# e2e_begin N: the start of an e2e test of N results: the module, the
# tools, the plan, the topology and the supervisors' accounts (or bail out).
e2e_begin() {
	require_module
	e2e_require
	ktap_plan "$1"
	topo_setup_or_bail
	e2e_setup || { echo "Bail out! cannot add the supervisors' accounts"; exit 1; }
}

# check WHAT COMMAND...: one result, ok when COMMAND succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ktap_result ok "$what"; else ktap_result fail "$what"; fi
}

# quiet COMMAND...: COMMAND without its output.
quiet() {
	"$@" >/dev/null 2>&1
}

# --- listenind -------------------------------------------------------------

# Starts listenind in the gateway and waits until it answers.
e2e_daemon_start() {
	local i
	ip netns exec "$ns_gw" "$LISTENIND" -c "$E2E/listenind.conf" >>"$tmp/listenind.log" 2>&1 &
	e2e_daemon_pid=$!
	for i in $(seq 100); do
		[ -S "$LISTENIND_SOCKET" ] && "$LICTL" calls >/dev/null 2>&1 && return 0
		kill -0 "$e2e_daemon_pid" 2>/dev/null || break
		sleep 0.1
	done
	diag "listenind did not start:"
	diag_file "$tmp/listenind.log"
	return 1
}

e2e_daemon_stop() {
	[ -n "$e2e_daemon_pid" ] || return 0
	kill -TERM "$e2e_daemon_pid" 2>/dev/null
	wait "$e2e_daemon_pid" 2>/dev/null
	e2e_daemon_pid=
}

# The daemon dies without a word, as in a crash.
e2e_daemon_kill() {
	kill -KILL "$e2e_daemon_pid" && wait "$e2e_daemon_pid" 2>/dev/null
	e2e_daemon_pid=
	return 0
}

# as USER COMMAND...: runs COMMAND as an ordinary user, with that user's groups.
as() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"
}

# --- the call --------------------------------------------------------------

# e2e_call_start CID QUEUE AGENT: the caller calls the agent (Call-ID CID,
# X-Queue QUEUE, X-Agent AGENT) and both start talking: tones from the
# ports of their SDP to the other's. Prints nothing; waits for the answer.
e2e_call_start() {
	local cid=$1 queue=$2 agent=$3
	bg e2e-uas "$ns_agent" sipp -sf "$E2E/uas_story.xml" -i $agent4 -p 5060 -m 1 \
		-cid_str "$cid" -nostdin -timeout 300s -timeout_error
	sleep 0.5
	bg e2e-uac "$ns_caller" sipp $agent4:5060 -sf "$E2E/uac_story.xml" -s "$agent" \
		-i $caller4 -p 5060 -m 1 -cid_str "$cid" -key queue "$queue" -key agent "$agent" \
		-nostdin -timeout 300s -timeout_error
	e2e_call_wait "$cid" answered || return 1
	bg e2e-talk_caller "$ns_caller" "$TONESEND" -f $E2E_CALLER_HZ -s 0xca11e401 -d 600 \
		$caller4:40000 $agent4:50000
	bg e2e-talk_agent "$ns_agent" "$TONESEND" -f $E2E_AGENT_HZ -s 0xa6e47002 -d 600 \
		$agent4:50000 $caller4:40000
}

# e2e_call_field CID JQ: a field of the call with Call-ID CID in lictl -j calls.
e2e_call_field() {
	"$LICTL" -j calls | jq -er --arg cid "$1" \
		"(if type == \"array\" then . else .calls end)[] | select(.call_id == \$cid) | $2"
}

# e2e_call_wait CID STATE: waits up to 20 s for the call to reach STATE.
e2e_call_wait() {
	local i
	for i in $(seq 200); do
		[ "$(e2e_call_field "$1" .state 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	diag "call $1 did not reach state $2 (now: $(e2e_call_field "$1" .state 2>/dev/null))"
	diag_file "$tmp/e2e-uac.out"
	diag_file "$tmp/e2e-uas.out"
	return 1
}

# e2e_transfer CID QUEUE: the agent transfers the call (REFER) to QUEUE;
# waits until listenind has seen it.
e2e_transfer() {
	local i
	ip netns exec "$ns_agent" sipp $caller4:5060 -sf "$E2E/refer_story.xml" -s 1001 \
		-i $agent4 -p 5070 -m 1 -cid_str "$1" -key queue "$2" -nostdin \
		-timeout 30s -timeout_error >"$tmp/refer.out" 2>&1 ||
		{ diag "sipp REFER failed:"; diag_file "$tmp/refer.out"; return 1; }
	for i in $(seq 100); do
		e2e_call_field "$1" '[.history[].state] | index("transferred") != null' 2>/dev/null |
			grep -qx true && return 0
		sleep 0.1
	done
	diag "listenind did not see the transfer of $1"
	return 1
}

# e2e_talk_stop: both sides stop talking.
e2e_talk_stop() {
	bg_stop e2e-talk_caller
	bg_stop e2e-talk_agent
	return 0
}

# --- the supervisor's ear --------------------------------------------------

# e2e_ear_start NAME NAMESPACE ADDR:PORT: wavmix in NAMESPACE, writing
# $tmp/NAME.wav, stopping 3 s after the copies stop.
e2e_ear_start() {
	local name=$1 ns=$2 i
	rm -f "$tmp/$name.ready"
	bg "e2e-$name" "$ns" "$WAVMIX" -o "$tmp/$name.wav" -d 600 -i 3 \
		-t $E2E_CALLER_HZ -t $E2E_AGENT_HZ -e 0.2 -w "$tmp/$name.ready" "$3"
	for i in $(seq 100); do
		[ -e "$tmp/$name.ready" ] && return 0
		sleep 0.1
	done
	diag "wavmix $name did not start"
	diag_file "$tmp/e2e-$name.err"
	return 1
}

# e2e_ear_tone NAME HZ DIRECTION: the share of HZ in DIRECTION's audio.
e2e_ear_tone() {
	awk -v hz="$2" -v d="$3" '$1 == "tone" && $2 == "hz=" hz {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == d) print kv[2] } }' \
		"$tmp/e2e-$1.out"
}

# --- audit -----------------------------------------------------------------

# e2e_audit_json SEQ: one audit record as JSON (root).
e2e_audit_json() {
	"$LICTL" -j audit show "$1"
}

# e2e_stop_record SESSION: the session_stop record of SESSION (JSON), if any.
e2e_stop_record() {
	"$LICTL" -j audit export --event session_stop |
		jq -c --argjson s "$1" 'select(.session == $s)' | tail -n 1
}
