/* doctor_sel.c: what the daemon makes of the answers that reach it: which sources it selected,
 * which it takes for falsetickers (and whether clockwatch's own selection agrees), and whether
 * the delays of the path say congestion or asymmetry (clockwatch's own samples; ntpd's clock
 * filter register; chronyd keeps none). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "doctor_sel.h"
#include "macros.h"
#include "query.h"
#include "snapshot.h"
#include "strutil.h"

#define CONGESTED_SPREAD_S 0.005
#define ASYM_MIN_R 0.8
#define ASYM_MIN_OFFSET_RANGE_S 0.001

/* ---- selection ---- */

static bool
usable(const struct snap_source *src)
{
	return src->type != 'l' ? src->reach != 0 && src->tally != ' ' && src->tally != '?'
	                        : src->tally != ' ' && src->tally != '?';
}

static void
list_tally(struct doctor_finding *f, const struct snapshot *s, const char *tallies,
    const char *what)
{
	char line[DOCTOR_TEXT_MAX / 2], off[32];
	size_t o = 0;

	line[0] = '\0';
	for (size_t i = 0; i < s->n_sources && o < sizeof(line); i++) {
		const struct snap_source *src = &s->sources[i];
		if (!strchr(tallies, src->tally))
			continue;
		strutil_fmt_seconds(off, sizeof(off), src->offset_s, true);
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%c%s (offset %s)",
		    o ? ", " : "", src->tally, src->addr, off);
	}
	if (o)
		doctor_seen(f, "%s: %s", what, line);
}

static void
own_falsetickers(struct doctor_finding *f, const struct doctor_evidence *ev)
{
	char line[DOCTOR_TEXT_MAX / 2], remote[128];
	size_t o = 0, ok = 0;

	line[0] = '\0';
	for (size_t i = 0; i < ev->n_own; i++) {
		ok += ev->own[i].status == QUERY_OK;
		if (ev->own[i].tally != 'x' || o >= sizeof(line))
			continue;
		query_remote(&ev->own[i], remote, sizeof(remote));
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s", o ? ", " : "", remote);
	}
	if (o)
		doctor_seen(f, "clockwatch's own measurement of %zu servers also finds: %s", ok,
		    line);
}

void
doctor_sel_selection(struct doctor_report *r, const struct snapshot *s,
    const struct doctor_evidence *ev)
{
	size_t n = 0, use = 0, fal = 0, sel = 0;
	struct doctor_finding *f;

	if (s->primary == SNAP_TIMESYNCD) {
		doctor_add(r, "selection", DOCTOR_INFO,
		    "systemd-timesyncd uses one server at a time: no selection, no falsetickers "
		    "told apart");
		return;
	}
	for (size_t i = 0; i < s->n_sources; i++) {
		const struct snap_source *src = &s->sources[i];
		n++;
		use += usable(src);
		fal += src->tally == 'x';
		sel += src->tally == '*' || src->tally == 'o';
	}
	if (n == 0) {
		f = doctor_add(r, "selection", DOCTOR_FAIL, "%s has no time sources",
		    doctor_daemon(s));
		doctor_fix(f, "Configure at least four servers (server or pool lines).");
		return;
	}
	if (!s->synchronized || sel == 0) {
		f = doctor_add(r, "selection", DOCTOR_FAIL, "no source selected%s",
		    fal ? ": no majority agrees" : "");
		if (use < 3)
			doctor_seen(f,
			    "%zu usable source%s: a majority is impossible with fewer than "
			    "3 (the intersection needs more than half to agree)",
			    use, use == 1 ? "" : "s");
		else if (fal)
			doctor_seen(f,
			    "the intersection algorithm could not find a majority of "
			    "truechimers among %zu usable sources",
			    use);
		list_tally(f, s, "x", "falsetickers");
		list_tally(f, s, "+-#~", "candidates");
		list_tally(f, s, "? ", "unusable");
		own_falsetickers(f, ev);
		doctor_fix(f,
		    "Configure at least four independent servers (three is the least for "
		    "a majority, four survive one failure), and fix or remove the "
		    "falsetickers.");
	} else if (fal) {
		f = doctor_add(r, "selection", DOCTOR_WARN, "%zu falseticker%s among %zu sources",
		    fal, fal == 1 ? "" : "s", n);
		list_tally(f, s, "x", "falsetickers (outside the interval the majority agrees on)");
		list_tally(f, s, "*o", "selected");
		own_falsetickers(f, ev);
		doctor_fix(f,
		    "Fix or remove the falseticker%s: the daemon ignores %s while the "
		    "others agree, but it counts against the majority.",
		    fal == 1 ? "" : "s", fal == 1 ? "it" : "them");
	} else if (use < 3) {
		f = doctor_add(r, "selection", DOCTOR_INFO,
		    "only %zu usable source%s: a falseticker could not be outvoted", use,
		    use == 1 ? "" : "s");
		list_tally(f, s, "*o+-#~", "sources");
		doctor_fix(f, "Configure at least three servers, better four.");
	} else {
		f = doctor_add(r, "selection", DOCTOR_OK, "a source is selected; %zu of %zu usable",
		    use, n);
		list_tally(f, s, "*o", "selected");
	}
	doctor_num(f, "sources", (double)n);
	doctor_num(f, "usable", (double)use);
	doctor_num(f, "falsetickers", (double)fal);
}

/* ---- network: congestion and asymmetry ---- */

struct spread {
	size_t n;
	double dmin, dmax, omin, omax, r; /* r: offset-delay correlation, NAN below 3 samples */
};

static void
spread_of(const double *delay, const double *offset, size_t n, struct spread *sp)
{
	double sd = 0, so = 0, sdd = 0, soo = 0, sdo = 0;

	*sp = (struct spread){.n = n,
	    .dmin = INFINITY,
	    .dmax = -INFINITY,
	    .omin = INFINITY,
	    .omax = -INFINITY,
	    .r = NAN};
	for (size_t i = 0; i < n; i++) {
		sp->dmin = fmin(sp->dmin, delay[i]);
		sp->dmax = fmax(sp->dmax, delay[i]);
		sp->omin = fmin(sp->omin, offset[i]);
		sp->omax = fmax(sp->omax, offset[i]);
		sd += delay[i];
		so += offset[i];
	}
	if (n < 3)
		return;
	for (size_t i = 0; i < n; i++) {
		double a = delay[i] - sd / (double)n, b = offset[i] - so / (double)n;
		sdd += a * a;
		soo += b * b;
		sdo += a * b;
	}
	if (sdd > 0 && soo > 0)
		sp->r = sdo / sqrt(sdd * soo);
}

/* Half a round trip beyond which an unseen asymmetry could exceed ntpd's step threshold. */
#define SLOW_HALF_DELAY_S 0.125

/* One path's samples judged; true when a finding was written. */
static bool
judge_path(struct doctor_report *r, const char *who, const char *whose, const struct spread *sp)
{
	char a[32], b[32], h[32];
	bool congested = sp->dmax - sp->dmin >= CONGESTED_SPREAD_S && sp->dmax > 2 * sp->dmin;
	bool asym = sp->n >= DOCTOR_SAMPLES && isfinite(sp->r) && fabs(sp->r) >= ASYM_MIN_R &&
	    sp->omax - sp->omin >= ASYM_MIN_OFFSET_RANGE_S;
	/* A steady asymmetry cannot be seen from one path; what can be said is how wrong the
	 * offset may be: half the round trip. Beyond the step threshold that matters. */
	bool slow = sp->dmin / 2 > SLOW_HALF_DELAY_S;

	if (!congested && !asym && !slow)
		return false;
	strutil_fmt_seconds(a, sizeof(a), sp->dmin, false);
	strutil_fmt_seconds(b, sizeof(b), sp->dmax, false);
	strutil_fmt_seconds(h, sizeof(h), sp->dmax / 2, false);
	struct doctor_finding *f = doctor_add(r, "network", DOCTOR_WARN, "%s: %s", who,
	    asym            ? "the offset follows the delay: asymmetric path suspected"
	        : congested ? "the delay varies widely: the path is congested or lossy"
	                    : "the round trip is long: an asymmetric path could put the offset off "
	                      "by half of it, beyond the step threshold");
	doctor_seen(f, "%s: delay %s to %s over %zu samples", whose, a, b, sp->n);
	if (isfinite(sp->r))
		doctor_seen(f, "offset against delay: correlation %+.2f", sp->r);
	doctor_fix(f,
	    "The offset error can reach half the delay (%s). Prefer servers nearer "
	    "this host or paths that are not loaded; seed 000 suggests calibrating "
	    "the frequency when the path is quiet.",
	    h);
	doctor_num(f, "delay_min_s", sp->dmin);
	doctor_num(f, "delay_max_s", sp->dmax);
	doctor_num(f, "correlation", sp->r);
	return true;
}

void
doctor_sel_network(struct doctor_report *r, const struct snapshot *s,
    const struct doctor_evidence *ev)
{
	double d[64], o[64], dmin = INFINITY, dmax = -INFINITY;
	size_t paths = 0, samples = 0, bad = 0;
	struct spread sp;
	char remote[128];

	for (size_t i = 0; i < ev->n_own; i++) {
		const struct query_target *t = &ev->own[i];
		size_t n = CW_MIN(t->n_samples, CW_ARRAY_LEN(d));
		if (t->status != QUERY_OK || n < 2)
			continue;
		for (size_t k = 0; k < n; k++) {
			d[k] = t->samples[k].delay_s;
			o[k] = t->samples[k].offset_s;
		}
		spread_of(d, o, n, &sp);
		query_remote(t, remote, sizeof(remote));
		bad += judge_path(r, remote, "clockwatch's samples", &sp);
		paths++;
		samples += n;
		dmin = fmin(dmin, sp.dmin);
		dmax = fmax(dmax, sp.dmax);
	}
	for (size_t i = 0; i < s->n_sources; i++) {
		const struct snap_source *src = &s->sources[i];
		if (src->n_filter < 2)
			continue;
		spread_of(src->filt_delay_s, src->filt_offset_s, (size_t)src->n_filter, &sp);
		bad += judge_path(r, src->addr, "ntpd's filter register", &sp);
		paths++;
		samples += (size_t)src->n_filter;
		dmin = fmin(dmin, sp.dmin);
		dmax = fmax(dmax, sp.dmax);
	}
	if (paths == 0) {
		doctor_add(r, "network", DOCTOR_INFO, "no delays to judge: nothing was measured");
		return;
	}
	if (bad)
		return;
	char a[32], b[32], h[32];
	strutil_fmt_seconds(a, sizeof(a), dmin, false);
	strutil_fmt_seconds(b, sizeof(b), dmax, false);
	strutil_fmt_seconds(h, sizeof(h), dmax / 2, false);
	struct doctor_finding *f = doctor_add(r, "network", DOCTOR_OK,
	    "delays are steady: %s to %s over %zu samples of %zu path%s", a, b, samples, paths,
	    paths == 1 ? "" : "s");
	doctor_seen(f, "the offset error is at most half the delay: %s", h);
	if (s->primary == SNAP_CHRONYD)
		doctor_seen(f,
		    "chronyd keeps no filter register: judged from clockwatch's own "
		    "samples");
	doctor_num(f, "delay_min_s", dmin);
	doctor_num(f, "delay_max_s", dmax);
}
