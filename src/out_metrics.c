/* out_metrics.c: /metrics. Each family is written as HELP, TYPE and its samples; a sample whose
 * value is unknown (NAN) is left out rather than written as NaN, so "absent" means "unknown",
 * as Prometheus users expect. The two formats differ only in how counters and info metrics are
 * named and in OpenMetrics' closing "# EOF". */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alarm.h"
#include "buf.h"
#include "cluster.h"
#include "conf.h"
#include "macros.h"
#include "out_metrics.h"
#include "snapshot.h"
#include "strutil.h"

enum mtype { M_GAUGE, M_COUNTER, M_INFO };

struct label {
	const char *name, *value;
};

struct em {
	struct buf *b;
	bool om;
	char name[96]; /* the current family's sample name */
};

/* Label values: backslash, double quote and newline escaped (both formats). */
static void
put_label_value(struct buf *b, const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p == '\\')
			buf_puts(b, "\\\\");
		else if (*p == '"')
			buf_puts(b, "\\\"");
		else if (*p == '\n')
			buf_puts(b, "\\n");
		else
			buf_append(b, p, 1);
	}
}

/* Starts a family. base is the name without _total (counters) or _info (info metrics). */
static void
family(struct em *e, const char *base, enum mtype t, const char *help)
{
	static const char *const suffix[] = {"", "_total", "_info"};
	static const char *const om_type[] = {"gauge", "counter", "info"};
	static const char *const prom_type[] = {"gauge", "counter", "gauge"};
	const char *fam = base;
	char full[96];

	snprintf(full, sizeof(full), "%s%s", base, suffix[t]);
	snprintf(e->name, sizeof(e->name), "%s", full);
	if (!e->om)
		fam = full;
	/* HELP: backslash and newline escaped; ours have neither, but the rule is kept. */
	buf_printf(e->b, "# HELP %s %s\n# TYPE %s %s\n", fam, help, fam,
	    e->om ? om_type[t] : prom_type[t]);
}

static void
put_value(struct buf *b, double v)
{
	if (isinf(v))
		buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		buf_printf(b, "%.0f", v);
	else
		buf_printf(b, "%.15g", v);
}

static void
sample(struct em *e, const struct label *l, size_t nl, double v)
{
	if (isnan(v))
		return;
	buf_puts(e->b, e->name);
	if (nl) {
		buf_puts(e->b, "{");
		for (size_t i = 0; i < nl; i++) {
			buf_printf(e->b, "%s%s=\"", i ? "," : "", l[i].name);
			put_label_value(e->b, l[i].value);
			buf_puts(e->b, "\"");
		}
		buf_puts(e->b, "}");
	}
	buf_puts(e->b, " ");
	put_value(e->b, v);
	buf_puts(e->b, "\n");
}

/* A family with one unlabelled sample (left out when its value is unknown). */
struct fam1 {
	const char *name;
	enum mtype t;
	const char *help;
	double v;
};

static void fams(struct em *e, const struct fam1 *f, size_t n);

/* A family with one unlabelled sample. */
static void
one(struct em *e, const char *base, enum mtype t, const char *help, double v)
{
	if (isnan(v))
		return;
	family(e, base, t, help);
	sample(e, NULL, 0, v);
}

static void
fams(struct em *e, const struct fam1 *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		one(e, f[i].name, f[i].t, f[i].help, f[i].v);
}

static double
b2d(bool b)
{
	return b ? 1.0 : 0.0;
}

static double
int_or_nan(int v)
{
	return v < 0 ? NAN : (double)v;
}

static const char *
source_state(char tally)
{
	switch (tally) {
	case '*':
		return "selected";
	case '+':
		return "candidate";
	case '-':
		return "outlier";
	case 'x':
		return "falseticker";
	case '#':
		return "backup";
	case ' ':
		return "unusable";
	case '~':
		return "variable";
	case '?':
		return "unreachable";
	default:
		return "unknown";
	}
}

static const char *
source_mode(char type)
{
	switch (type) {
	case 'u':
		return "server";
	case 'p':
		return "pool";
	case 's':
		return "peer";
	case 'l':
		return "local";
	default:
		return "unknown";
	}
}

static double
leap_value(enum snap_leap l)
{
	switch (l) {
	case SNAP_LEAP_NONE:
		return 0;
	case SNAP_LEAP_INSERT:
		return 1;
	case SNAP_LEAP_DELETE:
		return 2;
	case SNAP_LEAP_UNSYNC:
		return 3;
	}
	return NAN;
}

static void
host_metrics(struct em *e, const struct snapshot *s)
{
	if (s->have_system) {
		const struct fam1 sys[] = {
		    {"clockwatch_synchronized", M_GAUGE,
		        "1 when the watched time service says this clock is synchronized.",
		        b2d(s->synchronized)},
		    {"clockwatch_offset_seconds", M_GAUGE,
		        "The time service's estimate of true time minus this clock (+: this clock "
		        "is behind).",
		        s->offset_s},
		    {"clockwatch_offset_error_seconds", M_GAUGE,
		        "A bound on the error of that offset estimate.", s->offset_error_s},
		    {"clockwatch_root_distance_seconds", M_GAUGE,
		        "Root distance: the bound on the clock's error relative to the primary "
		        "reference.",
		        s->root_distance_s},
		    {"clockwatch_root_delay_seconds", M_GAUGE,
		        "Round-trip delay to the primary reference.", s->root_delay_s},
		    {"clockwatch_root_dispersion_seconds", M_GAUGE,
		        "Dispersion relative to the primary reference.", s->root_disp_s},
		    {"clockwatch_frequency_adjustment_ratio", M_GAUGE,
		        "The time service's frequency correction (+: the clock is sped up).",
		        -s->freq_ppm * 1e-6},
		    {"clockwatch_stratum", M_GAUGE, "This host's NTP stratum.",
		        int_or_nan(s->stratum)},
		    {"clockwatch_leap_status", M_GAUGE,
		        "Leap indicator: 0 none, 1 insert pending, 2 delete pending, 3 "
		        "unsynchronized.",
		        leap_value(s->leap)},
		    {"clockwatch_last_sync_age_seconds", M_GAUGE,
		        "Time since the last clock update from a source.", s->last_sync_age_s},
		    {"clockwatch_poll_interval_seconds", M_GAUGE,
		        "The time service's current update interval.", s->poll_s},
		};
		fams(e, sys, CW_ARRAY_LEN(sys));
		if (s->source_name[0] || s->source_addr[0]) {
			struct label l[] = {{"source",
			                        s->source_name[0] ? s->source_name
			                                          : s->source_addr},
			    {"address", s->source_addr}, {"refid", s->refid}};
			family(e, "clockwatch_reference", M_INFO, "The current time source.");
			sample(e, l, CW_ARRAY_LEN(l), 1);
		}
	}

	family(e, "clockwatch_service_running", M_GAUGE,
	    "1 when a process of this time service runs.");
	for (int d = 0; d < SNAP_N_DAEMONS; d++) {
		struct label l[] = {{"daemon", snapshot_daemon_name((enum snap_daemon)d)}};
		sample(e, l, 1, b2d(s->svc[d].running));
	}
	family(e, "clockwatch_service_up", M_GAUGE,
	    "1 when the time service answers clockwatch's queries.");
	for (int d = 0; d < SNAP_N_DAEMONS; d++) {
		struct label l[] = {{"daemon", snapshot_daemon_name((enum snap_daemon)d)}};
		if (s->svc[d].running || s->svc[d].asked)
			sample(e, l, 1, b2d(s->svc[d].answering));
	}
	family(e, "clockwatch_service_can_set_clock", M_GAUGE,
	    "1 when the running time service may set the clock (CAP_SYS_TIME; chronyd without "
	    "-x).");
	for (int d = 0; d < SNAP_N_DAEMONS; d++) {
		struct label l[] = {{"daemon", snapshot_daemon_name((enum snap_daemon)d)}};
		if (s->svc[d].running)
			sample(e, l, 1, b2d(s->svc[d].can_set_clock));
	}
	if (s->primary >= 0 && s->primary < SNAP_N_DAEMONS) {
		const struct snap_service *sv = &s->svc[s->primary];
		struct label l[] = {{"daemon", snapshot_daemon_name((enum snap_daemon)s->primary)},
		    {"version", sv->version}, {"endpoint", sv->endpoint}};
		family(e, "clockwatch_service", M_INFO, "The time service clockwatch reports on.");
		sample(e, l, CW_ARRAY_LEN(l), 1);
	}

	if (s->have_kernel) {
		const struct kclock *k = &s->kernel;
		const struct fam1 kern[] = {
		    {"clockwatch_kernel_synchronized", M_GAUGE,
		        "The kernel's own opinion (adjtimex): STA_UNSYNC clear and maxerror under "
		        "16 s.",
		        b2d(k->synchronized)},
		    {"clockwatch_kernel_unsync_flag", M_GAUGE,
		        "The kernel's STA_UNSYNC flag (stays set under chrony without rtcsync).",
		        b2d(k->unsync)},
		    {"clockwatch_kernel_offset_seconds", M_GAUGE,
		        "The kernel PLL's remaining offset (0 when the PLL is unused, as under "
		        "chrony).",
		        k->offset_s},
		    {"clockwatch_kernel_frequency_adjustment_ratio", M_GAUGE,
		        "The kernel's frequency correction.", k->freq_ppm * 1e-6},
		    {"clockwatch_kernel_maxerror_seconds", M_GAUGE, "The kernel's maximum error.",
		        k->maxerror_s},
		    {"clockwatch_kernel_esterror_seconds", M_GAUGE, "The kernel's estimated error.",
		        k->esterror_s},
		    {"clockwatch_kernel_tai_offset_seconds", M_GAUGE,
		        "TAI minus UTC as the kernel holds it (0 unless a daemon set it).",
		        (double)k->tai_s},
		    {"clockwatch_kernel_state", M_GAUGE,
		        "adjtimex's clock state: 0 TIME_OK, 1 INS, 2 DEL, 3 OOP, 4 WAIT, 5 "
		        "TIME_ERROR.",
		        (double)k->state},
		};
		fams(e, kern, CW_ARRAY_LEN(kern));
	}

	if (s->n_sources == 0)
		return;
	static const struct {
		const char *name, *help;
		size_t off;
		bool is_int;
	} per[] = {
	    {"clockwatch_source_offset_seconds",
	        "The source's offset as the time service measures it (+: the source is ahead).",
	        offsetof(struct snap_source, offset_s), false},
	    {"clockwatch_source_delay_seconds", "Round-trip delay to the source.",
	        offsetof(struct snap_source, delay_s), false},
	    {"clockwatch_source_jitter_seconds", "The source's jitter (dispersion of its offsets).",
	        offsetof(struct snap_source, jitter_s), false},
	    {"clockwatch_source_reach", "The 8-bit reach register (377 octal = 255: all answered).",
	        offsetof(struct snap_source, reach), true},
	    {"clockwatch_source_stratum", "The source's stratum.",
	        offsetof(struct snap_source, stratum), true},
	    {"clockwatch_source_poll_interval_seconds", "The polling interval of the source.",
	        offsetof(struct snap_source, poll_s), false},
	    {"clockwatch_source_last_sample_age_seconds", "Time since the last valid sample.",
	        offsetof(struct snap_source, when_s), false},
	};
	for (size_t m = 0; m < CW_ARRAY_LEN(per); m++) {
		family(e, per[m].name, M_GAUGE, per[m].help);
		for (size_t i = 0; i < s->n_sources; i++) {
			const struct snap_source *src = &s->sources[i];
			const char *p = (const char *)src + per[m].off;
			struct label l[] = {{"source", src->name[0] ? src->name : src->addr},
			    {"address", src->addr}};
			double v = per[m].is_int ? int_or_nan(*(const int *)(const void *)p)
			                         : *(const double *)(const void *)p;
			sample(e, l, CW_ARRAY_LEN(l), v);
		}
	}
	family(e, "clockwatch_source_selected", M_GAUGE,
	    "1 for the source the time service synchronizes to.");
	for (size_t i = 0; i < s->n_sources; i++) {
		const struct snap_source *src = &s->sources[i];
		struct label l[] = {{"source", src->name[0] ? src->name : src->addr},
		    {"address", src->addr}};
		sample(e, l, CW_ARRAY_LEN(l), b2d(src->tally == '*'));
	}
	family(e, "clockwatch_source", M_INFO, "A time source and its selection state.");
	for (size_t i = 0; i < s->n_sources; i++) {
		const struct snap_source *src = &s->sources[i];
		struct label l[] = {{"source", src->name[0] ? src->name : src->addr},
		    {"address", src->addr}, {"state", source_state(src->tally)},
		    {"mode", source_mode(src->type)}};
		sample(e, l, CW_ARRAY_LEN(l), 1);
	}
}

static void
cluster_metrics(struct em *e, const struct cluster_node *nodes, size_t n,
    const struct cluster_verdict *v)
{
	static const char *const roles[] = {"", "control", "payload"};
	const struct fam1 whole[] = {
	    {"clockwatch_cluster_nodes", M_GAUGE, "The cluster's nodes, this one included.",
	        (double)v->n_nodes},
	    {"clockwatch_cluster_nodes_measured", M_GAUGE,
	        "The nodes whose clocks the last check could measure.", (double)v->n_measured},
	    {"clockwatch_cluster_spread_seconds", M_GAUGE,
	        "Largest minus smallest clock among the measured nodes.", v->spread_s},
	    {"clockwatch_cluster_threshold_seconds", M_GAUGE,
	        "How far apart the nodes may be (cluster_threshold).", v->threshold_s},
	    {"clockwatch_cluster_exceeded", M_GAUGE,
	        "1 when some nodes differ by more than the threshold.", b2d(v->exceeded)},
	};

	fams(e, whole, CW_ARRAY_LEN(whole));
	static const struct {
		const char *name, *help;
	} per[] = {
	    {"clockwatch_cluster_node_measured", "1 when the node's clock could be measured."},
	    {"clockwatch_cluster_node_offset_seconds",
	        "The node's clock minus this one's (0 for this node)."},
	    {"clockwatch_cluster_node_from_majority_seconds",
	        "The node's clock minus the centre of the majority that agrees."},
	    {"clockwatch_cluster_node_outlier", "1 when the node is the odd one out."},
	};
	for (size_t m = 0; m < CW_ARRAY_LEN(per); m++) {
		family(e, per[m].name, M_GAUGE, per[m].help);
		for (size_t i = 0; i < n; i++) {
			const struct cluster_node *nd = &nodes[i];
			struct label l[] = {{"node", nd->name},
			    {"role", nd->role >= 0 && nd->role <= 2 ? roles[nd->role] : ""}};
			double val[] = {b2d(nd->measured), nd->measured ? nd->offset_s : NAN,
			    nd->off_majority_s, b2d(nd->outlier)};
			sample(e, l, CW_ARRAY_LEN(l), val[m]);
		}
	}
}

void
out_metrics(struct buf *b, const struct snapshot *s, const struct metrics_agent *a,
    bool openmetrics)
{
	struct em e = {.b = b, .om = openmetrics};

	if (s)
		host_metrics(&e, s);
	if (a->cluster && a->cluster_v)
		cluster_metrics(&e, a->cluster, a->n_cluster, a->cluster_v);
	if (a->have_responder) {
		static const char *const results[] = {"answered", "not_allowed", "rate_limited",
		    "malformed"};
		const double v[] = {(double)a->resp_answered, (double)a->resp_not_allowed,
		    (double)a->resp_rate_limited, (double)a->resp_malformed};
		family(&e, "clockwatch_responder_requests", M_COUNTER,
		    "NTP requests to clockwatch's responder, by what became of them.");
		for (size_t i = 0; i < CW_ARRAY_LEN(results); i++) {
			struct label l[] = {{"result", results[i]}};
			sample(&e, l, 1, v[i]);
		}
	}

	one(&e, "clockwatch_alarm_severity", M_GAUGE,
	    "The Time Synchronization alarm: 0 cleared, 2 minor, 3 major, 4 critical.",
	    (double)a->alarm_severity);
	{
		struct label l[] = {{"node", a->node ? a->node : ""},
		    {"severity", alarm_severity_name((enum alarm_severity)a->alarm_severity)},
		    {"text", a->alarm_text ? a->alarm_text : ""}};
		family(&e, "clockwatch_alarm", M_INFO,
		    "The Time Synchronization alarm with its exact text (empty when cleared).");
		sample(&e, l, CW_ARRAY_LEN(l), 1);
	}
	one(&e, "clockwatch_alarm_events", M_COUNTER,
	    "Alarm events (raise, change, clear) logged since the store began.",
	    (double)a->alarm_events);

	{
		struct label l[] = {{"version", a->version ? a->version : ""}};
		family(&e, "clockwatch_build", M_INFO, "clockwatch's version.");
		sample(&e, l, 1, 1);
	}
	const struct fam1 own[] = {
	    {"clockwatch_checks", M_COUNTER, "Checks run since the agent started.",
	        (double)a->checks},
	    {"clockwatch_check_duration_seconds", M_GAUGE, "How long the last check took.",
	        a->check_duration_s},
	    {"clockwatch_check_interval_seconds", M_GAUGE,
	        "The configured time between checks (each spread by up to 10 %).", a->interval_s},
	    {"clockwatch_last_check_timestamp_seconds", M_GAUGE,
	        "When the last check finished (Unix time).", a->last_check_s},
	    {"clockwatch_probe_errors", M_COUNTER,
	        "Checks in which the watched time service did not answer.",
	        (double)a->probe_errors},
	    {"clockwatch_store_errors", M_COUNTER, "Failed writes to the history store.",
	        (double)a->store_errors},
	    {"clockwatch_store_up", M_GAUGE, "1 when the history store is writable.",
	        b2d(a->store_up)},
	    {"clockwatch_alertmanager_pushes", M_COUNTER,
	        "Alerts posted to Alertmanager (each URL counts).", (double)a->am_pushes},
	    {"clockwatch_alertmanager_push_errors", M_COUNTER, "Posts to Alertmanager that failed.",
	        (double)a->am_push_errors},
	    {"process_start_time_seconds", M_GAUGE, "Start time of the process (Unix time).",
	        a->start_time_s},
	    {"process_cpu_seconds", M_COUNTER, "User and system CPU time spent.", a->cpu_s},
	    {"process_resident_memory_bytes", M_GAUGE, "Resident memory size.", a->rss_bytes},
	};
	fams(&e, own, CW_ARRAY_LEN(own));
	if (openmetrics)
		buf_puts(b, "# EOF\n");
}

/* The q value of one media range's parameters ("; q=0.5; version=..."), 1 when absent. */
static double
qvalue(const char *params, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=' &&
		    (i == 0 || params[i - 1] == ';' || params[i - 1] == ' ')) {
			char tmp[16];
			size_t k = 0;
			for (size_t j = i + 2; j < n && k + 1 < sizeof(tmp) && params[j] != ';';
			     j++)
				tmp[k++] = params[j];
			tmp[k] = '\0';
			char *end;
			double q = strtod(tmp, &end);
			return end == tmp || !(q >= 0 && q <= 1) ? 0 : q; /* NaN too */
		}
	}
	return 1;
}

bool
out_metrics_wants_openmetrics(const char *accept)
{
	double q_om = 0, q_text = 0;

	if (!accept)
		return false;
	for (const char *p = accept; *p;) {
		size_t n = strcspn(p, ",");
		const char *semi = memchr(p, ';', n);
		size_t tl = semi ? (size_t)(semi - p) : n;
		while (tl && (*p == ' ' || *p == '\t'))
			p++, tl--, n--;
		while (tl && (p[tl - 1] == ' ' || p[tl - 1] == '\t'))
			tl--;
		double q = semi ? qvalue(semi + 1, n - (size_t)(semi + 1 - p)) : 1;
		if (tl == 28 && !strncasecmp(p, "application/openmetrics-text", 28))
			q_om = CW_MAX(q_om, q);
		else if (tl == 10 && !strncasecmp(p, "text/plain", 10))
			q_text = CW_MAX(q_text, q);
		p += n;
		if (*p == ',')
			p++;
	}
	return q_om > 0 && q_om >= q_text;
}
