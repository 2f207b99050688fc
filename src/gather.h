/* gather.h: runs the probes that describe this host's time service into a snapshot: detection
 * and configuration, the kernel, and the daemon chosen (the running one, or the one asked for).
 * Shared by status, peers and the later commands. */
#ifndef CLOCKWATCH_GATHER_H
#define CLOCKWATCH_GATHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macros.h"

struct snapshot;

struct gather_opts {
	int service;         /* enum snap_daemon to ask, or -1: the one that runs */
	const char *conf;    /* that daemon's configuration file, NULL: found */
	const char *socket;  /* chronyd: its Unix command socket */
	const char *address; /* chronyd: HOST[:PORT] of its command port */
	int64_t timeout_ns;  /* per request */
	bool want_vars;      /* keep the daemon's variables (clockwatch vars) */
	bool want_details;   /* per-source packet counters that cost more requests (doctor) */
};

/* Fills s. Never fails: what could not be learnt is in the snapshot as errors. */
void gather_host(struct snapshot *s, const struct gather_opts *o);

/* Measures the daemon's servers (its sources with an address) with clockwatch's own NTP
 * client, one sample each within timeout_ns, and puts the offsets of those that answered in
 * own[max]; *n says how many. Ports come from the daemon's configuration when it names one. */
void gather_measure_servers(const struct snapshot *s, int64_t timeout_ns, double *own, size_t max,
    size_t *n);

struct conf_node;
struct cluster_node;

/* Measures the cluster's nodes with clockwatch's own NTP client (a few samples each, all at
 * once, within about timeout_ns): out[0..n) gets one entry per configured node, in order; the
 * node named self_name is this one (offset 0, not asked). When no node has that name, this
 * node is added at the end: *n_out says how many entries (at most n + 1). */
void gather_measure_nodes(const struct conf_node *nodes, size_t n, const char *self_name,
    int64_t timeout_ns, struct cluster_node *out, size_t *n_out);

/* Parses "chronyd", "ntpd", "timesyncd"/"systemd-timesyncd"; -1 if unknown. */
int gather_service_from_name(const char *name);

#endif
