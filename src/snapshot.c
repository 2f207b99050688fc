/* snapshot.c: life cycle and names of the snapshot. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "snapshot.h"
#include "xalloc.h"

void
snapshot_init(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->primary = -1;
	for (int d = 0; d < SNAP_N_DAEMONS; d++) {
		s->svc[d].daemon = (enum snap_daemon)d;
		s->svc[d].uptime_s = NAN;
		daemonconf_init(&s->svc[d].conf);
	}
	s->stratum = -1;
	s->last_sync_age_s = s->offset_s = s->offset_error_s = NAN;
	s->root_delay_s = s->root_disp_s = s->root_distance_s = s->freq_ppm = s->poll_s = NAN;
	s->leap = SNAP_LEAP_UNSYNC;
}

void
snapshot_fini(struct snapshot *s)
{
	for (int d = 0; d < SNAP_N_DAEMONS; d++)
		daemonconf_fini(&s->svc[d].conf);
	for (size_t i = 0; i < s->n_sources; i++)
		free(s->sources[i].vars.v);
	free(s->system_vars.v);
	free(s->sources);
	snapshot_init(s);
}

struct snap_source *
snapshot_add_source(struct snapshot *s)
{
	if (s->n_sources % 16 == 0)
		s->sources = xreallocarray(s->sources, s->n_sources + 16, sizeof(*s->sources));
	struct snap_source *src = &s->sources[s->n_sources++];
	memset(src, 0, sizeof(*src));
	src->tally = '?';
	src->type = 'u';
	src->stratum = -1;
	src->reach = -1;
	src->n_samples = -1;
	src->assoc_id = src->status_word = src->configured = src->auth = src->event_count = -1;
	src->pkts_sent = src->pkts_received = src->pkts_valid = -1;
	src->flash = src->ntp_tests = src->leap = -1;
	src->when_s = src->poll_s = src->delay_s = src->offset_s = src->jitter_s = NAN;
	src->offset_error_s = src->freq_ppm = src->freq_skew_ppm = src->std_dev_s = NAN;
	return src;
}

void
snapshot_add_var(struct snap_vars *l, const char *name, const char *value)
{
	if (l->n >= SNAP_VARS_MAX)
		return;
	if (l->n % 16 == 0)
		l->v = xreallocarray(l->v, l->n + 16, sizeof(*l->v));
	snprintf(l->v[l->n].name, sizeof(l->v[0].name), "%s", name);
	snprintf(l->v[l->n].value, sizeof(l->v[0].value), "%s", value);
	l->n++;
}

void
snapshot_add_varf(struct snap_vars *l, const char *name, const char *fmt, ...)
{
	char value[SNAP_VAR_VALUE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	snapshot_add_var(l, name, value);
}

const char *
snapshot_daemon_name(enum snap_daemon d)
{
	static const char *const names[] = {"chronyd", "ntpd", "systemd-timesyncd"};

	return (unsigned)d < CW_ARRAY_LEN(names) ? names[d] : "?";
}

const char *
snapshot_origin_name(enum snap_origin o)
{
	static const char *const names[] = {
	    "none",
	    "chronyd cmdmon",
	    "ntpd mode 6",
	    "timesyncd D-Bus",
	    "adjtimex",
	    "config",
	    "proc",
	};

	return (unsigned)o < CW_ARRAY_LEN(names) ? names[o] : "?";
}

const char *
snapshot_leap_name(enum snap_leap l)
{
	static const char *const names[] = {"none", "insert", "delete", "unsynchronized"};

	return (unsigned)l < CW_ARRAY_LEN(names) ? names[l] : "?";
}

const char *
snapshot_auth_name(int auth)
{
	static const char *const names[] = {"none", "ok", "bad"};

	return auth >= 0 && auth <= 2 ? names[auth] : "-";
}

void
snapshot_why(struct snap_service *svc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(svc->error, sizeof(svc->error), fmt, ap);
	va_end(ap);
}
