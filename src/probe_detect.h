/* probe_detect.h: which time services are installed and running here (/proc, the usual program
 * paths) and what their configuration files say (following their includes), into the
 * snapshot's svc[]. Reads files only; talks to no daemon. */
#ifndef CLOCKWATCH_PROBE_DETECT_H
#define CLOCKWATCH_PROBE_DETECT_H

#include "macros.h"

struct snapshot;

/* Bounds on what configuration reading may cost. */
#define PROBE_DETECT_MAX_FILE_BYTES (1 << 20)
#define PROBE_DETECT_MAX_FILES 256
#define PROBE_DETECT_MAX_DEPTH 8

struct probe_detect_opts {
	/* Configuration file to read for a daemon instead of the one found (NULL: find it). */
	const char *conf[3]; /* indexed by enum snap_daemon */
};

/* Fills s->svc[*]: installed, running (pid, count, program), conf. Always succeeds; what could
 * not be read is recorded as configuration errors. */
void probe_detect(struct snapshot *s, const struct probe_detect_opts *o);

#endif
