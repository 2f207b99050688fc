/* probe_ntpd.h: asks a running ntpd (classic or NTPsec) for its view with NTP mode 6 control
 * messages (RFC 9327), as ntpq does but without ntpq: the association list, the system
 * variables and each association's variables. Fills the snapshot's system view and sources. */
#ifndef CLOCKWATCH_PROBE_NTPD_H
#define CLOCKWATCH_PROBE_NTPD_H

#include <stdbool.h>
#include <stdint.h>

#include "macros.h"

struct snapshot;

#define PROBE_NTPD_MAX_ASSOCS 256

struct probe_ntpd_opts {
	const char *address; /* HOST[:PORT]; NULL: 127.0.0.1:123 */
	int64_t timeout_ns;  /* per request; two retries follow a silent one */
	bool want_vars;      /* keep every variable for `clockwatch vars` */
	bool want_details;   /* also each association's packet counters (one more request each) */
};

/* Returns 0 when ntpd answered, else -errno with the reason in s->svc[SNAP_NTPD].error. */
int probe_ntpd(struct snapshot *s, const struct probe_ntpd_opts *o) CW_MUST_CHECK;

#endif
