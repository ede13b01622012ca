/* SPDX-License-Identifier: GPL-2.0 */
/*
 * listenind's configuration: a line-oriented file of "[section]" headers and
 * "key = value" lines, read over embedded defaults. A configuration is a plain
 * value (no pointers), so a reload parses into a fresh copy and swaps it in
 * only when the whole file is valid.
 */
#ifndef LISTENIND_CONFIG_H
#define LISTENIND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#define CONFIG_DEFAULT_PATH	"/etc/listenind.conf"
#define CONFIG_DEFAULT_SOCKET	"/run/listenind/control.sock"

#define CONFIG_MAX_LISTEN	8
#define CONFIG_MAX_IFACES	16
#define CONFIG_MAX_PORTS	16
#define CONFIG_PATH_LEN		108	/* sun_path */
#define CONFIG_NAME_LEN		64
#define CONFIG_KEY_LEN		128
#define CONFIG_ERR_LEN		512
#define CONFIG_FILE_LEN		256

#define CONFIG_DEFAULT_POLICY	"/etc/listenin/policy.conf"
#define CONFIG_DEFAULT_AUDIT_DB	"/var/lib/listenind/audit.db"
#define CONFIG_DEFAULT_AUDIT_KEY	"/etc/listenin/audit.key"

/* Call metadata learned from SIP headers of the initial INVITE. */
enum config_meta {
	CONFIG_META_AGENT,
	CONFIG_META_QUEUE,
	CONFIG_META_TEAM,
	CONFIG_META_DEPARTMENT,
	CONFIG_META_SITE,
	CONFIG_META_CAMPAIGN,
	CONFIG_META_COUNT,
};

/* Where the agent comes from when the agent header is absent. */
enum config_agent_source {
	CONFIG_AGENT_FROM_TO,
	CONFIG_AGENT_FROM_ASSERTED,
	CONFIG_AGENT_FROM_FROM,
};

struct config_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

struct config_port_range {
	uint16_t first;
	uint16_t last;
};

struct config {
	struct {
		int log_level;			/* LOG_ERR .. LOG_DEBUG */
		bool log_syslog;		/* else standard error */
		char control_socket[CONFIG_PATH_LEN];
		mode_t control_mode;
		char control_group[CONFIG_NAME_LEN];	/* "" keeps the daemon's group */
		unsigned int control_max_clients;
		unsigned int control_idle_timeout;	/* s, 0 = never */
	} daemon;
	struct {
		struct config_addr udp[CONFIG_MAX_LISTEN];
		unsigned int n_udp;
		struct config_addr tcp[CONFIG_MAX_LISTEN];
		unsigned int n_tcp;
		char auth_key[CONFIG_KEY_LEN];		/* "" accepts any */
		unsigned int max_tcp_clients;
		unsigned int tcp_idle_timeout;		/* s */
		unsigned int udp_rcvbuf;		/* bytes, 0 = system default */
	} hep;
	struct {
		char ifaces[CONFIG_MAX_IFACES][CONFIG_NAME_LEN];
		unsigned int n_ifaces;
		struct config_port_range ports[CONFIG_MAX_PORTS];
		unsigned int n_ports;
		bool promiscuous;
		unsigned int rcvbuf;			/* bytes per interface socket */
	} capture;
	struct {
		char meta_header[CONFIG_META_COUNT][CONFIG_NAME_LEN];	/* "" = off */
		enum config_agent_source agent_fallback;
		unsigned int max_calls;
		unsigned int setup_timeout;	/* s: INVITE without final answer */
		unsigned int idle_timeout;	/* s: established call without SIP */
		unsigned int ended_linger;	/* s: ended call kept for lookups */
	} calls;
	struct {
		char file[CONFIG_FILE_LEN];	/* absent file: every request denied */
		unsigned int inactive_days;	/* access review: flag users unseen this long; 0: never */
	} policy;
	struct {
		char database[CONFIG_FILE_LEN];
		char key_file[CONFIG_FILE_LEN];
		bool syslog;			/* one syslog line per record */
		unsigned int retention_days;	/* 0: records are kept forever */
	} audit;
	struct {
		/* where copies are sent from; ss_family 0: not set, no sessions of that family */
		struct config_addr copy_source_ipv4;
		struct config_addr copy_source_ipv6;
		unsigned int copy_port_base;	/* first copy source port */
		unsigned int copy_port_count;	/* ports in the pool, 4 per session */
		unsigned int idle_timeout;	/* s without media before a tap expires */
		char admin_group[CONFIG_NAME_LEN];	/* "" : only root administers */
		char notice_group[CONFIG_NAME_LEN];	/* may also subscribe to agent notices */
	} sessions;
};

/* Fills *cfg with the embedded defaults: the daemon runs with no file. */
void config_defaults(struct config *cfg);

/*
 * Applies the text of a configuration file over *cfg. On error returns -1
 * with err holding "NAME:LINE: problem" and *cfg partly updated: parse into
 * a scratch copy when the running configuration must survive.
 */
int config_parse(struct config *cfg, const char *name, const char *text,
		 size_t len, char *err, size_t errlen);

/* Reads path and parses it over the defaults. */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);

const char *config_log_level_name(int level);
const char *config_meta_name(enum config_meta meta);

/* "192.0.2.1:9060" or "[2001:db8::1]:9060"; without the port when it is 0. */
void config_addr_format(const struct config_addr *addr, char *buf, size_t len);

/* Writes the effective configuration in the file format (--check-config -v). */
void config_dump(const struct config *cfg, FILE *out);

#endif
