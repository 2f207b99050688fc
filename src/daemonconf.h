/* daemonconf.h: which time sources a time daemon is configured to use, read from the daemon's
 * own configuration text: chrony.conf (and its confdir/sourcedir/include files), ntp.conf
 * (ntpd classic and NTPsec, with includefile) and timesyncd.conf (with its conf.d drop-ins).
 * Pure: the caller reads files and feeds their text, one file per call, in the daemon's order;
 * the includes a file names are collected for the caller to follow. Lines this module does not
 * know are skipped: daemons have many directives that do not concern the sources. */
#ifndef CLOCKWATCH_DAEMONCONF_H
#define CLOCKWATCH_DAEMONCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DAEMONCONF_NAME_MAX 255
#define DAEMONCONF_PATH_MAX 1024
/* Bounds that keep a hostile or broken configuration from costing unbounded memory. */
#define DAEMONCONF_MAX_SOURCES 1024
#define DAEMONCONF_MAX_INCLUDES 256
#define DAEMONCONF_MAX_ERRORS 64
#define DAEMONCONF_MAX_LINE 4096

enum daemonconf_kind {
	DAEMONCONF_SERVER,
	DAEMONCONF_POOL,
	DAEMONCONF_PEER,
	DAEMONCONF_REFCLOCK,
	DAEMONCONF_FALLBACK, /* timesyncd FallbackNTP= */
};

struct daemonconf_source {
	enum daemonconf_kind kind;
	char name[DAEMONCONF_NAME_MAX + 1]; /* host name, address, or refclock driver */
	uint16_t port;                      /* 0: the default (123) */
	bool iburst, prefer, noselect;
	int minpoll, maxpoll; /* log2 s; DAEMONCONF_POLL_UNSET when not given */
	char file[DAEMONCONF_PATH_MAX];
	unsigned line;
};
#define DAEMONCONF_POLL_UNSET (-128)

enum daemonconf_include_kind {
	DAEMONCONF_INC_FILE,    /* a file, or a glob of files (chrony include, ntpd includefile) */
	DAEMONCONF_INC_CONFDIR, /* chrony confdir: DIR/ *.conf, the first directory wins a name */
	DAEMONCONF_INC_SOURCEDIR, /* chrony sourcedir: DIR/ *.sources, source lines only */
};

struct daemonconf_include {
	enum daemonconf_include_kind kind;
	char path[DAEMONCONF_PATH_MAX];
};

struct daemonconf_error {
	char file[DAEMONCONF_PATH_MAX];
	unsigned line;
	char msg[160];
};

struct daemonconf {
	struct daemonconf_source *sources;
	size_t n_sources;
	struct daemonconf_include *includes;
	size_t n_includes;
	struct daemonconf_error *errors;
	size_t n_errors;
	bool truncated; /* a bound above was reached; what follows was not kept */
	/* chrony */
	int cmdport; /* -1: not set (chronyd's default is 323; 0 disables) */
	char bindcmdaddress[2][DAEMONCONF_PATH_MAX]; /* addresses or a Unix socket path */
	bool rtcsync;
	double makestep_s;      /* makestep threshold; < 0: not set (chronyd never steps) */
	int makestep_limit;     /* ... in the first this many updates; -1: at any time */
	double maxslewrate_ppm; /* < 0: not set (chronyd's default 83333.333) */
	/* ntpd */
	bool kernel_disabled;              /* "disable kernel" */
	double step_s, stepout_s, panic_s; /* tinker step/stepout/panic; < 0: not set */
	/* timesyncd */
	double root_distance_max_s, poll_min_s, poll_max_s; /* < 0: not set */
	/* shared */
	char driftfile[DAEMONCONF_PATH_MAX];
};

void daemonconf_init(struct daemonconf *c);
void daemonconf_fini(struct daemonconf *c);

/* Parse one file's text (len bytes, need not be NUL-terminated). file names it in errors.
 * only_sources: a chrony sourcedir file, where only source lines are allowed. */
void daemonconf_parse_chrony(struct daemonconf *c, const char *text, size_t len, const char *file,
    bool only_sources);
void daemonconf_parse_ntpd(struct daemonconf *c, const char *text, size_t len, const char *file);
/* timesyncd: files are fed in the order systemd reads them (main file, then drop-ins sorted);
 * an empty NTP= or FallbackNTP= clears what earlier files set, as in systemd. */
void
daemonconf_parse_timesyncd(struct daemonconf *c, const char *text, size_t len, const char *file);

/* Records a problem with a file as a whole (line 0: it cannot be read, ...). */
void daemonconf_add_error(struct daemonconf *c, const char *file, unsigned line, const char *msg);

const char *daemonconf_kind_name(enum daemonconf_kind k);

#endif
