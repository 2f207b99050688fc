/* test_select.c: the intersection and cluster algorithms (RFC 5905 §11.2.1-§11.2.2) on small
 * worked examples. Offsets and root distances are binary fractions so the intersection edges can
 * be compared exactly. */
#include "config.h"

#include <stdlib.h>

#include "cw_test.h"
#include "filter.h"
#include "select.h"

#define MAXC 8

struct cand_in {
	double offset, lambda, jitter;
	int stratum;
};

static const struct {
	const char *what;
	size_t n;
	struct cand_in c[MAXC];
	const char *tallies; /* expected tally per candidate, in input order */
	bool ok;
	long sys_peer;
	size_t n_true, n_false, n_surv;
	double low, high; /* checked when ok */
} cases[] = {
    {"three agreeing: all truechimers, the stratum-1 one has the best merit", 3,
        {{0, 0.5, 0.01, 2}, {0.125, 0.25, 0.01, 2}, {-0.0625, 0.5, 0.01, 1}}, "++*", true, 2, 3, 0,
        3, -0.125, 0.375},
    {"three agreeing: at equal stratum the smaller root distance wins", 3,
        {{0, 0.5, 0.01, 2}, {0.125, 0.25, 0.01, 2}, {0.0625, 0.375, 0.01, 2}}, "+*+", true, 1, 3, 0,
        3, -0.125, 0.375},
    {"three identical: merit ties go to input order", 3,
        {{0, 0.5, 0.01, 2}, {0, 0.5, 0.01, 2}, {0, 0.5, 0.01, 2}}, "*++", true, 0, 3, 0, 3, -0.5,
        0.5},
    {"a midpoint exactly on the intersection's edge is inside it", 3,
        {{0, 0.5, 0.01, 2}, {0.25, 0.25, 0.01, 2}, {0.25, 0.5, 0.01, 2}}, "+*+", true, 1, 3, 0, 3,
        0, 0.5},
    {"one of three far off: it is the falseticker even with the best merit", 3,
        {{0, 0.5, 0.01, 2}, {0.25, 0.5, 0.01, 2}, {10, 0.5, 0.01, 1}}, "*+x", true, 0, 2, 1, 2,
        -0.25, 0.5},
    {"one midpoint outside the common part: with f = 1 the interval widens to two-of-three", 3,
        {{-0.5, 1, 0.01, 2}, {0, 1, 0.01, 2}, {0.25, 0.5, 0.01, 2}}, "++*", true, 2, 3, 0, 3, -1,
        0.75},
    {"one source", 1, {{0.25, 0.5, 0.01, 3}}, "*", true, 0, 1, 0, 1, -0.25, 0.75},
    {"one source of zero width: l < u fails (upstream, root distance is at least MINDIST)", 1,
        {{0.25, 0, 0.01, 3}}, "x", false, -1, 0, 1, 0, 0, 0},
    {"two agreeing", 2, {{0, 0.5, 0.01, 3}, {0.25, 0.5, 0.01, 2}}, "+*", true, 1, 2, 0, 2, -0.25,
        0.5},
    {"two disagreeing: no majority", 2, {{0, 0.5, 0.01, 2}, {5, 0.5, 0.01, 2}}, "xx", false, -1, 0,
        2, 0, 0, 0},
    {"two overlapping, but each midpoint outside the other's interval", 2,
        {{0, 0.5, 0.01, 2}, {0.75, 0.5, 0.01, 2}}, "xx", false, -1, 0, 2, 0, 0, 0},
    {"two touching at one point: a single point is no interval", 2,
        {{0, 1, 0.01, 2}, {2, 1, 0.01, 2}}, "xx", false, -1, 0, 2, 0, 0, 0},
    {"three all disagreeing", 3, {{0, 0.5, 0.01, 2}, {10, 0.5, 0.01, 2}, {20, 0.5, 0.01, 2}}, "xxx",
        false, -1, 0, 3, 0, 0, 0},
    {"touching edges overlap: [0,2] meets [2,4] and stays a truechimer", 3,
        {{1, 1, 0.01, 2}, {3, 1, 0.01, 1}, {4, 1, 0.01, 2}}, "+*+", true, 1, 3, 0, 3, 2, 4},
    {"five: the one far from the others (but inside the intersection) is clustered out", 5,
        {{0, 0.5, 0.01, 2}, {0.001, 0.5, 0.01, 2}, {-0.001, 0.5, 0.01, 2}, {0.002, 0.5, 0.01, 2},
            {0.05, 0.5, 0.01, 2}},
        "*+++-", true, 0, 5, 0, 4, 0.05 - 0.5, -0.001 + 0.5},
    {"five: the clustered-out one had the best merit; the best survivor is the peer", 5,
        {{0, 0.5, 0.01, 2}, {0.001, 0.5, 0.01, 2}, {-0.001, 0.5, 0.01, 2}, {0.002, 0.5, 0.01, 2},
            {0.05, 0.5, 0.01, 1}},
        "*+++-", true, 0, 5, 0, 4, 0.05 - 0.5, -0.001 + 0.5},
    {"five with tiny peer jitter: clustering stops at NMIN = 3 survivors", 5,
        {{0, 0.5, 1e-6, 2}, {0.001, 0.5, 1e-6, 2}, {0.002, 0.5, 1e-6, 2}, {0.2, 0.5, 1e-6, 2},
            {-0.2, 0.5, 1e-6, 2}},
        "*++--", true, 0, 5, 0, 3, 0.2 - 0.5, -0.2 + 0.5},
    {"six: one falseticker and one outlier", 6,
        {{0, 0.5, 0.01, 2}, {0.001, 0.5, 0.01, 2}, {-0.001, 0.5, 0.01, 2}, {0.002, 0.5, 0.01, 2},
            {0.05, 0.5, 0.01, 2}, {10, 0.5, 0.01, 2}},
        "*+++-x", true, 0, 5, 1, 4, 0.05 - 0.5, -0.001 + 0.5},
};

static void
test_cases(void **state)
{
	struct select_cand c[MAXC];
	struct select_result res;
	char got[MAXC + 1];

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		cw_case = cases[k].what;
		for (size_t i = 0; i < cases[k].n; i++)
			c[i] = (struct select_cand){.offset_s = cases[k].c[i].offset,
			    .root_distance_s = cases[k].c[i].lambda,
			    .jitter_s = cases[k].c[i].jitter,
			    .stratum = cases[k].c[i].stratum,
			    .tally = '?'};
		select_run(c, cases[k].n, &res);
		for (size_t i = 0; i < cases[k].n; i++)
			got[i] = c[i].tally;
		got[cases[k].n] = '\0';
		if (strcmp(got, cases[k].tallies) != 0 || res.ok != cases[k].ok ||
		    res.sys_peer != cases[k].sys_peer || res.n_truechimers != cases[k].n_true ||
		    res.n_falsetickers != cases[k].n_false || res.n_survivors != cases[k].n_surv) {
			print_error("%s:\n  got  tallies \"%s\" ok %d sys_peer %ld true %zu "
			            "false %zu survivors %zu\n  want tallies \"%s\" ok %d "
			            "sys_peer %ld true %zu false %zu survivors %zu\n",
			    cases[k].what, got, res.ok, res.sys_peer, res.n_truechimers,
			    res.n_falsetickers, res.n_survivors, cases[k].tallies, cases[k].ok,
			    cases[k].sys_peer, cases[k].n_true, cases[k].n_false, cases[k].n_surv);
			fail();
		}
		if (res.ok) {
			assert_double_exact(res.low_s, cases[k].low);
			assert_double_exact(res.high_s, cases[k].high);
		}
	}
	cw_case = NULL;
}

static void
test_zero_candidates(void **state)
{
	struct select_result res;

	(void)state;
	memset(&res, 0x55, sizeof(res));
	select_run(NULL, 0, &res);
	assert_false(res.ok);
	assert_int_equal(res.sys_peer, -1);
	assert_int_equal(res.n_truechimers, 0);
	assert_int_equal(res.n_falsetickers, 0);
	assert_int_equal(res.n_survivors, 0);
}

/* The merit is stratum * MAXDIST + root distance, smaller is better: stratum 1 at 1.0 s
 * (1.5 + 1.0 = 2.5) beats stratum 2 at 0.25 s (3.0 + 0.25 = 3.25). */
static void
test_merit_weighs_stratum_by_maxdist(void **state)
{
	struct select_cand c[] = {
	    {.offset_s = 0, .root_distance_s = 0.25, .jitter_s = 0.01, .stratum = 2},
	    {.offset_s = 0, .root_distance_s = 1.0, .jitter_s = 0.01, .stratum = 1},
	    {.offset_s = 0, .root_distance_s = 0.5, .jitter_s = 0.01, .stratum = 2},
	};
	struct select_result res;

	(void)state;
	select_run(c, 3, &res);
	assert_int_equal(res.sys_peer, 1);
	assert_int_equal(c[1].tally, SELECT_TALLY_SYSPEER);
	/* Stratum 1 at 1.75 s (3.25) ties stratum 2 at 0.25 s (3.25): input order decides. */
	c[1].root_distance_s = 1.75;
	select_run(c, 3, &res);
	assert_int_equal(res.sys_peer, 0);
	/* 1.75 + 2^-10 makes it strictly worse. */
	c[1].root_distance_s = 1.75 + 1.0 / 1024;
	select_run(c, 3, &res);
	assert_int_equal(res.sys_peer, 0);
	assert_int_equal(c[1].tally, SELECT_TALLY_CANDIDATE);
}

/* A rerun relabels every candidate: no tally survives from the previous run. */
static void
test_rerun_relabels(void **state)
{
	struct select_cand c[] = {
	    {.offset_s = 0, .root_distance_s = 0.5, .jitter_s = 0.01, .stratum = 2},
	    {.offset_s = 10, .root_distance_s = 0.5, .jitter_s = 0.01, .stratum = 2},
	};
	struct select_result res;

	(void)state;
	select_run(c, 2, &res);
	assert_int_equal(c[0].tally, SELECT_TALLY_FALSETICKER);
	assert_int_equal(c[1].tally, SELECT_TALLY_FALSETICKER);
	c[1].offset_s = 0.25;
	select_run(c, 2, &res);
	assert_true(res.ok);
	assert_int_equal(c[0].tally, SELECT_TALLY_SYSPEER);
	assert_int_equal(c[1].tally, SELECT_TALLY_CANDIDATE);
}

/* Beyond SELECT_MAXCLOCK truechimers the worst by merit are backups ('#') and stay out of the
 * cluster algorithm; a sweep of 10,000 agreeing servers stays fast (it used to be cubic). */
static void
test_maxclock_backups(void **state)
{
	enum { N = 10000 };
	struct select_cand *c = calloc(N, sizeof(*c));
	struct select_result res;
	size_t backups = 0, cands = 0;

	(void)state;
	assert_non_null(c);
	for (size_t i = 0; i < N; i++)
		/* stratum 1 for the last 10, so merit puts them first whatever their index */
		c[i] = (struct select_cand){.offset_s = 0.001 * (double)(i % 7),
		    .root_distance_s = 1,
		    .jitter_s = 0.01,
		    .stratum = i >= N - SELECT_MAXCLOCK ? 1 : 2};
	select_run(c, N, &res);
	assert_true(res.ok);
	assert_int_equal(res.n_truechimers, N);
	assert_int_equal(res.n_falsetickers, 0);
	for (size_t i = 0; i < N; i++) {
		backups += c[i].tally == SELECT_TALLY_BACKUP;
		cands += c[i].tally != SELECT_TALLY_BACKUP;
		if (i < N - SELECT_MAXCLOCK)
			assert_int_equal(c[i].tally, SELECT_TALLY_BACKUP);
	}
	assert_int_equal(backups, N - SELECT_MAXCLOCK);
	assert_int_equal(cands, SELECT_MAXCLOCK);
	assert_true(res.sys_peer >= N - SELECT_MAXCLOCK);
	assert_true(res.n_survivors >= SELECT_NMIN && res.n_survivors <= SELECT_MAXCLOCK);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_zero_candidates),
	    cmocka_unit_test(test_merit_weighs_stratum_by_maxdist),
	    cmocka_unit_test(test_rerun_relabels),
	    cmocka_unit_test(test_maxclock_backups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
