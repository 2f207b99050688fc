/* fuzz_ntp_server.c: libFuzzer target for the responder's pure half (ntp_server.c).
 *
 * The input is one received datagram. It is answered three ways: with a synchronized clock, with
 * an unsynchronized one, and with a clock whose every field is taken from the input's own bytes
 * (so out-of-range states are reached). Invariants: the reply is 0 or 48 octets and never longer
 * than the request, nothing is written past 48, a reply decodes as mode 4 with the request's
 * version and its transmit timestamp as origin, and an unsynchronized clock always answers LI 3,
 * stratum 0. The input bytes then drive a token bucket (rate, burst and time steps), which must
 * never hold more than its burst nor grant more than burst + rate x elapsed (+1). Reads past the
 * input are caught by ASan: the replay runner gives each input a buffer of exactly its size. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "fuzz_check.h"
#include "ntp_server.h"
#include "wire_ntp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RX_TS UINT64_C(0xe8fe6f801f9add37)
#define TX_TS UINT64_C(0xe8fe6f8020000000)
#define OUT_LEN 96

static uint64_t
take_bytes(const uint8_t *data, size_t size, size_t off, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | (off + i < size ? data[off + i] : 0);
	return v;
}

static void
check_reply(const uint8_t *data, size_t size, const struct ntp_server_clock *c, bool synced)
{
	uint8_t out[OUT_LEN];
	struct ntp_packet p;

	memset(out, 0xa5, sizeof(out));
	size_t n = ntp_server_reply(data, size, c, RX_TS, TX_TS, out, sizeof(out));
	CHECK(n == 0 || n == WIRE_NTP_HEADER_LEN);
	CHECK(n <= size);
	for (size_t i = n; i < sizeof(out); i++)
		CHECK(out[i] == 0xa5);
	if (n == 0)
		return;
	CHECK(size == WIRE_NTP_HEADER_LEN && (data[0] & 7) == WIRE_NTP_MODE_CLIENT);
	CHECK(wire_ntp_decode(out, n, &p, NULL) == WIRE_NTP_OK);
	CHECK(p.mode == WIRE_NTP_MODE_SERVER);
	CHECK(p.version == ((data[0] >> 3) & 7));
	CHECK(p.origin_ts == take_bytes(data, size, 40, 8));
	CHECK(p.receive_ts == RX_TS && p.transmit_ts == TX_TS);
	CHECK(p.precision <= 0);
	if (!synced)
		CHECK(p.leap == WIRE_NTP_LEAP_UNSYNC && p.stratum == 0);
	else
		CHECK(p.leap != WIRE_NTP_LEAP_UNSYNC && p.stratum >= 2 && p.stratum <= 15);
	if (p.stratum == 0)
		CHECK(p.leap == WIRE_NTP_LEAP_UNSYNC); /* never a bare kiss code: always "unsync" */
	CHECK(p.reference_ts == 0 || (int64_t)(TX_TS - p.reference_ts) >= 0);
}

/* Every field from the input: bytes 1.. as stratum, leap, precision, refid, root values. */
static void
clock_from_input(const uint8_t *data, size_t size, struct ntp_server_clock *c)
{
	memset(c, 0, sizeof(*c));
	c->synchronized = take_bytes(data, size, 0, 1) & 1;
	c->stratum = (int)(int8_t)take_bytes(data, size, 1, 1);
	c->leap = (int)(int8_t)take_bytes(data, size, 2, 1) % 5;
	c->precision = (int)(int8_t)take_bytes(data, size, 3, 1);
	c->refid = (uint32_t)take_bytes(data, size, 12, 4);
	c->root_delay_s = (double)(int32_t)take_bytes(data, size, 4, 4) / 65536.0;
	c->root_disp_s = (double)(int32_t)take_bytes(data, size, 8, 4) / 65536.0;
	c->reftime = take_bytes(data, size, 16, 8);
}

static void
check_bucket(const uint8_t *data, size_t size)
{
	struct ntp_rate r = {0};
	double rate = (double)take_bytes(data, size, 0, 1) / 16.0;
	double burst = (double)take_bytes(data, size, 1, 1) / 8.0;
	int64_t t = INT64_C(100000000000), t_first = 0;
	uint64_t granted = 0;

	for (size_t i = 2; i < size && i < 258; i++) {
		/* Steps of 0 to 127 ms forward, or a step back when the top bit is set. */
		int64_t step = (int64_t)(data[i] & 0x7f) * 1000000;
		t += (data[i] & 0x80) ? -step / 4 : step;
		if (!t_first)
			t_first = t;
		granted += ntp_rate_take(&r, rate, burst, t);
		CHECK(r.tokens >= 0 && r.tokens <= fmax(burst, 1));
	}
	if (!t_first)
		return;
	/* The bucket started full at the first call; it refills only as its time moves forward. */
	double elapsed_s = (double)(r.last_ns - t_first) / 1e9;
	CHECK((double)granted <= fmax(burst, 1) + rate * elapsed_s + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ntp_server_clock c = {
	    .synchronized = true,
	    .stratum = 2,
	    .root_delay_s = 0.01,
	    .root_disp_s = 0.02,
	    .precision = -20,
	    .reftime = TX_TS - (UINT64_C(64) << 32),
	};

	check_reply(data, size, &c, true);
	c.synchronized = false;
	check_reply(data, size, &c, false);
	check_reply(data, size, NULL, false);
	clock_from_input(data, size, &c);
	{
		uint8_t out[OUT_LEN];
		size_t n = ntp_server_reply(data, size, &c, RX_TS, TX_TS, out, sizeof(out));
		CHECK(n == 0 || (n == WIRE_NTP_HEADER_LEN && n <= size));
		if (n && !c.synchronized)
			CHECK(out[1] == 0 && out[0] >> 6 == WIRE_NTP_LEAP_UNSYNC);
	}
	check_bucket(data, size);
	return 0;
}
