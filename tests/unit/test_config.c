// SPDX-License-Identifier: GPL-2.0
/* listenind configuration parser: values, defaults and every error message. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "listenind/config.h"

static int n_tests, n_failed;

static void ok(int cond, const char *name)
{
	n_tests++;
	if (!cond)
		n_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n_tests, name);
}

static int parse(struct config *cfg, const char *text, char *err, size_t len)
{
	config_defaults(cfg);
	err[0] = '\0';
	return config_parse(cfg, "t.conf", text, strlen(text), err, len);
}

static void expect_error(const char *text, const char *want, const char *name)
{
	struct config cfg;
	char err[CONFIG_ERR_LEN];
	int ret = parse(&cfg, text, err, sizeof(err));

	ok(ret == -1 && !strcmp(err, want), name);
	if (ret != -1 || strcmp(err, want))
		printf("#   got %d \"%s\"\n#  want \"%s\"\n", ret, err, want);
}

static void test_defaults(void)
{
	struct config cfg;
	char buf[64];

	config_defaults(&cfg);
	ok(!strcmp(cfg.daemon.control_socket, "/run/listenind/control.sock"),
	   "default control socket path");
	ok(cfg.daemon.control_mode == 0660, "default control socket mode 0660");
	ok(cfg.daemon.log_level == LOG_INFO && !cfg.daemon.log_syslog,
	   "default logging: info on stderr");
	config_addr_format(&cfg.hep.udp[0], buf, sizeof(buf));
	ok(cfg.hep.n_udp == 1 && !strcmp(buf, "127.0.0.1:9060") &&
	   cfg.hep.n_tcp == 0, "default HEP listener udp 127.0.0.1:9060 only");
	ok(cfg.capture.n_ifaces == 0 && cfg.capture.n_ports == 1 &&
	   cfg.capture.ports[0].first == 5060, "default capture: off, port 5060");
	ok(cfg.calls.max_calls == 100000 && cfg.calls.ended_linger == 60 &&
	   cfg.calls.agent_fallback == CONFIG_AGENT_FROM_TO,
	   "default call limits; agent from To");
	ok(!strcmp(cfg.calls.meta_header[CONFIG_META_QUEUE], "X-Queue"),
	   "default queue header X-Queue");
	ok(cfg.policy.inactive_days == 90 && !cfg.sessions.notice_group[0],
	   "default: the access review flags users unseen for 90 days; no notice_group");
}

static void test_review_and_notice_keys(void)
{
	struct config cfg;
	char err[CONFIG_ERR_LEN];

	ok(parse(&cfg, "[policy]\ninactive_days = 0\n[sessions]\nnotice_group = root\n", err,
		 sizeof(err)) == 0 && cfg.policy.inactive_days == 0 &&
	   !strcmp(cfg.sessions.notice_group, "root"),
	   "[policy] inactive_days and [sessions] notice_group are read");
	expect_error("[policy]\ninactive_days = 36501\n",
		     "t.conf:2: bad inactive_days \"36501\": expected a whole number from 0 to 36500",
		     "inactive_days beyond 100 years is refused");
	expect_error("[policy]\ninactive_days = soon\n",
		     "t.conf:2: bad inactive_days \"soon\": expected a whole number from 0 to 36500",
		     "inactive_days must be a number");
}

static void test_full(void)
{
	static const char text[] =
		"# listenind test configuration\r\n"
		"\n"
		"[daemon]\n"
		"log_level = debug\n"
		"log_to = syslog   # inline comment\n"
		"control_socket = /tmp/li/ctl.sock\n"
		"control_mode = 0600\n"
		"control_max_clients = 8\n"
		"  ; indented comment\n"
		"[hep]\n"
		"listen_udp = 0.0.0.0:9060, [::1]:9061\n"
		"listen_tcp = 127.0.0.1:9062\n"
		"auth_key = \"se#cr \\\"et\"\n"
		"max_tcp_clients = 8\n"
		"tcp_idle_timeout = 1m\n"
		"udp_rcvbuf = 8m\n"
		"[capture]\n"
		"interfaces = veth0 eth1\n"
		"ports = 5060, 5080-5089\n"
		"promiscuous = yes\n"
		"rcvbuf = 512k\n"
		"[calls]\n"
		"queue_header = X-Acd-Queue\n"
		"team_header =\n"
		"agent_fallback = asserted\n"
		"max_calls = 500\n"
		"setup_timeout = 2m\n"
		"idle_timeout = 1h\n"
		"ended_linger = 0\n";
	struct config cfg;
	char err[CONFIG_ERR_LEN], a[64], b[64], c[64];
	int ret = parse(&cfg, text, err, sizeof(err));

	ok(ret == 0, "a complete file parses");
	if (ret)
		printf("#   %s\n", err);
	ok(cfg.daemon.log_level == LOG_DEBUG && cfg.daemon.log_syslog,
	   "log_level and log_to");
	ok(!strcmp(cfg.daemon.control_socket, "/tmp/li/ctl.sock") &&
	   cfg.daemon.control_mode == 0600 && cfg.daemon.control_max_clients == 8,
	   "control socket settings");
	config_addr_format(&cfg.hep.udp[0], a, sizeof(a));
	config_addr_format(&cfg.hep.udp[1], b, sizeof(b));
	config_addr_format(&cfg.hep.tcp[0], c, sizeof(c));
	ok(cfg.hep.n_udp == 2 && !strcmp(a, "0.0.0.0:9060") &&
	   !strcmp(b, "[::1]:9061") && cfg.hep.n_tcp == 1 &&
	   !strcmp(c, "127.0.0.1:9062"), "HEP listen lists, IPv4 and IPv6");
	ok(!strcmp(cfg.hep.auth_key, "se#cr \"et"),
	   "quoted value keeps '#', blanks and escaped quotes");
	ok(cfg.hep.max_tcp_clients == 8 && cfg.hep.tcp_idle_timeout == 60 &&
	   cfg.hep.udp_rcvbuf == 8u << 20 && cfg.capture.rcvbuf == 512u << 10,
	   "HEP TCP limits and socket buffers with size suffixes");
	ok(cfg.capture.n_ifaces == 2 && !strcmp(cfg.capture.ifaces[1], "eth1"),
	   "capture interfaces");
	ok(cfg.capture.n_ports == 2 && cfg.capture.ports[1].first == 5080 &&
	   cfg.capture.ports[1].last == 5089 && cfg.capture.promiscuous,
	   "capture port ranges and promiscuous");
	ok(!strcmp(cfg.calls.meta_header[CONFIG_META_QUEUE], "X-Acd-Queue") &&
	   cfg.calls.meta_header[CONFIG_META_TEAM][0] == '\0' &&
	   !strcmp(cfg.calls.meta_header[CONFIG_META_AGENT], "X-Agent"),
	   "metadata headers: set, disabled, default kept");
	ok(cfg.calls.agent_fallback == CONFIG_AGENT_FROM_ASSERTED,
	   "agent_fallback");
	ok(cfg.calls.max_calls == 500 && cfg.calls.setup_timeout == 120 &&
	   cfg.calls.idle_timeout == 3600 && cfg.calls.ended_linger == 0,
	   "call limits with duration suffixes");
}

static void test_errors(void)
{
	char longline[5000];

	expect_error("[hep]\nlisten_udp = 127.0.0.1:9060\n\nlisen = 1\n",
		     "t.conf:4: unknown key \"lisen\" in [hep]",
		     "unknown key names file, line, key and section");
	expect_error("[foo]\n",
		     "t.conf:1: unknown section \"[foo]\": use [daemon], [hep], [capture], [calls], [policy], [audit] or [sessions]",
		     "unknown section");
	expect_error("log_level = info\n",
		     "t.conf:1: key \"log_level\" before any section: put it under [daemon], [hep], [capture], [calls], [policy], [audit] or [sessions]",
		     "key outside a section");
	expect_error("[daemon]\nlog_level = info\n[hep]\n[daemon]\nlog_level = debug\n",
		     "t.conf:5: key \"log_level\" in [daemon] given twice (first on line 2)",
		     "duplicate key");
	expect_error("[daemon]\nlog_level = loud\n",
		     "t.conf:2: bad log_level \"loud\": use error, warning, notice, info or debug",
		     "bad log level");
	expect_error("[daemon]\nlog_to = journal\n",
		     "t.conf:2: bad log_to \"journal\": use stderr or syslog",
		     "bad log target");
	expect_error("[daemon]\ncontrol_socket = run/x.sock\n",
		     "t.conf:2: control_socket must be an absolute path, not \"run/x.sock\"",
		     "relative socket path");
	expect_error("[daemon]\ncontrol_mode = 0860\n",
		     "t.conf:2: bad control_mode \"0860\": expected octal permissions such as 0660",
		     "bad mode");
	expect_error("[daemon]\ncontrol_group = no-such-group-li\n",
		     "t.conf:2: group \"no-such-group-li\" does not exist",
		     "unknown group");
	expect_error("[daemon]\ncontrol_max_clients = 0\n",
		     "t.conf:2: bad control_max_clients \"0\": expected a whole number from 1 to 1024",
		     "number below range");
	expect_error("[hep]\nlisten_udp = localhost:9060\n",
		     "t.conf:2: bad address \"localhost:9060\": expected IPV4:PORT or [IPV6]:PORT",
		     "host name instead of address");
	expect_error("[hep]\nlisten_udp = ::1:9060\n",
		     "t.conf:2: bad address \"::1:9060\": expected IPV4:PORT or [IPV6]:PORT",
		     "unbracketed IPv6");
	expect_error("[hep]\nlisten_tcp = 127.0.0.1:70000\n",
		     "t.conf:2: bad port in \"127.0.0.1:70000\": expected 1 to 65535",
		     "port out of range");
	expect_error("[hep]\nlisten_udp = 127.0.0.1:1, 127.0.0.1:1\n",
		     "t.conf:2: address \"127.0.0.1:1\" listed twice",
		     "duplicate address");
	expect_error("[hep]\nlisten_udp = 1.1.1.1:1 1.1.1.1:2 1.1.1.1:3 1.1.1.1:4 1.1.1.1:5 1.1.1.1:6 1.1.1.1:7 1.1.1.1:8 1.1.1.1:9\n",
		     "t.conf:2: too many addresses for listen_udp (at most 8)",
		     "too many addresses");
	expect_error("[hep]\nauth_key = \"abc\n",
		     "t.conf:2: missing closing quote", "unterminated quote");
	expect_error("[hep]\nauth_key = \"abc\" def\n",
		     "t.conf:2: text after the closing quote", "junk after quote");
	expect_error("[capture]\ninterfaces = eth0 averyveryverylongname\n",
		     "t.conf:2: bad interface name \"averyveryverylongname\": 1 to 15 characters, no '/', ':' or blanks",
		     "interface name too long");
	expect_error("[capture]\nports = 5090-5080\n",
		     "t.conf:2: port range \"5090-5080\" ends before it starts",
		     "reversed port range");
	expect_error("[capture]\nports = 5060-\n",
		     "t.conf:2: bad port \"5060-\": expected PORT or FIRST-LAST",
		     "incomplete port range");
	expect_error("[capture]\ninterfaces = eth0\nports =\n",
		     "t.conf: [capture] interfaces are set but ports is empty: nothing would be captured",
		     "whole-file check: capture without ports");
	expect_error("[calls]\nqueue_header = X-Team\n",
		     "t.conf: [calls] queue_header and team_header both name \"X-Team\"",
		     "whole-file check: header used twice");
	expect_error("[calls]\nagent_header = X Agent\n",
		     "t.conf:2: bad agent_header \"X Agent\": a SIP header name is letters, digits and -.!%*_+`'~",
		     "header name with a blank");
	expect_error("[calls]\nsetup_timeout = 5y\n",
		     "t.conf:2: bad setup_timeout \"5y\": expected a duration from 1s to 86400s (suffix s, m, h or d)",
		     "bad duration");
	expect_error("[capture]\nrcvbuf = 2g\n",
		     "t.conf:2: bad rcvbuf \"2g\": expected bytes from 0 to 1073741824 (suffix k or m)",
		     "bad buffer size");
	expect_error("[calls]\nagent_fallback = contact\n",
		     "t.conf:2: bad agent_fallback \"contact\": use to, asserted or from",
		     "bad agent_fallback");
	expect_error("[calls]\nmax_calls = -5\n",
		     "t.conf:2: bad max_calls \"-5\": expected a whole number from 1 to 10000000",
		     "negative number");
	expect_error("[calls]\nmax_calls\n",
		     "t.conf:2: expected \"key = value\" or \"[section]\"",
		     "line without '='");
	expect_error("[calls\n", "t.conf:1: missing ']' after section name",
		     "unterminated section");
	expect_error("[calls]\nmax_calls = 1\x01\n",
		     "t.conf:2: control character 0x01 in column 14",
		     "control character");

	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	expect_error(longline, "t.conf:1: line longer than 4096 bytes",
		     "overlong line");
}

static void test_load_and_dump(void)
{
	char path[] = "/tmp/test_config.XXXXXX";
	struct config cfg, again;
	char err[CONFIG_ERR_LEN];
	char *dumped = NULL;
	size_t dumped_len = 0;
	FILE *f;
	int fd;

	ok(config_load(&cfg, "/nonexistent/listenind.conf", err, sizeof(err)) == -1 &&
	   !strcmp(err, "/nonexistent/listenind.conf: cannot open: No such file or directory"),
	   "missing file named in the error");
	ok(config_load(&cfg, "/tmp", err, sizeof(err)) == -1 &&
	   !strcmp(err, "/tmp: not a regular file"), "directory rejected");

	fd = mkstemp(path);
	if (fd < 0) {
		ok(0, "mkstemp");
		return;
	}
	dprintf(fd, "[capture]\ninterfaces = lo\n[hep]\nlisten_tcp = [::]:9060\n");
	close(fd);
	ok(config_load(&cfg, path, err, sizeof(err)) == 0 &&
	   cfg.capture.n_ifaces == 1 && cfg.hep.n_tcp == 1 && cfg.hep.n_udp == 1,
	   "file loads over the defaults");

	f = open_memstream(&dumped, &dumped_len);
	config_dump(&cfg, f);
	fclose(f);
	config_defaults(&again);
	ok(config_parse(&again, "dump", dumped, dumped_len, err, sizeof(err)) == 0 &&
	   !memcmp(&again, &cfg, sizeof(cfg)), "dump parses back to the same configuration");
	free(dumped);
	unlink(path);
}

int main(void)
{
	test_defaults();
	test_full();
	test_errors();
	test_review_and_notice_keys();
	test_load_and_dump();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
