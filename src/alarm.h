/* alarm.h: the Time Synchronization alarm of seed 001, as a pure state machine.
 *
 * One alarm per node. Each evaluation takes what the probes found (struct alarm_input, derived
 * from a snapshot by the caller), the previous state and "now" on the monotonic clock, and gives
 * the new state and at most one event (raise, change, clear). No I/O, no clock reads: timers
 * are differences of the now values passed in, so seed 001's 90 s and 60 min run in tests in
 * microseconds.
 *
 * Conditions and severities (seed 001; thresholds and timers in struct alarm_config):
 *   Critical  |offset| > critical_s (10 s) and <= panic_s (1000 s):
 *             "Time incorrect (off by X.X seconds)"
 *   Major     |offset| > panic_s: the daemon refuses servers that far off; the text says so
 *             and how far: "Time incorrect (off by X.X seconds): beyond 1000 s the time
 *             daemon refuses its servers"
 *   Major     unusable servers: "Time servers not reachable: a (unusable)"
 *   Major     every server unreachable: "Time servers not reachable: a (unreachable), ..."
 *   Major     no server selected for reject_initial_ns (60 min) when none was ever selected
 *             since watching began, or for reject_reselect_ns (90 s) after one had been:
 *             "... a (rejected at initial selection)" / "(rejected at reselection)"
 *   Minor     some, not all, servers unreachable: "... a (unreachable)"
 * The alarm carries the highest severity that applies; its text is that severity's, naming
 * every server involved with its reason.
 *
 *   Critical  the cluster's nodes differ by more than the threshold (cluster.h): "Time differs
 *             between nodes by more than 10.0 seconds: n3 off by 15.0 seconds (spread 15.0
 *             seconds)"
 * Initial grace (DESIGN.md): until a source is first selected, or grace_ns (20 min) after
 * watching began, the "not synchronized yet" conditions (rejected, unreachable, unusable) are
 * held back. An offset beyond the thresholds never is.
 * "Unreachable" is decided by the caller from the reach register and the poll interval
 * (ALARM_SRV_PENDING until the daemon polled often enough to know), so no alarm comes before the
 * daemon's polling could have noticed.
 * Hysteresis: a higher severity is raised at once; a lower one (or none) takes effect only after
 * it has held for clear_delay_ns, so a condition that comes and goes does not flap the alarm. */
#ifndef CLOCKWATCH_ALARM_H
#define CLOCKWATCH_ALARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Perceived severity; the numbers are the metrics' (0 cleared .. 4 critical). */
enum alarm_severity {
	ALARM_CLEARED = 0,
	ALARM_MINOR = 2,
	ALARM_MAJOR = 3,
	ALARM_CRITICAL = 4,
};

#define ALARM_TEXT_MAX 512
#define ALARM_NAME_MAX 128

enum alarm_server_state {
	ALARM_SRV_OK,      /* answers (reach != 0) */
	ALARM_SRV_PENDING, /* no answer yet, but not polled long enough to call it unreachable */
	ALARM_SRV_UNREACHABLE, /* polled long enough, no answer (reach 0) */
	ALARM_SRV_UNUSABLE,    /* the daemon cannot use it: name does not resolve, DENY/RSTR, ... */
};

struct alarm_server {
	char name[ALARM_NAME_MAX];
	enum alarm_server_state state;
	bool selected; /* the daemon's current time source */
};

struct alarm_input {
	bool daemon_answers; /* false: nothing is known this time; the alarm stays as it is */
	bool have_offset;
	double offset_s; /* true time minus this clock (RFC 5905 sign), magnitude is compared */
	size_t n_servers;
	const struct alarm_server *servers;
	/* The cluster's clocks differ beyond the threshold (cluster.h): Critical with this text;
	 * NULL or "" when they agree or there is no cluster. */
	const char *cluster_text;
};

struct alarm_config {
	double critical_s;
	double panic_s;
	int64_t grace_ns;
	int64_t reject_initial_ns;
	int64_t reject_reselect_ns;
	int64_t clear_delay_ns;
};

struct alarm_state {
	int64_t start_ns;            /* when watching began */
	bool ever_selected;          /* a source was selected since then */
	int64_t unselected_since_ns; /* when the daemon last lost (or never had) a source; -1: it
	                                has one */
	bool unselected_initial;     /* that period began before any selection */
	enum alarm_severity severity;
	char text[ALARM_TEXT_MAX];
	/* a lower severity waiting out clear_delay_ns */
	bool lower_pending;
	int64_t lower_since_ns;
};

enum alarm_event_kind {
	ALARM_EV_NONE = 0,
	ALARM_EV_RAISE,  /* from cleared */
	ALARM_EV_CHANGE, /* severity or text changed, still raised */
	ALARM_EV_CLEAR,
};

struct alarm_event {
	enum alarm_event_kind kind;
	enum alarm_severity from, to;
	char text[ALARM_TEXT_MAX]; /* the new text ("" on clear) */
};

/* Seed 001's values: 10 s, 1000 s, 20 min grace, 60 min, 90 s, 60 s to clear. */
void alarm_config_default(struct alarm_config *c);

/* Watching begins at now_ns: cleared, nothing selected yet. */
void alarm_state_init(struct alarm_state *s, int64_t now_ns);

/* One evaluation. Returns true and fills *ev when the alarm changed. */
bool alarm_eval(const struct alarm_config *c, struct alarm_state *s, const struct alarm_input *in,
    int64_t now_ns, struct alarm_event *ev);

/* What the alarm would say now, without hysteresis (for a stateless check): the severity and
 * text of the conditions that hold, given whether a source was ever selected and for how long
 * none has been. */
enum alarm_severity alarm_conditions(const struct alarm_config *c, const struct alarm_state *s,
    const struct alarm_input *in, int64_t now_ns, char *text, size_t len);

const char *alarm_severity_name(enum alarm_severity sev); /* "cleared", "minor", ... */
const char *alarm_event_name(enum alarm_event_kind k);    /* "raise", "change", "clear" */

#endif
