/* sock.h: UDP sockets with kernel receive timestamps, and address formatting. */
#ifndef CLOCKWATCH_SOCK_H
#define CLOCKWATCH_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "macros.h"

/* Options of sock_udp_open(). Both put entries on the socket's error queue: a user must read
 * it (sock_recv_error) whenever poll() says POLLERR, or poll() will keep saying so. */
enum {
	SOCK_F_RECVERR = 1 << 0,       /* ICMP errors, with the address they concern */
	SOCK_F_TX_TIMESTAMPS = 1 << 1, /* kernel transmit timestamps, numbered from 0 */
};

/* Opens a non-blocking UDP socket of family AF_INET or AF_INET6 that records kernel receive
 * timestamps (SO_TIMESTAMPNS), plus the SOCK_F_* in flags. rcvbuf_bytes > 0 asks for that
 * receive buffer. Returns fd or -errno. */
int sock_udp_open(int family, int rcvbuf_bytes, unsigned flags) CW_MUST_CHECK;

/* A received datagram. */
struct sock_msg {
	struct sockaddr_storage from;
	socklen_t fromlen;
	size_t len;      /* bytes stored */
	size_t wire_len; /* bytes the datagram had (more than len when truncated) */
	bool truncated;  /* the datagram was larger than the buffer */
	int64_t rx_ns;   /* kernel receive time (Unix ns, CLOCK_REALTIME) */
	bool rx_kernel;  /* rx_ns came from the kernel, not from a clock read after the fact */
};

/* Receives one datagram into buf. Returns 1 when one was read, 0 when none is waiting,
 * -errno on error. */
int sock_recv(int fd, void *buf, size_t buflen, struct sock_msg *m) CW_MUST_CHECK;

/* What the socket's error queue held. */
struct sock_err {
	enum { SOCK_ERR_OTHER, SOCK_ERR_ICMP, SOCK_ERR_TX_TIMESTAMP } kind;
	struct sockaddr_storage dest; /* ICMP: the address our datagram was sent to */
	int err;                      /* ICMP: ECONNREFUSED for port unreachable, ... */
	uint32_t tx_id; /* TX timestamp: the datagram's number on this socket, from 0 */
	int64_t tx_ns;  /* TX timestamp: when the kernel sent it (Unix ns) */
};

/* Reads one entry of fd's error queue: an ICMP error (IP_RECVERR) or the kernel's transmit
 * timestamp of a datagram we sent (SO_TIMESTAMPING, numbered with SOF_TIMESTAMPING_OPT_ID).
 * Returns 1 when one was read, 0 when the queue is empty, -errno on error. */
int sock_recv_error(int fd, struct sock_err *e) CW_MUST_CHECK;

/* Whether sock_udp_open() could ask the kernel for transmit timestamps on fd. */
bool sock_has_tx_timestamps(int fd);

/* A UDP socket connected to host:port (a name or a numeric address), non-blocking. endpoint
 * gets "host:port" ("[v6]:port"). Returns fd or -errno (-EHOSTUNREACH: the name does not
 * resolve). For short request/reply exchanges with local daemons. */
int sock_udp_connect(const char *host, uint16_t port, char *endpoint, size_t len) CW_MUST_CHECK;

/* Waits until the monotonic deadline for one datagram on a connected socket. Returns its length
 * (> 0), 0 when the deadline passed, or -errno (-ECONNREFUSED: nothing listens there). */
ssize_t sock_recv_until(int fd, void *buf, size_t len, int64_t deadline_mono_ns) CW_MUST_CHECK;

/* Formats the numeric address (no port) into buf; returns buf. */
char *sock_addr_str(const struct sockaddr *sa, char *buf, size_t len);
uint16_t sock_addr_port(const struct sockaddr *sa);
/* Same address family, address and port. */
bool sock_addr_equal(const struct sockaddr *a, const struct sockaddr *b);

/* CLOCK_REALTIME / CLOCK_MONOTONIC now in ns. */
int64_t sock_realtime_ns(void);
int64_t sock_monotonic_ns(void);

#endif
