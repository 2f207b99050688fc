/* timeutil.h: time arithmetic in int64 nanoseconds and NTP fixed-point formats (RFC 5905 §6).
 * Pure: no clock is read here; every "now" or pivot comes in as an argument. */
#ifndef CLOCKWATCH_TIMEUTIL_H
#define CLOCKWATCH_TIMEUTIL_H

#include <stdint.h>

#define TIMEUTIL_NS_PER_S INT64_C(1000000000)
/* Seconds from the NTP era-0 epoch (1900-01-01) to the Unix epoch (1970-01-01). */
#define TIMEUTIL_NTP_UNIX_OFFSET_S INT64_C(2208988800)

/* Unix time in ns -> NTP timestamp (32.32, era dropped). */
uint64_t timeutil_ns_to_ntp64(int64_t unix_ns);

/* NTP timestamp -> Unix time in ns, placing the 32-bit seconds in the era that puts the result
 * closest to pivot_unix_ns (valid while the two are within 68 years; see RFC 5905 §6). */
int64_t timeutil_ntp64_to_ns(uint64_t ntp, int64_t pivot_unix_ns);

/* a - b in seconds, computed on the raw 64-bit values (era-safe within +/-68 years). */
double timeutil_ntp64_diff_s(uint64_t a, uint64_t b);

/* NTP short format (unsigned 16.16 seconds) <-> seconds. */
double timeutil_ntp_short_to_s(uint32_t v);
uint32_t timeutil_s_to_ntp_short(double s);

/* log2 seconds (as in the precision and poll fields) -> seconds. */
double timeutil_log2_to_s(int exponent);

#endif
