/* cmd_host.c: `clockwatch status` and `clockwatch peers`: the options they share, then
 * gather -> verdict -> render. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "gather.h"
#include "out_host.h"
#include "snapshot.h"
#include "strutil.h"
#include "verdict.h"

struct host_opts {
	struct gather_opts g;
	bool json;
	bool numeric;
};

static void
usage(FILE *f, const char *cmd)
{
	bool peers = !strcmp(cmd, "peers");

	fprintf(f,
	    "usage: clockwatch %s [--json]%s [--service NAME] [--conf FILE]\n"
	    "                         [--socket PATH] [--address HOST[:PORT]] [-t TIMEOUT]\n\n"
	    "%s\n\n"
	    "  -j, --json            JSON (schema clockwatch.%s/1, see clockwatch(1))\n"
	    "%s"
	    "      --service NAME    ask this daemon: chronyd, ntpd, timesyncd (default: the one\n"
	    "                        that runs)\n"
	    "      --conf FILE       its configuration file (default: found from its command\n"
	    "                        line, else the distribution's path)\n"
	    "      --socket PATH     chronyd's Unix command socket (default: from its\n"
	    "                        configuration, else /run/chrony/chronyd.sock)\n"
	    "      --address H[:P]   chronyd's command port when the socket cannot be used\n"
	    "                        (default: 127.0.0.1:323 or its configuration's cmdport)\n"
	    "  -t, --timeout T       wait for each reply (default 1s; two retries follow)\n"
	    "  -h, --help            this help\n\n"
	    "Today clockwatch reads chronyd; ntpd and systemd-timesyncd are detected and their\n"
	    "configuration read, but not asked yet.\n\n"
	    "Exit status: %s\n",
	    cmd, peers ? " [-n]" : "",
	    peers ? "Lists the time sources of this host's time daemon, as ntpq's peer billboard."
	          : "Says whether this host's clock is synchronized, to what, how well, and why "
	            "not.",
	    cmd, peers ? "  -n, --numeric         addresses, not names\n" : "",
	    peers ? "0 the daemon answered, 2 it did not, 3 usage error."
	          : "0 synchronized, 1 answered but not synchronized or a warning,\n"
	            "2 no time service answers, 3 usage error.");
}

static int
parse(int argc, char **argv, struct host_opts *o)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"numeric", no_argument, NULL, 'n'},
	    {"service", required_argument, NULL, 'S'},
	    {"conf", required_argument, NULL, 'C'},
	    {"socket", required_argument, NULL, 's'},
	    {"address", required_argument, NULL, 'a'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0];
	int c;

	*o = (struct host_opts){.g = {.service = -1, .timeout_ns = 1000000000}};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jnt:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'n':
			if (strcmp(cmd, "peers"))
				goto unknown;
			o->numeric = true;
			break;
		case 'S':
			o->g.service = gather_service_from_name(optarg);
			if (o->g.service < 0) {
				fprintf(stderr,
				    "clockwatch %s: unknown service '%s' (chronyd, ntpd, "
				    "timesyncd)\n",
				    cmd, optarg);
				return -1;
			}
			break;
		case 'C':
			o->g.conf = optarg;
			break;
		case 's':
			o->g.socket = optarg;
			break;
		case 'a':
			o->g.address = optarg;
			break;
		case 't':
			if (strutil_parse_duration_ns(optarg, &o->g.timeout_ns) < 0 ||
			    o->g.timeout_ns < 1000000 ||
			    o->g.timeout_ns > 60 * INT64_C(1000000000)) {
				fprintf(stderr,
				    "clockwatch %s: bad timeout '%s' (a duration from 1ms to 1m)\n",
				    cmd, optarg);
				return -1;
			}
			break;
		case 'h':
			usage(stdout, cmd);
			exit(CMD_EXIT_OK);
		default:
		unknown:
			if (optopt && strchr("t", optopt))
				fprintf(stderr, "clockwatch %s: option -%c needs a value\n", cmd,
				    optopt);
			else
				fprintf(stderr, "clockwatch %s: unknown option '%s'\n", cmd,
				    argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "clockwatch %s: unexpected argument '%s'\n", cmd, argv[optind]);
		return -1;
	}
	if (o->g.conf && o->g.service < 0) {
		fprintf(stderr, "clockwatch %s: --conf needs --service\n", cmd);
		return -1;
	}
	return 0;
}

static int
run(int argc, char **argv, bool peers)
{
	struct host_opts o;
	struct snapshot s;
	struct verdict v;
	struct buf out = {0};
	int rc;

	if (parse(argc, argv, &o) < 0) {
		fprintf(stderr, "Try 'clockwatch %s --help'.\n", argv[0]);
		return CMD_EXIT_USAGE;
	}
	snapshot_init(&s);
	gather_host(&s, &o.g);
	verdict_judge(&s, &v);
	if (peers && o.json)
		out_peers_json(&out, &s);
	else if (peers)
		out_peers_text(&out, &s, o.numeric);
	else if (o.json)
		out_status_json(&out, &s, &v);
	else
		out_status_text(&out, &s, &v, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	bool answered = s.primary >= 0 && s.svc[s.primary].answering;
	if (peers && !answered && s.primary >= 0)
		fprintf(stderr, "clockwatch peers: %s\n", s.svc[s.primary].error);
	else if (peers && s.primary < 0)
		fprintf(stderr, "clockwatch peers: no time service runs here\n");
	if (!answered)
		rc = CMD_EXIT_NONE;
	else if (peers || v.level == VERDICT_OK)
		rc = CMD_EXIT_OK;
	else
		rc = CMD_EXIT_PARTIAL;
	snapshot_fini(&s);
	return rc;
}

int
cmd_status(int argc, char **argv)
{
	return run(argc, argv, false);
}

int
cmd_peers(int argc, char **argv)
{
	return run(argc, argv, true);
}
