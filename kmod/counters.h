/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LISTENIN_COUNTERS_H
#define _LISTENIN_COUNTERS_H

#include <linux/listenin.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>

struct listenin_net;

/* Indexed by LISTENIN_A_STATS_*; gauges and taps_expired stay unused here. */
struct listenin_pcpu_stats {
	u64_stats_t v[__LISTENIN_A_STATS_MAX];
	struct u64_stats_sync syncp;
};

/* Callers run with bottom halves disabled (the hooks make sure of it). */
static inline void listenin_stat_add(struct listenin_pcpu_stats __percpu *stats,
				     unsigned int idx, u64 n)
{
	struct listenin_pcpu_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->v[idx], n);
	u64_stats_update_end(&s->syncp);
}

static inline void listenin_stat_inc(struct listenin_pcpu_stats __percpu *stats,
				     unsigned int idx)
{
	listenin_stat_add(stats, idx, 1);
}

int listenin_counters_net_init(struct listenin_net *ln);
void listenin_counters_net_exit(struct listenin_net *ln);
void listenin_counters_net(struct listenin_net *ln, u64 *v);
void listenin_counters_global(u64 *v);

#endif /* _LISTENIN_COUNTERS_H */
