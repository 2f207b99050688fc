/* cmd_agent.c: `clockwatch agent`, the daemon: a check every interval (gather -> judge ->
 * alarm_eval), every alarm event logged, stored and handed to alarm_command; the alarm's state
 * stored with each check so a restart (or kill -9) neither loses nor repeats an event. One
 * thread, one poll loop (loop.c); signals through signalfd; sd_notify readiness and watchdog.
 *
 * Timers across a restart: the alarm's timers (grace, 60 min, 90 s) are kept as wall-clock
 * times in the store and turned back into monotonic ones at start, so time the agent was down
 * counts, as if it had watched all along. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alarm.h"
#include "attribute.h"
#include "cluster.h"
#include "cmd.h"
#include "conf.h"
#include "conf_file.h"
#include "gather.h"
#include "hist.h"
#include "http.h"
#include "httpc.h"
#include "judge.h"
#include "log.h"
#include "loop.h"
#include "ntp_server.h"
#include "out_host.h"
#include "out_metrics.h"
#include "out_store.h"
#include "probe_ntp.h"
#include "responder.h"
#include "sandbox.h"
#include "service.h"
#include "snapshot.h"
#include "sock.h"
#include "strutil.h"
#include "timeutil.h"
#include "verdict.h"
#include "web_assets.h"
#include "xalloc.h"

#define PRUNE_EVERY_NS (INT64_C(3600) * 1000000000)
#define HTTP_RETRY_NS (INT64_C(60) * 1000000000)
#define API_MAX_EVENTS 1000

struct agent;

/* One Alertmanager: what it was last told (delivered), what is on its way. */
struct am_target {
	struct agent *agent;
	char url[256];
	bool inflight, failing;
	int active_sev, sending_sev;
	char active_text[ALARM_TEXT_MAX], sending_text[ALARM_TEXT_MAX];
	int64_t active_starts_ns, sending_starts_ns;
};

struct agent {
	struct conf conf;
	const char *conf_path;
	bool conf_given;
	struct loop *loop;
	struct loop_timer check_tm, prune_tm, watchdog_tm;
	struct hist *hist;
	bool store_failing;
	struct alarm_state alarm;
	int64_t last_seq; /* the last event stored */
	int sigfd;
	bool ready;
	int64_t watchdog_ns;
	/* the last check, for the HTTP side */
	struct snapshot last;
	bool have_last;
	struct verdict verdict;
	char node[128];
	int64_t started_real_ns;
	uint64_t checks, probe_errors, store_errors;
	uint64_t am_pushes, am_push_errors;
	double check_duration_s, last_check_s;
	struct http_server *http;
	struct loop_timer http_retry_tm;
	/* Alertmanager */
	struct httpc *am;
	struct am_target am_t[CONF_ALERTMANAGER_MAX];
	struct loop_timer am_tm;
	int64_t alarm_since_ns; /* when the alarm took its current severity (Unix ns) */
	/* the cluster, as the last check measured it */
	struct cluster_node cl[CONF_NODES_MAX + 1];
	size_t n_cl;
	struct cluster_verdict clv;
	/* the NTP responder (responder in clockwatch.conf), in a thread of its own with its own
	 * loop: a check's probes block this loop for up to a timeout, and the other nodes must
	 * not see that as delay on this node's clock */
	struct responder *resp;
	struct loop *resp_loop;
	pthread_t resp_thread;
	int resp_wake; /* eventfd: stop the responder's loop */
	int precision;
	char am_attribution[400];
};

/* ---- configuration ---- */

static void
alarm_config_from(const struct conf *c, struct alarm_config *a)
{
	alarm_config_default(a);
	a->critical_s = c->critical_s;
	a->panic_s = c->panic_s;
	a->grace_ns = c->grace_ns;
	a->reject_initial_ns = c->reject_initial_ns;
	a->reject_reselect_ns = c->reject_reselect_ns;
	a->clear_delay_ns = c->clear_delay_ns;
}

/* ---- the store ---- */

static void
store_trouble(struct agent *a, const char *what, int r)
{
	a->store_errors++;
	if (!a->store_failing)
		log_error("store %s: %s: %s (checks and alarms go on, unstored)", a->conf.state_dir,
		    what, a->hist ? hist_strerror(a->hist) : strerror(-r));
	a->store_failing = true;
}

static void
open_store(struct agent *a)
{
	if (mkdir(a->conf.state_dir, 0750) < 0 && errno != EEXIST) {
		store_trouble(a, "cannot create", -errno);
		return;
	}
	int r = hist_open(a->conf.state_dir, false, &a->hist);
	if (r < 0) {
		log_error("store %s: %s", a->conf.state_dir, hist_open_error());
		a->hist = NULL;
		a->store_failing = true;
	}
}

/* The stored alarm state, with its wall-clock times turned into monotonic ones. */
static void
restore_alarm(struct agent *a, int64_t now_mono, int64_t now_real)
{
	struct hist_alarm h;

	alarm_state_init(&a->alarm, now_mono);
	if (!a->hist || hist_load_alarm(a->hist, &h) < 0 || !h.valid)
		return;
	a->last_seq = h.last_seq;
	a->alarm.severity = (enum alarm_severity)h.severity;
	snprintf(a->alarm.text, sizeof(a->alarm.text), "%s", h.text);
	a->alarm.ever_selected = h.ever_selected;
	a->alarm.start_ns = now_mono - (now_real - h.start_real_ns);
	a->alarm.unselected_since_ns = h.unselected_since_real_ns < 0
	    ? -1
	    : now_mono - (now_real - h.unselected_since_real_ns);
	a->alarm.unselected_initial = h.unselected_initial;
	if (h.severity)
		log_notice("alarm restored from the store: %s: %s", alarm_severity_name(h.severity),
		    h.text);
}

static void
to_stored(const struct alarm_state *s, int64_t now_mono, int64_t now_real, int64_t last_seq,
    struct hist_alarm *h)
{
	memset(h, 0, sizeof(*h));
	h->valid = true;
	h->severity = s->severity;
	snprintf(h->text, sizeof(h->text), "%s", s->text);
	h->ever_selected = s->ever_selected;
	h->start_real_ns = now_real - (now_mono - s->start_ns);
	h->unselected_since_real_ns =
	    s->unselected_since_ns < 0 ? -1 : now_real - (now_mono - s->unselected_since_ns);
	h->unselected_initial = s->unselected_initial;
	h->last_seq = last_seq;
}

static void
check_row(const struct snapshot *s, int severity, struct hist_check *c)
{
	memset(c, 0, sizeof(*c));
	c->real_ns = s->real_ns;
	c->service = s->primary;
	c->answering = s->primary >= 0 && s->svc[s->primary].answering;
	c->synchronized = s->synchronized;
	c->offset_s = s->offset_s;
	c->offset_error_s = s->offset_error_s;
	c->root_distance_s = s->root_distance_s;
	c->jitter_s = NAN;
	c->stratum = s->stratum;
	c->n_sources = (int)s->n_sources;
	for (size_t i = 0; i < s->n_sources; i++) {
		c->n_reachable += s->sources[i].reach != 0;
		if (s->sources[i].tally == '*')
			c->jitter_s = s->sources[i].jitter_s;
	}
	c->severity = severity;
}

/* ---- alarm_command ---- */

static void
run_alarm_command(const struct agent *a, const struct hist_event *ev, const char *attribution)
{
	const struct conf *c = &a->conf;
	char num[32];

	if (!c->alarm_command[0])
		return;
	pid_t pid = fork();
	if (pid < 0) {
		log_errno(LOG_LVL_ERROR, -errno, "alarm_command %s", c->alarm_command);
		return;
	}
	if (pid > 0)
		return; /* reaped on SIGCHLD */
	setenv("CLOCKWATCH_EVENT", alarm_event_name((enum alarm_event_kind)ev->kind), 1);
	setenv("CLOCKWATCH_SEVERITY", alarm_severity_name((enum alarm_severity)ev->to), 1);
	setenv("CLOCKWATCH_PREVIOUS_SEVERITY", alarm_severity_name((enum alarm_severity)ev->from),
	    1);
	setenv("CLOCKWATCH_TEXT", ev->text, 1);
	if (attribution[0])
		setenv("CLOCKWATCH_ATTRIBUTION", attribution, 1);
	snprintf(num, sizeof(num), "%lld", (long long)ev->seq);
	setenv("CLOCKWATCH_SEQ", num, 1);
	snprintf(num, sizeof(num), "%u", c->major_type);
	setenv("CLOCKWATCH_MAJOR_TYPE", num, 1);
	snprintf(num, sizeof(num), "%u", c->minor_type);
	setenv("CLOCKWATCH_MINOR_TYPE", num, 1);
	snprintf(num, sizeof(num), "%d", c->event_type);
	setenv("CLOCKWATCH_EVENT_TYPE", num, 1);
	setenv("CLOCKWATCH_MANAGED_OBJECT", c->managed_object, 1);
	setenv("CLOCKWATCH_SPECIFIC_PROBLEM", c->specific_problem, 1);
	execl(c->alarm_command, c->alarm_command, (char *)NULL);
	_exit(127);
}

/* ---- the check ---- */

static int64_t
jittered(int64_t interval_ns)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint32_t)sock_monotonic_ns();
	/* +/- 10 %: many agents started together do not stay in step */
	return interval_ns - interval_ns / 10 +
	    (int64_t)((double)r / 4294967296.0 * (double)interval_ns / 5);
}

static void check_cb(struct loop *l, void *data);
static void am_push(struct agent *a);
static void responder_update(struct agent *a, const struct snapshot *s);

static void
check(struct agent *a)
{
	struct snapshot s;
	struct alarm_server servers[64];
	struct alarm_input in;
	struct alarm_config acfg;
	struct alarm_event ev;
	struct hist_check row;
	struct hist_event hev = {0};
	struct hist_alarm stored;
	struct gather_opts g = {
	    .service = a->conf.service,
	    .conf = a->conf.daemon_conf[0] ? a->conf.daemon_conf : NULL,
	    .socket = a->conf.chronyd_socket[0] ? a->conf.chronyd_socket : NULL,
	    .address = a->conf.address[0] ? a->conf.address : NULL,
	    .timeout_ns = a->conf.timeout_ns,
	};

	int64_t t0 = sock_monotonic_ns();
	snapshot_init(&s);
	gather_host(&s, &g);
	if (s.primary < 0 || !s.svc[s.primary].answering)
		a->probe_errors++;
	int64_t now = sock_monotonic_ns();
	alarm_config_from(&a->conf, &acfg);
	judge_alarm_input(&s, servers, CW_ARRAY_LEN(servers), &in);
	if (a->conf.n_nodes) {
		gather_measure_nodes(a->conf.nodes, a->conf.n_nodes, a->node, a->conf.timeout_ns,
		    a->cl, &a->n_cl);
		cluster_judge(a->cl, a->n_cl, a->conf.cluster_threshold_s, &a->clv);
		in.cluster_text = a->clv.exceeded ? a->clv.text : NULL;
	} else {
		a->n_cl = 0;
	}
	bool changed = alarm_eval(&acfg, &a->alarm, &in, now, &ev);
	if (changed) {
		hev.real_ns = s.real_ns;
		hev.kind = ev.kind;
		hev.from = ev.from;
		hev.to = ev.to;
		snprintf(hev.text, sizeof(hev.text), "%s", ev.text);
	}
	check_row(&s, a->alarm.severity, &row);
	if (a->hist) {
		to_stored(&a->alarm, now, s.real_ns, a->last_seq, &stored);
		int r = hist_commit_check(a->hist, &row, changed ? &hev : NULL, changed ? 1 : 0,
		    &stored);
		if (r < 0)
			store_trouble(a, "write", r);
		else if (changed)
			a->last_seq = hev.seq;
		if (r == 0 && a->store_failing) {
			log_notice("store %s: writing again", a->conf.state_dir);
			a->store_failing = false;
		}
	}
	if (changed) {
		char why[400] = "";
		log_warning("alarm %s: %s%s%s", alarm_event_name(ev.kind),
		    alarm_severity_name(ev.to), ev.text[0] ? ": " : "", ev.text);
		/* Is it this clock or the daemon? Asked when the offset is what alarms. */
		if (ev.to != ALARM_CLEARED && in.have_offset &&
		    fabs(in.offset_s) > acfg.critical_s) {
			double own[64];
			size_t n;
			gather_measure_servers(&s, a->conf.timeout_ns, own, CW_ARRAY_LEN(own), &n);
			attribute_judge(snapshot_daemon_name((enum snap_daemon)s.primary),
			    in.offset_s, own, n, why, sizeof(why));
			log_warning("alarm %s: %s", alarm_event_name(ev.kind), why);
		}
		run_alarm_command(a, &hev, why);
		if (ev.from != ev.to)
			a->alarm_since_ns = s.real_ns;
		snprintf(a->am_attribution, sizeof(a->am_attribution), "%s", why);
		am_push(a);
	}
	if (!a->ready) {
		(void)service_notify("READY=1");
		a->ready = true;
	}
	char status[600];
	snprintf(status, sizeof(status), "STATUS=%s%s%.500s",
	    alarm_severity_name(a->alarm.severity), a->alarm.text[0] ? ": " : "", a->alarm.text);
	(void)service_notify(status);
	/* kept for the HTTP side until the next check */
	if (a->have_last)
		snapshot_fini(&a->last);
	a->last = s;
	a->have_last = true;
	verdict_judge(&a->last, &a->verdict);
	responder_update(a, &a->last);
	a->checks++;
	a->check_duration_s = (double)(sock_monotonic_ns() - t0) / 1e9;
	a->last_check_s = (double)sock_realtime_ns() / 1e9;
}

static void
check_cb(struct loop *l, void *data)
{
	struct agent *a = data;

	check(a);
	loop_timer_arm(l, &a->check_tm, loop_now_ns(l) + jittered(a->conf.interval_ns), check_cb,
	    a);
}

static void
prune_cb(struct loop *l, void *data)
{
	struct agent *a = data;

	if (a->hist && hist_prune(a->hist, sock_realtime_ns() - a->conf.retention_ns) < 0)
		store_trouble(a, "prune", -EIO);
	loop_timer_arm(l, &a->prune_tm, loop_now_ns(l) + PRUNE_EVERY_NS, prune_cb, a);
}

static void
watchdog_cb(struct loop *l, void *data)
{
	struct agent *a = data;

	(void)service_notify("WATCHDOG=1");
	loop_timer_arm(l, &a->watchdog_tm, loop_now_ns(l) + a->watchdog_ns, watchdog_cb, a);
}

/* ---- the HTTP side: /metrics, /api/v1/..., the dashboard ---- */

static void api_error(struct http_resp *r, int status, const char *fmt, ...) CW_PRINTF(3, 4);

static void
api_error(struct http_resp *r, int status, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_reset(&r->body);
	r->status = status;
	r->content_type = "application/json";
	json_t *o = json_pack("{s:s,s:i,s:s}", "schema", "clockwatch.error/1", "status", status,
	    "error", msg);
	char *t = json_dumps(o, JSON_PRESERVE_ORDER);
	if (t) {
		buf_printf(&r->body, "%s\n", t);
		free(t);
	}
	json_decref(o);
}

/* The process's CPU time and resident memory, for process_* metrics. */
static void
process_usage(double *cpu_s, double *rss_bytes)
{
	struct rusage ru;
	long pages = 0, rss = 0;

	*cpu_s = NAN;
	*rss_bytes = NAN;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		*cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	FILE *f = fopen("/proc/self/statm", "re");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) == 2)
			*rss_bytes = (double)rss * (double)sysconf(_SC_PAGESIZE);
		fclose(f);
	}
}

static void
serve_metrics(struct agent *a, const struct http_req *req, struct http_resp *r)
{
	struct metrics_agent m = {
	    .version = CW_VERSION,
	    .node = a->node,
	    .alarm_severity = a->alarm.severity,
	    .alarm_text = a->alarm.text,
	    .alarm_events = a->last_seq,
	    .checks = a->checks,
	    .probe_errors = a->probe_errors,
	    .store_errors = a->store_errors,
	    .am_pushes = a->am_pushes,
	    .am_push_errors = a->am_push_errors,
	    .store_up = a->hist && !a->store_failing,
	    .check_duration_s = a->checks ? a->check_duration_s : NAN,
	    .interval_s = (double)a->conf.interval_ns / 1e9,
	    .last_check_s = a->checks ? a->last_check_s : NAN,
	    .start_time_s = (double)a->started_real_ns / 1e9,
	    .cluster = a->n_cl ? a->cl : NULL,
	    .n_cluster = a->n_cl,
	    .cluster_v = &a->clv,
	};
	bool om = out_metrics_wants_openmetrics(http_req_header(req, "Accept"));

	process_usage(&m.cpu_s, &m.rss_bytes);
	if (a->resp) {
		struct responder_stats rs;
		responder_get_stats(a->resp, &rs);
		m.have_responder = true;
		m.resp_answered = rs.answered;
		m.resp_not_allowed = rs.not_allowed;
		m.resp_rate_limited = rs.rate_limited;
		m.resp_malformed = rs.malformed;
	}
	out_metrics(&r->body, a->have_last ? &a->last : NULL, &m, om);
	r->content_type = om ? METRICS_OM_CONTENT_TYPE : METRICS_CONTENT_TYPE;
}

static void
serve_alarms(struct agent *a, const struct http_req *req, struct http_resp *r)
{
	const char *cs = http_req_arg(req, "count");
	long count = 20;
	struct hist_alarm al;
	size_t n = 0;

	if (cs && strutil_parse_long(cs, 1, API_MAX_EVENTS, &count) < 0) {
		api_error(r, 400, "count: want an integer from 1 to %d, got '%.40s'",
		    API_MAX_EVENTS, cs);
		return;
	}
	/* the alarm as the agent holds it now; the log from the store */
	to_stored(&a->alarm, sock_monotonic_ns(), sock_realtime_ns(), a->last_seq, &al);
	struct hist_event *ev = xcalloc((size_t)count, sizeof(*ev));
	if (a->hist && hist_events(a->hist, ev, (size_t)count, &n) < 0) {
		api_error(r, 503, "the alarm log cannot be read: %s", hist_strerror(a->hist));
		free(ev);
		return;
	}
	out_alarms_json(&r->body, &al, ev, n);
	r->content_type = "application/json";
	free(ev);
}

static void
serve_history(struct agent *a, const struct http_req *req, struct http_resp *r)
{
	int64_t from, to, step;
	char err[200];
	size_t n = 0;

	if (history_window(http_req_arg(req, "from"), http_req_arg(req, "to"),
	        http_req_arg(req, "step"), sock_realtime_ns(), &from, &to, &step, err,
	        sizeof(err)) < 0) {
		api_error(r, 400, "%s", err);
		return;
	}
	if (!a->hist) {
		api_error(r, 503, "no history: the store %s is not open", a->conf.state_dir);
		return;
	}
	struct hist_point *p = xcalloc(HIST_MAX_POINTS, sizeof(*p));
	if (hist_series(a->hist, from, to, step, p, HIST_MAX_POINTS, &n) < 0)
		api_error(r, 503, "the history cannot be read: %s", hist_strerror(a->hist));
	else
		out_history_json(&r->body, from, to, step, p, n);
	r->content_type = "application/json";
	free(p);
}

static void
serve_agent(struct agent *a, struct http_resp *r)
{
	char started[32], last[32];
	time_t t = (time_t)(a->started_real_ns / 1000000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	t = (time_t)a->last_check_s;
	gmtime_r(&t, &tm);
	strftime(last, sizeof(last), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *o = json_pack("{s:s,s:s,s:s,s:f,s:s,s:o,s:I,s:I,s:{s:s,s:i,s:s}}", "schema",
	    "clockwatch.agent/1", "node", a->node, "version", CW_VERSION, "interval_s",
	    (double)a->conf.interval_ns / 1e9, "started", started, "last_check",
	    a->checks ? json_string(last) : json_null(), "checks_total", (json_int_t)a->checks,
	    "cluster_nodes", (json_int_t)a->conf.n_nodes, "alarm", "severity",
	    alarm_severity_name(a->alarm.severity), "severity_level", (int)a->alarm.severity,
	    "text", a->alarm.text);
	char *txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (txt) {
		buf_printf(&r->body, "%s\n", txt);
		free(txt);
	}
	json_decref(o);
	r->content_type = "application/json";
}

static void
http_cb(void *data, const struct http_req *req, struct http_resp *r)
{
	struct agent *a = data;
	const char *path = http_req_path(req);

	if (!strcmp(path, "/metrics")) {
		serve_metrics(a, req, r);
	} else if (!strncmp(path, "/api/", 5)) {
		if (!strcmp(path, "/api/v1/alarms")) {
			serve_alarms(a, req, r);
		} else if (!strcmp(path, "/api/v1/history")) {
			serve_history(a, req, r);
		} else if (!strcmp(path, "/api/v1/agent")) {
			serve_agent(a, r);
		} else if (!strcmp(path, "/api/v1/cluster")) {
			if (!a->conf.n_nodes) {
				api_error(r, 404, "no cluster: the configuration names no node");
				return;
			}
			if (!a->n_cl) {
				api_error(r, 503, "no check has finished yet");
				return;
			}
			out_cluster_json(&r->body, a->cl, a->n_cl, &a->clv);
			r->content_type = "application/json";
		} else if (!strcmp(path, "/api/v1/status") || !strcmp(path, "/api/v1/sources")) {
			if (!a->have_last) {
				api_error(r, 503, "no check has finished yet");
				return;
			}
			if (path[8] == 's' && path[9] == 't')
				out_status_json(&r->body, &a->last, &a->verdict);
			else
				out_peers_json(&r->body, &a->last);
			r->content_type = "application/json";
		} else {
			api_error(r, 404, "no such API: %.100s", path);
		}
	} else {
		for (size_t i = 0; i < web_n_assets; i++) {
			const struct web_asset *w = &web_assets[i];
			if (strcmp(path, w->route))
				continue;
			const char *inm = http_req_header(req, "If-None-Match");
			r->etag = w->etag;
			r->content_type = w->content_type;
			r->html = true;
			if (inm && !strcmp(inm, w->etag)) {
				r->status = 304;
				return;
			}
			r->static_body = w->data;
			r->static_len = w->len;
			return;
		}
		r->status = 404;
		r->content_type = "text/plain; charset=utf-8";
		buf_printf(&r->body, "not found: try /, /metrics or /api/v1/status\n");
	}
}

static void http_retry_cb(struct loop *l, void *data);

/* Starts (or restarts) the HTTP side from the configuration; a failure to listen is retried
 * every minute: the checks and the alarm go on meanwhile. */
static void
start_http(struct agent *a)
{
	const struct conf *c = &a->conf;
	const char *listen[CONF_HTTP_LISTEN_MAX];
	struct http_opts o = {
	    .listen = listen,
	    .n_listen = c->n_http_listen,
	    .tls_cert_file = c->http_tls_cert[0] ? c->http_tls_cert : NULL,
	    .tls_key_file = c->http_tls_key[0] ? c->http_tls_key : NULL,
	    .user = c->http_user[0] ? c->http_user : NULL,
	    .password_file = c->http_password_file[0] ? c->http_password_file : NULL,
	    .max_connections = c->http_max_connections,
	    .per_ip_connections = c->http_per_ip_connections,
	    .timeout_s = (unsigned)(c->http_timeout_ns / 1000000000),
	};

	http_stop(a->http);
	a->http = NULL;
	loop_timer_cancel(a->loop, &a->http_retry_tm);
	if (c->n_http_listen == 0)
		return;
	for (size_t i = 0; i < c->n_http_listen; i++)
		listen[i] = c->http_listen[i];
	if (http_start(a->loop, &o, http_cb, a, &a->http) < 0) {
		log_warning("http: not serving; trying again in %d s",
		    (int)(HTTP_RETRY_NS / 1000000000));
		loop_timer_arm(a->loop, &a->http_retry_tm, loop_now_ns(a->loop) + HTTP_RETRY_NS,
		    http_retry_cb, a);
	}
}

static void
http_retry_cb(struct loop *l, void *data)
{
	(void)l;
	start_http(data);
}

static bool
http_conf_same(const struct conf *x, const struct conf *y)
{
	if (x->n_http_listen != y->n_http_listen)
		return false;
	for (size_t i = 0; i < x->n_http_listen; i++)
		if (strcmp(x->http_listen[i], y->http_listen[i]))
			return false;
	return !strcmp(x->http_tls_cert, y->http_tls_cert) &&
	    !strcmp(x->http_tls_key, y->http_tls_key) && !strcmp(x->http_user, y->http_user) &&
	    !strcmp(x->http_password_file, y->http_password_file) &&
	    x->http_max_connections == y->http_max_connections &&
	    x->http_per_ip_connections == y->http_per_ip_connections &&
	    x->http_timeout_ns == y->http_timeout_ns;
}

static void
set_node_name(struct agent *a)
{
	if (a->conf.node_name[0]) {
		snprintf(a->node, sizeof(a->node), "%s", a->conf.node_name);
	} else if (gethostname(a->node, sizeof(a->node) - 1) < 0 || !a->node[0]) {
		snprintf(a->node, sizeof(a->node), "localhost");
	}
}

/* ---- Alertmanager: the alarm pushed to /api/v2/alerts ---- */

/* One alert per node, identified (as Alertmanager does) by its labels, the severity among them:
 * a change of severity resolves the old alert and opens the new one, as a Prometheus rule on
 * clockwatch_alarm_info would. While raised the alert is re-sent every alertmanager_resend with
 * endsAt four periods ahead, so an agent that dies lets it expire rather than linger; on clear
 * it is sent once more with endsAt now (retried until delivered). */

static void
rfc3339(int64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;
	char s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", s, (int)(ns % 1000000000 / 1000000));
}

static json_t *
am_alert(const struct agent *a, int sev, const char *text, int64_t starts_ns, int64_t ends_ns)
{
	char starts[40], ends[40], num[32];
	json_t *labels = json_object(), *ann = json_object();

	rfc3339(starts_ns, starts, sizeof(starts));
	rfc3339(ends_ns, ends, sizeof(ends));
	json_object_set_new(labels, "alertname", json_string("TimeSynchronization"));
	json_object_set_new(labels, "node", json_string(a->node));
	json_object_set_new(labels, "severity", json_string(alarm_severity_name(sev)));
	json_object_set_new(labels, "managed_object", json_string(a->conf.managed_object));
	json_object_set_new(labels, "specific_problem", json_string(a->conf.specific_problem));
	json_object_set_new(labels, "source", json_string("clockwatch-agent"));
	json_object_set_new(ann, "summary", json_string(text));
	if (a->am_attribution[0])
		json_object_set_new(ann, "attribution", json_string(a->am_attribution));
	snprintf(num, sizeof(num), "%u", a->conf.major_type);
	json_object_set_new(ann, "major_type", json_string(num));
	snprintf(num, sizeof(num), "%u", a->conf.minor_type);
	json_object_set_new(ann, "minor_type", json_string(num));
	snprintf(num, sizeof(num), "%d", a->conf.event_type);
	json_object_set_new(ann, "event_type", json_string(num));
	return json_pack("{s:o,s:o,s:s,s:s}", "labels", labels, "annotations", ann, "startsAt",
	    starts, "endsAt", ends);
}

static void am_push(struct agent *a);

static void
am_done(void *data, long status, const char *err)
{
	struct am_target *t = data;
	struct agent *a = t->agent;

	t->inflight = false;
	if (status >= 200 && status < 300) {
		a->am_pushes++;
		t->active_sev = t->sending_sev;
		snprintf(t->active_text, sizeof(t->active_text), "%s", t->sending_text);
		t->active_starts_ns = t->sending_starts_ns;
		if (t->failing)
			log_notice("alertmanager %s: delivering again", t->url);
		t->failing = false;
		return;
	}
	a->am_push_errors++;
	if (!t->failing)
		log_warning("alertmanager %s: %s%s (retried every %.0f s)", t->url,
		    status ? "HTTP status " : "", status ? "" : err,
		    (double)a->conf.alertmanager_resend_ns / 1e9);
	if (status && !t->failing)
		log_warning("alertmanager %s: answered HTTP %ld", t->url, status);
	t->failing = true;
}

static void
am_push(struct agent *a)
{
	int64_t now = sock_realtime_ns();
	int sev = a->alarm.severity;

	if (!a->am)
		return;
	for (size_t i = 0; i < a->conf.n_alertmanager_url; i++) {
		struct am_target *t = &a->am_t[i];
		if (t->inflight || (sev == ALARM_CLEARED && t->active_sev == ALARM_CLEARED))
			continue;
		json_t *arr = json_array();
		if (t->active_sev != ALARM_CLEARED && t->active_sev != sev)
			json_array_append_new(arr,
			    am_alert(a, t->active_sev, t->active_text, t->active_starts_ns, now));
		if (sev != ALARM_CLEARED)
			json_array_append_new(arr,
			    am_alert(a, sev, a->alarm.text, a->alarm_since_ns,
			        now + 4 * a->conf.alertmanager_resend_ns));
		char *body = json_dumps(arr, JSON_COMPACT);
		json_decref(arr);
		if (!body)
			continue;
		char url[sizeof(a->conf.alertmanager_url[0]) + 32];
		size_t n = strlen(a->conf.alertmanager_url[i]);
		snprintf(url, sizeof(url), "%s%s", a->conf.alertmanager_url[i],
		    n && a->conf.alertmanager_url[i][n - 1] == '/' ? "api/v2/alerts"
		                                                   : "/api/v2/alerts");
		t->agent = a;
		snprintf(t->url, sizeof(t->url), "%s", a->conf.alertmanager_url[i]);
		t->sending_sev = sev;
		snprintf(t->sending_text, sizeof(t->sending_text), "%s", a->alarm.text);
		t->sending_starts_ns = a->alarm_since_ns;
		if (httpc_post(a->am, url, "application/json", body, a->conf.timeout_ns * 5,
		        am_done, t) == 0)
			t->inflight = true;
		else
			a->am_push_errors++;
		free(body);
	}
}

static void
am_timer_cb(struct loop *l, void *data)
{
	struct agent *a = data;

	am_push(a);
	loop_timer_arm(l, &a->am_tm, loop_now_ns(l) + a->conf.alertmanager_resend_ns, am_timer_cb,
	    a);
}

static void
start_am(struct agent *a)
{
	if (!a->conf.n_alertmanager_url || a->am)
		return;
	if (httpc_new(a->loop, &a->am) < 0) {
		log_error("alertmanager: cannot start the HTTP client; alarms go to the log only");
		a->am = NULL;
		return;
	}
	loop_timer_arm(a->loop, &a->am_tm, loop_now_ns(a->loop), am_timer_cb, a);
}

/* ---- the NTP responder: the cluster's nodes ask this node's clock ---- */

static void
resp_wake_cb(struct loop *l, int fd, short revents, void *data)
{
	(void)fd;
	(void)revents;
	(void)data;
	loop_stop(l);
}

static void *
resp_main(void *data)
{
	struct agent *a = data;

	if (loop_run(a->resp_loop, 0) < 0)
		log_error("responder: its loop failed");
	return NULL;
}

static void
stop_responder(struct agent *a)
{
	if (!a->resp)
		return;
	uint64_t one = 1;
	if (write(a->resp_wake, &one, sizeof(one)) != (ssize_t)sizeof(one))
		log_error("responder: cannot wake its thread");
	pthread_join(a->resp_thread, NULL);
	responder_stop(a->resp);
	a->resp = NULL;
	loop_remove_fd(a->resp_loop, a->resp_wake);
	close(a->resp_wake);
	loop_free(a->resp_loop);
	a->resp_loop = NULL;
}

static void
start_responder(struct agent *a)
{
	const char *allowed[CONF_NODES_MAX + CONF_ALLOW_MAX];
	size_t n = 0;
	unsigned char tmp[16];

	stop_responder(a);
	if (!a->conf.responder[0])
		return;
	for (size_t i = 0; i < a->conf.n_nodes; i++) {
		const char *addr = a->conf.nodes[i].addr;
		if (!strcmp(a->conf.nodes[i].name, a->node))
			continue;
		if (inet_pton(AF_INET, addr, tmp) != 1 && inet_pton(AF_INET6, addr, tmp) != 1) {
			log_warning(
			    "responder: node %s: %s is not a numeric address; it will not be "
			    "answered",
			    a->conf.nodes[i].name, addr);
			continue;
		}
		allowed[n++] = addr;
	}
	for (size_t i = 0; i < a->conf.n_responder_allow; i++)
		allowed[n++] = a->conf.responder_allow[i];
	struct responder_opts o = {
	    .listen = a->conf.responder,
	    .allowed = allowed,
	    .n_allowed = n,
	    .rate_per_s = a->conf.responder_rate,
	    .burst = a->conf.responder_burst,
	};
	a->resp_loop = loop_new();
	a->resp_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (a->resp_wake < 0 ||
	    loop_add_fd(a->resp_loop, a->resp_wake, POLLIN, resp_wake_cb, NULL) < 0 ||
	    responder_start(a->resp_loop, &o, &a->resp) < 0) {
		log_error("responder %s: not answering (the checks go on)", a->conf.responder);
		goto fail;
	}
	if (pthread_create(&a->resp_thread, NULL, resp_main, a) != 0) {
		log_error("responder %s: no thread: not answering", a->conf.responder);
		responder_stop(a->resp);
		goto fail;
	}
	return;
fail:
	a->resp = NULL;
	if (a->resp_wake >= 0)
		close(a->resp_wake);
	loop_free(a->resp_loop);
	a->resp_loop = NULL;
}

/* What the responder tells the nodes: this host's state as its time service sees it. */
static void
responder_update(struct agent *a, const struct snapshot *s)
{
	struct ntp_server_clock c = {0};
	struct in_addr in4;

	if (!a->resp)
		return;
	c.synchronized = s->have_system && s->synchronized && s->primary >= 0 &&
	    s->svc[s->primary].answering && s->stratum >= 1 && s->stratum < 16;
	c.stratum = s->stratum;
	if (inet_pton(AF_INET, s->source_addr, &in4) == 1)
		memcpy(&c.refid, &in4.s_addr, 4);
	c.root_delay_s = isfinite(s->root_delay_s) ? s->root_delay_s : 0;
	c.root_disp_s = isfinite(s->root_disp_s) ? s->root_disp_s : 0;
	c.leap = s->leap == SNAP_LEAP_INSERT ? 1 : s->leap == SNAP_LEAP_DELETE ? 2 : 0;
	c.precision = a->precision;
	if (isfinite(s->last_sync_age_s))
		c.reftime = timeutil_ns_to_ntp64(s->real_ns - (int64_t)(s->last_sync_age_s * 1e9));
	responder_set_clock(a->resp, &c);
}

/* ---- signals ---- */

static void
reload(struct agent *a)
{
	struct conf *c = xmalloc(sizeof(*c));

	if (conf_load_file(a->conf_path, a->conf_given, c) < 0) {
		log_error("reload: %s has errors; the running configuration stays", a->conf_path);
	} else {
		if (strcmp(c->state_dir, a->conf.state_dir))
			log_warning("reload: state_dir changes only on restart");
		snprintf(c->state_dir, sizeof(c->state_dir), "%s", a->conf.state_dir);
		bool http_same = http_conf_same(c, &a->conf);
		a->conf = *c;
		set_node_name(a);
		if (!http_same || (!a->http && a->conf.n_http_listen))
			start_http(a);
		start_responder(a); /* the nodes or the address may have changed */
		if (a->have_last)
			responder_update(a, &a->last);
		log_notice("reloaded %s", a->conf_path);
	}
	free(c);
}

static void
signal_cb(struct loop *l, int fd, short revents, void *data)
{
	struct agent *a = data;
	struct signalfd_siginfo si;

	(void)revents;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload(a);
		} else if (si.ssi_signo == SIGCHLD) {
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		} else {
			log_notice("stopping on signal %u", si.ssi_signo);
			(void)service_notify("STOPPING=1");
			loop_stop(l);
		}
	}
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: clockwatch agent [-f FILE] [-n] [-v]\n\n"
	    "Watches this host's time service: a check every interval, seed 001's Time\n"
	    "Synchronization alarm with its timers, every event logged, stored and given to\n"
	    "alarm_command. Stops on SIGTERM/SIGINT; SIGHUP rereads the configuration (a bad one "
	    "is\n"
	    "reported with file:line:col and the running one stays).\n\n"
	    "  -f, --config FILE  configuration (default %s; without it the defaults\n"
	    "                     watch the local time service)\n"
	    "  -n, --check        check the configuration and exit\n"
	    "  -h, --help         this help\n\n"
	    "The store is STATE_DIR/clockwatch.db (state_dir, else $STATE_DIRECTORY, else\n"
	    "/var/lib/clockwatch). See clockwatch.conf(5).\n"
	    "Exit status: 0 stopped by a signal (or -n: the configuration is good), 3 bad\n"
	    "configuration or usage, 1 could not start.\n",
	    CONF_DEFAULT_PATH);
}

static int
setup_signals(struct agent *a)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	a->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (a->sigfd < 0)
		return -errno;
	return loop_add_fd(a->loop, a->sigfd, POLLIN, signal_cb, a);
}

int
cmd_agent(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'f'},
	    {"check", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct agent *a = xcalloc(1, sizeof(*a));
	bool check_only = false;
	int c, rc = CMD_EXIT_OK;

	a->conf_path = CONF_DEFAULT_PATH;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:nh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->conf_path = optarg;
			a->conf_given = true;
			break;
		case 'n':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			free(a);
			return CMD_EXIT_OK;
		default:
			fprintf(stderr,
			    "clockwatch agent: %s '%s'\nTry 'clockwatch agent --help'.\n",
			    optopt == 'f' ? "option needs a value:" : "unknown option",
			    argv[optind - 1]);
			free(a);
			return CMD_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "clockwatch agent: unexpected argument '%s'\n", argv[optind]);
		free(a);
		return CMD_EXIT_USAGE;
	}
	if (conf_load_file(a->conf_path, a->conf_given, &a->conf) < 0) {
		free(a);
		return CMD_EXIT_USAGE;
	}
	if (check_only) {
		printf("%s: ok\n", a->conf_path);
		free(a);
		return CMD_EXIT_OK;
	}
	a->loop = loop_new();
	if (setup_signals(a) < 0) {
		log_errno(LOG_LVL_ERROR, -errno, "signals");
		rc = CMD_EXIT_PARTIAL;
		goto out;
	}
	open_store(a);
	restore_alarm(a, sock_monotonic_ns(), sock_realtime_ns());
	a->started_real_ns = sock_realtime_ns();
	set_node_name(a);
	start_http(a);
	a->alarm_since_ns = a->started_real_ns;
	start_am(a);
	a->precision = probe_ntp_local_precision();
	start_responder(a);
	/* Last: everything the filter would refuse at start-up is done by now. */
	if (a->conf.seccomp && sandbox_apply() < 0) {
		rc = CMD_EXIT_PARTIAL;
		goto out;
	}
	log_notice("agent watching %s, a check every %.0f s, store %s",
	    a->conf.service < 0 ? "the running time service"
	                        : snapshot_daemon_name((enum snap_daemon)a->conf.service),
	    (double)a->conf.interval_ns / 1e9, a->conf.state_dir);
	loop_timer_arm(a->loop, &a->check_tm, loop_now_ns(a->loop), check_cb, a);
	loop_timer_arm(a->loop, &a->prune_tm, loop_now_ns(a->loop) + PRUNE_EVERY_NS / 60, prune_cb,
	    a);
	a->watchdog_ns = service_watchdog_ns();
	if (a->watchdog_ns > 0)
		loop_timer_arm(a->loop, &a->watchdog_tm, loop_now_ns(a->loop) + a->watchdog_ns,
		    watchdog_cb, a);
	if (loop_run(a->loop, 0) < 0)
		rc = CMD_EXIT_PARTIAL;
out:
	stop_responder(a);
	http_stop(a->http);
	loop_timer_cancel(a->loop, &a->am_tm);
	httpc_free(a->am);
	if (a->have_last)
		snapshot_fini(&a->last);
	if (a->hist)
		hist_close(a->hist);
	if (a->sigfd > 0)
		close(a->sigfd);
	loop_free(a->loop);
	free(a);
	return rc;
}
