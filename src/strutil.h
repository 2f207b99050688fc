/* strutil.h: strict parsing of numbers, durations and host[:port] specs; pure, no I/O. */
#ifndef CLOCKWATCH_STRUTIL_H
#define CLOCKWATCH_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macros.h"

/* Longest host name or address we accept in a target spec (DNS names are at most 253). */
#define STRUTIL_HOST_MAX 255

/* Parses a whole decimal integer in [min, max]. Returns 0 or -EINVAL / -ERANGE. */
int strutil_parse_long(const char *s, long min, long max, long *out) CW_MUST_CHECK;

/* Parses a duration: a decimal number with an optional unit ns, us, ms, s (default), m, h.
 * "250ms", "2", "1.5s". Negative, empty, trailing junk or over ~292 years: -EINVAL/-ERANGE. */
int strutil_parse_duration_ns(const char *s, int64_t *out_ns) CW_MUST_CHECK;

/* A parsed HOST[:PORT] spec. host is NUL-terminated; port is 0 when none was given. */
struct hostspec {
	char host[STRUTIL_HOST_MAX + 1];
	uint16_t port;
	bool is_bracketed; /* written as [v6addr] or [v6addr]:port */
};

/* Splits "host", "host:port", "[v6]:port", "[v6]" or a bare IPv6 literal ("::1", "fe80::1").
 * On error returns -EINVAL and writes a one-line reason into err (errlen bytes). */
int
strutil_parse_hostspec(const char *s, struct hostspec *out, char *err, size_t errlen) CW_MUST_CHECK;

/* Formats a signed duration in seconds with a unit that suits its size: "+15.0001 s",
 * "-250.012 ms", "+21.4 us". With with_sign=false no '+' is printed. Returns buf. */
char *strutil_fmt_seconds(char *buf, size_t len, double s, bool with_sign);

#endif
