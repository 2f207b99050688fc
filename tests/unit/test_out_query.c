/* test_out_query.c: the text table and the JSON document of `clockwatch query` for one report
 * with a usable server, an IPv6 one on another port, a name that did not resolve, a silent server
 * and a rate-limiting one. JSON is parsed back with jansson and checked field by field. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "buf.h"
#include "cw_test.h"
#include "fixtures.h"
#include "out_query.h"
#include "query.h"
#include "timeutil.h"

#define NT 5

static struct ntp_packet
reply(uint64_t origin, double offset)
{
	return fx_reply(origin, T1_NS + NS(offset + P64), T1_NS + NS(offset + P64 + P256));
}

static void
resolved(struct query_target *t, const char *host, const char *addr, int family, uint16_t port)
{
	query_target_init(t, host, 1);
	snprintf(t->addr, sizeof(t->addr), "%s", addr);
	t->family = family;
	t->port = port;
}

static void
exchange(struct query_target *t, const struct ntp_packet *p)
{
	uint8_t pkt[WIRE_NTP_HEADER_LEN];

	t->xmt_wire = p->origin_ts;
	t->t1_ns = T1_NS;
	t->n_sent++;
	wire_ntp_encode(p, pkt);
	(void)query_handle_reply(t, pkt, sizeof(pkt), T1_NS + NS(2 * P64 + P256), -20);
}

struct fixture {
	struct query_target t[NT];
	struct query_report r;
	struct buf b;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ntp_packet p;

	if (!f)
		return -1;
	resolved(&f->t[0], "ntp.example", "192.0.2.1", AF_INET, 123);
	p = reply(1, 15.0);
	exchange(&f->t[0], &p);
	resolved(&f->t[1], "::1", "::1", AF_INET6, 8123);
	p = reply(2, 15.0 + P256);
	exchange(&f->t[1], &p);
	query_target_init(&f->t[2], "nx.example", 1);
	f->t[2].port = 123;
	f->t[2].status = QUERY_ERROR;
	snprintf(f->t[2].error, sizeof(f->t[2].error), "cannot resolve 'nx.example': not known");
	resolved(&f->t[3], "slow.example", "198.51.100.7", AF_INET, 123);
	f->t[3].n_sent = 1;
	resolved(&f->t[4], "busy.example", "203.0.113.9", AF_INET, 123);
	p = reply(3, 0);
	p.stratum = 0;
	p.leap = WIRE_NTP_LEAP_UNSYNC;
	memcpy(p.refid, "RATE", 4);
	exchange(&f->t[4], &p);
	for (size_t i = 0; i < NT; i++)
		query_finish(&f->t[i], -20);
	f->r = (struct query_report){.t = f->t,
	    .n = NT,
	    .n_candidates = 2,
	    .stray = 1,
	    .local_precision = -20,
	    .kernel_rx_ts = true,
	    .elapsed_s = 1.5};
	query_select(f->t, NT, &f->r.sel);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < NT; i++)
		query_target_fini(&f->t[i]);
	buf_free(&f->b);
	free(f);
	return 0;
}

static void
test_fixture_is_what_we_think(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->t[0].status, QUERY_OK);
	assert_int_equal(f->t[1].status, QUERY_OK);
	assert_int_equal(f->t[2].status, QUERY_ERROR);
	assert_int_equal(f->t[3].status, QUERY_TIMEOUT);
	assert_int_equal(f->t[4].status, QUERY_KOD);
	assert_int_equal(f->r.sel.sys_peer, 0);
	char tallies[NT + 1] = "";
	for (size_t i = 0; i < NT; i++)
		tallies[i] = f->t[i].tally;
	assert_string_equal(tallies, "*+???");
}

/* The line of the table whose text starts with prefix, or NULL. */
static const char *
line_starting(const char *text, const char *prefix, char *line, size_t len)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			size_t n = strcspn(p, "\n");
			snprintf(line, len, "%.*s", (int)n, p);
			return line;
		}
	}
	return NULL;
}

static void
test_text(void **state)
{
	struct fixture *f = *state;
	char line[400];
	const char *text;

	out_query_text(&f->b, &f->r, false);
	text = f->b.data;
	assert_non_null(text);
	assert_null(strchr(text, '\033'));
	assert_non_null(line_starting(text, " remote", line, sizeof(line)));
	assert_contains(line, "refid");
	assert_contains(line, "+/-bound");
	assert_contains(line, "note");

	assert_non_null(line_starting(text, "*ntp.example (192.0.2.1) ", line, sizeof(line)));
	assert_contains(line, " 192.0.2.1 ");
	assert_contains(line, " +15.0000 s ");
	assert_contains(line, " 31.250 ms "); /* delay */
	assert_non_null(line_starting(text, "+[::1]:8123 ", line, sizeof(line)));
	assert_contains(line, " +15.0039 s ");
	assert_non_null(line_starting(text, "?nx.example ", line, sizeof(line)));
	assert_contains(line, "cannot resolve 'nx.example': not known");
	assert_non_null(line_starting(text, "?slow.example (198.51.100.7) ", line, sizeof(line)));
	assert_contains(line, "no reply");
	assert_non_null(line_starting(text, "?busy.example (203.0.113.9) ", line, sizeof(line)));
	assert_contains(line, " .RATE. ");
	assert_contains(line, "kiss-o'-death RATE: rate limited, backed off");

	assert_contains(text, "\n5 targets, 2 usable; best: ntp.example (192.0.2.1).\n");
	assert_contains(text, "Only 2 usable sources: no majority is possible");
	assert_contains(text, "1 reply from addresses not asked");
	assert_null(strstr(text, "falseticker (x)")); /* none */
	assert_null(strstr(text, "No majority"));
}

/* Every column starts at the same place on every row, and no line ends in a space. */
static void
test_text_alignment(void **state)
{
	struct fixture *f = *state;
	const char *text;
	size_t refid_col, n, n_lines = 0;

	out_query_text(&f->b, &f->r, false);
	text = f->b.data;
	refid_col = (size_t)(strstr(text, "refid") - text);
	/* The table ends at the blank line before the summary. */
	for (const char *p = text; *p && *p != '\n'; p += n + 1) {
		n = strcspn(p, "\n");
		assert_true(n > refid_col);
		assert_int_equal(p[refid_col - 1], ' ');
		assert_int_equal(p[refid_col - 2], ' ');
		assert_int_not_equal(p[refid_col], ' ');
		assert_int_not_equal(p[n - 1], ' ');
		n_lines++;
	}
	assert_int_equal(n_lines, 1 + NT);
}

static void
test_text_color(void **state)
{
	struct fixture *f = *state;

	out_query_text(&f->b, &f->r, true);
	assert_contains(f->b.data, "\033[32m*ntp.example (192.0.2.1)\033[0m");
	assert_contains(f->b.data, "\033[31m?nx.example\033[0m");
	assert_contains(f->b.data, "\n+[::1]:8123 "); /* candidates stay plain */
}

static json_t *
parse(const struct buf *b)
{
	json_error_t err;
	json_t *root = json_loads(b->data, 0, &err);

	if (!root) {
		print_error("JSON does not parse: %s at line %d\n%s\n", err.text, err.line,
		    b->data);
		fail();
	}
	return root;
}

static void
test_json(void **state)
{
	struct fixture *f = *state;

	out_query_json(&f->b, &f->r);
	json_t *root = parse(&f->b);
	assert_string_equal(json_string_value(json_object_get(root, "schema")),
	    "clockwatch.query/1");
	json_t *ts = json_object_get(root, "targets");
	assert_int_equal(json_array_size(ts), NT);

	json_t *t = json_array_get(ts, 0);
	assert_string_equal(json_string_value(json_object_get(t, "host")), "ntp.example");
	assert_string_equal(json_string_value(json_object_get(t, "address")), "192.0.2.1");
	assert_int_equal(json_integer_value(json_object_get(t, "port")), 123);
	assert_string_equal(json_string_value(json_object_get(t, "family")), "inet");
	assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
	assert_true(json_is_null(json_object_get(t, "error")));
	assert_double_exact(json_real_value(json_object_get(t, "offset_s")), 15.0);
	assert_double_exact(json_real_value(json_object_get(t, "delay_s")), 2 * P64);
	assert_double_exact(json_real_value(json_object_get(t, "root_delay_s")), P64);
	assert_int_equal(json_integer_value(json_object_get(t, "stratum")), 2);
	assert_string_equal(json_string_value(json_object_get(t, "refid")), "192.0.2.1");
	assert_string_equal(json_string_value(json_object_get(t, "leap")), "none");
	assert_int_equal(json_integer_value(json_object_get(t, "version")), 4);
	assert_int_equal(json_integer_value(json_object_get(t, "precision")), -20);
	assert_string_equal(json_string_value(json_object_get(t, "tally")), "*");
	assert_true(json_is_null(json_object_get(t, "kiss_code")));
	assert_int_equal(json_array_size(json_object_get(t, "failed_tests")), 0);
	assert_int_equal(json_integer_value(json_object_get(t, "flash")), 0);
	assert_int_equal(json_integer_value(json_object_get(t, "sent")), 1);
	assert_int_equal(json_integer_value(json_object_get(t, "received")), 1);
	json_t *dropped = json_object_get(t, "dropped");
	assert_int_equal(json_integer_value(json_object_get(dropped, "bogus")), 0);
	json_t *s = json_array_get(json_object_get(t, "samples"), 0);
	assert_int_equal(json_integer_value(json_object_get(s, "t1_ns")), T1_NS);
	assert_int_equal(json_integer_value(json_object_get(s, "t2_ns")), T1_NS + NS(15 + P64));

	t = json_array_get(ts, 1);
	assert_string_equal(json_string_value(json_object_get(t, "family")), "inet6");
	assert_int_equal(json_integer_value(json_object_get(t, "port")), 8123);
	assert_string_equal(json_string_value(json_object_get(t, "tally")), "+");

	/* Not measured: null, never 0. */
	t = json_array_get(ts, 2);
	assert_true(json_is_null(json_object_get(t, "address")));
	assert_true(json_is_null(json_object_get(t, "family")));
	assert_string_equal(json_string_value(json_object_get(t, "status")), "error");
	assert_string_equal(json_string_value(json_object_get(t, "error")),
	    "cannot resolve 'nx.example': not known");
	static const char *const nulls[] = {"offset_s", "delay_s", "jitter_s", "dispersion_s",
	    "error_bound_s", "root_delay_s", "root_dispersion_s", "root_distance_s", "stratum",
	    "refid", "leap", "version", "poll", "precision"};
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
		cw_case = nulls[i];
		json_t *v = json_object_get(t, nulls[i]);
		assert_non_null(v); /* present */
		assert_true(json_is_null(v));
	}
	cw_case = NULL;

	t = json_array_get(ts, 3);
	assert_string_equal(json_string_value(json_object_get(t, "status")), "timeout");
	assert_int_equal(json_integer_value(json_object_get(t, "flash")), 0x1000);
	json_t *failed = json_object_get(t, "failed_tests");
	assert_int_equal(json_array_size(failed), 1);
	assert_string_equal(json_string_value(json_array_get(failed, 0)), "unreachable");

	t = json_array_get(ts, 4);
	assert_string_equal(json_string_value(json_object_get(t, "status")), "kod");
	assert_string_equal(json_string_value(json_object_get(t, "kiss_code")), "RATE");
	json_t *ft = json_object_get(t, "failed_tests");
	assert_int_equal(json_array_size(ft), 2);
	assert_string_equal(json_string_value(json_array_get(ft, 0)), "unreachable");
	assert_string_equal(json_string_value(json_array_get(ft, 1)), "rate_limited");

	json_t *sel = json_object_get(root, "selection");
	assert_int_equal(json_integer_value(json_object_get(sel, "candidates")), 2);
	assert_true(json_is_false(json_object_get(sel, "majority_possible")));
	assert_true(json_is_true(json_object_get(sel, "ok")));
	assert_int_equal(json_integer_value(json_object_get(sel, "truechimers")), 2);
	assert_int_equal(json_integer_value(json_object_get(sel, "survivors")), 2);
	assert_string_equal(json_string_value(json_object_get(sel, "system_peer")),
	    "ntp.example (192.0.2.1)");
	assert_int_equal(json_integer_value(json_object_get(root, "stray_replies")), 1);
	assert_int_equal(json_integer_value(json_object_get(root, "local_precision")), -20);
	assert_true(json_is_true(json_object_get(root, "kernel_timestamps")));
	assert_true(json_is_false(json_object_get(root, "kernel_tx_timestamps")));
	assert_double_exact(json_real_value(json_object_get(root, "elapsed_s")), 1.5);
	json_decref(root);
}

static void
test_empty_report(void **state)
{
	struct query_report r = {.sel = {.sys_peer = -1}};
	struct buf b = {0};

	(void)state;
	out_query_text(&b, &r, false);
	assert_contains(b.data, " remote");
	assert_contains(b.data, "\n0 targets, 0 usable.\n");
	buf_reset(&b);
	out_query_json(&b, &r);
	json_t *root = parse(&b);
	assert_int_equal(json_array_size(json_object_get(root, "targets")), 0);
	assert_true(
	    json_is_null(json_object_get(json_object_get(root, "selection"), "system_peer")));
	json_decref(root);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_fixture_is_what_we_think, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_text_alignment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_text_color, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_json, setup, teardown),
	    cmocka_unit_test(test_empty_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
