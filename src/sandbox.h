/* sandbox.h: the agent's optional seccomp filter ("seccomp on" in clockwatch.conf(5)): an
 * allowlist of the system calls the running agent and its alarm_command need; anything else
 * fails with EPERM. Built with libseccomp (meson feature 'seccomp'); sandbox_stub.c otherwise. */
#ifndef CLOCKWATCH_SANDBOX_H
#define CLOCKWATCH_SANDBOX_H

/* Installs the filter on every thread of the process (and so on every child it forks). Call
 * once, after start-up: the store open, the HTTP side and the responder started, the signals
 * set up. Logs what it did. Returns 0, or a negative errno when the filter could not be
 * installed; the stub logs "built without seccomp" and returns 0 (nothing asked could fail). */
int sandbox_apply(void);

#endif
