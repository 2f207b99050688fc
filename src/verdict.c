/* verdict.c: from the snapshot to one sentence. The order of the checks is the order in which an
 * operator would want to hear about problems: nothing syncs the clock, two things fight over it,
 * the daemon does not answer, it is not synchronized, the offset is large; else all is well. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "macros.h"
#include "snapshot.h"
#include "strutil.h"
#include "verdict.h"

static void
set(struct verdict *v, enum verdict_level l, const char *text)
{
	v->level = l;
	snprintf(v->text, sizeof(v->text), "%s", text);
}

static int
running_count(const struct snapshot *s, char *names, size_t len)
{
	int n = 0;
	size_t o = 0;

	names[0] = '\0';
	for (int d = 0; d < SNAP_N_DAEMONS; d++) {
		if (!s->svc[d].running || !s->svc[d].can_set_clock)
			continue;
		if (o < len)
			o += (size_t)snprintf(names + o, len - o, "%s%s", n ? " and " : "",
			    snapshot_daemon_name((enum snap_daemon)d));
		n++;
	}
	return n;
}

static int
reachable_sources(const struct snapshot *s, size_t *total)
{
	int n = 0;

	*total = s->n_sources;
	for (size_t i = 0; i < s->n_sources; i++)
		n += s->sources[i].reach > 0;
	return n;
}

static void
not_synchronized(const struct snapshot *s, const char *daemon, struct verdict *v)
{
	char t[400];
	size_t total;
	int reach = reachable_sources(s, &total);

	if (total == 0)
		snprintf(t, sizeof(t), "%s is not synchronized: it has no time sources.", daemon);
	else if (reach == 0 && total == 1)
		snprintf(t, sizeof(t),
		    "%s is not synchronized: its only source does not answer (reach 0).", daemon);
	else if (reach == 0)
		snprintf(t, sizeof(t),
		    "%s is not synchronized: none of its %zu sources answers (reach 0).", daemon,
		    total);
	else
		snprintf(t, sizeof(t),
		    "%s is not synchronized: %d of %zu sources answer, but none was selected yet "
		    "or "
		    "they disagree.",
		    daemon, reach, total);
	set(v, VERDICT_CRITICAL, t);
}

void
verdict_judge(const struct snapshot *s, struct verdict *v)
{
	char names[128], t[400], off[32], bound[32];
	int running = running_count(s, names, sizeof(names));

	if (s->primary < 0) {
		for (int d = 0; d < SNAP_N_DAEMONS; d++)
			running += s->svc[d].running && !s->svc[d].can_set_clock;
		set(v, running ? VERDICT_UNKNOWN : VERDICT_CRITICAL,
		    running ? "A time service runs but none could be asked."
		            : "No time service runs: nothing keeps this clock right.");
		return;
	}
	const struct snap_service *p = &s->svc[s->primary];
	const char *daemon = snapshot_daemon_name((enum snap_daemon)s->primary);
	if (running > 1) {
		snprintf(t, sizeof(t),
		    "%s run at the same time, both allowed to set the clock: they fight over it; "
		    "keep one.",
		    names);
		set(v, VERDICT_CRITICAL, t);
		return;
	}
	if (!p->answering || !s->have_system) {
		snprintf(t, sizeof(t), "%s does not answer: %s", daemon,
		    p->error[0] ? p->error : "no reason known");
		set(v, VERDICT_UNKNOWN, t);
		return;
	}
	if (!s->synchronized) {
		not_synchronized(s, daemon, v);
		return;
	}
	if (p->running && !p->can_set_clock) {
		snprintf(t, sizeof(t),
		    "%s is synchronized to %s but may not set the clock (no CAP_SYS_TIME, or "
		    "chronyd -x): it measures the time, nothing corrects it.",
		    daemon, s->source_name);
		set(v, VERDICT_WARNING, t);
		return;
	}
	strutil_fmt_seconds(off, sizeof(off), s->offset_s, true);
	strutil_fmt_seconds(bound, sizeof(bound), s->offset_error_s, false);
	if (isfinite(s->offset_s) && fabs(s->offset_s) > VERDICT_CRITICAL_S) {
		snprintf(t, sizeof(t),
		    "Time incorrect (off by %.1f seconds): %s has not corrected it.",
		    fabs(s->offset_s), daemon);
		set(v, VERDICT_CRITICAL, t);
		return;
	}
	if (isfinite(s->offset_s) && fabs(s->offset_s) > VERDICT_STEP_S) {
		strutil_fmt_seconds(off, sizeof(off), fabs(s->offset_s), false);
		snprintf(t, sizeof(t),
		    "Synchronized to %s, but the clock is %s %s (more than 125 ms): %s is still "
		    "correcting it.",
		    s->source_name, off, s->offset_s > 0 ? "behind" : "ahead", daemon);
		set(v, VERDICT_WARNING, t);
		return;
	}
	strutil_fmt_seconds(off, sizeof(off), fabs(s->offset_s), false);
	snprintf(t, sizeof(t), "Synchronized to %s (stratum %d); the clock is %s %s%s%s.",
	    s->source_name, s->stratum, off, s->offset_s > 0 ? "behind" : "ahead",
	    isfinite(s->offset_error_s) ? ", within " : "",
	    isfinite(s->offset_error_s) ? bound : "");
	set(v, VERDICT_OK, t);
}

const char *
verdict_level_name(enum verdict_level l)
{
	static const char *const names[] = {"ok", "warning", "critical", "unknown"};

	return (unsigned)l < CW_ARRAY_LEN(names) ? names[l] : "?";
}
