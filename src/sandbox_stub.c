/* sandbox_stub.c: sandbox_apply for builds without libseccomp (-Dseccomp=disabled or no
 * libseccomp-dev): says so and lets the agent run unfiltered, as with "seccomp off". */
#include "config.h"

#include "log.h"
#include "sandbox.h"

int
sandbox_apply(void)
{
	log_warning("seccomp: built without seccomp (libseccomp); the agent runs unfiltered");
	return 0;
}
