/* out_peers.c: `clockwatch peers`: ntpq's "pe" billboard for whichever daemon runs here. Times
 * in ms as ntpq prints them, reach in octal, when/poll compacted to m/h/d as ntpq does. */
#include "config.h"

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

/* Prints rows of cells (row 0 the header, then a rule of '=' as ntpq draws it), each column as
 * wide as its widest cell; cell(r, c) is at cells + (r * ncols + c) * cellsz. */
static void
table(struct buf *b, const char *cells, size_t cellsz, size_t ncols, size_t nrows,
    const bool *right)
{
	size_t w[16] = {0};

	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols && c < 16; c++) {
			size_t n = strlen(cells + (r * ncols + c) * cellsz);
			if (n > w[c])
				w[c] = n;
		}
	for (size_t r = 0; r < nrows; r++) {
		size_t start = b->len;
		for (size_t c = 0; c < ncols && c < 16; c++)
			buf_printf(b, right[c] ? "%*s " : "%-*s ", (int)w[c],
			    cells + (r * ncols + c) * cellsz);
		while (b->len > start && b->data[b->len - 1] == ' ')
			b->data[--b->len] = '\0';
		buf_puts(b, "\n");
		if (r == 0) {
			for (size_t n = b->len - start - 1; n > 0; n--)
				buf_puts(b, "=");
			buf_puts(b, "\n");
		}
	}
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

	if (!cell)
		return;
	for (int c = 0; c < NP; c++)
		snprintf(cell[0][c], sizeof(cell[0][c]), "%s", head[c]);
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
	}
	table(b, &cell[0][0][0], sizeof(cell[0][0]), NP, s->n_sources + 1, right);
	if (s->n_sources == 0)
		buf_puts(b, "(no sources)\n");
	free(cell);
}

/* ---- clockwatch assoc: ntpq's "as" ---- */

static const char *
yes_no(int v)
{
	return v < 0 ? "-" : v ? "yes" : "no";
}

enum { A_IND, A_ASSID, A_STATUS, A_CONF, A_REACH, A_AUTH, A_COND, A_EVENT, A_CNT, NA };

void
out_assoc_text(struct buf *b, const struct snapshot *s)
{
	static const char *const head[NA] = {"ind", "assid", "status", "conf", "reach", "auth",
	    "condition", "last_event", "cnt"};
	static const bool right[NA] = {true, true, true, true, true, true, true, true, true};
	char(*cell)[NA][40] = calloc(s->n_sources + 1, sizeof(*cell));

	if (!cell)
		return;
	for (int c = 0; c < NA; c++)
		snprintf(cell[0][c], sizeof(cell[0][c]), "%s", head[c]);
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
		snprintf(r[A_AUTH], 40, "%s", snapshot_auth_name(src->auth));
		snprintf(r[A_COND], 40, "%.39s", src->state[0] ? src->state : "-");
		snprintf(r[A_EVENT], 40, "%.39s", src->last_event[0] ? src->last_event : "-");
		if (src->event_count >= 0)
			snprintf(r[A_CNT], 40, "%d", src->event_count);
		else
			snprintf(r[A_CNT], 40, "-");
	}
	table(b, &cell[0][0][0], sizeof(cell[0][0]), NA, s->n_sources + 1, right);
	free(cell);
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
