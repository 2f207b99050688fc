/* wire_mode6.c: mode 6 requests, fragment reassembly, status words, variable lists and the
 * tables of system and peer variables (RFC 9327; PROTOCOLS.md §2). Written from the protocol
 * description and from replies captured off a real NTPsec 1.2.2 (tests/data/mode6). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "macros.h"
#include "wire_mode6.h"

#define R_BIT 0x80
#define E_BIT 0x40
#define M_BIT 0x20
#define OP_MASK 0x1f

static const char *const status_text[] = {
    [WIRE_MODE6_OK] = "ok",
    [WIRE_MODE6_NEED_MORE] = "more fragments to come",
    [WIRE_MODE6_DONE] = "response complete",
    [WIRE_MODE6_TRUNCATED] = "shorter than the 12-octet header",
    [WIRE_MODE6_BAD_MODE] = "not a mode 6 packet",
    [WIRE_MODE6_BAD_VERSION] = "version outside 1..4",
    [WIRE_MODE6_NOT_RESPONSE] = "not a response",
    [WIRE_MODE6_WRONG_SEQUENCE] = "sequence of another request",
    [WIRE_MODE6_WRONG_OPCODE] = "opcode of another request",
    [WIRE_MODE6_WRONG_ASSOC] = "association of another request",
    [WIRE_MODE6_DUPLICATE] = "duplicate fragment",
    [WIRE_MODE6_SERVER_ERROR] = "server returned an error",
    [WIRE_MODE6_BAD_LENGTH] = "datagram length does not match its count",
    [WIRE_MODE6_BAD_COUNT] = "bad fragment count",
    [WIRE_MODE6_OVERLAP] = "overlapping fragments",
    [WIRE_MODE6_BAD_OFFSET] = "fragment past the end of the response",
    [WIRE_MODE6_TOO_MANY_FRAGMENTS] = "too many fragments",
    [WIRE_MODE6_TOO_LONG] = "response too long",
    [WIRE_MODE6_NO_REPLY] = "no reply",
    [WIRE_MODE6_MISSING_LAST] = "last fragment missing",
    [WIRE_MODE6_MISSING_FRAGMENT] = "fragment missing",
    [WIRE_MODE6_BAD_NAME] = "bad variable name",
    [WIRE_MODE6_REQUEST_TOO_LONG] = "request too long",
    [WIRE_MODE6_BAD_ASSOC_LIST] = "association list not a multiple of 4 octets",
    [WIRE_MODE6_TOO_MANY_ASSOCS] = "too many associations",
    [WIRE_MODE6_TOO_MANY_VARS] = "too many variables",
    [WIRE_MODE6_VALUE_TOO_LONG] = "value too long",
    [WIRE_MODE6_UNTERMINATED_QUOTE] = "unterminated quote",
    [WIRE_MODE6_JUNK_AFTER_QUOTE] = "junk after a quoted value",
    [WIRE_MODE6_NO_VALUE] = "no value",
    [WIRE_MODE6_BAD_NUMBER] = "malformed number",
    [WIRE_MODE6_OUT_OF_RANGE] = "number out of range",
    [WIRE_MODE6_BAD_STRING] = "control character in text",
    [WIRE_MODE6_NO_SPACE] = "text too long for its field",
    [WIRE_MODE6_DUPLICATE_VAR] = "variable repeated",
    [WIRE_MODE6_UNKNOWN_VAR] = "unknown variable",
};

const char *
wire_mode6_strerror(enum wire_mode6_status st)
{
	if ((unsigned)st >= CW_ARRAY_LEN(status_text) || !status_text[st])
		return "unknown error";
	return status_text[st];
}

bool
wire_mode6_is_stray(enum wire_mode6_status st)
{
	return st >= WIRE_MODE6_TRUNCATED && st <= WIRE_MODE6_DUPLICATE;
}

/* ---- Requests ---------------------------------------------------------------------------- */

size_t
wire_mode6_encode(uint8_t out[WIRE_MODE6_MAX_REQUEST], unsigned opcode, uint16_t sequence,
    uint16_t assoc, const void *data, size_t data_len)
{
	if (data_len > WIRE_MODE6_MAX_DATA)
		return 0;
	/* Data padded with NULs to a multiple of 4; count excludes the padding (§2.5). */
	size_t len = WIRE_MODE6_HEADER_LEN + (data_len + 3) / 4 * 4;

	memset(out, 0, len);
	out[0] = WIRE_MODE6_REQUEST_VERSION << 3 | 6; /* LI 0 */
	out[1] = (uint8_t)(opcode & OP_MASK);         /* R, E, M clear */
	wr_be16(out + 2, sequence);
	wr_be16(out + 6, assoc); /* status (4) and offset (8) stay 0 */
	wr_be16(out + 10, (uint16_t)data_len);
	if (data_len)
		memcpy(out + WIRE_MODE6_HEADER_LEN, data, data_len);
	return len;
}

size_t
wire_mode6_encode_readstat(uint8_t out[WIRE_MODE6_MAX_REQUEST], uint16_t sequence, uint16_t assoc)
{
	return wire_mode6_encode(out, WIRE_MODE6_OP_READSTAT, sequence, assoc, NULL, 0);
}

static bool
is_name_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != ',' && c != '=' && c != '"';
}

static bool
is_good_name(const char *s, size_t n)
{
	if (n == 0 || n > WIRE_MODE6_MAX_NAME)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_name_char((unsigned char)s[i]))
			return false;
	return true;
}

enum wire_mode6_status
wire_mode6_encode_readvar(uint8_t out[WIRE_MODE6_MAX_REQUEST], uint16_t sequence, uint16_t assoc,
    const char *const *names, size_t n, size_t *len)
{
	char data[WIRE_MODE6_MAX_DATA];
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k = strnlen(names[i], WIRE_MODE6_MAX_NAME + 1);
		if (!is_good_name(names[i], k))
			return WIRE_MODE6_BAD_NAME;
		if (used + (i > 0) + k > sizeof(data))
			return WIRE_MODE6_REQUEST_TOO_LONG;
		if (i > 0)
			data[used++] = ',';
		memcpy(data + used, names[i], k);
		used += k;
	}
	*len = wire_mode6_encode(out, WIRE_MODE6_OP_READVAR, sequence, assoc, data, used);
	return WIRE_MODE6_OK;
}

/* ---- Reassembly -------------------------------------------------------------------------- */

struct frag {
	uint8_t version;
	bool more;
	bool error;
	uint16_t status;
	size_t offset;
	size_t count;
	const uint8_t *data;
};

void
wire_mode6_reasm_init(struct mode6_reasm *r, unsigned opcode, uint16_t sequence, uint16_t assoc)
{
	memset(r, 0, offsetof(struct mode6_reasm, data));
	r->data[0] = '\0';
	r->opcode = (uint8_t)(opcode & OP_MASK);
	r->sequence = sequence;
	r->assoc = assoc;
	r->max_frags = WIRE_MODE6_MAX_FRAGS;
	r->max_bytes = WIRE_MODE6_MAX_RESPONSE;
}

/* Is this datagram a reply to our request at all? Reads the header only. */
static enum wire_mode6_status
check_header(const struct mode6_reasm *r, const void *pkt, size_t len, struct frag *f)
{
	struct rd rd;

	if (len < WIRE_MODE6_HEADER_LEN)
		return WIRE_MODE6_TRUNCATED;
	rd_init(&rd, pkt, len);
	uint8_t b0 = rd_u8(&rd);
	uint8_t b1 = rd_u8(&rd);
	uint16_t sequence = rd_be16(&rd);
	f->status = rd_be16(&rd);
	uint16_t assoc = rd_be16(&rd);
	f->offset = rd_be16(&rd);
	f->count = rd_be16(&rd);
	f->data = (const uint8_t *)pkt + WIRE_MODE6_HEADER_LEN;
	f->version = (b0 >> 3) & 7;
	f->more = b1 & M_BIT;
	f->error = b1 & E_BIT;
	if ((b0 & 7) != 6)
		return WIRE_MODE6_BAD_MODE;
	if (f->version < 1 || f->version > 4)
		return WIRE_MODE6_BAD_VERSION;
	if (!(b1 & R_BIT))
		return WIRE_MODE6_NOT_RESPONSE;
	if (sequence != r->sequence)
		return WIRE_MODE6_WRONG_SEQUENCE;
	if ((b1 & OP_MASK) != r->opcode)
		return WIRE_MODE6_WRONG_OPCODE;
	if (assoc != r->assoc)
		return WIRE_MODE6_WRONG_ASSOC;
	return WIRE_MODE6_OK;
}

/* Does the fragment fit with the ones already stored? */
static enum wire_mode6_status
check_fragment(const struct mode6_reasm *r, const struct frag *f, size_t len)
{
	size_t end = f->offset + f->count;

	if (len % 4 != 0)
		return WIRE_MODE6_BAD_LENGTH;
	if (f->count > WIRE_MODE6_MAX_DATA || (f->count == 0 && f->more))
		return WIRE_MODE6_BAD_COUNT;
	if (WIRE_MODE6_HEADER_LEN + f->count > len)
		return WIRE_MODE6_BAD_LENGTH;
	if (end > CW_MIN(r->max_bytes, (size_t)WIRE_MODE6_MAX_RESPONSE))
		return WIRE_MODE6_TOO_LONG;
	if (r->have_last && (f->more ? end > r->end : end != r->end))
		return WIRE_MODE6_BAD_OFFSET;
	for (size_t i = 0; i < r->n_frags; i++) {
		size_t o = r->frags[i].offset, c = r->frags[i].count;
		if (o == f->offset && c == f->count && memcmp(r->data + o, f->data, c) == 0)
			return WIRE_MODE6_DUPLICATE;
		if (!f->more && o + c > end)
			return WIRE_MODE6_BAD_OFFSET; /* stored data past the end this one sets */
		if (f->offset < o + c && o < end)
			return WIRE_MODE6_OVERLAP; /* also an empty last fragment inside another */
	}
	if (r->n_frags >= CW_MIN(r->max_frags, (size_t)WIRE_MODE6_MAX_FRAGS))
		return WIRE_MODE6_TOO_MANY_FRAGMENTS;
	return WIRE_MODE6_OK;
}

/* A broken response stays broken; a complete one stays complete. */
static enum wire_mode6_status
fail(struct mode6_reasm *r, enum wire_mode6_status st)
{
	if (!r->done)
		r->error = st;
	return st;
}

enum wire_mode6_status
wire_mode6_reasm_add(struct mode6_reasm *r, const void *pkt, size_t len)
{
	struct frag f;
	enum wire_mode6_status st = check_header(r, pkt, len, &f);

	if (st != WIRE_MODE6_OK)
		return st;
	if (r->error != WIRE_MODE6_OK)
		return r->error;
	if (f.error) {
		if (!r->done) {
			r->status = f.status;
			r->version = f.version;
			r->error_code = (uint8_t)(f.status >> 8);
		}
		return fail(r, WIRE_MODE6_SERVER_ERROR);
	}
	st = check_fragment(r, &f, len);
	if (st == WIRE_MODE6_DUPLICATE) {
		r->n_duplicates++;
		return st;
	}
	if (st != WIRE_MODE6_OK)
		return fail(r, st);

	if (f.count)
		memcpy(r->data + f.offset, f.data, f.count);
	r->frags[r->n_frags].offset = (uint16_t)f.offset;
	r->frags[r->n_frags].count = (uint16_t)f.count;
	r->n_frags++;
	r->version = f.version;
	if (!r->have_last)
		r->status = f.status; /* the last fragment's status word is the one that counts */
	if (!f.more) {
		r->have_last = true;
		r->end = f.offset + f.count;
	}

	size_t got = 0;
	for (size_t i = 0; i < r->n_frags; i++)
		got += r->frags[i].count;
	/* Every stored fragment lies inside [0, end) and none overlap, so the byte count tells. */
	if (!r->have_last || got != r->end)
		return WIRE_MODE6_NEED_MORE;
	r->done = true;
	r->len = r->end;
	r->data[r->len] = '\0';
	return WIRE_MODE6_DONE;
}

enum wire_mode6_status
wire_mode6_reasm_finish(const struct mode6_reasm *r)
{
	if (r->done)
		return WIRE_MODE6_DONE;
	if (r->error != WIRE_MODE6_OK)
		return r->error;
	if (r->n_frags == 0)
		return WIRE_MODE6_NO_REPLY;
	return r->have_last ? WIRE_MODE6_MISSING_FRAGMENT : WIRE_MODE6_MISSING_LAST;
}

const char *
wire_mode6_error_name(unsigned code)
{
	static const char *const names[] = {"UNSPEC", "PERMISSION", "BADFMT", "BADOP", "BADASSOC",
	    "UNKNOWNVAR", "BADVALUE", "RESTRICT"};

	return code < CW_ARRAY_LEN(names) ? names[code] : "?";
}

/* ---- Status words ------------------------------------------------------------------------ */

void
wire_mode6_decode_sys_status(uint16_t word, struct mode6_sys_status *out)
{
	out->leap = (uint8_t)(word >> 14);
	out->source = (uint8_t)((word >> 8) & 0x3f);
	out->event_count = (uint8_t)((word >> 4) & 0xf);
	out->event = (uint8_t)(word & 0xf);
}

void
wire_mode6_decode_peer_status(uint16_t word, struct mode6_peer_status *out)
{
	out->is_configured = word & 0x8000;
	out->is_auth_enabled = word & 0x4000;
	out->is_authentic = word & 0x2000;
	out->is_reachable = word & 0x1000;
	out->is_broadcast = word & 0x0800;
	out->select = (uint8_t)((word >> 8) & 7);
	out->event_count = (uint8_t)((word >> 4) & 0xf);
	out->event = (uint8_t)(word & 0xf);
}

/* Names as NTPsec's and ntpd's ntpq print them (libntp statustoa, ntpq "associations"). */
static const char *const leap_names[] = {"leap_none", "leap_add_sec", "leap_del_sec", "leap_alarm"};
static const char *const source_names[] = {"sync_unspec", "sync_pps", "sync_lf_radio",
    "sync_hf_radio", "sync_uhf_radio", "sync_local", "sync_ntp", "sync_other", "sync_wristwatch",
    "sync_telephone"};
static const char *const sys_event_names[] = {"unspecified", "freq_not_set", "freq_set",
    "spike_detect", "freq_mode", "clock_sync", "restart", "panic_stop", "no_sys_peer", "leap_armed",
    "leap_disarmed", "leap_event", "clock_step", "kern", "TAI", "stale_leapsecond_values"};
/* 14 and 15 are ntpd 4.2.8's; NTPsec has no interleave and no names for them. */
static const char *const peer_event_names[] = {NULL, "mobilize", "demobilize", "unreachable",
    "reachable", "restart", "no_reply", "rate_exceeded", "access_denied", "leap_armed", "sys_peer",
    "clock_event", "bad_auth", "popcorn", "interleave_mode", "interleave_error"};
static const char *const select_names[] = {"reject", "falsetick", "excess", "outlier", "candidate",
    "backup", "sys.peer", "pps.peer"};
static const char select_tally[] = " x.-+#*o";

#define NAME_OR(tab, i, dflt) ((i) < CW_ARRAY_LEN(tab) ? (tab)[i] : (dflt))

const char *
wire_mode6_leap_name(unsigned leap)
{
	return NAME_OR(leap_names, leap, "?");
}

const char *
wire_mode6_source_name(unsigned source)
{
	return NAME_OR(source_names, source, NULL);
}

const char *
wire_mode6_sys_event_name(unsigned event)
{
	return NAME_OR(sys_event_names, event, "?");
}

const char *
wire_mode6_peer_event_name(unsigned event)
{
	return NAME_OR(peer_event_names, event, NULL);
}

const char *
wire_mode6_select_name(unsigned select)
{
	return NAME_OR(select_names, select, "?");
}

char
wire_mode6_select_tally(unsigned select)
{
	if (select >= 8)
		return '?';
	return select_tally[select];
}

/* Appends a part to a NUL-terminated buffer, ", "-separated, truncating safely. */
static void
append(char *buf, size_t len, const char *part)
{
	size_t used = strnlen(buf, len);

	if (used + 1 < len)
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "", part);
}

static void
append_events(char *buf, size_t len, unsigned count)
{
	char part[24];

	if (count == 0)
		snprintf(part, sizeof(part), "no events");
	else
		snprintf(part, sizeof(part), "%u event%s", count, count == 1 ? "" : "s");
	append(buf, len, part);
}

/* A name, or prefix_N for a code without one (as libntp's statustoa does). */
static void
append_code(char *buf, size_t len, const char *name, const char *prefix, unsigned code)
{
	char part[24];

	if (!name)
		snprintf(part, sizeof(part), "%s_%u", prefix, code);
	append(buf, len, name ? name : part);
}

char *
wire_mode6_format_sys_status(uint16_t word, char *buf, size_t len)
{
	struct mode6_sys_status s;

	wire_mode6_decode_sys_status(word, &s);
	if (len == 0)
		return buf;
	buf[0] = '\0';
	append(buf, len, wire_mode6_leap_name(s.leap));
	append_code(buf, len, wire_mode6_source_name(s.source), "sync", s.source);
	append_events(buf, len, s.event_count);
	append(buf, len, wire_mode6_sys_event_name(s.event));
	return buf;
}

char *
wire_mode6_format_peer_status(uint16_t word, char *buf, size_t len)
{
	static const struct {
		uint16_t bit;
		const char *name;
	} flags[] = {{0x8000, "conf"}, {0x4000, "authenb"}, {0x2000, "auth"}, {0x1000, "reach"},
	    {0x0800, "bcast"}};
	struct mode6_peer_status p;
	char part[24];

	wire_mode6_decode_peer_status(word, &p);
	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < CW_ARRAY_LEN(flags); i++)
		if (word & flags[i].bit)
			append(buf, len, flags[i].name);
	snprintf(part, sizeof(part), "sel_%s", wire_mode6_select_name(p.select));
	append(buf, len, part);
	append_events(buf, len, p.event_count);
	append_code(buf, len, wire_mode6_peer_event_name(p.event), "event", p.event);
	return buf;
}

enum wire_mode6_status
wire_mode6_decode_assocs(const void *data, size_t len, struct mode6_assoc *out, size_t max,
    size_t *n)
{
	struct rd rd;

	*n = 0;
	if (len % 4 != 0)
		return WIRE_MODE6_BAD_ASSOC_LIST;
	rd_init(&rd, data, len);
	for (size_t i = 0; i < len / 4; i++) {
		if (*n == max)
			return WIRE_MODE6_TOO_MANY_ASSOCS;
		out[*n].assoc = rd_be16(&rd);
		out[*n].status_word = rd_be16(&rd);
		wire_mode6_decode_peer_status(out[*n].status_word, &out[*n].status);
		(*n)++;
	}
	return WIRE_MODE6_OK;
}

/* ---- Variable lists ---------------------------------------------------------------------- */

static void
problem(struct mode6_problems *p, enum wire_mode6_status st, size_t offset, size_t var)
{
	if (!p)
		return;
	if (p->n < WIRE_MODE6_MAX_PROBLEMS) {
		p->first[p->n].st = st;
		p->first[p->n].offset = offset;
		p->first[p->n].var = var;
	}
	p->n++;
}

/* Padding between items; NUL is tolerated there as trailing padding of a datagram. */
static bool
is_pad(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0';
}

/* Blanks inside an item, around names and values. */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\0';
}

static bool
ends_item(char c)
{
	return c == ',' || c == '\r' || c == '\n';
}

/* A quoted value: up to the closing quote, which must come before the end of the line. Sets *i
 * past the item. */
static enum wire_mode6_status
parse_quoted(const char *t, size_t len, size_t *i, struct mode6_var *v)
{
	size_t q = *i + 1, e = q;

	while (e < len && t[e] != '"' && t[e] != '\r' && t[e] != '\n')
		e++;
	if (e >= len || t[e] != '"') {
		*i = e; /* resume at the line break */
		return WIRE_MODE6_UNTERMINATED_QUOTE;
	}
	v->is_quoted = true;
	v->value = t + q;
	v->value_len = e - q;
	for (e++; e < len && is_blank(t[e]); e++)
		;
	*i = e;
	if (e >= len || ends_item(t[e]))
		return WIRE_MODE6_OK;
	while (*i < len && !ends_item(t[*i]))
		(*i)++;
	return WIRE_MODE6_JUNK_AFTER_QUOTE;
}

/* One item from t[*i] (not padding, not a comma) to the next separator; *i ends there. */
static enum wire_mode6_status
parse_item(const char *t, size_t len, size_t *i, struct mode6_var *v)
{
	enum wire_mode6_status st = WIRE_MODE6_OK;
	size_t start = *i, ne;

	memset(v, 0, sizeof(*v));
	v->offset = start;
	v->name = t + start;
	while (*i < len && t[*i] != '=' && !ends_item(t[*i]))
		(*i)++;
	for (ne = *i; ne > start && is_blank(t[ne - 1]); ne--)
		;
	v->name_len = ne - start;
	if (*i < len && t[*i] == '=') {
		v->has_value = true;
		for ((*i)++; *i < len && is_blank(t[*i]); (*i)++)
			;
		if (*i < len && t[*i] == '"') {
			st = parse_quoted(t, len, i, v);
		} else {
			size_t s = *i, e;
			while (*i < len && !ends_item(t[*i]))
				(*i)++;
			for (e = *i; e > s && is_blank(t[e - 1]); e--)
				;
			v->value = t + s;
			v->value_len = e - s;
		}
	}
	if (!is_good_name(v->name, v->name_len))
		return WIRE_MODE6_BAD_NAME;
	if (st == WIRE_MODE6_OK && v->value_len > WIRE_MODE6_MAX_VALUE)
		st = WIRE_MODE6_VALUE_TOO_LONG;
	return st;
}

enum wire_mode6_status
wire_mode6_parse_varlist(const char *text, size_t len, struct mode6_varlist *out)
{
	struct mode6_var v;
	size_t i = 0;

	out->n = 0;
	out->n_dropped = 0;
	out->problems.n = 0;
	while (i < len) {
		if (is_pad(text[i]) || text[i] == ',') {
			i++; /* padding, or an empty item */
			continue;
		}
		enum wire_mode6_status st = parse_item(text, len, &i, &v);
		if (st != WIRE_MODE6_OK) {
			problem(&out->problems, st, v.offset, SIZE_MAX);
			continue;
		}
		if (out->n == WIRE_MODE6_MAX_VARS) {
			if (out->n_dropped++ == 0)
				problem(&out->problems, WIRE_MODE6_TOO_MANY_VARS, v.offset,
				    SIZE_MAX);
			continue;
		}
		out->vars[out->n++] = v;
	}
	return out->problems.n ? out->problems.first[0].st : WIRE_MODE6_OK;
}

bool
wire_mode6_var_is(const struct mode6_var *v, const char *name)
{
	size_t n = strlen(name);

	return v->name_len == n && memcmp(v->name, name, n) == 0;
}

const struct mode6_var *
wire_mode6_varlist_find(const struct mode6_varlist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (wire_mode6_var_is(&l->vars[i], name))
			return &l->vars[i];
	return NULL;
}

/* ---- Getters ----------------------------------------------------------------------------- */

/* Powers of ten that are exact doubles. */
static const double pow10_exact[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A decimal [+-]digits[.digits] split into sign, integer mantissa and digits after the point.
 * More than 19 significant or 19 fractional digits is not something ntpd sends: out of range. */
struct decimal {
	bool neg;
	uint64_t mant;
	unsigned frac;
};

static enum wire_mode6_status
parse_decimal(const char *s, size_t n, bool allow_point, struct decimal *d)
{
	size_t i = 0;
	unsigned sig = 0, digits = 0;
	bool point = false;

	d->neg = false;
	d->mant = 0;
	d->frac = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		d->neg = s[i++] == '-';
	for (; i < n; i++) {
		if (s[i] == '.' && allow_point && !point && digits > 0) {
			point = true;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return WIRE_MODE6_BAD_NUMBER;
		digits++;
		if (point && ++d->frac > 19)
			return WIRE_MODE6_OUT_OF_RANGE;
		if (d->mant == 0 && s[i] == '0')
			continue; /* leading zeros are not significant */
		if (++sig > 19)
			return WIRE_MODE6_OUT_OF_RANGE;
		d->mant = d->mant * 10 + (uint64_t)(s[i] - '0');
	}
	if (digits == 0 || (point && d->frac == 0))
		return WIRE_MODE6_BAD_NUMBER;
	return WIRE_MODE6_OK;
}

/* mant / 10^(frac + shift): a single correctly rounded division while the mantissa is exact. */
static double
decimal_value(const struct decimal *d, unsigned shift)
{
	double x = (double)d->mant / pow10_exact[d->frac + shift];

	return d->neg ? -x : x;
}

static enum wire_mode6_status
number(const struct mode6_var *v, unsigned shift, double *out)
{
	struct decimal d;
	enum wire_mode6_status st;

	if (!v->has_value)
		return WIRE_MODE6_NO_VALUE;
	st = parse_decimal(v->value, v->value_len, true, &d);
	if (st == WIRE_MODE6_OK)
		*out = decimal_value(&d, shift);
	return st;
}

enum wire_mode6_status
wire_mode6_get_double(const struct mode6_var *v, double *out)
{
	return number(v, 0, out);
}

enum wire_mode6_status
wire_mode6_get_seconds(const struct mode6_var *v, double *out_s)
{
	return number(v, 3, out_s);
}

enum wire_mode6_status
wire_mode6_get_int(const struct mode6_var *v, int64_t min, int64_t max, int64_t *out)
{
	struct decimal d;
	enum wire_mode6_status st;

	if (!v->has_value)
		return WIRE_MODE6_NO_VALUE;
	st = parse_decimal(v->value, v->value_len, false, &d);
	if (st != WIRE_MODE6_OK)
		return st;
	if (d.mant > (uint64_t)INT64_MAX + d.neg)
		return WIRE_MODE6_OUT_OF_RANGE;
	int64_t x = d.neg && d.mant ? -(int64_t)(d.mant - 1) - 1 : (int64_t)d.mant;
	if (x < min || x > max)
		return WIRE_MODE6_OUT_OF_RANGE;
	*out = x;
	return WIRE_MODE6_OK;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits s[0..n) into *out: 1..max_digits of them, leading zeros beyond that allowed. */
static enum wire_mode6_status
parse_hex(const char *s, size_t n, unsigned max_digits, uint64_t *out)
{
	uint64_t x = 0;
	unsigned sig = 0;

	if (n == 0 || n > 32)
		return n ? WIRE_MODE6_OUT_OF_RANGE : WIRE_MODE6_BAD_NUMBER;
	for (size_t i = 0; i < n; i++) {
		int d = hex_digit(s[i]);
		if (d < 0)
			return WIRE_MODE6_BAD_NUMBER;
		if (x == 0 && d == 0)
			continue;
		if (++sig > max_digits)
			return WIRE_MODE6_OUT_OF_RANGE;
		x = x << 4 | (uint64_t)d;
	}
	*out = x;
	return WIRE_MODE6_OK;
}

static bool
has_hex_prefix(const struct mode6_var *v)
{
	return v->value_len >= 2 && v->value[0] == '0' &&
	    (v->value[1] == 'x' || v->value[1] == 'X');
}

enum wire_mode6_status
wire_mode6_get_hex(const struct mode6_var *v, uint64_t *out)
{
	if (!v->has_value)
		return WIRE_MODE6_NO_VALUE;
	if (!has_hex_prefix(v))
		return WIRE_MODE6_BAD_NUMBER;
	return parse_hex(v->value + 2, v->value_len - 2, 16, out);
}

enum wire_mode6_status
wire_mode6_get_lfp(const struct mode6_var *v, uint64_t *out)
{
	const char *dot;
	uint64_t sec, frac;
	enum wire_mode6_status st;

	if (!v->has_value)
		return WIRE_MODE6_NO_VALUE;
	if (!has_hex_prefix(v))
		return WIRE_MODE6_BAD_NUMBER;
	dot = memchr(v->value, '.', v->value_len);
	/* seconds: up to 8 digits; fraction: exactly 8, as ntpd prints "0x%08x.%08x" */
	if (!dot || v->value + v->value_len - (dot + 1) != 8)
		return WIRE_MODE6_BAD_NUMBER;
	st = parse_hex(v->value + 2, (size_t)(dot - v->value - 2), 8, &sec);
	if (st == WIRE_MODE6_OK)
		st = parse_hex(dot + 1, 8, 8, &frac);
	if (st == WIRE_MODE6_OK)
		*out = sec << 32 | frac;
	return st;
}

enum wire_mode6_status
wire_mode6_get_leap(const struct mode6_var *v, int *out)
{
	const char *s = v->value;

	if (!v->has_value)
		return WIRE_MODE6_NO_VALUE;
	if (v->value_len == 1 && s[0] >= '0' && s[0] <= '3') {
		*out = s[0] - '0';
		return WIRE_MODE6_OK;
	}
	if (v->value_len == 2 && (s[0] == '0' || s[0] == '1') && (s[1] == '0' || s[1] == '1')) {
		*out = (s[0] - '0') << 1 | (s[1] - '0');
		return WIRE_MODE6_OK;
	}
	return v->value_len && s[0] >= '0' && s[0] <= '9' ? WIRE_MODE6_OUT_OF_RANGE
	                                                  : WIRE_MODE6_BAD_NUMBER;
}

static enum wire_mode6_status
copy_text(const struct mode6_var *v, bool token, char *buf, size_t len)
{
	if (!v->has_value)
		return WIRE_MODE6_NO_VALUE;
	for (size_t i = 0; i < v->value_len; i++) {
		unsigned char c = (unsigned char)v->value[i];
		if (c < 0x20 || c == 0x7f || (token && (c == ' ' || c > 0x7e)))
			return WIRE_MODE6_BAD_STRING;
	}
	if (v->value_len >= len)
		return WIRE_MODE6_NO_SPACE;
	memcpy(buf, v->value, v->value_len);
	buf[v->value_len] = '\0';
	return WIRE_MODE6_OK;
}

enum wire_mode6_status
wire_mode6_get_string(const struct mode6_var *v, char *buf, size_t len)
{
	return copy_text(v, false, buf, len);
}

enum wire_mode6_status
wire_mode6_get_token(const struct mode6_var *v, char *buf, size_t len)
{
	return copy_text(v, true, buf, len);
}

enum wire_mode6_status
wire_mode6_get_filter(const struct mode6_var *v, double out_s[WIRE_MODE6_FILTER_STAGES],
    bool *had_junk)
{
	size_t start[WIRE_MODE6_FILTER_STAGES], end[WIRE_MODE6_FILTER_STAGES];
	double tmp[WIRE_MODE6_FILTER_STAGES];
	size_t i, k = WIRE_MODE6_FILTER_STAGES;
	struct decimal d;

	if (!v->has_value)
		return WIRE_MODE6_NO_VALUE;
	/* The last 8 space-separated words, right to left. */
	for (i = v->value_len; k > 0;) {
		while (i > 0 && (v->value[i - 1] == ' ' || v->value[i - 1] == '\t'))
			i--;
		if (i == 0)
			break;
		end[--k] = i;
		while (i > 0 && v->value[i - 1] != ' ' && v->value[i - 1] != '\t')
			i--;
		start[k] = i;
	}
	if (k > 0)
		return WIRE_MODE6_BAD_NUMBER; /* fewer than 8 */
	for (k = 0; k < WIRE_MODE6_FILTER_STAGES; k++) {
		enum wire_mode6_status st =
		    parse_decimal(v->value + start[k], end[k] - start[k], true, &d);
		if (st != WIRE_MODE6_OK)
			return st;
		tmp[k] = decimal_value(&d, 3);
	}
	memcpy(out_s, tmp, sizeof(tmp));
	if (had_junk) {
		while (i > 0 && (v->value[i - 1] == ' ' || v->value[i - 1] == '\t'))
			i--;
		*had_junk = i > 0;
	}
	return WIRE_MODE6_OK;
}

static const char *const flash_names[WIRE_MODE6_FLASH_BITS] = {"pkt_dup", "pkt_bogus", "pkt_unsync",
    "pkt_denied", "pkt_auth", "pkt_stratum", "pkt_header", "pkt_autokey", "pkt_crypto",
    "peer_stratum", "peer_dist", "peer_loop", "peer_unreach", "bogon14"};

const char *
wire_mode6_flash_name(unsigned bit)
{
	return bit < WIRE_MODE6_FLASH_BITS ? flash_names[bit] : NULL;
}

char *
wire_mode6_format_flash(unsigned flash, char *buf, size_t len)
{
	size_t used = 0;
	unsigned rest = flash & ~((1u << WIRE_MODE6_FLASH_BITS) - 1);

	if (len == 0)
		return buf;
	snprintf(buf, len, "%s", flash ? "" : "ok");
	for (unsigned b = 0; b < WIRE_MODE6_FLASH_BITS && used + 1 < len; b++) {
		if (flash & (1u << b)) {
			snprintf(buf + used, len - used, "%s%s", used ? " " : "", flash_names[b]);
			used = strnlen(buf, len);
		}
	}
	if (rest && used + 1 < len)
		snprintf(buf + used, len - used, "%s0x%x", used ? " " : "", rest);
	return buf;
}

/* ---- Typed system and peer variables ------------------------------------------------------ */

enum kind {
	K_SKIP,  /* known, not decoded */
	K_INT,   /* int in [min, max] */
	K_LEAP,  /* int 0..3 */
	K_MS,    /* double: milliseconds on the wire, seconds in the struct */
	K_NUM,   /* double as sent (ppm) */
	K_HEX,   /* unsigned, at most max */
	K_LFP,   /* uint64_t 32.32 */
	K_STR,   /* char[size] */
	K_TOKEN, /* char[size], one word */
	K_FILT,  /* double[8], ms -> s */
};

struct field {
	const char *name;
	uint8_t kind;
	uint8_t bit; /* have bit */
	uint16_t off;
	uint16_t size;
	int32_t min, max;
};

#define F(n, k, s, fld, b)                                                                         \
	{                                                                                          \
		n, k, b, offsetof(s, fld), sizeof(((s *)0)->fld), 0, 0                             \
	}
#define FI(n, s, fld, b, lo, hi)                                                                   \
	{                                                                                          \
		n, K_INT, b, offsetof(s, fld), sizeof(int), lo, hi                                 \
	}
#define FH(n, s, fld, b, hi)                                                                       \
	{                                                                                          \
		n, K_HEX, b, offsetof(s, fld), sizeof(unsigned), 0, hi                             \
	}
#define SKIP(n)                                                                                    \
	{                                                                                          \
		n, K_SKIP, 0, 0, 0, 0, 0                                                           \
	}

#define SV struct mode6_sys_vars
static const struct field sys_fields[] = {
    F("leap", K_LEAP, SV, leap, WIRE_MODE6_SYS_LEAP),
    FI("stratum", SV, stratum, WIRE_MODE6_SYS_STRATUM, 0, 255),
    FI("precision", SV, precision, WIRE_MODE6_SYS_PRECISION, -128, 127),
    F("rootdelay", K_MS, SV, rootdelay_s, WIRE_MODE6_SYS_ROOTDELAY),
    F("rootdisp", K_MS, SV, rootdisp_s, WIRE_MODE6_SYS_ROOTDISP),
    F("rootdispersion", K_MS, SV, rootdisp_s, WIRE_MODE6_SYS_ROOTDISP), /* ntpd <= 4.2.4 */
    F("refid", K_TOKEN, SV, refid, WIRE_MODE6_SYS_REFID),
    F("reftime", K_LFP, SV, reftime, WIRE_MODE6_SYS_REFTIME),
    F("clock", K_LFP, SV, clock, WIRE_MODE6_SYS_CLOCK),
    FI("peer", SV, peer, WIRE_MODE6_SYS_PEER, 0, 65535),
    FI("tc", SV, tc, WIRE_MODE6_SYS_TC, -128, 127),
    FI("poll", SV, tc, WIRE_MODE6_SYS_TC, -128, 127), /* ntpd <= 4.2.4 */
    FI("mintc", SV, mintc, WIRE_MODE6_SYS_MINTC, -128, 127),
    F("offset", K_MS, SV, offset_s, WIRE_MODE6_SYS_OFFSET),
    F("frequency", K_NUM, SV, frequency_ppm, WIRE_MODE6_SYS_FREQUENCY),
    F("sys_jitter", K_MS, SV, sys_jitter_s, WIRE_MODE6_SYS_SYS_JITTER),
    F("jitter", K_MS, SV, sys_jitter_s, WIRE_MODE6_SYS_SYS_JITTER), /* ntpd <= 4.2.4 */
    F("clk_jitter", K_MS, SV, clk_jitter_s, WIRE_MODE6_SYS_CLK_JITTER),
    F("noise", K_MS, SV, clk_jitter_s, WIRE_MODE6_SYS_CLK_JITTER), /* ntpd <= 4.2.4 */
    F("clk_wander", K_NUM, SV, clk_wander_ppm, WIRE_MODE6_SYS_CLK_WANDER),
    F("stability", K_NUM, SV, clk_wander_ppm, WIRE_MODE6_SYS_CLK_WANDER), /* ntpd <= 4.2.4 */
    FI("tai", SV, tai_s, WIRE_MODE6_SYS_TAI, 0, 100000),
    F("leapsec", K_STR, SV, leapsec, WIRE_MODE6_SYS_LEAPSEC),
    F("expire", K_STR, SV, expire, WIRE_MODE6_SYS_EXPIRE),
    F("version", K_STR, SV, version, WIRE_MODE6_SYS_VERSION),
    F("processor", K_STR, SV, processor, WIRE_MODE6_SYS_PROCESSOR),
    F("system", K_STR, SV, system, WIRE_MODE6_SYS_SYSTEM),
    SKIP("sys_var_list"),
    SKIP("leapsmearinterval"),
    SKIP("leapsmearoffset"),
};
#undef SV

#define PV struct mode6_peer_vars
static const struct field peer_fields[] = {
    F("srcadr", K_TOKEN, PV, srcadr, WIRE_MODE6_PEER_SRCADR),
    FI("srcport", PV, srcport, WIRE_MODE6_PEER_SRCPORT, 0, 65535),
    F("srchost", K_STR, PV, srchost, WIRE_MODE6_PEER_SRCHOST),
    F("dstadr", K_TOKEN, PV, dstadr, WIRE_MODE6_PEER_DSTADR),
    FI("dstport", PV, dstport, WIRE_MODE6_PEER_DSTPORT, 0, 65535),
    F("leap", K_LEAP, PV, leap, WIRE_MODE6_PEER_LEAP),
    FI("stratum", PV, stratum, WIRE_MODE6_PEER_STRATUM, 0, 255),
    FI("precision", PV, precision, WIRE_MODE6_PEER_PRECISION, -128, 127),
    F("rootdelay", K_MS, PV, rootdelay_s, WIRE_MODE6_PEER_ROOTDELAY),
    F("rootdisp", K_MS, PV, rootdisp_s, WIRE_MODE6_PEER_ROOTDISP),
    F("rootdispersion", K_MS, PV, rootdisp_s, WIRE_MODE6_PEER_ROOTDISP), /* ntpd <= 4.2.4 */
    F("refid", K_TOKEN, PV, refid, WIRE_MODE6_PEER_REFID),
    F("reftime", K_LFP, PV, reftime, WIRE_MODE6_PEER_REFTIME),
    F("rec", K_LFP, PV, rec, WIRE_MODE6_PEER_REC),
    F("xmt", K_LFP, PV, xmt, WIRE_MODE6_PEER_XMT),           /* NTPsec */
    F("xleave", K_MS, PV, xleave_s, WIRE_MODE6_PEER_XLEAVE), /* ntpd 4.2.8 */
    FH("reach", PV, reach, WIRE_MODE6_PEER_REACH, 0xff),
    FI("unreach", PV, unreach, WIRE_MODE6_PEER_UNREACH, 0, INT32_MAX),
    FI("hmode", PV, hmode, WIRE_MODE6_PEER_HMODE, 0, 7),
    FI("pmode", PV, pmode, WIRE_MODE6_PEER_PMODE, 0, 7),
    FI("hpoll", PV, hpoll, WIRE_MODE6_PEER_HPOLL, -128, 127),
    FI("ppoll", PV, ppoll, WIRE_MODE6_PEER_PPOLL, -128, 127),
    FH("flash", PV, flash, WIRE_MODE6_PEER_FLASH, 0xffff),
    F("offset", K_MS, PV, offset_s, WIRE_MODE6_PEER_OFFSET),
    F("delay", K_MS, PV, delay_s, WIRE_MODE6_PEER_DELAY),
    F("jitter", K_MS, PV, jitter_s, WIRE_MODE6_PEER_JITTER),
    F("dispersion", K_MS, PV, dispersion_s, WIRE_MODE6_PEER_DISPERSION),
    F("filtdelay", K_FILT, PV, filtdelay_s, WIRE_MODE6_PEER_FILTDELAY),
    F("filtoffset", K_FILT, PV, filtoffset_s, WIRE_MODE6_PEER_FILTOFFSET),
    F("filtdisp", K_FILT, PV, filtdisp_s, WIRE_MODE6_PEER_FILTDISP),
    F("filterror", K_FILT, PV, filtdisp_s, WIRE_MODE6_PEER_FILTDISP), /* older ntpd */
    SKIP("config"),
    SKIP("authenable"),
    SKIP("authentic"),
    SKIP("keyid"),
    SKIP("headway"), /* NTPsec 1.2.2 sends it as an unsigned wrap of a negative number */
    SKIP("timer"),
    SKIP("ttl"),
    SKIP("bias"),
    SKIP("ntscookies"),
    SKIP("org"),
    SKIP("received"),
    SKIP("sent"),
    SKIP("in"),
    SKIP("out"),
    SKIP("peer_var_list"),
};
#undef PV

static const struct field *
find_field(const struct field *tab, size_t n, const struct mode6_var *v)
{
	for (size_t i = 0; i < n; i++)
		if (wire_mode6_var_is(v, tab[i].name))
			return &tab[i];
	return NULL;
}

static enum wire_mode6_status
decode_field(const struct field *f, const struct mode6_var *v, void *out, bool *junk)
{
	void *p = (char *)out + f->off;
	enum wire_mode6_status st = WIRE_MODE6_OK;
	int64_t i;
	uint64_t x;
	bool j = false;

	switch ((enum kind)f->kind) {
	case K_SKIP:
		break;
	case K_INT:
		st = wire_mode6_get_int(v, f->min, f->max, &i);
		if (st == WIRE_MODE6_OK)
			*(int *)p = (int)i;
		break;
	case K_LEAP:
		st = wire_mode6_get_leap(v, (int *)p);
		break;
	case K_MS:
		st = wire_mode6_get_seconds(v, (double *)p);
		break;
	case K_NUM:
		st = wire_mode6_get_double(v, (double *)p);
		break;
	case K_HEX:
		st = wire_mode6_get_hex(v, &x);
		if (st == WIRE_MODE6_OK && x > (uint64_t)f->max)
			st = WIRE_MODE6_OUT_OF_RANGE;
		if (st == WIRE_MODE6_OK)
			*(unsigned *)p = (unsigned)x;
		break;
	case K_LFP:
		st = wire_mode6_get_lfp(v, (uint64_t *)p);
		break;
	case K_STR:
		st = wire_mode6_get_string(v, (char *)p, f->size);
		break;
	case K_TOKEN:
		st = wire_mode6_get_token(v, (char *)p, f->size);
		break;
	case K_FILT:
		st = wire_mode6_get_filter(v, (double *)p, &j);
		if (st == WIRE_MODE6_OK && j && junk)
			*junk = true;
		break;
	}
	return st;
}

/* Every variable of l through the table; bad ones are reported and skipped. */
static enum wire_mode6_status
decode_table(const struct field *tab, size_t n_tab, const struct mode6_varlist *l, void *out,
    uint64_t *have, bool *junk, struct mode6_problems *problems)
{
	enum wire_mode6_status first = WIRE_MODE6_OK;

	if (problems)
		problems->n = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct mode6_var *v = &l->vars[i];
		const struct field *f = find_field(tab, n_tab, v);
		enum wire_mode6_status st;

		if (!f) {
			problem(problems, WIRE_MODE6_UNKNOWN_VAR, v->offset, i);
			continue;
		}
		if (f->kind == K_SKIP)
			continue;
		if (*have & (UINT64_C(1) << f->bit))
			st = WIRE_MODE6_DUPLICATE_VAR;
		else
			st = decode_field(f, v, out, junk);
		if (st == WIRE_MODE6_OK) {
			*have |= UINT64_C(1) << f->bit;
			continue;
		}
		problem(problems, st, v->offset, i);
		if (first == WIRE_MODE6_OK)
			first = st;
	}
	return first;
}

enum wire_mode6_status
wire_mode6_decode_sys_vars(const struct mode6_varlist *l, struct mode6_sys_vars *out,
    struct mode6_problems *problems)
{
	memset(out, 0, sizeof(*out));
	return decode_table(sys_fields, CW_ARRAY_LEN(sys_fields), l, out, &out->have, NULL,
	    problems);
}

enum wire_mode6_status
wire_mode6_decode_peer_vars(const struct mode6_varlist *l, struct mode6_peer_vars *out,
    struct mode6_problems *problems)
{
	memset(out, 0, sizeof(*out));
	return decode_table(peer_fields, CW_ARRAY_LEN(peer_fields), l, out, &out->have,
	    &out->has_filter_junk, problems);
}
