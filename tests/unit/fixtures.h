/* fixtures.h: the times and the server reply the unit tests of filter, query and the renderers
 * share. All values are binary fractions of a second, so results can be compared exactly. */
#ifndef CLOCKWATCH_FIXTURES_H
#define CLOCKWATCH_FIXTURES_H

#include <stdint.h>

#include "timeutil.h"
#include "wire_ntp.h"

#define NS(s) ((int64_t)((s)*1e9 + ((s) < 0 ? -0.5 : 0.5))) /* seconds -> ns, rounded */
#define T1_NS (INT64_C(1700000000) * TIMEUTIL_NS_PER_S)     /* 2023-11-14 22:13:20 UTC */
#define P64 (1.0 / 64)                                      /* 15.625 ms */
#define P256 (1.0 / 256)                                    /* 3.90625 ms */

/* A synchronized stratum-2 server's reply to the request whose transmit timestamp was origin,
 * received at t2_ns and sent at t3_ns (server clock): root delay 1/64 s, root dispersion
 * 1/128 s, refid 192.0.2.1, reference time a minute before t2. */
static inline struct ntp_packet
fx_reply(uint64_t origin, int64_t t2_ns, int64_t t3_ns)
{
	return (struct ntp_packet){
	    .version = 4,
	    .mode = WIRE_NTP_MODE_SERVER,
	    .stratum = 2,
	    .poll = 6,
	    .precision = -20,
	    .root_delay = 0x00000400,      /* 1/64 s */
	    .root_dispersion = 0x00000200, /* 1/128 s */
	    .refid = {192, 0, 2, 1},
	    .reference_ts = timeutil_ns_to_ntp64(t2_ns - NS(64)),
	    .origin_ts = origin,
	    .receive_ts = timeutil_ns_to_ntp64(t2_ns),
	    .transmit_ts = timeutil_ns_to_ntp64(t3_ns),
	};
}

#endif
