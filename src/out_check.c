/* out_check.c: the plugin line (monitoring-plugins development guidelines): the worst of the
 * alarm's mapped severity and the offset thresholds decides the state; perfdata carries offset,
 * jitter, stratum, root distance, sources and how many answer and are truechimers. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "out_check.h"
#include "snapshot.h"
#include "strutil.h"

void
check_opts_default(struct check_opts *o)
{
	char err[100];

	memset(o, 0, sizeof(*o));
	(void)!nagios_range_parse("1", &o->warn, err, sizeof(err));
	(void)!nagios_range_parse("10", &o->crit, err, sizeof(err));
	o->on_minor = NAGIOS_WARNING;
	o->on_major = NAGIOS_CRITICAL;
	o->on_critical = NAGIOS_CRITICAL;
}

static enum nagios_state
worst(enum nagios_state a, enum nagios_state b)
{
	/* CRITICAL > WARNING > UNKNOWN > OK, as plugins rank them */
	static const int rank[] = {0, 2, 3, 1};

	return rank[a] >= rank[b] ? a : b;
}

static void
perfdata(struct buf *b, const struct snapshot *s, const struct check_opts *o)
{
	char w[32], c[32];
	size_t reach = 0, good = 0;
	double jitter = NAN;

	for (size_t i = 0; i < s->n_sources; i++) {
		const struct snap_source *src = &s->sources[i];
		reach += src->reach != 0;
		good += strchr("*+-o#", src->tally) != NULL &&
		    src->tally; /* survived the intersection */
		if (src->tally == '*')
			jitter = src->jitter_s;
	}
	buf_puts(b, " |");
	if (isfinite(s->offset_s))
		buf_printf(b, " offset=%.9fs;%s;%s", s->offset_s, nagios_range_str(&o->warn, w, 32),
		    nagios_range_str(&o->crit, c, 32));
	if (isfinite(jitter))
		buf_printf(b, " jitter=%.9fs", jitter);
	if (s->stratum >= 0)
		buf_printf(b, " stratum=%d", s->stratum);
	if (isfinite(s->root_distance_s))
		buf_printf(b, " root_distance=%.9fs", s->root_distance_s);
	buf_printf(b, " sources=%zu reachable=%zu truechimers=%zu", s->n_sources, reach, good);
}

enum nagios_state
out_check(struct buf *b, const struct snapshot *s, const struct check_opts *o,
    enum alarm_severity sev, const char *alarm_text)
{
	enum nagios_state st = NAGIOS_OK;
	char off[48], text[600];
	const char *daemon = s->primary >= 0 ? snapshot_daemon_name((enum snap_daemon)s->primary)
	                                     : "no time service";

	if (s->primary < 0 || !s->svc[s->primary].answering) {
		buf_printf(b, "TIME UNKNOWN - %s\n",
		    s->primary < 0 ? "no time service runs here" : s->svc[s->primary].error);
		return NAGIOS_UNKNOWN;
	}
	if (sev == ALARM_MINOR)
		st = o->on_minor;
	else if (sev == ALARM_MAJOR)
		st = o->on_major;
	else if (sev == ALARM_CRITICAL)
		st = o->on_critical;
	if (isfinite(s->offset_s)) {
		if (nagios_range_alert(&o->crit, fabs(s->offset_s)))
			st = worst(st, NAGIOS_CRITICAL);
		else if (nagios_range_alert(&o->warn, fabs(s->offset_s)))
			st = worst(st, NAGIOS_WARNING);
	}
	strutil_fmt_seconds(off, sizeof(off), s->offset_s, true);
	if (sev != ALARM_CLEARED)
		snprintf(text, sizeof(text), "%s", alarm_text);
	else if (s->synchronized)
		snprintf(text, sizeof(text), "%s synchronized to %.100s (stratum %d), offset %s",
		    daemon, s->source_name, s->stratum, off);
	else
		snprintf(text, sizeof(text), "%s not synchronized yet", daemon);
	buf_printf(b, "TIME %s - %s", nagios_state_name(st), text);
	perfdata(b, s, o);
	buf_puts(b, "\n");
	return st;
}
