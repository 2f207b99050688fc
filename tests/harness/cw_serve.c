/* cw_serve.c: runs the agent's NTP responder (src/responder.c) alone with a fixed clock state,
 * for tests only (never installed; tests/integration/test_serve.py).
 *
 *   cw-serve --listen ADDR:PORT --allow ADDR [--allow ADDR]... [--sync STRATUM [--leap N]
 *            [--refid A.B.C.D]] [--rate R --burst B] [--seconds N] [--ready-file PATH]
 *
 * Without --sync the responder says unsynchronized. It stops after --seconds (default 60, at
 * most 600) or on SIGTERM/SIGINT and then prints its counters as one JSON line on stdout;
 * SIGUSR1 prints them without stopping. --ready-file is created once the socket is bound. It
 * only reads clocks. Exit codes: 0 ran, 1 could not start, 2 usage. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "loop.h"
#include "ntp_server.h"
#include "responder.h"
#include "sock.h"
#include "strutil.h"
#include "timeutil.h"

#define MAX_ALLOW 64
#define MAX_SECONDS 600

struct serve {
	struct loop *l;
	struct responder *r;
	struct loop_timer stop_timer;
	int sigfd;
};

static int
usage(void)
{
	fprintf(stderr,
	    "usage: cw-serve --listen ADDR:PORT --allow ADDR [--allow ADDR]...\n"
	    "                [--sync STRATUM [--leap N] [--refid A.B.C.D]]\n"
	    "                [--rate R --burst B] [--seconds N] [--ready-file PATH]\n");
	return 2;
}

static void
print_stats(struct responder *r)
{
	struct responder_stats s;

	responder_get_stats(r, &s);
	printf("{\"answered\": %llu, \"not_allowed\": %llu, \"rate_limited\": %llu, "
	       "\"malformed\": %llu}\n",
	    (unsigned long long)s.answered, (unsigned long long)s.not_allowed,
	    (unsigned long long)s.rate_limited, (unsigned long long)s.malformed);
	fflush(stdout);
}

static void
on_signal(struct loop *l, int fd, short revents, void *data)
{
	struct serve *s = data;
	struct signalfd_siginfo si;

	(void)revents;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGUSR1)
			print_stats(s->r);
		else
			loop_stop(l);
	}
}

static void
on_deadline(struct loop *l, void *data)
{
	(void)data;
	loop_stop(l);
}

static int
parse_double(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !(*out >= min && *out <= max))
		return -EINVAL;
	return 0;
}

struct args {
	struct responder_opts o;
	const char *allow[MAX_ALLOW];
	struct ntp_server_clock clock;
	long seconds;
	const char *ready_file;
};

static int
parse_one(struct args *a, int c, const char *arg)
{
	long v;

	switch (c) {
	case 'l':
		a->o.listen = arg;
		return 0;
	case 'a':
		if (a->o.n_allowed >= MAX_ALLOW)
			return -E2BIG;
		a->allow[a->o.n_allowed++] = arg;
		return 0;
	case 's':
		if (strutil_parse_long(arg, 1, 15, &v) < 0)
			return -EINVAL;
		a->clock.synchronized = true;
		a->clock.stratum = (int)v;
		return 0;
	case 'L':
		if (strutil_parse_long(arg, 0, 3, &v) < 0)
			return -EINVAL;
		a->clock.leap = (int)v;
		return 0;
	case 'f':
		return inet_pton(AF_INET, arg, &a->clock.refid) == 1 ? 0 : -EINVAL;
	case 'r':
		return parse_double(arg, 1e-3, 1e5, &a->o.rate_per_s);
	case 'b':
		return parse_double(arg, 1, 1e5, &a->o.burst);
	case 't':
		return strutil_parse_long(arg, 1, MAX_SECONDS, &a->seconds);
	case 'R':
		a->ready_file = arg;
		return 0;
	}
	return -EINVAL;
}

static int
parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"allow", required_argument, NULL, 'a'},
	    {"sync", required_argument, NULL, 's'},
	    {"leap", required_argument, NULL, 'L'},
	    {"refid", required_argument, NULL, 'f'},
	    {"rate", required_argument, NULL, 'r'},
	    {"burst", required_argument, NULL, 'b'},
	    {"seconds", required_argument, NULL, 't'},
	    {"ready-file", required_argument, NULL, 'R'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->o.allowed = a->allow;
	a->o.rate_per_s = 2;
	a->o.burst = 8;
	a->seconds = 60;
	a->clock.precision = -20;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (parse_one(a, c, optarg) < 0) {
			fprintf(stderr, "cw-serve: bad option -%c %s\n", c, optarg ? optarg : "");
			return -EINVAL;
		}
	if (optind != argc || !a->o.listen || a->o.n_allowed == 0)
		return -EINVAL;
	if (a->clock.synchronized) {
		/* The host "updated" a minute ago with a little delay and dispersion. */
		a->clock.root_delay_s = 0.002;
		a->clock.root_disp_s = 0.001;
		a->clock.reftime =
		    timeutil_ns_to_ntp64(sock_realtime_ns() - 60 * TIMEUTIL_NS_PER_S);
	}
	return 0;
}

/* SIGTERM/SIGINT stop, SIGUSR1 prints the counters: all through a signalfd on the loop. */
static int
setup_signals(struct serve *s)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGUSR1};
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < CW_ARRAY_LEN(sigs); i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		return -errno;
	return loop_add_fd(s->l, s->sigfd, POLLIN, on_signal, s);
}

static int
touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	struct serve s = {0};
	struct args a;
	int rc;

	if (parse_args(argc, argv, &a) < 0)
		return usage();
	s.l = loop_new();
	s.sigfd = -1;
	if ((rc = setup_signals(&s)) < 0 || (rc = responder_start(s.l, &a.o, &s.r)) < 0) {
		fprintf(stderr, "cw-serve: cannot start: %s\n", strerror(-rc));
		rc = 1;
		goto out;
	}
	responder_set_clock(s.r, &a.clock);
	if (a.ready_file && (rc = touch(a.ready_file)) < 0) {
		fprintf(stderr, "cw-serve: %s: %s\n", a.ready_file, strerror(-rc));
		rc = 1;
		goto out;
	}
	loop_timer_arm(s.l, &s.stop_timer, loop_now_ns(s.l) + a.seconds * TIMEUTIL_NS_PER_S,
	    on_deadline, NULL);
	rc = loop_run(s.l, 0);
	print_stats(s.r);
	rc = rc < 0 ? 1 : 0;
out:
	responder_stop(s.r);
	if (s.sigfd >= 0)
		close(s.sigfd);
	loop_timer_cancel(s.l, &s.stop_timer);
	loop_free(s.l);
	return rc;
}
