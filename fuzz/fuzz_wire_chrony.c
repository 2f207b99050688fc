/* fuzz_wire_chrony.c: libFuzzer target for everything a datagram from chronyd's command socket
 * goes through: wire_chrony_decode as the answer to the command and sequence the datagram itself
 * echoes (so header checks pass and the report decoders run), then as the answer to every other
 * command and to another sequence (which must fail), then the formatting helpers on what was
 * decoded. The same bytes also drive wire_chrony_encode for every command. Invariants are
 * checked with abort() so that libFuzzer, and the replay runner in ordinary CI, report them as
 * crashes. Pure: no I/O besides stderr on failure. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "wire_chrony.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t commands[] = {WIRE_CHRONY_REQ_N_SOURCES, WIRE_CHRONY_REQ_SOURCE_DATA,
    WIRE_CHRONY_REQ_TRACKING, WIRE_CHRONY_REQ_SOURCESTATS, WIRE_CHRONY_REQ_ACTIVITY,
    WIRE_CHRONY_REQ_SERVER_STATS, WIRE_CHRONY_REQ_NTP_DATA, WIRE_CHRONY_REQ_NTP_SOURCE_NAME,
    WIRE_CHRONY_REQ_SELECT_DATA};

static uint32_t
be(const uint8_t *p, size_t n)
{
	uint32_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void
check_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		CHECK(isfinite(v[i]));
}

/* Formats into buffers of every small size and a big one: always terminated, never past len. */
static void
check_addr(const struct chrony_addr *a, uint32_t refid)
{
	char buf[64];

	CHECK(a->family <= WIRE_CHRONY_AF_ID);
	for (size_t len = 1; len <= sizeof(buf); len += 7) {
		memset(buf, 'Z', sizeof(buf));
		wire_chrony_format_addr(a, buf, len);
		CHECK(memchr(buf, '\0', len) != NULL);
		wire_chrony_format_name(a, refid, buf, len);
		CHECK(memchr(buf, '\0', len) != NULL);
	}
	wire_chrony_format_refid(refid, buf, sizeof(buf));
	CHECK(strlen(buf) <= 4);
}

static void
check_source(const struct chrony_source_data *s)
{
	const double d[] = {s->last_sample_local_minus_src_s, s->last_sample_orig_local_minus_src_s,
	    s->last_sample_err_s, s->offset_s};

	check_finite(d, sizeof(d) / sizeof(d[0]));
	CHECK(s->offset_s == -s->last_sample_local_minus_src_s);
	CHECK(s->state <= WIRE_CHRONY_STATE_SELECTABLE && s->mode <= WIRE_CHRONY_MODE_REFCLOCK);
	CHECK(wire_chrony_state_char(s->state) != ' ' && wire_chrony_mode_char(s->mode) != ' ');
	CHECK(s->reach <= 0xff);
	CHECK(s->mode == WIRE_CHRONY_MODE_REFCLOCK || s->refid == 0);
	check_addr(&s->addr, s->refid);
}

static void
check_tracking(const struct chrony_tracking *t)
{
	const double d[] = {t->current_correction_s, t->last_offset_local_minus_ref_s,
	    t->last_offset_s, t->rms_offset_s, t->freq_ppm, t->resid_freq_ppm, t->skew_ppm,
	    t->root_delay_s, t->root_dispersion_s, t->last_update_interval_s};

	check_finite(d, sizeof(d) / sizeof(d[0]));
	CHECK(t->last_offset_s == -t->last_offset_local_minus_ref_s);
	CHECK(t->leap <= WIRE_CHRONY_LEAP_UNSYNC && t->ref_time_frac_ns <= 999999999);
	check_addr(&t->addr, t->refid);
}

static void
check_ntp(const struct chrony_ntp_data *n)
{
	const double d[] = {n->root_delay_s, n->root_dispersion_s, n->offset_s, n->peer_delay_s,
	    n->peer_dispersion_s, n->response_time_s, n->jitter_asymmetry};
	char buf[96];

	check_finite(d, sizeof(d) / sizeof(d[0]));
	CHECK(n->leap <= 3 && n->version <= 7 && n->mode <= 7);
	CHECK(n->tests == (n->flags & WIRE_CHRONY_NTP_TESTS_MASK));
	CHECK(n->ref_time_frac_ns <= 999999999);
	CHECK(n->has_good_count || n->total_good_count == 0);
	wire_chrony_format_failed_tests(n->tests, buf, sizeof(buf));
	CHECK(strlen(buf) < sizeof(buf) && (n->tests == WIRE_CHRONY_NTP_TESTS_MASK) == !buf[0]);
	check_addr(&n->remote_addr, n->refid);
	check_addr(&n->local_addr, 0);
}

static void
check_report(const struct chrony_reply *r)
{
	const struct chrony_sourcestats *ss = &r->u.sourcestats;
	const struct chrony_select_data *sel = &r->u.select;

	switch (r->command) {
	case WIRE_CHRONY_REQ_N_SOURCES:
		CHECK(r->u.n_sources <= WIRE_CHRONY_MAX_SOURCES);
		break;
	case WIRE_CHRONY_REQ_SOURCE_DATA:
		check_source(&r->u.source);
		break;
	case WIRE_CHRONY_REQ_TRACKING:
		check_tracking(&r->u.tracking);
		break;
	case WIRE_CHRONY_REQ_SOURCESTATS:
		CHECK(ss->est_offset_s == -ss->est_offset_local_minus_src_s);
		check_addr(&ss->addr, ss->refid);
		break;
	case WIRE_CHRONY_REQ_ACTIVITY:
		CHECK(r->u.activity.online <= WIRE_CHRONY_MAX_SOURCES &&
		    r->u.activity.unresolved <= WIRE_CHRONY_MAX_SOURCES);
		break;
	case WIRE_CHRONY_REQ_NTP_DATA:
		check_ntp(&r->u.ntp);
		break;
	case WIRE_CHRONY_REQ_NTP_SOURCE_NAME:
		CHECK(strlen(r->u.source_name) < sizeof(r->u.source_name));
		break;
	case WIRE_CHRONY_REQ_SELECT_DATA:
		CHECK(sel->state_char > ' ' && sel->state_char < 0x7f && sel->leap <= 3);
		CHECK(wire_chrony_select_state_meaning(sel->state_char) != NULL);
		check_addr(&sel->addr, sel->refid);
		break;
	case WIRE_CHRONY_REQ_SERVER_STATS:
		CHECK(r->u.server.ntp_hits != WIRE_CHRONY_ABSENT ||
		    r->reply_code == WIRE_CHRONY_RPY_SERVER_STATS4);
		break;
	default:
		CHECK(0); /* a report for a command the codec does not know */
	}
}

static void
check_decode(const uint8_t *data, size_t size, uint16_t command, uint32_t seq)
{
	struct chrony_reply r;
	struct chrony_error err;
	enum wire_chrony_status st = wire_chrony_decode(data, size, command, seq, &r, &err);

	CHECK(st < WIRE_CHRONY_NO_SPACE);
	CHECK(wire_chrony_strerror(st)[0] != '\0');
	CHECK((size < WIRE_CHRONY_REPLY_HEADER_LEN) ==
	    (st == WIRE_CHRONY_TRUNCATED && err.want == WIRE_CHRONY_REPLY_HEADER_LEN));
	CHECK(st != WIRE_CHRONY_BAD_VERSION || r.version != WIRE_CHRONY_PROTO_VERSION);
	CHECK(st != WIRE_CHRONY_BAD_COMMAND || r.command != command);
	CHECK(st != WIRE_CHRONY_SEQUENCE || r.sequence != seq);
	CHECK(st != WIRE_CHRONY_BAD_FIELD || (err.offset >= 28 && err.offset < size));
	if (st >= WIRE_CHRONY_UNAUTH && st <= WIRE_CHRONY_FAILED) {
		CHECK(r.status != WIRE_CHRONY_STT_SUCCESS);
		CHECK(wire_chrony_stt_meaning(r.status)[0] != '\0');
	}
	if (st != WIRE_CHRONY_OK)
		return;
	CHECK(r.version == WIRE_CHRONY_PROTO_VERSION && r.pkt_type == 2);
	CHECK(r.command == command && r.sequence == seq && r.status == WIRE_CHRONY_STT_SUCCESS);
	/* Anti-amplification: our padded request is never shorter than a reply we accept. */
	CHECK(size <= wire_chrony_request_len(command));
	CHECK(strcmp(wire_chrony_reply_name(r.reply_code), "unknown") != 0);
	check_report(&r);
}

static void
check_encode(const uint8_t *data, size_t size)
{
	uint8_t in[28] = {0}, out[WIRE_CHRONY_MAX_REQ_LEN];
	struct chrony_request req;
	size_t len;

	memcpy(in, data, size < sizeof(in) ? size : sizeof(in));
	req.attempt = (uint16_t)be(in, 2);
	req.sequence = be(in + 2, 4);
	req.index = be(in + 6, 4);
	memcpy(req.addr.bytes, in + 10, 16);
	req.addr.family = (uint16_t)be(in + 26, 2);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		req.command = commands[i];
		CHECK(wire_chrony_encode(&req, out, sizeof(out), &len) == WIRE_CHRONY_OK);
		CHECK(len == wire_chrony_request_len(req.command) && len <= sizeof(out));
		CHECK(out[0] == WIRE_CHRONY_PROTO_VERSION && out[1] == 1 && !out[2] && !out[3]);
		CHECK(be(out + 4, 2) == req.command && be(out + 6, 2) == req.attempt);
		CHECK(be(out + 8, 4) == req.sequence && !be(out + 12, 4) && !be(out + 16, 4));
		for (size_t k = 40; k < len; k++)
			CHECK(out[k] == 0);
		CHECK(wire_chrony_encode(&req, out, len - 1, &len) == WIRE_CHRONY_NO_SPACE);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t command = size >= 6 ? (uint16_t)be(data + 4, 2) : 0;
	uint32_t seq = size >= 20 ? be(data + 16, 4) : 0;
	struct chrony_reply r;

	check_decode(data, size, command, seq);
	/* No datagram answers two commands, or a sequence it does not echo. */
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		check_decode(data, size, commands[i], seq);
		if (commands[i] != command)
			CHECK(wire_chrony_decode(data, size, commands[i], seq, &r, NULL) !=
			    WIRE_CHRONY_OK);
	}
	CHECK(wire_chrony_decode(data, size, command, seq ^ 1, &r, NULL) != WIRE_CHRONY_OK);
	check_encode(data, size);
	return 0;
}
