/* out_json.h: how every JSON document of clockwatch is printed (two-space indent, keys in the
 * order set, 12 significant digits). */
#ifndef CLOCKWATCH_OUT_JSON_H
#define CLOCKWATCH_OUT_JSON_H

#include <jansson.h>

struct buf;

/* Appends root to b with a final newline, and frees root. */
void out_json_emit(struct buf *b, json_t *root);

#endif
