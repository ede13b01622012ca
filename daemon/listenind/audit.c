// SPDX-License-Identifier: GPL-2.0
/*
 * Audit store. One table describes the record's fields; binding, reading,
 * the canonical encoding that the MAC covers, JSON and syslog output all
 * walk it, so a field cannot be stored without being authenticated.
 */
#include "listenind/audit.h"
#include "common/jout.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define SCHEMA_VERSION	1
#define ENCODING_MAGIC	"LIA1"

enum ftype { F_U64, F_I64, F_STR, F_EVENT };

struct field {
	const char *column;
	const char *json;
	enum ftype type;
	size_t offset;
};

#define F(col, js, t, member) { col, js, t, offsetof(struct audit_record, member) }

/* Column order is the order of the canonical encoding: append only. */
static const struct field fields[] = {
	F("seq", "seq", F_U64, seq),
	F("time_ms", "time_ms", F_I64, time_ms),
	F("event", "event", F_EVENT, event),
	F("session", "session", F_U64, session),
	F("sup_uid", "uid", F_I64, uid),
	F("sup_user", "user", F_STR, user),
	F("extension", "extension", F_STR, extension),
	F("call_id", "call_id", F_STR, call_id),
	F("call_ref", "call", F_U64, call),
	F("agent", "agent", F_STR, agent),
	F("queue", "queue", F_STR, queue),
	F("team", "team", F_STR, team),
	F("department", "department", F_STR, department),
	F("site", "site", F_STR, site),
	F("campaign", "campaign", F_STR, campaign),
	F("mode", "mode", F_STR, mode),
	F("reason", "reason", F_STR, reason),
	F("reason_text", "reason_text", F_STR, reason_text),
	F("decision", "decision", F_STR, decision),
	F("rule", "rule", F_STR, rule),
	F("start_ms", "start_ms", F_I64, start_ms),
	F("end_ms", "end_ms", F_I64, end_ms),
	F("end_cause", "end_cause", F_STR, end_cause),
	F("packets", "packets", F_U64, packets),
	F("detail", "detail", F_STR, detail),
	F("purged_through", "purged_through", F_U64, purged_through),
	F("anchor", "anchor", F_STR, anchor),
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *const event_names[AUDIT_EVENT_COUNT] = {
	[AUDIT_SESSION_START] = "session_start",
	[AUDIT_SESSION_STOP] = "session_stop",
	[AUDIT_MODE_CHANGE] = "mode_change",
	[AUDIT_DENIAL] = "denial",
	[AUDIT_POLICY_RELOAD] = "policy_reload",
	[AUDIT_ADMIN_FLUSH] = "admin_flush",
	[AUDIT_RETENTION_PURGE] = "retention_purge",
	[AUDIT_DAEMON_START] = "daemon_start",
	[AUDIT_DAEMON_STOP] = "daemon_stop",
};

static const char *const triggers[] = {
	"audit_no_update", "audit_no_delete", "audit_in_order",
	"audit_anchor_insert", "audit_anchor_update", "audit_anchor_delete",
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS audit ("
	" seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, event TEXT NOT NULL,"
	" session INTEGER NOT NULL, sup_uid INTEGER NOT NULL, sup_user TEXT,"
	" extension TEXT, call_id TEXT, call_ref INTEGER NOT NULL,"
	" agent TEXT, queue TEXT, team TEXT, department TEXT, site TEXT, campaign TEXT,"
	" mode TEXT, reason TEXT, reason_text TEXT, decision TEXT, rule TEXT,"
	" start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, end_cause TEXT,"
	" packets INTEGER NOT NULL, detail TEXT, purged_through INTEGER NOT NULL,"
	" anchor TEXT, mac BLOB NOT NULL);"
	"CREATE INDEX IF NOT EXISTS audit_time ON audit(time_ms);"
	"CREATE INDEX IF NOT EXISTS audit_uid ON audit(sup_uid, seq);"
	"CREATE TABLE IF NOT EXISTS audit_anchor (id INTEGER PRIMARY KEY CHECK (id = 1),"
	" seq INTEGER NOT NULL, mac BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS audit_gate (id INTEGER PRIMARY KEY CHECK (id = 1),"
	" open INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO audit_gate VALUES (1, 0);";

#define GATE_SHUT "(SELECT open FROM audit_gate WHERE id = 1) IS NOT 1"

static const char *const trigger_sql[] = {
	"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN"
	" SELECT RAISE(ABORT, 'audit records are append-only'); END;",
	"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit WHEN " GATE_SHUT
	" BEGIN SELECT RAISE(ABORT, 'audit records are append-only: only the retention purge deletes them'); END;",
	"CREATE TRIGGER IF NOT EXISTS audit_in_order BEFORE INSERT ON audit WHEN NEW.seq IS NOT"
	" coalesce((SELECT max(seq) FROM audit), (SELECT seq FROM audit_anchor WHERE id = 1), 0) + 1"
	" BEGIN SELECT RAISE(ABORT, 'audit records are appended in seq order'); END;",
	"CREATE TRIGGER IF NOT EXISTS audit_anchor_insert BEFORE INSERT ON audit_anchor WHEN " GATE_SHUT
	" BEGIN SELECT RAISE(ABORT, 'the audit anchor moves only in a retention purge'); END;",
	"CREATE TRIGGER IF NOT EXISTS audit_anchor_update BEFORE UPDATE ON audit_anchor WHEN " GATE_SHUT
	" BEGIN SELECT RAISE(ABORT, 'the audit anchor moves only in a retention purge'); END;",
	"CREATE TRIGGER IF NOT EXISTS audit_anchor_delete BEFORE DELETE ON audit_anchor WHEN " GATE_SHUT
	" BEGIN SELECT RAISE(ABORT, 'the audit anchor moves only in a retention purge'); END;",
};

struct audit {
	sqlite3 *db;
	char *path;
	uint8_t key[AUDIT_KEY_LEN];
	bool syslog;
	int facility;
	uint64_t last_seq;		/* highest seq this handle has seen */
	char repaired[128];		/* triggers found missing at open */
	sqlite3_stmt *insert;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

const char *audit_event_name(enum audit_event ev)
{
	return (unsigned int)ev < AUDIT_EVENT_COUNT ? event_names[ev] : "?";
}

int audit_event_parse(const char *name)
{
	for (int i = 0; i < AUDIT_EVENT_COUNT; i++)
		if (!strcmp(name, event_names[i]))
			return i;
	return -1;
}

uint64_t audit_last_seq(const struct audit *a)
{
	return a->last_seq;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int audit_key_load(const char *path, uint8_t key[AUDIT_KEY_LEN], bool *created,
		   char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd;

	if (created)
		*created = false;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return fail(err, errlen, "cannot create the audit key %s: %s", path,
				    strerror(errno));
		if (getrandom(key, AUDIT_KEY_LEN, 0) != AUDIT_KEY_LEN ||
		    write(fd, key, AUDIT_KEY_LEN) != AUDIT_KEY_LEN || fsync(fd)) {
			fail(err, errlen, "cannot write the new audit key %s: %s", path,
			     strerror(errno ? errno : EIO));
			close(fd);
			unlink(path);
			return -1;
		}
		if (created)
			*created = true;
		lseek(fd, 0, SEEK_SET);
	} else if (fd < 0) {
		return fail(err, errlen, "cannot open the audit key %s: %s", path,
			    strerror(errno));
	}
	if (fstat(fd, &st))
		goto io;
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, "the audit key %s is not a regular file", path);
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		return fail(err, errlen,
			    "the audit key %s belongs to uid %u, not to this process (uid %u): chown it",
			    path, (unsigned int)st.st_uid, (unsigned int)geteuid());
	}
	if (st.st_mode & 077) {
		close(fd);
		return fail(err, errlen,
			    "the audit key %s is accessible by group or others (mode %04o): chmod 600 it and consider the key disclosed",
			    path, (unsigned int)(st.st_mode & 07777));
	}
	if (st.st_size != AUDIT_KEY_LEN) {
		close(fd);
		return fail(err, errlen, "the audit key %s holds %lld bytes; an audit key is %d bytes",
			    path, (long long)st.st_size, AUDIT_KEY_LEN);
	}
	n = read(fd, key, AUDIT_KEY_LEN);
	if (n != AUDIT_KEY_LEN)
		goto io;
	close(fd);
	return 0;
io:
	fail(err, errlen, "cannot read the audit key %s: %s", path, strerror(errno ? errno : EIO));
	close(fd);
	return -1;
}

/* A growing byte buffer for the canonical encoding. */
struct buf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *b, const void *src, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 512;
		uint8_t *np;

		while (cap < b->len + n)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void put_u64(struct buf *b, uint64_t v)
{
	uint8_t be[9] = { 'i' };

	for (int i = 0; i < 8; i++)
		be[1 + i] = (uint8_t)(v >> (56 - 8 * i));
	put(b, be, sizeof(be));
}

static void put_str(struct buf *b, const char *s)
{
	uint8_t hdr[5] = { 's' };
	size_t n;

	if (!s) {
		put(b, "n", 1);
		return;
	}
	n = strlen(s);
	for (int i = 0; i < 4; i++)
		hdr[1 + i] = (uint8_t)((uint32_t)n >> (24 - 8 * i));
	put(b, hdr, sizeof(hdr));
	put(b, s, n);
}

/* The bytes the MAC covers, after the previous MAC: see docs/audit.md. */
static void encode(const struct audit_record *rec, struct buf *b)
{
	put(b, ENCODING_MAGIC, 4);
	for (size_t i = 0; i < N_FIELDS; i++) {
		const char *base = (const char *)rec + fields[i].offset;

		switch (fields[i].type) {
		case F_U64:
			put_u64(b, *(const uint64_t *)base);
			break;
		case F_I64:
			put_u64(b, (uint64_t)*(const int64_t *)base);
			break;
		case F_STR:
			put_str(b, *(const char *const *)base);
			break;
		case F_EVENT:
			put_str(b, audit_event_name(*(const enum audit_event *)base));
			break;
		}
	}
}

static int compute_mac(const uint8_t key[AUDIT_KEY_LEN], const uint8_t prev[AUDIT_MAC_LEN],
		       const struct audit_record *rec, uint8_t mac[AUDIT_MAC_LEN])
{
	struct buf b = { 0 };
	unsigned int len = 0;
	bool good;

	put(&b, prev, AUDIT_MAC_LEN);
	encode(rec, &b);
	good = !b.oom && HMAC(EVP_sha256(), key, AUDIT_KEY_LEN, b.p, b.len, mac, &len) &&
	       len == AUDIT_MAC_LEN;
	free(b.p);
	return good ? 0 : -1;
}

static int exec(struct audit *a, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(a->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fail(err, errlen, "audit database %s: %s", a->path,
		     msg ? msg : sqlite3_errmsg(a->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int db_fail(struct audit *a, char *err, size_t errlen, const char *what)
{
	return fail(err, errlen, "audit database %s: %s: %s", a->path, what,
		    sqlite3_errmsg(a->db));
}

static int query_int(struct audit *a, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

static bool trigger_exists(struct audit *a, const char *name)
{
	sqlite3_stmt *st;
	bool found = false;

	if (sqlite3_prepare_v2(a->db,
			       "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static int create_schema(struct audit *a, char *err, size_t errlen)
{
	int64_t version = 0;
	bool existed;

	if (query_int(a, "PRAGMA user_version", &version) < 0)
		return db_fail(a, err, errlen, "cannot read the schema version");
	if (version > SCHEMA_VERSION)
		return fail(err, errlen,
			    "audit database %s has schema version %lld; this listenind knows up to %d",
			    a->path, (long long)version, SCHEMA_VERSION);
	existed = version == SCHEMA_VERSION;
	if (exec(a, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	if (exec(a, schema, err, errlen))
		goto rollback;
	for (size_t i = 0; i < sizeof(triggers) / sizeof(triggers[0]); i++) {
		if (existed && !trigger_exists(a, triggers[i])) {
			size_t n = strlen(a->repaired);

			snprintf(a->repaired + n, sizeof(a->repaired) - n, "%s%s",
				 n ? ", " : "", triggers[i]);
		}
		if (exec(a, trigger_sql[i], err, errlen))
			goto rollback;
	}
	if (exec(a, "PRAGMA user_version = 1", err, errlen) ||
	    exec(a, "COMMIT", err, errlen))
		goto rollback;
	if (a->repaired[0])
		log_warn("audit database %s: append-only trigger(s) %s were missing and have been restored: the database was altered outside listenind",
			 a->path, a->repaired);
	return 0;
rollback:
	sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int load_head(struct audit *a, uint64_t *seq, uint8_t mac[AUDIT_MAC_LEN],
		     char *err, size_t errlen)
{
	static const char *const sql[] = {
		"SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1",
		"SELECT seq, mac FROM audit_anchor WHERE id = 1",
	};

	for (size_t i = 0; i < 2; i++) {
		sqlite3_stmt *st;
		int rc;

		if (sqlite3_prepare_v2(a->db, sql[i], -1, &st, NULL) != SQLITE_OK)
			return db_fail(a, err, errlen, "cannot read the chain's head");
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			if (sqlite3_column_bytes(st, 1) != AUDIT_MAC_LEN) {
				sqlite3_finalize(st);
				return fail(err, errlen,
					    "audit database %s: the chain's head has no valid MAC: run verify",
					    a->path);
			}
			*seq = (uint64_t)sqlite3_column_int64(st, 0);
			memcpy(mac, sqlite3_column_blob(st, 1), AUDIT_MAC_LEN);
			sqlite3_finalize(st);
			return 0;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_fail(a, err, errlen, "cannot read the chain's head");
	}
	*seq = 0;
	memset(mac, 0, AUDIT_MAC_LEN);
	return 0;
}

struct audit *audit_open(const struct audit_config *cfg, char *err, size_t errlen)
{
	struct audit *a;
	uint8_t mac[AUDIT_MAC_LEN];
	int64_t sync = -1;
	char sql[1024];
	size_t n;
	int fd;

	a = calloc(1, sizeof(*a));
	if (!a || !(a->path = strdup(cfg->db_path))) {
		free(a);
		fail(err, errlen, "out of memory");
		return NULL;
	}
	a->syslog = cfg->syslog;
	a->facility = cfg->syslog_facility ? cfg->syslog_facility : LOG_AUTHPRIV;
	if (audit_key_load(cfg->key_path, a->key, NULL, err, errlen))
		goto err;

	/* who monitors whom is private: the database (and its WAL) is 0600 */
	fd = open(cfg->db_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		fail(err, errlen, "cannot open the audit database %s: %s", cfg->db_path,
		     strerror(errno));
		goto err;
	}
	close(fd);
	if (sqlite3_open_v2(cfg->db_path, &a->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		fail(err, errlen, "cannot open the audit database %s: %s", cfg->db_path,
		     a->db ? sqlite3_errmsg(a->db) : "out of memory");
		goto err;
	}
	sqlite3_busy_timeout(a->db, 5000);
	if (exec(a, "PRAGMA journal_mode = WAL", err, errlen) ||
	    exec(a, "PRAGMA synchronous = FULL", err, errlen))
		goto err;
	if (query_int(a, "PRAGMA synchronous", &sync) || sync != 2) {
		fail(err, errlen, "audit database %s: synchronous=FULL did not take effect",
		     cfg->db_path);
		goto err;
	}
	if (create_schema(a, err, errlen))
		goto err;

	n = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO audit (");
	for (size_t i = 0; i < N_FIELDS; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s, ", fields[i].column);
	n += (size_t)snprintf(sql + n, sizeof(sql) - n, "mac) VALUES (");
	for (size_t i = 0; i <= N_FIELDS; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s?", i ? ", " : "");
	snprintf(sql + n, sizeof(sql) - n, ")");
	if (sqlite3_prepare_v2(a->db, sql, -1, &a->insert, NULL) != SQLITE_OK) {
		db_fail(a, err, errlen, "cannot prepare the insert");
		goto err;
	}
	if (load_head(a, &a->last_seq, mac, err, errlen))
		goto err;
	return a;
err:
	audit_close(a);
	return NULL;
}

void audit_close(struct audit *a)
{
	if (!a)
		return;
	sqlite3_finalize(a->insert);
	sqlite3_close(a->db);
	OPENSSL_cleanse(a->key, sizeof(a->key));
	free(a->path);
	free(a);
}

static void bind_record(sqlite3_stmt *st, const struct audit_record *rec)
{
	for (size_t i = 0; i < N_FIELDS; i++) {
		const char *base = (const char *)rec + fields[i].offset;
		int col = (int)i + 1;

		switch (fields[i].type) {
		case F_U64:
			sqlite3_bind_int64(st, col, (sqlite3_int64) * (const uint64_t *)base);
			break;
		case F_I64:
			sqlite3_bind_int64(st, col, *(const int64_t *)base);
			break;
		case F_STR:
			if (*(const char *const *)base)
				sqlite3_bind_text(st, col, *(const char *const *)base, -1,
						  SQLITE_STATIC);
			else
				sqlite3_bind_null(st, col);
			break;
		case F_EVENT:
			sqlite3_bind_text(st, col, audit_event_name(*(const enum audit_event *)base),
					  -1, SQLITE_STATIC);
			break;
		}
	}
	sqlite3_bind_blob(st, (int)N_FIELDS + 1, rec->mac, AUDIT_MAC_LEN, SQLITE_STATIC);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (*s == ' ' || *s == '"' || *s == '=' || *s == '\\' || (unsigned char)*s < 0x20)
			return true;
	return false;
}

void audit_format_line(const struct audit_record *rec, char *buf, size_t len)
{
	char mac[2 * AUDIT_MAC_LEN + 1];
	size_t n;

	n = (size_t)snprintf(buf, len, "audit");
	for (size_t i = 0; i < N_FIELDS && n < len; i++) {
		const char *base = (const char *)rec + fields[i].offset;
		const char *s;

		switch (fields[i].type) {
		case F_U64:
			if (*(const uint64_t *)base || i == 0)
				n += (size_t)snprintf(buf + n, len - n, " %s=%" PRIu64, fields[i].json,
						      *(const uint64_t *)base);
			continue;
		case F_I64: {
			int64_t v = *(const int64_t *)base;
			bool is_uid = fields[i].offset == offsetof(struct audit_record, uid);

			if (is_uid ? v >= 0 : v != 0)
				n += (size_t)snprintf(buf + n, len - n, " %s=%" PRId64,
						      fields[i].json, v);
			continue;
		}
		case F_EVENT:
			s = audit_event_name(*(const enum audit_event *)base);
			break;
		case F_STR:
			s = *(const char *const *)base;
			break;
		default:
			continue;
		}
		if (!s)
			continue;
		if (!needs_quotes(s)) {
			n += (size_t)snprintf(buf + n, len - n, " %s=%s", fields[i].json, s);
			continue;
		}
		n += (size_t)snprintf(buf + n, len - n, " %s=\"", fields[i].json);
		if (n + 3 >= len)
			break;
		for (; *s && n + 3 < len; s++) {
			if (*s == '"' || *s == '\\')
				buf[n++] = '\\';
			buf[n++] = (unsigned char)*s < 0x20 ? '?' : *s;
		}
		buf[n] = '\0';
		n += (size_t)snprintf(buf + n, len - n, "\"");
	}
	hex(rec->mac, AUDIT_MAC_LEN, mac);
	if (n < len)
		snprintf(buf + n, len - n, " mac=%.16s", mac);
}

/* Inside a transaction: chains rec to the head and inserts it. */
static int insert_locked(struct audit *a, struct audit_record *rec, char *err, size_t errlen)
{
	uint8_t prev[AUDIT_MAC_LEN];
	uint64_t head = 0;
	int rc;

	if ((unsigned int)rec->event >= AUDIT_EVENT_COUNT)
		return fail(err, errlen, "unknown audit event %d", (int)rec->event);
	if (load_head(a, &head, prev, err, errlen))
		return -1;
	rec->seq = head + 1;
	if (!rec->time_ms)
		rec->time_ms = now_ms();
	if (compute_mac(a->key, prev, rec, rec->mac))
		return fail(err, errlen, "cannot compute the audit MAC (out of memory or OpenSSL failure)");
	sqlite3_reset(a->insert);
	sqlite3_clear_bindings(a->insert);
	bind_record(a->insert, rec);
	rc = sqlite3_step(a->insert);
	sqlite3_reset(a->insert);
	if (rc != SQLITE_DONE)
		return db_fail(a, err, errlen, "cannot insert the record");
	return 0;
}

static void emit_syslog(struct audit *a, const struct audit_record *rec)
{
	char line[2048];

	if (!a->syslog)
		return;
	audit_format_line(rec, line, sizeof(line));
	syslog(a->facility | LOG_NOTICE, "%s", line);
}

int audit_append(struct audit *a, struct audit_record *rec, char *err, size_t errlen)
{
	if (exec(a, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	if (insert_locked(a, rec, err, errlen) || exec(a, "COMMIT", err, errlen)) {
		sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	a->last_seq = rec->seq;
	emit_syslog(a, rec);
	return 0;
}

/* Reads the current row of a SELECT of every field and mac. */
static void read_row(sqlite3_stmt *st, struct audit_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	for (size_t i = 0; i < N_FIELDS; i++) {
		char *base = (char *)rec + fields[i].offset;
		int col = (int)i;

		switch (fields[i].type) {
		case F_U64:
			*(uint64_t *)base = (uint64_t)sqlite3_column_int64(st, col);
			break;
		case F_I64:
			*(int64_t *)base = sqlite3_column_int64(st, col);
			break;
		case F_STR:
			*(const char **)base = (const char *)sqlite3_column_text(st, col);
			break;
		case F_EVENT: {
			const char *name = (const char *)sqlite3_column_text(st, col);
			int ev = name ? audit_event_parse(name) : -1;

			/* an unknown name cannot be re-encoded: it fails the MAC */
			*(enum audit_event *)base = ev < 0 ? AUDIT_EVENT_COUNT : (enum audit_event)ev;
			break;
		}
		}
	}
	if (sqlite3_column_bytes(st, (int)N_FIELDS) == AUDIT_MAC_LEN)
		memcpy(rec->mac, sqlite3_column_blob(st, (int)N_FIELDS), AUDIT_MAC_LEN);
}

static sqlite3_stmt *select_records(struct audit *a, const struct audit_filter *f)
{
	char sql[1024];
	size_t n;
	sqlite3_stmt *st;

	n = (size_t)snprintf(sql, sizeof(sql), "SELECT ");
	for (size_t i = 0; i < N_FIELDS; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s, ", fields[i].column);
	snprintf(sql + n, sizeof(sql) - n,
		 "mac FROM audit WHERE seq >= ?1 AND (?2 = 0 OR time_ms >= ?2)"
		 " AND (?3 = 0 OR time_ms < ?3) AND (?4 < 0 OR sup_uid = ?4)"
		 " AND (?5 IS NULL OR event = ?5) ORDER BY seq LIMIT ?6");
	if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)(f ? f->from_seq : 0));
	sqlite3_bind_int64(st, 2, f ? f->since_ms : 0);
	sqlite3_bind_int64(st, 3, f ? f->until_ms : 0);
	sqlite3_bind_int64(st, 4, f ? f->uid : -1);
	if (f && f->event >= 0)
		sqlite3_bind_text(st, 5, audit_event_name((enum audit_event)f->event), -1,
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int64(st, 6, f && f->limit && f->limit < INT64_MAX ?
			   (sqlite3_int64)f->limit : -1);
	return st;
}

int audit_last_seen(struct audit *a, int64_t uid, struct audit_seen *seen, char *err,
		    size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	memset(seen, 0, sizeof(*seen));
	if (sqlite3_prepare_v2(a->db, "SELECT seq, time_ms, event FROM audit WHERE sup_uid = ?1"
			       " ORDER BY seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return db_fail(a, err, errlen, "cannot look up a user's last record");
	sqlite3_bind_int64(st, 1, uid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		seen->seq = (uint64_t)sqlite3_column_int64(st, 0);
		seen->time_ms = sqlite3_column_int64(st, 1);
		snprintf(seen->event, sizeof(seen->event), "%s",
			 (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(a, err, errlen, "cannot look up a user's last record");
	return rc == SQLITE_ROW;
}

static int bad(struct audit_verify_result *r, uint64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct audit_verify_result *r, uint64_t seq, const char *fmt, ...)
{
	va_list ap;

	r->ok = false;
	r->bad_seq = seq;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return 1;
}

int audit_verify(struct audit *a, struct audit_verify_result *r, char *err, size_t errlen)
{
	uint8_t prev[AUDIT_MAC_LEN] = { 0 }, mac[AUDIT_MAC_LEN];
	uint64_t expect = 1, anchor_seq = 0, purge_seq = 0, purge_through = 0;
	char anchor_hex[2 * AUDIT_MAC_LEN + 1] = "", purge_anchor[2 * AUDIT_MAC_LEN + 1] = "";
	bool have_anchor = false;
	sqlite3_stmt *st;
	int rc, ret = 0;

	memset(r, 0, sizeof(*r));
	r->ok = true;
	if (exec(a, "BEGIN", err, errlen))
		return -1;
	if (sqlite3_prepare_v2(a->db, "SELECT seq, mac FROM audit_anchor WHERE id = 1", -1,
			       &st, NULL) != SQLITE_OK) {
		ret = db_fail(a, err, errlen, "cannot read the anchor");
		goto out;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		have_anchor = true;
		anchor_seq = (uint64_t)sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) != AUDIT_MAC_LEN) {
			sqlite3_finalize(st);
			ret = bad(r, 0, "the anchor (seq %" PRIu64 ") has no valid MAC", anchor_seq);
			goto out;
		}
		memcpy(prev, sqlite3_column_blob(st, 1), AUDIT_MAC_LEN);
		hex(prev, AUDIT_MAC_LEN, anchor_hex);
		expect = anchor_seq + 1;
	}
	sqlite3_finalize(st);

	st = select_records(a, NULL);
	if (!st) {
		ret = db_fail(a, err, errlen, "cannot read the records");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_record rec;

		read_row(st, &rec);
		if (!r->records)
			r->first_seq = rec.seq;
		if (rec.seq != expect) {
			if (!r->records && !have_anchor)
				ret = bad(r, rec.seq,
					  "missing anchor: the chain starts at seq %" PRIu64
					  " but no retention purge recorded the removal of the records before it",
					  rec.seq);
			else if (rec.seq > expect)
				ret = bad(r, rec.seq, "gap in seq: record %" PRIu64 " follows %" PRIu64
					  " (%" PRIu64 " record(s) removed)", rec.seq, expect - 1,
					  rec.seq - expect);
			else
				ret = bad(r, rec.seq, "record %" PRIu64 " is out of order after %" PRIu64,
					  rec.seq, expect - 1);
			break;
		}
		if (sqlite3_column_bytes(st, (int)N_FIELDS) != AUDIT_MAC_LEN) {
			ret = bad(r, rec.seq, "record %" PRIu64 " has no valid MAC", rec.seq);
			break;
		}
		if (rec.event == AUDIT_EVENT_COUNT) {
			ret = bad(r, rec.seq, "record %" PRIu64 " has an unknown event \"%.64s\"",
				  rec.seq, (const char *)sqlite3_column_text(st, 2));
			break;
		}
		if (compute_mac(a->key, prev, &rec, mac)) {
			ret = fail(err, errlen, "cannot compute the audit MAC");
			break;
		}
		if (CRYPTO_memcmp(mac, rec.mac, AUDIT_MAC_LEN)) {
			ret = bad(r, rec.seq,
				  "record %" PRIu64 " fails its MAC: it was altered, or the record before it was",
				  rec.seq);
			break;
		}
		if (rec.event == AUDIT_RETENTION_PURGE && rec.purged_through) {
			purge_seq = rec.seq;
			purge_through = rec.purged_through;
			snprintf(purge_anchor, sizeof(purge_anchor), "%s", rec.anchor ? rec.anchor : "");
		}
		memcpy(prev, rec.mac, AUDIT_MAC_LEN);
		r->records++;
		r->last_seq = rec.seq;
		expect = rec.seq + 1;
	}
	sqlite3_finalize(st);
	if (ret)
		goto out;
	if (rc != SQLITE_DONE) {
		ret = db_fail(a, err, errlen, "cannot read the records");
		goto out;
	}
	if (have_anchor && !purge_seq) {
		ret = bad(r, 0, "the anchor (seq %" PRIu64 ") is not vouched for by any retention_purge record",
			  anchor_seq);
		goto out;
	}
	if (have_anchor && (purge_through != anchor_seq || strcmp(purge_anchor, anchor_hex))) {
		ret = bad(r, purge_seq,
			  "the anchor (seq %" PRIu64 ") differs from the one retention_purge record %" PRIu64
			  " set (seq %" PRIu64 ")", anchor_seq, purge_seq, purge_through);
		goto out;
	}
	if (a->last_seq > (r->records ? r->last_seq : anchor_seq)) {
		ret = bad(r, a->last_seq,
			  "records after seq %" PRIu64 " are missing: this process wrote up to seq %" PRIu64,
			  r->records ? r->last_seq : anchor_seq, a->last_seq);
		goto out;
	}
	for (size_t i = 0; i < sizeof(triggers) / sizeof(triggers[0]); i++) {
		if (!trigger_exists(a, triggers[i])) {
			ret = bad(r, 0, "the append-only trigger %s is missing: the schema was altered",
				  triggers[i]);
			goto out;
		}
	}
	if (a->repaired[0]) {
		ret = bad(r, 0, "the append-only trigger(s) %s were missing when the database was opened",
			  a->repaired);
		goto out;
	}
	hex(prev, AUDIT_MAC_LEN, r->head);
out:
	sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL);
	return ret;
}

int audit_purge(struct audit *a, unsigned int days, int64_t now, uint64_t *deleted,
		char *err, size_t errlen)
{
	struct audit_record rec = { .event = AUDIT_RETENTION_PURGE, .uid = -1 };
	int64_t cutoff = now - (int64_t)days * 86400000, first_kept = 0, count = 0;
	char anchor_hex[2 * AUDIT_MAC_LEN + 1], detail[160];
	uint8_t mac[AUDIT_MAC_LEN];
	uint64_t through = 0;
	sqlite3_stmt *st;

	if (deleted)
		*deleted = 0;
	if (!days)
		return fail(err, errlen, "a retention of 0 days would delete the whole audit trail: give at least 1 day");
	if (exec(a, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	/* never delete a record newer than the cutoff, even if the clock stepped back */
	if (sqlite3_prepare_v2(a->db, "SELECT min(seq), (SELECT max(seq) FROM audit) FROM audit WHERE time_ms >= ?",
			       -1, &st, NULL) != SQLITE_OK) {
		db_fail(a, err, errlen, "cannot find old records");
		goto rollback;
	}
	sqlite3_bind_int64(st, 1, cutoff);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			first_kept = sqlite3_column_int64(st, 0);
		else
			first_kept = sqlite3_column_int64(st, 1) + 1;	/* all old (or empty) */
	}
	sqlite3_finalize(st);

	if (sqlite3_prepare_v2(a->db, "SELECT seq, mac, (SELECT count(*) FROM audit WHERE seq < ?1)"
			       " FROM audit WHERE seq < ?1 ORDER BY seq DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK) {
		db_fail(a, err, errlen, "cannot find old records");
		goto rollback;
	}
	sqlite3_bind_int64(st, 1, first_kept);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == AUDIT_MAC_LEN) {
		through = (uint64_t)sqlite3_column_int64(st, 0);
		memcpy(mac, sqlite3_column_blob(st, 1), AUDIT_MAC_LEN);
		count = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);

	if (through) {
		if (exec(a, "UPDATE audit_gate SET open = 1 WHERE id = 1", err, errlen))
			goto rollback;
		if (sqlite3_prepare_v2(a->db, "DELETE FROM audit WHERE seq <= ?", -1, &st, NULL) != SQLITE_OK) {
			db_fail(a, err, errlen, "cannot prepare the purge");
			goto rollback;
		}
		sqlite3_bind_int64(st, 1, (sqlite3_int64)through);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			db_fail(a, err, errlen, "cannot delete old records");
			goto rollback;
		}
		sqlite3_finalize(st);
		if (sqlite3_prepare_v2(a->db, "INSERT INTO audit_anchor (id, seq, mac) VALUES (1, ?, ?)"
				       " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, mac = excluded.mac",
				       -1, &st, NULL) != SQLITE_OK) {
			db_fail(a, err, errlen, "cannot prepare the anchor");
			goto rollback;
		}
		sqlite3_bind_int64(st, 1, (sqlite3_int64)through);
		sqlite3_bind_blob(st, 2, mac, AUDIT_MAC_LEN, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			db_fail(a, err, errlen, "cannot move the anchor");
			goto rollback;
		}
		sqlite3_finalize(st);
		if (exec(a, "UPDATE audit_gate SET open = 0 WHERE id = 1", err, errlen))
			goto rollback;
		hex(mac, AUDIT_MAC_LEN, anchor_hex);
		rec.purged_through = through;
		rec.anchor = anchor_hex;
	}
	snprintf(detail, sizeof(detail), "deleted %lld record(s) older than %u day(s)",
		 (long long)count, days);
	rec.detail = detail;
	rec.time_ms = now;
	if (insert_locked(a, &rec, err, errlen) || exec(a, "COMMIT", err, errlen))
		goto rollback;
	a->last_seq = rec.seq;
	if (deleted)
		*deleted = (uint64_t)count;
	emit_syslog(a, &rec);
	return 0;
rollback:
	sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

long audit_export_json(struct audit *a, FILE *out, const struct audit_filter *f,
		       char *err, size_t errlen)
{
	sqlite3_stmt *st;
	long count = 0;
	int rc;

	if (f && f->event >= AUDIT_EVENT_COUNT)
		return fail(err, errlen, "unknown audit event %d", f->event);
	st = select_records(a, f);
	if (!st)
		return db_fail(a, err, errlen, "cannot read the records");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct json_object *o = json_object_new_object();
		struct audit_record rec;
		char mac[2 * AUDIT_MAC_LEN + 1];

		read_row(st, &rec);
		for (size_t i = 0; i < N_FIELDS; i++) {
			const char *base = (const char *)&rec + fields[i].offset;

			switch (fields[i].type) {
			case F_U64:
				jout_add_u64(o, fields[i].json, *(const uint64_t *)base);
				break;
			case F_I64:
				if (fields[i].offset == offsetof(struct audit_record, uid) &&
				    *(const int64_t *)base < 0)
					jout_add_null(o, fields[i].json);
				else
					jout_add_int(o, fields[i].json, *(const int64_t *)base);
				break;
			case F_STR:
				if (*(const char *const *)base)
					jout_add_str(o, fields[i].json, *(const char *const *)base);
				else
					jout_add_null(o, fields[i].json);
				break;
			case F_EVENT:
				jout_add_str(o, fields[i].json, audit_event_name(rec.event));
				break;
			}
		}
		hex(rec.mac, AUDIT_MAC_LEN, mac);
		jout_add_str(o, "mac", mac);
		if (jout_print(out, o)) {
			sqlite3_finalize(st);
			return fail(err, errlen, "cannot write the export: %s", strerror(errno));
		}
		count++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(a, err, errlen, "cannot read the records");
	return count;
}
