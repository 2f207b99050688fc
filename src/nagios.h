/* nagios.h: the monitoring-plugins threshold range syntax ([@][start:][end], "~" for minus
 * infinity; alert outside the range, or inside it with '@') and perfdata formatting. Pure. */
#ifndef CLOCKWATCH_NAGIOS_H
#define CLOCKWATCH_NAGIOS_H

#include <stdbool.h>
#include <stddef.h>

#include "macros.h"

struct nagios_range {
	double start, end; /* -INFINITY / INFINITY when open */
	bool inside;       /* '@': alert when the value is inside */
	bool set;
};

enum nagios_state { NAGIOS_OK = 0, NAGIOS_WARNING = 1, NAGIOS_CRITICAL = 2, NAGIOS_UNKNOWN = 3 };

/* Parses a range; on error returns -EINVAL with the reason in err. */
int
nagios_range_parse(const char *s, struct nagios_range *r, char *err, size_t errlen) CW_MUST_CHECK;
/* True when v should alert. An unset range never alerts. */
bool nagios_range_alert(const struct nagios_range *r, double v);
/* The range as text for perfdata ("" when unset). */
char *nagios_range_str(const struct nagios_range *r, char *buf, size_t len);

const char *nagios_state_name(enum nagios_state st); /* "OK", "WARNING", ... */

#endif
