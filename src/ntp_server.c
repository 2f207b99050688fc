/* ntp_server.c: the reply to an NTP client request (RFC 5905 §8, §9.2, App. A.5.3 fast_xmit)
 * and a token bucket to rate-limit clients. Pure: no clock is read, no socket touched.
 *
 * Units: timestamps are raw NTP 32.32; root delay and dispersion double seconds; the bucket's
 * times int64 ns on the caller's monotonic clock. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ntp_server.h"
#include "timeutil.h"
#include "wire_ntp.h"

/* RFC 5905 §7.2: frequency tolerance (15 ppm) and the maximum dispersion (16 s). */
#define PHI 15e-6
#define MAXDISP_S 16.0
#define MAX_STRATUM_SENT 15

/* Whether c describes a usable synchronized clock: anything out of range counts as not. */
static bool
clock_is_synced(const struct ntp_server_clock *c)
{
	return c && c->synchronized && c->stratum >= 1 && c->stratum <= MAX_STRATUM_SENT &&
	    c->leap >= 0 && c->leap <= 2 && isfinite(c->root_delay_s) && c->root_delay_s >= 0 &&
	    isfinite(c->root_disp_s) && c->root_disp_s >= 0;
}

static int
clamp_precision(int p)
{
	return p < -32 ? -32 : p > 0 ? 0 : p;
}

/* The root dispersion we vouch for: the host's at its last update, plus what this hop adds (the
 * resolution of our own timestamps, 2^precision) and PHI times the time since that update, as
 * RFC 5905 grows dispersion (§11.3). When the caller's value already includes that growth (chrony
 * reports it up to the moment asked), this overstates it by PHI x the age, which is the safe side.
 */
static double
root_disp_now(const struct ntp_server_clock *c, uint64_t tx_ts)
{
	double d = c->root_disp_s + timeutil_log2_to_s(clamp_precision(c->precision));

	if (c->reftime != 0) {
		double age_s = timeutil_ntp64_diff_s(tx_ts, c->reftime);
		if (age_s > 0)
			d += PHI * age_s;
	}
	return d;
}

/* Fills the fields that say how good our time is. Unsynchronized, we send what RFC 5905 §7.3
 * prescribes for a server without a source: LI 3 (alarm) and stratum 0, to which the RFC maps
 * MAXSTRAT (16) "in transmitted packets" (as ntpd and chrony do); refid 0 (no reference; not a
 * kiss code: chrony sends the same, while ntpd's INIT would claim we never synchronized); root
 * dispersion MAXDISP, so that even a client that ignores LI and stratum finds the root distance
 * over its limit. Receive and transmit stay true: a peer measuring this host's clock (a cluster
 * agent) still gets its offset, which matters most exactly when it is unsynchronized. */
static void
fill_quality(struct ntp_packet *p, const struct ntp_server_clock *c, uint64_t tx_ts)
{
	if (!clock_is_synced(c)) {
		p->leap = WIRE_NTP_LEAP_UNSYNC;
		p->stratum = 0;
		p->root_dispersion = timeutil_s_to_ntp_short(MAXDISP_S);
		return;
	}
	/* One stratum below the host: the host's own NTP service, when it has one, is the better
	 * source, and a client with both ranks ours after it. */
	p->leap = (uint8_t)c->leap;
	p->stratum = (uint8_t)(c->stratum < MAX_STRATUM_SENT ? c->stratum + 1 : MAX_STRATUM_SENT);
	memcpy(p->refid, &c->refid, sizeof(p->refid));
	p->root_delay = timeutil_s_to_ntp_short(c->root_delay_s);
	p->root_dispersion = timeutil_s_to_ntp_short(root_disp_now(c, tx_ts));
	p->reference_ts = c->reftime;
	/* A reference time after our transmit time fails the client's sanity test (and cannot be
	 * right): say "now" instead. */
	if (p->reference_ts != 0 && timeutil_ntp64_diff_s(p->reference_ts, tx_ts) > 0)
		p->reference_ts = tx_ts;
}

size_t
ntp_server_reply(const void *req, size_t len, const struct ntp_server_clock *c, uint64_t rx_ts,
    uint64_t tx_ts, uint8_t *out, size_t out_len)
{
	struct ntp_packet q, p;

	/* Exactly one bare header: extension fields (NTS and others) we do not implement, and a
	 * MAC asks for a key we do not hold. RFC 5905 would answer a failed MAC with a crypto-NAK,
	 * which is longer than 48 octets; an unauthenticated answer would be dropped by the client
	 * anyway. Silence costs nothing and reflects nothing. */
	if (len != WIRE_NTP_HEADER_LEN || out_len < WIRE_NTP_HEADER_LEN)
		return 0;
	if (wire_ntp_decode(req, len, &q, NULL) != WIRE_NTP_OK || q.mode != WIRE_NTP_MODE_CLIENT)
		return 0;
	memset(&p, 0, sizeof(p));
	p.version = q.version; /* RFC 5905 §9.2: the reply carries the request's version */
	p.mode = WIRE_NTP_MODE_SERVER;
	p.poll = q.poll;
	p.precision = (int8_t)clamp_precision(c ? c->precision : 0);
	p.origin_ts = q.transmit_ts;
	p.receive_ts = rx_ts;
	p.transmit_ts = tx_ts;
	fill_quality(&p, c, tx_ts);
	wire_ntp_encode(&p, out);
	return WIRE_NTP_HEADER_LEN;
}

bool
ntp_rate_take(struct ntp_rate *r, double rate_per_s, double burst, int64_t now_ns)
{
	if (!(burst >= 1))
		burst = 1;
	if (!(rate_per_s >= 0))
		rate_per_s = 0;
	if (r->last_ns == 0) {
		r->tokens = burst;
	} else if (now_ns > r->last_ns) {
		/* In double from the start: a gap of years times any rate stays finite. */
		double add = (double)(now_ns - r->last_ns) / 1e9 * rate_per_s;
		r->tokens = fmin(burst, r->tokens + add);
	}
	if (!(r->tokens <= burst))
		r->tokens = burst; /* a lowered burst, or a corrupt state, caps here */
	/* A clock that went backwards refills nothing: last_ns stays the latest time seen. */
	if (now_ns > r->last_ns)
		r->last_ns = now_ns;
	if (r->tokens < 1)
		return false;
	r->tokens -= 1;
	return true;
}
