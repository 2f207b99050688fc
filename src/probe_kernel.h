/* probe_kernel.h: reads the kernel clock's NTP state with adjtimex(2), modes = 0 (read-only:
 * allowed for any user, never changes the clock). */
#ifndef CLOCKWATCH_PROBE_KERNEL_H
#define CLOCKWATCH_PROBE_KERNEL_H

#include "macros.h"

struct kclock;

/* Fills *out. Returns 0, or -errno (-EPERM under some seccomp profiles: no data, not an error
 * of the clock). */
int probe_kernel_read(struct kclock *out) CW_MUST_CHECK;

#endif
