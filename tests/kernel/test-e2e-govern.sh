#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Governance around running sessions, against the real module: live packet
# counts in lictl sessions; a kernel flush (lictl tap flush) and listenind's
# own admin flush (lictl stop --all) audited as admin_flush; the agent
# notice of a site with notice = event, refused while nobody watches and
# announced to a lictl watch subscriber; the access review flagging users
# the audit trail has never seen.
# listenin: timeout=420

cd "$(dirname "$0")/../.." || exit 1
. tests/kernel/lib.sh
. tests/e2e/lib.sh

CID=govern-call-1@192.0.2.1

e2e_begin 22

# sup USER ARGS...: lictl as USER.
sup() {
	local u=$1
	shift
	as "$u" "$LICTL" "$@"
}
# listen_as USER: starts a session on the call; prints the reply.
listen_as() {
	sup "$1" -j listen "$call" --to $sup14:6000 --reason qa 2>&1
}
# session_copies ID: copies of session ID in lictl -j sessions (root).
session_copies() {
	"$LICTL" -j sessions | jq -er --argjson s "$1" '.[] | select(.session == $s) | .counters.copies'
}
sessions_gone() {
	local i
	for i in $(seq 50); do
		[ "$("$LICTL" -j sessions | jq length)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
last_record() {
	"$LICTL" -j audit export --event "$1" | tail -n 1
}
# refused WHAT TEXT USER ARGS...: lictl as USER must fail saying TEXT.
refused() {
	local what=$1 text=$2 out rc=0
	shift 2
	out=$(sup "$@" 2>&1) || rc=$?
	diag "$1\$ lictl ${*:2}: $out"
	if [ "$rc" -ne 0 ] && [[ $out == *"$text"* ]]; then
		ktap_result ok "$what"
	else
		ktap_result fail "$what"
	fi
}

check "listenind starts; a call of the sales queue is up" \
	eval 'e2e_daemon_start && e2e_call_start "$CID" sales 1001'
call=$(e2e_call_field "$CID" .id)

# --- live counters ---------------------------------------------------------
out=$(listen_as sup-sales)
diag "sup-sales: lictl -j listen: $out"
s1=$(jq -r .session <<<"$out" 2>/dev/null)
t1=$(jq -r .tap <<<"$out" 2>/dev/null)
sleep 1
c1=$(session_copies "$s1" 2>/dev/null || echo 0)
sleep 2
c2=$(session_copies "$s1" 2>/dev/null || echo 0)
k=$(tap_counter "$t1" copies 2>/dev/null || echo 0)
diag "session $s1: copies $c1, 2 s later $c2; the kernel's tap $t1 now $k"
check "lictl -j sessions shows live copies that grow while media flows" \
	eval '[ "$c1" -gt 0 ] && [ "$c2" -gt "$c1" ] && [ "$k" -ge "$c2" ]'
"$LICTL" sessions | sed 's/^/# /'
check "lictl sessions prints copies, bytes and failures" \
	eval '"$LICTL" sessions | grep -q "COPIES *COPY_BYTES *FAILED" &&
	      [ "$("$LICTL" -j sessions | jq ".[0].counters.copy_failures")" = 0 ]'

# --- admin flush: the kernel's ---------------------------------------------
n_gw "$LICTL" tap flush | sed 's/^/# lictl tap flush: /'
check "lictl tap flush ends the session" sessions_gone
flush=$(last_record admin_flush)
diag "admin_flush: $flush"
check "one admin_flush record: a kernel flush that ended 1 session" \
	quiet jq -e '(.detail | contains("kernel flush")) and (.detail | contains("1 session ended"))' <<<"$flush"
stop=$(e2e_stop_record "$s1")
diag "session_stop: $stop"
check "the session stopped as admin_flush with its kernel counters" \
	quiet jq -e '.end_cause == "admin_flush" and .packets > 0' <<<"$stop"

# --- admin flush: listenind's ----------------------------------------------
out=$(listen_as sup-sales)
s2=$(jq -r .session <<<"$out" 2>/dev/null)
diag "sup-sales: session $s2"
refused "sup-sales may not stop every session" "for administrators" \
	sup-sales stop --all
check "and the refusal is audited as a denial" \
	quiet jq -e '.user == "sup-sales" and (.rule | contains("admin flush"))' <<<"$(last_record denial)"
sleep 1
out=$("$LICTL" -j stop --all --note "e2e incident 7" 2>&1)
diag "root: lictl -j stop --all: $out"
check "root stops every session; the taps are gone" \
	eval '[ "$(jq -r .stopped <<<"$out")" = 1 ] && [ "$(tap_count)" = 0 ]'
flush=$(last_record admin_flush)
diag "admin_flush: $flush"
check "admin_flush names root and the note, written before the stops" \
	quiet jq -e --argjson s "$(jq .audit_seq <<<"$out")" \
	'.user == "root" and .reason_text == "e2e incident 7" and .seq == $s' <<<"$flush"
check "the session stopped as admin_flush with packets copied" \
	quiet jq -e '.end_cause == "admin_flush" and .packets > 0' <<<"$(e2e_stop_record "$s2")"

# --- agent notice ----------------------------------------------------------
reloads=$("$LICTL" -j audit export --event policy_reload | wc -l)
sed -i 's/^notice = none/notice = event/' "$E2E_RUN/policy.conf"
kill -HUP "$e2e_daemon_pid"
for _ in $(seq 50); do
	[ "$("$LICTL" -j audit export --event policy_reload | wc -l)" -gt "$reloads" ] && break
	sleep 0.1
done
refused "with notice = event and nobody watching, listen is refused" "requires an agent notice" \
	sup-sales listen "$call" --to $sup14:6000 --reason qa
check "and that refusal is audited" \
	quiet jq -e '.decision == "deny" and (.rule | contains("no notice subscriber"))' <<<"$(last_record denial)"
refused "sup-sales may not watch agent notices" "for administrators and the notice group" \
	sup-sales watch
bg e2e-watch "$ns_gw" "$LICTL" -j watch
for _ in $(seq 50); do
	grep -q '"watching"' "$tmp/e2e-watch.out" 2>/dev/null && break
	sleep 0.1
done
out=$(listen_as sup-sales)
diag "sup-sales: lictl -j listen: $out"
s3=$(jq -r .session <<<"$out" 2>/dev/null)
check "with a subscriber the session starts" quiet jq -e '.notice == "event" and .session > 0' <<<"$out"
sleep 1
sup sup-sales stop "$s3" | sed 's/^/# /'
sleep 0.5
bg_stop e2e-watch
diag_file "$tmp/e2e-watch.out"
# notices_ok SESSION: the watch output holds started then stopped for SESSION,
# with the call and the agent's extension, without the supervisor.
notices_ok() {
	jq -se --argjson s "$1" --arg cid "$CID" '[.[] | select(.session == $s)] |
		length == 2 and .[0].state == "started" and .[1].state == "stopped" and
		all(.[]; .call_id == $cid and .extension == "1001" and (has("user") | not) and
		    (has("uid") | not))' "$tmp/e2e-watch.out" >/dev/null
}
notices_audited() {
	e2e_audit_json "$1" | jq -e '.detail | contains("agent notice \"started\" sent to 1")' >/dev/null &&
		e2e_stop_record "$1" | jq -e '.detail | contains("agent notice \"stopped\"")' >/dev/null
}
check "the subscriber got started then stopped, with call and extension, without the supervisor" \
	notices_ok "$s3"
check "session_start and session_stop record the notices" notices_audited "$s3"
check "and listenind logged them" grep -q "agent notice: session $s3 started" "$tmp/listenind.log"
sed -i 's/^notice = event/notice = none/' "$E2E_RUN/policy.conf"
kill -HUP "$e2e_daemon_pid"

# --- access review ---------------------------------------------------------
review=$("$LICTL" -j access review --inactive-days 30)
diag "access review users: $(jq -c '[.users[] | {user, never_seen, inactive, days_unseen}], .inactive' <<<"$review")"
check "the access review flags sup-support, never seen, and not sup-sales" \
	quiet jq -e '(.inactive | index("sup-support") != null) and (.inactive | index("sup-sales") == null) and
		(.users[] | select(.user == "sup-sales") | .never_seen == false and .last_seen_ms > 0)' <<<"$review"
"$LICTL" access review | tail -n 6 | sed 's/^/# /'
check "lictl access review prints the flag" eval '"$LICTL" access review | grep -q "sup-support.*NEVER SEEN"'
check "--inactive-days 0 flags nobody" \
	quiet jq -e '.inactive == []' <<<"$("$LICTL" -j access review --inactive-days 0)"

check "the audit trail verifies" quiet "$LICTL" audit verify

e2e_talk_stop
e2e_daemon_stop
ktap_finish
