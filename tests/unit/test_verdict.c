/* test_verdict.c: the one-line verdict for each state an operator can meet. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cw_test.h"
#include "snapshot.h"
#include "verdict.h"

static void
synced_chronyd(struct snapshot *s, double offset_s)
{
	snapshot_init(s);
	s->svc[SNAP_CHRONYD].running = s->svc[SNAP_CHRONYD].installed = true;
	s->svc[SNAP_CHRONYD].can_set_clock = true;
	s->svc[SNAP_CHRONYD].answering = true;
	s->primary = SNAP_CHRONYD;
	s->have_system = s->synchronized = true;
	snprintf(s->source_name, sizeof(s->source_name), "ntp1.example");
	s->stratum = 2;
	s->offset_s = offset_s;
	s->offset_error_s = 0.004;
}

static void
test_levels(void **state)
{
	static const struct {
		const char *what;
		double offset_s;
		enum verdict_level level;
		const char *text;
	} v[] = {
	    {"small, clock behind", 0.0012, VERDICT_OK,
	        "Synchronized to ntp1.example (stratum 2); the clock is 1.200 ms behind, within "
	        "4.000 ms."},
	    {"small, clock ahead", -0.000021, VERDICT_OK,
	        "Synchronized to ntp1.example (stratum 2); the clock is 21.0 us ahead, within "
	        "4.000 ms."},
	    {"beyond the step threshold", 0.5, VERDICT_WARNING,
	        "Synchronized to ntp1.example, but the clock is 500.000 ms behind (more than 125 "
	        "ms): "
	        "chronyd is still correcting it."},
	    {"beyond 10 s", -23.04, VERDICT_CRITICAL,
	        "Time incorrect (off by 23.0 seconds): chronyd has not corrected it."},
	};
	struct snapshot s;
	struct verdict out;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cw_case = v[i].what;
		synced_chronyd(&s, v[i].offset_s);
		verdict_judge(&s, &out);
		assert_int_equal(out.level, v[i].level);
		assert_string_equal(out.text, v[i].text);
		snapshot_fini(&s);
	}
	cw_case = NULL;
}

static void
test_no_service_and_two_services(void **state)
{
	struct snapshot s;
	struct verdict out;

	(void)state;
	snapshot_init(&s);
	verdict_judge(&s, &out);
	assert_int_equal(out.level, VERDICT_CRITICAL);
	assert_string_equal(out.text, "No time service runs: nothing keeps this clock right.");
	snapshot_fini(&s);

	synced_chronyd(&s, 0);
	s.svc[SNAP_TIMESYNCD].running = true;
	verdict_judge(&s, &out); /* a timesyncd that may not set the clock fights no one */
	assert_int_equal(out.level, VERDICT_OK);
	s.svc[SNAP_TIMESYNCD].can_set_clock = true;
	verdict_judge(&s, &out);
	assert_int_equal(out.level, VERDICT_CRITICAL);
	assert_string_equal(out.text,
	    "chronyd and systemd-timesyncd run at the same time, both "
	    "allowed to set the clock: they fight over it; keep one.");
	snapshot_fini(&s);

	/* A daemon that only watches (chronyd -x, or no CAP_SYS_TIME in a container) */
	synced_chronyd(&s, 0.001);
	s.svc[SNAP_CHRONYD].can_set_clock = false;
	verdict_judge(&s, &out);
	assert_int_equal(out.level, VERDICT_WARNING);
	assert_string_equal(out.text,
	    "chronyd is synchronized to ntp1.example but may not set the "
	    "clock (no CAP_SYS_TIME, or chronyd -x): it measures the time, "
	    "nothing corrects it.");
	snapshot_fini(&s);
}

static void
test_not_answering_and_not_synchronized(void **state)
{
	struct snapshot s;
	struct verdict out;

	(void)state;
	synced_chronyd(&s, 0);
	s.svc[SNAP_CHRONYD].answering = false;
	snprintf(s.svc[SNAP_CHRONYD].error, sizeof(s.svc[0].error), "permission denied");
	verdict_judge(&s, &out);
	assert_int_equal(out.level, VERDICT_UNKNOWN);
	assert_string_equal(out.text, "chronyd does not answer: permission denied");
	snapshot_fini(&s);

	synced_chronyd(&s, 0);
	s.synchronized = false;
	verdict_judge(&s, &out);
	assert_string_equal(out.text, "chronyd is not synchronized: it has no time sources.");
	snapshot_add_source(&s)->reach = 0;
	snapshot_add_source(&s)->reach = 0;
	verdict_judge(&s, &out);
	assert_int_equal(out.level, VERDICT_CRITICAL);
	assert_string_equal(out.text,
	    "chronyd is not synchronized: none of its 2 sources answers (reach 0).");
	s.sources[1].reach = 0377;
	verdict_judge(&s, &out);
	assert_string_equal(out.text,
	    "chronyd is not synchronized: 1 of 2 sources answer, but "
	    "none was selected yet or they disagree.");
	snapshot_fini(&s);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(verdict_level_name(VERDICT_OK), "ok");
	assert_string_equal(verdict_level_name(VERDICT_UNKNOWN), "unknown");
	assert_string_equal(verdict_level_name((enum verdict_level)9), "?");
	assert_string_equal(snapshot_daemon_name(SNAP_TIMESYNCD), "systemd-timesyncd");
	assert_string_equal(snapshot_leap_name(SNAP_LEAP_INSERT), "insert");
	assert_string_equal(snapshot_origin_name(SNAP_FROM_ADJTIMEX), "adjtimex");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_levels),
	    cmocka_unit_test(test_no_service_and_two_services),
	    cmocka_unit_test(test_not_answering_and_not_synchronized),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
