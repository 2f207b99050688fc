/* ntp_server.h: the server side of NTP mode 3/4 (RFC 5905), for clockwatch's own responder.
 * Pure: the request bytes, the host's clock state and both timestamps come in as arguments;
 * nothing here reads a clock or touches a socket (responder.c does that). */
#ifndef CLOCKWATCH_NTP_SERVER_H
#define CLOCKWATCH_NTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the host's time service says about the clock the responder reads. */
struct ntp_server_clock {
	bool synchronized; /* the host's time service says so */
	int stratum;       /* the host's stratum (1..15) when synchronized */
	uint32_t refid;    /* network order as on the wire (memcpy'd, like in_addr.s_addr); the
	                    * host's reference */
	double root_delay_s, root_disp_s; /* the host's, at reftime (grown here by PHI since) */
	int leap;                         /* 0..2 when synchronized (3 is forced when not) */
	int precision;                    /* log2 s; of the clock read for the timestamps */
	uint64_t reftime; /* NTP 64-bit timestamp of the host's last update, 0 unknown */
};

/* Builds the reply to one received datagram: only an NTP mode 3 (client) request of version
 * 1..4 and exactly 48 bytes is answered; anything else (other modes, short, odd lengths,
 * extension fields, a MAC we hold no key for) returns 0 (no reply). The reply is 48 bytes:
 * never larger than the request. rx_ts/tx_ts: the NTP timestamps of reception (kernel) and of
 * sending. Unsynchronized (or a clock state out of range): LI 3, stratum 0, refid 0, root
 * delay 0, root dispersion 16 s (MAXDISP), no reference time, but true receive and transmit
 * timestamps; synchronized: stratum + 1 (capped at 15), the host's refid, root delay, root
 * dispersion plus this hop's (2^precision + 15 ppm x the time since reftime), leap.
 * Returns the reply length (48) or 0. */
size_t ntp_server_reply(const void *req, size_t len, const struct ntp_server_clock *c,
    uint64_t rx_ts, uint64_t tx_ts, uint8_t *out, size_t out_len);

/* Token bucket per client: allowed rate per second and burst. Pure: time passed in. A zeroed
 * struct is a full bucket. */
struct ntp_rate {
	double tokens;
	int64_t last_ns;
};

/* Takes one token if there is one (refilled at rate_per_s up to burst since last_ns; now_ns on
 * a monotonic clock). Returns whether the request may be answered. */
bool ntp_rate_take(struct ntp_rate *r, double rate_per_s, double burst, int64_t now_ns);

#endif
