/* test_attribute.c: "is it me or them?" from the daemon's offset and clockwatch's own. */
#include "config.h"

#include <math.h>

#include "attribute.h"
#include "cw_test.h"

static void
test_verdicts(void **state)
{
	char t[400];
	const double agree[] = {15.1, 14.9, 15.0, 40.0};
	const double fine[] = {0.001, -0.002, 0.0005};

	(void)state;
	assert_int_equal(attribute_judge("chronyd", 15.0, agree, 4, t, sizeof(t)),
	    ATTRIBUTE_THIS_CLOCK);
	assert_string_equal(t,
	    "clockwatch measured the servers itself: this clock is 15.1 s "
	    "behind them, as chronyd says: this clock is wrong");
	assert_int_equal(attribute_judge("ntpd", 30.0, fine, 3, t, sizeof(t)),
	    ATTRIBUTE_DAEMON_VIEW);
	assert_string_equal(t,
	    "clockwatch measured the servers itself: this clock is in line with "
	    "them (0.5 ms), not 30.0 s off as ntpd says: ntpd's view is wrong");
	const double off[] = {-5.0, -5.2};
	assert_int_equal(attribute_judge("ntpd", 30.0, off, 2, t, sizeof(t)),
	    ATTRIBUTE_DAEMON_VIEW);
	assert_string_equal(t,
	    "clockwatch measured the servers itself: this clock is 5.1 s ahead "
	    "of them, not 30.0 s as ntpd says: ntpd's view is wrong");
	const double ahead[] = {-2000.2};
	assert_int_equal(attribute_judge("chronyd", -2010.0, ahead, 1, t, sizeof(t)),
	    ATTRIBUTE_THIS_CLOCK); /* within 5 % */
	assert_int_equal(attribute_judge("chronyd", 15.0, agree, 0, t, sizeof(t)),
	    ATTRIBUTE_UNKNOWN);
	assert_string_equal(t, "clockwatch could not measure chronyd's servers itself");
	assert_int_equal(attribute_judge("chronyd", NAN, agree, 4, t, sizeof(t)),
	    ATTRIBUTE_UNKNOWN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
