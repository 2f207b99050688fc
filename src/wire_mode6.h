/* wire_mode6.h: NTP mode 6 control messages (RFC 9327; ntpd 4.2.8 and NTPsec 1.2 as they speak).
 *
 *   0                   1                   2                   3
 *   |LI | VN  |Mode |R|E|M| Opcode  |           Sequence            |
 *   |            Status             |        Association ID         |
 *   |            Offset             |             Count             |
 *   |  Data: Count octets (at most 468), padding to 4 octets, MAC   |
 *
 * Requests: READSTAT and READVAR with a caller-chosen sequence, data NUL-padded to a multiple of 4
 * (PROTOCOLS.md §2.5). Replies come in fragments; a caller-owned reassembler with fixed limits
 * puts them back together. A READSTAT of association 0 answers binary (association ID, peer
 * status word) pairs; everything else is a text variable list ("name=value, name=\"quoted, with
 * commas\",\r\n..."), split into spans by wire_mode6_parse_varlist. Getters turn values into
 * numbers; ntpd sends milliseconds, and fields here carry seconds (`_s`) or ppm (`_ppm`).
 *
 * Pure: no I/O, no clock, no allocation. Every status is a wire_mode6_status. */
#ifndef CLOCKWATCH_WIRE_MODE6_H
#define CLOCKWATCH_WIRE_MODE6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_MODE6_HEADER_LEN 12
#define WIRE_MODE6_MAX_DATA 468 /* data octets in one datagram (ntpd CTL_MAX_DATA_LEN) */
#define WIRE_MODE6_MAX_REQUEST (WIRE_MODE6_HEADER_LEN + WIRE_MODE6_MAX_DATA)
#define WIRE_MODE6_MAX_FRAGS 32       /* fragments in one response (ntpq's MAXFRAGS) */
#define WIRE_MODE6_MAX_RESPONSE 14976 /* WIRE_MODE6_MAX_FRAGS x WIRE_MODE6_MAX_DATA */
#define WIRE_MODE6_REQUEST_VERSION 2  /* what both ntpq's send; servers echo it */

enum wire_mode6_opcode {
	WIRE_MODE6_OP_READSTAT = 1,  /* assoc 0: association list; assoc N: N's default variables */
	WIRE_MODE6_OP_READVAR = 2,   /* assoc 0: system variables; assoc N: peer variables */
	WIRE_MODE6_OP_READCLOCK = 4, /* refclock variables */
	WIRE_MODE6_OP_READ_MRU = 10,
	WIRE_MODE6_OP_REQ_NONCE = 12,
};

enum wire_mode6_status {
	WIRE_MODE6_OK = 0,
	WIRE_MODE6_NEED_MORE, /* reassembly: fragment stored, more to come */
	WIRE_MODE6_DONE,      /* reassembly: the response is complete */
	/* Not (part of) the answer to this request: ignore the datagram and keep waiting
	 * (wire_mode6_is_stray). The reassembler is unchanged. */
	WIRE_MODE6_TRUNCATED,      /* shorter than the 12-octet header */
	WIRE_MODE6_BAD_MODE,       /* mode is not 6 */
	WIRE_MODE6_BAD_VERSION,    /* version outside 1..4 */
	WIRE_MODE6_NOT_RESPONSE,   /* R bit clear: a request, not a reply */
	WIRE_MODE6_WRONG_SEQUENCE, /* an answer to another request */
	WIRE_MODE6_WRONG_OPCODE,
	WIRE_MODE6_WRONG_ASSOC,
	WIRE_MODE6_DUPLICATE, /* a fragment already received, byte for byte */
	/* The response is broken; the reassembler keeps returning this status. */
	WIRE_MODE6_SERVER_ERROR, /* E bit: the server refused; see error_code */
	WIRE_MODE6_BAD_LENGTH,   /* datagram shorter than 12 + count, or not a multiple of 4 */
	WIRE_MODE6_BAD_COUNT,    /* count over 468, or 0 in a fragment that is not the last */
	WIRE_MODE6_OVERLAP,      /* overlaps a fragment already received */
	WIRE_MODE6_BAD_OFFSET,   /* data past the end the last fragment set */
	WIRE_MODE6_TOO_MANY_FRAGMENTS, /* more fragments than the limit */
	WIRE_MODE6_TOO_LONG,           /* more bytes than the limit */
	/* wire_mode6_reasm_finish: why a response is not complete. */
	WIRE_MODE6_NO_REPLY,         /* nothing usable arrived */
	WIRE_MODE6_MISSING_LAST,     /* the fragment without M never arrived */
	WIRE_MODE6_MISSING_FRAGMENT, /* the last one arrived, but there is a hole before it */
	/* Requests. */
	WIRE_MODE6_BAD_NAME,         /* a variable name that is empty, too long or has separators */
	WIRE_MODE6_REQUEST_TOO_LONG, /* the names do not fit in 468 octets */
	/* Decoders and the variable-list parser. */
	WIRE_MODE6_BAD_ASSOC_LIST,     /* association list length not a multiple of 4 */
	WIRE_MODE6_TOO_MANY_ASSOCS,    /* more associations than the caller's array */
	WIRE_MODE6_TOO_MANY_VARS,      /* more variables than WIRE_MODE6_MAX_VARS */
	WIRE_MODE6_VALUE_TOO_LONG,     /* a value over WIRE_MODE6_MAX_VALUE octets */
	WIRE_MODE6_UNTERMINATED_QUOTE, /* a quoted value with no closing quote on its line */
	WIRE_MODE6_JUNK_AFTER_QUOTE,   /* bytes between a closing quote and the next comma */
	/* Getters and typed decoders. */
	WIRE_MODE6_NO_VALUE,      /* "name" without "=value" */
	WIRE_MODE6_BAD_NUMBER,    /* not a number of the expected form */
	WIRE_MODE6_OUT_OF_RANGE,  /* a number beyond what the field holds or plausibly is */
	WIRE_MODE6_BAD_STRING,    /* a control character (NUL included) in text */
	WIRE_MODE6_NO_SPACE,      /* the text does not fit the caller's buffer */
	WIRE_MODE6_DUPLICATE_VAR, /* a name seen twice; the first one is kept */
	WIRE_MODE6_UNKNOWN_VAR,   /* a name the typed decoder does not know (not an error) */
};
#define WIRE_MODE6_STATUS_LAST WIRE_MODE6_UNKNOWN_VAR

const char *wire_mode6_strerror(enum wire_mode6_status st);
/* True for the statuses that say "not ours": the caller ignores the datagram and waits on. */
bool wire_mode6_is_stray(enum wire_mode6_status st);

/* ---- Requests ------------------------------------------------------------------------------ */

/* Encodes a request: header (VN 2, mode 6, offset 0), data, NULs to a multiple of 4. Returns
 * the datagram length, or 0 when data_len is over WIRE_MODE6_MAX_DATA. */
size_t wire_mode6_encode(uint8_t out[WIRE_MODE6_MAX_REQUEST], unsigned opcode, uint16_t sequence,
    uint16_t assoc, const void *data, size_t data_len);
/* READSTAT: assoc 0 asks for the association list. Returns the length (12). */
size_t
wire_mode6_encode_readstat(uint8_t out[WIRE_MODE6_MAX_REQUEST], uint16_t sequence, uint16_t assoc);
/* READVAR: assoc 0 for system variables, N for one association; names (n of them, may be 0
 * for the server's default list) are sent comma-separated. Any unknown name makes the server
 * refuse the whole request (UNKNOWNVAR), so ask only for names the daemon knows. */
enum wire_mode6_status wire_mode6_encode_readvar(uint8_t out[WIRE_MODE6_MAX_REQUEST],
    uint16_t sequence, uint16_t assoc, const char *const *names, size_t n, size_t *len);

/* ---- Reassembly ---------------------------------------------------------------------------- */

/* One response being put back together; the caller owns it (it is about 15 KiB). Fragments
 * may come in any order; each is stored by offset, duplicates are ignored, overlaps rejected. */
struct mode6_reasm {
	/* The request: set by wire_mode6_reasm_init. */
	uint16_t sequence;
	uint16_t assoc;
	uint8_t opcode;
	/* Limits: wire_mode6_reasm_init sets the maxima; a caller may lower them afterwards. */
	size_t max_frags;
	size_t max_bytes;
	/* The reply, valid once wire_mode6_reasm_add returned WIRE_MODE6_DONE. */
	uint8_t version;     /* echoed by the server */
	uint16_t status;     /* status word of the last fragment: system or peer status */
	uint8_t error_code;  /* with WIRE_MODE6_SERVER_ERROR: WIRE_MODE6_ERR_* */
	size_t len;          /* response bytes in data */
	size_t n_frags;      /* fragments stored */
	size_t n_duplicates; /* fragments seen again */
	bool have_last;      /* the fragment without M arrived */
	bool done;
	size_t end;                   /* total length, known once have_last */
	enum wire_mode6_status error; /* sticky error, or WIRE_MODE6_OK */
	struct {
		uint16_t offset;
		uint16_t count;
	} frags[WIRE_MODE6_MAX_FRAGS];
	uint8_t data[WIRE_MODE6_MAX_RESPONSE + 1]; /* NUL-terminated at len when done */
};

/* Starts reassembling the response to the request (opcode, sequence, assoc). */
void
wire_mode6_reasm_init(struct mode6_reasm *r, unsigned opcode, uint16_t sequence, uint16_t assoc);
/* Takes one received datagram: WIRE_MODE6_NEED_MORE, WIRE_MODE6_DONE, a stray status (ignore
 * the datagram), or an error (the response is broken). */
enum wire_mode6_status wire_mode6_reasm_add(struct mode6_reasm *r, const void *pkt, size_t len);
/* At the caller's timeout: WIRE_MODE6_DONE, the sticky error, or why the response is
 * incomplete (NO_REPLY, MISSING_LAST, MISSING_FRAGMENT). */
enum wire_mode6_status wire_mode6_reasm_finish(const struct mode6_reasm *r);

/* Error codes in the high byte of the status word of an E reply (PROTOCOLS.md §2.4). */
enum wire_mode6_error {
	WIRE_MODE6_ERR_UNSPEC = 0,
	WIRE_MODE6_ERR_PERMISSION = 1,
	WIRE_MODE6_ERR_BADFMT = 2,
	WIRE_MODE6_ERR_BADOP = 3,
	WIRE_MODE6_ERR_BADASSOC = 4,
	WIRE_MODE6_ERR_UNKNOWNVAR = 5,
	WIRE_MODE6_ERR_BADVALUE = 6,
	WIRE_MODE6_ERR_RESTRICT = 7,
};
/* "BADASSOC"; "?" for codes above 7. */
const char *wire_mode6_error_name(unsigned code);

/* ---- Status words and the association list ------------------------------------------------- */

/* System status word (PROTOCOLS.md §2.7). */
struct mode6_sys_status {
	uint8_t leap;        /* 0..3, WIRE_NTP_LEAP_* */
	uint8_t source;      /* clock source 0..63 */
	uint8_t event_count; /* 0..15, saturating */
	uint8_t event;       /* last event code 0..15 */
};
void wire_mode6_decode_sys_status(uint16_t word, struct mode6_sys_status *out);

/* Peer status word (PROTOCOLS.md §2.8). */
enum wire_mode6_select {
	WIRE_MODE6_SEL_REJECT = 0,
	WIRE_MODE6_SEL_FALSETICK = 1,
	WIRE_MODE6_SEL_EXCESS = 2,
	WIRE_MODE6_SEL_OUTLIER = 3,
	WIRE_MODE6_SEL_CANDIDATE = 4,
	WIRE_MODE6_SEL_BACKUP = 5,
	WIRE_MODE6_SEL_SYS_PEER = 6,
	WIRE_MODE6_SEL_PPS_PEER = 7,
};
struct mode6_peer_status {
	bool is_configured;   /* 0x8000 */
	bool is_auth_enabled; /* 0x4000 */
	bool is_authentic;    /* 0x2000 */
	bool is_reachable;    /* 0x1000 */
	bool is_broadcast;    /* 0x0800 */
	uint8_t select;       /* enum wire_mode6_select */
	uint8_t event_count;
	uint8_t event;
};
void wire_mode6_decode_peer_status(uint16_t word, struct mode6_peer_status *out);

/* Names as ntpq prints them; "?" when out of range. */
const char *wire_mode6_leap_name(unsigned leap);        /* "leap_none" */
const char *wire_mode6_source_name(unsigned source);    /* "sync_ntp"; NULL past 9 */
const char *wire_mode6_sys_event_name(unsigned event);  /* "clock_sync" */
const char *wire_mode6_peer_event_name(unsigned event); /* "sys_peer"; NULL for 0 */
const char *wire_mode6_select_name(unsigned select);    /* ntpq's condition: "sys.peer" */
char wire_mode6_select_tally(unsigned select);          /* ntpq's tally character: '*' */
/* The text after "status=XXXX" in ntpq's rv output: "leap_none, sync_ntp, 1 event, clock_sync"
 * and "conf, auth, reach, sel_sys.peer, 1 event, sys_peer". Return buf. */
char *wire_mode6_format_sys_status(uint16_t word, char *buf, size_t len);
char *wire_mode6_format_peer_status(uint16_t word, char *buf, size_t len);

struct mode6_assoc {
	uint16_t assoc;
	uint16_t status_word;
	struct mode6_peer_status status;
};
/* Decodes a READSTAT (assoc 0) response: count/4 pairs, in the server's order. Fills at most
 * max entries and sets *n; WIRE_MODE6_TOO_MANY_ASSOCS when more were sent. */
enum wire_mode6_status wire_mode6_decode_assocs(const void *data, size_t len,
    struct mode6_assoc *out, size_t max, size_t *n);

/* ---- Variable lists ------------------------------------------------------------------------ */

#define WIRE_MODE6_MAX_VARS 256    /* variables kept from one list */
#define WIRE_MODE6_MAX_NAME 64     /* longest name accepted */
#define WIRE_MODE6_MAX_VALUE 4096  /* longest value accepted */
#define WIRE_MODE6_MAX_PROBLEMS 16 /* problems kept in a report (all are counted) */

/* One item of a list: spans into the caller's text, NOT NUL-terminated. A quoted value is
 * given without its quotes. */
struct mode6_var {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
	size_t offset; /* byte offset of the item in the text */
	bool has_value;
	bool is_quoted;
};

/* What went wrong where; the first WIRE_MODE6_MAX_PROBLEMS are kept, all are counted. */
struct mode6_problems {
	size_t n;
	struct {
		enum wire_mode6_status st;
		size_t offset; /* byte offset of the item in the text */
		size_t var;    /* index into the varlist, or SIZE_MAX when the item was not kept */
	} first[WIRE_MODE6_MAX_PROBLEMS];
};

struct mode6_varlist {
	struct mode6_var vars[WIRE_MODE6_MAX_VARS];
	size_t n;
	size_t n_dropped; /* well-formed items past WIRE_MODE6_MAX_VARS */
	struct mode6_problems problems;
};

/* Splits a variable list: items separated by commas outside quotes; an unquoted CR or LF also
 * ends an item; spaces, tabs, CR, LF and NULs around items are padding. A malformed item (bad
 * name, value too long, unterminated quote, junk after a quote) is reported in out->problems and
 * skipped; parsing goes on with the next item. Returns WIRE_MODE6_OK, or the first problem's
 * status; out holds every well-formed item either way. The spans point into text. */
enum wire_mode6_status
wire_mode6_parse_varlist(const char *text, size_t len, struct mode6_varlist *out);
/* The first variable called name, or NULL. */
const struct mode6_var *wire_mode6_varlist_find(const struct mode6_varlist *l, const char *name);
bool wire_mode6_var_is(const struct mode6_var *v, const char *name);

/* Getters: WIRE_MODE6_OK and *out set, or a status and *out untouched. */
/* Decimal integer in [min, max]. */
enum wire_mode6_status
wire_mode6_get_int(const struct mode6_var *v, int64_t min, int64_t max, int64_t *out);
/* Decimal number as sent ("-0.008360", "15000.029097"); no exponent, NaN or infinity. */
enum wire_mode6_status wire_mode6_get_double(const struct mode6_var *v, double *out);
/* A millisecond value (offset, delay, jitter, dispersion, rootdelay...) in seconds. */
enum wire_mode6_status wire_mode6_get_seconds(const struct mode6_var *v, double *out_s);
/* Hex "0x..." (reach, flash), at most 16 digits. */
enum wire_mode6_status wire_mode6_get_hex(const struct mode6_var *v, uint64_t *out);
/* NTP timestamp "0xHHHHHHHH.HHHHHHHH" as raw 32.32. */
enum wire_mode6_status wire_mode6_get_lfp(const struct mode6_var *v, uint64_t *out);
/* Leap indicator: "0".."3", or the two binary digits ntpq shows ("00".."11"). */
enum wire_mode6_status wire_mode6_get_leap(const struct mode6_var *v, int *out);
/* Text (quoted or not) copied NUL-terminated; control characters are refused. */
enum wire_mode6_status wire_mode6_get_string(const struct mode6_var *v, char *buf, size_t len);
/* One word (srcadr, dstadr, refid): printable ASCII, no spaces. */
enum wire_mode6_status wire_mode6_get_token(const struct mode6_var *v, char *buf, size_t len);

#define WIRE_MODE6_FILTER_STAGES 8
/* filtdelay/filtoffset/filtdisp: 8 millisecond values, newest first, in seconds. NTPsec 1.2.2
 * sends uninitialised stack bytes before the 8 values (its ctl_putarray appends to an unset
 * buffer), so the last 8 words are taken and *had_junk (may be NULL) says whether anything
 * came before them. */
enum wire_mode6_status wire_mode6_get_filter(const struct mode6_var *v,
    double out_s[WIRE_MODE6_FILTER_STAGES], bool *had_junk);

/* Flash bits (PROTOCOLS.md §1.7; bit set = test failed): names as ntpq and src/filter.c give
 * them, "pkt_dup" for bit 0 to "peer_unreach" for bit 12, "bogon14" for NTPsec's 0x2000 (ntpq
 * has no name for it), NULL past it. */
#define WIRE_MODE6_FLASH_BITS 14
const char *wire_mode6_flash_name(unsigned bit);
/* "ok", or the names of the set bits separated by spaces (unnamed bits as 0x...). */
char *wire_mode6_format_flash(unsigned flash, char *buf, size_t len);

/* ---- Typed system and peer variables --------------------------------------------------------- */

#define WIRE_MODE6_STR_MAX 128  /* version, system, processor, srchost, leap file dates */
#define WIRE_MODE6_ADDR_MAX 64  /* srcadr, dstadr */
#define WIRE_MODE6_REFID_MAX 24 /* dotted quad, clock id, "...." */

/* Bits of mode6_sys_vars.have. */
enum wire_mode6_sys_field {
	WIRE_MODE6_SYS_LEAP,
	WIRE_MODE6_SYS_STRATUM,
	WIRE_MODE6_SYS_PRECISION,
	WIRE_MODE6_SYS_ROOTDELAY,
	WIRE_MODE6_SYS_ROOTDISP,
	WIRE_MODE6_SYS_REFID,
	WIRE_MODE6_SYS_REFTIME,
	WIRE_MODE6_SYS_CLOCK,
	WIRE_MODE6_SYS_PEER,
	WIRE_MODE6_SYS_TC,
	WIRE_MODE6_SYS_MINTC,
	WIRE_MODE6_SYS_OFFSET,
	WIRE_MODE6_SYS_FREQUENCY,
	WIRE_MODE6_SYS_SYS_JITTER,
	WIRE_MODE6_SYS_CLK_JITTER,
	WIRE_MODE6_SYS_CLK_WANDER,
	WIRE_MODE6_SYS_TAI,
	WIRE_MODE6_SYS_LEAPSEC,
	WIRE_MODE6_SYS_EXPIRE,
	WIRE_MODE6_SYS_VERSION,
	WIRE_MODE6_SYS_PROCESSOR,
	WIRE_MODE6_SYS_SYSTEM,
};

/* System variables (READVAR assoc 0; PROTOCOLS.md §2.10). */
struct mode6_sys_vars {
	uint64_t have; /* 1 << WIRE_MODE6_SYS_* for each field present and valid */
	int leap;
	int stratum;
	int precision; /* log2 s */
	double rootdelay_s;
	double rootdisp_s;
	char refid[WIRE_MODE6_REFID_MAX];
	uint64_t reftime; /* NTP 32.32 */
	uint64_t clock;   /* NTP 32.32: the server's time when it answered */
	int peer;         /* association of the system peer, 0 = none */
	int tc;           /* log2 s */
	int mintc;        /* log2 s */
	double offset_s;
	double frequency_ppm;
	double sys_jitter_s;
	double clk_jitter_s;
	double clk_wander_ppm;
	int tai_s;
	char leapsec[WIRE_MODE6_STR_MAX]; /* classic YYYYMMDDHHMM, NTPsec YYYY-MM-DDTHH:MMZ */
	char expire[WIRE_MODE6_STR_MAX];
	char version[WIRE_MODE6_STR_MAX];
	char processor[WIRE_MODE6_STR_MAX];
	char system[WIRE_MODE6_STR_MAX];
};

/* Bits of mode6_peer_vars.have. */
enum wire_mode6_peer_field {
	WIRE_MODE6_PEER_SRCADR,
	WIRE_MODE6_PEER_SRCPORT,
	WIRE_MODE6_PEER_SRCHOST,
	WIRE_MODE6_PEER_DSTADR,
	WIRE_MODE6_PEER_DSTPORT,
	WIRE_MODE6_PEER_LEAP,
	WIRE_MODE6_PEER_STRATUM,
	WIRE_MODE6_PEER_PRECISION,
	WIRE_MODE6_PEER_ROOTDELAY,
	WIRE_MODE6_PEER_ROOTDISP,
	WIRE_MODE6_PEER_REFID,
	WIRE_MODE6_PEER_REFTIME,
	WIRE_MODE6_PEER_REC,
	WIRE_MODE6_PEER_XMT,
	WIRE_MODE6_PEER_XLEAVE,
	WIRE_MODE6_PEER_REACH,
	WIRE_MODE6_PEER_UNREACH,
	WIRE_MODE6_PEER_HMODE,
	WIRE_MODE6_PEER_PMODE,
	WIRE_MODE6_PEER_HPOLL,
	WIRE_MODE6_PEER_PPOLL,
	WIRE_MODE6_PEER_FLASH,
	WIRE_MODE6_PEER_OFFSET,
	WIRE_MODE6_PEER_DELAY,
	WIRE_MODE6_PEER_JITTER,
	WIRE_MODE6_PEER_DISPERSION,
	WIRE_MODE6_PEER_FILTDELAY,
	WIRE_MODE6_PEER_FILTOFFSET,
	WIRE_MODE6_PEER_FILTDISP,
};

/* Peer variables (READVAR assoc N; PROTOCOLS.md §2.11). */
struct mode6_peer_vars {
	uint64_t have; /* 1 << WIRE_MODE6_PEER_* for each field present and valid */
	char srcadr[WIRE_MODE6_ADDR_MAX];
	int srcport;
	char srchost[WIRE_MODE6_STR_MAX];
	char dstadr[WIRE_MODE6_ADDR_MAX];
	int dstport;
	int leap;
	int stratum;
	int precision; /* log2 s */
	double rootdelay_s;
	double rootdisp_s;
	char refid[WIRE_MODE6_REFID_MAX];
	uint64_t reftime; /* NTP 32.32 */
	uint64_t rec;     /* NTP 32.32: when the last packet arrived (local clock) */
	uint64_t xmt;     /* NTP 32.32: the peer's transmit time (NTPsec only) */
	double xleave_s;  /* interleave delay (ntpd 4.2.8 only) */
	unsigned reach;   /* 8-bit register; ntpq shows it in octal */
	int unreach;
	int hmode;
	int pmode;
	int hpoll;      /* log2 s */
	int ppoll;      /* log2 s */
	unsigned flash; /* failed tests, wire_mode6_flash_name */
	double offset_s;
	double delay_s;
	double jitter_s;
	double dispersion_s;
	double filtdelay_s[WIRE_MODE6_FILTER_STAGES]; /* newest first */
	double filtoffset_s[WIRE_MODE6_FILTER_STAGES];
	double filtdisp_s[WIRE_MODE6_FILTER_STAGES];
	bool has_filter_junk; /* NTPsec 1.2.2 sent bytes before a filter register (see above) */
};

/* Fill out from a parsed list, by a table that knows both ntpd 4.2.8 and NTPsec names (and the
 * older ntpd spellings rootdispersion, filterror; tc was poll, sys_jitter jitter, clk_jitter
 * noise, clk_wander stability). A bad value or a repeated name is reported in problems (may be
 * NULL) and skipped; unknown names are reported as WIRE_MODE6_UNKNOWN_VAR. Returns
 * WIRE_MODE6_OK, or the first bad value's status (unknown names do not count). */
enum wire_mode6_status wire_mode6_decode_sys_vars(const struct mode6_varlist *l,
    struct mode6_sys_vars *out, struct mode6_problems *problems);
enum wire_mode6_status wire_mode6_decode_peer_vars(const struct mode6_varlist *l,
    struct mode6_peer_vars *out, struct mode6_problems *problems);

#endif
