/* responder.c: clockwatch's NTP server mode on the agent's loop (see responder.h).
 *
 * Each wake-up drains at most RESPONDER_BATCH datagrams, so a flood cannot starve the rest of
 * the loop; the kernel queues (or drops) the others. A datagram is answered only when its source
 * address is on the allowed list (exact match; IPv4 is kept as IPv4-mapped IPv6, so both
 * spellings compare equal), when it is a bare 48-octet client request, and when that address's
 * token bucket has a token. Buckets exist only for allowed addresses, one each, allocated at
 * start: spoofed sources cost no memory. Refusals are counted, and warned about at most once per
 * RESPONDER_WARN_INTERVAL_NS. Timestamps: the kernel's receive time (SO_TIMESTAMPNS) and a
 * CLOCK_REALTIME read just before sendto(); the bucket runs on the loop's monotonic now. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "ntp_server.h"
#include "responder.h"
#include "sock.h"
#include "strutil.h"
#include "timeutil.h"
#include "wire_ntp.h"
#include "xalloc.h"

#define RESPONDER_BATCH 32
#define RESPONDER_RX_LEN 512 /* anything longer is not a request we answer */
#define RESPONDER_DEFAULT_PORT 123
#define RESPONDER_WARN_INTERVAL_NS (INT64_C(300) * TIMEUTIL_NS_PER_S)

enum refusal { REF_NOT_ALLOWED, REF_RATE, REF_MALFORMED, REF_N };

struct responder {
	struct loop *l;
	int fd;
	char listen[80];               /* "addr:port", for the log */
	struct ntp_server_clock clock; /* under mu: set by another thread */
	pthread_mutex_t mu;            /* clock and st */
	struct in6_addr *allowed;      /* IPv4 as IPv4-mapped */
	struct ntp_rate *bucket;       /* one per allowed address */
	size_t n_allowed;
	double rate_per_s, burst;
	struct responder_stats st;
	/* refusals since the last warning, and the last address of each kind */
	uint64_t n_refused[REF_N];
	char last_refused[REF_N][INET6_ADDRSTRLEN];
	int64_t warned_ns; /* monotonic time of the last warning, 0: none yet */
	uint8_t rx[RESPONDER_RX_LEN];
};

/* ::ffff:a.b.c.d (RFC 4291 §2.5.5.2) */
static void
map_v4(const struct in_addr *a4, struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->s6_addr[10] = 0xff;
	out->s6_addr[11] = 0xff;
	memcpy(&out->s6_addr[12], a4, sizeof(*a4));
}

/* A numeric IPv4 or IPv6 address as IPv6 (IPv4-mapped for IPv4). */
static bool
parse_addr(const char *s, struct in6_addr *out)
{
	struct in_addr a4;

	if (inet_pton(AF_INET6, s, out) == 1)
		return true;
	if (inet_pton(AF_INET, s, &a4) != 1)
		return false;
	map_v4(&a4, out);
	return true;
}

static bool
sockaddr_to_in6(const struct sockaddr_storage *ss, struct in6_addr *out)
{
	if (ss->ss_family == AF_INET6) {
		*out = ((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr;
		return true;
	}
	if (ss->ss_family != AF_INET)
		return false;
	map_v4(&((const struct sockaddr_in *)(const void *)ss)->sin_addr, out);
	return true;
}

/* The index of the source's allowed entry, or -1. */
static long
find_allowed(const struct responder *r, const struct sockaddr_storage *from)
{
	struct in6_addr a;

	if (!sockaddr_to_in6(from, &a))
		return -1;
	for (size_t i = 0; i < r->n_allowed; i++)
		if (memcmp(&r->allowed[i], &a, sizeof(a)) == 0)
			return (long)i;
	return -1;
}

static void
warn_refusals(struct responder *r)
{
	static const char *const what[REF_N] = {"from addresses not allowed", "over the rate limit",
	    "malformed or unsupported"};
	char msg[400] = "";
	size_t o = 0;

	for (int k = 0; k < REF_N; k++) {
		if (!r->n_refused[k] || o >= sizeof(msg))
			continue;
		o +=
		    (size_t)snprintf(msg + o, sizeof(msg) - o, "%s%llu %s (last %s)", o ? ", " : "",
		        (unsigned long long)r->n_refused[k], what[k], r->last_refused[k]);
		r->n_refused[k] = 0;
	}
	log_warning("NTP responder on %s: refused requests: %s; next such warning in 5 min at the "
	            "earliest",
	    r->listen, msg);
}

static void
refuse(struct responder *r, enum refusal k, const struct sockaddr_storage *from)
{
	int64_t now = loop_now_ns(r->l);
	uint64_t *stat[REF_N] = {&r->st.not_allowed, &r->st.rate_limited, &r->st.malformed};

	pthread_mutex_lock(&r->mu);
	(*stat[k])++;
	pthread_mutex_unlock(&r->mu);
	r->n_refused[k]++;
	sock_addr_str((const struct sockaddr *)from, r->last_refused[k],
	    sizeof(r->last_refused[k]));
	if (r->warned_ns == 0 || now - r->warned_ns >= RESPONDER_WARN_INTERVAL_NS) {
		warn_refusals(r);
		r->warned_ns = now ? now : 1;
	}
}

static void
answer(struct responder *r, const struct sock_msg *m)
{
	uint8_t out[WIRE_NTP_HEADER_LEN];
	long idx = find_allowed(r, &m->from);
	struct ntp_server_clock clk;

	pthread_mutex_lock(&r->mu);
	clk = r->clock;
	pthread_mutex_unlock(&r->mu);
	if (idx < 0) {
		refuse(r, REF_NOT_ALLOWED, &m->from);
		return;
	}
	uint64_t rx_ts = timeutil_ns_to_ntp64(m->rx_ns);
	/* First whether it is a request we answer at all, so that junk costs the sender's bucket
	 * nothing and is counted as what it is; then the bucket; then the real reply. */
	if (m->truncated || sock_addr_port((const struct sockaddr *)&m->from) == 0 ||
	    ntp_server_reply(r->rx, m->len, &clk, rx_ts, rx_ts, out, sizeof(out)) == 0) {
		refuse(r, REF_MALFORMED, &m->from);
		return;
	}
	if (!ntp_rate_take(&r->bucket[idx], r->rate_per_s, r->burst, loop_now_ns(r->l))) {
		refuse(r, REF_RATE, &m->from);
		return;
	}
	uint64_t tx_ts = timeutil_ns_to_ntp64(sock_realtime_ns());
	size_t n = ntp_server_reply(r->rx, m->len, &clk, rx_ts, tx_ts, out, sizeof(out));
	if (sendto(r->fd, out, n, 0, (const struct sockaddr *)&m->from, m->fromlen) < 0) {
		/* A full send buffer or an unreachable route: the client asks again. */
		log_debug("NTP responder on %s: sendto: %s", r->listen, strerror(errno));
		return;
	}
	pthread_mutex_lock(&r->mu);
	r->st.answered++;
	pthread_mutex_unlock(&r->mu);
}

static void
on_readable(struct loop *l, int fd, short revents, void *data)
{
	struct responder *r = data;
	struct sock_msg m;

	(void)l;
	(void)revents;
	for (int i = 0; i < RESPONDER_BATCH; i++) {
		int rc = sock_recv(fd, r->rx, sizeof(r->rx), &m);
		if (rc == 0)
			return;
		if (rc < 0) {
			log_debug("NTP responder on %s: recv: %s", r->listen, strerror(-rc));
			return;
		}
		answer(r, &m);
	}
}

/* "ADDR[:PORT]" -> a socket address; numeric only. */
static int
parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct hostspec hs;
	struct in_addr a4;
	char err[128];

	memset(ss, 0, sizeof(*ss));
	if (!s || strutil_parse_hostspec(s, &hs, err, sizeof(err)) < 0)
		return -EINVAL;
	uint16_t port = hs.port ? hs.port : RESPONDER_DEFAULT_PORT;
	if (inet_pton(AF_INET, hs.host, &a4) == 1 && !hs.is_bracketed) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr = a4;
		*sslen = sizeof(*in);
		return 0;
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET6, hs.host, &in6->sin6_addr) != 1)
		return -EINVAL;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	*sslen = sizeof(*in6);
	return 0;
}

static int
parse_opts(struct responder *r, const struct responder_opts *o)
{
	if (o->n_allowed > RESPONDER_MAX_ALLOWED) {
		log_error("NTP responder: %zu allowed addresses, at most %d", o->n_allowed,
		    RESPONDER_MAX_ALLOWED);
		return -E2BIG;
	}
	r->rate_per_s = o->rate_per_s;
	r->burst = o->burst;
	if (!(r->rate_per_s > 0 && r->rate_per_s < 1e6 && r->burst >= 1 && r->burst < 1e6)) {
		log_error("NTP responder: rate %g/s burst %g: want a rate > 0 and a burst >= 1",
		    r->rate_per_s, r->burst);
		return -EINVAL;
	}
	r->n_allowed = o->n_allowed;
	r->allowed = xreallocarray(NULL, o->n_allowed ? o->n_allowed : 1, sizeof(*r->allowed));
	r->bucket = xcalloc(o->n_allowed ? o->n_allowed : 1, sizeof(*r->bucket));
	for (size_t i = 0; i < o->n_allowed; i++)
		if (!o->allowed[i] || !parse_addr(o->allowed[i], &r->allowed[i])) {
			log_error("NTP responder: allowed address '%.64s' is not a numeric address",
			    o->allowed[i] ? o->allowed[i] : "(null)");
			return -EINVAL;
		}
	return 0;
}

static int
open_socket(struct responder *r, const char *listen)
{
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	char a[INET6_ADDRSTRLEN];
	int rc = parse_listen(listen, &ss, &sslen);

	if (rc < 0) {
		log_error("NTP responder: listen address '%.64s' is not ADDR[:PORT] with a numeric "
		          "address",
		    listen ? listen : "(null)");
		return rc;
	}
	sock_addr_str((const struct sockaddr *)&ss, a, sizeof(a));
	bool v6 = ss.ss_family == AF_INET6;
	snprintf(r->listen, sizeof(r->listen), "%s%s%s:%u", v6 ? "[" : "", a, v6 ? "]" : "",
	    sock_addr_port((const struct sockaddr *)&ss));
	r->fd = sock_udp_open(ss.ss_family, 0, 0);
	if (r->fd < 0) {
		rc = r->fd;
		log_errno(LOG_LVL_ERROR, rc, "NTP responder on %s: socket", r->listen);
		return rc;
	}
	if (bind(r->fd, (const struct sockaddr *)&ss, sslen) < 0) {
		rc = -errno;
		log_errno(LOG_LVL_ERROR, rc, "NTP responder on %s: bind", r->listen);
		return rc;
	}
	return 0;
}

int
responder_start(struct loop *l, const struct responder_opts *o, struct responder **out)
{
	struct responder *r = xcalloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	r->l = l;
	r->fd = -1;
	r->clock.synchronized = false; /* until told otherwise */
	pthread_mutex_init(&r->mu, NULL);
	if ((rc = parse_opts(r, o)) < 0 || (rc = open_socket(r, o->listen)) < 0)
		goto fail;
	rc = loop_add_fd(l, r->fd, POLLIN, on_readable, r);
	if (rc < 0) {
		log_errno(LOG_LVL_ERROR, rc, "NTP responder on %s: loop", r->listen);
		goto fail;
	}
	log_notice("NTP responder on %s, answering %zu node%s", r->listen, r->n_allowed,
	    r->n_allowed == 1 ? "" : "s");
	*out = r;
	return 0;
fail:
	if (r->fd >= 0)
		close(r->fd);
	free(r->allowed);
	free(r->bucket);
	free(r);
	return rc;
}

void
responder_set_clock(struct responder *r, const struct ntp_server_clock *c)
{
	pthread_mutex_lock(&r->mu);
	r->clock = *c;
	pthread_mutex_unlock(&r->mu);
}

void
responder_get_stats(struct responder *r, struct responder_stats *out)
{
	pthread_mutex_lock(&r->mu);
	*out = r->st;
	pthread_mutex_unlock(&r->mu);
}

void
responder_stop(struct responder *r)
{
	if (!r)
		return;
	loop_remove_fd(r->l, r->fd);
	close(r->fd);
	free(r->allowed);
	free(r->bucket);
	pthread_mutex_destroy(&r->mu);
	free(r);
}
