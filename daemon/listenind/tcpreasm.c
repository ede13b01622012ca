// SPDX-License-Identifier: GPL-2.0
#include "listenind/tcpreasm.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

struct seg {
	struct seg *next;
	uint32_t seq;
	uint32_t len;
	uint8_t data[];
};

struct flow {
	struct tcpreasm_key key;
	struct flow *hnext;		/* hash chain */
	struct flow *prev, *next;	/* LRU, most recent first */
	uint64_t last_ms;
	uint32_t next_seq;
	bool aligned;			/* next byte starts a SIP message */
	bool fin;
	uint32_t fin_seq;
	uint8_t *buf;
	size_t len, cap;
	struct seg *ooo;		/* sorted by seq */
	unsigned int n_ooo;
	size_t ooo_bytes;
};

struct tcpreasm {
	struct tcpreasm_config cfg;
	tcpreasm_deliver_fn deliver;
	void *ctx;
	struct flow **table;
	size_t buckets;
	struct flow lru;		/* sentinel */
	unsigned int n_flows;
	size_t bytes;
	uint64_t counters[TCPREASM_CNT_COUNT];
};

static const char *const names[TCPREASM_CNT_COUNT] = {
	[TCPREASM_CNT_SEGMENTS] = "tcp_segments",
	[TCPREASM_CNT_MESSAGES] = "tcp_sip_messages",
	[TCPREASM_CNT_FLOWS] = "tcp_flows",
	[TCPREASM_CNT_FLOWS_EVICTED] = "tcp_flows_evicted",
	[TCPREASM_CNT_FLOWS_IDLE] = "tcp_flows_idle",
	[TCPREASM_CNT_FLOWS_CLOSED] = "tcp_flows_closed",
	[TCPREASM_CNT_RETRANSMITS] = "tcp_retransmits",
	[TCPREASM_CNT_OUT_OF_ORDER] = "tcp_out_of_order",
	[TCPREASM_CNT_GAPS] = "tcp_gaps",
	[TCPREASM_CNT_UNSYNCED] = "tcp_unsynced_segments",
	[TCPREASM_CNT_NO_MEMORY] = "tcp_no_memory",
	[TCPREASM_CNT_NO_LENGTH] = "tcp_sip_no_content_length",
	[TCPREASM_CNT_BAD_LENGTH] = "tcp_sip_bad_content_length",
	[TCPREASM_CNT_TOO_LARGE] = "tcp_sip_too_large",
};

const char *tcpreasm_counter_name(enum tcpreasm_counter c)
{
	return (unsigned int)c < TCPREASM_CNT_COUNT ? names[c] : "unknown";
}

uint64_t tcpreasm_counter(const struct tcpreasm *t, enum tcpreasm_counter c)
{
	return (unsigned int)c < TCPREASM_CNT_COUNT ? t->counters[c] : 0;
}

unsigned int tcpreasm_flows(const struct tcpreasm *t)
{
	return t->n_flows;
}

size_t tcpreasm_bytes(const struct tcpreasm *t)
{
	return t->bytes;
}

void tcpreasm_config_defaults(struct tcpreasm_config *cfg)
{
	cfg->max_flows = 1024;
	cfg->max_message = 65535;
	cfg->max_ooo_segments = 32;
	cfg->max_ooo_bytes = 65536;
	cfg->max_bytes = 32 << 20;
	cfg->idle_timeout_ms = 60000;
}

/* SIP framing */

static bool is_token(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr("-.!%*_+`'~", c));
}

bool tcpreasm_sip_start(const uint8_t *buf, size_t len)
{
	const uint8_t *eol = memchr(buf, '\n', len < 2048 ? len : 2048);
	size_t n, i;

	if (!eol || eol == buf || eol[-1] != '\r')
		return false;
	n = (size_t)(eol - buf) - 1;
	if (n >= 11 && !memcmp(buf, "SIP/2.0 ", 8))
		return buf[8] >= '1' && buf[8] <= '6' && buf[9] >= '0' && buf[9] <= '9' &&
		       buf[10] >= '0' && buf[10] <= '9' && (n == 11 || buf[11] == ' ');
	for (i = 0; i < n && is_token(buf[i]); i++)
		;
	if (!i || i >= n || buf[i] != ' ')
		return false;
	if (n < i + 2 + 8 || memcmp(buf + n - 8, " SIP/2.0", 8))
		return false;
	/* Request-URI: one non-empty run without spaces. */
	return !memchr(buf + i + 1, ' ', n - 8 - i - 1) && n - 8 > i + 1;
}

static bool header_is(const uint8_t *line, size_t n, const char *name, size_t *val)
{
	size_t l = strlen(name), i;

	if (n < l || strncasecmp((const char *)line, name, l))
		return false;
	for (i = l; i < n && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i >= n || line[i] != ':')
		return false;
	*val = i + 1;
	return true;
}

enum tcpreasm_frame tcpreasm_sip_frame(const uint8_t *buf, size_t len, size_t max,
				       size_t *skip, size_t *msg_len)
{
	const uint8_t *p, *end, *line;
	size_t s = 0, hdr, limit, clen = 0;
	bool have_len = false;

	while (s < len && (buf[s] == '\r' || buf[s] == '\n'))
		s++;
	*skip = s;
	buf += s;
	len -= s;
	limit = len < max ? len : max;
	p = limit >= 4 ? memmem(buf, limit, "\r\n\r\n", 4) : NULL;
	if (!p)
		return len >= max ? TCPREASM_FRAME_TOO_LARGE : TCPREASM_FRAME_MORE;
	hdr = (size_t)(p - buf) + 4;
	end = p + 2;

	/* Header lines after the start line. */
	line = memchr(buf, '\n', hdr);
	for (line = line ? line + 1 : end; line < end;) {
		const uint8_t *eol = memchr(line, '\n', (size_t)(end - line));
		size_t n = (size_t)(eol - line) - (eol > line && eol[-1] == '\r');
		size_t v;

		if (header_is(line, n, "Content-Length", &v) || header_is(line, n, "l", &v)) {
			size_t val = 0, digits = 0;

			while (v < n && (line[v] == ' ' || line[v] == '\t'))
				v++;
			for (; v < n && line[v] >= '0' && line[v] <= '9'; v++, digits++) {
				val = val * 10 + (size_t)(line[v] - '0');
				if (val > max)
					return TCPREASM_FRAME_TOO_LARGE;
			}
			while (v < n && (line[v] == ' ' || line[v] == '\t'))
				v++;
			if (!digits || v != n || (have_len && val != clen))
				return TCPREASM_FRAME_BAD_LENGTH;
			clen = val;
			have_len = true;
		}
		line = eol + 1;
	}
	if (!have_len)
		return TCPREASM_FRAME_NO_LENGTH;
	if (clen > max - hdr || hdr > max)
		return TCPREASM_FRAME_TOO_LARGE;
	if (hdr + clen > len)
		return TCPREASM_FRAME_MORE;
	*msg_len = hdr + clen;
	return TCPREASM_FRAME_DONE;
}

/* Flow table */

static size_t hash(const struct tcpreasm_key *k)
{
	size_t alen = k->family == AF_INET6 ? 16 : 4, i;
	uint32_t h = 2166136261u;

	for (i = 0; i < alen; i++)
		h = (h ^ k->src[i]) * 16777619u;
	for (i = 0; i < alen; i++)
		h = (h ^ k->dst[i]) * 16777619u;
	h = (h ^ k->sport) * 16777619u;
	h = (h ^ k->dport) * 16777619u;
	return h ^ (uint32_t)k->family;
}

static bool same(const struct tcpreasm_key *a, const struct tcpreasm_key *b)
{
	size_t alen = a->family == AF_INET6 ? 16 : 4;

	return a->family == b->family && a->sport == b->sport && a->dport == b->dport &&
	       !memcmp(a->src, b->src, alen) && !memcmp(a->dst, b->dst, alen);
}

struct tcpreasm *tcpreasm_new(const struct tcpreasm_config *cfg,
			      tcpreasm_deliver_fn deliver, void *ctx)
{
	struct tcpreasm *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cfg = *cfg;
	if (!t->cfg.max_flows)
		t->cfg.max_flows = 1;
	if (t->cfg.max_message < 16)
		t->cfg.max_message = 16;
	t->deliver = deliver;
	t->ctx = ctx;
	for (t->buckets = 16; t->buckets < t->cfg.max_flows; t->buckets *= 2)
		;
	t->table = calloc(t->buckets, sizeof(*t->table));
	if (!t->table) {
		free(t);
		return NULL;
	}
	t->lru.prev = t->lru.next = &t->lru;
	return t;
}

static void clear_ooo(struct tcpreasm *t, struct flow *f)
{
	while (f->ooo) {
		struct seg *s = f->ooo;

		f->ooo = s->next;
		t->bytes -= s->len;
		free(s);
	}
	f->n_ooo = 0;
	f->ooo_bytes = 0;
}

static void clear_stream(struct tcpreasm *t, struct flow *f)
{
	t->bytes -= f->cap;
	free(f->buf);
	f->buf = NULL;
	f->len = f->cap = 0;
}

static void flow_free(struct tcpreasm *t, struct flow *f)
{
	struct flow **pp = &t->table[hash(&f->key) & (t->buckets - 1)];

	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	f->prev->next = f->next;
	f->next->prev = f->prev;
	clear_ooo(t, f);
	clear_stream(t, f);
	free(f);
	t->n_flows--;
}

void tcpreasm_free(struct tcpreasm *t)
{
	if (!t)
		return;
	while (t->lru.next != &t->lru)
		flow_free(t, t->lru.next);
	free(t->table);
	free(t);
}

static void touch(struct tcpreasm *t, struct flow *f, uint64_t now_ms)
{
	f->last_ms = now_ms;
	f->prev->next = f->next;
	f->next->prev = f->prev;
	f->next = t->lru.next;
	f->prev = &t->lru;
	t->lru.next->prev = f;
	t->lru.next = f;
}

static struct flow *lookup(struct tcpreasm *t, const struct tcpreasm_key *key)
{
	struct flow *f;

	for (f = t->table[hash(key) & (t->buckets - 1)]; f; f = f->hnext)
		if (same(&f->key, key))
			return f;
	return NULL;
}

static struct flow *create(struct tcpreasm *t, const struct tcpreasm_key *key)
{
	struct flow **head, *f;

	if (t->n_flows >= t->cfg.max_flows) {
		t->counters[TCPREASM_CNT_FLOWS_EVICTED]++;
		flow_free(t, t->lru.prev);
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		t->counters[TCPREASM_CNT_NO_MEMORY]++;
		return NULL;
	}
	f->key = *key;
	head = &t->table[hash(key) & (t->buckets - 1)];
	f->hnext = *head;
	*head = f;
	f->next = t->lru.next;
	f->prev = &t->lru;
	t->lru.next->prev = f;
	t->lru.next = f;
	t->n_flows++;
	t->counters[TCPREASM_CNT_FLOWS]++;
	return f;
}

/* Loses what is buffered; the flow waits for the next SIP start line. */
static void desync(struct tcpreasm *t, struct flow *f)
{
	clear_stream(t, f);
	f->aligned = false;
}

static bool reserve(struct tcpreasm *t, struct flow *f, size_t need)
{
	size_t cap = f->cap ? f->cap : 2048;
	uint8_t *nb;

	if (need <= f->cap)
		return true;
	while (cap < need)
		cap *= 2;
	if (cap > t->cfg.max_message)
		cap = t->cfg.max_message;
	if (t->bytes - f->cap + cap > t->cfg.max_bytes)
		return false;
	nb = realloc(f->buf, cap);
	if (!nb)
		return false;
	t->bytes += cap - f->cap;
	f->buf = nb;
	f->cap = cap;
	return true;
}

static void frame(struct tcpreasm *t, struct flow *f)
{
	size_t off = 0;

	while (off < f->len) {
		size_t skip, n;
		enum tcpreasm_frame r;

		r = tcpreasm_sip_frame(f->buf + off, f->len - off, t->cfg.max_message, &skip, &n);
		if (r == TCPREASM_FRAME_MORE) {
			off += skip;
			break;
		}
		if (r != TCPREASM_FRAME_DONE) {
			t->counters[r == TCPREASM_FRAME_NO_LENGTH ? TCPREASM_CNT_NO_LENGTH :
				    r == TCPREASM_FRAME_BAD_LENGTH ? TCPREASM_CNT_BAD_LENGTH :
				    TCPREASM_CNT_TOO_LARGE]++;
			desync(t, f);
			return;
		}
		t->counters[TCPREASM_CNT_MESSAGES]++;
		t->deliver(t->ctx, &f->key, (const char *)f->buf + off + skip, n);
		off += skip + n;
	}
	memmove(f->buf, f->buf + off, f->len - off);
	f->len -= off;
}

/* Appends in-order data at f->next_seq. */
static void append(struct tcpreasm *t, struct flow *f, const uint8_t *data, size_t len)
{
	f->next_seq += (uint32_t)len;
	if (!f->aligned) {
		if (!tcpreasm_sip_start(data, len)) {
			t->counters[TCPREASM_CNT_UNSYNCED]++;
			return;
		}
		f->aligned = true;
	}
	while (len && f->aligned) {
		size_t room, n;

		if (!reserve(t, f, f->len + len) && !reserve(t, f, f->len + 1)) {
			t->counters[TCPREASM_CNT_NO_MEMORY]++;
			desync(t, f);
			return;
		}
		room = f->cap - f->len;
		n = len < room ? len : room;
		memcpy(f->buf + f->len, data, n);
		f->len += n;
		data += n;
		len -= n;
		frame(t, f);
	}
}

static void drain(struct tcpreasm *t, struct flow *f)
{
	while (f->ooo && (int32_t)(f->ooo->seq - f->next_seq) <= 0) {
		struct seg *s = f->ooo;
		uint32_t old = f->next_seq - s->seq;

		f->ooo = s->next;
		f->n_ooo--;
		f->ooo_bytes -= s->len;
		t->bytes -= s->len;
		if (old < s->len)
			append(t, f, s->data + old, s->len - old);
		free(s);
	}
}

static void queue(struct tcpreasm *t, struct flow *f, uint32_t seq, const uint8_t *data,
		  size_t len)
{
	struct seg **pp, *s;

	for (pp = &f->ooo; *pp && (int32_t)((*pp)->seq - seq) < 0; pp = &(*pp)->next)
		;
	if (*pp && (*pp)->seq == seq && (*pp)->len >= len) {
		t->counters[TCPREASM_CNT_RETRANSMITS]++;
		return;
	}
	if (f->n_ooo >= t->cfg.max_ooo_segments || f->ooo_bytes + len > t->cfg.max_ooo_bytes ||
	    t->bytes + len > t->cfg.max_bytes || !(s = malloc(sizeof(*s) + len))) {
		/* Give up on the gap: restart at this segment. */
		t->counters[TCPREASM_CNT_GAPS]++;
		clear_ooo(t, f);
		desync(t, f);
		f->next_seq = seq;
		append(t, f, data, len);
		return;
	}
	t->counters[TCPREASM_CNT_OUT_OF_ORDER]++;
	s->seq = seq;
	s->len = (uint32_t)len;
	memcpy(s->data, data, len);
	s->next = *pp;
	*pp = s;
	f->n_ooo++;
	f->ooo_bytes += len;
	t->bytes += len;
}

void tcpreasm_segment(struct tcpreasm *t, const struct tcpreasm_key *key, uint32_t seq,
		      uint8_t flags, const uint8_t *data, size_t len, uint64_t now_ms)
{
	struct flow *f = lookup(t, key);
	uint32_t end;

	t->counters[TCPREASM_CNT_SEGMENTS]++;
	if (flags & TCPREASM_RST) {
		/* A reset ends both directions. */
		struct tcpreasm_key rev = { .family = key->family, .sport = key->dport,
					    .dport = key->sport };
		struct flow *r;

		memcpy(rev.src, key->dst, sizeof(rev.src));
		memcpy(rev.dst, key->src, sizeof(rev.dst));
		r = lookup(t, &rev);
		if (f) {
			t->counters[TCPREASM_CNT_FLOWS_CLOSED]++;
			flow_free(t, f);
		}
		if (r) {
			t->counters[TCPREASM_CNT_FLOWS_CLOSED]++;
			flow_free(t, r);
		}
		return;
	}
	if (flags & TCPREASM_SYN) {
		if (!f)
			f = create(t, key);
		if (!f)
			return;
		clear_ooo(t, f);
		clear_stream(t, f);
		f->fin = false;
		f->aligned = true;
		f->next_seq = ++seq;
	} else if (!f) {
		if (!len)
			return;
		f = create(t, key);
		if (!f)
			return;
		f->next_seq = seq;
		f->aligned = false;
	}
	touch(t, f, now_ms);
	end = seq + (uint32_t)len;

	if (len) {
		int32_t diff = (int32_t)(seq - f->next_seq);

		if (diff < 0) {
			if ((size_t)-(int64_t)diff >= len) {
				t->counters[TCPREASM_CNT_RETRANSMITS]++;
				len = 0;
			} else {
				data += -(int64_t)diff;
				len -= (size_t)-(int64_t)diff;
				seq = f->next_seq;
				diff = 0;
			}
		}
		if (len && diff == 0) {
			append(t, f, data, len);
			drain(t, f);
		} else if (len) {
			queue(t, f, seq, data, len);
		}
	}
	if (flags & TCPREASM_FIN) {
		f->fin = true;
		f->fin_seq = end;
	}
	if (f->fin && (int32_t)(f->next_seq - f->fin_seq) >= 0) {
		t->counters[TCPREASM_CNT_FLOWS_CLOSED]++;
		flow_free(t, f);
	}
}

void tcpreasm_expire(struct tcpreasm *t, uint64_t now_ms)
{
	while (t->lru.prev != &t->lru &&
	       now_ms - t->lru.prev->last_ms >= t->cfg.idle_timeout_ms) {
		t->counters[TCPREASM_CNT_FLOWS_IDLE]++;
		flow_free(t, t->lru.prev);
	}
}
