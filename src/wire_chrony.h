/* wire_chrony.h: chronyd's command and monitoring protocol (cmdmon), protocol version 6, as
 * chrony 4.3 (Debian 12) speaks it, plus the reply variants of 3.x and 4.4-4.8 (PROTOCOLS.md §3).
 * Written from the protocol description and from packets captured from chronyd 4.3; no chrony
 * code is used (chrony is GPL).
 *
 * Request (20-octet header, then command data, then zeros):
 *   0 version = 6 | 1 pkt_type = 1 | 2 res1 = 0 | 3 res2 = 0 | 4 command u16 | 6 attempt u16 |
 *   8 sequence u32 | 12 pad u32 | 16 pad u32 | 20 data | zero padding
 * chronyd sends no reply longer than the request (anti-amplification), so every request is
 * padded to the longest reply its command has in any known chronyd version.
 *
 * Reply (28-octet header, then the report, exactly as long as its reply code defines):
 *   0 version | 1 pkt_type = 2 | 2 res1 | 3 res2 | 4 command u16 (echo) | 6 reply u16 (layout) |
 *   8 status u16 | 10 pad u16 x3 | 16 sequence u32 (echo) | 20 pad u32 x2 | 28 report
 *
 * Encodings: integers big-endian. Float: 32 bits, a 7-bit signed exponent above a 25-bit
 * two's-complement coefficient, value = coefficient * 2^(exponent - 25). Address: 16 octets
 * of address, u16 family, u16 padding. Timespec: u32 seconds high, u32 seconds low, u32 ns.
 *
 * Sign conventions (PROTOCOLS.md §3.8) are in the field names: `_local_minus_src_s` fields keep
 * chrony's sign (positive: the local clock is ahead of the source, as chronyc prints them); the
 * decoder adds the RFC 5905 sign as plain `offset_s` fields (positive: the source is ahead).
 *
 * Pure: no I/O, no clock reads; decoding reads only the bytes given, through struct rd. */
#ifndef CLOCKWATCH_WIRE_CHRONY_H
#define CLOCKWATCH_WIRE_CHRONY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_CHRONY_PROTO_VERSION 6
#define WIRE_CHRONY_REQ_HEADER_LEN 20
#define WIRE_CHRONY_REPLY_HEADER_LEN 28
/* The longest padded request and the longest reply we build or expect (NTP_SOURCE_NAME). A
 * receive buffer should be larger, so that an oversized reply is seen as one. */
#define WIRE_CHRONY_MAX_REQ_LEN 284
#define WIRE_CHRONY_MAX_REPLY_LEN 284
/* N_SOURCES counts above this are taken as corrupt: each source costs a request per report,
 * and no real configuration comes near it. */
#define WIRE_CHRONY_MAX_SOURCES 4096
/* since_sample_s / last_sample_ago_s of a source that has no sample yet. */
#define WIRE_CHRONY_NEVER UINT32_MAX
/* A server statistics counter the reply's layout does not carry. */
#define WIRE_CHRONY_ABSENT UINT64_MAX

/* Request codes (REQ_*) this codec builds. */
enum wire_chrony_command {
	WIRE_CHRONY_REQ_N_SOURCES = 14,
	WIRE_CHRONY_REQ_SOURCE_DATA = 15,
	WIRE_CHRONY_REQ_TRACKING = 33,
	WIRE_CHRONY_REQ_SOURCESTATS = 34,
	WIRE_CHRONY_REQ_ACTIVITY = 44,
	WIRE_CHRONY_REQ_SERVER_STATS = 54,
	WIRE_CHRONY_REQ_NTP_DATA = 57,
	WIRE_CHRONY_REQ_NTP_SOURCE_NAME = 65,
	WIRE_CHRONY_REQ_SELECT_DATA = 69,
};

/* Reply codes (RPY_*): each names one report layout of fixed length. */
enum wire_chrony_reply_code {
	WIRE_CHRONY_RPY_NULL = 1, /* header only: errors, and commands without a report */
	WIRE_CHRONY_RPY_N_SOURCES = 2,
	WIRE_CHRONY_RPY_SOURCE_DATA = 3,
	WIRE_CHRONY_RPY_TRACKING = 5,
	WIRE_CHRONY_RPY_SOURCESTATS = 6,
	WIRE_CHRONY_RPY_ACTIVITY = 12,
	WIRE_CHRONY_RPY_SERVER_STATS = 14, /* 2.3-3.x */
	WIRE_CHRONY_RPY_NTP_DATA = 16,     /* 3.0-4.5 */
	WIRE_CHRONY_RPY_NTP_SOURCE_NAME = 19,
	WIRE_CHRONY_RPY_SERVER_STATS2 = 22, /* 4.0-4.1 */
	WIRE_CHRONY_RPY_SELECT_DATA = 23,
	WIRE_CHRONY_RPY_SERVER_STATS3 = 24, /* 4.2-4.3 */
	WIRE_CHRONY_RPY_SERVER_STATS4 = 25, /* 4.4 and later */
	WIRE_CHRONY_RPY_NTP_DATA2 = 26,     /* 4.6 and later */
};

/* Status codes (STT_*) chronyd puts in a reply; wire_chrony_stt_name/_meaning describe them. */
enum wire_chrony_stt {
	WIRE_CHRONY_STT_SUCCESS = 0,
	WIRE_CHRONY_STT_FAILED = 1,
	WIRE_CHRONY_STT_UNAUTH = 2,
	WIRE_CHRONY_STT_INVALID = 3,
	WIRE_CHRONY_STT_NOSUCHSOURCE = 4,
	WIRE_CHRONY_STT_INVALIDTS = 5,
	WIRE_CHRONY_STT_NOTENABLED = 6,
	WIRE_CHRONY_STT_BADSUBNET = 7,
	WIRE_CHRONY_STT_ACCESSALLOWED = 8,
	WIRE_CHRONY_STT_ACCESSDENIED = 9,
	WIRE_CHRONY_STT_NOHOSTACCESS = 10,
	WIRE_CHRONY_STT_SOURCEALREADYKNOWN = 11,
	WIRE_CHRONY_STT_TOOMANYSOURCES = 12,
	WIRE_CHRONY_STT_NORTC = 13,
	WIRE_CHRONY_STT_BADRTCFILE = 14,
	WIRE_CHRONY_STT_INACTIVE = 15,
	WIRE_CHRONY_STT_BADSAMPLE = 16,
	WIRE_CHRONY_STT_INVALIDAF = 17,
	WIRE_CHRONY_STT_BADPKTVERSION = 18,
	WIRE_CHRONY_STT_BADPKTLENGTH = 19,
	WIRE_CHRONY_STT_INVALIDNAME = 21,
};

/* What wire_chrony_encode and wire_chrony_decode report. */
enum wire_chrony_status {
	WIRE_CHRONY_OK = 0,
	/* Not a valid answer to the request: drop it (a forged, stale or broken datagram). */
	WIRE_CHRONY_TRUNCATED,   /* shorter than the header or than its reply code's layout */
	WIRE_CHRONY_BAD_LENGTH,  /* longer than its reply code's layout */
	WIRE_CHRONY_BAD_VERSION, /* protocol version is not 6 */
	WIRE_CHRONY_BAD_TYPE,    /* not a reply: pkt_type is not 2, or res1/res2 are not 0 */
	WIRE_CHRONY_BAD_COMMAND, /* echoes another command than the one asked */
	WIRE_CHRONY_SEQUENCE,    /* echoes another sequence number than the one sent */
	WIRE_CHRONY_BAD_REPLY,   /* reply code unknown, or not one that answers this command */
	WIRE_CHRONY_BAD_FIELD,   /* a field holds a value the protocol does not define */
	/* A well-formed reply whose status is not SUCCESS: chronyd refused or failed. These stay
	 * one contiguous range, WIRE_CHRONY_UNAUTH .. WIRE_CHRONY_FAILED. */
	WIRE_CHRONY_UNAUTH,          /* STT_UNAUTH: not open over UDP, needs the Unix socket */
	WIRE_CHRONY_NO_SUCH_SOURCE,  /* STT_NOSUCHSOURCE: index or address not known */
	WIRE_CHRONY_INVALID,         /* STT_INVALID: this chronyd does not know the command */
	WIRE_CHRONY_BAD_PKT_LENGTH,  /* STT_BADPKTLENGTH: our request was shorter than its reply */
	WIRE_CHRONY_BAD_PKT_VERSION, /* STT_BADPKTVERSION: chronyd speaks another version */
	WIRE_CHRONY_FAILED,          /* any other status: see reply->status, wire_chrony_stt_name */
	/* Encoding. */
	WIRE_CHRONY_UNKNOWN_COMMAND, /* a command this codec does not build */
	WIRE_CHRONY_NO_SPACE,        /* the output buffer is shorter than the padded request */
};

enum wire_chrony_family {
	WIRE_CHRONY_AF_UNSPEC = 0,
	WIRE_CHRONY_AF_INET4 = 1,
	WIRE_CHRONY_AF_INET6 = 2,
	WIRE_CHRONY_AF_ID = 3, /* a source whose name is not resolved yet: bytes 0..3 are an id */
};

/* SOURCE_DATA mode and state (names of 4.0; the numbers never changed). */
enum wire_chrony_src_mode {
	WIRE_CHRONY_MODE_CLIENT = 0,   /* '^' server */
	WIRE_CHRONY_MODE_PEER = 1,     /* '=' symmetric peer */
	WIRE_CHRONY_MODE_REFCLOCK = 2, /* '#' reference clock */
};
enum wire_chrony_src_state {
	WIRE_CHRONY_STATE_SELECTED = 0,      /* '*' synchronising to it */
	WIRE_CHRONY_STATE_NONSELECTABLE = 1, /* '?' unusable: unreachable, too few samples... */
	WIRE_CHRONY_STATE_FALSETICKER = 2,   /* 'x' disagrees with the majority */
	WIRE_CHRONY_STATE_JITTERY = 3,       /* '~' too variable */
	WIRE_CHRONY_STATE_UNSELECTED = 4,    /* '+' combined with the selected one */
	WIRE_CHRONY_STATE_SELECTABLE = 5,    /* '-' usable, not combined */
};

/* Leap status of TRACKING, NTP_DATA and SELECT_DATA (as in NTP's LI field). */
enum wire_chrony_leap {
	WIRE_CHRONY_LEAP_NORMAL = 0,
	WIRE_CHRONY_LEAP_INSERT = 1,
	WIRE_CHRONY_LEAP_DELETE = 2,
	WIRE_CHRONY_LEAP_UNSYNC = 3,
};

/* SELECT_DATA option bits (and SOURCE_DATA flags before 4.0). */
#define WIRE_CHRONY_OPT_NOSELECT 0x1
#define WIRE_CHRONY_OPT_PREFER 0x2
#define WIRE_CHRONY_OPT_TRUST 0x4
#define WIRE_CHRONY_OPT_REQUIRE 0x8

/* NTP_DATA flags: bits 0-9 are chrony's per-packet tests (set = passed, chrony's sense; bit 9 is
 * test1 ... bit 0 testD, see wire_chrony_test_name), then two mode bits. */
#define WIRE_CHRONY_NTP_TESTS_MASK 0x3ff
#define WIRE_CHRONY_NTP_INTERLEAVED 0x4000
#define WIRE_CHRONY_NTP_AUTHENTICATED 0x8000
#define WIRE_CHRONY_NTP_N_TESTS 10

struct chrony_addr {
	uint16_t family;   /* enum wire_chrony_family */
	uint8_t bytes[16]; /* IPv4: bytes 0..3 in network order; IPv6: all 16; ID: 0..3 */
};

/* What to send. Fields a command does not use are ignored. */
struct chrony_request {
	uint16_t command;        /* enum wire_chrony_command */
	uint16_t attempt;        /* 0 on the first transmission, +1 on each retry */
	uint32_t sequence;       /* echoed in the reply; pick a fresh random one per attempt */
	uint32_t index;          /* SOURCE_DATA, SOURCESTATS, SELECT_DATA: 0 .. n_sources-1 */
	struct chrony_addr addr; /* NTP_DATA, NTP_SOURCE_NAME: the source's address */
};

/* SOURCE_DATA: one row of `chronyc sources`. */
struct chrony_source_data {
	struct chrony_addr addr; /* a reference clock has family IPv4 holding its refid */
	uint32_t refid;          /* reference clocks only (mode 2): the refid; 0 otherwise */
	int16_t poll_log2;       /* polling interval, log2 s */
	uint16_t stratum;
	uint16_t state;          /* enum wire_chrony_src_state */
	uint16_t mode;           /* enum wire_chrony_src_mode */
	uint16_t flags;          /* 0 since 4.0; before: WIRE_CHRONY_OPT_* */
	uint16_t reach;          /* 8-bit reachability register (chronyc prints it in octal) */
	uint32_t since_sample_s; /* age of the last good sample; WIRE_CHRONY_NEVER: none */
	/* chronyc "Last sample": local minus source, i.e. + = local clock ahead; the first one
	 * corrected for slews since, the second as measured (in brackets in chronyc). */
	double last_sample_local_minus_src_s;
	double last_sample_orig_local_minus_src_s;
	double last_sample_err_s; /* +/- bound: root delay / 2 + root dispersion of the sample */
	double offset_s; /* RFC 5905 sign, + = source ahead: -last_sample_local_minus_src_s */
};

/* TRACKING: `chronyc tracking`. */
struct chrony_tracking {
	uint32_t refid;            /* 0x7f7f0101: local reference; 0: none */
	struct chrony_addr addr;   /* the selected source; family UNSPEC for a refclock or local */
	uint16_t stratum;          /* 0 when not synchronised */
	uint16_t leap;             /* enum wire_chrony_leap */
	uint64_t ref_time_s;       /* last clock update, UTC since the Unix epoch; 0: never */
	uint32_t ref_time_frac_ns; /* nanoseconds within ref_time_s */
	/* NTP time minus system time ("System time"): + = the system clock is behind (chronyc
	 * "slow"); this is the RFC 5905 sign. */
	double current_correction_s;
	double last_offset_local_minus_ref_s; /* chrony sign: + = local clock was ahead */
	double last_offset_s;                 /* RFC 5905 sign: -last_offset_local_minus_ref_s */
	double rms_offset_s;
	double freq_ppm; /* + = the uncorrected clock runs fast (chronyc "fast"); kernel
	                  * timex.freq has the opposite sign */
	double resid_freq_ppm;
	double skew_ppm;
	double root_delay_s;
	double root_dispersion_s;
	double last_update_interval_s;
};

/* SOURCESTATS: one row of `chronyc sourcestats`. */
struct chrony_sourcestats {
	uint32_t refid;
	struct chrony_addr addr; /* family UNSPEC for a reference clock: name it by refid */
	uint32_t n_samples;      /* NP */
	uint32_t n_runs;         /* NR */
	uint32_t span_s;
	double sd_s; /* "Std Dev" */
	double resid_freq_ppm;
	double skew_ppm;
	double est_offset_local_minus_src_s; /* "Offset", chrony sign: + = local ahead */
	double est_offset_s;                 /* RFC 5905 sign: -est_offset_local_minus_src_s */
	double est_offset_err_s;
};

/* ACTIVITY: how many sources are in each state. */
struct chrony_activity {
	uint32_t online;
	uint32_t offline;
	uint32_t burst_online;
	uint32_t burst_offline;
	uint32_t unresolved;
};

/* NTP_DATA: `chronyc ntpdata`, the last valid NTP packet of a server or peer. */
struct chrony_ntp_data {
	struct chrony_addr remote_addr;
	struct chrony_addr local_addr;
	uint16_t remote_port;
	uint8_t leap;    /* from the packet, enum wire_chrony_leap */
	uint8_t version; /* NTP version of the packet */
	uint8_t mode;    /* NTP mode of the packet (4: server) */
	uint8_t stratum;
	int8_t poll_log2;
	int8_t precision_log2;
	double root_delay_s;
	double root_dispersion_s;
	uint32_t refid;
	uint64_t ref_time_s; /* the packet's reference time, UTC since the Unix epoch */
	uint32_t ref_time_frac_ns;
	double offset_s; /* RFC 5905 sign, + = server ahead of us: chrony sends it this way here */
	double peer_delay_s;
	double peer_dispersion_s;
	double response_time_s;  /* server's T3 - T2 */
	double jitter_asymmetry; /* ratio, -0.5 .. +0.5 */
	uint16_t flags;          /* raw: tests, WIRE_CHRONY_NTP_INTERLEAVED, _AUTHENTICATED */
	uint16_t tests;          /* flags & WIRE_CHRONY_NTP_TESTS_MASK: bit set = test passed */
	bool interleaved;
	bool authenticated;
	char tx_tss_char; /* transmit timestamp source: 'D' daemon, 'K' kernel, 'H' hardware */
	char rx_tss_char;
	uint32_t total_tx_count;
	uint32_t total_rx_count;
	uint32_t total_valid_count;
	bool has_good_count; /* 4.3+; older chronyd leaves 0xffffffff there */
	uint32_t total_good_count;
	bool has_ts_counts; /* NTP_DATA2 (4.6+) only */
	uint32_t total_kernel_tx_ts;
	uint32_t total_kernel_rx_ts;
	uint32_t total_hw_tx_ts;
	uint32_t total_hw_rx_ts;
};

/* SERVER_STATS in any of its four layouts; counters a layout lacks are WIRE_CHRONY_ABSENT. */
struct chrony_server_stats {
	uint64_t ntp_hits;
	uint64_t nke_hits;
	uint64_t cmd_hits;
	uint64_t ntp_drops;
	uint64_t nke_drops;
	uint64_t cmd_drops;
	uint64_t log_drops;
	uint64_t ntp_auth_hits;
	uint64_t ntp_interleaved_hits;
	uint64_t ntp_timestamps;
	uint64_t ntp_span_s;
	uint64_t ntp_daemon_rx_timestamps;
	uint64_t ntp_daemon_tx_timestamps;
	uint64_t ntp_kernel_rx_timestamps;
	uint64_t ntp_kernel_tx_timestamps;
	uint64_t ntp_hw_rx_timestamps;
	uint64_t ntp_hw_tx_timestamps;
};

/* SELECT_DATA: one row of `chronyc selectdata`. */
struct chrony_select_data {
	uint32_t refid;
	struct chrony_addr addr;
	char state_char; /* printable ASCII, see wire_chrony_select_state_meaning */
	bool authenticated;
	uint8_t leap;
	uint16_t conf_options; /* WIRE_CHRONY_OPT_*, as configured */
	uint16_t eff_options;  /* WIRE_CHRONY_OPT_*, in effect */
	uint32_t last_sample_ago_s;
	double score;
	/* The interval selection used for this source, chrony sign (+ = local ahead). */
	double lo_limit_local_minus_src_s;
	double hi_limit_local_minus_src_s;
};

/* A decoded reply. The header fields are filled whenever the header could be read, also on
 * errors, so a caller can say what came back; the report member matching `reply_code` is
 * valid only on WIRE_CHRONY_OK. */
struct chrony_reply {
	uint8_t version;
	uint8_t pkt_type;
	uint16_t command;
	uint16_t reply_code; /* enum wire_chrony_reply_code */
	uint16_t status;     /* enum wire_chrony_stt */
	uint32_t sequence;
	union {
		uint32_t n_sources;
		struct chrony_source_data source;
		struct chrony_tracking tracking;
		struct chrony_sourcestats sourcestats;
		struct chrony_activity activity;
		struct chrony_ntp_data ntp;
		struct chrony_server_stats server;
		struct chrony_select_data select;
		char source_name[257]; /* as configured, NUL-terminated; bytes not checked */
	} u;
};

/* Where a decode failed: the byte offset of the offending field and, for the header checks and
 * lengths, what was found and what was wanted (lengths in octets). */
struct chrony_error {
	size_t offset;
	uint32_t got;
	uint32_t want;
};

/* Builds the request, zero-padded; *len is its length. */
enum wire_chrony_status
wire_chrony_encode(const struct chrony_request *req, uint8_t *out, size_t cap, size_t *len);
/* The padded length of a command's request; 0 for a command this codec does not build. */
size_t wire_chrony_request_len(uint16_t command);

/* Decodes and validates a reply to the request (command, sequence). err may be NULL. */
enum wire_chrony_status wire_chrony_decode(const void *data, size_t len, uint16_t command,
    uint32_t sequence, struct chrony_reply *out, struct chrony_error *err);
const char *wire_chrony_strerror(enum wire_chrony_status st);

/* STT_* names as in chrony ("UNAUTH") and what they mean to a client; "unknown" otherwise. */
const char *wire_chrony_stt_name(uint16_t stt);
const char *wire_chrony_stt_meaning(uint16_t stt);
/* Names of commands and reply codes, for messages; "unknown" otherwise. */
const char *wire_chrony_command_name(uint16_t command);
const char *wire_chrony_reply_name(uint16_t reply_code);

/* chrony's 32-bit float: decoding is exact (every value is a double); encoding rounds to the
 * nearest, saturates beyond the range and sends NaN as 0, as chronyd does. */
double wire_chrony_float_decode(uint32_t w);
uint32_t wire_chrony_float_encode(double x);

/* Tally characters as chronyc's sources shows them: mode '^' '=' '#', state '*' '?' 'x' '~'
 * '+' '-'; ' ' for values the protocol does not define. */
char wire_chrony_mode_char(uint16_t mode);
char wire_chrony_state_char(uint16_t state);
const char *wire_chrony_state_name(uint16_t state); /* "selected", ..., "unknown" */
const char *wire_chrony_leap_name(unsigned leap);   /* "normal", ..., "unsynchronised" */
/* What a SELECT_DATA state character means ("best", "falseticker", ...); "unknown" else. */
const char *wire_chrony_select_state_meaning(char c);

/* NTP_DATA tests by bit index 0..9 (bit 9 is test1, bit 0 testD): short name ("test1") and
 * what passing means; NULL past the end. */
const char *wire_chrony_test_name(unsigned bit);
const char *wire_chrony_test_meaning(unsigned bit);
/* The names of the failed tests, comma-separated ("test3,testA"); "" when all passed. */
char *wire_chrony_format_failed_tests(uint16_t tests, char *buf, size_t len);

/* Address text: dotted IPv4, RFC 5952 IPv6, "ID#0000000001", "[UNSPEC]"; "?" for a family the
 * protocol does not define. buf needs 46 bytes for any IPv6 address. */
char *wire_chrony_format_addr(const struct chrony_addr *a, char *buf, size_t len);
/* The refid as chronyc prints it as a name: its printable characters ("SOC0", "GPS"). */
char *wire_chrony_format_refid(uint32_t refid, char *buf, size_t len);
/* A source's name as chronyc -n shows it: the refid text when a is NULL or of family UNSPEC
 * (reference clocks, local), else the address. */
char *wire_chrony_format_name(const struct chrony_addr *a, uint32_t refid, char *buf, size_t len);

#endif
