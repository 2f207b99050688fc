/* test_conf.c: clockwatch.conf(5) as conf_parse reads it: the defaults, every directive's good
 * and bad values with the exact message and line:col, the word splitting (quotes, escapes,
 * comments), the bounds, and the example file shipped in dist/, which must parse clean. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "cw_test.h"
#include "macros.h"

#define S_NS INT64_C(1000000000)
#define MIN_NS (60 * S_NS)
#define H_NS (3600 * S_NS)
#define D_NS (24 * H_NS)

#define DUR_FORMAT "(want a number and a unit: ns, us, ms, s, m or min, h, d)"

/* Everything conf_parse sets; the error list after it is compared on its own. */
#define VALUES_LEN offsetof(struct conf, errors)

static int
parse_str(struct conf *c, const char *text)
{
	conf_defaults(c, NULL);
	return conf_parse(c, text, strlen(text));
}

static void
test_defaults(void **state)
{
	struct conf c;

	(void)state;
	memset(&c, 0xa5, sizeof(c));
	conf_defaults(&c, NULL);
	assert_int_equal(c.service, -1);
	assert_string_equal(c.daemon_conf, "");
	assert_string_equal(c.chronyd_socket, "");
	assert_string_equal(c.address, "");
	assert_i64_equal(c.interval_ns, 30 * S_NS);
	assert_i64_equal(c.timeout_ns, S_NS);
	assert_double_exact(c.critical_s, 10.0);
	assert_double_exact(c.panic_s, 1000.0);
	assert_i64_equal(c.grace_ns, 20 * MIN_NS);
	assert_i64_equal(c.reject_initial_ns, 60 * MIN_NS);
	assert_i64_equal(c.reject_reselect_ns, 90 * S_NS);
	assert_i64_equal(c.clear_delay_ns, 60 * S_NS);
	assert_string_equal(c.alarm_command, "");
	assert_int_equal(c.major_type, 193);
	assert_int_equal(c.minor_type, 3341942785u);
	assert_string_equal(c.managed_object, "SafNode");
	assert_string_equal(c.specific_problem, "LOTC Time Synchronization");
	assert_int_equal(c.event_type, 6);
	assert_string_equal(c.state_dir, "/var/lib/clockwatch");
	assert_i64_equal(c.retention_ns, 30 * D_NS);
	assert_int_equal(c.n_http_listen, 1);
	assert_string_equal(c.http_listen[0], "127.0.0.1:10123");
	assert_string_equal(c.http_tls_cert, "");
	assert_string_equal(c.http_tls_key, "");
	assert_string_equal(c.http_user, "");
	assert_string_equal(c.http_password_file, "");
	assert_int_equal(c.http_max_connections, 64);
	assert_int_equal(c.http_per_ip_connections, 16);
	assert_i64_equal(c.http_timeout_ns, 10 * S_NS);
	assert_string_equal(c.node_name, "");
	assert_int_equal(c.n_alertmanager_url, 0);
	assert_i64_equal(c.alertmanager_resend_ns, MIN_NS);
	assert_int_equal(c.n_errors, 0);

	/* $STATE_DIRECTORY: used when set; systemd joins several with ':', the first is ours */
	static const struct {
		const char *env, *want;
	} env[] = {
	    {"/var/lib/clockwatch-test", "/var/lib/clockwatch-test"},
	    {"", "/var/lib/clockwatch"},
	    {"/a/one:/a/two", "/a/one"},
	    {":/a/two", "/var/lib/clockwatch"},
	};
	for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++) {
		cw_case = env[i].env;
		conf_defaults(&c, env[i].env);
		assert_string_equal(c.state_dir, env[i].want);
	}
	cw_case = NULL;

	/* one that does not fit is not cut into some other path */
	char long_env[CONF_PATH_MAX + 10];
	memset(long_env, 'x', sizeof(long_env) - 1);
	long_env[0] = '/';
	long_env[sizeof(long_env) - 1] = '\0';
	conf_defaults(&c, long_env);
	assert_string_equal(c.state_dir, "/var/lib/clockwatch");
	long_env[CONF_PATH_MAX - 1] = '\0'; /* the longest that fits */
	conf_defaults(&c, long_env);
	assert_string_equal(c.state_dir, long_env);
}

/* Texts with nothing to set leave the defaults as they are. */
static void
test_nothing_set(void **state)
{
	static const char *const texts[] = {
	    "",
	    "\n",
	    "\n\n\n",
	    "# a comment\n",
	    "   \t  # indented comment\n",
	    "#interval 5s\n",
	    "\r\n# dos line ends\r\n\r\n",
	    "  \t  ",
	    "#",
	    "# \"unbalanced quote in a comment\n",
	};
	struct conf want, c;

	(void)state;
	conf_defaults(&want, NULL);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		cw_case = texts[i];
		assert_int_equal(parse_str(&c, texts[i]), 0);
		assert_int_equal(c.n_errors, 0);
		assert_memory_equal(&c, &want, VALUES_LEN);
	}
	cw_case = NULL;
	conf_defaults(&c, NULL);
	assert_int_equal(conf_parse(&c, NULL, 0), 0);
}

enum kind { I64, INT, U32, U64, DBL, STR, BOOL };

#define AT(f) offsetof(struct conf, f)

/* One good line and the field it sets. */
static const struct good {
	const char *text;
	size_t off;
	enum kind kind;
	int64_t i;
	double d;
	const char *s;
} good[] = {
    {"service chronyd", AT(service), INT, 0, 0, NULL},
    {"service ntpd", AT(service), INT, 1, 0, NULL},
    {"service timesyncd", AT(service), INT, 2, 0, NULL},
    {"service auto", AT(service), INT, -1, 0, NULL},
    {"service NTPD", AT(service), INT, 1, 0, NULL},
    {"service \"chronyd\"", AT(service), INT, 0, 0, NULL},
    {"conf /etc/chrony/chrony.conf", AT(daemon_conf), STR, 0, 0, "/etc/chrony/chrony.conf"},
    {"conf etc/ntp.conf", AT(daemon_conf), STR, 0, 0, "etc/ntp.conf"},
    {"conf \"/etc/my chrony/chrony.conf\"", AT(daemon_conf), STR, 0, 0,
        "/etc/my chrony/chrony.conf"},
    {"chronyd_socket /run/chrony/chronyd.sock", AT(chronyd_socket), STR, 0, 0,
        "/run/chrony/chronyd.sock"},
    {"address 127.0.0.1", AT(address), STR, 0, 0, "127.0.0.1"},
    {"address 127.0.0.1:11323", AT(address), STR, 0, 0, "127.0.0.1:11323"},
    {"address [::1]:323", AT(address), STR, 0, 0, "[::1]:323"},
    {"address ::1", AT(address), STR, 0, 0, "::1"},
    {"address ntp.example.net", AT(address), STR, 0, 0, "ntp.example.net"},
    {"interval 1s", AT(interval_ns), I64, S_NS, 0, NULL},
    {"interval 1h", AT(interval_ns), I64, H_NS, 0, NULL},
    {"interval 45", AT(interval_ns), I64, 45 * S_NS, 0, NULL},
    {"interval 2m", AT(interval_ns), I64, 2 * MIN_NS, 0, NULL},
    {"interval 2min", AT(interval_ns), I64, 2 * MIN_NS, 0, NULL},
    {"interval 1.5s", AT(interval_ns), I64, 1500000000, 0, NULL},
    {"interval 1000ms", AT(interval_ns), I64, S_NS, 0, NULL},
    {"timeout 1ms", AT(timeout_ns), I64, 1000000, 0, NULL},
    {"timeout 60s", AT(timeout_ns), I64, 60 * S_NS, 0, NULL},
    {"timeout 250ms", AT(timeout_ns), I64, 250000000, 0, NULL},
    {"timeout 1000us", AT(timeout_ns), I64, 1000000, 0, NULL},
    {"timeout 1000000ns", AT(timeout_ns), I64, 1000000, 0, NULL},
    {"critical_offset 5s", AT(critical_s), DBL, 0, 5.0, NULL},
    {"cluster_threshold 2s", AT(cluster_threshold_s), DBL, 0, 2.0, NULL},
    {"node n1 10.0.0.1", AT(n_nodes), U64, 1, 0, NULL},
    {"node n1 10.0.0.1", AT(nodes[0].name), STR, 0, 0, "n1"},
    {"node n1 10.0.0.1", AT(nodes[0].role), INT, 0, 0, NULL},
    {"node n-1.a_b [fd00::1]:10123 payload", AT(nodes[0].addr), STR, 0, 0, "fd00::1"},
    {"node n1 10.0.0.1 CONTROL", AT(nodes[0].role), INT, 1, 0, NULL},
    {"node n1 host.example payload", AT(nodes[0].role), INT, 2, 0, NULL},
    {"node a 10.0.0.1\nnode b 10.0.0.2", AT(n_nodes), U64, 2, 0, NULL},
    {"node a 10.0.0.1\nnode b 10.0.0.2", AT(nodes[1].name), STR, 0, 0, "b"},
    {"responder 0.0.0.0:123", AT(responder), STR, 0, 0, "0.0.0.0:123"},
    {"seccomp on", AT(seccomp), BOOL, 1, 0, NULL},
    {"seccomp OFF", AT(seccomp), BOOL, 0, 0, NULL},
    {"responder_rate 5", AT(responder_rate), DBL, 0, 5.0, NULL},
    {"responder_burst 20", AT(responder_burst), DBL, 0, 20.0, NULL},
    {"critical_offset 500ms", AT(critical_s), DBL, 0, 0.5, NULL},
    {"critical_offset 1ns", AT(critical_s), DBL, 0, 1e-9, NULL},
    {"panic_offset 20m", AT(panic_s), DBL, 0, 1200.0, NULL},
    {"panic_offset 10.5", AT(panic_s), DBL, 0, 10.5, NULL},
    {"grace 0", AT(grace_ns), I64, 0, 0, NULL},
    {"grace 1d", AT(grace_ns), I64, D_NS, 0, NULL},
    {"grace 5min", AT(grace_ns), I64, 5 * MIN_NS, 0, NULL},
    {"reject_initial 2h", AT(reject_initial_ns), I64, 2 * H_NS, 0, NULL},
    {"reject_initial 0s", AT(reject_initial_ns), I64, 0, 0, NULL},
    {"reject_reselect 30s", AT(reject_reselect_ns), I64, 30 * S_NS, 0, NULL},
    {"reject_reselect 1d", AT(reject_reselect_ns), I64, D_NS, 0, NULL},
    {"clear_delay 0", AT(clear_delay_ns), I64, 0, 0, NULL},
    {"clear_delay 1h", AT(clear_delay_ns), I64, H_NS, 0, NULL},
    {"alarm_command /usr/local/bin/alarm", AT(alarm_command), STR, 0, 0, "/usr/local/bin/alarm"},
    {"alarm_command \"/opt/my tools/alarm\"", AT(alarm_command), STR, 0, 0, "/opt/my tools/alarm"},
    {"major_type 0", AT(major_type), U32, 0, 0, NULL},
    {"major_type 4294967295", AT(major_type), U32, 4294967295, 0, NULL},
    {"minor_type 007", AT(minor_type), U32, 7, 0, NULL},
    {"managed_object Node-1", AT(managed_object), STR, 0, 0, "Node-1"},
    {"managed_object \"safApp=Time,safNode=1\"", AT(managed_object), STR, 0, 0,
        "safApp=Time,safNode=1"},
    {"specific_problem \"Clock \\\"off\\\" by \\\\ much\"", AT(specific_problem), STR, 0, 0,
        "Clock \"off\" by \\ much"},
    {"specific_problem Drift", AT(specific_problem), STR, 0, 0, "Drift"},
    {"specific_problem \"# not a comment\"", AT(specific_problem), STR, 0, 0, "# not a comment"},
    {"event_type 0", AT(event_type), INT, 0, 0, NULL},
    {"event_type 255", AT(event_type), INT, 255, 0, NULL},
    {"state_dir /srv/clockwatch", AT(state_dir), STR, 0, 0, "/srv/clockwatch"},
    {"retention 1h", AT(retention_ns), I64, H_NS, 0, NULL},
    {"retention 3650d", AT(retention_ns), I64, 3650 * D_NS, 0, NULL},
    {"retention 0.5d", AT(retention_ns), I64, 12 * H_NS, 0, NULL},
    /* HTTP: a numeric address, port 10123 unless given, IPv6 in brackets */
    {"http_listen 127.0.0.1", AT(http_listen[0]), STR, 0, 0, "127.0.0.1:10123"},
    {"http_listen 0.0.0.0:8080", AT(http_listen[0]), STR, 0, 0, "0.0.0.0:8080"},
    {"http_listen 192.0.2.1:65535", AT(http_listen[0]), STR, 0, 0, "192.0.2.1:65535"},
    {"http_listen [::1]:9999", AT(http_listen[0]), STR, 0, 0, "[::1]:9999"},
    {"http_listen ::1", AT(http_listen[0]), STR, 0, 0, "[::1]:10123"},
    {"http_listen [::1]", AT(http_listen[0]), STR, 0, 0, "[::1]:10123"},
    {"http_listen ::", AT(http_listen[0]), STR, 0, 0, "[::]:10123"},
    {"http_listen [2001:db8::7]:1", AT(http_listen[0]), STR, 0, 0, "[2001:db8::7]:1"},
    {"http_listen ::ffff:192.0.2.1", AT(http_listen[0]), STR, 0, 0, "[::ffff:192.0.2.1]:10123"},
    {"http_listen \"127.0.0.1:1\"", AT(http_listen[0]), STR, 0, 0, "127.0.0.1:1"},
    {"http_listen 127.0.0.1", AT(n_http_listen), U64, 1, 0, NULL},
    {"http_listen off", AT(n_http_listen), U64, 0, 0, NULL},
    {"http_listen OFF", AT(n_http_listen), U64, 0, 0, NULL},
    {"http_listen \"off\"", AT(n_http_listen), U64, 0, 0, NULL},
    {"http_max_connections 1", AT(http_max_connections), U32, 1, 0, NULL},
    {"http_max_connections 1024", AT(http_max_connections), U32, 1024, 0, NULL},
    {"http_per_ip_connections 1", AT(http_per_ip_connections), U32, 1, 0, NULL},
    {"http_per_ip_connections 1024", AT(http_per_ip_connections), U32, 1024, 0, NULL},
    {"http_timeout 1s", AT(http_timeout_ns), I64, S_NS, 0, NULL},
    {"http_timeout 5min", AT(http_timeout_ns), I64, 5 * MIN_NS, 0, NULL},
    {"http_timeout 300", AT(http_timeout_ns), I64, 300 * S_NS, 0, NULL},
    {"http_timeout 2.5s", AT(http_timeout_ns), I64, 2500000000, 0, NULL},
    {"node_name db1", AT(node_name), STR, 0, 0, "db1"},
    {"node_name \"rack 4 / db1\"", AT(node_name), STR, 0, 0, "rack 4 / db1"},
    /* Alertmanager */
    {"alertmanager_url http://am:9093", AT(alertmanager_url[0]), STR, 0, 0, "http://am:9093"},
    {"alertmanager_url https://am.example/api/v2/alerts", AT(alertmanager_url[0]), STR, 0, 0,
        "https://am.example/api/v2/alerts"},
    {"alertmanager_url http://[::1]:9093/", AT(alertmanager_url[0]), STR, 0, 0,
        "http://[::1]:9093/"},
    {"alertmanager_url http://user:pw@am?x=1&y=%20", AT(alertmanager_url[0]), STR, 0, 0,
        "http://user:pw@am?x=1&y=%20"},
    {"alertmanager_url \"http://am\"", AT(alertmanager_url[0]), STR, 0, 0, "http://am"},
    {"alertmanager_url HTTP://am", AT(alertmanager_url[0]), STR, 0, 0, "HTTP://am"},
    {"alertmanager_url http://am", AT(n_alertmanager_url), U64, 1, 0, NULL},
    {"alertmanager_resend 10s", AT(alertmanager_resend_ns), I64, 10 * S_NS, 0, NULL},
    {"alertmanager_resend 1h", AT(alertmanager_resend_ns), I64, H_NS, 0, NULL},
    {"alertmanager_resend 1min", AT(alertmanager_resend_ns), I64, MIN_NS, 0, NULL},
    {"ALERTMANAGER_RESEND 90", AT(alertmanager_resend_ns), I64, 90 * S_NS, 0, NULL},
    /* the way words are written */
    {"INTERVAL 5s", AT(interval_ns), I64, 5 * S_NS, 0, NULL},
    {"Interval 5s", AT(interval_ns), I64, 5 * S_NS, 0, NULL},
    {"  \tinterval\t\t5s  ", AT(interval_ns), I64, 5 * S_NS, 0, NULL},
    {"interval 5s# comment right after", AT(interval_ns), I64, 5 * S_NS, 0, NULL},
    {"interval 5s # comment", AT(interval_ns), I64, 5 * S_NS, 0, NULL},
    {"interval 5s\r", AT(interval_ns), I64, 5 * S_NS, 0, NULL},
    {"interval \"5s\"", AT(interval_ns), I64, 5 * S_NS, 0, NULL},
    {"\"interval\" 5s", AT(interval_ns), I64, 5 * S_NS, 0, NULL},
    {"managed_object \"a\"#comment", AT(managed_object), STR, 0, 0, "a"},
    {"managed_object back\\slash", AT(managed_object), STR, 0, 0, "back\\slash"},
    {"managed_object caf\xc3\xa9", AT(managed_object), STR, 0, 0, "caf\xc3\xa9"},
    {"managed_object \"\t tab \"", AT(managed_object), STR, 0, 0, "\t tab "},
};

static void
check_good(const struct conf *c, const struct good *g)
{
	const char *p = (const char *)c + g->off;

	switch (g->kind) {
	case I64:
		assert_i64_equal(*(const int64_t *)(const void *)p, g->i);
		break;
	case INT:
		assert_i64_equal(*(const int *)(const void *)p, g->i);
		break;
	case U32:
		assert_i64_equal(*(const uint32_t *)(const void *)p, g->i);
		break;
	case U64:
		assert_i64_equal((int64_t) * (const size_t *)(const void *)p, g->i);
		break;
	case DBL:
		assert_double_exact(*(const double *)(const void *)p, g->d);
		break;
	case STR:
		assert_string_equal(p, g->s);
		break;
	case BOOL:
		assert_i64_equal(*(const bool *)(const void *)p, g->i);
		break;
	}
}

static void
test_good_values(void **state)
{
	struct conf c;
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cw_case = good[i].text;
		int r = parse_str(&c, good[i].text);
		if (c.n_errors)
			print_error("unexpected: %u:%u: %s\n", c.errors[0].line, c.errors[0].col,
			    c.errors[0].msg);
		assert_int_equal(r, 0);
		assert_int_equal(c.n_errors, 0);
		check_good(&c, &good[i]);
		/* the same after other lines, and with a line end */
		snprintf(text, sizeof(text), "# first\n\n%s\n", good[i].text);
		assert_int_equal(parse_str(&c, text), 0);
		check_good(&c, &good[i]);
	}
	cw_case = NULL;
}

/* One text with exactly one error, at line:col. A wrong line changes nothing: after a text of
 * one line the values are still the defaults (unless the line was right and the thresholds'
 * check complains about the value it set). */
static const struct bad {
	const char *text;
	unsigned line, col;
	const char *msg;
} bad[] = {
    /* directives and arguments */
    {"intervall 5s", 1, 1, "unknown directive 'intervall' (did you mean 'interval'?)"},
    {"INTERVL 5s", 1, 1, "unknown directive 'INTERVL' (did you mean 'interval'?)"},
    {"  timout 5s", 1, 3, "unknown directive 'timout' (did you mean 'timeout'?)"},
    {"servce auto", 1, 1, "unknown directive 'servce' (did you mean 'service'?)"},
    {"stat_dir /x", 1, 1, "unknown directive 'stat_dir' (did you mean 'state_dir'?)"},
    {"server ntp.example", 1, 1, "unknown directive 'server'"},
    {"frobnicate 1", 1, 1, "unknown directive 'frobnicate'"},
    {"x", 1, 1, "unknown directive 'x'"},
    {"interval", 1, 1, "interval takes 1 argument (DURATION), got 0"},
    {"interval 5 s", 1, 12, "interval takes 1 argument (DURATION), got 2"},
    {"address a b c", 1, 11, "address takes 1 argument (HOST[:PORT]), got 3"},
    {"service", 1, 1, "service takes 1 argument (chronyd|ntpd|timesyncd|auto), got 0"},
    {"specific_problem LOTC Time", 1, 23, "specific_problem takes 1 argument (TEXT), got 2"},
    {"interval 5s\ninterval 10s", 2, 1, "interval already set on line 1"},
    {"interval 5s\n\nINTERVAL 5s", 3, 1, "interval already set on line 1"},
    /* service */
    {"service chrony", 1, 9, "unknown service 'chrony' (want chronyd, ntpd, timesyncd or auto)"},
    {"service \"\"", 1, 9, "unknown service '' (want chronyd, ntpd, timesyncd or auto)"},
    /* paths */
    {"conf \"\"", 1, 6, "empty path for conf"},
    {"chronyd_socket \"\"", 1, 16, "empty path for chronyd_socket"},
    {"alarm_command bin/alarm", 1, 15, "alarm_command needs an absolute path, got 'bin/alarm'"},
    {"alarm_command \"\"", 1, 15, "empty path for alarm_command"},
    {"state_dir var/lib", 1, 11, "state_dir needs an absolute path, got 'var/lib'"},
    {"state_dir ~/x", 1, 11, "state_dir needs an absolute path, got '~/x'"},
    /* address */
    {"address host:0", 1, 9, "bad address: bad port '0' in 'host:0' (want 1-65535)"},
    {"address host:x", 1, 9, "bad address: bad port 'x' in 'host:x' (want 1-65535)"},
    {"address [::1", 1, 9, "bad address: missing ']' in '[::1'"},
    {"address :123", 1, 9, "bad address: empty host name in ':123'"},
    {"address \"\"", 1, 9, "bad address: empty host name in ''"},
    {"address a/b", 1, 9, "bad address: invalid character in host 'a/b'"},
    /* durations */
    {"interval 0s", 1, 10, "interval 0s out of range (want 1s to 1h)"},
    {"interval 999ms", 1, 10, "interval 999ms out of range (want 1s to 1h)"},
    {"interval 61m", 1, 10, "interval 61m out of range (want 1s to 1h)"},
    {"interval 5x", 1, 10, "bad duration '5x' for interval " DUR_FORMAT},
    {"interval -5s", 1, 10, "bad duration '-5s' for interval " DUR_FORMAT},
    {"interval s", 1, 10, "bad duration 's' for interval " DUR_FORMAT},
    {"interval 5sec", 1, 10, "bad duration '5sec' for interval " DUR_FORMAT},
    {"interval 0x10", 1, 10, "bad duration '0x10' for interval " DUR_FORMAT},
    {"interval \"\"", 1, 10, "bad duration '' for interval " DUR_FORMAT},
    {"interval 1d", 1, 10, "interval 1d out of range (want 1s to 1h)"},
    {"timeout 0", 1, 9, "timeout 0 out of range (want 1ms to 60s)"},
    {"timeout 999us", 1, 9, "timeout 999us out of range (want 1ms to 60s)"},
    {"timeout 61s", 1, 9, "timeout 61s out of range (want 1ms to 60s)"},
    {"grace 2d", 1, 7, "grace 2d out of range (want 0s to 1d)"},
    {"grace soon", 1, 7, "bad duration 'soon' for grace " DUR_FORMAT},
    {"reject_initial 25h", 1, 16, "reject_initial 25h out of range (want 0s to 1d)"},
    {"reject_reselect 1e9h", 1, 17, "reject_reselect 1e9h out of range (want 0s to 1d)"},
    {"clear_delay 3601s", 1, 13, "clear_delay 3601s out of range (want 0s to 1h)"},
    {"retention 59m", 1, 11, "retention 59m out of range (want 1h to 3650d)"},
    {"retention 3651d", 1, 11, "retention 3651d out of range (want 1h to 3650d)"},
    {"retention 999999999999d", 1, 11, "retention 999999999999d out of range (want 1h to 3650d)"},
    {"retention 99999999999999999999h", 1, 11,
        "retention 99999999999999999999h out of range (want 1h to 3650d)"},
    /* the alarm's thresholds */
    {"critical_offset 0", 1, 17, "critical_offset 0 out of range (want more than 0s)"},
    {"critical_offset 0.1ns", 1, 17, "critical_offset 0.1ns out of range (want more than 0s)"},
    {"critical_offset ten", 1, 17, "bad duration 'ten' for critical_offset " DUR_FORMAT},
    {"panic_offset 0ms", 1, 14, "panic_offset 0ms out of range (want more than 0s)"},
    {"panic_offset 10s", 1, 14, "panic_offset (10 s) must be more than critical_offset (10 s)"},
    {"critical_offset 1000s", 1, 17,
        "panic_offset (1000 s) must be more than critical_offset (1000 s)"},
    {"panic_offset 5s\ncritical_offset 6s", 1, 14,
        "panic_offset (5 s) must be more than critical_offset (6 s)"},
    {"critical_offset 1h\n# panic_offset stays at 1000 s", 1, 17,
        "panic_offset (1000 s) must be more than critical_offset (3600 s)"},
    /* numbers */
    {"major_type -1", 1, 12, "bad major_type '-1' (want an integer from 0 to 4294967295)"},
    {"major_type 4294967296", 1, 12,
        "bad major_type '4294967296' (want an integer from 0 to 4294967295)"},
    {"minor_type 99999999999999999999999", 1, 12,
        "bad minor_type '99999999999999999999999' (want an integer from 0 to 4294967295)"},
    {"minor_type +1", 1, 12, "bad minor_type '+1' (want an integer from 0 to 4294967295)"},
    {"minor_type 0x10", 1, 12, "bad minor_type '0x10' (want an integer from 0 to 4294967295)"},
    {"minor_type \"\"", 1, 12, "bad minor_type '' (want an integer from 0 to 4294967295)"},
    {"event_type 256", 1, 12, "bad event_type '256' (want an integer from 0 to 255)"},
    {"event_type 1.0", 1, 12, "bad event_type '1.0' (want an integer from 0 to 255)"},
    /* HTTP and Alertmanager */
    {"http_max_connections 0", 1, 22,
        "bad http_max_connections '0' (want an integer from 1 to 1024)"},
    {"http_max_connections 1025", 1, 22,
        "bad http_max_connections '1025' (want an integer from 1 to 1024)"},
    {"http_max_connections -1", 1, 22,
        "bad http_max_connections '-1' (want an integer from 1 to 1024)"},
    {"http_max_connections 64k", 1, 22,
        "bad http_max_connections '64k' (want an integer from 1 to 1024)"},
    {"http_per_ip_connections 0", 1, 25,
        "bad http_per_ip_connections '0' (want an integer from 1 to 1024)"},
    {"http_per_ip_connections 99999999999", 1, 25,
        "bad http_per_ip_connections '99999999999' (want an integer from 1 to 1024)"},
    {"http_timeout 999ms", 1, 14, "http_timeout 999ms out of range (want 1s to 300s)"},
    {"http_timeout 0", 1, 14, "http_timeout 0 out of range (want 1s to 300s)"},
    {"http_timeout 6m", 1, 14, "http_timeout 6m out of range (want 1s to 300s)"},
    {"http_timeout soon", 1, 14, "bad duration 'soon' for http_timeout " DUR_FORMAT},
    {"http_max_connections 8\nhttp_max_connections 9", 2, 1,
        "http_max_connections already set on line 1"},
    {"node_name \"\"", 1, 11, "empty node_name"},
    {"node_name a b", 1, 13, "node_name takes 1 argument (NAME), got 2"},
    {"alertmanager_resend 9s", 1, 21, "alertmanager_resend 9s out of range (want 10s to 1h)"},
    {"alertmanager_resend 61m", 1, 21, "alertmanager_resend 61m out of range (want 10s to 1h)"},
    {"alertmanager_resend 1m\nalertmanager_resend 2m", 2, 1,
        "alertmanager_resend already set on line 1"},
    {"node a 10.0.0.1\nnode a 10.0.0.2", 2, 6, "node a given twice"},
    {"node a/b 10.0.0.1", 1, 7, "node name: letters, digits, '-', '_' and '.' only"},
    {"node a 10.0.0.1 boss", 1, 17, "unknown node role 'boss' (want control or payload)"},
    {"node a", 1, 1, "node takes 2 to 3 arguments (NAME ADDR[:PORT] [control|payload]), got 1"},
    {"node a 10.0.0.1:99999", 1, 8,
        "bad node address: bad port '99999' in '10.0.0.1:99999' (want 1-65535)"},
    {"cluster_threshold 0s", 1, 19, "cluster_threshold 0s out of range (want more than 0s)"},
    {"responder_rate 0", 1, 16, "bad responder_rate '0' (want an integer from 1 to 1000)"},
    {"seccomp yes", 1, 9, "seccomp takes on or off, not 'yes'"},
    {"alertmanager_url ftp://am", 1, 18,
        "alertmanager_url wants http://HOST[:PORT][/PATH] or https://..., got 'ftp://am'"},
    {"alertmanager_url http://", 1, 18,
        "alertmanager_url wants http://HOST[:PORT][/PATH] or https://..., got 'http://'"},
    {"alertmanager_url https://", 1, 18,
        "alertmanager_url wants http://HOST[:PORT][/PATH] or https://..., got 'https://'"},
    {"alertmanager_url http:///alerts", 1, 18,
        "alertmanager_url wants http://HOST[:PORT][/PATH] or https://..., got 'http:///alerts'"},
    {"alertmanager_url am:9093", 1, 18,
        "alertmanager_url wants http://HOST[:PORT][/PATH] or https://..., got 'am:9093'"},
    {"alertmanager_url http:/am", 1, 18,
        "alertmanager_url wants http://HOST[:PORT][/PATH] or https://..., got 'http:/am'"},
    {"alertmanager_url \"\"", 1, 18,
        "alertmanager_url wants http://HOST[:PORT][/PATH] or https://..., got ''"},
    {"alertmanager_url \"http://a b\"", 1, 18,
        "alertmanager_url: no blanks, quotes or backslashes in a URL"},
    {"alertmanager_url \"http://a\tb\"", 1, 18,
        "alertmanager_url: no blanks, quotes or backslashes in a URL"},
    {"alertmanager_url \"http://a\\\"b\"", 1, 18,
        "alertmanager_url: no blanks, quotes or backslashes in a URL"},
    {"alertmanager_url http://a\\b", 1, 18,
        "alertmanager_url: no blanks, quotes or backslashes in a URL"},
    {"alertmanager_url http://am http://am2", 1, 28,
        "alertmanager_url takes 1 argument (URL), got 2"},
    {"alertmanager_url", 1, 1, "alertmanager_url takes 1 argument (URL), got 0"},
    /* text */
    {"managed_object \"\"", 1, 16, "empty managed_object"},
    {"specific_problem \"\"", 1, 18, "empty specific_problem"},
    /* splitting into words */
    {"specific_problem \"LOTC Time", 1, 18, "unterminated quoted string"},
    {"specific_problem \"ends in a backslash\\", 1, 18, "unterminated quoted string"},
    {"specific_problem \"a\\nb\"", 1, 20, "bad escape '\\n' in quoted string (only \\\" and \\\\)"},
    {"specific_problem \"a\\\xc3\xa9\"", 1, 20,
        "bad escape '\\xc3' in quoted string (only \\\" and \\\\)"},
    {"specific_problem \"a\"b", 1, 21, "no blank after closing quote"},
    {"specific_problem a\"b\"", 1, 19, "'\"' inside a word (quote the whole word)"},
    {"interval 5s\x1b[31m", 1, 12, "control character 0x1b"},
    {"# a comment with a bell \a", 1, 25, "control character 0x07"},
    {"interval\v5s", 1, 9, "control character 0x0b"},
    {"interval 5s\x7f", 1, 12, "control character 0x7f"},
    {"interval 5s\r\r", 1, 12, "control character 0x0d"},
};

static void
test_bad_values(void **state)
{
	struct conf want, c;
	char buf[300];

	(void)state;
	conf_defaults(&want, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cw_case = bad[i].text;
		int r = parse_str(&c, bad[i].text);
		if (c.n_errors != 1 || strcmp(c.errors[0].msg, bad[i].msg))
			for (size_t k = 0; k < c.n_errors; k++)
				print_message("# %u:%u: %s\n", c.errors[k].line, c.errors[k].col,
				    c.errors[k].msg);
		assert_int_equal(r, -EINVAL);
		assert_true(c.n_errors >= 1);
		assert_string_equal(c.errors[0].msg, bad[i].msg);
		assert_int_equal(c.errors[0].line, bad[i].line);
		assert_int_equal(c.errors[0].col, bad[i].col);
		assert_int_equal(c.n_errors, 1);
		conf_format_error(&c, 0, "t.conf", buf, sizeof(buf));
		char want_line[300];
		snprintf(want_line, sizeof(want_line), "t.conf:%u:%u: %s", bad[i].line, bad[i].col,
		    bad[i].msg);
		assert_string_equal(buf, want_line);
		if (!strstr(bad[i].msg, "must be more than") && !strstr(bad[i].text, "\n"))
			assert_memory_equal(&c, &want, VALUES_LEN);
	}
	cw_case = NULL;
}

/* A file with good and bad lines: the good ones take effect, each bad one is reported in
 * order, the first of two alike is kept. */
static void
test_mixed_file(void **state)
{
	static const char text[] = "# clockwatch.conf\n"
	                           "service ntpd\n"
	                           "interval 10s\n"
	                           "timeout 5 # seconds\n"
	                           "intreval 20s\n"
	                           "\tinterval 20s\n"
	                           "address 127.0.0.1:0\n"
	                           "address 127.0.0.1:123\n"
	                           "managed_object \"Node 7\"  # the node\n"
	                           "panic_offset 8s\n"
	                           "critical_offset 9s\n"
	                           "retention 90d";
	struct conf c;

	(void)state;
	assert_int_equal(parse_str(&c, text), -EINVAL);
	assert_int_equal(c.service, 1);
	assert_i64_equal(c.interval_ns, 10 * S_NS);
	assert_i64_equal(c.timeout_ns, 5 * S_NS);
	assert_string_equal(c.address, "");
	assert_string_equal(c.managed_object, "Node 7");
	assert_double_exact(c.panic_s, 8.0);
	assert_double_exact(c.critical_s, 9.0);
	assert_i64_equal(c.retention_ns, 90 * D_NS);

	static const struct bad want[] = {
	    {NULL, 5, 1, "unknown directive 'intreval' (did you mean 'interval'?)"},
	    {NULL, 6, 2, "interval already set on line 3"},
	    {NULL, 7, 9, "bad address: bad port '0' in '127.0.0.1:0' (want 1-65535)"},
	    {NULL, 8, 1, "address already set on line 7"},
	    {NULL, 10, 14, "panic_offset (8 s) must be more than critical_offset (9 s)"},
	};
	assert_int_equal(c.n_errors, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < c.n_errors; i++) {
		cw_case = want[i].msg;
		assert_string_equal(c.errors[i].msg, want[i].msg);
		assert_int_equal(c.errors[i].line, want[i].line);
		assert_int_equal(c.errors[i].col, want[i].col);
	}
	cw_case = NULL;

	/* a wrong line still claims its directive: one line per directive, right or wrong */
	assert_int_equal(parse_str(&c, "interval\ninterval 5s\n"), -EINVAL);
	assert_int_equal(c.n_errors, 2);
	assert_string_equal(c.errors[0].msg, "interval takes 1 argument (DURATION), got 0");
	assert_string_equal(c.errors[1].msg, "interval already set on line 1");
	assert_i64_equal(c.interval_ns, 30 * S_NS);

	/* a panic_offset line that is wrong still places the check of the thresholds */
	assert_int_equal(parse_str(&c, "panic_offset\ncritical_offset 2000s\n"), -EINVAL);
	assert_int_equal(c.n_errors, 2);
	assert_string_equal(c.errors[0].msg, "panic_offset takes 1 argument (DURATION), got 0");
	assert_string_equal(c.errors[1].msg,
	    "panic_offset (1000 s) must be more than critical_offset (2000 s)");
	assert_int_equal(c.errors[1].line, 1);
	assert_int_equal(c.errors[1].col, 1);
}

static void
test_bounds(void **state)
{
	static char text[2 * CONF_MAX_LINE + 200];
	struct conf c;
	size_t o;

	(void)state;

	/* the longest line is fine, one more byte is not; the line after still counts */
	o = (size_t)sprintf(text, "managed_object ");
	memset(text + o, 'x', CONF_MAX_LINE - o);
	o = CONF_MAX_LINE;
	text[o++] = '\n';
	memset(text + o, ' ', CONF_MAX_LINE + 1);
	o += CONF_MAX_LINE + 1;
	static const char tail[] = "\ninterval 7s\nevent_type 1\0\nevent_type 2\n";
	memcpy(text + o, tail, sizeof(tail) - 1);
	o += sizeof(tail) - 1;
	conf_defaults(&c, NULL);
	assert_int_equal(conf_parse(&c, text, o), -EINVAL);
	assert_int_equal(c.n_errors, 3);
	assert_string_equal(c.errors[0].msg, "managed_object too long (4081 bytes, at most 127)");
	assert_int_equal(c.errors[0].line, 1);
	assert_int_equal(c.errors[0].col, 16);
	assert_string_equal(c.errors[1].msg, "line too long (4097 bytes, at most 4096)");
	assert_int_equal(c.errors[1].line, 2);
	assert_int_equal(c.errors[1].col, 1);
	assert_string_equal(c.errors[2].msg, "NUL byte");
	assert_int_equal(c.errors[2].line, 4);
	assert_int_equal(c.errors[2].col, 13);
	assert_i64_equal(c.interval_ns, 7 * S_NS);
	assert_int_equal(c.event_type, 2);

	/* a path just fits, one byte more does not */
	o = (size_t)sprintf(text, "conf /");
	memset(text + o, 'p', CONF_PATH_MAX - 2);
	o += CONF_PATH_MAX - 2;
	text[o] = '\0';
	assert_int_equal(parse_str(&c, text), 0);
	assert_int_equal(strlen(c.daemon_conf), CONF_PATH_MAX - 1);
	text[o++] = 'p';
	text[o] = '\0';
	assert_int_equal(parse_str(&c, text), -EINVAL);
	assert_string_equal(c.errors[0].msg, "path for conf too long (1024 bytes, at most 1023)");
	assert_string_equal(c.daemon_conf, "");

	/* an address can be a good host:port and still not fit */
	o = (size_t)sprintf(text, "address ");
	memset(text + o, 'h', 253);
	sprintf(text + o + 253, ":65535");
	assert_int_equal(parse_str(&c, text), -EINVAL);
	assert_string_equal(c.errors[0].msg, "address too long (259 bytes, at most 255)");

	/* many words on one line */
	o = (size_t)sprintf(text, "interval");
	for (int i = 0; i < 100; i++)
		o += (size_t)sprintf(text + o, " 1s");
	assert_int_equal(parse_str(&c, text), -EINVAL);
	assert_string_equal(c.errors[0].msg, "interval takes 1 argument (DURATION), got 100");
	assert_int_equal(c.errors[0].col, 13);

	/* errors beyond CONF_MAX_ERRORS are dropped, the lines after them still count */
	o = 0;
	for (int i = 0; i < CONF_MAX_ERRORS + 10; i++)
		o += (size_t)sprintf(text + o, "bogus%d\n", i);
	o += (size_t)sprintf(text + o, "interval 9s\n");
	conf_defaults(&c, NULL);
	assert_int_equal(conf_parse(&c, text, o), -EINVAL);
	assert_int_equal(c.n_errors, CONF_MAX_ERRORS);
	assert_int_equal(c.errors[CONF_MAX_ERRORS - 1].line, CONF_MAX_ERRORS);
	assert_i64_equal(c.interval_ns, 9 * S_NS);

	/* the text is not a C string: nothing past len is read, a last line needs no newline */
	static const char cut[] = {'t', 'i', 'm', 'e', 'o', 'u', 't', ' ', '2', 's', 'X'};
	conf_defaults(&c, NULL);
	assert_int_equal(conf_parse(&c, cut, sizeof(cut) - 1), 0);
	assert_i64_equal(c.timeout_ns, 2 * S_NS);
}

static void
test_format_error(void **state)
{
	struct conf c;
	char buf[64];

	(void)state;
	assert_int_equal(parse_str(&c, "\n\n  interval 0s\n"), -EINVAL);
	conf_format_error(&c, 0, "/etc/clockwatch.conf", buf, sizeof(buf));
	assert_string_equal(buf, "/etc/clockwatch.conf:3:12: interval 0s out of range (want 1s to");
	conf_format_error(&c, 1, "x", buf, sizeof(buf));
	assert_string_equal(buf, "");
	memset(buf, 'z', sizeof(buf));
	conf_format_error(&c, 0, "x", buf, 5);
	assert_string_equal(buf, "x:3:");
	assert_int_equal(buf[5], 'z');
	conf_format_error(&c, 0, "x", buf, 0);
	assert_int_equal(buf[0], 'x');
}

/* Parsing twice: the second text goes over the first one's values (the caller's drop-ins),
 * and "already set" is about one text only. */
static void
test_parse_over(void **state)
{
	struct conf c;

	(void)state;
	conf_defaults(&c, NULL);
	assert_int_equal(conf_parse(&c, "interval 5s\ncritical_offset 1s\n", 31), 0);
	assert_int_equal(conf_parse(&c, "interval 6s\n", 12), 0);
	assert_i64_equal(c.interval_ns, 6 * S_NS);
	assert_double_exact(c.critical_s, 1.0);
	assert_int_equal(conf_parse(&c, "panic_offset 1s\n", 16), -EINVAL);
	assert_int_equal(c.n_errors, 1);
	assert_string_equal(c.errors[0].msg,
	    "panic_offset (1 s) must be more than critical_offset (1 s)");
	assert_int_equal(c.errors[0].line, 1);
	assert_int_equal(c.errors[0].col, 14);

	/* neither threshold in the text, yet they disagree (set by the caller): line 0 */
	conf_defaults(&c, NULL);
	c.panic_s = 1.0;
	assert_int_equal(conf_parse(&c, "", 0), -EINVAL);
	assert_int_equal(c.errors[0].line, 0);
	assert_int_equal(c.errors[0].col, 0);
}

/* One text and every error it gives, in order. */
struct errs {
	const char *text;
	int r;
	struct {
		unsigned line, col;
		const char *msg;
	} e[3];
};

static void
check_errs(struct conf *c, const struct errs *w)
{
	size_t n = 0;

	cw_case = w->text;
	int r = parse_str(c, w->text);
	while (n < CW_ARRAY_LEN(w->e) && w->e[n].msg)
		n++;
	if (c->n_errors != n)
		for (size_t k = 0; k < c->n_errors; k++)
			print_message("# %u:%u: %s\n", c->errors[k].line, c->errors[k].col,
			    c->errors[k].msg);
	assert_int_equal(r, w->r);
	assert_int_equal(c->n_errors, n);
	for (size_t k = 0; k < n; k++) {
		assert_string_equal(c->errors[k].msg, w->e[k].msg);
		assert_int_equal(c->errors[k].line, w->e[k].line);
		assert_int_equal(c->errors[k].col, w->e[k].col);
	}
}

#define NUMERIC "http_listen wants a numeric address (127.0.0.1, ::1, 0.0.0.0, ::), got "
#define OFF_WITH "http_listen off cannot go with other http_listen lines"

/* http_listen: repeatable; the first line replaces the default, the others add, up to four;
 * "off" only alone; numeric addresses only. */
static void
test_http_listen(void **state)
{
	static const struct {
		const char *text;
		size_t n;
		const char *want[CONF_HTTP_LISTEN_MAX];
	} listens[] = {
	    {"", 1, {"127.0.0.1:10123"}},
	    {"http_listen 192.0.2.1", 1, {"192.0.2.1:10123"}},
	    {"http_listen 127.0.0.1:10123", 1, {"127.0.0.1:10123"}},
	    {"http_listen 192.0.2.1\nhttp_listen [::1]:9999\n", 2,
	        {"192.0.2.1:10123", "[::1]:9999"}},
	    {"http_listen ::1\n# and\n\nHTTP_LISTEN 127.0.0.1:1\nhttp_listen 0.0.0.0:2\n"
	     "http_listen [::]:3",
	        4, {"[::1]:10123", "127.0.0.1:1", "0.0.0.0:2", "[::]:3"}},
	    {"http_listen 127.0.0.1\nhttp_listen 127.0.0.1", 2,
	        {"127.0.0.1:10123", "127.0.0.1:10123"}},
	    {"http_listen off", 0, {NULL}},
	    {"interval 5s\nhttp_listen Off\ntimeout 2s", 0, {NULL}},
	};
	static const struct errs wrong[] = {
	    /* names, not addresses */
	    {"http_listen localhost", -EINVAL, {{1, 13, NUMERIC "'localhost'"}}},
	    {"http_listen localhost:8080", -EINVAL, {{1, 13, NUMERIC "'localhost'"}}},
	    {"http_listen [localhost]:8080", -EINVAL, {{1, 13, NUMERIC "'localhost'"}}},
	    {"http_listen 127.1", -EINVAL, {{1, 13, NUMERIC "'127.1'"}}},
	    {"http_listen 256.0.0.1", -EINVAL, {{1, 13, NUMERIC "'256.0.0.1'"}}},
	    {"http_listen fe80::1%eth0", -EINVAL, {{1, 13, NUMERIC "'fe80::1%eth0'"}}},
	    {"http_listen [::1]:0", -EINVAL,
	        {{1, 13, "bad http_listen address: bad port '0' in '[::1]:0' (want 1-65535)"}}},
	    {"http_listen 127.0.0.1:65536", -EINVAL,
	        {{1, 13,
	            "bad http_listen address: bad port '65536' in '127.0.0.1:65536' (want "
	            "1-65535)"}}},
	    {"http_listen [::1", -EINVAL,
	        {{1, 13, "bad http_listen address: missing ']' in '[::1'"}}},
	    {"http_listen \"\"", -EINVAL,
	        {{1, 13, "bad http_listen address: empty host name in ''"}}},
	    {"http_listen", -EINVAL,
	        {{1, 1, "http_listen takes 1 argument (ADDR[:PORT]|off), got 0"}}},
	    {"http_listen 127.0.0.1 8080", -EINVAL,
	        {{1, 23, "http_listen takes 1 argument (ADDR[:PORT]|off), got 2"}}},
	    /* off goes alone */
	    {"http_listen off\nhttp_listen 127.0.0.1", -EINVAL, {{2, 13, OFF_WITH}}},
	    {"http_listen 127.0.0.1\nhttp_listen off", -EINVAL, {{2, 13, OFF_WITH}}},
	    {"http_listen off\nhttp_listen off", -EINVAL, {{2, 13, OFF_WITH}}},
	    {"http_listen off\n\n  http_listen localhost", -EINVAL, {{3, 15, OFF_WITH}}},
	    /* at most four */
	    {"http_listen 127.0.0.1:1\nhttp_listen 127.0.0.1:2\nhttp_listen 127.0.0.1:3\n"
	     "http_listen 127.0.0.1:4\nhttp_listen 127.0.0.1:5\nhttp_listen [::1]:6\n",
	        -EINVAL,
	        {{5, 13, "too many http_listen lines (at most 4)"},
	            {6, 13, "too many http_listen lines (at most 4)"}}},
	};
	struct conf c;

	(void)state;
	for (size_t i = 0; i < CW_ARRAY_LEN(listens); i++) {
		cw_case = listens[i].text;
		assert_int_equal(parse_str(&c, listens[i].text), 0);
		assert_int_equal(c.n_http_listen, listens[i].n);
		for (size_t k = 0; k < listens[i].n; k++)
			assert_string_equal(c.http_listen[k], listens[i].want[k]);
	}
	for (size_t i = 0; i < CW_ARRAY_LEN(wrong); i++)
		check_errs(&c, &wrong[i]);
	cw_case = NULL;

	/* the lines that were right still count; "off" alone in one text, a later text (a
	 * drop-in) replaces the list again */
	assert_int_equal(parse_str(&c,
	                     "http_listen 192.0.2.1\nhttp_listen localhost\n"
	                     "http_listen 192.0.2.2:80\n"),
	    -EINVAL);
	assert_int_equal(c.n_http_listen, 2);
	assert_string_equal(c.http_listen[1], "192.0.2.2:80");
	assert_int_equal(parse_str(&c,
	                     "http_listen 127.0.0.1:1\nhttp_listen 127.0.0.1:2\n"
	                     "http_listen 127.0.0.1:3\nhttp_listen 127.0.0.1:4\n"
	                     "http_listen 127.0.0.1:5\n"),
	    -EINVAL);
	assert_int_equal(c.n_http_listen, 4);
	assert_string_equal(c.http_listen[3], "127.0.0.1:4");
	conf_defaults(&c, NULL);
	assert_int_equal(conf_parse(&c, "http_listen 192.0.2.1\nhttp_listen 192.0.2.2\n", 44), 0);
	assert_int_equal(conf_parse(&c, "http_listen off\n", 16), 0);
	assert_int_equal(c.n_http_listen, 0);
	assert_int_equal(conf_parse(&c, "http_listen [::1]\n", 18), 0);
	assert_int_equal(c.n_http_listen, 1);
	assert_string_equal(c.http_listen[0], "[::1]:10123");
	/* the longest address fits its field */
	assert_int_equal(parse_str(&c,
	                     "http_listen [ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:"
	                     "65535"),
	    0);
	assert_string_equal(c.http_listen[0],
	    "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535");
}

/* alertmanager_url: repeatable, each line adds, up to four; the longest that fits. */
static void
test_alertmanager_url(void **state)
{
	static const struct errs wrong[] = {
	    {"alertmanager_url http://a\nalertmanager_url http://b\nalertmanager_url http://c\n"
	     "alertmanager_url http://d\nalertmanager_url http://e",
	        -EINVAL, {{5, 18, "too many alertmanager_url lines (at most 4)"}}},
	};
	char text[600];
	struct conf c;

	(void)state;
	assert_int_equal(parse_str(&c,
	                     "alertmanager_url http://a:9093\n"
	                     "alertmanager_url https://b/api/v2/alerts\n"
	                     "alertmanager_url http://a:9093\n"),
	    0);
	assert_int_equal(c.n_alertmanager_url, 3);
	assert_string_equal(c.alertmanager_url[0], "http://a:9093");
	assert_string_equal(c.alertmanager_url[1], "https://b/api/v2/alerts");
	assert_string_equal(c.alertmanager_url[2], "http://a:9093");
	check_errs(&c, &wrong[0]);
	assert_int_equal(c.n_alertmanager_url, 4);
	assert_string_equal(c.alertmanager_url[3], "http://d");
	/* a bad line in between adds nothing */
	assert_int_equal(parse_str(&c,
	                     "alertmanager_url http://a\nalertmanager_url ftp://b\n"
	                     "alertmanager_url http://c\n"),
	    -EINVAL);
	assert_int_equal(c.n_alertmanager_url, 2);
	assert_string_equal(c.alertmanager_url[1], "http://c");
	/* a drop-in adds to the list */
	conf_defaults(&c, NULL);
	assert_int_equal(conf_parse(&c, "alertmanager_url http://a\n", 26), 0);
	assert_int_equal(conf_parse(&c, "alertmanager_url http://b\n", 26), 0);
	assert_int_equal(c.n_alertmanager_url, 2);

	/* 255 bytes fit, 256 do not */
	size_t o = (size_t)sprintf(text, "alertmanager_url http://");
	memset(text + o, 'h', 255 - 7);
	text[o + 255 - 7] = '\0';
	assert_int_equal(parse_str(&c, text), 0);
	assert_int_equal(strlen(c.alertmanager_url[0]), 255);
	text[o + 255 - 7] = 'h';
	text[o + 256 - 7] = '\0';
	assert_int_equal(parse_str(&c, text), -EINVAL);
	assert_string_equal(c.errors[0].msg, "alertmanager_url too long (256 bytes, at most 255)");
	assert_int_equal(c.errors[0].col, 18);
	assert_int_equal(c.n_alertmanager_url, 0);
}

/* Directives that go in pairs: the error is on the line of the one given, at its argument,
 * after the errors of the lines. */
static void
test_pairs(void **state)
{
	static const struct errs cases[] = {
	    {"http_tls_cert /etc/c.pem\nhttp_tls_key /etc/k.pem", 0, {{0, 0, NULL}}},
	    {"http_user prometheus\nhttp_password_file /etc/pw", 0, {{0, 0, NULL}}},
	    {"http_tls_key /k\nhttp_tls_cert /c\nhttp_password_file /p\nhttp_user u", 0,
	        {{0, 0, NULL}}},
	    {"http_tls_cert /etc/c.pem", -EINVAL,
	        {{1, 15, "http_tls_cert needs http_tls_key too"}}},
	    {"\n  http_tls_key  /etc/k.pem", -EINVAL,
	        {{2, 17, "http_tls_key needs http_tls_cert too"}}},
	    {"http_user prometheus", -EINVAL, {{1, 11, "http_user needs http_password_file too"}}},
	    {"# x\nhttp_password_file /etc/pw", -EINVAL,
	        {{2, 20, "http_password_file needs http_user too"}}},
	    {"http_tls_cert /c\nhttp_user u", -EINVAL,
	        {{1, 15, "http_tls_cert needs http_tls_key too"},
	            {2, 11, "http_user needs http_password_file too"}}},
	    /* a wrong line still counts as given */
	    {"http_tls_cert c.pem\nhttp_tls_key /k", -EINVAL,
	        {{1, 15, "http_tls_cert needs an absolute path, got 'c.pem'"}}},
	    {"http_tls_cert c.pem", -EINVAL,
	        {{1, 15, "http_tls_cert needs an absolute path, got 'c.pem'"},
	            {1, 15, "http_tls_cert needs http_tls_key too"}}},
	    {"http_user \"\"\ninterval 5s", -EINVAL,
	        {{1, 11, "empty http_user"}, {1, 11, "http_user needs http_password_file too"}}},
	    {"http_tls_key", -EINVAL,
	        {{1, 1, "http_tls_key takes 1 argument (PATH), got 0"},
	            {1, 1, "http_tls_key needs http_tls_cert too"}}},
	    {"http_tls_cert /c\nhttp_tls_key /k\nhttp_tls_cert /d", -EINVAL,
	        {{3, 1, "http_tls_cert already set on line 1"}}},
	    {"http_password_file pw\nhttp_user u", -EINVAL,
	        {{1, 20, "http_password_file needs an absolute path, got 'pw'"}}},
	};
	struct conf c;

	(void)state;
	for (size_t i = 0; i < CW_ARRAY_LEN(cases); i++)
		check_errs(&c, &cases[i]);
	cw_case = NULL;
	assert_int_equal(parse_str(&c, cases[2].text), 0);
	assert_string_equal(c.http_tls_cert, "/c");
	assert_string_equal(c.http_tls_key, "/k");
	assert_string_equal(c.http_user, "u");
	assert_string_equal(c.http_password_file, "/p");

	/* the check is per text: a pair split over two texts is refused in each */
	conf_defaults(&c, NULL);
	assert_int_equal(conf_parse(&c, "http_tls_cert /c\n", 17), -EINVAL);
	assert_int_equal(conf_parse(&c, "http_tls_key /k\n", 16), -EINVAL);
	assert_int_equal(c.n_errors, 2); /* the list goes on over texts */
	assert_string_equal(c.errors[1].msg, "http_tls_key needs http_tls_cert too");

	/* the fields' bounds */
	char text[300];
	size_t o = (size_t)sprintf(text, "http_user ");
	memset(text + o, 'u', 64);
	text[o + 64] = '\0';
	o += 64;
	sprintf(text + o, "\nhttp_password_file /p");
	assert_int_equal(parse_str(&c, text), -EINVAL);
	assert_int_equal(c.n_errors, 1);
	assert_string_equal(c.errors[0].msg, "http_user too long (64 bytes, at most 63)");
	o = (size_t)sprintf(text, "node_name ");
	memset(text + o, 'n', 128);
	text[o + 128] = '\0';
	assert_int_equal(parse_str(&c, text), -EINVAL);
	assert_string_equal(c.errors[0].msg, "node_name too long (128 bytes, at most 127)");
	text[o + 127] = '\0';
	assert_int_equal(parse_str(&c, text), 0);
	assert_int_equal(strlen(c.node_name), 127);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(65536);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 65535, f);
	assert_true(feof(f));
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

/* dist/clockwatch.conf: parses clean as shipped, and with every directive uncommented, where
 * each one shows its default (or, with no default, an example). */
static void
test_dist_example(void **state)
{
	struct conf want, c;
	size_t len;
	char *text = read_file(CW_DIST_DIR "/clockwatch.conf", &len);
	char *out = malloc(len + 1);
	size_t o = 0;
	int n_directives = 0;

	(void)state;
	assert_non_null(out);
	conf_defaults(&want, NULL);
	conf_defaults(&c, NULL);
	assert_int_equal(conf_parse(&c, text, len), 0);
	assert_memory_equal(&c, &want, VALUES_LEN);

	/* "#interval 30s" -> "interval 30s"; "# text" stays a comment */
	for (size_t i = 0; i < len; i++) {
		bool bol = i == 0 || text[i - 1] == '\n';
		if (bol && text[i] == '#' && i + 1 < len && text[i + 1] >= 'a' &&
		    text[i + 1] <= 'z') {
			n_directives++;
			continue;
		}
		out[o++] = text[i];
	}
	/* every directive of clockwatch.conf(5), http_listen twice */
	assert_int_equal(n_directives, 32);
	conf_defaults(&c, NULL);
	int r = conf_parse(&c, out, o);
	for (size_t k = 0; k < c.n_errors; k++)
		print_error("%u:%u: %s\n", c.errors[k].line, c.errors[k].col, c.errors[k].msg);
	assert_int_equal(r, 0);
	/* the examples of directives without a default */
	assert_string_equal(c.daemon_conf, "/etc/chrony/chrony.conf");
	assert_string_equal(c.chronyd_socket, "/run/chrony/chronyd.sock");
	assert_string_equal(c.address, "127.0.0.1:323");
	assert_string_equal(c.alarm_command, "/usr/local/libexec/clockwatch-alarm");
	memset(c.daemon_conf, 0, sizeof(c.daemon_conf));
	memset(c.chronyd_socket, 0, sizeof(c.chronyd_socket));
	memset(c.address, 0, sizeof(c.address));
	memset(c.alarm_command, 0, sizeof(c.alarm_command));
	assert_int_equal(c.n_http_listen, 2);
	assert_string_equal(c.http_listen[0], "127.0.0.1:10123");
	assert_string_equal(c.http_listen[1], "[::1]:10123");
	assert_string_equal(c.http_tls_cert, "/etc/clockwatch/tls/cert.pem");
	assert_string_equal(c.http_tls_key, "/etc/clockwatch/tls/key.pem");
	assert_string_equal(c.http_user, "prometheus");
	assert_string_equal(c.http_password_file, "/etc/clockwatch/http-password");
	assert_string_equal(c.node_name, "db1");
	assert_int_equal(c.n_alertmanager_url, 1);
	assert_string_equal(c.alertmanager_url[0], "http://alertmanager.example:9093");
	memset(c.http_listen[1], 0, sizeof(c.http_listen[1]));
	c.n_http_listen = 1;
	memset(c.http_tls_cert, 0, sizeof(c.http_tls_cert));
	memset(c.http_tls_key, 0, sizeof(c.http_tls_key));
	memset(c.http_user, 0, sizeof(c.http_user));
	memset(c.http_password_file, 0, sizeof(c.http_password_file));
	memset(c.node_name, 0, sizeof(c.node_name));
	memset(c.alertmanager_url[0], 0, sizeof(c.alertmanager_url[0]));
	c.n_alertmanager_url = 0;
	assert_memory_equal(&c, &want, VALUES_LEN); /* and all the rest at their defaults */
	free(out);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_nothing_set),
	    cmocka_unit_test(test_good_values),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_mixed_file),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_format_error),
	    cmocka_unit_test(test_parse_over),
	    cmocka_unit_test(test_http_listen),
	    cmocka_unit_test(test_alertmanager_url),
	    cmocka_unit_test(test_pairs),
	    cmocka_unit_test(test_dist_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
