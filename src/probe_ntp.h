/* probe_ntp.h: our own NTP client. Queries many servers at once from one thread: non-blocking
 * sockets (one per address family), kernel receive timestamps, random transmit timestamps. */
#ifndef CLOCKWATCH_PROBE_NTP_H
#define CLOCKWATCH_PROBE_NTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macros.h"

struct hostspec;
struct query_target;

#define PROBE_NTP_DEFAULT_PORT 123

struct probe_ntp_opts {
	unsigned count;      /* samples per target */
	int64_t interval_ns; /* spacing between a target's requests */
	int64_t timeout_ns;  /* wait for each reply, and for each name to resolve */
	int family;          /* AF_UNSPEC, AF_INET or AF_INET6 */
	bool measure_unsync; /* unsynchronized servers' clocks are measured too (the cluster) */
};

struct probe_ntp_stats {
	unsigned stray;       /* replies from addresses we did not ask */
	int local_precision;  /* log2 s, measured */
	bool kernel_rx_ts;    /* every reply carried a kernel receive timestamp */
	unsigned n_t1_kernel; /* accepted samples whose T1 is the kernel's transmit timestamp */
	unsigned n_t1_user;   /* ... and those whose T1 was read before sendto() */
	int64_t elapsed_ns;
};

/* Queries every spec. *out gets one finished target per address, in the order of specs and
 * of the resolver's answers (a name that does not resolve gives one target with an error).
 * The caller frees them with query_target_fini() and free(). Returns 0 or -errno on a
 * failure that stopped the whole run. */
int probe_ntp_query(const struct hostspec *specs, size_t n, const struct probe_ntp_opts *o,
    struct query_target **out, size_t *nout, struct probe_ntp_stats *stats) CW_MUST_CHECK;

/* Estimates this host's clock precision (log2 s) from successive clock reads. */
int probe_ntp_local_precision(void);

#endif
