/* out_metrics.h: the agent's /metrics, in the Prometheus text exposition format 0.0.4 or in
 * OpenMetrics 1.0, from the last snapshot and the agent's own counters. Pure. The names, types
 * and meanings are listed in docs/METRICS.md. */
#ifndef CLOCKWATCH_OUT_METRICS_H
#define CLOCKWATCH_OUT_METRICS_H

#include <stdbool.h>
#include <stdint.h>

struct buf;
struct cluster_node;
struct cluster_verdict;
struct snapshot;

/* What the agent knows of itself. Unknown numbers are NAN. */
struct metrics_agent {
	const char *version;
	const char *node;
	int alarm_severity; /* enum alarm_severity */
	const char *alarm_text;
	int64_t alarm_events; /* events logged since the store began */
	uint64_t checks, probe_errors, store_errors;
	uint64_t am_pushes, am_push_errors;
	bool store_up;
	double check_duration_s;
	double interval_s;
	double last_check_s; /* Unix seconds */
	double start_time_s, cpu_s, rss_bytes;
	/* the cluster (NULL: none configured) */
	const struct cluster_node *cluster;
	size_t n_cluster;
	const struct cluster_verdict *cluster_v;
	/* the NTP responder (have_responder false: not configured) */
	bool have_responder;
	uint64_t resp_answered, resp_not_allowed, resp_rate_limited, resp_malformed;
};

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_OM_CONTENT_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* s may be NULL (no check yet): then only the agent's own metrics. */
void out_metrics(struct buf *b, const struct snapshot *s, const struct metrics_agent *a,
    bool openmetrics);

/* Whether an HTTP Accept header asks for OpenMetrics (and accepts it at least as much as the
 * classic text format). NULL: no. */
bool out_metrics_wants_openmetrics(const char *accept);

#endif
