/* service.h: the systemd service protocol without libsystemd: sd_notify's datagram to
 * $NOTIFY_SOCKET (READY=1, WATCHDOG=1, STATUS=..., STOPPING=1), and the watchdog interval from
 * $WATCHDOG_USEC. Nothing happens when the agent does not run under systemd. */
#ifndef CLOCKWATCH_SERVICE_H
#define CLOCKWATCH_SERVICE_H

#include <stdint.h>

/* Sends one notification ("READY=1\nSTATUS=..."); returns 0, or -errno (ignored by callers:
 * a lost notification must not stop the agent). */
int service_notify(const char *text);

/* Half the watchdog interval systemd asked for, in ns; 0 when none. */
int64_t service_watchdog_ns(void);

#endif
