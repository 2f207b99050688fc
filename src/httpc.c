/* httpc.c: libcurl's multi "socket" interface on loop.c: curl says which descriptors to watch
 * (CURLMOPT_SOCKETFUNCTION) and when to wake it (CURLMOPT_TIMERFUNCTION); the loop calls
 * curl_multi_socket_action back, and finished transfers are collected after each call. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpc.h"
#include "log.h"
#include "loop.h"
#include "xalloc.h"

#define MAX_REPLY 4096 /* of a reply body we keep nothing; this bounds what curl hands us */

struct httpc {
	struct loop *loop;
	CURLM *multi;
	struct loop_timer tm;
	int pending;
	struct req *reqs; /* in flight */
};

struct req {
	struct httpc *c;
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	httpc_done_fn done;
	void *data;
	char err[CURL_ERROR_SIZE];
	size_t got;
	struct req *prev, *next;
};

static void collect(struct httpc *c);

static void
fd_cb(struct loop *l, int fd, short revents, void *data)
{
	struct httpc *c = data;
	int mask = 0, running;

	(void)l;
	if (revents & POLLIN)
		mask |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		mask |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		mask |= CURL_CSELECT_ERR;
	curl_multi_socket_action(c->multi, fd, mask, &running);
	collect(c);
}

static void
timer_cb(struct loop *l, void *data)
{
	struct httpc *c = data;
	int running;

	(void)l;
	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	collect(c);
}

static int
socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct httpc *c = userp;

	(void)easy;
	(void)socketp;
	loop_remove_fd(c->loop, s);
	if (what == CURL_POLL_REMOVE)
		return 0;
	short ev =
	    (short)((what & CURL_POLL_IN ? POLLIN : 0) | (what & CURL_POLL_OUT ? POLLOUT : 0));
	if (loop_add_fd(c->loop, s, ev, fd_cb, c) < 0)
		return -1;
	return 0;
}

static int
timerfn_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct httpc *c = userp;

	(void)multi;
	if (timeout_ms < 0)
		loop_timer_cancel(c->loop, &c->tm);
	else
		loop_timer_arm(c->loop, &c->tm,
		    loop_now_ns(c->loop) + (int64_t)timeout_ms * 1000000, timer_cb, c);
	return 0;
}

/* The reply's body is not needed: count it (bounded) and drop it. */
static size_t
write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct req *r = userdata;
	size_t n = size * nmemb;

	(void)ptr;
	r->got += n;
	return r->got > MAX_REPLY * 256 ? 0 : n;
}

static void
req_free(struct req *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		r->c->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	curl_multi_remove_handle(r->c->multi, r->easy);
	curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->headers);
	free(r->body);
	free(r);
}

static void
collect(struct httpc *c)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(c->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct req *r = NULL;
		long status = 0;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		if (!r)
			continue;
		CURLcode rc = m->data.result;
		if (rc == CURLE_OK)
			curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
		const char *err =
		    rc == CURLE_OK ? "" : (r->err[0] ? r->err : curl_easy_strerror(rc));
		c->pending--;
		httpc_done_fn done = r->done;
		void *data = r->data;
		char msg[CURL_ERROR_SIZE];
		snprintf(msg, sizeof(msg), "%s", err);
		req_free(r);
		done(data, status, msg);
	}
}

int
httpc_new(struct loop *l, struct httpc **out)
{
	static bool inited;

	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return -EIO;
		inited = true;
	}
	struct httpc *c = xcalloc(1, sizeof(*c));
	c->loop = l;
	c->multi = curl_multi_init();
	if (!c->multi) {
		free(c);
		return -ENOMEM;
	}
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, timerfn_cb);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 8L);
	*out = c;
	return 0;
}

void
httpc_free(struct httpc *c)
{
	if (!c)
		return;
	while (c->reqs)
		req_free(c->reqs);
	loop_timer_cancel(c->loop, &c->tm);
	curl_multi_cleanup(c->multi);
	free(c);
}

int
httpc_pending(const struct httpc *c)
{
	return c->pending;
}

int
httpc_post(struct httpc *c, const char *url, const char *content_type, const char *body,
    int64_t timeout_ns, httpc_done_fn done, void *data)
{
	struct req *r = xcalloc(1, sizeof(*r));
	char ct[128];
	long ms = (long)(timeout_ns / 1000000);

	r->c = c;
	r->done = done;
	r->data = data;
	r->body = xstrdup(body);
	r->easy = curl_easy_init();
	if (!r->easy) {
		free(r->body);
		free(r);
		return -ENOMEM;
	}
	snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
	r->headers = curl_slist_append(NULL, ct);
	r->headers = curl_slist_append(r->headers, "Expect:");
	curl_easy_setopt(r->easy, CURLOPT_URL, url);
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, ms > 0 ? ms : 1L);
	curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS, ms > 0 ? ms : 1L);
	curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(r->easy, CURLOPT_USERAGENT, "clockwatch/" CW_VERSION);
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->err);
	curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
	if (curl_multi_add_handle(c->multi, r->easy) != CURLM_OK) {
		curl_easy_cleanup(r->easy);
		curl_slist_free_all(r->headers);
		free(r->body);
		free(r);
		return -EIO;
	}
	c->pending++;
	r->next = c->reqs;
	if (c->reqs)
		c->reqs->prev = r;
	c->reqs = r;
	return 0;
}
