/* doctor_net.c: the findings about each source. clockwatch's own queries (one target per address
 * of each configured server) are set against what the daemon says about the same address, so
 * that "the server is down", "UDP 123 is blocked", and "the server answers but the daemon does
 * not receive" come out as different findings. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "doctor_net.h"
#include "filter.h"
#include "macros.h"
#include "query.h"
#include "snapshot.h"
#include "strutil.h"
#include "wire_chrony.h"
#include "wire_mode6.h"

#define FLASH_UNREACH 0x1000 /* peer_unreach: reach is 0, no packet needed for it */
#define FLASH_DENIED 0x0008  /* pkt_denied */
#define POLLED_ENOUGH 3      /* requests after which reach 0 means no answer */
#define YOUNG_DAEMON_S 60.0  /* without counters: uptime after which reach 0 means it */

/* What one address did with our queries. */
enum addr_state {
	A_OK,
	A_RATE,
	A_DENIED,
	A_UNUSABLE,
	A_PORT_UNREACH,
	A_NO_ROUTE,
	A_FW_SEND,
	A_SILENT,
	A_ERROR,
	A_UNRESOLVED,
};

/* What the flash bits mean to an operator, by bit (PROTOCOLS.md §1.7). */
static const char *const flash_words[WIRE_MODE6_FLASH_BITS] = {
    "a duplicate packet",
    "a bogus packet: not a reply to ntpd's request",
    "the server's timestamps are not set: it is not synchronized",
    "access denied (kiss-o'-death, or ntpd's own restrict lines)",
    "authentication failed",
    "the server is unsynchronized or its stratum too high",
    "the server's root distance is 16 s or more",
    "Autokey failed",
    "crypto failed",
    "the server is unfit: unsynchronized or stratum too high",
    "the root distance is beyond maxdist",
    "a synchronization loop: the server takes its time from this host",
    "unreachable",
    "the response took too long",
};

size_t
doctor_servers(const struct snapshot *s, struct doctor_server *out, size_t max)
{
	size_t n = 0;

	if (s->primary < 0)
		return 0;
	const struct daemonconf *c = &s->svc[s->primary].conf;
	for (size_t i = 0; i < c->n_sources && n < max; i++) {
		const struct daemonconf_source *src = &c->sources[i];
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			dup |= !strcmp(out[k].name, src->name) && out[k].port == src->port;
		if (src->kind == DAEMONCONF_REFCLOCK || dup)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].name, sizeof(out[n].name), "%s", src->name);
		out[n].port = src->port;
		out[n].kind = src->kind;
		const char *base = strrchr(src->file, '/');
		snprintf(out[n].where, sizeof(out[n].where), "%.50s:%u",
		    base ? base + 1 : src->file, src->line);
		n++;
	}
	for (size_t i = 0; i < s->n_sources && n < max && c->n_sources == 0; i++) {
		const struct snap_source *src = &s->sources[i];
		if (src->type == 'l' || !src->addr[0] || !strncmp(src->addr, "ID#", 3))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].name, sizeof(out[n].name), "%s", src->addr);
		out[n].kind = DAEMONCONF_SERVER;
		n++;
	}
	return n;
}

static const struct snap_source *
source_by_addr(const struct snapshot *s, const char *addr)
{
	for (size_t i = 0; addr[0] && i < s->n_sources; i++)
		if (!strcmp(s->sources[i].addr, addr))
			return &s->sources[i];
	return NULL;
}

static bool
send_failed_with(const struct query_target *t, int err)
{
	char want[96];

	snprintf(want, sizeof(want), "send failed: %s", strerror(err));
	return !strcmp(t->error, want);
}

static enum addr_state
classify(const struct query_target *t)
{
	if (t->family == 0)
		return A_UNRESOLVED;
	switch (t->status) {
	case QUERY_OK:
		return A_OK;
	case QUERY_KOD:
		return A_RATE;
	case QUERY_UNUSABLE:
		return t->stopped || (t->tests & FILTER_T_DENIED) ? A_DENIED : A_UNUSABLE;
	case QUERY_TIMEOUT:
		return A_SILENT;
	default:
		break;
	}
	if (t->n_icmp && t->icmp_errno == ECONNREFUSED)
		return A_PORT_UNREACH;
	if (t->n_icmp && t->icmp_errno != ECONNREFUSED)
		return A_NO_ROUTE;
	if (send_failed_with(t, EPERM))
		return A_FW_SEND;
	if (send_failed_with(t, ENETUNREACH) || send_failed_with(t, EHOSTUNREACH))
		return A_NO_ROUTE;
	return A_ERROR;
}

static bool
firewall_drops(const struct doctor_evidence *ev)
{
	return ev->fw && ev->fw->state == DOCTOR_FW_READ && ev->fw->rules.n_found > 0;
}

/* The address's state in words, for a title ("NAME: <this>"). */
static void
state_words(const struct query_target *t, enum addr_state a, const struct doctor_evidence *ev,
    char *buf, size_t len)
{
	switch (a) {
	case A_OK:
		snprintf(buf, len, "answers");
		break;
	case A_RATE:
		snprintf(buf, len,
		    "sends kiss-o'-death RATE: it limits how often this host may ask");
		break;
	case A_DENIED:
		snprintf(buf, len, "refuses this host: kiss-o'-death %s",
		    t->kiss_code[0] ? t->kiss_code : "DENY");
		break;
	case A_UNUSABLE:
		if (t->tests & (FILTER_T_UNSYNC | FILTER_T_STRATUM))
			snprintf(buf, len,
			    "answers, but is not synchronized itself (leap 3 or "
			    "stratum 16)");
		else
			snprintf(buf, len, "answers but is unusable (%.150s)", t->error);
		break;
	case A_PORT_UNREACH:
		snprintf(buf, len,
		    "port unreachable: the host answers but runs no NTP server on UDP port %u",
		    t->port);
		break;
	case A_NO_ROUTE:
		snprintf(buf, len, "no route to it (%.150s)",
		    t->n_icmp ? strerror(t->icmp_errno) : t->error);
		break;
	case A_FW_SEND:
		snprintf(buf, len, "this host's firewall refuses to send to it (EPERM)");
		break;
	case A_SILENT:
		if (firewall_drops(ev))
			snprintf(buf, len, "no answer: the local firewall drops UDP port 123");
		else
			snprintf(buf, len,
			    "no answer: server down or UDP port %u dropped on the way", t->port);
		break;
	case A_UNRESOLVED:
		snprintf(buf, len, "does not resolve");
		break;
	default:
		snprintf(buf, len, "%.150s", t->error);
		break;
	}
}

static void
state_remedy(struct doctor_finding *f, enum addr_state a, const char *name)
{
	switch (a) {
	case A_RATE:
	case A_DENIED:
		doctor_fix(f, "See kod below.");
		break;
	case A_UNUSABLE:
		doctor_fix(f,
		    "The server answers with time it does not trust itself: fix that "
		    "server or use another.");
		break;
	case A_PORT_UNREACH:
		doctor_fix(f,
		    "Start the NTP server on %s, or correct the port in the "
		    "configuration.",
		    name);
		break;
	case A_NO_ROUTE:
		doctor_fix(f, "Check this host's routes and interfaces ('ip route get ADDRESS').");
		break;
	case A_FW_SEND:
	case A_SILENT:
		doctor_fix(f,
		    "Check that the server runs and that UDP port 123 passes every "
		    "firewall on the way, both ways (see firewall for this host's own).");
		break;
	case A_UNRESOLVED:
		doctor_fix(f,
		    "Check the name for typos and this host's resolver "
		    "(/etc/resolv.conf), or configure an address.");
		break;
	default:
		break;
	}
}

static void
daemon_line(struct doctor_finding *f, const struct snapshot *s, const struct snap_source *src)
{
	char c[96] = "", reach[16] = "-";

	if (src->pkts_sent >= 0)
		snprintf(c, sizeof(c), ", sent %lld, received %lld", (long long)src->pkts_sent,
		    (long long)src->pkts_received);
	if (src->reach >= 0)
		snprintf(reach, sizeof(reach), "%03o", src->reach & 0377);
	doctor_seen(f, "%s's view: reach %s%s, %s", doctor_daemon(s), reach, c,
	    src->state[0] ? src->state : "-");
}

static void
target_line(struct doctor_finding *f, const struct query_target *t, enum addr_state a,
    const struct doctor_evidence *ev)
{
	char words[200], off[32], del[32], remote[128];

	query_remote(t, remote, sizeof(remote));
	if (a != A_OK) {
		state_words(t, a, ev, words, sizeof(words));
		doctor_seen(f, "%s: %s", remote, a == A_UNRESOLVED ? t->error : words);
		return;
	}
	strutil_fmt_seconds(off, sizeof(off), t->filt.offset_s, true);
	strutil_fmt_seconds(del, sizeof(del), t->filt.delay_s, false);
	doctor_seen(f, "%s: answers, stratum %u, offset %s, delay %s (%zu of %u answered)%s%s",
	    remote, t->reply.stratum, off, del, t->n_samples, t->n_sent,
	    t->n_kod_rate ? ", some RATE kiss-o'-death" : "",
	    t->tally == 'x' ? "; a falseticker to clockwatch too" : "");
}

/* The daemon polled it long enough for reach 0 to mean it receives nothing. */
static bool
polled_enough(const struct snapshot *s, const struct snap_source *src)
{
	if (src->pkts_sent >= 0)
		return src->pkts_sent >= POLLED_ENOUGH;
	return isfinite(s->svc[s->primary].uptime_s) &&
	    s->svc[s->primary].uptime_s > YOUNG_DAEMON_S;
}

static void
judge_server(struct doctor_report *r, const struct snapshot *s, const struct doctor_evidence *ev,
    const struct doctor_server *srv)
{
	const struct query_target *first_bad = NULL;
	size_t n = 0, ok = 0, deaf = 0;
	struct doctor_finding tmp = {0};
	enum addr_state bad = A_OK;
	uint16_t port = srv->port ? srv->port : 123;

	for (size_t i = 0; i < ev->n_own; i++) {
		const struct query_target *t = &ev->own[i];
		if (strcmp(t->host, srv->name) || t->port != port)
			continue;
		enum addr_state a = classify(t);
		const struct snap_source *src = source_by_addr(s, t->addr);
		n++;
		ok += a == A_OK;
		target_line(&tmp, t, a, ev);
		if (src && s->primary >= 0 && s->svc[s->primary].answering) {
			daemon_line(&tmp, s, src);
			deaf += a == A_OK && src->reach == 0 && polled_enough(s, src);
		}
		if (a != A_OK && !first_bad) {
			first_bad = t;
			bad = a;
		}
	}
	struct doctor_finding *f;
	char words[200];
	if (n == 0) {
		f = doctor_add(r, "servers", DOCTOR_INFO, "%s was not measured", srv->name);
		return;
	}
	if (deaf) {
		f = doctor_add(r, "servers", DOCTOR_FAIL,
		    "%s answers clockwatch, but %s does not receive its answers", srv->name,
		    doctor_daemon(s));
		doctor_fix(f,
		    "The server answers this host: look at what differs for %s: its "
		    "source port (chronyd's acquisitionport), a firewall rule for it, "
		    "or the server's access list.",
		    doctor_daemon(s));
	} else if (ok == n) {
		f = doctor_add(r, "servers", DOCTOR_OK, "%s answers", srv->name);
	} else {
		state_words(first_bad, bad, ev, words, sizeof(words));
		if (ok == 0)
			f = doctor_add(r, "servers", DOCTOR_FAIL, "%s%s%s", srv->name,
			    bad == A_UNRESOLVED || bad == A_RATE || bad == A_DENIED ? " " : ": ",
			    words);
		else
			f = doctor_add(r, "servers", DOCTOR_WARN, "%s: %zu of %zu addresses answer",
			    srv->name, ok, n);
		state_remedy(f, bad, srv->name);
	}
	if (srv->where[0])
		doctor_seen(f, "%s %s (%s)", daemonconf_kind_name(srv->kind), srv->name,
		    srv->where);
	size_t used = strlen(f->evidence);
	snprintf(f->evidence + used, sizeof(f->evidence) - used, "%s", tmp.evidence);
	doctor_num(f, "addresses", (double)n);
	doctor_num(f, "answering", (double)ok);
}

void
doctor_net_servers(struct doctor_report *r, const struct snapshot *s,
    const struct doctor_evidence *ev)
{
	struct doctor_finding *f;

	if (s->primary < 0)
		return;
	if (ev->n_servers == 0) {
		f = doctor_add(r, "servers", DOCTOR_INFO, "no servers to measure");
		doctor_seen(f,
		    "%s's configuration names no server, and it reports no source with "
		    "an address",
		    doctor_daemon(s));
		return;
	}
	if (!ev->measured) {
		f = doctor_add(r, "servers", DOCTOR_INFO, "the servers were not measured");
		return;
	}
	for (size_t i = 0; i < ev->n_servers; i++)
		judge_server(r, s, ev, &ev->servers[i]);
}

/* ---- the daemon's packet counters ---- */

static bool
own_answered(const struct doctor_evidence *ev, const char *addr)
{
	for (size_t i = 0; i < ev->n_own; i++)
		if (!strcmp(ev->own[i].addr, addr) && ev->own[i].status == QUERY_OK)
			return true;
	return false;
}

static bool
is_net_source(const struct snap_source *src)
{
	return src->type != 'l';
}

static void
counters_unknown(struct doctor_report *r, const struct snapshot *s)
{
	struct doctor_finding *f = doctor_add(r, "counters", DOCTOR_INFO,
	    "%s's packet counters are not available", doctor_daemon(s));

	if (s->primary == SNAP_CHRONYD)
		doctor_seen(f, "chronyd gives them (ntpdata) only on its Unix socket: %s",
		    s->svc[SNAP_CHRONYD].note[0] ? s->svc[SNAP_CHRONYD].note : "not used here");
	else if (s->primary == SNAP_NTPD)
		doctor_seen(f, "ntpd did not give the sent and received counters");
	else
		doctor_seen(f, "systemd-timesyncd keeps no per-server packet counters");
}

void
doctor_net_counters(struct doctor_report *r, const struct snapshot *s,
    const struct doctor_evidence *ev)
{
	struct doctor_finding all = {0}, *f;
	size_t net = 0, known = 0, bad = 0;

	for (size_t i = 0; i < s->n_sources; i++) {
		const struct snap_source *src = &s->sources[i];
		net += is_net_source(src);
		if (!is_net_source(src) || src->pkts_sent < 0)
			continue;
		known++;
		char valid[40] = "";
		if (src->pkts_valid >= 0)
			snprintf(valid, sizeof(valid), ", valid %lld", (long long)src->pkts_valid);
		doctor_seen(&all, "%s: sent %lld, received %lld%s", src->addr,
		    (long long)src->pkts_sent, (long long)src->pkts_received, valid);
		if (src->pkts_sent == 0) {
			f = doctor_add(r, "counters", DOCTOR_WARN, "%s has sent nothing to %s yet",
			    doctor_daemon(s), src->addr);
			doctor_fix(f,
			    "If it stays so, something is wrong in this host's network or "
			    "interface configuration, or the source is set offline.");
		} else if (src->pkts_received == 0) {
			bool ours = own_answered(ev, src->addr);
			f = doctor_add(r, "counters", DOCTOR_FAIL,
			    "%s sent %lld packets to %s and received none", doctor_daemon(s),
			    (long long)src->pkts_sent, src->addr);
			doctor_seen(f, "clockwatch's own queries: %s",
			    ours ? "answered: the server is up, the daemon does not receive"
			         : "no answer either: server down or the path drops UDP 123");
		} else if (src->pkts_valid == 0) {
			f = doctor_add(r, "counters", DOCTOR_FAIL,
			    "%s received %lld packets from %s, none valid", doctor_daemon(s),
			    (long long)src->pkts_received, src->addr);
			doctor_seen(f, "see reach for the tests they fail");
		} else {
			continue;
		}
		bad++;
		doctor_num(f, "sent", (double)src->pkts_sent);
		doctor_num(f, "received", (double)src->pkts_received);
		doctor_num(f, "valid", src->pkts_valid >= 0 ? (double)src->pkts_valid : NAN);
	}
	if (net == 0) {
		return; /* nothing to count: selection says so */
	} else if (known == 0) {
		counters_unknown(r, s);
	} else if (bad == 0) {
		f = doctor_add(r, "counters", DOCTOR_OK, "packets flow both ways for every source");
		memcpy(f->evidence, all.evidence, sizeof(f->evidence));
	}
}

/* ---- reach and why packets are discarded ---- */

static void
failed_tests(struct doctor_finding *f, const struct snap_source *src)
{
	if (src->flash > 0) {
		for (unsigned b = 0; b < WIRE_MODE6_FLASH_BITS; b++)
			if ((unsigned)src->flash & (1u << b))
				doctor_seen(f, "flash %s: %s", wire_mode6_flash_name(b),
				    flash_words[b]);
	}
	if (src->ntp_tests >= 0) {
		for (unsigned b = 0; b < WIRE_CHRONY_NTP_N_TESTS; b++)
			if (!((unsigned)src->ntp_tests & (1u << b)))
				doctor_seen(f, "%s failed: expected %s", wire_chrony_test_name(b),
				    wire_chrony_test_meaning(b));
	}
}

static bool
packets_arrive(const struct snap_source *src)
{
	return src->pkts_received > 0 || (src->flash > 0 && (src->flash & ~FLASH_UNREACH)) ||
	    (src->ntp_tests >= 0 &&
	        (src->ntp_tests & WIRE_CHRONY_NTP_TESTS_MASK) != WIRE_CHRONY_NTP_TESTS_MASK);
}

/* Polls unanswered below the register's highest set bit (older ones are before the start). */
static int
reach_gaps(int reach, int *polls)
{
	int top = 7, gaps = 0;

	while (top > 0 && !(reach & (1 << top)))
		top--;
	*polls = top + 1;
	for (int b = 0; b < top; b++)
		gaps += !(reach & (1 << b));
	return gaps;
}

static const char *daemon_kiss(const struct snap_source *src);

static bool
reach_one(struct doctor_report *r, const struct snapshot *s, const struct snap_source *src)
{
	struct doctor_finding *f;
	const char *kiss = daemon_kiss(src);
	int polls, gaps;

	if (src->reach == 0 && kiss) {
		f = doctor_add(r, "reach", DOCTOR_FAIL,
		    "%s: reach 0: it answers with kiss-o'-death %s (see kod)", src->addr, kiss);
	} else if (src->reach == 0 && packets_arrive(src)) {
		f = doctor_add(r, "reach", DOCTOR_FAIL,
		    "%s: reach 0 while packets arrive: %s discards them", src->addr,
		    doctor_daemon(s));
		failed_tests(f, src);
		doctor_fix(f,
		    "The failed tests above say why; most often the server is not "
		    "synchronized itself, or refuses this host.");
	} else if (src->reach == 0) {
		f = doctor_add(r, "reach", DOCTOR_WARN,
		    "%s: reach 0: no valid answer in the last 8 polls", src->addr);
		doctor_seen(f, "see servers and counters: is anything received at all?");
	} else if ((gaps = reach_gaps(src->reach, &polls)) >= 2) {
		f = doctor_add(r, "reach", DOCTOR_WARN,
		    "%s: reach %03o: %d of the last %d polls unanswered: packets are lost",
		    src->addr, src->reach, gaps, polls);
		doctor_fix(f, "Look for loss on the path (a congested link, a rate limit).");
	} else {
		return false;
	}
	doctor_num(f, "reach", src->reach);
	doctor_num(f, "flash", src->flash >= 0 ? src->flash : NAN);
	return true;
}

void
doctor_net_reach(struct doctor_report *r, const struct snapshot *s)
{
	struct doctor_finding all = {0};
	size_t n = 0, bad = 0;

	for (size_t i = 0; i < s->n_sources; i++) {
		const struct snap_source *src = &s->sources[i];
		if (src->reach < 0)
			continue;
		n++;
		bad += reach_one(r, s, src);
		doctor_seen(&all, "%s: reach %03o", src->addr, src->reach);
	}
	if (n == 0) {
		if (s->n_sources)
			doctor_add(r, "reach", DOCTOR_INFO, "%s keeps no reach register",
			    doctor_daemon(s));
		return;
	}
	if (bad == 0) {
		struct doctor_finding *f =
		    doctor_add(r, "reach", DOCTOR_OK, "every source answers its polls");
		memcpy(f->evidence, all.evidence, sizeof(f->evidence));
	}
}

/* ---- kiss-o'-death ---- */

static const char *
daemon_kiss(const struct snap_source *src)
{
	char refid[16];
	size_t k = 0;

	for (const char *p = src->refid; *p && k + 1 < sizeof(refid); p++)
		if (*p != '.')
			refid[k++] = *p;
	refid[k] = '\0';
	if (!strcmp(src->last_event, "rate_exceeded") || !strcmp(refid, "RATE"))
		return "RATE";
	if (!strcmp(refid, "RSTR"))
		return "RSTR";
	if (!strcmp(src->last_event, "access_denied") || !strcmp(refid, "DENY") ||
	    (src->flash > 0 && (src->flash & FLASH_DENIED)))
		return "DENY";
	return NULL;
}

void
doctor_net_kod(struct doctor_report *r, const struct snapshot *s, const struct doctor_evidence *ev)
{
	struct doctor_finding seen = {0}, *f;
	const char *first = NULL, *code = NULL;
	char remote[128];
	bool rate = false, deny = false;

	for (size_t i = 0; s->primary >= 0 && i < s->n_sources; i++) {
		const char *k = daemon_kiss(&s->sources[i]);
		if (!k)
			continue;
		doctor_seen(&seen, "%s's view: %s sent %s", doctor_daemon(s), s->sources[i].addr,
		    k);
		first = first ? first : s->sources[i].addr;
		code = code ? code : k;
		rate |= !strcmp(k, "RATE");
		deny |= strcmp(k, "RATE") != 0;
	}
	for (size_t i = 0; i < ev->n_own; i++) {
		const struct query_target *t = &ev->own[i];
		if (!t->n_kod_rate && !t->stopped)
			continue;
		const char *k = t->stopped ? t->kiss_code : "RATE";
		query_remote(t, remote, sizeof(remote));
		doctor_seen(&seen, "clockwatch's own queries: %s sent %s", remote, k);
		first = first ? first : t->host;
		code = code ? code : k;
		rate |= !t->stopped;
		deny |= t->stopped;
	}
	if (!first) {
		f = doctor_add(r, "kod", DOCTOR_OK, "no kiss-o'-death and no access denied");
		if (ev->n_own)
			doctor_seen(f, "clockwatch's own queries: %zu address%s, no kiss code",
			    ev->n_own, ev->n_own == 1 ? "" : "es");
		if (s->primary == SNAP_CHRONYD)
			doctor_seen(f, "chronyd does not report the kiss codes it receives");
		return;
	}
	f = doctor_add(r, "kod", DOCTOR_FAIL, "%s sent kiss-o'-death %s%s", first, code,
	    !strcmp(code, "RATE") ? ": rate limited" : ": access denied");
	memcpy(f->evidence, seen.evidence, sizeof(f->evidence));
	if (rate)
		doctor_fix(f,
		    "RATE: ask that server less often: minpoll 6 (64 s) or more and no "
		    "burst for it; its operator sets the limit.");
	if (deny)
		doctor_fix(f,
		    "DENY or RSTR: the server's access control refuses this host: ask "
		    "its operator, or use another server.");
}
