/* nokts.c: an LD_PRELOAD shim for test daemons only. It makes setsockopt(SO_TIMESTAMP*) a
 * no-op, so a daemon under libfaketime takes its receive timestamps from its own (faked) clock
 * instead of the kernel's real one. Without it chronyd reports offsets under 1 s halved
 * (TESTBED.md §3). Never loaded into clockwatch itself. */
#include <dlfcn.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*setsockopt_fn)(int, int, int, const void *, socklen_t);

int setsockopt(int fd, int level, int name, const void *val, socklen_t len);

int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static setsockopt_fn real;

	if (level == SOL_SOCKET &&
	    (name == SO_TIMESTAMP || name == SO_TIMESTAMPNS || name == SO_TIMESTAMPING))
		return 0;
	if (!real) {
		void *sym = dlsym(RTLD_NEXT, "setsockopt");
		memcpy(&real, &sym, sizeof(real));
	}
	return real(fd, level, name, val, len);
}
