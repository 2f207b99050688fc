/* http.h: the agent's HTTP server, libmicrohttpd driven from the agent's own poll loop (one
 * epoll descriptor per listening address, no threads), so a request is answered between checks
 * and never races them. Limits on connections (total and per client address), per-connection
 * memory and idle time keep a slow or flooding client from starving the others; only GET and
 * HEAD are served. Optional TLS (PEM files) and basic authentication. */
#ifndef CLOCKWATCH_HTTP_H
#define CLOCKWATCH_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "macros.h"

struct loop;
struct http_server;
struct http_req;

struct http_opts {
	const char *const *listen; /* "127.0.0.1:10123", "[::1]:10123", ... */
	size_t n_listen;
	const char *tls_cert_file, *tls_key_file; /* both or NULL */
	const char *user;                         /* basic auth: both or NULL */
	const char *password_file;
	unsigned max_connections, per_ip_connections;
	unsigned timeout_s;
};

/* What a handler fills. body is sent unless the request was HEAD; static_body (not copied,
 * must outlive the server) wins over body when set. */
struct http_resp {
	int status;
	const char *content_type;
	struct buf body;
	const void *static_body;
	size_t static_len;
	bool html;         /* adds the Content-Security-Policy for the dashboard */
	const char *allow; /* the Allow header (405) */
	char location[128];
	const char *etag; /* a strong validator; the handler answers 304 itself */
};

typedef void (*http_handler)(void *data, const struct http_req *req, struct http_resp *resp);

/* Starts listening on every address. Returns 0, or -errno with the reason logged; an address
 * that cannot be bound makes the whole start fail (nothing half-listening). */
int http_start(struct loop *l, const struct http_opts *o, http_handler fn, void *data,
    struct http_server **out) CW_MUST_CHECK;
void http_stop(struct http_server *s);

/* The request: the path without the query, the method, a query argument or a header (NULL when
 * absent). */
const char *http_req_path(const struct http_req *r);
const char *http_req_method(const struct http_req *r);
const char *http_req_arg(const struct http_req *r, const char *name);
const char *http_req_header(const struct http_req *r, const char *name);

/* Requests answered, by class; connections refused by the limits. */
struct http_stats {
	uint64_t requests, errors_4xx, errors_5xx, auth_failures;
};
void http_get_stats(const struct http_server *s, struct http_stats *out);

#endif
