// SPDX-License-Identifier: GPL-2.0
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "hook.h"
#include "netlink.h"
#include "netns.h"
#include "table.h"

unsigned int listenin_net_id __read_mostly;

/* Idle taps a scan collects before it leaves RCU to unlink them. */
#define EXPIRY_BATCH 32
#define EXPIRY_PERIOD_MAX (8 * HZ)

static void generation_bump(struct listenin_net *ln)
{
	/* Zero would tell the dump code "no sequence"; skip it. */
	if (!++ln->generation)
		ln->generation = 1;
}

/*
 * Scanning every tap costs the same whatever their timeouts: scan an eighth
 * of the shortest timeout apart, so a tap is announced at most that much
 * late, between one and eight seconds.
 */
static unsigned long expiry_period(u32 idle_timeout)
{
	return clamp_t(unsigned long, (unsigned long)idle_timeout * HZ / 8, HZ,
		       EXPIRY_PERIOD_MAX);
}

static void expiry_arm(struct listenin_net *ln)
{
	if (!ln->dying && ln->n_taps)
		queue_delayed_work(system_power_efficient_wq, &ln->expiry,
				   ln->expiry_period);
}

/*
 * A new tap needs a scan within its period: bring the next one forward if
 * it is due later (or not queued at all). A scan queued before the last
 * tap went away may still be pending; it is kept when it comes sooner.
 */
static void expiry_schedule(struct listenin_net *ln, u32 idle_timeout)
{
	unsigned long period = expiry_period(idle_timeout);

	if (ln->n_taps == 1 || period < ln->expiry_period)
		ln->expiry_period = period;
	if (ln->dying)
		return;
	if (!delayed_work_pending(&ln->expiry) ||
	    time_before(jiffies + period, READ_ONCE(ln->expiry.timer.expires)))
		mod_delayed_work(system_power_efficient_wq, &ln->expiry,
				 period);
}

/* Called with ln->lock held; the tap is whole and not yet visible. */
int listenin_netns_tap_add(struct listenin_net *ln, struct listenin_tap *tap,
			   struct netlink_ext_ack *extack)
{
	unsigned int outputs = listenin_tap_outputs(tap);
	int err;

	lockdep_assert_held(&ln->lock);
	if (ln->n_taps >= READ_ONCE(listenin_max_taps)) {
		NL_SET_ERR_MSG(extack,
			       "too many taps in this network namespace (module parameter max_taps)");
		return -ENOSPC;
	}
	err = xa_alloc_cyclic(&ln->taps, &tap->id, tap, xa_limit_32b,
			      &ln->next_id, GFP_KERNEL);
	if (err < 0) {
		NL_SET_ERR_MSG(extack, "cannot allocate a tap id");
		return err;
	}
	if (!ln->hooks) {
		err = listenin_hooks_register(ln);
		if (err) {
			NL_SET_ERR_MSG(extack, "cannot register netfilter hooks");
			goto err_id;
		}
		ln->hooks = true;
	}
	err = listenin_table_insert(ln, tap);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot insert the tap's streams into the match table");
		goto err_hooks;
	}
	/* From here on the packet path copies for this tap. */
	smp_store_release(&tap->live, true);
	WRITE_ONCE(ln->n_taps, ln->n_taps + 1);
	WRITE_ONCE(ln->n_streams, ln->n_streams + tap->n_streams);
	WRITE_ONCE(ln->n_outputs, ln->n_outputs + outputs);
	generation_bump(ln);
	expiry_schedule(ln, tap->idle_timeout);
	return 0;

err_hooks:
	if (!ln->n_taps) {
		listenin_hooks_unregister(ln);
		ln->hooks = false;
	}
err_id:
	xa_erase(&ln->taps, tap->id);
	return err;
}

/*
 * Called with ln->lock held. After it returns no new packet sees the tap;
 * packets already inside the hook may still finish, so the caller frees the
 * tap with listenin_tap_free_rcu().
 */
void listenin_netns_tap_unlink(struct listenin_net *ln,
			       struct listenin_tap *tap)
{
	lockdep_assert_held(&ln->lock);
	WRITE_ONCE(tap->live, false);
	listenin_table_remove(ln, tap);
	xa_erase(&ln->taps, tap->id);
	WRITE_ONCE(ln->n_taps, ln->n_taps - 1);
	WRITE_ONCE(ln->n_streams, ln->n_streams - tap->n_streams);
	WRITE_ONCE(ln->n_outputs, ln->n_outputs - listenin_tap_outputs(tap));
	generation_bump(ln);
	if (!ln->n_taps && ln->hooks) {
		listenin_hooks_unregister(ln);
		ln->hooks = false;
	}
}

static bool tap_idle(const struct listenin_tap *tap, unsigned long now)
{
	unsigned long idle = (unsigned long)tap->idle_timeout * HZ;

	return !time_before(now, listenin_tap_last_active(tap) + idle);
}

static void expire(struct listenin_net *ln, struct listenin_tap *tap)
{
	listenin_netns_tap_unlink(ln, tap);
	WRITE_ONCE(ln->taps_expired, ln->taps_expired + 1);
	listenin_netlink_notify(ln->net, tap, LISTENIN_END_CAUSE_IDLE);
	listenin_tap_free_rcu(tap);
}

/*
 * One walk of the tap ids with an xarray cursor (xa_for_each() would start
 * from the root for every tap). ln->lock keeps other writers out; the walk
 * itself runs under RCU, so idle taps are unlinked in batches outside it.
 */
static void expiry_work(struct work_struct *work)
{
	struct listenin_net *ln = container_of(to_delayed_work(work),
					       struct listenin_net, expiry);
	struct listenin_tap *tap, *idle[EXPIRY_BATCH];
	u32 shortest = LISTENIN_IDLE_TIMEOUT_MAX;
	unsigned long now = jiffies;
	XA_STATE(xas, &ln->taps, 0);
	unsigned int n, i;

	mutex_lock(&ln->lock);
	do {
		n = 0;
		rcu_read_lock();
		xas_for_each(&xas, tap, ULONG_MAX) {
			if (xas_retry(&xas, tap))
				continue;
			if (!tap_idle(tap, now)) {
				shortest = min(shortest, tap->idle_timeout);
				continue;
			}
			idle[n++] = tap;
			if (n == ARRAY_SIZE(idle)) {
				xas_pause(&xas);
				break;
			}
		}
		rcu_read_unlock();
		for (i = 0; i < n; i++)
			expire(ln, idle[i]);
	} while (n == ARRAY_SIZE(idle));
	ln->expiry_period = expiry_period(shortest);
	expiry_arm(ln);
	mutex_unlock(&ln->lock);
}

static int __net_init listenin_net_init(struct net *net)
{
	struct listenin_net *ln = listenin_net(net);
	int err;

	ln->net = net;
	ln->generation = 1;
	mutex_init(&ln->lock);
	xa_init_flags(&ln->taps, XA_FLAGS_ALLOC1);
	INIT_DELAYED_WORK(&ln->expiry, expiry_work);
	err = listenin_table_init(ln);
	if (err)
		return err;
	err = listenin_counters_net_init(ln);
	if (err)
		listenin_table_destroy(ln);
	return err;
}

static void __net_exit listenin_net_exit(struct net *net)
{
	struct listenin_net *ln = listenin_net(net);
	struct listenin_tap *tap;
	unsigned long id;

	mutex_lock(&ln->lock);
	ln->dying = true;
	mutex_unlock(&ln->lock);
	cancel_delayed_work_sync(&ln->expiry);

	mutex_lock(&ln->lock);
	if (ln->hooks) {
		listenin_hooks_unregister(ln);
		ln->hooks = false;
	}
	/* The hooks are gone and nothing else reaches the taps: no events. */
	xa_for_each(&ln->taps, id, tap) {
		listenin_netns_tap_unlink(ln, tap);
		listenin_tap_free_rcu(tap);
	}
	mutex_unlock(&ln->lock);
	xa_destroy(&ln->taps);
	listenin_table_destroy(ln);
	listenin_counters_net_exit(ln);
	mutex_destroy(&ln->lock);
}

static struct pernet_operations listenin_net_ops = {
	.init = listenin_net_init,
	.exit = listenin_net_exit,
	.id = &listenin_net_id,
	.size = sizeof(struct listenin_net),
};

int listenin_netns_init(void)
{
	return register_pernet_subsys(&listenin_net_ops);
}

void listenin_netns_exit(void)
{
	unregister_pernet_subsys(&listenin_net_ops);
}
