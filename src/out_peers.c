/* out_peers.c: `clockwatch peers`: ntpq's "pe" billboard for whichever daemon runs here. Times
 * in ms as ntpq prints them, reach in octal, when/poll compacted to m/h/d as ntpq does. */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "out_host.h"
#include "snapshot.h"

static const char *
interval(char *buf, size_t len, double s)
{
	if (!isfinite(s) || s < 0)
		snprintf(buf, len, "-");
	else if (s < 2048)
		snprintf(buf, len, "%.0f", s);
	else if (s < 300 * 60)
		snprintf(buf, len, "%.0fm", s / 60);
	else if (s < 96 * 3600)
		snprintf(buf, len, "%.0fh", s / 3600);
	else
		snprintf(buf, len, "%.0fd", s / 86400);
	return buf;
}

static const char *
ms(char *buf, size_t len, double s)
{
	if (!isfinite(s))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3f", s * 1e3);
	return buf;
}

enum { P_REMOTE, P_REFID, P_ST, P_T, P_WHEN, P_POLL, P_REACH, P_DELAY, P_OFFSET, P_JITTER, NP };

void
out_peers_text(struct buf *b, const struct snapshot *s, bool numeric)
{
	static const char *const head[NP] = {" remote", "refid", "st", "t", "when", "poll", "reach",
	    "delay", "offset", "jitter"};
	static const bool right[NP] = {false, false, true, false, true, true, true, true, true,
	    true};
	char(*cell)[NP][300] = calloc(s->n_sources + 1, sizeof(*cell));
	size_t w[NP];

	if (!cell)
		return;
	for (int c = 0; c < NP; c++) {
		snprintf(cell[0][c], sizeof(cell[0][c]), "%s", head[c]);
		w[c] = strlen(head[c]);
	}
	for (size_t i = 0; i < s->n_sources; i++) {
		const struct snap_source *src = &s->sources[i];
		char(*r)[300] = cell[i + 1];
		snprintf(r[P_REMOTE], 300, "%c%s", src->tally,
		    numeric || !src->name[0] ? src->addr : src->name);
		snprintf(r[P_REFID], 300, "%s", src->refid[0] ? src->refid : "-");
		if (src->stratum >= 0)
			snprintf(r[P_ST], 300, "%d", src->stratum);
		else
			snprintf(r[P_ST], 300, "-");
		snprintf(r[P_T], 300, "%c", src->type);
		interval(r[P_WHEN], 300, src->when_s);
		interval(r[P_POLL], 300, src->poll_s);
		if (src->reach >= 0)
			snprintf(r[P_REACH], 300, "%o", src->reach);
		else
			snprintf(r[P_REACH], 300, "-");
		ms(r[P_DELAY], 300, src->delay_s);
		ms(r[P_OFFSET], 300, src->offset_s);
		ms(r[P_JITTER], 300, src->jitter_s);
		for (int c = 0; c < NP; c++)
			if (strlen(r[c]) > w[c])
				w[c] = strlen(r[c]);
	}
	for (size_t i = 0; i <= s->n_sources; i++) {
		size_t start = b->len;
		for (int c = 0; c < NP; c++)
			buf_printf(b, right[c] ? "%*s " : "%-*s ", (int)w[c], cell[i][c]);
		while (b->len > start && b->data[b->len - 1] == ' ')
			b->data[--b->len] = '\0';
		buf_puts(b, "\n");
		if (i == 0) {
			size_t n = b->len - start - 1;
			while (n--)
				buf_puts(b, "=");
			buf_puts(b, "\n");
		}
	}
	if (s->n_sources == 0)
		buf_puts(b, "(no sources)\n");
	free(cell);
}

static json_t *
num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

void
out_peers_json(struct buf *b, const struct snapshot *s)
{
	json_t *root = json_object(), *a = json_array();

	for (size_t i = 0; i < s->n_sources; i++) {
		const struct snap_source *src = &s->sources[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(src->name));
		json_object_set_new(o, "address", json_string(src->addr));
		json_object_set_new(o, "tally", json_stringn(&src->tally, 1));
		json_object_set_new(o, "state", json_string(src->state));
		json_object_set_new(o, "type", json_stringn(&src->type, 1));
		json_object_set_new(o, "refid",
		    src->refid[0] ? json_string(src->refid) : json_null());
		json_object_set_new(o, "stratum",
		    src->stratum >= 0 ? json_integer(src->stratum) : json_null());
		json_object_set_new(o, "when_s", num(src->when_s));
		json_object_set_new(o, "poll_s", num(src->poll_s));
		json_object_set_new(o, "reach",
		    src->reach >= 0 ? json_integer(src->reach) : json_null());
		json_object_set_new(o, "delay_s", num(src->delay_s));
		json_object_set_new(o, "offset_s", num(src->offset_s));
		json_object_set_new(o, "offset_error_s", num(src->offset_error_s));
		json_object_set_new(o, "jitter_s", num(src->jitter_s));
		json_object_set_new(o, "samples",
		    src->n_samples >= 0 ? json_integer(src->n_samples) : json_null());
		json_object_set_new(o, "frequency_ppm", num(src->freq_ppm));
		json_object_set_new(o, "frequency_skew_ppm", num(src->freq_skew_ppm));
		json_array_append_new(a, o);
	}
	json_object_set_new(root, "schema", json_string("clockwatch.peers/1"));
	json_object_set_new(root, "service",
	    s->primary >= 0 ? json_string(snapshot_daemon_name((enum snap_daemon)s->primary))
	                    : json_null());
	json_object_set_new(root, "from", json_string(snapshot_origin_name(s->sources_from)));
	json_object_set_new(root, "sources", a);
	char *out =
	    json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	if (out) {
		buf_puts(b, out);
		buf_puts(b, "\n");
		free(out);
	}
	json_decref(root);
}

/* ---- clockwatch assoc: ntpq's "as" ---- */

static const char *
yes_no(int v)
{
	return v < 0 ? "-" : v ? "yes" : "no";
}

static const char *
auth_word(int a)
{
	static const char *const w[] = {"none", "ok", "bad"};

	return a >= 0 && a <= 2 ? w[a] : "-";
}

enum { A_IND, A_ASSID, A_STATUS, A_CONF, A_REACH, A_AUTH, A_COND, A_EVENT, A_CNT, NA };

void
out_assoc_text(struct buf *b, const struct snapshot *s)
{
	static const char *const head[NA] = {"ind", "assid", "status", "conf", "reach", "auth",
	    "condition", "last_event", "cnt"};
	static const bool right[NA] = {true, true, true, true, true, true, true, true, true};
	char(*cell)[NA][40] = calloc(s->n_sources + 1, sizeof(*cell));
	size_t w[NA];

	if (!cell)
		return;
	for (int c = 0; c < NA; c++) {
		snprintf(cell[0][c], sizeof(cell[0][c]), "%s", head[c]);
		w[c] = strlen(head[c]);
	}
	for (size_t i = 0; i < s->n_sources; i++) {
		const struct snap_source *src = &s->sources[i];
		char(*r)[40] = cell[i + 1];
		snprintf(r[A_IND], 40, "%zu", i + 1);
		if (src->assoc_id >= 0)
			snprintf(r[A_ASSID], 40, "%d", src->assoc_id);
		else
			snprintf(r[A_ASSID], 40, "-");
		if (src->status_word >= 0)
			snprintf(r[A_STATUS], 40, "%04x", src->status_word);
		else
			snprintf(r[A_STATUS], 40, "-");
		snprintf(r[A_CONF], 40, "%s", yes_no(src->configured));
		snprintf(r[A_REACH], 40, "%s", yes_no(src->reach < 0 ? -1 : src->reach > 0));
		snprintf(r[A_AUTH], 40, "%s", auth_word(src->auth));
		snprintf(r[A_COND], 40, "%.39s", src->state[0] ? src->state : "-");
		snprintf(r[A_EVENT], 40, "%.39s", src->last_event[0] ? src->last_event : "-");
		if (src->event_count >= 0)
			snprintf(r[A_CNT], 40, "%d", src->event_count);
		else
			snprintf(r[A_CNT], 40, "-");
		for (int c = 0; c < NA; c++)
			if (strlen(r[c]) > w[c])
				w[c] = strlen(r[c]);
	}
	for (size_t i = 0; i <= s->n_sources; i++) {
		size_t start = b->len;
		for (int c = 0; c < NA; c++)
			buf_printf(b, right[c] ? "%*s " : "%-*s ", (int)w[c], cell[i][c]);
		while (b->len > start && b->data[b->len - 1] == ' ')
			b->data[--b->len] = '\0';
		buf_puts(b, "\n");
		if (i == 0) {
			for (size_t n = b->len - start - 1; n > 0; n--)
				buf_puts(b, "=");
			buf_puts(b, "\n");
		}
	}
	free(cell);
}

void
out_assoc_json(struct buf *b, const struct snapshot *s)
{
	json_t *root = json_object(), *a = json_array();

	for (size_t i = 0; i < s->n_sources; i++) {
		const struct snap_source *src = &s->sources[i];
		json_t *o = json_object();
		json_object_set_new(o, "ind", json_integer((json_int_t)i + 1));
		json_object_set_new(o, "assid",
		    src->assoc_id >= 0 ? json_integer(src->assoc_id) : json_null());
		json_object_set_new(o, "address", json_string(src->addr));
		json_object_set_new(o, "status",
		    src->status_word >= 0 ? json_integer(src->status_word) : json_null());
		json_object_set_new(o, "configured",
		    src->configured >= 0 ? json_boolean(src->configured) : json_null());
		json_object_set_new(o, "reachable",
		    src->reach >= 0 ? json_boolean(src->reach > 0) : json_null());
		json_object_set_new(o, "auth",
		    src->auth >= 0 ? json_string(auth_word(src->auth)) : json_null());
		json_object_set_new(o, "condition", json_string(src->state));
		json_object_set_new(o, "last_event",
		    src->last_event[0] ? json_string(src->last_event) : json_null());
		json_object_set_new(o, "event_count",
		    src->event_count >= 0 ? json_integer(src->event_count) : json_null());
		json_array_append_new(a, o);
	}
	json_object_set_new(root, "schema", json_string("clockwatch.assoc/1"));
	json_object_set_new(root, "service",
	    s->primary >= 0 ? json_string(snapshot_daemon_name((enum snap_daemon)s->primary))
	                    : json_null());
	json_object_set_new(root, "associations", a);
	char *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (out) {
		buf_puts(b, out);
		buf_puts(b, "\n");
		free(out);
	}
	json_decref(root);
}

/* ---- clockwatch vars ---- */

void
out_vars_text(struct buf *b, const struct snap_vars *v)
{
	size_t w = 0;

	for (size_t i = 0; i < v->n; i++)
		if (strlen(v->v[i].name) > w)
			w = strlen(v->v[i].name);
	for (size_t i = 0; i < v->n; i++)
		buf_printf(b, "%-*s = %s\n", (int)w, v->v[i].name, v->v[i].value);
	if (v->n == 0)
		buf_puts(b, "(no variables)\n");
}

void
out_vars_json(struct buf *b, const struct snapshot *s, const struct snap_source *src)
{
	const struct snap_vars *v = src ? &src->vars : &s->system_vars;
	json_t *root = json_object(), *vars = json_object();

	for (size_t i = 0; i < v->n; i++)
		json_object_set_new(vars, v->v[i].name, json_string(v->v[i].value));
	json_object_set_new(root, "schema", json_string("clockwatch.vars/1"));
	json_object_set_new(root, "service",
	    s->primary >= 0 ? json_string(snapshot_daemon_name((enum snap_daemon)s->primary))
	                    : json_null());
	json_object_set_new(root, "association",
	    src && src->assoc_id >= 0 ? json_integer(src->assoc_id) : json_null());
	json_object_set_new(root, "address", src ? json_string(src->addr) : json_null());
	json_object_set_new(root, "variables", vars);
	char *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (out) {
		buf_puts(b, out);
		buf_puts(b, "\n");
		free(out);
	}
	json_decref(root);
}
