/* query.c: judging replies and summarising one query run; pure (time comes in as arguments). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "query.h"
#include "timeutil.h"
#include "xalloc.h"

void
query_target_init(struct query_target *t, const char *host, size_t max_samples)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->host, sizeof(t->host), "%s", host);
	t->max_samples = max_samples ? max_samples : 1;
	t->samples = xreallocarray(NULL, t->max_samples, sizeof(*t->samples));
	t->tally = ' ';
}

void
query_target_fini(struct query_target *t)
{
	free(t->samples);
	t->samples = NULL;
}

static enum query_action
drop(struct query_target *t, unsigned *counter, const char *why)
{
	(*counter)++;
	snprintf(t->drop_reason, sizeof(t->drop_reason), "%s", why);
	return QUERY_DROPPED;
}

static enum query_action
handle_kod(struct query_target *t, const struct ntp_packet *p)
{
	enum wire_ntp_kiss k = wire_ntp_kiss(p);

	/* LI 3, stratum 0 and no code at all is how chronyd (and clockwatch's own responder) answer
	 * while not synchronized: RFC 5905 maps stratum 16 to 0 on the wire. Not a kiss. */
	if (p->leap == WIRE_NTP_LEAP_UNSYNC && memcmp(p->refid, "\0\0\0\0", 4) == 0) {
		t->kiss_code[0] = '\0';
		t->xmt_wire = 0;
		t->tests |= FILTER_T_UNSYNC;
		t->n_kod_other++;
		return QUERY_CONSUMED;
	}
	for (int i = 0; i < 4; i++)
		t->kiss_code[i] =
		    (p->refid[i] >= 0x20 && p->refid[i] < 0x7f) ? (char)p->refid[i] : '.';
	t->kiss_code[4] = '\0';
	t->xmt_wire = 0;
	switch (k) {
	case WIRE_NTP_KISS_RATE:
		t->n_kod_rate++;
		t->tests |= FILTER_T_RATE;
		return QUERY_KOD_RATE;
	case WIRE_NTP_KISS_DENY:
	case WIRE_NTP_KISS_RSTR:
		t->tests |= FILTER_T_DENIED;
		t->stopped = true;
		return QUERY_KOD_STOP;
	default:
		t->n_kod_other++;
		return QUERY_CONSUMED;
	}
}

enum query_action
query_handle_reply(struct query_target *t, const void *data, size_t len, int64_t t4_ns,
    int local_precision)
{
	struct ntp_packet p;
	size_t off = 0;
	char why[120];
	enum wire_ntp_status st = wire_ntp_decode(data, len, &p, &off);

	if (st != WIRE_NTP_OK) {
		if (st == WIRE_NTP_BAD_EXTENSION)
			snprintf(why, sizeof(why), "%s at byte %zu of %zu", wire_ntp_strerror(st),
			    off, len);
		else if (st == WIRE_NTP_BAD_VERSION)
			snprintf(why, sizeof(why), "bad version %u", p.version);
		else
			snprintf(why, sizeof(why), "%s (%zu octets)", wire_ntp_strerror(st), len);
		return drop(t, &t->n_malformed, why);
	}
	if (p.mode != WIRE_NTP_MODE_SERVER) {
		snprintf(why, sizeof(why), "wrong mode %u (want 4, server)", p.mode);
		return drop(t, &t->n_wrong_mode, why);
	}
	if (t->xmt_wire == 0 || p.origin_ts != t->xmt_wire) {
		if (t->prev_xmt_wire != 0 && p.origin_ts == t->prev_xmt_wire) {
			t->prev_xmt_wire = 0;
			t->n_late++;
			return QUERY_DROPPED;
		}
		if (t->last_reply_xmt != 0 && p.transmit_ts == t->last_reply_xmt) {
			t->tests |= FILTER_T_DUPLICATE;
			return drop(t, &t->n_duplicate, "duplicate reply");
		}
		t->tests |= FILTER_T_BOGUS;
		return drop(t, &t->n_bogus, "origin timestamp does not match our request");
	}
	/* An unsynchronized server's clock, when that is what is wanted (the cluster's nodes):
	 * the sample is taken, the reply still fails the unsynchronized and stratum tests. */
	bool unsync_clock = t->measure_unsync && p.leap == WIRE_NTP_LEAP_UNSYNC &&
	    memcmp(p.refid, "\0\0\0\0", 4) == 0;
	if (p.stratum == 0 && !unsync_clock)
		return handle_kod(t, &p);
	unsigned tests = filter_check_header(&p);
	t->tests |= tests;
	t->xmt_wire = 0;
	if (tests & FILTER_T_INVALID_TS) {
		t->n_invalid_ts++;
		return QUERY_CONSUMED;
	}
	if (t->n_samples < t->max_samples)
		filter_sample_compute(&p, t->t1_ns, t4_ns, local_precision,
		    &t->samples[t->n_samples++]);
	t->last_reply_xmt = p.transmit_ts;
	t->reply = p;
	t->have_reply = true;
	return QUERY_ACCEPTED;
}

void
query_drop_oversize(struct query_target *t, size_t len)
{
	char why[64];

	snprintf(why, sizeof(why), "oversize (%zu octets, at most %d)", len, WIRE_NTP_MAX_LEN);
	drop(t, &t->n_malformed, why);
}

void
query_icmp_error(struct query_target *t, int err)
{
	t->n_icmp++;
	t->icmp_errno = err;
	t->prev_xmt_wire = t->xmt_wire;
	t->xmt_wire = 0;
}

static void
set_error_from_drops(struct query_target *t)
{
	unsigned n = t->n_malformed + t->n_wrong_mode + t->n_bogus + t->n_duplicate;

	snprintf(t->error, sizeof(t->error), "%u invalid repl%s, last: %s", n, n == 1 ? "y" : "ies",
	    t->drop_reason);
}

static void
finish_without_samples(struct query_target *t)
{
	if (t->stopped) {
		t->status = QUERY_UNUSABLE;
		snprintf(t->error, sizeof(t->error),
		    "kiss-o'-death %s: access denied, stopped querying", t->kiss_code);
	} else if (t->n_kod_rate) {
		t->status = QUERY_KOD;
		snprintf(t->error, sizeof(t->error),
		    "kiss-o'-death RATE: rate limited, backed off");
	} else if (t->n_kod_other && !t->kiss_code[0]) {
		t->status = QUERY_UNUSABLE;
		snprintf(t->error, sizeof(t->error),
		    "server not synchronized (LI 3, stratum 0): no time given");
	} else if (t->n_kod_other) {
		t->status = QUERY_UNUSABLE;
		snprintf(t->error, sizeof(t->error), "kiss code %s: no time given", t->kiss_code);
	} else if (t->n_invalid_ts) {
		t->status = QUERY_UNUSABLE;
		snprintf(t->error, sizeof(t->error),
		    "invalid timestamps (zero or inconsistent) in %u "
		    "repl%s",
		    t->n_invalid_ts, t->n_invalid_ts == 1 ? "y" : "ies");
	} else if (t->n_icmp && t->icmp_errno == ECONNREFUSED) {
		t->status = QUERY_ERROR;
		snprintf(t->error, sizeof(t->error),
		    "port unreachable: nothing listens on UDP port %u (ICMP)", t->port);
	} else if (t->n_icmp) {
		t->status = QUERY_ERROR;
		snprintf(t->error, sizeof(t->error), "ICMP error: %s", strerror(t->icmp_errno));
	} else if (t->n_malformed + t->n_wrong_mode + t->n_bogus + t->n_duplicate > 0) {
		t->status = QUERY_ERROR;
		set_error_from_drops(t);
	} else {
		t->status = QUERY_TIMEOUT;
		if (t->n_late)
			snprintf(t->error, sizeof(t->error), "no reply in time (%u late)",
			    t->n_late);
		else
			snprintf(t->error, sizeof(t->error), "no reply");
	}
	t->tests |= FILTER_T_UNREACHABLE;
}

void
query_finish(struct query_target *t, int local_precision)
{
	if (t->status == QUERY_ERROR && t->n_samples == 0)
		return; /* never asked, or a send failed before any reply: the error says why */
	if (t->n_samples == 0) {
		finish_without_samples(t);
		return;
	}
	filter_run(t->samples, t->n_samples, timeutil_log2_to_s(local_precision), &t->filt);
	t->root_delay_s = timeutil_ntp_short_to_s(t->reply.root_delay);
	t->root_disp_s = timeutil_ntp_short_to_s(t->reply.root_dispersion);
	t->root_distance_s = filter_root_distance(t->root_delay_s, t->root_disp_s, t->filt.delay_s,
	    t->filt.dispersion_s, t->filt.jitter_s);
	t->error_bound_s = t->filt.delay_s / 2.0 + t->filt.dispersion_s;
	if (t->root_distance_s >= FILTER_MAXDIST)
		t->tests |= FILTER_T_DISTANCE;
	t->status = (t->tests & FILTER_UNFIT_MASK) ? QUERY_UNUSABLE : QUERY_OK;
	if (t->status == QUERY_UNUSABLE) {
		size_t o = 0;
		o += (size_t)snprintf(t->error, sizeof(t->error), "failed:");
		for (unsigned i = 0; i < FILTER_N_TESTS && o < sizeof(t->error); i++)
			if (t->tests & FILTER_UNFIT_MASK & (1u << i))
				o += (size_t)snprintf(t->error + o, sizeof(t->error) - o, " %s",
				    filter_test_name(i));
	}
}

void
query_select(struct query_target *t, size_t n, struct select_result *res)
{
	struct select_cand *c = xreallocarray(NULL, n ? n : 1, sizeof(*c));
	size_t *idx = xreallocarray(NULL, n ? n : 1, sizeof(*idx));
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		t[i].tally = '?';
		if (t[i].status != QUERY_OK)
			continue;
		/* One sample has no jitter; its error bound stands in for the noise the cluster
		 * algorithm must not mistake for outliers. */
		c[m] = (struct select_cand){.offset_s = t[i].filt.offset_s,
		    .root_distance_s = t[i].root_distance_s,
		    .jitter_s = t[i].n_samples > 1 ? t[i].filt.jitter_s : t[i].error_bound_s,
		    .stratum = t[i].reply.stratum};
		idx[m++] = i;
	}
	select_run(c, m, res);
	for (size_t k = 0; k < m; k++)
		t[idx[k]].tally = c[k].tally;
	if (res->sys_peer >= 0)
		res->sys_peer = (long)idx[res->sys_peer];
	free(c);
	free(idx);
}

void
query_note(const struct query_target *t, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	if (t->status != QUERY_OK) {
		snprintf(buf, len, "%s", t->error);
		return;
	}
	if (t->tally == SELECT_TALLY_FALSETICKER)
		o += (size_t)snprintf(buf + o, len - o, "falseticker; ");
	else if (t->tally == SELECT_TALLY_OUTLIER)
		o += (size_t)snprintf(buf + o, len - o, "outlier; ");
	if (t->n_kod_rate && o < len)
		o += (size_t)snprintf(buf + o, len - o, "rate limited (RATE), backed off; ");
	if (t->n_samples < t->n_sent && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%zu/%u answered; ", t->n_samples,
		    t->n_sent);
	if (t->n_late && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%u late; ", t->n_late);
	if (t->n_bogus + t->n_duplicate + t->n_malformed + t->n_wrong_mode && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%u dropped (%s); ",
		    t->n_bogus + t->n_duplicate + t->n_malformed + t->n_wrong_mode, t->drop_reason);
	if (t->reply.leap == WIRE_NTP_LEAP_INS && o < len)
		o += (size_t)snprintf(buf + o, len - o, "leap second insert pending; ");
	else if (t->reply.leap == WIRE_NTP_LEAP_DEL && o < len)
		o += (size_t)snprintf(buf + o, len - o, "leap second delete pending; ");
	if (o >= 2 && o < len)
		buf[o - 2] = '\0';
}

const char *
query_status_name(enum query_status st)
{
	static const char *const names[] = {"ok", "timeout", "kod", "unusable", "error"};

	return (unsigned)st < CW_ARRAY_LEN(names) ? names[st] : "?";
}

void
query_remote(const struct query_target *t, char *buf, size_t len)
{
	char a[80];
	bool v6 = t->family == AF_INET6;

	if (!t->addr[0]) {
		snprintf(buf, len, "%s", t->host);
		return;
	}
	if (t->port != 123)
		snprintf(a, sizeof(a), v6 ? "[%s]:%u" : "%s:%u", t->addr, t->port);
	else
		snprintf(a, sizeof(a), "%s", t->addr);
	if (strcmp(t->host, t->addr) == 0)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s (%s)", t->host, a);
}

const char *
query_leap_name(unsigned leap)
{
	static const char *const names[] = {"none", "insert", "delete", "unsynchronized"};

	return names[leap & 3];
}
