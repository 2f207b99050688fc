/* out_host.h: renderers of what clockwatch sees of this host's time service: `status` (the
 * one-screen view and verdict) and `peers` (ntpq's billboard), as text and as JSON. They read
 * only the snapshot. */
#ifndef CLOCKWATCH_OUT_HOST_H
#define CLOCKWATCH_OUT_HOST_H

#include <stdbool.h>

struct buf;
struct snap_source;
struct snap_vars;
struct snapshot;
struct verdict;

void out_status_text(struct buf *b, const struct snapshot *s, const struct verdict *v, bool color);
/* Schema "clockwatch.status/1" (clockwatch(1)). */
void out_status_json(struct buf *b, const struct snapshot *s, const struct verdict *v);

/* numeric: addresses, not names, in the remote column. */
void out_peers_text(struct buf *b, const struct snapshot *s, bool numeric);
/* Schema "clockwatch.peers/1". */
void out_peers_json(struct buf *b, const struct snapshot *s);

/* ntpq's association list ("as"); schema "clockwatch.assoc/1". */
void out_assoc_text(struct buf *b, const struct snapshot *s);
void out_assoc_json(struct buf *b, const struct snapshot *s);

/* A daemon's variables, one "name = value" a line; schema "clockwatch.vars/1" (src NULL: the
 * system's). */
void out_vars_text(struct buf *b, const struct snap_vars *v);
void out_vars_json(struct buf *b, const struct snapshot *s, const struct snap_source *src);

#endif
