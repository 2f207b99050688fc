/* probe_chronyd.c: cmdmon over a Unix datagram socket or UDP. Each request is padded to the
 * length of its longest reply (chronyd answers nothing longer than the request), carries a fresh
 * random sequence number and is retried twice when no reply comes within the timeout; a reply
 * counts only if wire_chrony_decode accepts it for that command and sequence. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "probe_chronyd.h"
#include "snapshot.h"
#include "sock.h"
#include "strutil.h"
#include "wire_chrony.h"

#define TRIES 3

struct conn {
	int fd;
	bool is_unix;
	bool want_vars;
	char local_dir[64]; /* our own socket's directory, removed at the end */
	char endpoint[DAEMONCONF_PATH_MAX];
	int64_t timeout_ns;
};

static void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->local_dir[0]) {
		char path[128];
		snprintf(path, sizeof(path), "%s/sock", c->local_dir);
		unlink(path);
		rmdir(c->local_dir);
		c->local_dir[0] = '\0';
	}
}

/* chronyd replies to the address the request came from, so a Unix client binds a path of its
 * own that chronyd (often running as _chrony) may write to. */
static int
open_unix(struct conn *c, const char *path)
{
	struct sockaddr_un local = {.sun_family = AF_UNIX}, remote = {.sun_family = AF_UNIX};

	if (strlen(path) >= sizeof(remote.sun_path))
		return -ENAMETOOLONG;
	snprintf(remote.sun_path, sizeof(remote.sun_path), "%s", path);
	snprintf(c->local_dir, sizeof(c->local_dir), "/tmp/clockwatch-XXXXXX");
	if (!mkdtemp(c->local_dir)) {
		c->local_dir[0] = '\0';
		return -errno;
	}
	(void)chmod(c->local_dir, 0711);
	snprintf(local.sun_path, sizeof(local.sun_path), "%s/sock", c->local_dir);
	c->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return -errno;
	if (bind(c->fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    chmod(local.sun_path, 0666) < 0 ||
	    connect(c->fd, (struct sockaddr *)&remote, sizeof(remote)) < 0)
		return -errno;
	c->is_unix = true;
	snprintf(c->endpoint, sizeof(c->endpoint), "%s", path);
	return 0;
}

static int
open_udp(struct conn *c, const char *host, uint16_t port)
{
	c->fd = sock_udp_connect(host, port, c->endpoint, sizeof(c->endpoint));
	return c->fd < 0 ? c->fd : 0;
}

static uint32_t
fresh_sequence(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (uint32_t)sock_monotonic_ns();
	return v;
}

/* One request and its reply, with retries. Returns 0, -ETIMEDOUT, -ECONNREFUSED (nothing
 * listens), or -EPROTO with *st saying how chronyd answered (e.g. WIRE_CHRONY_UNAUTH). */
static int
exchange(struct conn *c, struct chrony_request *req, struct chrony_reply *rep,
    enum wire_chrony_status *st)
{
	uint8_t out[WIRE_CHRONY_MAX_REQ_LEN], in[WIRE_CHRONY_MAX_REPLY_LEN + 64];
	size_t len;

	*st = WIRE_CHRONY_OK;
	for (int attempt = 0; attempt < TRIES; attempt++) {
		req->attempt = (uint16_t)attempt;
		req->sequence = fresh_sequence();
		if (wire_chrony_encode(req, out, sizeof(out), &len) != WIRE_CHRONY_OK)
			return -EINVAL;
		if (send(c->fd, out, len, 0) < 0)
			return -errno;
		int64_t deadline = sock_monotonic_ns() + c->timeout_ns;
		for (int i = 0; i < 64; i++) { /* bounded: stray datagrams cannot keep us here */
			ssize_t n = sock_recv_until(c->fd, in, sizeof(in), deadline);
			if (n == 0)
				break;
			if (n < 0)
				return (int)n; /* -ECONNREFUSED: nothing listens there */
			*st = wire_chrony_decode(in, (size_t)n, req->command, req->sequence, rep,
			    NULL);
			if (*st == WIRE_CHRONY_OK)
				return 0;
			if (*st >= WIRE_CHRONY_UNAUTH && *st <= WIRE_CHRONY_FAILED)
				return -EPROTO; /* chronyd's own answer: do not retry */
			/* not a valid reply to this request: keep waiting */
		}
	}
	return -ETIMEDOUT;
}

static int
connect_any(struct conn *c, struct snap_service *svc, const struct probe_chronyd_opts *o)
{
	const struct daemonconf *conf = &svc->conf;
	const char *sock_path = o->socket;
	char host[STRUTIL_HOST_MAX + 1] = "";
	uint16_t port = conf->cmdport > 0 ? (uint16_t)conf->cmdport : PROBE_CHRONYD_DEFAULT_PORT;
	int r = -ENOENT;

	if (!sock_path && !o->address) {
		for (int i = 0; i < 2; i++)
			if (conf->bindcmdaddress[i][0] == '/')
				sock_path = conf->bindcmdaddress[i];
		if (!sock_path)
			sock_path = PROBE_CHRONYD_DEFAULT_SOCKET;
	}
	if (sock_path) {
		r = open_unix(c, sock_path);
		if (r == 0)
			return 0;
		snprintf(svc->endpoint, sizeof(svc->endpoint), "%s", sock_path);
		snapshot_why(svc, "Unix socket %.150s: %s", sock_path, strerror(-r));
		if (r == -EACCES || r == -EPERM)
			snprintf(svc->note, sizeof(svc->note),
			    "Unix socket %.120s: permission denied (needs root or chronyd's user): "
			    "without it no refid, delay or ntpdata per source",
			    sock_path);
		conn_close(c);
		if (o->socket)
			return r;
	}
	if (conf->cmdport == 0 && !o->address)
		return r; /* the command port is disabled: only the socket could answer */
	if (o->address) {
		struct hostspec hs;
		char err[160];
		if (strutil_parse_hostspec(o->address, &hs, err, sizeof(err)) < 0) {
			snapshot_why(svc, "chronyd address: %s", err);
			return -EINVAL;
		}
		snprintf(host, sizeof(host), "%s", hs.host);
		if (hs.port)
			port = hs.port;
	} else {
		for (int i = 0; i < 2 && !host[0]; i++)
			if (conf->bindcmdaddress[i][0] && conf->bindcmdaddress[i][0] != '/')
				snprintf(host, sizeof(host), "%.255s", conf->bindcmdaddress[i]);
		if (!host[0] || !strcmp(host, "0.0.0.0") || !strcmp(host, "::"))
			snprintf(host, sizeof(host), "127.0.0.1");
	}
	r = open_udp(c, host, port);
	if (r < 0)
		conn_close(c);
	return r;
}

/* ---- filling the snapshot ---- */

/* A refid as ntpq shows it: text for stratum 0 and 1 when it is printable (a clock's name),
 * else the upstream's IPv4 address (or the hash chrony makes of an IPv6 one), dotted. */
static void
refid_text(uint32_t refid, int stratum, char *buf, size_t len)
{
	char txt[16];

	wire_chrony_format_refid(refid, txt, sizeof(txt));
	if (stratum <= 1 && txt[0] &&
	    strlen(txt) ==
	        strspn(txt,
	            "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	            "abcdefghijklmnopqrstuvwxyz0123456789"
	            "-_.:+"))
		snprintf(buf, len, "%s", txt);
	else
		snprintf(buf, len, "%u.%u.%u.%u", refid >> 24, (refid >> 16) & 0xff,
		    (refid >> 8) & 0xff, refid & 0xff);
}

static void
take_tracking(struct snapshot *s, const struct chrony_tracking *t)
{
	s->have_system = true;
	s->system_from = SNAP_FROM_CHRONY_CMDMON;
	s->stratum = t->stratum;
	s->leap = t->leap <= 3 ? (enum snap_leap)t->leap : SNAP_LEAP_UNSYNC;
	s->synchronized = t->refid != 0 && t->leap != 3 && t->stratum > 0 && t->stratum < 16;
	if (t->refid)
		refid_text(t->refid, t->stratum > 1 ? t->stratum - 1 : 0, s->refid,
		    sizeof(s->refid));
	if (t->addr.family == WIRE_CHRONY_AF_INET4 || t->addr.family == WIRE_CHRONY_AF_INET6)
		wire_chrony_format_addr(&t->addr, s->source_addr, sizeof(s->source_addr));
	else
		wire_chrony_format_name(NULL, t->refid, s->source_addr, sizeof(s->source_addr));
	snprintf(s->source_name, sizeof(s->source_name), "%s", s->source_addr);
	s->offset_s = t->current_correction_s;
	/* chronyd keeps its reference time in its estimate of true time: this clock plus the
	 * correction still to make (seconds off when it may not set the clock) */
	if (t->ref_time_s) {
		double ref = (double)t->ref_time_s + t->ref_time_frac_ns * 1e-9;
		s->last_sync_age_s = (double)s->real_ns / 1e9 + s->offset_s - ref;
	}
	s->root_delay_s = t->root_delay_s;
	s->root_disp_s = t->root_dispersion_s;
	s->root_distance_s = t->root_delay_s / 2 + t->root_dispersion_s;
	s->offset_error_s = s->root_distance_s;
	s->freq_ppm = t->freq_ppm;
	s->poll_s = t->last_update_interval_s;
}

static char
ntpq_type(uint16_t mode)
{
	return mode == WIRE_CHRONY_MODE_PEER ? 's' : mode == WIRE_CHRONY_MODE_REFCLOCK ? 'l' : 'u';
}

static void
take_source(struct snap_source *src, const struct chrony_source_data *d)
{
	wire_chrony_format_name(d->mode == WIRE_CHRONY_MODE_REFCLOCK ? NULL : &d->addr, d->refid,
	    src->addr, sizeof(src->addr));
	snprintf(src->name, sizeof(src->name), "%s", src->addr);
	src->tally = wire_chrony_state_char(d->state);
	src->type = ntpq_type(d->mode);
	src->stratum = d->stratum;
	src->poll_s = ldexp(1.0, d->poll_log2);
	src->reach = d->reach & 0xff;
	if (d->since_sample_s != WIRE_CHRONY_NEVER) {
		src->when_s = d->since_sample_s;
		src->offset_s = d->offset_s;
		src->offset_error_s = d->last_sample_err_s;
	}
	snprintf(src->state, sizeof(src->state), "%s", wire_chrony_state_name(d->state));
}

static void
take_stats(struct snap_source *src, const struct chrony_sourcestats *st)
{
	src->n_samples = (int)st->n_samples;
	src->freq_ppm = st->resid_freq_ppm;
	src->freq_skew_ppm = st->skew_ppm;
	src->std_dev_s = st->sd_s;
	src->jitter_s = st->sd_s;
}

static void
take_ntp_data(struct snap_source *src, const struct chrony_ntp_data *n)
{
	src->delay_s = n->peer_delay_s;
	src->auth = n->authenticated ? 1 : 0;
	refid_text(n->refid, n->stratum, src->refid, sizeof(src->refid));
	src->pkts_sent = n->total_tx_count;
	src->pkts_received = n->total_rx_count;
	src->pkts_valid = n->total_valid_count;
	if (n->total_rx_count > 0) { /* else the packet fields are chronyd's zeros */
		src->ntp_tests = n->tests;
		src->leap = n->leap & 3;
	}
}

/* ---- the report fields, named as chronyc names them, for `clockwatch vars` ---- */

static void
tracking_vars(struct snap_vars *v, const struct chrony_tracking *t)
{
	char buf[64];

	snapshot_add_varf(v, "reference_id", "%08X", t->refid);
	snapshot_add_var(v, "address", wire_chrony_format_addr(&t->addr, buf, sizeof(buf)));
	snapshot_add_varf(v, "stratum", "%u", t->stratum);
	snapshot_add_varf(v, "ref_time", "%llu.%09u", (unsigned long long)t->ref_time_s,
	    t->ref_time_frac_ns);
	snapshot_add_varf(v, "system_time_s", "%.9f", t->current_correction_s);
	snapshot_add_varf(v, "last_offset_s", "%.9f", t->last_offset_local_minus_ref_s);
	snapshot_add_varf(v, "rms_offset_s", "%.9f", t->rms_offset_s);
	snapshot_add_varf(v, "frequency_ppm", "%.3f", t->freq_ppm);
	snapshot_add_varf(v, "residual_freq_ppm", "%.3f", t->resid_freq_ppm);
	snapshot_add_varf(v, "skew_ppm", "%.3f", t->skew_ppm);
	snapshot_add_varf(v, "root_delay_s", "%.9f", t->root_delay_s);
	snapshot_add_varf(v, "root_dispersion_s", "%.9f", t->root_dispersion_s);
	snapshot_add_varf(v, "update_interval_s", "%.1f", t->last_update_interval_s);
	snapshot_add_var(v, "leap_status", wire_chrony_leap_name(t->leap));
}

static void
source_vars(struct snap_vars *v, const struct chrony_source_data *d)
{
	char buf[64];

	snapshot_add_var(v, "address",
	    wire_chrony_format_name(d->mode == WIRE_CHRONY_MODE_REFCLOCK ? NULL : &d->addr,
	        d->refid, buf, sizeof(buf)));
	snapshot_add_varf(v, "mode", "%c", wire_chrony_mode_char(d->mode));
	snapshot_add_var(v, "state", wire_chrony_state_name(d->state));
	snapshot_add_varf(v, "stratum", "%u", d->stratum);
	snapshot_add_varf(v, "poll", "%d", d->poll_log2);
	snapshot_add_varf(v, "reach", "%o", d->reach);
	if (d->since_sample_s != WIRE_CHRONY_NEVER) {
		snapshot_add_varf(v, "last_rx_s", "%u", d->since_sample_s);
		snapshot_add_varf(v, "last_sample_s", "%.9f", d->last_sample_local_minus_src_s);
		snapshot_add_varf(v, "last_sample_measured_s", "%.9f",
		    d->last_sample_orig_local_minus_src_s);
		snapshot_add_varf(v, "last_sample_error_s", "%.9f", d->last_sample_err_s);
	}
}

static void
stats_vars(struct snap_vars *v, const struct chrony_sourcestats *st)
{
	snapshot_add_varf(v, "np", "%u", st->n_samples);
	snapshot_add_varf(v, "nr", "%u", st->n_runs);
	snapshot_add_varf(v, "span_s", "%u", st->span_s);
	snapshot_add_varf(v, "frequency_ppm", "%.3f", st->resid_freq_ppm);
	snapshot_add_varf(v, "freq_skew_ppm", "%.3f", st->skew_ppm);
	snapshot_add_varf(v, "offset_s", "%.9f", st->est_offset_local_minus_src_s);
	snapshot_add_varf(v, "std_dev_s", "%.9f", st->sd_s);
}

static void
ntp_vars(struct snap_vars *v, const struct chrony_ntp_data *n)
{
	char buf[200];

	snapshot_add_varf(v, "remote_port", "%u", n->remote_port);
	snapshot_add_var(v, "local_address", wire_chrony_format_addr(&n->local_addr, buf, 64));
	snapshot_add_varf(v, "leap", "%u", n->leap);
	snapshot_add_varf(v, "version", "%u", n->version);
	snapshot_add_varf(v, "ntp_mode", "%u", n->mode);
	snapshot_add_varf(v, "precision", "%d", n->precision_log2);
	snapshot_add_varf(v, "root_delay_s", "%.6f", n->root_delay_s);
	snapshot_add_varf(v, "root_dispersion_s", "%.6f", n->root_dispersion_s);
	snapshot_add_varf(v, "reference_id", "%08X", n->refid);
	snapshot_add_varf(v, "ntp_offset_s", "%.9f", n->offset_s);
	snapshot_add_varf(v, "peer_delay_s", "%.9f", n->peer_delay_s);
	snapshot_add_varf(v, "peer_dispersion_s", "%.9f", n->peer_dispersion_s);
	snapshot_add_varf(v, "response_time_s", "%.9f", n->response_time_s);
	snapshot_add_varf(v, "jitter_asymmetry", "%+.2f", n->jitter_asymmetry);
	snapshot_add_varf(v, "ntp_tests", "%03x", n->tests);
	snapshot_add_var(v, "failed_tests", wire_chrony_format_failed_tests(n->tests, buf, 200));
	snapshot_add_var(v, "interleaved", n->interleaved ? "yes" : "no");
	snapshot_add_var(v, "authenticated", n->authenticated ? "yes" : "no");
	snapshot_add_varf(v, "tx_timestamping", "%c", n->tx_tss_char);
	snapshot_add_varf(v, "rx_timestamping", "%c", n->rx_tss_char);
	snapshot_add_varf(v, "total_tx", "%u", n->total_tx_count);
	snapshot_add_varf(v, "total_rx", "%u", n->total_rx_count);
	snapshot_add_varf(v, "total_valid_rx", "%u", n->total_valid_count);
}

static int
read_sources(struct conn *c, struct snapshot *s)
{
	struct chrony_request req = {.command = WIRE_CHRONY_REQ_N_SOURCES};
	struct chrony_reply rep;
	enum wire_chrony_status st;
	int r = exchange(c, &req, &rep, &st);

	if (r < 0)
		return r;
	uint32_t n = rep.u.n_sources;
	if (n > WIRE_CHRONY_MAX_SOURCES)
		n = WIRE_CHRONY_MAX_SOURCES;
	s->sources_from = SNAP_FROM_CHRONY_CMDMON;
	for (uint32_t i = 0; i < n; i++) {
		req = (struct chrony_request){.command = WIRE_CHRONY_REQ_SOURCE_DATA, .index = i};
		if (exchange(c, &req, &rep, &st) < 0)
			continue; /* a source removed meanwhile: NOSUCHSOURCE */
		struct snap_source *src = snapshot_add_source(s);
		take_source(src, &rep.u.source);
		if (c->want_vars)
			source_vars(&src->vars, &rep.u.source);
		src->assoc_id = (int)i + 1;
		struct chrony_addr addr = rep.u.source.addr;
		bool is_ntp = rep.u.source.mode != WIRE_CHRONY_MODE_REFCLOCK;
		req = (struct chrony_request){.command = WIRE_CHRONY_REQ_SOURCESTATS, .index = i};
		if (exchange(c, &req, &rep, &st) == 0) {
			take_stats(src, &rep.u.sourcestats);
			if (c->want_vars)
				stats_vars(&src->vars, &rep.u.sourcestats);
		}
		if (!c->is_unix || !is_ntp)
			continue; /* NTP_DATA is not open over UDP */
		req = (struct chrony_request){.command = WIRE_CHRONY_REQ_NTP_DATA, .addr = addr};
		if (exchange(c, &req, &rep, &st) == 0) {
			take_ntp_data(src, &rep.u.ntp);
			if (c->want_vars)
				ntp_vars(&src->vars, &rep.u.ntp);
		}
		req = (struct chrony_request){.command = WIRE_CHRONY_REQ_NTP_SOURCE_NAME,
		    .addr = addr};
		if (exchange(c, &req, &rep, &st) == 0 && rep.u.source_name[0])
			snprintf(src->name, sizeof(src->name), "%.255s", rep.u.source_name);
	}
	return 0;
}

int
probe_chronyd(struct snapshot *s, const struct probe_chronyd_opts *o)
{
	struct snap_service *svc = &s->svc[SNAP_CHRONYD];
	struct conn c = {.fd = -1,
	    .timeout_ns = o->timeout_ns > 0 ? o->timeout_ns : 1000000000,
	    .want_vars = o->want_vars};
	struct chrony_request req = {.command = WIRE_CHRONY_REQ_TRACKING};
	struct chrony_reply rep;
	enum wire_chrony_status st;
	int r;

	svc->asked = true;
	r = connect_any(&c, svc, o);
	if (r < 0) {
		if (!svc->error[0])
			snapshot_why(svc, "cannot reach chronyd: %s", strerror(-r));
		return r;
	}
	snprintf(svc->endpoint, sizeof(svc->endpoint), "%s", c.endpoint);
	r = exchange(&c, &req, &rep, &st);
	if (r == 0) {
		svc->answering = true;
		svc->error[0] = '\0';
		take_tracking(s, &rep.u.tracking);
		if (c.want_vars)
			tracking_vars(&s->system_vars, &rep.u.tracking);
		r = read_sources(&c, s);
	} else if (r == -EPROTO) {
		snapshot_why(svc, "chronyd at %.150s refused: %s", c.endpoint,
		    wire_chrony_stt_meaning(rep.status));
	} else if (r == -ECONNREFUSED) {
		snapshot_why(svc,
		    "nothing answers at %.150s (is chronyd running? is cmdport disabled?)",
		    c.endpoint);
	} else {
		snapshot_why(svc, "chronyd at %.150s: %s", c.endpoint, strerror(-r));
	}
	conn_close(&c);
	return r;
}
