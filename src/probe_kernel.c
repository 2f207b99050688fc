/* probe_kernel.c: one adjtimex(2) call with the whole struct zeroed, so modes = 0: a read. Any
 * other mode could change the clock; none is ever set here. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/timex.h>
#include <unistd.h>

#include "kclock.h"
#include "probe_kernel.h"

int
probe_kernel_read(struct kclock *out)
{
	struct timex tx;
	int rc;

	memset(&tx, 0, sizeof(tx));
	rc = adjtimex(&tx);
	if (rc < 0)
		return -errno;
	kclock_decode(&tx, rc, sysconf(_SC_CLK_TCK), out);
	return 0;
}
