/* out_status.c: `clockwatch status`: labelled lines for people, one JSON object for machines.
 * Unknown values print as "-" and as null. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "out_host.h"
#include "snapshot.h"
#include "strutil.h"
#include "verdict.h"

#define LABEL_W 14

static void
label(struct buf *b, const char *l)
{
	buf_printf(b, "%-*s", LABEL_W, l);
}

static void
service_line(struct buf *b, const struct snapshot *s)
{
	int shown = 0;

	label(b, "time service:");
	for (int d = 0; d < SNAP_N_DAEMONS; d++) {
		const struct snap_service *svc = &s->svc[d];
		if (!svc->running && d != s->primary)
			continue;
		buf_printf(b, "%s%s", shown++ ? "; " : "",
		    snapshot_daemon_name((enum snap_daemon)d));
		if (svc->version[0])
			buf_printf(b, " %s", svc->version);
		if (svc->running)
			buf_printf(b, " (pid %d%s%s)", svc->pid,
			    svc->n_running > 1 ? ", and more" : "",
			    svc->can_set_clock ? "" : ", may not set the clock");
		else
			buf_puts(b, " (not running)");
		if (svc->answering)
			buf_printf(b, ", answering at %s", svc->endpoint);
		else if (svc->asked)
			buf_printf(b, ", not answering");
		if (svc->answering && svc->note[0])
			buf_printf(b, "\n%-*s%s", LABEL_W, "", svc->note);
	}
	if (!shown) {
		buf_puts(b, "none running");
		for (int d = 0; d < SNAP_N_DAEMONS; d++)
			if (s->svc[d].installed)
				buf_printf(b, "%s%s", shown++ ? ", " : " (installed: ",
				    snapshot_daemon_name((enum snap_daemon)d));
		if (shown)
			buf_puts(b, ")");
	}
	buf_puts(b, "\n");
}

static void
system_lines(struct buf *b, const struct snapshot *s)
{
	char x[48], y[48];

	label(b, "synchronized:");
	buf_printf(b, "%s\n", !s->have_system ? "unknown" : s->synchronized ? "yes" : "no");
	if (!s->have_system)
		return;
	label(b, "time source:");
	if (s->source_name[0] && strcmp(s->source_name, s->source_addr))
		buf_printf(b, "%s (%s)", s->source_name, s->source_addr);
	else
		buf_printf(b, "%s", s->source_addr[0] ? s->source_addr : "-");
	buf_printf(b, ", stratum %d, refid %s\n", s->stratum, s->refid[0] ? s->refid : "-");
	label(b, "last sync:");
	if (isfinite(s->last_sync_age_s))
		buf_printf(b, "%.0f s ago", s->last_sync_age_s);
	else
		buf_puts(b, "never");
	if (isfinite(s->poll_s))
		buf_printf(b, " (every %.0f s)", s->poll_s);
	buf_puts(b, "\n");
	label(b, "offset:");
	strutil_fmt_seconds(x, sizeof(x), s->offset_s, true);
	strutil_fmt_seconds(y, sizeof(y), s->offset_error_s, false);
	buf_printf(b, "%s +/- %s (positive: this clock is behind)\n", x, y);
	label(b, "root dist.:");
	strutil_fmt_seconds(x, sizeof(x), s->root_distance_s, false);
	buf_printf(b, "%s\n", x);
	label(b, "frequency:");
	if (isfinite(s->freq_ppm))
		buf_printf(b, "%.3f ppm %s\n", fabs(s->freq_ppm),
		    s->freq_ppm >= 0 ? "fast" : "slow");
	else
		buf_puts(b, "-\n");
	label(b, "leap:");
	buf_printf(b, "%s\n", snapshot_leap_name(s->leap));
}

static void
kernel_line(struct buf *b, const struct snapshot *s)
{
	char st[160];

	label(b, "kernel:");
	if (!s->have_kernel) {
		buf_printf(b, "adjtimex: %s\n", strerror(-s->kernel_err));
		return;
	}
	kclock_status_str(s->kernel.status, st, sizeof(st));
	buf_printf(b, "%s, status %s, maxerror %.3f s", kclock_state_name(s->kernel.state),
	    st[0] ? st : "-", s->kernel.maxerror_s);
	if (s->primary == SNAP_CHRONYD && s->kernel.unsync && !s->svc[SNAP_CHRONYD].conf.rtcsync)
		buf_puts(b, " (chronyd without rtcsync leaves UNSYNC set)");
	buf_puts(b, "\n");
}

static void
configured_lines(struct buf *b, const struct snapshot *s)
{
	if (s->primary < 0)
		return;
	const struct snap_service *svc = &s->svc[s->primary];
	const struct daemonconf *c = &svc->conf;
	label(b, "configured:");
	if (!svc->have_conf) {
		buf_puts(b, "- (no configuration file found)\n");
		return;
	}
	if (c->n_sources == 0)
		buf_printf(b, "no sources in %s\n", svc->conf_path);
	for (size_t i = 0; i < c->n_sources; i++) {
		const struct daemonconf_source *src = &c->sources[i];
		if (i)
			label(b, "");
		buf_printf(b, "%s %s", daemonconf_kind_name(src->kind), src->name);
		if (src->port)
			buf_printf(b, " port %u", src->port);
		buf_printf(b, " (%s:%u)\n", src->file, src->line);
	}
	for (size_t i = 0; i < c->n_errors; i++) {
		label(b, i ? "" : "config errors:");
		buf_printf(b, "%s:%u: %s\n", c->errors[i].file, c->errors[i].line,
		    c->errors[i].msg);
	}
}

void
out_status_text(struct buf *b, const struct snapshot *s, const struct verdict *v, bool color)
{
	const char *on = "", *off = "";

	if (color) {
		on = v->level == VERDICT_OK       ? "\033[32m"
		    : v->level == VERDICT_WARNING ? "\033[33m"
		                                  : "\033[31m";
		off = "\033[0m";
	}
	service_line(b, s);
	system_lines(b, s);
	kernel_line(b, s);
	configured_lines(b, s);
	label(b, "verdict:");
	buf_printf(b, "%s%s%s: %s\n", on, verdict_level_name(v->level), off, v->text);
}
