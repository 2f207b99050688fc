/* daemonconf.c: line parsers for chrony.conf, ntp.conf and timesyncd.conf, sources only.
 * Every line is bounded (DAEMONCONF_MAX_LINE), split into at most MAX_WORDS words; lines this
 * module does not know are skipped silently, malformed source lines are reported by file:line. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemonconf.h"
#include "macros.h"
#include "strutil.h"
#include "xalloc.h"

#define MAX_WORDS 64

struct line {
	const char *file;
	unsigned no;
	char buf[DAEMONCONF_MAX_LINE + 1];
	char *w[MAX_WORDS];
	size_t nw;
};

void
daemonconf_init(struct daemonconf *c)
{
	memset(c, 0, sizeof(*c));
	c->cmdport = -1;
	c->root_distance_max_s = c->poll_min_s = c->poll_max_s = -1;
	c->makestep_s = c->maxslewrate_ppm = c->step_s = c->stepout_s = c->panic_s = -1;
}

void
daemonconf_fini(struct daemonconf *c)
{
	free(c->sources);
	free(c->includes);
	free(c->errors);
	daemonconf_init(c);
}

const char *
daemonconf_kind_name(enum daemonconf_kind k)
{
	static const char *const names[] = {"server", "pool", "peer", "refclock", "fallback"};

	return (unsigned)k < CW_ARRAY_LEN(names) ? names[k] : "?";
}

static struct daemonconf_error *
new_error(struct daemonconf *c, const char *file, unsigned line)
{
	if (c->n_errors >= DAEMONCONF_MAX_ERRORS) {
		c->truncated = true;
		return NULL;
	}
	if (c->n_errors % 8 == 0)
		c->errors = xreallocarray(c->errors, c->n_errors + 8, sizeof(*c->errors));
	struct daemonconf_error *e = &c->errors[c->n_errors++];
	snprintf(e->file, sizeof(e->file), "%s", file);
	e->line = line;
	return e;
}

void
daemonconf_add_error(struct daemonconf *c, const char *file, unsigned line, const char *msg)
{
	struct daemonconf_error *e = new_error(c, file, line);

	if (e)
		snprintf(e->msg, sizeof(e->msg), "%s", msg);
}

static void
error_at(struct daemonconf *c, const struct line *l, const char *fmt, ...) CW_PRINTF(3, 4);

static void
error_at(struct daemonconf *c, const struct line *l, const char *fmt, ...)
{
	struct daemonconf_error *e = new_error(c, l->file, l->no);
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

static void
copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

static struct daemonconf_source *
add_source(struct daemonconf *c, const struct line *l, enum daemonconf_kind kind, const char *name)
{
	if (c->n_sources >= DAEMONCONF_MAX_SOURCES) {
		c->truncated = true;
		return NULL;
	}
	if (strlen(name) > DAEMONCONF_NAME_MAX) {
		error_at(c, l, "name too long (%zu characters)", strlen(name));
		return NULL;
	}
	if (c->n_sources % 16 == 0)
		c->sources = xreallocarray(c->sources, c->n_sources + 16, sizeof(*c->sources));
	struct daemonconf_source *s = &c->sources[c->n_sources++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	copy_str(s->name, sizeof(s->name), name);
	copy_str(s->file, sizeof(s->file), l->file);
	s->line = l->no;
	s->minpoll = s->maxpoll = DAEMONCONF_POLL_UNSET;
	return s;
}

static void
add_include(struct daemonconf *c, enum daemonconf_include_kind kind, const char *path)
{
	if (c->n_includes >= DAEMONCONF_MAX_INCLUDES) {
		c->truncated = true;
		return;
	}
	if (c->n_includes % 8 == 0)
		c->includes = xreallocarray(c->includes, c->n_includes + 8, sizeof(*c->includes));
	c->includes[c->n_includes].kind = kind;
	copy_str(c->includes[c->n_includes].path, sizeof(c->includes[0].path), path);
	c->n_includes++;
}

/* Splits l->buf into words at blanks; a '#' starts a comment when strip_hash. */
static void
split(struct line *l, bool strip_hash)
{
	char *p = l->buf;

	l->nw = 0;
	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p || (strip_hash && *p == '#') || l->nw == MAX_WORDS)
			return;
		l->w[l->nw++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
}

/* Calls fn for each line of text; rejects over-long lines and NUL bytes, with their number. */
static void
each_line(struct daemonconf *c, const char *text, size_t len, const char *file,
    void (*fn)(struct daemonconf *, struct line *, void *), void *arg)
{
	struct line *l = xmalloc(sizeof(*l));
	size_t i = 0;

	l->file = file;
	l->no = 0;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		l->no++;
		if (n > DAEMONCONF_MAX_LINE)
			error_at(c, l, "line too long (%zu bytes, at most %d)", n,
			    DAEMONCONF_MAX_LINE);
		else if (memchr(text + i, '\0', n))
			error_at(c, l, "NUL byte in line");
		else {
			memcpy(l->buf, text + i, n);
			l->buf[n] = '\0';
			if (n > 0 && l->buf[n - 1] == '\r')
				l->buf[n - 1] = '\0';
			fn(c, l, arg);
		}
		i += n + 1;
	}
	free(l);
}

static bool
poll_value(struct daemonconf *c, const struct line *l, const char *opt, const char *v, int *out)
{
	long x;

	if (!v || strutil_parse_long(v, -32, 32, &x) < 0) {
		error_at(c, l, "%s needs a log2 interval from -32 to 32, got '%s'", opt,
		    v ? v : "");
		return false;
	}
	*out = (int)x;
	return true;
}

struct optdef {
	const char *name;
	int args; /* words it takes */
};

/* Options of source lines in chrony and ntpd that take one argument; the rest are flags. */
static const struct optdef arg_opts[] = {
    {"asymmetry", 1},
    {"baud", 1},
    {"bias", 1},
    {"certset", 1},
    {"extfield", 1},
    {"filter", 1},
    {"flag1", 1},
    {"flag2", 1},
    {"flag3", 1},
    {"flag4", 1},
    {"holdover", 1},
    {"key", 1},
    {"maxdelay", 1},
    {"maxdelaydevratio", 1},
    {"maxdelayquant", 1},
    {"maxdelayratio", 1},
    {"maxpoll", 1},
    {"maxsamples", 1},
    {"maxsources", 1},
    {"mindelay", 1},
    {"minpoll", 1},
    {"minsamples", 1},
    {"minstratum", 1},
    {"mode", 1},
    {"ntsport", 1},
    {"offset", 1},
    {"path", 1},
    {"polltarget", 1},
    {"port", 1},
    {"ppspath", 1},
    {"precision", 1},
    {"presend", 1},
    {"refid", 1},
    {"stratum", 1},
    {"subtype", 1},
    {"time1", 1},
    {"time2", 1},
    {"ttl", 1},
    {"unit", 1},
    {"version", 1},
};
static const char *const flag_opts[] = {
    "auto_offline",
    "burst",
    "copy",
    "iburst",
    "nts",
    "offline",
    "preempt",
    "prefer",
    "noselect",
    "require",
    "trust",
    "true",
    "xleave",
};

static int
opt_args(const char *w)
{
	for (size_t i = 0; i < CW_ARRAY_LEN(arg_opts); i++)
		if (!strcasecmp(w, arg_opts[i].name))
			return arg_opts[i].args;
	for (size_t i = 0; i < CW_ARRAY_LEN(flag_opts); i++)
		if (!strcasecmp(w, flag_opts[i]))
			return 0;
	return -1;
}

/* Options after the name, words first..nw-1. */
static void
source_options(struct daemonconf *c, struct line *l, struct daemonconf_source *s, size_t first)
{
	for (size_t i = first; i < l->nw; i++) {
		const char *o = l->w[i];
		const char *v = i + 1 < l->nw ? l->w[i + 1] : NULL;
		int n = opt_args(o);
		if (n < 0) {
			error_at(c, l, "unknown option '%.40s' for %s %.60s", o,
			    daemonconf_kind_name(s->kind), s->name);
			continue;
		}
		if (n > 0 && !v) {
			error_at(c, l, "option '%s' needs a value", o);
			return;
		}
		if (!strcasecmp(o, "iburst"))
			s->iburst = true;
		else if (!strcasecmp(o, "prefer"))
			s->prefer = true;
		else if (!strcasecmp(o, "noselect"))
			s->noselect = true;
		else if (!strcasecmp(o, "minpoll"))
			(void)poll_value(c, l, o, v, &s->minpoll);
		else if (!strcasecmp(o, "maxpoll"))
			(void)poll_value(c, l, o, v, &s->maxpoll);
		else if (!strcasecmp(o, "port")) {
			long p;
			if (strutil_parse_long(v, 1, 65535, &p) < 0)
				error_at(c, l, "bad port '%.20s' (want 1-65535)", v);
			else
				s->port = (uint16_t)p;
		}
		i += (size_t)n;
	}
}

static bool
source_kind(const char *w, enum daemonconf_kind *k)
{
	if (!strcasecmp(w, "server"))
		*k = DAEMONCONF_SERVER;
	else if (!strcasecmp(w, "pool"))
		*k = DAEMONCONF_POOL;
	else if (!strcasecmp(w, "peer"))
		*k = DAEMONCONF_PEER;
	else
		return false;
	return true;
}

/* A decimal number as the daemons take them ("1", "0.125", "-1"). */
static bool
number(const char *w, double *out)
{
	char *end;

	*out = strtod(w, &end);
	return end != w && !*end && isfinite(*out);
}

/* ntpd's "tinker step 0.125 stepout 900 panic 1000" (any order, other keys skipped). */
static void
tinker(struct daemonconf *c, const struct line *l)
{
	for (size_t i = 1; i + 1 < l->nw; i += 2) {
		double v;
		double *dst = !strcasecmp(l->w[i], "step") ? &c->step_s
		    : !strcasecmp(l->w[i], "stepout")      ? &c->stepout_s
		    : !strcasecmp(l->w[i], "panic")        ? &c->panic_s
		                                           : NULL;
		if (dst && number(l->w[i + 1], &v) && v >= 0)
			*dst = v;
	}
}

static void
chrony_line(struct daemonconf *c, struct line *l, void *arg)
{
	bool only_sources = *(bool *)arg;
	enum daemonconf_kind kind;
	const char *d;

	split(l, false);
	if (l->nw == 0 || strchr("#!;%", l->w[0][0]))
		return;
	d = l->w[0];
	if (source_kind(d, &kind) || !strcasecmp(d, "refclock")) {
		if (l->nw < 2 || (!strcasecmp(d, "refclock") && l->nw < 3)) {
			error_at(c, l, "%s without %s", d, l->nw < 2 ? "a name" : "a parameter");
			return;
		}
		if (!strcasecmp(d, "refclock")) {
			char name[DAEMONCONF_NAME_MAX + 1];
			snprintf(name, sizeof(name), "%.100s:%.150s", l->w[1], l->w[2]);
			struct daemonconf_source *s = add_source(c, l, DAEMONCONF_REFCLOCK, name);
			if (s)
				source_options(c, l, s, 3);
			return;
		}
		struct daemonconf_source *s = add_source(c, l, kind, l->w[1]);
		if (s)
			source_options(c, l, s, 2);
		return;
	}
	if (only_sources) {
		error_at(c, l, "'%.40s' is not allowed in a sources file", d);
		return;
	}
	if (!strcasecmp(d, "include") && l->nw >= 2) {
		add_include(c, DAEMONCONF_INC_FILE, l->w[1]);
	} else if (!strcasecmp(d, "confdir") || !strcasecmp(d, "sourcedir")) {
		for (size_t i = 1; i < l->nw; i++)
			add_include(c,
			    tolower((unsigned char)d[0]) == 'c' ? DAEMONCONF_INC_CONFDIR
			                                        : DAEMONCONF_INC_SOURCEDIR,
			    l->w[i]);
	} else if (!strcasecmp(d, "cmdport") && l->nw >= 2) {
		long p;
		if (strutil_parse_long(l->w[1], 0, 65535, &p) < 0)
			error_at(c, l, "bad cmdport '%.20s' (want 0-65535)", l->w[1]);
		else
			c->cmdport = (int)p;
	} else if (!strcasecmp(d, "bindcmdaddress") && l->nw >= 2) {
		int slot = c->bindcmdaddress[0][0] ? 1 : 0;
		if (!c->bindcmdaddress[slot][0])
			copy_str(c->bindcmdaddress[slot], sizeof(c->bindcmdaddress[0]), l->w[1]);
	} else if (!strcasecmp(d, "rtcsync")) {
		c->rtcsync = true;
	} else if (!strcasecmp(d, "makestep") && l->nw >= 3) {
		double t, lim;
		if (!number(l->w[1], &t) || !number(l->w[2], &lim) || t < 0 || lim < -1 ||
		    lim > INT_MAX)
			error_at(c, l, "makestep needs a threshold and a limit");
		else {
			c->makestep_s = t;
			c->makestep_limit = (int)lim;
		}
	} else if (!strcasecmp(d, "maxslewrate") && l->nw >= 2) {
		double r;
		if (number(l->w[1], &r) && r > 0)
			c->maxslewrate_ppm = r;
	} else if (!strcasecmp(d, "driftfile") && l->nw >= 2) {
		copy_str(c->driftfile, sizeof(c->driftfile), l->w[1]);
	}
}

void
daemonconf_parse_chrony(struct daemonconf *c, const char *text, size_t len, const char *file,
    bool only_sources)
{
	each_line(c, text, len, file, chrony_line, &only_sources);
}

static void
ntpd_line(struct daemonconf *c, struct line *l, void *arg)
{
	enum daemonconf_kind kind;
	const char *d;

	(void)arg;
	split(l, true);
	if (l->nw == 0)
		return;
	d = l->w[0];
	if (source_kind(d, &kind) || !strcasecmp(d, "refclock")) {
		size_t i = 1;
		while (i < l->nw && (!strcmp(l->w[i], "-4") || !strcmp(l->w[i], "-6")))
			i++;
		if (i >= l->nw) {
			error_at(c, l, "%s without an address", d);
			return;
		}
		/* Classic refclocks are servers with a 127.127.t.u pseudo-address. */
		if (!strcasecmp(d, "refclock") || !strncmp(l->w[i], "127.127.", 8))
			kind = DAEMONCONF_REFCLOCK;
		struct daemonconf_source *s = add_source(c, l, kind, l->w[i]);
		if (s)
			source_options(c, l, s, i + 1);
	} else if (!strcasecmp(d, "includefile") && l->nw >= 2) {
		add_include(c, DAEMONCONF_INC_FILE, l->w[1]);
	} else if (!strcasecmp(d, "driftfile") && l->nw >= 2) {
		copy_str(c->driftfile, sizeof(c->driftfile), l->w[1]);
	} else if (!strcasecmp(d, "tinker")) {
		tinker(c, l);
	} else if (!strcasecmp(d, "disable")) {
		for (size_t i = 1; i < l->nw; i++)
			if (!strcasecmp(l->w[i], "kernel"))
				c->kernel_disabled = true;
	} else if (!strcasecmp(d, "enable")) {
		for (size_t i = 1; i < l->nw; i++)
			if (!strcasecmp(l->w[i], "kernel"))
				c->kernel_disabled = false;
	}
}

void
daemonconf_parse_ntpd(struct daemonconf *c, const char *text, size_t len, const char *file)
{
	each_line(c, text, len, file, ntpd_line, NULL);
}

/* Drops the sources of one kind (an empty NTP= or FallbackNTP= resets the list). */
static void
clear_kind(struct daemonconf *c, enum daemonconf_kind kind)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n_sources; i++)
		if (c->sources[i].kind != kind)
			c->sources[k++] = c->sources[i];
	c->n_sources = k;
}

/* systemd time spans: a number with an optional unit (us, ms, s, min, m, h); plain = seconds. */
static bool
timespan_s(const char *v, double *out)
{
	char tmp[64];
	int64_t ns;
	size_t n = strlen(v);

	if (n >= sizeof(tmp))
		return false;
	memcpy(tmp, v, n + 1);
	if (n > 3 && !strcmp(tmp + n - 3, "min"))
		tmp[n - 2] = '\0'; /* "5min" -> "5m" */
	else if (n > 3 && !strcmp(tmp + n - 3, "sec"))
		tmp[n - 2] = '\0'; /* "5sec" -> "5s" */
	if (strutil_parse_duration_ns(tmp, &ns) < 0)
		return false;
	*out = (double)ns / 1e9;
	return true;
}

struct ini {
	bool in_time;
};

static void
timesyncd_list(struct daemonconf *c, struct line *l, enum daemonconf_kind kind, char *v)
{
	memmove(l->buf, v, strlen(v) + 1); /* v points into l->buf: move it to the front */
	split(l, false);
	if (l->nw == 0) {
		clear_kind(c, kind);
		return;
	}
	for (size_t i = 0; i < l->nw; i++)
		(void)add_source(c, l, kind, l->w[i]);
}

static void
timesyncd_line(struct daemonconf *c, struct line *l, void *arg)
{
	struct ini *ini = arg;
	char *p = l->buf, *eq, *key, *v;

	while (isspace((unsigned char)*p))
		p++;
	if (!*p || *p == '#' || *p == ';')
		return;
	if (*p == '[') {
		char *end = strchr(p, ']');
		if (!end) {
			error_at(c, l, "section header without ']'");
			return;
		}
		*end = '\0';
		ini->in_time = !strcmp(p + 1, "Time");
		return;
	}
	if (!ini->in_time)
		return;
	eq = strchr(p, '=');
	if (!eq) {
		error_at(c, l, "no '=' in '%.60s'", p);
		return;
	}
	*eq = '\0';
	key = p;
	for (char *e = eq - 1; e >= key && isspace((unsigned char)*e); e--)
		*e = '\0';
	v = eq + 1;
	while (isspace((unsigned char)*v))
		v++;
	if (!strcmp(key, "NTP") || !strcmp(key, "FallbackNTP")) {
		timesyncd_list(c, l, key[0] == 'N' ? DAEMONCONF_SERVER : DAEMONCONF_FALLBACK, v);
	} else if (!strcmp(key, "RootDistanceMaxSec") || !strcmp(key, "PollIntervalMinSec") ||
	    !strcmp(key, "PollIntervalMaxSec")) {
		double s;
		if (!timespan_s(v, &s)) {
			error_at(c, l, "bad time span '%.40s' for %s", v, key);
			return;
		}
		if (!strcmp(key, "RootDistanceMaxSec"))
			c->root_distance_max_s = s;
		else if (!strcmp(key, "PollIntervalMinSec"))
			c->poll_min_s = s;
		else
			c->poll_max_s = s;
	}
}

void
daemonconf_parse_timesyncd(struct daemonconf *c, const char *text, size_t len, const char *file)
{
	struct ini ini = {false};

	each_line(c, text, len, file, timesyncd_line, &ini);
}
