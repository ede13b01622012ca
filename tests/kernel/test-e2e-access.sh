#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Supervisors are ordinary Unix users: the kernel refuses them every tap
# command (CAP_NET_ADMIN), so the only way to a call's media is listenind,
# which decides with the policy and audits. An account outside the control
# socket's group cannot even ask; a supervisor cannot read the audit trail
# or stop another's session, and can stop their own.
# listenin: timeout=300

cd "$(dirname "$0")/../.." || exit 1
. tests/kernel/lib.sh
. tests/e2e/lib.sh

CID=access-call-1@192.0.2.1

e2e_begin 11

# user USER [NETNS] COMMAND...: runs COMMAND as USER, in the gateway.
user() {
	local u=$1
	shift
	ip netns exec "$ns_gw" setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"
}

# refused WHAT TEXT USER COMMAND...: one TAP line; the command must fail saying TEXT.
refused() {
	local what=$1 text=$2 out rc=0
	shift 2
	out=$(user "$@" 2>&1) || rc=$?
	diag "$1\$ ${*:2}" | sed 's#[^ ]*/daemon/build/##'
	printf '%s\n' "$out" | sed 's/^/#   /'
	if [ "$rc" -ne 0 ] && [[ $out == *"$text"* ]]; then
		ktap_result ok "$what"
	else
		diag "exit status $rc; expected a failure saying: $text"
		ktap_result fail "$what"
	fi
}

check "listenind starts; a call of the sales queue is up" \
	eval 'e2e_daemon_start && e2e_call_start "$CID" sales 1001'
call=$(e2e_call_field "$CID" .id)

refused "sup-sales cannot list the kernel's taps" "permission denied" \
	sup-sales "$LICTL" tap show
refused "sup-sales cannot add a tap of their own" "permission denied" \
	sup-sales "$LICTL" tap add stream $agent4:50000 output $sup14:6000 src $gws4:7000
refused "sup-sales cannot read the kernel's counters" "permission denied" \
	sup-sales "$LICTL" stats
refused "nosup, outside the control socket's group, cannot ask listenind" "permission denied" \
	nosup "$LICTL" calls

out=$(user sup-sales "$LICTL" -j listen "$call" --to $sup14:6000 --reason qa 2>&1)
diag "sup-sales\$ lictl -j listen $call --to $sup14:6000 --reason qa: $out"
session=$(jq -r .session <<<"$out" 2>/dev/null)
tap=$(jq -r .tap <<<"$out" 2>/dev/null)
check "sup-sales listens through listenind" [ "$(tap_json "$tap" 2>/dev/null | jq -r .cookie)" = "$session" ]
sleep 1
check "copies flow to sup-sales" [ "$(tap_counter "$tap" copies 2>/dev/null || echo 0)" -gt 0 ]

refused "sup-sales cannot read the audit trail" "for administrators" \
	sup-sales "$LICTL" audit list
refused "sup-support cannot stop sup-sales's session" "not yours" \
	sup-support "$LICTL" stop "$session"
out=$(user sup-sales "$LICTL" stop "$session" 2>&1)
diag "sup-sales\$ lictl stop $session: $out"
check "sup-sales stops their own session; the tap is gone" \
	eval '[ "$(tap_count)" = 0 ] && [ "$(e2e_stop_record "$session" | jq -r .end_cause)" = stopped ]'
check "the audit trail verifies" "$LICTL" audit verify

e2e_talk_stop
e2e_daemon_stop
ktap_finish
