/* strutil.c: strict parsers for command-line and config values; never accept trailing junk. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

int
strutil_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !(isdigit((unsigned char)*s) || (*s == '-' && isdigit((unsigned char)s[1]))))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static const struct {
	const char *name;
	double ns;
} duration_units[] = {
    {"ns", 1.0},
    {"us", 1e3},
    {"ms", 1e6},
    {"s", 1e9},
    {"m", 60e9},
    {"h", 3600e9},
};

int
strutil_parse_duration_ns(const char *s, int64_t *out_ns)
{
	char *end;
	double v, scale = 1e9;

	if (!s || !(isdigit((unsigned char)*s) || *s == '.'))
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return -EINVAL; /* strtod would read hex ("0x10" as 16 s); we promise decimal */
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -EINVAL;
	if (*end) {
		size_t i;
		for (i = 0; i < CW_ARRAY_LEN(duration_units); i++)
			if (strcmp(end, duration_units[i].name) == 0)
				break;
		if (i == CW_ARRAY_LEN(duration_units))
			return -EINVAL;
		scale = duration_units[i].ns;
	}
	v *= scale;
	if (v >= 9.2e18)
		return -ERANGE;
	*out_ns = (int64_t)llround(v);
	return 0;
}

static bool
host_chars_ok(const char *h)
{
	for (; *h; h++)
		if (!isgraph((unsigned char)*h) || *h == '[' || *h == ']' || *h == '/')
			return false;
	return true;
}

static int
parse_port(const char *p, const char *spec, struct hostspec *out, char *err, size_t errlen)
{
	long v;

	if (strutil_parse_long(p, 1, 65535, &v) < 0) {
		snprintf(err, errlen, "bad port '%s' in '%s' (want 1-65535)", p, spec);
		return -EINVAL;
	}
	out->port = (uint16_t)v;
	return 0;
}

static int
set_host(struct hostspec *out, const char *h, size_t n, const char *spec, char *err, size_t errlen)
{
	if (n == 0) {
		snprintf(err, errlen, "empty host name in '%s'", spec);
		return -EINVAL;
	}
	if (n > STRUTIL_HOST_MAX) {
		snprintf(err, errlen, "host name too long (%zu characters, at most %d)", n,
		    STRUTIL_HOST_MAX);
		return -EINVAL;
	}
	memcpy(out->host, h, n);
	out->host[n] = '\0';
	if (!host_chars_ok(out->host)) {
		snprintf(err, errlen, "invalid character in host '%.64s'", out->host);
		return -EINVAL;
	}
	return 0;
}

int
strutil_parse_hostspec(const char *s, struct hostspec *out, char *err, size_t errlen)
{
	const char *colon;

	memset(out, 0, sizeof(*out));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close) {
			snprintf(err, errlen, "missing ']' in '%.64s'", s);
			return -EINVAL;
		}
		out->is_bracketed = true;
		if (set_host(out, s + 1, (size_t)(close - s - 1), s, err, errlen) < 0)
			return -EINVAL;
		if (close[1] == '\0')
			return 0;
		if (close[1] != ':') {
			snprintf(err, errlen, "junk after ']' in '%.64s'", s);
			return -EINVAL;
		}
		return parse_port(close + 2, s, out, err, errlen);
	}
	colon = strrchr(s, ':');
	if (!colon || strchr(s, ':') != colon) /* no port, or a bare IPv6 literal */
		return set_host(out, s, strlen(s), s, err, errlen);
	if (set_host(out, s, (size_t)(colon - s), s, err, errlen) < 0)
		return -EINVAL;
	return parse_port(colon + 1, s, out, err, errlen);
}

char *
strutil_fmt_seconds(char *buf, size_t len, double s, bool with_sign)
{
	double a = fabs(s);
	const char *sign = s < 0 ? "-" : (with_sign ? "+" : "");

	/* The unit is chosen on the value as it will be rounded, so 0.9999999 s prints as
	 * "1.0000 s" rather than "1000.000 ms". */
	if (!isfinite(s))
		snprintf(buf, len, "-");
	else if (a * 1e3 >= 999.9995)
		snprintf(buf, len, "%s%.4f s", sign, a);
	else if (a * 1e6 >= 999.95)
		snprintf(buf, len, "%s%.3f ms", sign, a * 1e3);
	else
		snprintf(buf, len, "%s%.1f us", sign, a * 1e6);
	return buf;
}
