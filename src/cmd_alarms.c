/* cmd_alarms.c: `clockwatch alarms`: the agent's current alarm and its alarm log, read from its
 * store read-only (SQLite WAL lets it read while the agent writes). */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alarm.h"
#include "cmd.h"
#include "hist.h"
#include "strutil.h"

#define MAX_EVENTS 10000

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: clockwatch alarms [--json] [-n COUNT] [--state-dir DIR]\n\n"
	    "The agent's current Time Synchronization alarm and its last COUNT events\n"
	    "(default 20), from its store.\n\n"
	    "  -j, --json           JSON (schema clockwatch.alarms/1, see clockwatch(1))\n"
	    "  -n, --count COUNT    events to show (1-10000)\n"
	    "      --state-dir DIR  the agent's state directory (default $STATE_DIRECTORY,\n"
	    "                       else /var/lib/clockwatch)\n"
	    "  -h, --help           this help\n\n"
	    "Exit status: 0 no alarm, 1 an alarm is raised, 2 no store could be read,\n"
	    "3 usage error.\n");
}

static const char *
utc(int64_t real_ns, char *buf, size_t len)
{
	time_t t = (time_t)(real_ns / 1000000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static void
text_out(const struct hist_alarm *al, const struct hist_event *ev, size_t n)
{
	char when[32];

	printf("alarm:  %s%s%s\n", alarm_severity_name((enum alarm_severity)al->severity),
	    al->text[0] ? ": " : "", al->text);
	if (n == 0) {
		printf("(no alarm events)\n");
		return;
	}
	printf("\n%6s  %-20s  %-6s  %-8s  %s\n", "seq", "time (UTC)", "event", "severity", "text");
	for (size_t i = 0; i < n; i++)
		printf("%6lld  %-20s  %-6s  %-8s  %s\n", (long long)ev[i].seq,
		    utc(ev[i].real_ns, when, sizeof(when)),
		    alarm_event_name((enum alarm_event_kind)ev[i].kind),
		    alarm_severity_name((enum alarm_severity)ev[i].to), ev[i].text);
}

static void
json_out(const struct hist_alarm *al, const struct hist_event *ev, size_t n)
{
	json_t *root = json_object(), *log = json_array();
	char when[32];

	for (size_t i = 0; i < n; i++)
		json_array_append_new(log,
		    json_pack("{s:I,s:s,s:I,s:s,s:s,s:s,s:s}", "seq", (json_int_t)ev[i].seq, "time",
		        utc(ev[i].real_ns, when, sizeof(when)), "time_ns",
		        (json_int_t)ev[i].real_ns, "event",
		        alarm_event_name((enum alarm_event_kind)ev[i].kind), "from",
		        alarm_severity_name((enum alarm_severity)ev[i].from), "severity",
		        alarm_severity_name((enum alarm_severity)ev[i].to), "text", ev[i].text));
	json_object_set_new(root, "schema", json_string("clockwatch.alarms/1"));
	json_object_set_new(root, "alarm",
	    json_pack("{s:s,s:i,s:s}", "severity",
	        alarm_severity_name((enum alarm_severity)al->severity), "severity_level",
	        al->severity, "text", al->text));
	json_object_set_new(root, "events", log);
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		puts(s);
		free(s);
	}
	json_decref(root);
}

int
cmd_alarms(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"count", required_argument, NULL, 'n'},
	    {"state-dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = getenv("STATE_DIRECTORY");
	bool json = false;
	long count = 20;
	int c;

	if (!dir || !*dir)
		dir = "/var/lib/clockwatch";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jn:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'n':
			if (strutil_parse_long(optarg, 1, MAX_EVENTS, &count) < 0) {
				fprintf(stderr, "clockwatch alarms: bad count '%s' (1-%d)\n",
				    optarg, MAX_EVENTS);
				return CMD_EXIT_USAGE;
			}
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return CMD_EXIT_OK;
		default:
			fprintf(stderr, "clockwatch alarms: unknown option '%s'\n",
			    argv[optind - 1]);
			return CMD_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "clockwatch alarms: unexpected argument '%s'\n", argv[optind]);
		return CMD_EXIT_USAGE;
	}
	struct hist *h;
	if (hist_open(dir, true, &h) < 0) {
		fprintf(stderr, "clockwatch alarms: %s\n", hist_open_error());
		return CMD_EXIT_NONE;
	}
	struct hist_alarm al;
	struct hist_event *ev = calloc((size_t)count, sizeof(*ev));
	size_t n = 0;
	int rc = CMD_EXIT_OK;
	if (!ev || hist_load_alarm(h, &al) < 0 || hist_events(h, ev, (size_t)count, &n) < 0) {
		fprintf(stderr, "clockwatch alarms: %s: %s\n", dir, hist_strerror(h));
		rc = CMD_EXIT_NONE;
	} else {
		if (!al.valid)
			memset(&al, 0, sizeof(al));
		json ? json_out(&al, ev, n) : text_out(&al, ev, n);
		rc = al.severity ? CMD_EXIT_PARTIAL : CMD_EXIT_OK;
	}
	free(ev);
	hist_close(h);
	return rc;
}
