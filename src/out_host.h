/* out_host.h: renderers of what clockwatch sees of this host's time service: `status` (the
 * one-screen view and verdict) and `peers` (ntpq's billboard), as text and as JSON. They read
 * only the snapshot. */
#ifndef CLOCKWATCH_OUT_HOST_H
#define CLOCKWATCH_OUT_HOST_H

#include <stdbool.h>

struct buf;
struct snapshot;
struct verdict;

void out_status_text(struct buf *b, const struct snapshot *s, const struct verdict *v, bool color);
/* Schema "clockwatch.status/1" (clockwatch(1)). */
void out_status_json(struct buf *b, const struct snapshot *s, const struct verdict *v);

/* numeric: addresses, not names, in the remote column. */
void out_peers_text(struct buf *b, const struct snapshot *s, bool numeric);
/* Schema "clockwatch.peers/1". */
void out_peers_json(struct buf *b, const struct snapshot *s);

#endif
