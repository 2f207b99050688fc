/* doctor.c: the checklist's order and the findings about the host as a whole: which service
 * runs, the service port, the firewall, the offset and what the daemon will do about it, the
 * frequency and the drift file, the kernel's state. The findings about each source are in
 * doctor_net.c. Claims about what a daemon does next are those of chrony 4.3 and ntpsec 1.2. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "attribute.h"
#include "doctor.h"
#include "doctor_net.h"
#include "doctor_sel.h"
#include "kclock.h"
#include "macros.h"
#include "query.h"
#include "services_file.h"
#include "snapshot.h"
#include "strutil.h"

#define CHRONY_MAXSLEWRATE_PPM 83333.333 /* chronyd's default maxslewrate */
#define NTPD_STEPOUT_S 300.0             /* ntpsec 1.2 and ntpd 4.2.8 in code (RFC: 900) */
#define TIMESYNCD_STEP_S 0.4             /* timesyncd steps above, slews below */
#define CRITICAL_S 10.0                  /* seed 001's Critical offset */

static const char *const ids[] = {"service", "port", "firewall", "servers", "counters", "reach",
    "kod", "selection", "offset", "frequency", "network", "kernel", NULL};

const char *const *
doctor_ids(void)
{
	return ids;
}

const char *
doctor_level_name(enum doctor_level l)
{
	static const char *const names[] = {"ok", "info", "warn", "fail"};

	return (unsigned)l < CW_ARRAY_LEN(names) ? names[l] : "?";
}

int
doctor_exit_status(enum doctor_level worst)
{
	return worst == DOCTOR_FAIL ? 2 : worst == DOCTOR_WARN ? 1 : 0;
}

/* ---- building findings ---- */

struct doctor_finding *
doctor_add(struct doctor_report *r, const char *id, enum doctor_level l, const char *fmt, ...)
{
	struct doctor_finding *f = &r->overflow;
	va_list ap;

	if (r->n < DOCTOR_MAX_FINDINGS)
		f = &r->f[r->n++];
	else
		r->n_dropped++;
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->level = l;
	if (l > r->worst)
		r->worst = l;
	va_start(ap, fmt);
	vsnprintf(f->title, sizeof(f->title), fmt, ap);
	va_end(ap);
	return f;
}

static void CW_PRINTF(3, 0) __attribute__((nonnull))
append_line(char *dst, size_t cap, const char *fmt, va_list ap)
{
	size_t used = strlen(dst);

	if (used + 2 >= cap)
		return;
	vsnprintf(dst + used, cap - used - 1, fmt, ap);
	used = strlen(dst);
	dst[used] = '\n';
	dst[used + 1] = '\0';
}

void
doctor_seen(struct doctor_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append_line(f->evidence, sizeof(f->evidence), fmt, ap);
	va_end(ap);
}

void
doctor_fix(struct doctor_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append_line(f->remedy, sizeof(f->remedy), fmt, ap);
	va_end(ap);
}

void
doctor_num(struct doctor_finding *f, const char *name, double v)
{
	if (f->n_data >= DOCTOR_DATA_MAX)
		return;
	snprintf(f->data[f->n_data].name, sizeof(f->data[0].name), "%s", name);
	f->data[f->n_data++].value = v;
}

char *
doctor_fmt_age(char *buf, size_t len, double s)
{
	if (!isfinite(s))
		snprintf(buf, len, "an unknown time");
	else if (s < 120)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0f min", s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, len, "%.1f h", s / 3600);
	else
		snprintf(buf, len, "%.1f days", s / 86400);
	return buf;
}

const char *
doctor_daemon(const struct snapshot *s)
{
	return s->primary >= 0 ? snapshot_daemon_name((enum snap_daemon)s->primary) : "the daemon";
}

/* ---- service ---- */

static void
several_services(struct doctor_report *r, const struct snapshot *s, const char *names, int n)
{
	struct doctor_finding *f = doctor_add(r, "service", DOCTOR_FAIL,
	    "%s %s run: they fight over the clock", names, n > 2 ? "all" : "both");
	int may = 0;

	for (int d = 0; d < SNAP_N_DAEMONS; d++) {
		const struct snap_service *svc = &s->svc[d];
		if (!svc->running)
			continue;
		may += svc->can_set_clock;
		doctor_seen(f, "%s: pid %d%s, %s%s", snapshot_daemon_name((enum snap_daemon)d),
		    svc->pid, svc->n_running > 1 ? " and more" : "",
		    svc->can_set_clock ? "may set the clock" : "may not set the clock now",
		    svc->can_set_clock      ? ""
		        : d == SNAP_CHRONYD ? " (-x or no CAP_SYS_TIME)"
		                            : " (no CAP_SYS_TIME)");
	}
	if (may == 1)
		doctor_seen(f,
		    "only one may set the clock now; the others would fight it as soon "
		    "as they could");
	else if (may == 0)
		doctor_seen(f,
		    "none of them may set the clock now; each would fight the others as "
		    "soon as it could");
	doctor_fix(f,
	    "Keep one time service: stop and disable the others (for example "
	    "'systemctl disable --now ntpsec'). Two daemons that may set the clock "
	    "undo each other's corrections.");
	doctor_num(f, "services_running", n);
}

static void
no_service(struct doctor_report *r, const struct snapshot *s)
{
	char inst[96] = "";
	size_t o = 0;

	for (int d = 0; d < SNAP_N_DAEMONS; d++)
		if (s->svc[d].installed && o < sizeof(inst))
			o += (size_t)snprintf(inst + o, sizeof(inst) - o, "%s%s", o ? ", " : "",
			    snapshot_daemon_name((enum snap_daemon)d));
	if (s->primary >= 0 && s->svc[s->primary].answering) {
		struct doctor_finding *f = doctor_add(r, "service", DOCTOR_INFO,
		    "no time service process is visible here, but %s answers", doctor_daemon(s));
		doctor_seen(f, "%s answers at %s (in another container or PID namespace?)",
		    doctor_daemon(s), s->svc[s->primary].endpoint);
		return;
	}
	struct doctor_finding *f = doctor_add(r, "service", DOCTOR_FAIL,
	    "no time service runs: nothing keeps this clock right");
	doctor_seen(f, "no chronyd, ntpd or systemd-timesyncd process; installed: %s",
	    inst[0] ? inst : "none of them");
	doctor_fix(f,
	    "Install and enable one time service (chrony, ntpsec or "
	    "systemd-timesyncd), and only one.");
	doctor_num(f, "services_running", 0);
}

static void
not_answering(struct doctor_report *r, const struct snapshot *s)
{
	const struct snap_service *svc = &s->svc[s->primary];
	struct doctor_finding *f = doctor_add(r, "service", DOCTOR_WARN,
	    "%s does not answer clockwatch", doctor_daemon(s));

	doctor_seen(f, "%s", svc->error[0] ? svc->error : "no reason known");
	doctor_seen(f,
	    "without its answers the daemon's own view (sources, counters, "
	    "offset) cannot be checked");
	if (s->primary == SNAP_CHRONYD)
		doctor_fix(f,
		    "Run clockwatch as root or as chronyd's user (its Unix socket), or "
		    "let chronyd answer on its command port (cmdport, bindcmdaddress).");
	else if (s->primary == SNAP_NTPD)
		doctor_fix(f,
		    "Allow mode 6 queries from this host: 'restrict 127.0.0.1' without "
		    "noquery in ntp.conf.");
	else
		doctor_fix(f, "Check that systemd-timesyncd runs and that the system bus answers.");
}

static void
clock_rights(struct doctor_report *r, const struct snapshot *s)
{
	const struct snap_service *svc = &s->svc[s->primary];
	bool right_now = s->have_system && s->synchronized && isfinite(s->offset_s) &&
	    fabs(s->offset_s) <= DOCTOR_STEP_S;
	char off[32];

	if (!svc->running || svc->can_set_clock)
		return;
	struct doctor_finding *f = doctor_add(r, "service", right_now ? DOCTOR_INFO : DOCTOR_WARN,
	    "%s may not set the clock: it only watches", doctor_daemon(s));
	doctor_seen(f, "pid %d holds no CAP_SYS_TIME%s", svc->pid,
	    s->primary == SNAP_CHRONYD ? ", or chronyd was started with -x" : "");
	strutil_fmt_seconds(off, sizeof(off), s->offset_s, true);
	if (right_now)
		doctor_seen(f,
		    "the clock is right now (offset %s), but nothing here would "
		    "correct it if it drifted",
		    off);
	else
		doctor_seen(f, "offset %s, %s: nothing here corrects it", off,
		    s->synchronized ? "beyond the step threshold" : "not synchronized");
	doctor_fix(f,
	    "If this host should keep its own time, start %s with the right to set "
	    "the clock (%sCAP_SYS_TIME, as the distribution's unit does). If the clock "
	    "is kept elsewhere (the VM's or container's host), this is expected.",
	    doctor_daemon(s), s->primary == SNAP_CHRONYD ? "without -x, with " : "with ");
}

/* "chronyd", "chronyd and ntpd", "chronyd, ntpd and systemd-timesyncd"; returns how many. */
static int
running_names(const struct snapshot *s, char *names, size_t len)
{
	int total = 0, k = 0;
	size_t o = 0;

	for (int d = 0; d < SNAP_N_DAEMONS; d++)
		total += s->svc[d].running;
	names[0] = '\0';
	for (int d = 0; d < SNAP_N_DAEMONS && o < len; d++) {
		if (!s->svc[d].running)
			continue;
		k++;
		o += (size_t)snprintf(names + o, len - o, "%s%s",
		    k == 1           ? ""
		        : k == total ? " and "
		                     : ", ",
		    snapshot_daemon_name((enum snap_daemon)d));
	}
	return total;
}

static void
judge_service(struct doctor_report *r, const struct snapshot *s)
{
	char names[96];
	int n = running_names(s, names, sizeof(names));

	if (n == 0) {
		no_service(r, s);
		return;
	}
	if (n > 1) {
		several_services(r, s, names, n);
	} else {
		const struct snap_service *svc = &s->svc[s->primary >= 0 ? s->primary : 0];
		char up[32];
		struct doctor_finding *f = doctor_add(r, "service", DOCTOR_OK,
		    "%s runs, the only time service (pid %d)", names, svc->pid);
		doctor_seen(f, "pid %d, up %s; configuration %s", svc->pid,
		    doctor_fmt_age(up, sizeof(up), svc->uptime_s),
		    svc->conf_path[0] ? svc->conf_path : "not found");
		if (svc->n_running > 1)
			doctor_seen(f,
			    "%d %s processes (containers or test instances?); this "
			    "one matches the configuration asked for",
			    svc->n_running, names);
		if (svc->answering)
			doctor_seen(f, "answering at %s", svc->endpoint);
		doctor_num(f, "services_running", 1);
		doctor_num(f, "pid", svc->pid);
		doctor_num(f, "uptime_s", svc->uptime_s);
	}
	if (s->primary < 0)
		return;
	if (!s->svc[s->primary].answering)
		not_answering(r, s);
	else
		clock_rights(r, s);
}

/* ---- port ---- */

static void
judge_port(struct doctor_report *r, const struct doctor_evidence *ev)
{
	const char *path = ev->services_path ? ev->services_path : "/etc/services";
	struct services_entry e, owner;
	struct doctor_finding *f;

	if (ev->services_err || !ev->services_text) {
		f = doctor_add(r, "port", DOCTOR_INFO, "could not read %s", path);
		doctor_seen(f, "%s", strerror(ev->services_err ? -ev->services_err : ENOENT));
		return;
	}
	bool named = services_file_find_name(ev->services_text, ev->services_len, "ntp", "udp", &e);
	bool owned =
	    services_file_find_port(ev->services_text, ev->services_len, 123, "udp", &owner);
	if (named && e.port == 123) {
		f = doctor_add(r, "port", DOCTOR_OK, "%s names UDP port 123 ntp", path);
		doctor_seen(f, "line %u: %s %u/%s", e.line, e.name, e.port, e.proto);
		doctor_num(f, "port", 123);
		return;
	}
	if (named)
		f = doctor_add(r, "port", DOCTOR_WARN, "%s gives ntp UDP port %u, not 123", path,
		    e.port);
	else if (owned)
		f = doctor_add(r, "port", DOCTOR_WARN, "%s names UDP port 123 '%s', not ntp", path,
		    owner.name);
	else
		f = doctor_add(r, "port", DOCTOR_WARN, "%s has no ntp entry for UDP port 123",
		    path);
	if (named)
		doctor_seen(f, "line %u: %s %u/%s", e.line, e.name, e.port, e.proto);
	if (owned)
		doctor_seen(f, "line %u: %s %u/%s", owner.line, owner.name, owner.port,
		    owner.proto);
	doctor_fix(f,
	    "Add the line 'ntp 123/udp # Network Time Protocol' to %s: programs that "
	    "look the port up by name find it there. NTP uses UDP only, never TCP.",
	    path);
	doctor_num(f, "port", named ? e.port : NAN);
}

/* ---- firewall ---- */

static void
fw_not_read(struct doctor_report *r, const struct doctor_firewall *fw)
{
	struct doctor_finding *f;

	if (fw->state == DOCTOR_FW_NOT_BUILT) {
		f = doctor_add(r, "firewall", DOCTOR_INFO,
		    "the firewall was not checked: clockwatch was built without libnftables");
	} else if (fw->state == DOCTOR_FW_NO_PERMISSION) {
		f = doctor_add(r, "firewall", DOCTOR_INFO,
		    "could not read the firewall (needs root)");
		doctor_seen(f, "reading the nftables ruleset needs CAP_NET_ADMIN");
		doctor_fix(f, "Run clockwatch doctor as root to include the firewall.");
	} else {
		f = doctor_add(r, "firewall", DOCTOR_INFO, "could not read the firewall");
		doctor_seen(f, "%s", fw->error);
	}
}

static void
judge_firewall(struct doctor_report *r, const struct doctor_evidence *ev)
{
	const struct doctor_firewall *fw = ev->fw;
	struct doctor_finding *f;

	if (!fw)
		return;
	if (fw->state != DOCTOR_FW_READ) {
		fw_not_read(r, fw);
		return;
	}
	const struct nftrules_result *nr = &fw->rules;
	if (nr->n_found == 0) {
		f = doctor_add(r, "firewall", fw->legacy_tables[0] ? DOCTOR_INFO : DOCTOR_OK,
		    "no nftables rule drops UDP port 123");
		doctor_seen(f, "%zu tables, %zu chains, %zu rules read", nr->n_tables, nr->n_chains,
		    nr->n_rules);
		if (fw->legacy_tables[0]) {
			doctor_seen(f,
			    "legacy iptables tables are loaded (%s): clockwatch reads "
			    "only nftables (iptables-nft rules are in it)",
			    fw->legacy_tables);
			doctor_fix(f, "Look at them with 'iptables-legacy -L -n -v'.");
		}
		doctor_num(f, "rules", (double)nr->n_rules);
		doctor_num(f, "dropping_rules", 0);
		return;
	}
	bool whole = false;
	for (size_t i = 0; i < nr->n_hits; i++)
		whole |= !nr->hits[i].is_partial;
	f = doctor_add(r, "firewall", whole ? DOCTOR_FAIL : DOCTOR_WARN,
	    "the local firewall drops %sUDP port 123: %zu rule%s", whole ? "" : "some ",
	    nr->n_found, nr->n_found == 1 ? "" : "s");
	for (size_t i = 0; i < nr->n_hits; i++) {
		const struct nftrules_hit *h = &nr->hits[i];
		char handle[32] = "";
		if (h->handle >= 0)
			snprintf(handle, sizeof(handle), " [handle %lld]", (long long)h->handle);
		doctor_seen(f, "%s %s %s (%s%s): %s%s%s", h->family, h->table, h->chain,
		    h->hook[0] ? "hook " : "jumped to", h->hook, h->text, handle,
		    h->is_partial ? " (only some packets: other conditions)" : "");
	}
	const struct nftrules_hit *h = &nr->hits[0];
	if (h->is_policy)
		doctor_fix(f,
		    "Accept NTP before the chain ends: 'nft insert rule %s %s %s udp "
		    "sport 123 accept' and the same with dport.",
		    h->family, h->table, h->chain);
	else
		doctor_fix(f,
		    "Delete the rule ('nft delete rule %s %s %s handle %lld') or accept "
		    "UDP port 123 before it. A client needs UDP to port 123 out and from "
		    "port 123 back in.",
		    h->family, h->table, h->chain, (long long)h->handle);
	doctor_num(f, "rules", (double)nr->n_rules);
	doctor_num(f, "dropping_rules", (double)nr->n_found);
}

/* ---- offset ---- */

/* What the daemon does next about an offset of mag seconds, in one sentence. */
static void
next_step(struct doctor_finding *f, const struct snapshot *s, double mag, double step_s,
    double panic_s)
{
	const struct daemonconf *c = &s->svc[s->primary].conf;
	char t[32];

	if (s->primary == SNAP_NTPD) {
		if (panic_s > 0 && mag >= panic_s)
			doctor_seen(f,
			    "ntpd does not correct an offset over the panic threshold "
			    "(%.0f s): it logs and exits, unless started with -g, which "
			    "allows one such correction when it starts",
			    panic_s);
		else if (mag > step_s)
			doctor_seen(f,
			    "ntpd takes it for a spike at first; when it lasts past the "
			    "stepout interval (%.0f s%s; RFC 5905 and seed 000 say "
			    "900 s) ntpd steps the clock, then needs four good samples "
			    "again",
			    c->stepout_s >= 0 ? c->stepout_s : NTPD_STEPOUT_S,
			    c->stepout_s >= 0 ? ", tinker stepout"
			                      : " in ntpsec 1.2 and ntpd 4.2.8");
		return;
	}
	if (s->primary == SNAP_TIMESYNCD) {
		doctor_seen(f,
		    "systemd-timesyncd steps the clock when the offset is over %.1f s "
		    "and slews below",
		    TIMESYNCD_STEP_S);
		return;
	}
	double rate = (c->maxslewrate_ppm > 0 ? c->maxslewrate_ppm : CHRONY_MAXSLEWRATE_PPM) * 1e-6;
	doctor_fmt_age(t, sizeof(t), mag / rate);
	if (c->makestep_s >= 0 && mag > c->makestep_s && c->makestep_limit < 0)
		doctor_seen(f, "chronyd steps the clock at its next update (makestep %g -1)",
		    c->makestep_s);
	else if (c->makestep_s >= 0 && mag > c->makestep_s)
		doctor_seen(f,
		    "chronyd steps the clock only in its first %d updates (makestep "
		    "%g %d); after those it slews, at most %.0f ms per second: at least %s for "
		    "this offset",
		    c->makestep_limit, c->makestep_s, c->makestep_limit, rate * 1e3, t);
	else
		doctor_seen(f,
		    "chronyd slews the clock%s, at most %.0f ms per second "
		    "(maxslewrate): at least %s for this offset",
		    c->makestep_s < 0 ? " and never steps it (no makestep in its configuration)"
		                      : "",
		    rate * 1e3, t);
}

static void
offset_remedy(struct doctor_finding *f, const struct snapshot *s, bool may_set, bool panic)
{
	if (!may_set)
		doctor_fix(f,
		    "Nothing corrects it: %s may not set the clock. Give it the right "
		    "(%sCAP_SYS_TIME) or correct the clock where it is kept.",
		    doctor_daemon(s), s->primary == SNAP_CHRONYD ? "no -x, " : "");
	else if (s->primary == SNAP_CHRONYD)
		doctor_fix(f,
		    "To step it now, as root: 'chronyc makestep'. For the future, "
		    "'makestep 1 3' in chrony.conf lets chronyd step at start.");
	else if (s->primary == SNAP_NTPD)
		doctor_fix(f,
		    "%sStop ntpd, run 'ntpd -gq' once (it sets the clock and exits), "
		    "then start ntpd again; or start ntpd with -g.",
		    panic ? "ntpd will not fix this by itself. " : "");
	else
		doctor_fix(f,
		    "Let systemd-timesyncd step it, or set the clock once by hand from a "
		    "good source.");
	doctor_fix(f, "clockwatch itself never steps the clock.");
}

static void
own_offset(struct doctor_finding *f, const struct snapshot *s, const struct doctor_evidence *ev)
{
	double own[DOCTOR_MAX_SERVERS * 4];
	size_t n = 0;
	char why[400];

	for (size_t i = 0; i < ev->n_own && n < CW_ARRAY_LEN(own); i++)
		if (ev->own[i].status == QUERY_OK && ev->own[i].tally != 'x')
			own[n++] = ev->own[i].filt.offset_s;
	if (n == 0)
		return;
	attribute_judge(doctor_daemon(s), s->offset_s, own, n, why, sizeof(why));
	doctor_seen(f, "%s", why);
}

static void
judge_offset(struct doctor_report *r, const struct snapshot *s, const struct doctor_evidence *ev)
{
	struct doctor_finding *f;
	char off[32], thr[32];

	if (s->primary < 0 || !s->have_system || !isfinite(s->offset_s)) {
		f = doctor_add(r, "offset", DOCTOR_INFO, "the daemon's offset is not known");
		doctor_seen(f, "%s gave no offset", doctor_daemon(s));
		return;
	}
	const struct snap_service *svc = &s->svc[s->primary];
	const struct daemonconf *c = &svc->conf;
	bool ntpd = s->primary == SNAP_NTPD;
	double step = ntpd && c->step_s >= 0 ? c->step_s : DOCTOR_STEP_S;
	double panic = ntpd && c->panic_s >= 0 ? c->panic_s : DOCTOR_PANIC_S;
	double mag = fabs(s->offset_s);
	bool may_set = !svc->running || svc->can_set_clock;
	bool is_panic = panic > 0 && mag >= panic;
	const char *dir = s->offset_s > 0 ? "behind" : "ahead";

	strutil_fmt_seconds(thr, sizeof(thr), step, false);
	strutil_fmt_seconds(off, sizeof(off), mag, false);
	if (mag <= step) {
		f = doctor_add(r, "offset", DOCTOR_OK, "offset %s, within the step threshold (%s)",
		    off, thr);
		doctor_seen(f, "%s's offset %+.6f s (positive: this clock is behind)",
		    doctor_daemon(s), s->offset_s);
	} else {
		enum doctor_level l =
		    !may_set || is_panic || mag >= CRITICAL_S ? DOCTOR_FAIL : DOCTOR_WARN;
		if (is_panic)
			f = doctor_add(r, "offset", l,
			    "the clock is %.1f s %s: beyond the panic threshold (%.0f s)%s", mag,
			    dir, panic, may_set ? "" : "; nothing corrects it");
		else
			f = doctor_add(r, "offset", l,
			    "the clock is %s %s: beyond the step threshold "
			    "(%s)%s",
			    off, dir, thr, may_set ? "" : "; nothing corrects it");
		doctor_seen(f, "%s's offset %+.6f s (positive: this clock is behind)",
		    doctor_daemon(s), s->offset_s);
		if (may_set)
			next_step(f, s, mag, step, panic);
		else
			doctor_seen(f, "%s may not set the clock: it will not step or slew it",
			    doctor_daemon(s));
		own_offset(f, s, ev);
		offset_remedy(f, s, may_set, is_panic);
	}
	doctor_num(f, "offset_s", s->offset_s);
	doctor_num(f, "step_threshold_s", step);
	doctor_num(f, "stepout_s",
	    ntpd ? (c->stepout_s >= 0 ? c->stepout_s : NTPD_STEPOUT_S) : NAN);
	doctor_num(f, "panic_threshold_s", s->primary == SNAP_CHRONYD ? NAN : panic);
}

/* ---- frequency and drift file ---- */

static void
judge_drift(struct doctor_report *r, const struct snapshot *s, const struct doctor_evidence *ev)
{
	const struct snap_service *svc = &s->svc[s->primary];
	const char *path = svc->conf.driftfile;
	bool chrony = s->primary == SNAP_CHRONYD;
	struct doctor_finding *f;
	char age[32], up[32];

	if (s->primary == SNAP_TIMESYNCD || !svc->have_conf)
		return;
	if (!path[0]) {
		f = doctor_add(r, "frequency", DOCTOR_INFO, "no drift file is configured");
		doctor_seen(f, "%s names no driftfile", svc->conf_path);
		doctor_fix(f,
		    "Add 'driftfile' to the configuration: after a restart %s then "
		    "starts from the frequency it had learnt.",
		    doctor_daemon(s));
		return;
	}
	if (!ev->drift_checked)
		return;
	doctor_fmt_age(up, sizeof(up), svc->uptime_s);
	if (ev->drift_err == -ENOENT) {
		bool young = !isfinite(svc->uptime_s) || svc->uptime_s < DOCTOR_DRIFT_STALE_S;
		f = doctor_add(r, "frequency", young ? DOCTOR_INFO : DOCTOR_WARN,
		    "the drift file %s does not exist%s", path, young ? " yet" : "");
		doctor_seen(f, "%s has run %s; it writes the file about once an hour",
		    doctor_daemon(s), up);
		if (!young)
			doctor_fix(f, "Check that %s may write to %s's directory.",
			    doctor_daemon(s), path);
		return;
	}
	if (ev->drift_err) {
		f = doctor_add(r, "frequency", DOCTOR_INFO, "could not check the drift file %s",
		    path);
		doctor_seen(f, "%s", strerror(-ev->drift_err));
		return;
	}
	double age_s = (double)(ev->real_ns - ev->drift_mtime_ns) / 1e9;
	doctor_fmt_age(age, sizeof(age), age_s);
	if (age_s > DOCTOR_DRIFT_STALE_S && isfinite(svc->uptime_s) && svc->uptime_s > age_s) {
		f = doctor_add(r, "frequency", chrony ? DOCTOR_WARN : DOCTOR_INFO,
		    "the drift file %s is stale: written %s ago", path, age);
		doctor_seen(f, "%s has run %s", doctor_daemon(s), up);
		if (chrony)
			doctor_fix(f,
			    "chronyd rewrites it hourly while it updates the clock: check "
			    "that it is synchronized and may write the file.");
		else
			doctor_seen(f,
			    "ntpd rewrites it only when the frequency changed noticeably");
		doctor_num(f, "drift_file_age_s", age_s);
	}
}

static void
judge_frequency(struct doctor_report *r, const struct snapshot *s, const struct doctor_evidence *ev)
{
	struct doctor_finding *f;

	if (s->primary < 0)
		return;
	if (!s->have_system || !isfinite(s->freq_ppm)) {
		f = doctor_add(r, "frequency", DOCTOR_INFO, "the frequency is not known");
		doctor_seen(f, "%s gave no frequency", doctor_daemon(s));
	} else {
		double a = fabs(s->freq_ppm);
		enum doctor_level l = a > DOCTOR_FREQ_FAIL_PPM ? DOCTOR_FAIL
		    : a > DOCTOR_FREQ_WARN_PPM                 ? DOCTOR_WARN
		                                               : DOCTOR_OK;
		f = doctor_add(r, "frequency", l, "the clock runs %.3f ppm %s%s", a,
		    s->freq_ppm >= 0 ? "fast" : "slow",
		    l == DOCTOR_FAIL       ? ": close to the 500 ppm limit"
		        : l == DOCTOR_WARN ? ": little headroom left"
		                           : "");
		doctor_seen(f,
		    "%s corrects %.3f ppm (%.2f s a day); the kernel and ntpd can "
		    "correct at most 500 ppm (43 s a day)",
		    doctor_daemon(s), a, a * 86400e-6);
		if (l != DOCTOR_OK)
			doctor_fix(f,
			    "Above 100 ppm the daemon learns slowly and keeps little "
			    "headroom. Look for what else adjusts the clock (another "
			    "daemon, a VM agent), and at the clocksource "
			    "(/sys/devices/system/clocksource/clocksource0).");
		doctor_num(f, "frequency_ppm", s->freq_ppm);
		doctor_num(f, "limit_ppm", DOCTOR_FREQ_MAX_PPM);
	}
	judge_drift(r, s, ev);
}

/* ---- kernel ---- */

static struct doctor_finding *
kernel_unsync(struct doctor_report *r, const struct snapshot *s, const char *state)
{
	const struct snap_service *svc = &s->svc[s->primary];
	struct doctor_finding *f;

	if (!s->synchronized)
		return doctor_add(r, "kernel", DOCTOR_INFO,
		    "the kernel agrees: the clock is not synchronized (%s)", state);
	if (svc->running && !svc->can_set_clock) {
		f = doctor_add(r, "kernel", DOCTOR_INFO,
		    "the kernel says unsynchronized (%s) while %s is synchronized", state,
		    doctor_daemon(s));
		doctor_seen(f,
		    "%s may not set the clock, so it does not update the kernel's "
		    "state either",
		    doctor_daemon(s));
		return f;
	}
	f = doctor_add(r, "kernel", DOCTOR_WARN,
	    "the kernel says unsynchronized (%s) while %s is synchronized", state,
	    doctor_daemon(s));
	doctor_seen(f,
	    "programs that ask the kernel (ntp_adjtime, node_exporter's timex) see "
	    "an unsynchronized clock");
	if (s->primary == SNAP_CHRONYD && !svc->conf.rtcsync)
		doctor_fix(f,
		    "Add 'rtcsync' to chrony.conf: without it chronyd leaves STA_UNSYNC "
		    "set.");
	else if (s->primary == SNAP_NTPD && svc->conf.kernel_disabled)
		doctor_fix(f,
		    "Remove 'disable kernel' from ntp.conf: without the kernel "
		    "discipline ntpd leaves STA_UNSYNC set.");
	else
		doctor_fix(f, "Check whether something else resets the kernel's state.");
	return f;
}

/* Leap seconds: the kernel's armed state against the daemon's and the sources'. */
static void
judge_leap(struct doctor_report *r, const struct snapshot *s, const struct doctor_evidence *ev)
{
	int known = 0, announce = 0;
	struct doctor_finding *f;

	for (size_t i = 0; i < s->n_sources; i++)
		if (s->sources[i].leap >= 0 && s->sources[i].leap < 3) {
			known++;
			announce += s->sources[i].leap == 1 || s->sources[i].leap == 2;
		}
	for (size_t i = 0; i < ev->n_own; i++)
		if (ev->own[i].status == QUERY_OK && ev->own[i].reply.leap < 3) {
			known++;
			announce += ev->own[i].reply.leap == 1 || ev->own[i].reply.leap == 2;
		}
	bool k_armed =
	    s->have_kernel && (s->kernel.state == KCLOCK_INS || s->kernel.state == KCLOCK_DEL);
	bool d_armed =
	    s->have_system && (s->leap == SNAP_LEAP_INSERT || s->leap == SNAP_LEAP_DELETE);
	if (announce && announce * 2 <= known) {
		f = doctor_add(r, "kernel", DOCTOR_WARN,
		    "a leap second is announced by %d of %d sources: a minority", announce, known);
		doctor_seen(f, "the daemons follow the majority, so it will be ignored%s",
		    d_armed ? ", yet the daemon announces it" : "");
		doctor_fix(f, "Check the announcing servers' leap second files.");
	} else if (k_armed && !d_armed) {
		f = doctor_add(r, "kernel", DOCTOR_WARN,
		    "the kernel has a leap second armed that %s does not announce",
		    doctor_daemon(s));
		doctor_seen(f, "kernel state %s", kclock_state_name(s->kernel.state));
	} else if (announce || d_armed || k_armed) {
		f = doctor_add(r, "kernel", DOCTOR_INFO,
		    "a leap second is due at the end of this UTC day");
		doctor_seen(f, "announced by %d of %d sources; daemon: %s; kernel: %s", announce,
		    known, snapshot_leap_name(s->leap),
		    s->have_kernel ? kclock_state_name(s->kernel.state) : "not read");
	} else {
		return;
	}
	doctor_num(f, "sources_announcing", announce);
	doctor_num(f, "sources_known", known);
}

static void
judge_kernel(struct doctor_report *r, const struct snapshot *s, const struct doctor_evidence *ev)
{
	char st[160], state[200];
	struct doctor_finding *f;

	if (!s->have_kernel) {
		f = doctor_add(r, "kernel", DOCTOR_INFO, "could not read the kernel's clock state");
		doctor_seen(f, "adjtimex: %s", strerror(-s->kernel_err));
		return;
	}
	kclock_status_str(s->kernel.status, st, sizeof(st));
	snprintf(state, sizeof(state), "%s, status %s, maxerror %.3f s",
	    kclock_state_name(s->kernel.state), st[0] ? st : "-", s->kernel.maxerror_s);
	if (s->kernel.status & 0x1000) { /* STA_CLOCKERR */
		f = doctor_add(r, "kernel", DOCTOR_FAIL,
		    "the kernel reports a clock hardware fault (STA_CLOCKERR)");
		doctor_seen(f, "%s", state);
	} else if (s->primary >= 0 && (s->kernel.unsync || s->kernel.state == KCLOCK_ERROR)) {
		f = kernel_unsync(r, s, kclock_state_name(s->kernel.state));
		doctor_seen(f, "%s", state);
	} else {
		f = doctor_add(r, "kernel", DOCTOR_OK, "the kernel's clock state is %s",
		    kclock_state_name(s->kernel.state));
		doctor_seen(f, "%s", state);
	}
	judge_leap(r, s, ev);
}

void
doctor_judge(const struct snapshot *s, const struct doctor_evidence *ev, struct doctor_report *r)
{
	memset(r, 0, sizeof(*r));
	if (s->primary >= 0)
		snprintf(r->service, sizeof(r->service), "%s", doctor_daemon(s));
	judge_service(r, s);
	judge_port(r, ev);
	judge_firewall(r, ev);
	bool asked = s->primary >= 0 && s->svc[s->primary].answering;
	doctor_net_servers(r, s, ev);
	if (asked) {
		doctor_net_counters(r, s, ev);
		doctor_net_reach(r, s);
	}
	doctor_net_kod(r, s, ev);
	if (asked)
		doctor_sel_selection(r, s, ev);
	judge_offset(r, s, ev);
	if (asked)
		judge_frequency(r, s, ev);
	doctor_sel_network(r, s, ev);
	judge_kernel(r, s, ev);
}
