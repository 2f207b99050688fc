/* test_timesyncd_msg.c: timesyncd's NTPMessage and ServerAddress values to units, the RFC 5905
 * offset and delay, the 2036 era wrap, and every way a value can be out of range. The first case
 * is the NTPMessage a real systemd-timesyncd 252 published here (TESTBED.md §7, chronyd local
 * stratum 3 on 127.0.0.1). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "cw_test.h"
#include "timesyncd_msg.h"

static const uint8_t REF_LOCAL[4] = {127, 127, 1, 1};
static const uint8_t REF_GPS[4] = {'G', 'P', 'S', 0};
static const uint8_t REF_ZERO[4] = {0, 0, 0, 0};

#define US INT64_C(1000000)
/* 2026-11-22 (Unix seconds), a time the decoder sees as now. */
#define NOW_US (INT64_C(1795308173) * US)

/* The message seen from timesyncd 252:
 * (uuuuittayttttbtt) 0 4 4 3 -25 0 0 4 127 127 1 1 1795308173167328 1795308173167485
 *                    1795308173167592 1795308173167610 false 1 0 */
static struct timesyncd_msg_raw
seen_raw(void)
{
	struct timesyncd_msg_raw r;

	memset(&r, 0, sizeof(r));
	r.leap = 0;
	r.version = 4;
	r.mode = 4;
	r.stratum = 3;
	r.precision = -25;
	r.reference = REF_LOCAL;
	r.reference_len = 4;
	r.originate_us = UINT64_C(1795308173167328);
	r.receive_us = UINT64_C(1795308173167485);
	r.transmit_us = UINT64_C(1795308173167592);
	r.destination_us = UINT64_C(1795308173167610);
	r.spike = 0;
	r.packet_count = 1;
	r.jitter_us = 0;
	return r;
}

static void
test_seen_message(void **state)
{
	struct timesyncd_msg_raw raw = seen_raw();
	struct timesyncd_msg m;
	char detail[128] = "x";

	(void)state;
	assert_int_equal(timesyncd_msg_decode(&raw, &m, detail, sizeof(detail)), TIMESYNCD_MSG_OK);
	assert_string_equal(detail, "");
	assert_true(m.has_sample);
	assert_int_equal(m.leap, 0);
	assert_int_equal(m.version, 4);
	assert_int_equal(m.mode, 4);
	assert_int_equal(m.stratum, 3);
	assert_int_equal(m.precision_log2, -25);
	assert_double_exact(m.precision_s, 1.0 / 33554432.0);
	assert_double_exact(m.root_delay_s, 0.0);
	assert_double_exact(m.root_dispersion_s, 0.0);
	assert_memory_equal(m.refid, REF_LOCAL, 4);
	assert_string_equal(m.refid_text, "127.127.1.1");
	assert_i64_equal(m.real_originate_ns, INT64_C(1795308173167328000));
	assert_i64_equal(m.real_receive_ns, INT64_C(1795308173167485000));
	assert_i64_equal(m.real_transmit_ns, INT64_C(1795308173167592000));
	assert_i64_equal(m.real_destination_ns, INT64_C(1795308173167610000));
	assert_false(m.is_spike);
	assert_u64_equal(m.packet_count, 1);
	assert_double_exact(m.jitter_s, 0.0);
	/* ((485 - 328) + (592 - 610)) / 2 = 69.5 µs; (610 - 328) - (592 - 485) = 175 µs */
	assert_true(m.has_offset);
	assert_double_near(m.offset_s, 69.5e-6, 1e-15);
	assert_double_near(m.delay_s, 175e-6, 1e-15);
}

/* A server 15 s ahead (RFC 5905 sign: positive), and one 250 ms behind. */
static void
test_offset_sign(void **state)
{
	struct timesyncd_msg_raw raw = seen_raw();
	struct timesyncd_msg m;

	(void)state;
	raw.originate_us = (uint64_t)NOW_US;
	raw.receive_us = (uint64_t)(NOW_US + 15 * US + 100);
	raw.transmit_us = raw.receive_us + 50;
	raw.destination_us = (uint64_t)(NOW_US + 300);
	assert_int_equal(timesyncd_msg_decode(&raw, &m, NULL, 0), TIMESYNCD_MSG_OK);
	assert_true(m.has_offset);
	/* ((15 s + 100 µs) + (15 s + 150 µs - 300 µs)) / 2 = 14.999975 s; 300 - 50 = 250 µs */
	assert_double_near(m.offset_s, 14.999975, 1e-12);
	assert_double_near(m.delay_s, 250e-6, 1e-15);

	raw.receive_us = (uint64_t)(NOW_US - 250000 + 10);
	raw.transmit_us = raw.receive_us + 20;
	raw.destination_us = (uint64_t)(NOW_US + 40);
	assert_int_equal(timesyncd_msg_decode(&raw, &m, NULL, 0), TIMESYNCD_MSG_OK);
	/* ((-249990) + (-249970 - 40)) / 2 µs = -250000 µs; delay 40 - 20 = 20 µs */
	assert_double_near(m.offset_s, -0.25, 1e-12);
	assert_double_near(m.delay_s, 20e-6, 1e-15);
}

/* Units of the root values, jitter, spike and the refid text of a stratum-1 server. */
static void
test_units_and_refid(void **state)
{
	struct timesyncd_msg_raw raw = seen_raw();
	struct timesyncd_msg m;

	(void)state;
	raw.stratum = 1;
	raw.reference = REF_GPS;
	raw.leap = 1;
	raw.precision = 3;
	raw.root_delay_us = 15258;     /* 1000/65536 s as timesyncd truncates it */
	raw.root_dispersion_us = 2500; /* 2.5 ms */
	raw.jitter_us = 1500;
	raw.spike = 1;
	raw.packet_count = UINT64_C(123456789012);
	assert_int_equal(timesyncd_msg_decode(&raw, &m, NULL, 0), TIMESYNCD_MSG_OK);
	assert_string_equal(m.refid_text, "GPS");
	assert_int_equal(m.leap, 1);
	assert_double_exact(m.precision_s, 8.0);
	assert_double_near(m.root_delay_s, 0.015258, 1e-15);
	assert_double_near(m.root_dispersion_s, 0.0025, 1e-15);
	assert_double_near(m.root_distance_s, 0.007629 + 0.0025, 1e-15);
	assert_double_near(m.jitter_s, 0.0015, 1e-15);
	assert_true(m.is_spike);
	assert_u64_equal(m.packet_count, UINT64_C(123456789012));
}

/* Before the first response timesyncd publishes zeros: decoded, but no sample, no offset. */
static void
test_no_sample_yet(void **state)
{
	struct timesyncd_msg_raw raw;
	struct timesyncd_msg m;

	(void)state;
	memset(&raw, 0, sizeof(raw));
	raw.reference = REF_ZERO;
	raw.reference_len = 4;
	assert_int_equal(timesyncd_msg_decode(&raw, &m, NULL, 0), TIMESYNCD_MSG_OK);
	assert_false(m.has_sample);
	assert_false(m.has_offset);
	assert_double_exact(m.offset_s, 0.0);
	assert_double_exact(m.delay_s, 0.0);
	assert_i64_equal(m.real_receive_ns, 0);
	assert_string_equal(m.refid_text, "0.0.0.0");
}

/* The cases timedatectl prints as "Invalid NTP response": decoded, but no offset. */
static void
test_inconsistent_times(void **state)
{
	struct {
		const char *name;
		int64_t t1, t2, t3, t4;
	} cases[] = {
	    {"T4 < T1", 1000, 1100, 1200, 999},
	    {"T3 < T2", 1000, 1100, 1099, 1300},
	    {"negative delay", 1000, 1100, 1400, 1200},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct timesyncd_msg_raw raw = seen_raw();
		struct timesyncd_msg m;
		cw_case = cases[i].name;
		raw.originate_us = (uint64_t)(NOW_US + cases[i].t1);
		raw.receive_us = (uint64_t)(NOW_US + cases[i].t2);
		raw.transmit_us = (uint64_t)(NOW_US + cases[i].t3);
		raw.destination_us = (uint64_t)(NOW_US + cases[i].t4);
		assert_int_equal(timesyncd_msg_decode(&raw, &m, NULL, 0), TIMESYNCD_MSG_OK);
		assert_true(m.has_sample);
		assert_false(m.has_offset);
		assert_double_exact(m.offset_s, 0.0);
	}
	cw_case = NULL;
}

/* From 2036 timesyncd's (NTP seconds - 2208988800) wraps in uint64. 2040-01-01T00:00:00Z is Unix
 * 2208988800 s, NTP 4417977600 s, which is 123010304 in era 1; timesyncd then sends
 * (123010304 - 2208988800) * 10^6 mod 2^64. */
static void
test_era_wrap(void **state)
{
	struct timesyncd_msg_raw raw = seen_raw();
	struct timesyncd_msg m;
	const int64_t t1_us = INT64_C(2208988800) * US;
	const int64_t wrapped_s = INT64_C(123010304) - INT64_C(2208988800);

	(void)state;
	raw.originate_us = (uint64_t)t1_us;
	raw.receive_us = (uint64_t)((wrapped_s + 15) * US); /* server 15 s ahead */
	raw.transmit_us = raw.receive_us + 10;
	raw.destination_us = (uint64_t)(t1_us + 30);
	assert_true(raw.receive_us > UINT64_C(0x8000000000000000));
	assert_int_equal(timesyncd_msg_decode(&raw, &m, NULL, 0), TIMESYNCD_MSG_OK);
	assert_i64_equal(m.real_receive_ns, (t1_us + 15 * US) * 1000);
	assert_i64_equal(m.real_transmit_ns, (t1_us + 15 * US + 10) * 1000);
	assert_true(m.has_offset);
	/* ((15 s) + (15 s + 10 µs - 30 µs)) / 2 = 14.99999 s */
	assert_double_near(m.offset_s, 14.99999, 1e-12);
	assert_double_near(m.delay_s, 20e-6, 1e-15);
}

enum field {
	F_REFLEN,
	F_LEAP,
	F_VERSION,
	F_MODE,
	F_STRATUM,
	F_PRECISION,
	F_ROOT_DELAY,
	F_ROOT_DISP,
	F_SPIKE,
	F_T1,
	F_T2,
	F_T3,
	F_T4,
};

static void
set_field(struct timesyncd_msg_raw *r, enum field f, int64_t v)
{
	switch (f) {
	case F_REFLEN:
		r->reference_len = (size_t)v;
		break;
	case F_LEAP:
		r->leap = (uint32_t)v;
		break;
	case F_VERSION:
		r->version = (uint32_t)v;
		break;
	case F_MODE:
		r->mode = (uint32_t)v;
		break;
	case F_STRATUM:
		r->stratum = (uint32_t)v;
		break;
	case F_PRECISION:
		r->precision = (int32_t)v;
		break;
	case F_ROOT_DELAY:
		r->root_delay_us = (uint64_t)v;
		break;
	case F_ROOT_DISP:
		r->root_dispersion_us = (uint64_t)v;
		break;
	case F_SPIKE:
		r->spike = (int)v;
		break;
	case F_T1:
		r->originate_us = (uint64_t)v;
		break;
	case F_T2:
		r->receive_us = (uint64_t)v;
		break;
	case F_T3:
		r->transmit_us = (uint64_t)v;
		break;
	case F_T4:
		r->destination_us = (uint64_t)v;
		break;
	}
}

/* Each row changes one field of the seen message; ok rows are the edges that still decode. */
static void
test_ranges(void **state)
{
	static const uint8_t five[5] = {1, 2, 3, 4, 5};
	/* Largest µs count whose ns fit int64; the era-0 range of timesyncd's T2/T3 as signed. */
	const int64_t max_us = INT64_MAX / 1000;
	const int64_t min_server_us = -INT64_C(2208988800) * US;
	const int64_t end_server_us = (INT64_C(4294967296) - INT64_C(2208988800)) * US;
	const struct {
		const char *name;
		enum field field;
		int64_t value;
		enum timesyncd_msg_status want;
		const char *detail;
	} cases[] = {
	    {"refid 3 octets", F_REFLEN, 3, TIMESYNCD_MSG_BAD_REFID_LEN, "Reference has 3 octets"},
	    {"refid 5 octets", F_REFLEN, 5, TIMESYNCD_MSG_BAD_REFID_LEN, "Reference has 5 octets"},
	    {"refid empty", F_REFLEN, 0, TIMESYNCD_MSG_BAD_REFID_LEN, "Reference has 0 octets"},
	    {"leap 3", F_LEAP, 3, TIMESYNCD_MSG_OK, ""},
	    {"leap 4", F_LEAP, 4, TIMESYNCD_MSG_BAD_HEADER, "Leap 4 > 3"},
	    {"version 7", F_VERSION, 7, TIMESYNCD_MSG_OK, ""},
	    {"version 8", F_VERSION, 8, TIMESYNCD_MSG_BAD_HEADER, "Version 8 > 7"},
	    {"mode 8", F_MODE, 8, TIMESYNCD_MSG_BAD_HEADER, "Mode 8 > 7"},
	    {"stratum 255", F_STRATUM, 255, TIMESYNCD_MSG_OK, ""},
	    {"stratum 256", F_STRATUM, 256, TIMESYNCD_MSG_BAD_HEADER, "Stratum 256 > 255"},
	    {"precision -128", F_PRECISION, -128, TIMESYNCD_MSG_OK, ""},
	    {"precision -129", F_PRECISION, -129, TIMESYNCD_MSG_BAD_HEADER, "Precision -129"},
	    {"precision 128", F_PRECISION, 128, TIMESYNCD_MSG_BAD_HEADER, "Precision 128"},
	    {"root delay 65536 s", F_ROOT_DELAY, 65536 * US, TIMESYNCD_MSG_OK, ""},
	    {"root delay past 16.16", F_ROOT_DELAY, 65536 * US + 1, TIMESYNCD_MSG_BAD_ROOT,
	        "RootDelay 65536000001"},
	    {"root dispersion past 16.16", F_ROOT_DISP, 65536 * US + 1, TIMESYNCD_MSG_BAD_ROOT,
	        "RootDispersion 65536000001"},
	    {"spike 2", F_SPIKE, 2, TIMESYNCD_MSG_BAD_BOOL, "Ignored (spike) is 2"},
	    {"spike -1", F_SPIKE, -1, TIMESYNCD_MSG_BAD_BOOL, "is -1"},
	    {"T4 at 2262", F_T4, max_us, TIMESYNCD_MSG_OK, ""},
	    {"T1 past 2262", F_T1, max_us + 1, TIMESYNCD_MSG_BAD_TIMESTAMP,
	        "OriginateTimestamp 9223372036854776"},
	    {"T4 infinity", F_T4, -1, TIMESYNCD_MSG_BAD_TIMESTAMP,
	        "DestinationTimestamp 18446744073709551615"},
	    {"T2 NTP second 0", F_T2, min_server_us, TIMESYNCD_MSG_OK, ""},
	    {"T2 below NTP 0", F_T2, min_server_us - 1, TIMESYNCD_MSG_BAD_TIMESTAMP,
	        "is no NTP time"},
	    {"T3 last of era 0", F_T3, end_server_us - 1, TIMESYNCD_MSG_OK, ""},
	    {"T3 past era 0", F_T3, end_server_us, TIMESYNCD_MSG_BAD_TIMESTAMP, "is no NTP time"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct timesyncd_msg_raw raw = seen_raw();
		struct timesyncd_msg m;
		char detail[128] = "junk";
		cw_case = cases[i].name;
		if (cases[i].field == F_REFLEN)
			raw.reference = five;
		set_field(&raw, cases[i].field, cases[i].value);
		assert_int_equal(timesyncd_msg_decode(&raw, &m, detail, sizeof(detail)),
		    cases[i].want);
		if (cases[i].want == TIMESYNCD_MSG_OK) {
			assert_string_equal(detail, "");
		} else {
			assert_contains(detail, cases[i].detail);
			assert_false(m.has_sample); /* zeroed on failure */
			assert_int_equal(m.stratum, 0);
		}
	}
	cw_case = NULL;
}

/* A detail buffer that is too small is cut, terminated; NULL is accepted. */
static void
test_detail_buffer(void **state)
{
	struct timesyncd_msg_raw raw = seen_raw();
	struct timesyncd_msg m;
	char small[8];

	(void)state;
	raw.leap = 9;
	assert_int_equal(timesyncd_msg_decode(&raw, &m, small, sizeof(small)),
	    TIMESYNCD_MSG_BAD_HEADER);
	assert_string_equal(small, "Leap 9 ");
	assert_int_equal(timesyncd_msg_decode(&raw, &m, NULL, 0), TIMESYNCD_MSG_BAD_HEADER);
	assert_int_equal(timesyncd_msg_decode(&raw, &m, small, 0), TIMESYNCD_MSG_BAD_HEADER);
}

static void
test_address(void **state)
{
	static const uint8_t v4[4] = {127, 0, 0, 1};
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x7b};
	struct timesyncd_msg_addr a;
	char detail[128];

	(void)state;
	assert_int_equal(timesyncd_msg_decode_address(2, v4, 4, &a, detail, sizeof(detail)),
	    TIMESYNCD_MSG_OK);
	assert_int_equal(a.family, TIMESYNCD_MSG_AF_INET);
	assert_int_equal(a.len, 4);
	assert_memory_equal(a.bytes, v4, 4);
	assert_string_equal(a.text, "127.0.0.1");

	assert_int_equal(timesyncd_msg_decode_address(10, v6, 16, &a, detail, sizeof(detail)),
	    TIMESYNCD_MSG_OK);
	assert_int_equal(a.family, TIMESYNCD_MSG_AF_INET6);
	assert_string_equal(a.text, "2001:db8::7b");

	/* No server yet: (0, []), as timesyncd sends AF_UNSPEC with an empty array. */
	assert_int_equal(timesyncd_msg_decode_address(0, NULL, 0, &a, detail, sizeof(detail)),
	    TIMESYNCD_MSG_OK);
	assert_int_equal(a.family, 0);
	assert_string_equal(a.text, "");

	assert_int_equal(timesyncd_msg_decode_address(2, v6, 16, &a, detail, sizeof(detail)),
	    TIMESYNCD_MSG_BAD_ADDRESS);
	assert_string_equal(detail, "ServerAddress family 2 with 16 octets, want 4");
	assert_int_equal(timesyncd_msg_decode_address(10, v4, 4, &a, detail, sizeof(detail)),
	    TIMESYNCD_MSG_BAD_ADDRESS);
	assert_string_equal(detail, "ServerAddress family 10 with 4 octets, want 16");
	assert_int_equal(timesyncd_msg_decode_address(0, v4, 4, &a, detail, sizeof(detail)),
	    TIMESYNCD_MSG_BAD_ADDRESS);
	assert_int_equal(timesyncd_msg_decode_address(1, v4, 4, &a, detail, sizeof(detail)),
	    TIMESYNCD_MSG_BAD_ADDRESS);
	assert_string_equal(detail, "ServerAddress family 1 unknown");
	assert_int_equal(a.family, 0);
	assert_int_equal(timesyncd_msg_decode_address(-1, NULL, 0, &a, NULL, 0),
	    TIMESYNCD_MSG_BAD_ADDRESS);
}

static void
test_helpers(void **state)
{
	(void)state;
	assert_double_exact(timesyncd_msg_freq_ppm(655360), 10.0);
	assert_double_exact(timesyncd_msg_freq_ppm(-32768), -0.5);
	assert_double_exact(timesyncd_msg_freq_ppm(0), 0.0);
	assert_i64_equal(timesyncd_msg_usec_to_ns(16000000), INT64_C(16000000000));
	assert_i64_equal(timesyncd_msg_usec_to_ns((uint64_t)(INT64_MAX / 1000)),
	    INT64_MAX / 1000 * 1000);
	assert_i64_equal(timesyncd_msg_usec_to_ns((uint64_t)(INT64_MAX / 1000) + 1), INT64_MAX);
	assert_i64_equal(timesyncd_msg_usec_to_ns(UINT64_MAX), INT64_MAX);
	assert_string_equal(timesyncd_msg_leap_name(0), "normal");
	assert_string_equal(timesyncd_msg_leap_name(1), "insert second");
	assert_string_equal(timesyncd_msg_leap_name(2), "delete second");
	assert_string_equal(timesyncd_msg_leap_name(3), "not synchronized");
	assert_string_equal(timesyncd_msg_leap_name(4), "?");
	for (int st = TIMESYNCD_MSG_OK; st <= TIMESYNCD_MSG_BAD_ADDRESS; st++)
		assert_true(strcmp(timesyncd_msg_strerror(st), "unknown error") != 0);
	assert_string_equal(timesyncd_msg_strerror(TIMESYNCD_MSG_BAD_REFID_LEN),
	    "reference is not 4 octets");
	assert_string_equal(timesyncd_msg_strerror((enum timesyncd_msg_status)99), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seen_message),
	    cmocka_unit_test(test_offset_sign),
	    cmocka_unit_test(test_units_and_refid),
	    cmocka_unit_test(test_no_sample_yet),
	    cmocka_unit_test(test_inconsistent_times),
	    cmocka_unit_test(test_era_wrap),
	    cmocka_unit_test(test_ranges),
	    cmocka_unit_test(test_detail_buffer),
	    cmocka_unit_test(test_address),
	    cmocka_unit_test(test_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
