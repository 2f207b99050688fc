/* fuzz_timesyncd_msg.c: libFuzzer target for what timesyncd_msg.c gets from D-Bus. The input is
 * read as the NTPMessage fields in bus order (u32 leap, version, mode, stratum; i32 precision;
 * u64 root delay and dispersion; a length octet and that many reference octets; u64 T1..T4;
 * i32 spike; u64 packet count and jitter), then ServerAddress (i32 family, a length octet and the
 * octets), all little-endian, missing bytes read as 0. Invariants: a failure leaves the output
 * zeroed with a terminated, non-empty detail; a success has terminated texts, fields in range,
 * finite values, offset and delay as RFC 5905 defines them, and an address that parses back to
 * its octets. Decoding is deterministic. */
#include "config.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "timesyncd_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct in {
	const uint8_t *p;
	size_t left;
};

static uint64_t
take(struct in *in, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		if (in->left > 0) {
			v |= (uint64_t)*in->p++ << (8 * i);
			in->left--;
		}
	return v;
}

/* Up to n octets of the input; fewer when it runs out. */
static const uint8_t *
take_bytes(struct in *in, size_t n, size_t *got)
{
	const uint8_t *p = in->p;

	*got = n < in->left ? n : in->left;
	in->p += *got;
	in->left -= *got;
	return p;
}

static bool
all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void
check_msg(const struct timesyncd_msg_raw *raw, const struct timesyncd_msg *m)
{
	CHECK(memchr(m->refid_text, 0, sizeof(m->refid_text)));
	CHECK(m->leap <= 3 && m->version <= 7 && m->mode <= 7 && m->stratum <= 255);
	CHECK(m->precision_log2 >= -128 && m->precision_log2 <= 127);
	CHECK(isfinite(m->precision_s) && m->precision_s >= 0);
	CHECK(m->root_delay_s >= 0 && m->root_delay_s <= 65536.0);
	CHECK(m->root_dispersion_s >= 0 && m->root_dispersion_s <= 65536.0);
	CHECK(m->root_distance_s == m->root_delay_s / 2 + m->root_dispersion_s);
	CHECK(m->has_sample == (raw->packet_count > 0));
	CHECK(m->is_spike == (raw->spike == 1));
	CHECK(memcmp(m->refid, raw->reference, 4) == 0);
	CHECK(m->real_originate_ns == (int64_t)raw->originate_us * 1000);
	CHECK(m->real_destination_ns == (int64_t)raw->destination_us * 1000);
	/* Server times land within half an era (2^31 s) of T1. */
	CHECK(llabs(m->real_receive_ns / 1000 - m->real_originate_ns / 1000) <=
	    INT64_C(2147483648) * 1000000);
	CHECK(llabs(m->real_transmit_ns / 1000 - m->real_originate_ns / 1000) <=
	    INT64_C(2147483648) * 1000000);
	if (!m->has_offset) {
		CHECK(m->offset_s == 0 && m->delay_s == 0);
		return;
	}
	CHECK(m->has_sample);
	CHECK(m->real_destination_ns >= m->real_originate_ns);
	CHECK(m->real_transmit_ns >= m->real_receive_ns);
	CHECK(isfinite(m->offset_s) && isfinite(m->delay_s) && m->delay_s >= 0);
	long double t1 = m->real_originate_ns, t2 = m->real_receive_ns;
	long double t3 = m->real_transmit_ns, t4 = m->real_destination_ns;
	long double off = ((t2 - t1) + (t3 - t4)) / 2e9L, del = ((t4 - t1) - (t3 - t2)) / 1e9L;
	CHECK(fabsl(off - m->offset_s) <= 1e-6L + fabsl(off) * 1e-12L);
	CHECK(fabsl(del - m->delay_s) <= 1e-6L + fabsl(del) * 1e-12L);
}

static void
check_addr(int32_t family, const uint8_t *bytes, size_t len)
{
	struct timesyncd_msg_addr a, b;
	char detail[128];
	uint8_t back[16];

	enum timesyncd_msg_status st =
	    timesyncd_msg_decode_address(family, bytes, len, &a, detail, sizeof(detail));
	CHECK(timesyncd_msg_decode_address(family, bytes, len, &b, NULL, 0) == st);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	if (st != TIMESYNCD_MSG_OK) {
		CHECK(all_zero(&a, sizeof(a)));
		CHECK(memchr(detail, 0, sizeof(detail)) && detail[0]);
		return;
	}
	CHECK(memchr(a.text, 0, sizeof(a.text)));
	CHECK(a.len == len && (len == 0 || memcmp(a.bytes, bytes, len) == 0));
	if (family == 0) {
		CHECK(len == 0 && a.text[0] == 0);
		return;
	}
	CHECK((family == TIMESYNCD_MSG_AF_INET && len == 4) ||
	    (family == TIMESYNCD_MSG_AF_INET6 && len == 16));
	CHECK(inet_pton(len == 4 ? AF_INET : AF_INET6, a.text, back) == 1);
	CHECK(memcmp(back, bytes, len) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data, size};
	struct timesyncd_msg_raw raw;
	struct timesyncd_msg m, again;
	char detail[128];
	size_t n;

	memset(&raw, 0, sizeof(raw));
	raw.leap = (uint32_t)take(&in, 4);
	raw.version = (uint32_t)take(&in, 4);
	raw.mode = (uint32_t)take(&in, 4);
	raw.stratum = (uint32_t)take(&in, 4);
	raw.precision = (int32_t)(uint32_t)take(&in, 4);
	raw.root_delay_us = take(&in, 8);
	raw.root_dispersion_us = take(&in, 8);
	raw.reference = take_bytes(&in, (size_t)take(&in, 1), &raw.reference_len);
	raw.originate_us = take(&in, 8);
	raw.receive_us = take(&in, 8);
	raw.transmit_us = take(&in, 8);
	raw.destination_us = take(&in, 8);
	raw.spike = (int32_t)(uint32_t)take(&in, 4);
	raw.packet_count = take(&in, 8);
	raw.jitter_us = take(&in, 8);

	enum timesyncd_msg_status st = timesyncd_msg_decode(&raw, &m, detail, sizeof(detail));
	CHECK(timesyncd_msg_decode(&raw, &again, NULL, 0) == st);
	CHECK(memcmp(&m, &again, sizeof(m)) == 0);
	CHECK(strcmp(timesyncd_msg_strerror(st), "unknown error") != 0);
	if (st == TIMESYNCD_MSG_OK) {
		CHECK(detail[0] == 0);
		check_msg(&raw, &m);
	} else {
		CHECK(all_zero(&m, sizeof(m)));
		CHECK(memchr(detail, 0, sizeof(detail)) && detail[0]);
	}

	int32_t family = (int32_t)(uint32_t)take(&in, 4);
	const uint8_t *bytes = take_bytes(&in, (size_t)take(&in, 1), &n);
	check_addr(family, n ? bytes : NULL, n);
	return 0;
}
