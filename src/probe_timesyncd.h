/* probe_timesyncd.h: systemd-timesyncd's state, read over the D-Bus system bus (PROTOCOLS.md §4).
 *
 * One call reads org.freedesktop.timesync1.Manager (all properties in one GetAll) and, when
 * systemd-timedated happens to be running, three org.freedesktop.timedate1 properties. Neither
 * service is ever started by the read: the probe asks the bus whether the name has an owner
 * first and sends every call with the no-auto-start flag, so a stopped timesyncd reads as "not
 * running" instead of being bus-activated (PROTOCOLS.md §4.1). The bus is the one named by
 * DBUS_SYSTEM_BUS_ADDRESS, else /run/dbus/system_bus_socket. The whole read, connection and
 * authentication included, is bounded by the caller's timeout.
 *
 * Built from probe_timesyncd.c with libsystemd (sd-bus), else from probe_timesyncd_stub.c. */
#ifndef CLOCKWATCH_PROBE_TIMESYNCD_H
#define CLOCKWATCH_PROBE_TIMESYNCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macros.h"
#include "timesyncd_msg.h"

/* Server names kept per list, and bytes per name (longer names are cut and flagged). */
#define PROBE_TIMESYNCD_MAX_SERVERS 16
#define PROBE_TIMESYNCD_NAME_LEN 256
#define PROBE_TIMESYNCD_REASON_LEN 256

/* One of the four server lists (an "as" property). */
struct timesyncd_servers {
	size_t n;          /* names kept, at most PROBE_TIMESYNCD_MAX_SERVERS */
	size_t n_total;    /* names the daemon listed */
	bool is_truncated; /* n < n_total, or a name was cut */
	char names[PROBE_TIMESYNCD_MAX_SERVERS][PROBE_TIMESYNCD_NAME_LEN];
};

/* org.freedesktop.timedate1; read only when timedated already runs (it exits when idle). Each
 * value has its own flag: without systemd as PID 1, timedated fails CanNTP and NTP (it asks
 * systemd for the units) but still answers NTPSynchronized. */
struct timedate_state {
	bool is_running;
	bool has_ntp, has_ntp_synchronized, has_can_ntp;
	bool is_ntp;              /* NTP: an NTP unit is active */
	bool is_ntp_synchronized; /* NTPSynchronized: the kernel's maxerror < 16 s */
	bool can_ntp;             /* CanNTP: an NTP unit exists */
	char
	    reason[PROBE_TIMESYNCD_REASON_LEN]; /* why some or all values are missing; "" if none */
};

struct timesyncd_state {
	/* On failure: what went wrong, for people ("timesyncd: not running (...)"). "" on success.
	 */
	char reason[PROBE_TIMESYNCD_REASON_LEN];
	bool is_running; /* org.freedesktop.timesync1 had an owner */

	char server_name[PROBE_TIMESYNCD_NAME_LEN]; /* "" while timesyncd has no server */
	struct timesyncd_msg_addr server_address;   /* family 0 while it has none */
	struct timesyncd_msg msg;                   /* the last response (NTPMessage) */
	int64_t poll_interval_ns;                   /* PollIntervalUSec */
	int64_t poll_interval_min_ns;               /* PollIntervalMinUSec */
	int64_t poll_interval_max_ns;               /* PollIntervalMaxUSec */
	int64_t root_distance_max_ns;               /* RootDistanceMaxUSec; INT64_MAX: infinity */
	int64_t frequency_scaled;                   /* Frequency: kernel timex.freq, ppm * 2^16 */
	double freq_ppm;                            /* the same in ppm */
	struct timesyncd_servers system_servers;    /* SystemNTPServers: NTP= */
	struct timesyncd_servers link_servers;      /* LinkNTPServers: from networkd */
	struct timesyncd_servers runtime_servers;   /* RuntimeNTPServers: SetRuntimeNTPServers */
	struct timesyncd_servers fallback_servers;  /* FallbackNTPServers: FallbackNTP= */
	bool
	    has_runtime_servers; /* the daemon lists RuntimeNTPServers (252 does, older ones not) */

	struct timedate_state timedate;
};

/* Reads timesyncd's state into *out within timeout_us (> 0) microseconds. Returns 0, or:
 *   -EINVAL        timeout_us <= 0
 *   -EOPNOTSUPP    built without libsystemd
 *   -ENOENT, -ECONNREFUSED, -ECONNRESET, ...   no usable system bus
 *   -ESRCH         timesyncd is not running (the name has no owner); out->is_running is false
 *   -EACCES        the bus policy denied the read
 *   -ETIMEDOUT     the bus or timesyncd did not answer in time
 *   -EBADMSG       timesyncd answered something else than PROTOCOLS.md §4 describes
 * and out->reason says which in words. timedate1 trouble never fails the call: it is noted in
 * out->timedate.reason. */
int probe_timesyncd_read(struct timesyncd_state *out, int64_t timeout_us) CW_MUST_CHECK;

#endif
