/* test_out_store.c: the time arguments of `clockwatch history` and /api/v1/history (every form
 * history_parse_time takes, and the exact reason for each it refuses), the window and step
 * history_window derives from them, and the exact text and JSON of the alarm log and the
 * history renderers for a small case. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "alarm.h"
#include "buf.h"
#include "cw_test.h"
#include "out_store.h"

#define S_NS INT64_C(1000000000)
#define NOW_S INT64_C(1763772000) /* 2025-11-22T00:40:00Z */
#define NOW_NS (NOW_S * S_NS)
#define T_2026_S INT64_C(1795309200) /* 2026-11-22T01:00:00Z */

#define WANT_REL "bad relative time (want -30m, -1h, -2d)"
#define WANT_TIME "bad time (want now, -1h, Unix seconds or 2026-11-22T01:00:00Z)"
#define WANT_FAR "relative time too far back (at most 3650 days)"

static void
test_parse_time_good(void **state)
{
	static const struct {
		const char *s;
		int64_t want;
	} cases[] = {
	    {"now", NOW_NS},
	    /* before now */
	    {"-30m", NOW_NS - 1800 * S_NS},
	    {"-1h", NOW_NS - 3600 * S_NS},
	    {"-2d", NOW_NS - 2 * 86400 * S_NS},
	    {"-0.5h", NOW_NS - 1800 * S_NS},
	    {"-1.5d", NOW_NS - 129600 * S_NS},
	    {"-90", NOW_NS - 90 * S_NS},
	    {"-90s", NOW_NS - 90 * S_NS},
	    {"-250ms", NOW_NS - 250000000},
	    {"-0s", NOW_NS},
	    {"-3650d", NOW_NS - INT64_C(3650) * 86400 * S_NS},
	    {"-87600h", NOW_NS - INT64_C(3650) * 86400 * S_NS},
	    /* Unix seconds */
	    {"1763772000", NOW_NS},
	    {"1763772000.5", NOW_NS + 500000000},
	    {"0", 0},
	    {"1.5", 1500000000},
	    {"7258118400", INT64_C(7258118400) * S_NS}, /* 2200-01-01, the last one taken */
	    /* RFC 3339 */
	    {"2026-11-22T01:00:00Z", T_2026_S * S_NS},
	    {"2026-11-22t01:00:00Z", T_2026_S * S_NS}, /* RFC 3339 allows t and a blank */
	    {"2026-11-22 01:00:00Z", T_2026_S * S_NS},
	    {"2026-11-22T01:00:00z", T_2026_S * S_NS},
	    {"2026-11-22T01:00:00+00:00", T_2026_S * S_NS},
	    {"2026-11-22T01:00:00-00:00", T_2026_S * S_NS},
	    {"2026-11-22T03:00:00+02:00", T_2026_S * S_NS},
	    {"2026-11-21T19:30:00-05:30", T_2026_S * S_NS},
	    {"2026-11-22T01:00:00.5Z", T_2026_S * S_NS + 500000000},
	    {"2026-11-22T01:00:00.123456789Z", T_2026_S * S_NS + 123456789},
	    {"2026-11-22T01:00:00.1234567899Z", T_2026_S * S_NS + 123456789}, /* past ns: cut */
	    {"2026-11-22T03:00:00.000000001+02:00", T_2026_S * S_NS + 1},
	    {"2028-02-29T12:00:00Z", INT64_C(1835438400) * S_NS},
	    {"2000-02-29T00:00:00Z", INT64_C(951782400) * S_NS},
	    {"1970-01-01T00:00:00Z", 0},
	    {"2026-12-31T23:59:60Z", INT64_C(1798761600) * S_NS}, /* a leap second */
	    {"2200-12-31T23:59:59Z", INT64_C(7289654399) * S_NS},
	};
	char err[160];

	(void)state;
	for (size_t i = 0; i < CW_ARRAY_LEN(cases); i++) {
		int64_t got = -1;
		cw_case = cases[i].s;
		strcpy(err, "untouched");
		int r = history_parse_time(cases[i].s, NOW_NS, &got, err, sizeof(err));
		if (r != 0)
			fail_msg("%s: %s", cases[i].s, err);
		assert_i64_equal(got, cases[i].want);
	}
	cw_case = NULL;

	/* Unix seconds go through a double: near 2025 its ns are multiples of 256 */
	int64_t got;
	assert_int_equal(history_parse_time("1763772000.25", NOW_NS, &got, err, sizeof(err)), 0);
	assert_true(llabs(got - (NOW_NS + 250000000)) <= 128);
	assert_int_equal(history_parse_time("1763772000.000000001", NOW_NS, &got, err, 160), 0);
	assert_true(llabs(got - NOW_NS) <= 128);
}

static void
test_parse_time_bad(void **state)
{
	static const struct {
		const char *s, *want;
	} cases[] = {
	    {NULL, "empty time ''"},
	    {"", "empty time ''"},
	    /* relative */
	    {"-", WANT_REL " '-'"},
	    {"-d", WANT_REL " '-d'"},
	    {"-1x", WANT_REL " '-1x'"},
	    {"-h", WANT_REL " '-h'"},
	    {"--1h", WANT_REL " '--1h'"},
	    {"-1hd", WANT_REL " '-1hd'"},
	    {"-1e3d", WANT_REL " '-1e3d'"},
	    {"-0x10", WANT_REL " '-0x10'"},
	    {"- 1h", WANT_REL " '- 1h'"},
	    {"-1h ", WANT_REL " '-1h '"},
	    {"-1 d", WANT_REL " '-1 d'"},
	    {"-1dd", WANT_REL " '-1dd'"},
	    {"-nan", WANT_REL " '-nan'"},
	    {"-inf", WANT_REL " '-inf'"},
	    {"-1e300h", WANT_REL " '-1e300h'"},
	    {"-99999999999999999999d", WANT_REL " '-99999999999999999999d'"},
	    {"-0123456789012345678901234567890123456789h",
	        WANT_REL " '-0123456789012345678901234567890123456789h'"},
	    {"-3651d", WANT_FAR " '-3651d'"},
	    {"-99999d", WANT_FAR " '-99999d'"},
	    {"-87601h", WANT_FAR " '-87601h'"},
	    /* Unix seconds */
	    {"0x10", "bad time (want now, -1h, Unix seconds or 2026-11-22T01:00:00Z) '0x10'"},
	    {"0X10", "bad time (want now, -1h, Unix seconds or 2026-11-22T01:00:00Z) '0X10'"},
	    {"1e99", "bad time (want now, -1h, Unix seconds or 2026-11-22T01:00:00Z) '1e99'"},
	    {"1e400", "bad time (want now, -1h, Unix seconds or 2026-11-22T01:00:00Z) '1e400'"},
	    {"7258118401", "bad Unix time '7258118401'"},
	    {"1763772000abc",
	        "bad time (want now, -1h, Unix seconds or 2026-11-22T01:00:00Z) '1763772000abc'"},
	    {"1763772000 ",
	        "bad time (want now, -1h, Unix seconds or 2026-11-22T01:00:00Z) '1763772000 '"},
	    /* RFC 3339 and the rest */
	    {"yesterday", WANT_TIME " 'yesterday'"},
	    {"NOW", WANT_TIME " 'NOW'"},
	    {" now", WANT_TIME " ' now'"},
	    {"+1h", WANT_TIME " '+1h'"},
	    {"2026-13-01T00:00:00Z", WANT_TIME " '2026-13-01T00:00:00Z'"},
	    {"2026-00-01T00:00:00Z", WANT_TIME " '2026-00-01T00:00:00Z'"},
	    {"2026-11-00T00:00:00Z", WANT_TIME " '2026-11-00T00:00:00Z'"},
	    {"2026-11-32T00:00:00Z", WANT_TIME " '2026-11-32T00:00:00Z'"},
	    {"2026-02-29T00:00:00Z", WANT_TIME " '2026-02-29T00:00:00Z'"},
	    {"2026-02-30T00:00:00Z", WANT_TIME " '2026-02-30T00:00:00Z'"},
	    {"2026-04-31T00:00:00Z", WANT_TIME " '2026-04-31T00:00:00Z'"},
	    {"2100-02-29T00:00:00Z", WANT_TIME " '2100-02-29T00:00:00Z'"},
	    {"2026-11-22T01:00:00", WANT_TIME " '2026-11-22T01:00:00'"},
	    {"2026-11-22T01:00Z", WANT_TIME " '2026-11-22T01:00Z'"},
	    {"2026-11-22T24:00:00Z", WANT_TIME " '2026-11-22T24:00:00Z'"},
	    {"2026-11-22T01:60:00Z", WANT_TIME " '2026-11-22T01:60:00Z'"},
	    {"2026-11-22T01:00:61Z", WANT_TIME " '2026-11-22T01:00:61Z'"},
	    {"2026-11-22T01:00:00.Z", WANT_TIME " '2026-11-22T01:00:00.Z'"},
	    {"2026-11-22T01:00:00+0200", WANT_TIME " '2026-11-22T01:00:00+0200'"},
	    {"2026-11-22T01:00:00+24:00", WANT_TIME " '2026-11-22T01:00:00+24:00'"},
	    {"2026-11-22T01:00:00+02:60", WANT_TIME " '2026-11-22T01:00:00+02:60'"},
	    {"2026-11-22T01:00:00+02:00x", WANT_TIME " '2026-11-22T01:00:00+02:00x'"},
	    {"2026-11-22T01:00:00Zjunk", WANT_TIME " '2026-11-22T01:00:00Zjunk'"},
	    {"1969-12-31T23:59:59Z", WANT_TIME " '1969-12-31T23:59:59Z'"},
	    {"2201-01-01T00:00:00Z", WANT_TIME " '2201-01-01T00:00:00Z'"},
	    {"12026-11-22T01:00:00Z", WANT_TIME " '12026-11-22T01:00:00Z'"},
	    {"2026-1-22T01:00:00Z", WANT_TIME " '2026-1-22T01:00:00Z'"},
	    {"2026-+1-22T01:00:00Z", WANT_TIME " '2026-+1-22T01:00:00Z'"},
	    {"2026- 1-22T01:00:00Z", WANT_TIME " '2026- 1-22T01:00:00Z'"},
	    {"T", WANT_TIME " 'T'"},
	    {"1T", WANT_TIME " '1T'"},
	};
	char err[160];

	(void)state;
	for (size_t i = 0; i < CW_ARRAY_LEN(cases); i++) {
		int64_t got = 12345;
		cw_case = cases[i].s ? cases[i].s : "(null)";
		memset(err, 'z', sizeof(err));
		assert_int_equal(history_parse_time(cases[i].s, NOW_NS, &got, err, sizeof(err)),
		    -EINVAL);
		assert_string_equal(err, cases[i].want);
		assert_i64_equal(got, 12345);
	}
	cw_case = NULL;

	/* long input: cut to 60 bytes in the message */
	char in[200], want[300];
	int64_t got;
	memset(in, 'x', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	snprintf(want, sizeof(want), "%s '%.60s'", WANT_TIME, in);
	assert_int_equal(history_parse_time(in, NOW_NS, &got, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	assert_int_equal(strlen(err), strlen(WANT_TIME) + 63);

	/* a short error buffer: cut, terminated, nothing written past it */
	memset(err, 'z', sizeof(err));
	assert_int_equal(history_parse_time("yesterday", NOW_NS, &got, err, 8), -EINVAL);
	assert_string_equal(err, "bad tim");
	assert_int_equal(err[8], 'z');
}

struct win {
	const char *from, *to, *step;
	int64_t from_ns, to_ns, step_ns;
};

static void
test_window_good(void **state)
{
	static const struct win cases[] = {
	    /* defaults: the last hour, 300 points of 12 s */
	    {NULL, NULL, NULL, NOW_NS - 3600 * S_NS, NOW_NS, 12 * S_NS},
	    {"-1h", "now", NULL, NOW_NS - 3600 * S_NS, NOW_NS, 12 * S_NS},
	    /* an explicit step */
	    {NULL, NULL, "30s", NOW_NS - 3600 * S_NS, NOW_NS, 30 * S_NS},
	    {NULL, NULL, "5m", NOW_NS - 3600 * S_NS, NOW_NS, 300 * S_NS},
	    {NULL, NULL, "60", NOW_NS - 3600 * S_NS, NOW_NS, 60 * S_NS},
	    {NULL, NULL, "1s", NOW_NS - 3600 * S_NS, NOW_NS, S_NS},
	    {NULL, NULL, "1.5s", NOW_NS - 3600 * S_NS, NOW_NS, 1500000000},
	    {NULL, NULL, "2h", NOW_NS - 3600 * S_NS, NOW_NS, 7200 * S_NS}, /* beyond the window */
	    /* the default step: the window / 300 in whole seconds, at least 1 s */
	    {"-1d", NULL, NULL, NOW_NS - 86400 * S_NS, NOW_NS, 288 * S_NS},
	    {"-1000s", NULL, NULL, NOW_NS - 1000 * S_NS, NOW_NS, 3 * S_NS},
	    {"-600s", NULL, NULL, NOW_NS - 600 * S_NS, NOW_NS, 2 * S_NS},
	    {"-599s", NULL, NULL, NOW_NS - 599 * S_NS, NOW_NS, S_NS},
	    {"-10s", NULL, NULL, NOW_NS - 10 * S_NS, NOW_NS, S_NS},
	    {"-1ms", NULL, NULL, NOW_NS - 1000000, NOW_NS, S_NS},
	    {"-3650d", NULL, NULL, NOW_NS - INT64_C(3650) * 86400 * S_NS, NOW_NS,
	        INT64_C(1051200) * S_NS},
	    /* absolute times, in the future too */
	    {"2026-11-22T01:00:00Z", "2026-11-22T03:00:00+01:00", NULL, T_2026_S * S_NS,
	        (T_2026_S + 3600) * S_NS, 12 * S_NS},
	    {"0", "7258118400", NULL, 0, INT64_C(7258118400) * S_NS, INT64_C(24193728) * S_NS},
	    {"1763772000", "1763772000.5", NULL, NOW_NS, NOW_NS + 500000000, S_NS},
	    /* the most points there may be: 11000 (10999 steps) */
	    {"-10999s", NULL, "1s", NOW_NS - 10999 * S_NS, NOW_NS, S_NS},
	    {"-10999.999s", NULL, "1s", NOW_NS - 10999999000000, NOW_NS, S_NS},
	};
	char err[160];

	(void)state;
	for (size_t i = 0; i < CW_ARRAY_LEN(cases); i++) {
		const struct win *c = &cases[i];
		int64_t f, t, st;
		cw_case = c->from ? c->from : c->step ? c->step : "(defaults)";
		if (history_window(c->from, c->to, c->step, NOW_NS, &f, &t, &st, err, sizeof(err)))
			fail_msg("%s", err);
		assert_i64_equal(f, c->from_ns);
		assert_i64_equal(t, c->to_ns);
		assert_i64_equal(st, c->step_ns);
		assert_true(st >= S_NS);
		assert_true((t - f) / st < HIST_MAX_POINTS);
	}
	cw_case = NULL;
}

static void
test_window_bad(void **state)
{
	static const struct {
		const char *from, *to, *step, *want;
	} cases[] = {
	    {"-1h", "-1h", NULL, "to must be after from"},
	    {"now", NULL, NULL, "to must be after from"},
	    {NULL, "-2h", NULL, "to must be after from"},
	    {"2026-11-22T02:00:00Z", "2026-11-22T01:00:00Z", NULL, "to must be after from"},
	    {"2026-11-22T01:00:00Z", "2026-11-22T02:00:00+01:00", NULL, "to must be after from"},
	    {NULL, NULL, "0.5s", "step: at least 1 s"},
	    {NULL, NULL, "999ms", "step: at least 1 s"},
	    {NULL, NULL, "0", "step: at least 1 s"},
	    {NULL, NULL, "", "step: bad duration '' (want seconds, or 30s, 5m)"},
	    {NULL, NULL, "abc", "step: bad duration 'abc' (want seconds, or 30s, 5m)"},
	    {NULL, NULL, "-1s", "step: bad duration '-1s' (want seconds, or 30s, 5m)"},
	    {NULL, NULL, "1d", "step: bad duration '1d' (want seconds, or 30s, 5m)"},
	    {NULL, NULL, "0x10", "step: bad duration '0x10' (want seconds, or 30s, 5m)"},
	    {NULL, NULL, "1e300h", "step: bad duration '1e300h' (want seconds, or 30s, 5m)"},
	    /* too many points */
	    {"-1d", NULL, "1s",
	        "86401 points asked; at most 11000 (a larger step or a shorter window)"},
	    {"-11000s", NULL, "1",
	        "11001 points asked; at most 11000 (a larger step or a shorter "
	        "window)"},
	    {"-3650d", NULL, "1m",
	        "5256001 points asked; at most 11000 (a larger step or a shorter window)"},
	    /* the times, named */
	    {"yesterday", NULL, NULL, "from: " WANT_TIME " 'yesterday'"},
	    {NULL, "", NULL, "to: empty time ''"},
	    {"-", "-", NULL, "to: " WANT_REL " '-'"}, /* to is read first */
	    {"-9999d", NULL, NULL, "from: " WANT_FAR " '-9999d'"},
	};
	char err[160];

	(void)state;
	for (size_t i = 0; i < CW_ARRAY_LEN(cases); i++) {
		int64_t f, t, st;
		cw_case = cases[i].want;
		memset(err, 'z', sizeof(err));
		assert_int_equal(history_window(cases[i].from, cases[i].to, cases[i].step, NOW_NS,
		                     &f, &t, &st, err, sizeof(err)),
		    -EINVAL);
		assert_string_equal(err, cases[i].want);
	}
	cw_case = NULL;

	/* an error text cut to a short buffer */
	int64_t f, t, st;
	memset(err, 'z', sizeof(err));
	assert_int_equal(history_window("-1d", NULL, "1s", NOW_NS, &f, &t, &st, err, 10), -EINVAL);
	assert_string_equal(err, "86401 poi");
	assert_int_equal(err[10], 'z');
	memset(err, 'z', sizeof(err));
	assert_int_equal(history_window("x", NULL, NULL, NOW_NS, &f, &t, &st, err, 10), -EINVAL);
	assert_string_equal(err, "from: bad");
	assert_int_equal(err[10], 'z');
}

static const struct hist_point points[] = {
    {
        .real_ns = NOW_NS,
        .checks = 2,
        .synchronized_ratio = 0.5,
        .offset_s = 0.25,
        .offset_min_s = -0.0078125,
        .offset_max_s = 1.0,
        .jitter_s = 0.001953125,
        .root_distance_s = 0.015625,
        .severity_max = ALARM_MAJOR,
    },
    {
        .real_ns = NOW_NS + 30 * S_NS,
        .checks = 0,
        .synchronized_ratio = NAN,
        .offset_s = NAN,
        .offset_min_s = NAN,
        .offset_max_s = NAN,
        .jitter_s = NAN,
        .root_distance_s = INFINITY,
        .severity_max = ALARM_CLEARED,
    },
};

static void
test_history_json(void **state)
{
	static const char want[] = "{\n"
	                           "  \"schema\": \"clockwatch.history/1\",\n"
	                           "  \"from\": \"2025-11-22T00:40:00Z\",\n"
	                           "  \"from_ns\": 1763772000000000000,\n"
	                           "  \"to\": \"2025-11-22T00:41:00Z\",\n"
	                           "  \"to_ns\": 1763772060000000000,\n"
	                           "  \"step_s\": 30.0,\n"
	                           "  \"points\": [\n"
	                           "    {\n"
	                           "      \"time\": \"2025-11-22T00:40:00Z\",\n"
	                           "      \"time_ns\": 1763772000000000000,\n"
	                           "      \"checks\": 2,\n"
	                           "      \"synchronized_ratio\": 0.5,\n"
	                           "      \"offset_s\": 0.25,\n"
	                           "      \"offset_min_s\": -0.0078125,\n"
	                           "      \"offset_max_s\": 1.0,\n"
	                           "      \"jitter_s\": 0.001953125,\n"
	                           "      \"root_distance_s\": 0.015625,\n"
	                           "      \"severity_max\": 3\n"
	                           "    },\n"
	                           "    {\n"
	                           "      \"time\": \"2025-11-22T00:40:30Z\",\n"
	                           "      \"time_ns\": 1763772030000000000,\n"
	                           "      \"checks\": 0,\n"
	                           "      \"synchronized_ratio\": null,\n"
	                           "      \"offset_s\": null,\n"
	                           "      \"offset_min_s\": null,\n"
	                           "      \"offset_max_s\": null,\n"
	                           "      \"jitter_s\": null,\n"
	                           "      \"root_distance_s\": null,\n"
	                           "      \"severity_max\": 0\n"
	                           "    }\n"
	                           "  ]\n"
	                           "}\n";
	static const char want_empty[] = "{\n"
	                                 "  \"schema\": \"clockwatch.history/1\",\n"
	                                 "  \"from\": \"1969-12-31T23:59:59Z\",\n"
	                                 "  \"from_ns\": -1,\n"
	                                 "  \"to\": \"1970-01-01T00:00:00Z\",\n"
	                                 "  \"to_ns\": 1,\n"
	                                 "  \"step_s\": 1.5,\n"
	                                 "  \"points\": []\n"
	                                 "}\n";
	struct buf b = {0};

	(void)state;
	out_history_json(&b, NOW_NS, NOW_NS + 60 * S_NS, 30 * S_NS, points, 2);
	assert_string_equal(b.data, want);
	buf_reset(&b);
	out_history_json(&b, -1, 1, 1500000000, NULL, 0);
	assert_string_equal(b.data, want_empty);
	buf_free(&b);
}

static void
test_history_text(void **state)
{
	static const char want[] =
	    "history 2025-11-22T00:40:00Z .. 2025-11-22T00:41:00Z, step 30 s: 2 points\n"
	    "\n"
	    "time (UTC)            checks   sync        offset  max |offset|        jitter     "
	    "root "
	    "dist  alarm\n"
	    "2025-11-22T00:40:00Z       2    50%   +250.000 ms      1.0000 s      1.953 ms     "
	    "15.625 ms  major\n"
	    "2025-11-22T00:40:30Z       0     0%             -             -             -       "
	    "      -  cleared\n";
	struct buf b = {0};

	(void)state;
	out_history_text(&b, NOW_NS, NOW_NS + 60 * S_NS, 30 * S_NS, points, 2);
	assert_string_equal(b.data, want);
	buf_reset(&b);
	out_history_text(&b, NOW_NS, NOW_NS + 60 * S_NS, 1500000000, points, 1);
	static const char head1[] =
	    "history 2025-11-22T00:40:00Z .. 2025-11-22T00:41:00Z, step 1.5 s: 1 point\n\n";
	assert_memory_equal(b.data, head1, sizeof(head1) - 1);
	buf_reset(&b);
	out_history_text(&b, NOW_NS, NOW_NS + 60 * S_NS, 30 * S_NS, NULL, 0);
	assert_string_equal(b.data,
	    "history 2025-11-22T00:40:00Z .. 2025-11-22T00:41:00Z, step 30 s: 0 points\n");
	buf_free(&b);
}

static const struct hist_alarm alarm_now = {
    .valid = true,
    .severity = ALARM_MAJOR,
    .text = "Time servers not reachable: \"a\" \\ b",
};

static const struct hist_event events[] = {
    {
        .seq = 1,
        .real_ns = NOW_NS + 999999999,
        .kind = ALARM_EV_RAISE,
        .from = ALARM_CLEARED,
        .to = ALARM_CRITICAL,
        .text = "Time incorrect (off by 15.0 seconds)",
    },
    {
        .seq = 2,
        .real_ns = NOW_NS + 90 * S_NS,
        .kind = ALARM_EV_CHANGE,
        .from = ALARM_CRITICAL,
        .to = ALARM_MAJOR,
        .text = "Time servers not reachable: \"a\" \\ b",
    },
};

static void
test_alarms_json(void **state)
{
	static const char want[] =
	    "{\n"
	    "  \"schema\": \"clockwatch.alarms/1\",\n"
	    "  \"alarm\": {\n"
	    "    \"severity\": \"major\",\n"
	    "    \"severity_level\": 3,\n"
	    "    \"text\": \"Time servers not reachable: \\\"a\\\" \\\\ b\"\n"
	    "  },\n"
	    "  \"events\": [\n"
	    "    {\n"
	    "      \"seq\": 1,\n"
	    "      \"time\": \"2025-11-22T00:40:00Z\",\n"
	    "      \"time_ns\": 1763772000999999999,\n"
	    "      \"event\": \"raise\",\n"
	    "      \"from\": \"cleared\",\n"
	    "      \"severity\": \"critical\",\n"
	    "      \"text\": \"Time incorrect (off by 15.0 seconds)\"\n"
	    "    },\n"
	    "    {\n"
	    "      \"seq\": 2,\n"
	    "      \"time\": \"2025-11-22T00:41:30Z\",\n"
	    "      \"time_ns\": 1763772090000000000,\n"
	    "      \"event\": \"change\",\n"
	    "      \"from\": \"critical\",\n"
	    "      \"severity\": \"major\",\n"
	    "      \"text\": \"Time servers not reachable: \\\"a\\\" \\\\ b\"\n"
	    "    }\n"
	    "  ]\n"
	    "}\n";
	static const char want_cleared[] = "{\n"
	                                   "  \"schema\": \"clockwatch.alarms/1\",\n"
	                                   "  \"alarm\": {\n"
	                                   "    \"severity\": \"cleared\",\n"
	                                   "    \"severity_level\": 0,\n"
	                                   "    \"text\": \"\"\n"
	                                   "  },\n"
	                                   "  \"events\": []\n"
	                                   "}\n";
	struct hist_alarm cleared = {0};
	struct buf b = {0};

	(void)state;
	out_alarms_json(&b, &alarm_now, events, 2);
	assert_string_equal(b.data, want);
	buf_reset(&b);
	out_alarms_json(&b, &cleared, NULL, 0);
	assert_string_equal(b.data, want_cleared);
	buf_free(&b);
}

static void
test_alarms_text(void **state)
{
	static const char want[] =
	    "alarm:  major: Time servers not reachable: \"a\" \\ b\n"
	    "\n"
	    "   seq  time (UTC)            event   severity  text\n"
	    "     1  2025-11-22T00:40:00Z  raise   critical  Time incorrect (off by 15.0 seconds)\n"
	    "     2  2025-11-22T00:41:30Z  change  major     Time servers not reachable: \"a\" \\ "
	    "b\n";
	struct hist_alarm cleared = {0};
	struct buf b = {0};

	(void)state;
	out_alarms_text(&b, &alarm_now, events, 2);
	assert_string_equal(b.data, want);
	buf_reset(&b);
	out_alarms_text(&b, &cleared, NULL, 0);
	assert_string_equal(b.data, "alarm:  cleared\n(no alarm events)\n");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_time_good),
	    cmocka_unit_test(test_parse_time_bad),
	    cmocka_unit_test(test_window_good),
	    cmocka_unit_test(test_window_bad),
	    cmocka_unit_test(test_history_json),
	    cmocka_unit_test(test_history_text),
	    cmocka_unit_test(test_alarms_json),
	    cmocka_unit_test(test_alarms_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
