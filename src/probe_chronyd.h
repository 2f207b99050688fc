/* probe_chronyd.h: asks a running chronyd for its view over its command protocol (cmdmon), the
 * way chronyc does but without chronyc: the Unix socket first (every report; needs root or
 * chronyd's user), then UDP to its command port (the unprivileged subset: tracking, sources,
 * sourcestats, activity). Fills the snapshot's system view and sources. */
#ifndef CLOCKWATCH_PROBE_CHRONYD_H
#define CLOCKWATCH_PROBE_CHRONYD_H

#include <stdbool.h>
#include <stdint.h>

#include "macros.h"

struct snapshot;

#define PROBE_CHRONYD_DEFAULT_SOCKET "/run/chrony/chronyd.sock"
#define PROBE_CHRONYD_DEFAULT_PORT 323

struct probe_chronyd_opts {
	const char *socket;  /* Unix socket path; NULL: from its configuration, else the default */
	const char *address; /* HOST[:PORT] of the command port; NULL: from its configuration,
	                      * else 127.0.0.1 and ::1 on port 323 */
	int64_t timeout_ns;  /* per request; two retries follow a silent one */
	bool want_vars;      /* keep every report field for `clockwatch vars` */
};

/* Fills s->svc[SNAP_CHRONYD] (answering, endpoint, error), the system view and the sources.
 * Returns 0 when chronyd answered, else -errno with the reason in s->svc[SNAP_CHRONYD].error. */
int probe_chronyd(struct snapshot *s, const struct probe_chronyd_opts *o) CW_MUST_CHECK;

#endif
