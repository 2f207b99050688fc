/* services_file.c: a reader of services(5) text. Words are separated by blanks; '#' starts a
 * comment anywhere; the second word is PORT/PROTOCOL with a decimal port. What glibc would not
 * take as an entry is skipped, never an error: the file is the system's, not ours to judge. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "services_file.h"

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next word of [*p, end): its start and length; false at the end or a comment. */
static bool
next_word(const char **p, const char *end, const char **w, size_t *wlen)
{
	while (*p < end && is_blank(**p))
		(*p)++;
	if (*p >= end || **p == '#' || **p == '\0')
		return false;
	*w = *p;
	while (*p < end && !is_blank(**p) && **p != '#' && **p != '\0')
		(*p)++;
	*wlen = (size_t)(*p - *w);
	return true;
}

static void
copy_word(char *dst, size_t cap, const char *w, size_t len)
{
	snprintf(dst, cap, "%.*s", (int)(len < cap ? len : cap - 1), w);
}

/* "123/udp": a decimal port 0..65535, a slash, a protocol name. */
static bool
port_proto(const char *w, size_t len, struct services_entry *out)
{
	size_t i = 0;
	unsigned long port = 0;

	for (; i < len && w[i] >= '0' && w[i] <= '9'; i++) {
		port = port * 10 + (unsigned long)(w[i] - '0');
		if (port > 65535)
			return false;
	}
	if (i == 0 || i + 1 >= len || w[i] != '/')
		return false;
	out->port = (unsigned)port;
	copy_word(out->proto, sizeof(out->proto), w + i + 1, len - i - 1);
	return true;
}

bool
services_file_parse_line(const char *line, size_t len, unsigned line_no, struct services_entry *out)
{
	const char *p = line, *end = line + len, *w;
	size_t wlen;

	memset(out, 0, sizeof(*out));
	out->line = line_no;
	if (!next_word(&p, end, &w, &wlen))
		return false;
	copy_word(out->name, sizeof(out->name), w, wlen);
	if (!next_word(&p, end, &w, &wlen) || !port_proto(w, wlen, out))
		return false;
	while (out->n_aliases < SERVICES_FILE_MAX_ALIASES && next_word(&p, end, &w, &wlen))
		copy_word(out->aliases[out->n_aliases++], sizeof(out->aliases[0]), w, wlen);
	return true;
}

static bool
has_name(const struct services_entry *e, const char *name)
{
	if (!strcmp(e->name, name))
		return true;
	for (size_t i = 0; i < e->n_aliases; i++)
		if (!strcmp(e->aliases[i], name))
			return true;
	return false;
}

/* Calls match on each entry of proto in order until it returns true. */
static bool
scan(const char *text, size_t len, const char *proto,
    bool (*match)(const struct services_entry *, const void *), const void *arg,
    struct services_entry *out)
{
	const char *p = text, *end = text + len;
	unsigned line_no = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		line_no++;
		if (n <= SERVICES_FILE_MAX_LINE && services_file_parse_line(p, n, line_no, out) &&
		    !strcmp(out->proto, proto) && match(out, arg))
			return true;
		if (!nl)
			break;
		p = nl + 1;
	}
	memset(out, 0, sizeof(*out));
	return false;
}

static bool
match_name(const struct services_entry *e, const void *arg)
{
	return has_name(e, arg);
}

static bool
match_port(const struct services_entry *e, const void *arg)
{
	return e->port == *(const unsigned *)arg;
}

bool
services_file_find_name(const char *text, size_t len, const char *name, const char *proto,
    struct services_entry *out)
{
	return scan(text, len, proto, match_name, name, out);
}

bool
services_file_find_port(const char *text, size_t len, unsigned port, const char *proto,
    struct services_entry *out)
{
	return scan(text, len, proto, match_port, &port, out);
}
