/* gather.c: the order of probing: what runs and how it is configured, the kernel, then the
 * daemon itself. The daemon asked is the one given, else the one running (the first of
 * chronyd, ntpd, timesyncd when several run: that conflict is itself the verdict). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cluster.h"
#include "conf.h"
#include "gather.h"
#include "kclock.h"
#include "probe_chronyd.h"
#include "probe_detect.h"
#include "probe_kernel.h"
#include "probe_ntp.h"
#include "probe_ntpd.h"
#include "probe_timesyncd.h"
#include "query.h"
#include "snapshot.h"
#include "sock.h"
#include "strutil.h"
#include "xalloc.h"

int
gather_service_from_name(const char *name)
{
	if (!strcmp(name, "chronyd") || !strcmp(name, "chrony"))
		return SNAP_CHRONYD;
	if (!strcmp(name, "ntpd") || !strcmp(name, "ntpsec"))
		return SNAP_NTPD;
	if (!strcmp(name, "timesyncd") || !strcmp(name, "systemd-timesyncd"))
		return SNAP_TIMESYNCD;
	return -1;
}

/* timesyncd has one server at a time and no reach register: its view is the last NTPMessage. */
static void
take_timesyncd(struct snapshot *s, const struct timesyncd_state *t, bool want_vars)
{
	const struct timesyncd_msg *m = &t->msg;
	struct snap_service *svc = &s->svc[SNAP_TIMESYNCD];

	svc->answering = true;
	snprintf(svc->endpoint, sizeof(svc->endpoint), "org.freedesktop.timesync1 (system bus)");
	s->have_system = true;
	s->system_from = SNAP_FROM_TIMESYNCD_DBUS;
	snprintf(s->source_name, sizeof(s->source_name), "%s", t->server_name);
	snprintf(s->source_addr, sizeof(s->source_addr), "%s", t->server_address.text);
	s->poll_s = (double)t->poll_interval_ns / 1e9;
	s->freq_ppm = -t->freq_ppm; /* the kernel's correction: - of the clock's error */
	if (!m->has_sample)
		return;
	s->synchronized = !m->is_spike && m->leap != 3 && m->stratum > 0 && m->stratum < 16;
	s->stratum = (int)m->stratum + 1;
	s->leap = (enum snap_leap)(m->leap & 3);
	snprintf(s->refid, sizeof(s->refid), "%.15s",
	    t->server_address.family == TIMESYNCD_MSG_AF_INET ? t->server_address.text : "");
	s->last_sync_age_s = (double)(s->real_ns - m->real_destination_ns) / 1e9;
	if (m->has_offset) {
		s->offset_s = m->offset_s;
		s->root_delay_s = m->root_delay_s + m->delay_s;
		s->root_disp_s = m->root_dispersion_s;
		s->root_distance_s = s->root_delay_s / 2 + s->root_disp_s;
		s->offset_error_s = s->root_distance_s;
	}
	struct snap_source *src = snapshot_add_source(s);
	s->sources_from = SNAP_FROM_TIMESYNCD_DBUS;
	snprintf(src->name, sizeof(src->name), "%s", t->server_name);
	snprintf(src->addr, sizeof(src->addr), "%s", t->server_address.text);
	src->tally = m->is_spike ? 'x' : '*';
	snprintf(src->state, sizeof(src->state), "%s", m->is_spike ? "spike" : "current server");
	snprintf(src->refid, sizeof(src->refid), "%s", m->refid_text);
	src->stratum = (int)m->stratum;
	src->when_s = s->last_sync_age_s;
	src->poll_s = s->poll_s;
	src->assoc_id = 1;
	if (m->has_offset) {
		src->offset_s = m->offset_s;
		src->delay_s = m->delay_s;
	}
	src->jitter_s = m->jitter_s;
	if (want_vars) {
		struct snap_vars *v = &s->system_vars;
		snapshot_add_var(v, "server_name", t->server_name);
		snapshot_add_var(v, "server_address", t->server_address.text);
		snapshot_add_varf(v, "leap", "%u", m->leap);
		snapshot_add_varf(v, "version", "%u", m->version);
		snapshot_add_varf(v, "mode", "%u", m->mode);
		snapshot_add_varf(v, "stratum", "%u", m->stratum);
		snapshot_add_varf(v, "precision", "%d", m->precision_log2);
		snapshot_add_varf(v, "root_delay_s", "%.6f", m->root_delay_s);
		snapshot_add_varf(v, "root_dispersion_s", "%.6f", m->root_dispersion_s);
		snapshot_add_var(v, "reference", m->refid_text);
		snapshot_add_varf(v, "offset_s", "%.9f", m->offset_s);
		snapshot_add_varf(v, "delay_s", "%.9f", m->delay_s);
		snapshot_add_varf(v, "jitter_s", "%.9f", m->jitter_s);
		snapshot_add_var(v, "spike", m->is_spike ? "yes" : "no");
		snapshot_add_varf(v, "packet_count", "%llu", (unsigned long long)m->packet_count);
		snapshot_add_varf(v, "poll_interval_s", "%.0f", s->poll_s);
		snapshot_add_varf(v, "root_distance_max_s", "%.3f",
		    (double)t->root_distance_max_ns / 1e9);
		snapshot_add_varf(v, "frequency_ppm", "%.3f", t->freq_ppm);
	}
}

static void
ask_timesyncd(struct snapshot *s, const struct gather_opts *o)
{
	struct snap_service *svc = &s->svc[SNAP_TIMESYNCD];
	struct timesyncd_state *t = xcalloc(1, sizeof(*t));
	int64_t us = o->timeout_ns > 0 ? o->timeout_ns / 1000 : 1000000;

	svc->asked = true;
	if (probe_timesyncd_read(t, us ? us : 1) == 0)
		take_timesyncd(s, t, o->want_vars);
	else
		snprintf(svc->error, sizeof(svc->error), "%.250s", t->reason);
	free(t);
}

void
gather_measure_servers(const struct snapshot *s, int64_t timeout_ns, double *own, size_t max,
    size_t *n)
{
	struct hostspec *specs = xcalloc(s->n_sources ? s->n_sources : 1, sizeof(*specs));
	struct probe_ntp_opts o = {.count = 1, .timeout_ns = timeout_ns, .family = AF_UNSPEC};
	struct probe_ntp_stats st;
	struct query_target *t = NULL;
	size_t ns = 0, nt = 0;
	char err[160];

	*n = 0;
	for (size_t i = 0; i < s->n_sources && s->primary >= 0; i++) {
		const struct snap_source *src = &s->sources[i];
		if (src->type == 'l' ||
		    strutil_parse_hostspec(src->addr, &specs[ns], err, sizeof(err)) < 0)
			continue;
		const struct daemonconf *c = &s->svc[s->primary].conf;
		for (size_t k = 0; k < c->n_sources; k++)
			if (!strcmp(c->sources[k].name, src->addr) && c->sources[k].port)
				specs[ns].port = c->sources[k].port;
		ns++;
	}
	if (ns > 0 && probe_ntp_query(specs, ns, &o, &t, &nt, &st) == 0) {
		for (size_t i = 0; i < nt; i++) {
			if (t[i].status == QUERY_OK && *n < max)
				own[(*n)++] = t[i].filt.offset_s;
			query_target_fini(&t[i]);
		}
	}
	free(t);
	free(specs);
}

void
gather_measure_nodes(const struct conf_node *nodes, size_t n, const char *self_name,
    int64_t timeout_ns, struct cluster_node *out, size_t *n_out)
{
	struct hostspec *specs = xcalloc(n ? n : 1, sizeof(*specs));
	struct probe_ntp_opts o = {
	    .count = 3,
	    .interval_ns = 50000000,
	    .timeout_ns = timeout_ns,
	    .family = AF_UNSPEC,
	    .measure_unsync = true,
	};
	struct probe_ntp_stats st;
	struct query_target *t = NULL;
	size_t ns = 0, nt = 0, k = 0;
	bool have_self = false;

	for (size_t i = 0; i < n; i++) {
		struct cluster_node *c = &out[k++];
		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s", nodes[i].name);
		snprintf(c->addr, sizeof(c->addr), "%s", nodes[i].addr);
		c->port = nodes[i].port;
		c->role = nodes[i].role;
		c->stratum = -1;
		c->offset_s = c->delay_s = c->error_s = NAN;
		if (!strcmp(nodes[i].name, self_name)) {
			c->self = have_self = true;
			continue;
		}
		snprintf(c->error, sizeof(c->error), "not asked");
		snprintf(specs[ns].host, sizeof(specs[ns].host), "%s", nodes[i].addr);
		specs[ns].port = nodes[i].port;
		ns++;
	}
	if (!have_self) {
		struct cluster_node *c = &out[k++];
		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s", self_name);
		c->self = true;
		c->stratum = -1;
	}
	*n_out = k;
	int r = ns > 0 ? probe_ntp_query(specs, ns, &o, &t, &nt, &st) : 0;
	for (size_t i = 0; i < k; i++) {
		struct cluster_node *c = &out[i];
		if (c->self)
			continue;
		if (r < 0) {
			snprintf(c->error, sizeof(c->error), "could not query: %s", strerror(-r));
			continue;
		}
		/* the first target of this node's spec (a name may resolve to several) */
		for (size_t j = 0; j < nt; j++) {
			const struct query_target *q = &t[j];
			if (strcmp(q->host, c->addr) || q->port != c->port)
				continue;
			/* the node's clock, synchronized or not (an unsynchronized node is still a
			 * clock to compare) */
			if (q->n_samples > 0 &&
			    !(q->tests & (FILTER_T_BOGUS | FILTER_T_INVALID_TS))) {
				c->measured = true;
				c->error[0] = '\0';
				c->offset_s = q->filt.offset_s;
				c->delay_s = q->filt.delay_s;
				c->error_s = q->filt.delay_s / 2 + q->filt.dispersion_s;
				c->synchronized =
				    !(q->tests & (FILTER_T_UNSYNC | FILTER_T_STRATUM));
				c->stratum = q->have_reply ? q->reply.stratum : -1;
			} else {
				query_note(q, c->error, sizeof(c->error));
			}
			break;
		}
	}
	for (size_t j = 0; j < nt; j++)
		query_target_fini(&t[j]);
	free(t);
	free(specs);
}

static int
choose(const struct snapshot *s, int wanted)
{
	if (wanted >= 0)
		return wanted;
	for (int d = 0; d < SNAP_N_DAEMONS; d++)
		if (s->svc[d].running)
			return d;
	return -1;
}

void
gather_host(struct snapshot *s, const struct gather_opts *o)
{
	struct probe_detect_opts dopts = {{NULL}};
	int r;

	s->real_ns = sock_realtime_ns();
	if (o->service >= 0 && o->service < SNAP_N_DAEMONS)
		dopts.conf[o->service] = o->conf;
	probe_detect(s, &dopts);
	r = probe_kernel_read(&s->kernel);
	s->have_kernel = r == 0;
	s->kernel_err = r;
	s->primary = choose(s, o->service);
	switch (s->primary) {
	case SNAP_CHRONYD: {
		struct probe_chronyd_opts co = {o->socket, o->address, o->timeout_ns, o->want_vars};
		r = probe_chronyd(s, &co); /* on failure the reason is in the snapshot */
		break;
	}
	case SNAP_NTPD: {
		struct probe_ntpd_opts no = {o->address, o->timeout_ns, o->want_vars,
		    o->want_details};
		r = probe_ntpd(s, &no); /* on failure the reason is in the snapshot */
		break;
	}
	case SNAP_TIMESYNCD:
		ask_timesyncd(s, o);
		break;
	default:
		break;
	}
}
