/* cw_responder.c: a small, fast NTP server for tests and benchmarks only (never installed).
 *
 * It binds one UDP socket per port of a range on each address given (loopback in every use we
 * make of it) and answers mode-3 requests from a single epoll loop with recvmmsg/sendmmsg. Its
 * clock is the host's CLOCK_REALTIME plus a configured offset, added both to the kernel receive
 * timestamp (SO_TIMESTAMPNS) and to the transmit timestamp read just before the send, so a
 * client that does its arithmetic right measures that offset to within the loopback jitter
 * (a few microseconds: the send path after that read is not counted). --fault makes it
 * misbehave in one chosen way, for the hostile-responder tests. It only reads clocks. SIGUSR1
 * prints and resets its counters, with the CLOCK_MONOTONIC times of the first request and the
 * last reply, so a benchmark can tell when the network part of a client's run ended.
 *
 * Units: offsets are int64 ns inside, seconds (a decimal, may be negative) on the command line.
 * Normal replies are 48 octets, never larger than the request; the faults oversize and
 * bad-extension are larger on purpose. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "probe_ntp.h"
#include "sock.h"
#include "strutil.h"
#include "timeutil.h"
#include "wire_ntp.h"
#include "xalloc.h"

#define BATCH 64        /* datagrams per recvmmsg */
#define ROUNDS_PER_FD 8 /* recvmmsg calls per ready socket before others get a turn */
#define EPOLL_EVENTS 256
#define RCVBUF_BYTES (32 << 20)
#define RX_LEN (WIRE_NTP_MAX_LEN + 4)
#define OVERSIZE_LEN 3000
#define TRUNCATED_LEN 40
#define BAD_EXT_JUNK 8
#define CTL_LEN (CMSG_SPACE(sizeof(struct timespec)) * 2)
#define MAX_ADDRS 4096
#define MAX_SOCKETS 200000
#define SIG_TAG UINT32_MAX /* epoll data of the signalfd */
#define NS_PER_S INT64_C(1000000000)

enum fault {
	F_NONE,
	F_SILENT,
	F_KOD_RATE,
	F_KOD_DENY,
	F_KOD_RSTR,
	F_TRUNCATED,
	F_WRONG_MODE,
	F_WRONG_ORIGIN,
	F_OVERSIZE,
	F_BAD_EXTENSION,
	F_DUPLICATE,
	F_UNSYNC,
	F_ZERO_TRANSMIT,
	F_WRONG_VERSION,
};

static const struct {
	const char *name;
	enum fault f;
} faults[] = {
    {"none", F_NONE},
    {"silent", F_SILENT},
    {"kod-rate", F_KOD_RATE},
    {"kod-deny", F_KOD_DENY},
    {"kod-rstr", F_KOD_RSTR},
    {"truncated", F_TRUNCATED},
    {"wrong-mode", F_WRONG_MODE},
    {"wrong-origin", F_WRONG_ORIGIN},
    {"oversize", F_OVERSIZE},
    {"bad-extension", F_BAD_EXTENSION},
    {"duplicate", F_DUPLICATE},
    {"unsync", F_UNSYNC},
    {"zero-transmit", F_ZERO_TRANSMIT},
    {"wrong-version", F_WRONG_VERSION},
};

/* A local address to bind, as given on the command line. */
struct laddr {
	const char *name;
	struct sockaddr_storage sa;
	socklen_t salen;
};

struct cfg {
	struct laddr *addrs; /* every address gets a socket on every port */
	size_t naddrs;
	unsigned port_lo, port_hi;
	int64_t offset_ns;
	unsigned stratum, leap;
	uint8_t refid[4];
	enum fault fault;
	const char *ready_file;
	int64_t max_ns;
	int precision;
};

/* One reply slot per received datagram; `stamp` asks for the transmit timestamp at send time. */
struct slot {
	uint8_t buf[OVERSIZE_LEN];
	size_t len;
	bool stamp;
};

struct server {
	struct cfg c;
	int *fds;
	size_t nfds;
	int epfd, sigfd;
	unsigned long n_rx, n_tx, n_ignored, n_send_err;
	int64_t first_rx_ns, last_tx_ns; /* monotonic, since the last SIGUSR1 (0: none yet) */
	struct mmsghdr rx[BATCH];
	struct iovec rx_iov[BATCH];
	struct sockaddr_storage from[BATCH];
	uint8_t rx_buf[BATCH][RX_LEN];
	/* Control buffers, aligned for struct cmsghdr (a union with it would be a flexible
	 * array member inside an array, which ISO C forbids). */
	_Alignas(struct cmsghdr) char ctl[BATCH][CTL_LEN];
	struct slot slot[BATCH];
	struct mmsghdr tx[2 * BATCH];
	struct iovec tx_iov[2 * BATCH];
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cw-responder [--addr A]... [--ports P1-P2 | --port P] [--offset SECONDS]\n"
	    "                    [--stratum N] [--refid XXXX] [--leap N] [--fault F]\n"
	    "                    [--ready-file PATH] [--max-seconds S]\n\n"
	    "An NTP server for tests and benchmarks: answers mode-3 requests on every port of the\n"
	    "range on every --addr (default 127.0.0.1, port 123) with this host's clock plus\n"
	    "--offset.\n"
	    "Faults: none silent kod-rate kod-deny kod-rstr truncated wrong-mode wrong-origin\n"
	    "        oversize bad-extension duplicate unsync zero-transmit wrong-version\n"
	    "--ready-file is written (with our PID) once every socket is bound; the process exits\n"
	    "by itself after --max-seconds (default 600), or on SIGTERM/SIGINT. SIGUSR1 prints\n"
	    "the counters (and CLOCK_MONOTONIC of the first request and last reply) and resets "
	    "them.\n");
}

static int
die_usage(const char *what, const char *val, const char *want)
{
	fprintf(stderr, "cw-responder: bad %s '%s' (%s)\n", what, val, want);
	return -1;
}

static int
parse_ports(const char *s, struct cfg *c)
{
	char lo[16], *dash = strchr(s, '-');
	long a, b;

	if (!dash)
		return die_usage("port range", s, "P1-P2");
	snprintf(lo, sizeof(lo), "%.*s", (int)(dash - s), s);
	if (strutil_parse_long(lo, 1, 65535, &a) < 0 ||
	    strutil_parse_long(dash + 1, 1, 65535, &b) < 0 || b < a)
		return die_usage("port range", s, "P1-P2 with 1 <= P1 <= P2 <= 65535");
	c->port_lo = (unsigned)a;
	c->port_hi = (unsigned)b;
	return 0;
}

static int
parse_addr(const char *s, struct cfg *c)
{
	struct laddr a = {.name = s};
	struct sockaddr_in *in4 = (struct sockaddr_in *)&a.sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a.sa;

	if (c->naddrs >= MAX_ADDRS)
		return die_usage("address", s, "at most 4096 addresses");
	if (inet_pton(AF_INET, s, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		a.salen = sizeof(*in4);
	} else if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		a.salen = sizeof(*in6);
	} else {
		return die_usage("address", s, "a numeric IPv4 or IPv6 address");
	}
	c->addrs = xreallocarray(c->addrs, c->naddrs + 1, sizeof(*c->addrs));
	c->addrs[c->naddrs++] = a;
	return 0;
}

static int
parse_offset(const char *s, struct cfg *c)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || fabs(v) > 1e9)
		return die_usage("offset", s, "seconds, like 0.25 or -15");
	c->offset_ns = llround(v * 1e9);
	return 0;
}

static int
parse_refid(const char *s, struct cfg *c)
{
	size_t n = strlen(s);

	memset(c->refid, 0, sizeof(c->refid));
	if (strchr(s, '.') && inet_pton(AF_INET, s, c->refid) == 1)
		return 0;
	if (n == 0 || n > 4)
		return die_usage("refid", s, "1 to 4 characters, or a dotted IPv4 address");
	memcpy(c->refid, s, n);
	return 0;
}

static int
parse_fault(const char *s, struct cfg *c)
{
	for (size_t i = 0; i < CW_ARRAY_LEN(faults); i++)
		if (!strcmp(s, faults[i].name)) {
			c->fault = faults[i].f;
			return 0;
		}
	return die_usage("fault", s, "see --help");
}

static int
parse_small(const char *what, const char *s, long max, unsigned *out)
{
	long v;

	if (strutil_parse_long(s, 0, max, &v) < 0) {
		char want[32];
		snprintf(want, sizeof(want), "0 to %ld", max);
		return die_usage(what, s, want);
	}
	*out = (unsigned)v;
	return 0;
}

static int
parse_one(int opt, const char *arg, struct cfg *c)
{
	unsigned v;

	switch (opt) {
	case 'a':
		return parse_addr(arg, c);
	case 'P':
		return parse_ports(arg, c);
	case 'p':
		if (parse_small("port", arg, 65535, &v) < 0)
			return -1;
		if (v == 0)
			return die_usage("port", arg, "1 to 65535");
		c->port_lo = c->port_hi = v;
		return 0;
	case 'o':
		return parse_offset(arg, c);
	case 's':
		return parse_small("stratum", arg, 16, &c->stratum);
	case 'r':
		return parse_refid(arg, c);
	case 'l':
		return parse_small("leap", arg, 3, &c->leap);
	case 'f':
		return parse_fault(arg, c);
	case 'R':
		c->ready_file = arg;
		return 0;
	case 'm':
		if (strutil_parse_duration_ns(arg, &c->max_ns) < 0 || c->max_ns <= 0)
			return die_usage("max-seconds", arg, "a positive number of seconds");
		return 0;
	}
	return -1;
}

static int
parse_args(int argc, char **argv, struct cfg *c)
{
	static const struct option longopts[] = {
	    {"addr", required_argument, NULL, 'a'},
	    {"ports", required_argument, NULL, 'P'},
	    {"port", required_argument, NULL, 'p'},
	    {"offset", required_argument, NULL, 'o'},
	    {"stratum", required_argument, NULL, 's'},
	    {"refid", required_argument, NULL, 'r'},
	    {"leap", required_argument, NULL, 'l'},
	    {"fault", required_argument, NULL, 'f'},
	    {"ready-file", required_argument, NULL, 'R'},
	    {"max-seconds", required_argument, NULL, 'm'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	*c = (struct cfg){.port_lo = 123, .port_hi = 123, .stratum = 1, .max_ns = 600 * NS_PER_S};
	memcpy(c->refid, "LOCL", 4);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			exit(0);
		}
		if (opt == '?') {
			fprintf(stderr, "cw-responder: unknown option or missing value: '%s'\n",
			    argv[optind - 1]);
			return -1;
		}
		if (parse_one(opt, optarg, c) < 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "cw-responder: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (c->naddrs == 0)
		return parse_addr("127.0.0.1", c);
	return 0;
}

/* ---- sockets ---- */

static int
raise_nofile(size_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max < need)
		rl.rlim_max = need; /* works as root, up to fs.nr_open */
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		int e = -errno;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max >= need)
			return 0;
		return e;
	}
	return 0;
}

/* Our own socket rather than sock_udp_open(): a server must not ask for transmit timestamps
 * or ICMP errors, which would pile up on an error queue nobody reads. Returns fd or -errno. */
static int
open_udp(int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	int on = 1, rcvbuf = RCVBUF_BYTES;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	/* FORCE passes net.core.rmem_max as root; the plain request is capped by it. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return fd;
}

static int
bind_port(const struct laddr *a, unsigned port)
{
	struct sockaddr_storage sa = a->sa;
	int fd = open_udp(sa.ss_family);

	if (fd < 0) {
		fprintf(stderr, "cw-responder: cannot open a socket for port %u: %s\n", port,
		    strerror(-fd));
		return -1;
	}
	if (sa.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&sa)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)&sa)->sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&sa, a->salen) < 0) {
		int e = errno;
		fprintf(stderr, "cw-responder: cannot bind %s%s%s:%u: %s\n",
		    sa.ss_family == AF_INET6 ? "[" : "", a->name,
		    sa.ss_family == AF_INET6 ? "]" : "", port, strerror(e));
		close(fd);
		return -1;
	}
	return fd;
}

static int
open_all(struct server *s)
{
	size_t nports = s->c.port_hi - s->c.port_lo + 1, n = nports * s->c.naddrs;
	int r = n > MAX_SOCKETS ? -EMFILE : raise_nofile(n + 32);

	if (n > MAX_SOCKETS) {
		fprintf(stderr, "cw-responder: %zu sockets asked for, at most %d\n", n,
		    MAX_SOCKETS);
		return -1;
	}
	if (r < 0) {
		fprintf(stderr, "cw-responder: cannot raise the open-file limit to %zu: %s\n",
		    n + 32, strerror(-r));
		return -1;
	}
	s->fds = xcalloc(n, sizeof(*s->fds));
	for (size_t i = 0; i < n; i++) {
		int fd = bind_port(&s->c.addrs[i / nports], s->c.port_lo + (unsigned)(i % nports));
		if (fd < 0)
			return -1;
		s->fds[s->nfds++] = fd;
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			fprintf(stderr, "cw-responder: epoll_ctl: %s\n", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int
open_signals(struct server *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sigfd < 0)
		return -1;
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = SIG_TAG};
	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->sigfd, &ev);
}

static int
write_ready(const char *path)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		goto fail;
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0 || rename(tmp, path) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "cw-responder: cannot write ready file %s: %s\n", path, strerror(errno));
	return -1;
}

/* ---- replies ---- */

static void
fill_reply(const struct cfg *c, const struct ntp_packet *req, int64_t rx_ns, struct ntp_packet *p)
{
	int64_t now = rx_ns + c->offset_ns;

	*p = (struct ntp_packet){
	    .leap = (uint8_t)c->leap,
	    .version = req->version,
	    .mode = WIRE_NTP_MODE_SERVER,
	    .stratum = (uint8_t)c->stratum,
	    .poll = req->poll,
	    .precision = (int8_t)c->precision,
	    .root_delay = 0,
	    .root_dispersion = timeutil_s_to_ntp_short(0.0001),
	    .reference_ts = timeutil_ns_to_ntp64(now - NS_PER_S),
	    .origin_ts = req->transmit_ts,
	    .receive_ts = timeutil_ns_to_ntp64(now),
	};
	memcpy(p->refid, c->refid, sizeof(p->refid));
}

static void
apply_header_fault(enum fault f, struct ntp_packet *p)
{
	static const char *const codes[] =
	    {[F_KOD_RATE] = "RATE", [F_KOD_DENY] = "DENY", [F_KOD_RSTR] = "RSTR"};

	switch (f) {
	case F_KOD_RATE:
	case F_KOD_DENY:
	case F_KOD_RSTR:
		p->stratum = 0;
		p->leap = WIRE_NTP_LEAP_UNSYNC;
		memcpy(p->refid, codes[f], 4);
		break;
	case F_WRONG_MODE:
		p->mode = WIRE_NTP_MODE_CLIENT;
		break;
	case F_WRONG_ORIGIN:
		p->origin_ts++;
		break;
	case F_UNSYNC:
		p->leap = WIRE_NTP_LEAP_UNSYNC;
		p->stratum = 16;
		break;
	case F_WRONG_VERSION:
		p->version = 0;
		break;
	default:
		break;
	}
}

/* Builds the reply to datagram i into its slot; returns false when it is not answered. */
static bool
build_reply(struct server *s, size_t i, int64_t rx_ns)
{
	const struct msghdr *mh = &s->rx[i].msg_hdr;
	struct slot *sl = &s->slot[i];
	struct ntp_packet req, p;
	size_t len = s->rx[i].msg_len;

	if ((mh->msg_flags & MSG_TRUNC) || len > WIRE_NTP_MAX_LEN ||
	    wire_ntp_decode(s->rx_buf[i], len, &req, NULL) != WIRE_NTP_OK ||
	    req.mode != WIRE_NTP_MODE_CLIENT || s->c.fault == F_SILENT)
		return false;
	fill_reply(&s->c, &req, rx_ns, &p);
	apply_header_fault(s->c.fault, &p);
	wire_ntp_encode(&p, sl->buf);
	sl->len = WIRE_NTP_HEADER_LEN;
	sl->stamp = s->c.fault != F_ZERO_TRANSMIT;
	if (s->c.fault == F_TRUNCATED) {
		sl->len = TRUNCATED_LEN;
		sl->stamp = false; /* the transmit field is not sent */
	} else if (s->c.fault == F_OVERSIZE) {
		memset(sl->buf + WIRE_NTP_HEADER_LEN, 0xa5, OVERSIZE_LEN - WIRE_NTP_HEADER_LEN);
		sl->len = OVERSIZE_LEN;
	} else if (s->c.fault == F_BAD_EXTENSION) {
		/* type 0xdead, length 5: shorter than any field, not a multiple of 4, not a MAC. */
		static const uint8_t junk[BAD_EXT_JUNK] = {0xde, 0xad, 0x00, 0x05, 1, 2, 3, 4};
		memcpy(sl->buf + WIRE_NTP_HEADER_LEN, junk, sizeof(junk));
		sl->len = WIRE_NTP_HEADER_LEN + sizeof(junk);
	}
	return true;
}

static int64_t
rx_time(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
		}
	}
	return sock_realtime_ns();
}

static void
queue_tx(struct server *s, size_t *ntx, size_t i)
{
	size_t k = *ntx;

	s->tx_iov[k] = (struct iovec){.iov_base = s->slot[i].buf, .iov_len = s->slot[i].len};
	s->tx[k].msg_hdr = (struct msghdr){
	    .msg_name = &s->from[i],
	    .msg_namelen = s->rx[i].msg_hdr.msg_namelen,
	    .msg_iov = &s->tx_iov[k],
	    .msg_iovlen = 1,
	};
	*ntx = k + 1;
}

/* Stamps every reply with one clock read taken just before the send, then sends them all. */
static void
send_all(struct server *s, int fd, size_t nrx, size_t ntx)
{
	uint64_t xmt = timeutil_ns_to_ntp64(sock_realtime_ns() + s->c.offset_ns);
	size_t done = 0;

	for (size_t i = 0; i < nrx; i++)
		if (s->slot[i].len && s->slot[i].stamp)
			wr_be64(s->slot[i].buf + 40, xmt);
	for (int tries = 0; done < ntx && tries < 4; tries++) {
		int n = sendmmsg(fd, s->tx + done, (unsigned)(ntx - done), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		done += (size_t)n;
	}
	s->last_tx_ns = sock_monotonic_ns();
	s->n_tx += done;
	s->n_send_err += ntx - done;
}

static void
arm_rx(struct server *s)
{
	for (size_t i = 0; i < BATCH; i++) {
		s->rx_iov[i] = (struct iovec){.iov_base = s->rx_buf[i], .iov_len = RX_LEN};
		s->rx[i].msg_hdr = (struct msghdr){
		    .msg_name = &s->from[i],
		    .msg_namelen = sizeof(s->from[i]),
		    .msg_iov = &s->rx_iov[i],
		    .msg_iovlen = 1,
		    .msg_control = s->ctl[i],
		    .msg_controllen = CTL_LEN,
		};
	}
}

/* Reads what is waiting on fd (bounded) and answers it; returns false on a socket error. */
static bool
serve_fd(struct server *s, int fd)
{
	for (int round = 0; round < ROUNDS_PER_FD; round++) {
		arm_rx(s);
		int n = recvmmsg(fd, s->rx, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return n == 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		size_t ntx = 0;
		if (!s->first_rx_ns)
			s->first_rx_ns = sock_monotonic_ns();
		s->n_rx += (size_t)n;
		for (size_t i = 0; i < (size_t)n; i++) {
			s->slot[i].len = 0;
			if (!build_reply(s, i, rx_time(&s->rx[i].msg_hdr))) {
				s->n_ignored++;
				continue;
			}
			queue_tx(s, &ntx, i);
			if (s->c.fault == F_DUPLICATE)
				queue_tx(s, &ntx, i);
		}
		if (ntx)
			send_all(s, fd, (size_t)n, ntx);
		if (n < BATCH)
			break;
	}
	return true;
}

/* ---- main loop ---- */

/* Reads pending socket errors (an ICMP error with IP_RECVERR, a late SO_ERROR) so that a
 * level-triggered EPOLLERR cannot keep the loop spinning. Bounded. */
static void
drain_errors(int fd)
{
	char data[64], ctl[512];
	int err;
	socklen_t len = sizeof(err);

	(void)getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	for (int i = 0; i < 64; i++) {
		struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
		struct msghdr mh = {.msg_iov = &iov,
		    .msg_iovlen = 1,
		    .msg_control = ctl,
		    .msg_controllen = sizeof(ctl)};
		if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			break;
	}
}

static void
print_stats(struct server *s, const char *when)
{
	fprintf(stderr,
	    "cw-responder: %s: %lu requests, %lu replies sent, %lu ignored, %lu not sent; "
	    "first_rx_mono_ns %lld last_tx_mono_ns %lld\n",
	    when, s->n_rx, s->n_tx, s->n_ignored, s->n_send_err, (long long)s->first_rx_ns,
	    (long long)s->last_tx_ns);
}

/* SIGUSR1 prints the counters and restarts them; SIGTERM and SIGINT end the loop. */
static bool
take_signal(struct server *s)
{
	struct signalfd_siginfo si;
	bool stop = false;

	for (int i = 0; i < 16 && read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si); i++) {
		if (si.ssi_signo != SIGUSR1) {
			stop = true;
			continue;
		}
		print_stats(s, "stats");
		s->n_rx = s->n_tx = s->n_ignored = s->n_send_err = 0;
		s->first_rx_ns = s->last_tx_ns = 0;
	}
	return stop;
}

static int
run(struct server *s)
{
	struct epoll_event ev[EPOLL_EVENTS];
	int64_t end = sock_monotonic_ns() + s->c.max_ns;

	for (;;) {
		int64_t left = end - sock_monotonic_ns();
		if (left <= 0)
			return 0;
		int ms = left / 1000000 > 60000 ? 60000 : (int)((left + 999999) / 1000000);
		int n = epoll_wait(s->epfd, ev, EPOLL_EVENTS, ms);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "cw-responder: epoll_wait: %s\n", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u32 == SIG_TAG) {
				if (take_signal(s))
					return 0;
				continue;
			}
			uint32_t k = ev[i].data.u32;
			if (ev[i].events & EPOLLERR)
				drain_errors(s->fds[k]);
			if (!serve_fd(s, s->fds[k]))
				fprintf(stderr, "cw-responder: receive on socket %u: %s\n", k,
				    strerror(errno));
		}
	}
}

static void
server_fini(struct server *s)
{
	for (size_t i = 0; i < s->nfds; i++)
		close(s->fds[i]);
	free(s->fds);
	free(s->c.addrs);
	if (s->sigfd >= 0)
		close(s->sigfd);
	if (s->epfd >= 0)
		close(s->epfd);
	free(s);
}

int
main(int argc, char **argv)
{
	struct server *s = xcalloc(1, sizeof(*s));
	int rc = 1;

	s->epfd = s->sigfd = -1;
	if (parse_args(argc, argv, &s->c) < 0) {
		fprintf(stderr, "Try 'cw-responder --help'.\n");
		server_fini(s);
		return 1;
	}
	s->c.precision = probe_ntp_local_precision();
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0 || open_signals(s) < 0) {
		fprintf(stderr, "cw-responder: epoll/signalfd: %s\n", strerror(errno));
		goto out;
	}
	if (open_all(s) < 0)
		goto out;
	if (s->c.ready_file && write_ready(s->c.ready_file) < 0)
		goto out;
	rc = run(s);
	print_stats(s, "exit");
out:
	server_fini(s);
	return rc;
}
