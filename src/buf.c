/* buf.c: growable output buffer and bounds-checked big-endian reader. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

static void
reserve(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_append(struct buf *b, const void *data, size_t len)
{
	reserve(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_pad_to(struct buf *b, size_t line_start, size_t col)
{
	while (b->len - line_start < col)
		buf_append(b, " ", 1);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
rd_init(struct rd *r, const void *data, size_t len)
{
	r->p = data;
	r->len = len;
	r->off = 0;
	r->ok = true;
}

static bool
have(struct rd *r, size_t n)
{
	if (!r->ok || r->len - r->off < n) {
		r->ok = false;
		return false;
	}
	return true;
}

uint8_t
rd_u8(struct rd *r)
{
	if (!have(r, 1))
		return 0;
	return r->p[r->off++];
}

uint16_t
rd_be16(struct rd *r)
{
	if (!have(r, 2))
		return 0;
	uint16_t v = (uint16_t)(r->p[r->off] << 8 | r->p[r->off + 1]);
	r->off += 2;
	return v;
}

uint32_t
rd_be32(struct rd *r)
{
	if (!have(r, 4))
		return 0;
	const uint8_t *p = r->p + r->off;
	r->off += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t
rd_be64(struct rd *r)
{
	uint64_t hi = rd_be32(r);

	return hi << 32 | rd_be32(r);
}

size_t
rd_left(const struct rd *r)
{
	return r->ok ? r->len - r->off : 0;
}

void
wr_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
wr_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
wr_be64(uint8_t *p, uint64_t v)
{
	wr_be32(p, (uint32_t)(v >> 32));
	wr_be32(p + 4, (uint32_t)v);
}
