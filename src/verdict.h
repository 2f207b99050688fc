/* verdict.h: the one line that says, in plain words, whether this host's time is right, judged
 * from a snapshot alone. Pure. */
#ifndef CLOCKWATCH_VERDICT_H
#define CLOCKWATCH_VERDICT_H

#include <stddef.h>

struct snapshot;

enum verdict_level { VERDICT_OK, VERDICT_WARNING, VERDICT_CRITICAL, VERDICT_UNKNOWN };

/* Offsets beyond these are worth saying (ntpd's step threshold; seed 001's Critical). */
#define VERDICT_STEP_S 0.125
#define VERDICT_CRITICAL_S 10.0

struct verdict {
	enum verdict_level level;
	char text[400];
};

void verdict_judge(const struct snapshot *s, struct verdict *v);
const char *verdict_level_name(enum verdict_level l); /* "ok", "warning", ... */

#endif
