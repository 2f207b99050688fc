/* fuzz_http_args.c: what an HTTP client sends the agent besides the path: ?from=&to=&step= of
 * /api/v1/history (also `clockwatch history --from --to --step`) and the Accept header of
 * /metrics. The input is up to four NUL-separated strings: from, to, step, Accept; those not
 * given are NULL (the defaults); past the fourth, the input is ignored. Each string is a buffer
 * of exactly its length, so an overread is caught. Invariants: an accepted window has from < to, a
 * step of at least 1 s (whole seconds when derived) and fewer than HIST_MAX_POINTS steps, and its
 * ends are what history_parse_time makes of the same strings; a parsed time lies in the range the
 * parser promises; an error text is terminated, not empty and within its buffer; OpenMetrics is
 * chosen only when the header names it. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_check.h"
#include "hist_types.h"
#include "macros.h"
#include "out_metrics.h"
#include "out_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define S_NS INT64_C(1000000000)
#define NOW_NS (INT64_C(1763772000) * S_NS) /* 2025-11-22T00:40:00Z */
#define DAYS_3650_NS (INT64_C(3650) * 86400 * S_NS)
#define EARLIEST_NS (-86400 * S_NS)            /* 1970-01-01 with a zone of up to -23:59 */
#define LATEST_NS (INT64_C(7289827200) * S_NS) /* 2201-01-02: 2200-12-31 and a zone */
#define ERRLEN 160

/* An error text: terminated within errlen, not empty, nothing written past errlen. */
static void
check_err(const char *err)
{
	CHECK(memchr(err, '\0', ERRLEN) != NULL);
	CHECK(err[0] != '\0');
	CHECK(err[ERRLEN] == 'z');
}

/* Parses s alone; returns whether it parsed, with the time in *out. */
static bool
parse_one(const char *s, int64_t *out)
{
	char err[ERRLEN + 1];

	memset(err, 'z', sizeof(err));
	if (history_parse_time(s, NOW_NS, out, err, ERRLEN) < 0) {
		check_err(err);
		return false;
	}
	CHECK(*out >= CW_MIN(EARLIEST_NS, NOW_NS - DAYS_3650_NS));
	CHECK(*out <= CW_MAX(LATEST_NS, NOW_NS));
	if (s[0] == '-')
		CHECK(*out <= NOW_NS && *out >= NOW_NS - DAYS_3650_NS);
	if (!strcmp(s, "now"))
		CHECK(*out == NOW_NS);
	return true;
}

static void
window(const char *from, const char *to, const char *step)
{
	char err[ERRLEN + 1];
	int64_t f, t, st, pf = 0, pt = 0;

	memset(err, 'z', sizeof(err));
	if (history_window(from, to, step, NOW_NS, &f, &t, &st, err, ERRLEN) < 0) {
		check_err(err);
		return;
	}
	CHECK(f < t);
	CHECK(st >= S_NS);
	CHECK((t - f) / st < HIST_MAX_POINTS);
	if (!step)
		CHECK(st % S_NS == 0);
	/* the ends are what the times parse to alone; NULL gives the default */
	if (from)
		CHECK(parse_one(from, &pf) && pf == f);
	else
		CHECK(f == NOW_NS - 3600 * S_NS);
	if (to)
		CHECK(parse_one(to, &pt) && pt == t);
	else
		CHECK(t == NOW_NS);
}

static bool
names_openmetrics(const char *accept)
{
	return strcasestr(accept, "application/openmetrics-text") != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *part[4] = {NULL, NULL, NULL, NULL};
	size_t n = 0, start = 0;

	/* split at NUL; past the fourth string the input is ignored */
	for (size_t i = 0; i <= size && n < 4; i++) {
		if (i < size && data[i] != '\0')
			continue;
		size_t len = i - start;
		part[n] = malloc(len + 1);
		if (!part[n])
			goto out;
		memcpy(part[n], data + start, len);
		part[n++][len] = '\0';
		start = i + 1;
	}

	for (size_t k = 0; k < 3; k++) {
		int64_t t;
		if (part[k])
			(void)parse_one(part[k], &t);
	}
	window(part[0], part[1], part[2]);
	window(NULL, part[1], part[2]);
	window(part[0], NULL, NULL);
	window(part[0], part[1], NULL);

	CHECK(!out_metrics_wants_openmetrics(NULL));
	for (size_t k = 0; k < n; k++)
		if (out_metrics_wants_openmetrics(part[k]))
			CHECK(names_openmetrics(part[k]));
out:
	for (size_t k = 0; k < 4; k++)
		free(part[k]);
	return 0;
}
