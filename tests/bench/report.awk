# SPDX-License-Identifier: GPL-2.0
#
# Turns the lines of tests/bench/fastpath.sh (RESULT, MEMORY, TAPS, INFO)
# and of scripts/bench (HOSTSNAP: host CPU time of the vCPU threads) into the
# fast-path table: medians over rounds, the gateway's cost per packet, ratios
# to "no module", the extra CPU of one copy per packet for each method,
# memory per stream, and the targets. -v md=1 prints Markdown instead.
#
# Cost per packet: vCPU 0's host CPU time over the window divided by the
# packets (everything runs on CPU 0). Without HOSTSNAP lines it falls back to
# the guest's tick-sampled busy time of CPU 0, which counts the time the
# host made the vCPU wait.

function kv(line, key,   re) {
	re = " " key "=[^ ]*"
	if (!match(line, re))
		return ""
	return substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
}

function median(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	if (!n)
		return ""
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

# Half the range, in percent of the median: the noise between rounds.
function spread(list, med,   n, a, i, lo, hi) {
	n = split(list, a, " ")
	if (n < 2 || med <= 0)
		return 0
	lo = hi = a[1] + 0
	for (i = 2; i <= n; i++) {
		if (a[i] + 0 < lo) lo = a[i] + 0
		if (a[i] + 0 > hi) hi = a[i] + 0
	}
	return (hi - lo) / 2 / med * 100
}

# Median over rounds of cost(a) - cost(b), both measured in the same round;
# g selects the guest's tick-sampled cost instead of the host's.
function paired(a, b, g,   r, list) {
	list = ""
	for (r = 1; r <= maxround; r++)
		if (((a, r) in cost) && ((b, r) in cost))
			list = list " " (g ? gcost[a, r] - gcost[b, r] : cost[a, r] - cost[b, r])
	return median(list)
}

function fmt(v, f) {
	return v == "" ? "-" : sprintf(f, v)
}

function row(c, label,   rr, cap) {
	if (!(c in rate_m))
		return
	rr = ("nomod" in rate_m) && c != "sender" ? fmt(rate_m[c] / rate_m["nomod"], "%.3f") : "-"
	cap = gw[c] != "" && gw["nomod"] > 0 && gw[c] > 0 ? fmt(gw["nomod"] / gw[c], "%.3f") : "-"
	if (md)
		printf "| %s | %.0f | %s | %.0f ±%.0f%% | %s | %s | %.0f ±%.0f%% | %s | %.0f%% | %s |\n",
			label, rate_m[c], rr, cost_m[c], cost_sp[c], fmt(gw[c], "%.0f"), cap,
			gcost_m[c], gcost_sp[c], fmt(ggw[c], "%.0f"), share_m[c], deliv[c]
	else
		printf "%-34s %6.0f %5s %6.0f ±%2.0f%% %6s %5s %6.0f ±%2.0f%% %6s %4.0f%%  %s\n",
			label, rate_m[c], rr, cost_m[c], cost_sp[c], fmt(gw[c], "%.0f"), cap,
			gcost_m[c], gcost_sp[c], fmt(ggw[c], "%.0f"), share_m[c], deliv[c]
}

/^INFO / { info = substr($0, 6) }
/^HOST date=/ { hostinfo = substr($0, 6) }
/^HOST icount=/ { icount = substr($0, 13) }
/^HOST guest_cpu=/ { guest_cpu = substr($0, 16) }

# HOSTSNAP cfg:round:a|b vcpu0_ns vcpu1_ns
/^HOSTSNAP / && $3 ~ /^[0-9]+$/ { host0[$2] = $3 }

/^RESULT / {
	c = kv($0, "cfg"); r = kv($0, "round"); secs = kv($0, "secs")
	pkts = c == "sender" ? kv($0, "g0_rx") : kv($0, "fwd")
	if (secs <= 0 || pkts <= 0)
		next
	if (r > maxround)
		maxround = r
	id = c ":" r
	if ((id ":a") in host0 && (id ":b") in host0) {
		ns = host0[id ":b"] - host0[id ":a"]
		hostcpu = 1
	} else {
		ns = kv($0, "cpu0_busy_cs") * 1e7
	}
	cost[c, r] = ns / pkts
	costs[c] = costs[c] " " ns / pkts
	gcost[c, r] = kv($0, "cpu0_busy_cs") * 1e7 / pkts
	gcosts[c] = gcosts[c] " " gcost[c, r]
	rate[c] = rate[c] " " pkts / secs
	share[c] = share[c] " " ns / (secs * 1e9) * 100
	drops[c] += kv($0, "backlog_drops")
	if (c ~ /copy|dup|mirred/) {
		tot_fwd[c] += kv($0, "run_fwd"); tot_sup[c] += kv($0, "run_sup")
		tot_fail[c] += kv($0, "mod_copy_failures")
	} else if (c != "sender") {
		stray[c] += kv($0, "run_sup")
	}
}

/^MEMORY / && / added / {
	n = kv($0, "taps")
	mem_used_r = mem_used_r sprintf(" %.0f", kv($0, "used") / n)
	if (mem_first == "")
		mem_first = kv($0, "used") / n
	mem_total = mem_total " " (kv($0, "slab") + kv($0, "percpu") + kv($0, "vmalloc")) / n
	mem_slab = mem_slab " " kv($0, "slab") / n
	mem_pcpu = mem_pcpu " " kv($0, "percpu") / n
	mem_vm = mem_vm " " kv($0, "vmalloc") / n
	if (caches == "") { caches = $0; sub(/.*caches:/, "", caches) }
	ntaps = n
}
/^MEMORY / && / flushed / {
	n = kv($0, "taps")
	mem_freed = mem_freed " " -kv($0, "used") / n
}
/^TAPS .*added/ {
	for (i = 1; i <= NF; i++)
		if ($i == "in")
			add_secs = add_secs " " $(i + 1)
}

END {
	for (c in costs) {
		rate_m[c] = median(rate[c])
		cost_m[c] = median(costs[c])
		cost_sp[c] = spread(costs[c], cost_m[c])
		gcost_m[c] = median(gcosts[c])
		gcost_sp[c] = spread(gcosts[c], gcost_m[c])
		share_m[c] = median(share[c])
		if (c in tot_fwd)
			deliv[c] = sprintf("%d of %d%s", tot_sup[c], tot_fwd[c],
				tot_fail[c] ? sprintf(", %d failed", tot_fail[c]) : "")
		else
			deliv[c] = stray[c] ? sprintf("%d stray", stray[c]) : "-"
		if (drops[c])
			deliv[c] = deliv[c] sprintf(" (%d backlog drops)", drops[c])
		ncfg++
	}
	if (!ncfg) {
		print "report: no RESULT lines: the benchmark did not run" > "/dev/stderr"
		exit 1
	}
	for (c in costs) {
		gw[c] = ("sender" in costs) && c != "sender" ? paired(c, "sender") : ""
		ggw[c] = ("sender" in costs) && c != "sender" ? paired(c, "sender", 1) : ""
	}

	if (hostcpu)
		unit = "host CPU ns of vCPU 0"
	else if (icount != "")
		unit = sprintf("guest CPU 0 busy ns (tick-sampled) under -icount shift=%s: each instruction counts %d ns (guest CPU %s)", icount, 2 ^ icount, guest_cpu)
	else
		unit = "guest CPU 0 busy ns (tick-sampled; no HOSTSNAP)"
	if (md) {
		printf "| configuration | pps (guest clock) | rate / no module | chain ns/pkt (host) | gateway ns/pkt (host) | gateway capacity / no module | chain ns/pkt (guest ticks) | gateway ns/pkt (guest ticks) | vCPU 0 got of a host core | copies delivered |\n"
		printf "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
	} else {
		printf "%s\n%s\ncost unit: %s per packet\n\n", hostinfo, info, unit
		printf "%-34s %6s %5s %19s %5s %19s %5s  %s\n", "", "", "", "--- host CPU ---", "",
			"--- guest ticks ---", "", ""
		printf "%-34s %6s %5s %12s %6s %5s %12s %6s %5s  %s\n", "configuration", "pps", "rate",
			"chain ns", "gw ns", "cap.", "chain ns", "gw ns", "vCPU0", "copies delivered"
	}
	row("sender", "(0) sender + sink only")
	row("nomod", "(1) no module")
	row("nfhook", "(1b) empty nft chain (prerouting)")
	row("nullhook", "(1c) null netfilter hook")
	row("mod0", "(2) module, 0 taps")
	row("mod100k", "(3) module, " ntaps + 0 " taps, no match")
	row("modcopy", "(4) module, 1 copy per packet")
	row("mod100kcopy", "(4b) as (4) plus " ntaps + 0 " taps")
	row("nftdup", "(5) nft dup to (ip prerouting)")
	row("mirred", "(6) tc mirred mirror (ingress)")

	pre = md ? "- " : "  "
	# Without HOSTSNAP the host figures are the guest's: print them once.
	for (g = hostcpu ? 0 : 1; g <= 1; g++) {
		em = paired("modcopy", "mod0", g); en = paired("nftdup", "nomod", g)
		et = paired("mirred", "nomod", g); ek = paired("mod100kcopy", "mod100k", g)
		e0 = paired("mod0", "nomod", g); e100 = paired("mod100k", "nomod", g)
		eh = paired("nfhook", "nomod", g); enull = paired("nullhook", "nomod", g)
		printf "\n%s%s: extra ns per packet (paired by round, median): module loaded, no tap %s; %d taps, no match %s; an empty nft chain %s; a null netfilter hook %s\n",
			pre, g ? "Guest ticks" : "Host CPU", fmt(e0, "%+.0f"), ntaps, fmt(e100, "%+.0f"), fmt(eh, "%+.0f"),
			fmt(enull, "%+.0f")
		printf "%s%s: extra ns per copied packet: module %s, nft dup %s, tc mirred %s, module among %d taps %s",
			pre, g ? "Guest ticks" : "Host CPU", fmt(em, "%.0f"), fmt(en, "%.0f"), fmt(et, "%.0f"),
			ntaps, fmt(ek, "%.0f")
		if (em != "" && en > 0)
			printf "; module/nft = %.2f%s", em / en, (et > 0) ? sprintf(", module/mirred = %.2f", em / et) : ""
		printf "\n"
		if (g == !hostcpu) {
			hem = em; hen = en
		}
	}
	em = hem; en = hen
	if (("nomod" in cost_m) && gw["nomod"] > 0)
		printf "\n%sNoise: rounds of (1) differ by ±%.0f ns (half range), ±%.0f%% of the gateway's cost: smaller differences are not resolved\n",
			pre, cost_sp["nomod"] * cost_m["nomod"] / 100, cost_sp["nomod"] * cost_m["nomod"] / gw["nomod"]
	if (mem_total != "") {
		printf "\n%sMemory per stream (1 output), %d taps: %.0f bytes of kernel memory in the first round (slab %.0f, percpu %.0f, vmalloc %.0f, medians over rounds); pages returned by a flush: %.0f bytes per stream (freed slab objects stay with their caches)\n",
			pre, ntaps, mem_first, median(mem_slab), median(mem_pcpu), median(mem_vm),
			median(mem_freed)
		printf "%sNew pages per stream, round by round:%s bytes; after the first round, taps reuse the slab pages the previous flush freed, so only the first round's count is the memory a tap takes\n",
			pre, mem_used_r
		printf "%sSlab caches that grew by 256 KiB or more (bytes, first round):%s\n", pre, caches
		if (add_secs != "")
			printf "%sInstalling %d taps over netlink took %.1f s (median, guest clock)\n", pre,
				ntaps, median(add_secs)
	}

	printf "\n%sTargets:\n", md ? "" : ""
	# The references (nothing but a netfilter presence) print even when
	# the taps were not measured.
	if (gw["nomod"] > 0 && (gw["mod100k"] > 0 || gw["nfhook"] > 0 || gw["nullhook"] > 0)) {
		if (gw["mod100k"] > 0) {
			k = gw["nomod"] / gw["mod100k"]
			r = rate_m["mod100k"] / rate_m["nomod"]
			printf "%s%s %d taps, none matching: gateway capacity %.3f of no module (target >= 0.98); guest-clock rate ratio %.3f\n",
				pre, (k >= 0.98) ? "MET   " : "MISSED", ntaps, k, r
		} else {
			printf "%sSKIP   taps, none matching: not measured (target: gateway capacity >= 0.98 of no module)\n", pre
		}
		if (gw["nfhook"] > 0)
			printf "%s       for reference, an empty nft chain at prerouting alone: gateway capacity %.3f of no module\n",
				pre, gw["nomod"] / gw["nfhook"]
		if (gw["nullhook"] > 0)
			printf "%s       for reference, a null netfilter hook (one hook returning NF_ACCEPT) alone: gateway capacity %.3f of no module\n",
				pre, gw["nomod"] / gw["nullhook"]
	}
	if (em != "" && en > 0) {
		ok = (em <= 0.6 * en) && (tot_sup["modcopy"] >= tot_fwd["modcopy"]) && !tot_fail["modcopy"]
		printf "%s%s copy: module %.0f ns vs nft dup %.0f ns extra per packet (ratio %.2f, target <= 0.60); copies delivered %s\n",
			pre, (ok) ? "MET   " : "MISSED", em, en, em / en, deliv["modcopy"]
	}
	if (mem_first != "")
		printf "%s%s memory per stream %.0f bytes (target <= 256)\n", pre,
			(mem_first <= 256) ? "MET   " : "MISSED", mem_first
}
