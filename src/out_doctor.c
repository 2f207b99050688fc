/* out_doctor.c: text and JSON for doctor. The text puts the level tag and the finding's id in
 * front of its title, then indents evidence and remedy under labels; every line is wrapped at
 * 80 columns on spaces (a word longer than a line, such as a path, is left whole). */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "doctor.h"
#include "macros.h"
#include "out_doctor.h"
#include "out_json.h"

#define WIDTH 80
#define INDENT 18 /* "[warn] frequency  " */

/* Appends text from the current column col, wrapping at WIDTH to INDENT. */
static void
wrap(struct buf *b, const char *text, size_t len, size_t col)
{
	size_t i = 0;

	while (i < len) {
		size_t w = i;
		while (w < len && text[w] != ' ')
			w++;
		size_t word = w - i;
		if (col > INDENT && col + 1 + word > WIDTH) {
			buf_printf(b, "\n%*s", INDENT, "");
			col = INDENT;
		} else if (col > INDENT) {
			buf_puts(b, " ");
			col++;
		}
		buf_append(b, text + i, word);
		col += word;
		i = w;
		while (i < len && text[i] == ' ')
			i++;
	}
	buf_puts(b, "\n");
}

/* Each line of text (lines end with \n) under a label: "evidence:" then the indent. */
static void
block(struct buf *b, const char *label, const char *text)
{
	bool first = true;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		buf_printf(b, "%*s%-*s", 7, "", INDENT - 7, first ? label : "");
		wrap(b, p, len, INDENT);
		first = false;
		p += len + (nl ? 1 : 0);
	}
}

static const char *
tag(enum doctor_level l)
{
	static const char *const tags[] = {"[ok]", "[info]", "[warn]", "[FAIL]"};

	return tags[l];
}

static const char *
colour(enum doctor_level l)
{
	static const char *const c[] = {"\033[32m", "\033[36m", "\033[33m", "\033[1;31m"};

	return c[l];
}

static void
finding_text(struct buf *b, const struct doctor_finding *f, bool color)
{
	if (color)
		buf_printf(b, "%s%-6s\033[0m ", colour(f->level), tag(f->level));
	else
		buf_printf(b, "%-6s ", tag(f->level));
	buf_printf(b, "%-*s", INDENT - 7, f->id);
	wrap(b, f->title, strlen(f->title), INDENT);
	block(b, "evidence:", f->evidence);
	block(b, "remedy:", f->remedy);
}

void
out_doctor_text(struct buf *b, const struct doctor_report *r, bool color)
{
	size_t count[4] = {0};

	buf_printf(b, "clockwatch doctor: %s\n\n", r->service[0] ? r->service : "no time service");
	for (const char *const *id = doctor_ids(); *id; id++)
		for (size_t i = 0; i < r->n; i++)
			if (!strcmp(r->f[i].id, *id)) {
				finding_text(b, &r->f[i], color);
				count[r->f[i].level]++;
			}
	if (r->n_dropped)
		buf_printf(b, "(%zu more findings not shown)\n", r->n_dropped);
	buf_printf(b, "\nworst: %s (%zu fail, %zu warn, %zu ok, %zu info)\n",
	    doctor_level_name(r->worst), count[DOCTOR_FAIL], count[DOCTOR_WARN], count[DOCTOR_OK],
	    count[DOCTOR_INFO]);
}

/* A JSON string of len bytes; bytes that are not UTF-8 (a name from a configuration file in
 * another encoding) become '?'. */
static json_t *
jstr(const char *t, size_t len)
{
	json_t *v = json_stringn(t, len);

	if (v)
		return v;
	char *copy = malloc(len + 1);
	if (!copy)
		return json_null();
	for (size_t i = 0; i < len; i++)
		copy[i] = (unsigned char)t[i] < 0x80 ? t[i] : '?';
	v = json_stringn(copy, len);
	free(copy);
	return v ? v : json_null();
}

/* A text block without its last newline; null when empty. */
static json_t *
text_json(const char *t)
{
	size_t len = strlen(t);

	if (len && t[len - 1] == '\n')
		len--;
	return len ? jstr(t, len) : json_null();
}

static json_t *
number(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 1e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

void
out_doctor_json(struct buf *b, const struct doctor_report *r)
{
	json_t *root = json_object(), *list = json_array();

	json_object_set_new(root, "schema", json_string("clockwatch.doctor/1"));
	json_object_set_new(root, "service", r->service[0] ? json_string(r->service) : json_null());
	for (const char *const *id = doctor_ids(); *id; id++)
		for (size_t i = 0; i < r->n; i++) {
			const struct doctor_finding *f = &r->f[i];
			if (strcmp(f->id, *id))
				continue;
			json_t *data = json_object();
			for (size_t k = 0; k < f->n_data; k++)
				json_object_set_new(data, f->data[k].name,
				    number(f->data[k].value));
			json_t *o = json_object();
			json_object_set_new(o, "id", json_string(f->id));
			json_object_set_new(o, "level", json_string(doctor_level_name(f->level)));
			json_object_set_new(o, "title", jstr(f->title, strlen(f->title)));
			json_object_set_new(o, "evidence", text_json(f->evidence));
			json_object_set_new(o, "remedy", text_json(f->remedy));
			json_object_set_new(o, "data", data);
			json_array_append_new(list, o);
		}
	json_object_set_new(root, "findings", list);
	json_object_set_new(root, "worst", json_string(doctor_level_name(r->worst)));
	out_json_emit(b, root);
}
