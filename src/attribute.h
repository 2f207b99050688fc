/* attribute.h: "is it me or them?" When the daemon says this clock is far off, clockwatch
 * measures the daemon's servers itself (its own NTP client) and says which side is wrong: this
 * clock (the daemon and clockwatch agree), or the daemon's view (clockwatch finds the clock in
 * line with the servers). Pure: the measurements come in as numbers. */
#ifndef CLOCKWATCH_ATTRIBUTE_H
#define CLOCKWATCH_ATTRIBUTE_H

#include <stddef.h>

enum attribute_verdict {
	ATTRIBUTE_UNKNOWN,     /* nothing measured */
	ATTRIBUTE_THIS_CLOCK,  /* the daemon is right: this clock is off */
	ATTRIBUTE_DAEMON_VIEW, /* clockwatch finds the clock in line: the daemon's view is wrong */
};

/* daemon_offset_s: the daemon's offset (RFC sign); own[n]: clockwatch's own offsets to the
 * servers that answered. Writes one sentence to text. */
enum attribute_verdict attribute_judge(const char *daemon, double daemon_offset_s,
    const double *own, size_t n, char *text, size_t len);

#endif
