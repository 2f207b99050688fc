/* probe_timesyncd_stub.c: probe_timesyncd_read for builds without libsystemd (-Dsystemd=disabled
 * or no libsystemd-dev): always "not built", so callers need no #ifdef (STYLE.md §3.3). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe_timesyncd.h"

int
probe_timesyncd_read(struct timesyncd_state *out, int64_t timeout_us)
{
	(void)timeout_us;
	memset(out, 0, sizeof(*out));
	snprintf(out->reason, sizeof(out->reason), "timesyncd: not built (no libsystemd)");
	snprintf(out->timedate.reason, sizeof(out->timedate.reason),
	    "timedated: not built (no libsystemd)");
	return -EOPNOTSUPP;
}
