/* conf.h: the agent's configuration file, clockwatch.conf(5): line directives as chrony.conf
 * users know them ("# comments", words, "quoted strings", durations with units), parsed by a
 * sorted directive table into struct conf. Pure: text in, struct and errors out; the caller
 * reads the file. Every directive is optional: an empty text gives the defaults. */
#ifndef CLOCKWATCH_CONF_H
#define CLOCKWATCH_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONF_PATH_MAX 1024
#define CONF_MAX_ERRORS 32
#define CONF_MAX_LINE 4096
#define CONF_HTTP_LISTEN_MAX 4
#define CONF_ALERTMANAGER_MAX 4
#define CONF_NODES_MAX 32
#define CONF_ALLOW_MAX 16
#define CONF_HTTP_PORT 10123 /* the default port of the agent's HTTP side */

struct conf_error {
	unsigned line, col; /* 1-based; col of the offending word */
	char msg[200];
};

enum conf_role { CONF_ROLE_NONE = 0, CONF_ROLE_CONTROL, CONF_ROLE_PAYLOAD };

/* A node of the cluster: where its time is asked (its NTP service, or clockwatch's responder
 * there) and its role (seed 001: control nodes take time from the external servers, payload
 * nodes from the control nodes). */
struct conf_node {
	char name[64];
	char addr[64]; /* numeric address or host name */
	uint16_t port; /* 123 when not given */
	int role;      /* enum conf_role */
};

struct conf {
	/* what to watch */
	int service;                        /* enum snap_daemon, or -1: the one that runs */
	char daemon_conf[CONF_PATH_MAX];    /* "conf FILE": that daemon's configuration */
	char chronyd_socket[CONF_PATH_MAX]; /* "chronyd_socket PATH" */
	char address[256];                  /* "address HOST[:PORT]": chronyd cmdport / ntpd */
	int64_t interval_ns;                /* "interval 30s": between checks (default 30 s) */
	int64_t timeout_ns;                 /* "timeout 1s": per daemon request (default 1 s) */
	/* the alarm (seed 001's values by default) */
	double critical_s;                 /* "critical_offset 10s" */
	double panic_s;                    /* "panic_offset 1000s" */
	int64_t grace_ns;                  /* "grace 20m" */
	int64_t reject_initial_ns;         /* "reject_initial 60m" */
	int64_t reject_reselect_ns;        /* "reject_reselect 90s" */
	int64_t clear_delay_ns;            /* "clear_delay 60s" */
	char alarm_command[CONF_PATH_MAX]; /* "alarm_command PATH": run on each alarm event */
	/* the alarm's attributes (seed 001), passed to alarm_command and stored */
	uint32_t major_type;        /* "major_type 193" */
	uint32_t minor_type;        /* "minor_type 3341942785" */
	char managed_object[128];   /* "managed_object SafNode" */
	char specific_problem[128]; /* "specific_problem \"LOTC Time Synchronization\"" */
	int event_type;             /* "event_type 6" (environmental) */
	/* the store */
	char state_dir[CONF_PATH_MAX]; /* "state_dir PATH"; default: $STATE_DIRECTORY, else
	                                * /var/lib/clockwatch (conf_defaults takes it) */
	int64_t retention_ns;          /* "retention 30d": history kept (default 30 days) */
	/* the HTTP side: /metrics, the API, the dashboard */
	char http_listen[CONF_HTTP_LISTEN_MAX][80]; /* "http_listen ADDR[:PORT]" (repeatable;
	                                             * "off": none); default 127.0.0.1:10123 */
	size_t n_http_listen;
	char http_tls_cert[CONF_PATH_MAX]; /* "http_tls_cert PATH" (PEM), with http_tls_key */
	char http_tls_key[CONF_PATH_MAX];
	char http_user[64];                     /* "http_user NAME": basic auth, with ... */
	char http_password_file[CONF_PATH_MAX]; /* "http_password_file PATH" (first line) */
	uint32_t http_max_connections;          /* "http_max_connections 64" */
	uint32_t http_per_ip_connections;       /* "http_per_ip_connections 16" */
	int64_t http_timeout_ns;                /* "http_timeout 10s": idle connection limit */
	char node_name[128];                    /* "node_name NAME": default the host name */
	/* Alertmanager */
	char alertmanager_url[CONF_ALERTMANAGER_MAX][256]; /* "alertmanager_url URL" (repeatable) */
	size_t n_alertmanager_url;
	int64_t alertmanager_resend_ns; /* "alertmanager_resend 1m": while raised */
	/* the cluster: "node NAME ADDR[:PORT] [control|payload]" (repeatable) */
	struct conf_node nodes[CONF_NODES_MAX];
	size_t n_nodes;
	double cluster_threshold_s; /* "cluster_threshold 10s" */
	/* clockwatch's own NTP responder, for nodes that serve no time: off unless given */
	char responder[80];     /* "responder ADDR[:PORT]" (port 123 by default) */
	double responder_rate;  /* "responder_rate 2": requests a second per node */
	double responder_burst; /* "responder_burst 8" */
	char responder_allow[CONF_ALLOW_MAX][64]; /* "responder_allow ADDR": also answered */
	size_t n_responder_allow;
	/* hardening */
	bool seccomp; /* "seccomp on": the agent's system call filter (sandbox.c); default off */
	/* parse results */
	struct conf_error errors[CONF_MAX_ERRORS];
	size_t n_errors;
};

/* The defaults; state_dir from state_directory_env (the value of $STATE_DIRECTORY, or NULL). */
void conf_defaults(struct conf *c, const char *state_directory_env);

/* Parses len bytes of text over the values already in c (call conf_defaults first). Returns 0,
 * or -EINVAL when any line was wrong: c->errors say where and why, and the lines that were
 * right still took effect (the caller decides whether to use such a config: the agent refuses
 * it, at start and on reload). */
int conf_parse(struct conf *c, const char *text, size_t len);

/* "FILE:LINE:COL: MESSAGE" for error i. */
void conf_format_error(const struct conf *c, size_t i, const char *file, char *buf, size_t len);

#endif
