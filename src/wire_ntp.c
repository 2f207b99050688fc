/* wire_ntp.c: NTPv4 header encode/decode and extension-field walking. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "wire_ntp.h"

/* RFC 7822: after the header come extension fields (length >= 16, multiple of 4) and
 * optionally a legacy MAC: 4 octets (crypto-NAK), 20 (MD5) or 24 (SHA-1). A trailer of 20..24
 * octets is a MAC, as chrony decides it. */
static enum wire_ntp_status
walk_trailer(struct rd *r, struct ntp_packet *out, size_t *err_off)
{
	while (rd_left(r) > 0) {
		size_t left = rd_left(r);
		if (left == 4 || (left >= 20 && left <= 24)) {
			out->has_mac = true;
			return WIRE_NTP_OK;
		}
		size_t start = r->off;
		(void)rd_be16(r); /* type */
		uint16_t flen = rd_be16(r);
		if (!r->ok || flen < 16 || flen % 4 != 0 || flen > left) {
			if (err_off)
				*err_off = start;
			return WIRE_NTP_BAD_EXTENSION;
		}
		r->off = start + flen;
		out->n_extensions++;
	}
	return WIRE_NTP_OK;
}

enum wire_ntp_status
wire_ntp_decode(const void *data, size_t len, struct ntp_packet *out, size_t *err_off)
{
	struct rd r;

	memset(out, 0, sizeof(*out));
	if (len < WIRE_NTP_HEADER_LEN)
		return WIRE_NTP_TRUNCATED;
	if (len > WIRE_NTP_MAX_LEN)
		return WIRE_NTP_OVERSIZE;
	if (len % 4 != 0)
		return WIRE_NTP_BAD_LENGTH;
	rd_init(&r, data, len);
	uint8_t b = rd_u8(&r);
	out->leap = b >> 6;
	out->version = (b >> 3) & 7;
	out->mode = b & 7;
	out->stratum = rd_u8(&r);
	out->poll = (int8_t)rd_u8(&r);
	out->precision = (int8_t)rd_u8(&r);
	out->root_delay = rd_be32(&r);
	out->root_dispersion = rd_be32(&r);
	for (int i = 0; i < 4; i++)
		out->refid[i] = rd_u8(&r);
	out->reference_ts = rd_be64(&r);
	out->origin_ts = rd_be64(&r);
	out->receive_ts = rd_be64(&r);
	out->transmit_ts = rd_be64(&r);
	if (out->version < 1 || out->version > 4)
		return WIRE_NTP_BAD_VERSION;
	return walk_trailer(&r, out, err_off);
}

const char *
wire_ntp_strerror(enum wire_ntp_status st)
{
	switch (st) {
	case WIRE_NTP_OK:
		return "ok";
	case WIRE_NTP_TRUNCATED:
		return "truncated (shorter than 48 octets)";
	case WIRE_NTP_BAD_LENGTH:
		return "length not a multiple of 4";
	case WIRE_NTP_OVERSIZE:
		return "oversize";
	case WIRE_NTP_BAD_VERSION:
		return "bad version";
	case WIRE_NTP_BAD_EXTENSION:
		return "malformed extension field";
	}
	return "unknown error";
}

void
wire_ntp_encode(const struct ntp_packet *p, uint8_t out[WIRE_NTP_HEADER_LEN])
{
	out[0] = (uint8_t)((p->leap & 3) << 6 | (p->version & 7) << 3 | (p->mode & 7));
	out[1] = p->stratum;
	out[2] = (uint8_t)p->poll;
	out[3] = (uint8_t)p->precision;
	wr_be32(out + 4, p->root_delay);
	wr_be32(out + 8, p->root_dispersion);
	memcpy(out + 12, p->refid, 4);
	wr_be64(out + 16, p->reference_ts);
	wr_be64(out + 24, p->origin_ts);
	wr_be64(out + 32, p->receive_ts);
	wr_be64(out + 40, p->transmit_ts);
}

enum wire_ntp_kiss
wire_ntp_kiss(const struct ntp_packet *p)
{
	if (p->stratum != 0)
		return WIRE_NTP_KISS_NONE;
	if (memcmp(p->refid, "RATE", 4) == 0)
		return WIRE_NTP_KISS_RATE;
	if (memcmp(p->refid, "DENY", 4) == 0)
		return WIRE_NTP_KISS_DENY;
	if (memcmp(p->refid, "RSTR", 4) == 0)
		return WIRE_NTP_KISS_RSTR;
	return WIRE_NTP_KISS_OTHER;
}

char *
wire_ntp_format_refid(const struct ntp_packet *p, char *buf, size_t len)
{
	int n = 4;
	bool ascii = true;

	/* Stratum 0 and 1 carry ASCII (a kiss code or a clock id), left-justified and zero-padded;
	 * anything else, or non-ASCII there (chrony's local reference 127.127.1.1), is an address.
	 */
	while (n > 0 && p->refid[n - 1] == 0)
		n--;
	for (int i = 0; i < n; i++)
		ascii = ascii && p->refid[i] >= 0x20 && p->refid[i] < 0x7f;
	if (p->stratum <= 1 && ascii && n > 0)
		snprintf(buf, len, "%.*s", n, (const char *)p->refid);
	else
		snprintf(buf, len, "%u.%u.%u.%u", p->refid[0], p->refid[1], p->refid[2],
		    p->refid[3]);
	return buf;
}
