/* timeutil.c: conversions between Unix nanoseconds and NTP timestamps, era-aware. */
#include "config.h"

#include <math.h>

#include "timeutil.h"

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

uint64_t
timeutil_ns_to_ntp64(int64_t unix_ns)
{
	int64_t sec = floor_div(unix_ns, TIMEUTIL_NS_PER_S);
	uint64_t ns = (uint64_t)(unix_ns - sec * TIMEUTIL_NS_PER_S);
	uint64_t frac = (ns << 32) / (uint64_t)TIMEUTIL_NS_PER_S;
	uint32_t ntp_sec = (uint32_t)(uint64_t)(sec + TIMEUTIL_NTP_UNIX_OFFSET_S);

	return (uint64_t)ntp_sec << 32 | frac;
}

int64_t
timeutil_ntp64_to_ns(uint64_t ntp, int64_t pivot_unix_ns)
{
	int64_t pivot = floor_div(pivot_unix_ns, TIMEUTIL_NS_PER_S) + TIMEUTIL_NTP_UNIX_OFFSET_S;
	int64_t era_base = pivot - (int64_t)(uint32_t)pivot;
	int64_t sec = era_base + (int64_t)(ntp >> 32);
	uint64_t frac = ntp & 0xffffffffu;

	if (sec - pivot > INT64_C(0x80000000))
		sec -= INT64_C(0x100000000);
	else if (pivot - sec > INT64_C(0x80000000))
		sec += INT64_C(0x100000000);
	int64_t ns = (int64_t)((frac * (uint64_t)TIMEUTIL_NS_PER_S + (UINT64_C(1) << 31)) >> 32);
	return (sec - TIMEUTIL_NTP_UNIX_OFFSET_S) * TIMEUTIL_NS_PER_S + ns;
}

double
timeutil_ntp64_diff_s(uint64_t a, uint64_t b)
{
	int64_t d = (int64_t)(a - b);

	return (double)d / 4294967296.0;
}

double
timeutil_ntp_short_to_s(uint32_t v)
{
	return (double)v / 65536.0;
}

uint32_t
timeutil_s_to_ntp_short(double s)
{
	if (!(s > 0))
		return 0;
	if (s >= 65535.0)
		return UINT32_MAX;
	return (uint32_t)llround(s * 65536.0);
}

double
timeutil_log2_to_s(int exponent)
{
	return ldexp(1.0, exponent);
}
