#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# listenind dies (kill -9) in the middle of a monitoring session: the tap
# stays in the kernel and keeps copying; the next listenind deletes it at
# start and audits it (daemon_restart), and the session_start record the
# supervisor was acknowledged with is still in the trail, which verifies.
# Then the trail is tampered with (a record's queue changed with sqlite3,
# the append-only trigger dropped, the daemon stopped): lictl audit verify
# names the record.
# listenin: timeout=400

cd "$(dirname "$0")/../.." || exit 1
. tests/kernel/lib.sh
. tests/e2e/lib.sh

CID=restart-call-1@192.0.2.1
DB=$E2E_RUN/audit/audit.db

e2e_begin 10

is_num() {
	[[ $1 =~ ^[0-9]+$ ]] && [[ $2 =~ ^[0-9]+$ ]]
}
check "listenind starts" e2e_daemon_start
check "a call of the sales queue is up, media both ways" e2e_call_start "$CID" sales 1001
call=$(e2e_call_field "$CID" .id)
out=$(setpriv --reuid=sup-sales --regid=sup-sales --init-groups -- \
	"$LICTL" -j listen "$call" --to $sup14:6000 --reason qa 2>&1)
diag "lictl listen: $out"
session=$(jq -r .session <<<"$out" 2>/dev/null)
tap=$(jq -r .tap <<<"$out" 2>/dev/null)
check "sup-sales listens: session $session, tap $tap" is_num "$session" "$tap"

e2e_daemon_kill
c1=$(tap_counter "$tap" copies 2>/dev/null || echo 0)
sleep 2
c2=$(tap_counter "$tap" copies 2>/dev/null || echo 0)
diag "after kill -9: tap $tap copies $c1, 2 s later $c2"
check "kill -9 leaves the tap in the kernel, still copying" [ "$c2" -gt "$c1" ]

check "listenind starts again" e2e_daemon_start
for _ in $(seq 50); do
	[ "$(tap_count)" = 0 ] && break
	sleep 0.1
done
check "at start it deleted the orphan tap" [ "$(tap_count)" = 0 ]
grep -E 'daemon_restart|previous run' "$tmp/listenind.log" | sed 's/^/# /'
stop=$(e2e_stop_record "$session")
diag "session_stop: $stop"
check "and audited it: session_stop, end cause daemon_restart, packets copied" \
	quiet jq -e --argjson t "$tap" '.end_cause == "daemon_restart" and .packets > 0 and
		(.detail | contains("tap \($t) left by a previous run"))' <<<"$stop"
start=$(e2e_audit_json "$session")
diag "session_start: $start"
check "the acknowledged session_start record is there" \
	quiet jq -e '.event == "session_start" and .user == "sup-sales" and .reason == "qa"' <<<"$start"
"$LICTL" audit verify | sed 's/^/# /'
check "the trail verifies" quiet "$LICTL" audit verify

e2e_talk_stop
e2e_daemon_stop
sqlite3 "$DB" "DROP TRIGGER audit_no_update; UPDATE audit SET queue = 'support' WHERE seq = $session;" 2>&1 |
	sed 's/^/# sqlite3: /'
diag "record $session now: $(sqlite3 "$DB" "SELECT seq, event, sup_user, queue FROM audit WHERE seq = $session")"
e2e_daemon_start
out=$("$LICTL" audit verify 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
check "lictl audit verify finds the altered record $session" \
	eval '[ $rc -eq 1 ] && [[ $out == *"BROKEN at seq $session:"* ]] && [[ $out == *"record $session fails its MAC"* ]]'
e2e_daemon_stop
ktap_finish
