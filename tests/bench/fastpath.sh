#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Kernel fast-path benchmark, the part that runs as root in the guest (cwd =
# repo). scripts/bench boots the VM, runs this and turns its RESULT/MEMORY
# lines into a table with tests/bench/report.awk.
#
#   bench-snd              bench-gw (forwarding)              bench-rcv
#   s0 10.0.1.1 ------- g0 10.0.1.254   g1 10.0.2.254 ------- r0 10.0.2.1
#   blast (or pktgen)          |  listenin.ko, nft dup,        sink: count+drop
#   UDP :20000 -> :30000       |  tc mirred
#                         g2 10.0.3.254 ------- u0 10.0.3.1   bench-sup
#                         (dummy by default)                  sink: count+drop
#
# Everything that handles packets runs on CPU 0: the sender (blast pinned
# there, paced by its socket's send buffer; or pktgen's kthread), the
# gateway's forwarding in softirq, the copies and the sinks. No cross-CPU
# wake-up enters the figures; this script itself runs on CPU 1. Under emulation on a shared host the guest's
# clock keeps running while its vCPU threads wait for a host core, so the
# figures come from the host: after reading the counters at the start and
# end of each window this script prints "SNAP <id>" and scripts/bench,
# reading the console, records the host CPU time of both vCPU threads
# ("HOSTSNAP"). vCPU 0's host CPU time per packet is the cost of the whole
# chain; the "sender" configuration (g0 drops everything at ingress) measures
# the sender's and the sink's share, and the difference is the gateway's.
#
# Both sinks count and drop at netdev ingress, before IP, so an nft dup copy
# (original destination address) and a listenin copy (rewritten to
# 10.0.3.1) cost the supervisor the same. By default (BENCH_SUP_LINK=dummy)
# g2 is a dummy device instead of a veth to bench-sup: a copy's cost then
# ends where it leaves the gateway (its transmit on g2, counted by g2), and
# the supervisor host's receive, which is not the gateway's CPU, stays out
# of the copy figures. BENCH_SUP_LINK=veth puts it back in.
#
# Configurations, measured in interleaved rounds:
#   sender       g0 drops at netdev ingress: the sender's and a sink's cost
#   nomod        no module loaded
#   nfhook       an empty nft base chain at prerouting (no rule, no module):
#                what being on the netfilter path at all costs
#   nullhook     listenin_nullhook.ko (tests/bench/nullhook) loaded: one
#                IPv4 prerouting hook at listenin.ko's priority returning
#                NF_ACCEPT, the floor of any netfilter module (it hooks every
#                namespace; only bench-gw's routes the traffic through IP)
#   nftdup       nft ip prerouting rule: dup to 10.0.3.1 (module not loaded)
#   mirred       tc ingress flower + mirred egress mirror to g2 (no module)
#   mod0         listenin.ko loaded, no tap
#   modcopy      one tap matching the traffic, one output to 10.0.3.1:40000
#   mod100k      BENCH_TAPS taps, none matching (distinct addresses, ports)
#   mod100kcopy  the same plus the matching tap
#
# Environment: BENCH_ROUNDS (5), BENCH_SECONDS (3, per measurement),
# BENCH_TAPS (100000), BENCH_SENDER (blast or pktgen), BENCH_SUP_LINK (dummy
# or veth), BENCH_CONFIGS (all of
# the above, separated by spaces or commas), BENCH_PROFILE (configurations
# to profile with perf after the measurements), BENCH_PROFILE_TOP (how many
# of the top symbols a profile prints, 25; listenin.ko's always), BENCH_BIN (tests/build/bench),
# LISTENIN_KO, LISTENIN_NULLHOOK_KO (BENCH_BIN/listenin_nullhook.ko).
set -eu

# With one CPU (vm-run --icount) this script shares CPU 0; it sleeps
# through each window, so its share is small and the same in every one.
if [ -z "${BENCH_PINNED:-}" ] && [ "$(nproc)" -gt 1 ]; then
	BENCH_PINNED=1 exec taskset -c 1 "$0" "$@"
fi

rounds=${BENCH_ROUNDS:-5}
secs=${BENCH_SECONDS:-3}
ntaps=${BENCH_TAPS:-100000}
sender=${BENCH_SENDER:-blast}
sup_link=${BENCH_SUP_LINK:-dummy}
case $sup_link in dummy|veth) ;; *) echo "bench: BENCH_SUP_LINK must be dummy or veth, not '$sup_link'" >&2; exit 1 ;; esac
# Measured before listenin.ko is loaded, then with it, in this order.
without_module="sender nomod nfhook nullhook nftdup mirred"
with_module="mod0 modcopy mod100k mod100kcopy"
configs=$(echo "${BENCH_CONFIGS:-$without_module $with_module}" | tr , ' ')
bin=${BENCH_BIN:-tests/build/bench}
ko=${LISTENIN_KO:-kmod/listenin.ko}
nullko=${LISTENIN_NULLHOOK_KO:-$bin/listenin_nullhook.ko}
payload=160		# RTP payload: G.711, 20 ms; 214-byte frames

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

nsnd() { ip netns exec bench-snd "$@"; }
ngw() { ip netns exec bench-gw "$@"; }
nrcv() { ip netns exec bench-rcv "$@"; }
nsup() { ip netns exec bench-sup "$@"; }

ncpu=$(getconf _NPROCESSORS_ONLN)
[ "$ncpu" -ge 2 ] || log "one CPU: this script shares it with the traffic"
[ -x "$bin/taps" ] && [ -x "$bin/blast" ] || die "$bin/taps or $bin/blast missing: run make -C tests/bench"

module_loaded() { [ -d /sys/module/listenin ]; }

gw_pid= rcv_pid= sup_pid=
cleanup() {
	pkill_sender
	for p in $gw_pid $rcv_pid $sup_pid; do
		kill "$p" 2>/dev/null || true
	done
	for ns in bench-snd bench-gw bench-rcv bench-sup; do
		ip netns del "$ns" 2>/dev/null || true
	done
	! module_loaded || rmmod listenin 2>/dev/null || true
	[ ! -d /sys/module/listenin_nullhook ] || rmmod listenin_nullhook 2>/dev/null || true
}

sender_pid=
pkill_sender() {
	if [ "$sender" = pktgen ] && [ -e /run/netns/bench-snd ]; then
		nsnd sh -c 'echo stop > /proc/net/pktgen/pgctrl' 2>/dev/null || true
	fi
	if [ -n "$sender_pid" ]; then
		kill "$sender_pid" 2>/dev/null || true
		wait "$sender_pid" 2>/dev/null || true
		sender_pid=
	fi
}

trap cleanup EXIT
trap 'exit 130' INT TERM

topology() {
	for ns in bench-snd bench-gw bench-rcv bench-sup; do
		ip netns del "$ns" 2>/dev/null || true
		ip netns add "$ns"
		# no IPv6 neighbour discovery or router solicitations in the counts
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip -n "$ns" link set lo up
	done
	modprobe veth 2>/dev/null || true	# built in on some kernels
	ip link add s0 netns bench-snd type veth peer name g0 netns bench-gw
	ip link add g1 netns bench-gw type veth peer name r0 netns bench-rcv
	if [ "$sup_link" = veth ]; then
		ip link add g2 netns bench-gw type veth peer name u0 netns bench-sup
		ip -n bench-sup addr add 10.0.3.1/24 dev u0
		ip -n bench-sup link set u0 up
	else
		ip link add g2 netns bench-gw type dummy
	fi
	ip -n bench-snd addr add 10.0.1.1/24 dev s0
	ip -n bench-gw addr add 10.0.1.254/24 dev g0
	ip -n bench-gw addr add 10.0.2.254/24 dev g1
	ip -n bench-gw addr add 10.0.3.254/24 dev g2
	ip -n bench-rcv addr add 10.0.2.1/24 dev r0
	for l in bench-snd:s0 bench-gw:g0 bench-gw:g1 bench-gw:g2 bench-rcv:r0; do
		ip -n "${l%%:*}" link set "${l#*:}" up
	done
	ngw sysctl -qw net.ipv4.ip_forward=1
	# No ARP and no neighbour timers during a measurement.
	ngw ip neigh replace 10.0.2.1 dev g1 nud permanent \
		lladdr "$(cat_ns bench-rcv /sys/class/net/r0/address)"
	[ "$sup_link" = dummy ] || ngw ip neigh replace 10.0.3.1 dev g2 nud permanent \
		lladdr "$(cat_ns bench-sup /sys/class/net/u0/address)"
	g0mac=$(cat_ns bench-gw /sys/class/net/g0/address)
	nrcv nft -f - <<-EOF
	table netdev sink { chain in { type filter hook ingress device r0 priority 0; counter drop; }; }
	EOF
	[ "$sup_link" = dummy ] || nsup nft -f - <<-EOF
	table netdev sink { chain in { type filter hook ingress device u0 priority 0; counter drop; }; }
	EOF
	# The default backlog (1000) overflows when a slow guest CPU falls behind;
	# a global setting, so only in the VM.
	[ -z "${LISTENIN_VM:-}" ] || sysctl -qw net.core.netdev_max_backlog=10000
	gw_pid=$(hold bench-gw) rcv_pid=$(hold bench-rcv) sup_pid=$(hold bench-sup)
	if [ "$sender" = pktgen ]; then
		modprobe pktgen
		nsnd sh -c "
			cd /proc/net/pktgen
			echo rem_device_all > kpktgend_0
			echo 'add_device s0' > kpktgend_0
			for c in 'count 0' 'clone_skb 0' 'burst 1' 'delay 0' 'pkt_size $((14 + 20 + 8 + 12 + payload))' \
				'dst 10.0.2.1' 'src_min 10.0.1.1' 'src_max 10.0.1.1' 'dst_mac $g0mac' \
				'udp_src_min 20000' 'udp_src_max 20000' 'udp_dst_min 30000' 'udp_dst_max 30000'; do
				echo \"\$c\" > s0
			done"
	fi
}

# sysfs shows the devices of the namespace it was mounted in.
cat_ns() { ip netns exec "$1" cat "$2"; }

start_sender() {
	if [ "$sender" = pktgen ]; then
		ip netns exec bench-snd sh -c 'echo start > /proc/net/pktgen/pgctrl' \
			>/dev/null 2>&1 &
	else
		# not through nsnd: $! must be the sender itself, not a subshell
		ip netns exec bench-snd taskset -c 0 "$bin/blast" s0 "$g0mac" 10.0.1.1 10.0.2.1 \
			20000 30000 "$payload" "${1:-$((secs + 3))}" >/dev/null &
	fi
	sender_pid=$!
}

# A sleeping process in each namespace lets one awk read every namespace's
# /proc/PID/net/dev: a snapshot costs one process, not one per namespace
# (each exec is slow under emulation and disturbs the run).
hold() {
	ip netns exec "$1" sleep 1000000 >/dev/null 2>&1 &
	echo $!
}

# One line: uptime (centiseconds); CPU 0's busy, softirq and system jiffies;
# CPU 1's busy jiffies; CPU 0's backlog drops; the gateway's g1 and g2 tx
# and g0 rx packets; r0 and u0 rx packets (what reached the receiver and the
# supervisor; with a dummy g2, what g2 sent); the module's copies_sent and
# copy_failures.
# With an argument, it first prints "SNAP <id>" on stderr (the console) so
# that scripts/bench samples the vCPU threads as close as possible to the
# moment the counters are read.
snapshot() {
	mod=
	! module_loaded || mod="/sys/kernel/listenin/copies_sent /sys/kernel/listenin/copy_failures"
	# shellcheck disable=SC2086
	awk -v snap="${1:-}" -v gw="/proc/$gw_pid/net/dev" -v rcv="/proc/$rcv_pid/net/dev" \
		-v sup="/proc/$sup_pid/net/dev" -v sup_link="$sup_link" '
		BEGIN {
			if (snap != "") {
				print "SNAP " snap > "/dev/stderr"
				fflush("/dev/stderr")
			}
		}
		function hex(s,   i, v) {
			v = 0
			for (i = 1; i <= length(s); i++)
				v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		FILENAME == "/proc/uptime" { up = $1 * 100 }
		FILENAME == "/proc/stat" && $1 == "cpu0" { busy0 = $2 + $3 + $4 + $7 + $8 + $9; sirq0 = $8; sys0 = $4 }
		FILENAME == "/proc/stat" && $1 == "cpu1" { busy1 = $2 + $3 + $4 + $7 + $8 + $9 }
		FILENAME == "/proc/net/softnet_stat" { if (FNR == 1) drop0 = hex($2) }
		(FILENAME == gw || FILENAME == rcv || FILENAME == sup) && FNR > 2 {
			sub(/^ */, ""); split($0, f, /[: ]+/)
			rx[f[1]] = f[3]; tx[f[1]] = f[11]
		}
		FILENAME ~ /copies_sent$/ { copies = $1 }
		FILENAME ~ /copy_failures$/ { failures = $1 }
		END {
			printf "%d %d %d %d %d %d %d %d %d %d %d %d %d\n", up, busy0, sirq0, busy1, sys0,
				drop0, tx["g1"], tx["g2"], rx["g0"], rx["r0"],
				sup_link == "dummy" ? tx["g2"] : rx["u0"], copies, failures
		}' /proc/uptime /proc/stat /proc/net/softnet_stat "/proc/$gw_pid/net/dev" \
		"/proc/$rcv_pid/net/dev" "/proc/$sup_pid/net/dev" $mod
}

measure() {
	cfg=$1 round=$2
	s0=$(snapshot)
	start_sender
	sleep 0.5
	a=$(snapshot "$cfg:$round:a")
	sleep "$secs"
	b=$(snapshot "$cfg:$round:b")
	pkill_sender
	sleep 0.3
	s1=$(snapshot)
	echo "$a $b $s0 $s1" | awk -v cfg="$cfg" -v round="$round" '{
		# 13 fields per snapshot: a = $1.., b = $14.., s0 = $27.., s1 = $40..
		printf "RESULT cfg=%s round=%d secs=%.2f fwd=%d", cfg, round, ($14 - $1) / 100, $20 - $7
		printf " cpu0_busy_cs=%d cpu0_sirq_cs=%d cpu0_sys_cs=%d cpu1_busy_cs=%d backlog_drops=%d", \
			$15 - $2, $16 - $3, $18 - $5, $17 - $4, $19 - $6
		printf " g0_rx=%d g2_tx=%d run_fwd=%d run_g2_tx=%d run_rcv=%d run_sup=%d", \
			$22 - $9, $21 - $8, $46 - $33, $47 - $34, $49 - $36, $50 - $37
		printf " mod_copies=%d mod_copy_failures=%d\n", $51 - $38, $52 - $39
	}'
}

# Where CPU 0's time goes in one configuration: perf's cpu-clock sampling
# (no PMU under emulation), kernel symbols, flat profile.
profile() {
	cfg=$1
	# perf takes seconds to start under emulation: the sender must outlast it
	start_sender 120
	# starting processes can take seconds on a loaded host: wait for traffic
	first=$(snapshot | cut -d' ' -f9) n=0
	while [ "$(snapshot | cut -d' ' -f9)" = "$first" ] && [ $n -lt 60 ]; do
		sleep 0.5
		n=$((n + 1))
	done
	perf record -q -C 0 -e cpu-clock -F 997 -o "/tmp/perf-$cfg.data" -- sleep "$secs" \
		>/dev/null 2>&1 || { log "perf record failed for $cfg"; pkill_sender; return 0; }
	pkill_sender
	# the top symbols, then the share of listenin.ko's code and of the
	# netfilter hook dispatch (nf_hook_slow) over all samples
	perf report -q -i "/tmp/perf-$cfg.data" --stdio --no-children --sort dso,sym 2>/dev/null |
		awk -v cfg="$cfg" -v top="${BENCH_PROFILE_TOP:-25}" '
			# perf attributes module code to [kernel.kallsyms]: take the
			# module'"'"'s symbol names from /proc/kallsyms
			FILENAME == "/proc/kallsyms" { if ($4 == "[listenin]") ours[$3] = 1; next }
			!NF || $1 !~ /%$/ { next }
			{ p = $1; sub(/%$/, "", p) }
			$NF in ours { mod += p }
			$NF == "nf_hook_slow" { hook += p }
			n++ < top || $NF in ours { print "PROFILE " cfg " " $0 }
			END { printf "PROFILE %s share: listenin.ko %.2f%%, nf_hook_slow %.2f%%\n", cfg, mod, hook }' /proc/kallsyms -
}
measure=measure

# Memory gauges in bytes: Slab, Percpu, VmallocUsed, "used" (MemTotal -
# MemFree - Buffers - Cached: also counts page allocations such as a large
# hash table's buckets, which none of the others show), and every slab cache.
memsnap() {
	sleep 1		# let RCU callbacks free what was queued
	awk '
		FILENAME == "/proc/meminfo" {
			sub(/:$/, "", $1); m[$1] = $2 * 1024
			if ($1 ~ /^(Slab|Percpu|VmallocUsed)$/)
				print "meminfo", $1, $2 * 1024
		}
		FILENAME == "/proc/slabinfo" && FNR > 2 { print "slab", $1, $3 * $4 }
		END { print "meminfo used", m["MemTotal"] - m["MemFree"] - m["Buffers"] - m["Cached"] }
	' /proc/meminfo /proc/slabinfo
}

memdiff() {
	awk -v what="$1" -v n="$ntaps" '
		FNR == NR { before[$1 " " $2] = $3; next }
		{ d = $3 - before[$1 " " $2] }
		$1 == "meminfo" { m[$2] = d }
		$1 == "slab" && (d >= 262144 || d <= -262144) { top = top sprintf(" %s=%d", $2, d) }
		END {
			printf "MEMORY %s taps=%d used=%d slab=%d percpu=%d vmalloc=%d caches:%s\n", \
				what, n, m["used"], m["Slab"], m["Percpu"], m["VmallocUsed"], top
		}' "$2" "$3"
}

insmod_listenin() {
	args=
	if modinfo -F parm "$ko" 2>/dev/null | grep -q '^max_taps:'; then
		args="max_taps=$((ntaps + 16))"
	fi
	# shellcheck disable=SC2086
	insmod "$ko" $args
}

has() { case " $configs " in *" $1 "*) return 0 ;; esac; return 1; }

run_cfg() {
	cfg=$1 round=$2
	has "$cfg" || return 0
	log "round $round: $cfg"
	case $cfg in
	sender)
		ngw nft -f - <<-EOF
		table netdev gwdrop { chain in { type filter hook ingress device g0 priority 0; drop; }; }
		EOF
		$measure "$cfg" "$round"
		ngw nft delete table netdev gwdrop ;;
	nfhook)
		ngw nft -f - <<-EOF
		table ip bench { chain pre { type filter hook prerouting priority raw; }; }
		EOF
		$measure "$cfg" "$round"
		ngw nft delete table ip bench ;;
	nullhook)
		[ -f "$nullko" ] || { log "$nullko is missing: skipping nullhook (scripts/bench builds it)"; return 0; }
		insmod "$nullko"
		$measure "$cfg" "$round"
		rmmod listenin_nullhook ;;
	nftdup)
		ngw nft -f - <<-EOF
		table ip bench {
			chain pre {
				type filter hook prerouting priority raw;
				ip daddr 10.0.2.1 udp dport 30000 dup to 10.0.3.1
			}
		}
		EOF
		$measure "$cfg" "$round"
		ngw nft delete table ip bench ;;
	mirred)
		ngw tc qdisc add dev g0 ingress
		ngw tc filter add dev g0 ingress protocol ip flower ip_proto udp \
			dst_ip 10.0.2.1 dst_port 30000 action mirred egress mirror dev g2
		$measure "$cfg" "$round"
		ngw tc qdisc del dev g0 ingress ;;
	modcopy|mod100kcopy)
		ngw "$bin/taps" add 1 10.0.2.1 30000 10.0.3.1 40000 10.0.3.254 40000 >&2
		$measure "$cfg" "$round"
		# Remove only the matching tap: 10.0.2.1 is never in the 100k range.
		if [ "$cfg" = modcopy ]; then
			ngw "$bin/taps" flush >&2
		fi ;;
	*)
		$measure "$cfg" "$round" ;;
	esac
}

need_module() {
	for c in $with_module; do
		has "$c" && return 0
	done
	return 1
}

log "kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), sender $sender"
echo "INFO kernel=$(uname -r) sender=$sender rounds=$rounds secs=$secs taps=$ntaps payload=$payload sup_link=$sup_link cpus=$ncpu"
if need_module && [ ! -f "$ko" ]; then
	log "$ko is missing: skipping the module configurations (run make module)"
	configs=$(echo "$configs" | tr ' ' '\n' | grep -v '^mod' | tr '\n' ' ')
fi
topology
mem=/tmp/bench-mem
r=1
while [ "$r" -le "$rounds" ]; do
	! module_loaded || rmmod listenin
	for c in $without_module; do
		run_cfg "$c" "$r"
	done
	if need_module && [ -f "$ko" ]; then
		insmod_listenin
		run_cfg mod0 "$r"
		run_cfg modcopy "$r"
		if has mod100k || has mod100kcopy; then
			memsnap >"$mem.0"
			log "round $r: adding $ntaps taps"
			ngw "$bin/taps" add "$ntaps" 172.16.0.1 20000 10.0.3.1 40000 10.0.3.254 40000 |
				sed "s/^/TAPS round=$r /"
			memsnap >"$mem.1"
			memdiff "round=$r added" "$mem.0" "$mem.1"
			run_cfg mod100k "$r"
			run_cfg mod100kcopy "$r"
			ngw "$bin/taps" flush | sed "s/^/TAPS round=$r /"
			memsnap >"$mem.2"
			memdiff "round=$r flushed" "$mem.1" "$mem.2"
		fi
		rmmod listenin
	fi
	r=$((r + 1))
done

# Optional profiles (BENCH_PROFILE=modcopy,nftdup ...), after the figures.
profiles=$(echo "${BENCH_PROFILE:-}" | tr , ' ')
if [ -n "$profiles" ]; then
	measure=profile configs=$profiles
	! module_loaded || rmmod listenin
	for c in $without_module; do
		run_cfg "$c" profile
	done
	if need_module && [ -f "$ko" ]; then
		insmod_listenin
		run_cfg mod0 profile
		run_cfg modcopy profile
		if has mod100k || has mod100kcopy; then
			ngw "$bin/taps" add "$ntaps" 172.16.0.1 20000 10.0.3.1 40000 10.0.3.254 40000 >&2
			run_cfg mod100k profile
			run_cfg mod100kcopy profile
		fi
		rmmod listenin
	fi
fi
