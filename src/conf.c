/* conf.c: clockwatch.conf(5), one directive a line. Each line (at most CONF_MAX_LINE bytes, no
 * NUL or other control byte) is split into words: blanks separate them, '#' outside quotes
 * ends the line, "double quotes" make one word of anything, with \" and \\ as escapes. The
 * first word is looked up (case-insensitively) in a sorted table that gives the arguments it
 * takes and the handler that checks and stores them. A bad line is reported and changes
 * nothing; the others still take effect. No allocation: everything lives in struct conf and
 * on the stack. Durations are int64 ns; the alarm thresholds double seconds (conf.h). */
#include "config.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "macros.h"
#include "snapshot.h"
#include "strutil.h"

#define MAX_WORDS 8 /* kept per line; more are counted, to say how many there were */
#define MAX_NAME 32 /* longest directive name, for the edit distance rows */
#define NS_PER_S INT64_C(1000000000)
#define NS_PER_MIN (60 * NS_PER_S)
#define NS_PER_H (60 * NS_PER_MIN)
#define NS_PER_D (24 * NS_PER_H)

struct word {
	const char *s;
	unsigned col;
};

/* One line, split. buf holds the words, decoded and NUL-terminated: a word of k bytes takes at
 * least k bytes of the line plus a blank or the line's end, so the line's length + 1 suffices. */
struct line {
	char buf[CONF_MAX_LINE + 1];
	struct word w[MAX_WORDS];
	size_t nw;
};

struct parser;
struct directive;

typedef void conf_handler(struct parser *p, const struct directive *d, const struct word *args);

struct directive {
	const char *name;
	const char *usage; /* the arguments, for "takes 1 argument (DURATION)" */
	unsigned char min_args, max_args;
	conf_handler *set;
	size_t off, size; /* the field of struct conf it sets */
	int64_t min, max; /* accepted range: ns for durations, the value for numbers */
	bool repeat;      /* may be given more than once (its handler appends) */
};

static conf_handler set_service, set_path, set_abs_path, set_address, set_duration, set_offset,
    set_u32, set_int, set_string, set_listen, set_url, set_node, set_rate, set_allow, set_bool;

#define FIELD(f) offsetof(struct conf, f), sizeof(((struct conf *)0)->f)

/* Sorted by name as ascii_casecmp orders them ('_' before letters): looked up with bsearch. */
static const struct directive directives[] = {
    {"address", "HOST[:PORT]", 1, 1, set_address, FIELD(address), 0, 0, false},
    {"alarm_command", "PATH", 1, 1, set_abs_path, FIELD(alarm_command), 0, 0, false},
    {"alertmanager_resend", "DURATION", 1, 1, set_duration, FIELD(alertmanager_resend_ns),
        10 * NS_PER_S, NS_PER_H, false},
    {"alertmanager_url", "URL", 1, 1, set_url, FIELD(alertmanager_url), 0, 0, true},
    {"chronyd_socket", "PATH", 1, 1, set_path, FIELD(chronyd_socket), 0, 0, false},
    {"clear_delay", "DURATION", 1, 1, set_duration, FIELD(clear_delay_ns), 0, NS_PER_H, false},
    {"cluster_threshold", "DURATION", 1, 1, set_offset, FIELD(cluster_threshold_s), 0, 0, false},
    {"conf", "PATH", 1, 1, set_path, FIELD(daemon_conf), 0, 0, false},
    {"critical_offset", "DURATION", 1, 1, set_offset, FIELD(critical_s), 0, 0, false},
    {"event_type", "N", 1, 1, set_int, FIELD(event_type), 0, 255, false},
    {"grace", "DURATION", 1, 1, set_duration, FIELD(grace_ns), 0, NS_PER_D, false},
    {"http_listen", "ADDR[:PORT]|off", 1, 1, set_listen, FIELD(http_listen), 0, 0, true},
    {"http_max_connections", "N", 1, 1, set_u32, FIELD(http_max_connections), 1, 1024, false},
    {"http_password_file", "PATH", 1, 1, set_abs_path, FIELD(http_password_file), 0, 0, false},
    {"http_per_ip_connections", "N", 1, 1, set_u32, FIELD(http_per_ip_connections), 1, 1024, false},
    {"http_timeout", "DURATION", 1, 1, set_duration, FIELD(http_timeout_ns), NS_PER_S,
        5 * NS_PER_MIN, false},
    {"http_tls_cert", "PATH", 1, 1, set_abs_path, FIELD(http_tls_cert), 0, 0, false},
    {"http_tls_key", "PATH", 1, 1, set_abs_path, FIELD(http_tls_key), 0, 0, false},
    {"http_user", "NAME", 1, 1, set_string, FIELD(http_user), 0, 0, false},
    {"interval", "DURATION", 1, 1, set_duration, FIELD(interval_ns), NS_PER_S, NS_PER_H, false},
    {"major_type", "N", 1, 1, set_u32, FIELD(major_type), 0, UINT32_MAX, false},
    {"managed_object", "NAME", 1, 1, set_string, FIELD(managed_object), 0, 0, false},
    {"minor_type", "N", 1, 1, set_u32, FIELD(minor_type), 0, UINT32_MAX, false},
    {"node", "NAME ADDR[:PORT] [control|payload]", 2, 3, set_node, FIELD(nodes), 0, 0, true},
    {"node_name", "NAME", 1, 1, set_string, FIELD(node_name), 0, 0, false},
    {"panic_offset", "DURATION", 1, 1, set_offset, FIELD(panic_s), 0, 0, false},
    {"reject_initial", "DURATION", 1, 1, set_duration, FIELD(reject_initial_ns), 0, NS_PER_D,
        false},
    {"reject_reselect", "DURATION", 1, 1, set_duration, FIELD(reject_reselect_ns), 0, NS_PER_D,
        false},
    {"responder", "ADDR[:PORT]", 1, 1, set_address, FIELD(responder), 0, 0, false},
    {"responder_allow", "ADDR", 1, 1, set_allow, FIELD(responder_allow), 0, 0, true},
    {"responder_burst", "N", 1, 1, set_rate, FIELD(responder_burst), 1, 1000, false},
    {"responder_rate", "N", 1, 1, set_rate, FIELD(responder_rate), 1, 1000, false},
    {"retention", "DURATION", 1, 1, set_duration, FIELD(retention_ns), NS_PER_H, 3650 * NS_PER_D,
        false},
    {"seccomp", "on|off", 1, 1, set_bool, FIELD(seccomp), 0, 0, false},
    {"service", "chronyd|ntpd|timesyncd|auto", 1, 1, set_service, FIELD(service), 0, 0, false},
    {"specific_problem", "TEXT", 1, 1, set_string, FIELD(specific_problem), 0, 0, false},
    {"state_dir", "PATH", 1, 1, set_abs_path, FIELD(state_dir), 0, 0, false},
    {"timeout", "DURATION", 1, 1, set_duration, FIELD(timeout_ns), NS_PER_S / 1000, 60 * NS_PER_S,
        false},
};

#define N_DIRECTIVES CW_ARRAY_LEN(directives)

struct parser {
	struct conf *c;
	unsigned line_no;
	size_t n_errors;                 /* in this call, including those not kept */
	unsigned seen[N_DIRECTIVES];     /* line where each directive was first given, 0: not yet */
	unsigned seen_col[N_DIRECTIVES]; /* and the column of its first argument */
	bool seen_off;                   /* "http_listen off" was given */
	struct line l;
};

void
conf_defaults(struct conf *c, const char *state_directory_env)
{
	memset(c, 0, sizeof(*c));
	c->service = -1;
	c->interval_ns = 30 * NS_PER_S;
	c->timeout_ns = NS_PER_S;
	c->critical_s = 10.0;
	c->panic_s = 1000.0;
	c->grace_ns = 20 * NS_PER_MIN;
	c->reject_initial_ns = 60 * NS_PER_MIN;
	c->reject_reselect_ns = 90 * NS_PER_S;
	c->clear_delay_ns = 60 * NS_PER_S;
	c->major_type = 193;
	c->minor_type = UINT32_C(3341942785);
	snprintf(c->managed_object, sizeof(c->managed_object), "SafNode");
	snprintf(c->specific_problem, sizeof(c->specific_problem), "LOTC Time Synchronization");
	c->event_type = 6;
	c->retention_ns = 30 * NS_PER_D;
	snprintf(c->http_listen[0], sizeof(c->http_listen[0]), "127.0.0.1:%d", CONF_HTTP_PORT);
	c->n_http_listen = 1;
	c->http_max_connections = 64;
	c->http_per_ip_connections = 16;
	c->http_timeout_ns = 10 * NS_PER_S;
	c->alertmanager_resend_ns = NS_PER_MIN;
	c->cluster_threshold_s = 10.0;
	c->responder_rate = 2;
	c->responder_burst = 8;
	/* systemd joins several StateDirectory= with ':'; ours is the first. A value that does
	 * not fit is not shortened into some other directory. */
	size_t n = state_directory_env ? strcspn(state_directory_env, ":") : 0;
	if (n > 0 && n < sizeof(c->state_dir))
		memcpy(c->state_dir, state_directory_env, n);
	else
		snprintf(c->state_dir, sizeof(c->state_dir), "/var/lib/clockwatch");
}

static void error_at(struct parser *p, unsigned col, const char *fmt, ...) CW_PRINTF(3, 4);

static void
error_at(struct parser *p, unsigned col, const char *fmt, ...)
{
	struct conf *c = p->c;
	va_list ap;

	p->n_errors++;
	if (c->n_errors >= CONF_MAX_ERRORS)
		return;
	struct conf_error *e = &c->errors[c->n_errors++];
	e->line = p->line_no;
	e->col = col;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

static void *
field(struct parser *p, const struct directive *d)
{
	return (char *)p->c + d->off;
}

/* "1h", "60s", "3650d": the largest unit that gives a whole number, for ranges in messages. */
static const char *
fmt_duration(char *buf, size_t len, int64_t ns)
{
	static const struct {
		const char *unit;
		int64_t ns;
	} units[] = {{"d", NS_PER_D}, {"h", NS_PER_H}, {"s", NS_PER_S}, {"ms", 1000000},
	    {"us", 1000}};
	size_t i;

	for (i = 0; i < CW_ARRAY_LEN(units); i++)
		if (ns % units[i].ns == 0)
			break;
	if (ns == 0)
		snprintf(buf, len, "0s");
	else if (i == CW_ARRAY_LEN(units))
		snprintf(buf, len, "%" PRId64 "ns", ns);
	else
		snprintf(buf, len, "%" PRId64 "%s", ns / units[i].ns, units[i].unit);
	return buf;
}

/* Directive names and keywords are ASCII; the locale has no say in how they compare. */
static int
ascii_lower(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static int
ascii_casecmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x && ascii_lower(*x) == ascii_lower(*y)) {
		x++;
		y++;
	}
	return ascii_lower(*x) - ascii_lower(*y);
}

/* strutil's durations plus "min" (as systemd writes minutes) and "d" (days). */
static int
parse_duration(const char *s, int64_t *out_ns)
{
	char tmp[64];
	size_t n = strlen(s);
	bool days = false;
	int64_t ns;
	int r;

	if (n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n + 1);
	if (n > 3 && !strcmp(tmp + n - 3, "min")) {
		tmp[n - 2] = '\0'; /* "5min" -> "5m" */
	} else if (n > 1 && tmp[n - 1] == 'd') {
		tmp[n - 1] = 'h'; /* "2d" -> "2h", times 24 below */
		days = true;
	}
	r = strutil_parse_duration_ns(tmp, &ns);
	if (r < 0)
		return r;
	if (days) {
		if (ns > INT64_MAX / 24)
			return -ERANGE;
		ns *= 24;
	}
	*out_ns = ns;
	return 0;
}

/* A whole decimal number in [min, max] (max <= UINT32_MAX): digits only, no sign. */
static bool
parse_uint(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > max)
			return false;
	}
	if (v < min)
		return false;
	*out = v;
	return true;
}

/* "on" or "off" into a bool field. */
static void
set_bool(struct parser *p, const struct directive *d, const struct word *args)
{
	if (!ascii_casecmp(args[0].s, "on"))
		*(bool *)field(p, d) = true;
	else if (!ascii_casecmp(args[0].s, "off"))
		*(bool *)field(p, d) = false;
	else
		error_at(p, args[0].col, "%s takes on or off, not '%.40s'", d->name, args[0].s);
}

static void
set_service(struct parser *p, const struct directive *d, const struct word *args)
{
	static const struct {
		const char *name;
		int service;
	} names[] = {
	    {"chronyd", SNAP_CHRONYD},
	    {"ntpd", SNAP_NTPD},
	    {"timesyncd", SNAP_TIMESYNCD},
	    {"auto", -1},
	};

	for (size_t i = 0; i < CW_ARRAY_LEN(names); i++) {
		if (!ascii_casecmp(args[0].s, names[i].name)) {
			*(int *)field(p, d) = names[i].service;
			return;
		}
	}
	error_at(p, args[0].col, "unknown service '%.60s' (want chronyd, ntpd, timesyncd or auto)",
	    args[0].s);
}

/* Copies a word into a string field; what says what it is ("path"), or NULL to name the
 * directive alone in messages. */
static bool
store_string(struct parser *p, const struct directive *d, const struct word *a, const char *what)
{
	size_t n = strlen(a->s);

	if (n == 0) {
		if (what)
			error_at(p, a->col, "empty %s for %s", what, d->name);
		else
			error_at(p, a->col, "empty %s", d->name);
		return false;
	}
	if (n >= d->size) {
		if (what)
			error_at(p, a->col, "%s for %s too long (%zu bytes, at most %zu)", what,
			    d->name, n, d->size - 1);
		else
			error_at(p, a->col, "%s too long (%zu bytes, at most %zu)", d->name, n,
			    d->size - 1);
		return false;
	}
	memcpy(field(p, d), a->s, n + 1);
	return true;
}

static void
set_path(struct parser *p, const struct directive *d, const struct word *args)
{
	(void)store_string(p, d, &args[0], "path");
}

static void
set_abs_path(struct parser *p, const struct directive *d, const struct word *args)
{
	if (args[0].s[0] != '\0' && args[0].s[0] != '/') {
		error_at(p, args[0].col, "%s needs an absolute path, got '%.60s'", d->name,
		    args[0].s);
		return;
	}
	(void)store_string(p, d, &args[0], "path");
}

static void
set_string(struct parser *p, const struct directive *d, const struct word *args)
{
	(void)store_string(p, d, &args[0], NULL);
}

static void
set_address(struct parser *p, const struct directive *d, const struct word *args)
{
	struct hostspec hs;
	char err[160];

	if (strutil_parse_hostspec(args[0].s, &hs, err, sizeof(err)) < 0) {
		error_at(p, args[0].col, "bad address: %s", err);
		return;
	}
	(void)store_string(p, d, &args[0], NULL);
}

/* Parses a duration argument; on a malformed one reports it and returns -EINVAL; -ERANGE
 * when it does not fit (the caller reports the range it wants). */
static int
duration_arg(struct parser *p, const struct directive *d, const struct word *arg, int64_t *ns)
{
	int r = parse_duration(arg->s, ns);

	if (r == -EINVAL)
		error_at(p, arg->col,
		    "bad duration '%.40s' for %s (want a number and a unit: ns, us, ms, s, m or "
		    "min, h, d)",
		    arg->s, d->name);
	return r;
}

static void
set_duration(struct parser *p, const struct directive *d, const struct word *args)
{
	char lo[32], hi[32];
	int64_t ns;
	int r = duration_arg(p, d, &args[0], &ns);

	if (r == -EINVAL)
		return;
	if (r < 0 || ns < d->min || ns > d->max) {
		error_at(p, args[0].col, "%s %.40s out of range (want %s to %s)", d->name,
		    args[0].s, fmt_duration(lo, sizeof(lo), d->min),
		    fmt_duration(hi, sizeof(hi), d->max));
		return;
	}
	*(int64_t *)field(p, d) = ns;
}

/* The alarm thresholds: durations kept as seconds, more than 0. That panic_offset is above
 * critical_offset is checked once the whole text is read (check_offsets). */
static void
set_offset(struct parser *p, const struct directive *d, const struct word *args)
{
	int64_t ns;
	int r = duration_arg(p, d, &args[0], &ns);

	if (r == -EINVAL)
		return;
	if (r < 0 || ns <= 0) {
		error_at(p, args[0].col, "%s %.40s out of range (want more than 0s)", d->name,
		    args[0].s);
		return;
	}
	*(double *)field(p, d) = (double)ns / 1e9;
}

/* "http_listen ADDR[:PORT]": a numeric IPv4 or IPv6 address to listen on (no names: the agent
 * must not depend on DNS to serve its metrics), port 10123 when none; "off" alone: no HTTP.
 * The first line replaces the default; the others add, up to CONF_HTTP_LISTEN_MAX. */
static void
set_listen(struct parser *p, const struct directive *d, const struct word *args)
{
	struct conf *c = p->c;
	struct hostspec hs;
	char err[160];
	unsigned char a[16];
	bool first = p->seen[d - directives] == p->line_no;

	if (!ascii_casecmp(args[0].s, "off")) {
		if (!first || p->seen_off)
			error_at(p, args[0].col,
			    "http_listen off cannot go with other http_listen lines");
		else
			c->n_http_listen = 0;
		p->seen_off = true;
		return;
	}
	if (p->seen_off) {
		error_at(p, args[0].col, "http_listen off cannot go with other http_listen lines");
		return;
	}
	if (strutil_parse_hostspec(args[0].s, &hs, err, sizeof(err)) < 0) {
		error_at(p, args[0].col, "bad http_listen address: %s", err);
		return;
	}
	if (inet_pton(AF_INET, hs.host, a) != 1 && inet_pton(AF_INET6, hs.host, a) != 1) {
		error_at(p, args[0].col,
		    "http_listen wants a numeric address (127.0.0.1, ::1, 0.0.0.0, ::), got "
		    "'%.60s'",
		    hs.host);
		return;
	}
	if (first)
		c->n_http_listen = 0; /* the first good line replaces the default */
	if (c->n_http_listen >= CONF_HTTP_LISTEN_MAX) {
		error_at(p, args[0].col, "too many http_listen lines (at most %d)",
		    CONF_HTTP_LISTEN_MAX);
		return;
	}
	snprintf(c->http_listen[c->n_http_listen], sizeof(c->http_listen[0]),
	    strchr(hs.host, ':') ? "[%s]:%u" : "%s:%u", hs.host,
	    hs.port ? hs.port : (unsigned)CONF_HTTP_PORT);
	c->n_http_listen++;
}

/* "alertmanager_url URL": http:// or https://, a host, no spaces; repeatable. */
static void
set_url(struct parser *p, const struct directive *d, const struct word *args)
{
	struct conf *c = p->c;
	const char *u = args[0].s;
	size_t n = strlen(u), scheme = 0;

	(void)d;
	if (!strncasecmp(u, "http://", 7))
		scheme = 7;
	else if (!strncasecmp(u, "https://", 8))
		scheme = 8;
	if (!scheme || n == scheme || u[scheme] == '/') {
		error_at(p, args[0].col,
		    "alertmanager_url wants http://HOST[:PORT][/PATH] or https://..., "
		    "got '%.60s'",
		    u);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)u[i] <= ' ' || u[i] == '"' || u[i] == '\\' || u[i] == 0x7f) {
			/* the word's column: a blank or a quote comes only quoted, where
			 * col + i would be off by the quote and any escapes */
			error_at(p, args[0].col,
			    "alertmanager_url: no blanks, quotes or "
			    "backslashes in a URL");
			return;
		}
	}
	if (n >= sizeof(c->alertmanager_url[0])) {
		error_at(p, args[0].col, "alertmanager_url too long (%zu bytes, at most %zu)", n,
		    sizeof(c->alertmanager_url[0]) - 1);
		return;
	}
	if (c->n_alertmanager_url >= CONF_ALERTMANAGER_MAX) {
		error_at(p, args[0].col, "too many alertmanager_url lines (at most %d)",
		    CONF_ALERTMANAGER_MAX);
		return;
	}
	memcpy(c->alertmanager_url[c->n_alertmanager_url++], u, n + 1);
}

/* "node NAME ADDR[:PORT] [control|payload]": a cluster node; names unique; up to
 * CONF_NODES_MAX. */
static void
set_node(struct parser *p, const struct directive *d, const struct word *args)
{
	struct conf *c = p->c;
	struct hostspec hs;
	char err[160];
	struct conf_node nd = {0};
	size_t n = strlen(args[0].s);

	(void)d;
	if (n == 0 || n >= sizeof(nd.name)) {
		error_at(p, args[0].col, "node name must be 1 to %zu bytes", sizeof(nd.name) - 1);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)args[0].s[i];
		if (!(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') &&
		    !(ch >= '0' && ch <= '9') && ch != '-' && ch != '_' && ch != '.') {
			error_at(p, args[0].col + (unsigned)i,
			    "node name: letters, digits, '-', '_' and '.' only");
			return;
		}
	}
	memcpy(nd.name, args[0].s, n + 1);
	if (strutil_parse_hostspec(args[1].s, &hs, err, sizeof(err)) < 0) {
		error_at(p, args[1].col, "bad node address: %s", err);
		return;
	}
	if (strlen(hs.host) >= sizeof(nd.addr)) {
		error_at(p, args[1].col, "node address too long (at most %zu bytes)",
		    sizeof(nd.addr) - 1);
		return;
	}
	snprintf(nd.addr, sizeof(nd.addr), "%s", hs.host);
	nd.port = hs.port ? hs.port : 123;
	if (args[2].s) {
		if (!ascii_casecmp(args[2].s, "control"))
			nd.role = CONF_ROLE_CONTROL;
		else if (!ascii_casecmp(args[2].s, "payload"))
			nd.role = CONF_ROLE_PAYLOAD;
		else {
			error_at(p, args[2].col,
			    "unknown node role '%.40s' (want control or payload)", args[2].s);
			return;
		}
	}
	for (size_t i = 0; i < c->n_nodes; i++) {
		if (!strcmp(c->nodes[i].name, nd.name)) {
			error_at(p, args[0].col, "node %s given twice", nd.name);
			return;
		}
	}
	if (c->n_nodes >= CONF_NODES_MAX) {
		error_at(p, args[0].col, "too many nodes (at most %d)", CONF_NODES_MAX);
		return;
	}
	c->nodes[c->n_nodes++] = nd;
}

static bool
number_arg(struct parser *p, const struct directive *d, const struct word *a, int64_t *v)
{
	if (parse_uint(a->s, d->min, d->max, v))
		return true;
	error_at(p, a->col, "bad %s '%.40s' (want an integer from %" PRId64 " to %" PRId64 ")",
	    d->name, a->s, d->min, d->max);
	return false;
}

static void
set_u32(struct parser *p, const struct directive *d, const struct word *args)
{
	int64_t v;

	if (number_arg(p, d, &args[0], &v))
		*(uint32_t *)field(p, d) = (uint32_t)v;
}

/* "responder_allow ADDR": a numeric address the responder answers besides the nodes. */
static void
set_allow(struct parser *p, const struct directive *d, const struct word *args)
{
	struct conf *c = p->c;
	unsigned char a[16];

	(void)d;
	if (inet_pton(AF_INET, args[0].s, a) != 1 && inet_pton(AF_INET6, args[0].s, a) != 1) {
		error_at(p, args[0].col, "responder_allow wants a numeric address, got '%.60s'",
		    args[0].s);
		return;
	}
	if (c->n_responder_allow >= CONF_ALLOW_MAX) {
		error_at(p, args[0].col, "too many responder_allow lines (at most %d)",
		    CONF_ALLOW_MAX);
		return;
	}
	snprintf(c->responder_allow[c->n_responder_allow++], sizeof(c->responder_allow[0]), "%s",
	    args[0].s);
}

static void
set_rate(struct parser *p, const struct directive *d, const struct word *args)
{
	int64_t v;

	if (number_arg(p, d, &args[0], &v))
		*(double *)field(p, d) = (double)v;
}

static void
set_int(struct parser *p, const struct directive *d, const struct word *args)
{
	int64_t v;

	if (number_arg(p, d, &args[0], &v))
		*(int *)field(p, d) = (int)v;
}

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* One "quoted string" from s[*i] (the opening quote) into out; *o advances. */
static bool
split_quoted(struct parser *p, const char *s, size_t n, size_t *i, char *out, size_t *o)
{
	unsigned col = (unsigned)*i + 1;

	for ((*i)++; *i < n && s[*i] != '"'; (*i)++) {
		if (s[*i] == '\\' && *i + 1 < n) {
			unsigned char e = (unsigned char)s[++*i];
			if (e != '"' && e != '\\') {
				error_at(p, (unsigned)*i,
				    e > ' ' && e < 0x7f
				        ? "bad escape '\\%c' in quoted string (only \\\" and \\\\)"
				        : "bad escape '\\x%02x' in quoted string (only \\\" and "
				          "\\\\)",
				    e);
				return false;
			}
		}
		out[(*o)++] = s[*i];
	}
	if (*i >= n) {
		error_at(p, col, "unterminated quoted string");
		return false;
	}
	(*i)++;
	if (*i < n && !is_blank(s[*i]) && s[*i] != '#') {
		error_at(p, (unsigned)*i + 1, "no blank after closing quote");
		return false;
	}
	return true;
}

/* One unquoted word from s[*i] into out, up to a blank, a '#' or the end. */
static bool
split_bare(struct parser *p, const char *s, size_t n, size_t *i, char *out, size_t *o)
{
	for (; *i < n && !is_blank(s[*i]) && s[*i] != '#'; (*i)++) {
		if (s[*i] == '"') {
			error_at(p, (unsigned)*i + 1, "'\"' inside a word (quote the whole word)");
			return false;
		}
		out[(*o)++] = s[*i];
	}
	return true;
}

/* Splits the n bytes at s into p->l's words; false (and an error) when they don't split. */
static bool
split(struct parser *p, const char *s, size_t n)
{
	struct line *l = &p->l;
	size_t i = 0, o = 0;

	l->nw = 0;
	memset(l->w, 0, sizeof(l->w)); /* optional arguments not given read as NULL */
	for (;;) {
		while (i < n && is_blank(s[i]))
			i++;
		if (i == n || s[i] == '#')
			return true;
		unsigned col = (unsigned)i + 1;
		char *start = l->buf + o;
		bool ok = s[i] == '"' ? split_quoted(p, s, n, &i, l->buf, &o)
		                      : split_bare(p, s, n, &i, l->buf, &o);
		if (!ok)
			return false;
		assert(o < sizeof(l->buf));
		l->buf[o++] = '\0';
		if (l->nw < MAX_WORDS)
			l->w[l->nw] = (struct word){start, col};
		l->nw++;
	}
}

static int
cmp_directive(const void *key, const void *elem)
{
	return ascii_casecmp(key, ((const struct directive *)elem)->name);
}

/* One row of the edit distance table: row holds a[..i-1] against every prefix of b and becomes
 * a[..i] against them. */
static void
edit_row(unsigned *row, size_t i, char ch, const char *b, size_t lb)
{
	unsigned diag = row[0];

	row[0] = (unsigned)i;
	for (size_t j = 1; j <= lb; j++) {
		unsigned up = row[j];
		bool same = ascii_lower((unsigned char)ch) == ascii_lower((unsigned char)b[j - 1]);
		unsigned best = diag + (same ? 0 : 1);
		best = CW_MIN(best, up + 1);
		best = CW_MIN(best, row[j - 1] + 1);
		row[j] = best;
		diag = up;
	}
}

/* Levenshtein distance without regard to case, or 3 when it is surely more than 2. */
static unsigned
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[MAX_NAME + 1];

	if (lb > MAX_NAME || la > lb + 2 || lb > la + 2)
		return 3;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++)
		edit_row(row, i, a[i - 1], b, lb);
	return row[lb];
}

static void
unknown_directive(struct parser *p, const struct word *w)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (size_t i = 0; i < N_DIRECTIVES; i++) {
		unsigned dist = edit_distance(w->s, directives[i].name);
		if (dist < best_d) {
			best_d = dist;
			best = directives[i].name;
		}
	}
	if (best)
		error_at(p, w->col, "unknown directive '%.40s' (did you mean '%s'?)", w->s, best);
	else
		error_at(p, w->col, "unknown directive '%.40s'", w->s);
}

static void
directive_line(struct parser *p)
{
	const struct line *l = &p->l;
	const struct directive *d =
	    bsearch(l->w[0].s, directives, N_DIRECTIVES, sizeof(directives[0]), cmp_directive);
	size_t n_args = l->nw - 1;

	if (!d) {
		unknown_directive(p, &l->w[0]);
		return;
	}
	size_t k = (size_t)(d - directives);
	if (p->seen[k] && !d->repeat) {
		error_at(p, l->w[0].col, "%s already set on line %u", d->name, p->seen[k]);
		return;
	}
	if (!p->seen[k]) {
		p->seen[k] = p->line_no;
		p->seen_col[k] = n_args > 0 ? l->w[1].col : l->w[0].col;
	}
	if (n_args < d->min_args || n_args > d->max_args) {
		size_t extra = CW_MIN(1 + (size_t)d->max_args, (size_t)MAX_WORDS - 1);
		unsigned col = n_args < d->min_args ? l->w[0].col : l->w[extra].col;
		if (d->min_args == d->max_args)
			error_at(p, col, "%s takes %u argument%s (%s), got %zu", d->name,
			    d->min_args, d->min_args == 1 ? "" : "s", d->usage, n_args);
		else
			error_at(p, col, "%s takes %u to %u arguments (%s), got %zu", d->name,
			    d->min_args, d->max_args, d->usage, n_args);
		return;
	}
	d->set(p, d, &l->w[1]);
}

static void
one_line(struct parser *p, const char *s, size_t n)
{
	if (n > CONF_MAX_LINE) {
		error_at(p, 1, "line too long (%zu bytes, at most %d)", n, CONF_MAX_LINE);
		return;
	}
	if (n > 0 && s[n - 1] == '\r')
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\0') {
			error_at(p, (unsigned)i + 1, "NUL byte");
			return;
		}
		if ((ch < ' ' && ch != '\t') || ch == 0x7f) {
			error_at(p, (unsigned)i + 1, "control character 0x%02x", ch);
			return;
		}
	}
	if (split(p, s, n) && p->l.nw > 0)
		directive_line(p);
}

static size_t
directive_index(const char *name)
{
	const struct directive *d =
	    bsearch(name, directives, N_DIRECTIVES, sizeof(directives[0]), cmp_directive);

	assert(d);
	return (size_t)(d - directives);
}

/* panic_offset must be above critical_offset, wherever each came from; the error goes to the
 * line that set panic_offset, else critical_offset's, else (both came in c) to line 0. */
static void
check_offsets(struct parser *p)
{
	size_t panic = directive_index("panic_offset"), crit = directive_index("critical_offset");
	size_t at = p->seen[panic] ? panic : crit;

	if (p->c->panic_s > p->c->critical_s)
		return;
	p->line_no = p->seen[at];
	error_at(p, p->seen_col[at], "panic_offset (%g s) must be more than critical_offset (%g s)",
	    p->c->panic_s, p->c->critical_s);
}

/* Directives that make sense only together: a TLS certificate and its key, a user and its
 * password. The error goes to the line of the one given. */
static void
check_pair(struct parser *p, const char *a, const char *b)
{
	size_t ia = directive_index(a), ib = directive_index(b);

	if (!p->seen[ia] == !p->seen[ib])
		return;
	size_t at = p->seen[ia] ? ia : ib;
	p->line_no = p->seen[at];
	error_at(p, p->seen_col[at], "%s needs %s too", p->seen[ia] ? a : b, p->seen[ia] ? b : a);
}

int
conf_parse(struct conf *c, const char *text, size_t len)
{
	struct parser *p = &(struct parser){.c = c};
	size_t i = 0;

	while (i < len && p->line_no < UINT_MAX) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		p->line_no++;
		one_line(p, text + i, n);
		i += n + 1;
	}
	check_offsets(p);
	check_pair(p, "http_tls_cert", "http_tls_key");
	check_pair(p, "http_user", "http_password_file");
	return p->n_errors ? -EINVAL : 0;
}

void
conf_format_error(const struct conf *c, size_t i, const char *file, char *buf, size_t len)
{
	if (len == 0)
		return;
	if (i >= c->n_errors || i >= CONF_MAX_ERRORS) {
		buf[0] = '\0';
		return;
	}
	const struct conf_error *e = &c->errors[i];
	snprintf(buf, len, "%s:%u:%u: %s", file ? file : "-", e->line, e->col, e->msg);
}
