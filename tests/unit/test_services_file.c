/* test_services_file.c: services(5) lines as netbase ships them and as people break them. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cw_test.h"
#include "services_file.h"

/* Lines from Debian 12's /etc/services (netbase 6.4) around ntp, plus local edits. */
static const char debian[] = "# Network services, Internet style\n"
                             "#\n"
                             "tcpmux\t\t1/tcp\t\t\t\t# TCP port service multiplexer\n"
                             "echo\t\t7/tcp\n"
                             "echo\t\t7/udp\n"
                             "domain\t\t53/tcp\t\t\t\t# Domain Name Server\n"
                             "domain\t\t53/udp\n"
                             "ntp\t\t123/udp\t\t\t\t# Network Time Protocol\n"
                             "epmap\t\t135/tcp\t\tloc-srv\t\t# DCE endpoint resolution\n"
                             "ntalk\t\t518/udp\n";

static void
test_parse_line(void **state)
{
	struct services_entry e;
	static const char line[] = "  epmap  135/tcp loc-srv  other # DCE endpoint";

	(void)state;
	assert_true(services_file_parse_line(line, strlen(line), 9, &e));
	assert_string_equal(e.name, "epmap");
	assert_int_equal(e.port, 135);
	assert_string_equal(e.proto, "tcp");
	assert_int_equal(e.n_aliases, 2);
	assert_string_equal(e.aliases[0], "loc-srv");
	assert_string_equal(e.aliases[1], "other");
	assert_int_equal(e.line, 9);

	/* comments, blanks and what is not an entry */
	static const char *const not_entries[] = {"", "   ", "# ntp 123/udp", "ntp", "ntp 123",
	    "ntp /udp", "ntp 123/", "ntp udp/123", "ntp 65536/udp", "ntp 99999999999999/udp",
	    "ntp 12a/udp", "ntp#x 123/udp"};
	for (size_t i = 0; i < sizeof(not_entries) / sizeof(not_entries[0]); i++) {
		cw_case = not_entries[i];
		assert_false(
		    services_file_parse_line(not_entries[i], strlen(not_entries[i]), 1, &e));
	}
	cw_case = NULL;

	/* the highest port, CRLF, a comment right after the protocol */
	static const char crlf[] = "x 65535/udp#c\r";
	assert_true(services_file_parse_line(crlf, strlen(crlf), 1, &e));
	assert_int_equal(e.port, 65535);
	assert_string_equal(e.proto, "udp");
	assert_int_equal(e.n_aliases, 0);
}

static void
test_bounds(void **state)
{
	struct services_entry e;
	char line[400];

	(void)state;
	/* a name longer than the bound is cut; aliases beyond the bound are dropped */
	memset(line, 'n', 100);
	snprintf(line + 100, sizeof(line) - 100, " 1/udp a b c d e f g h i j k");
	assert_true(services_file_parse_line(line, strlen(line), 1, &e));
	assert_int_equal(strlen(e.name), SERVICES_FILE_NAME_MAX);
	assert_int_equal(e.n_aliases, SERVICES_FILE_MAX_ALIASES);
	assert_string_equal(e.aliases[SERVICES_FILE_MAX_ALIASES - 1], "h");

	/* a NUL ends the line's words; the length given is respected (no NUL needed) */
	static const char nul[] = "ntp 123/udp\0alias";
	assert_true(services_file_parse_line(nul, sizeof(nul) - 1, 1, &e));
	assert_int_equal(e.n_aliases, 0);
	assert_false(services_file_parse_line("ntp 123/udp", 5, 1, &e));
}

static void
test_find(void **state)
{
	struct services_entry e;

	(void)state;
	assert_true(services_file_find_name(debian, strlen(debian), "ntp", "udp", &e));
	assert_int_equal(e.port, 123);
	assert_int_equal(e.line, 8);
	assert_false(services_file_find_name(debian, strlen(debian), "ntp", "tcp", &e));
	assert_true(services_file_find_name(debian, strlen(debian), "loc-srv", "tcp", &e));
	assert_string_equal(e.name, "epmap");
	assert_true(services_file_find_port(debian, strlen(debian), 123, "udp", &e));
	assert_string_equal(e.name, "ntp");
	assert_true(services_file_find_port(debian, strlen(debian), 53, "udp", &e));
	assert_int_equal(e.line, 7);
	assert_false(services_file_find_port(debian, strlen(debian), 124, "udp", &e));
	assert_string_equal(e.name, ""); /* cleared when not found */

	/* the last line without a newline, and a file cut in the middle of a line */
	static const char last[] = "a 1/udp\nntp 123/udp";
	assert_true(services_file_find_name(last, strlen(last), "ntp", "udp", &e));
	assert_int_equal(e.line, 2);
	assert_false(services_file_find_name(last, strlen(last) - 5, "ntp", "udp", &e));

	/* moved to another port; named otherwise */
	static const char moved[] = "ntp 1123/udp\nchronos 123/udp\n";
	assert_true(services_file_find_name(moved, strlen(moved), "ntp", "udp", &e));
	assert_int_equal(e.port, 1123);
	assert_true(services_file_find_port(moved, strlen(moved), 123, "udp", &e));
	assert_string_equal(e.name, "chronos");

	/* an over-long line is skipped whole, the next one still read */
	size_t n = SERVICES_FILE_MAX_LINE + 100;
	char *big = malloc(n + 32);
	assert_non_null(big);
	memset(big, 'x', n);
	memcpy(big, "ntp 123/udp ", 12);
	memcpy(big + n, "\nntp 124/udp\n", 14);
	assert_true(services_file_find_name(big, strlen(big), "ntp", "udp", &e));
	assert_int_equal(e.port, 124);
	assert_int_equal(e.line, 2);
	free(big);
	assert_false(services_file_find_name("", 0, "ntp", "udp", &e));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_line),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
