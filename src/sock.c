/* sock.c: UDP sockets with SO_TIMESTAMPNS, the clock reads that go with them, addresses. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sock.h"

int64_t
sock_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
sock_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Room for every control message a datagram can carry here: SCM_TIMESTAMPNS, SCM_TIMESTAMPING
 * (three timespecs; the kernel adds it once any socket asked for software stamps) and an
 * extended error with its offender address. A truncated set is treated as absent. */
#define SOCK_CTL_LEN                                                                               \
	(CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(struct scm_timestamping)) +       \
	    CMSG_SPACE(sizeof(struct sock_extended_err) + sizeof(struct sockaddr_in6)) + 64)

int
sock_udp_open(int family, int rcvbuf_bytes, unsigned flags)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	int on = 1;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	/* ICMP errors (port unreachable: nothing listens there) come back on the error queue with
	 * the address they concern, so one unconnected socket can still tell whose they are. */
	if (flags & SOCK_F_RECVERR) {
		if (family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
		else
			(void)setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	}
	/* Transmit timestamps, numbered per socket, give the latest possible T1: when the kernel
	 * sent the request, not when we called sendto(). Without them T1 is read before the call.
	 */
	if (flags & SOCK_F_TX_TIMESTAMPS) {
		int ts_flags = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE |
		    SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY;
		(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &ts_flags, sizeof(ts_flags));
	}
	if (rcvbuf_bytes > 0) {
		/* FORCE works as root beyond rmem_max; otherwise the capped request still helps. */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf_bytes, sizeof(int)) < 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf_bytes, sizeof(int));
	}
	return fd;
}

int
sock_recv(int fd, void *buf, size_t buflen, struct sock_msg *m)
{
	union {
		char buf[SOCK_CTL_LEN];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = buflen};
	struct msghdr mh = {
	    .msg_name = &m->from,
	    .msg_namelen = sizeof(m->from),
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = ctl.buf,
	    .msg_controllen = sizeof(ctl.buf),
	};
	ssize_t n = recvmsg(fd, &mh, MSG_TRUNC);

	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
	m->fromlen = mh.msg_namelen;
	if (mh.msg_flags & MSG_CTRUNC)
		mh.msg_controllen = 0; /* cannot happen with SOCK_CTL_LEN; never read half a set */
	m->truncated = (size_t)n > buflen || (mh.msg_flags & MSG_TRUNC);
	m->len = (size_t)n > buflen ? buflen : (size_t)n;
	m->wire_len = (size_t)n;
	m->rx_kernel = false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			m->rx_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
			m->rx_kernel = true;
		}
	}
	if (!m->rx_kernel)
		m->rx_ns = sock_realtime_ns();
	return 1;
}

bool
sock_has_tx_timestamps(int fd)
{
	int flags = 0;
	socklen_t len = sizeof(flags);

	return getsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, &len) == 0 &&
	    (flags & SOF_TIMESTAMPING_TX_SOFTWARE) && (flags & SOF_TIMESTAMPING_OPT_ID);
}

int
sock_recv_error(int fd, struct sock_err *e)
{
	union {
		char buf[SOCK_CTL_LEN];
		struct cmsghdr align;
	} ctl;
	uint8_t data[64];
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr mh = {
	    .msg_name = &e->dest,
	    .msg_namelen = sizeof(e->dest),
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = ctl.buf,
	    .msg_controllen = sizeof(ctl.buf),
	};
	struct sock_extended_err ee = {0};
	bool have_ee = false, have_ts = false;
	struct scm_timestamping tss;

	memset(e, 0, sizeof(*e));
	if (recvmsg(fd, &mh, MSG_ERRQUEUE) < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
	if (mh.msg_flags & MSG_CTRUNC)
		return 1; /* kind SOCK_ERR_OTHER: nothing half-read is trusted */
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
		        (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) &&
		    c->cmsg_len >= CMSG_LEN(sizeof(ee))) {
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			have_ee = true;
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING &&
		    c->cmsg_len >= CMSG_LEN(sizeof(tss))) {
			memcpy(&tss, CMSG_DATA(c), sizeof(tss));
			have_ts = true;
		}
	}
	if (have_ee && have_ts && ee.ee_origin == SO_EE_ORIGIN_TIMESTAMPING &&
	    ee.ee_info == SCM_TSTAMP_SND) {
		e->kind = SOCK_ERR_TX_TIMESTAMP;
		e->tx_id = ee.ee_data;
		e->tx_ns = (int64_t)tss.ts[0].tv_sec * 1000000000 + tss.ts[0].tv_nsec;
	} else if (have_ee &&
	    (ee.ee_origin == SO_EE_ORIGIN_ICMP || ee.ee_origin == SO_EE_ORIGIN_ICMP6)) {
		e->kind = SOCK_ERR_ICMP;
		e->err = (int)ee.ee_errno;
	}
	return 1;
}

char *
sock_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a = sa->sa_family == AF_INET6
	    ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
	    : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;

	if (!inet_ntop(sa->sa_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

uint16_t
sock_addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return ntohs(((const struct sockaddr_in *)sa)->sin_port);
}

bool
sock_addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0 &&
		    x->sin6_scope_id == y->sin6_scope_id;
	}
	return false;
}

int
sock_udp_connect(const char *host, uint16_t port, char *endpoint, size_t len)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV}, *res;
	char service[8];
	int fd, r;

	snprintf(service, sizeof(service), "%u", port);
	r = getaddrinfo(host, service, &hints, &res);
	if (r != 0)
		return r == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
	fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return r;
	}
	freeaddrinfo(res);
	snprintf(endpoint, len, strchr(host, ':') ? "[%.100s]:%u" : "%.100s:%u", host, port);
	return fd;
}

ssize_t
sock_recv_until(int fd, void *buf, size_t len, int64_t deadline_mono_ns)
{
	for (;;) {
		int64_t left = deadline_mono_ns - sock_monotonic_ns();
		if (left <= 0)
			return 0;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, (int)((left + 999999) / 1000000));
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		ssize_t n = recv(fd, buf, len, 0);
		if (n > 0)
			return n;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno; /* an empty datagram is no answer: wait on */
	}
}
