/* test_nagios.c: the plugins' range syntax, alerting, and the check line. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cw_test.h"
#include "nagios.h"
#include "out_check.h"
#include "snapshot.h"

static void
test_ranges(void **state)
{
	static const struct {
		const char *s;
		double v;
		bool alert;
	} v[] = {
	    {"10", 5, false},
	    {"10", 10, false},
	    {"10", 10.5, true},
	    {"10", -1, true},
	    {"10:", 9, true},
	    {"10:", 1e9, false},
	    {"~:10", -1e9, false},
	    {"~:10", 11, true},
	    {"10:20", 15, false},
	    {"10:20", 9.99, true},
	    {"10:20", 20.01, true},
	    {"@10:20", 15, true},
	    {"@10:20", 21, false},
	    {"0.125", 0.126, true},
	    {"-5:-1", -3, false},
	    {"-5:-1", 0, true},
	};
	struct nagios_range r;
	char err[160], buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cw_case = v[i].s;
		assert_int_equal(nagios_range_parse(v[i].s, &r, err, sizeof(err)), 0);
		assert_int_equal(nagios_range_alert(&r, v[i].v), v[i].alert);
	}
	cw_case = NULL;
	assert_int_equal(nagios_range_parse("10:20", &r, err, sizeof(err)), 0);
	assert_string_equal(nagios_range_str(&r, buf, sizeof(buf)), "10:20");
	assert_int_equal(nagios_range_parse("~:5", &r, err, sizeof(err)), 0);
	assert_string_equal(nagios_range_str(&r, buf, sizeof(buf)), "~:5");
	assert_int_equal(nagios_range_parse("@1:", &r, err, sizeof(err)), 0);
	assert_string_equal(nagios_range_str(&r, buf, sizeof(buf)), "@1:");
	static const char *const bad[] = {"", "x", "1:x", "@", ":", "5:1", "1e999", " 1", "1::2",
	    "nan"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cw_case = bad[i];
		assert_int_equal(nagios_range_parse(bad[i], &r, err, sizeof(err)), -EINVAL);
		assert_true(strstr(err, "bad range") != NULL);
	}
	cw_case = NULL;
	memset(&r, 0, sizeof(r));
	assert_false(nagios_range_alert(&r, 1e9)); /* unset never alerts */
	assert_string_equal(nagios_state_name(NAGIOS_UNKNOWN), "UNKNOWN");
}

static void
test_check_line(void **state)
{
	struct snapshot s;
	struct check_opts o;
	struct buf b = {0};

	(void)state;
	snapshot_init(&s);
	check_opts_default(&o);
	assert_int_equal(out_check(&b, &s, &o, ALARM_CLEARED, ""), NAGIOS_UNKNOWN);
	assert_string_equal(b.data, "TIME UNKNOWN - no time service runs here\n");
	buf_reset(&b);
	s.primary = SNAP_NTPD;
	s.svc[SNAP_NTPD].answering = true;
	s.synchronized = s.have_system = true;
	snprintf(s.source_name, sizeof(s.source_name), "ntp1");
	s.stratum = 2;
	s.offset_s = 0.5;
	struct snap_source *src = snapshot_add_source(&s);
	src->tally = '*';
	src->reach = 0377;
	src->jitter_s = 0.001;
	assert_int_equal(out_check(&b, &s, &o, ALARM_CLEARED, ""), NAGIOS_OK);
	assert_string_equal(b.data,
	    "TIME OK - ntpd synchronized to ntp1 (stratum 2), offset "
	    "+500.000 ms | offset=0.500000000s;1;10 jitter=0.001000000s "
	    "stratum=2 sources=1 reachable=1 truechimers=1\n");
	buf_reset(&b);
	assert_int_equal(out_check(&b, &s, &o, ALARM_MINOR,
	                     "Time servers not reachable: x "
	                     "(unreachable)"),
	    NAGIOS_WARNING);
	assert_true(strncmp(b.data, "TIME WARNING - Time servers not reachable: x (unreachable) |",
	                60) == 0);
	buf_reset(&b);
	s.offset_s = -12; /* the threshold and the alarm agree: CRITICAL */
	assert_int_equal(out_check(&b, &s, &o, ALARM_CRITICAL,
	                     "Time incorrect (off by 12.0 "
	                     "seconds)"),
	    NAGIOS_CRITICAL);
	buf_reset(&b);
	o.on_major = NAGIOS_WARNING; /* Major mapped to WARNING, offset under the thresholds */
	s.offset_s = 0.1;
	assert_int_equal(out_check(&b, &s, &o, ALARM_MAJOR, "m"), NAGIOS_WARNING);
	buf_free(&b);
	snapshot_fini(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ranges),
	    cmocka_unit_test(test_check_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
