// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <time.h>

#include "common/jout.h"
#include "lictl/format.h"

#define HAS(c, type) ((c)->present & (1U << (type)))

struct json_object *format_json_counters(const struct lnl_counters *c)
{
	struct json_object *obj = json_object_new_object();

	for (unsigned int i = 1; i <= LISTENIN_A_COUNTER_MAX; i++)
		if (HAS(c, i) && lnl_counter_name(i))
			jout_add_u64(obj, lnl_counter_name(i), c->val[i]);
	return obj;
}

static struct json_object *json_output(const struct lnl_output *o)
{
	struct json_object *obj = json_object_new_object();

	jout_add_addr(obj, "dst", &o->dst);
	jout_add_u64(obj, "dst_port", o->dst_port);
	jout_add_addr(obj, "src", &o->src);
	jout_add_u64(obj, "src_port", o->src_port);
	jout_add_bool(obj, "listen_only", o->flags & LISTENIN_OUTPUT_F_LISTEN_ONLY);
	jout_add_u64(obj, "flags", o->flags);
	json_object_object_add(obj, "counters", format_json_counters(&o->counters));
	return obj;
}

static struct json_object *json_stream(const struct lnl_stream *s)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *outputs = json_object_new_array();

	jout_add_str(obj, "family", addr_family_name(s->dst.family));
	jout_add_addr(obj, "dst", &s->dst);
	jout_add_u64(obj, "dst_port", s->dst_port);
	jout_add_addr(obj, "src", &s->src);
	if (s->src_port)
		jout_add_u64(obj, "src_port", s->src_port);
	else
		jout_add_null(obj, "src_port");
	if (s->has_ssrc)
		jout_add_u64(obj, "ssrc", s->ssrc);
	else
		jout_add_null(obj, "ssrc");
	jout_add_bool(obj, "rtcp", s->flags & LISTENIN_STREAM_F_RTCP);
	jout_add_u64(obj, "flags", s->flags);
	json_object_object_add(obj, "counters", format_json_counters(&s->counters));
	for (size_t i = 0; i < s->n_outputs; i++)
		json_object_array_add(outputs, json_output(&s->outputs[i]));
	json_object_object_add(obj, "outputs", outputs);
	return obj;
}

struct json_object *format_json_tap(const struct lnl_tap *tap)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *streams = json_object_new_array();

	jout_add_u64(obj, "id", tap->id);
	jout_add_u64(obj, "cookie", tap->cookie);
	jout_add_u64(obj, "idle_timeout", tap->idle_timeout);
	jout_add_u64(obj, "idle_msecs", tap->idle_msecs);
	json_object_object_add(obj, "counters", format_json_counters(&tap->counters));
	for (size_t i = 0; i < tap->n_streams; i++)
		json_object_array_add(streams, json_stream(&tap->streams[i]));
	json_object_object_add(obj, "streams", streams);
	return obj;
}

/* "label  N (B bytes)" lines for the counters present, at indent. */
static void print_counters(FILE *f, const char *indent,
			   const struct lnl_counters *c)
{
	if (HAS(c, LISTENIN_A_COUNTER_PACKETS)) {
		fprintf(f, "%s%-13s %" PRIu64, indent, "packets",
			c->val[LISTENIN_A_COUNTER_PACKETS]);
		if (HAS(c, LISTENIN_A_COUNTER_BYTES))
			fprintf(f, " (%" PRIu64 " bytes)",
				c->val[LISTENIN_A_COUNTER_BYTES]);
		fputc('\n', f);
	}
	if (HAS(c, LISTENIN_A_COUNTER_COPIES)) {
		fprintf(f, "%s%-13s %" PRIu64, indent, "copies",
			c->val[LISTENIN_A_COUNTER_COPIES]);
		if (HAS(c, LISTENIN_A_COUNTER_COPY_BYTES))
			fprintf(f, " (%" PRIu64 " bytes)",
				c->val[LISTENIN_A_COUNTER_COPY_BYTES]);
		if (HAS(c, LISTENIN_A_COUNTER_COPY_FAILURES))
			fprintf(f, ", %" PRIu64 " failed",
				c->val[LISTENIN_A_COUNTER_COPY_FAILURES]);
		fputc('\n', f);
	} else if (HAS(c, LISTENIN_A_COUNTER_COPY_FAILURES)) {
		fprintf(f, "%s%-13s %" PRIu64 "\n", indent, "copy failures",
			c->val[LISTENIN_A_COUNTER_COPY_FAILURES]);
	}
	if (HAS(c, LISTENIN_A_COUNTER_TALKBACK_DROPPED))
		fprintf(f, "%s%-13s %" PRIu64 " dropped\n", indent, "talk-back",
			c->val[LISTENIN_A_COUNTER_TALKBACK_DROPPED]);
}

void format_print_tap(FILE *f, const struct lnl_tap *tap)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	fprintf(f, "tap %" PRIu32 "\n", tap->id);
	fprintf(f, "  %-13s 0x%" PRIx64 "\n", "cookie", tap->cookie);
	fprintf(f, "  %-13s %" PRIu32 ".%03" PRIu32 " s (timeout %" PRIu32 " s)\n",
		"idle", tap->idle_msecs / 1000, tap->idle_msecs % 1000,
		tap->idle_timeout);
	print_counters(f, "  ", &tap->counters);
	for (size_t i = 0; i < tap->n_streams; i++) {
		const struct lnl_stream *s = &tap->streams[i];

		fprintf(f, "  stream %s", addr_format(&s->dst, s->dst_port, a, sizeof(a)));
		if (s->src.family || s->src_port)
			fprintf(f, " from %s", addr_format(&s->src, s->src_port, b, sizeof(b)));
		if (s->has_ssrc)
			fprintf(f, " ssrc 0x%08" PRIx32, s->ssrc);
		if (s->flags & LISTENIN_STREAM_F_RTCP)
			fprintf(f, " rtcp");
		fputc('\n', f);
		print_counters(f, "    ", &s->counters);
		for (size_t j = 0; j < s->n_outputs; j++) {
			const struct lnl_output *o = &s->outputs[j];

			fprintf(f, "    output %s src %s%s\n",
				addr_format(&o->dst, o->dst_port, a, sizeof(a)),
				addr_format(&o->src, o->src_port, b, sizeof(b)),
				o->flags & LISTENIN_OUTPUT_F_LISTEN_ONLY ? " listen-only" : "");
			print_counters(f, "      ", &o->counters);
		}
	}
}

void format_print_counters_line(FILE *f, const struct lnl_counters *c)
{
	bool first = true;

	for (unsigned int i = 1; i <= LISTENIN_A_COUNTER_MAX; i++) {
		if (!HAS(c, i) || !lnl_counter_name(i))
			continue;
		fprintf(f, "%s%s %" PRIu64, first ? "" : " ",
			lnl_counter_name(i), c->val[i]);
		first = false;
	}
}

const char *format_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char sec[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03ldZ", sec, ts.tv_nsec / 1000000);
	return buf;
}
