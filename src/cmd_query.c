/* cmd_query.c: `clockwatch query`: options -> probe_ntp -> selection -> text or JSON. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "log.h"
#include "out_query.h"
#include "probe_ntp.h"
#include "query.h"
#include "strutil.h"
#include "xalloc.h"

#define MAX_COUNT 64
#define MAX_TARGETS 100000
#define NS_PER_S INT64_C(1000000000)

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: clockwatch query [-c COUNT] [-i INTERVAL] [-t TIMEOUT] [-4|-6] [--json]\n"
	    "                        HOST[:PORT]...\n\n"
	    "Measures NTP servers with clockwatch's own client: all at once, from one process.\n"
	    "HOST is a name or an address; IPv6 with a port is written [ADDR]:PORT.\n\n"
	    "  -c, --count COUNT        samples per address (1-%d, default 4)\n"
	    "  -i, --interval INTERVAL  time between an address's samples (default 2s;\n"
	    "                           less may trip servers' rate limits)\n"
	    "  -t, --timeout TIMEOUT    wait for each reply and each name (default 2s)\n"
	    "  -4, -6                   IPv4 or IPv6 addresses only\n"
	    "  -j, --json               JSON (schema clockwatch.query/1, see clockwatch(1))\n"
	    "  -h, --help               this help\n\n"
	    "Durations take a unit: ns, us, ms, s (default), m. Offsets are positive when the\n"
	    "server is ahead of this host. Tally: * best, + candidate, - outlier,\n"
	    "# backup, x falseticker, ? no usable answer.\n\n"
	    "Exit status: 0 every address answered, 1 some did not, 2 none did, 3 usage error.\n",
	    MAX_COUNT);
}

struct opts {
	struct probe_ntp_opts p;
	bool json;
};

static int
bad(const char *what, const char *val, const char *want)
{
	fprintf(stderr, "clockwatch query: bad %s '%s' (%s)\n", what, val, want);
	return -1;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"count", required_argument, NULL, 'c'},
	    {"interval", required_argument, NULL, 'i'},
	    {"timeout", required_argument, NULL, 't'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	long v;
	int c;

	*o = (struct opts){
	    .p = {.count = 4, .interval_ns = 2 * NS_PER_S, .timeout_ns = 2 * NS_PER_S}};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+c:i:t:46jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (strutil_parse_long(optarg, 1, MAX_COUNT, &v) < 0)
				return bad("count", optarg, "a whole number from 1 to 64");
			o->p.count = (unsigned)v;
			break;
		case 'i':
			if (strutil_parse_duration_ns(optarg, &o->p.interval_ns) < 0 ||
			    o->p.interval_ns > 3600 * NS_PER_S)
				return bad("interval", optarg,
				    "a duration up to 1h, like 2s or 500ms");
			break;
		case 't':
			if (strutil_parse_duration_ns(optarg, &o->p.timeout_ns) < 0 ||
			    o->p.timeout_ns < 1000000 || o->p.timeout_ns > 600 * NS_PER_S)
				return bad("timeout", optarg,
				    "a duration from 1ms to 10m, like 2s");
			break;
		case '4':
			o->p.family = o->p.family == AF_INET6 ? -1 : AF_INET;
			break;
		case '6':
			o->p.family = o->p.family == AF_INET ? -1 : AF_INET6;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			usage(stdout);
			exit(CMD_EXIT_OK);
		default:
			if (optopt && strchr("cit", optopt))
				fprintf(stderr, "clockwatch query: option -%c needs a value\n",
				    optopt);
			else
				fprintf(stderr, "clockwatch query: unknown option '%s'\n",
				    argv[optind - 1]);
			return -1;
		}
	}
	if (o->p.family < 0) {
		fprintf(stderr, "clockwatch query: -4 and -6 exclude each other\n");
		return -1;
	}
	if (optind >= argc) {
		fprintf(stderr, "clockwatch query: no HOST given\n");
		return -1;
	}
	if (argc - optind > MAX_TARGETS) {
		fprintf(stderr, "clockwatch query: too many targets (%d, at most %d)\n",
		    argc - optind, MAX_TARGETS);
		return -1;
	}
	return 0;
}

static int
exit_status(const struct query_report *r)
{
	size_t ok = 0;

	for (size_t i = 0; i < r->n; i++)
		ok += r->t[i].status == QUERY_OK;
	if (ok == r->n)
		return CMD_EXIT_OK;
	return ok ? CMD_EXIT_PARTIAL : CMD_EXIT_NONE;
}

int
cmd_query(int argc, char **argv)
{
	struct opts o;
	struct probe_ntp_stats st;
	struct query_report rep = {0};
	struct buf out = {0};
	struct hostspec *specs;
	size_t n;
	int rc;

	if (parse_opts(argc, argv, &o) < 0) {
		fprintf(stderr, "Try 'clockwatch query --help'.\n");
		return CMD_EXIT_USAGE;
	}
	n = (size_t)(argc - optind);
	specs = xcalloc(n, sizeof(*specs));
	for (size_t i = 0; i < n; i++) {
		char err[200];
		if (strutil_parse_hostspec(argv[optind + (int)i], &specs[i], err, sizeof(err)) <
		    0) {
			fprintf(stderr, "clockwatch query: target %zu: %s\n", i + 1, err);
			free(specs);
			return CMD_EXIT_USAGE;
		}
	}
	rc = probe_ntp_query(specs, n, &o.p, &rep.t, &rep.n, &st);
	free(specs);
	if (rc < 0) {
		log_errno(LOG_LVL_ERROR, rc, "query failed");
		return CMD_EXIT_USAGE;
	}
	query_select(rep.t, rep.n, &rep.sel);
	rep.n_candidates = rep.sel.n_truechimers + rep.sel.n_falsetickers;
	rep.stray = st.stray;
	rep.local_precision = st.local_precision;
	rep.kernel_rx_ts = st.kernel_rx_ts;
	rep.kernel_tx_ts = st.n_t1_kernel > 0 && st.n_t1_user == 0;
	rep.elapsed_s = (double)st.elapsed_ns / 1e9;
	if (o.json)
		out_query_json(&out, &rep);
	else
		out_query_text(&out, &rep, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
	if (out.len)
		fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	rc = exit_status(&rep);
	for (size_t i = 0; i < rep.n; i++)
		query_target_fini(&rep.t[i]);
	free(rep.t);
	return rc;
}
