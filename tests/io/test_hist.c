/* test_hist.c: the SQLite store in a temporary directory: schema creation, migration and
 * refusal of a newer schema, one transaction per check (event numbering, write-back of seq,
 * rollback of a check that fails half-way), NULL for unknown values, the alarm state round
 * trip, the newest events, pruning, read-only opens (missing store, next to a writer), broken
 * files. An I/O test: it links cw-io and sqlite3, and opens its own connection to look at the
 * rows, so it checks what is on disk, not what hist.c believes it wrote. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cw_test.h"
#include "hist.h"

static const char *const store_files[] = {"clockwatch.db", "clockwatch.db-wal", "clockwatch.db-shm",
    "clockwatch.db-journal"};

struct fix {
	char dir[64];
	char db[PATH_MAX];
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/cw-test-hist-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/clockwatch.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	char p[PATH_MAX];

	for (size_t i = 0; i < CW_ARRAY_LEN(store_files); i++) {
		snprintf(p, sizeof(p), "%s/%s", f->dir, store_files[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Our own connection, to look at the file and to break things. */
static sqlite3 *
peek_open(const struct fix *f)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	return db;
}

static int64_t
peek_int(const struct fix *f, const char *sql)
{
	sqlite3 *db = peek_open(f);
	sqlite3_stmt *st = NULL;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
peek_exec(const struct fix *f, const char *sql)
{
	sqlite3 *db = peek_open(f);
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

static struct hist *
open_ok(const struct fix *f, bool read_only)
{
	struct hist *h = NULL;
	int r = hist_open(f->dir, read_only, &h);

	if (r != 0)
		fail_msg("hist_open(%s, %d) = %d: %s", f->dir, read_only, r, hist_open_error());
	assert_non_null(h);
	return h;
}

static struct hist_check
check_at(int64_t real_ns)
{
	return (struct hist_check){.real_ns = real_ns,
	    .service = 1,
	    .answering = true,
	    .synchronized = true,
	    .offset_s = 0.000125,
	    .offset_error_s = 0.0005,
	    .root_distance_s = 0.012,
	    .jitter_s = 0.0001,
	    .stratum = 2,
	    .n_sources = 4,
	    .n_reachable = 3,
	    .severity = 0};
}

static struct hist_event
event(int64_t real_ns, int kind, int from, int to, const char *text)
{
	struct hist_event e = {.seq = -7, .real_ns = real_ns, .kind = kind, .from = from, .to = to};

	snprintf(e.text, sizeof(e.text), "%s", text);
	return e;
}

static struct hist_alarm
alarm_with(int severity, const char *text)
{
	struct hist_alarm a = {.valid = true,
	    .severity = severity,
	    .ever_selected = true,
	    .start_real_ns = INT64_C(1700000000000000000),
	    .unselected_since_real_ns = -1,
	    .unselected_initial = false,
	    .last_seq = 999}; /* ignored: the store sets it */

	snprintf(a.text, sizeof(a.text), "%s", text);
	return a;
}

static void
commit_ok(struct hist *h, int64_t real_ns, struct hist_event *ev, size_t n,
    const struct hist_alarm *a)
{
	struct hist_check c = check_at(real_ns);
	int r = hist_commit_check(h, &c, ev, n, a);

	if (r != 0)
		fail_msg("hist_commit_check = %d: %s", r, hist_strerror(h));
}

static void
test_create_migrate_reopen(void **state)
{
	struct fix *f = *state;
	struct hist_alarm a;
	struct hist *h = open_ok(f, false);

	assert_i64_equal(peek_int(f, "PRAGMA user_version"), 1);
	assert_i64_equal(peek_int(f,
	                     "SELECT count(*) FROM sqlite_schema WHERE name IN "
	                     "('checks', 'events', 'alarm', 'checks_real_ns')"),
	    4);
	assert_int_equal(hist_load_alarm(h, &a), 0);
	assert_false(a.valid);
	assert_string_equal(hist_strerror(h), "no error");
	commit_ok(h, 1, NULL, 0, NULL);
	hist_close(h);

	/* The file says WAL for every later connection. */
	{
		sqlite3 *db = peek_open(f);
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
		sqlite3_finalize(st);
		sqlite3_close(db);
	}

	h = open_ok(f, false); /* already version 1: nothing to do, nothing lost */
	assert_i64_equal(peek_int(f, "PRAGMA user_version"), 1);
	assert_i64_equal(peek_int(f, "SELECT count(*) FROM checks"), 1);
	hist_close(h);
	h = open_ok(f, true);
	hist_close(h);
	hist_close(NULL);
}

static void
test_commit_numbers_events(void **state)
{
	struct fix *f = *state;
	struct hist *h = open_ok(f, false);
	struct hist_alarm a = alarm_with(3, "time is not synchronized"), got;
	struct hist_event one[1] = {event(20, 1, 0, 3, "raise")};
	struct hist_event three[3] = {event(30, 2, 3, 4, "a"), event(30, 2, 4, 3, "b"),
	    event(30, 3, 3, 0, "")};
	struct hist_event later[1] = {event(40, 1, 0, 2, "again")};
	struct hist_event out[8];
	size_t n = 99;

	commit_ok(h, 10, NULL, 0, &a); /* no events yet: last_seq 0 */
	assert_int_equal(hist_load_alarm(h, &got), 0);
	assert_true(got.valid);
	assert_i64_equal(got.last_seq, 0);

	commit_ok(h, 20, one, 1, &a);
	assert_i64_equal(one[0].seq, 1);
	commit_ok(h, 30, three, 3, &a);
	assert_i64_equal(three[0].seq, 2);
	assert_i64_equal(three[1].seq, 3);
	assert_i64_equal(three[2].seq, 4);
	assert_int_equal(hist_load_alarm(h, &got), 0);
	assert_i64_equal(got.last_seq, 4);
	hist_close(h);

	/* Numbering continues across a reopen; a check without events leaves last_seq alone. */
	h = open_ok(f, false);
	commit_ok(h, 40, later, 1, &a);
	assert_i64_equal(later[0].seq, 5);
	commit_ok(h, 50, NULL, 0, &a);
	assert_int_equal(hist_load_alarm(h, &got), 0);
	assert_i64_equal(got.last_seq, 5);

	assert_i64_equal(peek_int(f, "SELECT count(*) FROM checks"), 5);
	assert_i64_equal(peek_int(f, "SELECT count(*) FROM events"), 5);
	assert_int_equal(hist_events(h, out, CW_ARRAY_LEN(out), &n), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_i64_equal(out[i].seq, (int64_t)i + 1);
	assert_string_equal(out[0].text, "raise");
	assert_i64_equal(out[1].real_ns, 30);
	assert_int_equal(out[1].kind, 2);
	assert_int_equal(out[1].from, 3);
	assert_int_equal(out[1].to, 4);
	assert_string_equal(out[3].text, "");
	assert_string_equal(out[4].text, "again");
	hist_close(h);
}

/* A trigger from another connection makes one statement of the transaction fail; nothing of
 * that check may stay, and the next check numbers on without a gap. */
static void
test_rollback_midway(void **state)
{
	struct fix *f = *state;
	struct hist *h = open_ok(f, false);
	struct hist_alarm a = alarm_with(3, "before"), b = alarm_with(4, "after"), got;
	struct hist_event first[1] = {event(1, 1, 0, 3, "first")};
	struct hist_event ev[3] = {event(2, 2, 3, 4, "x"), event(2, 2, 4, 3, "y"),
	    event(2, 3, 3, 0, "z")};
	struct hist_check c = check_at(2);

	commit_ok(h, 1, first, 1, &a);

	/* The second event of three fails. */
	peek_exec(f,
	    "CREATE TRIGGER fail_event BEFORE INSERT ON events WHEN NEW.seq = 3"
	    " BEGIN SELECT RAISE(ABORT, 'injected event failure'); END");
	assert_int_equal(hist_commit_check(h, &c, ev, 3, &b), -EINVAL);
	assert_contains(hist_strerror(h), "injected event failure");
	assert_contains(hist_strerror(h), "insert event");
	for (int i = 0; i < 3; i++)
		assert_i64_equal(ev[i].seq, 0);
	assert_i64_equal(peek_int(f, "SELECT count(*) FROM checks"), 1);
	assert_i64_equal(peek_int(f, "SELECT count(*) FROM events"), 1);
	assert_int_equal(hist_load_alarm(h, &got), 0);
	assert_string_equal(got.text, "before");
	assert_i64_equal(got.last_seq, 1);
	peek_exec(f, "DROP TRIGGER fail_event");

	/* The last statement, the alarm state, fails: the check and its events go too. */
	peek_exec(f,
	    "CREATE TRIGGER fail_alarm BEFORE INSERT ON alarm"
	    " BEGIN SELECT RAISE(ABORT, 'injected alarm failure'); END");
	assert_int_equal(hist_commit_check(h, &c, ev, 3, &b), -EINVAL);
	assert_contains(hist_strerror(h), "injected alarm failure");
	assert_i64_equal(ev[2].seq, 0);
	assert_i64_equal(peek_int(f, "SELECT count(*) FROM checks"), 1);
	assert_i64_equal(peek_int(f, "SELECT count(*) FROM events"), 1);
	assert_i64_equal(peek_int(f, "SELECT count(*) FROM checks WHERE real_ns = 2"), 0);
	peek_exec(f, "DROP TRIGGER fail_alarm");

	/* The handle is usable again and no transaction is left open. */
	assert_int_equal(hist_commit_check(h, &c, ev, 3, &b), 0);
	assert_i64_equal(ev[0].seq, 2);
	assert_i64_equal(ev[2].seq, 4);
	assert_int_equal(hist_load_alarm(h, &got), 0);
	assert_string_equal(got.text, "after");
	assert_i64_equal(got.last_seq, 4);
	assert_i64_equal(peek_int(f, "SELECT count(*) FROM checks"), 2);
	hist_close(h);
}

static void
test_nan_is_null(void **state)
{
	struct fix *f = *state;
	struct hist *h = open_ok(f, false);
	struct hist_check c = check_at(5);
	sqlite3 *db;
	sqlite3_stmt *st = NULL;

	c.offset_s = NAN;
	c.offset_error_s = NAN;
	c.root_distance_s = NAN;
	c.jitter_s = NAN;
	c.stratum = -1;
	c.service = -1;
	c.answering = false;
	c.synchronized = false;
	assert_int_equal(hist_commit_check(h, &c, NULL, 0, NULL), 0);
	commit_ok(h, 6, NULL, 0, NULL);
	hist_close(h);

	assert_i64_equal(peek_int(f,
	                     "SELECT count(*) FROM checks WHERE real_ns = 5 AND"
	                     " offset_s IS NULL AND offset_error_s IS NULL AND"
	                     " root_distance_s IS NULL AND jitter_s IS NULL AND"
	                     " stratum IS NULL AND service = -1 AND answering = 0 AND"
	                     " synchronized = 0"),
	    1);
	db = peek_open(f);
	assert_int_equal(sqlite3_prepare_v2(db,
	                     "SELECT offset_s, offset_error_s, root_distance_s, jitter_s, stratum,"
	                     " n_sources, n_reachable, answering FROM checks WHERE real_ns = 6",
	                     -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_double_exact(sqlite3_column_double(st, 0), 0.000125);
	assert_double_exact(sqlite3_column_double(st, 1), 0.0005);
	assert_double_exact(sqlite3_column_double(st, 2), 0.012);
	assert_double_exact(sqlite3_column_double(st, 3), 0.0001);
	assert_int_equal(sqlite3_column_int(st, 4), 2);
	assert_int_equal(sqlite3_column_int(st, 5), 4);
	assert_int_equal(sqlite3_column_int(st, 6), 3);
	assert_int_equal(sqlite3_column_int(st, 7), 1);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void
test_alarm_round_trip(void **state)
{
	struct fix *f = *state;
	struct hist *h = open_ok(f, false);
	struct hist_alarm a = alarm_with(4, "offset \"+15.2 s\" to 10.0.0.2 — critical; 'quoted'");
	struct hist_alarm got;
	struct hist_event ev[2] = {event(7, 1, 0, 4, "r"), event(7, 2, 4, 3, "c")};

	a.ever_selected = false;
	a.unselected_since_real_ns = INT64_C(1700000000123456789);
	a.unselected_initial = true;
	a.start_real_ns = INT64_MIN + 1;
	memset(a.text, 'x', sizeof(a.text)); /* not terminated: stored up to 511 bytes */
	commit_ok(h, 7, ev, 2, &a);
	hist_close(h);

	h = open_ok(f, true);
	assert_int_equal(hist_load_alarm(h, &got), 0);
	assert_true(got.valid);
	assert_int_equal(got.severity, 4);
	assert_false(got.ever_selected);
	assert_i64_equal(got.unselected_since_real_ns, INT64_C(1700000000123456789));
	assert_true(got.unselected_initial);
	assert_i64_equal(got.start_real_ns, INT64_MIN + 1);
	assert_i64_equal(got.last_seq, 2);
	assert_int_equal(strlen(got.text), sizeof(got.text) - 1);
	hist_close(h);

	h = open_ok(f, false);
	a = alarm_with(0, "offset \"+15.2 s\" to 10.0.0.2 — critical; 'quoted'");
	commit_ok(h, 8, NULL, 0, &a);
	assert_int_equal(hist_load_alarm(h, &got), 0);
	assert_string_equal(got.text, a.text);
	assert_int_equal(got.severity, 0);
	assert_true(got.ever_selected);
	assert_i64_equal(got.unselected_since_real_ns, -1);
	assert_false(got.unselected_initial);
	assert_i64_equal(got.last_seq, 2);
	assert_i64_equal(peek_int(f, "SELECT count(*) FROM alarm"), 1);
	hist_close(h);
}

static void
test_events_newest_last(void **state)
{
	struct fix *f = *state;
	struct hist *h = open_ok(f, false);
	struct hist_event out[16];
	size_t got = 99;

	assert_int_equal(hist_events(h, out, CW_ARRAY_LEN(out), &got), 0);
	assert_int_equal(got, 0);
	for (int i = 0; i < 5; i++) {
		struct hist_event ev[2];
		char t[32];

		snprintf(t, sizeof(t), "e%d", 2 * i + 1);
		ev[0] = event(100 + i, 1, 0, 3, t);
		snprintf(t, sizeof(t), "e%d", 2 * i + 2);
		ev[1] = event(100 + i, 3, 3, 0, t);
		commit_ok(h, 100 + i, ev, 2, NULL);
	}
	assert_int_equal(hist_events(h, out, 4, &got), 0);
	assert_int_equal(got, 4);
	for (int i = 0; i < 4; i++) {
		char t[32];

		snprintf(t, sizeof(t), "e%d", 7 + i);
		assert_i64_equal(out[i].seq, 7 + i);
		assert_string_equal(out[i].text, t);
	}
	assert_i64_equal(out[3].real_ns, 104);
	assert_int_equal(hist_events(h, out, 0, &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(hist_events(h, out, CW_ARRAY_LEN(out), &got), 0);
	assert_int_equal(got, 10);
	assert_i64_equal(out[0].seq, 1);
	assert_i64_equal(out[9].seq, 10);
	hist_close(h);
}

static void
test_prune_keeps_events(void **state)
{
	struct fix *f = *state;
	struct hist *h = open_ok(f, false);
	struct hist_alarm a = alarm_with(2, "minor"), got;
	struct hist_event out[16];
	size_t n;

	for (int i = 0; i < 10; i++) {
		struct hist_event ev = event(100 + i, 1, 0, 2, "e");

		commit_ok(h, 100 + i, &ev, 1, &a);
	}
	assert_int_equal(hist_prune(h, 105), 0);
	assert_i64_equal(peek_int(f, "SELECT count(*) FROM checks"), 5);
	assert_i64_equal(peek_int(f, "SELECT min(real_ns) FROM checks"), 105);
	assert_int_equal(hist_events(h, out, CW_ARRAY_LEN(out), &n), 0);
	assert_int_equal(n, 10);
	assert_int_equal(hist_load_alarm(h, &got), 0);
	assert_i64_equal(got.last_seq, 10);
	assert_int_equal(hist_prune(h, INT64_MAX), 0);
	assert_i64_equal(peek_int(f, "SELECT count(*) FROM checks"), 0);
	assert_i64_equal(peek_int(f, "SELECT count(*) FROM events"), 10);
	hist_close(h);
}

static void
test_read_only_missing(void **state)
{
	struct fix *f = *state;
	struct hist *h = (struct hist *)&h;
	char want[PATH_MAX + 64];

	assert_int_equal(hist_open("/nonexistent/cw-test-dir", true, &h), -ENOENT);
	assert_null(h);
	assert_string_equal(hist_open_error(),
	    "no store at /nonexistent/cw-test-dir/clockwatch.db (is the agent running?)");

	/* The directory exists, the file does not: still not created. */
	assert_int_equal(hist_open(f->dir, true, &h), -ENOENT);
	snprintf(want, sizeof(want), "no store at %s (is the agent running?)", f->db);
	assert_string_equal(hist_open_error(), want);
	assert_int_equal(access(f->db, F_OK), -1);

	/* An empty file (a writer that has only just created it) has no schema yet. */
	close(open(f->db, O_CREAT | O_WRONLY, 0644));
	assert_int_equal(hist_open(f->dir, true, &h), -ENOENT);
	assert_contains(hist_open_error(), "(is the agent running?)");

	/* A writer cannot create a directory either; it says so and does not crash. */
	assert_true(hist_open("/nonexistent/cw-test-dir", false, &h) < 0);
	assert_null(h);
	assert_contains(hist_open_error(), "/nonexistent/cw-test-dir/clockwatch.db");
}

static void
test_reader_beside_writer(void **state)
{
	struct fix *f = *state;
	struct hist *w = open_ok(f, false);
	struct hist *r;
	struct hist_alarm a = alarm_with(3, "major"), got;
	struct hist_event ev = event(1, 1, 0, 3, "one");
	struct hist_event out[4];
	struct hist_check c = check_at(3);
	size_t n;

	commit_ok(w, 1, &ev, 1, &a);
	r = open_ok(f, true);
	assert_int_equal(hist_events(r, out, 4, &n), 0);
	assert_int_equal(n, 1);

	/* Commits made after the reader opened are visible to its next call. */
	ev = event(2, 3, 3, 0, "two");
	a = alarm_with(0, "");
	commit_ok(w, 2, &ev, 1, &a);
	assert_int_equal(hist_events(r, out, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(out[1].text, "two");
	assert_int_equal(hist_load_alarm(r, &got), 0);
	assert_int_equal(got.severity, 0);
	assert_i64_equal(got.last_seq, 2);

	/* The reader cannot write, and the writer goes on regardless. */
	assert_int_equal(hist_commit_check(r, &c, &ev, 1, &a), -EROFS);
	assert_i64_equal(ev.seq, 0);
	assert_contains(hist_strerror(r), "read-only");
	assert_int_equal(hist_prune(r, INT64_MAX), -EROFS);
	commit_ok(w, 3, NULL, 0, &a);
	hist_close(r);
	hist_close(w);
	assert_i64_equal(peek_int(f, "SELECT count(*) FROM checks"), 3);
}

static void
test_future_version_refused(void **state)
{
	struct fix *f = *state;
	struct hist *h = open_ok(f, false);

	commit_ok(h, 1, NULL, 0, NULL);
	hist_close(h);
	peek_exec(f, "PRAGMA user_version = 2");
	assert_int_equal(hist_open(f->dir, false, &h), -ENOTSUP);
	assert_null(h);
	assert_contains(hist_open_error(), "schema version 2 is newer");
	assert_int_equal(hist_open(f->dir, true, &h), -ENOTSUP);
	assert_contains(hist_open_error(), "schema version 2 is newer");
	/* Refusing wrote nothing. */
	assert_i64_equal(peek_int(f, "PRAGMA user_version"), 2);
	assert_i64_equal(peek_int(f, "SELECT count(*) FROM checks"), 1);
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Every call on a broken file returns 0 or an -errno, never crashes. */
static void
poke_broken(const struct fix *f, bool read_only)
{
	struct hist *h = NULL;
	int r = hist_open(f->dir, read_only, &h);
	struct hist_event out[4];
	struct hist_alarm a = alarm_with(2, "x");
	struct hist_event ev = event(1, 1, 0, 2, "x");
	struct hist_check c = check_at(1);
	size_t n;
	int errs = r < 0;

	if (r < 0) {
		assert_null(h);
		/* A file cut inside its header reads as an empty database: no schema. */
		if (r != -EBADMSG && r != -EIO && r != -ENOENT)
			fail_msg("hist_open = %d: %s", r, hist_open_error());
		assert_true(strlen(hist_open_error()) > 0);
		return;
	}
	r = hist_events(h, out, 4, &n);
	errs += r < 0;
	r = hist_load_alarm(h, &a);
	errs += r < 0;
	if (!read_only) {
		r = hist_commit_check(h, &c, &ev, 1, &a);
		errs += r < 0;
		r = hist_prune(h, 0);
		errs += r < 0;
	}
	assert_true(errs > 0);
	assert_true(strlen(hist_strerror(h)) > 0);
	hist_close(h);
}

static void
test_broken_files(void **state)
{
	struct fix *f = *state;
	unsigned char junk[8192];
	struct hist *h;
	struct stat sb;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 2654435761u >> 13);
	write_file(f->db, junk, sizeof(junk));
	assert_int_equal(hist_open(f->dir, false, &h), -EBADMSG);
	assert_contains(hist_open_error(), "not a database");
	assert_int_equal(hist_open(f->dir, true, &h), -EBADMSG);
	poke_broken(f, false);
	poke_broken(f, true);

	/* A real store cut short: its header promises pages that are gone. */
	assert_int_equal(unlink(f->db), 0);
	h = open_ok(f, false);
	for (int i = 0; i < 300; i++) {
		struct hist_event ev = event(i, 1, 0, 2, "a long enough text to fill some pages");

		commit_ok(h, i, &ev, 1, NULL);
	}
	hist_close(h); /* checkpoints the WAL into the file */
	assert_int_equal(stat(f->db, &sb), 0);
	assert_true(sb.st_size > 4 * 4096);
	assert_int_equal(truncate(f->db, sb.st_size / 2), 0);
	poke_broken(f, true);
	poke_broken(f, false);

	/* Cut inside the 100-byte header. */
	assert_int_equal(truncate(f->db, 50), 0);
	poke_broken(f, true);
	poke_broken(f, false);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_create_migrate_reopen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_commit_numbers_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rollback_midway, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nan_is_null, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alarm_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_events_newest_last, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prune_keeps_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reader_beside_writer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_future_version_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_broken_files, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
