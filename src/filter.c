/* filter.c: sample arithmetic, sanity tests and the one-shot clock filter (RFC 5905 §8-§10). */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "filter.h"
#include "macros.h"
#include "timeutil.h"
#include "wire_ntp.h"
#include "xalloc.h"

static const struct {
	const char *name;
	const char *ntpd_name;
	unsigned flash;
} tests[FILTER_N_TESTS] = {
    {"duplicate", "pkt_dup", 0x0001},
    {"bogus", "pkt_bogus", 0x0002},
    {"invalid_timestamps", "pkt_unsync", 0x0004},
    {"access_denied", "pkt_denied", 0x0008},
    {"unsynchronized", "pkt_stratum", 0x0020},
    {"stratum_out_of_range", "pkt_stratum", 0x0020},
    {"root_distance_too_large", "pkt_header", 0x0040},
    {"distance_exceeded", "peer_dist", 0x0400},
    {"unreachable", "peer_unreach", 0x1000},
    {"rate_limited", "-", 0},
};

const char *
filter_test_name(unsigned i)
{
	return i < FILTER_N_TESTS ? tests[i].name : "?";
}

const char *
filter_test_ntpd_name(unsigned i)
{
	return i < FILTER_N_TESTS ? tests[i].ntpd_name : "?";
}

unsigned
filter_test_ntpd_flash(unsigned i)
{
	return i < FILTER_N_TESTS ? tests[i].flash : 0;
}

unsigned
filter_flash(unsigned t)
{
	unsigned flash = 0;

	for (unsigned i = 0; i < FILTER_N_TESTS; i++)
		if (t & (1u << i))
			flash |= tests[i].flash;
	return flash;
}

void
filter_sample_compute(const struct ntp_packet *r, int64_t t1_ns, int64_t t4_ns, int local_precision,
    struct filter_sample *out)
{
	uint64_t t1 = timeutil_ns_to_ntp64(t1_ns);
	uint64_t t4 = timeutil_ns_to_ntp64(t4_ns);
	/* First-order differences on the raw 64-bit values, then doubles (RFC 5905 §8). */
	double d21 = timeutil_ntp64_diff_s(r->receive_ts, t1);
	double d34 = timeutil_ntp64_diff_s(r->transmit_ts, t4);
	double d41 = timeutil_ntp64_diff_s(t4, t1);
	double d32 = timeutil_ntp64_diff_s(r->transmit_ts, r->receive_ts);
	double rho_local = timeutil_log2_to_s(local_precision);

	out->t1_ns = t1_ns;
	out->t4_ns = t4_ns;
	out->t2_ns = timeutil_ntp64_to_ns(r->receive_ts, t1_ns);
	out->t3_ns = timeutil_ntp64_to_ns(r->transmit_ts, t1_ns);
	out->offset_s = (d21 + d34) / 2.0;
	out->delay_s = CW_MAX(d41 - d32, rho_local);
	out->dispersion_s = timeutil_log2_to_s(r->precision) + rho_local + FILTER_PHI * fabs(d41);
}

unsigned
filter_check_header(const struct ntp_packet *r)
{
	unsigned t = 0;

	if (r->origin_ts == 0 || r->receive_ts == 0 || r->transmit_ts == 0 ||
	    timeutil_ntp64_diff_s(r->transmit_ts, r->receive_ts) < 0 ||
	    (r->reference_ts != 0 && timeutil_ntp64_diff_s(r->reference_ts, r->transmit_ts) > 0))
		t |= FILTER_T_INVALID_TS;
	if (r->leap == WIRE_NTP_LEAP_UNSYNC)
		t |= FILTER_T_UNSYNC;
	if (r->stratum == 0 || r->stratum >= FILTER_MAXSTRAT)
		t |= FILTER_T_STRATUM;
	if (timeutil_ntp_short_to_s(r->root_delay) / 2 +
	        timeutil_ntp_short_to_s(r->root_dispersion) >=
	    FILTER_MAXDISP)
		t |= FILTER_T_ROOT_DIST;
	return t;
}

struct sort_ctx {
	const struct filter_sample *s;
};

static int
by_delay(const void *a, const void *b, void *arg)
{
	const struct filter_sample *s = ((const struct sort_ctx *)arg)->s;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	double da = s[ia].delay_s, db = s[ib].delay_s;

	if (da != db)
		return (da > db) - (da < db);
	return (ia > ib) - (ia < ib); /* qsort_r need not be stable: the earlier sample wins */
}

void
filter_run(const struct filter_sample *s, size_t n, double precision_s, struct filter_result *out)
{
	size_t order_small[16],
	    *order = n <= 16 ? order_small : xreallocarray(NULL, n, sizeof(*order));
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		order[i] = i;
	struct sort_ctx ctx = {s};
	qsort_r(order, n, sizeof(*order), by_delay, &ctx);
	out->best = order[0];
	out->offset_s = s[order[0]].offset_s;
	out->delay_s = s[order[0]].delay_s;
	for (size_t i = 1; i < n; i++) {
		double d = s[order[i]].offset_s - out->offset_s;
		sum += d * d;
	}
	out->dispersion_s = s[order[0]].dispersion_s;
	out->jitter_s = n > 1 ? sqrt(sum / (double)(n - 1)) : 0.0;
	if (out->jitter_s < precision_s)
		out->jitter_s = precision_s;
	if (order != order_small)
		free(order);
}

double
filter_root_distance(double root_delay_s, double root_disp_s, double delay_s, double disp_s,
    double jitter_s)
{
	double d = (root_delay_s + delay_s) / 2.0 + root_disp_s + disp_s + jitter_s;

	return d < FILTER_MINDIST ? FILTER_MINDIST : d;
}
