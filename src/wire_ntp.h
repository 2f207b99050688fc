/* wire_ntp.h: NTPv4 packet codec (RFC 5905 §7.3, extension fields per RFC 7822).
 *
 *   0                   1                   2                   3
 *   |LI | VN  |Mode |    Stratum    |     Poll      |   Precision   |
 *   |                          Root Delay (16.16)                    |
 *   |                       Root Dispersion (16.16)                  |
 *   |                          Reference ID                          |
 *   |                  Reference Timestamp (64, 32.32)               |
 *   |                    Origin Timestamp (64) = T1                  |
 *   |                    Receive Timestamp (64) = T2                 |
 *   |                    Transmit Timestamp (64) = T3                |
 *   |  Extension fields (type u16, length u16, value), then MAC      |
 *
 * Pure: decoding reads only the bytes given; nothing here touches a socket or a clock. */
#ifndef CLOCKWATCH_WIRE_NTP_H
#define CLOCKWATCH_WIRE_NTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_NTP_HEADER_LEN 48
/* Longest reply we accept: NTS replies with several cookies stay well below this. */
#define WIRE_NTP_MAX_LEN 2048

enum wire_ntp_mode {
	WIRE_NTP_MODE_SYM_ACTIVE = 1,
	WIRE_NTP_MODE_SYM_PASSIVE = 2,
	WIRE_NTP_MODE_CLIENT = 3,
	WIRE_NTP_MODE_SERVER = 4,
	WIRE_NTP_MODE_BROADCAST = 5,
	WIRE_NTP_MODE_CONTROL = 6,
	WIRE_NTP_MODE_PRIVATE = 7,
};

enum wire_ntp_leap {
	WIRE_NTP_LEAP_NONE = 0,
	WIRE_NTP_LEAP_INS = 1, /* last minute of the day has 61 s */
	WIRE_NTP_LEAP_DEL = 2, /* last minute of the day has 59 s */
	WIRE_NTP_LEAP_UNSYNC = 3,
};

/* A decoded header; timestamps stay raw 32.32 so the origin check compares exact bits. */
struct ntp_packet {
	uint8_t leap;
	uint8_t version;
	uint8_t mode;
	uint8_t stratum;
	int8_t poll;              /* log2 s */
	int8_t precision;         /* log2 s */
	uint32_t root_delay;      /* NTP short format */
	uint32_t root_dispersion; /* NTP short format */
	uint8_t refid[4];
	uint64_t reference_ts;
	uint64_t origin_ts;
	uint64_t receive_ts;
	uint64_t transmit_ts;
	uint16_t n_extensions; /* extension fields seen after the header */
	bool has_mac;          /* a legacy MAC or crypto-NAK trails the packet */
};

enum wire_ntp_status {
	WIRE_NTP_OK = 0,
	WIRE_NTP_TRUNCATED,     /* fewer than 48 octets */
	WIRE_NTP_BAD_LENGTH,    /* not a multiple of 4 octets */
	WIRE_NTP_OVERSIZE,      /* longer than WIRE_NTP_MAX_LEN */
	WIRE_NTP_BAD_VERSION,   /* version outside 1..4 */
	WIRE_NTP_BAD_EXTENSION, /* bytes after the header are neither extension fields nor a MAC */
};

/* Decodes a packet. On WIRE_NTP_BAD_EXTENSION *err_off (if not NULL) is the byte offset of the
 * first field that does not parse. */
enum wire_ntp_status
wire_ntp_decode(const void *data, size_t len, struct ntp_packet *out, size_t *err_off);
const char *wire_ntp_strerror(enum wire_ntp_status st);

/* Encodes the 48-octet header (no extension fields). */
void wire_ntp_encode(const struct ntp_packet *p, uint8_t out[WIRE_NTP_HEADER_LEN]);

/* Kiss-o'-death (RFC 5905 §7.4): stratum 0. */
enum wire_ntp_kiss {
	WIRE_NTP_KISS_NONE = 0, /* not a KoD */
	WIRE_NTP_KISS_RATE,     /* reduce the rate */
	WIRE_NTP_KISS_DENY,     /* access denied: stop */
	WIRE_NTP_KISS_RSTR,     /* access restricted: stop */
	WIRE_NTP_KISS_OTHER,    /* any other code: report, carry no time */
};
enum wire_ntp_kiss wire_ntp_kiss(const struct ntp_packet *p);

/* The refid for display: the kiss code or clock id for stratum 0/1 when it is printable ASCII,
 * dotted IPv4 otherwise. buf needs at least 16 bytes. */
char *wire_ntp_format_refid(const struct ntp_packet *p, char *buf, size_t len);

#endif
