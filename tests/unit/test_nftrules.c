/* test_nftrules.c: rulesets captured from nft 1.0.6 (Debian 12) in a network namespace, listed
 * with `nft -j list ruleset` (tests/data/nft), and hand-made ones for the cases nft would
 * not print. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw_test.h"
#include "nftrules.h"

#define DATA CW_TEST_DATA_DIR "/nft/"

static enum nftrules_status
scan_file(const char *name, struct nftrules_result *out)
{
	size_t len;
	uint8_t *text = cw_load(DATA, name, &len, false);

	assert_non_null(text);
	enum nftrules_status st = nftrules_scan((const char *)text, len, 123, out);
	free(text);
	return st;
}

static const struct nftrules_hit *
hit_with(const struct nftrules_result *r, const char *text)
{
	for (size_t i = 0; i < r->n_hits; i++)
		if (!strcmp(r->hits[i].text, text))
			return &r->hits[i];
	print_error("no hit '%s' among %zu:\n", text, r->n_hits);
	for (size_t i = 0; i < r->n_hits; i++)
		print_error("  '%s'\n", r->hits[i].text);
	fail();
	return NULL;
}

static void
test_empty(void **state)
{
	struct nftrules_result r;

	(void)state;
	assert_int_equal(scan_file("empty.json", &r), NFTRULES_OK);
	assert_int_equal(r.n_tables, 0);
	assert_int_equal(r.n_found, 0);
}

static void
test_dport_drop(void **state)
{
	struct nftrules_result r;

	(void)state;
	assert_int_equal(scan_file("dport_drop.json", &r), NFTRULES_OK);
	assert_int_equal(r.n_tables, 1);
	assert_int_equal(r.n_chains, 1);
	assert_int_equal(r.n_rules, 1);
	assert_int_equal(r.n_found, 1);
	const struct nftrules_hit *h = &r.hits[0];
	assert_string_equal(h->family, "inet");
	assert_string_equal(h->table, "filter");
	assert_string_equal(h->chain, "input");
	assert_string_equal(h->hook, "input");
	assert_string_equal(h->verdict, "drop");
	assert_string_equal(h->text, "udp dport 123 counter packets 0 drop");
	assert_int_equal(h->packets, 0);
	assert_int_equal(h->handle, 2);
	assert_false(h->is_policy);
	assert_false(h->is_partial);

	/* the same ruleset asked about another port finds nothing */
	size_t len;
	uint8_t *text = cw_load(DATA, "dport_drop.json", &len, false);
	assert_int_equal(nftrules_scan((const char *)text, len, 124, &r), NFTRULES_OK);
	assert_int_equal(r.n_found, 0);
	free(text);
}

/* A set, a range on th, a named set with an address condition, "!=", and rules that cannot
 * match a UDP packet of port 123 (tcp, another port, another protocol). */
static void
test_sets_and_ranges(void **state)
{
	struct nftrules_result r;

	(void)state;
	assert_int_equal(scan_file("sets_ranges.json", &r), NFTRULES_OK);
	assert_int_equal(r.n_rules, 7);
	assert_int_equal(r.n_found, 3);
	const struct nftrules_hit *h = hit_with(&r, "udp sport { 123, 323 } reject");
	assert_string_equal(h->verdict, "reject");
	assert_false(h->is_partial);
	h = hit_with(&r, "ip saddr 10.0.0.0/8 udp dport @ntpports drop");
	assert_true(h->is_partial); /* only from 10/8 */
	h = hit_with(&r, "th dport 100-200 drop");
	assert_string_equal(h->chain, "output");
	assert_string_equal(h->hook, "output");
}

/* Policies that drop, with an accept for established connections (fine for a client) or for
 * loopback; a verdict map in a chain nothing jumps to. */
static void
test_policy_and_vmap(void **state)
{
	struct nftrules_result r;

	(void)state;
	assert_int_equal(scan_file("policy.json", &r), NFTRULES_OK);
	assert_int_equal(r.n_found, 1);
	const struct nftrules_hit *h = hit_with(&r, "udp dport 123 : drop (vmap)");
	assert_string_equal(h->chain, "sub");
	assert_string_equal(h->hook, "");
	assert_false(h->is_policy);
}

static void
test_iptables_nft(void **state)
{
	struct nftrules_result r;

	(void)state;
	assert_int_equal(scan_file("iptables_nft.json", &r), NFTRULES_OK);
	assert_int_equal(r.n_found, 3);
	const struct nftrules_hit *h = hit_with(&r, "udp dport 123 counter packets 0 drop");
	assert_string_equal(h->table, "filter");
	assert_string_equal(h->chain, "INPUT");
	h = hit_with(&r, "udp sport 123 counter packets 0 drop");
	assert_string_equal(h->family, "ip6");
	/* -m multiport stays an xt match: UDP, but which ports is not known */
	h = hit_with(&r, "meta l4proto udp xt match multiport counter packets 0 reject");
	assert_true(h->is_partial);
	assert_string_equal(h->verdict, "reject");
}

#define RULESET(items) "{\"nftables\": [{\"metainfo\": {\"json_schema_version\": 1}}, " items "]}"
#define CHAIN(name, hook, policy)                                                                  \
	"{\"chain\": {\"family\": \"inet\", \"table\": \"t\", \"name\": \"" name                   \
	"\", \"handle\": 1, \"type\": \"filter\", \"hook\": \"" hook "\", \"prio\": 0, "           \
	"\"policy\": \"" policy "\"}}"
#define RULE(chain, handle, exprs)                                                                 \
	"{\"rule\": {\"family\": \"inet\", \"table\": \"t\", \"chain\": \"" chain                  \
	"\", \"handle\": " #handle ", \"expr\": [" exprs "]}}"
#define UDP_MATCH(op, field, right)                                                                \
	"{\"match\": {\"op\": \"" op "\", \"left\": {\"payload\": {\"protocol\": \"udp\", "        \
	"\"field\": \"" field "\"}}, \"right\": " right "}}"

static size_t
found(const char *json)
{
	struct nftrules_result r;

	cw_case = json;
	assert_int_equal(nftrules_scan(json, strlen(json), 123, &r), NFTRULES_OK);
	return r.n_found;
}

static void
test_hand_made(void **state)
{
	struct nftrules_result r;

	(void)state;
	/* output policy drop, nothing accepts UDP: every NTP request is dropped */
	static const char pol[] = RULESET(CHAIN("out", "output", "drop") ", " RULE("out", 3,
	    "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"tcp\", "
	    "\"field\": \"dport\"}}, \"right\": 443}}, {\"accept\": null}"));
	assert_int_equal(nftrules_scan(pol, strlen(pol), 123, &r), NFTRULES_OK);
	assert_int_equal(r.n_found, 1);
	assert_true(r.hits[0].is_policy);
	assert_int_equal(r.hits[0].handle, -1);
	assert_string_equal(r.hits[0].text, "policy drop (no rule accepts these packets)");

	/* a rule that drops everything after an accept for NTP is not a finding; before, it is */
	assert_int_equal(found(RULESET(CHAIN("in", "input", "accept") ", " RULE("in", 2,
	                     UDP_MATCH("==", "sport", "123") ", {\"accept\": null}") ", " RULE("in",
	                     3, "{\"drop\": null}"))),
	    0);
	assert_int_equal(found(RULESET(CHAIN("in", "input", "accept") ", " RULE("in", 3,
	                     "{\"counter\": {\"packets\": 7, \"bytes\": 1}}, {\"drop\": null}"))),
	    1);
	/* comparisons, "!=", anonymous sets with ranges, elements as objects, numeric strings */
	assert_int_equal(found(RULESET(CHAIN("in", "input", "accept") ", " RULE("in", 2,
	                     UDP_MATCH("<", "dport", "1024") ", {\"drop\": null}"))),
	    1);
	assert_int_equal(found(RULESET(CHAIN("in", "input", "accept") ", " RULE("in", 2,
	                     UDP_MATCH(">=", "dport", "1024") ", {\"drop\": null}"))),
	    0);
	assert_int_equal(found(RULESET(CHAIN("in", "input", "accept") ", " RULE("in", 2,
	                     UDP_MATCH("!=", "dport", "53") ", {\"drop\": null}"))),
	    1);
	assert_int_equal(found(RULESET(CHAIN("in", "input", "accept") ", " RULE("in", 2,
	                     UDP_MATCH("==", "dport",
	                         "{\"set\": [1, {\"range\": [100, 200]}]}") ", {\"drop\": null}"))),
	    1);
	assert_int_equal(
	    found(RULESET(CHAIN("in", "input", "accept") ", " RULE("in", 2,
	        UDP_MATCH("==", "dport",
	            "{\"set\": [{\"elem\": {\"val\": 123, \"timeout\": 5}}]}") ", "
	                                                                       "{\"drop\": "
	                                                                       "null}"))),
	    1);
	assert_int_equal(found(RULESET(CHAIN("in", "input", "accept") ", " RULE("in", 2,
	                     UDP_MATCH("==", "dport", "\"123\"") ", {\"drop\": null}"))),
	    1);
	/* ip protocol udp without a port: all of UDP; ip protocol tcp: none of it */
	assert_int_equal(found(RULESET(CHAIN("in", "input", "accept") ", " RULE("in", 2,
	                     "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": "
	                     "\"ip\", \"field\": \"protocol\"}}, \"right\": \"udp\"}}, "
	                     "{\"reject\": null}"))),
	    1);
	assert_int_equal(found(RULESET(CHAIN("in", "input", "accept") ", " RULE("in", 2,
	                     "{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": "
	                     "\"l4proto\"}}, \"right\": 6}}, {\"drop\": null}"))),
	    0);
	/* a named set that does not exist: UDP, port unknown, a partial finding; a jump (its
	 * target not followed) keeps the policy from being blamed */
	static const char nosuch[] = RULESET(CHAIN("in", "input", "accept") ", " RULE("in", 2,
	    UDP_MATCH("==", "dport", "\"@nosuch\"") ", {\"drop\": null}"));
	assert_int_equal(nftrules_scan(nosuch, strlen(nosuch), 123, &r), NFTRULES_OK);
	assert_int_equal(r.n_found, 1);
	assert_true(r.hits[0].is_partial);
	assert_int_equal(found(RULESET(CHAIN("in", "input", "drop") ", " RULE("in", 2,
	                     "{\"jump\": {\"target\": \"x\"}}"))),
	    0);
	cw_case = NULL;
}

static void
test_not_a_ruleset(void **state)
{
	struct nftrules_result r;

	(void)state;
	assert_int_equal(nftrules_scan("{", 1, 123, &r), NFTRULES_BAD_JSON);
	assert_contains(r.error, "line 1");
	assert_int_equal(nftrules_scan("[1]", 3, 123, &r), NFTRULES_NOT_RULESET);
	assert_int_equal(nftrules_scan("{\"nftables\": {}}", 16, 123, &r), NFTRULES_NOT_RULESET);
	assert_int_equal(nftrules_scan("", 0, 123, &r), NFTRULES_BAD_JSON);
	assert_int_equal(nftrules_scan("x", NFTRULES_MAX_INPUT + 1, 123, &r), NFTRULES_TOO_BIG);
	assert_string_equal(nftrules_strerror(NFTRULES_TOO_BIG), "ruleset too large");
	/* wrong types everywhere: no crash, nothing found */
	static const char odd[] =
	    "{\"nftables\": [1, \"x\", {\"chain\": 5}, {\"chain\": {\"name\": "
	    "7, \"hook\": \"input\", \"policy\": \"drop\"}}, {\"rule\": "
	    "{\"chain\": 7, \"expr\": 5}}, {\"rule\": {\"expr\": [{\"match\": "
	    "{\"left\": 1, \"right\": {\"set\": 9}}}, {\"vmap\": 3}]}}]}";
	assert_int_equal(nftrules_scan(odd, strlen(odd), 123, &r), NFTRULES_OK);
	assert_int_equal(r.n_chains, 2);
}

static void
test_bounds(void **state)
{
	struct nftrules_result r;
	char *big = malloc(64 * 1024);
	size_t o = 0;

	(void)state;
	assert_non_null(big);
	o += (size_t)sprintf(big + o, "{\"nftables\": [" CHAIN("in", "input", "accept"));
	for (int i = 0; i < 40; i++)
		o += (size_t)sprintf(big + o,
		    ", " RULE("in", 100, UDP_MATCH("==", "dport", "123") ", {\"drop\": null}"));
	o += (size_t)sprintf(big + o, "]}");
	assert_int_equal(nftrules_scan(big, o, 123, &r), NFTRULES_OK);
	assert_int_equal(r.n_found, 40);
	assert_int_equal(r.n_hits, NFTRULES_MAX_HITS);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_dport_drop),
	    cmocka_unit_test(test_sets_and_ranges),
	    cmocka_unit_test(test_policy_and_vmap),
	    cmocka_unit_test(test_iptables_nft),
	    cmocka_unit_test(test_hand_made),
	    cmocka_unit_test(test_not_a_ruleset),
	    cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
