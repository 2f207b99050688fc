/* doctor.h: seed 000's debugging checklist and special problems, judged. In: the snapshot
 * (what the daemon says) and the evidence clockwatch gathered itself (/etc/services, the
 * firewall, its own NTP queries of the daemon's servers, the drift file). Out: findings, each
 * ok / info / warn / fail, with the numbers seen and a remedy in plain words, in checklist
 * order. Pure: no I/O, no clock reads (now is evidence.real_ns). Renderers: out_doctor.h. */
#ifndef CLOCKWATCH_DOCTOR_H
#define CLOCKWATCH_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemonconf.h"
#include "macros.h"
#include "nftrules.h"

struct snapshot;
struct query_target;

/* In this order of severity; the exit status maps ok and info to 0, warn to 1, fail to 2. */
enum doctor_level {
	DOCTOR_OK = 0,
	DOCTOR_INFO, /* could not check, and why; or a fact worth knowing */
	DOCTOR_WARN,
	DOCTOR_FAIL,
};

/* Thresholds (seed 000; RFC 5905; ntpd's defaults). */
#define DOCTOR_STEP_S 0.125    /* step threshold */
#define DOCTOR_STEPOUT_S 900.0 /* stepout, as the seed and RFC 5905 give it */
#define DOCTOR_PANIC_S 1000.0  /* panic threshold */
#define DOCTOR_FREQ_WARN_PPM 100.0
#define DOCTOR_FREQ_FAIL_PPM 450.0
#define DOCTOR_FREQ_MAX_PPM 500.0
#define DOCTOR_DRIFT_STALE_S 7200.0
#define DOCTOR_SAMPLES 4 /* own samples per server address */
#define DOCTOR_SAMPLE_SPACING_S 0.25

#define DOCTOR_TITLE_MAX 240
#define DOCTOR_TEXT_MAX 1600
#define DOCTOR_DATA_MAX 12
#define DOCTOR_MAX_FINDINGS 64
#define DOCTOR_MAX_SERVERS 32

/* A number a finding saw, named as in JSON (snake_case, unit in the name); NAN prints null. */
struct doctor_datum {
	char name[32];
	double value;
};

struct doctor_finding {
	const char *id; /* "service", "port", ...: doctor_ids() lists them in checklist order */
	enum doctor_level level;
	char title[DOCTOR_TITLE_MAX];
	char evidence[DOCTOR_TEXT_MAX]; /* what was seen, with the numbers; lines end with \n */
	char remedy[DOCTOR_TEXT_MAX];   /* what to do; "" when nothing */
	struct doctor_datum data[DOCTOR_DATA_MAX];
	size_t n_data;
};

struct doctor_report {
	char service[32]; /* the daemon asked, "" none */
	struct doctor_finding f[DOCTOR_MAX_FINDINGS];
	size_t n;
	size_t n_dropped; /* findings past DOCTOR_MAX_FINDINGS */
	enum doctor_level worst;
	struct doctor_finding overflow; /* written to when f[] is full, never shown */
};

/* Reading the firewall (firewall.c): what it found, or why it could not. */
enum doctor_fw_state {
	DOCTOR_FW_READ = 0,
	DOCTOR_FW_NOT_BUILT,     /* built without libnftables */
	DOCTOR_FW_NO_PERMISSION, /* needs CAP_NET_ADMIN */
	DOCTOR_FW_ERROR,
};

struct doctor_firewall {
	enum doctor_fw_state state;
	char error[200];
	struct nftrules_result rules;
	char legacy_tables[128]; /* legacy iptables tables loaded ("filter nat"), "" none */
};

/* A server the daemon is configured to use, to be measured by clockwatch. */
struct doctor_server {
	char name[DAEMONCONF_NAME_MAX + 1];
	uint16_t port; /* 0: 123 */
	enum daemonconf_kind kind;
	char where[64]; /* "file:line", or "" when taken from the daemon's sources */
};

struct doctor_evidence {
	int64_t real_ns; /* now, CLOCK_REALTIME */
	/* /etc/services */
	const char *services_path;
	const char *services_text;
	size_t services_len;
	int services_err; /* 0, or -errno when it could not be read */
	/* the firewall (may be NULL: not looked at) */
	const struct doctor_firewall *fw;
	/* clockwatch's own queries of the daemon's servers: every target's host is the name of
	 * one servers[] entry; tallies set by query_select */
	const struct doctor_server *servers;
	size_t n_servers;
	const struct query_target *own;
	size_t n_own;
	bool measured; /* the queries ran */
	/* the daemon's drift file */
	bool drift_checked;
	int drift_err; /* 0, or -errno of stat() */
	int64_t drift_mtime_ns;
};

/* The servers to measure: the daemon's configured ones (refclocks left out), else the
 * addresses of its sources. Returns how many were written to out (at most max). */
size_t doctor_servers(const struct snapshot *s, struct doctor_server *out, size_t max);

/* Judges everything; r is overwritten. */
void
doctor_judge(const struct snapshot *s, const struct doctor_evidence *ev, struct doctor_report *r);

/* Building a report (doctor.c and doctor_net.c). doctor_add appends a finding with its title
 * and raises r->worst; doctor_seen and doctor_fix append a line of evidence or remedy (cut at
 * the bound); doctor_num records a number for JSON. */
struct doctor_finding *doctor_add(struct doctor_report *r, const char *id, enum doctor_level l,
    const char *fmt, ...) CW_PRINTF(4, 5);
void doctor_seen(struct doctor_finding *f, const char *fmt, ...) CW_PRINTF(2, 3);
void doctor_fix(struct doctor_finding *f, const char *fmt, ...) CW_PRINTF(2, 3);
void doctor_num(struct doctor_finding *f, const char *name, double v);
/* "45 s", "12 min", "3.2 h", "2.1 days". Returns buf. */
char *doctor_fmt_age(char *buf, size_t len, double s);
/* The asked daemon's name, or "the daemon". */
const char *doctor_daemon(const struct snapshot *s);

/* "ok", "info", "warn", "fail". */
const char *doctor_level_name(enum doctor_level l);
/* 0 ok/info, 1 warn, 2 fail. */
int doctor_exit_status(enum doctor_level worst);
/* The finding ids in checklist order, NULL-terminated. */
const char *const *doctor_ids(void);

#endif
