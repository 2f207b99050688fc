/* out_store.h: renderers of what the agent's store holds: the alarm and its log (`clockwatch
 * alarms`, /api/v1/alarms) and the check history (`clockwatch history`, /api/v1/history), text
 * and JSON, so the command line and the HTTP API print through the same code. Pure. */
#ifndef CLOCKWATCH_OUT_STORE_H
#define CLOCKWATCH_OUT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "hist_types.h"
#include "macros.h"

struct buf;

/* Schema "clockwatch.alarms/1". */
void
out_alarms_json(struct buf *b, const struct hist_alarm *al, const struct hist_event *ev, size_t n);
void
out_alarms_text(struct buf *b, const struct hist_alarm *al, const struct hist_event *ev, size_t n);

/* Schema "clockwatch.history/1". */
void out_history_json(struct buf *b, int64_t from_ns, int64_t to_ns, int64_t step_ns,
    const struct hist_point *p, size_t n);
void out_history_text(struct buf *b, int64_t from_ns, int64_t to_ns, int64_t step_ns,
    const struct hist_point *p, size_t n);

/* A point in time for --from/--to and ?from=&to=: "now", "-1h" / "-90m" / "-2d" (before now),
 * Unix seconds ("1763772000", fractions allowed), or RFC 3339 UTC ("2026-11-22T01:00:00Z").
 * Returns 0 and *out (Unix ns), or -EINVAL with a reason in err. */
int history_parse_time(const char *s, int64_t now_ns, int64_t *out, char *err,
    size_t errlen) CW_MUST_CHECK;

/* The window and step of a history query, checked together: to after from, step at least 1 s
 * (default: the window / 300), at most HIST_MAX_POINTS steps. NULL arguments take defaults
 * (from: an hour before now; to: now). Returns 0 or -EINVAL with the reason. */
int history_window(const char *from, const char *to, const char *step, int64_t now_ns,
    int64_t *from_ns, int64_t *to_ns, int64_t *step_ns, char *err, size_t errlen) CW_MUST_CHECK;

#endif
