/* fuzz_conf.c: clockwatch.conf(5) text through conf_parse, once over the defaults and once more
 * over the result (as a drop-in would be). Invariants: at most CONF_MAX_ERRORS kept, each
 * terminated and placed on a line of the text with a column within a line's bounds; the return
 * says whether there were errors; every value is one the directive accepts, whatever the text;
 * the strings are terminated; the HTTP listens and Alertmanager URLs stay within their lists;
 * conf_format_error never writes past its buffer. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define S_NS INT64_C(1000000000)

static bool
terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static bool
abs_or_empty(const char *path, size_t size)
{
	return terminated(path, size) && (!path[0] || path[0] == '/');
}

/* The HTTP side and Alertmanager: lists within their bounds, each entry a terminated string
 * its directive accepts. */
static void
check_http(const struct conf *c)
{
	if (c->n_http_listen > CONF_HTTP_LISTEN_MAX ||
	    c->n_alertmanager_url > CONF_ALERTMANAGER_MAX)
		abort();
	for (size_t i = 0; i < c->n_http_listen; i++)
		if (!terminated(c->http_listen[i], sizeof(c->http_listen[i])) ||
		    !c->http_listen[i][0] || !strchr(c->http_listen[i], ':'))
			abort();
	for (size_t i = 0; i < c->n_alertmanager_url; i++)
		if (!terminated(c->alertmanager_url[i], sizeof(c->alertmanager_url[i])) ||
		    (strncasecmp(c->alertmanager_url[i], "http://", 7) &&
		        strncasecmp(c->alertmanager_url[i], "https://", 8)) ||
		    strpbrk(c->alertmanager_url[i], " \t\"\\"))
			abort();
	if (c->http_max_connections < 1 || c->http_max_connections > 1024 ||
	    c->http_per_ip_connections < 1 || c->http_per_ip_connections > 1024)
		abort();
	if (c->http_timeout_ns < S_NS || c->http_timeout_ns > 300 * S_NS ||
	    c->alertmanager_resend_ns < 10 * S_NS || c->alertmanager_resend_ns > 3600 * S_NS)
		abort();
	if (!abs_or_empty(c->http_tls_cert, sizeof(c->http_tls_cert)) ||
	    !abs_or_empty(c->http_tls_key, sizeof(c->http_tls_key)) ||
	    !abs_or_empty(c->http_password_file, sizeof(c->http_password_file)) ||
	    !terminated(c->http_user, sizeof(c->http_user)) ||
	    !terminated(c->node_name, sizeof(c->node_name)))
		abort();
}

static void
check_values(const struct conf *c)
{
	if (c->service < -1 || c->service > 2)
		abort();
	if (c->interval_ns < S_NS || c->interval_ns > 3600 * S_NS)
		abort();
	if (c->timeout_ns < S_NS / 1000 || c->timeout_ns > 60 * S_NS)
		abort();
	if (!(c->critical_s > 0) || !(c->panic_s > 0))
		abort();
	if (c->grace_ns < 0 || c->reject_initial_ns < 0 || c->reject_reselect_ns < 0 ||
	    c->clear_delay_ns < 0 || c->clear_delay_ns > 3600 * S_NS)
		abort();
	if (c->retention_ns < 3600 * S_NS || c->retention_ns > S_NS * 86400 * 3650)
		abort();
	if (c->event_type < 0 || c->event_type > 255)
		abort();
	if (!terminated(c->daemon_conf, sizeof(c->daemon_conf)) ||
	    !terminated(c->chronyd_socket, sizeof(c->chronyd_socket)) ||
	    !terminated(c->address, sizeof(c->address)) ||
	    !terminated(c->alarm_command, sizeof(c->alarm_command)) ||
	    !terminated(c->managed_object, sizeof(c->managed_object)) ||
	    !terminated(c->specific_problem, sizeof(c->specific_problem)) ||
	    !terminated(c->state_dir, sizeof(c->state_dir)))
		abort();
	if ((c->alarm_command[0] && c->alarm_command[0] != '/') || c->state_dir[0] != '/')
		abort();
	if (!c->managed_object[0] || !c->specific_problem[0])
		abort();
	check_http(c);
}

static void
check_errors(const struct conf *c, size_t first, int r, const char *text, size_t len)
{
	size_t lines = 1;
	char buf[64];

	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (c->n_errors > CONF_MAX_ERRORS || c->n_errors < first)
		abort();
	/* errors may have been dropped once the list is full, but never reported without any */
	if ((r == 0) != (c->n_errors == first) && c->n_errors < CONF_MAX_ERRORS)
		abort();
	if (r != 0 && r != -EINVAL)
		abort();
	for (size_t i = first; i < c->n_errors; i++) {
		const struct conf_error *e = &c->errors[i];
		if (!terminated(e->msg, sizeof(e->msg)) || !e->msg[0] || e->line > lines ||
		    e->col > CONF_MAX_LINE + 1)
			abort();
		memset(buf, 'z', sizeof(buf));
		conf_format_error(c, i, "f", buf, sizeof(buf) - 1);
		if (buf[sizeof(buf) - 1] != 'z' || !terminated(buf, sizeof(buf) - 1))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct conf *c = malloc(sizeof(*c));
	int r;

	if (!c)
		return 0;
	conf_defaults(c, NULL);
	r = conf_parse(c, text, size);
	check_errors(c, 0, r, text, size);
	check_values(c);
	if (r == 0 && !(c->panic_s > c->critical_s))
		abort();

	/* again over what the first pass left, the second half of the text as a drop-in */
	size_t n = c->n_errors;
	r = conf_parse(c, text + size / 2, size - size / 2);
	check_errors(c, n, r, text + size / 2, size - size / 2);
	check_values(c);
	free(c);
	return 0;
}
