/* alarm.c: the Time Synchronization alarm (seed 001) as a pure state machine; see alarm.h. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alarm.h"
#include "macros.h"

#define NS_PER_S INT64_C(1000000000)

void
alarm_config_default(struct alarm_config *c)
{
	c->critical_s = 10.0;
	c->panic_s = 1000.0;
	c->grace_ns = 20 * 60 * NS_PER_S;
	c->reject_initial_ns = 60 * 60 * NS_PER_S;
	c->reject_reselect_ns = 90 * NS_PER_S;
	c->clear_delay_ns = 60 * NS_PER_S;
}

void
alarm_state_init(struct alarm_state *s, int64_t now_ns)
{
	memset(s, 0, sizeof(*s));
	s->start_ns = now_ns;
	s->unselected_since_ns = now_ns;
	s->unselected_initial = true;
}

/* Appends "name (reason)" to a list being built in buf. */
static void
list_add(char *buf, size_t len, const char *name, const char *reason)
{
	size_t o = strlen(buf);

	if (o < len)
		snprintf(buf + o, len - o, "%s%s (%s)", o ? ", " : "", name, reason);
}

static bool
any_selected(const struct alarm_input *in)
{
	for (size_t i = 0; i < in->n_servers; i++)
		if (in->servers[i].selected)
			return true;
	return false;
}

/* Builds the server lists for the Major and Minor conditions. Returns the severity they give. */
static enum alarm_severity
server_conditions(const struct alarm_config *c, const struct alarm_state *s,
    const struct alarm_input *in, int64_t now_ns, char *major, char *minor, size_t len)
{
	size_t n = in->n_servers, unusable = 0, unreachable = 0;

	major[0] = minor[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		unusable += in->servers[i].state == ALARM_SRV_UNUSABLE;
		unreachable += in->servers[i].state == ALARM_SRV_UNREACHABLE;
	}
	bool all_down = n > 0 && unreachable > 0 && unusable + unreachable == n;
	int64_t wait = s->unselected_initial ? c->reject_initial_ns : c->reject_reselect_ns;
	bool rejected = !any_selected(in) && s->unselected_since_ns >= 0 &&
	    now_ns - s->unselected_since_ns >= wait && unusable + unreachable < n;
	for (size_t i = 0; i < n; i++) {
		const struct alarm_server *sv = &in->servers[i];
		if (sv->state == ALARM_SRV_UNUSABLE)
			list_add(major, len, sv->name, "unusable");
		else if (sv->state == ALARM_SRV_UNREACHABLE)
			list_add(all_down ? major : minor, len, sv->name, "unreachable");
		else if (rejected)
			list_add(major, len, sv->name,
			    s->unselected_initial ? "rejected at initial selection"
			                          : "rejected at reselection");
	}
	if (major[0])
		return ALARM_MAJOR;
	return minor[0] ? ALARM_MINOR : ALARM_CLEARED;
}

/* This host's own conditions (its offset, its servers). */
static enum alarm_severity
local_conditions(const struct alarm_config *c, const struct alarm_state *s,
    const struct alarm_input *in, int64_t now_ns, char *text, size_t len)
{
	char major[ALARM_TEXT_MAX], minor[ALARM_TEXT_MAX];
	double off = in->have_offset ? fabs(in->offset_s) : 0;
	bool panic = in->have_offset && off > c->panic_s;
	bool grace = !s->ever_selected && now_ns - s->start_ns < c->grace_ns;
	enum alarm_severity sev = ALARM_CLEARED;

	text[0] = '\0';
	if (in->have_offset && off > c->critical_s && !panic) {
		snprintf(text, len, "Time incorrect (off by %.1f seconds)", off);
		return ALARM_CRITICAL;
	}
	if (!grace)
		sev = server_conditions(c, s, in, now_ns, major, minor, sizeof(major));
	if (panic) {
		/* The daemon refuses servers this far off (seed 001): Major, saying how far. */
		if (sev == ALARM_MAJOR)
			snprintf(text, len,
			    "Time servers not reachable: %s; time off by %.1f seconds (beyond %.0f "
			    "s the "
			    "time daemon refuses its servers)",
			    major, off, c->panic_s);
		else
			snprintf(text, len,
			    "Time incorrect (off by %.1f seconds): beyond %.0f s the time daemon "
			    "refuses its servers",
			    off, c->panic_s);
		return ALARM_MAJOR;
	}
	if (sev != ALARM_CLEARED)
		snprintf(text, len, "Time servers not reachable: %s",
		    sev == ALARM_MAJOR ? major : minor);
	return sev;
}

static void
track_selection(struct alarm_state *s, const struct alarm_input *in, int64_t now_ns)
{
	if (any_selected(in)) {
		s->ever_selected = true;
		s->unselected_since_ns = -1;
	} else if (s->unselected_since_ns < 0) {
		s->unselected_since_ns = now_ns;
		s->unselected_initial = !s->ever_selected;
	}
}

static bool
apply(struct alarm_state *s, enum alarm_severity sev, const char *text, struct alarm_event *ev)
{
	ev->from = s->severity;
	ev->to = sev;
	ev->kind = sev == ALARM_CLEARED    ? ALARM_EV_CLEAR
	    : s->severity == ALARM_CLEARED ? ALARM_EV_RAISE
	                                   : ALARM_EV_CHANGE;
	snprintf(ev->text, sizeof(ev->text), "%s", text);
	s->severity = sev;
	snprintf(s->text, sizeof(s->text), "%s", text);
	s->lower_pending = false;
	return true;
}

bool
alarm_eval(const struct alarm_config *c, struct alarm_state *s, const struct alarm_input *in,
    int64_t now_ns, struct alarm_event *ev)
{
	char text[ALARM_TEXT_MAX];
	enum alarm_severity sev;

	memset(ev, 0, sizeof(*ev));
	if (!in->daemon_answers)
		return false; /* nothing known: no timer advances a condition it cannot see */
	track_selection(s, in, now_ns);
	sev = alarm_conditions(c, s, in, now_ns, text, sizeof(text));
	if (sev > s->severity)
		return apply(s, sev, text, ev);
	if (sev == s->severity) {
		s->lower_pending = false;
		if (strcmp(text, s->text) == 0)
			return false;
		return apply(s, sev, text, ev); /* other servers involved: say so now */
	}
	if (!s->lower_pending) {
		s->lower_pending = true;
		s->lower_since_ns = now_ns;
	}
	if (now_ns - s->lower_since_ns < c->clear_delay_ns)
		return false;
	return apply(s, sev, text, ev);
}

const char *
alarm_severity_name(enum alarm_severity sev)
{
	switch (sev) {
	case ALARM_CLEARED:
		return "cleared";
	case ALARM_MINOR:
		return "minor";
	case ALARM_MAJOR:
		return "major";
	case ALARM_CRITICAL:
		return "critical";
	}
	return "?";
}

const char *
alarm_event_name(enum alarm_event_kind k)
{
	static const char *const names[] = {"none", "raise", "change", "clear"};

	return (unsigned)k < CW_ARRAY_LEN(names) ? names[k] : "?";
}

enum alarm_severity
alarm_conditions(const struct alarm_config *c, const struct alarm_state *s,
    const struct alarm_input *in, int64_t now_ns, char *text, size_t len)
{
	char local[ALARM_TEXT_MAX];
	enum alarm_severity sev = local_conditions(c, s, in, now_ns, local, sizeof(local));

	/* The cluster's clocks apart (seed 001's Critical): never held back by the grace, like
	 * an offset; this host's own condition, if any, follows it. */
	if (in->cluster_text && in->cluster_text[0]) {
		if (sev == ALARM_CRITICAL)
			snprintf(text, len, "%s; %s", local, in->cluster_text);
		else if (sev != ALARM_CLEARED)
			snprintf(text, len, "%s; %s", in->cluster_text, local);
		else
			snprintf(text, len, "%s", in->cluster_text);
		return ALARM_CRITICAL;
	}
	snprintf(text, len, "%s", local);
	return sev;
}
