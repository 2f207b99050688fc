/* cluster.h: are the cluster's clocks within the threshold (seed 001: 10 s) of each other, and
 * if not, which node is wrong? Each node's clock is measured from this one (NTP offsets: + = the
 * node is ahead of this clock); this node takes part with offset 0. The odd ones out are found
 * by the selection algorithm that finds falsetickers among NTP servers (select.c): each node is
 * a candidate whose correctness interval is its offset +/- max(its measurement error,
 * threshold / 2), so nodes agree when they are within the threshold of each other, and the
 * nodes outside the majority's intersection are the outliers. A healthy majority is never
 * blamed; without a majority nobody is, and the spread is reported. A node that cannot be
 * measured is reported as such, never as a time difference. Pure. */
#ifndef CLOCKWATCH_CLUSTER_H
#define CLOCKWATCH_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "alarm.h"

#define CLUSTER_NAME_MAX 64

struct cluster_node {
	/* in */
	char name[CLUSTER_NAME_MAX];
	char addr[64];
	unsigned port;
	int role;  /* enum conf_role */
	bool self; /* this node: offset 0, always measured */
	bool measured;
	char error[160]; /* why not measured ("no answer", "does not resolve", ...) */
	double offset_s; /* the node's clock minus this one */
	double delay_s;
	double error_s;    /* the measurement's own error bound (delay / 2 + dispersion) */
	bool synchronized; /* the node's NTP service says it is synchronized (LI != 3) */
	int stratum;
	/* out */
	bool outlier;
	double off_majority_s; /* offset from the majority's centre; NAN when none */
};

struct cluster_verdict {
	size_t n_nodes, n_measured, n_outliers;
	bool majority;   /* a majority of the measured nodes agree within the threshold */
	double centre_s; /* the majority's centre, relative to this clock */
	double spread_s; /* largest minus smallest offset of the measured nodes */
	bool exceeded;   /* some measured nodes differ by more than the threshold */
	double threshold_s;
	char text[ALARM_TEXT_MAX]; /* the Critical text when exceeded, else "" */
};

/* Judges n nodes (the outputs are written into them). */
void
cluster_judge(struct cluster_node *nodes, size_t n, double threshold_s, struct cluster_verdict *v);

struct buf;
/* `clockwatch status --cluster` and /api/v1/cluster (schema "clockwatch.cluster/1"). */
void out_cluster_text(struct buf *b, const struct cluster_node *nodes, size_t n,
    const struct cluster_verdict *v);
void out_cluster_json(struct buf *b, const struct cluster_node *nodes, size_t n,
    const struct cluster_verdict *v);

#endif
