/* judge.c: snapshot -> alarm input; the daemon's memory -> a check's alarm state. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alarm.h"
#include "judge.h"
#include "snapshot.h"

static enum alarm_server_state
server_state(const struct snapshot *s, const struct snap_source *src)
{
	const struct snap_service *svc = &s->svc[s->primary];

	if (!strncmp(src->addr, "ID#", 3))
		return ALARM_SRV_UNUSABLE; /* chronyd could not resolve its name */
	if (src->reach != 0)
		return ALARM_SRV_OK; /* answers, or the daemon keeps no register (timesyncd) */
	if (isfinite(svc->uptime_s) && isfinite(src->poll_s) &&
	    svc->uptime_s >= JUDGE_REACH_POLLS * src->poll_s)
		return ALARM_SRV_UNREACHABLE;
	return ALARM_SRV_PENDING;
}

/* The offset the alarm judges: the daemon's own when it has a source; else, when it has none,
 * the smallest offset among the sources that answer (a daemon refusing all of them for being
 * 2000 s off still measured them). */
static void
offset_of(const struct snapshot *s, struct alarm_input *in)
{
	if (s->have_system && s->synchronized && isfinite(s->offset_s)) {
		in->have_offset = true;
		in->offset_s = s->offset_s;
		return;
	}
	for (size_t i = 0; i < s->n_sources; i++) {
		const struct snap_source *src = &s->sources[i];
		if (src->reach == 0 || !isfinite(src->offset_s))
			continue;
		if (!in->have_offset || fabs(src->offset_s) < fabs(in->offset_s))
			in->offset_s = src->offset_s;
		in->have_offset = true;
	}
}

void
judge_alarm_input(const struct snapshot *s, struct alarm_server *servers, size_t max,
    struct alarm_input *in)
{
	size_t n = 0;

	memset(in, 0, sizeof(*in));
	in->servers = servers;
	if (s->primary < 0 || !s->svc[s->primary].answering)
		return;
	in->daemon_answers = true;
	offset_of(s, in);
	for (size_t i = 0; i < s->n_sources && n < max; i++) {
		const struct snap_source *src = &s->sources[i];
		if (src->type == 'l')
			continue; /* reference clocks are not "configured servers" */
		snprintf(servers[n].name, sizeof(servers[n].name), "%.127s",
		    src->name[0] ? src->name : src->addr);
		servers[n].state = server_state(s, src);
		servers[n].selected = src->tally == '*' || src->tally == 'o';
		n++;
	}
	in->n_servers = n;
}

void
judge_stateless_state(const struct snapshot *s, int64_t now_ns, struct alarm_state *st)
{
	const struct snap_service *svc = s->primary >= 0 ? &s->svc[s->primary] : NULL;
	double up = svc && isfinite(svc->uptime_s) ? svc->uptime_s : 0;
	bool selected = false;

	alarm_state_init(st, now_ns - (int64_t)(up * 1e9));
	for (size_t i = 0; i < s->n_sources; i++)
		selected = selected || s->sources[i].tally == '*' || s->sources[i].tally == 'o';
	/* A daemon that ever updated the clock had a source selected then. */
	st->ever_selected = selected || isfinite(s->last_sync_age_s);
	if (selected) {
		st->unselected_since_ns = -1;
	} else if (isfinite(s->last_sync_age_s)) {
		st->unselected_since_ns = now_ns - (int64_t)(s->last_sync_age_s * 1e9);
		st->unselected_initial = false;
	}
}
