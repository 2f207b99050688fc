/* buf.h: a growable byte buffer for building output, and a bounds-checked reader for input. */
#ifndef CLOCKWATCH_BUF_H
#define CLOCKWATCH_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macros.h"

/* Output buffer; always NUL-terminated after the first append. Zero-initialise to start empty. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) CW_PRINTF(2, 3);
/* Appends spaces until the current line is at least col characters wide. */
void buf_pad_to(struct buf *b, size_t line_start, size_t col);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* Reader over received bytes: every read checks the length first, and a failed read sets
 * ok=false and returns 0, so a decoder can read a whole header and check once. */
struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool ok;
};

void rd_init(struct rd *r, const void *data, size_t len);
uint8_t rd_u8(struct rd *r);
uint16_t rd_be16(struct rd *r);
uint32_t rd_be32(struct rd *r);
uint64_t rd_be64(struct rd *r);
size_t rd_left(const struct rd *r);

/* Big-endian stores into a caller buffer known to be large enough. */
void wr_be16(uint8_t *p, uint16_t v);
void wr_be32(uint8_t *p, uint32_t v);
void wr_be64(uint8_t *p, uint64_t v);

#endif
