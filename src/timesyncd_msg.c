/* timesyncd_msg.c: range checks and unit conversion for timesyncd's NTPMessage and ServerAddress
 * properties. Times are int64 ns; offsets, delays and the root values are double seconds. */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "macros.h"
#include "timesyncd_msg.h"
#include "wire_ntp.h"

#define US_PER_S INT64_C(1000000)
/* Largest µs count whose ns value fits int64 (2262-04-11). */
#define MAX_US (INT64_MAX / 1000)
/* The NTP short format (16.16) tops out just under 65536 s. */
#define MAX_SHORT_US (UINT64_C(65536) * 1000000)
/* What timesyncd's T2/T3 conversion yields, read as signed: NTP seconds 0 .. 2^32-1 of era 0. */
#define NTP_UNIX_OFFSET_S INT64_C(2208988800)
#define ERA_US (INT64_C(4294967296) * US_PER_S)
#define MIN_SERVER_US (-NTP_UNIX_OFFSET_S * US_PER_S)
#define MAX_SERVER_US (ERA_US - NTP_UNIX_OFFSET_S * US_PER_S)

static enum timesyncd_msg_status fail(enum timesyncd_msg_status st, char *detail, size_t detail_len,
    const char *fmt, ...) CW_PRINTF(4, 5);

/* Writes the detail message (when there is a buffer); returns st. */
static enum timesyncd_msg_status
fail(enum timesyncd_msg_status st, char *detail, size_t detail_len, const char *fmt, ...)
{
	va_list ap;

	if (detail && detail_len > 0) {
		va_start(ap, fmt);
		vsnprintf(detail, detail_len, fmt, ap);
		va_end(ap);
	}
	return st;
}

static enum timesyncd_msg_status
check_header(const struct timesyncd_msg_raw *raw, char *detail, size_t detail_len)
{
	if (raw->reference_len != 4 || (raw->reference_len > 0 && !raw->reference))
		return fail(TIMESYNCD_MSG_BAD_REFID_LEN, detail, detail_len,
		    "Reference has %zu octets, want 4", raw->reference_len);
	if (raw->leap > 3)
		return fail(TIMESYNCD_MSG_BAD_HEADER, detail, detail_len, "Leap %" PRIu32 " > 3",
		    raw->leap);
	if (raw->version > 7)
		return fail(TIMESYNCD_MSG_BAD_HEADER, detail, detail_len, "Version %" PRIu32 " > 7",
		    raw->version);
	if (raw->mode > 7)
		return fail(TIMESYNCD_MSG_BAD_HEADER, detail, detail_len, "Mode %" PRIu32 " > 7",
		    raw->mode);
	if (raw->stratum > 255)
		return fail(TIMESYNCD_MSG_BAD_HEADER, detail, detail_len,
		    "Stratum %" PRIu32 " > 255", raw->stratum);
	if (raw->precision < -128 || raw->precision > 127)
		return fail(TIMESYNCD_MSG_BAD_HEADER, detail, detail_len,
		    "Precision %" PRId32 " outside -128..127", raw->precision);
	if (raw->root_delay_us > MAX_SHORT_US || raw->root_dispersion_us > MAX_SHORT_US)
		return fail(TIMESYNCD_MSG_BAD_ROOT, detail, detail_len,
		    "RootDelay %" PRIu64 " or RootDispersion %" PRIu64 " us beyond 65536 s",
		    raw->root_delay_us, raw->root_dispersion_us);
	if (raw->spike != 0 && raw->spike != 1)
		return fail(TIMESYNCD_MSG_BAD_BOOL, detail, detail_len, "Ignored (spike) is %d",
		    raw->spike);
	return TIMESYNCD_MSG_OK;
}

/* A local timestamp (T1, T4): CLOCK_REALTIME in µs, which must fit int64 ns. */
static bool
local_ns(uint64_t us, int64_t *ns)
{
	if (us > (uint64_t)MAX_US)
		return false;
	*ns = (int64_t)us * 1000;
	return true;
}

/* A server timestamp (T2, T3), placed in the NTP era nearest pivot_us (T1). */
static bool
server_ns(uint64_t us, int64_t pivot_us, int64_t *ns)
{
	/* Two's complement reinterpretation without implementation-defined conversion. */
	int64_t v = us <= (uint64_t)INT64_MAX ? (int64_t)us : -(int64_t)(~us) - 1;

	if (v < MIN_SERVER_US || v >= MAX_SERVER_US)
		return false;
	/* pivot_us - v cannot overflow: both are within +/- 2^54. Round to the nearest era. */
	int64_t d = pivot_us - v;
	int64_t k = d >= 0 ? (d + ERA_US / 2) / ERA_US : -((-d + ERA_US / 2 - 1) / ERA_US);
	v += k * ERA_US;
	if (v > MAX_US || v < -MAX_US)
		return false;
	*ns = v * 1000;
	return true;
}

static enum timesyncd_msg_status
decode_times(const struct timesyncd_msg_raw *raw, struct timesyncd_msg *out, char *detail,
    size_t detail_len)
{
	if (!local_ns(raw->originate_us, &out->real_originate_ns) ||
	    !local_ns(raw->destination_us, &out->real_destination_ns))
		return fail(TIMESYNCD_MSG_BAD_TIMESTAMP, detail, detail_len,
		    "OriginateTimestamp %" PRIu64 " or DestinationTimestamp %" PRIu64
		    " us beyond 2262",
		    raw->originate_us, raw->destination_us);
	int64_t pivot_us = out->real_originate_ns / 1000;
	if (!server_ns(raw->receive_us, pivot_us, &out->real_receive_ns) ||
	    !server_ns(raw->transmit_us, pivot_us, &out->real_transmit_ns))
		return fail(TIMESYNCD_MSG_BAD_TIMESTAMP, detail, detail_len,
		    "ReceiveTimestamp %" PRIu64 " or TransmitTimestamp %" PRIu64
		    " us is no NTP time",
		    raw->receive_us, raw->transmit_us);
	return TIMESYNCD_MSG_OK;
}

/* RFC 5905 §8 offset and delay. T2 and T3 lie within 2^31 s of T1 (server_ns), so T2 - T1,
 * T3 - T1 and T3 - T2 fit int64 ns; T4 - T1 does as both are in [0, 2^63) ns. Only the final
 * combination might not, so it is done in double. */
static void
derive(struct timesyncd_msg *m)
{
	int64_t t1 = m->real_originate_ns, t2 = m->real_receive_ns;
	int64_t t3 = m->real_transmit_ns, t4 = m->real_destination_ns;

	if (!m->has_sample || t4 < t1 || t3 < t2)
		return;
	int64_t rtt = t4 - t1, server = t3 - t2;
	if (rtt < server)
		return;
	m->has_offset = true;
	m->delay_s = (double)(rtt - server) / 1e9;
	m->offset_s = ((double)(t2 - t1) + (double)(t3 - t1) - (double)rtt) / 2e9;
}

enum timesyncd_msg_status
timesyncd_msg_decode(const struct timesyncd_msg_raw *raw, struct timesyncd_msg *out, char *detail,
    size_t detail_len)
{
	struct ntp_packet p;
	enum timesyncd_msg_status st;

	memset(out, 0, sizeof(*out));
	if (detail && detail_len > 0)
		detail[0] = 0;
	st = check_header(raw, detail, detail_len);
	if (st == TIMESYNCD_MSG_OK)
		st = decode_times(raw, out, detail, detail_len);
	if (st != TIMESYNCD_MSG_OK) {
		memset(out, 0, sizeof(*out));
		return st;
	}
	out->has_sample = raw->packet_count > 0;
	out->leap = raw->leap;
	out->version = raw->version;
	out->mode = raw->mode;
	out->stratum = raw->stratum;
	out->precision_log2 = raw->precision;
	out->precision_s = ldexp(1.0, raw->precision);
	out->root_delay_s = (double)raw->root_delay_us / 1e6;
	out->root_dispersion_s = (double)raw->root_dispersion_us / 1e6;
	out->root_distance_s = out->root_delay_s / 2 + out->root_dispersion_s;
	memcpy(out->refid, raw->reference, 4);
	memset(&p, 0, sizeof(p));
	p.stratum = (uint8_t)raw->stratum;
	memcpy(p.refid, raw->reference, 4);
	wire_ntp_format_refid(&p, out->refid_text, sizeof(out->refid_text));
	out->is_spike = raw->spike == 1;
	out->packet_count = raw->packet_count;
	out->jitter_s = (double)raw->jitter_us / 1e6;
	derive(out);
	return TIMESYNCD_MSG_OK;
}

enum timesyncd_msg_status
timesyncd_msg_decode_address(int32_t family, const uint8_t *bytes, size_t len,
    struct timesyncd_msg_addr *out, char *detail, size_t detail_len)
{
	size_t want;

	memset(out, 0, sizeof(*out));
	if (detail && detail_len > 0)
		detail[0] = 0;
	switch (family) {
	case 0:
		want = 0;
		break;
	case TIMESYNCD_MSG_AF_INET:
		want = 4;
		break;
	case TIMESYNCD_MSG_AF_INET6:
		want = 16;
		break;
	default:
		return fail(TIMESYNCD_MSG_BAD_ADDRESS, detail, detail_len,
		    "ServerAddress family %" PRId32 " unknown", family);
	}
	if (len != want || (len > 0 && !bytes))
		return fail(TIMESYNCD_MSG_BAD_ADDRESS, detail, detail_len,
		    "ServerAddress family %" PRId32 " with %zu octets, want %zu", family, len,
		    want);
	out->family = family;
	out->len = len;
	if (len > 0) {
		memcpy(out->bytes, bytes, len);
		if (!inet_ntop(family == TIMESYNCD_MSG_AF_INET ? AF_INET : AF_INET6, out->bytes,
		        out->text, sizeof(out->text)))
			out->text[0] = 0; /* cannot happen with these sizes */
	}
	return TIMESYNCD_MSG_OK;
}

const char *
timesyncd_msg_strerror(enum timesyncd_msg_status st)
{
	switch (st) {
	case TIMESYNCD_MSG_OK:
		return "ok";
	case TIMESYNCD_MSG_BAD_REFID_LEN:
		return "reference is not 4 octets";
	case TIMESYNCD_MSG_BAD_HEADER:
		return "header field out of range";
	case TIMESYNCD_MSG_BAD_ROOT:
		return "root delay or dispersion out of range";
	case TIMESYNCD_MSG_BAD_TIMESTAMP:
		return "timestamp out of range";
	case TIMESYNCD_MSG_BAD_BOOL:
		return "bad boolean";
	case TIMESYNCD_MSG_BAD_ADDRESS:
		return "bad server address";
	}
	return "unknown error";
}

double
timesyncd_msg_freq_ppm(int64_t scaled_ppm)
{
	return (double)scaled_ppm / 65536.0;
}

int64_t
timesyncd_msg_usec_to_ns(uint64_t us)
{
	return us > (uint64_t)MAX_US ? INT64_MAX : (int64_t)us * 1000;
}

const char *
timesyncd_msg_leap_name(unsigned leap)
{
	static const char *const names[] = {"normal", "insert second", "delete second",
	    "not synchronized"};

	return leap < CW_ARRAY_LEN(names) ? names[leap] : "?";
}
