/* out_check.h: `clockwatch check`, the Nagios/Icinga plugin: one line
 * "TIME OK|WARNING|CRITICAL|UNKNOWN - text | perfdata" and its state. Pure. */
#ifndef CLOCKWATCH_OUT_CHECK_H
#define CLOCKWATCH_OUT_CHECK_H

#include "alarm.h"
#include "nagios.h"

struct buf;
struct snapshot;

struct check_opts {
	struct nagios_range warn, crit;                    /* on |offset| in seconds */
	enum nagios_state on_minor, on_major, on_critical; /* the alarm's severities */
};

/* Seed 001 onto plugin states: Minor WARNING, Major and Critical CRITICAL; -w 1 -c 10 s. */
void check_opts_default(struct check_opts *o);

/* Renders the line for the alarm's stateless severity and text; returns the plugin state. A
 * daemon that does not answer (or a timeout) is UNKNOWN. */
enum nagios_state out_check(struct buf *b, const struct snapshot *s, const struct check_opts *o,
    enum alarm_severity sev, const char *alarm_text);

#endif
