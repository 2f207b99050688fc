/* resolve.c: batch name resolution on glibc's getaddrinfo_a helper threads. The only threads
 * clockwatch has are glibc's; they touch nothing of ours but an eventfd. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "resolve.h"
#include "xalloc.h"

struct req {
	struct gaicb cb;
	struct addrinfo hints;
	struct addrinfo *numeric; /* answered without the resolver */
	int err;                  /* getaddrinfo status of a finished request */
	int done;
	char *host;
};

struct resolve {
	int efd;
	size_t n;
	struct req **reqs;
};

/* Requests glibc could not cancel stay reachable here until the process exits. */
static struct req **parked;
static size_t n_parked;

static void
notify(union sigval v)
{
	uint64_t one = 1;

	(void)!write(v.sival_int, &one, sizeof(one));
}

struct resolve *
resolve_start(const char *const *hosts, size_t n, int family, int *err)
{
	struct resolve *r = xcalloc(1, sizeof(*r));
	struct gaicb **list = xcalloc(n ? n : 1, sizeof(*list));
	size_t nlist = 0;

	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0) {
		*err = -errno;
		free(list);
		free(r);
		return NULL;
	}
	r->n = n;
	r->reqs = xcalloc(n ? n : 1, sizeof(*r->reqs));
	for (size_t i = 0; i < n; i++) {
		struct req *q = r->reqs[i] = xcalloc(1, sizeof(*q));
		q->host = xstrdup(hosts[i]);
		q->hints.ai_family = family;
		q->hints.ai_socktype = SOCK_DGRAM;
		q->hints.ai_protocol = IPPROTO_UDP;
		q->hints.ai_flags = AI_NUMERICHOST;
		q->err = getaddrinfo(q->host, NULL, &q->hints, &q->numeric);
		if (q->err != EAI_NONAME) {
			q->done = 1;
			continue;
		}
		q->hints.ai_flags = AI_ADDRCONFIG;
		q->cb.ar_name = q->host;
		q->cb.ar_request = &q->hints;
		list[nlist++] = &q->cb;
	}
	if (nlist > 0) {
		struct sigevent sev = {.sigev_notify = SIGEV_THREAD,
		    .sigev_notify_function = notify,
		    .sigev_value.sival_int = r->efd};
		/* On failure gai_error() tells, request by request, which were not queued. */
		if (getaddrinfo_a(GAI_NOWAIT, list, (int)nlist, &sev) != 0)
			notify((union sigval){.sival_int = r->efd});
	} else {
		notify((union sigval){.sival_int = r->efd});
	}
	free(list);
	return r;
}

int
resolve_fd(const struct resolve *r)
{
	return r->efd;
}

void
resolve_drain(struct resolve *r)
{
	uint64_t v;

	(void)!read(r->efd, &v, sizeof(v));
	for (size_t i = 0; i < r->n; i++) {
		struct req *q = r->reqs[i];
		if (q->done)
			continue;
		int e = gai_error(&q->cb);
		if (e == EAI_INPROGRESS)
			continue;
		q->done = 1;
		q->err = e;
	}
}

int
resolve_result(struct resolve *r, size_t i, const struct addrinfo **res, const char **errstr)
{
	struct req *q = r->reqs[i];

	if (!q->done)
		return 0;
	*res = q->numeric ? q->numeric : (q->err == 0 ? q->cb.ar_result : NULL);
	*errstr =
	    q->err == 0 ? NULL : (q->err == EAI_SYSTEM ? strerror(errno) : gai_strerror(q->err));
	if (!*res && !*errstr)
		*errstr = "no address";
	return 1;
}

void
resolve_free(struct resolve *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct req *q = r->reqs[i];
		if (!q->done && q->cb.ar_name && gai_cancel(&q->cb) == EAI_NOTCANCELED) {
			parked = xreallocarray(parked, n_parked + 1, sizeof(*parked));
			parked[n_parked++] = q;
			continue;
		}
		if (q->numeric)
			freeaddrinfo(q->numeric);
		if (q->cb.ar_result)
			freeaddrinfo(q->cb.ar_result);
		free(q->host);
		free(q);
	}
	close(r->efd);
	free(r->reqs);
	free(r);
}
