// SPDX-License-Identifier: GPL-2.0
/*
 * Included by table.c in DEBUG builds: the match table's key derivation,
 * duplicates, RTCP and talk-back entries, growth and removal.
 */

static struct listenin_tap *selftest_tap(u8 family, u32 host, u16 port,
					 bool rtcp, bool listen_only, u16 sport)
{
	union listenin_addr daddr = {}, saddr = {};
	struct listenin_output *out;
	struct listenin_stream *s;
	struct listenin_tap *tap;
	unsigned int n6 = family == AF_INET6 ? 4 : 0, m = 0;

	tap = listenin_tap_alloc(1, 1, 1 + rtcp + listen_only, n6);
	if (!tap)
		return NULL;
	s = &tap->streams[0];
	out = listenin_tap_output(tap, 0);
	s->n_outputs = 1;
	s->family = family;
	s->dport = htons(port);
	s->flags = rtcp ? LISTENIN_STREAM_F_RTCP : 0;
	out->family = family;
	out->flags = listen_only ? LISTENIN_OUTPUT_F_LISTEN_ONLY : 0;
	out->sport = htons(sport);
	if (family == AF_INET) {
		daddr.ip = htonl(host);
		saddr.ip = htonl(0x0a090001);
	} else {
		daddr.ip6.s6_addr32[0] = htonl(0x20010db8);
		daddr.ip6.s6_addr32[3] = htonl(host);
		saddr.ip6.s6_addr32[0] = htonl(0x20010db8);
		saddr.ip6.s6_addr32[3] = htonl(0x0a090001);
	}
	listenin_ip_set(&s->daddr, family, &daddr,
			n6 ? listenin_tap_addr6(tap, 0) : NULL);
	listenin_ip_set(&out->saddr, family, &saddr,
			n6 ? listenin_tap_addr6(tap, 1) : NULL);
	listenin_tap_set_match(tap, m++, LISTENIN_MATCH_RTP, 0);
	if (rtcp)
		listenin_tap_set_match(tap, m++, LISTENIN_MATCH_RTCP, 0);
	if (listen_only)
		listenin_tap_set_match(tap, m++, LISTENIN_MATCH_TALKBACK, 0);
	return tap;
}

static void selftest_count(struct listenin_net *ln, u8 family, u32 host,
			   u16 port, unsigned int *n)
{
	struct listenin_key key = { .port = htons(port), .family = family };
	struct rhlist_head *list, *pos;
	struct listenin_match *m;

	if (family == AF_INET) {
		key.addr.ip = htonl(host);
	} else {
		key.addr.ip6.s6_addr32[0] = htonl(0x20010db8);
		key.addr.ip6.s6_addr32[3] = htonl(host);
	}
	n[LISTENIN_MATCH_RTP] = 0;
	n[LISTENIN_MATCH_RTCP] = 0;
	n[LISTENIN_MATCH_TALKBACK] = 0;
	rcu_read_lock();
	list = listenin_table_lookup(ln, &key);
	if (list)
		rhl_for_each_entry_rcu(m, pos, list, node)
			n[m->kind]++;
	rcu_read_unlock();
}

static bool selftest_expect(struct listenin_net *ln, u8 family, u32 host,
			    u16 port, unsigned int rtp, unsigned int rtcp,
			    unsigned int talkback)
{
	unsigned int n[3];

	selftest_count(ln, family, host, port, n);
	if (n[LISTENIN_MATCH_RTP] == rtp && n[LISTENIN_MATCH_RTCP] == rtcp &&
	    n[LISTENIN_MATCH_TALKBACK] == talkback)
		return true;
	pr_err("table self-test: family %u %#x port %u gave %u/%u/%u entries\n",
	       family, host, port, n[0], n[1], n[2]);
	return false;
}

#define SELFTEST_TAPS 300

bool __init listenin_table_selftest(void)
{
	struct listenin_tap **taps;
	struct listenin_net *ln;
	unsigned int i, talkback6 = 0;
	bool ok = false;

	ln = kzalloc(sizeof(*ln), GFP_KERNEL);
	taps = kcalloc(SELFTEST_TAPS + 3, sizeof(*taps), GFP_KERNEL);
	if (!ln || !taps || listenin_table_init(ln))
		goto out_free;

	taps[0] = selftest_tap(AF_INET, 0x0a000001, 5000, true, true, 7000);
	taps[1] = selftest_tap(AF_INET, 0x0a000001, 5000, true, true, 7000);
	taps[2] = selftest_tap(AF_INET6, 0x0a000001, 5000, false, false, 7000);
	for (i = 0; i < SELFTEST_TAPS; i++) {
		taps[3 + i] = selftest_tap(i & 1 ? AF_INET : AF_INET6,
					   0x0b000000 + i, 10000 + 2 * i,
					   i & 2, i & 4, 7001);
		if (!(i & 1) && (i & 4))
			talkback6++;
	}
	for (i = 0; i < SELFTEST_TAPS + 3; i++)
		if (!taps[i] || listenin_table_insert(ln, taps[i]))
			goto out;

	/* Two taps on one stream: both entries, RTCP at port + 1. */
	if (!selftest_expect(ln, AF_INET, 0x0a000001, 5000, 2, 0, 0))
		goto out;
	if (!selftest_expect(ln, AF_INET, 0x0a000001, 5001, 0, 2, 0))
		goto out;
	/* Talk-back keyed by the listen-only output's source. */
	if (!selftest_expect(ln, AF_INET, 0x0a090001, 7000, 0, 0, 2))
		goto out;
	/* Same address bytes and port in the other family do not mix. */
	if (!selftest_expect(ln, AF_INET6, 0x0a000001, 5000, 1, 0, 0))
		goto out;
	if (!selftest_expect(ln, AF_INET6, 0x0a000001, 5001, 0, 0, 0))
		goto out;
	if (!selftest_expect(ln, AF_INET6, 0x0a090001, 7000, 0, 0, 0))
		goto out;
	if (!selftest_expect(ln, AF_INET6, 0x0a090001, 7001, 0, 0, talkback6))
		goto out;
	if (!selftest_expect(ln, AF_INET, 0x0a000002, 5000, 0, 0, 0))
		goto out;
	for (i = 0; i < SELFTEST_TAPS; i++) {
		u8 fam = i & 1 ? AF_INET : AF_INET6;

		if (!selftest_expect(ln, fam, 0x0b000000 + i, 10000 + 2 * i,
				     1, 0, 0) ||
		    !selftest_expect(ln, fam, 0x0b000000 + i, 10001 + 2 * i,
				     0, !!(i & 2), 0))
			goto out;
	}

	listenin_table_remove(ln, taps[0]);
	if (!selftest_expect(ln, AF_INET, 0x0a000001, 5000, 1, 0, 0))
		goto out;
	if (!selftest_expect(ln, AF_INET, 0x0a000001, 5001, 0, 1, 0))
		goto out;
	if (!selftest_expect(ln, AF_INET, 0x0a090001, 7000, 0, 0, 1))
		goto out;
	listenin_table_remove(ln, taps[1]);
	if (!selftest_expect(ln, AF_INET, 0x0a000001, 5000, 0, 0, 0))
		goto out;
	if (!selftest_expect(ln, AF_INET, 0x0a090001, 7000, 0, 0, 0))
		goto out;
	for (i = 2; i < SELFTEST_TAPS + 3; i++)
		listenin_table_remove(ln, taps[i]);
	if (!selftest_expect(ln, AF_INET6, 0x0a000001, 5000, 0, 0, 0))
		goto out;
	if (!selftest_expect(ln, AF_INET, 0x0b000001, 10002, 0, 0, 0))
		goto out;
	ok = true;
out:
	/* Removing an entry that is not in the table is a no-op. */
	if (!ok)
		for (i = 0; i < SELFTEST_TAPS + 3; i++)
			if (taps[i])
				listenin_table_remove(ln, taps[i]);
	listenin_table_destroy(ln);
	for (i = 0; i < SELFTEST_TAPS + 3; i++)
		if (taps[i])
			listenin_tap_free(taps[i]);
out_free:
	kfree(taps);
	kfree(ln);
	if (ok)
		pr_info("table self-tests: pass\n");
	else
		pr_err("table self-tests: FAIL\n");
	return ok;
}
