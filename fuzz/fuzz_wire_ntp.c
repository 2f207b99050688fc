/* fuzz_wire_ntp.c: libFuzzer target for everything a received NTP datagram goes through.
 *
 * The bytes are decoded with wire_ntp_decode and, as the reply to a request whose random
 * transmit timestamp was the first 8 input bytes (so a reply "is ours" when its origin field,
 * bytes 24..31, repeats bytes 0..7), judged by query_handle_reply, delivered a second time (a
 * replay), summarised by query_finish, labelled by query_select and query_note and rendered as
 * text and JSON. Invariants are checked with abort() so that libFuzzer, and the replay runner in
 * ordinary CI, report them as crashes. Pure: no I/O besides stderr on failure. */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "filter.h"
#include "fuzz_check.h"
#include "out_query.h"
#include "query.h"
#include "wire_ntp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T1_NS (INT64_C(1700000000) * INT64_C(1000000000))
#define T4_NS (T1_NS + INT64_C(20000000))
#define LOCAL_PRECISION (-20)
/* prev_xmt_wire is the cookie XORed with this, so the late-reply path is reachable too. */
#define PREV_XOR UINT64_C(0x5555555555555555)

static void
check_decode(const uint8_t *data, size_t size)
{
	struct ntp_packet p;
	size_t off = SIZE_MAX;
	enum wire_ntp_status st = wire_ntp_decode(data, size, &p, &off);
	uint8_t out[WIRE_NTP_HEADER_LEN];
	char refid[16];

	CHECK(st <= WIRE_NTP_BAD_EXTENSION);
	CHECK(wire_ntp_strerror(st)[0] != '\0');
	CHECK((size < WIRE_NTP_HEADER_LEN) == (st == WIRE_NTP_TRUNCATED));
	CHECK(st != WIRE_NTP_OVERSIZE || size > WIRE_NTP_MAX_LEN);
	if (st == WIRE_NTP_BAD_EXTENSION)
		CHECK(off >= WIRE_NTP_HEADER_LEN && off < size && off % 4 == 0);
	else
		CHECK(off == SIZE_MAX);
	if (st != WIRE_NTP_OK)
		return;
	CHECK(size >= WIRE_NTP_HEADER_LEN && size <= WIRE_NTP_MAX_LEN && size % 4 == 0);
	CHECK(p.version >= 1 && p.version <= 4);
	CHECK((size_t)p.n_extensions * 16 <= size - WIRE_NTP_HEADER_LEN);
	/* The header round-trips bit for bit: nothing is lost or invented. */
	wire_ntp_encode(&p, out);
	CHECK(memcmp(out, data, WIRE_NTP_HEADER_LEN) == 0);
	wire_ntp_format_refid(&p, refid, sizeof(refid));
	CHECK(strlen(refid) < sizeof(refid));
	CHECK((wire_ntp_kiss(&p) == WIRE_NTP_KISS_NONE) == (p.stratum != 0));
	unsigned t = filter_check_header(&p);
	CHECK((t &
	          ~(unsigned)(FILTER_T_INVALID_TS | FILTER_T_UNSYNC | FILTER_T_STRATUM |
	              FILTER_T_ROOT_DIST)) == 0);
}

static void
check_after_finish(const struct query_target *t)
{
	CHECK(t->n_samples <= t->max_samples);
	CHECK(t->status <= QUERY_ERROR);
	CHECK(memchr(t->error, '\0', sizeof(t->error)) != NULL);
	CHECK(memchr(t->drop_reason, '\0', sizeof(t->drop_reason)) != NULL);
	CHECK(memchr(t->kiss_code, '\0', sizeof(t->kiss_code)) != NULL);
	if (t->n_samples == 0) {
		CHECK(t->status != QUERY_OK);
		CHECK(t->tests & FILTER_T_UNREACHABLE);
		return;
	}
	CHECK(t->have_reply);
	CHECK((t->status == QUERY_OK) == !(t->tests & FILTER_UNFIT_MASK));
	CHECK(t->filt.best < t->n_samples);
	CHECK(isfinite(t->filt.offset_s) && isfinite(t->filt.delay_s));
	CHECK(t->filt.delay_s >= ldexp(1.0, LOCAL_PRECISION));
	CHECK(t->filt.jitter_s >= ldexp(1.0, LOCAL_PRECISION));
	CHECK(t->filt.dispersion_s > 0 && isfinite(t->filt.dispersion_s));
	CHECK(t->root_distance_s >= FILTER_MINDIST && isfinite(t->root_distance_s));
	CHECK(t->status != QUERY_OK || t->root_distance_s < FILTER_MAXDIST);
}

static void
check_outputs(struct query_target *t)
{
	struct query_report r = {.t = t, .n = 1, .local_precision = LOCAL_PRECISION};
	char note[320], small[16];
	struct buf b = {0};
	json_error_t err;

	query_note(t, note, sizeof(note));
	CHECK(strlen(note) < sizeof(note));
	for (size_t len = 1; len <= sizeof(small); len++) {
		memset(small, 'Z', sizeof(small));
		query_note(t, small, len);
		CHECK(memchr(small, '\0', len) != NULL);
	}
	query_select(t, 1, &r.sel);
	r.n_candidates = t->status == QUERY_OK;
	if (t->status == QUERY_OK)
		CHECK(t->tally == '*' && r.sel.sys_peer == 0);
	else
		CHECK(t->tally == '?' && r.sel.sys_peer == -1);

	out_query_text(&b, &r, true);
	CHECK(b.data && strlen(b.data) == b.len);
	buf_reset(&b);
	out_query_json(&b, &r);
	json_t *root = json_loads(b.data, 0, &err);
	CHECK(root != NULL);
	CHECK(json_array_size(json_object_get(root, "targets")) == 1); /* no target was lost */
	json_decref(root);
	buf_free(&b);
}

static void
check_query(const uint8_t *data, size_t size)
{
	struct query_target t;
	uint64_t xmt = 0;

	for (size_t i = 0; i < 8; i++)
		xmt = xmt << 8 | (i < size ? data[i] : 0);
	query_target_init(&t, "fuzz.example", 2);
	snprintf(t.addr, sizeof(t.addr), "192.0.2.1");
	t.family = AF_INET;
	t.port = 123;
	t.xmt_wire = xmt;
	t.prev_xmt_wire = xmt ^ PREV_XOR;
	t.t1_ns = T1_NS;
	t.n_sent = 1;

	enum query_action a = query_handle_reply(&t, data, size, T4_NS, LOCAL_PRECISION);
	CHECK(a <= QUERY_KOD_STOP);
	CHECK(t.n_samples == (a == QUERY_ACCEPTED));
	CHECK(t.have_reply == (a == QUERY_ACCEPTED));
	if (a != QUERY_DROPPED)
		CHECK(t.xmt_wire == 0); /* an answer uses the request up */
	else
		CHECK(t.xmt_wire == xmt);
	CHECK((a == QUERY_KOD_STOP) == t.stopped);
	if (a == QUERY_ACCEPTED)
		CHECK(isfinite(t.samples[0].offset_s) && isfinite(t.samples[0].delay_s));

	/* The same datagram again is a replay: it must never be taken a second time. */
	enum query_action again = query_handle_reply(&t, data, size, T4_NS + 1000, LOCAL_PRECISION);
	CHECK(again == QUERY_DROPPED);
	CHECK(t.n_samples <= 1);
	if (a == QUERY_ACCEPTED)
		CHECK(t.n_duplicate == 1);

	query_finish(&t, LOCAL_PRECISION);
	check_after_finish(&t);
	check_outputs(&t);
	query_target_fini(&t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_decode(data, size);
	check_query(data, size);
	return 0;
}
