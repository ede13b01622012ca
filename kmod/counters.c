// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace figures are per-CPU sums plus gauges kept under the namespace
 * lock. Global figures are the live namespaces plus what namespaces that
 * are gone left behind, so they survive namespace deletion.
 */
#include <linux/mutex.h>
#include <linux/list.h>

#include "counters.h"
#include "netns.h"

static DEFINE_MUTEX(nets_lock);
static LIST_HEAD(nets);
static u64 retired[__LISTENIN_A_STATS_MAX];

int listenin_counters_net_init(struct listenin_net *ln)
{
	int cpu;

	ln->stats = alloc_percpu(struct listenin_pcpu_stats);
	if (!ln->stats)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(ln->stats, cpu)->syncp);
	mutex_lock(&nets_lock);
	list_add_tail(&ln->node, &nets);
	mutex_unlock(&nets_lock);
	return 0;
}

/* Hooks are unregistered: nothing writes the per-CPU counters any more. */
void listenin_counters_net_exit(struct listenin_net *ln)
{
	u64 v[__LISTENIN_A_STATS_MAX];
	unsigned int i;

	mutex_lock(&nets_lock);
	list_del(&ln->node);
	listenin_counters_net(ln, v);
	for (i = 0; i < ARRAY_SIZE(v); i++)
		retired[i] += v[i];
	mutex_unlock(&nets_lock);
	free_percpu(ln->stats);
}

void listenin_counters_net(struct listenin_net *ln, u64 *v)
{
	unsigned int i, start;
	int cpu;

	memset(v, 0, sizeof(u64) * __LISTENIN_A_STATS_MAX);
	for_each_possible_cpu(cpu) {
		const struct listenin_pcpu_stats *s = per_cpu_ptr(ln->stats, cpu);
		u64 snap[__LISTENIN_A_STATS_MAX];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < __LISTENIN_A_STATS_MAX; i++)
				snap[i] = u64_stats_read(&s->v[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < __LISTENIN_A_STATS_MAX; i++)
			v[i] += snap[i];
	}
	v[LISTENIN_A_STATS_TAPS] = READ_ONCE(ln->n_taps);
	v[LISTENIN_A_STATS_STREAMS] = READ_ONCE(ln->n_streams);
	v[LISTENIN_A_STATS_OUTPUTS] = READ_ONCE(ln->n_outputs);
	v[LISTENIN_A_STATS_TAPS_EXPIRED] = READ_ONCE(ln->taps_expired);
}

void listenin_counters_global(u64 *v)
{
	u64 one[__LISTENIN_A_STATS_MAX];
	struct listenin_net *ln;
	unsigned int i;

	mutex_lock(&nets_lock);
	memcpy(v, retired, sizeof(retired));
	list_for_each_entry(ln, &nets, node) {
		listenin_counters_net(ln, one);
		for (i = 0; i < __LISTENIN_A_STATS_MAX; i++)
			v[i] += one[i];
	}
	mutex_unlock(&nets_lock);
}
