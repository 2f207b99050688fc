/* test_out_metrics.c: /metrics in both formats. The agent's own families are compared whole,
 * line for line; a snapshot built by hand checks the host, kernel and source families line by
 * line (label escaping, NAN left out, integers without decimals, the tally words). Every output
 * also passes a structure check: HELP then TYPE once per family, each sample named after its
 * family as the format wants, no NaN, "# EOF" last in OpenMetrics only. Then the Accept header
 * parser, with Prometheus' own default header. */
#include "config.h"

#include <stdlib.h>

#include "alarm.h"
#include "buf.h"
#include "cw_test.h"
#include "out_metrics.h"
#include "snapshot.h"

/* Prometheus 2.x/3.x's default scrape Accept header (scrape_protocols: OpenMetricsText1.0.0,
 * OpenMetricsText0.0.1, PrometheusText0.0.4). */
#define PROM_ACCEPT                                                                                \
	"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"   \
	"q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

static struct metrics_agent
agent(void)
{
	return (struct metrics_agent){
	    .version = "1.2.3",
	    .node = "node-1",
	    .alarm_severity = ALARM_MAJOR,
	    .alarm_text = "off by \"12 s\" \\ now\nsecond line",
	    .alarm_events = 7,
	    .checks = 42,
	    .probe_errors = 1,
	    .store_errors = 0,
	    .am_pushes = 5,
	    .am_push_errors = 2,
	    .store_up = true,
	    .check_duration_s = 0.25,
	    .interval_s = 30,
	    .last_check_s = 1763772000.5,
	    .start_time_s = 1763770000,
	    .cpu_s = 1.5,
	    .rss_bytes = 12345678,
	};
}

/* Whether name ends with suffix. */
static bool
ends_with(const char *name, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(name + n - k, suffix, k);
}

/* The families seen so far, to check that each comes once. */
struct families {
	char name[64][96];
	size_t n;
};

static void
new_family(struct families *f, const char *name, size_t n)
{
	assert_true(n > 0 && n < sizeof(f->name[0]));
	for (size_t i = 0; i < f->n; i++)
		if (strlen(f->name[i]) == n && !memcmp(f->name[i], name, n))
			fail_msg("family %.*s twice", (int)n, name);
	assert_true(f->n < CW_ARRAY_LEN(f->name));
	memcpy(f->name[f->n], name, n);
	f->name[f->n++][n] = '\0';
}

/* A sample's name as its family's type wants it in the format. */
static void
check_sample_name(const char *fam, const char *type, const char *line, size_t n, bool om)
{
	char want[128];

	if (om && !strcmp(type, "counter"))
		snprintf(want, sizeof(want), "%s_total", fam);
	else if (om && !strcmp(type, "info"))
		snprintf(want, sizeof(want), "%s_info", fam);
	else
		snprintf(want, sizeof(want), "%s", fam);
	if (strlen(want) != n || memcmp(want, line, n))
		fail_msg("sample '%s' in family %s (%s)", line, fam, type);
}

/* The value after the last blank: a number strtod reads whole, or +Inf/-Inf; never NaN. */
static void
check_value(const char *line, size_t len)
{
	const char *sp = NULL;
	char v[64], *end;

	for (size_t i = 0; i < len; i++)
		if (line[i] == ' ')
			sp = line + i;
	assert_non_null(sp);
	size_t n = len - (size_t)(sp + 1 - line);
	assert_true(n > 0 && n < sizeof(v));
	memcpy(v, sp + 1, n);
	v[n] = '\0';
	if (!strcmp(v, "+Inf") || !strcmp(v, "-Inf"))
		return;
	(void)strtod(v, &end);
	if (*end || strstr(v, "nan") || strstr(v, "NaN"))
		fail_msg("bad value '%s'", v);
}

/* The structure of a whole exposition. */
static void
check_structure(const char *out, bool om)
{
	static struct families fams;
	char fam[96] = "", type[16] = "";
	const char *p = out;
	bool eof = false;

	fams.n = 0;
	assert_non_null(out);
	assert_int_equal(out[strlen(out) - 1], '\n');
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = (size_t)(nl - p);
		assert_false(eof); /* nothing after "# EOF" */
		if (len == 5 && !memcmp(p, "# EOF", 5)) {
			assert_true(om);
			eof = true;
		} else if (!strncmp(p, "# HELP ", 7)) {
			const char *name = p + 7;
			size_t n = strcspn(name, " ");
			new_family(&fams, name, n);
			snprintf(fam, sizeof(fam), "%.*s", (int)n, name);
			/* TYPE right after, same name */
			char want[128];
			snprintf(want, sizeof(want), "# TYPE %s ", fam);
			assert_memory_equal(nl + 1, want, strlen(want));
			const char *t = nl + 1 + strlen(want);
			size_t tn = strcspn(t, "\n");
			assert_true(tn < sizeof(type));
			snprintf(type, sizeof(type), "%.*s", (int)tn, t);
			if (om) {
				assert_true(!strcmp(type, "gauge") || !strcmp(type, "counter") ||
				    !strcmp(type, "info"));
				assert_false(ends_with(fam, n, "_total"));
				assert_false(ends_with(fam, n, "_info"));
			} else {
				assert_true(!strcmp(type, "gauge") || !strcmp(type, "counter"));
				assert_int_equal(!strcmp(type, "counter"),
				    ends_with(fam, n, "_total"));
			}
			nl = strchr(t, '\n');
		} else {
			assert_true(fam[0]); /* a sample after its family's HELP and TYPE */
			assert_int_not_equal(p[0], '#');
			size_t n = strcspn(p, "{ ");
			char name[128];
			snprintf(name, sizeof(name), "%.*s", (int)n, p);
			check_sample_name(fam, type, name, n, om);
			check_value(p, len);
		}
		p = nl + 1;
	}
	assert_int_equal(eof, om);
}

static char *
render(const struct snapshot *s, const struct metrics_agent *a, bool om)
{
	struct buf b = {0};

	out_metrics(&b, s, a, om);
	check_structure(b.data, om);
	return b.data;
}

/* out holds line as a whole line. */
#define assert_line(out, line) cw_assert_line((out), (line), true, __FILE__, __LINE__)
/* no line of out starts with prefix */
#define assert_no_line(out, prefix) cw_assert_line((out), (prefix), false, __FILE__, __LINE__)

static void
cw_assert_line(const char *out, const char *line, bool whole, const char *file, int at)
{
	size_t n = strlen(line);

	for (const char *p = out; *p; p = strchr(p, '\n') + 1) {
		if (!strncmp(p, line, n) && (!whole || p[n] == '\n')) {
			if (whole)
				return;
			print_error("%s:%d: unexpected line: %.*s\n", file, at,
			    (int)strcspn(p, "\n"), p);
			_fail(file, at);
		}
	}
	if (!whole)
		return;
	cw_print_case();
	print_error("%s:%d: no line \"%s\" in:\n%s\n", file, at, line, out);
	_fail(file, at);
}

#define AGENT_HELP_SEVERITY                                                                        \
	"The Time Synchronization alarm: 0 cleared, 2 minor, 3 major, 4 critical.\n"
#define AGENT_HELP_ALARM                                                                           \
	"The Time Synchronization alarm with its exact text (empty when cleared).\n"
#define AGENT_HELP_EVENTS "Alarm events (raise, change, clear) logged since the store began.\n"
#define AGENT_ALARM_LABELS                                                                         \
	"{node=\"node-1\",severity=\"major\",text=\"off by \\\"12 s\\\" \\\\ now\\nsecond "        \
	"line\"} 1\n"

static const char want_classic[] =
    "# HELP clockwatch_alarm_severity " AGENT_HELP_SEVERITY
    "# TYPE clockwatch_alarm_severity gauge\n"
    "clockwatch_alarm_severity 3\n"
    "# HELP clockwatch_alarm_info " AGENT_HELP_ALARM "# TYPE clockwatch_alarm_info gauge\n"
    "clockwatch_alarm_info" AGENT_ALARM_LABELS
    "# HELP clockwatch_alarm_events_total " AGENT_HELP_EVENTS
    "# TYPE clockwatch_alarm_events_total counter\n"
    "clockwatch_alarm_events_total 7\n"
    "# HELP clockwatch_build_info clockwatch's version.\n"
    "# TYPE clockwatch_build_info gauge\n"
    "clockwatch_build_info{version=\"1.2.3\"} 1\n"
    "# HELP clockwatch_checks_total Checks run since the agent started.\n"
    "# TYPE clockwatch_checks_total counter\n"
    "clockwatch_checks_total 42\n"
    "# HELP clockwatch_check_duration_seconds How long the last check took.\n"
    "# TYPE clockwatch_check_duration_seconds gauge\n"
    "clockwatch_check_duration_seconds 0.25\n"
    "# HELP clockwatch_check_interval_seconds The configured time between checks (each spread by "
    "up to 10 %).\n"
    "# TYPE clockwatch_check_interval_seconds gauge\n"
    "clockwatch_check_interval_seconds 30\n"
    "# HELP clockwatch_last_check_timestamp_seconds When the last check finished (Unix time).\n"
    "# TYPE clockwatch_last_check_timestamp_seconds gauge\n"
    "clockwatch_last_check_timestamp_seconds 1763772000.5\n"
    "# HELP clockwatch_probe_errors_total Checks in which the watched time service did not "
    "answer.\n"
    "# TYPE clockwatch_probe_errors_total counter\n"
    "clockwatch_probe_errors_total 1\n"
    "# HELP clockwatch_store_errors_total Failed writes to the history store.\n"
    "# TYPE clockwatch_store_errors_total counter\n"
    "clockwatch_store_errors_total 0\n"
    "# HELP clockwatch_store_up 1 when the history store is writable.\n"
    "# TYPE clockwatch_store_up gauge\n"
    "clockwatch_store_up 1\n"
    "# HELP clockwatch_alertmanager_pushes_total Alerts posted to Alertmanager (each URL "
    "counts).\n"
    "# TYPE clockwatch_alertmanager_pushes_total counter\n"
    "clockwatch_alertmanager_pushes_total 5\n"
    "# HELP clockwatch_alertmanager_push_errors_total Posts to Alertmanager that failed.\n"
    "# TYPE clockwatch_alertmanager_push_errors_total counter\n"
    "clockwatch_alertmanager_push_errors_total 2\n"
    "# HELP process_start_time_seconds Start time of the process (Unix time).\n"
    "# TYPE process_start_time_seconds gauge\n"
    "process_start_time_seconds 1763770000\n"
    "# HELP process_cpu_seconds_total User and system CPU time spent.\n"
    "# TYPE process_cpu_seconds_total counter\n"
    "process_cpu_seconds_total 1.5\n"
    "# HELP process_resident_memory_bytes Resident memory size.\n"
    "# TYPE process_resident_memory_bytes gauge\n"
    "process_resident_memory_bytes 12345678\n";

static const char want_om[] =
    "# HELP clockwatch_alarm_severity " AGENT_HELP_SEVERITY
    "# TYPE clockwatch_alarm_severity gauge\n"
    "clockwatch_alarm_severity 3\n"
    "# HELP clockwatch_alarm " AGENT_HELP_ALARM "# TYPE clockwatch_alarm info\n"
    "clockwatch_alarm_info" AGENT_ALARM_LABELS "# HELP clockwatch_alarm_events " AGENT_HELP_EVENTS
    "# TYPE clockwatch_alarm_events counter\n"
    "clockwatch_alarm_events_total 7\n"
    "# HELP clockwatch_build clockwatch's version.\n"
    "# TYPE clockwatch_build info\n"
    "clockwatch_build_info{version=\"1.2.3\"} 1\n"
    "# HELP clockwatch_checks Checks run since the agent started.\n"
    "# TYPE clockwatch_checks counter\n"
    "clockwatch_checks_total 42\n"
    "# HELP clockwatch_check_duration_seconds How long the last check took.\n"
    "# TYPE clockwatch_check_duration_seconds gauge\n"
    "clockwatch_check_duration_seconds 0.25\n"
    "# HELP clockwatch_check_interval_seconds The configured time between checks (each spread by "
    "up to 10 %).\n"
    "# TYPE clockwatch_check_interval_seconds gauge\n"
    "clockwatch_check_interval_seconds 30\n"
    "# HELP clockwatch_last_check_timestamp_seconds When the last check finished (Unix time).\n"
    "# TYPE clockwatch_last_check_timestamp_seconds gauge\n"
    "clockwatch_last_check_timestamp_seconds 1763772000.5\n"
    "# HELP clockwatch_probe_errors Checks in which the watched time service did not answer.\n"
    "# TYPE clockwatch_probe_errors counter\n"
    "clockwatch_probe_errors_total 1\n"
    "# HELP clockwatch_store_errors Failed writes to the history store.\n"
    "# TYPE clockwatch_store_errors counter\n"
    "clockwatch_store_errors_total 0\n"
    "# HELP clockwatch_store_up 1 when the history store is writable.\n"
    "# TYPE clockwatch_store_up gauge\n"
    "clockwatch_store_up 1\n"
    "# HELP clockwatch_alertmanager_pushes Alerts posted to Alertmanager (each URL counts).\n"
    "# TYPE clockwatch_alertmanager_pushes counter\n"
    "clockwatch_alertmanager_pushes_total 5\n"
    "# HELP clockwatch_alertmanager_push_errors Posts to Alertmanager that failed.\n"
    "# TYPE clockwatch_alertmanager_push_errors counter\n"
    "clockwatch_alertmanager_push_errors_total 2\n"
    "# HELP process_start_time_seconds Start time of the process (Unix time).\n"
    "# TYPE process_start_time_seconds gauge\n"
    "process_start_time_seconds 1763770000\n"
    "# HELP process_cpu_seconds User and system CPU time spent.\n"
    "# TYPE process_cpu_seconds counter\n"
    "process_cpu_seconds_total 1.5\n"
    "# HELP process_resident_memory_bytes Resident memory size.\n"
    "# TYPE process_resident_memory_bytes gauge\n"
    "process_resident_memory_bytes 12345678\n"
    "# EOF\n";

/* No check yet (s == NULL): the agent's own families only, whole, in both formats. */
static void
test_agent_only(void **state)
{
	struct metrics_agent a = agent();
	char *out;

	(void)state;
	out = render(NULL, &a, false);
	assert_string_equal(out, want_classic);
	free(out);
	out = render(NULL, &a, true);
	assert_string_equal(out, want_om);
	free(out);
}

/* Unknown numbers: the family is left out, HELP and TYPE included; NULL strings are empty
 * labels; a cleared alarm says so. */
static void
test_agent_unknown(void **state)
{
	struct metrics_agent a = {
	    .check_duration_s = NAN,
	    .interval_s = NAN,
	    .last_check_s = NAN,
	    .start_time_s = NAN,
	    .cpu_s = NAN,
	    .rss_bytes = NAN,
	};

	(void)state;
	for (int om = 0; om <= 1; om++) {
		char *out = render(NULL, &a, om);
		assert_line(out, "clockwatch_alarm_severity 0");
		assert_line(out,
		    "clockwatch_alarm_info{node=\"\",severity=\"cleared\",text=\"\"} 1");
		assert_line(out, "clockwatch_build_info{version=\"\"} 1");
		assert_line(out, "clockwatch_checks_total 0");
		assert_line(out, "clockwatch_store_up 0");
		assert_no_line(out, "# HELP clockwatch_check_duration_seconds");
		assert_no_line(out, "# TYPE clockwatch_check_duration_seconds");
		assert_no_line(out, "clockwatch_check_duration_seconds");
		assert_no_line(out, "# HELP clockwatch_check_interval_seconds");
		assert_no_line(out, "clockwatch_check_interval_seconds");
		assert_no_line(out, "# HELP clockwatch_last_check_timestamp_seconds");
		assert_no_line(out, "clockwatch_last_check_timestamp_seconds");
		assert_no_line(out, "# HELP process_");
		assert_no_line(out, "# TYPE process_");
		assert_no_line(out, "process_");
		/* nothing of the host without a snapshot */
		assert_no_line(out, "clockwatch_service");
		assert_no_line(out, "clockwatch_source");
		assert_no_line(out, "clockwatch_kernel");
		assert_no_line(out, "# HELP clockwatch_service");
		assert_null(strstr(out, "NaN"));
		assert_null(strstr(out, "nan"));
		free(out);
	}
}

/* Numbers: integers without decimals, others with up to 15 digits, infinities as Prometheus
 * writes them. */
static void
test_values(void **state)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
	    {0, "0"},
	    {-0.0, "-0"},
	    {3, "3"},
	    {-7, "-7"},
	    {1763772000, "1763772000"},
	    {999999999999999, "999999999999999"},
	    {1e15, "1e+15"},
	    {0.25, "0.25"},
	    {-1.5, "-1.5"},
	    {1.0 / 3, "0.333333333333333"},
	    {0.000125, "0.000125"},
	    {1.25e-5, "1.25e-05"},
	    {2.5e-10, "2.5e-10"},
	    {INFINITY, "+Inf"},
	    {-INFINITY, "-Inf"},
	};
	struct metrics_agent a = agent();
	char want[128];

	(void)state;
	for (size_t i = 0; i < CW_ARRAY_LEN(cases); i++) {
		cw_case = cases[i].want;
		a.check_duration_s = cases[i].v;
		char *out = render(NULL, &a, true);
		snprintf(want, sizeof(want), "clockwatch_check_duration_seconds %s", cases[i].want);
		assert_line(out, want);
		free(out);
	}
	cw_case = NULL;

	/* counters from uint64: exact up to 2^53, then rounded but still a number */
	a.checks = UINT64_C(123456789012345);
	a.store_errors = UINT64_MAX;
	char *out = render(NULL, &a, false);
	assert_line(out, "clockwatch_checks_total 123456789012345");
	assert_line(out, "clockwatch_store_errors_total 1.84467440737096e+19");
	free(out);
}

#define SOURCE_NAME "a\\b\"c\nd" /* a, \, b, ", c, newline, d */
#define SOURCE_LABEL "source=\"a\\\\b\\\"c\\nd\",address=\"192.0.2.1\"" /* as escaped */

/* A chronyd host: synchronized to source 0, ntpd installed and asked but not answering, the
 * kernel read; source 1 knows nothing but its address. */
static void
host(struct snapshot *s)
{
	snapshot_init(s);
	s->primary = SNAP_CHRONYD;
	s->svc[SNAP_CHRONYD].running = true;
	s->svc[SNAP_CHRONYD].asked = true;
	s->svc[SNAP_CHRONYD].answering = true;
	snprintf(s->svc[SNAP_CHRONYD].version, sizeof(s->svc[0].version), "4.3");
	snprintf(s->svc[SNAP_CHRONYD].endpoint, sizeof(s->svc[0].endpoint),
	    "/run/chrony/chronyd.sock");
	s->svc[SNAP_NTPD].asked = true;
	s->have_system = true;
	s->synchronized = true;
	snprintf(s->source_name, sizeof(s->source_name), "%s", "ntp \"1\"\\x\ny");
	snprintf(s->source_addr, sizeof(s->source_addr), "192.0.2.1");
	snprintf(s->refid, sizeof(s->refid), "GPS");
	s->stratum = 2;
	s->offset_s = 0.000125;
	s->root_delay_s = 0.015625;
	s->root_disp_s = 0.0078125;
	s->root_distance_s = 0.015625;
	s->freq_ppm = 12.5; /* the error: the correction is the opposite */
	s->leap = SNAP_LEAP_NONE;
	s->last_sync_age_s = 64;
	s->poll_s = 64;
	s->have_kernel = true;
	s->kernel.unsync = true;
	s->kernel.offset_s = 0;
	s->kernel.freq_ppm = 2.5;
	s->kernel.maxerror_s = 16;
	s->kernel.esterror_s = 0.5;
	s->kernel.tai_s = 37;
	s->kernel.state = 5;

	struct snap_source *src = snapshot_add_source(s);
	snprintf(src->name, sizeof(src->name), "%s", SOURCE_NAME);
	snprintf(src->addr, sizeof(src->addr), "192.0.2.1");
	src->tally = '*';
	src->stratum = 1;
	src->reach = 255;
	src->offset_s = -0.5;
	src->delay_s = 0.015625;
	src->jitter_s = 0.001;
	src->poll_s = 64;
	src->when_s = 12;
	src = snapshot_add_source(s);
	snprintf(src->addr, sizeof(src->addr), "2001:db8::1");
	src->tally = 'x';
	src->type = 'p';
}

static void
test_host(void **state)
{
	struct metrics_agent a = agent();
	struct snapshot s;
	char want[256];

	(void)state;
	host(&s);
	for (int om = 0; om <= 1; om++) {
		char *out = render(&s, &a, om);
		assert_line(out, "clockwatch_synchronized 1");
		assert_line(out, "clockwatch_offset_seconds 0.000125");
		assert_no_line(out, "# HELP clockwatch_offset_error_seconds");
		assert_no_line(out, "clockwatch_offset_error_seconds");
		assert_line(out, "clockwatch_root_delay_seconds 0.015625");
		assert_line(out, "clockwatch_root_dispersion_seconds 0.0078125");
		assert_line(out, "clockwatch_root_distance_seconds 0.015625");
		assert_line(out, "clockwatch_frequency_adjustment_ratio -1.25e-05");
		assert_line(out, "clockwatch_stratum 2");
		assert_line(out, "clockwatch_leap_status 0");
		assert_line(out, "clockwatch_last_sync_age_seconds 64");
		assert_line(out, "clockwatch_poll_interval_seconds 64");
		assert_line(out,
		    "clockwatch_reference_info{source=\"ntp \\\"1\\\"\\\\x\\ny\","
		    "address=\"192.0.2.1\",refid=\"GPS\"} 1");
		assert_line(out,
		    om ? "# TYPE clockwatch_reference info"
		       : "# TYPE clockwatch_reference_info gauge");
		/* the services: running for all three, up for those asked, can_set for those
		 * running, info for the primary */
		assert_line(out, "clockwatch_service_running{daemon=\"chronyd\"} 1");
		assert_line(out, "clockwatch_service_running{daemon=\"ntpd\"} 0");
		snprintf(want, sizeof(want), "clockwatch_service_running{daemon=\"%s\"} 0",
		    snapshot_daemon_name(SNAP_TIMESYNCD));
		assert_line(out, want);
		assert_line(out, "clockwatch_service_up{daemon=\"chronyd\"} 1");
		assert_line(out, "clockwatch_service_up{daemon=\"ntpd\"} 0");
		snprintf(want, sizeof(want), "clockwatch_service_up{daemon=\"%s\"",
		    snapshot_daemon_name(SNAP_TIMESYNCD));
		assert_no_line(out, want);
		assert_line(out, "clockwatch_service_can_set_clock{daemon=\"chronyd\"} 0");
		assert_no_line(out, "clockwatch_service_can_set_clock{daemon=\"ntpd\"");
		assert_line(out,
		    "clockwatch_service_info{daemon=\"chronyd\",version=\"4.3\","
		    "endpoint=\"/run/chrony/chronyd.sock\"} 1");
		/* the kernel */
		assert_line(out, "clockwatch_kernel_synchronized 0");
		assert_line(out, "clockwatch_kernel_unsync_flag 1");
		assert_line(out, "clockwatch_kernel_offset_seconds 0");
		assert_line(out, "clockwatch_kernel_frequency_adjustment_ratio 2.5e-06");
		assert_line(out, "clockwatch_kernel_maxerror_seconds 16");
		assert_line(out, "clockwatch_kernel_esterror_seconds 0.5");
		assert_line(out, "clockwatch_kernel_tai_offset_seconds 37");
		assert_line(out, "clockwatch_kernel_state 5");
		/* the sources: escaped names, unknowns left out, the address for no name */
		assert_line(out, "clockwatch_source_offset_seconds{" SOURCE_LABEL "} -0.5");
		assert_line(out, "clockwatch_source_delay_seconds{" SOURCE_LABEL "} 0.015625");
		assert_line(out, "clockwatch_source_jitter_seconds{" SOURCE_LABEL "} 0.001");
		assert_line(out, "clockwatch_source_reach{" SOURCE_LABEL "} 255");
		assert_line(out, "clockwatch_source_stratum{" SOURCE_LABEL "} 1");
		assert_line(out, "clockwatch_source_poll_interval_seconds{" SOURCE_LABEL "} 64");
		assert_line(out, "clockwatch_source_last_sample_age_seconds{" SOURCE_LABEL "} 12");
		assert_line(out, "clockwatch_source_selected{" SOURCE_LABEL "} 1");
		assert_line(out,
		    "clockwatch_source_info{" SOURCE_LABEL
		    ",state=\"selected\",mode=\"server\"} 1");
		assert_no_line(out, "clockwatch_source_offset_seconds{source=\"2001:db8::1\"");
		assert_no_line(out, "clockwatch_source_reach{source=\"2001:db8::1\"");
		assert_no_line(out, "clockwatch_source_stratum{source=\"2001:db8::1\"");
		assert_line(out,
		    "clockwatch_source_selected{source=\"2001:db8::1\","
		    "address=\"2001:db8::1\"} 0");
		assert_line(out,
		    "clockwatch_source_info{source=\"2001:db8::1\",address=\"2001:db8::1\","
		    "state=\"falseticker\",mode=\"pool\"} 1");
		assert_line(out,
		    om ? "# TYPE clockwatch_source info" : "# TYPE clockwatch_source_info gauge");
		/* the agent's families follow */
		assert_line(out, "clockwatch_checks_total 42");
		assert_null(strstr(out, "NaN"));
		free(out);
	}
	snapshot_fini(&s);
}

/* A snapshot with nothing in it: the services' families (always), nothing else of the host. */
static void
test_empty_snapshot(void **state)
{
	struct metrics_agent a = agent();
	struct snapshot s;
	char want[128];

	(void)state;
	snapshot_init(&s);
	for (int om = 0; om <= 1; om++) {
		char *out = render(&s, &a, om);
		for (int d = 0; d < SNAP_N_DAEMONS; d++) {
			snprintf(want, sizeof(want), "clockwatch_service_running{daemon=\"%s\"} 0",
			    snapshot_daemon_name((enum snap_daemon)d));
			assert_line(out, want);
		}
		assert_line(out, "# TYPE clockwatch_service_up gauge");
		assert_no_line(out, "clockwatch_service_up{");
		assert_no_line(out, "clockwatch_service_can_set_clock{");
		assert_no_line(out, "clockwatch_service_info");
		assert_no_line(out, "# HELP clockwatch_service ");
		assert_no_line(out, "clockwatch_synchronized");
		assert_no_line(out, "# HELP clockwatch_synchronized");
		assert_no_line(out, "clockwatch_stratum");
		assert_no_line(out, "clockwatch_reference");
		assert_no_line(out, "# HELP clockwatch_kernel");
		assert_no_line(out, "# HELP clockwatch_source");
		assert_line(out, "clockwatch_alarm_severity 3");
		free(out);
	}
	/* synchronized to nothing known: no reference info, unknown stratum left out */
	s.have_system = true;
	s.leap = SNAP_LEAP_UNSYNC;
	char *out = render(&s, &a, true);
	assert_line(out, "clockwatch_synchronized 0");
	assert_line(out, "clockwatch_leap_status 3");
	assert_no_line(out, "clockwatch_stratum");
	assert_no_line(out, "clockwatch_reference");
	assert_no_line(out, "# HELP clockwatch_reference");
	assert_no_line(out, "clockwatch_offset_seconds");
	free(out);
	snapshot_fini(&s);
}

/* Each ntpq tally character and each mode letter in its words. */
static void
test_source_words(void **state)
{
	static const struct {
		char tally;
		const char *state;
		char type;
		const char *mode;
	} cases[] = {
	    {'*', "selected", 'u', "server"},
	    {'+', "candidate", 'p', "pool"},
	    {'-', "outlier", 's', "peer"},
	    {'x', "falseticker", 'l', "local"},
	    {'#', "backup", 'u', "server"},
	    {' ', "unusable", 'u', "server"},
	    {'~', "variable", 'u', "server"},
	    {'?', "unreachable", 'u', "server"},
	    {'!', "unknown", 'b', "unknown"},
	    {'\0', "unknown", '\0', "unknown"},
	};
	struct metrics_agent a = agent();
	struct snapshot s;
	char want[256];

	(void)state;
	snapshot_init(&s);
	for (size_t i = 0; i < CW_ARRAY_LEN(cases); i++) {
		struct snap_source *src = snapshot_add_source(&s);
		snprintf(src->name, sizeof(src->name), "s%zu", i);
		snprintf(src->addr, sizeof(src->addr), "192.0.2.%zu", i);
		src->tally = cases[i].tally;
		src->type = cases[i].type;
	}
	for (int om = 0; om <= 1; om++) {
		char *out = render(&s, &a, om);
		for (size_t i = 0; i < CW_ARRAY_LEN(cases); i++) {
			cw_case = cases[i].state;
			snprintf(want, sizeof(want),
			    "clockwatch_source_info{source=\"s%zu\",address=\"192.0.2.%zu\","
			    "state=\"%s\",mode=\"%s\"} 1",
			    i, i, cases[i].state, cases[i].mode);
			assert_line(out, want);
			snprintf(want, sizeof(want),
			    "clockwatch_source_selected{source=\"s%zu\",address=\"192.0.2.%zu\"} "
			    "%d",
			    i, i, cases[i].tally == '*');
			assert_line(out, want);
		}
		cw_case = NULL;
		free(out);
	}
	snapshot_fini(&s);
}

/* Label values with every character that needs escaping, and bytes that do not (UTF-8, tab). */
static void
test_label_escaping(void **state)
{
	struct metrics_agent a = agent();

	(void)state;
	a.alarm_text = "\\\"\n\\\\n\"\"";
	a.node = "caf\xc3\xa9\tx";
	a.version = "\n";
	char *out = render(NULL, &a, false);
	assert_line(out,
	    "clockwatch_alarm_info{node=\"caf\xc3\xa9\tx\",severity=\"major\","
	    "text=\"\\\\\\\"\\n\\\\\\\\n\\\"\\\"\"} 1");
	assert_line(out, "clockwatch_build_info{version=\"\\n\"} 1");
	free(out);
}

/* Severities as words (alarm_severity_name), "?" for one that is none. */
static void
test_severity_words(void **state)
{
	static const struct {
		int sev;
		const char *word;
	} cases[] = {
	    {ALARM_CLEARED, "cleared"},
	    {ALARM_MINOR, "minor"},
	    {ALARM_MAJOR, "major"},
	    {ALARM_CRITICAL, "critical"},
	    {1, "?"},
	};
	struct metrics_agent a = agent();
	char want[256];

	(void)state;
	a.alarm_text = "t";
	for (size_t i = 0; i < CW_ARRAY_LEN(cases); i++) {
		a.alarm_severity = cases[i].sev;
		char *out = render(NULL, &a, true);
		snprintf(want, sizeof(want), "clockwatch_alarm_severity %d", cases[i].sev);
		assert_line(out, want);
		snprintf(want, sizeof(want),
		    "clockwatch_alarm_info{node=\"node-1\",severity=\"%s\",text=\"t\"} 1",
		    cases[i].word);
		assert_line(out, want);
		free(out);
	}
}

/* out_metrics appends: what was in the buffer stays. */
static void
test_appends(void **state)
{
	struct metrics_agent a = agent();
	struct buf b = {0};

	(void)state;
	buf_puts(&b, "before\n");
	out_metrics(&b, NULL, &a, false);
	assert_int_equal(strncmp(b.data, "before\n# HELP ", 14), 0);
	assert_string_equal(b.data + 7, want_classic);
	buf_free(&b);
}

static void
test_accept(void **state)
{
	static const struct {
		const char *accept;
		bool om;
	} cases[] = {
	    {NULL, false},
	    {"", false},
	    {"text/plain", false},
	    {"text/plain;version=0.0.4", false},
	    {"*/*", false},
	    {PROM_ACCEPT, true},
	    /* Prometheus with scrape_protocols: [PrometheusText0.0.4, OpenMetricsText1.0.0] */
	    {"text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,"
	     "*/*;q=0.1",
	        false},
	    {"application/openmetrics-text", true},
	    {"application/openmetrics-text;version=1.0.0", true},
	    {"application/openmetrics-text;version=1.0.0;q=0.75", true},
	    {"application/openmetrics-text;q=0.2,text/plain", false},
	    {"text/plain,application/openmetrics-text;q=0.2", false},
	    {"application/openmetrics-text;q=0", false},
	    {"application/openmetrics-text;q=0.0", false},
	    {"application/openmetrics-text;q=0,text/plain;q=0", false},
	    {"application/openmetrics-text;q=0.5,text/plain;q=0.5", true}, /* a tie: ours */
	    {"text/plain;q=0.4,application/openmetrics-text;q=0.5", true},
	    {"application/openmetrics-text;q=0.1,application/openmetrics-text;q=0.9,text/"
	     "plain;q=0.5",
	        true},
	    /* case and blanks */
	    {"APPLICATION/OpenMetrics-Text", true},
	    {"Application/OpenMetrics-Text; Q=0.9, TEXT/PLAIN; q=1", false},
	    {"Application/OpenMetrics-Text; Q=1, TEXT/PLAIN; q=0.9", true},
	    {"  application/openmetrics-text  ;  q=1 , text/plain", true},
	    {"\tapplication/openmetrics-text\t", true},
	    {" , ,application/openmetrics-text, ,", true},
	    /* look-alikes */
	    {"application/openmetrics-textual", false},
	    {"application/openmetrics", false},
	    {"xapplication/openmetrics-text", false},
	    {"application/openmetrics-text/x", false},
	    {"text/plainx;q=1,application/openmetrics-text;q=0.1", true},
	    {"application/openmetrics-text;aq=0", true}, /* not a q parameter */
	    /* bad q values count as 0 */
	    {"application/openmetrics-text;q=", false},
	    {"application/openmetrics-text;q=abc", false},
	    {"application/openmetrics-text;q=2", false},
	    {"application/openmetrics-text;q=-0.5", false},
	    {"application/openmetrics-text;q=nan", false},
	    {"application/openmetrics-text,text/plain;q=nan", true},
	    {"application/openmetrics-text,text/plain;q=", true},
	    /* garbage */
	    {";;;,,,q=", false},
	    {",", false},
	    {";", false},
	    {";q=1", false},
	    {"application/openmetrics-text;;;;q=1;;", true},
	};

	(void)state;
	for (size_t i = 0; i < CW_ARRAY_LEN(cases); i++) {
		cw_case = cases[i].accept ? cases[i].accept : "(null)";
		if (out_metrics_wants_openmetrics(cases[i].accept) != cases[i].om)
			fail_msg("Accept: %s: want %s", cw_case, cases[i].om ? "true" : "false");
	}
	cw_case = NULL;

	/* a long header of many ranges, and a q value longer than its buffer */
	char big[8192];
	size_t o = 0;
	while (o + 64 < sizeof(big))
		o += (size_t)snprintf(big + o, sizeof(big) - o, "text/html;q=0.1,");
	snprintf(big + o, sizeof(big) - o, "application/openmetrics-text");
	assert_true(out_metrics_wants_openmetrics(big));
	assert_true(out_metrics_wants_openmetrics(
	    "application/openmetrics-text;q=0.50000000000000000000000000001"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_agent_only),
	    cmocka_unit_test(test_agent_unknown),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_host),
	    cmocka_unit_test(test_empty_snapshot),
	    cmocka_unit_test(test_source_words),
	    cmocka_unit_test(test_label_escaping),
	    cmocka_unit_test(test_severity_words),
	    cmocka_unit_test(test_appends),
	    cmocka_unit_test(test_accept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
