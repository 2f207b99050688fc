/* test_query.c: judging replies (origin, duplicate, late, mode, malformed, kiss-o'-death, header
 * tests), the summary of a run (status, error, note), selection over targets and the remote
 * column. Replies are built with wire_ntp_encode from struct fields, so each test shows exactly
 * which field is wrong. */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>

#include "buf.h"
#include "cw_test.h"
#include "fixtures.h"
#include "query.h"
#include "timeutil.h"
#include "wire_ntp.h"

#define XMT UINT64_C(0x0123456789abcdef)  /* our random transmit timestamp */
#define XMT2 UINT64_C(0xfedcba9876543210) /* the next request's */
/* Server 15 s ahead, 1/64 s each way, 1/256 s inside the server. */
#define T4_NS (T1_NS + NS(2 * P64 + P256))
#define PREC (-20)

static struct ntp_packet
good_reply(uint64_t origin)
{
	return fx_reply(origin, T1_NS + NS(15 + P64), T1_NS + NS(15 + P64 + P256));
}

static struct ntp_packet
kod(const char *code, uint64_t origin)
{
	struct ntp_packet p = good_reply(origin);

	/* As ntpd sends them: LI 3, stratum 0, our transmit copied everywhere. */
	p.leap = WIRE_NTP_LEAP_UNSYNC;
	p.stratum = 0;
	memcpy(p.refid, code, 4);
	p.receive_ts = p.transmit_ts = origin;
	return p;
}

/* A target with one request outstanding. */
static void
target(struct query_target *t, size_t max_samples)
{
	query_target_init(t, "ntp.example", max_samples);
	snprintf(t->addr, sizeof(t->addr), "192.0.2.1");
	t->port = 123;
	t->family = AF_INET;
	t->xmt_wire = XMT;
	t->t1_ns = T1_NS;
	t->n_sent = 1;
}

static enum query_action
handle(struct query_target *t, const struct ntp_packet *p, int64_t t4_ns)
{
	uint8_t pkt[WIRE_NTP_HEADER_LEN];

	wire_ntp_encode(p, pkt);
	return query_handle_reply(t, pkt, sizeof(pkt), t4_ns, PREC);
}

static void
test_accepted(void **state)
{
	struct query_target t;
	struct ntp_packet p = good_reply(XMT);
	char note[200];

	(void)state;
	target(&t, 4);
	assert_int_equal(handle(&t, &p, T4_NS), QUERY_ACCEPTED);
	assert_int_equal(t.n_samples, 1);
	assert_double_exact(t.samples[0].offset_s, 15.0);
	assert_double_exact(t.samples[0].delay_s, 2 * P64);
	assert_i64_equal(t.samples[0].t1_ns, T1_NS);
	assert_i64_equal(t.samples[0].t2_ns, T1_NS + NS(15 + P64));
	assert_i64_equal(t.samples[0].t4_ns, T4_NS);
	assert_u64_equal(t.xmt_wire, 0); /* forgotten: a replay cannot match any more */
	assert_u64_equal(t.last_reply_xmt, p.transmit_ts);
	assert_true(t.have_reply);
	assert_int_equal(t.reply.stratum, 2);
	assert_int_equal(t.tests, 0);
	assert_int_equal(t.n_bogus + t.n_duplicate + t.n_malformed + t.n_wrong_mode + t.n_late, 0);

	query_finish(&t, PREC);
	double disp = 2 * ldexp(1, -20) + FILTER_PHI * (2 * P64 + P256);
	assert_int_equal(t.status, QUERY_OK);
	assert_string_equal(t.error, "");
	assert_int_equal(t.tests, 0);
	assert_int_equal(t.filt.best, 0);
	assert_double_exact(t.filt.offset_s, 15.0);
	assert_double_exact(t.filt.delay_s, 2 * P64);
	assert_double_exact(t.filt.jitter_s, ldexp(1, -20)); /* one sample: the precision */
	assert_double_near(t.filt.dispersion_s, disp, 1e-15);
	assert_double_exact(t.root_delay_s, P64);
	assert_double_exact(t.root_disp_s, 1.0 / 128);
	assert_double_near(t.root_distance_s,
	    (P64 + 2 * P64) / 2 + 1.0 / 128 + disp + ldexp(1, -20), 1e-15);
	assert_double_near(t.error_bound_s, P64 + disp, 1e-15);
	query_note(&t, note, sizeof(note));
	assert_string_equal(note, "");
	query_target_fini(&t);
	assert_null(t.samples);
}

static void
test_wrong_origin_is_bogus(void **state)
{
	struct query_target t;
	struct ntp_packet p = good_reply(XMT ^ 1);
	char note[200];

	(void)state;
	target(&t, 4);
	assert_int_equal(handle(&t, &p, T4_NS), QUERY_DROPPED);
	assert_int_equal(t.n_bogus, 1);
	assert_int_equal(t.tests, FILTER_T_BOGUS);
	assert_contains(t.drop_reason, "origin timestamp does not match");
	assert_u64_equal(t.xmt_wire, XMT); /* still waiting for the real reply */
	assert_int_equal(t.n_samples, 0);
	/* Zero origin is bogus too. */
	p.origin_ts = 0;
	assert_int_equal(handle(&t, &p, T4_NS), QUERY_DROPPED);
	assert_int_equal(t.n_bogus, 2);
	/* The real reply still gets through. */
	p = good_reply(XMT);
	assert_int_equal(handle(&t, &p, T4_NS), QUERY_ACCEPTED);
	query_finish(&t, PREC);
	assert_int_equal(t.status, QUERY_OK); /* a spoofer cannot make the server unusable */
	assert_int_equal(t.tests, FILTER_T_BOGUS);
	query_note(&t, note, sizeof(note));
	assert_string_equal(note, "2 dropped (origin timestamp does not match our request)");
	query_target_fini(&t);
}

static void
test_only_bogus_is_error(void **state)
{
	struct query_target t;
	struct ntp_packet p = good_reply(XMT2);

	(void)state;
	target(&t, 4);
	assert_int_equal(handle(&t, &p, T4_NS), QUERY_DROPPED);
	query_finish(&t, PREC);
	assert_int_equal(t.status, QUERY_ERROR);
	assert_string_equal(t.error,
	    "1 invalid reply, last: origin timestamp does not match our request");
	assert_int_equal(t.tests, FILTER_T_BOGUS | FILTER_T_UNREACHABLE);
	query_target_fini(&t);
}

static void
test_replay_is_duplicate(void **state)
{
	struct query_target t;
	struct ntp_packet p = good_reply(XMT);

	(void)state;
	target(&t, 4);
	assert_int_equal(handle(&t, &p, T4_NS), QUERY_ACCEPTED);
	assert_int_equal(handle(&t, &p, T4_NS + 1000), QUERY_DROPPED);
	assert_int_equal(t.n_duplicate, 1);
	assert_int_equal(t.n_bogus, 0);
	assert_int_equal(t.tests, FILTER_T_DUPLICATE);
	assert_string_equal(t.drop_reason, "duplicate reply");
	assert_int_equal(t.n_samples, 1);
	/* Still a duplicate while the next request is outstanding, and it does not use it up. */
	t.xmt_wire = XMT2;
	t.n_sent = 2;
	assert_int_equal(handle(&t, &p, T4_NS + 2000), QUERY_DROPPED);
	assert_int_equal(t.n_duplicate, 2);
	assert_u64_equal(t.xmt_wire, XMT2);
	query_finish(&t, PREC);
	assert_int_equal(t.status, QUERY_OK);
	query_target_fini(&t);
}

static void
test_wrong_mode(void **state)
{
	static const unsigned modes[] = {0, 1, 2, 3, 5, 6, 7};
	struct query_target t;
	char want[40];

	(void)state;
	target(&t, 4);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct ntp_packet p = good_reply(XMT); /* our origin, even */
		p.mode = (uint8_t)modes[i];
		assert_int_equal(handle(&t, &p, T4_NS), QUERY_DROPPED);
		assert_int_equal(t.n_wrong_mode, i + 1);
		snprintf(want, sizeof(want), "wrong mode %u", modes[i]);
		assert_contains(t.drop_reason, want);
	}
	assert_contains(t.drop_reason, "want 4");
	assert_u64_equal(t.xmt_wire, XMT);
	assert_int_equal(t.n_samples, 0);
	assert_int_equal(t.tests, 0);
	query_finish(&t, PREC);
	assert_int_equal(t.status, QUERY_ERROR);
	assert_contains(t.error, "7 invalid replies, last: wrong mode 7");
	query_target_fini(&t);
}

static void
test_malformed(void **state)
{
	static uint8_t pkt[WIRE_NTP_MAX_LEN + 4];
	const struct ntp_packet good = good_reply(XMT);
	static const struct {
		size_t len;
		uint8_t b0;            /* first octet; 0 keeps the good one */
		const char *reason[2]; /* substrings of drop_reason */
	} v[] = {
	    {47, 0, {"truncated", "(47 octets)"}},
	    {0, 0, {"truncated", "(0 octets)"}},
	    {50, 0, {"multiple of 4", "(50 octets)"}},
	    {WIRE_NTP_MAX_LEN + 4, 0, {"oversize", "(2052 octets)"}},
	    {48, 0x04, {"bad version 0", "bad version 0"}},
	    {48, 0x2c, {"bad version 5", "bad version 5"}},
	    {48, 0x3c, {"bad version 7", "bad version 7"}},
	    {60, 0, {"malformed extension field", "at byte 48 of 60"}},
	};
	struct query_target t;

	(void)state;
	target(&t, 4);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(pkt, 0, sizeof(pkt));
		wire_ntp_encode(&good, pkt);
		if (v[i].b0)
			pkt[0] = v[i].b0;
		/* For 60 octets: a 12-octet "extension field" of length 12. */
		wr_be16(pkt + 50, 12);
		assert_int_equal(query_handle_reply(&t, pkt, v[i].len, T4_NS, PREC), QUERY_DROPPED);
		assert_int_equal(t.n_malformed, i + 1);
		assert_contains(t.drop_reason, v[i].reason[0]);
		assert_contains(t.drop_reason, v[i].reason[1]);
	}
	query_drop_oversize(&t, 3000);
	assert_int_equal(t.n_malformed, sizeof(v) / sizeof(v[0]) + 1);
	assert_string_equal(t.drop_reason, "oversize (3000 octets, at most 2048)");
	assert_u64_equal(t.xmt_wire, XMT);
	assert_int_equal(t.n_samples, 0);
	query_finish(&t, PREC);
	assert_int_equal(t.status, QUERY_ERROR);
	assert_string_equal(t.error,
	    "9 invalid replies, last: oversize (3000 octets, at most 2048)");
	query_target_fini(&t);
}

static void
test_late_reply(void **state)
{
	struct query_target t;
	struct ntp_packet p = good_reply(XMT);

	(void)state;
	target(&t, 4);
	/* The first request (XMT) timed out; XMT2 is outstanding when XMT's reply comes. */
	t.prev_xmt_wire = XMT;
	t.xmt_wire = XMT2;
	t.n_sent = 2;
	assert_int_equal(handle(&t, &p, T4_NS + NS(2)), QUERY_DROPPED);
	assert_int_equal(t.n_late, 1);
	assert_int_equal(t.n_bogus, 0);
	assert_int_equal(t.tests, 0);
	assert_u64_equal(t.prev_xmt_wire, 0);
	assert_u64_equal(t.xmt_wire, XMT2);
	/* A second copy is no longer "late": it matches nothing. */
	assert_int_equal(handle(&t, &p, T4_NS + NS(3)), QUERY_DROPPED);
	assert_int_equal(t.n_late, 1);
	assert_int_equal(t.n_bogus, 1);
	query_target_fini(&t);

	/* Late with nothing outstanding, then the run ends. */
	target(&t, 4);
	t.prev_xmt_wire = XMT;
	t.xmt_wire = 0;
	assert_int_equal(handle(&t, &p, T4_NS + NS(2)), QUERY_DROPPED);
	assert_int_equal(t.n_late, 1);
	query_finish(&t, PREC);
	assert_int_equal(t.status, QUERY_TIMEOUT);
	assert_string_equal(t.error, "no reply in time (1 late)");
	assert_int_equal(t.tests, FILTER_T_UNREACHABLE);
	query_target_fini(&t);
}

static void
test_kiss_of_death(void **state)
{
	static const struct {
		const char *code;
		enum query_action action;
		unsigned tests;
		bool stopped;
		enum query_status status;
		const char *error;
	} v[] = {
	    {"RATE", QUERY_KOD_RATE, FILTER_T_RATE, false, QUERY_KOD,
	        "kiss-o'-death RATE: rate limited, backed off"},
	    {"DENY", QUERY_KOD_STOP, FILTER_T_DENIED, true, QUERY_UNUSABLE,
	        "kiss-o'-death DENY: access denied, stopped querying"},
	    {"RSTR", QUERY_KOD_STOP, FILTER_T_DENIED, true, QUERY_UNUSABLE,
	        "kiss-o'-death RSTR: access denied, stopped querying"},
	    {"INIT", QUERY_CONSUMED, 0, false, QUERY_UNUSABLE, "kiss code INIT: no time given"},
	    {"STEP", QUERY_CONSUMED, 0, false, QUERY_UNUSABLE, "kiss code STEP: no time given"},
	    {"\x01"
	     "AB\x00",
	        QUERY_CONSUMED, 0, false, QUERY_UNUSABLE, "kiss code .AB.: no time given"},
	    /* chronyd and clockwatch's responder while unsynchronized: no code, not a kiss */
	    {"\0\0\0\0", QUERY_CONSUMED, FILTER_T_UNSYNC, false, QUERY_UNUSABLE,
	        "server not synchronized (LI 3, stratum 0): no time given"},
	};
	struct query_target t;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct ntp_packet p = kod(v[i].code, XMT);
		cw_case = v[i].error;
		target(&t, 4);
		assert_int_equal(handle(&t, &p, T4_NS), v[i].action);
		assert_int_equal(t.tests, v[i].tests);
		assert_int_equal(t.stopped, v[i].stopped);
		assert_int_equal(t.n_kod_rate, v[i].action == QUERY_KOD_RATE);
		assert_int_equal(t.n_kod_other, v[i].action == QUERY_CONSUMED);
		assert_u64_equal(t.xmt_wire, 0);
		assert_int_equal(t.n_samples, 0);
		assert_false(t.have_reply);
		query_finish(&t, PREC);
		assert_int_equal(t.status, v[i].status);
		assert_string_equal(t.error, v[i].error);
		assert_int_equal(t.tests, v[i].tests | FILTER_T_UNREACHABLE);
		query_target_fini(&t);
	}
	cw_case = NULL;
	target(&t, 4);
	struct ntp_packet p = kod("RATE", XMT);
	handle(&t, &p, T4_NS);
	assert_string_equal(t.kiss_code, "RATE");
	query_target_fini(&t);
}

/* A kiss-o'-death that does not echo our transmit timestamp is spoofable: ignore it. */
static void
test_spoofed_kod_ignored(void **state)
{
	struct query_target t;
	struct ntp_packet p = kod("DENY", XMT2);

	(void)state;
	target(&t, 4);
	assert_int_equal(handle(&t, &p, T4_NS), QUERY_DROPPED);
	assert_false(t.stopped);
	assert_int_equal(t.n_bogus, 1);
	assert_string_equal(t.kiss_code, "");
	assert_int_equal(t.tests & FILTER_T_DENIED, 0);
	assert_u64_equal(t.xmt_wire, XMT);
	query_target_fini(&t);
}

/* RATE, then a good reply to the next request: usable, with a note. */
static void
test_rate_then_reply(void **state)
{
	struct query_target t;
	struct ntp_packet k = kod("RATE", XMT), p = good_reply(XMT2);
	char note[200];

	(void)state;
	target(&t, 4);
	assert_int_equal(handle(&t, &k, T4_NS), QUERY_KOD_RATE);
	t.xmt_wire = XMT2;
	t.n_sent = 2;
	assert_int_equal(handle(&t, &p, T4_NS), QUERY_ACCEPTED);
	query_finish(&t, PREC);
	assert_int_equal(t.status, QUERY_OK);
	assert_int_equal(t.tests, FILTER_T_RATE);
	query_note(&t, note, sizeof(note));
	assert_string_equal(note, "rate limited (RATE), backed off; 1/2 answered");
	query_target_fini(&t);
}

static void
test_header_tests_make_unusable(void **state)
{
	static const struct {
		unsigned leap, stratum;
		uint32_t root_delay;
		unsigned tests;
		const char *error;
	} v[] = {
	    {3, 2, 0x400, FILTER_T_UNSYNC, "failed: unsynchronized"},
	    {3, 16, 0x400, FILTER_T_UNSYNC | FILTER_T_STRATUM,
	        "failed: unsynchronized stratum_out_of_range"},
	    {0, 16, 0x400, FILTER_T_STRATUM, "failed: stratum_out_of_range"},
	    {0, 2, 0x00200000, FILTER_T_ROOT_DIST | FILTER_T_DISTANCE,
	        "failed: root_distance_too_large distance_exceeded"},
	    {0, 2, 0x00030000, FILTER_T_DISTANCE, "failed: distance_exceeded"}, /* 3 s */
	    {0, 2, 0x00028000, 0, ""}, /* 2.5 s: (2.5 + 0.03)/2 + ... < 1.5 s */
	};
	struct query_target t;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct ntp_packet p = good_reply(XMT);
		cw_case = v[i].error;
		p.leap = (uint8_t)v[i].leap;
		p.stratum = (uint8_t)v[i].stratum;
		p.root_delay = v[i].root_delay;
		target(&t, 4);
		/* The sample is taken: the numbers are still worth showing. */
		assert_int_equal(handle(&t, &p, T4_NS), QUERY_ACCEPTED);
		assert_int_equal(t.n_samples, 1);
		query_finish(&t, PREC);
		assert_int_equal(t.tests, v[i].tests);
		assert_int_equal(t.status, v[i].tests ? QUERY_UNUSABLE : QUERY_OK);
		assert_string_equal(t.error, v[i].error);
		query_target_fini(&t);
	}
	cw_case = NULL;
}

static void
test_invalid_timestamps_consumed(void **state)
{
	struct query_target t;
	struct ntp_packet p = good_reply(XMT);

	(void)state;
	target(&t, 4);
	p.receive_ts = 0;
	assert_int_equal(handle(&t, &p, T4_NS), QUERY_CONSUMED);
	assert_u64_equal(t.xmt_wire, 0); /* ours: the request is answered */
	assert_int_equal(t.n_samples, 0);
	assert_int_equal(t.tests, FILTER_T_INVALID_TS);
	assert_int_equal(t.n_invalid_ts, 1);
	assert_string_equal(t.drop_reason, ""); /* not a dropped datagram: it answered us */
	query_finish(&t, PREC);
	assert_int_equal(t.status, QUERY_UNUSABLE);
	assert_string_equal(t.error, "invalid timestamps (zero or inconsistent) in 1 reply");
	query_target_fini(&t);
}

static void
test_no_reply_is_timeout(void **state)
{
	struct query_target t;
	char note[200];

	(void)state;
	target(&t, 4);
	t.n_sent = 3;
	query_finish(&t, PREC);
	assert_int_equal(t.status, QUERY_TIMEOUT);
	assert_string_equal(t.error, "no reply");
	assert_int_equal(t.tests, FILTER_T_UNREACHABLE);
	assert_int_equal(filter_flash(t.tests), 0x1000);
	query_note(&t, note, sizeof(note));
	assert_string_equal(note, "no reply");
	query_target_fini(&t);
}

/* An error the prober recorded (resolution, or a failed send) survives query_finish. */
static void
test_prober_error_kept(void **state)
{
	struct query_target t;

	(void)state;
	query_target_init(&t, "nx.example", 4);
	t.status = QUERY_ERROR;
	snprintf(t.error, sizeof(t.error), "cannot resolve 'nx.example': not known");
	query_finish(&t, PREC);
	assert_int_equal(t.status, QUERY_ERROR);
	assert_string_equal(t.error, "cannot resolve 'nx.example': not known");
	assert_int_equal(t.tests, 0);
	query_target_fini(&t);

	/* The first request went out and timed out; sending the second failed (probe_ntp.c
	 * fail_pt sets the error, QUERY_ERROR and stopped). That is not a kiss-o'-death. */
	target(&t, 4);
	t.prev_xmt_wire = XMT;
	t.xmt_wire = 0;
	t.status = QUERY_ERROR;
	t.stopped = true;
	snprintf(t.error, sizeof(t.error), "send failed: Network is unreachable");
	query_finish(&t, PREC);
	assert_string_equal(t.error, "send failed: Network is unreachable");
	assert_int_equal(t.status, QUERY_ERROR);
	assert_string_equal(t.error, "send failed: Network is unreachable");
	query_target_fini(&t);
}

static void
test_icmp_errors(void **state)
{
	struct query_target t;
	struct ntp_packet p = good_reply(XMT);

	(void)state;
	target(&t, 4);
	query_icmp_error(&t, ECONNREFUSED);
	assert_int_equal(t.n_icmp, 1);
	assert_int_equal(t.icmp_errno, ECONNREFUSED);
	assert_u64_equal(t.xmt_wire, 0);
	assert_u64_equal(t.prev_xmt_wire, XMT);
	/* A reply to that request after all (the ICMP error may be forged) counts as late. */
	assert_int_equal(handle(&t, &p, T4_NS), QUERY_DROPPED);
	assert_int_equal(t.n_late, 1);
	query_finish(&t, PREC);
	assert_int_equal(t.status, QUERY_ERROR);
	assert_string_equal(t.error, "port unreachable: nothing listens on UDP port 123 (ICMP)");
	assert_int_equal(t.tests, FILTER_T_UNREACHABLE);
	query_target_fini(&t);

	target(&t, 4);
	query_icmp_error(&t, EHOSTUNREACH);
	query_finish(&t, PREC);
	assert_int_equal(t.status, QUERY_ERROR);
	assert_string_equal(t.error, "ICMP error: No route to host");
	query_target_fini(&t);

	/* An ICMP error, then an answer to the next request: usable. */
	target(&t, 4);
	query_icmp_error(&t, ECONNREFUSED);
	p = good_reply(XMT2);
	t.xmt_wire = XMT2;
	t.n_sent = 2;
	assert_int_equal(handle(&t, &p, T4_NS), QUERY_ACCEPTED);
	query_finish(&t, PREC);
	assert_int_equal(t.status, QUERY_OK);
	query_target_fini(&t);
}

static void
test_max_samples_and_filter(void **state)
{
	struct query_target t;
	/* Three exchanges; the second has the smallest delay. */
	static const double extra_delay[] = {P64, 0, P256};

	(void)state;
	target(&t, 2);
	for (size_t i = 0; i < 3; i++) {
		uint64_t x = XMT + i;
		struct ntp_packet p = good_reply(x);
		t.xmt_wire = x;
		t.n_sent = (unsigned)i + 1;
		assert_int_equal(handle(&t, &p, T4_NS + NS(extra_delay[i])), QUERY_ACCEPTED);
	}
	assert_int_equal(t.n_samples, 2); /* max_samples */
	query_finish(&t, PREC);
	assert_int_equal(t.status, QUERY_OK);
	assert_int_equal(t.filt.best, 1);
	assert_double_exact(t.filt.delay_s, 2 * P64);
	/* Offsets 15 - 1/128 (sample 0) and 15 (sample 1): jitter 1/128, RMS of one. */
	assert_double_exact(t.samples[0].offset_s, 15 - P64 / 2);
	assert_double_exact(t.filt.offset_s, 15.0);
	assert_double_exact(t.filt.jitter_s, P64 / 2);
	query_target_fini(&t);

	/* max_samples 0 means 1. */
	query_target_init(&t, "x", 0);
	assert_int_equal(t.max_samples, 1);
	assert_non_null(t.samples);
	assert_int_equal(t.tally, ' ');
	query_target_fini(&t);
}

/* A target already judged, for selection and notes. */
static void
judged(struct query_target *t, const char *host, enum query_status st, double offset,
    double root_distance, int stratum)
{
	query_target_init(t, host, 1);
	t->status = st;
	t->filt.offset_s = offset;
	t->filt.jitter_s = 0.001;
	t->root_distance_s = root_distance;
	t->reply.stratum = (uint8_t)stratum;
	t->n_samples = st == QUERY_OK ? 1 : 0;
	t->n_sent = 1;
}

static void
test_select_over_targets(void **state)
{
	struct query_target t[6];
	struct select_result res;

	(void)state;
	judged(&t[0], "a", QUERY_TIMEOUT, 0, 0, 0);
	judged(&t[1], "b", QUERY_OK, 0.0, 0.5, 2);
	judged(&t[2], "c", QUERY_UNUSABLE, 0.0, 0.5, 1);
	judged(&t[3], "d", QUERY_OK, 0.125, 0.25, 2); /* best merit */
	judged(&t[4], "e", QUERY_OK, 10.0, 0.5, 1);   /* falseticker */
	judged(&t[5], "f", QUERY_OK, 0.0625, 0.5, 2);
	query_select(t, 6, &res);
	assert_true(res.ok);
	assert_int_equal(res.sys_peer, 3); /* the index among all targets, not candidates */
	assert_int_equal(res.n_truechimers, 3);
	assert_int_equal(res.n_falsetickers, 1);
	static const char want[] = "?+?*x+";
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(t[i].tally, want[i]);
	for (size_t i = 0; i < 6; i++)
		query_target_fini(&t[i]);

	/* No targets, or none usable. */
	query_select(NULL, 0, &res);
	assert_false(res.ok);
	assert_int_equal(res.sys_peer, -1);
	judged(&t[0], "a", QUERY_TIMEOUT, 0, 0, 0);
	query_select(t, 1, &res);
	assert_int_equal(res.sys_peer, -1);
	assert_int_equal(t[0].tally, '?');
	query_target_fini(&t[0]);
}

static void
test_note(void **state)
{
	struct query_target t;
	char note[200], small[12];

	(void)state;
	judged(&t, "a", QUERY_OK, 0, 0.5, 2);
	t.tally = SELECT_TALLY_FALSETICKER;
	t.n_sent = 3;
	t.n_samples = 1;
	t.n_late = 2;
	t.n_bogus = 1;
	snprintf(t.drop_reason, sizeof(t.drop_reason), "duplicate reply");
	t.reply.leap = WIRE_NTP_LEAP_INS;
	query_note(&t, note, sizeof(note));
	assert_string_equal(note,
	    "falseticker; 1/3 answered; 2 late; 1 dropped (duplicate reply); "
	    "leap second insert pending");
	t.tally = SELECT_TALLY_OUTLIER;
	t.n_late = 0;
	t.n_bogus = 0;
	t.reply.leap = WIRE_NTP_LEAP_DEL;
	query_note(&t, note, sizeof(note));
	assert_string_equal(note, "outlier; 1/3 answered; leap second delete pending");
	/* A small buffer truncates and stays terminated. */
	memset(small, 'Z', sizeof(small));
	query_note(&t, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_string_equal(small, "outlier; 1/");
	/* Not ok: the error. */
	t.status = QUERY_TIMEOUT;
	snprintf(t.error, sizeof(t.error), "no reply");
	query_note(&t, note, sizeof(note));
	assert_string_equal(note, "no reply");
	query_target_fini(&t);
}

static void
test_remote(void **state)
{
	static const struct {
		const char *host, *addr;
		int family;
		uint16_t port;
		const char *want;
	} v[] = {
	    {"ntp.example", "192.0.2.1", AF_INET, 123, "ntp.example (192.0.2.1)"},
	    {"ntp.example", "192.0.2.1", AF_INET, 8123, "ntp.example (192.0.2.1:8123)"},
	    {"ntp.example", "2001:db8::1", AF_INET6, 123, "ntp.example (2001:db8::1)"},
	    {"ntp.example", "2001:db8::1", AF_INET6, 8123, "ntp.example ([2001:db8::1]:8123)"},
	    {"192.0.2.1", "192.0.2.1", AF_INET, 123, "192.0.2.1"},
	    {"192.0.2.1", "192.0.2.1", AF_INET, 1123, "192.0.2.1:1123"},
	    {"::1", "::1", AF_INET6, 123, "::1"},
	    {"::1", "::1", AF_INET6, 8123, "[::1]:8123"},
	    {"localhost", "::1", AF_INET6, 123, "localhost (::1)"},
	    {"nx.example", "", 0, 123, "nx.example"}, /* did not resolve */
	    {"nx.example", "", 0, 8123, "nx.example"},
	};
	struct query_target t;
	char buf[300];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		query_target_init(&t, v[i].host, 1);
		snprintf(t.addr, sizeof(t.addr), "%s", v[i].addr);
		t.family = v[i].family;
		t.port = v[i].port;
		query_remote(&t, buf, sizeof(buf));
		assert_string_equal(buf, v[i].want);
		query_target_fini(&t);
	}
	/* Truncation in a small buffer. */
	query_target_init(&t, "ntp.example", 1);
	snprintf(t.addr, sizeof(t.addr), "192.0.2.1");
	t.port = 123;
	query_remote(&t, buf, 8);
	assert_string_equal(buf, "ntp.exa");
	query_target_fini(&t);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(query_status_name(QUERY_OK), "ok");
	assert_string_equal(query_status_name(QUERY_TIMEOUT), "timeout");
	assert_string_equal(query_status_name(QUERY_KOD), "kod");
	assert_string_equal(query_status_name(QUERY_UNUSABLE), "unusable");
	assert_string_equal(query_status_name(QUERY_ERROR), "error");
	assert_string_equal(query_status_name((enum query_status)5), "?");
	assert_string_equal(query_leap_name(0), "none");
	assert_string_equal(query_leap_name(1), "insert");
	assert_string_equal(query_leap_name(2), "delete");
	assert_string_equal(query_leap_name(3), "unsynchronized");
	assert_string_equal(query_leap_name(7), "unsynchronized");
}

/* Six agreeing targets, a microsecond apart, with n samples each and a tiny measured jitter. */
static void
agreeing_targets(struct query_target *t, int n_targets, size_t n_samples)
{
	for (int i = 0; i < n_targets; i++) {
		query_target_init(&t[i], "h", n_samples);
		t[i].status = QUERY_OK;
		t[i].n_samples = n_samples;
		t[i].reply.stratum = 1;
		t[i].filt.offset_s = 1e-6 * i;
		t[i].filt.jitter_s = ldexp(1, -25);
		t[i].error_bound_s = 1e-5;
		t[i].root_distance_s = 0.001;
	}
}

/* With one sample each, agreeing servers a few microseconds apart are not clustered out as
 * outliers: their error bounds stand in for the unknown jitter. */
static void
test_select_single_samples_no_false_outliers(void **state)
{
	struct query_target t[6];
	struct select_result res;

	(void)state;
	agreeing_targets(t, 6, 1);
	query_select(t, 6, &res);
	assert_true(res.ok);
	assert_int_equal(res.n_survivors, 6);
	for (int i = 0; i < 6; i++) {
		assert_true(
		    t[i].tally == SELECT_TALLY_SYSPEER || t[i].tally == SELECT_TALLY_CANDIDATE);
		query_target_fini(&t[i]);
	}
	/* The same with eight samples each and that tiny measured jitter: the spread is real. */
	agreeing_targets(t, 6, 8);
	query_select(t, 6, &res);
	assert_int_equal(res.n_survivors, SELECT_NMIN);
	for (int i = 0; i < 6; i++)
		query_target_fini(&t[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accepted),
	    cmocka_unit_test(test_wrong_origin_is_bogus),
	    cmocka_unit_test(test_only_bogus_is_error),
	    cmocka_unit_test(test_replay_is_duplicate),
	    cmocka_unit_test(test_wrong_mode),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_late_reply),
	    cmocka_unit_test(test_kiss_of_death),
	    cmocka_unit_test(test_spoofed_kod_ignored),
	    cmocka_unit_test(test_rate_then_reply),
	    cmocka_unit_test(test_header_tests_make_unusable),
	    cmocka_unit_test(test_invalid_timestamps_consumed),
	    cmocka_unit_test(test_no_reply_is_timeout),
	    cmocka_unit_test(test_prober_error_kept),
	    cmocka_unit_test(test_icmp_errors),
	    cmocka_unit_test(test_max_samples_and_filter),
	    cmocka_unit_test(test_select_over_targets),
	    cmocka_unit_test(test_note),
	    cmocka_unit_test(test_remote),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_select_single_samples_no_false_outliers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
