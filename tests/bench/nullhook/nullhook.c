// SPDX-License-Identifier: GPL-2.0
/*
 * Not part of listen-in: the kernel fast-path benchmark's reference for what
 * being on the netfilter path at all costs. One IPv4 prerouting hook, where
 * listenin.ko's sits, that accepts every packet without looking at it: no
 * netfilter module can cost less.
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/net_namespace.h>

static unsigned int null_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

static const struct nf_hook_ops hook_ops = {
	.hook = null_hook,
	.pf = NFPROTO_IPV4,
	.hooknum = NF_INET_PRE_ROUTING,
	.priority = NF_IP_PRI_RAW - 1,
};

static int __net_init pernet_init(struct net *net)
{
	return nf_register_net_hook(net, &hook_ops);
}

static void __net_exit pernet_exit(struct net *net)
{
	nf_unregister_net_hook(net, &hook_ops);
}

static struct pernet_operations pernet_ops = {
	.init = pernet_init,
	.exit = pernet_exit,
};

static int __init mod_init(void)
{
	return register_pernet_subsys(&pernet_ops);
}

static void __exit mod_exit(void)
{
	unregister_pernet_subsys(&pernet_ops);
}

module_init(mod_init);
module_exit(mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("listen-in benchmark reference: one netfilter hook that accepts every packet");
