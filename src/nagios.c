/* nagios.c: threshold ranges as the monitoring-plugins development guidelines define them. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nagios.h"

static int
number(const char *s, size_t n, double *out)
{
	char buf[64], *end;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	if (*end || errno || !isfinite(*out) || buf[0] == ' ')
		return -EINVAL;
	return 0;
}

int
nagios_range_parse(const char *s, struct nagios_range *r, char *err, size_t errlen)
{
	const char *p = s, *colon;

	*r = (struct nagios_range){.start = 0, .end = INFINITY, .set = true};
	if (*p == '@') {
		r->inside = true;
		p++;
	}
	colon = strchr(p, ':');
	if (colon) {
		if (colon - p == 1 && *p == '~')
			r->start = -INFINITY;
		else if (number(p, (size_t)(colon - p), &r->start) < 0)
			goto bad;
		p = colon + 1;
		if (*p && number(p, strlen(p), &r->end) < 0)
			goto bad;
	} else if (number(p, strlen(p), &r->end) < 0) {
		goto bad;
	}
	if (r->start > r->end) {
		snprintf(err, errlen, "bad range '%.40s': start is above end", s);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad range '%.40s' (want [@][start:][end], like 1, 10:, ~:5, @1:2)",
	    s);
	return -EINVAL;
}

bool
nagios_range_alert(const struct nagios_range *r, double v)
{
	if (!r->set)
		return false;
	bool in = v >= r->start && v <= r->end;
	return r->inside ? in : !in;
}

char *
nagios_range_str(const struct nagios_range *r, char *buf, size_t len)
{
	char a[32] = "", b[32] = "";

	if (!r->set) {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	if (r->start == -INFINITY)
		snprintf(a, sizeof(a), "~:");
	else if (r->start != 0)
		snprintf(a, sizeof(a), "%g:", r->start);
	if (isfinite(r->end))
		snprintf(b, sizeof(b), "%g", r->end);
	snprintf(buf, len, "%s%s%s", r->inside ? "@" : "", a, b);
	return buf;
}

const char *
nagios_state_name(enum nagios_state st)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

	return (unsigned)st <= 3 ? names[st] : "UNKNOWN";
}
