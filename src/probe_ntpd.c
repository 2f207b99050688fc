/* probe_ntpd.c: mode 6 over UDP: READSTAT for the associations, READVAR 0 for the system,
 * READVAR N for each association. Each request has a fresh random sequence number; fragments
 * are put back together by wire_mode6's reassembler, which rejects what is not ours. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_ntpd.h"
#include "snapshot.h"
#include "sock.h"
#include "strutil.h"
#include "timeutil.h"
#include "wire_mode6.h"
#include "xalloc.h"

#define TRIES 3

struct conn {
	int fd;
	char endpoint[300];
	int64_t timeout_ns;
	bool want_vars;
	bool want_details;
	struct mode6_reasm *reasm;
};

static int
open_conn(struct conn *c, const char *address)
{
	struct hostspec hs;
	char err[160];

	if (strutil_parse_hostspec(address ? address : "127.0.0.1", &hs, err, sizeof(err)) < 0)
		return -EINVAL;
	c->fd =
	    sock_udp_connect(hs.host, hs.port ? hs.port : 123, c->endpoint, sizeof(c->endpoint));
	return c->fd < 0 ? c->fd : 0;
}

static uint16_t
fresh_sequence(void)
{
	uint16_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (uint16_t)sock_monotonic_ns();
	return v ? v : 1;
}

/* One request, its whole (reassembled) response. Returns 0, -ETIMEDOUT, -ECONNREFUSED, or
 * -EPROTO with *st saying what was wrong (e.g. WIRE_MODE6_SERVER_ERROR). */
static int
ask_names(struct conn *c, unsigned opcode, uint16_t assoc, const char *const *names, size_t n_names,
    enum wire_mode6_status *st)
{
	uint8_t out[WIRE_MODE6_MAX_REQUEST], in[2048];

	for (int attempt = 0; attempt < TRIES; attempt++) {
		uint16_t seq = fresh_sequence();
		size_t len = 0;
		if (opcode == WIRE_MODE6_OP_READSTAT)
			len = wire_mode6_encode_readstat(out, seq, assoc);
		else if (wire_mode6_encode_readvar(out, seq, assoc, names, n_names, &len) !=
		    WIRE_MODE6_OK)
			return -EINVAL;
		wire_mode6_reasm_init(c->reasm, opcode, seq, assoc);
		if (send(c->fd, out, len, 0) < 0)
			return -errno;
		int64_t deadline = sock_monotonic_ns() + c->timeout_ns;
		for (int i = 0; i < 2 * WIRE_MODE6_MAX_FRAGS + 16; i++) { /* bounded */
			ssize_t n = sock_recv_until(c->fd, in, sizeof(in), deadline);
			if (n == 0)
				break;
			if (n < 0)
				return (int)n;
			*st = wire_mode6_reasm_add(c->reasm, in, (size_t)n);
			if (*st == WIRE_MODE6_DONE)
				return 0;
			if (*st == WIRE_MODE6_NEED_MORE || wire_mode6_is_stray(*st))
				continue;
			return -EPROTO;
		}
		*st = wire_mode6_reasm_finish(c->reasm);
		if (*st != WIRE_MODE6_NO_REPLY)
			return *st == WIRE_MODE6_DONE ? 0 : -EPROTO;
	}
	return -ETIMEDOUT;
}

static int
ask(struct conn *c, unsigned opcode, uint16_t assoc, enum wire_mode6_status *st)
{
	return ask_names(c, opcode, assoc, NULL, 0, st);
}

/* The packet counters ntpq's pstats shows; not among the default peer variables, so asked by
 * name, once per association and only for doctor. A daemon that lacks them leaves -1. */
static void
read_counters(struct conn *c, struct snap_source *src, uint16_t assoc, struct mode6_varlist *vl)
{
	static const char *const names[] = {"sent", "received"};
	enum wire_mode6_status st;
	int64_t v;

	if (ask_names(c, WIRE_MODE6_OP_READVAR, assoc, names, CW_ARRAY_LEN(names), &st) < 0 ||
	    wire_mode6_parse_varlist((const char *)c->reasm->data, c->reasm->len, vl) ==
	        WIRE_MODE6_TOO_MANY_VARS)
		return;
	const struct mode6_var *sent = wire_mode6_varlist_find(vl, "sent");
	const struct mode6_var *rcvd = wire_mode6_varlist_find(vl, "received");
	if (sent && wire_mode6_get_int(sent, 0, INT64_MAX, &v) == WIRE_MODE6_OK)
		src->pkts_sent = v;
	if (rcvd && wire_mode6_get_int(rcvd, 0, INT64_MAX, &v) == WIRE_MODE6_OK)
		src->pkts_received = v;
}

/* Text for people: printable ASCII kept, anything else as \xNN (NTPsec 1.2.2 leaks stack bytes
 * into filter registers), cut at the bound. */
static void
printable(char *dst, size_t cap, const char *src, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < cap; i++) {
		unsigned char ch = (unsigned char)src[i];
		if (ch >= 0x20 && ch < 0x7f)
			dst[o++] = (char)ch;
		else
			o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", ch);
	}
	dst[o] = '\0';
}

/* The filter registers as ntpq prints them (ms, newest first), from their decoded values. */
static bool
filter_text(const char *name, const struct mode6_peer_vars *pv, char *buf, size_t len)
{
	const double *r = !strcmp(name, "filtdelay") ? pv->filtdelay_s
	    : !strcmp(name, "filtoffset")            ? pv->filtoffset_s
	    : !strcmp(name, "filtdisp")              ? pv->filtdisp_s
	                                             : NULL;
	size_t o = 0;

	if (!r)
		return false;
	buf[0] = '\0';
	for (int i = 0; i < WIRE_MODE6_FILTER_STAGES && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%.3f", i ? " " : "", r[i] * 1e3);
	return true;
}

/* Every variable of a list, as the daemon wrote it (pv: the decoded peer variables, NULL for
 * the system's). */
static void
keep_vars(struct snap_vars *out, const struct mode6_varlist *l, const struct mode6_peer_vars *pv)
{
	for (size_t i = 0; i < l->n; i++) {
		char name[SNAP_VAR_NAME_MAX], value[SNAP_VAR_VALUE_MAX];
		printable(name, sizeof(name), l->vars[i].name, l->vars[i].name_len);
		if (!pv || !filter_text(name, pv, value, sizeof(value)))
			printable(value, sizeof(value), l->vars[i].value,
			    l->vars[i].has_value ? l->vars[i].value_len : 0);
		snapshot_add_var(out, name, value);
	}
}

static enum snap_leap
leap_of(int leap)
{
	return leap >= 0 && leap <= 3 ? (enum snap_leap)leap : SNAP_LEAP_UNSYNC;
}

static void
take_system(struct snapshot *s, const struct mode6_sys_vars *v)
{
	s->have_system = true;
	s->system_from = SNAP_FROM_NTPD_MODE6;
	if (v->have & (1u << WIRE_MODE6_SYS_VERSION))
		snprintf(s->svc[SNAP_NTPD].version, sizeof(s->svc[0].version), "%.60s",
		    v->version + (strncmp(v->version, "ntpd ", 5) ? 0 : 5));
	if (v->have & (1u << WIRE_MODE6_SYS_LEAP))
		s->leap = leap_of(v->leap);
	if (v->have & (1u << WIRE_MODE6_SYS_STRATUM))
		s->stratum = v->stratum;
	if (v->have & (1u << WIRE_MODE6_SYS_REFID))
		snprintf(s->refid, sizeof(s->refid), "%.15s", v->refid);
	if ((v->have & (1u << WIRE_MODE6_SYS_REFTIME)) && v->reftime)
		s->last_sync_age_s =
		    (double)(s->real_ns - timeutil_ntp64_to_ns(v->reftime, s->real_ns)) / 1e9;
	if (v->have & (1u << WIRE_MODE6_SYS_OFFSET))
		s->offset_s = v->offset_s; /* ntpd's sign is RFC 5905's: + = this clock behind */
	if (v->have & (1u << WIRE_MODE6_SYS_FREQUENCY))
		s->freq_ppm = -v->frequency_ppm; /* ntpd gives the correction: - of the error */
	if (v->have & (1u << WIRE_MODE6_SYS_ROOTDELAY))
		s->root_delay_s = v->rootdelay_s;
	if (v->have & (1u << WIRE_MODE6_SYS_ROOTDISP))
		s->root_disp_s = v->rootdisp_s;
	if (isfinite(s->root_delay_s) && isfinite(s->root_disp_s))
		s->root_distance_s = s->offset_error_s = s->root_delay_s / 2 + s->root_disp_s;
	if (v->have & (1u << WIRE_MODE6_SYS_TC))
		s->poll_s = ldexp(1.0, v->tc);
	s->synchronized = s->leap != SNAP_LEAP_UNSYNC && s->stratum > 0 && s->stratum < 16 &&
	    (v->have & (1u << WIRE_MODE6_SYS_PEER)) && v->peer != 0;
}

/* The filter register's stages that hold samples: ntpd fills empty ones with dispersion 16 s. */
static void
take_filter(struct snap_source *src, const struct mode6_peer_vars *v)
{
	const uint64_t need =
	    (1u << WIRE_MODE6_PEER_FILTDELAY) | (1u << WIRE_MODE6_PEER_FILTOFFSET);
	bool have_disp = v->have & (1u << WIRE_MODE6_PEER_FILTDISP);

	if ((v->have & need) != need)
		return;
	for (int i = 0; i < WIRE_MODE6_FILTER_STAGES && i < SNAP_FILTER_STAGES; i++) {
		if (have_disp ? v->filtdisp_s[i] >= 16.0 : v->filtdelay_s[i] <= 0)
			break;
		src->filt_delay_s[i] = v->filtdelay_s[i];
		src->filt_offset_s[i] = v->filtoffset_s[i];
		src->n_filter = i + 1;
	}
}

static void
take_peer(struct snapshot *s, struct snap_source *src, const struct mode6_assoc *a,
    const struct mode6_peer_vars *v)
{
	src->tally = wire_mode6_select_tally(a->status.select);
	src->assoc_id = a->assoc;
	src->status_word = a->status_word;
	src->configured = a->status.is_configured;
	src->auth = !a->status.is_auth_enabled ? 0 : a->status.is_authentic ? 1 : 2;
	src->event_count = a->status.event_count;
	const char *ev = wire_mode6_peer_event_name(a->status.event);
	snprintf(src->last_event, sizeof(src->last_event), "%s", ev ? ev : "");
	snprintf(src->state, sizeof(src->state), "%s", wire_mode6_select_name(a->status.select));
	if (v->have & (1u << WIRE_MODE6_PEER_SRCADR))
		snprintf(src->addr, sizeof(src->addr), "%.63s", v->srcadr);
	snprintf(src->name, sizeof(src->name), "%s",
	    (v->have & (1u << WIRE_MODE6_PEER_SRCHOST)) ? v->srchost : src->addr);
	src->type = !strncmp(src->addr, "127.127.", 8) ? 'l'
	    : (v->hmode == 1 || v->hmode == 2)         ? 's'
	                                               : 'u';
	if (v->have & (1u << WIRE_MODE6_PEER_REFID))
		snprintf(src->refid, sizeof(src->refid), "%.15s", v->refid);
	if (v->have & (1u << WIRE_MODE6_PEER_STRATUM))
		src->stratum = v->stratum;
	if ((v->have & (1u << WIRE_MODE6_PEER_REC)) && v->rec)
		src->when_s = (double)(s->real_ns - timeutil_ntp64_to_ns(v->rec, s->real_ns)) / 1e9;
	if ((v->have & (1u << WIRE_MODE6_PEER_HPOLL)) && (v->have & (1u << WIRE_MODE6_PEER_PPOLL)))
		src->poll_s = ldexp(1.0, v->ppoll < v->hpoll ? v->ppoll : v->hpoll);
	if (v->have & (1u << WIRE_MODE6_PEER_REACH))
		src->reach = (int)(v->reach & 0xff);
	if (v->have & (1u << WIRE_MODE6_PEER_DELAY))
		src->delay_s = v->delay_s;
	if (v->have & (1u << WIRE_MODE6_PEER_OFFSET))
		src->offset_s = v->offset_s;
	if (v->have & (1u << WIRE_MODE6_PEER_JITTER))
		src->jitter_s = v->jitter_s;
	if (v->have & (1u << WIRE_MODE6_PEER_FLASH))
		src->flash = (int)v->flash;
	if (v->have & (1u << WIRE_MODE6_PEER_LEAP))
		src->leap = v->leap & 3;
	take_filter(src, v);
}

static int
by_assoc(const void *a, const void *b)
{
	const struct mode6_assoc *x = a, *y = b;

	return (x->assoc > y->assoc) - (x->assoc < y->assoc);
}

static int
read_peers(struct conn *c, struct snapshot *s, int sys_peer)
{
	struct mode6_assoc *assocs = xcalloc(PROBE_NTPD_MAX_ASSOCS, sizeof(*assocs));
	struct mode6_varlist *vl = xmalloc(sizeof(*vl));
	enum wire_mode6_status st;
	size_t n = 0;
	int r = ask(c, WIRE_MODE6_OP_READSTAT, 0, &st);

	if (r == 0)
		(void)wire_mode6_decode_assocs(c->reasm->data, c->reasm->len, assocs,
		    PROBE_NTPD_MAX_ASSOCS, &n);
	qsort(assocs, n, sizeof(*assocs), by_assoc); /* ntpq's order */
	s->sources_from = SNAP_FROM_NTPD_MODE6;
	for (size_t i = 0; i < n && r == 0; i++) {
		struct mode6_peer_vars v;
		struct snap_source *src = snapshot_add_source(s);
		memset(&v, 0, sizeof(v));
		if (ask(c, WIRE_MODE6_OP_READVAR, assocs[i].assoc, &st) == 0 &&
		    wire_mode6_parse_varlist((const char *)c->reasm->data, c->reasm->len, vl) !=
		        WIRE_MODE6_TOO_MANY_VARS)
			(void)wire_mode6_decode_peer_vars(vl, &v, NULL);
		take_peer(s, src, &assocs[i], &v);
		if (c->want_vars) {
			char buf[200];
			snapshot_add_varf(&src->vars, "associd", "%u", assocs[i].assoc);
			snapshot_add_varf(&src->vars, "status", "%04x %s", assocs[i].status_word,
			    wire_mode6_format_peer_status(assocs[i].status_word, buf, sizeof(buf)));
			keep_vars(&src->vars, vl, &v);
			if (v.have & (1u << WIRE_MODE6_PEER_FLASH))
				snapshot_add_var(&src->vars, "flash_names",
				    wire_mode6_format_flash(v.flash, buf, sizeof(buf)));
		}
		if (assocs[i].assoc == sys_peer && s->have_system) {
			snprintf(s->source_addr, sizeof(s->source_addr), "%s", src->addr);
			snprintf(s->source_name, sizeof(s->source_name), "%s", src->name);
		}
		if (c->want_details) /* last: it reuses vl and the reassembly buffer */
			read_counters(c, src, assocs[i].assoc, vl);
	}
	free(vl);
	free(assocs);
	return r;
}

int
probe_ntpd(struct snapshot *s, const struct probe_ntpd_opts *o)
{
	struct snap_service *svc = &s->svc[SNAP_NTPD];
	struct conn c = {.fd = -1,
	    .timeout_ns = o->timeout_ns > 0 ? o->timeout_ns : 1000000000,
	    .want_vars = o->want_vars,
	    .want_details = o->want_details};
	struct mode6_varlist *vl = NULL;
	struct mode6_sys_vars sv;
	enum wire_mode6_status st = WIRE_MODE6_OK;
	int r;

	svc->asked = true;
	r = open_conn(&c, o->address);
	if (r < 0) {
		snapshot_why(svc, "cannot reach ntpd at %.100s: %s",
		    o->address ? o->address : "127.0.0.1:123", strerror(-r));
		return r;
	}
	snprintf(svc->endpoint, sizeof(svc->endpoint), "%s", c.endpoint);
	c.reasm = xmalloc(sizeof(*c.reasm));
	vl = xmalloc(sizeof(*vl));
	memset(&sv, 0, sizeof(sv));
	r = ask(&c, WIRE_MODE6_OP_READVAR, 0, &st);
	if (r == 0) {
		(void)wire_mode6_parse_varlist((const char *)c.reasm->data, c.reasm->len, vl);
		(void)wire_mode6_decode_sys_vars(vl, &sv, NULL);
		svc->answering = true;
		svc->error[0] = '\0';
		take_system(s, &sv);
		if (o->want_vars) {
			char buf[200];
			snapshot_add_varf(&s->system_vars, "status", "%04x %s", c.reasm->status,
			    wire_mode6_format_sys_status(c.reasm->status, buf, sizeof(buf)));
			keep_vars(&s->system_vars, vl, NULL);
		}
		r = read_peers(&c, s, (sv.have & (1u << WIRE_MODE6_SYS_PEER)) ? sv.peer : 0);
	} else if (r == -EPROTO && st == WIRE_MODE6_SERVER_ERROR) {
		snapshot_why(svc, "ntpd at %.150s refused: %s", c.endpoint,
		    wire_mode6_error_name(c.reasm->error_code));
	} else if (r == -EPROTO) {
		snapshot_why(svc, "ntpd at %.150s: %s", c.endpoint, wire_mode6_strerror(st));
	} else if (r == -ECONNREFUSED) {
		snapshot_why(svc, "nothing answers mode 6 at %.150s (is ntpd running?)",
		    c.endpoint);
	} else if (r == -ETIMEDOUT) {
		snapshot_why(svc,
		    "ntpd at %.150s does not answer mode 6 (ntpsec needs a restrict line that "
		    "allows "
		    "queries from here)",
		    c.endpoint);
	} else {
		snapshot_why(svc, "ntpd at %.150s: %s", c.endpoint, strerror(-r));
	}
	free(vl);
	free(c.reasm);
	close(c.fd);
	return r;
}
