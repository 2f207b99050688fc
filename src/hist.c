/* hist.c: the agent's store, DIR/clockwatch.db, SQLite in WAL mode with synchronous=FULL, so a
 * check acknowledged by hist_commit_check survives kill -9 and, as far as SQLite and the disk
 * allow, power loss. Every write of one check (its row, its events, the alarm state) is one
 * BEGIN IMMEDIATE ... COMMIT: after a crash the store holds all of it or none of it, so a
 * restarted agent neither loses nor repeats an event. Readers open with SQLITE_OPEN_READONLY
 * and never create anything. All statements are prepared in hist_open and finalized in
 * hist_close. sqlite3.h stays in this file (STYLE 3.3).
 *
 * Units: times are int64 Unix ns (real_ns), offsets double seconds; NAN is stored as NULL. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hist.h"
#include "xalloc.h"

#define HIST_FILE "clockwatch.db"
#define HIST_BUSY_TIMEOUT_MS 2000
#define HIST_WAL_LIMIT "4194304" /* bytes kept in -wal after a checkpoint */

/* The schema: migrations[i] takes user_version i to i + 1. A new version appends a step; a
 * step, once released, is never edited. */
static const char *const migrations[] = {
    /* 1: checks, the alarm log, the alarm state. */
    "CREATE TABLE checks (\n"
    "  real_ns INTEGER NOT NULL,\n"
    "  service INTEGER NOT NULL,\n"
    "  answering INTEGER NOT NULL,\n"
    "  synchronized INTEGER NOT NULL,\n"
    "  offset_s REAL,\n"
    "  offset_error_s REAL,\n"
    "  root_distance_s REAL,\n"
    "  jitter_s REAL,\n"
    "  stratum INTEGER,\n"
    "  n_sources INTEGER NOT NULL,\n"
    "  n_reachable INTEGER NOT NULL,\n"
    "  severity INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX checks_real_ns ON checks (real_ns);\n"
    "CREATE TABLE events (\n"
    "  seq INTEGER PRIMARY KEY,\n"
    "  real_ns INTEGER NOT NULL,\n"
    "  kind INTEGER NOT NULL,\n"
    "  sev_from INTEGER NOT NULL,\n"
    "  sev_to INTEGER NOT NULL,\n"
    "  text TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE alarm (\n"
    "  id INTEGER PRIMARY KEY CHECK (id = 1),\n"
    "  severity INTEGER NOT NULL,\n"
    "  text TEXT NOT NULL,\n"
    "  ever_selected INTEGER NOT NULL,\n"
    "  start_real_ns INTEGER NOT NULL,\n"
    "  unselected_since_real_ns INTEGER NOT NULL,\n"
    "  unselected_initial INTEGER NOT NULL,\n"
    "  last_seq INTEGER NOT NULL\n"
    ");\n",
};

#define HIST_SCHEMA_VERSION ((int)CW_ARRAY_LEN(migrations))

enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_PUT_CHECK,
	ST_LAST_SEQ,
	ST_PUT_EVENT,
	ST_PUT_ALARM,
	ST_GET_ALARM,
	ST_EVENTS,
	ST_PRUNE,
	ST_SERIES,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_PUT_CHECK] = "INSERT INTO checks (real_ns, service, answering, synchronized, offset_s,"
                     " offset_error_s, root_distance_s, jitter_s, stratum, n_sources, n_reachable,"
                     " severity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [ST_LAST_SEQ] = "SELECT IFNULL(MAX(seq), 0) FROM events",
    [ST_PUT_EVENT] = "INSERT INTO events (seq, real_ns, kind, sev_from, sev_to, text)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    /* last_seq is the newest event's: the one just written, or the same as before. */
    [ST_PUT_ALARM] =
        "INSERT OR REPLACE INTO alarm (id, severity, text, ever_selected,"
        " start_real_ns, unselected_since_real_ns, unselected_initial, last_seq)"
        " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, (SELECT IFNULL(MAX(seq), 0) FROM events))",
    [ST_GET_ALARM] =
        "SELECT severity, text, ever_selected, start_real_ns,"
        " unselected_since_real_ns, unselected_initial, last_seq FROM alarm WHERE id = 1",
    [ST_EVENTS] = "SELECT seq, real_ns, kind, sev_from, sev_to, text FROM"
                  " (SELECT * FROM events ORDER BY seq DESC LIMIT ?1) ORDER BY seq",
    [ST_PRUNE] = "DELETE FROM checks WHERE real_ns < ?1",
    /* ?1 from, ?2 to, ?3 step, ?4 limit; the index on real_ns bounds the scan to the window */
    [ST_SERIES] = "SELECT (real_ns - ?1) / ?3, COUNT(*), AVG(synchronized), AVG(offset_s),"
                  " MIN(offset_s), MAX(offset_s), AVG(jitter_s), MAX(root_distance_s),"
                  " MAX(severity) FROM checks WHERE real_ns >= ?1 AND real_ns < ?2"
                  " GROUP BY 1 ORDER BY 1 LIMIT ?4",
};

struct hist {
	sqlite3 *db;
	bool read_only;
	sqlite3_stmt *st[ST_COUNT];
	char err[512];
};

static char open_err[PATH_MAX + 256] = "no error";

/* SQLite's result code as -errno. I/O and open errors carry the system's errno when SQLite
 * kept one (ENOSPC from a write, EACCES from open). */
static int
errno_of(sqlite3 *db, int rc)
{
	int sys = db ? sqlite3_system_errno(db) : 0;

	switch (rc & 0xff) {
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_FORMAT:
		return -EBADMSG;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
		return -EINVAL;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
		return sys > 0 ? -sys : -EIO;
	default:
		return -EIO;
	}
}

/* Records "what: sqlite's message" and returns rc as -errno. */
static int
fail(struct hist *h, int rc, const char *what)
{
	snprintf(h->err, sizeof(h->err), "%s: %s", what, sqlite3_errmsg(h->db));
	return errno_of(h->db, rc);
}

/* Runs a statement that returns no rows, then resets it for the next use. */
static int
step_done(struct hist *h, enum stmt_id id, const char *what)
{
	sqlite3_stmt *st = h->st[id];
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_DONE ? 0 : fail(h, rc, what);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

static void
done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static int
bind_real(sqlite3_stmt *st, int i, double v)
{
	return isnan(v) ? sqlite3_bind_null(st, i) : sqlite3_bind_double(st, i, v);
}

static int
bind_text(sqlite3_stmt *st, int i, const char *text, size_t max)
{
	return sqlite3_bind_text(st, i, text, (int)strnlen(text, max - 1), SQLITE_STATIC);
}

static void
column_text(sqlite3_stmt *st, int i, char *out, size_t max)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	size_t n = s ? (size_t)sqlite3_column_bytes(st, i) : 0;

	n = CW_MIN(n, max - 1);
	if (n > 0)
		memcpy(out, s, n);
	out[n] = '\0';
}

static int
put_check(struct hist *h, const struct hist_check *c)
{
	sqlite3_stmt *st = h->st[ST_PUT_CHECK];

	sqlite3_bind_int64(st, 1, c->real_ns);
	sqlite3_bind_int(st, 2, c->service);
	sqlite3_bind_int(st, 3, c->answering);
	sqlite3_bind_int(st, 4, c->synchronized);
	bind_real(st, 5, c->offset_s);
	bind_real(st, 6, c->offset_error_s);
	bind_real(st, 7, c->root_distance_s);
	bind_real(st, 8, c->jitter_s);
	if (c->stratum >= 0)
		sqlite3_bind_int(st, 9, c->stratum);
	sqlite3_bind_int(st, 10, c->n_sources);
	sqlite3_bind_int(st, 11, c->n_reachable);
	sqlite3_bind_int(st, 12, c->severity);
	return step_done(h, ST_PUT_CHECK, "insert check");
}

static int
last_seq(struct hist *h, int64_t *out)
{
	sqlite3_stmt *st = h->st[ST_LAST_SEQ];
	int rc = sqlite3_step(st);
	int r = 0;

	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		r = fail(h, rc, "read last event");
	done(st);
	return r;
}

/* Numbers the events base + 1, base + 2, ... after the last stored one. */
static int
put_events(struct hist *h, const struct hist_event *ev, size_t n, int64_t *base)
{
	sqlite3_stmt *st = h->st[ST_PUT_EVENT];
	int r = last_seq(h, base);

	for (size_t i = 0; r == 0 && i < n; i++) {
		sqlite3_bind_int64(st, 1, *base + (int64_t)i + 1);
		sqlite3_bind_int64(st, 2, ev[i].real_ns);
		sqlite3_bind_int(st, 3, ev[i].kind);
		sqlite3_bind_int(st, 4, ev[i].from);
		sqlite3_bind_int(st, 5, ev[i].to);
		bind_text(st, 6, ev[i].text, sizeof(ev[i].text));
		r = step_done(h, ST_PUT_EVENT, "insert event");
	}
	return r;
}

static int
put_alarm(struct hist *h, const struct hist_alarm *a)
{
	sqlite3_stmt *st = h->st[ST_PUT_ALARM];

	sqlite3_bind_int(st, 1, a->severity);
	bind_text(st, 2, a->text, sizeof(a->text));
	sqlite3_bind_int(st, 3, a->ever_selected);
	sqlite3_bind_int64(st, 4, a->start_real_ns);
	sqlite3_bind_int64(st, 5, a->unselected_since_real_ns);
	sqlite3_bind_int(st, 6, a->unselected_initial);
	return step_done(h, ST_PUT_ALARM, "store alarm state");
}

/* Ends a failed transaction; SQLite may have rolled it back already (SQLITE_FULL, IOERR). The
 * first failure's message is kept. */
static void
rollback(struct hist *h)
{
	char keep[sizeof(h->err)];

	if (sqlite3_get_autocommit(h->db))
		return;
	memcpy(keep, h->err, sizeof(keep));
	if (step_done(h, ST_ROLLBACK, "rollback") < 0) {
		char both[sizeof(h->err)];

		snprintf(both, sizeof(both), "%.255s (then %.200s)", keep, h->err);
		memcpy(h->err, both, sizeof(both));
		return;
	}
	memcpy(h->err, keep, sizeof(keep));
}

static int
refuse_write(struct hist *h)
{
	snprintf(h->err, sizeof(h->err), "the store is open read-only");
	return -EROFS;
}

int
hist_commit_check(struct hist *h, const struct hist_check *c, struct hist_event *events,
    size_t n_events, const struct hist_alarm *state)
{
	int64_t base = 0;
	int r;

	for (size_t i = 0; i < n_events; i++)
		events[i].seq = 0;
	if (h->read_only)
		return refuse_write(h);
	r = step_done(h, ST_BEGIN, "begin");
	if (r < 0)
		return r;
	r = put_check(h, c);
	if (r == 0 && n_events > 0)
		r = put_events(h, events, n_events, &base);
	if (r == 0 && state)
		r = put_alarm(h, state);
	if (r == 0)
		r = step_done(h, ST_COMMIT, "commit");
	if (r < 0) {
		rollback(h);
		return r;
	}
	for (size_t i = 0; i < n_events; i++)
		events[i].seq = base + (int64_t)i + 1;
	return 0;
}

int
hist_load_alarm(struct hist *h, struct hist_alarm *out)
{
	sqlite3_stmt *st = h->st[ST_GET_ALARM];
	int rc = sqlite3_step(st);
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (rc == SQLITE_ROW) {
		out->valid = true;
		out->severity = sqlite3_column_int(st, 0);
		column_text(st, 1, out->text, sizeof(out->text));
		out->ever_selected = sqlite3_column_int(st, 2) != 0;
		out->start_real_ns = sqlite3_column_int64(st, 3);
		out->unselected_since_real_ns = sqlite3_column_int64(st, 4);
		out->unselected_initial = sqlite3_column_int(st, 5) != 0;
		out->last_seq = sqlite3_column_int64(st, 6);
	} else if (rc != SQLITE_DONE) {
		r = fail(h, rc, "load alarm state");
	}
	done(st);
	return r;
}

static void
read_event(sqlite3_stmt *st, struct hist_event *e)
{
	memset(e, 0, sizeof(*e));
	e->seq = sqlite3_column_int64(st, 0);
	e->real_ns = sqlite3_column_int64(st, 1);
	e->kind = sqlite3_column_int(st, 2);
	e->from = sqlite3_column_int(st, 3);
	e->to = sqlite3_column_int(st, 4);
	column_text(st, 5, e->text, sizeof(e->text));
}

int
hist_events(struct hist *h, struct hist_event *out, size_t n, size_t *got)
{
	sqlite3_stmt *st = h->st[ST_EVENTS];
	size_t k = 0;
	int rc = SQLITE_DONE;
	int r = 0;

	*got = 0;
	if (n == 0)
		return 0;
	sqlite3_bind_int64(st, 1, n > INT64_MAX ? INT64_MAX : (int64_t)n);
	while (k < n && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_event(st, &out[k++]);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = fail(h, rc, "read events");
	done(st);
	if (r == 0)
		*got = k;
	return r;
}

static double
column_num(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

int
hist_series(struct hist *h, int64_t from_ns, int64_t to_ns, int64_t step_ns, struct hist_point *out,
    size_t max, size_t *got)
{
	sqlite3_stmt *st = h->st[ST_SERIES];
	size_t k = 0;
	int rc = SQLITE_DONE, r = 0;

	*got = 0;
	if (max == 0 || step_ns <= 0 || to_ns <= from_ns)
		return 0;
	sqlite3_bind_int64(st, 1, from_ns);
	sqlite3_bind_int64(st, 2, to_ns);
	sqlite3_bind_int64(st, 3, step_ns);
	sqlite3_bind_int64(st, 4, (int64_t)CW_MIN(max, (size_t)HIST_MAX_POINTS));
	while (k < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hist_point *p = &out[k++];
		p->real_ns = from_ns + sqlite3_column_int64(st, 0) * step_ns;
		p->checks = sqlite3_column_int(st, 1);
		p->synchronized_ratio = column_num(st, 2);
		p->offset_s = column_num(st, 3);
		p->offset_min_s = column_num(st, 4);
		p->offset_max_s = column_num(st, 5);
		p->jitter_s = column_num(st, 6);
		p->root_distance_s = column_num(st, 7);
		p->severity_max = sqlite3_column_int(st, 8);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = fail(h, rc, "read history");
	done(st);
	if (r == 0)
		*got = k;
	return r;
}

int
hist_prune(struct hist *h, int64_t before_real_ns)
{
	if (h->read_only)
		return refuse_write(h);
	sqlite3_bind_int64(h->st[ST_PRUNE], 1, before_real_ns);
	return step_done(h, ST_PRUNE, "prune checks");
}

const char *
hist_strerror(const struct hist *h)
{
	return h ? h->err : open_err;
}

const char *
hist_open_error(void)
{
	return open_err;
}

/* Opening: every failure below writes open_err, naming the file. */

static int
open_fail(struct hist *h, int rc, const char *path, const char *what)
{
	snprintf(open_err, sizeof(open_err), "%s: %s: %s", path, what, sqlite3_errmsg(h->db));
	return errno_of(h->db, rc);
}

static int
pragma_int(struct hist *h, const char *sql, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static int
check_version(int version, const char *path)
{
	if (version > HIST_SCHEMA_VERSION) {
		snprintf(open_err, sizeof(open_err),
		    "%s: schema version %d is newer than this clockwatch knows (%d)", path, version,
		    HIST_SCHEMA_VERSION);
		return -ENOTSUP;
	}
	return 0;
}

/* Brings the schema to HIST_SCHEMA_VERSION in one transaction: a crash leaves the old version
 * or the new one, never a half-made schema. */
static int
migrate(struct hist *h, const char *path)
{
	char sql[64];
	int version = 0;
	int rc = sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	int r;

	if (rc != SQLITE_OK)
		return open_fail(h, rc, path, "begin");
	rc = pragma_int(h, "PRAGMA user_version", &version);
	r = rc != SQLITE_OK ? open_fail(h, rc, path, "read schema version")
	                    : check_version(version, path);
	for (int v = version; r == 0 && v < HIST_SCHEMA_VERSION; v++) {
		rc = sqlite3_exec(h->db, migrations[v], NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			r = open_fail(h, rc, path, "create schema");
	}
	if (r == 0 && version < HIST_SCHEMA_VERSION) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", HIST_SCHEMA_VERSION);
		rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			r = open_fail(h, rc, path, "set schema version");
	}
	if (r == 0 && (rc = sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
		r = open_fail(h, rc, path, "commit schema");
	if (r < 0 && !sqlite3_get_autocommit(h->db))
		(void)sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

/* WAL lets readers work while the agent writes. */
static int
use_wal(struct hist *h, const char *path)
{
	sqlite3_stmt *st = NULL;
	bool is_wal = false;
	int rc;

	/* Keep -wal and -shm, owned by us, after the last close: a reader that may not write the
	 * directory can then still open the store while the agent is stopped, and one that may
	 * (root) does not create them, owned by itself, where the agent must write them. */
	(void)sqlite3_file_control(h->db, "main", SQLITE_FCNTL_PERSIST_WAL, &(int){1});
	rc = sqlite3_prepare_v2(h->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *mode = sqlite3_column_text(st, 0);

		is_wal = mode && strcmp((const char *)mode, "wal") == 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return open_fail(h, rc, path, "set WAL mode");
	if (!is_wal) {
		snprintf(open_err, sizeof(open_err), "%s: cannot use WAL mode here", path);
		return -ENOTSUP;
	}
	return 0;
}

/* FULL syncs the WAL at every commit: an acknowledged check survives a power loss. The size
 * limit also empties the kept -wal at a clean close, after its checkpoint. */
static int
setup_writer(struct hist *h, const char *path)
{
	int rc, r;

	if (sqlite3_db_readonly(h->db, "main") == 1) {
		r = access(path, W_OK) < 0 ? -errno : -EROFS;
		snprintf(open_err, sizeof(open_err), "%s: not writable: %s", path, strerror(-r));
		return r;
	}
	r = use_wal(h, path);
	if (r < 0)
		return r;
	rc = sqlite3_exec(h->db,
	    "PRAGMA synchronous = FULL; PRAGMA journal_size_limit = " HIST_WAL_LIMIT, NULL, NULL,
	    NULL);
	if (rc != SQLITE_OK)
		return open_fail(h, rc, path, "set synchronous");
	return migrate(h, path);
}

/* A reader needs a schema the agent made, of a version it knows. */
static int
setup_reader(struct hist *h, const char *path)
{
	int version = 0;
	int rc = pragma_int(h, "PRAGMA user_version", &version);

	if (rc != SQLITE_OK)
		return open_fail(h, rc, path, "read schema version");
	if (version == 0) {
		snprintf(open_err, sizeof(open_err), "no store at %s yet (is the agent running?)",
		    path);
		return -ENOENT;
	}
	return check_version(version, path);
}

static int
prepare_all(struct hist *h, const char *path)
{
	for (int i = 0; i < ST_COUNT; i++) {
		int rc = sqlite3_prepare_v3(h->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &h->st[i], NULL);

		if (rc != SQLITE_OK)
			return open_fail(h, rc, path, "prepare");
	}
	return 0;
}

static int
open_db(struct hist *h, const char *path)
{
	int flags =
	    h->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	struct stat sb;
	int rc;

	/* A reader must not create the file, nor be told only "unable to open database file". */
	if (h->read_only && stat(path, &sb) < 0) {
		int r = -errno;

		if (r == -ENOENT)
			snprintf(open_err, sizeof(open_err),
			    "no store at %s (is the agent running?)", path);
		else
			snprintf(open_err, sizeof(open_err), "%s: %s", path, strerror(-r));
		return r;
	}
	rc = sqlite3_open_v2(path, &h->db, flags, NULL);
	if (rc != SQLITE_OK) {
		if (h->db == NULL) {
			snprintf(open_err, sizeof(open_err), "%s: out of memory", path);
			return -ENOMEM;
		}
		return open_fail(h, rc, path, "open");
	}
	sqlite3_extended_result_codes(h->db, 1);
	sqlite3_busy_timeout(h->db, HIST_BUSY_TIMEOUT_MS);
	return 0;
}

int
hist_open(const char *dir, bool read_only, struct hist **out)
{
	char path[PATH_MAX];
	struct hist *h;
	int r;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, HIST_FILE) >= sizeof(path)) {
		snprintf(open_err, sizeof(open_err), "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	h = xcalloc(1, sizeof(*h));
	h->read_only = read_only;
	snprintf(h->err, sizeof(h->err), "no error");
	r = open_db(h, path);
	if (r == 0)
		r = read_only ? setup_reader(h, path) : setup_writer(h, path);
	if (r == 0)
		r = prepare_all(h, path);
	if (r < 0) {
		hist_close(h);
		return r;
	}
	*out = h;
	return 0;
}

void
hist_close(struct hist *h)
{
	if (h == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(h->st[i]);
	sqlite3_close(h->db);
	free(h);
}
