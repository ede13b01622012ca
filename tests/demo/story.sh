#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The listen-in story, end to end, in the test VM (scripts/demo runs it;
# tests/kernel/test-e2e-flow.sh runs it as a test):
#
#  1. a customer calls the sales queue: SIP (sipp) through the gateway,
#     media both ways (caller 440 Hz, agent 1000 Hz, PCMU);
#  2. listenind, capturing SIP on the gateway, knows the call: lictl calls;
#  3. sup-sales, an ordinary Unix user in the sales grant, runs lictl listen:
#     the copies of both directions reach 203.0.113.1, where wavmix mixes
#     them into a WAV file that must hold both tones;
#  4. sup-support, whose grant covers the support queue only, is refused,
#     and the refusal names the rule; nor can they reach the kernel directly;
#  5. the agent transfers the call to the support queue (REFER with the new
#     X-Queue): listenind re-decides and ends the session as out_of_scope;
#  6. the audit trail is printed and its hash chain verified.
#
# Every step prints what it does and a TAP line (ok / not ok); exit 0 when
# every check held. With $LISTENIN_OUT (vm-run --out), what sup-sales heard
# is kept there as story-sup-sales.wav. Needs the module (loaded here if it is not), the
# programs (make -C daemon, make -C tests), sipp, jq, sqlite3, setpriv.

cd "$(dirname "$0")/../.." || exit 1
. tests/kernel/lib.sh
. tests/e2e/lib.sh

CID=story-call-1@192.0.2.1
SUP1_TO=$sup14:6000
SUP2_TO=$sup24:6000

say() { printf '\n== %s\n' "$*"; }
# run WHO COMMAND...: shows a command line as WHO would type it, runs it.
run() {
	local who=$1
	shift
	local line=$who a
	for a in "$@"; do
		case $a in *" "*) line+=" \"$a\"" ;; *) line+=" $a" ;; esac
	done
	printf '%s\n' "$line" |
		sed 's#[^ ]*/daemon/build/##; s#^\([^ ]* \)\(n_gw\|as [^ ]*\) #\1#'
	"$@"
}
# failed_with STATUS OUTPUT TEXT: the command failed and said TEXT.
failed_with() {
	[ "$1" -ne 0 ] && [[ $2 == *"$3"* ]]
}

[ -d /sys/module/listenin ] || module_load || { echo "story: cannot load $LISTENIN_KO" >&2; exit 1; }
e2e_require

ktap_plan 15

say "The network: caller, gateway, agent, supervisors' LAN (namespaces)"
topo_setup_or_bail
echo "caller $caller4, agent $agent4, gateway $gwc4 / $gwa4 / $gws4"
echo "supervisors: sup-sales at $sup14, sup-support at $sup24"
e2e_setup || { echo "Bail out! cannot add the supervisors' accounts"; exit 1; }
getent passwd sup-sales sup-support | sed 's/^/  account /'

say "listenind on the gateway: SIP capture on gc and ga, the policy, the audit trail"
sed -n '/^\[grant/,$p' "$E2E_RUN/policy.conf"
check "listenind starts with capture, policy and audit" e2e_daemon_start

say "1. A customer calls the sales queue; both sides talk (caller $E2E_CALLER_HZ Hz, agent $E2E_AGENT_HZ Hz)"
check "the call is set up through the gateway (sipp)" e2e_call_start "$CID" sales 1001

say "2. listenind learned the call from the SIP it captured"
run root@gateway# "$LICTL" calls
call=$(e2e_call_field "$CID" .id)
check "listenind shows call $call answered, queue sales, agent 1001" \
	[ "$(e2e_call_field "$CID" '"\(.state) \(.queue) \(.agent)"')" = "answered sales 1001" ]

say "3. sup-sales listens (an ordinary user: no capability, only the control socket)"
e2e_ear_start ear1 "$ns_sup1" "$SUP1_TO" || true
run sup-sales@sup1$ as sup-sales "$LICTL" listen "$call" --to "$SUP1_TO" --reason complaint \
	--note "ticket 4711" | tee "$tmp/listen.out"
session=$(sed -n 's/^session \([0-9]*\):.*/\1/p' "$tmp/listen.out")
check "sup-sales's request is allowed: session $session" [ -n "$session" ]
run sup-sales@sup1$ as sup-sales "$LICTL" sessions
run root@gateway# n_gw "$LICTL" tap show
sleep 3

say "4. sup-support asks for the same call: outside their scope"
out=$(as sup-support "$LICTL" listen "$call" --to "$SUP2_TO" --reason qa 2>&1)
rc=$?
printf 'sup-support@sup2$ lictl listen %s --to %s --reason qa\n%s\n' "$call" "$SUP2_TO" "$out"
check "sup-support is denied, and told the rule" \
	failed_with "$rc" "$out" 'denied: grant "support": queue "sales" outside scope (support)'
out=$(n_gw setpriv --reuid=sup-support --regid=sup-support --init-groups -- "$LICTL" tap show 2>&1)
rc=$?
printf 'sup-support@gateway$ lictl tap show\n%s\n' "$out"
check "sup-support cannot go around listenind to the kernel" \
	failed_with "$rc" "$out" "permission denied"

say "5. The agent transfers the call to the support queue (REFER, X-Queue: support)"
check "listenind sees the transfer" e2e_transfer "$CID" support
for _ in $(seq 50); do
	[ "$("$LICTL" -j sessions | jq length)" = 0 ] && break
	sleep 0.1
done
run root@gateway# "$LICTL" sessions
check "sup-sales's session ended at the transfer" [ "$("$LICTL" -j sessions | jq length)" = 0 ]
stop=$(e2e_stop_record "$session")
diag "session_stop: $stop"
check "the audit says why: out_of_scope, queue support outside the grant" \
	quiet jq -e '.end_cause == "out_of_scope" and (.detail | contains("queue \"support\" outside scope"))' <<<"$stop"
check "its tap is gone from the kernel" [ "$(tap_count)" = 0 ]

say "What sup-sales heard ($tmp/ear1.wav)"
e2e_ear_rc=0
[ -n "$session" ] || bg_stop e2e-ear1	# no session, no copies: do not wait for them
bg_wait e2e-ear1 || e2e_ear_rc=$?
cat "$tmp/e2e-ear1.out"
diag_file "$tmp/e2e-ear1.err"
check "the WAV file holds both tones, each well above any other frequency" \
	[ "$e2e_ear_rc" -eq 0 ]
if [ -n "${LISTENIN_OUT:-}" ] && [ -s "$tmp/ear1.wav" ]; then
	cp "$tmp/ear1.wav" "$LISTENIN_OUT/story-sup-sales.wav" &&
		echo "(kept as story-sup-sales.wav in the demo's output folder)"
fi
c2c=$(e2e_ear_tone ear1 $E2E_CALLER_HZ caller_to_callee)
a2c=$(e2e_ear_tone ear1 $E2E_AGENT_HZ callee_to_caller)
check "caller's $E2E_CALLER_HZ Hz came from port P, agent's $E2E_AGENT_HZ Hz from P+2" \
	awk -v a="$c2c" -v b="$a2c" 'BEGIN { exit !(a > 0.9 && b > 0.9) }'
e2e_talk_stop
check "the call ends with the caller's BYE" e2e_call_wait "$CID" ended
bg_wait e2e-uac >/dev/null 2>&1
bg_wait e2e-uas >/dev/null 2>&1

say "6. The audit trail, and its verification"
run root@gateway# "$LICTL" audit list
run root@gateway# "$LICTL" audit verify
check "the audit trail verifies" quiet "$LICTL" audit verify
check "it holds the start, the denial and the stop" \
	eval '"$LICTL" -j audit list | jq -e "[.[].event] as \$e | all(\"session_start\", \"denial\", \"session_stop\"; . as \$x | \$e | index(\$x) != null)" >/dev/null'

e2e_daemon_stop
if grep -qE 'AddressSanitizer|runtime error' "$tmp/listenind.log"; then
	diag_file "$tmp/listenind.log"
	ktap_failed=$((ktap_failed + 1))
fi
ktap_finish
