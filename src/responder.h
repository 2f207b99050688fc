/* responder.h: clockwatch's own NTP server mode, for the agent (off unless configured). It
 * answers NTP client requests on one UDP socket inside the agent's poll loop, only from the
 * configured addresses, each under a token bucket, with 48-octet replies built by ntp_server.c,
 * and says it is unsynchronized unless told (responder_set_clock) that its host is synchronized.
 */
#ifndef CLOCKWATCH_RESPONDER_H
#define CLOCKWATCH_RESPONDER_H

#include <stddef.h>
#include <stdint.h>

#include "macros.h"

struct loop;
struct ntp_server_clock;
struct responder;

/* Longest allowed list: every address gets its own bucket, so this bounds the memory. */
#define RESPONDER_MAX_ALLOWED 1024

struct responder_opts {
	const char *listen;         /* "ADDR[:PORT]", numeric ("[v6]:port" too), port default 123 */
	const char *const *allowed; /* numeric addresses of the nodes allowed to ask */
	size_t n_allowed;
	double rate_per_s, burst; /* per client address; e.g. 2/s, burst 8 */
};

/* Counters since start: requests answered, and those dropped, by reason. */
struct responder_stats {
	uint64_t answered, not_allowed, rate_limited, malformed;
};

/* Binds the socket and watches it on l; until the first responder_set_clock the replies say
 * unsynchronized. Returns 0 or -errno (logged): -EINVAL for a listen or allowed address that is
 * not numeric, a rate not > 0 or a burst under 1; -E2BIG for more than RESPONDER_MAX_ALLOWED
 * addresses; -EADDRINUSE, -EACCES... from bind. */
int responder_start(struct loop *l, const struct responder_opts *o,
    struct responder **out) CW_MUST_CHECK;
/* The host's clock state for the following replies (copied). This and responder_get_stats may
 * be called from another thread than the one running l (the agent runs the responder in a
 * thread of its own, so that its replies never wait for a check). */
void responder_set_clock(struct responder *r, const struct ntp_server_clock *c);
void responder_get_stats(struct responder *r, struct responder_stats *out);
/* Unwatches and closes the socket and frees r; NULL is a no-op. */
void responder_stop(struct responder *r);

#endif
