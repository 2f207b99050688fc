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

#include "macros.h"

struct hist;

/* One check, as stored. */
struct hist_check {
	int64_t real_ns; /* when (Unix ns) */
	int service;     /* enum snap_daemon, -1 none */
	bool answering;
	bool synchronized;
	double offset_s; /* NAN when unknown (stored as NULL) */
	double offset_error_s;
	double root_distance_s;
	double jitter_s;
	int stratum; /* -1 unknown */
	int n_sources, n_reachable;
	int severity; /* the alarm after this check: enum alarm_severity */
};

/* One alarm event. */
struct hist_event {
	int64_t seq; /* 1, 2, 3, ... in order; assigned by hist_commit_check */
	int64_t real_ns;
	int kind;     /* enum alarm_event_kind */
	int from, to; /* enum alarm_severity */
	char text[512];
};

/* The alarm state to carry across restarts (what alarm.h's struct alarm_state needs, in wall
 * clock terms since the monotonic clock restarts with the machine). */
struct hist_alarm {
	bool valid; /* a state was stored */
	int severity;
	char text[512];
	bool ever_selected;
	int64_t start_real_ns;            /* when watching began */
	int64_t unselected_since_real_ns; /* -1: a source is selected */
	bool unselected_initial;
	int64_t last_seq; /* the last event written */
};

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

/* Deletes check rows older than before_real_ns (the alarm log is kept). */
int hist_prune(struct hist *h, int64_t before_real_ns) CW_MUST_CHECK;

/* What the last failing call said ("database or disk is full", ...). */
const char *hist_strerror(const struct hist *h);

#endif
