# SPDX-License-Identifier: GPL-2.0
#
# Turns the RESULT, MEMORY and TAPS lines of tests/bench/fastpath.sh into the
# fast-path table: medians over rounds, ratios to "no module", the extra CPU
# of one copy per packet for each method, memory per stream, and the targets.
# With -v md=1 it prints Markdown for docs/performance.md instead.

function kv(line, key,   re, s) {
	re = " " key "=[^ ]*"
	if (!match(line, re))
		return ""
	s = substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
	return s
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

function spread(list, med,   n, a, i, lo, hi) {
	n = split(list, a, " ")
	if (n < 2 || med <= 0)
		return 0
	lo = hi = a[1]
	for (i = 2; i <= n; i++) {
		if (a[i] + 0 < lo + 0) lo = a[i]
		if (a[i] + 0 > hi + 0) hi = a[i]
	}
	return (hi - lo) / med * 100
}

function row(c, label,   r, ratio, cap) {
	if (!(c in rate))
		return
	r = rate_m[c]
	ratio = ("nomod" in rate_m) && rate_m["nomod"] > 0 ? sprintf("%.3f", r / rate_m["nomod"]) : "-"
	cap = ("nomod" in ns_m) && ns_m[c] > 0 ? sprintf("%.3f", ns_m["nomod"] / ns_m[c]) : "-"
	if (md)
		printf "| %s | %.0f | %s | %.0f (±%.0f%%) | %s | %.0f%% | %s |\n", label, r, ratio,
			ns_m[c], ns_sp[c] / 2, cap, util_m[c], deliv[c]
	else
		printf "%-34s %9.0f %7s %9.0f ±%2.0f%% %8s %5.0f%%  %s\n", label, r, ratio,
			ns_m[c], ns_sp[c] / 2, cap, util_m[c], deliv[c]
}

function extra(a, b) {
	return (a in ns_m) && (b in ns_m) ? ns_m[a] - ns_m[b] : ""
}

/^INFO / { info = substr($0, 6) }

/^RESULT / {
	c = kv($0, "cfg")
	secs = kv($0, "secs"); fwd = kv($0, "fwd"); busy = kv($0, "cpu1_busy_cs")
	if (secs <= 0 || fwd <= 0)
		next
	order[c] = order[c] ? order[c] : ++ncfg
	rate[c] = rate[c] " " fwd / secs
	ns[c] = ns[c] " " busy * 1e7 / fwd
	util[c] = util[c] " " busy / secs
	offered[c] = offered[c] " " (kv($0, "g0_rx") + kv($0, "cpu1_backlog_drops")) / secs
	rf = kv($0, "run_fwd"); rs = kv($0, "run_sup")
	if (c ~ /copy|dup|mirred/) {
		tot_fwd[c] += rf; tot_sup[c] += rs
		tot_fail[c] += kv($0, "mod_copy_failures")
	} else {
		tot_stray[c] += rs
	}
}

/^MEMORY / && / added / {
	n = kv($0, "taps")
	b = kv($0, "slab") + kv($0, "percpu") + kv($0, "vmalloc")
	mem_total = mem_total " " b / n
	mem_slab = mem_slab " " kv($0, "slab") / n
	mem_pcpu = mem_pcpu " " kv($0, "percpu") / n
	mem_vm = mem_vm " " kv($0, "vmalloc") / n
	if (!caches) { caches = $0; sub(/.*caches:/, "", caches) }
	ntaps = n
}
/^MEMORY / && / flushed / {
	n = kv($0, "taps")
	mem_freed = mem_freed " " -(kv($0, "slab") + kv($0, "percpu") + kv($0, "vmalloc")) / n
}
/^TAPS .*added/ {
	for (i = 1; i <= NF; i++)
		if ($i == "in")
			add_secs = add_secs " " $(i + 1)
}

END {
	for (c in rate) {
		rate_m[c] = median(rate[c])
		ns_m[c] = median(ns[c])
		ns_sp[c] = spread(ns[c], ns_m[c])
		util_m[c] = median(util[c])
		if (c in tot_fwd)
			deliv[c] = sprintf("%d of %d%s", tot_sup[c], tot_fwd[c],
				tot_fail[c] ? sprintf(", %d failed", tot_fail[c]) : "")
		else
			deliv[c] = tot_stray[c] ? sprintf("%d stray at supervisor", tot_stray[c]) : "-"
	}
	if (!ncfg) {
		print "report: no RESULT lines: the benchmark did not run" > "/dev/stderr"
		exit 1
	}
	if (md) {
		printf "| configuration | forwarded pps | rate / no module | gateway CPU ns/pkt | capacity / no module | gateway CPU busy | copies delivered |\n"
		printf "|---|---:|---:|---:|---:|---:|---|\n"
	} else {
		printf "%s\n\n", info
		printf "%-34s %9s %7s %14s %8s %6s  %s\n", "configuration", "fwd pps", "ratio",
			"ns/pkt (CPU1)", "capacity", "busy", "copies delivered"
	}
	row("nomod", "(1) no module")
	row("mod0", "(2) module, 0 taps")
	row("mod100k", "(3) module, " ntaps + 0 " taps, no match")
	row("modcopy", "(4) module, 1 copy per packet")
	row("mod100kcopy", "(4b) as (4) with " ntaps + 0 " other taps")
	row("nftdup", "(5) nft dup to (ip prerouting)")
	row("mirred", "(6) tc mirred mirror (ingress)")

	em = extra("modcopy", "mod0"); en = extra("nftdup", "nomod")
	et = extra("mirred", "nomod"); ek = extra("mod100kcopy", "mod100k")
	pre = md ? "- " : "  "
	printf "\n%sExtra gateway CPU per copied packet: module %s ns, nft dup %s ns, tc mirred %s ns, module with %d taps %s ns\n",
		pre, em == "" ? "-" : sprintf("%.0f", em), en == "" ? "-" : sprintf("%.0f", en),
		et == "" ? "-" : sprintf("%.0f", et), ntaps, ek == "" ? "-" : sprintf("%.0f", ek)
	if (em != "" && en > 0)
		printf "%smodule_extra / nft_extra = %.2f (target <= 0.60)%s\n", pre, em / en,
			(et > 0) ? sprintf("; module_extra / mirred_extra = %.2f", em / et) : ""
	if (mem_total != "") {
		printf "%sMemory per stream (1 output), %d taps: %.0f bytes (slab %.0f, percpu %.0f, vmalloc %.0f; target <= 256); freed on flush: %.0f bytes\n",
			pre, ntaps, median(mem_total), median(mem_slab), median(mem_pcpu), median(mem_vm),
			median(mem_freed)
		printf "%sSlab caches that grew (bytes, first round):%s\n", pre, caches
		if (add_secs != "")
			printf "%sInstalling %d taps over netlink took %.1f s (median)\n", pre, ntaps,
				median(add_secs)
	}

	printf "\n%sTargets:\n", md ? "" : ""
	if (("mod100k" in rate_m) && ("nomod" in rate_m)) {
		r = rate_m["mod100k"] / rate_m["nomod"]; k = ns_m["nomod"] / ns_m["mod100k"]
		printf "%s%s %d taps, none matching: rate %.3f of no module, CPU capacity %.3f (target >= 0.98)\n",
			pre, (r >= 0.98 && k >= 0.98) ? "MET   " : "MISSED", ntaps, r, k
	}
	if (em != "" && en > 0) {
		ok = (em <= 0.6 * en) && (tot_sup["modcopy"] >= tot_fwd["modcopy"]) && !tot_fail["modcopy"]
		printf "%s%s copy cost: module %.0f ns vs nft dup %.0f ns per packet (ratio %.2f, target <= 0.60), copies delivered: %s\n",
			pre, (ok) ? "MET   " : "MISSED", em, en, em / en, deliv["modcopy"]
	}
	if (mem_total != "")
		printf "%s%s memory per stream %.0f bytes (target <= 256)\n", pre,
			(median(mem_total) <= 256) ? "MET   " : "MISSED", median(mem_total)
}
