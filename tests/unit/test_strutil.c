/* test_strutil.c: the strict parsers (integers, durations, HOST[:PORT]) accept exactly what
 * their headers promise and say why they refuse the rest; fmt_seconds picks a readable unit. */
#include "config.h"

#include <errno.h>
#include <limits.h>

#include "cw_test.h"
#include "strutil.h"

static void
test_parse_long(void **state)
{
	static const struct {
		const char *s;
		long min, max;
		int rc;
		long val;
	} v[] = {
	    {"0", 0, 10, 0, 0},
	    {"10", 0, 10, 0, 10},
	    {"11", 0, 10, -ERANGE, 0},
	    {"-1", 0, 10, -ERANGE, 0},
	    {"-5", -10, 10, 0, -5},
	    {"+5", 0, 10, -EINVAL, 0}, /* no sign on ports and counts: "host:+80" is a typo */
	    {"010", 0, 100, 0, 10},    /* decimal, never octal */
	    {"9223372036854775807", LONG_MIN, LONG_MAX, 0, LONG_MAX},
	    {"-9223372036854775808", LONG_MIN, LONG_MAX, 0, LONG_MIN},
	    {"9223372036854775808", LONG_MIN, LONG_MAX, -ERANGE, 0},
	    {"-9223372036854775809", LONG_MIN, LONG_MAX, -ERANGE, 0},
	    {"99999999999999999999999", 0, 10, -ERANGE, 0},
	    {"", 0, 10, -EINVAL, 0},
	    {" 5", 0, 10, -EINVAL, 0},
	    {"\t5", 0, 10, -EINVAL, 0},
	    {"5 ", 0, 10, -EINVAL, 0},
	    {"5x", 0, 10, -EINVAL, 0},
	    {"x5", 0, 10, -EINVAL, 0},
	    {"0x10", 0, 100, -EINVAL, 0},
	    {"1.5", 0, 10, -EINVAL, 0},
	    {"1e3", 0, 10000, -EINVAL, 0},
	    {"-", 0, 10, -EINVAL, 0},
	    {"+", 0, 10, -EINVAL, 0},
	};
	long out;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cw_case = v[i].s;
		out = 12345;
		assert_int_equal(strutil_parse_long(v[i].s, v[i].min, v[i].max, &out), v[i].rc);
		assert_int_equal(out, v[i].rc == 0 ? v[i].val : 12345); /* untouched on error */
	}
	cw_case = NULL;
	assert_int_equal(strutil_parse_long(NULL, 0, 10, &out), -EINVAL);
}

static void
test_parse_duration(void **state)
{
	static const struct {
		const char *s;
		int rc;
		int64_t ns;
	} v[] = {
	    {"250ms", 0, 250000000},
	    {"2", 0, INT64_C(2000000000)},
	    {"1.5s", 0, INT64_C(1500000000)},
	    {"1m", 0, INT64_C(60000000000)},
	    {"1h", 0, INT64_C(3600000000000)},
	    {"10us", 0, 10000},
	    {"7ns", 0, 7},
	    {"0", 0, 0},
	    {"0s", 0, 0},
	    {".5", 0, 500000000},
	    {"0.25m", 0, INT64_C(15000000000)},
	    {"1.5ns", 0, 2}, /* rounded to the nearest ns */
	    {"1e3", 0, INT64_C(1000000000000)},
	    {"2500000h", 0, INT64_C(9000000000000000000)},
	    {"", -EINVAL, 0},
	    {"-1", -EINVAL, 0},
	    {"+1", -EINVAL, 0},
	    {" 1", -EINVAL, 0},
	    {"5x", -EINVAL, 0},
	    {"5 s", -EINVAL, 0},
	    {"5s ", -EINVAL, 0},
	    {"5S", -EINVAL, 0},
	    {"5sec", -EINVAL, 0},
	    {"5d", -EINVAL, 0},
	    {"s", -EINVAL, 0},
	    {".", -EINVAL, 0},
	    {"nan", -EINVAL, 0},
	    {"inf", -EINVAL, 0},
	    {"1e400", -EINVAL, 0}, /* strtod overflows */
	    {"0x10", -EINVAL, 0},  /* not a decimal number */
	    {"0x1p3", -EINVAL, 0},
	    {"9.3e9", -ERANGE, 0}, /* about 294 years */
	    {"2562048h", -ERANGE, 0},
	};
	int64_t out;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cw_case = v[i].s;
		out = 12345;
		int rc = strutil_parse_duration_ns(v[i].s, &out);
		if (rc != v[i].rc) {
			print_error("\"%s\": rc %d, want %d\n", v[i].s, rc, v[i].rc);
			fail();
		}
		assert_i64_equal(out, v[i].rc == 0 ? v[i].ns : 12345);
	}
	cw_case = NULL;
	assert_int_equal(strutil_parse_duration_ns(NULL, &out), -EINVAL);
}

static void
test_hostspec_ok(void **state)
{
	static const struct {
		const char *s, *host;
		uint16_t port;
		bool bracketed;
	} v[] = {
	    {"host", "host", 0, false},
	    {"ntp.example.com", "ntp.example.com", 0, false},
	    {"host:123", "host", 123, false},
	    {"host:1", "host", 1, false},
	    {"host:65535", "host", 65535, false},
	    {"192.0.2.1:8123", "192.0.2.1", 8123, false},
	    {"[::1]:8123", "::1", 8123, true},
	    {"[::1]", "::1", 0, true},
	    {"[192.0.2.1]:123", "192.0.2.1", 123, true},
	    {"::1", "::1", 0, false}, /* bare IPv6: more than one colon, no port */
	    {"fe80::1", "fe80::1", 0, false},
	    {"fe80::1%eth0", "fe80::1%eth0", 0, false},
	    {"[fe80::1%eth0]:123", "fe80::1%eth0", 123, true},
	    {"2001:db8::123", "2001:db8::123", 0, false},
	};
	struct hostspec hs;
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cw_case = v[i].s;
		err[0] = '\0';
		memset(&hs, 0x55, sizeof(hs));
		assert_int_equal(strutil_parse_hostspec(v[i].s, &hs, err, sizeof(err)), 0);
		assert_string_equal(hs.host, v[i].host);
		assert_int_equal(hs.port, v[i].port);
		assert_int_equal(hs.is_bracketed, v[i].bracketed);
		assert_string_equal(err, ""); /* untouched */
	}
	cw_case = NULL;
}

static void
test_hostspec_errors(void **state)
{
	static const struct {
		const char *s, *err;
	} v[] = {
	    {":123", "empty host name in ':123'"},
	    {"", "empty host name in ''"},
	    {"[]", "empty host name in '[]'"},
	    {"[]:123", "empty host name in '[]:123'"},
	    {"host:", "bad port '' in 'host:' (want 1-65535)"},
	    {"host:0", "bad port '0' in 'host:0' (want 1-65535)"},
	    {"host:65536", "bad port '65536' in 'host:65536' (want 1-65535)"},
	    {"host:-1", "bad port '-1'"},
	    {"host:12a", "bad port '12a'"},
	    {"host: 80", "bad port ' 80'"},
	    {"host:0x50", "bad port '0x50'"},
	    {"[::1]:", "bad port '' in '[::1]:'"},
	    {"[::1]:0", "bad port '0'"},
	    {"[::1]:65536", "bad port '65536'"},
	    {"[::1", "missing ']' in '[::1'"},
	    {"[::1]x", "junk after ']' in '[::1]x'"},
	    {"[::1]]", "junk after ']'"},
	    {"[::1]123", "junk after ']'"},
	    {"ho st", "invalid character in host 'ho st'"},
	    {"ho\tst", "invalid character in host"},
	    {"host\n", "invalid character in host"},
	    {"ho\x7fst", "invalid character in host"},
	    {"\x1b[31mred", "invalid character in host"},
	    {"h\xc3\xb6st", "invalid character in host"},
	    {"a/b", "invalid character in host 'a/b'"},
	    {"a]b", "invalid character in host 'a]b'"},
	    {"[a[b]", "invalid character in host 'a[b'"},
	    {"ho st:123", "invalid character in host 'ho st'"},
	};
	struct hostspec hs;
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cw_case = v[i].s;
		err[0] = '\0';
		assert_int_equal(strutil_parse_hostspec(v[i].s, &hs, err, sizeof(err)), -EINVAL);
		assert_contains(err, v[i].err);
	}
	cw_case = NULL;
}

static void
test_hostspec_lengths(void **state)
{
	char name[400], spec[420], err[200];
	struct hostspec hs;

	(void)state;
	memset(name, 'a', sizeof(name));
	/* 255 characters: the longest accepted. */
	name[STRUTIL_HOST_MAX] = '\0';
	assert_int_equal(strutil_parse_hostspec(name, &hs, err, sizeof(err)), 0);
	assert_int_equal(strlen(hs.host), STRUTIL_HOST_MAX);
	snprintf(spec, sizeof(spec), "[%s]:123", name);
	assert_int_equal(strutil_parse_hostspec(spec, &hs, err, sizeof(err)), 0);
	assert_int_equal(hs.port, 123);
	/* 256 and 300 characters, bare, with a port and bracketed. */
	name[STRUTIL_HOST_MAX] = 'a';
	name[STRUTIL_HOST_MAX + 1] = '\0';
	assert_int_equal(strutil_parse_hostspec(name, &hs, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "host name too long (256 characters, at most 255)");
	name[STRUTIL_HOST_MAX + 1] = 'a';
	name[300] = '\0';
	assert_int_equal(strutil_parse_hostspec(name, &hs, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "host name too long (300 characters, at most 255)");
	snprintf(spec, sizeof(spec), "%s:123", name);
	assert_int_equal(strutil_parse_hostspec(spec, &hs, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "host name too long (300 characters, at most 255)");
	snprintf(spec, sizeof(spec), "[%s]:123", name);
	assert_int_equal(strutil_parse_hostspec(spec, &hs, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "host name too long (300 characters, at most 255)");
	/* Long junk is quoted shortened, and a small err buffer is respected. */
	snprintf(spec, sizeof(spec), "[%s", name);
	assert_int_equal(strutil_parse_hostspec(spec, &hs, err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) < 100);
	memset(err, 'Z', sizeof(err));
	assert_int_equal(strutil_parse_hostspec(":1", &hs, err, 8), -EINVAL);
	assert_string_equal(err, "empty h");
}

static void
test_fmt_seconds(void **state)
{
	static const struct {
		double s;
		bool sign;
		const char *want;
	} v[] = {
	    {15.0001, true, "+15.0001 s"},
	    {-0.250012, true, "-250.012 ms"},
	    {21.4e-6, true, "+21.4 us"},
	    {1.0, true, "+1.0000 s"},
	    {1234.5, true, "+1234.5000 s"},
	    {0.001, true, "+1.000 ms"},
	    {0.000999, true, "+999.0 us"},
	    {0.9999994, true, "+999.999 ms"},
	    {0.0, true, "+0.0 us"},
	    {0.0, false, "0.0 us"},
	    {0.5, false, "500.000 ms"},
	    {-3.0, false, "-3.0000 s"}, /* a negative value keeps its sign */
	    {-21.4e-6, false, "-21.4 us"},
	    /* The unit follows the value as printed: never "1000.000 ms" or "1000.0 us". */
	    {0.9999999, true, "+1.0000 s"},
	    {-0.9999999, true, "-1.0000 s"},
	    {0.00099999, true, "+1.000 ms"},
	    {NAN, true, "-"},
	    {INFINITY, true, "-"},
	    {-INFINITY, false, "-"},
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cw_case = v[i].want;
		assert_ptr_equal(strutil_fmt_seconds(buf, sizeof(buf), v[i].s, v[i].sign), buf);
		assert_string_equal(buf, v[i].want);
	}
	cw_case = NULL;
	strutil_fmt_seconds(buf, 5, 15.0001, true);
	assert_string_equal(buf, "+15.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_long),
	    cmocka_unit_test(test_parse_duration),
	    cmocka_unit_test(test_hostspec_ok),
	    cmocka_unit_test(test_hostspec_errors),
	    cmocka_unit_test(test_hostspec_lengths),
	    cmocka_unit_test(test_fmt_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
