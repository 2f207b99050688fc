/* nftrules.c: each chain's rules are judged in order against one imagined packet: UDP, to or from
 * the port. A condition says yes (the packet meets it), no (it cannot), or maybe (addresses,
 * interfaces, connection state: not judged). A drop or reject rule with a yes on the port or on
 * UDP and no "no" is a finding; one with maybes is a partial one. An accept (or a jump, whose
 * target is not followed) that the packet may meet ends the search for a blanket drop: after
 * it, the policy of the chain no longer decides alone. */
#include "config.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "nftrules.h"

#define UDP_PROTO 17
#define MAX_DEPTH 6     /* sets in sets: nft has none, hostile input might */
#define MAX_CHAINS 4096 /* chains whose rules are judged */
#define MAX_SET_ELEMS 65536

enum verdict { V_NONE, V_ACCEPT, V_DROP, V_REJECT, V_JUMP };
enum cond { C_YES, C_NO, C_MAYBE };

struct scan {
	json_t *items; /* the "nftables" array */
	unsigned port;
	struct nftrules_result *out;
};

struct chain {
	const char *family, *table, *name, *hook, *policy;
};

/* One rule, judged. */
struct eval {
	const struct scan *sc;
	const struct chain *ch;
	bool port;     /* a port condition holds */
	bool udp;      /* a condition requires UDP (and holds) */
	bool excluded; /* a condition cannot hold */
	bool partial;  /* conditions not judged */
	bool conds;    /* the rule has conditions at all */
	enum verdict v;
	int64_t packets;
	char text[NFTRULES_TEXT_MAX];
	size_t tlen;
};

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void CW_PRINTF(2, 3) say(struct eval *e, const char *fmt, ...)
{
	va_list ap;
	size_t cap = sizeof(e->text);

	if (e->tlen + 2 >= cap)
		return;
	if (e->tlen)
		e->text[e->tlen++] = ' ';
	va_start(ap, fmt);
	int n = vsnprintf(e->text + e->tlen, cap - e->tlen, fmt, ap);
	va_end(ap);
	if (n > 0)
		e->tlen = CW_MIN(e->tlen + (size_t)n, cap - 1);
	e->text[e->tlen] = '\0';
}

/* A value as nft writes it: 123, 100-200, { 123, 323 }, @set, 10.0.0.0/8. */
static void
value_text(json_t *v, char *buf, size_t len, int depth)
{
	json_t *x;

	buf[0] = '\0';
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	} else if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
	} else if ((x = json_object_get(v, "range")) && json_array_size(x) == 2 && depth < 2) {
		char a[32], b[32];
		value_text(json_array_get(x, 0), a, sizeof(a), depth + 1);
		value_text(json_array_get(x, 1), b, sizeof(b), depth + 1);
		snprintf(buf, len, "%s-%s", a, b);
	} else if ((x = json_object_get(v, "prefix"))) {
		snprintf(buf, len, "%s/%lld", str(x, "addr"),
		    (long long)json_integer_value(json_object_get(x, "len")));
	} else if (((x = json_object_get(v, "set")) || (x = v)) && json_is_array(x) && depth < 2) {
		size_t o = (size_t)snprintf(buf, len, "{ ");
		for (size_t i = 0; i < json_array_size(x) && o < len; i++) {
			char one[48];
			value_text(json_array_get(x, i), one, sizeof(one), depth + 1);
			o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", one);
		}
		if (o < len)
			snprintf(buf + o, len - o, " }");
	} else {
		snprintf(buf, len, "?");
	}
}

/* The elements of the named set or map "@name" in the rule's table, or NULL. */
static json_t *
set_elems(const struct eval *e, const char *ref)
{
	json_t *it;
	size_t i;

	json_array_foreach(e->sc->items, i, it)
	{
		json_t *s = json_object_get(it, "set");
		if (!s)
			s = json_object_get(it, "map");
		if (s && !strcmp(str(s, "name"), ref + 1) &&
		    !strcmp(str(s, "table"), e->ch->table) &&
		    !strcmp(str(s, "family"), e->ch->family))
			return json_object_get(s, "elem");
	}
	return NULL;
}

/* Does the value hold the number want (or the word name)? 1 yes, 0 no, -1 cannot tell. */
static int
value_has(const struct eval *e, json_t *v, long long want, const char *name, int depth)
{
	json_t *x;

	if (depth > MAX_DEPTH)
		return -1;
	if (json_is_integer(v))
		return json_integer_value(v) == want;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		if (s[0] == '@')
			return (x = set_elems(e, s)) ? value_has(e, x, want, name, depth + 1) : -1;
		long long n = strtoll(s, &end, 10);
		if (end != s && !*end)
			return n == want;
		return name ? !strcmp(s, name) : -1;
	}
	if ((x = json_object_get(v, "range")) && json_array_size(x) == 2) {
		json_t *lo = json_array_get(x, 0), *hi = json_array_get(x, 1);
		if (!json_is_integer(lo) || !json_is_integer(hi))
			return -1;
		return json_integer_value(lo) <= want && want <= json_integer_value(hi);
	}
	if ((x = json_object_get(v, "elem")))
		return value_has(e, json_object_get(x, "val"), want, name, depth + 1);
	if ((x = json_object_get(v, "set")))
		v = x;
	if (!json_is_array(v))
		return -1;
	int r = 0;
	for (size_t i = 0; i < json_array_size(v) && i < MAX_SET_ELEMS; i++) {
		json_t *el = json_array_get(v, i);
		int h = value_has(e, json_is_array(el) ? json_array_get(el, 0) : el, want, name,
		    depth + 1); /* a map's element is [key, value] */
		if (h == 1)
			return 1;
		if (h < 0)
			r = -1;
	}
	return r;
}

/* A condition "left OP right" where has says whether right holds the packet's value. */
static enum cond
compare(const char *op, int has, json_t *right, long long want)
{
	long long r = json_integer_value(right);

	if (!strcmp(op, "==") || !strcmp(op, "in"))
		return has == 1 ? C_YES : has == 0 ? C_NO : C_MAYBE;
	if (!strcmp(op, "!="))
		return has == 1 ? C_NO : has == 0 ? C_YES : C_MAYBE;
	if (!json_is_integer(right))
		return C_MAYBE;
	bool holds = !strcmp(op, "<") ? want < r
	    : !strcmp(op, ">")        ? want > r
	    : !strcmp(op, "<=")       ? want <= r
	    : !strcmp(op, ">=")       ? want >= r
	                              : false;
	return holds ? C_YES : C_NO;
}

static bool
is_other_l4(const char *proto)
{
	static const char *const l4[] = {"tcp", "sctp", "dccp", "udplite", "icmp", "icmpv6", "ah",
	    "esp", "comp", "igmp", "gre"};

	for (size_t i = 0; i < CW_ARRAY_LEN(l4); i++)
		if (!strcmp(proto, l4[i]))
			return true;
	return false;
}

/* What "match" says about our packet; also writes it into the rule's text. */
static enum cond
judge_match(struct eval *e, json_t *m)
{
	const char *op = json_string_value(json_object_get(m, "op"));
	json_t *left = json_object_get(m, "left"), *right = json_object_get(m, "right"), *p;
	char val[96];

	op = op ? op : "==";
	value_text(right, val, sizeof(val), 0);
	if ((p = json_object_get(left, "payload"))) {
		const char *proto = str(p, "protocol"), *field = str(p, "field");
		say(e, "%s %s%s%s %s", proto, field, strcmp(op, "==") ? " " : "",
		    strcmp(op, "==") ? op : "", val);
		bool port_field = !strcmp(field, "sport") || !strcmp(field, "dport");
		if ((!strcmp(proto, "udp") || !strcmp(proto, "th")) && port_field) {
			e->udp |= !strcmp(proto, "udp");
			enum cond c = compare(op, value_has(e, right, e->sc->port, NULL, 0), right,
			    e->sc->port);
			e->port |= c == C_YES;
			return c;
		}
		if (!strcmp(proto, "udp"))
			return C_MAYBE;
		if (is_other_l4(proto))
			return C_NO;
		if ((!strcmp(proto, "ip") && !strcmp(field, "protocol")) ||
		    (!strcmp(proto, "ip6") && !strcmp(field, "nexthdr")))
			goto l4proto;
		return C_MAYBE;
	}
	if ((p = json_object_get(left, "meta"))) {
		say(e, "meta %s%s%s %s", str(p, "key"), strcmp(op, "==") ? " " : "",
		    strcmp(op, "==") ? op : "", val);
		if (!strcmp(str(p, "key"), "l4proto"))
			goto l4proto;
		return C_MAYBE;
	}
	if ((p = json_object_get(left, "ct")))
		say(e, "ct %s %s", str(p, "key"), val);
	else
		say(e, "match %s", val);
	return C_MAYBE;
l4proto:;
	enum cond c = compare(op, value_has(e, right, UDP_PROTO, "udp", 0), right, UDP_PROTO);
	e->udp |= c == C_YES;
	return c;
}

static enum verdict
verdict_of(json_t *x)
{
	json_t *xt = json_object_get(x, "xt");

	/* iptables-nft keeps what nft cannot express as "xt" matches and targets */
	if (xt && !strcmp(str(xt, "type"), "target"))
		return !strcmp(str(xt, "name"), "REJECT") ? V_REJECT
		    : !strcmp(str(xt, "name"), "DROP")    ? V_DROP
		    : !strcmp(str(xt, "name"), "ACCEPT")  ? V_ACCEPT
		                                          : V_NONE;
	if (json_object_get(x, "drop"))
		return V_DROP;
	if (json_object_get(x, "reject"))
		return V_REJECT;
	if (json_object_get(x, "accept"))
		return V_ACCEPT;
	if (json_object_get(x, "jump") || json_object_get(x, "goto") || json_object_get(x, "queue"))
		return V_JUMP;
	return V_NONE;
}

static const char *
verdict_name(enum verdict v)
{
	static const char *const names[] = {"", "accept", "drop", "reject", "jump"};
	return names[v];
}

/* "udp dport vmap { 123 : drop }": the verdict the map gives our packet. */
static void
judge_vmap(struct eval *e, json_t *vm)
{
	json_t *key = json_object_get(vm, "key"), *data = json_object_get(vm, "data"), *p, *el;
	const char *ref = json_string_value(data);
	size_t i;

	e->conds = true;
	if (ref && ref[0] == '@')
		data = set_elems(e, ref);
	else
		data = json_object_get(data, "set");
	p = json_object_get(key, "payload");
	bool port_key = p &&
	    (!strcmp(str(p, "protocol"), "udp") || !strcmp(str(p, "protocol"), "th")) &&
	    (!strcmp(str(p, "field"), "dport") || !strcmp(str(p, "field"), "sport"));
	if (!port_key) {
		say(e, "vmap");
		e->partial = true;
		return;
	}
	json_array_foreach(data, i, el)
	{
		if (i >= MAX_SET_ELEMS)
			break;
		json_t *k = json_array_get(el, 0);
		if (value_has(e, k, e->sc->port, NULL, 0) != 1)
			continue;
		char val[48];
		value_text(k, val, sizeof(val), 0);
		e->v = verdict_of(json_array_get(el, 1));
		e->port = true;
		e->udp |= !strcmp(str(p, "protocol"), "udp");
		say(e, "%s %s %s : %s (vmap)", str(p, "protocol"), str(p, "field"), val,
		    verdict_name(e->v));
		return;
	}
	say(e, "%s %s vmap", str(p, "protocol"), str(p, "field"));
	e->excluded = true; /* the map has no verdict for our port */
}

static void
judge_rule(struct eval *e, json_t *rule)
{
	json_t *x, *v;
	size_t i;

	json_array_foreach(json_object_get(rule, "expr"), i, x)
	{
		if ((v = json_object_get(x, "match"))) {
			e->conds = true;
			enum cond c = judge_match(e, v);
			e->excluded |= c == C_NO;
			e->partial |= c == C_MAYBE;
		} else if ((v = json_object_get(x, "vmap"))) {
			judge_vmap(e, v);
		} else if ((v = json_object_get(x, "counter"))) {
			json_t *pk = json_object_get(v, "packets");
			e->packets = json_is_integer(pk) ? json_integer_value(pk) : e->packets;
			if (json_is_integer(pk))
				say(e, "counter packets %lld", (long long)e->packets);
		} else if (verdict_of(x) != V_NONE) {
			e->v = verdict_of(x);
			say(e, "%s", verdict_name(e->v));
			break; /* a verdict ends the rule */
		} else if ((v = json_object_get(x, "xt"))) {
			e->conds = e->partial = true; /* an iptables match not translated */
			say(e, "xt %s %s", str(v, "type"), str(v, "name"));
		} else if (json_is_object(x) && json_object_size(x) == 1) {
			const char *what = json_object_iter_key(json_object_iter(x));
			say(e, "%s", what);
			/* log and comments do not filter; anything else (limit, quota...) may */
			if (strcmp(what, "log") && strcmp(what, "comment") &&
			    strcmp(what, "notrack"))
				e->partial = true;
		}
	}
}

static void
add_hit(const struct scan *sc, const struct eval *e, int64_t handle, bool is_policy)
{
	struct nftrules_result *out = sc->out;
	const struct chain *ch = e->ch;

	out->n_found++;
	if (out->n_hits >= NFTRULES_MAX_HITS)
		return;
	struct nftrules_hit *h = &out->hits[out->n_hits++];
	snprintf(h->family, sizeof(h->family), "%s", ch->family);
	snprintf(h->table, sizeof(h->table), "%s", ch->table);
	snprintf(h->chain, sizeof(h->chain), "%s", ch->name);
	snprintf(h->hook, sizeof(h->hook), "%s", ch->hook);
	h->handle = handle;
	snprintf(h->verdict, sizeof(h->verdict), "%s", e->v == V_REJECT ? "reject" : "drop");
	snprintf(h->text, sizeof(h->text), "%s", e->text);
	h->packets = e->packets;
	h->is_policy = is_policy;
	h->is_partial = e->partial;
}

static bool
in_chain(json_t *rule, const struct chain *ch)
{
	return rule && !strcmp(str(rule, "chain"), ch->name) &&
	    !strcmp(str(rule, "table"), ch->table) && !strcmp(str(rule, "family"), ch->family);
}

/* The rules of one chain, in order. */
static void
scan_chain(const struct scan *sc, const struct chain *ch)
{
	bool may_accept = false, blanket = false;
	json_t *it;
	size_t i;

	json_array_foreach(sc->items, i, it)
	{
		json_t *rule = json_object_get(it, "rule");
		if (!in_chain(rule, ch))
			continue;
		struct eval e = {.sc = sc, .ch = ch, .packets = -1};
		json_t *h = json_object_get(rule, "handle");
		int64_t handle = json_is_integer(h) ? json_integer_value(h) : -1;
		judge_rule(&e, rule);
		bool drops = e.v == V_DROP || e.v == V_REJECT;
		if (e.excluded || !drops) {
			may_accept |= !e.excluded && (e.v == V_ACCEPT || e.v == V_JUMP);
			continue;
		}
		if (e.port || e.udp) {
			add_hit(sc, &e, handle, false);
		} else if (!e.conds && !may_accept && !blanket) {
			blanket = true; /* drops everything that was not accepted before */
			add_hit(sc, &e, handle, true);
		}
	}
	if (ch->hook[0] && !strcmp(ch->policy, "drop") && !may_accept && !blanket) {
		struct eval e = {.sc = sc, .ch = ch, .packets = -1, .v = V_DROP};
		say(&e, "policy drop (no rule accepts these packets)");
		add_hit(sc, &e, -1, true);
	}
}

static void
scan_all(const struct scan *sc)
{
	struct nftrules_result *out = sc->out;
	json_t *it, *c;
	size_t i, chains = 0;

	json_array_foreach(sc->items, i, it)
	{
		out->n_tables += json_object_get(it, "table") != NULL;
		out->n_rules += json_object_get(it, "rule") != NULL;
		if (!(c = json_object_get(it, "chain")))
			continue;
		out->n_chains++;
		if (chains++ >= MAX_CHAINS)
			continue;
		struct chain ch = {str(c, "family"), str(c, "table"), str(c, "name"),
		    str(c, "hook"), str(c, "policy")};
		scan_chain(sc, &ch);
	}
}

enum nftrules_status
nftrules_scan(const char *text, size_t len, unsigned port, struct nftrules_result *out)
{
	json_error_t jerr;
	json_t *root, *items;

	memset(out, 0, sizeof(*out));
	if (len > NFTRULES_MAX_INPUT) {
		snprintf(out->error, sizeof(out->error), "ruleset of %zu bytes, more than %u", len,
		    NFTRULES_MAX_INPUT);
		return NFTRULES_TOO_BIG;
	}
	root = json_loadb(text, len, JSON_DECODE_ANY, &jerr);
	if (!root) {
		snprintf(out->error, sizeof(out->error), "line %d: %.120s", jerr.line, jerr.text);
		return NFTRULES_BAD_JSON;
	}
	items = json_object_get(root, "nftables");
	if (!json_is_array(items)) {
		snprintf(out->error, sizeof(out->error), "no \"nftables\" array");
		json_decref(root);
		return NFTRULES_NOT_RULESET;
	}
	struct scan sc = {items, port, out};
	scan_all(&sc);
	json_decref(root);
	return NFTRULES_OK;
}

const char *
nftrules_strerror(enum nftrules_status st)
{
	static const char *const names[] = {"ok", "not JSON", "not an nftables ruleset",
	    "ruleset too large"};

	return (unsigned)st < CW_ARRAY_LEN(names) ? names[st] : "?";
}
