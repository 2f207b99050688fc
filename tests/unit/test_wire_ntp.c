/* test_wire_ntp.c: the NTPv4 codec against a hand-written 48-octet reply, the length and version
 * checks, extension-field and MAC trailers (RFC 7822), kiss codes and refid display. */
#include "config.h"

#include "buf.h"
#include "cw_test.h"
#include "wire_ntp.h"

/* A server reply, written out field by field (RFC 5905 §7.3). */
static const uint8_t reply48[WIRE_NTP_HEADER_LEN] = {
    0x24,                                           /* LI 0, VN 4, mode 4 */
    0x02,                                           /* stratum 2 */
    0x06,                                           /* poll 2^6 s */
    0xec,                                           /* precision -20 */
    0x00, 0x00, 0x02, 0x8f,                         /* root delay 655/65536 s */
    0x00, 0x01, 0x04, 0xd2,                         /* root dispersion 1 + 1234/65536 s */
    0xc0, 0x00, 0x02, 0x01,                         /* refid 192.0.2.1 */
    0xe8, 0xfe, 0x6f, 0x7a, 0x00, 0x00, 0x00, 0x00, /* reference */
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, /* origin = our random transmit */
    0xe8, 0xfe, 0x6f, 0x80, 0x1f, 0x9a, 0xdd, 0x37, /* receive */
    0xe8, 0xfe, 0x6f, 0x80, 0x20, 0x00, 0x00, 0x00, /* transmit */
};

/* reply48 followed by trailer bytes, in buf (which must hold 48 + n). Returns the length. */
static size_t
with_trailer(uint8_t *buf, const uint8_t *trailer, size_t n)
{
	memcpy(buf, reply48, sizeof(reply48));
	if (n)
		memcpy(buf + sizeof(reply48), trailer, n);
	return sizeof(reply48) + n;
}

static void
test_decode_vector(void **state)
{
	struct ntp_packet p;
	size_t off = 999;

	(void)state;
	assert_int_equal(wire_ntp_decode(reply48, sizeof(reply48), &p, &off), WIRE_NTP_OK);
	assert_int_equal(off, 999); /* untouched on success */
	assert_int_equal(p.leap, 0);
	assert_int_equal(p.version, 4);
	assert_int_equal(p.mode, WIRE_NTP_MODE_SERVER);
	assert_int_equal(p.stratum, 2);
	assert_int_equal(p.poll, 6);
	assert_int_equal(p.precision, -20);
	assert_int_equal(p.root_delay, 0x0000028f);
	assert_int_equal(p.root_dispersion, 0x000104d2);
	assert_memory_equal(p.refid, "\xc0\x00\x02\x01", 4);
	assert_u64_equal(p.reference_ts, UINT64_C(0xe8fe6f7a00000000));
	assert_u64_equal(p.origin_ts, UINT64_C(0x0123456789abcdef));
	assert_u64_equal(p.receive_ts, UINT64_C(0xe8fe6f801f9add37));
	assert_u64_equal(p.transmit_ts, UINT64_C(0xe8fe6f8020000000));
	assert_int_equal(p.n_extensions, 0);
	assert_false(p.has_mac);
}

static void
test_decode_first_octet_and_signed_fields(void **state)
{
	static const struct {
		uint8_t b0, poll, precision;
		unsigned leap, version, mode;
		int poll_log2, precision_log2;
	} v[] = {
	    {0xe3, 0x11, 0x80, 3, 4, 3, 17, -128}, /* LI 3, VN 4, client */
	    {0x1c, 0xfa, 0x7f, 0, 3, 4, -6, 127},  /* VN 3 */
	    {0x0c, 0x00, 0xe9, 0, 1, 4, 0, -23},   /* VN 1 */
	    {0x66, 0x0a, 0xff, 1, 4, 6, 10, -1},   /* LI 1, control */
	    {0xa1, 0x04, 0xfe, 2, 4, 1, 4, -2},    /* LI 2, symmetric active */
	};
	uint8_t pkt[WIRE_NTP_HEADER_LEN];
	struct ntp_packet p;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memcpy(pkt, reply48, sizeof(pkt));
		pkt[0] = v[i].b0;
		pkt[2] = v[i].poll;
		pkt[3] = v[i].precision;
		assert_int_equal(wire_ntp_decode(pkt, sizeof(pkt), &p, NULL), WIRE_NTP_OK);
		assert_int_equal(p.leap, v[i].leap);
		assert_int_equal(p.version, v[i].version);
		assert_int_equal(p.mode, v[i].mode);
		assert_int_equal(p.poll, v[i].poll_log2);
		assert_int_equal(p.precision, v[i].precision_log2);
	}
}

static void
test_encode_vector(void **state)
{
	struct ntp_packet p = {
	    .leap = 0,
	    .version = 4,
	    .mode = WIRE_NTP_MODE_SERVER,
	    .stratum = 2,
	    .poll = 6,
	    .precision = -20,
	    .root_delay = 0x0000028f,
	    .root_dispersion = 0x000104d2,
	    .refid = {0xc0, 0x00, 0x02, 0x01},
	    .reference_ts = UINT64_C(0xe8fe6f7a00000000),
	    .origin_ts = UINT64_C(0x0123456789abcdef),
	    .receive_ts = UINT64_C(0xe8fe6f801f9add37),
	    .transmit_ts = UINT64_C(0xe8fe6f8020000000),
	};
	uint8_t out[WIRE_NTP_HEADER_LEN];

	(void)state;
	memset(out, 0x55, sizeof(out));
	wire_ntp_encode(&p, out);
	for (size_t i = 0; i < sizeof(out); i++) {
		if (out[i] != reply48[i]) {
			print_error("octet %zu: 0x%02x, want 0x%02x\n", i, out[i], reply48[i]);
			fail();
		}
	}
	/* Out-of-range leap/version/mode are masked, never spill into neighbouring bits. */
	p.leap = 0xff;
	p.version = 0xff;
	p.mode = 0xff;
	wire_ntp_encode(&p, out);
	assert_int_equal(out[0], 0xff);
	p.leap = 4;
	p.version = 8;
	p.mode = 8;
	wire_ntp_encode(&p, out);
	assert_int_equal(out[0], 0x00);
}

static void
test_round_trip(void **state)
{
	struct ntp_packet p, q;
	uint8_t out[WIRE_NTP_HEADER_LEN];

	(void)state;
	assert_int_equal(wire_ntp_decode(reply48, sizeof(reply48), &p, NULL), WIRE_NTP_OK);
	wire_ntp_encode(&p, out);
	assert_memory_equal(out, reply48, sizeof(out));
	assert_int_equal(wire_ntp_decode(out, sizeof(out), &q, NULL), WIRE_NTP_OK);
	assert_memory_equal(&p, &q, sizeof(p)); /* decode zeroes the struct, padding included */

	/* A client request as the prober sends it: VN 4, mode 3, only a transmit timestamp. */
	struct ntp_packet req = {.version = 4,
	    .mode = WIRE_NTP_MODE_CLIENT,
	    .transmit_ts = UINT64_C(0xfedcba9876543210)};
	wire_ntp_encode(&req, out);
	assert_int_equal(out[0], 0x23);
	for (size_t i = 1; i < 40; i++)
		assert_int_equal(out[i], 0);
	assert_memory_equal(out + 40, "\xfe\xdc\xba\x98\x76\x54\x32\x10", 8);
}

static void
test_lengths(void **state)
{
	static uint8_t big[WIRE_NTP_MAX_LEN + 8];
	static const struct {
		size_t len;
		enum wire_ntp_status st;
	} v[] = {
	    {0, WIRE_NTP_TRUNCATED},
	    {1, WIRE_NTP_TRUNCATED},
	    {44, WIRE_NTP_TRUNCATED},
	    {47, WIRE_NTP_TRUNCATED},
	    {48, WIRE_NTP_OK},
	    {49, WIRE_NTP_BAD_LENGTH},
	    {50, WIRE_NTP_BAD_LENGTH},
	    {51, WIRE_NTP_BAD_LENGTH},
	    {WIRE_NTP_MAX_LEN + 1, WIRE_NTP_OVERSIZE},
	    {WIRE_NTP_MAX_LEN + 4, WIRE_NTP_OVERSIZE},
	    {WIRE_NTP_MAX_LEN + 8, WIRE_NTP_OVERSIZE},
	};
	struct ntp_packet p;

	(void)state;
	memcpy(big, reply48, sizeof(reply48));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&p, 0x55, sizeof(p));
		assert_int_equal(wire_ntp_decode(big, v[i].len, &p, NULL), v[i].st);
		if (v[i].st == WIRE_NTP_TRUNCATED)
			assert_int_equal(p.version, 0); /* zeroed, never half-filled */
	}
	/* Exactly WIRE_NTP_MAX_LEN is accepted: one extension field filling the rest. */
	wr_be16(big + 48, 0x0204);
	wr_be16(big + 50, WIRE_NTP_MAX_LEN - 48);
	assert_int_equal(wire_ntp_decode(big, WIRE_NTP_MAX_LEN, &p, NULL), WIRE_NTP_OK);
	assert_int_equal(p.n_extensions, 1);
	assert_false(p.has_mac);
}

static void
test_versions(void **state)
{
	uint8_t pkt[WIRE_NTP_HEADER_LEN];
	struct ntp_packet p;

	(void)state;
	memcpy(pkt, reply48, sizeof(pkt));
	for (unsigned vn = 0; vn < 8; vn++) {
		pkt[0] = (uint8_t)(vn << 3 | WIRE_NTP_MODE_SERVER);
		enum wire_ntp_status want = vn >= 1 && vn <= 4 ? WIRE_NTP_OK : WIRE_NTP_BAD_VERSION;
		assert_int_equal(wire_ntp_decode(pkt, sizeof(pkt), &p, NULL), want);
		assert_int_equal(p.version, vn); /* still reported, for the error message */
	}
}

static void
test_extension_fields(void **state)
{
	/* type 0x0104 (NTS unique identifier), length 16: 4 header + 12 value octets. */
	static const uint8_t ef16[16] = {0x01, 0x04, 0x00, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
	    12};
	static const uint8_t ef28[28] = {0x02, 0x04, 0x00, 0x1c};
	static const uint8_t ef12[12] = {0x01, 0x04, 0x00, 0x0c};
	static const uint8_t ef18[20] = {0x01, 0x04, 0x00, 0x12};
	static const uint8_t ef0[16] = {0x01, 0x04, 0x00, 0x00};
	uint8_t pkt[256], tr[128];
	struct ntp_packet p;
	size_t off, len;

	(void)state;
	/* One valid 16-octet field. */
	len = with_trailer(pkt, ef16, sizeof(ef16));
	assert_int_equal(wire_ntp_decode(pkt, len, &p, &off), WIRE_NTP_OK);
	assert_int_equal(p.n_extensions, 1);
	assert_false(p.has_mac);
	/* The header is still decoded as usual. */
	assert_u64_equal(p.transmit_ts, UINT64_C(0xe8fe6f8020000000));

	/* Two fields, 16 + 28. */
	memcpy(tr, ef16, 16);
	memcpy(tr + 16, ef28, 28);
	len = with_trailer(pkt, tr, 44);
	assert_int_equal(wire_ntp_decode(pkt, len, &p, &off), WIRE_NTP_OK);
	assert_int_equal(p.n_extensions, 2);
	assert_false(p.has_mac);

	/* Length 12 is below the 16-octet minimum. */
	off = 0;
	len = with_trailer(pkt, ef12, sizeof(ef12));
	assert_int_equal(wire_ntp_decode(pkt, len, &p, &off), WIRE_NTP_BAD_EXTENSION);
	assert_int_equal(off, 48);

	/* A valid field, then one of length 18, not a multiple of 4 (44 octets of trailer in all,
	 * so the 20..24 MAC rule does not apply). */
	memcpy(tr, ef16, 16);
	memcpy(tr + 16, ef18, 20);
	memset(tr + 36, 0, 8);
	len = with_trailer(pkt, tr, 44);
	off = 0;
	assert_int_equal(wire_ntp_decode(pkt, len, &p, &off), WIRE_NTP_BAD_EXTENSION);
	assert_int_equal(off, 64);

	/* Length 0 must not loop forever. */
	memcpy(tr, ef0, 16);
	len = with_trailer(pkt, tr, 16);
	off = 0;
	assert_int_equal(wire_ntp_decode(pkt, len, &p, &off), WIRE_NTP_BAD_EXTENSION);
	assert_int_equal(off, 48);

	/* A valid field, then one that claims 32 octets with only 16 left. */
	memcpy(tr, ef16, 16);
	memcpy(tr + 16, ef16, 16);
	wr_be16(tr + 18, 32);
	len = with_trailer(pkt, tr, 32);
	off = 0;
	assert_int_equal(wire_ntp_decode(pkt, len, &p, &off), WIRE_NTP_BAD_EXTENSION);
	assert_int_equal(off, 64);

	/* A first field running past the end of the datagram. */
	memcpy(tr, ef16, 16);
	wr_be16(tr + 2, 0xfffc);
	len = with_trailer(pkt, tr, 16);
	off = 0;
	assert_int_equal(wire_ntp_decode(pkt, len, &p, &off), WIRE_NTP_BAD_EXTENSION);
	assert_int_equal(off, 48);

	/* err_off may be NULL. */
	assert_int_equal(wire_ntp_decode(pkt, len, &p, NULL), WIRE_NTP_BAD_EXTENSION);
}

static void
test_mac_trailers(void **state)
{
	static const uint8_t zeros[64];
	static const uint8_t ef16[16] = {0x01, 0x04, 0x00, 0x10};
	static const struct {
		size_t n;
		enum wire_ntp_status st;
		bool mac;
	} v[] = {
	    {4, WIRE_NTP_OK, true},             /* crypto-NAK */
	    {20, WIRE_NTP_OK, true},            /* key id + MD5 */
	    {24, WIRE_NTP_OK, true},            /* key id + SHA-1 */
	    {8, WIRE_NTP_BAD_EXTENSION, false}, /* neither */
	    {12, WIRE_NTP_BAD_EXTENSION, false},
	    {16, WIRE_NTP_BAD_EXTENSION, false}, /* all-zero: a field of length 0 */
	    {28, WIRE_NTP_BAD_EXTENSION, false},
	};
	uint8_t pkt[256], tr[64];
	struct ntp_packet p;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t len = with_trailer(pkt, zeros, v[i].n);
		assert_int_equal(wire_ntp_decode(pkt, len, &p, NULL), v[i].st);
		if (v[i].st == WIRE_NTP_OK) {
			assert_int_equal(p.has_mac, v[i].mac);
			assert_int_equal(p.n_extensions, 0);
		}
	}
	/* An extension field followed by a 20- and a 24-octet MAC. */
	for (size_t mac = 20; mac <= 24; mac += 4) {
		memcpy(tr, ef16, 16);
		memset(tr + 16, 0xaa, mac);
		size_t len = with_trailer(pkt, tr, 16 + mac);
		assert_int_equal(wire_ntp_decode(pkt, len, &p, NULL), WIRE_NTP_OK);
		assert_int_equal(p.n_extensions, 1);
		assert_true(p.has_mac);
	}
}

static void
test_strerror(void **state)
{
	static const enum wire_ntp_status all[] = {WIRE_NTP_OK, WIRE_NTP_TRUNCATED,
	    WIRE_NTP_BAD_LENGTH, WIRE_NTP_OVERSIZE, WIRE_NTP_BAD_VERSION, WIRE_NTP_BAD_EXTENSION};

	(void)state;
	assert_string_equal(wire_ntp_strerror(WIRE_NTP_OK), "ok");
	assert_contains(wire_ntp_strerror(WIRE_NTP_TRUNCATED), "truncated");
	assert_contains(wire_ntp_strerror(WIRE_NTP_BAD_LENGTH), "multiple of 4");
	assert_contains(wire_ntp_strerror(WIRE_NTP_OVERSIZE), "oversize");
	assert_contains(wire_ntp_strerror(WIRE_NTP_BAD_VERSION), "version");
	assert_contains(wire_ntp_strerror(WIRE_NTP_BAD_EXTENSION), "extension");
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		for (size_t j = i + 1; j < sizeof(all) / sizeof(all[0]); j++)
			assert_string_not_equal(wire_ntp_strerror(all[i]),
			    wire_ntp_strerror(all[j]));
	assert_string_equal(wire_ntp_strerror((enum wire_ntp_status)99), "unknown error");
}

static void
test_kiss_codes(void **state)
{
	static const struct {
		unsigned stratum;
		const char *refid;
		enum wire_ntp_kiss kiss;
	} v[] = {
	    {0, "RATE", WIRE_NTP_KISS_RATE},
	    {0, "DENY", WIRE_NTP_KISS_DENY},
	    {0, "RSTR", WIRE_NTP_KISS_RSTR},
	    {0, "INIT", WIRE_NTP_KISS_OTHER},
	    {0, "STEP", WIRE_NTP_KISS_OTHER},
	    {0, "rate", WIRE_NTP_KISS_OTHER}, /* codes are case-sensitive */
	    {0, "\0\0\0\0", WIRE_NTP_KISS_OTHER},
	    {1, "RATE", WIRE_NTP_KISS_NONE}, /* only stratum 0 kisses */
	    {2, "DENY", WIRE_NTP_KISS_NONE},
	    {16, "RSTR", WIRE_NTP_KISS_NONE},
	};
	struct ntp_packet p = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		p.stratum = (uint8_t)v[i].stratum;
		memcpy(p.refid, v[i].refid, 4);
		assert_int_equal(wire_ntp_kiss(&p), v[i].kiss);
	}
}

static void
test_format_refid(void **state)
{
	static const struct {
		unsigned stratum;
		uint8_t refid[4];
		const char *want;
	} v[] = {
	    {0, {'R', 'A', 'T', 'E'}, "RATE"},
	    {0, {'I', 'N', 'I', 'T'}, "INIT"},
	    {1, {'G', 'P', 'S', 0}, "GPS"},
	    {1, {'P', 'P', 'S', 0}, "PPS"},
	    {1, {'X', 0, 0, 0}, "X"},
	    {1, {'D', 'C', 'F', 'a'}, "DCFa"},
	    {2, {192, 0, 2, 1}, "192.0.2.1"},
	    {2, {'G', 'P', 'S', 0}, "71.80.83.0"}, /* stratum 2: always an address */
	    {15, {255, 255, 255, 255}, "255.255.255.255"},
	    {1, {127, 127, 1, 1}, "127.127.1.1"}, /* not printable: an address */
	    {1, {'G', 0x01, 'S', 0}, "71.1.83.0"},
	    {1, {0, 0, 0, 0}, "0.0.0.0"}, /* nothing to print */
	    {0, {0, 0, 0, 0}, "0.0.0.0"},
	};
	struct ntp_packet p = {0};
	char buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		p.stratum = (uint8_t)v[i].stratum;
		memcpy(p.refid, v[i].refid, 4);
		memset(buf, 'Z', sizeof(buf));
		assert_ptr_equal(wire_ntp_format_refid(&p, buf, sizeof(buf)), buf);
		assert_string_equal(buf, v[i].want);
	}
	/* A short buffer truncates, NUL-terminated. */
	p.stratum = 2;
	memcpy(p.refid, "\xc0\xa8\x64\xc8", 4);
	wire_ntp_format_refid(&p, buf, 8);
	assert_string_equal(buf, "192.168");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_vector),
	    cmocka_unit_test(test_decode_first_octet_and_signed_fields),
	    cmocka_unit_test(test_encode_vector),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_lengths),
	    cmocka_unit_test(test_versions),
	    cmocka_unit_test(test_extension_fields),
	    cmocka_unit_test(test_mac_trailers),
	    cmocka_unit_test(test_strerror),
	    cmocka_unit_test(test_kiss_codes),
	    cmocka_unit_test(test_format_refid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
