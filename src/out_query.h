/* out_query.h: renderers for `clockwatch query`: aligned text for people, JSON for machines. */
#ifndef CLOCKWATCH_OUT_QUERY_H
#define CLOCKWATCH_OUT_QUERY_H

#include <stdbool.h>

struct buf;
struct query_report;

/* The ntpq-style table plus a summary of the selection. color: ANSI colours on tallies. */
void out_query_text(struct buf *b, const struct query_report *r, bool color);

/* The documented JSON document (schema "clockwatch.query/1"; see clockwatch(1)). */
void out_query_json(struct buf *b, const struct query_report *r);

#endif
