/* select.c: intersection and cluster algorithms of RFC 5905 §11.2.1-§11.2.2. The intersection
 * keeps the RFC's midpoint rule (at most f midpoints outside [low, high]); ntpd 4.2.8 dropped it
 * and scans low and high edges only. */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "filter.h"
#include "select.h"
#include "xalloc.h"

struct edge {
	double val;
	int type; /* -1 low end, 0 midpoint, +1 high end */
};

static int
edge_cmp(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->val != y->val)
		return x->val < y->val ? -1 : 1;
	/* At equal values lows come first and highs last, so touching intervals count as
	 * overlapping in both scans. */
	return x->type - y->type;
}

/* Finds [low, high] covered by at least n - allow intervals while at most allow midpoints lie
 * outside it, for the smallest allow < n/2. */
static bool
intersect(const struct select_cand *c, size_t n, double *low, double *high)
{
	size_t ne = 3 * n;
	struct edge *e = xreallocarray(NULL, ne, sizeof(*e));
	bool ok = false;

	for (size_t i = 0; i < n; i++) {
		e[3 * i] = (struct edge){c[i].offset_s - c[i].root_distance_s, -1};
		e[3 * i + 1] = (struct edge){c[i].offset_s, 0};
		e[3 * i + 2] = (struct edge){c[i].offset_s + c[i].root_distance_s, 1};
	}
	qsort(e, ne, sizeof(*e), edge_cmp);
	for (size_t allow = 0; 2 * allow < n && !ok; allow++) {
		long chime = 0;
		size_t found = 0;
		bool have_low = false, have_high = false;
		for (size_t i = 0; i < ne; i++) {
			chime -= e[i].type;
			if (chime >= (long)(n - allow)) {
				*low = e[i].val;
				have_low = true;
				break;
			}
			if (e[i].type == 0)
				found++;
		}
		chime = 0;
		for (size_t i = ne; i-- > 0;) {
			chime += e[i].type;
			if (chime >= (long)(n - allow)) {
				*high = e[i].val;
				have_high = true;
				break;
			}
			if (e[i].type == 0)
				found++;
		}
		if (found > allow || !have_low || !have_high)
			continue;
		ok = *high > *low;
	}
	free(e);
	return ok;
}

static double
merit(const struct select_cand *c)
{
	return c->stratum * FILTER_MAXDIST + c->root_distance_s;
}

static int
merit_cmp(const void *a, const void *b, void *arg)
{
	const struct select_cand *c = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	double x = merit(&c[i]), y = merit(&c[j]);

	if (x != y)
		return x < y ? -1 : 1;
	return (i > j) - (i < j); /* stable: input order breaks ties */
}

/* Discards outliers while more than SELECT_NMIN survive and the largest selection jitter
 * exceeds the smallest peer jitter (RFC 5905 §11.2.2). list is sorted by merit. */
static size_t
cluster(struct select_cand *c, size_t *list, size_t n)
{
	while (n > SELECT_NMIN) {
		double max_sel = -1, min_peer = INFINITY;
		size_t worst = 0;
		for (size_t i = 0; i < n; i++) {
			double sum = 0;
			for (size_t j = 0; j < n; j++) {
				double d = c[list[j]].offset_s - c[list[i]].offset_s;
				sum += d * d;
			}
			double sel = sqrt(sum / (double)(n - 1));
			if (sel > max_sel) {
				max_sel = sel;
				worst = i;
			}
			if (c[list[i]].jitter_s < min_peer)
				min_peer = c[list[i]].jitter_s;
		}
		if (max_sel <= min_peer)
			break;
		c[list[worst]].tally = SELECT_TALLY_OUTLIER;
		for (size_t k = worst; k + 1 < n; k++)
			list[k] = list[k + 1];
		n--;
	}
	return n;
}

void
select_run(struct select_cand *c, size_t n, struct select_result *res)
{
	*res = (struct select_result){.sys_peer = -1};
	if (n == 0)
		return;
	res->ok = intersect(c, n, &res->low_s, &res->high_s);
	size_t *list = xreallocarray(NULL, n, sizeof(*list));
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		bool truechimer = res->ok && c[i].offset_s + c[i].root_distance_s >= res->low_s &&
		    c[i].offset_s - c[i].root_distance_s <= res->high_s;
		c[i].tally = truechimer ? SELECT_TALLY_CANDIDATE : SELECT_TALLY_FALSETICKER;
		if (truechimer)
			list[m++] = i;
	}
	res->n_truechimers = m;
	res->n_falsetickers = n - m;
	qsort_r(list, m, sizeof(*list), merit_cmp, c);
	for (size_t i = SELECT_MAXCLOCK; i < m; i++)
		c[list[i]].tally = SELECT_TALLY_BACKUP;
	res->n_survivors = cluster(c, list, m < SELECT_MAXCLOCK ? m : SELECT_MAXCLOCK);
	if (res->n_survivors > 0) {
		res->sys_peer = (long)list[0];
		c[list[0]].tally = SELECT_TALLY_SYSPEER;
	}
	free(list);
}
