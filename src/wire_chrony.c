/* wire_chrony.c: chronyd cmdmon request encoding, reply validation and report decoding.
 *
 * Two const tables drive everything: `layouts` gives each reply code its exact length and its
 * decoder, `commands` gives each request its argument and the reply codes that answer it (one
 * per chronyd generation). A request is padded to the longest of those replies, computed from
 * the table, so the anti-amplification rule holds for every chronyd version we know of. */
#include "config.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "wire_chrony.h"

#define PKT_TYPE_REQUEST 1
#define PKT_TYPE_REPLY 2
#define TV_NOHIGHSEC 0x7fffffffu /* seconds-high of a 32-bit time_t chronyd: none */
#define NSEC_MAX 999999999u
#define NTP_DATA_NO_COUNT 0xffffffffu /* NTP_DATA's total_good_count before 4.3 */
#define ADDR_LEN 20

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

typedef enum wire_chrony_status
decode_fn(struct rd *r, uint16_t code, struct chrony_reply *out, struct chrony_error *err);

struct layout {
	uint16_t code;
	uint16_t len; /* whole reply, header included */
	const char *name;
	decode_fn *decode;
};

enum arg { ARG_NONE, ARG_INDEX, ARG_ADDR };

struct command {
	uint16_t command;
	const char *name;
	enum arg arg;
	uint16_t replies[4]; /* reply codes that answer it, 0-terminated */
};

/* ---- Reading fields ---------------------------------------------------------------------- */

/* Records a field that holds a value the protocol does not define. */
static enum wire_chrony_status
bad_field(struct chrony_error *err, size_t off, uint32_t got)
{
	err->offset = off;
	err->got = got;
	err->want = 0;
	return WIRE_CHRONY_BAD_FIELD;
}

static double
rd_float(struct rd *r)
{
	return wire_chrony_float_decode(rd_be32(r));
}

/* Address, then family, then two octets of padding; unknown families are rejected. */
static enum wire_chrony_status
rd_addr(struct rd *r, struct chrony_addr *a, struct chrony_error *err)
{
	for (size_t i = 0; i < sizeof(a->bytes); i++)
		a->bytes[i] = rd_u8(r);
	size_t off = r->off;
	a->family = rd_be16(r);
	(void)rd_be16(r);
	if (a->family > WIRE_CHRONY_AF_ID)
		return bad_field(err, off, a->family);
	return WIRE_CHRONY_OK;
}

static void
rd_timespec(struct rd *r, uint64_t *sec, uint32_t *nsec)
{
	uint32_t hi = rd_be32(r);
	uint32_t lo = rd_be32(r);

	*sec = (uint64_t)(hi == TV_NOHIGHSEC ? 0 : hi) << 32 | lo;
	*nsec = rd_be32(r);
	if (*nsec > NSEC_MAX)
		*nsec = NSEC_MAX; /* as chronyc does */
}

static enum wire_chrony_status
check_leap(struct chrony_error *err, size_t off, unsigned leap)
{
	return leap > WIRE_CHRONY_LEAP_UNSYNC ? bad_field(err, off, leap) : WIRE_CHRONY_OK;
}

static uint32_t
addr_u32(const struct chrony_addr *a)
{
	return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 |
	    (uint32_t)a->bytes[2] << 8 | a->bytes[3];
}

/* ---- Report decoders: r stands at offset 28 and the length is already checked ------------ */

static enum wire_chrony_status
decode_n_sources(struct rd *r, uint16_t code, struct chrony_reply *out, struct chrony_error *err)
{
	(void)code;
	out->u.n_sources = rd_be32(r);
	if (out->u.n_sources > WIRE_CHRONY_MAX_SOURCES)
		return bad_field(err, 28, out->u.n_sources);
	return WIRE_CHRONY_OK;
}

static enum wire_chrony_status
decode_source_data(struct rd *r, uint16_t code, struct chrony_reply *out, struct chrony_error *err)
{
	struct chrony_source_data *s = &out->u.source;
	enum wire_chrony_status st = rd_addr(r, &s->addr, err);

	(void)code;
	if (st != WIRE_CHRONY_OK)
		return st;
	s->poll_log2 = (int16_t)rd_be16(r);
	s->stratum = rd_be16(r);
	s->state = rd_be16(r);
	s->mode = rd_be16(r);
	s->flags = rd_be16(r);
	s->reach = rd_be16(r);
	s->since_sample_s = rd_be32(r);
	s->last_sample_orig_local_minus_src_s = rd_float(r);
	s->last_sample_local_minus_src_s = rd_float(r);
	s->last_sample_err_s = rd_float(r);
	s->offset_s = -s->last_sample_local_minus_src_s;
	if (s->state > WIRE_CHRONY_STATE_SELECTABLE)
		return bad_field(err, 52, s->state);
	if (s->mode > WIRE_CHRONY_MODE_REFCLOCK)
		return bad_field(err, 54, s->mode);
	if (s->reach > 0xff)
		return bad_field(err, 58, s->reach);
	if (s->mode == WIRE_CHRONY_MODE_REFCLOCK)
		s->refid = addr_u32(&s->addr);
	return WIRE_CHRONY_OK;
}

static enum wire_chrony_status
decode_tracking(struct rd *r, uint16_t code, struct chrony_reply *out, struct chrony_error *err)
{
	struct chrony_tracking *t = &out->u.tracking;
	enum wire_chrony_status st;

	(void)code;
	t->refid = rd_be32(r);
	if ((st = rd_addr(r, &t->addr, err)) != WIRE_CHRONY_OK)
		return st;
	t->stratum = rd_be16(r);
	t->leap = rd_be16(r);
	rd_timespec(r, &t->ref_time_s, &t->ref_time_frac_ns);
	t->current_correction_s = rd_float(r);
	t->last_offset_local_minus_ref_s = rd_float(r);
	t->last_offset_s = -t->last_offset_local_minus_ref_s;
	t->rms_offset_s = rd_float(r);
	t->freq_ppm = rd_float(r);
	t->resid_freq_ppm = rd_float(r);
	t->skew_ppm = rd_float(r);
	t->root_delay_s = rd_float(r);
	t->root_dispersion_s = rd_float(r);
	t->last_update_interval_s = rd_float(r);
	return check_leap(err, 54, t->leap);
}

static enum wire_chrony_status
decode_sourcestats(struct rd *r, uint16_t code, struct chrony_reply *out, struct chrony_error *err)
{
	struct chrony_sourcestats *s = &out->u.sourcestats;
	enum wire_chrony_status st;

	(void)code;
	s->refid = rd_be32(r);
	if ((st = rd_addr(r, &s->addr, err)) != WIRE_CHRONY_OK)
		return st;
	s->n_samples = rd_be32(r);
	s->n_runs = rd_be32(r);
	s->span_s = rd_be32(r);
	s->sd_s = rd_float(r);
	s->resid_freq_ppm = rd_float(r);
	s->skew_ppm = rd_float(r);
	s->est_offset_local_minus_src_s = rd_float(r);
	s->est_offset_s = -s->est_offset_local_minus_src_s;
	s->est_offset_err_s = rd_float(r);
	return WIRE_CHRONY_OK;
}

static enum wire_chrony_status
decode_activity(struct rd *r, uint16_t code, struct chrony_reply *out, struct chrony_error *err)
{
	uint32_t *v[] = {&out->u.activity.online, &out->u.activity.offline,
	    &out->u.activity.burst_online, &out->u.activity.burst_offline,
	    &out->u.activity.unresolved};

	(void)code;
	for (size_t i = 0; i < N_ELEM(v); i++) {
		*v[i] = rd_be32(r);
		/* Signed on the wire: negative, or past any source table: corrupt. */
		if (*v[i] > WIRE_CHRONY_MAX_SOURCES)
			return bad_field(err, 28 + 4 * i, *v[i]);
	}
	return WIRE_CHRONY_OK;
}

/* The server statistics counters, by position in the 4.0+ layouts. */
static const size_t stats_fields[] = {
    offsetof(struct chrony_server_stats, ntp_hits),
    offsetof(struct chrony_server_stats, nke_hits),
    offsetof(struct chrony_server_stats, cmd_hits),
    offsetof(struct chrony_server_stats, ntp_drops),
    offsetof(struct chrony_server_stats, nke_drops),
    offsetof(struct chrony_server_stats, cmd_drops),
    offsetof(struct chrony_server_stats, log_drops),
    offsetof(struct chrony_server_stats, ntp_auth_hits),
    offsetof(struct chrony_server_stats, ntp_interleaved_hits),
    offsetof(struct chrony_server_stats, ntp_timestamps),
    offsetof(struct chrony_server_stats, ntp_span_s),
    offsetof(struct chrony_server_stats, ntp_daemon_rx_timestamps),
    offsetof(struct chrony_server_stats, ntp_daemon_tx_timestamps),
    offsetof(struct chrony_server_stats, ntp_kernel_rx_timestamps),
    offsetof(struct chrony_server_stats, ntp_kernel_tx_timestamps),
    offsetof(struct chrony_server_stats, ntp_hw_rx_timestamps),
    offsetof(struct chrony_server_stats, ntp_hw_tx_timestamps),
};
/* The 2.3-3.x layout (RPY_SERVER_STATS) has five counters in another order. */
static const uint8_t stats_v1_order[] = {0, 2, 3, 5, 6};

static void
set_stat(struct chrony_server_stats *s, size_t field, uint64_t v)
{
	memcpy((char *)s + stats_fields[field], &v, sizeof(v));
}

static enum wire_chrony_status
decode_server_stats(struct rd *r, uint16_t code, struct chrony_reply *out, struct chrony_error *err)
{
	struct chrony_server_stats *s = &out->u.server;
	size_t n;

	(void)err;
	for (size_t i = 0; i < N_ELEM(stats_fields); i++)
		set_stat(s, i, WIRE_CHRONY_ABSENT);
	switch (code) {
	case WIRE_CHRONY_RPY_SERVER_STATS:
		for (size_t i = 0; i < N_ELEM(stats_v1_order); i++)
			set_stat(s, stats_v1_order[i], rd_be32(r));
		return WIRE_CHRONY_OK;
	case WIRE_CHRONY_RPY_SERVER_STATS4:
		/* Integer64 (high, low) counters; four reserved ones follow. */
		for (size_t i = 0; i < N_ELEM(stats_fields); i++)
			set_stat(s, i, rd_be64(r));
		return WIRE_CHRONY_OK;
	default:
		n = code == WIRE_CHRONY_RPY_SERVER_STATS2 ? 8 : 11;
		for (size_t i = 0; i < n; i++)
			set_stat(s, i, rd_be32(r));
		return WIRE_CHRONY_OK;
	}
}

/* The counters at the end of NTP_DATA: 4.3 has good_count then reserved words, 4.6 adds four
 * timestamp counters (NTP_DATA2). */
static void
decode_ntp_counts(struct rd *r, uint16_t code, struct chrony_ntp_data *n)
{
	n->total_tx_count = rd_be32(r);
	n->total_rx_count = rd_be32(r);
	n->total_valid_count = rd_be32(r);
	n->total_good_count = rd_be32(r);
	n->has_good_count = n->total_good_count != NTP_DATA_NO_COUNT;
	if (!n->has_good_count)
		n->total_good_count = 0;
	if (code != WIRE_CHRONY_RPY_NTP_DATA2)
		return;
	n->has_ts_counts = true;
	n->total_kernel_tx_ts = rd_be32(r);
	n->total_kernel_rx_ts = rd_be32(r);
	n->total_hw_tx_ts = rd_be32(r);
	n->total_hw_rx_ts = rd_be32(r);
}

static enum wire_chrony_status
decode_ntp_data(struct rd *r, uint16_t code, struct chrony_reply *out, struct chrony_error *err)
{
	struct chrony_ntp_data *n = &out->u.ntp;
	enum wire_chrony_status st;

	if ((st = rd_addr(r, &n->remote_addr, err)) != WIRE_CHRONY_OK ||
	    (st = rd_addr(r, &n->local_addr, err)) != WIRE_CHRONY_OK)
		return st;
	n->remote_port = rd_be16(r);
	n->leap = rd_u8(r);
	n->version = rd_u8(r);
	n->mode = rd_u8(r);
	n->stratum = rd_u8(r);
	n->poll_log2 = (int8_t)rd_u8(r);
	n->precision_log2 = (int8_t)rd_u8(r);
	n->root_delay_s = rd_float(r);
	n->root_dispersion_s = rd_float(r);
	n->refid = rd_be32(r);
	rd_timespec(r, &n->ref_time_s, &n->ref_time_frac_ns);
	n->offset_s = rd_float(r);
	n->peer_delay_s = rd_float(r);
	n->peer_dispersion_s = rd_float(r);
	n->response_time_s = rd_float(r);
	n->jitter_asymmetry = rd_float(r);
	n->flags = rd_be16(r);
	n->tests = n->flags & WIRE_CHRONY_NTP_TESTS_MASK;
	n->interleaved = (n->flags & WIRE_CHRONY_NTP_INTERLEAVED) != 0;
	n->authenticated = (n->flags & WIRE_CHRONY_NTP_AUTHENTICATED) != 0;
	n->tx_tss_char = (char)rd_u8(r);
	n->rx_tss_char = (char)rd_u8(r);
	decode_ntp_counts(r, code, n);
	/* leap, version and mode are the 2-, 3- and 3-bit fields of an NTP header */
	if (n->version > 7)
		return bad_field(err, 71, n->version);
	if (n->mode > 7)
		return bad_field(err, 72, n->mode);
	return check_leap(err, 70, n->leap);
}

static enum wire_chrony_status
decode_source_name(struct rd *r, uint16_t code, struct chrony_reply *out, struct chrony_error *err)
{
	(void)code;
	(void)err;
	for (size_t i = 0; i < sizeof(out->u.source_name) - 1; i++)
		out->u.source_name[i] = (char)rd_u8(r);
	out->u.source_name[sizeof(out->u.source_name) - 1] = '\0';
	return WIRE_CHRONY_OK;
}

static enum wire_chrony_status
decode_select_data(struct rd *r, uint16_t code, struct chrony_reply *out, struct chrony_error *err)
{
	struct chrony_select_data *s = &out->u.select;
	enum wire_chrony_status st;

	(void)code;
	s->refid = rd_be32(r);
	if ((st = rd_addr(r, &s->addr, err)) != WIRE_CHRONY_OK)
		return st;
	s->state_char = (char)rd_u8(r);
	uint8_t auth = rd_u8(r);
	s->authenticated = auth != 0;
	s->leap = rd_u8(r);
	(void)rd_u8(r);
	s->conf_options = rd_be16(r);
	s->eff_options = rd_be16(r);
	s->last_sample_ago_s = rd_be32(r);
	s->score = rd_float(r);
	s->lo_limit_local_minus_src_s = rd_float(r);
	s->hi_limit_local_minus_src_s = rd_float(r);
	if (s->state_char < 0x21 || s->state_char > 0x7e)
		return bad_field(err, 52, (uint8_t)s->state_char);
	if (auth > 1)
		return bad_field(err, 53, auth);
	return check_leap(err, 54, s->leap);
}

/* ---- Tables ------------------------------------------------------------------------------ */

static const struct layout layouts[] = {
    {WIRE_CHRONY_RPY_NULL, 28, "NULL", NULL},
    {WIRE_CHRONY_RPY_N_SOURCES, 32, "N_SOURCES", decode_n_sources},
    {WIRE_CHRONY_RPY_SOURCE_DATA, 76, "SOURCE_DATA", decode_source_data},
    {WIRE_CHRONY_RPY_TRACKING, 104, "TRACKING", decode_tracking},
    {WIRE_CHRONY_RPY_SOURCESTATS, 84, "SOURCESTATS", decode_sourcestats},
    {WIRE_CHRONY_RPY_ACTIVITY, 48, "ACTIVITY", decode_activity},
    {WIRE_CHRONY_RPY_SERVER_STATS, 48, "SERVER_STATS", decode_server_stats},
    {WIRE_CHRONY_RPY_NTP_DATA, 152, "NTP_DATA", decode_ntp_data},
    {WIRE_CHRONY_RPY_NTP_SOURCE_NAME, 284, "NTP_SOURCE_NAME", decode_source_name},
    {WIRE_CHRONY_RPY_SERVER_STATS2, 60, "SERVER_STATS2", decode_server_stats},
    {WIRE_CHRONY_RPY_SELECT_DATA, 76, "SELECT_DATA", decode_select_data},
    {WIRE_CHRONY_RPY_SERVER_STATS3, 72, "SERVER_STATS3", decode_server_stats},
    {WIRE_CHRONY_RPY_SERVER_STATS4, 196, "SERVER_STATS4", decode_server_stats},
    {WIRE_CHRONY_RPY_NTP_DATA2, 172, "NTP_DATA2", decode_ntp_data},
};

static const struct command commands[] = {
    {WIRE_CHRONY_REQ_N_SOURCES, "N_SOURCES", ARG_NONE, {WIRE_CHRONY_RPY_N_SOURCES}},
    {WIRE_CHRONY_REQ_SOURCE_DATA, "SOURCE_DATA", ARG_INDEX, {WIRE_CHRONY_RPY_SOURCE_DATA}},
    {WIRE_CHRONY_REQ_TRACKING, "TRACKING", ARG_NONE, {WIRE_CHRONY_RPY_TRACKING}},
    {WIRE_CHRONY_REQ_SOURCESTATS, "SOURCESTATS", ARG_INDEX, {WIRE_CHRONY_RPY_SOURCESTATS}},
    {WIRE_CHRONY_REQ_ACTIVITY, "ACTIVITY", ARG_NONE, {WIRE_CHRONY_RPY_ACTIVITY}},
    {WIRE_CHRONY_REQ_SERVER_STATS, "SERVER_STATS", ARG_NONE,
        {WIRE_CHRONY_RPY_SERVER_STATS, WIRE_CHRONY_RPY_SERVER_STATS2, WIRE_CHRONY_RPY_SERVER_STATS3,
            WIRE_CHRONY_RPY_SERVER_STATS4}},
    {WIRE_CHRONY_REQ_NTP_DATA, "NTP_DATA", ARG_ADDR,
        {WIRE_CHRONY_RPY_NTP_DATA, WIRE_CHRONY_RPY_NTP_DATA2}},
    {WIRE_CHRONY_REQ_NTP_SOURCE_NAME, "NTP_SOURCE_NAME", ARG_ADDR,
        {WIRE_CHRONY_RPY_NTP_SOURCE_NAME}},
    {WIRE_CHRONY_REQ_SELECT_DATA, "SELECT_DATA", ARG_INDEX, {WIRE_CHRONY_RPY_SELECT_DATA}},
};

static const struct layout *
find_layout(uint16_t code)
{
	for (size_t i = 0; i < N_ELEM(layouts); i++)
		if (layouts[i].code == code)
			return &layouts[i];
	return NULL;
}

static const struct command *
find_command(uint16_t command)
{
	for (size_t i = 0; i < N_ELEM(commands); i++)
		if (commands[i].command == command)
			return &commands[i];
	return NULL;
}

static bool
answers(const struct command *c, uint16_t code)
{
	for (size_t i = 0; i < N_ELEM(c->replies) && c->replies[i]; i++)
		if (c->replies[i] == code)
			return true;
	return false;
}

/* ---- Requests ---------------------------------------------------------------------------- */

static size_t
arg_len(enum arg a)
{
	return a == ARG_INDEX ? 4 : a == ARG_ADDR ? ADDR_LEN : 0;
}

size_t
wire_chrony_request_len(uint16_t command)
{
	const struct command *c = find_command(command);
	size_t len;

	if (!c)
		return 0;
	len = WIRE_CHRONY_REQ_HEADER_LEN + arg_len(c->arg);
	for (size_t i = 0; i < N_ELEM(c->replies) && c->replies[i]; i++) {
		const struct layout *l = find_layout(c->replies[i]);
		if (l && l->len > len)
			len = l->len;
	}
	return len;
}

static void
put_addr(uint8_t *p, const struct chrony_addr *a)
{
	memcpy(p, a->bytes, sizeof(a->bytes));
	wr_be16(p + 16, a->family);
	wr_be16(p + 18, 0);
}

enum wire_chrony_status
wire_chrony_encode(const struct chrony_request *req, uint8_t *out, size_t cap, size_t *len)
{
	const struct command *c = find_command(req->command);
	size_t n = wire_chrony_request_len(req->command);

	*len = 0;
	if (!c)
		return WIRE_CHRONY_UNKNOWN_COMMAND;
	if (cap < n)
		return WIRE_CHRONY_NO_SPACE;
	memset(out, 0, n);
	out[0] = WIRE_CHRONY_PROTO_VERSION;
	out[1] = PKT_TYPE_REQUEST;
	wr_be16(out + 4, req->command);
	wr_be16(out + 6, req->attempt);
	wr_be32(out + 8, req->sequence);
	if (c->arg == ARG_INDEX)
		wr_be32(out + WIRE_CHRONY_REQ_HEADER_LEN, req->index);
	else if (c->arg == ARG_ADDR)
		put_addr(out + WIRE_CHRONY_REQ_HEADER_LEN, &req->addr);
	*len = n;
	return WIRE_CHRONY_OK;
}

/* ---- Replies ----------------------------------------------------------------------------- */

static enum wire_chrony_status
mismatch(struct chrony_error *err, enum wire_chrony_status st, size_t off, uint32_t got,
    uint32_t want)
{
	err->offset = off;
	err->got = got;
	err->want = want;
	return st;
}

static enum wire_chrony_status
status_of(uint16_t stt)
{
	switch (stt) {
	case WIRE_CHRONY_STT_SUCCESS:
		return WIRE_CHRONY_OK;
	case WIRE_CHRONY_STT_UNAUTH:
		return WIRE_CHRONY_UNAUTH;
	case WIRE_CHRONY_STT_NOSUCHSOURCE:
		return WIRE_CHRONY_NO_SUCH_SOURCE;
	case WIRE_CHRONY_STT_INVALID:
		return WIRE_CHRONY_INVALID;
	case WIRE_CHRONY_STT_BADPKTLENGTH:
		return WIRE_CHRONY_BAD_PKT_LENGTH;
	case WIRE_CHRONY_STT_BADPKTVERSION:
		return WIRE_CHRONY_BAD_PKT_VERSION;
	default:
		return WIRE_CHRONY_FAILED;
	}
}

/* The header checks, in the order a stray datagram is most cheaply told apart. */
static enum wire_chrony_status
check_header(struct rd *r, uint16_t command, uint32_t sequence, struct chrony_reply *out,
    struct chrony_error *err)
{
	out->version = rd_u8(r);
	out->pkt_type = rd_u8(r);
	uint8_t res1 = rd_u8(r), res2 = rd_u8(r);
	out->command = rd_be16(r);
	out->reply_code = rd_be16(r);
	out->status = rd_be16(r);
	r->off = 16; /* three padding words */
	out->sequence = rd_be32(r);
	r->off = WIRE_CHRONY_REPLY_HEADER_LEN;
	if (out->version != WIRE_CHRONY_PROTO_VERSION)
		return mismatch(err, WIRE_CHRONY_BAD_VERSION, 0, out->version,
		    WIRE_CHRONY_PROTO_VERSION);
	if (out->pkt_type != PKT_TYPE_REPLY)
		return mismatch(err, WIRE_CHRONY_BAD_TYPE, 1, out->pkt_type, PKT_TYPE_REPLY);
	if (res1 || res2)
		return mismatch(err, WIRE_CHRONY_BAD_TYPE, res1 ? 2 : 3, res1 ? res1 : res2, 0);
	if (out->command != command)
		return mismatch(err, WIRE_CHRONY_BAD_COMMAND, 4, out->command, command);
	if (out->sequence != sequence)
		return mismatch(err, WIRE_CHRONY_SEQUENCE, 16, out->sequence, sequence);
	return WIRE_CHRONY_OK;
}

enum wire_chrony_status
wire_chrony_decode(const void *data, size_t len, uint16_t command, uint32_t sequence,
    struct chrony_reply *out, struct chrony_error *err)
{
	struct chrony_error dummy;
	const struct command *c = find_command(command);
	const struct layout *l;
	enum wire_chrony_status st;
	struct rd r;

	if (!err)
		err = &dummy;
	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if (len < WIRE_CHRONY_REPLY_HEADER_LEN)
		return mismatch(err, WIRE_CHRONY_TRUNCATED, len, (uint32_t)len,
		    WIRE_CHRONY_REPLY_HEADER_LEN);
	rd_init(&r, data, len);
	if ((st = check_header(&r, command, sequence, out, err)) != WIRE_CHRONY_OK)
		return st;
	if (!(l = find_layout(out->reply_code)))
		return mismatch(err, WIRE_CHRONY_BAD_REPLY, 6, out->reply_code, 0);
	if (len != l->len)
		return mismatch(err, len < l->len ? WIRE_CHRONY_TRUNCATED : WIRE_CHRONY_BAD_LENGTH,
		    len < l->len ? len : l->len, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len,
		    l->len);
	/* chronyd's refusal says more than our table: report it whatever the command. */
	if (out->status != WIRE_CHRONY_STT_SUCCESS)
		return mismatch(err, status_of(out->status), 8, out->status, 0);
	if (!c)
		return mismatch(err, WIRE_CHRONY_UNKNOWN_COMMAND, 4, command, 0);
	if (!answers(c, out->reply_code))
		return mismatch(err, WIRE_CHRONY_BAD_REPLY, 6, out->reply_code, c->replies[0]);
	st = l->decode(&r, out->reply_code, out, err);
	/* Lengths are checked against the table above; a short read here is a table bug. */
	if (st == WIRE_CHRONY_OK && !r.ok)
		return mismatch(err, WIRE_CHRONY_TRUNCATED, r.off, (uint32_t)len, l->len);
	return st;
}

const char *
wire_chrony_strerror(enum wire_chrony_status st)
{
	switch (st) {
	case WIRE_CHRONY_OK:
		return "ok";
	case WIRE_CHRONY_TRUNCATED:
		return "truncated reply";
	case WIRE_CHRONY_BAD_LENGTH:
		return "reply longer than its layout";
	case WIRE_CHRONY_BAD_VERSION:
		return "not protocol version 6";
	case WIRE_CHRONY_BAD_TYPE:
		return "not a reply packet";
	case WIRE_CHRONY_BAD_COMMAND:
		return "reply to another command";
	case WIRE_CHRONY_SEQUENCE:
		return "sequence number does not match the request";
	case WIRE_CHRONY_BAD_REPLY:
		return "unknown or unexpected reply code";
	case WIRE_CHRONY_BAD_FIELD:
		return "field value out of range";
	case WIRE_CHRONY_UNAUTH:
		return "not allowed over this transport; needs the Unix socket (root or _chrony)";
	case WIRE_CHRONY_NO_SUCH_SOURCE:
		return "no such source";
	case WIRE_CHRONY_INVALID:
		return "command not supported by this chronyd";
	case WIRE_CHRONY_BAD_PKT_LENGTH:
		return "chronyd says the request is too short for its reply (padding)";
	case WIRE_CHRONY_BAD_PKT_VERSION:
		return "chronyd speaks another protocol version";
	case WIRE_CHRONY_FAILED:
		return "command failed";
	case WIRE_CHRONY_UNKNOWN_COMMAND:
		return "command not supported by this codec";
	case WIRE_CHRONY_NO_SPACE:
		return "buffer too small for the request";
	}
	return "unknown error";
}

/* ---- Names ------------------------------------------------------------------------------- */

static const struct {
	uint16_t stt;
	const char *name;
	const char *meaning;
} stt_table[] = {
    {WIRE_CHRONY_STT_SUCCESS, "SUCCESS", "success"},
    {WIRE_CHRONY_STT_FAILED, "FAILED", "command failed"},
    {WIRE_CHRONY_STT_UNAUTH, "UNAUTH",
        "not allowed over this transport; needs the Unix socket (root or _chrony)"},
    {WIRE_CHRONY_STT_INVALID, "INVALID", "command unknown to this chronyd (older or newer)"},
    {WIRE_CHRONY_STT_NOSUCHSOURCE, "NOSUCHSOURCE",
        "no such source (sources changed since N_SOURCES: list them again)"},
    {WIRE_CHRONY_STT_INVALIDTS, "INVALIDTS", "invalid timestamp"},
    {WIRE_CHRONY_STT_NOTENABLED, "NOTENABLED", "facility not enabled"},
    {WIRE_CHRONY_STT_BADSUBNET, "BADSUBNET", "bad subnet"},
    {WIRE_CHRONY_STT_ACCESSALLOWED, "ACCESSALLOWED", "access allowed"},
    {WIRE_CHRONY_STT_ACCESSDENIED, "ACCESSDENIED", "access denied"},
    {WIRE_CHRONY_STT_NOHOSTACCESS, "NOHOSTACCESS", "no host access (deprecated)"},
    {WIRE_CHRONY_STT_SOURCEALREADYKNOWN, "SOURCEALREADYKNOWN", "source already known"},
    {WIRE_CHRONY_STT_TOOMANYSOURCES, "TOOMANYSOURCES", "too many sources"},
    {WIRE_CHRONY_STT_NORTC, "NORTC", "no RTC tracking"},
    {WIRE_CHRONY_STT_BADRTCFILE, "BADRTCFILE", "bad RTC file"},
    {WIRE_CHRONY_STT_INACTIVE, "INACTIVE", "facility inactive"},
    {WIRE_CHRONY_STT_BADSAMPLE, "BADSAMPLE", "bad sample"},
    {WIRE_CHRONY_STT_INVALIDAF, "INVALIDAF", "invalid address family"},
    {WIRE_CHRONY_STT_BADPKTVERSION, "BADPKTVERSION",
        "protocol version mismatch between client and chronyd"},
    {WIRE_CHRONY_STT_BADPKTLENGTH, "BADPKTLENGTH",
        "request shorter than its reply (anti-amplification padding missing)"},
    {WIRE_CHRONY_STT_INVALIDNAME, "INVALIDNAME", "invalid name"},
};

const char *
wire_chrony_stt_name(uint16_t stt)
{
	for (size_t i = 0; i < N_ELEM(stt_table); i++)
		if (stt_table[i].stt == stt)
			return stt_table[i].name;
	return "unknown";
}

const char *
wire_chrony_stt_meaning(uint16_t stt)
{
	for (size_t i = 0; i < N_ELEM(stt_table); i++)
		if (stt_table[i].stt == stt)
			return stt_table[i].meaning;
	return "unknown status";
}

const char *
wire_chrony_command_name(uint16_t command)
{
	const struct command *c = find_command(command);

	return c ? c->name : "unknown";
}

const char *
wire_chrony_reply_name(uint16_t reply_code)
{
	const struct layout *l = find_layout(reply_code);

	return l ? l->name : "unknown";
}

char
wire_chrony_mode_char(uint16_t mode)
{
	static const char c[] = "^=#";

	return mode < sizeof(c) - 1 ? c[mode] : ' ';
}

char
wire_chrony_state_char(uint16_t state)
{
	static const char c[] = "*?x~+-";

	return state < sizeof(c) - 1 ? c[state] : ' ';
}

const char *
wire_chrony_state_name(uint16_t state)
{
	static const char *const names[] = {"selected", "nonselectable", "falseticker", "jittery",
	    "unselected", "selectable"};

	return state < N_ELEM(names) ? names[state] : "unknown";
}

const char *
wire_chrony_leap_name(unsigned leap)
{
	static const char *const names[] = {"normal", "insert second", "delete second",
	    "not synchronised"};

	return leap < N_ELEM(names) ? names[leap] : "unknown";
}

const char *
wire_chrony_select_state_meaning(char c)
{
	static const struct {
		char c;
		const char *meaning;
	} t[] = {
	    {'N', "has the noselect option"},
	    {'s', "not synchronised"},
	    {'M', "not enough measurements"},
	    {'d', "root distance above maxdistance"},
	    {'~', "jitter above maxjitter"},
	    {'w', "waits for other sources to get enough measurements"},
	    {'S', "measurements older than the other sources'"},
	    {'O', "stratum at or above the orphan stratum"},
	    {'T', "does not fully agree with the trusted sources"},
	    {'x', "falseticker: disagrees with the other sources"},
	    {'W', "selectable, waits for other sources (minsources, require)"},
	    {'P', "selectable, another source is preferred"},
	    {'U', "selectable, waits for a new measurement"},
	    {'D', "selectable, root distance too large to combine"},
	    {'L', "selectable, an outlier (later chrony versions)"},
	    {'+', "combined with the best source"},
	    {'*', "the best source: synchronising to it"},
	};

	for (size_t i = 0; i < N_ELEM(t); i++)
		if (t[i].c == c)
			return t[i].meaning;
	return "unknown";
}

/* chrony's packet tests by flag bit; bit 9 is printed first by chronyc ("%.3b %.3b %.4b"). */
static const struct {
	const char *name;
	const char *meaning;
} tests[WIRE_CHRONY_NTP_N_TESTS] = {
    {"testD", "no synchronisation loop (the server is not synchronised to us)"},
    {"testC", "delay within maxdelaydevratio or the delay quantile"},
    {"testB", "delay ratio within maxdelayratio"},
    {"testA", "delay within maxdelay, sane, not in warm-up"},
    {"test7", "root delay / 2 + root dispersion below 16 s"},
    {"test6", "server synchronised (leap not 3, stratum 1-15)"},
    {"test5", "authentication passed (or not used)"},
    {"test3", "no zero timestamps"},
    {"test2", "origin timestamp matches our request (not bogus)"},
    {"test1", "not a duplicate"},
};

const char *
wire_chrony_test_name(unsigned bit)
{
	return bit < WIRE_CHRONY_NTP_N_TESTS ? tests[bit].name : NULL;
}

const char *
wire_chrony_test_meaning(unsigned bit)
{
	return bit < WIRE_CHRONY_NTP_N_TESTS ? tests[bit].meaning : NULL;
}

char *
wire_chrony_format_failed_tests(uint16_t t, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (int bit = WIRE_CHRONY_NTP_N_TESTS - 1; bit >= 0; bit--) {
		if (t & (1u << bit))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", tests[bit].name);
		if (n < 0 || (size_t)n >= len - used) {
			buf[used] = '\0'; /* whole names only */
			break;
		}
		used += (size_t)n;
	}
	return buf;
}

/* ---- Formatting -------------------------------------------------------------------------- */

char *
wire_chrony_format_addr(const struct chrony_addr *a, char *buf, size_t len)
{
	char v6[INET6_ADDRSTRLEN];

	if (len == 0)
		return buf;
	switch (a->family) {
	case WIRE_CHRONY_AF_UNSPEC:
		snprintf(buf, len, "[UNSPEC]");
		break;
	case WIRE_CHRONY_AF_INET4:
		snprintf(buf, len, "%u.%u.%u.%u", a->bytes[0], a->bytes[1], a->bytes[2],
		    a->bytes[3]);
		break;
	case WIRE_CHRONY_AF_INET6:
		if (!inet_ntop(AF_INET6, a->bytes, v6, sizeof(v6)))
			snprintf(v6, sizeof(v6), "?");
		snprintf(buf, len, "%s", v6);
		break;
	case WIRE_CHRONY_AF_ID:
		snprintf(buf, len, "ID#%010u", (unsigned)addr_u32(a));
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
	return buf;
}

char *
wire_chrony_format_refid(uint32_t refid, char *buf, size_t len)
{
	size_t j = 0;

	if (len == 0)
		return buf;
	for (int shift = 24; shift >= 0 && j + 1 < len; shift -= 8) {
		unsigned c = (refid >> shift) & 0xff;
		if (c >= 0x20 && c < 0x7f)
			buf[j++] = (char)c;
	}
	buf[j] = '\0';
	return buf;
}

char *
wire_chrony_format_name(const struct chrony_addr *a, uint32_t refid, char *buf, size_t len)
{
	if (!a || a->family == WIRE_CHRONY_AF_UNSPEC)
		return wire_chrony_format_refid(refid, buf, len);
	return wire_chrony_format_addr(a, buf, len);
}

/* ---- Floats ------------------------------------------------------------------------------ */

double
wire_chrony_float_decode(uint32_t w)
{
	int e = (int)(w >> 25);               /* 0..127 */
	int32_t c = (int32_t)(w & 0x1ffffff); /* 0..2^25-1 */

	if (e >= 64)
		e -= 128;
	if (c >= 1 << 24)
		c -= 1 << 25;
	return ldexp((double)c, e - 25); /* |c| <= 2^24, so exact */
}

uint32_t
wire_chrony_float_encode(double x)
{
	bool neg = x < 0;
	/* Magnitudes up to 2^24 - 1, or 2^24 when negative (two's complement). */
	int64_t max = neg ? INT64_C(1) << 24 : (INT64_C(1) << 24) - 1;
	double m = fabs(x);
	int64_t c;
	int e;

	if (isnan(x) || m == 0)
		return 0;
	if (isinf(m)) {
		e = 63;
		c = max;
	} else {
		(void)frexp(m, &e); /* m = f * 2^e, 0.5 <= f < 1 */
		e += 1;             /* so that m * 2^(25 - e) lies in [2^23, 2^24) */
		c = (int64_t)(ldexp(m, 25 - e) + 0.5);
		if (c > max) {
			c >>= 1;
			e++;
		}
		if (e > 63) {
			e = 63;
			c = max;
		} else if (e < -64) {
			c = (int64_t)(ldexp(m, 25 + 64) + 0.5);
			e = -64;
			if (c == 0)
				return 0;
		}
	}
	if (neg && c == INT64_C(1) << 23 && e > -64) {
		c <<= 1; /* -2^k: chronyd uses the coefficient -2^24, one exponent lower */
		e--;
	}
	if (neg)
		c = -c;
	return (uint32_t)(e & 0x7f) << 25 | ((uint32_t)c & 0x1ffffff);
}
