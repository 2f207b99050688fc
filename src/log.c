/* log.c: stderr logging with a level switch; "<N>" priority prefixes under journald. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static enum log_level level = LOG_LVL_NOTICE;

void
log_set_level(enum log_level lvl)
{
	level = lvl;
}

enum log_level
log_get_level(void)
{
	return level;
}

static void vlog(enum log_level lvl, int r, const char *fmt, va_list ap) CW_PRINTF(3, 0);

static void
vlog(enum log_level lvl, int r, const char *fmt, va_list ap)
{
	static const int syslog_prio[] = {3, 4, 5, 6, 7};
	char msg[1024];

	if (lvl > level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (getenv("JOURNAL_STREAM"))
		fprintf(stderr, "<%d>", syslog_prio[lvl]);
	if (r)
		fprintf(stderr, "clockwatch: %s: %s\n", msg, strerror(-r));
	else
		fprintf(stderr, "clockwatch: %s\n", msg);
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, 0, fmt, ap);
	va_end(ap);
}

void
log_errno(enum log_level lvl, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, r, fmt, ap);
	va_end(ap);
}
