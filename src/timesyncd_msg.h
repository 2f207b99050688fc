/* timesyncd_msg.h: systemd-timesyncd's D-Bus values decoded into units (PROTOCOLS.md §4.2, §4.3).
 *
 * timesyncd publishes its last server response as the NTPMessage property, signature
 * (uuuuittayttttbtt): leap, version, mode, stratum, precision (log2 s), root delay and root
 * dispersion (µs), the 4 reference-id octets, T1..T4 (µs since the Unix epoch: T1 and T4 local
 * CLOCK_REALTIME, T2 and T3 the server's), spike, packet count and jitter (µs). This file checks
 * those raw values (ranges, the refid length, the address family and length) and turns them into
 * the units clockwatch uses everywhere: ns time points, double seconds for offsets and delays.
 *
 * T2 and T3: timesyncd computes (NTP seconds - 2208988800) * 10^6 + fraction in unsigned 64-bit
 * arithmetic, so from 2036 (NTP era 1) the value wraps around. Read as signed it is the era-0
 * time; the decoder moves it into the era nearest T1, as RFC 5905 §6 suggests.
 *
 * Offset and delay use the RFC 5905 §8 definitions, the sign timedatectl also prints:
 *   offset = ((T2 - T1) + (T3 - T4)) / 2   positive when the server is ahead of this host
 *   delay  = (T4 - T1) - (T3 - T2)
 *
 * Pure: no D-Bus, no clock; the probe (probe_timesyncd.c) reads, this file only interprets. */
#ifndef CLOCKWATCH_TIMESYNCD_MSG_H
#define CLOCKWATCH_TIMESYNCD_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Linux address families as timesyncd sends them in ServerAddress (iay). */
#define TIMESYNCD_MSG_AF_INET 2
#define TIMESYNCD_MSG_AF_INET6 10
/* Longest text form of an address (INET6_ADDRSTRLEN), with the terminator. */
#define TIMESYNCD_MSG_ADDR_LEN 46

/* The NTPMessage fields exactly as read from the bus. reference points into the caller's
 * message and is only read during the call. */
struct timesyncd_msg_raw {
	uint32_t leap;
	uint32_t version;
	uint32_t mode;
	uint32_t stratum;
	int32_t precision; /* log2 s */
	uint64_t root_delay_us;
	uint64_t root_dispersion_us;
	const uint8_t *reference;
	size_t reference_len;    /* must be 4 */
	uint64_t originate_us;   /* T1, µs since the Unix epoch, local */
	uint64_t receive_us;     /* T2, server */
	uint64_t transmit_us;    /* T3, server */
	uint64_t destination_us; /* T4, local */
	int spike;               /* D-Bus boolean: 0 or 1 */
	uint64_t packet_count;
	uint64_t jitter_us;
};

/* The decoded NTPMessage. While has_sample is false (no response yet: PacketCount 0) timesyncd
 * sends zeros, and so is everything here. */
struct timesyncd_msg {
	bool has_sample; /* packet_count > 0 */
	unsigned leap;   /* LI: 0 none, 1 insert, 2 delete, 3 unsynchronized */
	unsigned version;
	unsigned mode;
	unsigned stratum;
	int precision_log2;
	double precision_s;
	double root_delay_s;
	double root_dispersion_s;
	double root_distance_s; /* root_delay_s / 2 + root_dispersion_s, as timesyncd checks it */
	uint8_t refid[4];
	char refid_text[16];       /* ASCII for stratum 0/1 when printable, dotted quad otherwise */
	int64_t real_originate_ns; /* T1 */
	int64_t real_receive_ns;   /* T2 */
	int64_t real_transmit_ns;  /* T3 */
	int64_t real_destination_ns; /* T4 */
	bool is_spike; /* timesyncd's spike detector rejected the sample; clock not adjusted */
	uint64_t packet_count;
	double jitter_s;
	/* T4 >= T1, T3 >= T2 and delay >= 0 (timedatectl prints "Invalid NTP response" otherwise);
	 * offset_s and delay_s are 0 unless this holds. */
	bool has_offset;
	double offset_s; /* RFC 5905 sign: + means the server is ahead */
	double delay_s;
};

/* ServerAddress, decoded. */
struct timesyncd_msg_addr {
	int family; /* 0 (no server), TIMESYNCD_MSG_AF_INET or TIMESYNCD_MSG_AF_INET6 */
	uint8_t bytes[16];
	size_t len;                        /* 0, 4 or 16 */
	char text[TIMESYNCD_MSG_ADDR_LEN]; /* "" when family is 0 */
};

enum timesyncd_msg_status {
	TIMESYNCD_MSG_OK = 0,
	TIMESYNCD_MSG_BAD_REFID_LEN, /* Reference is not 4 octets */
	TIMESYNCD_MSG_BAD_HEADER,    /* leap > 3, version or mode > 7, stratum > 255, or a
	                              * precision outside a signed octet */
	TIMESYNCD_MSG_BAD_ROOT,      /* root delay or dispersion beyond the 16.16 format's range */
	TIMESYNCD_MSG_BAD_TIMESTAMP, /* T1/T4 past 2262 (beyond int64 ns), or T2/T3 not a value
	                              * timesyncd's conversion can produce */
	TIMESYNCD_MSG_BAD_BOOL,      /* spike neither 0 nor 1 */
	TIMESYNCD_MSG_BAD_ADDRESS,   /* unknown family, or a length that does not match it */
};

/* Decodes an NTPMessage. On failure *out is zeroed and, when detail is not NULL, a message naming
 * the field and value is written there (detail_len bytes, always terminated). */
enum timesyncd_msg_status timesyncd_msg_decode(const struct timesyncd_msg_raw *raw,
    struct timesyncd_msg *out, char *detail, size_t detail_len);

/* Decodes ServerAddress (family, raw octets); same failure contract as timesyncd_msg_decode. */
enum timesyncd_msg_status timesyncd_msg_decode_address(int32_t family, const uint8_t *bytes,
    size_t len, struct timesyncd_msg_addr *out, char *detail, size_t detail_len);

/* A static description of a status ("reference is not 4 octets", ...). */
const char *timesyncd_msg_strerror(enum timesyncd_msg_status st);

/* Frequency (kernel timex.freq: ppm scaled by 2^16) in ppm. */
double timesyncd_msg_freq_ppm(int64_t scaled_ppm);

/* µs (a D-Bus "t" duration) in ns, saturating at INT64_MAX (timesyncd's "infinity"). */
int64_t timesyncd_msg_usec_to_ns(uint64_t us);

/* "normal", "insert second", "delete second", "not synchronized" for LI 0..3; "?" otherwise. */
const char *timesyncd_msg_leap_name(unsigned leap);

#endif
