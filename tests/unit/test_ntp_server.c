/* test_ntp_server.c: the responder's reply (RFC 5905 mode 4) for a synchronized and an
 * unsynchronized host, what is refused (modes, lengths, versions, trailers), that a reply is
 * never larger than its request, and the token bucket, all against hand-computed values. */
#include "config.h"

#include "buf.h"
#include "cw_test.h"
#include "ntp_server.h"
#include "timeutil.h"
#include "wire_ntp.h"

#define RX_TS UINT64_C(0xe8fe6f801f9add37)
#define TX_TS UINT64_C(0xe8fe6f8020000000)
#define CLIENT_XMT UINT64_C(0x0123456789abcdef)
#define S_NS(x) ((int64_t)((x)*1e9))

/* A chrony-style client request: LI 0, VN 4, mode 3, poll 6, random transmit, all else 0. */
static void
make_request(uint8_t req[WIRE_NTP_HEADER_LEN], unsigned version, unsigned mode)
{
	memset(req, 0, WIRE_NTP_HEADER_LEN);
	req[0] = (uint8_t)(version << 3 | mode);
	req[2] = 6;
	req[3] = 0xe9; /* precision -23: the server must not echo it */
	wr_be64(req + 40, CLIENT_XMT);
}

static const struct ntp_server_clock synced = {
    .synchronized = true,
    .stratum = 2,
    .refid = 0, /* synced_clock() sets 192.0.2.1 */
    .root_delay_s = 0.5,
    .root_disp_s = 0.25,
    .leap = 1,
    .precision = -10,                          /* 2^-10 s = 1/1024 s */
    .reftime = TX_TS - (UINT64_C(1000) << 32), /* 1000 s before the reply */
};

/* The synchronized host of these tests, with its refid 192.0.2.1 in wire order. */
static struct ntp_server_clock
synced_clock(void)
{
	struct ntp_server_clock c = synced;

	memcpy(&c.refid, "\xc0\x00\x02\x01", 4);
	return c;
}

static struct ntp_packet
reply_to(const uint8_t *req, size_t len, const struct ntp_server_clock *c)
{
	uint8_t out[WIRE_NTP_HEADER_LEN + 16];
	struct ntp_packet p;

	memset(out, 0xaa, sizeof(out));
	assert_int_equal(ntp_server_reply(req, len, c, RX_TS, TX_TS, out, sizeof(out)),
	    WIRE_NTP_HEADER_LEN);
	assert_int_equal(out[WIRE_NTP_HEADER_LEN], 0xaa); /* nothing written past 48 */
	assert_int_equal(wire_ntp_decode(out, WIRE_NTP_HEADER_LEN, &p, NULL), WIRE_NTP_OK);
	return p;
}

/* The reply to a plain NTPv4 client request. */
static struct ntp_packet
reply_to_v4(const struct ntp_server_clock *c)
{
	uint8_t req[WIRE_NTP_HEADER_LEN];

	make_request(req, 4, WIRE_NTP_MODE_CLIENT);
	return reply_to(req, sizeof(req), c);
}

static void
test_reply_synchronized(void **state)
{
	struct ntp_server_clock c = synced_clock();

	(void)state;
	struct ntp_packet p = reply_to_v4(&c);
	assert_int_equal(p.leap, 1);
	assert_int_equal(p.version, 4);
	assert_int_equal(p.mode, WIRE_NTP_MODE_SERVER);
	assert_int_equal(p.stratum, 3); /* one below the host */
	assert_int_equal(p.poll, 6);    /* the client's poll, as RFC 5905 fast_xmit */
	assert_int_equal(p.precision, -10);
	assert_memory_equal(p.refid, "\xc0\x00\x02\x01", 4);
	assert_int_equal(p.root_delay, 0x8000); /* 0.5 s, nothing added: the client measures us */
	/* 0.25 + 2^-10 + 15e-6 * 1000 s = 0.265977 s -> 16.16 rounded: 17431 */
	assert_int_equal(p.root_dispersion, 17431);
	assert_u64_equal(p.reference_ts, c.reftime);
	assert_u64_equal(p.origin_ts, CLIENT_XMT);
	assert_u64_equal(p.receive_ts, RX_TS);
	assert_u64_equal(p.transmit_ts, TX_TS);
}

static void
test_reply_unsynchronized(void **state)
{
	struct ntp_server_clock c = synced_clock();

	(void)state;
	c.synchronized = false;
	/* A NULL clock (nothing known yet) is the same as an unsynchronized one. */
	for (int i = 0; i < 2; i++) {
		struct ntp_packet p = reply_to_v4(i ? NULL : &c);
		assert_int_equal(p.leap, WIRE_NTP_LEAP_UNSYNC);
		assert_int_equal(p.stratum, 0);
		assert_memory_equal(p.refid, "\0\0\0\0", 4);
		assert_int_equal(p.root_delay, 0);
		assert_int_equal(p.root_dispersion, 16 << 16); /* MAXDISP */
		assert_u64_equal(p.reference_ts, 0);
		assert_int_equal(p.mode, WIRE_NTP_MODE_SERVER);
		/* The time itself is still given: a cluster peer measures this clock with it. */
		assert_u64_equal(p.origin_ts, CLIENT_XMT);
		assert_u64_equal(p.receive_ts, RX_TS);
		assert_u64_equal(p.transmit_ts, TX_TS);
	}
}

/* A clock state that contradicts itself or is out of range is answered as unsynchronized. */
static void
test_reply_bad_clock_is_unsynchronized(void **state)
{
	static const struct {
		const char *name;
		int stratum, leap;
		double delay_s, disp_s;
	} v[] = {
	    {"stratum 0", 0, 0, 0, 0},
	    {"stratum 16", 16, 0, 0, 0},
	    {"stratum -1", -1, 0, 0, 0},
	    {"leap 3", 2, 3, 0, 0},
	    {"leap -1", 2, -1, 0, 0},
	    {"nan delay", 2, 0, NAN, 0},
	    {"negative dispersion", 2, 0, 0, -1},
	    {"infinite dispersion", 2, 0, 0, INFINITY},
	};

	(void)state;
	for (size_t i = 0; i < CW_ARRAY_LEN(v); i++) {
		struct ntp_server_clock c = synced;
		cw_case = v[i].name;
		c.stratum = v[i].stratum;
		c.leap = v[i].leap;
		c.root_delay_s = v[i].delay_s;
		c.root_disp_s = v[i].disp_s;
		struct ntp_packet p = reply_to_v4(&c);
		assert_int_equal(p.leap, WIRE_NTP_LEAP_UNSYNC);
		assert_int_equal(p.stratum, 0);
	}
	cw_case = NULL;
}

static void
test_reply_stratum_cap_and_leap_values(void **state)
{

	(void)state;
	for (int s = 1; s <= 15; s++) {
		struct ntp_server_clock c = synced;
		c.stratum = s;
		c.leap = s % 3;
		struct ntp_packet p = reply_to_v4(&c);
		assert_int_equal(p.stratum, s < 15 ? s + 1 : 15);
		assert_int_equal(p.leap, s % 3);
	}
}

static void
test_reply_version_echoed(void **state)
{
	uint8_t req[WIRE_NTP_HEADER_LEN];

	(void)state;
	for (unsigned vn = 1; vn <= 4; vn++) {
		make_request(req, vn, WIRE_NTP_MODE_CLIENT);
		req[0] |= 0xc0; /* the client's LI means nothing to us */
		struct ntp_packet p = reply_to(req, sizeof(req), &synced);
		assert_int_equal(p.version, vn);
		assert_int_equal(p.mode, WIRE_NTP_MODE_SERVER);
		assert_int_equal(p.leap, 1);
	}
}

static void
test_reply_root_dispersion(void **state)
{
	struct ntp_server_clock c = synced;

	(void)state;
	/* Unknown reference time: only the precision is added. 0.25 + 1/1024 s. */
	c.reftime = 0;
	assert_int_equal(reply_to_v4(&c).root_dispersion, 16384 + 64);
	/* A reference time after our transmit time is sent as the transmit time; nothing grows. */
	c.reftime = TX_TS + (UINT64_C(5) << 32);
	struct ntp_packet p = reply_to_v4(&c);
	assert_u64_equal(p.reference_ts, TX_TS);
	assert_int_equal(p.root_dispersion, 16384 + 64);
	/* Huge values saturate the 16.16 field instead of wrapping. */
	c.reftime = 0;
	c.root_delay_s = 1e9;
	c.root_disp_s = 70000;
	p = reply_to_v4(&c);
	assert_int_equal(p.root_delay, UINT32_MAX);
	assert_int_equal(p.root_dispersion, UINT32_MAX);
	/* A precision outside what the field can say is clamped: 0 at the most. */
	c = synced;
	c.precision = 5;
	assert_int_equal(reply_to_v4(&c).precision, 0);
	c.precision = -100;
	assert_int_equal(reply_to_v4(&c).precision, -32);
}

static size_t
reply_len(const uint8_t *req, size_t len)
{
	uint8_t out[128];

	return ntp_server_reply(req, len, &synced, RX_TS, TX_TS, out, sizeof(out));
}

static void
test_refused_modes_and_versions(void **state)
{
	uint8_t req[WIRE_NTP_HEADER_LEN];

	(void)state;
	for (unsigned mode = 0; mode <= 7; mode++) {
		make_request(req, 4, mode);
		assert_int_equal(reply_len(req, sizeof(req)), mode == 3 ? 48 : 0);
	}
	for (unsigned vn = 0; vn <= 7; vn++) {
		make_request(req, vn, WIRE_NTP_MODE_CLIENT);
		assert_int_equal(reply_len(req, sizeof(req)), vn >= 1 && vn <= 4 ? 48 : 0);
	}
}

/* Every length from 0 to 200 octets: only a bare 48-octet request is answered, never with more
 * than it sent. Longer requests carry a MAC (no key here) or extension fields (NTS and others, not
 * implemented): answering them in 48 octets would drop what the client asked for. */
static void
test_refused_lengths(void **state)
{
	uint8_t req[200];
	uint8_t out[256];

	(void)state;
	for (size_t len = 0; len <= sizeof(req); len++) {
		char name[32];
		snprintf(name, sizeof(name), "length %zu", len);
		cw_case = name;
		memset(req, 0, sizeof(req));
		make_request(req, 4, WIRE_NTP_MODE_CLIENT);
		if (len >= 52)
			wr_be16(req + 50, (uint16_t)(len - 48)); /* a well-formed extension field */
		size_t n = ntp_server_reply(req, len, &synced, RX_TS, TX_TS, out, sizeof(out));
		assert_true(n <= len);
		assert_int_equal(n, len == 48 ? 48 : 0);
	}
	cw_case = NULL;
	/* The MAC trailers of RFC 5905 (key id + MD5 or SHA-1, 68 and 72 octets) and a crypto-NAK.
	 */
	for (size_t extra = 4; extra <= 24; extra += 4) {
		make_request(req, 4, WIRE_NTP_MODE_CLIENT);
		memset(req + 48, 0x11, extra);
		assert_int_equal(reply_len(req, 48 + extra), 0);
	}
	/* No room for the reply: nothing is written. */
	make_request(req, 4, WIRE_NTP_MODE_CLIENT);
	memset(out, 0x55, sizeof(out));
	assert_int_equal(ntp_server_reply(req, 48, &synced, RX_TS, TX_TS, out, 47), 0);
	assert_int_equal(out[0], 0x55);
}

/* How many of n requests at the same moment the bucket lets through. */
static int
takes(struct ntp_rate *r, double rate, double burst, int64_t now_ns, int n)
{
	int got = 0;

	for (int i = 0; i < n; i++)
		got += ntp_rate_take(r, rate, burst, now_ns);
	return got;
}

static void
test_rate_fresh_bucket_is_full(void **state)
{
	struct ntp_rate r = {0};
	int64_t t = S_NS(100);

	(void)state;
	assert_int_equal(takes(&r, 2, 8, t, 10), 8);
	/* 2 per second: one token every 0.5 s. */
	assert_false(ntp_rate_take(&r, 2, 8, t + S_NS(0.49)));
	assert_true(ntp_rate_take(&r, 2, 8, t + S_NS(0.5)));
	assert_false(ntp_rate_take(&r, 2, 8, t + S_NS(0.6)));
	assert_true(ntp_rate_take(&r, 2, 8, t + S_NS(1.0)));
}

static void
test_rate_steady_and_refill_cap(void **state)
{
	struct ntp_rate r = {0};
	int64_t t = S_NS(1);
	int got = 0;

	(void)state;
	/* 10 s of a client asking 100 times a second: the burst of 8, then 2/s (the last token
	 * lands on the last request or just misses it, by rounding). */
	for (int i = 0; i <= 1000; i++)
		got += ntp_rate_take(&r, 2, 8, t + (int64_t)i * S_NS(0.01));
	assert_in_range(got, 8 + 19, 8 + 20);
	/* After a long silence the bucket holds the burst, not more. */
	t += S_NS(3600);
	assert_int_equal(takes(&r, 2, 8, t, 100), 8);
	/* Even after years, nothing overflows. */
	t += S_NS(3e8);
	assert_int_equal(takes(&r, 1e6, 8, t, 100), 8);
}

static void
test_rate_clock_backwards_and_odd_parameters(void **state)
{
	struct ntp_rate r = {0};
	int64_t t = S_NS(50);
	int got = 0;

	(void)state;
	assert_int_equal(takes(&r, 2, 8, t, 8), 8);
	/* Time going back refills nothing, and does not move the bucket's time back either. */
	assert_false(ntp_rate_take(&r, 2, 8, t - S_NS(10)));
	assert_false(ntp_rate_take(&r, 2, 8, t + S_NS(0.4)));
	assert_true(ntp_rate_take(&r, 2, 8, t + S_NS(0.5)));
	/* A burst under 1 is 1; a rate of 0 (or NaN) never refills. */
	r = (struct ntp_rate){0};
	assert_true(ntp_rate_take(&r, 0, 0, t));
	assert_false(ntp_rate_take(&r, 0, 0, t + S_NS(100)));
	r = (struct ntp_rate){0};
	for (int i = 0; i < 10; i++)
		got += ntp_rate_take(&r, NAN, NAN, t + S_NS(i));
	assert_int_equal(got, 1);
	/* A burst lowered while tokens are held caps them at once. */
	r = (struct ntp_rate){0};
	assert_true(ntp_rate_take(&r, 2, 8, t));
	assert_int_equal(takes(&r, 2, 2, t, 10), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reply_synchronized),
	    cmocka_unit_test(test_reply_unsynchronized),
	    cmocka_unit_test(test_reply_bad_clock_is_unsynchronized),
	    cmocka_unit_test(test_reply_stratum_cap_and_leap_values),
	    cmocka_unit_test(test_reply_version_echoed),
	    cmocka_unit_test(test_reply_root_dispersion),
	    cmocka_unit_test(test_refused_modes_and_versions),
	    cmocka_unit_test(test_refused_lengths),
	    cmocka_unit_test(test_rate_fresh_bucket_is_full),
	    cmocka_unit_test(test_rate_steady_and_refill_cap),
	    cmocka_unit_test(test_rate_clock_backwards_and_odd_parameters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
