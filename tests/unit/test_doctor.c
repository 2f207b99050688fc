/* test_doctor.c: the checklist judged on hand-built snapshots and evidence: a healthy chronyd,
 * then one fault at a time, each expected as a finding with its level, its words and its
 * numbers; then the renderers (80 columns, the JSON schema). */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <sys/socket.h>

#include "buf.h"
#include "cw_test.h"
#include "doctor.h"
#include "kclock.h"
#include "out_doctor.h"
#include "query.h"
#include "snapshot.h"
#include "xalloc.h"

#define NOW_NS (INT64_C(1700000000) * 1000000000)
#define MAX_OWN 8

static const char services[] = "domain 53/udp\nntp\t\t123/udp\t\t# Network Time Protocol\n";

/* One case: the snapshot, the evidence and what they point to, the report. */
struct fx {
	struct snapshot s;
	struct doctor_evidence ev;
	struct doctor_firewall fw;
	struct doctor_server servers[DOCTOR_MAX_SERVERS];
	struct query_target own[MAX_OWN];
	struct doctor_report r;
};

static void
add_conf_server(struct snapshot *s, const char *name, unsigned line)
{
	struct daemonconf *c = &s->svc[SNAP_CHRONYD].conf;

	c->sources = xreallocarray(c->sources, c->n_sources + 1, sizeof(*c->sources));
	struct daemonconf_source *src = &c->sources[c->n_sources++];
	memset(src, 0, sizeof(*src));
	snprintf(src->name, sizeof(src->name), "%s", name);
	snprintf(src->file, sizeof(src->file), "/etc/chrony/chrony.conf");
	src->line = line;
}

static struct snap_source *
add_source(struct snapshot *s, const char *addr, char tally, double offset_s)
{
	struct snap_source *src = snapshot_add_source(s);

	snprintf(src->addr, sizeof(src->addr), "%s", addr);
	snprintf(src->name, sizeof(src->name), "%s", addr);
	src->tally = tally;
	src->reach = 0377;
	src->offset_s = offset_s;
	src->stratum = 2;
	src->pkts_sent = src->pkts_received = src->pkts_valid = 40;
	src->ntp_tests = 0x3ff;
	src->leap = 0;
	snprintf(src->state, sizeof(src->state), "%s", tally == '*' ? "selected" : "unselected");
	return src;
}

/* Our own answers from addr: n samples of the given delays and offsets (NULL: steady). */
static struct query_target *
add_own(struct fx *x, const char *host, const char *addr, const double *delay_s,
    const double *offset_s, size_t n)
{
	struct query_target *t = &x->own[x->ev.n_own++];

	query_target_init(t, host, DOCTOR_SAMPLES);
	snprintf(t->addr, sizeof(t->addr), "%s", addr);
	t->family = AF_INET;
	t->port = 123;
	t->status = QUERY_OK;
	t->n_sent = (unsigned)n;
	t->tally = '+';
	t->reply.stratum = 2;
	for (size_t i = 0; i < n && i < DOCTOR_SAMPLES; i++) {
		t->samples[i].delay_s = delay_s ? delay_s[i] : 0.010 + 0.0001 * (double)i;
		t->samples[i].offset_s = offset_s ? offset_s[i] : 0.0002;
		t->n_samples++;
	}
	t->filt.offset_s = t->samples[0].offset_s;
	t->filt.delay_s = t->samples[0].delay_s;
	return t;
}

/* A healthy host: chronyd with clock rights, three servers answering it and us, the kernel
 * synchronized, a drift file written ten minutes ago, no firewall rule. */
static struct fx *
healthy(void)
{
	struct fx *x = xcalloc(1, sizeof(*x));
	struct snapshot *s = &x->s;
	struct snap_service *svc = &s->svc[SNAP_CHRONYD];
	static const char *const addrs[] = {"192.0.2.1", "192.0.2.2", "192.0.2.3"};

	snapshot_init(s);
	s->real_ns = NOW_NS;
	svc->installed = svc->running = svc->can_set_clock = svc->answering = svc->asked = true;
	svc->have_conf = true;
	svc->pid = 321;
	svc->n_running = 1;
	svc->uptime_s = 86400;
	snprintf(svc->conf_path, sizeof(svc->conf_path), "/etc/chrony/chrony.conf");
	snprintf(svc->endpoint, sizeof(svc->endpoint), "/run/chrony/chronyd.sock");
	snprintf(svc->conf.driftfile, sizeof(svc->conf.driftfile), "/var/lib/chrony/drift");
	svc->conf.rtcsync = true;
	s->primary = SNAP_CHRONYD;
	s->have_system = s->synchronized = true;
	s->offset_s = 0.0003;
	s->offset_error_s = 0.002;
	s->freq_ppm = 12.5;
	s->stratum = 3;
	s->leap = SNAP_LEAP_NONE;
	snprintf(s->source_name, sizeof(s->source_name), "192.0.2.1");
	for (size_t i = 0; i < 3; i++) {
		add_conf_server(s, addrs[i], (unsigned)(7 + i));
		add_source(s, addrs[i], i == 0 ? '*' : '+', 0.0002);
	}
	s->have_kernel = true;
	s->kernel.state = KCLOCK_OK;
	s->kernel.status = 0x2001; /* PLL, NANO */
	s->kernel.maxerror_s = 0.01;
	s->kernel.synchronized = true;

	x->ev.real_ns = NOW_NS;
	x->ev.services_path = "/etc/services";
	x->ev.services_text = services;
	x->ev.services_len = strlen(services);
	x->fw.state = DOCTOR_FW_READ;
	x->fw.rules.n_tables = 1;
	x->fw.rules.n_rules = 4;
	x->ev.fw = &x->fw;
	x->ev.n_servers = doctor_servers(s, x->servers, DOCTOR_MAX_SERVERS);
	x->ev.servers = x->servers;
	for (size_t i = 0; i < 3; i++)
		add_own(x, addrs[i], addrs[i], NULL, NULL, DOCTOR_SAMPLES);
	x->ev.own = x->own;
	x->ev.measured = true;
	x->ev.drift_checked = true;
	x->ev.drift_mtime_ns = NOW_NS - INT64_C(600) * 1000000000;
	return x;
}

static void
done(struct fx *x)
{
	for (size_t i = 0; i < x->ev.n_own; i++)
		query_target_fini(&x->own[i]);
	snapshot_fini(&x->s);
	free(x);
}

static void
judge(struct fx *x)
{
	doctor_judge(&x->s, &x->ev, &x->r);
}

/* The first finding of id at level; fails listing what there is when there is none. */
static const struct doctor_finding *
find(const struct doctor_report *r, const char *id, enum doctor_level level)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->f[i].id, id) && r->f[i].level == level)
			return &r->f[i];
	cw_print_case();
	print_error("no %s finding at level %s; the report has:\n", id, doctor_level_name(level));
	for (size_t i = 0; i < r->n; i++)
		print_error("  %-9s %-4s %s\n", r->f[i].id, doctor_level_name(r->f[i].level),
		    r->f[i].title);
	fail();
	return NULL;
}

static double
datum(const struct doctor_finding *f, const char *name)
{
	for (size_t i = 0; i < f->n_data; i++)
		if (!strcmp(f->data[i].name, name))
			return f->data[i].value;
	fail_msg("no datum %s in finding '%s'", name, f->title);
	return NAN;
}

static void
test_healthy(void **state)
{
	struct fx *x = healthy();
	const char *const *ids = doctor_ids();
	size_t k = 0;

	(void)state;
	judge(x);
	for (size_t i = 0; i < x->r.n; i++) {
		cw_case = x->r.f[i].title;
		assert_true(x->r.f[i].level == DOCTOR_OK);
		while (ids[k] && strcmp(ids[k], x->r.f[i].id))
			k++; /* findings come in checklist order */
		assert_non_null(ids[k]);
	}
	cw_case = NULL;
	assert_int_equal(x->r.worst, DOCTOR_OK);
	assert_int_equal(doctor_exit_status(x->r.worst), 0);
	assert_string_equal(x->r.service, "chronyd");
	for (const char *const *id = ids; *id; id++)
		find(&x->r, *id, DOCTOR_OK); /* every check said something */
	const struct doctor_finding *f = find(&x->r, "service", DOCTOR_OK);
	assert_string_equal(f->title, "chronyd runs, the only time service (pid 321)");
	f = find(&x->r, "servers", DOCTOR_OK);
	assert_string_equal(f->title, "192.0.2.1 answers");
	assert_contains(f->evidence, "server 192.0.2.1 (chrony.conf:7)");
	assert_contains(f->evidence, "chronyd's view: reach 377, sent 40, received 40");
	f = find(&x->r, "offset", DOCTOR_OK);
	assert_double_exact(datum(f, "offset_s"), 0.0003);
	assert_double_exact(datum(f, "step_threshold_s"), 0.125);
	f = find(&x->r, "network", DOCTOR_OK);
	assert_contains(f->title, "delays are steady: 10.000 ms to 10.300 ms over 12 samples");
	done(x);
}

static void
test_service(void **state)
{
	struct fx *x = healthy();
	const struct doctor_finding *f;

	(void)state;
	x->s.svc[SNAP_NTPD].running = true;
	x->s.svc[SNAP_NTPD].pid = 99;
	judge(x);
	f = find(&x->r, "service", DOCTOR_FAIL);
	assert_string_equal(f->title, "chronyd and ntpd both run: they fight over the clock");
	assert_contains(f->evidence, "ntpd: pid 99, may not set the clock now");
	assert_contains(f->evidence, "only one may set the clock now");
	assert_contains(f->remedy, "Keep one time service");
	x->s.svc[SNAP_TIMESYNCD].running = true;
	judge(x);
	f = find(&x->r, "service", DOCTOR_FAIL);
	assert_string_equal(f->title,
	    "chronyd, ntpd and systemd-timesyncd all run: they fight over the clock");
	assert_int_equal(doctor_exit_status(x->r.worst), 2);
	done(x);

	/* nothing runs */
	x = healthy();
	for (int d = 0; d < SNAP_N_DAEMONS; d++)
		x->s.svc[d].running = false;
	x->s.svc[SNAP_CHRONYD].answering = false;
	x->s.primary = -1;
	judge(x);
	f = find(&x->r, "service", DOCTOR_FAIL);
	assert_string_equal(f->title, "no time service runs: nothing keeps this clock right");
	assert_contains(f->evidence, "installed: chronyd");
	assert_string_equal(x->r.service, "");
	done(x);

	/* it may not set the clock: a fact while the clock is right, a warning when it is not */
	x = healthy();
	x->s.svc[SNAP_CHRONYD].can_set_clock = false;
	judge(x);
	f = find(&x->r, "service", DOCTOR_INFO);
	assert_string_equal(f->title, "chronyd may not set the clock: it only watches");
	assert_contains(f->evidence, "or chronyd was started with -x");
	assert_int_equal(x->r.worst, DOCTOR_INFO);
	assert_int_equal(doctor_exit_status(x->r.worst), 0);
	x->s.offset_s = 0.5;
	judge(x);
	f = find(&x->r, "service", DOCTOR_WARN);
	assert_contains(f->evidence, "offset +500.000 ms, beyond the step threshold");
	done(x);

	/* it does not answer */
	x = healthy();
	x->s.svc[SNAP_CHRONYD].answering = false;
	x->s.have_system = false;
	snprintf(x->s.svc[SNAP_CHRONYD].error, sizeof(x->s.svc[0].error), "permission denied");
	judge(x);
	f = find(&x->r, "service", DOCTOR_WARN);
	assert_string_equal(f->title, "chronyd does not answer clockwatch");
	assert_contains(f->remedy, "Run clockwatch as root");
	done(x);
}

static void
test_port(void **state)
{
	static const struct {
		const char *text;
		int err;
		enum doctor_level level;
		const char *title;
	} c[] = {
	    {"ntp 123/udp\n", 0, DOCTOR_OK, "/etc/services names UDP port 123 ntp"},
	    {"ntp 123/tcp\n", 0, DOCTOR_WARN, "/etc/services has no ntp entry for UDP port 123"},
	    {"ntp 1123/udp\n", 0, DOCTOR_WARN, "/etc/services gives ntp UDP port 1123, not 123"},
	    {"chronos 123/udp\n", 0, DOCTOR_WARN,
	        "/etc/services names UDP port 123 'chronos', "
	        "not ntp"},
	    {NULL, -ENOENT, DOCTOR_INFO, "could not read /etc/services"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct fx *x = healthy();
		cw_case = c[i].title;
		x->ev.services_text = c[i].text;
		x->ev.services_len = c[i].text ? strlen(c[i].text) : 0;
		x->ev.services_err = c[i].err;
		judge(x);
		const struct doctor_finding *f = find(&x->r, "port", c[i].level);
		assert_string_equal(f->title, c[i].title);
		if (c[i].level == DOCTOR_WARN)
			assert_contains(f->remedy, "'ntp 123/udp # Network Time Protocol'");
		done(x);
	}
	cw_case = NULL;
}

static void
test_firewall(void **state)
{
	struct fx *x = healthy();
	const struct doctor_finding *f;
	struct nftrules_hit *h = &x->fw.rules.hits[0];

	(void)state;
	x->fw.state = DOCTOR_FW_NO_PERMISSION;
	judge(x);
	f = find(&x->r, "firewall", DOCTOR_INFO);
	assert_string_equal(f->title, "could not read the firewall (needs root)");
	assert_contains(f->evidence, "CAP_NET_ADMIN");
	x->fw.state = DOCTOR_FW_NOT_BUILT;
	judge(x);
	f = find(&x->r, "firewall", DOCTOR_INFO);
	assert_contains(f->title, "built without libnftables");

	/* a rule: named with its chain, hook and handle; silent servers blame it */
	x->fw.state = DOCTOR_FW_READ;
	x->fw.rules.n_found = x->fw.rules.n_hits = 1;
	snprintf(h->family, sizeof(h->family), "inet");
	snprintf(h->table, sizeof(h->table), "filter");
	snprintf(h->chain, sizeof(h->chain), "input");
	snprintf(h->hook, sizeof(h->hook), "input");
	snprintf(h->verdict, sizeof(h->verdict), "drop");
	snprintf(h->text, sizeof(h->text), "udp dport 123 counter packets 4 drop");
	h->handle = 7;
	x->own[0].status = QUERY_TIMEOUT;
	x->own[0].n_samples = 0;
	judge(x);
	f = find(&x->r, "firewall", DOCTOR_FAIL);
	assert_string_equal(f->title, "the local firewall drops UDP port 123: 1 rule");
	assert_contains(f->evidence,
	    "inet filter input (hook input): udp dport 123 counter packets 4 drop [handle 7]");
	assert_contains(f->remedy, "nft delete rule inet filter input handle 7");
	f = find(&x->r, "servers", DOCTOR_FAIL);
	assert_string_equal(f->title,
	    "192.0.2.1: no answer: the local firewall drops UDP port 123");

	/* only some packets: a warning */
	h->is_partial = true;
	judge(x);
	f = find(&x->r, "firewall", DOCTOR_WARN);
	assert_contains(f->title, "drops some UDP port 123");
	done(x);

	/* nothing in nftables, but legacy iptables tables */
	x = healthy();
	snprintf(x->fw.legacy_tables, sizeof(x->fw.legacy_tables), "filter");
	judge(x);
	f = find(&x->r, "firewall", DOCTOR_INFO);
	assert_contains(f->evidence, "legacy iptables tables are loaded (filter)");
	assert_contains(f->remedy, "iptables-legacy -L -n -v");
	done(x);
}

static void
test_servers(void **state)
{
	struct fx *x = healthy();
	const struct doctor_finding *f;
	struct query_target *t = &x->own[1];

	(void)state;
	/* port unreachable is not silence */
	t->status = QUERY_ERROR;
	t->n_samples = 0;
	t->n_icmp = 4;
	t->icmp_errno = ECONNREFUSED;
	judge(x);
	f = find(&x->r, "servers", DOCTOR_FAIL);
	assert_string_equal(f->title,
	    "192.0.2.2: port unreachable: the host answers but runs no "
	    "NTP server on UDP port 123");
	assert_contains(f->remedy, "Start the NTP server on 192.0.2.2");
	t->icmp_errno = EHOSTUNREACH;
	judge(x);
	f = find(&x->r, "servers", DOCTOR_FAIL);
	assert_string_equal(f->title, "192.0.2.2: no route to it (No route to host)");
	t->n_icmp = 0;
	t->status = QUERY_TIMEOUT;
	judge(x);
	f = find(&x->r, "servers", DOCTOR_FAIL);
	assert_string_equal(f->title,
	    "192.0.2.2: no answer: server down or UDP port 123 dropped on the way");
	t->status = QUERY_ERROR;
	snprintf(t->error, sizeof(t->error), "send failed: %s", strerror(EPERM));
	judge(x);
	f = find(&x->r, "servers", DOCTOR_FAIL);
	assert_contains(f->title, "this host's firewall refuses to send to it (EPERM)");

	/* a name that does not resolve */
	t->family = 0;
	t->addr[0] = '\0';
	snprintf(t->error, sizeof(t->error),
	    "cannot resolve '192.0.2.2': Name or service not known");
	judge(x);
	f = find(&x->r, "servers", DOCTOR_FAIL);
	assert_string_equal(f->title, "192.0.2.2 does not resolve");
	assert_contains(f->evidence, "Name or service not known");
	assert_contains(f->remedy, "/etc/resolv.conf");
	assert_double_exact(datum(f, "answering"), 0);
	done(x);

	/* we get answers, the daemon's reach stays 0 although it sent plenty */
	x = healthy();
	x->s.sources[2].reach = 0;
	x->s.sources[2].pkts_received = x->s.sources[2].pkts_valid = 0;
	judge(x);
	f = find(&x->r, "servers", DOCTOR_FAIL);
	assert_string_equal(f->title,
	    "192.0.2.3 answers clockwatch, but chronyd does not receive its answers");
	assert_contains(f->remedy, "acquisitionport");
	f = find(&x->r, "counters", DOCTOR_FAIL);
	assert_string_equal(f->title, "chronyd sent 40 packets to 192.0.2.3 and received none");
	assert_contains(f->evidence, "answered: the server is up, the daemon does not receive");
	/* ... but not right after the start */
	x->s.sources[2].pkts_sent = 1;
	judge(x);
	find(&x->r, "servers", DOCTOR_OK);
	done(x);

	/* a pool: one address of two answers */
	x = healthy();
	add_conf_server(&x->s, "pool.example", 10);
	x->ev.n_servers = doctor_servers(&x->s, x->servers, DOCTOR_MAX_SERVERS);
	add_own(x, "pool.example", "198.51.100.1", NULL, NULL, 4);
	t = add_own(x, "pool.example", "198.51.100.2", NULL, NULL, 0);
	t->status = QUERY_TIMEOUT;
	judge(x);
	f = find(&x->r, "servers", DOCTOR_WARN);
	assert_string_equal(f->title, "pool.example: 1 of 2 addresses answer");
	done(x);

	/* nothing measured; no servers */
	x = healthy();
	x->ev.measured = false;
	judge(x);
	find(&x->r, "servers", DOCTOR_INFO);
	x->ev.n_servers = 0;
	judge(x);
	f = find(&x->r, "servers", DOCTOR_INFO);
	assert_string_equal(f->title, "no servers to measure");
	done(x);
}

static void
test_doctor_servers_list(void **state)
{
	struct fx *x = healthy();
	struct doctor_server out[4];
	struct daemonconf *c = &x->s.svc[SNAP_CHRONYD].conf;

	(void)state;
	add_conf_server(&x->s, "192.0.2.1", 20); /* the same again: once */
	add_conf_server(&x->s, "PHC", 21);
	c->sources[c->n_sources - 1].kind = DAEMONCONF_REFCLOCK;
	assert_int_equal(doctor_servers(&x->s, out, 4), 3);
	assert_string_equal(out[2].where, "chrony.conf:9");
	assert_int_equal(doctor_servers(&x->s, out, 2), 2);
	/* without a configuration: the daemon's sources with an address */
	c->n_sources = 0;
	snprintf(x->s.sources[1].addr, sizeof(x->s.sources[1].addr), "ID#0000000001");
	assert_int_equal(doctor_servers(&x->s, out, 4), 2);
	assert_string_equal(out[1].name, "192.0.2.3");
	assert_string_equal(out[1].where, "");
	x->s.primary = -1;
	assert_int_equal(doctor_servers(&x->s, out, 4), 0);
	done(x);
}

static void
test_counters_and_reach(void **state)
{
	struct fx *x = healthy();
	struct snap_source *src = &x->s.sources[1];
	const struct doctor_finding *f;

	(void)state;
	/* received, none valid: chrony's failed tests say why */
	src->reach = 0;
	src->pkts_valid = 0;
	src->ntp_tests = 0x3ff & ~0x20; /* test6 failed */
	judge(x);
	f = find(&x->r, "counters", DOCTOR_FAIL);
	assert_string_equal(f->title, "chronyd received 40 packets from 192.0.2.2, none valid");
	f = find(&x->r, "reach", DOCTOR_FAIL);
	assert_string_equal(f->title,
	    "192.0.2.2: reach 0 while packets arrive: chronyd discards "
	    "them");
	assert_contains(f->evidence,
	    "test6 failed: expected server synchronised (leap not 3, stratum 1-15)");
	done(x);

	/* ntpd: the flash bits */
	x = healthy();
	src = &x->s.sources[0];
	x->s.primary = SNAP_NTPD;
	x->s.svc[SNAP_NTPD] = x->s.svc[SNAP_CHRONYD];
	x->s.svc[SNAP_NTPD].daemon = SNAP_NTPD;
	memset(&x->s.svc[SNAP_NTPD].conf, 0, sizeof(x->s.svc[0].conf));
	daemonconf_init(&x->s.svc[SNAP_NTPD].conf);
	x->s.svc[SNAP_CHRONYD].running = false;
	for (size_t i = 0; i < x->s.n_sources; i++) {
		x->s.sources[i].ntp_tests = -1;
		x->s.sources[i].pkts_valid = -1;
		x->s.sources[i].flash = 0;
	}
	src->reach = 0;
	src->flash = 0x1020; /* pkt_stratum, peer_unreach */
	judge(x);
	f = find(&x->r, "reach", DOCTOR_FAIL);
	assert_contains(f->evidence,
	    "flash pkt_stratum: the server is unsynchronized or its "
	    "stratum too high");
	assert_contains(f->evidence, "flash peer_unreach: unreachable");
	assert_double_exact(datum(f, "flash"), 0x1020);
	/* nothing at all received: not a flash problem */
	src->flash = 0x1000;
	src->pkts_received = 0;
	judge(x);
	f = find(&x->r, "reach", DOCTOR_WARN);
	assert_string_equal(f->title, "192.0.2.1: reach 0: no valid answer in the last 8 polls");
	f = find(&x->r, "counters", DOCTOR_FAIL);
	assert_contains(f->title, "ntpd sent 40 packets to 192.0.2.1 and received none");
	done(x);

	/* lost polls; a source that has sent nothing yet; counters not known */
	x = healthy();
	x->s.sources[0].reach = 0355;
	x->s.sources[1].reach = 017; /* a young source, every poll answered */
	x->s.sources[2].pkts_sent = 0;
	judge(x);
	f = find(&x->r, "reach", DOCTOR_WARN);
	assert_string_equal(f->title,
	    "192.0.2.1: reach 355: 2 of the last 8 polls unanswered: "
	    "packets are lost");
	f = find(&x->r, "counters", DOCTOR_WARN);
	assert_string_equal(f->title, "chronyd has sent nothing to 192.0.2.3 yet");
	for (size_t i = 0; i < x->s.n_sources; i++)
		x->s.sources[i].pkts_sent = -1;
	snprintf(x->s.svc[SNAP_CHRONYD].note, sizeof(x->s.svc[0].note), "permission denied");
	judge(x);
	f = find(&x->r, "counters", DOCTOR_INFO);
	assert_contains(f->evidence, "only on its Unix socket: permission denied");
	done(x);
}

static void
test_kod(void **state)
{
	struct fx *x = healthy();
	struct query_target *t = &x->own[2];
	const struct doctor_finding *f;

	(void)state;
	t->status = QUERY_UNUSABLE;
	t->stopped = true;
	t->n_samples = 0;
	t->tests = 1u << 3;
	snprintf(t->kiss_code, sizeof(t->kiss_code), "DENY");
	judge(x);
	f = find(&x->r, "kod", DOCTOR_FAIL);
	assert_string_equal(f->title, "192.0.2.3 sent kiss-o'-death DENY: access denied");
	assert_contains(f->evidence, "clockwatch's own queries: 192.0.2.3 sent DENY");
	assert_contains(f->remedy, "access control refuses this host");
	f = find(&x->r, "servers", DOCTOR_FAIL);
	assert_string_equal(f->title, "192.0.2.3 refuses this host: kiss-o'-death DENY");
	t->stopped = false;
	t->tests = 0;
	t->status = QUERY_KOD;
	t->n_kod_rate = 2;
	judge(x);
	f = find(&x->r, "kod", DOCTOR_FAIL);
	assert_contains(f->title, "sent kiss-o'-death RATE: rate limited");
	assert_contains(f->remedy, "minpoll 6");
	done(x);

	/* ntpd's view: the peer's last event */
	x = healthy();
	snprintf(x->s.sources[1].last_event, sizeof(x->s.sources[1].last_event), "rate_exceeded");
	judge(x);
	f = find(&x->r, "kod", DOCTOR_FAIL);
	assert_contains(f->evidence, "chronyd's view: 192.0.2.2 sent RATE");
	snprintf(x->s.sources[1].last_event, sizeof(x->s.sources[1].last_event), "-");
	snprintf(x->s.sources[1].refid, sizeof(x->s.sources[1].refid), ".RSTR.");
	judge(x);
	f = find(&x->r, "kod", DOCTOR_FAIL);
	assert_contains(f->title, "kiss-o'-death RSTR: access denied");
	done(x);
}

static void
test_selection(void **state)
{
	struct fx *x = healthy();
	const struct doctor_finding *f;

	(void)state;
	/* one falseticker, synchronized all the same: named, a warning */
	x->s.sources[2].tally = 'x';
	x->s.sources[2].offset_s = 2000;
	x->own[2].tally = 'x';
	judge(x);
	f = find(&x->r, "selection", DOCTOR_WARN);
	assert_string_equal(f->title, "1 falseticker among 3 sources");
	assert_contains(f->evidence, "x192.0.2.3 (offset +2000.0000 s)");
	assert_contains(f->evidence,
	    "clockwatch's own measurement of 3 servers also finds: "
	    "192.0.2.3");
	assert_double_exact(datum(f, "falsetickers"), 1);

	/* none selected: no majority among two that disagree */
	x->s.synchronized = false;
	x->s.sources[0].tally = 'x';
	x->s.sources[1].tally = '?';
	x->s.sources[1].reach = 0;
	judge(x);
	f = find(&x->r, "selection", DOCTOR_FAIL);
	assert_string_equal(f->title, "no source selected: no majority agrees");
	assert_contains(f->evidence,
	    "2 usable sources: a majority is impossible with fewer than 3");
	assert_contains(f->evidence, "unusable: ?192.0.2.2");
	assert_contains(f->remedy, "at least four");
	/* three usable, none agreeing */
	x->s.sources[1].tally = 'x';
	x->s.sources[1].reach = 0377;
	judge(x);
	f = find(&x->r, "selection", DOCTOR_FAIL);
	assert_contains(f->evidence, "could not find a majority of truechimers among 3");
	done(x);

	/* two servers: fine today, but nothing could outvote a bad one */
	x = healthy();
	x->s.n_sources = 2;
	judge(x);
	f = find(&x->r, "selection", DOCTOR_INFO);
	assert_string_equal(f->title, "only 2 usable sources: a falseticker could not be outvoted");
	x->s.n_sources = 0;
	judge(x);
	find(&x->r, "selection", DOCTOR_FAIL);
	x->s.n_sources = 3;
	x->s.primary = SNAP_TIMESYNCD;
	x->s.svc[SNAP_TIMESYNCD] = x->s.svc[SNAP_CHRONYD];
	daemonconf_init(&x->s.svc[SNAP_TIMESYNCD].conf);
	x->s.svc[SNAP_CHRONYD].running = false;
	judge(x);
	f = find(&x->r, "selection", DOCTOR_INFO);
	assert_contains(f->title, "one server at a time");
	done(x);
}

static void
test_offset_chronyd(void **state)
{
	struct fx *x = healthy();
	struct daemonconf *c = &x->s.svc[SNAP_CHRONYD].conf;
	const struct doctor_finding *f;

	(void)state;
	/* 15 s behind, chronyd may not set the clock (-x): nothing corrects it */
	x->s.offset_s = 15.0;
	x->s.svc[SNAP_CHRONYD].can_set_clock = false;
	judge(x);
	f = find(&x->r, "offset", DOCTOR_FAIL);
	assert_string_equal(f->title,
	    "the clock is 15.0000 s behind: beyond the step threshold "
	    "(125.000 ms); nothing corrects it");
	assert_contains(f->evidence, "chronyd may not set the clock: it will not step or slew it");
	assert_contains(f->remedy, "Nothing corrects it");
	assert_contains(f->remedy, "clockwatch itself never steps the clock.");
	assert_contains(f->evidence, "this clock is in line with them"); /* we measured 0.2 ms */
	assert_true(isnan(datum(f, "panic_threshold_s")));

	/* with clock rights: no makestep, then makestep 1 3, then makestep 1 -1 */
	x->s.svc[SNAP_CHRONYD].can_set_clock = true;
	x->s.offset_s = -2.0;
	judge(x);
	f = find(&x->r, "offset", DOCTOR_WARN);
	assert_contains(f->title, "the clock is 2.0000 s ahead");
	assert_contains(f->evidence,
	    "chronyd slews the clock and never steps it (no makestep in "
	    "its configuration), at most 83 ms per second (maxslewrate): at least "
	    "24 s for this offset");
	assert_contains(f->remedy, "chronyc makestep");
	c->makestep_s = 1;
	c->makestep_limit = 3;
	judge(x);
	f = find(&x->r, "offset", DOCTOR_WARN);
	assert_contains(f->evidence, "only in its first 3 updates (makestep 1 3)");
	c->makestep_limit = -1;
	judge(x);
	f = find(&x->r, "offset", DOCTOR_WARN);
	assert_contains(f->evidence, "chronyd steps the clock at its next update (makestep 1 -1)");
	/* 2000 s: chronyd has no panic threshold, but it is a failure */
	c->makestep_s = -1;
	c->maxslewrate_ppm = 1000;
	x->s.offset_s = 2000;
	judge(x);
	f = find(&x->r, "offset", DOCTOR_FAIL);
	assert_contains(f->title, "beyond the panic threshold (1000 s)");
	assert_contains(f->evidence, "at most 1 ms per second (maxslewrate): at least 23.1 days");
	done(x);
}

static void
test_offset_ntpd(void **state)
{
	struct fx *x = healthy();
	const struct doctor_finding *f;

	(void)state;
	x->s.primary = SNAP_NTPD;
	x->s.svc[SNAP_NTPD] = x->s.svc[SNAP_CHRONYD];
	daemonconf_init(&x->s.svc[SNAP_NTPD].conf);
	x->s.svc[SNAP_CHRONYD].running = false;
	x->s.offset_s = 2000;
	judge(x);
	f = find(&x->r, "offset", DOCTOR_FAIL);
	assert_string_equal(f->title,
	    "the clock is 2000.0 s behind: beyond the panic threshold (1000 s)");
	assert_contains(f->evidence, "it logs and exits, unless started with -g");
	assert_contains(f->remedy, "ntpd will not fix this by itself");
	assert_contains(f->remedy, "'ntpd -gq'");
	assert_double_exact(datum(f, "panic_threshold_s"), 1000);
	x->s.offset_s = 0.5;
	judge(x);
	f = find(&x->r, "offset", DOCTOR_WARN);
	assert_contains(f->evidence,
	    "stepout interval (300 s in ntpsec 1.2 and ntpd 4.2.8; RFC "
	    "5905 and seed 000 say 900 s)");
	assert_double_exact(datum(f, "stepout_s"), 300);
	/* tinker: panic 0 disables the panic, step moves the threshold */
	x->s.svc[SNAP_NTPD].conf.panic_s = 0;
	x->s.svc[SNAP_NTPD].conf.step_s = 1.0;
	x->s.offset_s = 0.5;
	judge(x);
	find(&x->r, "offset", DOCTOR_OK);
	x->s.offset_s = 5000;
	judge(x);
	f = find(&x->r, "offset", DOCTOR_FAIL);
	assert_contains(f->title, "beyond the step threshold (1.0000 s)");
	done(x);

	/* not known */
	x = healthy();
	x->s.offset_s = NAN;
	judge(x);
	find(&x->r, "offset", DOCTOR_INFO);
	done(x);
}

static void
test_frequency(void **state)
{
	struct fx *x = healthy();
	const struct doctor_finding *f;

	(void)state;
	x->s.freq_ppm = -120;
	judge(x);
	f = find(&x->r, "frequency", DOCTOR_WARN);
	assert_string_equal(f->title, "the clock runs 120.000 ppm slow: little headroom left");
	x->s.freq_ppm = 480;
	judge(x);
	f = find(&x->r, "frequency", DOCTOR_FAIL);
	assert_contains(f->title, "close to the 500 ppm limit");
	assert_double_exact(datum(f, "frequency_ppm"), 480);
	x->s.freq_ppm = 1;

	/* the drift file: stale, missing (young and old daemon), not configured */
	x->ev.drift_mtime_ns = NOW_NS - INT64_C(5) * 3600 * 1000000000;
	judge(x);
	f = find(&x->r, "frequency", DOCTOR_WARN);
	assert_string_equal(f->title,
	    "the drift file /var/lib/chrony/drift is stale: written 5.0 h "
	    "ago");
	assert_double_exact(datum(f, "drift_file_age_s"), 18000);
	x->s.svc[SNAP_CHRONYD].uptime_s = 3600; /* restarted since: not stale */
	judge(x);
	assert_int_equal(x->r.worst, DOCTOR_OK);
	x->ev.drift_err = -ENOENT;
	judge(x);
	f = find(&x->r, "frequency", DOCTOR_INFO);
	assert_contains(f->title, "does not exist yet");
	x->s.svc[SNAP_CHRONYD].uptime_s = 86400;
	judge(x);
	f = find(&x->r, "frequency", DOCTOR_WARN);
	assert_contains(f->remedy, "may write to /var/lib/chrony/drift's directory");
	x->ev.drift_err = -EACCES;
	judge(x);
	f = find(&x->r, "frequency", DOCTOR_INFO);
	assert_contains(f->evidence, "Permission denied");
	x->s.svc[SNAP_CHRONYD].conf.driftfile[0] = '\0';
	judge(x);
	f = find(&x->r, "frequency", DOCTOR_INFO);
	assert_string_equal(f->title, "no drift file is configured");
	done(x);
}

static void
test_network(void **state)
{
	struct fx *x = healthy();
	const struct doctor_finding *f;
	static const double congested[] = {0.010, 0.060, 0.015, 0.090};
	static const double steady_o[] = {0.001, 0.001, 0.001, 0.001};
	static const double asym_d[] = {0.020, 0.040, 0.060, 0.080};
	static const double asym_o[] = {0.001, 0.011, 0.021, 0.031};

	(void)state;
	query_target_fini(&x->own[0]);
	x->ev.n_own = 0;
	add_own(x, "192.0.2.1", "192.0.2.1", congested, steady_o, 4);
	x->ev.n_own = 3;
	judge(x);
	f = find(&x->r, "network", DOCTOR_WARN);
	assert_string_equal(f->title,
	    "192.0.2.1: the delay varies widely: the path is congested "
	    "or lossy");
	assert_contains(f->evidence, "delay 10.000 ms to 90.000 ms over 4 samples");
	assert_contains(f->remedy, "half the delay (45.000 ms)");
	query_target_fini(&x->own[0]);
	x->ev.n_own = 0;
	add_own(x, "192.0.2.1", "192.0.2.1", asym_d, asym_o, 4);
	x->ev.n_own = 3;
	judge(x);
	f = find(&x->r, "network", DOCTOR_WARN);
	assert_contains(f->title, "the offset follows the delay: asymmetric path suspected");
	assert_contains(f->evidence, "correlation +1.00");
	done(x);

	/* ntpd's filter register, and nothing measured at all */
	x = healthy();
	x->ev.n_own = 0;
	for (size_t i = 0; i < 3; i++)
		query_target_fini(&x->own[i]);
	judge(x);
	find(&x->r, "network", DOCTOR_INFO);
	struct snap_source *src = &x->s.sources[0];
	src->n_filter = 4;
	memcpy(src->filt_delay_s, congested, sizeof(congested));
	memcpy(src->filt_offset_s, steady_o, sizeof(steady_o));
	judge(x);
	f = find(&x->r, "network", DOCTOR_WARN);
	assert_contains(f->evidence, "ntpd's filter register: delay 10.000 ms to 90.000 ms");
	done(x);
}

static void
test_kernel(void **state)
{
	struct fx *x = healthy();
	const struct doctor_finding *f;

	(void)state;
	x->s.kernel.state = KCLOCK_ERROR;
	x->s.kernel.unsync = true;
	x->s.kernel.status = 0x40;
	x->s.svc[SNAP_CHRONYD].conf.rtcsync = false;
	judge(x);
	f = find(&x->r, "kernel", DOCTOR_WARN);
	assert_string_equal(f->title,
	    "the kernel says unsynchronized (TIME_ERROR) while chronyd is synchronized");
	assert_contains(f->remedy, "Add 'rtcsync' to chrony.conf");
	assert_contains(f->evidence, "TIME_ERROR, status UNSYNC, maxerror 0.010 s");
	/* chronyd -x never touches the kernel */
	x->s.svc[SNAP_CHRONYD].can_set_clock = false;
	judge(x);
	f = find(&x->r, "kernel", DOCTOR_INFO);
	assert_contains(f->evidence, "does not update the kernel's state either");
	/* not synchronized: the kernel agrees */
	x->s.synchronized = false;
	judge(x);
	f = find(&x->r, "kernel", DOCTOR_INFO);
	assert_contains(f->title, "the kernel agrees");
	x->s.kernel.status = 0x1000;
	judge(x);
	find(&x->r, "kernel", DOCTOR_FAIL);
	done(x);

	/* leap seconds: a minority of sources; the kernel armed alone; everyone agreeing */
	x = healthy();
	x->s.sources[0].leap = 1;
	judge(x);
	f = find(&x->r, "kernel", DOCTOR_WARN);
	assert_string_equal(f->title, "a leap second is announced by 1 of 6 sources: a minority");
	for (size_t i = 0; i < 3; i++) {
		x->s.sources[i].leap = 1;
		x->own[i].reply.leap = 1;
	}
	x->s.leap = SNAP_LEAP_INSERT;
	x->s.kernel.state = KCLOCK_INS;
	judge(x);
	f = find(&x->r, "kernel", DOCTOR_INFO);
	assert_string_equal(f->title, "a leap second is due at the end of this UTC day");
	assert_double_exact(datum(f, "sources_announcing"), 6);
	for (size_t i = 0; i < 3; i++) {
		x->s.sources[i].leap = 0;
		x->own[i].reply.leap = 0;
	}
	x->s.leap = SNAP_LEAP_NONE;
	judge(x);
	f = find(&x->r, "kernel", DOCTOR_WARN);
	assert_contains(f->title, "the kernel has a leap second armed that chronyd does not");
	x->s.have_kernel = false;
	x->s.kernel_err = -EPERM;
	judge(x);
	find(&x->r, "kernel", DOCTOR_INFO);
	done(x);
}

/* Every line at most 80 columns, unless it is one word too long to break. */
static void
assert_fits(const char *text)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > 80) {
			const char *last = p + len;
			while (last > p && last[-1] != ' ')
				last--;
			const char *first = p;
			while (first < p + len && *first == ' ')
				first++;
			if (memchr(first, ' ', (size_t)(p + len - first)) && last - p < 80)
				fail_msg("line over 80 columns: %.*s", (int)len, p);
		}
		p += len + (nl ? 1 : 0);
	}
}

static void
test_render_text(void **state)
{
	struct fx *x = healthy();
	struct buf b = {0};

	(void)state;
	x->s.offset_s = 15;
	x->s.svc[SNAP_CHRONYD].can_set_clock = false;
	x->s.svc[SNAP_NTPD].running = true;
	judge(x);
	out_doctor_text(&b, &x->r, false);
	assert_fits(b.data);
	assert_contains(b.data,
	    "clockwatch doctor: chronyd\n\n[FAIL] service    chronyd and ntpd "
	    "both run: they fight over the clock\n"
	    "       evidence:  chronyd: pid 321, may not set the clock now");
	assert_contains(b.data,
	    "\n[ok]   port       /etc/services names UDP port 123 ntp\n"
	    "       evidence:  line 2: ntp 123/udp\n");
	assert_contains(b.data, "       remedy:    Nothing corrects it:");
	assert_contains(b.data, "\nworst: fail (");
	assert_null(strchr(b.data, '\033'));
	buf_reset(&b);
	out_doctor_text(&b, &x->r, true);
	assert_contains(b.data, "\033[1;31m[FAIL]\033[0m service ");
	assert_contains(b.data, "\033[32m[ok]  \033[0m port");
	buf_free(&b);
	done(x);
}

static void
test_render_json(void **state)
{
	struct fx *x = healthy();
	struct buf b = {0};
	json_error_t err;

	(void)state;
	x->s.freq_ppm = 200;
	judge(x);
	out_doctor_json(&b, &x->r);
	json_t *root = json_loads(b.data, 0, &err);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "schema")),
	    "clockwatch.doctor/1");
	assert_string_equal(json_string_value(json_object_get(root, "service")), "chronyd");
	assert_string_equal(json_string_value(json_object_get(root, "worst")), "warn");
	json_t *list = json_object_get(root, "findings"), *f;
	size_t i;
	assert_int_equal(json_array_size(list), x->r.n);
	json_array_foreach(list, i, f)
	{
		assert_int_equal(json_object_size(f), 6);
		assert_true(json_is_string(json_object_get(f, "id")));
		assert_true(json_is_string(json_object_get(f, "title")));
		const char *level = json_string_value(json_object_get(f, "level"));
		assert_true(!strcmp(level, "ok") || !strcmp(level, "info") ||
		    !strcmp(level, "warn") || !strcmp(level, "fail"));
		json_t *ev = json_object_get(f, "evidence"), *rem = json_object_get(f, "remedy");
		assert_true(json_is_string(ev) || json_is_null(ev));
		assert_true(json_is_string(rem) || json_is_null(rem));
		assert_true(json_is_object(json_object_get(f, "data")));
		if (!strcmp(json_string_value(json_object_get(f, "id")), "frequency")) {
			json_t *d = json_object_get(f, "data");
			assert_double_exact(json_number_value(json_object_get(d, "frequency_ppm")),
			    200);
			assert_true(json_is_integer(json_object_get(d, "limit_ppm")));
			assert_false(
			    json_string_value(rem)[strlen(json_string_value(rem)) - 1] == '\n');
		}
		if (!strcmp(json_string_value(json_object_get(f, "id")), "offset"))
			assert_true(json_is_null(
			    json_object_get(json_object_get(f, "data"), "panic_threshold_s")));
	}
	json_decref(root);
	buf_free(&b);
	done(x);
}

static void
test_bounds(void **state)
{
	struct fx *x = healthy();
	struct doctor_finding *f;

	(void)state;
	memset(&x->r, 0, sizeof(x->r));
	for (int i = 0; i < DOCTOR_MAX_FINDINGS + 5; i++)
		f = doctor_add(&x->r, "servers", DOCTOR_WARN, "%d", i);
	assert_int_equal(x->r.n, DOCTOR_MAX_FINDINGS);
	assert_int_equal(x->r.n_dropped, 5);
	assert_ptr_equal(f, &x->r.overflow);
	for (int i = 0; i < 400; i++)
		doctor_seen(f, "a long line of evidence number %d", i);
	assert_true(strlen(f->evidence) < DOCTOR_TEXT_MAX);
	for (int i = 0; i < DOCTOR_DATA_MAX + 3; i++)
		doctor_num(f, "n", i);
	assert_int_equal(f->n_data, DOCTOR_DATA_MAX);
	assert_string_equal(doctor_level_name((enum doctor_level)9), "?");
	assert_int_equal(doctor_exit_status(DOCTOR_WARN), 1);
	assert_int_equal(doctor_exit_status(DOCTOR_INFO), 0);
	char age[32];
	assert_string_equal(doctor_fmt_age(age, sizeof(age), 90), "90 s");
	assert_string_equal(doctor_fmt_age(age, sizeof(age), 600), "10 min");
	assert_string_equal(doctor_fmt_age(age, sizeof(age), NAN), "an unknown time");
	done(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_healthy),
	    cmocka_unit_test(test_service),
	    cmocka_unit_test(test_port),
	    cmocka_unit_test(test_firewall),
	    cmocka_unit_test(test_servers),
	    cmocka_unit_test(test_doctor_servers_list),
	    cmocka_unit_test(test_counters_and_reach),
	    cmocka_unit_test(test_kod),
	    cmocka_unit_test(test_selection),
	    cmocka_unit_test(test_offset_chronyd),
	    cmocka_unit_test(test_offset_ntpd),
	    cmocka_unit_test(test_frequency),
	    cmocka_unit_test(test_network),
	    cmocka_unit_test(test_kernel),
	    cmocka_unit_test(test_render_text),
	    cmocka_unit_test(test_render_json),
	    cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
