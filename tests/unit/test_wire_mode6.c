/* test_wire_mode6.c: the mode 6 codec against requests written out by hand, against golden
 * replies captured from a real NTPsec 1.2.2 ntpd (tests/data/mode6, see capture.py there) and
 * checked with what ntpq printed at the same moment (ntpq.txt), and against hostile input:
 * fragments out of order, overlapping, duplicated, never-ending, of other requests, error
 * replies, counts beyond the datagram, unterminated quotes, absurd numbers, NUL bytes, 500
 * variables.
 *
 * Oracle check: every variable ntpq printed must be in our parsed list (and nothing more), and
 * each value must agree with ntpq's cooked form: ms values numerically, leap as two binary
 * digits, reach in octal, flash as hex plus names, timestamps as hex, strings in quotes. The
 * capture repeated its own requests after ntpq ran and kept the round only when nothing but
 * `clock` had changed, so ntpq saw the state the .bin files hold. */
#include "config.h"

#include <stdlib.h>

#include "buf.h"
#include "cw_test.h"
#include "filter.h"
#include "macros.h"
#include "wire_mode6.h"

#define DATA_DIR CW_TEST_DATA_DIR "/mode6/"
#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))
#define OP_READSTAT WIRE_MODE6_OP_READSTAT
#define OP_READVAR WIRE_MODE6_OP_READVAR

/* ---- Files ------------------------------------------------------------------------------- */

static uint8_t *
load(const char *name, size_t *len)
{
	return cw_load(DATA_DIR, name, len, true);
}

/* The reply datagrams NAME-1.bin, NAME-2.bin, ... in the order they arrived. */
struct golden {
	uint8_t *frag[WIRE_MODE6_MAX_FRAGS];
	size_t len[WIRE_MODE6_MAX_FRAGS];
	size_t n;
};

static void
golden_load(const char *name, struct golden *g)
{
	char file[128];

	g->n = 0;
	for (size_t i = 0; i < WIRE_MODE6_MAX_FRAGS; i++) {
		snprintf(file, sizeof(file), "%s-%zu.bin", name, i + 1);
		g->frag[i] = load(file, &g->len[i]);
		if (!g->frag[i])
			break;
		g->n++;
	}
	if (g->n == 0)
		fail_msg("missing golden file %s%s-1.bin (run tests/data/mode6/capture.py)",
		    DATA_DIR, name);
}

static void
golden_free(struct golden *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->frag[i]);
	g->n = 0;
}

static uint16_t
be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Reassembles a golden reply, fragments in file order; the request's sequence is the one the
 * capture used (echoed in every fragment). */
static void
golden_reasm(const char *name, unsigned op, uint16_t assoc, struct mode6_reasm *r)
{
	struct golden g;

	golden_load(name, &g);
	wire_mode6_reasm_init(r, op, be16_at(g.frag[0] + 2), assoc);
	for (size_t i = 0; i < g.n; i++)
		assert_int_equal(wire_mode6_reasm_add(r, g.frag[i], g.len[i]),
		    i + 1 < g.n ? WIRE_MODE6_NEED_MORE : WIRE_MODE6_DONE);
	assert_int_equal(wire_mode6_reasm_finish(r), WIRE_MODE6_DONE);
	assert_int_equal(r->n_frags, g.n);
	golden_free(&g);
}

/* ---- Oracle: ntpq.txt -------------------------------------------------------------------- */

struct o_var {
	char name[32];
	char value[512];
};

struct o_block { /* one "rv" output */
	unsigned assoc, status;
	char status_text[160];
	struct o_var v[64];
	size_t n;
};

struct o_as { /* one row of "as" */
	unsigned ind, assoc, status, cnt;
	char conf[8], reach[8], auth[8], cond[16], event[24];
};

struct oracle {
	struct o_block rv[8];
	size_t n_rv;
	struct o_as as[8];
	size_t n_as;
};

static void
trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, n - i + 1);
}

/* Splits one line of ntpq's cooked rv output: items separated by commas outside quotes. */
static void
oracle_items(struct o_block *b, const char *line)
{
	char item[600];
	size_t k = 0;
	bool quoted = false;

	for (const char *p = line;; p++) {
		if (*p == '"')
			quoted = !quoted;
		if ((*p == ',' && !quoted) || *p == '\0') {
			item[k] = '\0';
			k = 0;
			char *eq = strchr(item, '=');
			if (eq) {
				assert_true(b->n < N_ELEM(b->v));
				*eq = '\0';
				snprintf(b->v[b->n].name, sizeof(b->v[0].name), "%.31s", item);
				snprintf(b->v[b->n].value, sizeof(b->v[0].value), "%.511s", eq + 1);
				trim(b->v[b->n].name);
				trim(b->v[b->n].value);
				b->n++;
			}
			if (*p == '\0')
				break;
			continue;
		}
		if (k + 1 < sizeof(item))
			item[k++] = *p;
	}
}

static struct oracle *
oracle_load(void)
{
	struct oracle *o = calloc(1, sizeof(*o));
	size_t len;
	char *text = (char *)load("ntpq.txt", &len), *save = NULL;
	struct o_block *cur = NULL;

	assert_non_null(o);
	if (!text)
		fail_msg("missing %sntpq.txt (run tests/data/mode6/capture.py)", DATA_DIR);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct o_as *a = &o->as[o->n_as];
		int pos = 0;

		if (strncmp(line, "associd=", 8) == 0) {
			assert_true(o->n_rv < N_ELEM(o->rv));
			cur = &o->rv[o->n_rv++];
			assert_int_equal(sscanf(line, "associd=%u status=%x %n", &cur->assoc,
			                     &cur->status, &pos),
			    2);
			snprintf(cur->status_text, sizeof(cur->status_text), "%s", line + pos);
			size_t n = strlen(cur->status_text);
			if (n && cur->status_text[n - 1] == ',')
				cur->status_text[n - 1] = '\0';
		} else if (strncmp(line, "ind ", 4) == 0 || line[0] == '=') {
			cur = NULL;
		} else if (!cur && o->n_as < N_ELEM(o->as) &&
		    sscanf(line, "%u %u %x %7s %7s %7s %15s %23s %u", &a->ind, &a->assoc,
		        &a->status, a->conf, a->reach, a->auth, a->cond, a->event, &a->cnt) == 9) {
			o->n_as++;
		} else if (cur) {
			oracle_items(cur, line);
		}
	}
	free(text);
	return o;
}

static const struct o_block *
oracle_rv(const struct oracle *o, unsigned assoc)
{
	for (size_t i = 0; i < o->n_rv; i++)
		if (o->rv[i].assoc == assoc)
			return &o->rv[i];
	fail_msg("ntpq.txt has no rv %u", assoc);
	return NULL;
}

/* How ntpq shows each variable (NTPsec pylib/util.py cook()). */
enum okind { O_TEXT, O_LEAP, O_MS, O_NUM, O_LFP, O_CLOCK, O_OCTAL, O_FLASH, O_QUOTED, O_FILT };

static enum okind
okind(const char *name)
{
	static const struct {
		const char *name;
		enum okind k;
	} t[] = {
	    {"leap", O_LEAP},
	    {"rootdelay", O_MS},
	    {"rootdisp", O_MS},
	    {"offset", O_MS},
	    {"sys_jitter", O_MS},
	    {"clk_jitter", O_MS},
	    {"delay", O_MS},
	    {"jitter", O_MS},
	    {"dispersion", O_MS},
	    {"frequency", O_NUM},
	    {"clk_wander", O_NUM},
	    {"reftime", O_LFP},
	    {"rec", O_LFP},
	    {"xmt", O_LFP},
	    {"clock", O_CLOCK},
	    {"reach", O_OCTAL},
	    {"flash", O_FLASH},
	    {"processor", O_QUOTED},
	    {"system", O_QUOTED},
	    {"version", O_QUOTED},
	    {"filtdelay", O_FILT},
	    {"filtoffset", O_FILT},
	    {"filtdisp", O_FILT},
	};

	for (size_t i = 0; i < N_ELEM(t); i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].k;
	return O_TEXT; /* integers and words: ntpq prints them as sent */
}

static uint64_t
oracle_lfp(const char *s)
{
	unsigned hi, lo;

	assert_int_equal(sscanf(s, "%8x.%8x", &hi, &lo), 2);
	return (uint64_t)hi << 32 | lo;
}

/* The last 8 words of ntpq's filter line (it shows NTPsec 1.2.2's junk as well). */
static void
oracle_filter(const char *s, double out_ms[8])
{
	const char *w[64];
	size_t n = 0;
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", s);
	for (char *save = NULL, *t = strtok_r(buf, " \t", &save); t && n < N_ELEM(w);
	     t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	assert_true(n >= 8);
	for (size_t i = 0; i < 8; i++)
		out_ms[i] = strtod(w[n - 8 + i], NULL);
}

static void
check_value(const struct o_var *ov, const struct mode6_var *v)
{
	char buf[512];
	double x, ms, f[8], oms[8];
	uint64_t u;
	int leap;
	bool junk;

	switch (okind(ov->name)) {
	case O_TEXT:
		assert_int_equal(v->value_len, strlen(ov->value));
		assert_memory_equal(v->value, ov->value, v->value_len);
		break;
	case O_LEAP:
		assert_int_equal(wire_mode6_get_leap(v, &leap), WIRE_MODE6_OK);
		assert_int_equal(leap, strtol(ov->value, NULL, 2));
		break;
	case O_MS:
		assert_int_equal(wire_mode6_get_seconds(v, &x), WIRE_MODE6_OK);
		ms = strtod(ov->value, NULL);
		assert_double_near(x * 1e3, ms, 1e-12 * fabs(ms) + 1e-15);
		break;
	case O_NUM:
		assert_int_equal(wire_mode6_get_double(v, &x), WIRE_MODE6_OK);
		assert_double_exact(x, strtod(ov->value, NULL));
		break;
	case O_LFP:
		assert_int_equal(wire_mode6_get_lfp(v, &u), WIRE_MODE6_OK);
		assert_u64_equal(u, oracle_lfp(ov->value));
		break;
	case O_CLOCK: /* the server's time now: ntpq asked a moment after the capture */
		assert_int_equal(wire_mode6_get_lfp(v, &u), WIRE_MODE6_OK);
		assert_true(oracle_lfp(ov->value) >= u);
		assert_true(oracle_lfp(ov->value) - u < (UINT64_C(5) << 32));
		break;
	case O_OCTAL:
		assert_int_equal(wire_mode6_get_hex(v, &u), WIRE_MODE6_OK);
		assert_int_equal(u, strtoul(ov->value, NULL, 8));
		break;
	case O_FLASH: /* "00 ok", "400 peer_dist" */
		assert_int_equal(wire_mode6_get_hex(v, &u), WIRE_MODE6_OK);
		assert_int_equal(u, strtoul(ov->value, NULL, 16));
		assert_string_equal(wire_mode6_format_flash((unsigned)u, buf, sizeof(buf)),
		    strchr(ov->value, ' ') + 1);
		break;
	case O_QUOTED:
		assert_true(v->is_quoted);
		assert_int_equal(wire_mode6_get_string(v, buf, sizeof(buf)), WIRE_MODE6_OK);
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "\"");
		assert_int_equal(ov->value[0], '"');
		assert_string_equal(buf, ov->value + 1);
		break;
	case O_FILT:
		assert_int_equal(wire_mode6_get_filter(v, f, &junk), WIRE_MODE6_OK);
		assert_true(junk); /* NTPsec 1.2.2 */
		oracle_filter(ov->value, oms);
		for (size_t i = 0; i < 8; i++)
			assert_double_near(f[i] * 1e3, oms[i], 1e-12);
		break;
	}
}

/* Our list holds exactly the variables ntpq printed, with the same values. */
static void
check_against_oracle(const struct o_block *b, const struct mode6_varlist *l)
{
	assert_int_equal(l->n, b->n);
	for (size_t i = 0; i < b->n; i++) {
		const struct mode6_var *v = wire_mode6_varlist_find(l, b->v[i].name);
		cw_case = b->v[i].name;
		assert_non_null(v);
		check_value(&b->v[i], v);
	}
	cw_case = NULL;
}

static void
parse_clean(const struct mode6_reasm *r, struct mode6_varlist *l)
{
	assert_int_equal(wire_mode6_parse_varlist((const char *)r->data, r->len, l), WIRE_MODE6_OK);
	assert_int_equal(l->problems.n, 0);
	assert_int_equal(l->n_dropped, 0);
}

/* ---- Requests ---------------------------------------------------------------------------- */

static void
test_encode_readstat(void **state)
{
	static const uint8_t want[] = {0x16, 0x01, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0};
	uint8_t out[WIRE_MODE6_MAX_REQUEST];

	(void)state;
	assert_int_equal(wire_mode6_encode_readstat(out, 0x1234, 0), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(wire_mode6_encode_readstat(out, 0xfffe, 17769), 12);
	assert_int_equal(out[2] << 8 | out[3], 0xfffe);
	assert_int_equal(out[6] << 8 | out[7], 17769);
}

static void
test_encode_readvar(void **state)
{
	/* what capture.py sent for peervars-list: NTPsec answered it (peervars-list-1.bin) */
	static const char *const peer_names[] = {"srcadr", "reach", "flash", "offset", "filtdelay",
	    "filtoffset", "filtdisp"};
	static const char peer_data[] = "srcadr,reach,flash,offset,filtdelay,filtoffset,filtdisp";
	static const char *const one[] = {"offset"};
	static const uint8_t want_one[] = {0x16, 0x02, 0xab, 0xcd, 0, 0, 0x45, 0x68, 0, 0, 0, 6,
	    'o', 'f', 'f', 's', 'e', 't', 0, 0};
	uint8_t out[WIRE_MODE6_MAX_REQUEST];
	size_t len = 0;

	(void)state;
	assert_int_equal(wire_mode6_encode_readvar(out, 0xabcd, 17768, one, 1, &len),
	    WIRE_MODE6_OK);
	assert_int_equal(len, sizeof(want_one)); /* 6 data octets padded with NULs to 8 */
	assert_memory_equal(out, want_one, sizeof(want_one));

	assert_int_equal(wire_mode6_encode_readvar(out, 7, 17768, peer_names, N_ELEM(peer_names),
	                     &len),
	    WIRE_MODE6_OK);
	assert_int_equal(out[10] << 8 | out[11], sizeof(peer_data) - 1);
	assert_memory_equal(out + 12, peer_data, sizeof(peer_data) - 1);
	assert_int_equal(len, 12 + (sizeof(peer_data) - 1 + 3) / 4 * 4);
	for (size_t i = 12 + sizeof(peer_data) - 1; i < len; i++)
		assert_int_equal(out[i], 0);

	/* no names: the server's default list */
	assert_int_equal(wire_mode6_encode_readvar(out, 7, 0, NULL, 0, &len), WIRE_MODE6_OK);
	assert_int_equal(len, 12);
	assert_int_equal(out[1], OP_READVAR);
}

static void
test_encode_readvar_refuses(void **state)
{
	static const char long_name[] =
	    "a123456789b123456789c123456789d123456789e123456789f123456789g1234"; /* 65 */
	static const char *const bad[] = {"", "a,b", "a=b", "a b", "\"x", "tab\there", "ctl\x01",
	    "del\x7f", long_name, "\xc3\xa9t\xc3\xa9"};
	const char *names[80];
	uint8_t out[WIRE_MODE6_MAX_REQUEST];
	size_t len = 99;

	(void)state;
	for (size_t i = 0; i < N_ELEM(bad); i++) {
		const char *list[] = {"offset", bad[i]};
		cw_case = bad[i];
		assert_int_equal(wire_mode6_encode_readvar(out, 1, 0, list, 2, &len),
		    WIRE_MODE6_BAD_NAME);
		assert_int_equal(len, 99);
	}
	cw_case = NULL;
	/* 52 names of 8 octets and 51 commas: 467 octets fit, one more name does not */
	for (size_t i = 0; i < N_ELEM(names); i++)
		names[i] = "abcdefgh";
	assert_int_equal(wire_mode6_encode_readvar(out, 1, 0, names, 52, &len), WIRE_MODE6_OK);
	assert_int_equal(len, 12 + 468);
	assert_int_equal(wire_mode6_encode_readvar(out, 1, 0, names, 53, &len),
	    WIRE_MODE6_REQUEST_TOO_LONG);
	assert_int_equal(wire_mode6_encode(out, 2, 1, 0, out, WIRE_MODE6_MAX_DATA + 1), 0);
}

/* ---- Golden replies from NTPsec 1.2.2 ---------------------------------------------------- */

static void
test_golden_readstat(void **state)
{
	static struct mode6_reasm r;
	struct oracle *o = oracle_load();
	struct mode6_assoc a[8];
	char buf[160];
	size_t n;

	(void)state;
	golden_reasm("readstat", OP_READSTAT, 0, &r);
	assert_int_equal(r.len, 12);
	assert_int_equal(r.version, 2);
	/* the system status word rides in the header */
	assert_int_equal(r.status, oracle_rv(o, 0)->status);
	assert_string_equal(wire_mode6_format_sys_status(r.status, buf, sizeof(buf)),
	    oracle_rv(o, 0)->status_text);

	assert_int_equal(wire_mode6_decode_assocs(r.data, r.len, a, N_ELEM(a), &n), WIRE_MODE6_OK);
	assert_int_equal(n, 3);
	assert_int_equal(o->n_as, n);
	for (size_t i = 0; i < n; i++) {
		/* NTPsec lists newest first; ntpq sorts by association ID */
		const struct mode6_assoc *p = &a[n - 1 - i];
		const struct o_as *q = &o->as[i];
		assert_int_equal(p->assoc, q->assoc);
		assert_int_equal(p->status_word, q->status);
		assert_string_equal(wire_mode6_select_name(p->status.select), q->cond);
		assert_string_equal(wire_mode6_peer_event_name(p->status.event), q->event);
		assert_int_equal(p->status.event_count, q->cnt);
		assert_string_equal(p->status.is_configured ? "yes" : "no", q->conf);
		assert_string_equal(p->status.is_reachable ? "yes" : "no", q->reach);
		assert_false(p->status.is_auth_enabled); /* ntpq "none" */
		assert_string_equal(q->auth, "none");
		/* ntpq rv prints the same word again */
		assert_string_equal(wire_mode6_format_peer_status(p->status_word, buf, sizeof(buf)),
		    oracle_rv(o, p->assoc)->status_text);
	}
	assert_int_equal(a[2].status.select, WIRE_MODE6_SEL_CANDIDATE);
	assert_int_equal(a[1].status.select, WIRE_MODE6_SEL_SYS_PEER);
	assert_int_equal(a[0].status.select, WIRE_MODE6_SEL_FALSETICK);
	assert_int_equal(wire_mode6_select_tally(a[1].status.select), '*');
	assert_int_equal(wire_mode6_select_tally(a[0].status.select), 'x');
	assert_int_equal(wire_mode6_select_tally(a[2].status.select), '+');
	free(o);
}

static void
test_golden_sysvars(void **state)
{
	static struct mode6_reasm r;
	static struct mode6_varlist l;
	struct mode6_sys_vars s;
	struct mode6_problems p;
	struct oracle *o = oracle_load();

	(void)state;
	golden_reasm("sysvars", OP_READVAR, 0, &r);
	assert_int_equal(r.status, 0x0014);
	parse_clean(&r, &l);
	check_against_oracle(oracle_rv(o, 0), &l);

	assert_int_equal(wire_mode6_decode_sys_vars(&l, &s, &p), WIRE_MODE6_OK);
	assert_int_equal(p.n, 0);
	/* every field but tai and the leap file dates (no leapfile configured) */
	assert_u64_equal(s.have,
	    ((UINT64_C(1) << (WIRE_MODE6_SYS_SYSTEM + 1)) - 1) &
	        ~(UINT64_C(1) << WIRE_MODE6_SYS_TAI | UINT64_C(1) << WIRE_MODE6_SYS_LEAPSEC |
	            UINT64_C(1) << WIRE_MODE6_SYS_EXPIRE));
	/* the values as sent (ms on the wire, seconds here), exact */
	assert_int_equal(s.leap, 0);
	assert_int_equal(s.stratum, 2);
	assert_int_equal(s.precision, -23);
	assert_double_exact(s.rootdelay_s, 0.000045);
	assert_double_exact(s.rootdisp_s, 0.001015);
	assert_string_equal(s.refid, "10.200.6.12");
	assert_u64_equal(s.reftime, UINT64_C(0xeeacba367a37f52c));
	assert_u64_equal(s.clock, UINT64_C(0xeeacba3839914805));
	assert_int_equal(s.peer, 17768);
	assert_int_equal(s.tc, 0);
	assert_int_equal(s.mintc, 0);
	assert_double_exact(s.offset_s, -0.000001527);
	assert_double_exact(s.frequency_ppm, 0.0);
	assert_double_exact(s.sys_jitter_s, 0.000018146);
	assert_double_exact(s.clk_jitter_s, 0.000006933);
	assert_double_exact(s.clk_wander_ppm, 0.0);
	assert_string_equal(s.processor, "x86_64");
	assert_string_equal(s.system, "Linux/6.18.44-fc-v657");
	assert_string_equal(s.version, "ntpd ntpsec-1.2.2");
	free(o);
}

/* The three associations as NTPsec reported them (values in seconds, exact). */
static const struct {
	const char *file;
	uint16_t assoc;
	uint16_t status;
	const char *srcadr;
	int precision;
	uint64_t reftime, rec, xmt;
	double delay_s, offset_s, jitter_s, dispersion_s;
	double filtdelay_s[8], filtoffset_s[8];
} golden_peers[] = {
    {"peervars-11", 17767, 0xb41a, "10.200.6.11", -25, UINT64_C(0xeeacba1b31257a7c),
        UINT64_C(0xeeacba377a4037d7), UINT64_C(0xeeacba377a3fe81c), 0.000008287, -0.000000609,
        0.000001595, 0.000029094, {1e-5, 1e-5, 1e-5, 1e-5, 1e-5, 1e-5, 2e-5, 2e-5},
        {-0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0}},
    {"peervars-12", 17768, 0xb61a, "10.200.6.12", -25, UINT64_C(0xeeacba1b00b27294),
        UINT64_C(0xeeacba367a37f52c), UINT64_C(0xeeacba367a376d7c), 0.000044589, 0.000014207,
        0.000002374, 0.000029094, {4e-5, 5e-5, 5e-5, 5e-5, 3e-5, 4e-5, 5e-5, 5e-5},
        {1e-5, 2e-5, 2e-5, 1e-5, 1e-5, 1e-5, 2e-5, 2e-5}},
    {"peervars-13", 17769, 0xb114, "10.200.6.13", -24, UINT64_C(0xeeacba29e52e7de8),
        UINT64_C(0xeeacba377a3c811e), UINT64_C(0xeeacba467a3bc7b8), 0.000097362, 15.00003763,
        0.000039432, 0.000029125, {1e-4, 1e-4, 2.1e-4, 1.6e-4, 1.4e-4, 1.5e-4, 1.6e-4, 1.8e-4},
        {15.00004, 15.00004, 15.0001, 15.00007, 15.00007, 15.00007, 15.00007, 15.00008}},
};

static const double golden_filtdisp_s[8] = {0.0, 3e-5, 6e-5, 9e-5, 1.2e-4, 1.5e-4, 1.8e-4, 2.1e-4};

static void
test_golden_peervars(void **state)
{
	static struct mode6_reasm r;
	static struct mode6_varlist l;
	struct mode6_peer_vars pv;
	struct mode6_problems p;
	struct oracle *o = oracle_load();

	(void)state;
	for (size_t k = 0; k < N_ELEM(golden_peers); k++) {
		cw_case = golden_peers[k].file;
		golden_reasm(golden_peers[k].file, OP_READVAR, golden_peers[k].assoc, &r);
		assert_int_equal(r.n_frags, 2); /* 468 octets, then the rest */
		assert_int_equal(r.status, golden_peers[k].status);
		assert_int_equal(r.status, oracle_rv(o, golden_peers[k].assoc)->status);
		parse_clean(&r, &l);
		check_against_oracle(oracle_rv(o, golden_peers[k].assoc), &l);
		cw_case = golden_peers[k].file;

		/* headway, keyid, ntscookies are known and not decoded: no report */
		assert_int_equal(wire_mode6_decode_peer_vars(&l, &pv, &p), WIRE_MODE6_OK);
		assert_int_equal(p.n, 0);
		assert_string_equal(pv.srcadr, golden_peers[k].srcadr);
		assert_int_equal(pv.srcport, 123);
		assert_string_equal(pv.dstadr, "10.200.6.1");
		assert_int_equal(pv.dstport, 123);
		assert_int_equal(pv.leap, 0);
		assert_int_equal(pv.hmode, 3);
		assert_int_equal(pv.pmode, 4);
		assert_int_equal(pv.stratum, 1);
		assert_int_equal(pv.ppoll, 99); /* as NTPsec sent it */
		assert_int_equal(pv.hpoll, 0);
		assert_int_equal(pv.precision, golden_peers[k].precision);
		assert_double_exact(pv.rootdelay_s, 0.0);
		assert_double_exact(pv.rootdisp_s, 0.0);
		/* chronyd's local refid 127.127.1.1: NTPsec prints unprintable octets as dots */
		assert_string_equal(pv.refid, "....");
		assert_u64_equal(pv.reftime, golden_peers[k].reftime);
		assert_u64_equal(pv.rec, golden_peers[k].rec);
		assert_u64_equal(pv.xmt, golden_peers[k].xmt);
		assert_int_equal(pv.reach, 0xff);
		assert_int_equal(pv.unreach, 0);
		assert_int_equal(pv.flash, 0);
		assert_double_exact(pv.delay_s, golden_peers[k].delay_s);
		assert_double_exact(pv.offset_s, golden_peers[k].offset_s);
		assert_double_exact(pv.jitter_s, golden_peers[k].jitter_s);
		assert_double_exact(pv.dispersion_s, golden_peers[k].dispersion_s);
		assert_true(pv.has_filter_junk);
		for (size_t i = 0; i < 8; i++) {
			assert_double_exact(pv.filtdelay_s[i], golden_peers[k].filtdelay_s[i]);
			assert_double_exact(pv.filtoffset_s[i], golden_peers[k].filtoffset_s[i]);
			assert_double_exact(pv.filtdisp_s[i], golden_filtdisp_s[i]);
		}
		assert_false(pv.have & UINT64_C(1) << WIRE_MODE6_PEER_XLEAVE); /* ntpd 4.2.8 only */
		assert_false(pv.have & UINT64_C(1) << WIRE_MODE6_PEER_SRCHOST);
		assert_true(pv.have & UINT64_C(1) << WIRE_MODE6_PEER_FILTDISP);
	}
	cw_case = NULL;
	free(o);
}

/* READVAR with a name list, READSTAT of one association (text), and the three error replies. */
static void
test_golden_lists_and_errors(void **state)
{
	static struct mode6_reasm r;
	static struct mode6_varlist l;
	struct mode6_peer_vars pv;
	struct mode6_sys_vars s;
	struct mode6_problems p;
	static const struct {
		const char *file;
		unsigned op;
		uint16_t assoc;
		uint8_t code;
		const char *name;
	} errs[] = {
	    {"err-unknownvar", OP_READVAR, 0, 5, "UNKNOWNVAR"},
	    {"err-badassoc", OP_READVAR, 1, 4, "BADASSOC"},
	    {"err-badop", 13, 0, 3, "BADOP"},
	};
	struct golden g;

	(void)state;
	golden_reasm("sysvars-list", OP_READVAR, 0, &r);
	parse_clean(&r, &l);
	assert_int_equal(l.n, 6); /* exactly the six names asked for, in the order asked */
	assert_true(wire_mode6_var_is(&l.vars[0], "leap"));
	assert_true(wire_mode6_var_is(&l.vars[5], "sys_jitter"));
	assert_int_equal(wire_mode6_decode_sys_vars(&l, &s, NULL), WIRE_MODE6_OK);
	assert_double_exact(s.offset_s, -0.000001527);
	assert_int_equal(s.peer, 17768);

	golden_reasm("peervars-list", OP_READVAR, 17768, &r);
	parse_clean(&r, &l);
	assert_int_equal(l.n, 7);
	assert_int_equal(wire_mode6_decode_peer_vars(&l, &pv, &p), WIRE_MODE6_OK);
	assert_int_equal(p.n, 0);
	/* the junk before the values held old values this time: only the last 8 count */
	for (size_t i = 0; i < 8; i++) {
		assert_double_exact(pv.filtdelay_s[i], golden_peers[1].filtdelay_s[i]);
		assert_double_exact(pv.filtoffset_s[i], golden_peers[1].filtoffset_s[i]);
		assert_double_exact(pv.filtdisp_s[i], golden_filtdisp_s[i]);
	}

	golden_reasm("readstat-assoc", OP_READSTAT, 17769, &r);
	assert_int_equal(r.status, 0xb114);
	parse_clean(&r, &l);
	assert_int_equal(wire_mode6_decode_peer_vars(&l, &pv, &p), WIRE_MODE6_OK);
	assert_int_equal(p.n, 0); /* config, authenable, authentic, timer: known, skipped */
	assert_string_equal(pv.srcadr, "10.200.6.13");
	assert_u64_equal(pv.xmt, golden_peers[2].xmt);

	for (size_t i = 0; i < N_ELEM(errs); i++) {
		cw_case = errs[i].file;
		golden_load(errs[i].file, &g);
		assert_int_equal(g.n, 1);
		wire_mode6_reasm_init(&r, errs[i].op, be16_at(g.frag[0] + 2), errs[i].assoc);
		assert_int_equal(wire_mode6_reasm_add(&r, g.frag[0], g.len[0]),
		    WIRE_MODE6_SERVER_ERROR);
		assert_int_equal(r.error_code, errs[i].code);
		assert_string_equal(wire_mode6_error_name(r.error_code), errs[i].name);
		assert_int_equal(wire_mode6_reasm_finish(&r), WIRE_MODE6_SERVER_ERROR);
		/* NTPsec echoes the association even when it does not know it */
		assert_int_equal(be16_at(g.frag[0] + 6), errs[i].assoc);
		golden_free(&g);
	}
	cw_case = NULL;
}

/* Fragments of the golden peer reply in every order, twice over, with strays mixed in. */
static void
test_golden_reordered(void **state)
{
	static struct mode6_reasm ref, r;
	struct golden g;
	uint8_t stray[480];

	(void)state;
	golden_reasm("peervars-13", OP_READVAR, 17769, &ref);
	golden_load("peervars-13", &g);
	wire_mode6_reasm_init(&r, OP_READVAR, be16_at(g.frag[0] + 2), 17769);
	memcpy(stray, g.frag[0], g.len[0]);
	stray[3] ^= 1; /* an older request's answer */
	assert_int_equal(wire_mode6_reasm_add(&r, stray, g.len[0]), WIRE_MODE6_WRONG_SEQUENCE);
	assert_int_equal(wire_mode6_reasm_add(&r, g.frag[1], g.len[1]), WIRE_MODE6_NEED_MORE);
	assert_int_equal(wire_mode6_reasm_add(&r, g.frag[1], g.len[1]), WIRE_MODE6_DUPLICATE);
	assert_int_equal(wire_mode6_reasm_finish(&r), WIRE_MODE6_MISSING_FRAGMENT);
	assert_int_equal(wire_mode6_reasm_add(&r, g.frag[0], g.len[0]), WIRE_MODE6_DONE);
	assert_int_equal(wire_mode6_reasm_add(&r, g.frag[0], g.len[0]), WIRE_MODE6_DUPLICATE);
	assert_int_equal(r.n_duplicates, 2);
	assert_int_equal(r.len, ref.len);
	assert_memory_equal(r.data, ref.data, r.len + 1); /* NUL-terminated too */
	assert_int_equal(r.status, ref.status);
	golden_free(&g);
}

/* ---- Hostile reassembly ------------------------------------------------------------------ */

#define SEQ 0x4242
#define ASSOC 7
#define R 0x80
#define E 0x40
#define M 0x20

/* The text whose slices the synthetic fragments carry, so a resent slice is byte-identical. */
static char ref_text[16000];

static void
ref_text_init(void)
{
	for (size_t i = 0; i < sizeof(ref_text); i++)
		ref_text[i] = (char)('a' + i % 26);
}

struct step {
	uint8_t flags; /* R, E, M, and 0x1f opcode (0 = READVAR) */
	uint16_t off, count;
	uint16_t seq, assoc; /* 0 = SEQ, ASSOC */
	uint16_t status;
	uint16_t dgram_len; /* 0 = 12 + count padded to 4 */
	char fill;          /* 0 = slice of ref_text */
	enum wire_mode6_status want;
};

/* Builds one response datagram into buf (room for 12 + 468 + 40). Returns its length. */
static size_t
mkfrag(uint8_t *buf, const struct step *s)
{
	size_t len = s->dgram_len ? s->dgram_len : WIRE_MODE6_HEADER_LEN + (s->count + 3u) / 4 * 4;
	size_t n = CW_MIN((size_t)s->count, len > 12 ? len - 12 : 0);

	memset(buf, 'P', 12 + 468 + 40); /* padding is not NUL: NTPsec leaves old bytes there */
	buf[0] = 2 << 3 | 6;
	buf[1] = (uint8_t)(s->flags | ((s->flags & 0x1f) ? 0 : OP_READVAR));
	wr_be16(buf + 2, s->seq ? s->seq : SEQ);
	wr_be16(buf + 4, s->status ? s->status : 0x0615);
	wr_be16(buf + 6, s->assoc ? s->assoc : ASSOC);
	wr_be16(buf + 8, s->off);
	wr_be16(buf + 10, s->count);
	for (size_t i = 0; i < n && i < 468 + 40; i++)
		buf[12 + i] =
		    (uint8_t)(s->fill ? s->fill : ref_text[(s->off + i) % sizeof(ref_text)]);
	return len;
}

#define MORE(o, c, w)                                                                              \
	{                                                                                          \
		.flags = R | M, .off = o, .count = c, .want = w                                    \
	}
#define LAST(o, c, w)                                                                              \
	{                                                                                          \
		.flags = R, .off = o, .count = c, .want = w                                        \
	}
#define NEED WIRE_MODE6_NEED_MORE
#define DONE WIRE_MODE6_DONE

static const struct scenario {
	const char *name;
	struct step steps[8];
	enum wire_mode6_status finish;
	size_t len; /* response length when DONE */
} scenarios[] = {
    {"in order", {MORE(0, 468, NEED), LAST(468, 100, DONE)}, DONE, 568},
    {"last first", {LAST(468, 100, NEED), MORE(0, 468, DONE)}, DONE, 568},
    {"reversed", {LAST(936, 10, NEED), MORE(468, 468, NEED), MORE(0, 468, DONE)}, DONE, 946},
    {"middle first", {MORE(468, 468, NEED), LAST(936, 10, NEED), MORE(0, 468, DONE)}, DONE, 946},
    {"duplicates",
        {MORE(0, 468, NEED), MORE(0, 468, WIRE_MODE6_DUPLICATE), LAST(468, 1, DONE),
            LAST(468, 1, WIRE_MODE6_DUPLICATE), MORE(0, 468, WIRE_MODE6_DUPLICATE)},
        DONE, 469},
    {"same offset, other bytes",
        {MORE(0, 468, NEED),
            {.flags = R | M, .count = 468, .fill = 'X', .want = WIRE_MODE6_OVERLAP},
            LAST(468, 100, WIRE_MODE6_OVERLAP)},
        WIRE_MODE6_OVERLAP, 0},
    {"same offset, shorter", {MORE(0, 468, NEED), MORE(0, 400, WIRE_MODE6_OVERLAP)},
        WIRE_MODE6_OVERLAP, 0},
    {"overlap from above", {MORE(0, 468, NEED), MORE(400, 200, WIRE_MODE6_OVERLAP)},
        WIRE_MODE6_OVERLAP, 0},
    {"overlap from below", {LAST(468, 100, NEED), MORE(100, 400, WIRE_MODE6_OVERLAP)},
        WIRE_MODE6_OVERLAP, 0},
    {"empty last inside another", {MORE(0, 100, NEED), LAST(50, 0, WIRE_MODE6_BAD_OFFSET)},
        WIRE_MODE6_BAD_OFFSET, 0},
    {"data past the end", {LAST(100, 50, NEED), MORE(200, 10, WIRE_MODE6_BAD_OFFSET)},
        WIRE_MODE6_BAD_OFFSET, 0},
    {"end before stored data", {MORE(200, 10, NEED), LAST(100, 50, WIRE_MODE6_BAD_OFFSET)},
        WIRE_MODE6_BAD_OFFSET, 0},
    {"two different ends", {LAST(100, 50, NEED), LAST(0, 60, WIRE_MODE6_BAD_OFFSET)},
        WIRE_MODE6_BAD_OFFSET, 0},
    {"last missing", {MORE(0, 468, NEED), MORE(468, 468, NEED)}, WIRE_MODE6_MISSING_LAST, 0},
    {"hole", {MORE(0, 100, NEED), LAST(200, 50, NEED)}, WIRE_MODE6_MISSING_FRAGMENT, 0},
    {"first missing", {LAST(468, 100, NEED)}, WIRE_MODE6_MISSING_FRAGMENT, 0},
    {"nothing", {{.want = 0}}, WIRE_MODE6_NO_REPLY, 0},
    {"empty response", {LAST(0, 0, DONE)}, DONE, 0},
    {"strays in between",
        {{.flags = R, .count = 8, .seq = SEQ + 1, .want = WIRE_MODE6_WRONG_SEQUENCE},
            {.flags = R, .count = 8, .assoc = ASSOC + 1, .want = WIRE_MODE6_WRONG_ASSOC},
            {.flags = R | WIRE_MODE6_OP_READSTAT, .count = 8, .want = WIRE_MODE6_WRONG_OPCODE},
            {.flags = M, .count = 8, .want = WIRE_MODE6_NOT_RESPONSE}, MORE(0, 8, NEED),
            {.flags = R | E, .seq = SEQ + 1, .want = WIRE_MODE6_WRONG_SEQUENCE}, LAST(8, 8, DONE)},
        DONE, 16},
    {"error reply",
        {{.flags = R | E, .status = 0x0500, .want = WIRE_MODE6_SERVER_ERROR},
            LAST(0, 100, WIRE_MODE6_SERVER_ERROR)},
        WIRE_MODE6_SERVER_ERROR, 0},
    {"error after a fragment",
        {MORE(0, 468, NEED),
            {.flags = R | E | M, .status = 0x0100, .want = WIRE_MODE6_SERVER_ERROR}},
        WIRE_MODE6_SERVER_ERROR, 0},
    {"count 0 with more", {MORE(0, 0, WIRE_MODE6_BAD_COUNT)}, WIRE_MODE6_BAD_COUNT, 0},
    {"count over 468", {{.flags = R, .count = 469, .want = WIRE_MODE6_BAD_COUNT}},
        WIRE_MODE6_BAD_COUNT, 0},
    {"count beyond the datagram",
        {{.flags = R, .count = 100, .dgram_len = 52, .want = WIRE_MODE6_BAD_LENGTH}},
        WIRE_MODE6_BAD_LENGTH, 0},
    {"length not a multiple of 4",
        {{.flags = R, .count = 5, .dgram_len = 17, .want = WIRE_MODE6_BAD_LENGTH}},
        WIRE_MODE6_BAD_LENGTH, 0},
    {"MAC after the data", {{.flags = R, .count = 5, .dgram_len = 12 + 8 + 20, .want = DONE}}, DONE,
        5},
    {"offset far out", {LAST(65000, 10, WIRE_MODE6_TOO_LONG)}, WIRE_MODE6_TOO_LONG, 0},
    {"conflict after done", {LAST(0, 10, DONE), MORE(0, 20, WIRE_MODE6_BAD_OFFSET)}, DONE, 10},
};

static void
test_reasm_scenarios(void **state)
{
	static struct mode6_reasm r;
	uint8_t buf[12 + 468 + 40];

	(void)state;
	ref_text_init();
	for (size_t k = 0; k < N_ELEM(scenarios); k++) {
		const struct scenario *sc = &scenarios[k];
		cw_case = sc->name;
		wire_mode6_reasm_init(&r, OP_READVAR, SEQ, ASSOC);
		for (size_t i = 0; i < N_ELEM(sc->steps) && sc->steps[i].want; i++) {
			size_t len = mkfrag(buf, &sc->steps[i]);
			enum wire_mode6_status st = wire_mode6_reasm_add(&r, buf, len);
			if (st != sc->steps[i].want)
				fail_msg("step %zu: %s, want %s", i, wire_mode6_strerror(st),
				    wire_mode6_strerror(sc->steps[i].want));
		}
		assert_int_equal(wire_mode6_reasm_finish(&r), sc->finish);
		if (sc->finish == DONE) {
			assert_int_equal(r.len, sc->len);
			assert_memory_equal(r.data, ref_text, r.len);
			assert_int_equal(r.data[r.len], '\0');
		}
	}
	cw_case = NULL;
	/* the error code rides in the high byte of the status word */
	const struct step err = {.flags = R | E, .status = 0x0500, .want = WIRE_MODE6_SERVER_ERROR};
	wire_mode6_reasm_init(&r, OP_READVAR, SEQ, ASSOC);
	assert_int_equal(mkfrag(buf, &err), 12);
	assert_int_equal(wire_mode6_reasm_add(&r, buf, 12), WIRE_MODE6_SERVER_ERROR);
	assert_int_equal(r.error_code, WIRE_MODE6_ERR_UNKNOWNVAR);
	assert_int_equal(r.status, 0x0500);
}

/* Headers that are not a reply to us at all, byte by byte. */
static void
test_reasm_not_ours(void **state)
{
	static struct mode6_reasm r;
	const struct step s = LAST(0, 8, DONE);
	uint8_t buf[12 + 468 + 40], bad[12 + 468 + 40];
	size_t len;

	(void)state;
	ref_text_init();
	wire_mode6_reasm_init(&r, OP_READVAR, SEQ, ASSOC);
	len = mkfrag(buf, &s);
	for (size_t n = 0; n < 12; n++)
		assert_int_equal(wire_mode6_reasm_add(&r, buf, n), WIRE_MODE6_TRUNCATED);
	memcpy(bad, buf, len);
	bad[0] = 2 << 3 | 4; /* a server reply, mode 4 */
	assert_int_equal(wire_mode6_reasm_add(&r, bad, len), WIRE_MODE6_BAD_MODE);
	bad[0] = 0 << 3 | 6;
	assert_int_equal(wire_mode6_reasm_add(&r, bad, len), WIRE_MODE6_BAD_VERSION);
	bad[0] = 5 << 3 | 6;
	assert_int_equal(wire_mode6_reasm_add(&r, bad, len), WIRE_MODE6_BAD_VERSION);
	bad[0] = 7 << 3 | 6;
	assert_int_equal(wire_mode6_reasm_add(&r, bad, len), WIRE_MODE6_BAD_VERSION);
	assert_int_equal(r.n_frags, 0);
	assert_int_equal(wire_mode6_reasm_finish(&r), WIRE_MODE6_NO_REPLY);
	for (unsigned v = 1; v <= 4; v++) { /* any version 1..4, and LI is ignored */
		wire_mode6_reasm_init(&r, OP_READVAR, SEQ, ASSOC);
		bad[0] = (uint8_t)(3 << 6 | v << 3 | 6);
		assert_int_equal(wire_mode6_reasm_add(&r, bad, len), WIRE_MODE6_DONE);
		assert_int_equal(r.version, v);
	}
	for (int st = WIRE_MODE6_TRUNCATED; st <= WIRE_MODE6_DUPLICATE; st++)
		assert_true(wire_mode6_is_stray(st));
	assert_false(wire_mode6_is_stray(WIRE_MODE6_SERVER_ERROR));
	assert_false(wire_mode6_is_stray(WIRE_MODE6_OVERLAP));
	assert_false(wire_mode6_is_stray(WIRE_MODE6_DONE));
}

/* A server that never sends the last fragment: the limits end it. */
static void
test_reasm_never_ending(void **state)
{
	static struct mode6_reasm r;
	uint8_t buf[12 + 468 + 40];
	struct step s = MORE(0, 4, NEED);
	size_t i;

	(void)state;
	ref_text_init();
	/* small fragments: the fragment limit */
	wire_mode6_reasm_init(&r, OP_READVAR, SEQ, ASSOC);
	for (i = 0; i < WIRE_MODE6_MAX_FRAGS; i++) {
		s.off = (uint16_t)(i * 4);
		assert_int_equal(wire_mode6_reasm_add(&r, buf, mkfrag(buf, &s)), NEED);
	}
	s.off = (uint16_t)(i * 4);
	assert_int_equal(wire_mode6_reasm_add(&r, buf, mkfrag(buf, &s)),
	    WIRE_MODE6_TOO_MANY_FRAGMENTS);
	s.off = 0; /* sticky: even a valid-looking duplicate changes nothing now */
	assert_int_equal(wire_mode6_reasm_add(&r, buf, mkfrag(buf, &s)),
	    WIRE_MODE6_TOO_MANY_FRAGMENTS);
	assert_int_equal(wire_mode6_reasm_finish(&r), WIRE_MODE6_TOO_MANY_FRAGMENTS);

	/* full fragments: the byte limit (32 x 468 fills it exactly) */
	wire_mode6_reasm_init(&r, OP_READVAR, SEQ, ASSOC);
	s.count = 468;
	for (i = 0; i < WIRE_MODE6_MAX_FRAGS; i++) {
		s.off = (uint16_t)(i * 468);
		assert_int_equal(wire_mode6_reasm_add(&r, buf, mkfrag(buf, &s)), NEED);
	}
	s.off = (uint16_t)(i * 468);
	assert_int_equal(wire_mode6_reasm_add(&r, buf, mkfrag(buf, &s)), WIRE_MODE6_TOO_LONG);

	/* lowered limits */
	wire_mode6_reasm_init(&r, OP_READVAR, SEQ, ASSOC);
	r.max_frags = 2;
	r.max_bytes = 1000;
	s.count = 468;
	s.off = 0;
	assert_int_equal(wire_mode6_reasm_add(&r, buf, mkfrag(buf, &s)), NEED);
	s.off = 936;
	assert_int_equal(wire_mode6_reasm_add(&r, buf, mkfrag(buf, &s)), WIRE_MODE6_TOO_LONG);
	wire_mode6_reasm_init(&r, OP_READVAR, SEQ, ASSOC);
	r.max_frags = 2;
	s.count = 4;
	for (i = 0; i < 2; i++) {
		s.off = (uint16_t)(i * 4);
		assert_int_equal(wire_mode6_reasm_add(&r, buf, mkfrag(buf, &s)), NEED);
	}
	s.off = 8;
	assert_int_equal(wire_mode6_reasm_add(&r, buf, mkfrag(buf, &s)),
	    WIRE_MODE6_TOO_MANY_FRAGMENTS);
	/* limits above the compiled-in maxima are clamped to them */
	wire_mode6_reasm_init(&r, OP_READVAR, SEQ, ASSOC);
	r.max_bytes = SIZE_MAX;
	s.off = WIRE_MODE6_MAX_RESPONSE;
	assert_int_equal(wire_mode6_reasm_add(&r, buf, mkfrag(buf, &s)), WIRE_MODE6_TOO_LONG);
}

/* The status word is the last fragment's, whichever order they came in. */
static void
test_reasm_status_of_last(void **state)
{
	static struct mode6_reasm r;
	uint8_t buf[12 + 468 + 40];
	struct step first = MORE(0, 8, NEED), last = LAST(8, 8, DONE);

	(void)state;
	ref_text_init();
	first.status = 0x1111;
	last.status = 0x0615;
	wire_mode6_reasm_init(&r, OP_READVAR, SEQ, ASSOC);
	assert_int_equal(wire_mode6_reasm_add(&r, buf, mkfrag(buf, &first)), NEED);
	assert_int_equal(r.status, 0x1111);
	assert_int_equal(wire_mode6_reasm_add(&r, buf, mkfrag(buf, &last)), DONE);
	assert_int_equal(r.status, 0x0615);
	last.want = NEED;
	first.want = DONE;
	wire_mode6_reasm_init(&r, OP_READVAR, SEQ, ASSOC);
	assert_int_equal(wire_mode6_reasm_add(&r, buf, mkfrag(buf, &last)), NEED);
	assert_int_equal(wire_mode6_reasm_add(&r, buf, mkfrag(buf, &first)), DONE);
	assert_int_equal(r.status, 0x0615);
}

/* ---- Status words ------------------------------------------------------------------------ */

static void
test_sys_status(void **state)
{
	static const struct {
		uint16_t word;
		uint8_t leap, source, count, event;
		const char *text;
	} v[] = {
	    {0x0615, 0, 6, 1, 5, "leap_none, sync_ntp, 1 event, clock_sync"}, /* PROTOCOLS §2.7 */
	    {0x0014, 0, 0, 1, 4, "leap_none, sync_unspec, 1 event, freq_mode"},
	    {0xc0ff, 3, 0, 15, 15, "leap_alarm, sync_unspec, 15 events, stale_leapsecond_values"},
	    {0x4128, 1, 1, 2, 8, "leap_add_sec, sync_pps, 2 events, no_sys_peer"},
	    {0x8900, 2, 9, 0, 0, "leap_del_sec, sync_telephone, no events, unspecified"},
	    {0x3f0e, 0, 63, 0, 14, "leap_none, sync_63, no events, TAI"},
	};
	struct mode6_sys_status s;
	char buf[128];

	(void)state;
	for (size_t i = 0; i < N_ELEM(v); i++) {
		cw_case = v[i].text;
		wire_mode6_decode_sys_status(v[i].word, &s);
		assert_int_equal(s.leap, v[i].leap);
		assert_int_equal(s.source, v[i].source);
		assert_int_equal(s.event_count, v[i].count);
		assert_int_equal(s.event, v[i].event);
		assert_string_equal(wire_mode6_format_sys_status(v[i].word, buf, sizeof(buf)),
		    v[i].text);
		for (size_t n = 0; n <= 12; n++) { /* small buffers stay terminated */
			memset(buf, 'Z', sizeof(buf));
			wire_mode6_format_sys_status(v[i].word, buf, n);
			assert_true(n == 0 || memchr(buf, '\0', n) != NULL);
			assert_int_equal(buf[n], 'Z');
		}
	}
	cw_case = NULL;
	assert_null(wire_mode6_source_name(10));
	assert_string_equal(wire_mode6_leap_name(4), "?");
	assert_string_equal(wire_mode6_sys_event_name(16), "?");
}

static void
test_peer_status(void **state)
{
	static const struct {
		uint16_t word;
		bool conf, authenb, auth, reach, bcast;
		uint8_t sel, count, event;
		const char *text;
	} v[] = {
	    {0x961a, 1, 0, 0, 1, 0, 6, 1, 10, "conf, reach, sel_sys.peer, 1 event, sys_peer"},
	    {0xb41a, 1, 0, 1, 1, 0, 4, 1, 10,
	        "conf, auth, reach, sel_candidate, 1 event, sys_peer"},
	    {0xb114, 1, 0, 1, 1, 0, 1, 1, 4,
	        "conf, auth, reach, sel_falsetick, 1 event, reachable"},
	    {0x7ff3, 0, 1, 1, 1, 1, 7, 15, 3,
	        "authenb, auth, reach, bcast, sel_pps.peer, 15 events, unreachable"},
	    {0x0000, 0, 0, 0, 0, 0, 0, 0, 0, "sel_reject, no events, event_0"},
	    {0x052f, 0, 0, 0, 0, 0, 5, 2, 15, "sel_backup, 2 events, interleave_error"},
	    {0x033d, 0, 0, 0, 0, 0, 3, 3, 13, "sel_outlier, 3 events, popcorn"},
	    {0x0227, 0, 0, 0, 0, 0, 2, 2, 7, "sel_excess, 2 events, rate_exceeded"},
	};
	static const char tally[] = " x.-+#*o";
	static const char *const cond[] = {"reject", "falsetick", "excess", "outlier", "candidate",
	    "backup", "sys.peer", "pps.peer"};
	struct mode6_peer_status p;
	char buf[128];

	(void)state;
	for (size_t i = 0; i < N_ELEM(v); i++) {
		cw_case = v[i].text;
		wire_mode6_decode_peer_status(v[i].word, &p);
		assert_int_equal(p.is_configured, v[i].conf);
		assert_int_equal(p.is_auth_enabled, v[i].authenb);
		assert_int_equal(p.is_authentic, v[i].auth);
		assert_int_equal(p.is_reachable, v[i].reach);
		assert_int_equal(p.is_broadcast, v[i].bcast);
		assert_int_equal(p.select, v[i].sel);
		assert_int_equal(p.event_count, v[i].count);
		assert_int_equal(p.event, v[i].event);
		assert_string_equal(wire_mode6_format_peer_status(v[i].word, buf, sizeof(buf)),
		    v[i].text);
	}
	cw_case = NULL;
	for (unsigned s = 0; s < 8; s++) {
		assert_int_equal(wire_mode6_select_tally(s), tally[s]);
		assert_string_equal(wire_mode6_select_name(s), cond[s]);
	}
	assert_int_equal(wire_mode6_select_tally(8), '?');
	assert_null(wire_mode6_peer_event_name(0));
	assert_null(wire_mode6_peer_event_name(16));
	assert_string_equal(wire_mode6_error_name(7), "RESTRICT");
	assert_string_equal(wire_mode6_error_name(8), "?");
}

static void
test_decode_assocs(void **state)
{
	static const uint8_t list[] = {0x45, 0x69, 0xb1, 0x14, 0x45, 0x68, 0xb6, 0x1a, 0, 1, 0, 0};
	struct mode6_assoc a[3];
	size_t n = 99;

	(void)state;
	assert_int_equal(wire_mode6_decode_assocs(list, sizeof(list), a, 3, &n), WIRE_MODE6_OK);
	assert_int_equal(n, 3);
	assert_int_equal(a[0].assoc, 17769);
	assert_int_equal(a[0].status_word, 0xb114);
	assert_int_equal(a[1].status.select, WIRE_MODE6_SEL_SYS_PEER);
	assert_int_equal(a[2].assoc, 1);
	assert_int_equal(wire_mode6_decode_assocs(list, sizeof(list), a, 2, &n),
	    WIRE_MODE6_TOO_MANY_ASSOCS);
	assert_int_equal(n, 2);
	for (size_t len = 1; len < 4; len++)
		assert_int_equal(wire_mode6_decode_assocs(list, sizeof(list) - len, a, 3, &n),
		    WIRE_MODE6_BAD_ASSOC_LIST);
	assert_int_equal(wire_mode6_decode_assocs(list, 0, a, 0, &n), WIRE_MODE6_OK);
	assert_int_equal(n, 0);
}

/* ---- Variable lists ---------------------------------------------------------------------- */

/* The parsed list as name=value|name="quoted"|name, NULs shown as \0. */
static void
render(const struct mode6_varlist *l, char *out, size_t cap)
{
	size_t k = 0;

	out[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		const struct mode6_var *v = &l->vars[i];
		k += (size_t)snprintf(out + k, cap - k, "%s%.*s", i ? "|" : "", (int)v->name_len,
		    v->name);
		if (v->has_value)
			k += (size_t)snprintf(out + k, cap - k, "=%s", v->is_quoted ? "\"" : "");
		for (size_t j = 0; v->has_value && j < v->value_len && k + 3 < cap; j++) {
			if (v->value[j] == '\0')
				k += (size_t)snprintf(out + k, cap - k, "\\0");
			else
				out[k++] = v->value[j];
		}
		if (v->is_quoted && k + 2 < cap)
			out[k++] = '"';
		out[k] = '\0';
		assert_true(k + 8 < cap);
	}
}

#define TXT(s) s, sizeof(s) - 1

static void
test_parse_varlist(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		const char *want;
		enum wire_mode6_status problems[4];
	} v[] = {
	    {TXT(""), "", {0}},
	    {TXT("  \r\n\t\0\0"), "", {0}},
	    {TXT(",,, a=1 ,,,"), "a=1", {0}},
	    {TXT("a=1, b=2"), "a=1|b=2", {0}},
	    {TXT("a=1,\r\nb=\"x, y\", c, d="), "a=1|b=\"x, y\"|c|d=", {0}},
	    {TXT("a=1\r\nb=2\r\n"), "a=1|b=2", {0}},    /* CR/LF without a comma */
	    {TXT("a=1\nb=2\rc=3"), "a=1|b=2|c=3", {0}}, /* bare LF, bare CR */
	    {TXT("filtdelay=  0.1 0.2 , x=1"), "filtdelay=0.1 0.2|x=1", {0}},
	    {TXT("a = 1 ,b= \"q\" "), "a=1|b=\"q\"", {0}},
	    {TXT("a=\"\", b"), "a=\"\"|b", {0}},
	    {TXT("a=1=2"), "a=1=2", {0}},
	    {TXT("a=x\"y\", b=1"), "a=x\"y\"|b=1",
	        {0}}, /* a quote inside a plain value is a byte */
	    {TXT("a=\"abc, b=2\r\nc=3"), "c=3", {WIRE_MODE6_UNTERMINATED_QUOTE}},
	    {TXT("a=\"abc, b=2"), "", {WIRE_MODE6_UNTERMINATED_QUOTE}},
	    {TXT("a=\"x\r\ny\", b=1"), "b=1", {WIRE_MODE6_UNTERMINATED_QUOTE, WIRE_MODE6_BAD_NAME}},
	    {TXT("a=\"x\"y, b=2"), "b=2", {WIRE_MODE6_JUNK_AFTER_QUOTE}},
	    {TXT("=5, b=2"), "b=2", {WIRE_MODE6_BAD_NAME}},
	    {TXT("a b=1, c=2"), "c=2", {WIRE_MODE6_BAD_NAME}},
	    {TXT("a\x01=1, c=2"), "c=2", {WIRE_MODE6_BAD_NAME}},
	    {TXT("\"a\"=1, c=2"), "c=2", {WIRE_MODE6_BAD_NAME}},
	    {TXT("a\0b=1, c=2"), "c=2", {WIRE_MODE6_BAD_NAME}},
	    {TXT("a=1\0\0, b=2\0\0\0"), "a=1|b=2", {0}}, /* NUL padding around items */
	    {TXT("x=1\0y, c=2"), "x=1\\0y|c=2", {0}},    /* inside a value: the getters refuse */
	    {TXT("\xb0\xbd=1, ok=2"), "ok=2", {WIRE_MODE6_BAD_NAME}},
	    {TXT("a=\xb0\xbd\xedv\x04 0.01, b=2"), "a=\xb0\xbd\xedv\x04 0.01|b=2", {0}},
	};
	static struct mode6_varlist l;
	char out[512];

	(void)state;
	for (size_t i = 0; i < N_ELEM(v); i++) {
		size_t np = 0;
		cw_case = v[i].want;
		while (np < N_ELEM(v[i].problems) && v[i].problems[np])
			np++;
		assert_int_equal(wire_mode6_parse_varlist(v[i].text, v[i].len, &l),
		    np ? v[i].problems[0] : WIRE_MODE6_OK);
		render(&l, out, sizeof(out));
		assert_string_equal(out, v[i].want);
		assert_int_equal(l.problems.n, np);
		for (size_t k = 0; k < np; k++) {
			assert_int_equal(l.problems.first[k].st, v[i].problems[k]);
			assert_int_equal(l.problems.first[k].var, SIZE_MAX);
			assert_true(l.problems.first[k].offset < v[i].len);
		}
	}
	cw_case = NULL;
	/* offsets point at the item */
	assert_int_equal(wire_mode6_parse_varlist(TXT("a=1, =x, c=3"), &l), WIRE_MODE6_BAD_NAME);
	assert_int_equal(l.problems.first[0].offset, 5);
	assert_int_equal(l.vars[1].offset, 9);
	/* the first of repeated names */
	assert_int_equal(wire_mode6_parse_varlist(TXT("a=1, a=2"), &l), WIRE_MODE6_OK);
	assert_ptr_equal(wire_mode6_varlist_find(&l, "a"), &l.vars[0]);
	assert_null(wire_mode6_varlist_find(&l, "b"));
	assert_null(wire_mode6_varlist_find(&l, "a=1"));
}

static void
test_parse_varlist_limits(void **state)
{
	static struct mode6_varlist l;
	static char text[20000];
	size_t k = 0;

	(void)state;
	/* 500 variables: 256 kept, the rest counted, one report */
	for (int i = 0; i < 500; i++)
		k += (size_t)snprintf(text + k, sizeof(text) - k, "%sv%d=%d", i ? ", " : "", i, i);
	assert_int_equal(wire_mode6_parse_varlist(text, k, &l), WIRE_MODE6_TOO_MANY_VARS);
	assert_int_equal(l.n, WIRE_MODE6_MAX_VARS);
	assert_int_equal(l.n_dropped, 500 - WIRE_MODE6_MAX_VARS);
	assert_int_equal(l.problems.n, 1);
	assert_true(wire_mode6_var_is(&l.vars[255], "v255"));

	/* 40 bad names among good ones: all good kept, all bad counted, 16 recorded */
	k = 0;
	for (int i = 0; i < 40; i++)
		k += (size_t)snprintf(text + k, sizeof(text) - k, "g%d=1, b d%d=2, ", i, i);
	assert_int_equal(wire_mode6_parse_varlist(text, k, &l), WIRE_MODE6_BAD_NAME);
	assert_int_equal(l.n, 40);
	assert_int_equal(l.problems.n, 40);
	assert_int_equal(l.problems.first[WIRE_MODE6_MAX_PROBLEMS - 1].st, WIRE_MODE6_BAD_NAME);

	/* names up to 64 octets, values up to 4096 */
	memset(text, 'n', 65);
	memcpy(text + 65, "=1, ok=2", 8);
	assert_int_equal(wire_mode6_parse_varlist(text, 73, &l), WIRE_MODE6_BAD_NAME);
	assert_int_equal(l.n, 1);
	assert_int_equal(wire_mode6_parse_varlist(text + 1, 72, &l), WIRE_MODE6_OK);
	assert_int_equal(l.vars[0].name_len, 64);
	for (size_t n = WIRE_MODE6_MAX_VALUE; n <= WIRE_MODE6_MAX_VALUE + 1; n++) {
		memcpy(text, "big=", 4);
		memset(text + 4, '7', n);
		memcpy(text + 4 + n, ", ok=2", 6);
		k = 4 + n + 6;
		bool fits = n <= WIRE_MODE6_MAX_VALUE;
		assert_int_equal(wire_mode6_parse_varlist(text, k, &l),
		    fits ? WIRE_MODE6_OK : WIRE_MODE6_VALUE_TOO_LONG);
		assert_int_equal(l.n, fits ? 2 : 1);
		assert_true(wire_mode6_var_is(&l.vars[l.n - 1], "ok"));
		assert_int_equal(l.vars[0].value_len, fits ? n : 1);
	}
}

/* ---- Getters ----------------------------------------------------------------------------- */

static struct mode6_var
mkvar(const char *value, size_t len)
{
	struct mode6_var v = {.name = "x", .name_len = 1, .value = value, .value_len = len};

	v.has_value = value != NULL;
	return v;
}

#define VAR(s) mkvar(s, sizeof(s) - 1)

static void
test_get_numbers(void **state)
{
	static const struct {
		const char *s;
		enum wire_mode6_status st;
		double x;  /* as sent */
		double s_; /* ms -> s */
	} d[] = {
	    {"-0.008360", WIRE_MODE6_OK, -0.00836, -0.00000836},
	    {"15000.029097", WIRE_MODE6_OK, 15000.029097, 15.000029097},
	    {"0.000", WIRE_MODE6_OK, 0.0, 0.0},
	    {"+2.5", WIRE_MODE6_OK, 2.5, 0.0025},
	    {"1234567890123456", WIRE_MODE6_OK, 1234567890123456.0, 1234567890123.456},
	    {"0.0000000000000000001", WIRE_MODE6_OK, 1e-19, 1e-22},
	    {"00000000000000000000000000042", WIRE_MODE6_OK, 42, 0.042},
	    {"12345678901234567890", WIRE_MODE6_OUT_OF_RANGE, 0, 0},
	    {"0.00000000000000000001", WIRE_MODE6_OUT_OF_RANGE, 0, 0},
	    {"1e5", WIRE_MODE6_BAD_NUMBER, 0, 0},
	    {"1E-3", WIRE_MODE6_BAD_NUMBER, 0, 0},
	    {"nan", WIRE_MODE6_BAD_NUMBER, 0, 0},
	    {"inf", WIRE_MODE6_BAD_NUMBER, 0, 0},
	    {"-infinity", WIRE_MODE6_BAD_NUMBER, 0, 0},
	    {"0x10", WIRE_MODE6_BAD_NUMBER, 0, 0},
	    {".5", WIRE_MODE6_BAD_NUMBER, 0, 0},
	    {"5.", WIRE_MODE6_BAD_NUMBER, 0, 0},
	    {"1.2.3", WIRE_MODE6_BAD_NUMBER, 0, 0},
	    {"--1", WIRE_MODE6_BAD_NUMBER, 0, 0},
	    {"-", WIRE_MODE6_BAD_NUMBER, 0, 0},
	    {"", WIRE_MODE6_BAD_NUMBER, 0, 0},
	    {" 1", WIRE_MODE6_BAD_NUMBER, 0, 0},
	    {"1,5", WIRE_MODE6_BAD_NUMBER, 0, 0},
	    {"12ms", WIRE_MODE6_BAD_NUMBER, 0, 0},
	};
	static char huge[401];
	double x = 7;
	struct mode6_var v;

	(void)state;
	for (size_t i = 0; i < N_ELEM(d); i++) {
		cw_case = d[i].s;
		v = mkvar(d[i].s, strlen(d[i].s));
		x = 7;
		assert_int_equal(wire_mode6_get_double(&v, &x), d[i].st);
		assert_double_exact(x, d[i].st ? 7 : d[i].x);
		x = 7;
		assert_int_equal(wire_mode6_get_seconds(&v, &x), d[i].st);
		assert_double_exact(x, d[i].st ? 7 : d[i].s_);
	}
	cw_case = NULL;
	v = VAR("1234567890123456789"); /* 19 digits: accepted, rounded once */
	assert_int_equal(wire_mode6_get_double(&v, &x), WIRE_MODE6_OK);
	assert_double_near(x, 1234567890123456789.0, 512);
	memset(huge, '9', 400);
	v = mkvar(huge, 400);
	assert_int_equal(wire_mode6_get_double(&v, &x), WIRE_MODE6_OUT_OF_RANGE);
	v = mkvar("1\0", 2);
	assert_int_equal(wire_mode6_get_double(&v, &x), WIRE_MODE6_BAD_NUMBER);
	v = mkvar(NULL, 0);
	assert_int_equal(wire_mode6_get_double(&v, &x), WIRE_MODE6_NO_VALUE);
	assert_int_equal(wire_mode6_get_seconds(&v, &x), WIRE_MODE6_NO_VALUE);
}

static void
test_get_int(void **state)
{
	static const struct {
		const char *s;
		int64_t min, max;
		enum wire_mode6_status st;
		int64_t x;
	} d[] = {
	    {"0", 0, 10, WIRE_MODE6_OK, 0},
	    {"-24", -128, 127, WIRE_MODE6_OK, -24},
	    {"+5", 0, 10, WIRE_MODE6_OK, 5},
	    {"-0", 0, 10, WIRE_MODE6_OK, 0},
	    {"000000000000000000000000017", 0, 100, WIRE_MODE6_OK, 17},
	    {"9223372036854775807", INT64_MIN, INT64_MAX, WIRE_MODE6_OK, INT64_MAX},
	    {"-9223372036854775808", INT64_MIN, INT64_MAX, WIRE_MODE6_OK, INT64_MIN},
	    {"9223372036854775808", INT64_MIN, INT64_MAX, WIRE_MODE6_OUT_OF_RANGE, 0},
	    {"-9223372036854775809", INT64_MIN, INT64_MAX, WIRE_MODE6_OUT_OF_RANGE, 0},
	    {"18446744073709551602", INT64_MIN, INT64_MAX, WIRE_MODE6_OUT_OF_RANGE,
	        0}, /* headway */
	    {"99999999999999999999999", INT64_MIN, INT64_MAX, WIRE_MODE6_OUT_OF_RANGE, 0},
	    {"256", 0, 255, WIRE_MODE6_OUT_OF_RANGE, 0},
	    {"-129", -128, 127, WIRE_MODE6_OUT_OF_RANGE, 0},
	    {"1.5", 0, 10, WIRE_MODE6_BAD_NUMBER, 0},
	    {"0x10", 0, 100, WIRE_MODE6_BAD_NUMBER, 0},
	    {"12a", 0, 100, WIRE_MODE6_BAD_NUMBER, 0},
	    {"", 0, 100, WIRE_MODE6_BAD_NUMBER, 0},
	};
	int64_t x;
	struct mode6_var v;

	(void)state;
	for (size_t i = 0; i < N_ELEM(d); i++) {
		cw_case = d[i].s;
		v = mkvar(d[i].s, strlen(d[i].s));
		x = 77;
		assert_int_equal(wire_mode6_get_int(&v, d[i].min, d[i].max, &x), d[i].st);
		assert_i64_equal(x, d[i].st ? 77 : d[i].x);
	}
	cw_case = NULL;
	v = mkvar(NULL, 0);
	assert_int_equal(wire_mode6_get_int(&v, 0, 1, &x), WIRE_MODE6_NO_VALUE);
}

static void
test_get_hex_lfp_leap(void **state)
{
	static const struct {
		const char *s;
		enum wire_mode6_status hex, lfp;
		uint64_t x;
	} d[] = {
	    {"0xff", WIRE_MODE6_OK, WIRE_MODE6_BAD_NUMBER, 0xff},
	    {"0XFF", WIRE_MODE6_OK, WIRE_MODE6_BAD_NUMBER, 0xff},
	    {"0x0", WIRE_MODE6_OK, WIRE_MODE6_BAD_NUMBER, 0},
	    {"0x2000", WIRE_MODE6_OK, WIRE_MODE6_BAD_NUMBER, 0x2000},
	    {"0xffffffffffffffff", WIRE_MODE6_OK, WIRE_MODE6_BAD_NUMBER, UINT64_MAX},
	    {"0x000000000000000000000000ff", WIRE_MODE6_OK, WIRE_MODE6_BAD_NUMBER, 0xff},
	    {"0x1ffffffffffffffff", WIRE_MODE6_OUT_OF_RANGE, WIRE_MODE6_BAD_NUMBER, 0},
	    {"0x", WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_BAD_NUMBER, 0},
	    {"ff", WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_BAD_NUMBER, 0},
	    {"0xg", WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_BAD_NUMBER, 0},
	    {"0x-1", WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_BAD_NUMBER, 0},
	    {"0xeeacba36.7a37f52c", WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_OK, 0xeeacba367a37f52c},
	    {"0x00000000.00000000", WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_OK, 0},
	    {"0x1.00000001", WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_OK, 0x100000001},
	    {"0xeeacba36.7a37f52", WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_BAD_NUMBER, 0},
	    {"0xeeacba36.7a37f52c0", WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_BAD_NUMBER, 0},
	    {"0x1eeacba36.7a37f52c", WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_OUT_OF_RANGE, 0},
	    {"0x.7a37f52c", WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_BAD_NUMBER, 0},
	    {"eeacba36.7a37f52c", WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_BAD_NUMBER, 0},
	    {"0xeeacba36.7a37f5zz", WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_BAD_NUMBER, 0},
	};
	static const struct {
		const char *s;
		enum wire_mode6_status st;
		int leap;
	} leaps[] = {
	    {"0", WIRE_MODE6_OK, 0},
	    {"3", WIRE_MODE6_OK, 3},
	    {"00", WIRE_MODE6_OK, 0},
	    {"01", WIRE_MODE6_OK, 1},
	    {"10", WIRE_MODE6_OK, 2},
	    {"11", WIRE_MODE6_OK, 3},
	    {"4", WIRE_MODE6_OUT_OF_RANGE, 0},
	    {"12", WIRE_MODE6_OUT_OF_RANGE, 0},
	    {"011", WIRE_MODE6_OUT_OF_RANGE, 0},
	    {"x", WIRE_MODE6_BAD_NUMBER, 0},
	    {"", WIRE_MODE6_BAD_NUMBER, 0},
	    {"-1", WIRE_MODE6_BAD_NUMBER, 0},
	};
	struct mode6_var v;
	uint64_t x;
	int leap;

	(void)state;
	for (size_t i = 0; i < N_ELEM(d); i++) {
		cw_case = d[i].s;
		v = mkvar(d[i].s, strlen(d[i].s));
		x = 5;
		assert_int_equal(wire_mode6_get_hex(&v, &x), d[i].hex);
		if (d[i].hex == WIRE_MODE6_OK)
			assert_u64_equal(x, d[i].x);
		x = 5;
		assert_int_equal(wire_mode6_get_lfp(&v, &x), d[i].lfp);
		assert_u64_equal(x, d[i].lfp == WIRE_MODE6_OK ? d[i].x : 5);
	}
	for (size_t i = 0; i < N_ELEM(leaps); i++) {
		cw_case = leaps[i].s;
		v = mkvar(leaps[i].s, strlen(leaps[i].s));
		leap = 9;
		assert_int_equal(wire_mode6_get_leap(&v, &leap), leaps[i].st);
		assert_int_equal(leap, leaps[i].st ? 9 : leaps[i].leap);
	}
	cw_case = NULL;
	v = mkvar(NULL, 0);
	assert_int_equal(wire_mode6_get_hex(&v, &x), WIRE_MODE6_NO_VALUE);
	assert_int_equal(wire_mode6_get_lfp(&v, &x), WIRE_MODE6_NO_VALUE);
	assert_int_equal(wire_mode6_get_leap(&v, &leap), WIRE_MODE6_NO_VALUE);
}

static void
test_get_text(void **state)
{
	struct mode6_var v = VAR("ntpd ntpsec-1.2.2");
	char buf[32];

	(void)state;
	assert_int_equal(wire_mode6_get_string(&v, buf, sizeof(buf)), WIRE_MODE6_OK);
	assert_string_equal(buf, "ntpd ntpsec-1.2.2");
	assert_int_equal(wire_mode6_get_token(&v, buf, sizeof(buf)), WIRE_MODE6_BAD_STRING);
	assert_int_equal(wire_mode6_get_string(&v, buf, 17), WIRE_MODE6_NO_SPACE);
	assert_int_equal(wire_mode6_get_string(&v, buf, 18), WIRE_MODE6_OK);
	v = VAR("10.200.6.11");
	assert_int_equal(wire_mode6_get_token(&v, buf, sizeof(buf)), WIRE_MODE6_OK);
	assert_string_equal(buf, "10.200.6.11");
	v = VAR("fe80::1%2");
	assert_int_equal(wire_mode6_get_token(&v, buf, sizeof(buf)), WIRE_MODE6_OK);
	v = VAR("a\0b");
	assert_int_equal(wire_mode6_get_string(&v, buf, sizeof(buf)), WIRE_MODE6_BAD_STRING);
	v = VAR("tab\there");
	assert_int_equal(wire_mode6_get_string(&v, buf, sizeof(buf)), WIRE_MODE6_BAD_STRING);
	v = VAR("del\x7f");
	assert_int_equal(wire_mode6_get_string(&v, buf, sizeof(buf)), WIRE_MODE6_BAD_STRING);
	v = VAR("caf\xc3\xa9"); /* UTF-8 passes as text, not as a token */
	assert_int_equal(wire_mode6_get_string(&v, buf, sizeof(buf)), WIRE_MODE6_OK);
	assert_int_equal(wire_mode6_get_token(&v, buf, sizeof(buf)), WIRE_MODE6_BAD_STRING);
	v = VAR("");
	assert_int_equal(wire_mode6_get_string(&v, buf, 1), WIRE_MODE6_OK);
	assert_string_equal(buf, "");
	assert_int_equal(wire_mode6_get_string(&v, buf, 0), WIRE_MODE6_NO_SPACE);
	v = mkvar(NULL, 0);
	assert_int_equal(wire_mode6_get_string(&v, buf, sizeof(buf)), WIRE_MODE6_NO_VALUE);
}

static void
test_get_filter(void **state)
{
	static const double want[8] = {1e-5, 2e-5, 2e-5, 1e-5, 1e-5, 3e-5, 1e-5, 1e-5};
	static const struct {
		const char *s;
		size_t len;
		enum wire_mode6_status st;
		bool junk;
	} d[] = {
	    {TXT("0.01 0.02 0.02 0.01 0.01 0.03 0.01 0.01"), WIRE_MODE6_OK, false},
	    {TXT("0.01\t0.02  0.02 0.01 0.01 0.03 0.01 0.01  "), WIRE_MODE6_OK, false},
	    /* NTPsec 1.2.2: stack bytes, even old values, before the real eight */
	    {TXT("\xb0\xbd\xedv\xfc\x7f 0\xe3\xb8\xac\xee 0.01 0.02 0.02 0.01 0.01 0.03 0.01 0.01"),
	        WIRE_MODE6_OK, true},
	    {TXT("9.99 9.99 0\x06 0.01 0.02 0.02 0.01 0.01 0.03 0.01 0.01"), WIRE_MODE6_OK, true},
	    {TXT("0.01 0.02 0.02 0.01 0.01 0.03 0.01"), WIRE_MODE6_BAD_NUMBER, false},
	    {TXT(""), WIRE_MODE6_BAD_NUMBER, false},
	    {TXT("0.01 0.02 0.02 0.01 0.01 0.03 0.01 abc"), WIRE_MODE6_BAD_NUMBER, false},
	    {TXT("0.01 0.02 0.02 0.01 0.01 0.03 0.01 0.01\x04"), WIRE_MODE6_BAD_NUMBER, false},
	    {TXT("0.01 0.02 0.02 0.01 0.01 0.03 0\x04 0.01 0.01"), WIRE_MODE6_BAD_NUMBER, false},
	    {TXT("1e9 0.02 0.02 0.01 0.01 0.03 0.01 0.01"), WIRE_MODE6_BAD_NUMBER, false},
	};
	double out[8];
	bool junk;
	struct mode6_var v;

	(void)state;
	for (size_t i = 0; i < N_ELEM(d); i++) {
		cw_case = d[i].s;
		v = mkvar(d[i].s, d[i].len);
		for (size_t k = 0; k < 8; k++)
			out[k] = -1;
		junk = !d[i].junk;
		assert_int_equal(wire_mode6_get_filter(&v, out, &junk), d[i].st);
		for (size_t k = 0; k < 8; k++)
			assert_double_exact(out[k], d[i].st ? -1 : want[k]);
		if (d[i].st == WIRE_MODE6_OK)
			assert_int_equal(junk, d[i].junk);
		assert_int_equal(wire_mode6_get_filter(&v, out, NULL), d[i].st);
	}
	cw_case = NULL;
	v = mkvar(NULL, 0);
	assert_int_equal(wire_mode6_get_filter(&v, out, NULL), WIRE_MODE6_NO_VALUE);
}

static void
test_flash(void **state)
{
	static const struct {
		unsigned flash;
		const char *text;
	} v[] = {
	    {0, "ok"},
	    {0x0400, "peer_dist"},
	    {0x1400, "peer_dist peer_unreach"},
	    {0x2000, "bogon14"}, /* NTPsec BOGON14; its ntpq has no name */
	    {0x2001, "pkt_dup bogon14"},
	    {0x10000, "0x10000"},
	    {0x3fff,
	        "pkt_dup pkt_bogus pkt_unsync pkt_denied pkt_auth pkt_stratum pkt_header "
	        "pkt_autokey pkt_crypto peer_stratum peer_dist peer_loop peer_unreach bogon14"},
	    {0x8020, "pkt_stratum 0x8000"},
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < N_ELEM(v); i++) {
		cw_case = v[i].text;
		assert_string_equal(wire_mode6_format_flash(v[i].flash, buf, sizeof(buf)),
		    v[i].text);
		for (size_t n = 0; n <= 20; n++) {
			memset(buf, 'Z', sizeof(buf));
			wire_mode6_format_flash(v[i].flash, buf, n);
			assert_true(n == 0 || memchr(buf, '\0', n) != NULL);
			assert_int_equal(buf[n], 'Z');
		}
	}
	cw_case = NULL;
	/* the same names and bits as src/filter.c gives its tests */
	for (unsigned i = 0; i < FILTER_N_TESTS; i++) {
		unsigned f = filter_test_ntpd_flash(i);
		if (!f)
			continue;
		cw_case = filter_test_ntpd_name(i);
		unsigned bit = 0;
		while (!(f & 1u << bit))
			bit++;
		assert_int_equal(f, 1u << bit);
		assert_string_equal(wire_mode6_flash_name(bit), filter_test_ntpd_name(i));
	}
	cw_case = NULL;
	assert_null(wire_mode6_flash_name(WIRE_MODE6_FLASH_BITS));
}

/* ---- Typed decoding: ntpd 4.2.8 and older spellings, and bad values ----------------------- */

/* ntpd 4.2.8's system variables, in its format (3 decimals, leap file dates). */
static const char classic_sys[] =
    "version=\"ntpd 4.2.8p15@1.3728-o Wed Sep 23 11:46:38 UTC 2020 (1)\",\r\n"
    "processor=\"x86_64\", system=\"Linux/5.10.0-21-amd64\", leap=0, stratum=2,\r\n"
    "precision=-23, rootdelay=0.612, rootdisp=7.987, refid=192.0.2.1,\r\n"
    "reftime=0xe8fe6f7a.00000000, clock=0xe8fe6f80.1f9add37, peer=1234, tc=6,\r\n"
    "mintc=3, offset=-0.112, frequency=-12.345, sys_jitter=0.250,\r\n"
    "clk_jitter=0.119, clk_wander=0.004, tai=37, leapsec=201701010000,\r\n"
    "expire=202612280000\r\n";

/* ntpd 4.2.8's peer variables: xleave instead of xmt, a flash word, a host name. */
static const char classic_peer[] =
    "srcadr=192.0.2.1, srcport=123, srchost=\"ntp1.example.net\", dstadr=192.0.2.10,\r\n"
    "dstport=123, out=192.0.2.10, in=192.0.2.10, leap=0, stratum=1, precision=-20,\r\n"
    "rootdelay=0.000, rootdisp=0.061, refid=GPS, reftime=0xe8fe6f7a.00000000,\r\n"
    "rec=0xe8fe6f80.1f9add37, reach=0x3f, unreach=0, hmode=3, pmode=4, hpoll=6,\r\n"
    "ppoll=6, headway=0, flash=0x1400, keyid=0, offset=-0.045, delay=0.512,\r\n"
    "dispersion=1.203, jitter=0.031, xleave=0.040,\r\n"
    "filtdelay= 0.51 0.52 0.53 0.54 0.55 0.56 0.57 0.58,\r\n"
    "filtoffset= -0.05 -0.04 -0.03 -0.02 -0.01 0.00 0.01 0.02,\r\n"
    "filtdisp= 0.00 1.01 2.02 3.03 4.04 5.05 6.06 7.07\r\n";

static void
test_typed_classic(void **state)
{
	static struct mode6_varlist l;
	struct mode6_sys_vars s;
	struct mode6_peer_vars p;
	struct mode6_problems pr;
	static const double fd[8] = {5.1e-4, 5.2e-4, 5.3e-4, 5.4e-4, 5.5e-4, 5.6e-4, 5.7e-4,
	    5.8e-4};
	static const double fo[8] = {-5e-5, -4e-5, -3e-5, -2e-5, -1e-5, 0.0, 1e-5, 2e-5};
	static const double fe[8] = {0.0, 1.01e-3, 2.02e-3, 3.03e-3, 4.04e-3, 5.05e-3, 6.06e-3,
	    7.07e-3};

	(void)state;
	assert_int_equal(wire_mode6_parse_varlist(TXT(classic_sys), &l), WIRE_MODE6_OK);
	assert_int_equal(wire_mode6_decode_sys_vars(&l, &s, &pr), WIRE_MODE6_OK);
	assert_int_equal(pr.n, 0);
	assert_u64_equal(s.have, (UINT64_C(1) << (WIRE_MODE6_SYS_SYSTEM + 1)) - 1);
	assert_string_equal(s.version, "ntpd 4.2.8p15@1.3728-o Wed Sep 23 11:46:38 UTC 2020 (1)");
	assert_double_exact(s.rootdelay_s, 0.000612);
	assert_double_exact(s.rootdisp_s, 0.007987);
	assert_string_equal(s.refid, "192.0.2.1");
	assert_u64_equal(s.reftime, UINT64_C(0xe8fe6f7a00000000));
	assert_int_equal(s.peer, 1234);
	assert_int_equal(s.tc, 6);
	assert_int_equal(s.mintc, 3);
	assert_double_exact(s.offset_s, -0.000112);
	assert_double_exact(s.frequency_ppm, -12.345);
	assert_double_exact(s.sys_jitter_s, 0.00025);
	assert_double_exact(s.clk_jitter_s, 0.000119);
	assert_double_exact(s.clk_wander_ppm, 0.004);
	assert_int_equal(s.tai_s, 37);
	assert_string_equal(s.leapsec, "201701010000");
	assert_string_equal(s.expire, "202612280000");

	assert_int_equal(wire_mode6_parse_varlist(TXT(classic_peer), &l), WIRE_MODE6_OK);
	assert_int_equal(wire_mode6_decode_peer_vars(&l, &p, &pr), WIRE_MODE6_OK);
	assert_int_equal(pr.n, 0);
	assert_string_equal(p.srchost, "ntp1.example.net");
	assert_string_equal(p.refid, "GPS");
	assert_int_equal(p.reach, 0x3f);
	assert_int_equal(p.flash, 0x1400);
	assert_double_exact(p.offset_s, -0.000045);
	assert_double_exact(p.delay_s, 0.000512);
	assert_double_exact(p.dispersion_s, 0.001203);
	assert_double_exact(p.jitter_s, 0.000031);
	assert_double_exact(p.xleave_s, 0.00004);
	assert_true(p.have & UINT64_C(1) << WIRE_MODE6_PEER_XLEAVE);
	assert_false(p.have & UINT64_C(1) << WIRE_MODE6_PEER_XMT);
	assert_false(p.has_filter_junk);
	for (size_t i = 0; i < 8; i++) {
		assert_double_exact(p.filtdelay_s[i], fd[i]);
		assert_double_exact(p.filtoffset_s[i], fo[i]);
		assert_double_exact(p.filtdisp_s[i], fe[i]);
	}

	/* ntpd 4.2.4 and older spellings */
	assert_int_equal(wire_mode6_parse_varlist(TXT("rootdispersion=7.987, poll=6, jitter=0.250, "
	                                              "noise=0.119, stability=0.004"),
	                     &l),
	    WIRE_MODE6_OK);
	assert_int_equal(wire_mode6_decode_sys_vars(&l, &s, &pr), WIRE_MODE6_OK);
	assert_int_equal(pr.n, 0);
	assert_double_exact(s.rootdisp_s, 0.007987);
	assert_int_equal(s.tc, 6);
	assert_double_exact(s.sys_jitter_s, 0.00025);
	assert_double_exact(s.clk_jitter_s, 0.000119);
	assert_double_exact(s.clk_wander_ppm, 0.004);
	assert_int_equal(
	    wire_mode6_parse_varlist(TXT("rootdispersion=0.061, filterror= 1 2 3 4 5 6 7 8"), &l),
	    WIRE_MODE6_OK);
	assert_int_equal(wire_mode6_decode_peer_vars(&l, &p, &pr), WIRE_MODE6_OK);
	assert_double_exact(p.rootdisp_s, 0.000061);
	assert_double_exact(p.filtdisp_s[7], 0.008);
}

/* One bad or unknown variable does not cost the others. */
static void
test_typed_bad_values(void **state)
{
	static const char text[] =
	    "stratum=2, frobnicate=7, offset=abc, rootdisp=1.0, rootdispersion=2.0,\r\n"
	    "precision=-400, leap=7, refid=a b, tc=1e3, version=\"a\x01\", clock=0x1,\r\n"
	    "peer, mintc=4";
	static const enum wire_mode6_status want[] = {WIRE_MODE6_UNKNOWN_VAR, WIRE_MODE6_BAD_NUMBER,
	    WIRE_MODE6_DUPLICATE_VAR, WIRE_MODE6_OUT_OF_RANGE, WIRE_MODE6_OUT_OF_RANGE,
	    WIRE_MODE6_BAD_STRING, WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_BAD_STRING,
	    WIRE_MODE6_BAD_NUMBER, WIRE_MODE6_NO_VALUE};
	static const char *const names[] = {"frobnicate", "offset", "rootdispersion", "precision",
	    "leap", "refid", "tc", "version", "clock", "peer"};
	static struct mode6_varlist l;
	struct mode6_sys_vars s;
	struct mode6_peer_vars p;
	struct mode6_problems pr;
	static char version[300];

	(void)state;
	assert_int_equal(wire_mode6_parse_varlist(TXT(text), &l), WIRE_MODE6_OK);
	assert_int_equal(l.n, 13);
	assert_int_equal(wire_mode6_decode_sys_vars(&l, &s, &pr), WIRE_MODE6_BAD_NUMBER);
	assert_int_equal(pr.n, N_ELEM(want));
	for (size_t i = 0; i < N_ELEM(want); i++) {
		cw_case = names[i];
		assert_int_equal(pr.first[i].st, want[i]);
		assert_true(wire_mode6_var_is(&l.vars[pr.first[i].var], names[i]));
		assert_int_equal(pr.first[i].offset, l.vars[pr.first[i].var].offset);
	}
	cw_case = NULL;
	assert_u64_equal(s.have,
	    UINT64_C(1) << WIRE_MODE6_SYS_STRATUM | UINT64_C(1) << WIRE_MODE6_SYS_ROOTDISP |
	        UINT64_C(1) << WIRE_MODE6_SYS_MINTC);
	assert_int_equal(s.stratum, 2);
	assert_double_exact(s.rootdisp_s, 0.001); /* the first one */
	assert_int_equal(s.mintc, 4);
	/* without a problems struct the status alone tells */
	assert_int_equal(wire_mode6_decode_sys_vars(&l, &s, NULL), WIRE_MODE6_BAD_NUMBER);

	/* an unknown name alone is not an error */
	assert_int_equal(wire_mode6_parse_varlist(TXT("ss_uptime=5, stratum=3"), &l),
	    WIRE_MODE6_OK);
	assert_int_equal(wire_mode6_decode_sys_vars(&l, &s, &pr), WIRE_MODE6_OK);
	assert_int_equal(pr.n, 1);
	assert_int_equal(pr.first[0].st, WIRE_MODE6_UNKNOWN_VAR);

	/* text longer than its field; reach and flash beyond their registers */
	memcpy(version, "version=\"", 9);
	memset(version + 9, 'v', 200);
	memcpy(version + 209, "\", stratum=1", 12);
	assert_int_equal(wire_mode6_parse_varlist(version, 221, &l), WIRE_MODE6_OK);
	assert_int_equal(wire_mode6_decode_sys_vars(&l, &s, &pr), WIRE_MODE6_NO_SPACE);
	assert_int_equal(s.stratum, 1);
	assert_int_equal(wire_mode6_parse_varlist(TXT("reach=0x100, flash=0x10000, hmode=8, "
	                                              "srcadr=10.0.0.1"),
	                     &l),
	    WIRE_MODE6_OK);
	assert_int_equal(wire_mode6_decode_peer_vars(&l, &p, &pr), WIRE_MODE6_OUT_OF_RANGE);
	assert_int_equal(pr.n, 3);
	assert_string_equal(p.srcadr, "10.0.0.1");
	assert_u64_equal(p.have, UINT64_C(1) << WIRE_MODE6_PEER_SRCADR);
	/* the NTPsec filter junk is flagged, not an error */
	assert_int_equal(wire_mode6_parse_varlist(
	                     TXT("filtdelay=\xb0\xbd 0 1 2 3 4 5 6 7, filtoffset= 0 1 2 3 4 5 6 7"),
	                     &l),
	    WIRE_MODE6_OK);
	assert_int_equal(wire_mode6_decode_peer_vars(&l, &p, &pr), WIRE_MODE6_OK);
	assert_true(p.has_filter_junk);
	assert_double_exact(p.filtdelay_s[7], 0.007);
}

static void
test_strerror(void **state)
{
	(void)state;
	for (int st = WIRE_MODE6_OK; st <= WIRE_MODE6_STATUS_LAST; st++) {
		const char *s = wire_mode6_strerror(st);
		assert_non_null(s);
		assert_true(strlen(s) > 0);
		assert_string_not_equal(s, "unknown error");
	}
	assert_string_equal(wire_mode6_strerror(WIRE_MODE6_STATUS_LAST + 1), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode_readstat),
	    cmocka_unit_test(test_encode_readvar),
	    cmocka_unit_test(test_encode_readvar_refuses),
	    cmocka_unit_test(test_golden_readstat),
	    cmocka_unit_test(test_golden_sysvars),
	    cmocka_unit_test(test_golden_peervars),
	    cmocka_unit_test(test_golden_lists_and_errors),
	    cmocka_unit_test(test_golden_reordered),
	    cmocka_unit_test(test_reasm_scenarios),
	    cmocka_unit_test(test_reasm_not_ours),
	    cmocka_unit_test(test_reasm_never_ending),
	    cmocka_unit_test(test_reasm_status_of_last),
	    cmocka_unit_test(test_sys_status),
	    cmocka_unit_test(test_peer_status),
	    cmocka_unit_test(test_decode_assocs),
	    cmocka_unit_test(test_parse_varlist),
	    cmocka_unit_test(test_parse_varlist_limits),
	    cmocka_unit_test(test_get_numbers),
	    cmocka_unit_test(test_get_int),
	    cmocka_unit_test(test_get_hex_lfp_leap),
	    cmocka_unit_test(test_get_text),
	    cmocka_unit_test(test_get_filter),
	    cmocka_unit_test(test_flash),
	    cmocka_unit_test(test_typed_classic),
	    cmocka_unit_test(test_typed_bad_values),
	    cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
