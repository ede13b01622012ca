#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The listen-in demo, run in the test VM by scripts/demo (make demo): one
# call, one supervisor listening to both of its directions.
#
#      caller                      gateway                      agent
#   192.0.2.1:4000  -- 440 Hz --->  (listenin.ko)  -- 440 Hz --->  198.51.100.1:5000
#   192.0.2.1:4002  <-- 1 kHz ----                <--- 1 kHz ----  198.51.100.1:5002
#                                       |
#                  copies from 203.0.113.254:7000 (caller's voice)
#                          and 203.0.113.254:7002 (agent's voice)
#                                       v
#                          supervisor 203.0.113.1:6000
#                    (wavmix: both directions mixed into a WAV)
#
# Each side of the call sends its own tone, so the supervisor's receiver can
# show that it hears both, each one on the right direction. The supervisor's
# outputs are listen-only: when it tries to talk back, the gateway drops it.
#
# Every namespace is created here (tests/kernel/lib.sh builds them); nothing
# leaves the VM.

. "$(dirname "$0")/../kernel/lib.sh"

SECS=4
TONE_CALLER=440
TONE_AGENT=1000
TONESEND=$TOOLS/tonesend
WAVMIX=$TOOLS/wavmix
failed=0

say() { printf '\n== %s\n' "$*"; }
check() { "$@" || failed=1; }

# gw_lictl ARGS...: runs lictl in the gateway, showing the command line.
gw_lictl() {
	printf 'gateway# lictl %s\n' "$*"
	n_gw "$LICTL" "$@"
}

# wavmix_start NAME NAMESPACE WAVMIX-ARGS...: starts wavmix, returns once bound.
wavmix_start() {
	local name=$1 ns=$2 i
	shift 2
	bg "$name" "$ns" "$WAVMIX" -d 60 -i 2 --ready "$tmp/$name.ready" "$@"
	for i in $(seq 100); do
		[ -e "$tmp/$name.ready" ] && return 0
		kill -0 "$(cat "$tmp/$name.pid")" 2>/dev/null || break
		sleep 0.1
	done
	echo "demo: wavmix $name did not start:" >&2
	cat "$tmp/$name.err" >&2
	return 1
}

# wavmix_report NAME WHO: waits for wavmix NAME to end and shows its report.
wavmix_report() {
	local rc=0
	bg_wait "$1" || rc=$?
	echo "$2:"
	sed 's/^/  /' "$tmp/$1.out" "$tmp/$1.err"
	[ $rc -eq 0 ] || echo "  (not as expected: exit $rc)"
	return $rc
}

[ -d /sys/module/listenin ] || module_load || { echo "demo: cannot load $LISTENIN_KO" >&2; exit 1; }
require_tools
for t in "$TONESEND" "$WAVMIX"; do
	[ -x "$t" ] || { echo "demo: $t is missing: build with make -C tests" >&2; exit 1; }
done

say "Building the network: caller, gateway, agent, supervisor (namespaces)"
topo_setup_or_bail
echo "caller $caller4, agent $agent4, gateway $gwc4 / $gwa4 / $gws4, supervisor $sup14"

say "The gateway's events, as listenind would see them"
bg monitor "$ns_gw" "$LICTL" monitor
sleep 0.5
echo "lictl monitor is running in the gateway"

say "The supervisor asks to listen: one tap, both directions, listen-only"
tap=(--cookie 4242 --idle-timeout 60
	stream "$agent4:5000" from "$caller4:4000" output "$sup14:6000" src "$gws4:7000" listen-only
	stream "$caller4:4002" from "$agent4:5002" output "$sup14:6000" src "$gws4:7002" listen-only)
echo "gateway# lictl tap add ${tap[*]}"
id=$(tap_add "${tap[@]}") || { echo "demo: lictl tap add failed" >&2; exit 1; }
echo "tap $id created"
gw_lictl tap show

say "The call: ${SECS}s of $TONE_CALLER Hz from the caller, $TONE_AGENT Hz from the agent"
check wavmix_start agent_ear "$ns_agent" -o "$tmp/agent.wav" -P 4000 -f "$caller4" \
	-t $TONE_CALLER -e 0.9 "$agent4:5000"
check wavmix_start caller_ear "$ns_caller" -o "$tmp/caller.wav" -P 5000 -f "$agent4" \
	-t $TONE_AGENT -e 0.9 "$caller4:4002"
check wavmix_start supervisor "$ns_sup1" -o "$tmp/supervisor.wav" -P 7000 -f "$gws4" \
	-t $TONE_CALLER -t $TONE_AGENT -e 0.3 "$sup14:6000"
bg agent_talks "$ns_agent" "$TONESEND" -f $TONE_AGENT -d $SECS -s 0xa6e47002 "$agent4:5002" "$caller4:4002"
bg caller_talks "$ns_caller" "$TONESEND" -f $TONE_CALLER -d $SECS -s 0xca11e401 "$caller4:4000" "$agent4:5000"
check bg_wait caller_talks
check bg_wait agent_talks
echo "caller sent: $(cat "$tmp/caller_talks.out")"
echo "agent sent:  $(cat "$tmp/agent_talks.out")"

say "Who heard what (wavmix: energy share of each tone, per direction)"
check wavmix_report agent_ear "the agent (hears the caller only)"
check wavmix_report caller_ear "the caller (hears the agent only)"
check wavmix_report supervisor "the supervisor (hears both, mixed)"
if [ -n "${LISTENIN_OUT:-}" ]; then
	cp "$tmp/supervisor.wav" "$tmp/agent.wav" "$tmp/caller.wav" "$LISTENIN_OUT/" &&
		echo "what each one heard is saved as supervisor.wav, agent.wav and caller.wav"
fi

say "The supervisor tries to speak into the call: the gateway drops it"
check recv_start gw_port "$ns_gw" --expect-none "$gws4:7000"
check send "$ns_sup1" -c 20 -r 50 -s 0x5b5b0001 "$sup14:6000" "$gws4:7000"
check recv_check gw_port
gw_lictl tap show "$id"

say "Counters: this namespace and the whole module (lictl stats)"
gw_lictl stats

say "The same global counters in sysfs (/sys/kernel/listenin)"
for f in "$SYSFS"/*; do
	printf '%-20s %s\n' "${f##*/}" "$(cat "$f")"
done

say "The supervisor hangs up"
gw_lictl tap del "$id"
sleep 0.5
bg_stop monitor
echo "events seen by lictl monitor:"
sed 's/^/  /' "$tmp/monitor.out"

cleanup
if [ "$failed" -eq 0 ]; then
	say "Demo complete: the supervisor heard both sides, the call never heard the supervisor"
	exit 0
fi
say "Demo FAILED: an expectation above was not met"
exit 1
