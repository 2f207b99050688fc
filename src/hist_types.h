/* hist_types.h: what the agent's store holds, as plain structs shared by the store (hist.c, I/O)
 * and the pure renderers (out_store.c). */
#ifndef CLOCKWATCH_HIST_TYPES_H
#define CLOCKWATCH_HIST_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* History window: at most this many points per query (Prometheus' own limit). */
#define HIST_MAX_POINTS 11000

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

/* The checks of one time bucket, summarised. Unknown numbers are NAN. */
struct hist_point {
	int64_t real_ns; /* the bucket's start */
	int checks;
	double synchronized_ratio;
	double offset_s, offset_min_s, offset_max_s; /* mean, min, max */
	double jitter_s;                             /* mean */
	double root_distance_s;                      /* max */
	int severity_max;
};

#endif
