/* cmd_agent.c: `clockwatch agent`, the daemon: a check every interval (gather -> judge ->
 * alarm_eval), every alarm event logged, stored and handed to alarm_command; the alarm's state
 * stored with each check so a restart (or kill -9) neither loses nor repeats an event. One
 * thread, one poll loop (loop.c); signals through signalfd; sd_notify readiness and watchdog.
 *
 * Timers across a restart: the alarm's timers (grace, 60 min, 90 s) are kept as wall-clock
 * times in the store and turned back into monotonic ones at start, so time the agent was down
 * counts, as if it had watched all along. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alarm.h"
#include "attribute.h"
#include "cmd.h"
#include "conf.h"
#include "gather.h"
#include "hist.h"
#include "judge.h"
#include "log.h"
#include "loop.h"
#include "service.h"
#include "snapshot.h"
#include "sock.h"
#include "xalloc.h"

#define DEFAULT_CONF "/etc/clockwatch/clockwatch.conf"
#define MAX_CONF_BYTES (1 << 20)
#define PRUNE_EVERY_NS (INT64_C(3600) * 1000000000)

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
};

/* ---- configuration ---- */

/* Reads and parses the configuration into *c; prints its errors. Returns 0 or -1. A missing
 * default file is no error: the defaults watch the local time service. */
static int
load_conf(const char *path, bool given, struct conf *c)
{
	char *text = xmalloc(MAX_CONF_BYTES + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = 0, r;

	conf_defaults(c, getenv("STATE_DIRECTORY"));
	if (fd < 0) {
		free(text);
		if (errno == ENOENT && !given)
			return 0;
		log_errno(LOG_LVL_ERROR, -errno, "config %s", path);
		return -1;
	}
	while (n < MAX_CONF_BYTES && (r = read(fd, text + n, MAX_CONF_BYTES - (size_t)n)) > 0)
		n += r;
	close(fd);
	if (n >= MAX_CONF_BYTES) {
		log_error("config %s: larger than %d bytes", path, MAX_CONF_BYTES);
		free(text);
		return -1;
	}
	int rc = conf_parse(c, text, (size_t)n);
	free(text);
	for (size_t i = 0; i < c->n_errors; i++) {
		char line[600];
		conf_format_error(c, i, path, line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
	return rc < 0 ? -1 : 0;
}

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
	struct gather_opts g = {a->conf.service,
	    a->conf.daemon_conf[0] ? a->conf.daemon_conf : NULL,
	    a->conf.chronyd_socket[0] ? a->conf.chronyd_socket : NULL,
	    a->conf.address[0] ? a->conf.address : NULL, a->conf.timeout_ns, false};

	snapshot_init(&s);
	gather_host(&s, &g);
	int64_t now = sock_monotonic_ns();
	alarm_config_from(&a->conf, &acfg);
	judge_alarm_input(&s, servers, CW_ARRAY_LEN(servers), &in);
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
	}
	if (!a->ready) {
		(void)service_notify("READY=1");
		a->ready = true;
	}
	char status[600];
	snprintf(status, sizeof(status), "STATUS=%s%s%.500s",
	    alarm_severity_name(a->alarm.severity), a->alarm.text[0] ? ": " : "", a->alarm.text);
	(void)service_notify(status);
	snapshot_fini(&s);
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

/* ---- signals ---- */

static void
reload(struct agent *a)
{
	struct conf *c = xmalloc(sizeof(*c));

	if (load_conf(a->conf_path, a->conf_given, c) < 0) {
		log_error("reload: %s has errors; the running configuration stays", a->conf_path);
	} else {
		if (strcmp(c->state_dir, a->conf.state_dir))
			log_warning("reload: state_dir changes only on restart");
		snprintf(c->state_dir, sizeof(c->state_dir), "%s", a->conf.state_dir);
		a->conf = *c;
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
	    DEFAULT_CONF);
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

	a->conf_path = DEFAULT_CONF;
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
	if (load_conf(a->conf_path, a->conf_given, &a->conf) < 0) {
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
	if (a->hist)
		hist_close(a->hist);
	if (a->sigfd > 0)
		close(a->sigfd);
	loop_free(a->loop);
	free(a);
	return rc;
}
