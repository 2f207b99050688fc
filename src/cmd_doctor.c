/* cmd_doctor.c: `clockwatch doctor`: the daemon's view with its per-source details, then what
 * clockwatch sees for itself (/etc/services, the firewall, its own queries of the daemon's
 * servers, the drift file), judged by doctor.c and printed by out_doctor.c. Reads only: nothing
 * here sets the clock or changes the firewall. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "doctor.h"
#include "firewall.h"
#include "gather.h"
#include "macros.h"
#include "out_doctor.h"
#include "probe_ntp.h"
#include "query.h"
#include "snapshot.h"
#include "sock.h"
#include "strutil.h"
#include "xalloc.h"

#define SERVICES_PATH "/etc/services"
#define SERVICES_MAX_BYTES (1 << 20)
#define NTP_PORT 123

struct doctor_opts {
	struct gather_opts g;
	bool json;
};

/* What clockwatch gathered itself, owned here; ev points into it. */
struct gathered {
	struct doctor_evidence ev;
	char *services;
	struct doctor_firewall fw;
	struct doctor_server servers[DOCTOR_MAX_SERVERS];
	struct query_target *own;
	size_t n_own;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: clockwatch doctor [--json] [--service NAME] [--conf FILE] [--socket PATH]\n"
	    "                         [--address HOST[:PORT]] [-t TIMEOUT]\n\n"
	    "Runs ntpd's debugging checklist for this host's time service and says, for each\n"
	    "check, ok, info, warn or fail, with the numbers seen and what to do: which service\n"
	    "runs, the NTP port, the firewall, the configured servers (resolved and queried by\n"
	    "clockwatch itself), the daemon's packet counters, reach, kiss-o'-death, selection,\n"
	    "offset, frequency and drift file, network delay, the kernel's clock state.\n"
	    "It reads only: it never sets the clock. As root it also reads the firewall.\n\n"
	    "  -j, --json            JSON (schema clockwatch.doctor/1, see clockwatch(1))\n"
	    "      --service NAME    the daemon: chronyd, ntpd, timesyncd (default: the one that\n"
	    "                        runs)\n"
	    "      --conf FILE       its configuration file (needs --service)\n"
	    "      --socket PATH     chronyd's Unix command socket\n"
	    "      --address H[:P]   chronyd's command port, or ntpd's mode 6 address\n"
	    "  -t, --timeout T       wait for each reply (default 1s)\n"
	    "  -h, --help            this help\n\n"
	    "Exit status: 0 every finding ok or info, 1 a warning, 2 a failure, 3 usage error.\n");
}

static int CW_PRINTF(1, 2) bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "clockwatch doctor: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'clockwatch doctor --help'.\n");
	return -1;
}

/* Returns 0, 1 after --help, or -1 on a usage error (already reported). */
static int
parse(int argc, char **argv, struct doctor_opts *o)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"service", required_argument, NULL, 'S'},
	    {"conf", required_argument, NULL, 'C'},
	    {"socket", required_argument, NULL, 's'},
	    {"address", required_argument, NULL, 'a'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct doctor_opts){.g = {.service = -1, .timeout_ns = 1000000000}};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jt:h", longopts, NULL)) != -1) {
		if (c == 'j') {
			o->json = true;
		} else if (c == 'S') {
			o->g.service = gather_service_from_name(optarg);
			if (o->g.service < 0)
				return bad_usage("unknown service '%s' (chronyd, ntpd, timesyncd)",
				    optarg);
		} else if (c == 'C' || c == 's' || c == 'a') {
			*(c == 'C' ? &o->g.conf : c == 's' ? &o->g.socket : &o->g.address) = optarg;
		} else if (c == 't') {
			if (strutil_parse_duration_ns(optarg, &o->g.timeout_ns) < 0 ||
			    o->g.timeout_ns < 1000000 || o->g.timeout_ns > 60 * INT64_C(1000000000))
				return bad_usage("bad timeout '%s' (a duration from 1ms to 1m)",
				    optarg);
		} else if (c == 'h') {
			usage(stdout);
			return 1;
		} else if (c == ':') {
			return bad_usage("option '%s' needs a value", argv[optind - 1]);
		} else {
			return bad_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	if (o->g.conf && o->g.service < 0)
		return bad_usage("%s needs --service", "--conf");
	return 0;
}

/* The whole of a small text file, NUL-terminated; -errno on failure. */
static int
slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "re");
	size_t cap = 16384, n = 0;

	*out = NULL;
	*len = 0;
	if (!f)
		return -errno;
	char *text = xmalloc(cap + 1);
	size_t got;
	while ((got = fread(text + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap && cap < SERVICES_MAX_BYTES)
			text = xrealloc(text, (cap *= 2) + 1);
		else if (n == cap)
			break; /* the rest of an oversized file is not read */
	}
	int err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (err) {
		free(text);
		return err;
	}
	text[n] = '\0';
	*out = text;
	*len = n;
	return 0;
}

/* clockwatch's own queries: DOCTOR_SAMPLES samples per address of every server. */
static void
measure(struct gathered *g, const struct snapshot *s, int64_t timeout_ns)
{
	struct hostspec specs[DOCTOR_MAX_SERVERS];
	struct probe_ntp_opts o = {.count = DOCTOR_SAMPLES,
	    .interval_ns = (int64_t)(DOCTOR_SAMPLE_SPACING_S * 1e9),
	    .timeout_ns = timeout_ns,
	    .family = AF_UNSPEC};
	struct probe_ntp_stats st;
	struct select_result sel;

	g->ev.n_servers = doctor_servers(s, g->servers, DOCTOR_MAX_SERVERS);
	g->ev.servers = g->servers;
	for (size_t i = 0; i < g->ev.n_servers; i++) {
		memset(&specs[i], 0, sizeof(specs[i]));
		snprintf(specs[i].host, sizeof(specs[i].host), "%s", g->servers[i].name);
		specs[i].port = g->servers[i].port;
	}
	if (g->ev.n_servers == 0 ||
	    probe_ntp_query(specs, g->ev.n_servers, &o, &g->own, &g->n_own, &st) < 0)
		return;
	query_select(g->own, g->n_own, &sel);
	g->ev.own = g->own;
	g->ev.n_own = g->n_own;
	g->ev.measured = true;
}

static void
gather_evidence(struct gathered *g, const struct snapshot *s, int64_t timeout_ns)
{
	int r = slurp(SERVICES_PATH, &g->services, &g->ev.services_len);

	g->ev.services_path = SERVICES_PATH;
	g->ev.services_text = g->services;
	g->ev.services_err = r;
	firewall_read(NTP_PORT, &g->fw);
	g->ev.fw = &g->fw;
	measure(g, s, timeout_ns);
	if (s->primary >= 0 && s->svc[s->primary].conf.driftfile[0] == '/') {
		struct stat st;
		g->ev.drift_checked = true;
		if (stat(s->svc[s->primary].conf.driftfile, &st) < 0)
			g->ev.drift_err = -errno;
		else
			g->ev.drift_mtime_ns =
			    (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	}
	g->ev.real_ns = sock_realtime_ns();
}

int
cmd_doctor(int argc, char **argv)
{
	struct doctor_opts o;
	struct snapshot s;
	struct buf out = {0};
	int r = parse(argc, argv, &o);

	if (r != 0)
		return r > 0 ? CMD_EXIT_OK : CMD_EXIT_USAGE;
	struct gathered *g = xcalloc(1, sizeof(*g));
	struct doctor_report *rep = xcalloc(1, sizeof(*rep));
	snapshot_init(&s);
	o.g.want_details = true;
	gather_host(&s, &o.g);
	gather_evidence(g, &s, o.g.timeout_ns);
	doctor_judge(&s, &g->ev, rep);
	if (o.json)
		out_doctor_json(&out, rep);
	else
		out_doctor_text(&out, rep, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
	if (out.len)
		fwrite(out.data, 1, out.len, stdout);
	r = doctor_exit_status(rep->worst);
	buf_free(&out);
	for (size_t i = 0; i < g->n_own; i++)
		query_target_fini(&g->own[i]);
	free(g->own);
	free(g->services);
	free(g);
	free(rep);
	snapshot_fini(&s);
	return r;
}
