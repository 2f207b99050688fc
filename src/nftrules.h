/* nftrules.h: which rules of an nftables ruleset drop or reject UDP packets to or from one port
 * (NTP's 123), read from the JSON that `nft -j list ruleset` and libnftables print (schema 1,
 * nftables 0.9-1.0). A rule counts when it ends in drop or reject (or a verdict map sends the
 * port there) and its conditions can hold for such a packet: a port given literally, in an
 * anonymous or named set, or in a range, on udp or th (any transport), source or destination;
 * "!=" and comparisons are taken as written. A chain whose policy drops, and a rule that drops
 * everything, count when no rule before them could accept the packet. Rules made by iptables-nft
 * are in the same ruleset; legacy iptables is not. Pure: text in, findings out, via jansson. */
#ifndef CLOCKWATCH_NFTRULES_H
#define CLOCKWATCH_NFTRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NFTRULES_MAX_INPUT (64u << 20) /* larger rulesets are refused */
#define NFTRULES_MAX_HITS 16           /* findings kept; all are counted */
#define NFTRULES_NAME_MAX 64
#define NFTRULES_TEXT_MAX 240

enum nftrules_status {
	NFTRULES_OK = 0,
	NFTRULES_BAD_JSON,    /* not JSON */
	NFTRULES_NOT_RULESET, /* JSON, but no "nftables" array */
	NFTRULES_TOO_BIG,     /* over NFTRULES_MAX_INPUT */
};

struct nftrules_hit {
	char family[16];
	char table[NFTRULES_NAME_MAX];
	char chain[NFTRULES_NAME_MAX];
	char hook[16];   /* the chain's hook ("input", "output", ...); "" for a chain jumped to */
	int64_t handle;  /* the rule's handle; -1 for a chain policy */
	char verdict[8]; /* "drop" or "reject" */
	char text[NFTRULES_TEXT_MAX]; /* the rule as nft writes it, as far as it is understood */
	int64_t packets;              /* its counter; -1 without one */
	bool is_policy;  /* the chain's policy (or a rule that drops all) and nothing accepts NTP */
	bool is_partial; /* other conditions (addresses, interfaces...): only some such packets */
};

struct nftrules_result {
	size_t n_tables, n_chains, n_rules;
	struct nftrules_hit hits[NFTRULES_MAX_HITS];
	size_t n_hits;  /* kept */
	size_t n_found; /* counted */
	char error[160];
};

/* Scans the ruleset text (len bytes, need not be NUL-terminated) for rules that drop UDP
 * packets of port. out is always initialised; on an error out->error says what. */
enum nftrules_status
nftrules_scan(const char *json, size_t len, unsigned port, struct nftrules_result *out);
const char *nftrules_strerror(enum nftrules_status st);

#endif
