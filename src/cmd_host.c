/* cmd_host.c: `clockwatch status`, `peers` and `assoc`: the options they share, then
 * gather -> verdict -> render. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attribute.h"
#include "buf.h"
#include "cluster.h"
#include "cmd.h"
#include "conf.h"
#include "conf_file.h"
#include "gather.h"
#include "judge.h"
#include "macros.h"
#include "out_check.h"
#include "out_host.h"
#include "snapshot.h"
#include "sock.h"
#include "strutil.h"
#include "verdict.h"
#include "xalloc.h"

struct host_opts {
	struct gather_opts g;
	bool json;
	bool numeric;
	const char *id; /* vars: which source */
	struct check_opts check;
	bool cluster;       /* status --cluster */
	const char *config; /* -f: clockwatch.conf naming the nodes */
	bool config_given;
};

static const struct {
	const char *cmd;
	const char *what;
	const char *exit;
} views[] = {
    {"status", "Says whether this host's clock is synchronized, to what, how well, and why not.",
        "0 synchronized, 1 answered but not synchronized or a warning,\n"
        "2 no time service answers, 3 usage error."},
    {"peers", "Lists the time sources of this host's time daemon, as ntpq's peer billboard.",
        "0 the daemon answered, 2 it did not, 3 usage error."},
    {"assoc", "Lists the daemon's associations, as ntpq's \"as\" (chronyd: its sources).",
        "0 the daemon answered, 2 it did not, 3 usage error."},
    {"vars",
        "Prints the daemon's system variables, or with ID (an association id as assoc shows it,\n"
        "or an address) one source's, as ntpq's \"rv\" (chronyd: its report fields).",
        "0 the daemon answered, 2 it did not or has no such source, 3 usage error."},
    {"check",
        "A Nagios/Icinga plugin: one line TIME OK|WARNING|CRITICAL|UNKNOWN - text | perfdata,\n"
        "from seed 001's alarm (judged from the daemon's own memory) and offset thresholds.\n"
        "  -w, --warning RANGE   |offset| in seconds, plugin range syntax (default 1)\n"
        "  -c, --critical RANGE  (default 10)\n"
        "      --minor STATE     plugin state of a Minor alarm (default warning)\n"
        "      --major STATE     of a Major alarm (default critical); Critical is critical",
        "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the daemon does not answer, or usage)."},
};

static int
view_of(const char *cmd)
{
	for (int i = 0; i < (int)CW_ARRAY_LEN(views); i++)
		if (!strcmp(cmd, views[i].cmd))
			return i;
	return 0;
}

static void
usage(FILE *f, const char *cmd)
{
	int v = view_of(cmd);
	bool peers = !strcmp(cmd, "peers");

	fprintf(f,
	    "usage: clockwatch %s%s%s%s%s [--service NAME] [--conf FILE]\n"
	    "                         [--socket PATH] [--address HOST[:PORT]] [-t TIMEOUT]\n\n"
	    "%s\n\n"
	    "%s%s%s"
	    "%s%s"
	    "      --service NAME    ask this daemon: chronyd, ntpd, timesyncd (default: the one\n"
	    "                        that runs)\n"
	    "      --conf FILE       its configuration file (default: found from its command\n"
	    "                        line, else the distribution's path)\n"
	    "      --socket PATH     chronyd's Unix command socket (default: from its\n"
	    "                        configuration, else /run/chrony/chronyd.sock)\n"
	    "      --address H[:P]   chronyd's command port when the socket cannot be used\n"
	    "                        (default: its configuration's, else 127.0.0.1:323), or\n"
	    "                        ntpd's mode 6 address (default 127.0.0.1:123)\n"
	    "  -t, --timeout T       wait for each reply (default 1s; two retries follow)\n"
	    "  -h, --help            this help\n\n"
	    "chronyd is read over its command protocol, ntpd (classic or NTPsec) with mode 6,\n"
	    "systemd-timesyncd over D-Bus (set DBUS_SYSTEM_BUS_ADDRESS for another bus).\n\n"
	    "Exit status: %s\n",
	    cmd, v == 3 ? " [ID]" : "", v == 4 ? " [-w RANGE] [-c RANGE]" : " [--json]",
	    v == 0 ? " [--cluster [-f FILE]]" : "", peers ? " [-n]" : "", views[v].what,
	    v == 4 ? "" : "  -j, --json            JSON (schema clockwatch.", v == 4 ? "" : cmd,
	    v == 4 ? "" : "/1, see clockwatch(1))\n",
	    peers ? "  -n, --numeric         addresses, not names\n" : "",
	    v == 0
	        ? "      --cluster         the cluster instead: every node that clockwatch.conf\n"
	          "                        names (node lines), measured from here; exit status\n"
	          "                        0 within cluster_threshold, 1 a node not measured,\n"
	          "                        2 beyond the threshold (schema clockwatch.cluster/1)\n"
	          "  -f, --config FILE     that clockwatch.conf (default " CONF_DEFAULT_PATH ")\n"
	        : "",
	    views[v].exit);
}

static int
plugin_state(const char *s)
{
	static const char *const names[] = {"ok", "warning", "critical", "unknown"};

	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

/* check's own options: -w/-c ranges on |offset|, --minor/--major plugin states. */
static int
check_option(const char *cmd, int opt, const char *arg, struct check_opts *o)
{
	char err[160];

	if (strcmp(cmd, "check")) {
		fprintf(stderr, "clockwatch %s: unknown option '%s'\n", cmd,
		    opt == 'w'       ? "-w"
		        : opt == 'c' ? "-c"
		        : opt == 'm' ? "--minor"
		                     : "--major");
		return -1;
	}
	if (opt == 'w' || opt == 'c') {
		if (nagios_range_parse(arg, opt == 'w' ? &o->warn : &o->crit, err, sizeof(err)) <
		    0) {
			fprintf(stderr, "clockwatch check: -%c: %s\n", opt, err);
			return -1;
		}
		return 0;
	}
	int st = plugin_state(arg);
	if (st < 0) {
		fprintf(stderr,
		    "clockwatch check: bad state '%s' for --%s (ok, warning, critical, unknown)\n",
		    arg, opt == 'm' ? "minor" : "major");
		return -1;
	}
	*(opt == 'm' ? &o->on_minor : &o->on_major) = (enum nagios_state)st;
	return 0;
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
	    {"warning", required_argument, NULL, 'w'},
	    {"critical", required_argument, NULL, 'c'},
	    {"minor", required_argument, NULL, 'm'},
	    {"major", required_argument, NULL, 'M'},
	    {"cluster", no_argument, NULL, 'K'},
	    {"config", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0];
	int c;

	*o = (struct host_opts){.g = {.service = -1, .timeout_ns = 1000000000},
	    .config = CONF_DEFAULT_PATH};
	check_opts_default(&o->check);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jnt:w:c:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'K':
		case 'f':
			if (strcmp(cmd, "status"))
				goto unknown;
			if (c == 'K') {
				o->cluster = true;
			} else {
				o->config = optarg;
				o->config_given = true;
			}
			break;
		case 'j':
			if (!strcmp(cmd, "check"))
				goto unknown;
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
		case 'w':
		case 'c':
		case 'm':
		case 'M':
			if (check_option(cmd, c, optarg, &o->check) < 0)
				return -1;
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
			if (optopt && strchr("tf", optopt))
				fprintf(stderr, "clockwatch %s: option -%c needs a value\n", cmd,
				    optopt);
			else
				fprintf(stderr, "clockwatch %s: unknown option '%s'\n", cmd,
				    argv[optind - 1]);
			return -1;
		}
	}
	if (!strcmp(cmd, "vars") && optind < argc)
		o->id = argv[optind++];
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

/* The source named by id: its association id (assoc's assid), else its address or name. */
static const struct snap_source *
find_source(const struct snapshot *s, const char *id)
{
	long n;

	if (strutil_parse_long(id, 0, 65535, &n) == 0)
		for (size_t i = 0; i < s->n_sources; i++)
			if (s->sources[i].assoc_id == n)
				return &s->sources[i];
	for (size_t i = 0; i < s->n_sources; i++)
		if (!strcmp(s->sources[i].addr, id) || !strcmp(s->sources[i].name, id))
			return &s->sources[i];
	return NULL;
}

static int
render_vars(struct buf *out, const struct snapshot *s, const char *id, bool json)
{
	const struct snap_source *src = NULL;

	if (id && s->primary >= 0 && s->svc[s->primary].answering) {
		src = find_source(s, id);
		if (!src) {
			fprintf(stderr, "clockwatch vars: no source '%s' (see clockwatch assoc)\n",
			    id);
			return -1;
		}
	}
	if (json)
		out_vars_json(out, s, src);
	else
		out_vars_text(out, src ? &src->vars : &s->system_vars);
	return 0;
}

/* The alarm model without memory: the daemon's uptime and last update stand in for it. */
static int
check(struct buf *out, const struct snapshot *s, const struct check_opts *o)
{
	struct alarm_server servers[64];
	struct alarm_input in;
	struct alarm_state st;
	struct alarm_config cfg;
	char text[ALARM_TEXT_MAX];
	int64_t now = sock_monotonic_ns();

	alarm_config_default(&cfg);
	judge_alarm_input(s, servers, CW_ARRAY_LEN(servers), &in);
	judge_stateless_state(s, now, &st);
	enum alarm_severity sev = alarm_conditions(&cfg, &st, &in, now, text, sizeof(text));
	/* Is it this clock or the daemon? Only asked when the offset is what alarms. */
	if (in.have_offset && fabs(in.offset_s) > cfg.critical_s) {
		double own[64];
		size_t n;
		char why[400];
		gather_measure_servers(s, INT64_C(1000000000), own, CW_ARRAY_LEN(own), &n);
		attribute_judge(snapshot_daemon_name((enum snap_daemon)s->primary), in.offset_s,
		    own, n, why, sizeof(why));
		size_t used = strlen(text);
		snprintf(text + used, sizeof(text) - used, "; %s", why);
	}
	return (int)out_check(out, s, o, sev, text);
}

/* status --cluster: every node of clockwatch.conf measured from here, judged as the agent
 * judges them. Exit status 0 within the threshold, 1 some node not measured, 2 beyond. */
static int
cluster_view(const struct host_opts *o)
{
	struct conf *c = xmalloc(sizeof(*c));
	struct cluster_node *nodes;
	struct cluster_verdict v;
	struct buf out = {0};
	char self[128] = "";
	size_t n = 0;

	if (conf_load_file(o->config, o->config_given, c) < 0) {
		free(c);
		return CMD_EXIT_USAGE;
	}
	if (!c->n_nodes) {
		fprintf(stderr, "clockwatch status: %s names no node: no cluster to show\n",
		    o->config);
		free(c);
		return CMD_EXIT_USAGE;
	}
	if (c->node_name[0])
		snprintf(self, sizeof(self), "%s", c->node_name);
	else if (gethostname(self, sizeof(self) - 1) < 0 || !self[0])
		snprintf(self, sizeof(self), "localhost");
	nodes = xcalloc(c->n_nodes + 1, sizeof(*nodes));
	gather_measure_nodes(c->nodes, c->n_nodes, self, o->g.timeout_ns, nodes, &n);
	cluster_judge(nodes, n, c->cluster_threshold_s, &v);
	o->json ? out_cluster_json(&out, nodes, n, &v) : out_cluster_text(&out, nodes, n, &v);
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	free(nodes);
	free(c);
	return v.exceeded              ? CMD_EXIT_NONE
	    : v.n_measured < v.n_nodes ? CMD_EXIT_PARTIAL
	                               : CMD_EXIT_OK;
}

static int
run(int argc, char **argv)
{
	struct host_opts o;
	struct snapshot s;
	struct verdict v;
	struct buf out = {0};
	int view = view_of(argv[0]), rc = 0;
	bool status = view == 0;

	if (parse(argc, argv, &o) < 0) {
		fprintf(stderr, "Try 'clockwatch %s --help'.\n", argv[0]);
		return CMD_EXIT_USAGE;
	}
	if (o.cluster)
		return cluster_view(&o);
	snapshot_init(&s);
	o.g.want_vars = view == 3;
	gather_host(&s, &o.g);
	verdict_judge(&s, &v);
	bool answered = s.primary >= 0 && s.svc[s.primary].answering;
	if (view == 4) {
		rc = check(&out, &s, &o.check);
		if (out.len)
			fwrite(out.data, 1, out.len, stdout);
		buf_free(&out);
		snapshot_fini(&s);
		return rc;
	}
	if (!status && !answered && !o.json)
		; /* a table of nothing would look like an answer: only the reason, on stderr */
	else if (view == 1)
		o.json ? out_peers_json(&out, &s) : out_peers_text(&out, &s, o.numeric);
	else if (view == 2)
		o.json ? out_assoc_json(&out, &s) : out_assoc_text(&out, &s);
	else if (view == 3)
		rc = render_vars(&out, &s, o.id, o.json);

	else if (o.json)
		out_status_json(&out, &s, &v);
	else
		out_status_text(&out, &s, &v, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
	if (out.len)
		fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	if (!status && !answered && s.primary >= 0)
		fprintf(stderr, "clockwatch %s: %s\n", argv[0], s.svc[s.primary].error);
	else if (!status && s.primary < 0)
		fprintf(stderr, "clockwatch %s: no time service runs here\n", argv[0]);
	if (!answered || rc < 0)
		rc = CMD_EXIT_NONE;
	else if (!status || v.level == VERDICT_OK)
		rc = CMD_EXIT_OK;
	else
		rc = CMD_EXIT_PARTIAL;
	snapshot_fini(&s);
	return rc;
}

int
cmd_status(int argc, char **argv)
{
	return run(argc, argv);
}

int
cmd_peers(int argc, char **argv)
{
	return run(argc, argv);
}

int
cmd_assoc(int argc, char **argv)
{
	return run(argc, argv);
}

int
cmd_vars(int argc, char **argv)
{
	return run(argc, argv);
}

int
cmd_check(int argc, char **argv)
{
	return run(argc, argv);
}
