/* query.h: the state and results of measuring NTP servers (clockwatch query). The prober
 * (probe_ntp.c) does the I/O; everything that judges a reply lives here and is pure: each call
 * takes the received bytes and the local times as arguments. */
#ifndef CLOCKWATCH_QUERY_H
#define CLOCKWATCH_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "select.h"
#include "strutil.h"
#include "wire_ntp.h"

enum query_status {
	QUERY_OK = 0,   /* usable samples */
	QUERY_TIMEOUT,  /* nothing came back */
	QUERY_KOD,      /* only kiss-o'-death RATE came back */
	QUERY_UNUSABLE, /* answered, but refused us (DENY/RSTR) or failed sanity tests */
	QUERY_ERROR,    /* could not be asked (name, socket) or sent only invalid replies */
};

struct query_target {
	char host[STRUTIL_HOST_MAX + 1]; /* as the user wrote it */
	char addr[64];                   /* numeric address */
	uint16_t port;
	int family; /* AF_INET or AF_INET6; 0 when the name did not resolve */

	/* exchange state, owned by the prober */
	uint64_t xmt_wire;       /* random transmit timestamp of the outstanding request, 0: none */
	int64_t t1_ns;           /* local realtime just before that request was sent */
	uint64_t prev_xmt_wire;  /* the request before, which timed out (late replies) */
	uint64_t last_reply_xmt; /* server transmit timestamp of the last accepted reply */
	unsigned n_sent;
	bool stopped;        /* DENY/RSTR: send nothing more */
	bool measure_unsync; /* take samples from unsynchronized replies too (a node's clock) */

	/* results */
	enum query_status status;
	char error[320];
	struct ntp_packet reply; /* header of the last accepted reply */
	bool have_reply;
	struct filter_sample *samples;
	size_t n_samples, max_samples;
	unsigned tests; /* failed sanity tests, enum filter_test bits */
	char kiss_code[5];
	unsigned n_bogus, n_duplicate, n_malformed, n_wrong_mode, n_kod_rate, n_kod_other, n_late;
	unsigned n_invalid_ts; /* replies that answered us with zero or inconsistent timestamps */
	unsigned n_icmp;       /* requests answered by an ICMP error instead */
	int icmp_errno;
	char drop_reason[120]; /* why the last invalid reply was dropped */

	struct filter_result filt;
	double root_delay_s, root_disp_s, root_distance_s, error_bound_s;
	char tally;
};

enum query_action {
	QUERY_ACCEPTED, /* a sample was added */
	QUERY_DROPPED,  /* not ours or invalid; counted */
	QUERY_CONSUMED, /* ours, but carries no time (other kiss codes, invalid timestamps) */
	QUERY_KOD_RATE, /* slow down */
	QUERY_KOD_STOP, /* DENY/RSTR: stop querying */
};

/* Sets up a target that will take up to max_samples samples. */
void query_target_init(struct query_target *t, const char *host, size_t max_samples);
void query_target_fini(struct query_target *t);

/* Judges one received datagram for target t: decode, mode, origin (bogus), duplicate, kiss-o'-
 * death, header tests; on success appends a sample computed with t4_ns (kernel receive time). */
enum query_action query_handle_reply(struct query_target *t, const void *data, size_t len,
    int64_t t4_ns, int local_precision);

/* A datagram of len octets was too large to read whole: counted as malformed. */
void query_drop_oversize(struct query_target *t, size_t len);

/* The outstanding request drew an ICMP error (err: ECONNREFUSED for port unreachable...). */
void query_icmp_error(struct query_target *t, int err);

/* After the last sample or the deadline: filter, distances, tests, status. */
void query_finish(struct query_target *t, int local_precision);

/* Selection over every target with status ok; labels each target's tally ('?' for the others). */
void query_select(struct query_target *t, size_t n, struct select_result *res);

/* Plain-words note for one target ("no reply", "kiss-o'-death RATE, backed off", ...). */
void query_note(const struct query_target *t, char *buf, size_t len);

const char *query_status_name(enum query_status st);

/* Everything one run produced, as the renderers see it. */
struct query_report {
	struct query_target *t;
	size_t n;
	struct select_result sel;
	size_t n_candidates; /* targets that took part in selection */
	unsigned stray;
	int local_precision;
	bool kernel_rx_ts;
	bool kernel_tx_ts; /* every sample's T1 was the kernel's transmit timestamp */
	double elapsed_s;
};

/* "host (addr:port)" or "addr" as shown in the remote column; port only when not 123. */
void query_remote(const struct query_target *t, char *buf, size_t len);
/* "none", "insert", "delete", "unsynchronized". */
const char *query_leap_name(unsigned leap);
#endif
