/* test_cluster.c: the cluster's clocks judged against each other: agreement, the odd node out
 * found by majority (never the healthy majority), no majority, nodes that cannot be measured,
 * this node as the outlier, the alarm's text through alarm_conditions, and the renderers. */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "alarm.h"
#include "buf.h"
#include "cluster.h"
#include "cw_test.h"

static struct cluster_node
node(const char *name, double offset_s)
{
	struct cluster_node n;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	snprintf(n.addr, sizeof(n.addr), "10.0.0.%d", name[1] - '0');
	n.port = 123;
	n.measured = !isnan(offset_s);
	n.offset_s = offset_s;
	n.delay_s = 0.0002;
	n.error_s = 0.0001;
	n.synchronized = true;
	n.stratum = 2;
	if (!n.measured)
		snprintf(n.error, sizeof(n.error), "no reply");
	return n;
}

static struct cluster_node
self(const char *name)
{
	struct cluster_node n = node(name, 0);

	n.self = true;
	return n;
}

static void
test_agree(void **state)
{
	struct cluster_node n[] = {self("n1"), node("n2", 0.003), node("n3", -2.5)};
	struct cluster_verdict v;

	(void)state;
	cluster_judge(n, 3, 10.0, &v);
	assert_int_equal(v.n_nodes, 3);
	assert_int_equal(v.n_measured, 3);
	assert_true(v.majority);
	assert_false(v.exceeded);
	assert_int_equal(v.n_outliers, 0);
	assert_string_equal(v.text, "");
	assert_true(fabs(v.spread_s - 2.503) < 1e-9);
	for (size_t i = 0; i < 3; i++)
		assert_false(n[i].outlier);
}

static void
test_one_outlier(void **state)
{
	struct cluster_node n[] = {self("n1"), node("n2", 0.001), node("n3", 15.02)};
	struct cluster_verdict v;

	(void)state;
	cluster_judge(n, 3, 10.0, &v);
	assert_true(v.exceeded);
	assert_true(v.majority);
	assert_int_equal(v.n_outliers, 1);
	assert_false(n[0].outlier);
	assert_false(n[1].outlier);
	assert_true(n[2].outlier);
	assert_true(fabs(n[2].off_majority_s - 15.02) < 0.01);
	assert_string_equal(v.text,
	    "Time differs between nodes by more than 10.0 seconds: n3 off by 15.0 seconds (spread "
	    "15.0 seconds)");
}

static void
test_self_is_the_outlier(void **state)
{
	/* this node's clock is 15 s behind the other two: both read +15 s from here */
	struct cluster_node n[] = {node("n2", 15.0), self("n1"), node("n3", 15.001)};
	struct cluster_verdict v;

	(void)state;
	cluster_judge(n, 3, 10.0, &v);
	assert_true(v.exceeded);
	assert_true(n[1].outlier);
	assert_false(n[0].outlier);
	assert_false(n[2].outlier);
	assert_string_equal(v.text,
	    "Time differs between nodes by more than 10.0 seconds: n1 off by 15.0 seconds (spread "
	    "15.0 seconds)");
}

static void
test_two_outliers_both_sides(void **state)
{
	struct cluster_node n[] = {self("n1"), node("n2", 0.1), node("n3", -0.1), node("n4", 30.0),
	    node("n5", -20.0)};
	struct cluster_verdict v;

	(void)state;
	cluster_judge(n, 5, 10.0, &v);
	assert_true(v.majority);
	assert_int_equal(v.n_outliers, 2);
	assert_true(n[3].outlier && n[4].outlier);
	assert_string_equal(v.text,
	    "Time differs between nodes by more than 10.0 seconds: n4 off "
	    "by 30.0 seconds, n5 off by 20.0 seconds (spread 50.0 seconds)");
}

static void
test_no_majority(void **state)
{
	struct cluster_node two[] = {self("n1"), node("n2", 15.0)};
	struct cluster_node three[] = {self("n1"), node("n2", 15.0), node("n3", 30.0)};
	struct cluster_verdict v;

	(void)state;
	/* two nodes: which one is wrong cannot be told; nobody is blamed */
	cluster_judge(two, 2, 10.0, &v);
	assert_true(v.exceeded);
	assert_false(v.majority);
	assert_false(two[0].outlier || two[1].outlier);
	assert_string_equal(v.text,
	    "Time differs between nodes by more than 10.0 seconds: no "
	    "majority agrees (spread 15.0 seconds)");
	cluster_judge(three, 3, 10.0, &v);
	assert_true(v.exceeded);
	assert_false(three[0].outlier || three[1].outlier || three[2].outlier);
	assert_string_equal(v.text,
	    "Time differs between nodes by more than 10.0 seconds: no "
	    "majority agrees (spread 30.0 seconds)");
}

static void
test_unmeasured_is_no_time_difference(void **state)
{
	struct cluster_node n[] = {self("n1"), node("n2", 0.01), node("n3", NAN), node("n4", NAN)};
	struct cluster_verdict v;

	(void)state;
	cluster_judge(n, 4, 10.0, &v);
	assert_int_equal(v.n_measured, 2);
	assert_false(v.exceeded);
	assert_string_equal(v.text, "");
	assert_false(n[2].outlier || n[3].outlier);
	assert_true(isnan(n[2].off_majority_s));
}

static void
test_threshold_and_alarm(void **state)
{
	struct cluster_node n[] = {self("n1"), node("n2", 0.0), node("n3", 4.0)};
	struct cluster_verdict v;
	struct alarm_config c;
	struct alarm_state st;
	struct alarm_input in;
	char text[ALARM_TEXT_MAX];

	(void)state;
	cluster_judge(n, 3, 10.0, &v);
	assert_false(v.exceeded);
	cluster_judge(n, 3, 2.0, &v); /* a tighter threshold */
	assert_true(v.exceeded);
	assert_true(n[2].outlier);
	assert_string_equal(v.text,
	    "Time differs between nodes by more than 2.0 seconds: n3 off by 4.0 seconds (spread "
	    "4.0 "
	    "seconds)");

	alarm_config_default(&c);
	alarm_state_init(&st, 0);
	memset(&in, 0, sizeof(in));
	in.daemon_answers = true;
	in.cluster_text = v.text;
	/* Critical at once, even inside the initial grace */
	assert_int_equal(alarm_conditions(&c, &st, &in, 1, text, sizeof(text)), ALARM_CRITICAL);
	assert_string_equal(text, v.text);
	/* with this host's own Critical offset, its text comes first */
	in.have_offset = true;
	in.offset_s = -12.34;
	assert_int_equal(alarm_conditions(&c, &st, &in, 1, text, sizeof(text)), ALARM_CRITICAL);
	assert_string_equal(text,
	    "Time incorrect (off by 12.3 seconds); Time differs between nodes "
	    "by more than 2.0 seconds: n3 off by 4.0 seconds (spread 4.0 seconds)");
}

static void
test_render(void **state)
{
	struct cluster_node n[] = {self("n1"), node("n2", 0.001), node("n3", 15.0),
	    node("n4", NAN)};
	struct cluster_verdict v;
	struct buf b = {0};
	json_error_t err;

	(void)state;
	cluster_judge(n, 4, 10.0, &v);
	out_cluster_json(&b, n, 4, &v);
	json_t *j = json_loads(b.data, 0, &err);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "schema")),
	    "clockwatch.cluster/1");
	assert_true(json_is_true(json_object_get(j, "exceeded")));
	json_t *nodes = json_object_get(j, "nodes");
	assert_int_equal(json_array_size(nodes), 4);
	assert_true(json_is_true(json_object_get(json_array_get(nodes, 2), "outlier")));
	assert_true(json_is_null(json_object_get(json_array_get(nodes, 3), "offset_s")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(nodes, 3), "error")),
	    "no reply");
	json_decref(j);
	buf_reset(&b);
	out_cluster_text(&b, n, 4, &v);
	assert_non_null(strstr(b.data, "OUTLIER"));
	assert_non_null(strstr(b.data, "not measured: no reply"));
	assert_non_null(strstr(b.data, "3 of 4 nodes measured"));
	assert_non_null(strstr(b.data, "CRITICAL: Time differs between nodes"));
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_agree),
	    cmocka_unit_test(test_one_outlier),
	    cmocka_unit_test(test_self_is_the_outlier),
	    cmocka_unit_test(test_two_outliers_both_sides),
	    cmocka_unit_test(test_no_majority),
	    cmocka_unit_test(test_unmeasured_is_no_time_difference),
	    cmocka_unit_test(test_threshold_and_alarm),
	    cmocka_unit_test(test_render),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
