/* test_filter.c: offset/delay/dispersion of one exchange from exact T1..T4, the header sanity
 * tests, the one-shot clock filter (minimum delay, RMS jitter), root distance and flash bits.
 * Times are chosen as binary fractions of a second (1/64 s, 1/256 s) so that they survive the
 * ns -> 32.32 conversion exactly and results can be compared with ==. */
#include "config.h"

#include "cw_test.h"
#include "filter.h"
#include "fixtures.h"
#include "timeutil.h"
#include "wire_ntp.h"

#define ERA1_NS (INT64_C(2085978496) * TIMEUTIL_NS_PER_S) /* 2036-02-07 06:28:16 UTC */

/* A plausible reply whose server stamped receive at t2 and transmit at t3. */
static struct ntp_packet
reply_at(int64_t t2_ns, int64_t t3_ns)
{
	return fx_reply(UINT64_C(0x0123456789abcdef), t2_ns, t3_ns);
}

static void
test_sample_offset_delay(void **state)
{
	static const struct {
		const char *what;
		int64_t t1, t2, t3, t4;
		double offset, delay, eps;
	} v[] = {
	    {"server 15 s ahead, 1/64 s each way, 1/256 s in the server", T1_NS,
	        T1_NS + NS(15 + P64), T1_NS + NS(15 + P64 + P256), T1_NS + NS(2 * P64 + P256), 15.0,
	        2 * P64, 0},
	    {"server 2.5 s behind", T1_NS, T1_NS + NS(-2.5 + P64), T1_NS + NS(-2.5 + P64 + P256),
	        T1_NS + NS(2 * P64 + P256), -2.5, 2 * P64, 0},
	    {"no offset, 1/16 s out and 1/64 s back: half the asymmetry shows as offset", T1_NS,
	        T1_NS + NS(1.0 / 16), T1_NS + NS(1.0 / 16), T1_NS + NS(1.0 / 16 + P64), 3.0 / 128,
	        5.0 / 64, 0},
	    {"server 15 s ahead, symmetric 10 ms each way", T1_NS, T1_NS + NS(15.010),
	        T1_NS + NS(15.010), T1_NS + NS(0.020), 15.0, 0.020, 1e-9},
	    {"across the 2036 rollover, server 0.5 s ahead", ERA1_NS - NS(P64), ERA1_NS + NS(0.5),
	        ERA1_NS + NS(0.5 + P256), ERA1_NS + NS(P64 + P256), 0.5, 2 * P64, 0},
	    {"before 1970", -NS(86400), -NS(86400 - 1 - P64), -NS(86400 - 1 - P64 - P256),
	        -NS(86400 - 2 * P64 - P256), 1.0, 2 * P64, 0},
	};
	struct filter_sample s;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct ntp_packet p = reply_at(v[i].t2, v[i].t3);
		memset(&s, 0x55, sizeof(s));
		filter_sample_compute(&p, v[i].t1, v[i].t4, -20, &s);
		cw_case = v[i].what;
		assert_double_near(s.offset_s, v[i].offset, v[i].eps);
		assert_double_near(s.delay_s, v[i].delay, v[i].eps);
		assert_i64_equal(s.t1_ns, v[i].t1);
		assert_i64_equal(s.t2_ns, v[i].t2);
		assert_i64_equal(s.t3_ns, v[i].t3);
		assert_i64_equal(s.t4_ns, v[i].t4);
		/* 2^-20 (server) + 2^-20 (local) + PHI * (T4 - T1); T4 - T1 went through 32.32. */
		double d41 = (double)(v[i].t4 - v[i].t1) / 1e9;
		assert_double_near(s.dispersion_s, 2 * ldexp(1, -20) + FILTER_PHI * d41, 1e-14);
	}
}

static void
test_sample_negative_delay_clamped(void **state)
{
	/* The server claims it held the request 1 s, but the round trip took only 0.5 s. */
	struct ntp_packet p = reply_at(T1_NS + NS(P64), T1_NS + NS(1 + P64));

	(void)state;
	struct filter_sample s;
	filter_sample_compute(&p, T1_NS, T1_NS + NS(0.5), -20, &s);
	assert_double_exact(s.delay_s, ldexp(1, -20));
	assert_double_exact(s.offset_s, ((P64) + (1 + P64 - 0.5)) / 2);
	filter_sample_compute(&p, T1_NS, T1_NS + NS(0.5), -6, &s);
	assert_double_exact(s.delay_s, P64);
	/* A positive delay below the precision is clamped too. */
	p = reply_at(T1_NS, T1_NS);
	filter_sample_compute(&p, T1_NS, T1_NS + NS(P256), -6, &s);
	assert_double_exact(s.delay_s, P64);
	filter_sample_compute(&p, T1_NS, T1_NS + NS(P256), -20, &s);
	assert_double_exact(s.delay_s, P256);
}

static void
test_sample_dispersion_uses_server_precision(void **state)
{
	struct ntp_packet p = reply_at(T1_NS, T1_NS);
	struct filter_sample s;

	(void)state;
	p.precision = -6;
	filter_sample_compute(&p, T1_NS, T1_NS + NS(0.5), -10, &s);
	assert_double_near(s.dispersion_s, P64 + ldexp(1, -10) + FILTER_PHI * 0.5, 1e-15);
}

#define REF UINT64_C(0xe8fe6f0000000000)
#define ORG UINT64_C(0x0123456789abcdef)
#define REC UINT64_C(0xe8fe6f8000000000)
#define XMT UINT64_C(0xe8fe6f8001000000)

static void
test_check_header(void **state)
{
	static const struct {
		const char *what;
		unsigned leap, stratum;
		uint32_t root_delay, root_disp;
		uint64_t ref, org, rec, xmt;
		unsigned want;
	} v[] = {
	    {"good", 0, 2, 0x400, 0x200, REF, ORG, REC, XMT, 0},
	    {"zero origin", 0, 2, 0x400, 0x200, REF, 0, REC, XMT, FILTER_T_INVALID_TS},
	    {"zero receive", 0, 2, 0x400, 0x200, REF, ORG, 0, XMT, FILTER_T_INVALID_TS},
	    {"zero transmit", 0, 2, 0x400, 0x200, REF, ORG, REC, 0, FILTER_T_INVALID_TS},
	    {"transmit before receive", 0, 2, 0x400, 0x200, REF, ORG, XMT, REC,
	        FILTER_T_INVALID_TS},
	    {"transmit 1 unit before receive", 0, 2, 0x400, 0x200, REF, ORG, REC, REC - 1,
	        FILTER_T_INVALID_TS},
	    {"transmit == receive", 0, 2, 0x400, 0x200, REF, ORG, REC, REC, 0},
	    {"reference after transmit", 0, 2, 0x400, 0x200, XMT + 1, ORG, REC, XMT,
	        FILTER_T_INVALID_TS},
	    {"reference == transmit", 0, 2, 0x400, 0x200, XMT, ORG, REC, XMT, 0},
	    {"reference unset", 0, 2, 0x400, 0x200, 0, ORG, REC, XMT, 0},
	    {"receive/transmit straddle 2036", 0, 2, 0x400, 0x200, UINT64_C(0xfffffff000000000),
	        ORG, UINT64_C(0xffffffff00000000), UINT64_C(0x0000000010000000), 0},
	    {"reference after transmit across 2036", 0, 2, 0x400, 0x200,
	        UINT64_C(0x0000000100000000), ORG, UINT64_C(0xffffffff00000000),
	        UINT64_C(0x0000000080000000), FILTER_T_INVALID_TS},
	    {"leap insert", 1, 2, 0x400, 0x200, REF, ORG, REC, XMT, 0},
	    {"leap delete", 2, 2, 0x400, 0x200, REF, ORG, REC, XMT, 0},
	    {"LI=3", 3, 2, 0x400, 0x200, REF, ORG, REC, XMT, FILTER_T_UNSYNC},
	    {"stratum 0", 0, 0, 0x400, 0x200, REF, ORG, REC, XMT, FILTER_T_STRATUM},
	    {"stratum 1", 0, 1, 0x400, 0x200, REF, ORG, REC, XMT, 0},
	    {"stratum 15", 0, 15, 0x400, 0x200, REF, ORG, REC, XMT, 0},
	    {"stratum 16", 0, 16, 0x400, 0x200, REF, ORG, REC, XMT, FILTER_T_STRATUM},
	    {"stratum 255", 0, 255, 0x400, 0x200, REF, ORG, REC, XMT, FILTER_T_STRATUM},
	    {"root delay 32 s", 0, 2, 0x00200000, 0, REF, ORG, REC, XMT, FILTER_T_ROOT_DIST},
	    {"root delay 32 s - 2^-16", 0, 2, 0x001fffff, 0, REF, ORG, REC, XMT, 0},
	    {"root disp 16 s", 0, 2, 0, 0x00100000, REF, ORG, REC, XMT, FILTER_T_ROOT_DIST},
	    {"root disp 16 s - 2^-16", 0, 2, 0, 0x000fffff, REF, ORG, REC, XMT, 0},
	    {"root delay 16 s + disp 8 s", 0, 2, 0x00100000, 0x00080000, REF, ORG, REC, XMT,
	        FILTER_T_ROOT_DIST},
	    {"root delay 16 s + disp 8 s - 2^-16", 0, 2, 0x00100000, 0x0007ffff, REF, ORG, REC, XMT,
	        0},
	    {"root delay and disp at maximum", 0, 2, 0xffffffff, 0xffffffff, REF, ORG, REC, XMT,
	        FILTER_T_ROOT_DIST},
	    {"everything wrong", 3, 0, 0x00200000, 0, REF, ORG, REC, 0,
	        FILTER_T_INVALID_TS | FILTER_T_UNSYNC | FILTER_T_STRATUM | FILTER_T_ROOT_DIST},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct ntp_packet p = {
		    .leap = (uint8_t)v[i].leap,
		    .version = 4,
		    .mode = WIRE_NTP_MODE_SERVER,
		    .stratum = (uint8_t)v[i].stratum,
		    .root_delay = v[i].root_delay,
		    .root_dispersion = v[i].root_disp,
		    .reference_ts = v[i].ref,
		    .origin_ts = v[i].org,
		    .receive_ts = v[i].rec,
		    .transmit_ts = v[i].xmt,
		};
		unsigned got = filter_check_header(&p);
		if (got != v[i].want) {
			print_error("%s: tests 0x%x, want 0x%x\n", v[i].what, got, v[i].want);
			fail();
		}
	}
}

static struct filter_sample
sample(double offset, double delay, double disp)
{
	return (struct filter_sample){.offset_s = offset, .delay_s = delay, .dispersion_s = disp};
}

static void
test_run_min_delay_and_jitter(void **state)
{
	const struct filter_sample s[] = {
	    sample(0.5, 0.0625, 0.001),
	    sample(0.25, 0.03125, 0.002), /* best */
	    sample(1.25, 0.125, 0.003),
	    sample(0.75, 0.046875, 0.004),
	};
	struct filter_result r;

	(void)state;
	memset(&r, 0x55, sizeof(r));
	filter_run(s, 4, ldexp(1, -20), &r);
	assert_int_equal(r.best, 1);
	assert_double_exact(r.offset_s, 0.25);
	assert_double_exact(r.delay_s, 0.03125);
	assert_double_exact(r.dispersion_s, 0.002);
	/* RMS of 0.25, 1.0 and 0.5 around the best: sqrt((1/16 + 1 + 1/4) / 3) */
	assert_double_exact(r.jitter_s, sqrt(0.4375));
	assert_double_near(r.jitter_s, 0.66143782776614768, 1e-15);
}

static void
test_run_single_sample(void **state)
{
	const struct filter_sample s[] = {sample(-3.5, 0.25, 0.125)};
	struct filter_result r;

	(void)state;
	filter_run(s, 1, ldexp(1, -20), &r);
	assert_int_equal(r.best, 0);
	assert_double_exact(r.offset_s, -3.5);
	assert_double_exact(r.delay_s, 0.25);
	assert_double_exact(r.dispersion_s, 0.125);
	assert_double_exact(r.jitter_s, ldexp(1, -20)); /* no spread: the precision */
}

static void
test_run_jitter_floor(void **state)
{
	const struct filter_sample same[] = {sample(1, 0.5, 0), sample(1, 0.25, 0),
	    sample(1, 1, 0)};
	const struct filter_sample tiny[] = {sample(1, 0.5, 0), sample(1 + 1e-9, 0.25, 0)};
	const struct filter_sample wide[] = {sample(0, 0.5, 0), sample(0.25, 0.25, 0)};
	struct filter_result r;

	(void)state;
	filter_run(same, 3, P64, &r);
	assert_double_exact(r.jitter_s, P64);
	filter_run(tiny, 2, ldexp(1, -20), &r);
	assert_double_exact(r.jitter_s, ldexp(1, -20));
	filter_run(wide, 2, ldexp(1, -20), &r);
	assert_double_exact(r.jitter_s, 0.25);
	filter_run(wide, 2, 0.5, &r);
	assert_double_exact(r.jitter_s, 0.5);
}

/* Equal delays: the earliest sample wins, whatever the sort does. */
static void
test_run_delay_ties(void **state)
{
	const struct filter_sample s[] = {
	    sample(9, 0.5, 0),
	    sample(1, 0.25, 0),
	    sample(2, 0.25, 0),
	    sample(3, 0.25, 0),
	    sample(4, 0.25, 0),
	    sample(5, 0.75, 0),
	};
	struct filter_result r;

	(void)state;
	filter_run(s, 6, 0, &r);
	assert_int_equal(r.best, 1);
	assert_double_exact(r.offset_s, 1);
	filter_run(s + 2, 4, 0, &r);
	assert_int_equal(r.best, 0);
	assert_double_exact(r.offset_s, 2);
}

/* More samples than the on-stack index array holds. */
static void
test_run_many_samples(void **state)
{
	struct filter_sample s[40];
	struct filter_result r;

	(void)state;
	for (size_t i = 0; i < 40; i++)
		s[i] = sample(i == 29 ? 0.0 : 1.0, 1.0 - (double)i / 64, (double)i);
	s[29].delay_s = 0.0001; /* the lowest delay, not the last */
	filter_run(s, 40, 0, &r);
	assert_int_equal(r.best, 29);
	assert_double_exact(r.offset_s, 0.0);
	assert_double_exact(r.dispersion_s, 29.0);
	assert_double_exact(r.jitter_s, 1.0); /* 39 others, each 1 s away */
}

static void
test_root_distance(void **state)
{
	static const struct {
		double root_delay, root_disp, delay, disp, jitter, want;
	} v[] = {
	    {0.5, 0.125, 0.25, 0.0625, 0.03125, 0.59375},
	    {0, 0, 0, 0, 0, FILTER_MINDIST},
	    {0, 0, 0.001, 0, 0, FILTER_MINDIST}, /* 0.0005 floored */
	    {0, 0, 0.0019, 0, 0, FILTER_MINDIST},
	    {0, 0, 0.004, 0.0005, 0.0001, 0.0026},
	    {1, 0.5, 1, 0, 0, 1.5},
	    {0, 0, 0, 0, 2, 2},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_double_near(filter_root_distance(v[i].root_delay, v[i].root_disp, v[i].delay,
		                       v[i].disp, v[i].jitter),
		    v[i].want, 1e-15);
}

static void
test_flash(void **state)
{
	static const struct {
		unsigned tests, flash;
		const char *name, *ntpd;
	} v[] = {
	    {FILTER_T_DUPLICATE, 0x0001, "duplicate", "pkt_dup"},
	    {FILTER_T_BOGUS, 0x0002, "bogus", "pkt_bogus"},
	    {FILTER_T_INVALID_TS, 0x0004, "invalid_timestamps", "pkt_unsync"},
	    {FILTER_T_DENIED, 0x0008, "access_denied", "pkt_denied"},
	    {FILTER_T_UNSYNC, 0x0020, "unsynchronized", "pkt_stratum"},
	    {FILTER_T_STRATUM, 0x0020, "stratum_out_of_range", "pkt_stratum"},
	    {FILTER_T_ROOT_DIST, 0x0040, "root_distance_too_large", "pkt_header"},
	    {FILTER_T_DISTANCE, 0x0400, "distance_exceeded", "peer_dist"},
	    {FILTER_T_UNREACHABLE, 0x1000, "unreachable", "peer_unreach"},
	    {FILTER_T_RATE, 0, "rate_limited", "-"},
	};

	(void)state;
	assert_int_equal(sizeof(v) / sizeof(v[0]), FILTER_N_TESTS);
	for (unsigned i = 0; i < FILTER_N_TESTS; i++) {
		assert_int_equal(v[i].tests, 1u << i);
		assert_int_equal(filter_flash(v[i].tests), v[i].flash);
		assert_int_equal(filter_test_ntpd_flash(i), v[i].flash);
		assert_string_equal(filter_test_name(i), v[i].name);
		assert_string_equal(filter_test_ntpd_name(i), v[i].ntpd);
	}
	assert_int_equal(filter_flash(0), 0);
	assert_int_equal(filter_flash(FILTER_T_UNSYNC | FILTER_T_STRATUM), 0x0020);
	assert_int_equal(filter_flash(FILTER_T_BOGUS | FILTER_T_ROOT_DIST | FILTER_T_UNREACHABLE),
	    0x1042);
	assert_int_equal(filter_flash(FILTER_T_RATE), 0);
	assert_int_equal(filter_flash(~0u), 0x146f);
	assert_string_equal(filter_test_name(FILTER_N_TESTS), "?");
	assert_string_equal(filter_test_ntpd_name(FILTER_N_TESTS), "?");
	assert_int_equal(filter_test_ntpd_flash(FILTER_N_TESTS), 0);
	/* Only failures that say the server cannot be trusted make it unfit; dropped replies and
	 * RATE do not. */
	assert_int_equal(FILTER_UNFIT_MASK,
	    FILTER_T_DENIED | FILTER_T_UNSYNC | FILTER_T_STRATUM | FILTER_T_ROOT_DIST |
	        FILTER_T_DISTANCE | FILTER_T_UNREACHABLE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sample_offset_delay),
	    cmocka_unit_test(test_sample_negative_delay_clamped),
	    cmocka_unit_test(test_sample_dispersion_uses_server_precision),
	    cmocka_unit_test(test_check_header),
	    cmocka_unit_test(test_run_min_delay_and_jitter),
	    cmocka_unit_test(test_run_single_sample),
	    cmocka_unit_test(test_run_jitter_floor),
	    cmocka_unit_test(test_run_delay_ties),
	    cmocka_unit_test(test_run_many_samples),
	    cmocka_unit_test(test_root_distance),
	    cmocka_unit_test(test_flash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
