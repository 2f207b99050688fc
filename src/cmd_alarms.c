/* cmd_alarms.c: `clockwatch alarms` and `clockwatch history`: the agent's current alarm, its
 * alarm log and its check history, read from its store read-only (SQLite WAL lets them read
 * while the agent writes). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alarm.h"
#include "buf.h"
#include "cmd.h"
#include "hist.h"
#include "out_store.h"
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
		struct buf out = {0};
		json ? out_alarms_json(&out, &al, ev, n) : out_alarms_text(&out, &al, ev, n);
		fputs(out.data, stdout);
		buf_free(&out);
		rc = al.severity ? CMD_EXIT_PARTIAL : CMD_EXIT_OK;
	}
	free(ev);
	hist_close(h);
	return rc;
}

static void
history_usage(FILE *f)
{
	fprintf(f,
	    "usage: clockwatch history [--json] [--from TIME] [--to TIME] [--step DURATION]\n"
	    "                         [--state-dir DIR]\n\n"
	    "The agent's checks over a time window, summarised per step: how many checks, the\n"
	    "share synchronized, the mean and worst offset, jitter, root distance and the worst\n"
	    "alarm severity. Steps without checks are left out.\n\n"
	    "  -j, --json           JSON (schema clockwatch.history/1, see clockwatch(1))\n"
	    "      --from TIME      start (default -1h): now, -30m, -1h, -2d, Unix seconds or\n"
	    "                       2026-11-22T01:00:00Z\n"
	    "      --to TIME        end (default now)\n"
	    "      --step DURATION  bucket length, at least 1s (default: the window / 300); at\n"
	    "                       most %d buckets\n"
	    "      --state-dir DIR  the agent's state directory (default $STATE_DIRECTORY,\n"
	    "                       else /var/lib/clockwatch)\n"
	    "  -h, --help           this help\n\n"
	    "Exit status: 0 shown, 2 no store could be read, 3 usage error.\n",
	    HIST_MAX_POINTS);
}

int
cmd_history(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"from", required_argument, NULL, 'F'},
	    {"to", required_argument, NULL, 'T'},
	    {"step", required_argument, NULL, 'S'},
	    {"state-dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = getenv("STATE_DIRECTORY"), *from = NULL, *to = NULL, *step = NULL;
	bool json = false;
	int c;

	if (!dir || !*dir)
		dir = "/var/lib/clockwatch";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'F':
			from = optarg;
			break;
		case 'T':
			to = optarg;
			break;
		case 'S':
			step = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			history_usage(stdout);
			return CMD_EXIT_OK;
		default:
			fprintf(stderr, "clockwatch history: %s '%s'\n",
			    optopt ? "option needs a value:" : "unknown option", argv[optind - 1]);
			return CMD_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "clockwatch history: unexpected argument '%s'\n", argv[optind]);
		return CMD_EXIT_USAGE;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, f, t, st;
	char err[200];
	if (history_window(from, to, step, now, &f, &t, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "clockwatch history: %s\n", err);
		return CMD_EXIT_USAGE;
	}
	struct hist *h;
	if (hist_open(dir, true, &h) < 0) {
		fprintf(stderr, "clockwatch history: %s\n", hist_open_error());
		return CMD_EXIT_NONE;
	}
	struct hist_point *p = calloc(HIST_MAX_POINTS, sizeof(*p));
	size_t n = 0;
	int rc = CMD_EXIT_OK;
	if (!p || hist_series(h, f, t, st, p, HIST_MAX_POINTS, &n) < 0) {
		fprintf(stderr, "clockwatch history: %s: %s\n", dir, hist_strerror(h));
		rc = CMD_EXIT_NONE;
	} else {
		struct buf out = {0};
		json ? out_history_json(&out, f, t, st, p, n)
		     : out_history_text(&out, f, t, st, p, n);
		fputs(out.data, stdout);
		buf_free(&out);
	}
	free(p);
	hist_close(h);
	return rc;
}
