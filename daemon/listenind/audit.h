/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The audit trail: an append-only SQLite table in which every record carries
 * HMAC-SHA256(key, MAC of the previous record || canonical encoding of this
 * record), under a key kept in its own file. audit_append() returns only once
 * the record is committed (synchronous=FULL), so an acknowledged action is
 * on disk. audit_verify() walks the chain and names the first record that
 * does not fit. A retention purge deletes old records, keeps the MAC of the
 * last one deleted as the chain's anchor and records itself in the chain.
 * docs/audit.md describes the schema, the encoding and what verify proves.
 */
#ifndef LISTENIND_AUDIT_H
#define LISTENIND_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define AUDIT_KEY_LEN		32
#define AUDIT_MAC_LEN		32
#define AUDIT_ERR_LEN		512

enum audit_event {
	AUDIT_SESSION_START,
	AUDIT_SESSION_STOP,
	AUDIT_MODE_CHANGE,
	AUDIT_DENIAL,
	AUDIT_POLICY_RELOAD,
	AUDIT_ADMIN_FLUSH,
	AUDIT_RETENTION_PURGE,
	AUDIT_DAEMON_START,
	AUDIT_DAEMON_STOP,
	AUDIT_EVENT_COUNT,
};

/*
 * One record. Strings may be NULL (absent); integers use 0 for absent,
 * except uid which uses -1. seq, time_ms (when 0) and mac are set by
 * audit_append(); purged_through and anchor only by the retention purge.
 */
struct audit_record {
	uint64_t seq;
	int64_t time_ms;		/* CLOCK_REALTIME milliseconds */
	enum audit_event event;
	uint64_t session;		/* daemon's session id */
	int64_t uid;			/* supervisor (or admin) uid, -1 none */
	const char *user;		/* supervisor's user name */
	const char *extension;		/* monitored extension */
	const char *call_id;		/* SIP Call-ID */
	uint64_t call;			/* call table id */
	const char *agent, *queue, *team, *department, *site, *campaign;
	const char *mode;		/* listen, whisper, barge */
	const char *reason, *reason_text;
	const char *decision;		/* allow or deny */
	const char *rule;		/* the policy rule that decided */
	int64_t start_ms, end_ms;
	const char *end_cause;
	uint64_t packets;		/* copied to the supervisor */
	const char *detail;		/* admin events: what was done */
	uint64_t purged_through;	/* retention_purge: last seq deleted */
	const char *anchor;		/* retention_purge: hex MAC of that record */
	uint8_t mac[AUDIT_MAC_LEN];
};

struct audit_config {
	const char *db_path;
	const char *key_path;		/* created (mode 0600) if absent */
	bool syslog;			/* one syslog line per record */
	int syslog_facility;		/* LOG_AUTHPRIV by default (0) */
};

struct audit_verify_result {
	bool ok;
	uint64_t records;		/* records checked */
	uint64_t first_seq, last_seq;
	uint64_t bad_seq;		/* first record that does not fit, 0 if none or not one record */
	char why[256];			/* a sentence, when !ok */
	char head[2 * AUDIT_MAC_LEN + 1];	/* hex MAC of the last record verified */
};

struct audit;

/*
 * Reads the key, creating it with 32 random bytes (mode 0600) if the file
 * does not exist. Refuses a key file that is not a regular file, is not
 * owned by the caller, is accessible by group or others, or does not hold
 * exactly AUDIT_KEY_LEN bytes. *created (may be NULL) tells if it was made.
 */
int audit_key_load(const char *path, uint8_t key[AUDIT_KEY_LEN], bool *created,
		   char *err, size_t errlen);

/* Opens (creating) the database and its schema; NULL with a sentence in err. */
struct audit *audit_open(const struct audit_config *cfg, char *err, size_t errlen);
void audit_close(struct audit *a);

/* Appends and commits one record; fills rec->seq, rec->time_ms (if 0) and rec->mac. */
int audit_append(struct audit *a, struct audit_record *rec, char *err, size_t errlen);

/*
 * Walks the whole chain. Returns 0 when it holds, 1 when a record does not
 * fit (r->bad_seq and r->why say which and why), -1 with err on a database
 * error.
 */
int audit_verify(struct audit *a, struct audit_verify_result *r, char *err, size_t errlen);

/*
 * Deletes records older than days before now_ms (none newer than that,
 * whatever their seq), moves the anchor to the last one deleted and appends
 * a retention_purge record, all in one transaction. *deleted may be NULL.
 */
int audit_purge(struct audit *a, unsigned int days, int64_t now_ms, uint64_t *deleted,
		char *err, size_t errlen);

/* Which records an export selects; zero values select everything. */
struct audit_filter {
	uint64_t from_seq;
	int64_t since_ms, until_ms;	/* time_ms in [since, until); 0: open */
	int64_t uid;			/* -1: anyone (0 is root) */
	int event;			/* enum audit_event, -1: every event */
	uint64_t limit;			/* 0: no limit */
};

#define AUDIT_FILTER_ALL { .uid = -1, .event = -1 }

/*
 * Writes the selected records in seq order as JSON Lines (f NULL: all).
 * Returns the number written, or -1 with err.
 */
long audit_export_json(struct audit *a, FILE *out, const struct audit_filter *f,
		       char *err, size_t errlen);

/* The syslog form of a record: "audit seq=12 event=session_start uid=1001 ..." */
void audit_format_line(const struct audit_record *rec, char *buf, size_t len);

const char *audit_event_name(enum audit_event ev);
/* -1 if unknown. */
int audit_event_parse(const char *name);

/* A user's last audited action. */
struct audit_seen {
	uint64_t seq;
	int64_t time_ms;
	char event[32];
};

/*
 * The newest record whose uid is uid: 1 (filled in), 0 when the trail holds
 * none (never seen, or purged), -1 with err.
 */
int audit_last_seen(struct audit *a, int64_t uid, struct audit_seen *seen, char *err,
		    size_t errlen);

/* Last seq appended or seen at open (0: empty); the head the next record chains to. */
uint64_t audit_last_seq(const struct audit *a);

#endif
