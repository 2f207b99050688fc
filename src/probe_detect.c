/* probe_detect.c: processes from /proc/PID/comm and cmdline, programs from their usual paths,
 * configuration from the files each daemon reads, in the daemon's order, bounded in size,
 * count and include depth. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemonconf.h"
#include "macros.h"
#include "probe_detect.h"
#include "snapshot.h"
#include "xalloc.h"

struct known {
	const char *comm;          /* /proc/PID/comm (at most 15 characters) */
	const char *conf_flag;     /* command-line option naming the configuration file */
	const char *programs[4];   /* where the program is installed */
	const char *conf_paths[3]; /* default configuration files, first found wins */
};

static const struct known known[SNAP_N_DAEMONS] = {
    [SNAP_CHRONYD] = {"chronyd", "-f", {"/usr/sbin/chronyd", "/sbin/chronyd", "/usr/bin/chronyd"},
        {"/etc/chrony/chrony.conf", "/etc/chrony.conf"}},
    [SNAP_NTPD] = {"ntpd", "-c", {"/usr/sbin/ntpd", "/sbin/ntpd", "/usr/bin/ntpd"},
        {"/etc/ntpsec/ntp.conf", "/etc/ntp.conf"}},
    [SNAP_TIMESYNCD] = {"systemd-timesyn", NULL,
        {"/lib/systemd/systemd-timesyncd", "/usr/lib/systemd/systemd-timesyncd"},
        {"/etc/systemd/timesyncd.conf"}},
};

/* Reads at most max bytes of a small file; returns its length or -errno. *out is malloc'ed. */
static long
read_small(const char *path, size_t max, char **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t len = 0, cap = 4096;
	char *buf;

	if (fd < 0)
		return -errno;
	buf = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap >= max) {
				close(fd);
				free(buf);
				return -EFBIG;
			}
			cap = CW_MIN(cap * 2, max);
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;
			close(fd);
			free(buf);
			return e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return (long)len;
}

/* ---- processes ---- */

/* CAP_SYS_TIME (bit 25) in the process's effective set; true when it cannot be read. */
static bool
has_cap_sys_time(int pid)
{
	char path[64], *text = NULL;
	bool has = true;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_small(path, 65536, &text) <= 0)
		return true;
	const char *eff = strstr(text, "\nCapEff:");
	if (eff)
		has = (strtoull(eff + 8, NULL, 16) >> 25) & 1;
	free(text);
	return has;
}

/* Seconds since the process started: its start in clock ticks after boot (/proc/PID/stat,
 * field 22) against the time since boot (/proc/uptime). NAN when either cannot be read. */
static double
process_uptime(int pid)
{
	char path[64], *stat = NULL, *up = NULL;
	double uptime = NAN;
	long hz = sysconf(_SC_CLK_TCK);

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_small(path, 4096, &stat) > 0 && read_small("/proc/uptime", 256, &up) > 0 &&
	    hz > 0) {
		const char *p = strrchr(stat, ')');
		int field = 2;
		while (p && *p && field < 22)
			if (*p++ == ' ')
				field++;
		if (p && field == 22)
			uptime = strtod(up, NULL) - strtod(p, NULL) / (double)hz;
	}
	free(stat);
	free(up);
	return uptime;
}

/* The configuration file named on a process's command line ("" if none), and whether chronyd's
 * -x (never touch the clock) is there. */
static void
read_cmdline(int pid, const struct known *k, char *conf, size_t len, bool *no_clock)
{
	char path[64], *cmd = NULL;
	long n;

	conf[0] = '\0';
	*no_clock = false;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	n = read_small(path, 65536, &cmd);
	if (n <= 0)
		return;
	for (const char *a = cmd; a < cmd + n; a += strlen(a) + 1) {
		const char *next = a + strlen(a) + 1;
		if (k->conf_flag && !strcmp(a, k->conf_flag) && next < cmd + n)
			snprintf(conf, len, "%s", next);
		if (!strcmp(k->comm, "chronyd") && !strcmp(a, "-x"))
			*no_clock = true;
	}
	free(cmd);
}

/* Several processes of one daemon (containers, tests): the one whose configuration file is the
 * one asked for wins, else the oldest (lowest pid). */
static void
note_process(struct snap_service *svc, const struct known *k, int pid, const char *want_conf)
{
	char path[64], conf[DAEMONCONF_PATH_MAX];
	bool no_clock;

	svc->running = true;
	svc->n_running++;
	read_cmdline(pid, k, conf, sizeof(conf), &no_clock);
	bool matches = want_conf && !strcmp(conf, want_conf);
	bool had_match = want_conf && svc->pid && !strcmp(svc->conf_path, want_conf);
	if (svc->pid && !matches && (had_match || svc->pid < pid))
		return;
	svc->pid = pid;
	snprintf(svc->conf_path, sizeof(svc->conf_path), "%s", conf);
	svc->can_set_clock = !no_clock && has_cap_sys_time(pid);
	svc->uptime_s = process_uptime(pid);
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	ssize_t l = readlink(path, svc->program, sizeof(svc->program) - 1);
	svc->program[l > 0 ? l : 0] = '\0';
}

static void
scan_proc(struct snapshot *s, const struct probe_detect_opts *o)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[300], comm[32] = "";
		FILE *f;
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		for (int k = 0; k < SNAP_N_DAEMONS; k++)
			if (!strcmp(comm, known[k].comm))
				note_process(&s->svc[k], &known[k], atoi(e->d_name),
				    o ? o->conf[k] : NULL);
	}
	closedir(d);
}

/* ---- configuration ---- */

struct reader {
	struct daemonconf *c;
	enum snap_daemon daemon;
	int files;
};

static void
conf_error(struct daemonconf *c, const char *file, const char *msg, int err)
{
	char line[160];

	snprintf(line, sizeof(line), "%.100s%s%.50s", msg, err ? ": " : "",
	    err ? strerror(-err) : "");
	daemonconf_add_error(c, file, 0, line);
}

static void read_file(struct reader *r, const char *path, bool only_sources, int depth);

static void
follow_includes(struct reader *r, size_t from, int depth)
{
	/* Includes found while reading one file are followed after it, in order. */
	size_t to = r->c->n_includes;

	for (size_t i = from; i < to; i++) {
		const struct daemonconf_include *inc = &r->c->includes[i];
		char pattern[DAEMONCONF_PATH_MAX + 16];
		glob_t g;
		if (inc->kind == DAEMONCONF_INC_FILE)
			snprintf(pattern, sizeof(pattern), "%s", inc->path);
		else
			snprintf(pattern, sizeof(pattern), "%s/*.%s", inc->path,
			    inc->kind == DAEMONCONF_INC_CONFDIR ? "conf" : "sources");
		if (glob(pattern, 0, NULL, &g) != 0)
			continue; /* no match is not an error: conf.d directories are often empty */
		for (size_t k = 0; k < g.gl_pathc; k++)
			read_file(r, g.gl_pathv[k], inc->kind == DAEMONCONF_INC_SOURCEDIR,
			    depth + 1);
		globfree(&g);
	}
}

static void
read_file(struct reader *r, const char *path, bool only_sources, int depth)
{
	char *text = NULL;
	long n;
	size_t inc_before = r->c->n_includes;

	if (depth > PROBE_DETECT_MAX_DEPTH) {
		conf_error(r->c, path, "includes nested too deep", 0);
		return;
	}
	if (++r->files > PROBE_DETECT_MAX_FILES) {
		r->c->truncated = true;
		return;
	}
	n = read_small(path, PROBE_DETECT_MAX_FILE_BYTES, &text);
	if (n < 0) {
		conf_error(r->c, path, "cannot read", (int)n);
		return;
	}
	switch (r->daemon) {
	case SNAP_CHRONYD:
		daemonconf_parse_chrony(r->c, text, (size_t)n, path, only_sources);
		break;
	case SNAP_NTPD:
		daemonconf_parse_ntpd(r->c, text, (size_t)n, path);
		break;
	default:
		daemonconf_parse_timesyncd(r->c, text, (size_t)n, path);
		break;
	}
	free(text);
	follow_includes(r, inc_before, depth);
}

static int
cmp_base(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/'), *y = strrchr(*(char *const *)b, '/');

	return strcmp(x ? x : "", y ? y : "");
}

/* timesyncd: the main file, then *.conf drop-ins from these directories sorted by file name;
 * a name in an earlier directory hides the same name in later ones (systemd's rules). */
static void
read_timesyncd(struct reader *r, const char *main_conf)
{
	static const char *const dirs[] = {
	    "/etc/systemd/timesyncd.conf.d",
	    "/run/systemd/timesyncd.conf.d",
	    "/usr/local/lib/systemd/timesyncd.conf.d",
	    "/usr/lib/systemd/timesyncd.conf.d",
	};
	char **files = NULL;
	size_t n = 0;

	read_file(r, main_conf, false, 0);
	for (size_t d = 0; d < CW_ARRAY_LEN(dirs); d++) {
		char pattern[300];
		glob_t g;
		snprintf(pattern, sizeof(pattern), "%s/*.conf", dirs[d]);
		if (glob(pattern, 0, NULL, &g) != 0)
			continue;
		for (size_t k = 0; k < g.gl_pathc && n < PROBE_DETECT_MAX_FILES; k++) {
			const char *base = strrchr(g.gl_pathv[k], '/');
			bool hidden = false;
			for (size_t j = 0; j < n && !hidden; j++)
				hidden = !strcmp(strrchr(files[j], '/'), base);
			if (hidden)
				continue;
			files = xreallocarray(files, n + 1, sizeof(*files));
			files[n++] = xstrdup(g.gl_pathv[k]);
		}
		globfree(&g);
	}
	if (n > 0)
		qsort(files, n, sizeof(*files), cmp_base);
	for (size_t i = 0; i < n; i++) {
		read_file(r, files[i], false, 1);
		free(files[i]);
	}
	free(files);
}

static void
read_conf(struct snap_service *svc, const struct known *k, const char *override)
{
	struct reader r = {&svc->conf, svc->daemon, 0};

	if (override)
		snprintf(svc->conf_path, sizeof(svc->conf_path), "%s", override);
	for (int i = 0; !svc->conf_path[0] && i < 3 && k->conf_paths[i]; i++)
		if (access(k->conf_paths[i], R_OK) == 0)
			snprintf(svc->conf_path, sizeof(svc->conf_path), "%s", k->conf_paths[i]);
	if (!svc->conf_path[0])
		return;
	svc->have_conf = true;
	if (svc->daemon == SNAP_TIMESYNCD)
		read_timesyncd(&r, svc->conf_path);
	else
		read_file(&r, svc->conf_path, false, 0);
}

void
probe_detect(struct snapshot *s, const struct probe_detect_opts *o)
{
	scan_proc(s, o);
	for (int d = 0; d < SNAP_N_DAEMONS; d++) {
		struct snap_service *svc = &s->svc[d];
		const struct known *k = &known[d];
		for (int i = 0; i < 4 && k->programs[i]; i++) {
			if (access(k->programs[i], X_OK) == 0) {
				svc->installed = true;
				if (!svc->program[0])
					snprintf(svc->program, sizeof(svc->program), "%s",
					    k->programs[i]);
				break;
			}
		}
		svc->installed = svc->installed || svc->running;
		/* A configuration without the program is left over from a removed package. */
		if (svc->installed || (o && o->conf[d]))
			read_conf(svc, k, o ? o->conf[d] : NULL);
	}
}
