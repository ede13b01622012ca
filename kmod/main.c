// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>

#include "netlink.h"
#include "netns.h"
#include "selftest.h"
#include "sysfs.h"
#include "tap.h"

unsigned int listenin_max_taps __read_mostly = 262144;
unsigned int listenin_max_streams __read_mostly = 8;
unsigned int listenin_max_outputs __read_mostly = 8;

static int set_max_taps(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, INT_MAX);
}

static int set_max_streams(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, LISTENIN_MAX_STREAMS_LIMIT);
}

static int set_max_outputs(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, LISTENIN_MAX_OUTPUTS_LIMIT);
}

static const struct kernel_param_ops max_taps_ops = {
	.set = set_max_taps,
	.get = param_get_uint,
};

static const struct kernel_param_ops max_streams_ops = {
	.set = set_max_streams,
	.get = param_get_uint,
};

static const struct kernel_param_ops max_outputs_ops = {
	.set = set_max_outputs,
	.get = param_get_uint,
};

module_param_cb(max_taps, &max_taps_ops, &listenin_max_taps, 0644);
MODULE_PARM_DESC(max_taps, "Taps per network namespace (1..2^31-1, default 262144)");
module_param_cb(max_streams, &max_streams_ops, &listenin_max_streams, 0644);
MODULE_PARM_DESC(max_streams, "Streams per tap (1..64, default 8)");
module_param_cb(max_outputs, &max_outputs_ops, &listenin_max_outputs, 0644);
MODULE_PARM_DESC(max_outputs, "Outputs per stream (1..64, default 8)");

static int __init listenin_init(void)
{
	int err;

	err = listenin_tap_init();
	if (err)
		return err;
#ifdef DEBUG
	if (!listenin_table_selftest() || !listenin_hook_selftest()) {
		err = -ENOTRECOVERABLE;
		goto err_tap;
	}
#endif
	err = listenin_netns_init();
	if (err)
		goto err_tap;
	err = listenin_netlink_init();
	if (err)
		goto err_netns;
	err = listenin_sysfs_init();
	if (err)
		goto err_netlink;
	return 0;

err_netlink:
	listenin_netlink_exit();
err_netns:
	listenin_netns_exit();
	rcu_barrier();
err_tap:
	listenin_tap_exit();
	return err;
}

static void __exit listenin_exit(void)
{
	listenin_sysfs_exit();
	listenin_netlink_exit();
	listenin_netns_exit();
	/* Taps are freed by RCU callbacks that live in this module. */
	rcu_barrier();
	listenin_tap_exit();
}

module_init(listenin_init);
module_exit(listenin_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("listen-in: copy monitored RTP streams to supervisors");
MODULE_ALIAS_GENL_FAMILY(LISTENIN_GENL_NAME);
