/* filter.h: per-sample NTP arithmetic (RFC 5905 §8), the packet sanity tests that ntpd reports as
 * flash bits, and the one-shot clock filter: best sample by minimum delay, jitter, root distance.
 * Pure: all times come in as arguments. Offsets, delays and dispersions are double seconds. */
#ifndef CLOCKWATCH_FILTER_H
#define CLOCKWATCH_FILTER_H

#include <stddef.h>
#include <stdint.h>

struct ntp_packet;

/* RFC 5905 constants (§7.2 Fig. 6, ntpd include/ntp.h). */
#define FILTER_PHI 15e-6     /* dispersion growth, s/s */
#define FILTER_MAXDISP 16.0  /* s */
#define FILTER_MINDIST 0.001 /* root distance floor, s (ntpd tos mindist) */
#define FILTER_MAXDIST 1.5   /* selection threshold, s (ntpd tos maxdist) */
#define FILTER_MAXSTRAT 16

/* Sanity tests; a set bit means the test FAILED. Names and ntpd flash bits: filter_test_name(). */
enum filter_test {
	FILTER_T_DUPLICATE = 1u << 0,   /* ntpd TEST1 pkt_dup: transmit timestamp seen before */
	FILTER_T_BOGUS = 1u << 1,       /* TEST2 pkt_bogus: origin is not our transmit */
	FILTER_T_INVALID_TS = 1u << 2,  /* TEST3 pkt_unsync: zero or inconsistent timestamps */
	FILTER_T_DENIED = 1u << 3,      /* TEST4 pkt_denied: kiss-o'-death DENY or RSTR */
	FILTER_T_UNSYNC = 1u << 4,      /* TEST6 pkt_stratum: leap indicator 3 */
	FILTER_T_STRATUM = 1u << 5,     /* TEST6 pkt_stratum: stratum 0 or >= 16 */
	FILTER_T_ROOT_DIST = 1u << 6,   /* TEST7 pkt_header: root delay/2 + dispersion >= 16 s */
	FILTER_T_DISTANCE = 1u << 7,    /* TEST11 peer_dist: root distance >= maxdist (1.5 s) */
	FILTER_T_UNREACHABLE = 1u << 8, /* TEST13 peer_unreach: no valid reply */
	FILTER_T_RATE = 1u << 9,        /* kiss-o'-death RATE (no ntpd bit; ntpd counts it) */
};
#define FILTER_N_TESTS 10

/* Short name ("unsynchronized"), ntpd's name ("pkt_stratum") and flash bit of test number i
 * (0 .. FILTER_N_TESTS-1). */
const char *filter_test_name(unsigned i);
const char *filter_test_ntpd_name(unsigned i);
unsigned filter_test_ntpd_flash(unsigned i);
/* ntpd flash word for a set of our tests. */
unsigned filter_flash(unsigned tests);
/* Tests that make a target unfit for selection. */
#define FILTER_UNFIT_MASK                                                                          \
	(FILTER_T_DENIED | FILTER_T_UNSYNC | FILTER_T_STRATUM | FILTER_T_ROOT_DIST |               \
	    FILTER_T_DISTANCE | FILTER_T_UNREACHABLE)

/* One exchange. t2/t3 come from the server; t1 is our local send time and t4 the kernel's
 * receive time. All _ns are Unix ns on the local realtime clock (t2/t3 placed in the era nearest
 * t1). */
struct filter_sample {
	int64_t t1_ns, t2_ns, t3_ns, t4_ns;
	double offset_s;     /* ((T2-T1)+(T3-T4))/2: positive = server ahead of us */
	double delay_s;      /* (T4-T1)-(T3-T2), at least the local precision */
	double dispersion_s; /* 2^server_precision + 2^local_precision + PHI*(T4-T1) */
};

/* Computes a sample from a reply header and our local send/receive times. */
void filter_sample_compute(const struct ntp_packet *reply, int64_t t1_ns, int64_t t4_ns,
    int local_precision, struct filter_sample *out);

/* Header tests that need only the reply (FILTER_T_INVALID_TS, _UNSYNC, _STRATUM, _ROOT_DIST). */
unsigned filter_check_header(const struct ntp_packet *reply);

/* Result of the one-shot clock filter over a target's samples. */
struct filter_result {
	size_t best; /* index of the minimum-delay sample */
	double offset_s;
	double delay_s;
	double
	    dispersion_s; /* the best sample's dispersion (one-shot: no aging, no empty stages) */
	double jitter_s;  /* RMS of the other samples' offsets around the best one */
};

/* Runs the filter over n >= 1 samples; precision_s floors the jitter. */
void
filter_run(const struct filter_sample *s, size_t n, double precision_s, struct filter_result *out);

/* Root distance (RFC 5905 A.5.5.2): max(MINDIST, (root_delay + delay)/2 + root_disp + disp +
 * jitter). The bound on how far the server's time can be from UTC as seen through it. */
double filter_root_distance(double root_delay_s, double root_disp_s, double delay_s, double disp_s,
    double jitter_s);

#endif
