/* out_query_text.c: the table an operator reads; one aligned row per address. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "out_query.h"
#include "query.h"
#include "strutil.h"
#include "xalloc.h"

enum col { C_REMOTE, C_REFID, C_ST, C_OFFSET, C_DELAY, C_JITTER, C_BOUND, C_NOTE, N_COLS };

static const char *const heads[N_COLS] = {
    " remote",
    "refid",
    "st",
    "offset",
    "delay",
    "jitter",
    "+/-bound",
    "note",
};
/* Numbers are right-aligned, words left-aligned. */
static const bool right[N_COLS] = {false, false, true, true, true, true, true, false};

struct row {
	char c[N_COLS][320];
};

static void
fill_row(const struct query_target *t, struct row *w)
{
	char rem[300];
	bool ok = t->status == QUERY_OK || t->status == QUERY_UNUSABLE;
	bool have = ok && t->n_samples > 0;

	query_remote(t, rem, sizeof(rem));
	snprintf(w->c[C_REMOTE], sizeof(w->c[0]), "%c%s", t->tally, rem);
	if (t->kiss_code[0] && !t->have_reply)
		snprintf(w->c[C_REFID], sizeof(w->c[0]), ".%s.", t->kiss_code);
	else if (t->have_reply)
		wire_ntp_format_refid(&t->reply, w->c[C_REFID], sizeof(w->c[0]));
	else
		snprintf(w->c[C_REFID], sizeof(w->c[0]), "-");
	if (t->have_reply)
		snprintf(w->c[C_ST], sizeof(w->c[0]), "%u", t->reply.stratum);
	else
		snprintf(w->c[C_ST], sizeof(w->c[0]), "-");
	if (have) {
		strutil_fmt_seconds(w->c[C_OFFSET], sizeof(w->c[0]), t->filt.offset_s, true);
		strutil_fmt_seconds(w->c[C_DELAY], sizeof(w->c[0]), t->filt.delay_s, false);
		if (t->n_samples > 1)
			strutil_fmt_seconds(w->c[C_JITTER], sizeof(w->c[0]), t->filt.jitter_s,
			    false);
		else
			snprintf(w->c[C_JITTER], sizeof(w->c[0]), "-");
		strutil_fmt_seconds(w->c[C_BOUND], sizeof(w->c[0]), t->error_bound_s, false);
	} else {
		for (int c = C_OFFSET; c <= C_BOUND; c++)
			snprintf(w->c[c], sizeof(w->c[0]), "-");
	}
	query_note(t, w->c[C_NOTE], sizeof(w->c[0]));
}

static void
pad(struct buf *b, size_t n)
{
	while (n-- > 0)
		buf_append(b, " ", 1);
}

static void
put_row(struct buf *b, const struct row *w, const size_t *width, bool color, char tally)
{
	const char *on = "";

	if (color)
		on = tally == '*' ? "\033[32m" : (tally == 'x' || tally == '?') ? "\033[31m" : "";
	for (int c = 0; c < N_COLS; c++) {
		size_t len = strlen(w->c[c]);
		if (c == C_NOTE) {
			buf_puts(b, w->c[c]);
			break;
		}
		if (right[c])
			pad(b, width[c] - len);
		buf_printf(b, "%s%s%s", c == C_REMOTE ? on : "", w->c[c],
		    c == C_REMOTE && *on ? "\033[0m" : "");
		if (!right[c])
			pad(b, width[c] - len);
		buf_puts(b, "  ");
	}
	while (b->len > 0 && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
	buf_puts(b, "\n");
}

static void
summary(struct buf *b, const struct query_report *r)
{
	size_t answered = 0;
	char rem[300];

	for (size_t i = 0; i < r->n; i++)
		answered += r->t[i].status == QUERY_OK;
	buf_printf(b, "\n%zu target%s, %zu usable", r->n, r->n == 1 ? "" : "s", answered);
	if (r->sel.sys_peer >= 0) {
		query_remote(&r->t[r->sel.sys_peer], rem, sizeof(rem));
		buf_printf(b, "; best: %s", rem);
	}
	buf_puts(b, ".\n");
	if (r->n_candidates > 0 && !r->sel.ok)
		buf_printf(b,
		    "No majority: the %zu usable sources disagree, so none can be trusted.\n",
		    r->n_candidates);
	else if (r->sel.n_falsetickers > 0)
		buf_printf(b,
		    "%zu falseticker%s (x): outside the interval the majority agrees on.\n",
		    r->sel.n_falsetickers, r->sel.n_falsetickers == 1 ? "" : "s");
	if (r->n_candidates > 0 && r->n_candidates < 3)
		buf_printf(b,
		    "Only %zu usable source%s: no majority is possible, a falseticker cannot "
		    "be told apart. Query three or more.\n",
		    r->n_candidates, r->n_candidates == 1 ? "" : "s");
	if (r->stray)
		buf_printf(b, "%u repl%s from addresses not asked %s ignored.\n", r->stray,
		    r->stray == 1 ? "y" : "ies", r->stray == 1 ? "was" : "were");
}

void
out_query_text(struct buf *b, const struct query_report *r, bool color)
{
	struct row head, *rows = xcalloc(r->n ? r->n : 1, sizeof(*rows));
	size_t width[N_COLS];

	for (int c = 0; c < N_COLS; c++) {
		snprintf(head.c[c], sizeof(head.c[c]), "%s", heads[c]);
		width[c] = strlen(heads[c]);
	}
	for (size_t i = 0; i < r->n; i++) {
		fill_row(&r->t[i], &rows[i]);
		for (int c = 0; c < N_COLS; c++)
			if (strlen(rows[i].c[c]) > width[c])
				width[c] = strlen(rows[i].c[c]);
	}
	put_row(b, &head, width, false, ' ');
	for (size_t i = 0; i < r->n; i++)
		put_row(b, &rows[i], width, color, r->t[i].tally);
	summary(b, r);
	free(rows);
}
