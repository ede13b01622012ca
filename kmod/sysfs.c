// SPDX-License-Identifier: GPL-2.0
/* /sys/kernel/listenin/: one global figure per read-only file. */
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "counters.h"
#include "sysfs.h"

struct stat_attr {
	struct kobj_attribute attr;
	unsigned int idx;
};

static ssize_t stat_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	const struct stat_attr *sa = container_of(attr, struct stat_attr, attr);
	u64 v[__LISTENIN_A_STATS_MAX];

	listenin_counters_global(v);
	return sysfs_emit(buf, "%llu\n", v[sa->idx]);
}

#define STAT_ATTR(_name, _idx)						\
	static struct stat_attr stat_##_name = {			\
		.attr = __ATTR(_name, 0444, stat_show, NULL),		\
		.idx = _idx,						\
	}

STAT_ATTR(taps, LISTENIN_A_STATS_TAPS);
STAT_ATTR(streams, LISTENIN_A_STATS_STREAMS);
STAT_ATTR(outputs, LISTENIN_A_STATS_OUTPUTS);
STAT_ATTR(packets_inspected, LISTENIN_A_STATS_PACKETS_INSPECTED);
STAT_ATTR(packets_matched, LISTENIN_A_STATS_PACKETS_MATCHED);
STAT_ATTR(copies_sent, LISTENIN_A_STATS_COPIES_SENT);
STAT_ATTR(copy_failures, LISTENIN_A_STATS_COPY_FAILURES);
STAT_ATTR(talkback_dropped, LISTENIN_A_STATS_TALKBACK_DROPPED);
STAT_ATTR(taps_expired, LISTENIN_A_STATS_TAPS_EXPIRED);
STAT_ATTR(not_udp, LISTENIN_A_STATS_NOT_UDP);
STAT_ATTR(fragments, LISTENIN_A_STATS_FRAGMENTS);
STAT_ATTR(malformed, LISTENIN_A_STATS_MALFORMED);
STAT_ATTR(not_rtp, LISTENIN_A_STATS_NOT_RTP);

static struct attribute *stat_attrs[] = {
	&stat_taps.attr.attr,
	&stat_streams.attr.attr,
	&stat_outputs.attr.attr,
	&stat_packets_inspected.attr.attr,
	&stat_packets_matched.attr.attr,
	&stat_copies_sent.attr.attr,
	&stat_copy_failures.attr.attr,
	&stat_talkback_dropped.attr.attr,
	&stat_taps_expired.attr.attr,
	&stat_not_udp.attr.attr,
	&stat_fragments.attr.attr,
	&stat_malformed.attr.attr,
	&stat_not_rtp.attr.attr,
	NULL,
};

static const struct attribute_group stat_group = {
	.attrs = stat_attrs,
};

static struct kobject *listenin_kobj;

int __init listenin_sysfs_init(void)
{
	int err;

	listenin_kobj = kobject_create_and_add("listenin", kernel_kobj);
	if (!listenin_kobj)
		return -ENOMEM;
	err = sysfs_create_group(listenin_kobj, &stat_group);
	if (err)
		kobject_put(listenin_kobj);
	return err;
}

void listenin_sysfs_exit(void)
{
	sysfs_remove_group(listenin_kobj, &stat_group);
	kobject_put(listenin_kobj);
}
