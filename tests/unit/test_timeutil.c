/* test_timeutil.c: Unix ns <-> NTP 32.32 conversions, era placement around the 2036 rollover,
 * raw-difference arithmetic and the 16.16 short format, against hand-computed vectors. */
#include "config.h"

#include "cw_test.h"
#include "timeutil.h"

#define S(x) ((int64_t)(x)*TIMEUTIL_NS_PER_S)
/* Unix seconds of 2036-02-07 06:28:16 UTC: NTP era 1, second 0. */
#define ERA1_UNIX_S INT64_C(2085978496)
/* Unix seconds of 2040-01-01 00:00:00 UTC and 2020-01-01 00:00:00 UTC. */
#define Y2040_UNIX_S INT64_C(2208988800)
#define Y2020_UNIX_S INT64_C(1577836800)

static void
test_ns_to_ntp64_vectors(void **state)
{
	static const struct {
		int64_t ns;
		uint64_t ntp;
	} v[] = {
	    {0, UINT64_C(2208988800) << 32},            /* Unix epoch */
	    {0, UINT64_C(0x83aa7e8000000000)},          /* same, in hex */
	    {500000000, UINT64_C(0x83aa7e8080000000)},  /* + 0.5 s */
	    {250000000, UINT64_C(0x83aa7e8040000000)},  /* + 0.25 s */
	    {750000000, UINT64_C(0x83aa7e80c0000000)},  /* + 0.75 s */
	    {1, UINT64_C(0x83aa7e8000000004)},          /* 4.29 units, truncated */
	    {999999999, UINT64_C(0x83aa7e80fffffffb)},  /* last ns of the second */
	    {-1, UINT64_C(0x83aa7e7ffffffffb)},         /* floor, not toward 0 */
	    {-500000000, UINT64_C(0x83aa7e7f80000000)}, /* 1969-12-31 23:59:59.5 */
	    {INT64_C(1700000000123456789), UINT64_C(0xe8fe6f801f9add37)}, /* 2023-11-14 */
	    {S(ERA1_UNIX_S) - 500000000, UINT64_C(0xffffffff80000000)}, /* 0.5 s before rollover */
	    {S(ERA1_UNIX_S), 0},                                        /* era 1 second 0 */
	    {S(ERA1_UNIX_S) + 500000000, UINT64_C(0x0000000080000000)}, /* era 1, 0.5 s */
	    {S(-2208988800), 0},                                        /* 1900-01-01: era 0 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_u64_equal(timeutil_ns_to_ntp64(v[i].ns), v[i].ntp);
}

static void
test_ntp64_to_ns_vectors(void **state)
{
	static const struct {
		uint64_t ntp;
		int64_t pivot_ns;
		int64_t ns;
	} v[] = {
	    {UINT64_C(0x83aa7e8000000000), 0, 0},
	    {UINT64_C(0x83aa7e8080000000), 0, 500000000},
	    {UINT64_C(0x83aa7e7f80000000), 0, -500000000},
	    {UINT64_C(0xe8fe6f801f9add37), S(1700000000), INT64_C(1700000000123456789)},
	    /* Fractions round to the nearest ns: 1 unit = 0.23 ns, 3 units = 0.70 ns. */
	    {UINT64_C(0x83aa7e8000000001), 0, 0},
	    {UINT64_C(0x83aa7e8000000003), 0, 1},
	    /* 0xffffffff units = 0.99999999977 s, which rounds up into the next second. */
	    {UINT64_C(0x83aa7e80ffffffff), 0, S(1)},
	    /* 1900-01-01, era 0, with a pivot in 1900. */
	    {0, S(-2208988800) + S(3600), S(-2208988800)},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(timeutil_ntp64_to_ns(v[i].ntp, v[i].pivot_ns), v[i].ns);
}

/* The same 32-bit seconds mean different instants depending on the pivot. */
static void
test_era_placement_2036(void **state)
{
	static const struct {
		uint64_t ntp;
		int64_t pivot_ns;
		int64_t ns;
	} v[] = {
	    /* Pivot exactly at the rollover. */
	    {UINT64_C(0xffffffff00000000), S(ERA1_UNIX_S), S(ERA1_UNIX_S - 1)},
	    {UINT64_C(0xffffffff80000000), S(ERA1_UNIX_S), S(ERA1_UNIX_S) - 500000000},
	    {UINT64_C(0x0000000000000000), S(ERA1_UNIX_S), S(ERA1_UNIX_S)},
	    {UINT64_C(0x0000000080000000), S(ERA1_UNIX_S), S(ERA1_UNIX_S) + 500000000},
	    /* Pivot one second before: still era 0, but 0x00000000 lands in era 1. */
	    {UINT64_C(0xffffffff00000000), S(ERA1_UNIX_S - 1), S(ERA1_UNIX_S - 1)},
	    {UINT64_C(0x0000000000000000), S(ERA1_UNIX_S - 1), S(ERA1_UNIX_S)},
	    /* Pivot one second after: already era 1, but 0xffffffff stays in era 0. */
	    {UINT64_C(0xffffffff00000000), S(ERA1_UNIX_S + 1), S(ERA1_UNIX_S - 1)},
	    {UINT64_C(0x0000000100000000), S(ERA1_UNIX_S + 1), S(ERA1_UNIX_S + 1)},
	    /* Pivot in 2020 (era 0): second 1 is 16 years ahead in era 1, not 120 back. */
	    {UINT64_C(0x0000000100000000), S(Y2020_UNIX_S), S(ERA1_UNIX_S + 1)},
	    /* Pivot in 2040 (era 1): 0xffffffff is 4 years back in era 0. */
	    {UINT64_C(0xffffffff00000000), S(Y2040_UNIX_S), S(ERA1_UNIX_S - 1)},
	    /* From 1970, second 1 is 66 years ahead in 2036, nearer than 70 years back in 1900. */
	    {UINT64_C(0x0000000100000000), 0, S(ERA1_UNIX_S + 1)},
	    /* From 1950, it is 1900 (50 years back, 86 ahead). */
	    {UINT64_C(0x0000000100000000), S(-631152000), S(-2208988800 + 1)},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(timeutil_ntp64_to_ns(v[i].ntp, v[i].pivot_ns), v[i].ns);
}

/* NTP seconds 2208988800 are 1970 in era 0 and 2106 in era 1: the nearer one wins. */
static void
test_pivot_picks_nearer_era(void **state)
{
	uint64_t unix_epoch = UINT64_C(2208988800) << 32;

	(void)state;
	/* From 2036-02-07, 1970 is 66 years back and 2106 is 70 years ahead. */
	assert_int_equal(timeutil_ntp64_to_ns(unix_epoch, S(ERA1_UNIX_S)), 0);
	/* From 2040, 1970 is 70 years back and 2106 is 66 years ahead. */
	assert_int_equal(timeutil_ntp64_to_ns(unix_epoch, S(Y2040_UNIX_S)), S(INT64_C(4294967296)));
	/* From 2000 both readings are plain. */
	assert_int_equal(timeutil_ntp64_to_ns(unix_epoch, S(946684800)), 0);
}

/* ns -> NTP64 -> ns is exact: truncation loses < 0.233 ns, which rounding to nearest undoes. */
static void
test_round_trip(void **state)
{
	static const int64_t v[] = {
	    0,
	    1,
	    -1,
	    999999999,
	    INT64_C(1700000000123456789),
	    S(ERA1_UNIX_S) - 1,
	    S(ERA1_UNIX_S),
	    S(ERA1_UNIX_S) + 1,
	    S(-2208988800),
	    S(INT64_C(4294967296)),
	    S(-2208988800) - 1,
	};
	uint64_t x = UINT64_C(0x9e3779b97f4a7c15); /* xorshift64 seed, fixed */

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(timeutil_ntp64_to_ns(timeutil_ns_to_ntp64(v[i]), v[i]), v[i]);
	/* Pseudo-random instants within +/-146 years of 1970, pivot 1 h away. */
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int64_t ns = (int64_t)(x >> 2) - (INT64_C(1) << 61);
		int64_t back = timeutil_ntp64_to_ns(timeutil_ns_to_ntp64(ns), ns + S(3600));
		if (back != ns) {
			print_error("round trip of %" PRId64 " gave %" PRId64 " (iteration %d)\n",
			    ns, back, i);
			fail();
		}
	}
}

static void
test_diff_s(void **state)
{
	static const struct {
		uint64_t a, b;
		double s;
	} v[] = {
	    {UINT64_C(0x83aa7e8180000000), UINT64_C(0x83aa7e8000000000), 1.5},
	    {UINT64_C(0x83aa7e8000000000), UINT64_C(0x83aa7e8180000000), -1.5},
	    {UINT64_C(0x83aa7e8000000001), UINT64_C(0x83aa7e8000000000), 1.0 / 4294967296.0},
	    {UINT64_C(0x83aa7e8000000000), UINT64_C(0x83aa7e8000000001), -1.0 / 4294967296.0},
	    {5, 5, 0.0},
	    /* Across the 2036 rollover the raw values wrap but the difference does not. */
	    {UINT64_C(0x0000000080000000), UINT64_C(0xffffffff00000000), 1.5},
	    {UINT64_C(0xffffffff00000000), UINT64_C(0x0000000080000000), -1.5},
	    /* 68 years either way is still told apart by sign. */
	    {UINT64_C(0x7fffffff00000000), 0, 2147483647.0},
	    {0, UINT64_C(0x7fffffff00000000), -2147483647.0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_double_exact(timeutil_ntp64_diff_s(v[i].a, v[i].b), v[i].s);
}

static void
test_short_format(void **state)
{
	static const struct {
		uint32_t raw;
		double s;
	} to_s[] = {
	    {0, 0.0}, {0x00010000, 1.0}, {0x00008000, 0.5}, {0x00000001, 1.0 / 65536.0},
	    {0x00018000, 1.5}, {0x00100000, 16.0},
	    {0xffffffff, 65535.0 + 65535.0 / 65536.0}, /* unsigned: never negative */
	};
	static const struct {
		double s;
		uint32_t raw;
	} from_s[] = {
	    {0.0, 0}, {1.0, 0x00010000}, {1.5, 0x00018000}, {1.0 / 65536.0, 1},
	    {0.4 / 65536.0, 0},                        /* rounds to nearest */
	    {0.6 / 65536.0, 1}, {-1.0, 0},             /* negative clamps to 0 */
	    {65535.0, 0xffffffff},                     /* saturates */
	    {1e9, 0xffffffff}, {0.015625, 0x00000400}, /* 1/64 s */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(to_s) / sizeof(to_s[0]); i++)
		assert_double_exact(timeutil_ntp_short_to_s(to_s[i].raw), to_s[i].s);
	for (size_t i = 0; i < sizeof(from_s) / sizeof(from_s[0]); i++)
		assert_int_equal(timeutil_s_to_ntp_short(from_s[i].s), from_s[i].raw);
	assert_int_equal(timeutil_s_to_ntp_short(NAN), 0);
}

static void
test_log2_to_s(void **state)
{
	(void)state;
	assert_double_exact(timeutil_log2_to_s(0), 1.0);
	assert_double_exact(timeutil_log2_to_s(6), 64.0);
	assert_double_exact(timeutil_log2_to_s(-1), 0.5);
	assert_double_exact(timeutil_log2_to_s(-20), 1.0 / 1048576.0);
	assert_double_exact(timeutil_log2_to_s(-128), ldexp(1.0, -128));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ns_to_ntp64_vectors),
	    cmocka_unit_test(test_ntp64_to_ns_vectors),
	    cmocka_unit_test(test_era_placement_2036),
	    cmocka_unit_test(test_pivot_picks_nearer_era),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_diff_s),
	    cmocka_unit_test(test_short_format),
	    cmocka_unit_test(test_log2_to_s),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
