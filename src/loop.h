/* loop.h: one poll() loop with file descriptors and monotonic timers (a binary heap), and "now"
 * cached per wake-up. Single-threaded; callbacks may add and remove fds and timers. */
#ifndef CLOCKWATCH_LOOP_H
#define CLOCKWATCH_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "macros.h"

struct loop;

typedef void (*loop_fd_fn)(struct loop *l, int fd, short revents, void *data);
typedef void (*loop_timer_fn)(struct loop *l, void *data);

/* A timer is embedded in its owner's struct; zero-initialise it before first use. */
struct loop_timer {
	int64_t deadline_ns; /* CLOCK_MONOTONIC */
	loop_timer_fn fn;
	void *data;
	size_t heap_idx; /* 0: not armed; else position + 1 */
};

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Watches fd for events (POLLIN, POLLOUT). One registration per fd. */
int loop_add_fd(struct loop *l, int fd, short events, loop_fd_fn fn, void *data) CW_MUST_CHECK;
void loop_remove_fd(struct loop *l, int fd);

/* Arms (or re-arms) t to fire at deadline_ns on the monotonic clock. */
void loop_timer_arm(struct loop *l, struct loop_timer *t, int64_t deadline_ns, loop_timer_fn fn,
    void *data);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);

/* Monotonic ns, read once per wake-up. */
int64_t loop_now_ns(const struct loop *l);

/* Runs until loop_stop(), until nothing is watched or armed, or until the monotonic deadline
 * (0: none). Returns 0, or -errno if poll() failed. */
int loop_run(struct loop *l, int64_t deadline_ns) CW_MUST_CHECK;
void loop_stop(struct loop *l);

#endif
