/* test_kclock.c: adjtimex fields to units, with and without STA_NANO, and the names. */
#include "config.h"

#include <string.h>
#include <sys/timex.h>

#include "cw_test.h"
#include "kclock.h"

static void
test_micro_units(void **state)
{
	struct timex tx;
	struct kclock k;

	(void)state;
	memset(&tx, 0, sizeof(tx));
	tx.status = STA_PLL;
	tx.offset = -1500;       /* us without STA_NANO */
	tx.freq = -655360;       /* -10 ppm, scaled by 2^16 */
	tx.maxerror = 250000;    /* us */
	tx.esterror = 12;        /* us */
	tx.tolerance = 32768000; /* 500 ppm */
	tx.tick = 10010;         /* us: +1000 ppm at USER_HZ 100 */
	tx.constant = 6;
	tx.tai = 37;
	tx.jitter = 3;
	kclock_decode(&tx, TIME_OK, 100, &k);
	assert_int_equal(k.state, KCLOCK_OK);
	assert_false(k.nano);
	assert_false(k.unsync);
	assert_true(k.synchronized);
	assert_double_exact(k.offset_s, -1500e-6);
	assert_double_exact(k.freq_ppm, -10.0);
	assert_double_exact(k.maxerror_s, 0.25);
	assert_double_near(k.esterror_s, 12e-6, 1e-18);
	assert_double_exact(k.tolerance_ppm, 500.0);
	assert_double_near(k.tick_s, 0.01001, 1e-15);
	assert_double_exact(k.tick_ppm, 1000.0);
	assert_int_equal(k.constant, 6);
	assert_int_equal(k.tai_s, 37);
	assert_double_near(k.pps_jitter_s, 3e-6, 1e-18);
}

static void
test_nano_units_and_unsync(void **state)
{
	struct timex tx;
	struct kclock k;

	(void)state;
	memset(&tx, 0, sizeof(tx));
	tx.status = STA_UNSYNC | STA_NANO;
	tx.offset = 250;        /* ns with STA_NANO */
	tx.maxerror = 16000000; /* the kernel's cap: 16 s */
	tx.jitter = 7;          /* ns */
	tx.tick = 10000;
	kclock_decode(&tx, TIME_ERROR, 100, &k);
	assert_int_equal(k.state, KCLOCK_ERROR);
	assert_true(k.nano);
	assert_true(k.unsync);
	assert_false(k.synchronized);
	assert_double_near(k.offset_s, 250e-9, 1e-21);
	assert_double_near(k.pps_jitter_s, 7e-9, 1e-21);
	assert_double_exact(k.maxerror_s, 16.0);
	assert_double_exact(k.tick_ppm, 0.0);
}

/* STA_UNSYNC clear but maxerror at the cap: no daemon has updated the kernel for hours. */
static void
test_maxerror_cap_means_unsynchronized(void **state)
{
	struct timex tx;
	struct kclock k;

	(void)state;
	memset(&tx, 0, sizeof(tx));
	tx.maxerror = 16000000;
	kclock_decode(&tx, TIME_OK, 100, &k);
	assert_false(k.unsync);
	assert_false(k.synchronized);
	tx.maxerror = 15999999;
	kclock_decode(&tx, TIME_OK, 100, &k);
	assert_true(k.synchronized);
}

static void
test_names(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(kclock_state_name(0), "TIME_OK");
	assert_string_equal(kclock_state_name(1), "TIME_INS");
	assert_string_equal(kclock_state_name(4), "TIME_WAIT");
	assert_string_equal(kclock_state_name(5), "TIME_ERROR");
	assert_string_equal(kclock_state_name(6), "TIME_?");
	assert_string_equal(kclock_state_name(-1), "TIME_?");
	kclock_status_str(0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	kclock_status_str(STA_PLL | STA_UNSYNC | STA_NANO, buf, sizeof(buf));
	assert_string_equal(buf, "PLL,UNSYNC,NANO");
	kclock_status_str(0xffff, buf, sizeof(buf));
	assert_string_equal(buf,
	    "PLL,PPSFREQ,PPSTIME,FLL,INS,DEL,UNSYNC,FREQHOLD,PPSSIGNAL,"
	    "PPSJITTER,PPSWANDER,PPSERROR,CLOCKERR,NANO,MODE,CLK");
	kclock_status_str(0xffff, buf, 10); /* truncated, still terminated */
	assert_int_equal(strlen(buf), 9);
	kclock_status_str(0x10000, buf, sizeof(buf)); /* bits above 15 have no name */
	assert_string_equal(buf, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_micro_units),
	    cmocka_unit_test(test_nano_units_and_unsync),
	    cmocka_unit_test(test_maxerror_cap_means_unsynchronized),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
