/* hist.h: the agent's store, SQLite in WAL mode under the state directory: one row per check
 * (a summary of the snapshot), the alarm log (every raise, change and clear, numbered), and the
 * alarm's current state so a restart neither loses nor repeats an event. The schema is one
 * block in hist.c, migrated by PRAGMA user_version. Readers (clockwatch alarms) open it
 * read-only while the agent writes. Errors are -errno-style ints with a message kept for
 * hist_strerror(): the agent keeps checking and alarming when the disk is full or the database
 * is broken, and says so. */
#ifndef CLOCKWATCH_HIST_H
#define CLOCKWATCH_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist_types.h"
#include "macros.h"

struct hist;

/* Opens (creating and migrating when writable) DIR/clockwatch.db. Read-only opens never
 * create. Returns 0 and *out, or -errno (the message: hist_open_error()). */
int hist_open(const char *dir, bool read_only, struct hist **out) CW_MUST_CHECK;
const char *hist_open_error(void);
void hist_close(struct hist *h);

/* One transaction per check: the check row, the events of this check, the current alarm state.
 * All or nothing. */
int hist_commit_check(struct hist *h, const struct hist_check *c, struct hist_event *events,
    size_t n_events, const struct hist_alarm *state) CW_MUST_CHECK;

/* The stored alarm state (valid=false when none). */
int hist_load_alarm(struct hist *h, struct hist_alarm *out) CW_MUST_CHECK;

/* The last n events, newest last; *got says how many. */
int hist_events(struct hist *h, struct hist_event *out, size_t n, size_t *got) CW_MUST_CHECK;

/* The checks between from_ns (included) and to_ns (excluded) summarised per step_ns: at most
 * max points, oldest first; buckets without checks are left out. */
int hist_series(struct hist *h, int64_t from_ns, int64_t to_ns, int64_t step_ns,
    struct hist_point *out, size_t max, size_t *got) CW_MUST_CHECK;

/* Deletes check rows older than before_real_ns (the alarm log is kept). */
int hist_prune(struct hist *h, int64_t before_real_ns) CW_MUST_CHECK;

/* What the last failing call said ("database or disk is full", ...). */
const char *hist_strerror(const struct hist *h);

#endif
