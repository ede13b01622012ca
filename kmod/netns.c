// SPDX-License-Identifier: GPL-2.0
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "hook.h"
#include "netlink.h"
#include "netns.h"
#include "table.h"

unsigned int listenin_net_id __read_mostly;

#define EXPIRY_PERIOD HZ

static void generation_bump(struct listenin_net *ln)
{
	/* Zero would tell the dump code "no sequence"; skip it. */
	if (!++ln->generation)
		ln->generation = 1;
}

static void expiry_arm(struct listenin_net *ln)
{
	if (!ln->dying && ln->n_taps)
		queue_delayed_work(system_power_efficient_wq, &ln->expiry,
				   EXPIRY_PERIOD);
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
		err = listenin_hooks_register(ln->net);
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
	if (ln->n_taps == 1)
		expiry_arm(ln);
	return 0;

err_hooks:
	if (!ln->n_taps) {
		listenin_hooks_unregister(ln->net);
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
		listenin_hooks_unregister(ln->net);
		ln->hooks = false;
	}
}

static void expiry_work(struct work_struct *work)
{
	struct listenin_net *ln = container_of(to_delayed_work(work),
					       struct listenin_net, expiry);
	struct listenin_tap *tap;
	unsigned long id, now = jiffies;

	mutex_lock(&ln->lock);
	xa_for_each(&ln->taps, id, tap) {
		unsigned long idle = (unsigned long)tap->idle_timeout * HZ;

		if (time_before(now, listenin_tap_last_active(tap) + idle))
			continue;
		listenin_netns_tap_unlink(ln, tap);
		WRITE_ONCE(ln->taps_expired, ln->taps_expired + 1);
		listenin_netlink_notify(ln->net, tap, LISTENIN_END_CAUSE_IDLE);
		listenin_tap_free_rcu(tap);
	}
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
		listenin_hooks_unregister(net);
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
