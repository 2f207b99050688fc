/* httpc.h: HTTP POSTs from the agent's poll loop (libcurl's multi interface driven by loop.c's
 * descriptors and timers), for pushing the alarm to Alertmanager without ever blocking a check.
 * Each request has a time limit; its outcome comes back through a callback. */
#ifndef CLOCKWATCH_HTTPC_H
#define CLOCKWATCH_HTTPC_H

#include <stdint.h>

#include "macros.h"

struct loop;
struct httpc;

/* status: the HTTP status, or 0 when no answer came (err says why). */
typedef void (*httpc_done_fn)(void *data, long status, const char *err);

int httpc_new(struct loop *l, struct httpc **out) CW_MUST_CHECK;
/* Stops every request in flight (their callbacks are not called) and frees. */
void httpc_free(struct httpc *c);

/* POSTs body (copied) with the given Content-Type to url; done is called exactly once, from the
 * loop. Returns 0, or -errno when the request could not even be started (done not called). */
int httpc_post(struct httpc *c, const char *url, const char *content_type, const char *body,
    int64_t timeout_ns, httpc_done_fn done, void *data) CW_MUST_CHECK;

/* Requests in flight. */
int httpc_pending(const struct httpc *c);

#endif
