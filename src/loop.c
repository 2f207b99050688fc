/* loop.c: poll() over a small fd table plus a binary heap of monotonic timers.
 *
 * Why poll and not epoll: the fd set is small and changes between iterations (later: sd-bus and
 * libmicrohttpd ask for different events each time); rebuilding a pollfd array is cheaper than
 * epoll bookkeeping at this size. Timers are a heap so that ten thousand probes stay O(log n). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>

#include "loop.h"
#include "sock.h"
#include "xalloc.h"

struct watch {
	int fd;
	short events;
	loop_fd_fn fn;
	void *data;
};

struct loop {
	struct watch *w;
	size_t nw, capw;
	struct pollfd *pfd;
	struct loop_timer **heap;
	size_t nheap, capheap;
	int64_t now_ns;
	bool stop;
};

struct loop *
loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof(*l));

	l->now_ns = sock_monotonic_ns();
	return l;
}

void
loop_free(struct loop *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nheap; i++)
		l->heap[i]->heap_idx = 0;
	free(l->w);
	free(l->pfd);
	free(l->heap);
	free(l);
}

int
loop_add_fd(struct loop *l, int fd, short events, loop_fd_fn fn, void *data)
{
	for (size_t i = 0; i < l->nw; i++)
		if (l->w[i].fd == fd)
			return -EEXIST;
	if (l->nw == l->capw) {
		l->capw = l->capw ? 2 * l->capw : 8;
		l->w = xreallocarray(l->w, l->capw, sizeof(*l->w));
		l->pfd = xreallocarray(l->pfd, l->capw, sizeof(*l->pfd));
	}
	l->w[l->nw++] = (struct watch){fd, events, fn, data};
	return 0;
}

void
loop_remove_fd(struct loop *l, int fd)
{
	for (size_t i = 0; i < l->nw; i++)
		if (l->w[i].fd == fd) {
			l->w[i] = l->w[--l->nw];
			return;
		}
}

static void
heap_set(struct loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->heap_idx = i + 1;
}

static void
sift_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (l->heap[p]->deadline_ns <= t->deadline_ns)
			break;
		heap_set(l, i, l->heap[p]);
		i = p;
	}
	heap_set(l, i, t);
}

static void
sift_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && l->heap[c + 1]->deadline_ns < l->heap[c]->deadline_ns)
			c++;
		if (t->deadline_ns <= l->heap[c]->deadline_ns)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

void
loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	if (!t->heap_idx)
		return;
	size_t i = t->heap_idx - 1;
	t->heap_idx = 0;
	if (i == --l->nheap)
		return;
	struct loop_timer *moved = l->heap[l->nheap];
	heap_set(l, i, moved);
	sift_up(l, i);
	sift_down(l, moved->heap_idx - 1);
}

void
loop_timer_arm(struct loop *l, struct loop_timer *t, int64_t deadline_ns, loop_timer_fn fn,
    void *data)
{
	loop_timer_cancel(l, t);
	t->deadline_ns = deadline_ns;
	t->fn = fn;
	t->data = data;
	if (l->nheap == l->capheap) {
		l->capheap = l->capheap ? 2 * l->capheap : 64;
		l->heap = xreallocarray(l->heap, l->capheap, sizeof(*l->heap));
	}
	heap_set(l, l->nheap++, t);
	sift_up(l, l->nheap - 1);
}

int64_t
loop_now_ns(const struct loop *l)
{
	return l->now_ns;
}

void
loop_stop(struct loop *l)
{
	l->stop = true;
}

static void
run_timers(struct loop *l)
{
	/* Bounded: at most 256 timers per pass (re-armed ones wait for the next), so that ten
	 * thousand due sends interleave with reading the replies they cause. */
	size_t budget = l->nheap < 256 ? l->nheap : 256;

	while (l->nheap > 0 && budget-- > 0 && l->heap[0]->deadline_ns <= l->now_ns && !l->stop) {
		struct loop_timer *t = l->heap[0];
		loop_timer_cancel(l, t);
		t->fn(l, t->data);
	}
}

static int
poll_timeout_ms(const struct loop *l, int64_t deadline_ns)
{
	int64_t next = l->nheap ? l->heap[0]->deadline_ns : 0;

	if (deadline_ns && (!next || deadline_ns < next))
		next = deadline_ns;
	if (!next)
		return -1;
	int64_t d = next - l->now_ns;
	if (d <= 0)
		return 0;
	return (int)((d + 999999) / 1000000);
}

int
loop_run(struct loop *l, int64_t deadline_ns)
{
	l->stop = false;
	while (!l->stop && (l->nw > 0 || l->nheap > 0)) {
		l->now_ns = sock_monotonic_ns();
		if (deadline_ns && l->now_ns >= deadline_ns)
			break;
		run_timers(l);
		if (l->stop)
			break;
		size_t n = l->nw;
		for (size_t i = 0; i < n; i++)
			l->pfd[i] = (struct pollfd){.fd = l->w[i].fd, .events = l->w[i].events};
		int r = poll(l->pfd, n, poll_timeout_ms(l, deadline_ns));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		l->now_ns = sock_monotonic_ns();
		for (size_t i = 0; i < n && r > 0 && !l->stop; i++) {
			if (!l->pfd[i].revents)
				continue;
			r--;
			/* Find the watch again: an earlier callback may have removed or moved it.
			 */
			for (size_t j = 0; j < l->nw; j++)
				if (l->w[j].fd == l->pfd[i].fd) {
					l->w[j].fn(l, l->w[j].fd, l->pfd[i].revents, l->w[j].data);
					break;
				}
		}
	}
	return 0;
}
