/* probe_ntp.c: the I/O half of `clockwatch query`: resolve, send, receive, time out. Every
 * judgement of a reply is query.c's; this file only moves bytes and reads clocks.
 *
 * One unconnected UDP socket per address family serves all targets; replies are matched to their
 * target by source address and port through a hash table, then by the random transmit timestamp
 * echoed in the origin field. Each target sends its next request only when the previous one is
 * answered or timed out, so requests never overlap. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "probe_ntp.h"
#include "query.h"
#include "resolve.h"
#include "sock.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

#define RX_BATCH 512 /* datagrams read per wake-up before other work gets a turn */
#define RATE_MIN_SPACING_NS (INT64_C(2) * 1000000000)
#define ERR_BATCH 65536          /* error-queue entries (TX timestamps, ICMP) read per wake-up */
#define TX_RING 16384            /* recent sends whose kernel TX timestamp may still come */
#define TX_MAX_LAG_NS 1000000000 /* a TX timestamp later than T1 + this is not trusted */

struct run;

struct pt {
	struct query_target t;
	struct run *run;
	struct sockaddr_storage sa;
	socklen_t salen;
	int fd;
	int64_t last_send_ns; /* monotonic */
	uint32_t tx_id;       /* number of the outstanding request on its socket */
	bool t1_kernel;       /* t.t1_ns is the kernel's transmit timestamp */
	int64_t spacing_ns;
	struct loop_timer send_tm, timeout_tm;
	bool done;
	unsigned stale_errors; /* sends that failed with another target's ICMP error */
};

struct spec_state {
	struct pt **pts;
	size_t n;
	bool resolved;
};

struct tx_slot {
	uint32_t id;
	struct pt *p;
};

/* One socket per address family, shared by all targets of that family. Requests are numbered
 * as the kernel numbers them (SOF_TIMESTAMPING_OPT_ID) so a TX timestamp finds its target. */
struct usock {
	int fd;
	int err; /* why it could not be opened */
	bool tx_ts;
	uint32_t next_id;
	struct tx_slot *ring;
};

struct run {
	const struct probe_ntp_opts *o;
	struct loop *loop;
	struct resolve *res;
	struct spec_state *specs;
	const struct hostspec *hs;
	size_t nspecs, n_unresolved, n_active;
	struct usock u4, u6;
	struct pt **table; /* open addressing on (address, port) */
	size_t table_cap, table_n;
	int64_t deadline_ns; /* monotonic: nothing is sent that could not be answered by then */
	struct loop_timer resolve_tm;
	struct probe_ntp_stats *stats;
	uint8_t rnd[4096];
	size_t rnd_left;
	uint8_t rxbuf[WIRE_NTP_MAX_LEN + 1];
};

/* ---- the address table ---- */

static uint64_t
addr_hash(const struct sockaddr *sa)
{
	const uint8_t *p;
	size_t n;
	uint64_t h = 1469598103934665603u; /* FNV-1a */

	if (sa->sa_family == AF_INET6) {
		p = (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		n = 16;
	} else {
		p = (const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		n = 4;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211u;
	return (h ^ sock_addr_port(sa)) * 1099511628211u;
}

static struct pt *
table_find(const struct run *r, const struct sockaddr *sa)
{
	if (!r->table_cap)
		return NULL;
	for (size_t i = addr_hash(sa) & (r->table_cap - 1);; i = (i + 1) & (r->table_cap - 1)) {
		struct pt *p = r->table[i];
		if (!p)
			return NULL;
		if (sock_addr_equal((const struct sockaddr *)&p->sa, sa))
			return p;
	}
}

static void
table_put(struct run *r, struct pt *p)
{
	if (2 * (r->table_n + 1) > r->table_cap) {
		struct pt **old = r->table;
		size_t oldcap = r->table_cap;
		r->table_cap = oldcap ? 2 * oldcap : 64;
		r->table = xcalloc(r->table_cap, sizeof(*r->table));
		r->table_n = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i])
				table_put(r, old[i]);
		free(old);
	}
	size_t i = addr_hash((const struct sockaddr *)&p->sa) & (r->table_cap - 1);
	while (r->table[i])
		i = (i + 1) & (r->table_cap - 1);
	r->table[i] = p;
	r->table_n++;
}

/* ---- requests ---- */

static uint64_t
random_xmt(struct run *r)
{
	uint64_t v = 0;

	while (v == 0) {
		if (r->rnd_left < sizeof(v)) {
			ssize_t n = getrandom(r->rnd, sizeof(r->rnd), 0);
			if (n < (ssize_t)sizeof(v)) {
				/* No entropy source: still unpredictable enough across runs. */
				for (size_t i = 0; i < sizeof(r->rnd); i++)
					r->rnd[i] = (uint8_t)(rand() ^ (int)sock_monotonic_ns());
				n = sizeof(r->rnd);
			}
			r->rnd_left = (size_t)n;
		}
		r->rnd_left -= sizeof(v);
		memcpy(&v, r->rnd + r->rnd_left, sizeof(v));
	}
	return v;
}

static void finish_pt(struct pt *p);
static void send_cb(struct loop *l, void *data);

static void
schedule_next(struct pt *p)
{
	struct run *r = p->run;
	int64_t now = loop_now_ns(r->loop);
	int64_t next = p->last_send_ns + p->spacing_ns;

	loop_timer_cancel(r->loop, &p->timeout_tm);
	if (p->t.stopped || p->t.n_sent >= r->o->count) {
		finish_pt(p);
		return;
	}
	if (next < now)
		next = now;
	if (next + r->o->timeout_ns > r->deadline_ns) {
		finish_pt(p); /* backed off past the end of the run */
		return;
	}
	loop_timer_arm(r->loop, &p->send_tm, next, send_cb, p);
}

static void
timeout_cb(struct loop *l, void *data)
{
	struct pt *p = data;

	(void)l;
	p->t.prev_xmt_wire = p->t.xmt_wire;
	p->t.xmt_wire = 0;
	schedule_next(p);
}

static void
fail_pt(struct pt *p, const char *what, int err)
{
	snprintf(p->t.error, sizeof(p->t.error), "%s: %s", what, strerror(err));
	p->t.status = QUERY_ERROR;
	p->t.stopped = true;
	finish_pt(p);
}

static void
send_cb(struct loop *l, void *data)
{
	struct pt *p = data;
	struct run *r = p->run;
	uint8_t pkt[WIRE_NTP_HEADER_LEN];
	struct ntp_packet req = {.version = 4, .mode = WIRE_NTP_MODE_CLIENT};

	/* A request carries nothing but a random transmit timestamp (as chrony's client mode):
	 * our clock stays private and a reply must echo 64 unguessable bits. */
	req.transmit_ts = random_xmt(r);
	wire_ntp_encode(&req, pkt);
	int64_t t1 = sock_realtime_ns();
	ssize_t n = sendto(p->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&p->sa, p->salen);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
		loop_timer_arm(l, &p->send_tm, loop_now_ns(l) + 1000000, send_cb, p);
		return;
	}
	/* The socket is shared and unconnected: an ICMP error that came back for another target
	 * is reported by the kernel on this send (and cleared by it). Not ours: send again. */
	if (n < 0 &&
	    (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH ||
	        errno == EHOSTDOWN) &&
	    p->stale_errors++ < 8) {
		loop_timer_arm(l, &p->send_tm, loop_now_ns(l), send_cb, p);
		return;
	}
	if (n < 0) {
		int e = errno;
		bool no_v6 = p->t.family == AF_INET6 &&
		    (e == EADDRNOTAVAIL || e == ENETUNREACH || e == EAFNOSUPPORT);
		fail_pt(p,
		    no_v6 ? "IPv6 is not available on this host (send failed)" : "send failed", e);
		return;
	}
	p->t.xmt_wire = req.transmit_ts;
	p->t.t1_ns = t1;
	p->t1_kernel = false;
	p->t.n_sent++;
	struct usock *u = p->t.family == AF_INET6 ? &r->u6 : &r->u4;
	if (u->tx_ts) {
		p->tx_id = u->next_id++;
		u->ring[p->tx_id % TX_RING].id = p->tx_id;
		u->ring[p->tx_id % TX_RING].p = p;
	}
	p->last_send_ns = loop_now_ns(l);
	loop_timer_arm(l, &p->timeout_tm, p->last_send_ns + r->o->timeout_ns, timeout_cb, p);
}

static void
finish_pt(struct pt *p)
{
	struct run *r = p->run;

	if (p->done)
		return;
	p->done = true;
	loop_timer_cancel(r->loop, &p->send_tm);
	loop_timer_cancel(r->loop, &p->timeout_tm);
	r->n_active--;
	if (r->n_active == 0 && r->n_unresolved == 0)
		loop_stop(r->loop);
}

/* ---- receiving ---- */

static void
handle_datagram(struct run *r, struct pt *p, const struct sock_msg *m)
{
	if (m->truncated) {
		query_drop_oversize(&p->t, m->wire_len);
		return;
	}
	if (!m->rx_kernel)
		r->stats->kernel_rx_ts = false;
	switch (query_handle_reply(&p->t, r->rxbuf, m->len, m->rx_ns, r->stats->local_precision)) {
	case QUERY_DROPPED:
		return;
	case QUERY_KOD_RATE:
		/* RFC 5905 §7.4: reduce the rate at once, more on each RATE. */
		p->spacing_ns =
		    p->spacing_ns < RATE_MIN_SPACING_NS ? RATE_MIN_SPACING_NS : 2 * p->spacing_ns;
		break;
	case QUERY_ACCEPTED:
		if (p->t1_kernel)
			r->stats->n_t1_kernel++;
		else
			r->stats->n_t1_user++;
		break;
	case QUERY_CONSUMED:
	case QUERY_KOD_STOP:
		break;
	}
	if (!p->done)
		schedule_next(p);
}

/* The kernel's transmit timestamp replaces T1 read before sendto(), if the request is still
 * outstanding. A timestamp earlier than that read means our numbering no longer matches the
 * kernel's: stop using them on this socket rather than pair a request with another's time. */
static void
take_tx_timestamp(struct usock *u, const struct sock_err *e)
{
	struct pt *p = u->ring[e->tx_id % TX_RING].p;

	if (!p || u->ring[e->tx_id % TX_RING].id != e->tx_id || p->tx_id != e->tx_id ||
	    p->t.xmt_wire == 0 || p->t1_kernel)
		return;
	if (e->tx_ns < p->t.t1_ns) {
		log_debug("transmit timestamps out of step on fd %d: using user-space T1", u->fd);
		u->tx_ts = false;
		return;
	}
	if (e->tx_ns - p->t.t1_ns > TX_MAX_LAG_NS)
		return;
	p->t.t1_ns = e->tx_ns;
	p->t1_kernel = true;
}

static void
read_errors(struct run *r, struct usock *u)
{
	for (int i = 0; i < ERR_BATCH; i++) {
		struct sock_err e;
		if (sock_recv_error(u->fd, &e) <= 0)
			return;
		if (e.kind == SOCK_ERR_TX_TIMESTAMP && u->tx_ts) {
			take_tx_timestamp(u, &e);
			continue;
		}
		if (e.kind != SOCK_ERR_ICMP || !e.err)
			continue;
		struct pt *p = table_find(r, (const struct sockaddr *)&e.dest);
		if (!p || p->t.xmt_wire == 0 || p->done)
			continue;
		/* The request was refused, not lost: don't wait out the timeout. An ICMP error
		 * proves little (anyone can send one), so later samples are still tried. */
		query_icmp_error(&p->t, e.err);
		schedule_next(p);
	}
}

static void
recv_cb(struct loop *l, int fd, short revents, void *data)
{
	struct run *r = data;

	(void)l;
	/* Error queue first: the TX timestamps of the requests these replies answer are there. */
	if (revents & POLLERR)
		read_errors(r, fd == r->u6.fd ? &r->u6 : &r->u4);
	for (int i = 0; i < RX_BATCH; i++) {
		struct sock_msg m;
		int n = sock_recv(fd, r->rxbuf, sizeof(r->rxbuf), &m);
		if (n <= 0) {
			if (n < 0 && n != -EINTR)
				log_debug("receive: %s", strerror(-n));
			return;
		}
		struct pt *p = table_find(r, (const struct sockaddr *)&m.from);
		if (!p || p->t.n_sent == 0) {
			r->stats->stray++;
			continue;
		}
		handle_datagram(r, p, &m);
	}
}

/* ---- targets from resolver answers ---- */

static int
socket_for(struct run *r, int family, int *err)
{
	struct usock *u = family == AF_INET6 ? &r->u6 : &r->u4;

	if (u->fd < 0 && u->err == 0) {
		/* Room for a burst of replies from thousands of targets. */
		int rcvbuf = r->nspecs > 64 ? 32 << 20 : 0;
		int s = sock_udp_open(family, rcvbuf, SOCK_F_RECVERR | SOCK_F_TX_TIMESTAMPS);
		if (s < 0) {
			u->err = -s;
		} else if (loop_add_fd(r->loop, s, POLLIN, recv_cb, r) < 0) {
			close(s);
			u->err = EMFILE;
		} else {
			u->fd = s;
			u->tx_ts = sock_has_tx_timestamps(s);
			if (u->tx_ts)
				u->ring = xcalloc(TX_RING, sizeof(*u->ring));
		}
	}
	*err = u->err;
	return u->fd;
}

static struct pt *
new_pt(struct run *r, struct spec_state *ss, const char *host)
{
	struct pt *p = xcalloc(1, sizeof(*p));

	query_target_init(&p->t, host, r->o->count);
	p->t.measure_unsync = r->o->measure_unsync;
	p->run = r;
	p->fd = -1;
	p->spacing_ns = r->o->interval_ns;
	ss->pts = xreallocarray(ss->pts, ss->n + 1, sizeof(*ss->pts));
	ss->pts[ss->n++] = p;
	r->n_active++;
	return p;
}

static void
add_address(struct run *r, struct spec_state *ss, const struct hostspec *hs,
    const struct addrinfo *ai)
{
	struct pt *p = new_pt(r, ss, hs->host);
	uint16_t port = hs->port ? hs->port : PROBE_NTP_DEFAULT_PORT;
	int err;

	memcpy(&p->sa, ai->ai_addr, ai->ai_addrlen);
	p->salen = ai->ai_addrlen;
	if (ai->ai_family == AF_INET6)
		((struct sockaddr_in6 *)&p->sa)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)&p->sa)->sin_port = htons(port);
	p->t.family = ai->ai_family;
	p->t.port = port;
	sock_addr_str((const struct sockaddr *)&p->sa, p->t.addr, sizeof(p->t.addr));
	if (table_find(r, (const struct sockaddr *)&p->sa)) {
		snprintf(p->t.error, sizeof(p->t.error),
		    "same address and port as an earlier target");
		p->t.status = QUERY_ERROR;
		finish_pt(p);
		return;
	}
	p->fd = socket_for(r, ai->ai_family, &err);
	if (p->fd < 0) {
		fail_pt(p,
		    ai->ai_family == AF_INET6 ? "IPv6 is not available on this host (socket)"
		                              : "no IPv4 socket",
		    err);
		return;
	}
	table_put(r, p);
	loop_timer_arm(r->loop, &p->send_tm, loop_now_ns(r->loop), send_cb, p);
}

static void
spec_error(struct run *r, size_t i, const char *detail)
{
	struct pt *p = new_pt(r, &r->specs[i], r->hs[i].host);

	snprintf(p->t.error, sizeof(p->t.error), "cannot resolve '%s': %s", r->hs[i].host, detail);
	p->t.status = QUERY_ERROR;
	p->t.port = r->hs[i].port ? r->hs[i].port : PROBE_NTP_DEFAULT_PORT;
	finish_pt(p);
}

static void
take_resolved(struct run *r)
{
	for (size_t i = 0; i < r->nspecs; i++) {
		const struct addrinfo *res;
		const char *err;
		if (r->specs[i].resolved || !resolve_result(r->res, i, &res, &err))
			continue;
		r->specs[i].resolved = true;
		r->n_unresolved--;
		if (!res) {
			spec_error(r, i, err);
			continue;
		}
		for (const struct addrinfo *ai = res; ai; ai = ai->ai_next)
			if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
				add_address(r, &r->specs[i], &r->hs[i], ai);
	}
	if (r->n_unresolved == 0) {
		loop_timer_cancel(r->loop, &r->resolve_tm);
		loop_remove_fd(r->loop, resolve_fd(r->res));
		if (r->n_active == 0)
			loop_stop(r->loop);
	}
}

static void
resolve_cb(struct loop *l, int fd, short revents, void *data)
{
	struct run *r = data;

	(void)l;
	(void)fd;
	(void)revents;
	resolve_drain(r->res);
	take_resolved(r);
}

static void
resolve_timeout_cb(struct loop *l, void *data)
{
	struct run *r = data;
	char msg[64];

	(void)l;
	resolve_drain(r->res);
	take_resolved(r);
	snprintf(msg, sizeof(msg), "no answer within %.1f s", (double)r->o->timeout_ns / 1e9);
	for (size_t i = 0; i < r->nspecs; i++) {
		if (r->specs[i].resolved)
			continue;
		r->specs[i].resolved = true;
		r->n_unresolved--;
		spec_error(r, i, msg);
	}
	loop_remove_fd(r->loop, resolve_fd(r->res));
	if (r->n_active == 0)
		loop_stop(r->loop);
}

/* ---- the run ---- */

int
probe_ntp_local_precision(void)
{
	int64_t best = INT64_MAX, prev = sock_realtime_ns();

	for (int i = 0; i < 64; i++) {
		int64_t now = sock_realtime_ns();
		if (now > prev && now - prev < best)
			best = now - prev;
		prev = now;
	}
	if (best == INT64_MAX)
		best = 1000;
	return (int)floor(log2((double)best / 1e9));
}

static void
collect(struct run *r, struct query_target **out, size_t *nout)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < r->nspecs; i++)
		n += r->specs[i].n;
	*out = xcalloc(n ? n : 1, sizeof(**out));
	for (size_t i = 0; i < r->nspecs; i++) {
		for (size_t j = 0; j < r->specs[i].n; j++) {
			struct pt *p = r->specs[i].pts[j];
			query_finish(&p->t, r->stats->local_precision);
			(*out)[k++] = p->t; /* the samples move with it */
			free(p);
		}
		free(r->specs[i].pts);
	}
	*nout = n;
}

static void
cancel_all(struct run *r)
{
	for (size_t i = 0; i < r->nspecs; i++)
		for (size_t j = 0; j < r->specs[i].n; j++) {
			struct pt *p = r->specs[i].pts[j];
			loop_timer_cancel(r->loop, &p->send_tm);
			loop_timer_cancel(r->loop, &p->timeout_tm);
		}
	loop_timer_cancel(r->loop, &r->resolve_tm);
}

int
probe_ntp_query(const struct hostspec *specs, size_t n, const struct probe_ntp_opts *o,
    struct query_target **out, size_t *nout, struct probe_ntp_stats *stats)
{
	struct run r = {.o = o, .hs = specs, .nspecs = n, .u4.fd = -1, .u6.fd = -1, .stats = stats};
	const char **hosts = xcalloc(n ? n : 1, sizeof(*hosts));
	int err = 0, rc;

	*stats = (struct probe_ntp_stats){.kernel_rx_ts = true};
	stats->local_precision = probe_ntp_local_precision();
	for (size_t i = 0; i < n; i++)
		hosts[i] = specs[i].host;
	r.loop = loop_new();
	int64_t start = loop_now_ns(r.loop);
	r.specs = xcalloc(n ? n : 1, sizeof(*r.specs));
	r.n_unresolved = n;
	r.res = resolve_start(hosts, n, o->family, &err);
	free(hosts);
	if (!r.res) {
		loop_free(r.loop);
		free(r.specs);
		return err;
	}
	/* Each sample may take max(interval, timeout); names may take one timeout to resolve. */
	int64_t per = o->interval_ns > o->timeout_ns ? o->interval_ns : o->timeout_ns;
	r.deadline_ns = start + o->timeout_ns + (int64_t)(o->count - 1) * per + o->timeout_ns +
	    INT64_C(50000000);
	if (loop_add_fd(r.loop, resolve_fd(r.res), POLLIN, resolve_cb, &r) < 0)
		abort(); /* the first fd of a new loop */
	loop_timer_arm(r.loop, &r.resolve_tm, start + o->timeout_ns, resolve_timeout_cb, &r);
	rc = loop_run(r.loop, r.deadline_ns);
	cancel_all(&r);
	stats->elapsed_ns = sock_monotonic_ns() - start;
	collect(&r, out, nout);
	resolve_free(r.res);
	for (struct usock *u = &r.u4; u; u = u == &r.u4 ? &r.u6 : NULL) {
		if (u->fd >= 0)
			close(u->fd);
		free(u->ring);
	}
	free(r.table);
	free(r.specs);
	loop_free(r.loop);
	return rc;
}
