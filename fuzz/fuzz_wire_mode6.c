/* fuzz_wire_mode6.c: libFuzzer target for everything a mode 6 reply goes through.
 *
 * Input layout: byte 0 is the request's opcode (low 5 bits; bit 7 set lowers the reassembler's
 * limits from byte 5), bytes 1-2 its sequence, 3-4 its association; then datagrams, each a
 * big-endian u16 length and that many bytes (the last one cut at the end of input). Every
 * datagram goes through wire_mode6_reasm_add, checked against a shadow copy of what it should
 * have stored; a complete response is decoded as an association list and as a variable list,
 * and every variable through every getter and the typed tables. The whole input is parsed as a
 * variable list as well, so the parser sees text that never came through the reassembler.
 * Invariants are checked with abort() so that libFuzzer, and the replay runner in ordinary CI,
 * report them as crashes. Pure: no I/O besides stderr on failure. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "wire_mode6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mode6_reasm r, before, round_trip;
static struct mode6_varlist list, again;
static uint8_t shadow[WIRE_MODE6_MAX_RESPONSE];

static bool
is_name_char(char c)
{
	return c > 0x20 && c < 0x7f && c != ',' && c != '=' && c != '"';
}

/* No control characters; a token also has no spaces and stays within ASCII. */
static bool
is_clean(const char *s, bool token)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || (token && (c == ' ' || c > 0x7e)))
			return false;
	}
	return true;
}

static void
check_text_getters(const struct mode6_var *v)
{
	char buf[64];

	for (size_t len = 0; len <= sizeof(buf); len += 16) {
		memset(buf, 'Z', sizeof(buf));
		if (wire_mode6_get_string(v, buf, len) == WIRE_MODE6_OK)
			CHECK(strlen(buf) == v->value_len && v->value_len < len &&
			    is_clean(buf, false));
		if (wire_mode6_get_token(v, buf, len) == WIRE_MODE6_OK)
			CHECK(strlen(buf) == v->value_len && is_clean(buf, true));
	}
}

static void
check_getters(const struct mode6_var *v)
{
	double x, f[WIRE_MODE6_FILTER_STAGES];
	int64_t i;
	uint64_t u;
	int leap;
	bool junk;

	if (wire_mode6_get_double(v, &x) == WIRE_MODE6_OK)
		CHECK(isfinite(x) && fabs(x) < 1e20);
	if (wire_mode6_get_seconds(v, &x) == WIRE_MODE6_OK)
		CHECK(isfinite(x) && fabs(x) < 1e17);
	if (wire_mode6_get_int(v, -1000, 1000, &i) == WIRE_MODE6_OK)
		CHECK(i >= -1000 && i <= 1000);
	(void)wire_mode6_get_int(v, INT64_MIN, INT64_MAX, &i);
	if (wire_mode6_get_hex(v, &u) == WIRE_MODE6_OK)
		CHECK(v->value_len >= 3);
	(void)wire_mode6_get_lfp(v, &u);
	if (wire_mode6_get_leap(v, &leap) == WIRE_MODE6_OK)
		CHECK(leap >= 0 && leap <= 3);
	if (wire_mode6_get_filter(v, f, &junk) == WIRE_MODE6_OK)
		for (size_t k = 0; k < WIRE_MODE6_FILTER_STAGES; k++)
			CHECK(isfinite(f[k]));
	check_text_getters(v);
}

/* One parsed item: its spans lie in the text, after the previous item, and obey the rules. */
static void
check_var(const char *text, size_t len, const struct mode6_var *v, size_t *prev_end)
{
	CHECK(v->name >= text && v->name + v->name_len <= text + len);
	CHECK(v->offset == (size_t)(v->name - text) && v->offset >= *prev_end);
	CHECK(v->name_len >= 1 && v->name_len <= WIRE_MODE6_MAX_NAME);
	for (size_t k = 0; k < v->name_len; k++)
		CHECK(is_name_char(v->name[k]));
	if (v->has_value) {
		CHECK(v->value >= v->name + v->name_len && v->value + v->value_len <= text + len);
		CHECK(v->value_len <= WIRE_MODE6_MAX_VALUE);
		*prev_end = (size_t)(v->value + v->value_len - text);
	} else {
		CHECK(!v->is_quoted && v->value_len == 0);
		*prev_end = v->offset + v->name_len;
	}
	check_getters(v);
}

static void
check_typed(void)
{
	struct mode6_sys_vars sv;
	struct mode6_peer_vars pv;
	struct mode6_problems p;

	enum wire_mode6_status st = wire_mode6_decode_sys_vars(&list, &sv, &p);
	CHECK((st == WIRE_MODE6_OK) || p.n > 0);
	CHECK(sv.have < UINT64_C(1) << (WIRE_MODE6_SYS_SYSTEM + 1));
	CHECK(memchr(sv.version, '\0', sizeof(sv.version)));
	CHECK(memchr(sv.refid, '\0', sizeof(sv.refid)));
	CHECK(sv.leap >= 0 && sv.leap <= 3);
	st = wire_mode6_decode_peer_vars(&list, &pv, &p);
	CHECK((st == WIRE_MODE6_OK) || p.n > 0);
	CHECK(pv.have < UINT64_C(1) << (WIRE_MODE6_PEER_FILTDISP + 1));
	CHECK(pv.reach <= 0xff && pv.flash <= 0xffff);
	CHECK(memchr(pv.srcadr, '\0', sizeof(pv.srcadr)));
	CHECK(memchr(pv.srchost, '\0', sizeof(pv.srchost)));
	for (size_t k = 0; k < p.n && k < WIRE_MODE6_MAX_PROBLEMS; k++)
		CHECK(p.first[k].var < list.n);
}

/* Names the parser accepts can be asked for; the request's data parses back to them, and
 * turned into a one-fragment reply it reassembles to the same bytes. */
static void
check_request(const char *const *names, size_t n)
{
	uint8_t req[WIRE_MODE6_MAX_REQUEST];
	size_t req_len = 0;

	enum wire_mode6_status st = wire_mode6_encode_readvar(req, 0x1234, 7, names, n, &req_len);
	CHECK(st == WIRE_MODE6_OK || st == WIRE_MODE6_REQUEST_TOO_LONG);
	if (st != WIRE_MODE6_OK)
		return;
	CHECK(req_len % 4 == 0 && req_len >= WIRE_MODE6_HEADER_LEN);
	size_t count = (size_t)(req[10] << 8 | req[11]);
	CHECK(count <= req_len - WIRE_MODE6_HEADER_LEN && req_len - count - 12 < 4);
	CHECK(wire_mode6_parse_varlist((const char *)req + 12, count, &again) == WIRE_MODE6_OK);
	CHECK(again.n == n);
	for (size_t i = 0; i < n; i++)
		CHECK(wire_mode6_var_is(&again.vars[i], names[i]));
	req[1] |= 0x80;
	wire_mode6_reasm_init(&round_trip, 2, 0x1234, 7);
	CHECK(wire_mode6_reasm_add(&round_trip, req, req_len) == WIRE_MODE6_DONE);
	CHECK(round_trip.len == count && memcmp(round_trip.data, req + 12, count) == 0);
}

/* Parses text and checks what the parser promises; then the getters, the typed tables and a
 * READVAR request built from the names it found. */
static void
check_varlist(const char *text, size_t len)
{
	static char name_buf[WIRE_MODE6_MAX_VARS][WIRE_MODE6_MAX_NAME + 1];
	const char *names[WIRE_MODE6_MAX_VARS];
	size_t prev_end = 0;

	enum wire_mode6_status st = wire_mode6_parse_varlist(text, len, &list);
	CHECK((st == WIRE_MODE6_OK) == (list.problems.n == 0));
	CHECK(list.n <= WIRE_MODE6_MAX_VARS);
	CHECK(list.n_dropped == 0 || list.n == WIRE_MODE6_MAX_VARS);
	CHECK(wire_mode6_varlist_find(&list, "") == NULL);
	for (size_t i = 0; i < list.n; i++) {
		check_var(text, len, &list.vars[i], &prev_end);
		memcpy(name_buf[i], list.vars[i].name, list.vars[i].name_len);
		name_buf[i][list.vars[i].name_len] = '\0';
		names[i] = name_buf[i];
	}
	for (size_t k = 0; k < list.problems.n && k < WIRE_MODE6_MAX_PROBLEMS; k++) {
		CHECK(list.problems.first[k].st > WIRE_MODE6_DONE);
		CHECK(list.problems.first[k].st <= WIRE_MODE6_STATUS_LAST);
		CHECK(list.problems.first[k].offset < len);
	}
	check_typed();
	check_request(names, list.n < 40 ? list.n : 40);
}

static void
check_decoders(void)
{
	struct mode6_assoc a[8];
	char buf[96];
	size_t n = 99;

	enum wire_mode6_status st = wire_mode6_decode_assocs(r.data, r.len, a, 8, &n);
	CHECK(n <= 8);
	CHECK(st != WIRE_MODE6_OK || n == r.len / 4);
	CHECK(st != WIRE_MODE6_BAD_ASSOC_LIST || r.len % 4 != 0);
	for (size_t i = 0; i < n; i++)
		CHECK(a[i].status.select < 8 && wire_mode6_select_tally(a[i].status.select) != '?');
	for (size_t len = 0; len <= sizeof(buf); len += 8) {
		memset(buf, 'Z', sizeof(buf));
		wire_mode6_format_sys_status(r.status, buf, len);
		CHECK(len == 0 || memchr(buf, '\0', len));
		wire_mode6_format_peer_status(r.status, buf, len);
		CHECK(len == 0 || memchr(buf, '\0', len));
		wire_mode6_format_flash(r.status, buf, len);
		CHECK(len == 0 || memchr(buf, '\0', len));
	}
	check_varlist((const char *)r.data, r.len);
}

/* One datagram into the reassembler, checked against what it may and may not change. */
static void
add_one(const uint8_t *pkt, size_t len)
{
	memcpy(&before, &r, offsetof(struct mode6_reasm, data));
	enum wire_mode6_status st = wire_mode6_reasm_add(&r, pkt, len);

	CHECK(st >= WIRE_MODE6_NEED_MORE && st <= WIRE_MODE6_TOO_LONG);
	CHECK(strcmp(wire_mode6_strerror(st), "unknown error") != 0);
	if (wire_mode6_is_stray(st) || before.done || before.error != WIRE_MODE6_OK) {
		CHECK(r.n_frags == before.n_frags && r.done == before.done);
		CHECK(r.error == before.error && r.have_last == before.have_last);
		CHECK(st != WIRE_MODE6_DONE || before.done);
		CHECK(
		    before.error == WIRE_MODE6_OK || st == before.error || wire_mode6_is_stray(st));
		return;
	}
	if (st != WIRE_MODE6_NEED_MORE && st != WIRE_MODE6_DONE) {
		CHECK(r.error == st && r.n_frags == before.n_frags);
		CHECK(wire_mode6_reasm_finish(&r) == st);
		return;
	}
	/* stored: mirror it */
	size_t off = (size_t)(pkt[8] << 8 | pkt[9]), count = (size_t)(pkt[10] << 8 | pkt[11]);
	CHECK(r.n_frags == before.n_frags + 1 && r.n_frags <= r.max_frags);
	CHECK(off + count <= r.max_bytes && 12 + count <= len && len % 4 == 0);
	memcpy(shadow + off, pkt + 12, count);
	for (size_t i = 0; i < r.n_frags; i++)
		for (size_t j = i + 1; j < r.n_frags; j++)
			CHECK(r.frags[i].offset + r.frags[i].count <= r.frags[j].offset ||
			    r.frags[j].offset + r.frags[j].count <= r.frags[i].offset);
	if (st == WIRE_MODE6_DONE) {
		CHECK(r.done && r.have_last && r.len == r.end && r.data[r.len] == '\0');
		CHECK(memcmp(r.data, shadow, r.len) == 0);
		CHECK(wire_mode6_reasm_finish(&r) == WIRE_MODE6_DONE);
	} else {
		enum wire_mode6_status fin = wire_mode6_reasm_finish(&r);
		CHECK(fin == WIRE_MODE6_MISSING_LAST || fin == WIRE_MODE6_MISSING_FRAGMENT);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 6;

	check_varlist((const char *)data, size);
	if (size < 6)
		return 0;
	wire_mode6_reasm_init(&r, data[0] & 0x1f, (uint16_t)(data[1] << 8 | data[2]),
	    (uint16_t)(data[3] << 8 | data[4]));
	if (data[0] & 0x80) {
		r.max_frags = (size_t)(data[5] & 31) + 1;
		r.max_bytes = (size_t)data[5] * 64;
	}
	CHECK(wire_mode6_reasm_finish(&r) == WIRE_MODE6_NO_REPLY);
	for (size_t k = 0; pos + 2 <= size && k < 4 * (size_t)WIRE_MODE6_MAX_FRAGS; k++) {
		size_t len = (size_t)(data[pos] << 8 | data[pos + 1]);
		pos += 2;
		if (len > size - pos)
			len = size - pos;
		/* a copy of exactly its size, as recvfrom would give it */
		uint8_t *pkt = malloc(len ? len : 1);
		CHECK(pkt != NULL);
		memcpy(pkt, data + pos, len);
		add_one(pkt, len);
		free(pkt);
		pos += len;
	}
	if (r.done)
		check_decoders();
	return 0;
}
