/* http.c: libmicrohttpd in "external epoll" mode: each listening address is one MHD daemon whose
 * epoll descriptor sits in the agent's poll loop, with a loop timer for MHD's own timeouts.
 * Responses are built whole in memory by the handler (they are small: the largest is a day of
 * history at the API's 11000-point cap). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "loop.h"
#include "strutil.h"
#include "xalloc.h"

#define MAX_LISTEN 8
#define MAX_FILE_BYTES (256 * 1024)
#define CONN_MEMORY (32 * 1024) /* per connection: request line, headers, write buffer */

#define CSP                                                                                        \
	"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "          \
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

struct http_server;

struct listener {
	struct http_server *srv;
	struct MHD_Daemon *d;
	int epfd;
	struct loop_timer tm;
	char addr[80];
};

struct http_server {
	struct loop *loop;
	http_handler fn;
	void *data;
	struct listener ls[MAX_LISTEN];
	size_t n;
	char *cert, *key;
	char user[64];
	char password[256];
	bool auth;
	struct http_stats stats;
};

struct http_req {
	struct MHD_Connection *c;
	const char *method, *path;
};

const char *
http_req_path(const struct http_req *r)
{
	return r->path;
}

const char *
http_req_method(const struct http_req *r)
{
	return r->method;
}

const char *
http_req_arg(const struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, name);
}

const char *
http_req_header(const struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, name);
}

void
http_get_stats(const struct http_server *s, struct http_stats *out)
{
	*out = s->stats;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct listener *l = cls;
	char msg[300];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_info("http %s: %s", l->addr, msg);
}

/* Equal without leaking where they differ through the time taken. */
static bool
same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = (unsigned char)(la != lb);

	for (size_t i = 0; i < lb; i++)
		d |= (unsigned char)(a[i % (la ? la : 1)] ^ b[i]);
	return d == 0 && la == lb;
}

static enum MHD_Result
queue(struct http_server *s, struct MHD_Connection *c, struct http_resp *r)
{
	struct MHD_Response *resp;

	if (r->static_body) {
		resp = MHD_create_response_from_buffer(r->static_len,
		    (void *)(uintptr_t)r->static_body, MHD_RESPMEM_PERSISTENT);
	} else if (r->body.len == 0) {
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	} else {
		resp = MHD_create_response_from_buffer(r->body.len, r->body.data,
		    MHD_RESPMEM_MUST_FREE);
		r->body.data = NULL;
	}
	buf_free(&r->body);
	if (!resp)
		return MHD_NO;
	if (r->content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (r->html) {
		MHD_add_response_header(resp, "Content-Security-Policy", CSP);
		MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	}
	if (r->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (r->etag)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
	if (r->location[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
	s->stats.requests++;
	if (r->status >= 500)
		s->stats.errors_5xx++;
	else if (r->status >= 400)
		s->stats.errors_4xx++;
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
plain_error(struct http_resp *r, int status, const char *text)
{
	r->status = status;
	r->content_type = "text/plain; charset=utf-8";
	buf_reset(&r->body);
	buf_printf(&r->body, "%s\n", text);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct listener *l = cls;
	struct http_server *s = l->srv;
	struct http_resp r = {.status = 200};
	bool head = !strcmp(method, MHD_HTTP_METHOD_HEAD); /* MHD leaves the body out itself */

	(void)version;
	(void)upload_data;
	/* A body is not wanted: refuse it rather than read it. */
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!head && strcmp(method, MHD_HTTP_METHOD_GET)) {
		plain_error(&r, 405, "only GET and HEAD");
		r.allow = "GET, HEAD";
		return queue(s, c, &r);
	}
	/* The first call comes with the headers; answering on the second (the request complete)
	 * lets MHD keep the connection alive for the next scrape. */
	if (*con_cls == NULL) {
		*con_cls = (void *)1;
		return MHD_YES;
	}
	if (s->auth) {
		char *pass = NULL;
		char *user = MHD_basic_auth_get_username_password(c, &pass);
		bool ok =
		    user && pass && same_secret(user, s->user) && same_secret(pass, s->password);
		MHD_free(user);
		MHD_free(pass);
		if (!ok) {
			struct MHD_Response *resp =
			    MHD_create_response_from_buffer(strlen("authentication required\n"),
			        (void *)"authentication required\n", MHD_RESPMEM_PERSISTENT);
			if (!resp)
				return MHD_NO;
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
			    "text/plain; charset=utf-8");
			s->stats.requests++;
			s->stats.auth_failures++;
			enum MHD_Result ret =
			    MHD_queue_basic_auth_fail_response(c, "clockwatch", resp);
			MHD_destroy_response(resp);
			return ret;
		}
	}
	struct http_req req = {c, method, url};
	s->fn(s->data, &req, &r);
	return queue(s, c, &r);
}

static void run_listener(struct listener *l);

static void
timer_cb(struct loop *lp, void *data)
{
	(void)lp;
	run_listener(data);
}

static void
fd_cb(struct loop *lp, int fd, short revents, void *data)
{
	(void)lp;
	(void)fd;
	(void)revents;
	run_listener(data);
}

/* Lets MHD do what is ready, then arms the timer for its next deadline (idle timeouts). */
static void
run_listener(struct listener *l)
{
	MHD_UNSIGNED_LONG_LONG ms = 0;

	(void)MHD_run(l->d);
	if (MHD_get_timeout(l->d, &ms) == MHD_YES) {
		if (ms > 60000)
			ms = 60000;
		loop_timer_arm(l->srv->loop, &l->tm,
		    loop_now_ns(l->srv->loop) + (int64_t)ms * 1000000 + 1000000, timer_cb, l);
	} else {
		loop_timer_cancel(l->srv->loop, &l->tm);
	}
}

static int
read_small_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	char *b = xmalloc(MAX_FILE_BYTES + 1);
	size_t n = 0;
	ssize_t r;
	while (n < MAX_FILE_BYTES && (r = read(fd, b + n, MAX_FILE_BYTES - n)) > 0)
		n += (size_t)r;
	int e = errno;
	close(fd);
	if (r < 0 && n == 0) {
		free(b);
		return -e;
	}
	if (n >= MAX_FILE_BYTES) {
		free(b);
		return -EFBIG;
	}
	b[n] = '\0';
	*out = b;
	if (len)
		*len = n;
	return 0;
}

static int
load_secrets(struct http_server *s, const struct http_opts *o)
{
	int r;

	if (o->tls_cert_file) {
		if ((r = read_small_file(o->tls_cert_file, &s->cert, NULL)) < 0) {
			log_errno(LOG_LVL_ERROR, r, "http_tls_cert %s", o->tls_cert_file);
			return r;
		}
		if ((r = read_small_file(o->tls_key_file, &s->key, NULL)) < 0) {
			log_errno(LOG_LVL_ERROR, r, "http_tls_key %s", o->tls_key_file);
			return r;
		}
	}
	if (o->user) {
		char *p;
		size_t n;
		if ((r = read_small_file(o->password_file, &p, &n)) < 0) {
			log_errno(LOG_LVL_ERROR, r, "http_password_file %s", o->password_file);
			return r;
		}
		n = strcspn(p, "\r\n");
		if (n == 0 || n >= sizeof(s->password)) {
			log_error("http_password_file %s: the first line must hold the password "
			          "(1 to %zu bytes)",
			    o->password_file, sizeof(s->password) - 1);
			free(p);
			return -EINVAL;
		}
		memcpy(s->password, p, n);
		s->password[n] = '\0';
		explicit_bzero(p, n);
		free(p);
		snprintf(s->user, sizeof(s->user), "%s", o->user);
		s->auth = true;
	}
	return 0;
}

static int
listen_one(struct http_server *s, const struct http_opts *o, const char *spec)
{
	struct hostspec hs;
	char err[160];
	struct sockaddr_storage ss;
	struct listener *l = &s->ls[s->n];
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_SUPPRESS_DATE_NO_CLOCK;

	memset(&ss, 0, sizeof(ss));
	if (strutil_parse_hostspec(spec, &hs, err, sizeof(err)) < 0) {
		log_error("http_listen %s: %s", spec, err);
		return -EINVAL;
	}
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, hs.host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(hs.port);
	} else if (inet_pton(AF_INET6, hs.host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(hs.port);
		flags |= MHD_USE_IPv6;
	} else {
		log_error("http_listen %s: not a numeric address", spec);
		return -EINVAL;
	}
	if (s->cert)
		flags |= MHD_USE_TLS;
	l->srv = s;
	snprintf(l->addr, sizeof(l->addr), "%s", spec);
	struct MHD_OptionItem tls[] = {
	    {MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert},
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, s->key},
	    {MHD_OPTION_END, 0, NULL},
	};
	l->d = MHD_start_daemon(flags, hs.port, NULL, NULL, on_request, l, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&ss, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, l,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)o->per_ip_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout_s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY, MHD_OPTION_LISTEN_BACKLOG_SIZE,
	    64u, MHD_OPTION_ARRAY, s->cert ? tls : tls + 2, MHD_OPTION_END);
	if (!l->d) {
		int e = errno ? errno : EADDRNOTAVAIL;
		log_errno(LOG_LVL_ERROR, -e, "http_listen %s: cannot listen", spec);
		return -e;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_EPOLL_FD);
	l->epfd = di ? di->epoll_fd : -1;
	if (l->epfd < 0 || loop_add_fd(s->loop, l->epfd, POLLIN, fd_cb, l) < 0) {
		log_error("http_listen %s: no epoll descriptor", spec);
		MHD_stop_daemon(l->d);
		l->d = NULL;
		return -EIO;
	}
	s->n++;
	log_notice("http: listening on %s%s%s", spec, s->cert ? " (TLS)" : "",
	    s->auth ? " (basic auth)" : "");
	run_listener(l);
	return 0;
}

int
http_start(struct loop *l, const struct http_opts *o, http_handler fn, void *data,
    struct http_server **out)
{
	struct http_server *s = xcalloc(1, sizeof(*s));
	int r = 0;

	s->loop = l;
	s->fn = fn;
	s->data = data;
	if ((r = load_secrets(s, o)) < 0)
		goto fail;
	for (size_t i = 0; i < o->n_listen && i < MAX_LISTEN; i++)
		if ((r = listen_one(s, o, o->listen[i])) < 0)
			goto fail;
	*out = s;
	return 0;
fail:
	http_stop(s);
	return r;
}

void
http_stop(struct http_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		loop_timer_cancel(s->loop, &s->ls[i].tm);
		loop_remove_fd(s->loop, s->ls[i].epfd);
		MHD_stop_daemon(s->ls[i].d);
	}
	if (s->key) {
		explicit_bzero(s->key, strlen(s->key));
		free(s->key);
	}
	free(s->cert);
	explicit_bzero(s->password, sizeof(s->password));
	free(s);
}
