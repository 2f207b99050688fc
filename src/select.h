/* select.h: RFC 5905 §11.2 selection (the Marzullo-style intersection) and cluster algorithms.
 * Decides which candidates are truechimers and falsetickers and which one would be the system
 * peer, and labels each with the ntpq tattletale. Pure. */
#ifndef CLOCKWATCH_SELECT_H
#define CLOCKWATCH_SELECT_H

#include <stdbool.h>
#include <stddef.h>

/* ntpq tattletale characters. */
#define SELECT_TALLY_SYSPEER '*'
#define SELECT_TALLY_CANDIDATE '+'
#define SELECT_TALLY_OUTLIER '-'
#define SELECT_TALLY_FALSETICKER 'x'
#define SELECT_TALLY_BACKUP '#' /* a truechimer beyond the SELECT_MAXCLOCK best by merit */

/* cluster stops discarding outliers at this many survivors (RFC NMIN, ntpd minclock). */
#define SELECT_NMIN 3
/* At most this many truechimers, the best by merit, enter the cluster algorithm (ntpd maxclock;
 * RFC 5905 A.5.5.2 MAXCLOCK); the rest are backups. Keeps a sweep of 10,000 servers linear. */
#define SELECT_MAXCLOCK 10

struct select_cand {
	/* in */
	double offset_s;
	double root_distance_s; /* lambda: the half-width of the correctness interval */
	double jitter_s;
	int stratum;
	/* out */
	char tally;
};

struct select_result {
	bool ok; /* an intersection holding a majority was found */
	size_t n_truechimers;
	size_t n_falsetickers;
	size_t n_survivors;   /* after the cluster algorithm */
	long sys_peer;        /* index of the system peer, -1 when none */
	double low_s, high_s; /* the intersection interval when ok */
};

/* Runs selection then clustering over n candidates (n may be 0). With fewer than three
 * candidates no falseticker can be told apart; the caller should say so. */
void select_run(struct select_cand *c, size_t n, struct select_result *res);

#endif
