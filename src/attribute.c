/* attribute.c: the daemon's offset against clockwatch's own median offset to the same servers.
 * They agree within half a second or 5 % of the offset, whichever is larger: both are then
 * looking at the same wrong clock. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribute.h"
#include "xalloc.h"

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(const double *v, size_t n)
{
	double *s = xreallocarray(NULL, n, sizeof(*s));

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp);
	double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

enum attribute_verdict
attribute_judge(const char *daemon, double daemon_offset_s, const double *own, size_t n, char *text,
    size_t len)
{
	if (n == 0 || !isfinite(daemon_offset_s)) {
		snprintf(text, len, "clockwatch could not measure %s's servers itself", daemon);
		return ATTRIBUTE_UNKNOWN;
	}
	double m = median(own, n);
	double tolerance = fmax(0.5, 0.05 * fabs(daemon_offset_s));
	const char *side = m > 0 ? "behind" : "ahead of";
	if (fabs(m - daemon_offset_s) <= tolerance) {
		snprintf(text, len,
		    "clockwatch measured the servers itself: this clock is %.1f s %s them, as %s "
		    "says: this clock is wrong",
		    fabs(m), side, daemon);
		return ATTRIBUTE_THIS_CLOCK;
	}
	if (fabs(m) < 0.1)
		snprintf(text, len,
		    "clockwatch measured the servers itself: this clock is in line with them (%.1f "
		    "ms), not %.1f s off as %s says: %s's view is wrong",
		    fabs(m) * 1e3, fabs(daemon_offset_s), daemon, daemon);
	else
		snprintf(text, len,
		    "clockwatch measured the servers itself: this clock is %.1f s %s them, not "
		    "%.1f "
		    "s as %s says: %s's view is wrong",
		    fabs(m), side, fabs(daemon_offset_s), daemon, daemon);
	return ATTRIBUTE_DAEMON_VIEW;
}
