/* out_store.c: the alarm log and the check history, as text and JSON. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alarm.h"
#include "buf.h"
#include "out_store.h"
#include "strutil.h"

#define NS_PER_S INT64_C(1000000000)

static const char *
utc(int64_t real_ns, char *buf, size_t len)
{
	time_t t = (time_t)(real_ns / NS_PER_S - (real_ns % NS_PER_S < 0));
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "?");
	return buf;
}

static void
emit(struct buf *b, json_t *root)
{
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s) {
		buf_puts(b, s);
		buf_puts(b, "\n");
		free(s);
	}
	json_decref(root);
}

static json_t *
num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

void
out_alarms_json(struct buf *b, const struct hist_alarm *al, const struct hist_event *ev, size_t n)
{
	json_t *root = json_object(), *log = json_array();
	char when[32];

	for (size_t i = 0; i < n; i++)
		json_array_append_new(log,
		    json_pack("{s:I,s:s,s:I,s:s,s:s,s:s,s:s}", "seq", (json_int_t)ev[i].seq, "time",
		        utc(ev[i].real_ns, when, sizeof(when)), "time_ns",
		        (json_int_t)ev[i].real_ns, "event",
		        alarm_event_name((enum alarm_event_kind)ev[i].kind), "from",
		        alarm_severity_name((enum alarm_severity)ev[i].from), "severity",
		        alarm_severity_name((enum alarm_severity)ev[i].to), "text", ev[i].text));
	json_object_set_new(root, "schema", json_string("clockwatch.alarms/1"));
	json_object_set_new(root, "alarm",
	    json_pack("{s:s,s:i,s:s}", "severity",
	        alarm_severity_name((enum alarm_severity)al->severity), "severity_level",
	        al->severity, "text", al->text));
	json_object_set_new(root, "events", log);
	emit(b, root);
}

void
out_alarms_text(struct buf *b, const struct hist_alarm *al, const struct hist_event *ev, size_t n)
{
	char when[32];

	buf_printf(b, "alarm:  %s%s%s\n", alarm_severity_name((enum alarm_severity)al->severity),
	    al->text[0] ? ": " : "", al->text);
	if (n == 0) {
		buf_puts(b, "(no alarm events)\n");
		return;
	}
	buf_printf(b, "\n%6s  %-20s  %-6s  %-8s  %s\n", "seq", "time (UTC)", "event", "severity",
	    "text");
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%6lld  %-20s  %-6s  %-8s  %s\n", (long long)ev[i].seq,
		    utc(ev[i].real_ns, when, sizeof(when)),
		    alarm_event_name((enum alarm_event_kind)ev[i].kind),
		    alarm_severity_name((enum alarm_severity)ev[i].to), ev[i].text);
}

void
out_history_json(struct buf *b, int64_t from_ns, int64_t to_ns, int64_t step_ns,
    const struct hist_point *p, size_t n)
{
	json_t *root = json_object(), *pts = json_array();
	char when[32];

	json_object_set_new(root, "schema", json_string("clockwatch.history/1"));
	json_object_set_new(root, "from", json_string(utc(from_ns, when, sizeof(when))));
	json_object_set_new(root, "from_ns", json_integer(from_ns));
	json_object_set_new(root, "to", json_string(utc(to_ns, when, sizeof(when))));
	json_object_set_new(root, "to_ns", json_integer(to_ns));
	json_object_set_new(root, "step_s", json_real((double)step_ns / 1e9));
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "time", json_string(utc(p[i].real_ns, when, sizeof(when))));
		json_object_set_new(o, "time_ns", json_integer(p[i].real_ns));
		json_object_set_new(o, "checks", json_integer(p[i].checks));
		json_object_set_new(o, "synchronized_ratio", num(p[i].synchronized_ratio));
		json_object_set_new(o, "offset_s", num(p[i].offset_s));
		json_object_set_new(o, "offset_min_s", num(p[i].offset_min_s));
		json_object_set_new(o, "offset_max_s", num(p[i].offset_max_s));
		json_object_set_new(o, "jitter_s", num(p[i].jitter_s));
		json_object_set_new(o, "root_distance_s", num(p[i].root_distance_s));
		json_object_set_new(o, "severity_max", json_integer(p[i].severity_max));
		json_array_append_new(pts, o);
	}
	json_object_set_new(root, "points", pts);
	emit(b, root);
}

static void
cell(struct buf *b, double v, bool sign)
{
	char tmp[48];

	if (isfinite(v))
		buf_printf(b, "  %12s", strutil_fmt_seconds(tmp, sizeof(tmp), v, sign));
	else
		buf_printf(b, "  %12s", "-");
}

void
out_history_text(struct buf *b, int64_t from_ns, int64_t to_ns, int64_t step_ns,
    const struct hist_point *p, size_t n)
{
	char a[32], z[32];

	buf_printf(b, "history %s .. %s, step %g s: %zu point%s\n", utc(from_ns, a, sizeof(a)),
	    utc(to_ns, z, sizeof(z)), (double)step_ns / 1e9, n, n == 1 ? "" : "s");
	if (n == 0)
		return;
	buf_printf(b, "\n%-20s  %6s  %5s  %12s  %12s  %12s  %12s  %s\n", "time (UTC)", "checks",
	    "sync", "offset", "max |offset|", "jitter", "root dist", "alarm");
	for (size_t i = 0; i < n; i++) {
		double worst = fmax(fabs(p[i].offset_min_s), fabs(p[i].offset_max_s));
		buf_printf(b, "%-20s  %6d  %4.0f%%", utc(p[i].real_ns, a, sizeof(a)), p[i].checks,
		    isfinite(p[i].synchronized_ratio) ? p[i].synchronized_ratio * 100 : 0.0);
		cell(b, p[i].offset_s, true);
		cell(b, isfinite(p[i].offset_min_s) ? worst : NAN, false);
		cell(b, p[i].jitter_s, false);
		cell(b, p[i].root_distance_s, false);
		buf_printf(b, "  %s\n",
		    alarm_severity_name((enum alarm_severity)p[i].severity_max));
	}
}

static int
say(char *err, size_t errlen, const char *what, const char *s)
{
	snprintf(err, errlen, "%s '%.60s'", what, s);
	return -EINVAL;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
parse_rfc3339(const char *s, int64_t *out)
{
	static const char layout[] = "dddd-dd-ddTdd:dd:dd";
	int y, mo, d, h, mi, se, n = 0;

	/* the exact layout first: sscanf alone would take "2026-+1-22" or "2026- 1-22" */
	for (size_t i = 0; i < sizeof(layout) - 1; i++) {
		char c = s[i];
		if (layout[i] == 'd'       ? !isdigit((unsigned char)c)
		        : layout[i] == 'T' ? (c != 'T' && c != 't' && c != ' ')
		                           : c != layout[i])
			return -EINVAL;
	}
	if (sscanf(s, "%4d-%2d-%2d%*c%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n != 19)
		return -EINVAL;
	if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60 || h < 0 || mi < 0 || se < 0)
		return -EINVAL;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (d > mdays[mo - 1] + (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -EINVAL; /* not 2026-02-30, which days_from_civil would take as March 2 */
	const char *p = s + 19;
	int64_t frac = 0, scale = NS_PER_S;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		while (isdigit((unsigned char)*p)) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
			p++;
		}
	}
	int64_t tz = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int th, tm, k = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &th, &tm, &k) != 2 || k != 5 || th > 23 || tm > 59 ||
		    th < 0 || tm < 0)
			return -EINVAL;
		tz = (*p == '-' ? -1 : 1) * (th * 3600 + tm * 60);
		p += 6;
	} else {
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - tz;
	*out = secs * NS_PER_S + frac;
	return 0;
}

int
history_parse_time(const char *s, int64_t now_ns, int64_t *out, char *err, size_t errlen)
{
	if (!s || !*s)
		return say(err, errlen, "empty time", "");
	if (!strcmp(s, "now")) {
		*out = now_ns;
		return 0;
	}
	if (s[0] == '-') {
		char tmp[40];
		int64_t ns;
		size_t n = strlen(s + 1);
		if (n == 0 || n >= sizeof(tmp))
			return say(err, errlen, "bad relative time (want -30m, -1h, -2d)", s);
		memcpy(tmp, s + 1, n + 1);
		int64_t mult = 1;
		if (tmp[n - 1] == 'd') {
			tmp[n - 1] = '\0';
			mult = 86400;
			if (n == 1)
				return say(err, errlen, "bad relative time (want -30m, -1h, -2d)",
				    s);
			/* "2d": parse "2" as seconds, then scale */
		}
		if (strutil_parse_duration_ns(tmp, &ns) < 0 || ns > INT64_MAX / mult ||
		    (mult > 1 && strpbrk(tmp, "abcdefghijklmnopqrstuvwxyz")))
			return say(err, errlen, "bad relative time (want -30m, -1h, -2d)", s);
		ns *= mult;
		if (ns > INT64_C(3650) * 86400 * NS_PER_S)
			return say(err, errlen, "relative time too far back (at most 3650 days)",
			    s);
		*out = now_ns - ns;
		return 0;
	}
	if (strspn(s, "0123456789.") == strlen(s)) {
		char *end;
		errno = 0;
		double v = strtod(s, &end);
		if (errno || *end || !isfinite(v) || v < 0 || v > 7258118400.0 || strchr(s, 'x') ||
		    strchr(s, 'X'))
			return say(err, errlen, "bad Unix time", s);
		*out = (int64_t)llround(v * 1e9);
		return 0;
	}
	if (parse_rfc3339(s, out) < 0)
		return say(err, errlen,
		    "bad time (want now, -1h, Unix seconds or 2026-11-22T01:00:00Z)", s);
	return 0;
}

int
history_window(const char *from, const char *to, const char *step, int64_t now_ns, int64_t *from_ns,
    int64_t *to_ns, int64_t *step_ns, char *err, size_t errlen)
{
	char e2[160];

	*to_ns = now_ns;
	*from_ns = now_ns - 3600 * NS_PER_S;
	if (to && history_parse_time(to, now_ns, to_ns, e2, sizeof(e2)) < 0)
		return snprintf(err, errlen, "to: %s", e2), -EINVAL;
	if (from && history_parse_time(from, now_ns, from_ns, e2, sizeof(e2)) < 0)
		return snprintf(err, errlen, "from: %s", e2), -EINVAL;
	if (*to_ns <= *from_ns) {
		snprintf(err, errlen, "to must be after from");
		return -EINVAL;
	}
	int64_t span = *to_ns - *from_ns;
	if (step) {
		if (strutil_parse_duration_ns(step, step_ns) < 0) {
			snprintf(err, errlen,
			    "step: bad duration '%.40s' (want seconds, or 30s, 5m)", step);
			return -EINVAL;
		}
		if (*step_ns < NS_PER_S) {
			snprintf(err, errlen, "step: at least 1 s");
			return -EINVAL;
		}
	} else {
		*step_ns = CW_MAX(span / 300, NS_PER_S);
		*step_ns -= *step_ns % NS_PER_S; /* whole seconds read better */
	}
	if (span / *step_ns >= HIST_MAX_POINTS) {
		snprintf(err, errlen,
		    "%lld points asked; at most %d (a larger step or a shorter window)",
		    (long long)(span / *step_ns + 1), HIST_MAX_POINTS);
		return -EINVAL;
	}
	return 0;
}
