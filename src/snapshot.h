/* snapshot.h: the hub. One struct holds everything clockwatch knows about this host's time at
 * one moment: which time services exist and answer, the chosen daemon's own view (system and
 * sources), the kernel clock, and the configured servers. Every probe fills its part and says
 * where each part came from; every output reads only this. Pure: no I/O here. */
#ifndef CLOCKWATCH_SNAPSHOT_H
#define CLOCKWATCH_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemonconf.h"
#include "kclock.h"

enum snap_daemon {
	SNAP_CHRONYD = 0,
	SNAP_NTPD,
	SNAP_TIMESYNCD,
	SNAP_N_DAEMONS,
};

/* Where a part of the snapshot came from. */
enum snap_origin {
	SNAP_FROM_NONE = 0,
	SNAP_FROM_CHRONY_CMDMON,  /* chronyd's command protocol */
	SNAP_FROM_NTPD_MODE6,     /* ntpd/NTPsec mode 6 */
	SNAP_FROM_TIMESYNCD_DBUS, /* org.freedesktop.timesync1 */
	SNAP_FROM_ADJTIMEX,       /* the kernel */
	SNAP_FROM_CONFIG,         /* the daemon's configuration files */
	SNAP_FROM_PROC,           /* /proc: processes */
};

/* One time service as detection found it. */
struct snap_service {
	enum snap_daemon daemon;
	bool installed; /* its program exists */
	bool running;   /* a process of it exists */
	int pid;        /* of the first one found, 0 if none */
	int n_running;  /* how many processes */
	/* The process may set the clock: it holds CAP_SYS_TIME (or its rights could not be read)
	 * and, for chronyd, was not started with -x. A daemon that may not only watches. */
	bool can_set_clock;
	double uptime_s;                     /* how long the process has run; NAN unknown */
	char program[256];                   /* path of the running program, or the installed one */
	char conf_path[DAEMONCONF_PATH_MAX]; /* main configuration file read ("" if none) */
	struct daemonconf conf;              /* what it is configured to use */
	bool have_conf;
	/* asking it */
	bool asked;
	bool answering;
	char version[64];
	char
	    endpoint[DAEMONCONF_PATH_MAX]; /* socket path or address:port that answered/was tried */
	char error[256];                   /* why it does not answer, in plain words */
	char note[256];                    /* what it answered with less than all (permissions) */
};

enum snap_leap { SNAP_LEAP_NONE, SNAP_LEAP_INSERT, SNAP_LEAP_DELETE, SNAP_LEAP_UNSYNC };

/* A daemon's variables as it names them (ntpd's mode 6 variables, chronyd's report fields), for
 * `clockwatch vars`: kept only when asked for. Values are text as the daemon gave them. */
#define SNAP_VAR_NAME_MAX 40
#define SNAP_VAR_VALUE_MAX 240
#define SNAP_VARS_MAX 256
struct snap_var {
	char name[SNAP_VAR_NAME_MAX];
	char value[SNAP_VAR_VALUE_MAX];
};
struct snap_vars {
	struct snap_var *v;
	size_t n;
};

#define SNAP_FILTER_STAGES 8

/* One time source as the daemon sees it. Unknown numbers are NAN; unknown ints -1. Offsets use
 * the RFC 5905 sign: positive = the source is ahead of this host. */
struct snap_source {
	char name[DAEMONCONF_NAME_MAX + 1]; /* configured or resolved name; address when none */
	char addr[64];                      /* numeric address, or a refclock name */
	char
	    tally; /* ntpq's: '*' sys peer, '+' candidate, '-' outlier, 'x' falseticker, '#' backup,
	            * ' ' rejected/unusable, '~' too variable (chrony), '?' unreachable/unknown */
	char type; /* ntpq's t: 'u' unicast, 'p' pool, 's' symmetric, 'l' local/refclock */
	char refid[16];
	int stratum;
	double when_s; /* since the last valid sample */
	double poll_s;
	int reach; /* 8-bit register, -1 unknown */
	double delay_s, offset_s, jitter_s, offset_error_s;
	/* chrony sourcestats */
	int n_samples;
	double freq_ppm, freq_skew_ppm, std_dev_s;
	char state[32]; /* the daemon's own word for it: "selected", "falseticker", ... */
	/* the association, as ntpq's "as" shows it */
	int assoc_id;    /* ntpd's association id; chronyd: index + 1; -1 unknown */
	int status_word; /* ntpd's peer status word; -1 none (chronyd has none) */
	int configured;  /* 1 from the configuration, 0 spawned (pool, manycast), -1 unknown */
	int auth;        /* 0 none, 1 ok, 2 bad, -1 unknown */
	int event_count; /* -1 unknown */
	char last_event[24];
	/* Packet statistics and the last packet's verdicts, for doctor (-1 unknown): chronyd's
	 * NTP_DATA totals (Unix socket only), ntpd's sent/received (gather's want_details). */
	int64_t pkts_sent, pkts_received, pkts_valid;
	int flash;     /* ntpd: tests the last packet failed, bit set = failed (wire_mode6) */
	int ntp_tests; /* chronyd: NTP_DATA tests, bit set = passed (wire_chrony_test_name) */
	int leap;      /* leap indicator of the source's last packet, 0..3 */
	/* ntpd's clock filter register, newest first (n_filter stages; 0 none) */
	int n_filter;
	double filt_delay_s[SNAP_FILTER_STAGES], filt_offset_s[SNAP_FILTER_STAGES];
	struct snap_vars vars;
};

struct snapshot {
	int64_t real_ns; /* when it was taken, CLOCK_REALTIME */
	struct snap_service svc[SNAP_N_DAEMONS];
	int primary; /* enum snap_daemon reported on, -1 none */

	/* the primary daemon's system view */
	enum snap_origin system_from;
	bool have_system;
	bool synchronized;
	char source_name[DAEMONCONF_NAME_MAX + 1];
	char source_addr[64];
	char refid[16];
	int stratum;
	double last_sync_age_s;
	double offset_s;       /* the daemon's estimate of true time minus this host's clock, the
	                        * RFC 5905 sign as everywhere: positive = this clock is behind */
	double offset_error_s; /* a bound on that estimate, when the daemon gives one */
	double root_delay_s, root_disp_s, root_distance_s;
	double freq_ppm; /* the clock's frequency error the daemon corrects (+: uncorrected it
	                  * runs fast; the correction is the opposite) */
	double poll_s;
	enum snap_leap leap;

	enum snap_origin sources_from;
	struct snap_source *sources;
	size_t n_sources;
	struct snap_vars system_vars;

	/* the kernel */
	bool have_kernel;
	int kernel_err; /* -errno when adjtimex failed */
	struct kclock kernel;
};

void snapshot_init(struct snapshot *s);
void snapshot_fini(struct snapshot *s);
/* Appends a source with every field unknown; returns it. */
struct snap_source *snapshot_add_source(struct snapshot *s);

/* Sets svc->error, the reason a daemon does not answer, in plain words. */
void
snapshot_why(struct snap_service *svc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends name=value (both cut to their bounds); nothing past SNAP_VARS_MAX. */
void snapshot_add_var(struct snap_vars *l, const char *name, const char *value);
void snapshot_add_varf(struct snap_vars *l, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const char *snapshot_daemon_name(enum snap_daemon d);
const char *snapshot_origin_name(enum snap_origin o);
const char *snapshot_leap_name(enum snap_leap l);
/* "none", "ok", "bad" for snap_source.auth 0..2; "-" for unknown. */
const char *snapshot_auth_name(int auth);

#endif
