// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/num.h"
#include "lictl/tapspec.h"

struct parser {
	int argc;
	char **argv;
	int i;
	struct lnl_tap *tap;
	struct lnl_stream *stream;	/* the one being described */
	struct lnl_output *output;	/* its output being described, if any */
	bool has_from, has_ssrc, has_rtcp;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *family_word(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* The value after keyword argv[i], or NULL after reporting it missing. */
static const char *value(struct parser *p, const char *what)
{
	if (p->i + 1 >= p->argc) {
		fail(p, "\"%s\" needs a value: %s", p->argv[p->i], what);
		return NULL;
	}
	p->i++;
	return p->argv[p->i];
}

static int option(struct parser *p)
{
	const char *arg = p->argv[p->i], *val, *eq = strchr(arg, '=');
	size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
	int ret;

	if (name_len == 8 && !strncmp(arg, "--cookie", 8)) {
		val = eq ? eq + 1 : value(p, "a number 0..2^64-1 (decimal or 0x hex)");
		if (!val)
			return -EINVAL;
		ret = num_parse_u64(val, 0, UINT64_MAX, &p->tap->cookie);
		if (ret)
			return fail(p, "--cookie \"%s\": expected a number 0..18446744073709551615 (decimal or 0x hex)",
				    val);
		return 0;
	}
	if (name_len == 14 && !strncmp(arg, "--idle-timeout", 14)) {
		val = eq ? eq + 1 : value(p, "seconds 1..86400");
		if (!val)
			return -EINVAL;
		ret = num_parse_u32(val, 1, LISTENIN_IDLE_TIMEOUT_MAX,
				    &p->tap->idle_timeout);
		if (ret)
			return fail(p, "--idle-timeout \"%s\": expected seconds 1..%u",
				    val, LISTENIN_IDLE_TIMEOUT_MAX);
		return 0;
	}
	if (!strcmp(arg, "-j") || !strcmp(arg, "--json"))
		return fail(p, "\"%s\": global options go before the command, as in: lictl -j tap add ...",
			    arg);
	return fail(p, "\"%s\": unknown option; expected --cookie N or --idle-timeout SECS",
		    arg);
}

static int new_stream(struct parser *p)
{
	struct lnl_tap *tap = p->tap;
	struct lnl_stream *streams, *s;
	const char *val, *why;

	val = value(p, "DST_ADDR:PORT, the stream's destination");
	if (!val)
		return -EINVAL;
	streams = realloc(tap->streams, (tap->n_streams + 1) * sizeof(*streams));
	if (!streams)
		return -ENOMEM;
	tap->streams = streams;
	s = &streams[tap->n_streams++];
	memset(s, 0, sizeof(*s));
	p->stream = s;
	p->output = NULL;
	p->has_from = p->has_ssrc = p->has_rtcp = false;
	why = addr_parse(val, ADDR_PORT_REQUIRED, &s->dst, &s->dst_port);
	if (why)
		return fail(p, "stream \"%s\": %s", val, why);
	return 0;
}

static int stream_from(struct parser *p)
{
	struct lnl_stream *s = p->stream;
	const char *val, *why;

	val = value(p, "SRC_ADDR, SRC_ADDR:PORT or *:PORT");
	if (!val)
		return -EINVAL;
	if (p->has_from)
		return fail(p, "from \"%s\": this stream already has a source", val);
	p->has_from = true;
	if (val[0] == '*') {
		if (val[1] != ':')
			return fail(p, "from \"%s\": expected *:PORT to match any source address", val);
		why = addr_parse_port(val + 2, &s->src_port);
		if (why)
			return fail(p, "from \"%s\": %s", val, why);
		return 0;
	}
	why = addr_parse(val, ADDR_PORT_OPTIONAL, &s->src, &s->src_port);
	if (why)
		return fail(p, "from \"%s\": %s", val, why);
	if (s->src.family != s->dst.family)
		return fail(p, "from \"%s\": the source is %s but the stream is %s",
			    val, family_word(s->src.family),
			    family_word(s->dst.family));
	return 0;
}

static int stream_ssrc(struct parser *p)
{
	const char *val = value(p, "an RTP SSRC 0..4294967295 (decimal or 0x hex)");

	if (!val)
		return -EINVAL;
	if (p->has_ssrc)
		return fail(p, "ssrc \"%s\": this stream already has an SSRC", val);
	if (num_parse_u32(val, 0, UINT32_MAX, &p->stream->ssrc))
		return fail(p, "ssrc \"%s\": expected an RTP SSRC 0..4294967295 (decimal or 0x hex)",
			    val);
	p->has_ssrc = p->stream->has_ssrc = true;
	return 0;
}

static int new_output(struct parser *p)
{
	struct lnl_stream *s = p->stream;
	struct lnl_output *outputs, *o;
	const char *val, *why;

	val = value(p, "DST_ADDR:PORT, where copies are sent");
	if (!val)
		return -EINVAL;
	outputs = realloc(s->outputs, (s->n_outputs + 1) * sizeof(*outputs));
	if (!outputs)
		return -ENOMEM;
	s->outputs = outputs;
	o = &outputs[s->n_outputs++];
	memset(o, 0, sizeof(*o));
	p->output = o;
	why = addr_parse(val, ADDR_PORT_REQUIRED, &o->dst, &o->dst_port);
	if (why)
		return fail(p, "output \"%s\": %s", val, why);
	if (o->dst.family != s->dst.family)
		return fail(p, "output \"%s\": the output is %s but its stream is %s",
			    val, family_word(o->dst.family),
			    family_word(s->dst.family));
	return 0;
}

static int output_src(struct parser *p)
{
	struct lnl_output *o = p->output;
	const char *val, *why;

	val = value(p, "SRC_ADDR:PORT, the address and port copies are sent from");
	if (!val)
		return -EINVAL;
	if (o->src.family)
		return fail(p, "src \"%s\": this output already has a source", val);
	why = addr_parse(val, ADDR_PORT_REQUIRED, &o->src, &o->src_port);
	if (why)
		return fail(p, "src \"%s\": %s", val, why);
	if (o->src.family != p->stream->dst.family)
		return fail(p, "src \"%s\": the source is %s but the stream is %s",
			    val, family_word(o->src.family),
			    family_word(p->stream->dst.family));
	return 0;
}

/* Stream keywords are only valid before the stream's first output. */
static int stream_keyword(struct parser *p, const char *word)
{
	if (p->output)
		return fail(p, "\"%s\": stream options (from, ssrc, rtcp) go before the stream's first output",
			    word);
	if (!strcmp(word, "from"))
		return stream_from(p);
	if (!strcmp(word, "ssrc"))
		return stream_ssrc(p);
	if (p->has_rtcp)
		return fail(p, "\"rtcp\": given twice for the same stream");
	p->has_rtcp = true;
	p->stream->flags |= LISTENIN_STREAM_F_RTCP;
	return 0;
}

static int output_keyword(struct parser *p, const char *word)
{
	if (!p->output)
		return fail(p, "\"%s\": output options (src, listen-only) follow an \"output DST_ADDR:PORT\"",
			    word);
	if (!strcmp(word, "src"))
		return output_src(p);
	if (p->output->flags & LISTENIN_OUTPUT_F_LISTEN_ONLY)
		return fail(p, "\"listen-only\": given twice for the same output");
	p->output->flags |= LISTENIN_OUTPUT_F_LISTEN_ONLY;
	return 0;
}

static int word(struct parser *p)
{
	const char *w = p->argv[p->i];

	if (!strcmp(w, "stream"))
		return new_stream(p);
	if (w[0] == '-')
		return fail(p, "\"%s\": options go before the first stream", w);
	if (!p->stream)
		return fail(p, "\"%s\": expected \"stream DST_ADDR:PORT\" to begin a stream", w);
	if (!strcmp(w, "from") || !strcmp(w, "ssrc") || !strcmp(w, "rtcp"))
		return stream_keyword(p, w);
	if (!strcmp(w, "output"))
		return new_output(p);
	if (!strcmp(w, "src") || !strcmp(w, "listen-only"))
		return output_keyword(p, w);
	return fail(p, "\"%s\": unknown keyword; expected stream, from, ssrc, rtcp, output, src or listen-only",
		    w);
}

static int check(struct parser *p)
{
	char buf[ADDR_STRLEN];

	if (!p->tap->n_streams)
		return fail(p, "missing stream: expected \"stream DST_ADDR:PORT ... output DST_ADDR:PORT src SRC_ADDR:PORT\"");
	for (size_t i = 0; i < p->tap->n_streams; i++) {
		const struct lnl_stream *s = &p->tap->streams[i];

		if (!s->n_outputs)
			return fail(p, "stream %s has no output: add \"output DST_ADDR:PORT src SRC_ADDR:PORT\"",
				    addr_format(&s->dst, s->dst_port, buf, sizeof(buf)));
		for (size_t j = 0; j < s->n_outputs; j++) {
			const struct lnl_output *o = &s->outputs[j];

			if (!o->src.family)
				return fail(p, "output %s has no source: add \"src SRC_ADDR:PORT\" (the address and port copies are sent from)",
					    addr_format(&o->dst, o->dst_port, buf, sizeof(buf)));
		}
	}
	return 0;
}

int tapspec_parse(int argc, char **argv, struct lnl_tap *tap, char *err,
		  size_t errlen)
{
	struct parser p = {
		.argc = argc, .argv = argv, .tap = tap, .err = err,
		.errlen = errlen,
	};
	int ret = 0;

	memset(tap, 0, sizeof(*tap));
	for (; p.i < argc && argv[p.i][0] == '-'; p.i++) {
		ret = option(&p);
		if (ret)
			goto out;
	}
	for (; p.i < argc; p.i++) {
		ret = word(&p);
		if (ret)
			goto out;
	}
	ret = check(&p);
out:
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (ret)
		lnl_tap_free(tap);
	return ret;
}
