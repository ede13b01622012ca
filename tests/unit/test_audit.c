// SPDX-License-Identifier: GPL-2.0
/*
 * The audit store on real SQLite files in a temporary directory: appends and
 * verify, the append-only triggers, tampering through a second connection
 * (with the triggers dropped, as an attacker with file access would) and by
 * editing the file's bytes, retention purge and its anchor, the key file's
 * checks, JSON Lines export and the syslog line.
 */
#include <errno.h>
#include <json-c/json.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "listenind/audit.h"

static int n_tests, n_failed;
static char dir[] = "/tmp/test_audit.XXXXXX";

static void ok(int cond, const char *name)
{
	n_tests++;
	if (!cond)
		n_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n_tests, name);
}

static const char *path(const char *name)
{
	static char bufs[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(bufs[i], sizeof(bufs[i]), "%s/%s", dir, name);
	return bufs[i];
}

static void rm_db(const char *name)
{
	char p[300];

	unlink(path(name));
	snprintf(p, sizeof(p), "%s-wal", path(name));
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path(name));
	unlink(p);
}

static struct audit *open_db(const char *db, const char *key)
{
	struct audit_config cfg = { .db_path = path(db), .key_path = path(key) };
	char err[AUDIT_ERR_LEN] = "";
	struct audit *a = audit_open(&cfg, err, sizeof(err));

	if (!a)
		printf("# audit_open: %s\n", err);
	return a;
}

static const int64_t NOW = 1795000000000LL;	/* 2026-11-18 */
#define DAY 86400000LL

/* Appends n varied records; record i (1-based) gets time times[i-1] if given. */
static int fill(struct audit *a, unsigned int n, const int64_t *times)
{
	static const enum audit_event evs[] = {
		AUDIT_SESSION_START, AUDIT_MODE_CHANGE, AUDIT_SESSION_STOP, AUDIT_DENIAL,
		AUDIT_POLICY_RELOAD, AUDIT_ADMIN_FLUSH,
	};
	char err[AUDIT_ERR_LEN];

	for (unsigned int i = 0; i < n; i++) {
		char queue[32];
		struct audit_record rec = {
			.event = evs[i % 6], .session = 7, .uid = 1001, .user = "alice",
			.extension = "2001", .call_id = "a84b4c76e66710@pc33.example.com",
			.call = 42, .agent = "2001", .queue = queue, .site = "paris",
			.mode = "listen", .reason = "qa", .reason_text = "weekly review",
			.decision = "allow", .rule = "allowed by grant \"sales\" (role \"sup\")",
			.start_ms = NOW - 60000, .end_ms = i % 3 == 2 ? NOW : 0,
			.end_cause = i % 3 == 2 ? "supervisor" : NULL, .packets = 1500u * i,
			.time_ms = times ? times[i] : 0,
		};

		snprintf(queue, sizeof(queue), "queue-marker-%03u", i + 1);
		if (audit_append(a, &rec, err, sizeof(err))) {
			printf("# append: %s\n", err);
			return -1;
		}
	}
	return 0;
}

static int verify(struct audit *a, struct audit_verify_result *r)
{
	char err[AUDIT_ERR_LEN] = "";
	int ret = audit_verify(a, r, err, sizeof(err));

	if (ret < 0)
		printf("# verify: %s\n", err);
	else if (ret)
		printf("# verify: seq %llu: %s\n", (unsigned long long)r->bad_seq, r->why);
	return ret;
}

static int sql(const char *db, const char *stmt, char *msg, size_t len)
{
	sqlite3 *h;
	char *m = NULL;
	int rc;

	if (sqlite3_open(path(db), &h) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(h, 2000);
	rc = sqlite3_exec(h, stmt, NULL, NULL, &m);
	if (msg)
		snprintf(msg, len, "%s", m ? m : "");
	sqlite3_free(m);
	sqlite3_close(h);
	return rc == SQLITE_OK ? 0 : -1;
}

static void test_key(void)
{
	uint8_t k1[AUDIT_KEY_LEN], k2[AUDIT_KEY_LEN], zero[AUDIT_KEY_LEN] = { 0 };
	char err[AUDIT_ERR_LEN] = "";
	bool created = false;
	struct stat st;
	FILE *f;

	ok(audit_key_load(path("k1"), k1, &created, err, sizeof(err)) == 0 && created,
	   "a missing key file is created");
	ok(stat(path("k1"), &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_size == 32,
	   "new key: mode 0600, 32 bytes");
	ok(memcmp(k1, zero, sizeof(k1)) != 0, "new key is not all zeros");
	ok(audit_key_load(path("k1"), k2, &created, err, sizeof(err)) == 0 && !created &&
	   !memcmp(k1, k2, sizeof(k1)), "an existing key is read back unchanged");

	chmod(path("k1"), 0644);
	ok(audit_key_load(path("k1"), k2, NULL, err, sizeof(err)) == -1 &&
	   strstr(err, "is accessible by group or others (mode 0644): chmod 600 it"),
	   "a world-readable key is refused");
	printf("# %s\n", err);
	chmod(path("k1"), 0640);
	ok(audit_key_load(path("k1"), k2, NULL, err, sizeof(err)) == -1 &&
	   strstr(err, "(mode 0640)"), "a group-readable key is refused");
	chmod(path("k1"), 0600);

	f = fopen(path("short"), "w");
	if (f) {
		fputs("12345", f);
		fclose(f);
	}
	chmod(path("short"), 0600);
	ok(audit_key_load(path("short"), k2, NULL, err, sizeof(err)) == -1 &&
	   strstr(err, "holds 5 bytes; an audit key is 32 bytes"), "a short key is refused");
	ok(symlink(path("k1"), path("link")) == 0 &&
	   audit_key_load(path("link"), k2, NULL, err, sizeof(err)) == -1 &&
	   strstr(err, "cannot open the audit key"), "a symbolic link as key is refused");
	ok(mkdir(path("kdir"), 0700) == 0 &&
	   audit_key_load(path("kdir"), k2, NULL, err, sizeof(err)) == -1 &&
	   strstr(err, "is not a regular file"), "a directory as key is refused");
	ok(audit_key_load(path("nodir/key"), k2, NULL, err, sizeof(err)) == -1 &&
	   strstr(err, "cannot create the audit key") && strstr(err, "No such file or directory"),
	   "a key in a missing directory fails with the reason");
}

static void test_append_verify(void)
{
	struct audit_verify_result r;
	struct audit *a;
	struct stat st;
	char msg[256];
	struct audit_record rec = { .event = AUDIT_DAEMON_START, .uid = -1, .detail = "version 1" };
	char err[AUDIT_ERR_LEN];

	a = open_db("a.db", "k1");
	ok(a != NULL, "audit_open creates the database");
	if (!a)
		return;
	ok(stat(path("a.db"), &st) == 0 && (st.st_mode & 0077) == 0, "database file is 0600");
	ok(verify(a, &r) == 0 && r.records == 0, "an empty trail verifies");
	ok(fill(a, 6, NULL) == 0 && audit_last_seq(a) == 6, "six records appended, seq 1..6");
	ok(audit_append(a, &rec, err, sizeof(err)) == 0 && rec.seq == 7 && rec.time_ms > 0,
	   "append fills seq and time");
	ok(verify(a, &r) == 0 && r.ok && r.records == 7 && r.first_seq == 1 && r.last_seq == 7 &&
	   strlen(r.head) == 64, "the chain of seven verifies");

	/* committed: another connection sees every row, in a WAL database */
	ok(sql("a.db", "SELECT 1 FROM audit WHERE seq = 7", msg, sizeof(msg)) == 0,
	   "record visible to another connection right after append");
	{
		sqlite3 *h;
		sqlite3_stmt *s;
		bool wal = false;
		long long n = 0;

		if (sqlite3_open(path("a.db"), &h) == SQLITE_OK) {
			if (sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &s, NULL) == SQLITE_OK &&
			    sqlite3_step(s) == SQLITE_ROW)
				wal = !strcmp((const char *)sqlite3_column_text(s, 0), "wal");
			sqlite3_finalize(s);
			if (sqlite3_prepare_v2(h, "SELECT count(*) FROM audit", -1, &s, NULL) == SQLITE_OK &&
			    sqlite3_step(s) == SQLITE_ROW)
				n = sqlite3_column_int64(s, 0);
			sqlite3_finalize(s);
			sqlite3_close(h);
		}
		ok(wal && n == 7, "journal_mode is WAL; 7 rows committed");
	}

	/* the database refuses changes on its own */
	ok(sql("a.db", "UPDATE audit SET queue = 'x' WHERE seq = 2", msg, sizeof(msg)) == -1 &&
	   !strcmp(msg, "audit records are append-only"), "UPDATE aborted by trigger");
	ok(sql("a.db", "DELETE FROM audit WHERE seq = 2", msg, sizeof(msg)) == -1 &&
	   strstr(msg, "only the retention purge deletes them"), "DELETE aborted by trigger");
	ok(sql("a.db", "INSERT INTO audit SELECT seq + 10, time_ms, event, session, sup_uid, sup_user,"
	       " extension, call_id, call_ref, agent, queue, team, department, site, campaign, mode,"
	       " reason, reason_text, decision, rule, start_ms, end_ms, end_cause, packets, detail,"
	       " purged_through, anchor, mac FROM audit WHERE seq = 1", msg, sizeof(msg)) == -1 &&
	   strstr(msg, "appended in seq order"), "INSERT out of seq order aborted");
	ok(sql("a.db", "INSERT INTO audit_anchor VALUES (1, 3, x'00')", msg, sizeof(msg)) == -1 &&
	   strstr(msg, "anchor moves only in a retention purge"), "anchor cannot be set by hand");
	ok(verify(a, &r) == 0, "still verifies after the refused changes");

	/* a forged record appended with a made-up MAC */
	ok(sql("a.db", "INSERT INTO audit (seq, time_ms, event, session, sup_uid, call_ref, start_ms,"
	       " end_ms, packets, purged_through, mac) VALUES (8, 1, 'session_stop', 0, -1, 0, 0, 0,"
	       " 0, 0, randomblob(32))", msg, sizeof(msg)) == 0, "forged record inserted in order");
	ok(verify(a, &r) == 1 && r.bad_seq == 8 && strstr(r.why, "record 8 fails its MAC"),
	   "verify names the forged record 8");
	audit_close(a);
}

/* A child appends and dies without closing anything: the record is there. */
static void test_durable(void)
{
	struct audit_verify_result r;
	struct audit *a;
	int status = -1;
	pid_t pid;

	rm_db("d.db");
	pid = fork();
	if (pid == 0) {
		struct audit_record rec = { .event = AUDIT_SESSION_START, .uid = 1001 };
		char err[AUDIT_ERR_LEN];

		a = open_db("d.db", "k1");
		_exit(a && audit_append(a, &rec, err, sizeof(err)) == 0 && rec.seq == 1 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child appended one record and _exit()ed");
	a = open_db("d.db", "k1");
	ok(a && verify(a, &r) == 0 && r.records == 1 && r.last_seq == 1,
	   "the record is committed and verifies although the child never closed");
	audit_close(a);
}

/* A fresh database with six records for one tampering scenario. */
static struct audit *fresh(const char *db)
{
	struct audit *a;

	rm_db(db);
	a = open_db(db, "k1");
	if (a && fill(a, 6, NULL)) {
		audit_close(a);
		return NULL;
	}
	return a;
}

static void test_tamper(void)
{
	struct audit_verify_result r;
	struct audit *a;
	char msg[256];

	a = fresh("t1.db");
	ok(a && sql("t1.db", "DROP TRIGGER audit_no_update;"
		    "UPDATE audit SET queue = 'other' WHERE seq = 3", msg, sizeof(msg)) == 0,
	   "tamper: trigger dropped, record 3 updated through a second connection");
	ok(a && verify(a, &r) == 1 && r.bad_seq == 3 && !r.ok &&
	   !strcmp(r.why, "record 3 fails its MAC: it was altered, or the record before it was"),
	   "verify names record 3 (MAC mismatch)");
	audit_close(a);

	a = fresh("t2.db");
	ok(a && sql("t2.db", "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 4",
		    msg, sizeof(msg)) == 0, "tamper: record 4 deleted");
	ok(a && verify(a, &r) == 1 && r.bad_seq == 5 &&
	   strstr(r.why, "gap in seq: record 5 follows 3 (1 record(s) removed)"),
	   "verify names the gap at record 5");
	audit_close(a);

	a = fresh("t3.db");
	audit_close(a);
	ok(sql("t3.db", "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq <= 2",
	       msg, sizeof(msg)) == 0, "tamper: the first two records deleted");
	a = open_db("t3.db", "k1");
	ok(a && verify(a, &r) == 1 && r.bad_seq == 3 && strstr(r.why, "missing anchor"),
	   "verify: missing anchor before record 3");
	audit_close(a);

	a = fresh("t4.db");
	ok(a && sql("t4.db", "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 6",
		    msg, sizeof(msg)) == 0, "tamper: the newest record deleted");
	ok(a && verify(a, &r) == 1 && r.bad_seq == 6 &&
	   strstr(r.why, "records after seq 5 are missing: this process wrote up to seq 6"),
	   "verify: the open handle notices a truncated tail");
	audit_close(a);

	a = fresh("t5.db");
	audit_close(a);
	ok(sql("t5.db", "DROP TRIGGER audit_no_update", msg, sizeof(msg)) == 0,
	   "tamper: trigger dropped with the data intact");
	a = open_db("t5.db", "k1");
	ok(a && verify(a, &r) == 1 && r.bad_seq == 0 &&
	   strstr(r.why, "audit_no_update were missing when the database was opened"),
	   "verify reports a trigger that was dropped while the daemon was away");
	ok(sql("t5.db", "UPDATE audit SET queue = 'x' WHERE seq = 1", msg, sizeof(msg)) == -1,
	   "opening restored the trigger");
	audit_close(a);

	/* the same file verified with another key: nothing fits */
	{
		uint8_t k[AUDIT_KEY_LEN];
		char err[AUDIT_ERR_LEN];

		audit_key_load(path("k2"), k, NULL, err, sizeof(err));
		a = fresh("t6.db");
		audit_close(a);
		a = open_db("t6.db", "k2");
		ok(a && verify(a, &r) == 1 && r.bad_seq == 1,
		   "a different key fails the chain at record 1");
		audit_close(a);
	}
}

/* Changes one byte of text in the database file itself. */
static void test_file_edit(void)
{
	struct audit_verify_result r;
	struct audit *a = fresh("f.db");
	char *buf = NULL, *hit;
	long size;
	FILE *f;

	audit_close(a);		/* last connection: the WAL is checkpointed */
	f = fopen(path("f.db"), "r+b");
	if (f && !fseek(f, 0, SEEK_END) && (size = ftell(f)) > 0 &&
	    (buf = malloc((size_t)size)) && !fseek(f, 0, SEEK_SET) &&
	    fread(buf, 1, (size_t)size, f) == (size_t)size &&
	    (hit = memmem(buf, (size_t)size, "queue-marker-004", 16))) {
		fseek(f, hit - buf + 15, SEEK_SET);
		fputc('9', f);
	}
	if (f)
		fclose(f);
	free(buf);
	a = open_db("f.db", "k1");
	ok(a && verify(a, &r) == 1 && r.bad_seq == 4 && strstr(r.why, "record 4 fails its MAC"),
	   "a byte edited in the file: verify names record 4");
	audit_close(a);
}

static bool last_record(const char *db, const char *want_event, long long *through,
			long long *count)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	bool good = false;

	if (sqlite3_open(path(db), &h) != SQLITE_OK)
		return false;
	if (sqlite3_prepare_v2(h, "SELECT event, purged_through, (SELECT count(*) FROM audit)"
			       " FROM audit ORDER BY seq DESC LIMIT 1", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		good = !strcmp((const char *)sqlite3_column_text(s, 0), want_event);
		*through = sqlite3_column_int64(s, 1);
		*count = sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	sqlite3_close(h);
	return good;
}

static void test_purge(void)
{
	const int64_t times[] = {
		NOW - 40 * DAY, NOW - 39 * DAY, NOW - 31 * DAY, NOW - 2 * DAY, NOW - DAY, NOW - 1000,
	};
	struct audit_verify_result r;
	char err[AUDIT_ERR_LEN], msg[256];
	long long through = 0, count = 0;
	uint64_t deleted = 99;
	struct audit *a;

	rm_db("p.db");
	a = open_db("p.db", "k1");
	ok(a && fill(a, 6, times) == 0, "six records over 40 days");
	if (!a)
		return;
	ok(audit_purge(a, 0, NOW, &deleted, err, sizeof(err)) == -1 &&
	   strstr(err, "would delete the whole audit trail"), "a retention of 0 days is refused");
	ok(audit_purge(a, 30, NOW, &deleted, err, sizeof(err)) == 0 && deleted == 3,
	   "purge of 30 days deletes the three older records");
	ok(last_record("p.db", "retention_purge", &through, &count) && through == 3 && count == 4,
	   "the purge is audited: retention_purge record through seq 3, 4 records left");
	ok(verify(a, &r) == 0 && r.first_seq == 4 && r.last_seq == 7 && r.records == 4,
	   "the purged chain verifies from the anchor (seq 4..7)");
	ok(fill(a, 2, NULL) == 0 && verify(a, &r) == 0 && r.last_seq == 9,
	   "appends after a purge chain on and verify");
	ok(audit_purge(a, 30, NOW, &deleted, err, sizeof(err)) == 0 && deleted == 0 &&
	   verify(a, &r) == 0 && r.last_seq == 10, "a purge with nothing old is still audited");
	audit_close(a);

	a = open_db("p.db", "k1");
	ok(a && verify(a, &r) == 0, "a reopened purged trail verifies");
	ok(sql("p.db", "UPDATE audit_gate SET open = 1;"
	       "UPDATE audit_anchor SET seq = 4, mac = (SELECT mac FROM audit WHERE seq = 4);"
	       "DELETE FROM audit WHERE seq = 4; UPDATE audit_gate SET open = 0", msg, sizeof(msg)) == 0,
	   "tamper: record 4 deleted and the anchor moved onto it through the gate");
	ok(a && verify(a, &r) == 1 &&
	   strstr(r.why, "the anchor (seq 4) differs from the one retention_purge record 7 set (seq 3)"),
	   "verify: the anchor differs from what the purge record says");
	audit_close(a);

	/* everything old: the chain continues from the anchor alone */
	rm_db("p2.db");
	a = open_db("p2.db", "k1");
	ok(a && fill(a, 6, times) == 0 &&
	   audit_purge(a, 1, NOW + 365 * DAY, &deleted, err, sizeof(err)) == 0 && deleted == 6 &&
	   verify(a, &r) == 0 && r.records == 1 && r.first_seq == 7,
	   "purging every record leaves a verifiable chain of one purge record");
	audit_close(a);

	/* an attacker drops the head and fakes the anchor without the key */
	a = fresh("p3.db");
	audit_close(a);
	ok(sql("p3.db", "UPDATE audit_gate SET open = 1;"
	       "INSERT INTO audit_anchor SELECT 1, seq, mac FROM audit WHERE seq = 2;"
	       "DELETE FROM audit WHERE seq <= 2; UPDATE audit_gate SET open = 0", msg,
	       sizeof(msg)) == 0, "tamper: head deleted, anchor set to the real MAC of record 2");
	a = open_db("p3.db", "k1");
	ok(a && verify(a, &r) == 1 &&
	   strstr(r.why, "the anchor (seq 2) is not vouched for by any retention_purge record"),
	   "verify: an anchor without a retention_purge record is refused");
	audit_close(a);
	a = fresh("p3.db");
	audit_close(a);
	ok(sql("p3.db", "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq <= 2;"
	       "UPDATE audit_gate SET open = 1;"
	       "INSERT INTO audit_anchor VALUES (1, 2, randomblob(32));", msg, sizeof(msg)) == 0,
	   "tamper: head deleted, a made-up anchor written");
	a = open_db("p3.db", "k1");
	ok(a && verify(a, &r) == 1 && r.bad_seq == 3 && strstr(r.why, "record 3 fails its MAC"),
	   "verify: a made-up anchor does not chain to record 3");
	audit_close(a);

	/* a clock that stepped back: only records before the first new one go */
	{
		const int64_t odd[] = { NOW - 40 * DAY, NOW - DAY, NOW - 40 * DAY, NOW };

		rm_db("p4.db");
		a = open_db("p4.db", "k1");
		ok(a && fill(a, 4, odd) == 0 &&
		   audit_purge(a, 30, NOW, &deleted, err, sizeof(err)) == 0 && deleted == 1 &&
		   verify(a, &r) == 0 && r.first_seq == 2,
		   "purge never deletes past a record newer than the cutoff");
		audit_close(a);
	}
}

static long export_count(struct audit *a, const struct audit_filter *f)
{
	char err[AUDIT_ERR_LEN];
	FILE *null = fopen("/dev/null", "w");
	long n;

	if (!null)
		return -2;
	n = audit_export_json(a, null, f, err, sizeof(err));
	if (n < 0)
		printf("# export: %s\n", err);
	fclose(null);
	return n;
}

/* e.db: six records from fill(), every one by uid 1001, events cycling. */
static void test_filters(struct audit *a)
{
	struct audit_filter f = AUDIT_FILTER_ALL;
	struct audit_record rec = { .event = AUDIT_ADMIN_FLUSH, .uid = 0, .user = "root",
				    .detail = "lictl flush" };
	int64_t later = ((int64_t)time(NULL) + 86400) * 1000;
	char err[AUDIT_ERR_LEN];

	if (!a)
		return;
	rec.time_ms = later + 10 * DAY;
	ok(audit_append(a, &rec, err, sizeof(err)) == 0, "an admin record by root");
	ok(export_count(a, NULL) == 7 && export_count(a, &f) == 7, "no filter: 7 records");
	f.uid = 0;
	ok(export_count(a, &f) == 1, "filter uid 0 (root) selects 1, not everything");
	f.uid = 1001;
	ok(export_count(a, &f) == 6, "filter uid 1001 selects 6");
	f.uid = -1;
	f.event = AUDIT_SESSION_START;
	ok(export_count(a, &f) == 1, "filter event session_start selects 1");
	f.event = -1;
	f.since_ms = later;
	ok(export_count(a, &f) == 1, "filter since selects the later record");
	f.since_ms = 0;
	f.until_ms = later;
	ok(export_count(a, &f) == 6, "filter until selects the earlier ones");
	f.until_ms = 0;
	f.limit = 2;
	ok(export_count(a, &f) == 2, "limit 2");
	f.limit = 0;
	f.event = 99;
	ok(audit_export_json(a, stdout, &f, err, sizeof(err)) == -1 &&
	   !strcmp(err, "unknown audit event 99"), "an unknown event filter is an error");
	{
		struct audit_seen seen;

		ok(audit_last_seen(a, 0, &seen, err, sizeof(err)) == 1 && seen.seq == rec.seq &&
		   seen.time_ms == later + 10 * DAY && !strcmp(seen.event, "admin_flush"),
		   "last seen: root's newest record, its time and event");
		ok(audit_last_seen(a, 4242, &seen, err, sizeof(err)) == 0 && seen.seq == 0,
		   "last seen: a uid with no record was never seen");
	}
}

static void test_export_and_line(void)
{
	struct audit_record rec = {
		.seq = 12, .time_ms = 1795000000123LL, .event = AUDIT_DENIAL, .uid = 1001,
		.user = "alice", .queue = "sales", .mode = "whisper", .reason = "qa",
		.decision = "deny", .rule = "whisper is not available yet: \"no\" media path",
	};
	char line[1024];
	struct audit *a = fresh("e.db");
	char *text = NULL;
	size_t len = 0;
	long n = -1;
	FILE *f;

	memset(rec.mac, 0xab, sizeof(rec.mac));
	audit_format_line(&rec, line, sizeof(line));
	ok(!strcmp(line, "audit seq=12 time_ms=1795000000123 event=denial uid=1001 user=alice"
		   " queue=sales mode=whisper reason=qa decision=deny"
		   " rule=\"whisper is not available yet: \\\"no\\\" media path\""
		   " mac=abababababababab"), "syslog line: key=value, quoted when needed");
	if (strncmp(line, "audit seq=12", 12))
		printf("# %s\n", line);
	rec.uid = -1;
	audit_format_line(&rec, line, sizeof(line));
	ok(!strstr(line, "uid="), "syslog line leaves out an absent uid");
	{
		char small[128];
		bool fits = true;

		for (size_t sz = 1; sz <= sizeof(small); sz++) {
			memset(small, 'x', sizeof(small));
			audit_format_line(&rec, small, sz);
			fits &= strlen(small) < sz && (sz == sizeof(small) || small[sz] == 'x');
		}
		ok(fits, "syslog line truncates within any buffer size");
	}

	f = open_memstream(&text, &len);
	if (a && f) {
		struct audit_filter from2 = AUDIT_FILTER_ALL;
		char err[AUDIT_ERR_LEN];

		from2.from_seq = 2;
		n = audit_export_json(a, f, &from2, err, sizeof(err));
	}
	if (f)
		fclose(f);
	ok(n == 5, "export from seq 2 writes 5 records");
	if (text) {
		char *save = NULL, *l;
		int lines = 0, good = 0;

		for (l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			struct json_object *o = json_tokener_parse(l), *v;

			lines++;
			if (o && json_object_object_get_ex(o, "seq", &v) &&
			    json_object_get_int64(v) == lines + 1 &&
			    json_object_object_get_ex(o, "mac", &v) &&
			    strlen(json_object_get_string(v)) == 64 &&
			    json_object_object_get_ex(o, "user", &v) &&
			    !strcmp(json_object_get_string(v), "alice") &&
			    json_object_object_get_ex(o, "team", &v) && v == NULL &&
			    json_object_object_get_ex(o, "event", &v))
				good++;
			json_object_put(o);
		}
		ok(lines == 5 && good == 5, "each line is a JSON object with seq, user, null team, mac");
	}
	free(text);
	test_filters(a);
	audit_close(a);
}

static void test_open_errors(void)
{
	char key[256], db[256], err[AUDIT_ERR_LEN] = "";
	struct audit_config cfg = { .db_path = db, .key_path = key };
	struct audit *a;

	snprintf(key, sizeof(key), "%s", path("k1"));
	snprintf(db, sizeof(db), "%s", path("x.db"));

	chmod(path("k1"), 0604);
	a = audit_open(&cfg, err, sizeof(err));
	ok(!a && strstr(err, "accessible by group or others"), "audit_open refuses an exposed key");
	chmod(path("k1"), 0600);
	snprintf(db, sizeof(db), "%s", path("nodir/x.db"));
	a = audit_open(&cfg, err, sizeof(err));
	ok(!a && strstr(err, "cannot open the audit database") && strstr(err, "nodir/x.db"),
	   "audit_open names a database it cannot create");
	rm_db("v.db");
	sql("v.db", "PRAGMA user_version = 9", NULL, 0);
	snprintf(db, sizeof(db), "%s", path("v.db"));
	a = audit_open(&cfg, err, sizeof(err));
	if (a || !strstr(err, "has schema version 9"))
		printf("# %s\n", err);
	ok(!a && strstr(err, "has schema version 9; this listenind knows up to 1"),
	   "audit_open refuses a newer schema");
	audit_close(a);

	{
		FILE *g = fopen(path("junk.db"), "w");

		if (g) {
			fputs("this is not an SQLite database, it is a text file of some length\n", g);
			fclose(g);
		}
		snprintf(db, sizeof(db), "%s", path("junk.db"));
		a = audit_open(&cfg, err, sizeof(err));
		ok(!a && strstr(err, "junk.db") && strstr(err, "not a database"),
		   "audit_open names a file that is not a database");
		if (a || !strstr(err, "not a database"))
			printf("# %s\n", err);
		audit_close(a);
	}
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_key();
	test_append_verify();
	test_durable();
	test_tamper();
	test_file_edit();
	test_purge();
	test_export_and_line();
	test_open_errors();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
