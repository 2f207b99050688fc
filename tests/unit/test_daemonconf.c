/* test_daemonconf.c: sources, includes and settings read from chrony.conf, ntp.conf and
 * timesyncd.conf text, as Debian 12 ships them and as people break them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw_test.h"
#include "daemonconf.h"

static void
test_chrony_debian_default(void **state)
{
	static const char text[] = "# Welcome to the chrony configuration file.\n"
	                           "confdir /etc/chrony/conf.d\n"
	                           "pool 2.debian.pool.ntp.org iburst\n"
	                           "sourcedir /run/chrony-dhcp\n"
	                           "sourcedir /etc/chrony/sources.d\n"
	                           "keyfile /etc/chrony/chrony.keys\n"
	                           "driftfile /var/lib/chrony/chrony.drift\n"
	                           "ntsdumpdir /var/lib/chrony\n"
	                           "logdir /var/log/chrony\n"
	                           "maxupdateskew 100.0\n"
	                           "rtcsync\n"
	                           "makestep 1 3\n"
	                           "leapsectz right/UTC\n";
	struct daemonconf c;

	(void)state;
	daemonconf_init(&c);
	daemonconf_parse_chrony(&c, text, strlen(text), "f.conf", false);
	assert_int_equal(c.n_errors, 0);
	assert_int_equal(c.n_sources, 1);
	assert_int_equal(c.sources[0].kind, DAEMONCONF_POOL);
	assert_string_equal(c.sources[0].name, "2.debian.pool.ntp.org");
	assert_true(c.sources[0].iburst);
	assert_int_equal(c.sources[0].line, 3);
	assert_string_equal(c.sources[0].file, "f.conf");
	assert_int_equal(c.n_includes, 3);
	assert_int_equal(c.includes[0].kind, DAEMONCONF_INC_CONFDIR);
	assert_string_equal(c.includes[0].path, "/etc/chrony/conf.d");
	assert_int_equal(c.includes[1].kind, DAEMONCONF_INC_SOURCEDIR);
	assert_string_equal(c.includes[2].path, "/etc/chrony/sources.d");
	assert_true(c.rtcsync);
	assert_string_equal(c.driftfile, "/var/lib/chrony/chrony.drift");
	assert_int_equal(c.cmdport, -1);
	daemonconf_fini(&c);
}

static void
test_chrony_options_and_errors(void **state)
{
	static const char text[] =
	    "server 127.0.0.1 port 11123 iburst minpoll 0 maxpoll 2 prefer\r\n"
	    "SERVER ::1 noselect maxdelay 0.1 key 5\n"
	    "peer 192.0.2.7 xleave\n"
	    "refclock PHC /dev/ptp0 poll 3 dpoll -2 offset 0\n"
	    "  ! old comment\n"
	    "; comment\n"
	    "%% comment\n"
	    "server\n"
	    "server a.example port 0\n"
	    "server b.example minpoll 99 frobnicate\n"
	    "server c.example port\n"
	    "cmdport 11323\n"
	    "bindcmdaddress 127.0.0.1\n"
	    "bindcmdaddress /run/x/chronyd.sock\n"
	    "bindcmdaddress ::1\n"
	    "cmdport 70000\n"
	    "include /etc/chrony/extra/*.conf\n";
	struct daemonconf c;

	(void)state;
	daemonconf_init(&c);
	daemonconf_parse_chrony(&c, text, strlen(text), "f.conf", false);
	assert_int_equal(c.n_sources, 7);
	assert_int_equal(c.sources[0].port, 11123);
	assert_int_equal(c.sources[0].minpoll, 0);
	assert_int_equal(c.sources[0].maxpoll, 2);
	assert_true(c.sources[0].iburst && c.sources[0].prefer && !c.sources[0].noselect);
	assert_string_equal(c.sources[1].name, "::1");
	assert_true(c.sources[1].noselect);
	assert_int_equal(c.sources[1].minpoll, DAEMONCONF_POLL_UNSET);
	assert_int_equal(c.sources[2].kind, DAEMONCONF_PEER);
	assert_int_equal(c.sources[3].kind, DAEMONCONF_REFCLOCK);
	assert_string_equal(c.sources[3].name, "PHC:/dev/ptp0");
	assert_string_equal(c.sources[4].name, "a.example");
	assert_int_equal(c.sources[4].port, 0);
	assert_int_equal(c.cmdport, 11323);
	assert_string_equal(c.bindcmdaddress[0], "127.0.0.1");
	assert_string_equal(c.bindcmdaddress[1], "/run/x/chronyd.sock");
	assert_int_equal(c.n_includes, 1);
	assert_int_equal(c.includes[0].kind, DAEMONCONF_INC_FILE);
	/* refclock's poll/dpoll are not known to us: reported, the source kept */
	const char *want[][2] = {
	    {"4", "unknown option 'poll' for refclock PHC:/dev/ptp0"},
	    {"4", "unknown option 'dpoll'"},
	    {"8", "server without a name"},
	    {"9", "bad port '0' (want 1-65535)"},
	    {"10", "minpoll needs a log2 interval from -32 to 32, got '99'"},
	    {"10", "unknown option 'frobnicate' for server b.example"},
	    {"11", "option 'port' needs a value"},
	    {"16", "bad cmdport '70000' (want 0-65535)"},
	};
	size_t k = 0;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		/* refclock options with values are counted as unknown words and their values too */
		while (k < c.n_errors && !strstr(c.errors[k].msg, want[i][1]))
			k++;
		cw_case = want[i][1];
		assert_true(k < c.n_errors);
		assert_int_equal(c.errors[k].line, (unsigned)atoi(want[i][0]));
		assert_string_equal(c.errors[k].file, "f.conf");
	}
	cw_case = NULL;
	assert_int_equal(c.cmdport, 11323); /* the bad value did not replace the good one */
	daemonconf_fini(&c);
}

static void
test_chrony_sources_file(void **state)
{
	static const char text[] = "server 10.0.0.1 iburst\npool p.example\nrtcsync\n";
	struct daemonconf c;

	(void)state;
	daemonconf_init(&c);
	daemonconf_parse_chrony(&c, text, strlen(text), "f.conf", true);
	assert_int_equal(c.n_sources, 2);
	assert_false(c.rtcsync);
	assert_int_equal(c.n_errors, 1);
	assert_string_equal(c.errors[0].msg, "'rtcsync' is not allowed in a sources file");
	assert_int_equal(c.errors[0].line, 3);
	daemonconf_fini(&c);
}

static void
test_ntpd(void **state)
{
	static const char text[] = "driftfile /var/lib/ntpsec/ntp.drift # trailing comment\n"
	                           "pool 0.debian.pool.ntp.org iburst\n"
	                           "server -4 10.200.4.11 iburst minpoll 0 maxpoll 0\n"
	                           "server 127.127.1.0\n"
	                           "refclock shm unit 0 refid GPS\n"
	                           "restrict default kod nomodify limited\n"
	                           "disable kernel ntp\n"
	                           "includefile /etc/ntpsec/extra.conf\n"
	                           "server\n"
	                           "# server commented.example\n";
	struct daemonconf c;

	(void)state;
	daemonconf_init(&c);
	daemonconf_parse_ntpd(&c, text, strlen(text), "f.conf");
	assert_string_equal(c.driftfile, "/var/lib/ntpsec/ntp.drift");
	assert_int_equal(c.n_sources, 4);
	assert_int_equal(c.sources[0].kind, DAEMONCONF_POOL);
	assert_string_equal(c.sources[1].name, "10.200.4.11");
	assert_int_equal(c.sources[1].minpoll, 0);
	assert_true(c.sources[1].iburst);
	assert_int_equal(c.sources[2].kind, DAEMONCONF_REFCLOCK);
	assert_string_equal(c.sources[3].name, "shm");
	assert_int_equal(c.sources[3].kind, DAEMONCONF_REFCLOCK);
	assert_true(c.kernel_disabled);
	assert_int_equal(c.n_includes, 1);
	assert_int_equal(c.n_errors, 1);
	assert_string_equal(c.errors[0].msg, "server without an address");
	assert_int_equal(c.errors[0].line, 9);
	daemonconf_fini(&c);
}

static void
test_timesyncd_with_dropins(void **state)
{
	static const char main_conf[] = "[Time]\n"
	                                "#NTP=\n"
	                                "NTP=ntp1.example ntp2.example\n"
	                                "FallbackNTP=0.debian.pool.ntp.org 1.debian.pool.ntp.org\n"
	                                "RootDistanceMaxSec=5\n"
	                                "PollIntervalMinSec=32\n"
	                                "PollIntervalMaxSec=34min\n"
	                                "[Other]\n"
	                                "NTP=ignored.example\n";
	static const char dropin[] = "[Time]\n"
	                             "NTP=\n"
	                             "NTP=127.0.0.1\n"
	                             "FallbackNTP=\n"
	                             "PollIntervalMinSec=16s\n"
	                             "RootDistanceMaxSec=lots\n"
	                             "garbage line\n";
	struct daemonconf c;

	(void)state;
	daemonconf_init(&c);
	daemonconf_parse_timesyncd(&c, main_conf, strlen(main_conf), "timesyncd.conf");
	assert_int_equal(c.n_sources, 4);
	assert_double_exact(c.root_distance_max_s, 5.0);
	assert_double_exact(c.poll_min_s, 32.0);
	assert_double_exact(c.poll_max_s, 34 * 60.0);
	daemonconf_parse_timesyncd(&c, dropin, strlen(dropin), "test.conf");
	assert_int_equal(c.n_sources, 1);
	assert_int_equal(c.sources[0].kind, DAEMONCONF_SERVER);
	assert_string_equal(c.sources[0].name, "127.0.0.1");
	assert_string_equal(c.sources[0].file, "test.conf");
	assert_double_exact(c.poll_min_s, 16.0);
	assert_double_exact(c.root_distance_max_s, 5.0);
	assert_int_equal(c.n_errors, 2);
	assert_string_equal(c.errors[0].msg, "bad time span 'lots' for RootDistanceMaxSec");
	assert_int_equal(c.errors[0].line, 6);
	assert_string_equal(c.errors[1].msg, "no '=' in 'garbage line'");
	daemonconf_fini(&c);
}

static void
test_bounds(void **state)
{
	struct daemonconf c;
	size_t n = DAEMONCONF_MAX_LINE + 10;
	char *big = malloc(n + 64);
	char *many;

	(void)state;
	assert_non_null(big);
	daemonconf_init(&c);
	memset(big, 'a', n);
	memcpy(big + n, "\nserver x\0y\nserver ok\n", 22);
	daemonconf_parse_chrony(&c, big, n + 22, "big.conf", false);
	assert_int_equal(c.n_sources, 1);
	assert_string_equal(c.sources[0].name, "ok");
	assert_int_equal(c.sources[0].line, 3);
	assert_int_equal(c.n_errors, 2);
	assert_string_equal(c.errors[0].msg, "line too long (4106 bytes, at most 4096)");
	assert_string_equal(c.errors[1].msg, "NUL byte in line");
	daemonconf_fini(&c);
	free(big);

	/* More sources than the bound: kept up to it, flagged, no more memory */
	many = malloc(20 * (DAEMONCONF_MAX_SOURCES + 10));
	assert_non_null(many);
	size_t o = 0;
	for (int i = 0; i < DAEMONCONF_MAX_SOURCES + 10; i++)
		o += (size_t)sprintf(many + o, "server s%d\n", i);
	daemonconf_init(&c);
	daemonconf_parse_chrony(&c, many, o, "many.conf", false);
	assert_int_equal(c.n_sources, DAEMONCONF_MAX_SOURCES);
	assert_true(c.truncated);
	daemonconf_fini(&c);
	free(many);

	/* A name longer than any host name */
	char line[400];
	memset(line, 'n', sizeof(line));
	memcpy(line, "pool ", 5);
	daemonconf_init(&c);
	daemonconf_parse_ntpd(&c, line, sizeof(line), "long.conf");
	assert_int_equal(c.n_sources, 0);
	assert_int_equal(c.n_errors, 1);
	assert_string_equal(c.errors[0].msg, "name too long (395 characters)");
	daemonconf_fini(&c);
}

/* What the daemon does about a large offset: chrony's makestep and maxslewrate, ntpd's tinker. */
static void
test_step_settings(void **state)
{
	static const char chrony[] = "makestep 1 3\nmaxslewrate 500\n";
	static const char chrony_bad[] = "makestep 1\nmakestep x 3\nmakestep 0.5 -1\n";
	static const char ntpd[] = "tinker panic 0 step 0.4 stepout 600 dispersion 15\n";
	struct daemonconf c;

	(void)state;
	daemonconf_init(&c);
	assert_double_exact(c.makestep_s, -1);
	assert_double_exact(c.panic_s, -1);
	daemonconf_parse_chrony(&c, chrony, strlen(chrony), "c.conf", false);
	assert_double_exact(c.makestep_s, 1);
	assert_int_equal(c.makestep_limit, 3);
	assert_double_exact(c.maxslewrate_ppm, 500);
	daemonconf_fini(&c);

	daemonconf_init(&c);
	daemonconf_parse_chrony(&c, chrony_bad, strlen(chrony_bad), "c.conf", false);
	assert_int_equal(c.n_errors, 1); /* "makestep 1" is skipped as unknown, x is an error */
	assert_int_equal(c.errors[0].line, 2);
	assert_double_exact(c.makestep_s, 0.5);
	assert_int_equal(c.makestep_limit, -1);
	daemonconf_fini(&c);

	daemonconf_init(&c);
	daemonconf_parse_ntpd(&c, ntpd, strlen(ntpd), "n.conf");
	assert_double_exact(c.panic_s, 0);
	assert_double_exact(c.step_s, 0.4);
	assert_double_exact(c.stepout_s, 600);
	assert_int_equal(c.n_errors, 0);
	daemonconf_fini(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chrony_debian_default),
	    cmocka_unit_test(test_chrony_options_and_errors),
	    cmocka_unit_test(test_chrony_sources_file),
	    cmocka_unit_test(test_ntpd),
	    cmocka_unit_test(test_timesyncd_with_dropins),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_step_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
