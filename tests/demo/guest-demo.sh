#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The listen-in demo, run in the test VM by scripts/demo (make demo): one
# call, one supervisor listening to both directions of it.
#
#      caller                      gateway                      agent
#   192.0.2.1:4000  ---- RTP ---->  (listenin.ko)  ---- RTP ---->  198.51.100.1:5000
#   192.0.2.1:4002  <--- RTP -----                <---- RTP -----  198.51.100.1:5002
#                                       |
#                       copies from 203.0.113.254:7000 and :7002
#                                       v
#                                   supervisor
#                      203.0.113.1:6000 (caller's voice)
#                      203.0.113.1:6002 (agent's voice)
#
# The caller sends a 1 kHz tone, the agent rtpsend's numbered test pattern
# (payload type 8), so the supervisor's two receivers can tell which side
# they hear and check every byte. The supervisor's output is listen-only:
# when it tries to talk back, the gateway drops its packets.
#
# Every namespace is created here (tests/kernel/lib.sh builds them); nothing
# leaves the VM.

. "$(dirname "$0")/../kernel/lib.sh"

N=150		# packets each way: 3 s of 20 ms frames
RATE=50
S_CALLER=0xca11e401
S_AGENT=0xa6e47002
failed=0

say() { printf '\n== %s\n' "$*"; }
# gw_lictl ARGS...: runs lictl in the gateway, showing the command line.
gw_lictl() {
	printf 'gateway# lictl %s\n' "$*"
	n_gw "$LICTL" "$@"
}
check() { "$@" || failed=1; }

[ -d /sys/module/listenin ] || module_load || { echo "demo: cannot load $LISTENIN_KO" >&2; exit 1; }
require_tools

say "Building the network: caller, gateway, agent, supervisor (namespaces)"
topo_setup_or_bail
echo "caller $caller4, agent $agent4, gateway $gwc4 / $gwa4 / $gws4, supervisor $sup14"

say "The gateway's events, as listenind would see them"
bg monitor "$ns_gw" "$LICTL" monitor
sleep 0.5

say "Supervisor asks to listen: one tap, both directions, listen-only"
tap=(--cookie 4242 --idle-timeout 60
	stream "$agent4:5000" from "$caller4:4000" output "$sup14:6000" src "$gws4:7000" listen-only
	stream "$caller4:4002" from "$agent4:5002" output "$sup14:6002" src "$gws4:7002" listen-only)
echo "gateway# lictl tap add ${tap[*]}"
id=$(tap_add "${tap[@]}") || { echo "demo: lictl tap add failed" >&2; exit 1; }
echo "tap $id created"
gw_lictl tap show

say "The call: $N RTP packets each way at $RATE packets/s"
check recv_start agent "$ns_agent" --expect $N --tone --ssrc $S_CALLER --from "$caller4:4000" "$agent4:5000"
check recv_start caller "$ns_caller" --expect $N --pt 8 --ssrc $S_AGENT --from "$agent4:5002" "$caller4:4002"
check recv_start sup_hears_caller "$ns_sup1" --expect $N --tone --ssrc $S_CALLER --from "$gws4:7000" "$sup14:6000"
check recv_start sup_hears_agent "$ns_sup1" --expect $N --pt 8 --ssrc $S_AGENT --from "$gws4:7002" "$sup14:6002"
send_bg agent_talks "$ns_agent" -c $N -r $RATE -p 8 -s $S_AGENT "$agent4:5002" "$caller4:4002"
check send "$ns_caller" -c $N -r $RATE --tone -s $S_CALLER "$caller4:4000" "$agent4:5000"
check bg_wait agent_talks

say "Who heard what (rtprecv checks SSRC, source, payload of every packet)"
check recv_check agent caller sup_hears_caller sup_hears_agent

say "The supervisor tries to speak into the call: the gateway drops it"
check recv_start gw_port "$ns_gw" --expect-none "$gws4:7000"
check send "$ns_sup1" -c 20 -r $RATE -s 0x5b5b0001 "$sup14:6000" "$gws4:7000"
check recv_check gw_port
gw_lictl tap show "$id"

say "Counters: this namespace and the whole module (lictl stats)"
gw_lictl stats

say "The same global counters in sysfs"
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
