/* test_alarm.c: seed 001's Time Synchronization alarm, row by row, with a fake monotonic clock:
 * every severity and text, every timer boundary, the grace, hysteresis, escalation and
 * de-escalation, the Critical/Major/Critical sequence, restarts. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "alarm.h"
#include "cw_test.h"

#define S(x) ((int64_t)((x)*1e9)) /* seconds -> ns */
#define MIN(x) S((x)*60)

struct world {
	struct alarm_config c;
	struct alarm_state s;
	struct alarm_server srv[4];
	struct alarm_input in;
	struct alarm_event ev;
	int events;
};

/* Three servers a, b, c; b is selected and all answer; no offset. Watching began at t = 0. */
static void
setup(struct world *w)
{
	memset(w, 0, sizeof(*w));
	alarm_config_default(&w->c);
	alarm_state_init(&w->s, 0);
	for (int i = 0; i < 3; i++) {
		snprintf(w->srv[i].name, sizeof(w->srv[i].name), "10.0.0.%d", i + 1);
		w->srv[i].state = ALARM_SRV_OK;
	}
	w->srv[1].selected = true;
	w->in = (struct alarm_input){.daemon_answers = true, .n_servers = 3, .servers = w->srv};
}

/* Evaluates at t seconds; returns the event kind (ALARM_EV_NONE when nothing changed). */
static enum alarm_event_kind
at(struct world *w, double t)
{
	if (alarm_eval(&w->c, &w->s, &w->in, S(t), &w->ev)) {
		w->events++;
		return w->ev.kind;
	}
	return ALARM_EV_NONE;
}

static void
offset(struct world *w, double off)
{
	w->in.have_offset = true;
	w->in.offset_s = off;
}

static void
test_critical_text_and_sign(void **state)
{
	struct world w;

	(void)state;
	setup(&w);
	assert_int_equal(at(&w, 1), ALARM_EV_NONE);
	offset(&w, -23.04);
	assert_int_equal(at(&w, 2), ALARM_EV_RAISE);
	assert_int_equal(w.ev.to, ALARM_CRITICAL);
	assert_string_equal(w.ev.text, "Time incorrect (off by 23.0 seconds)");
	offset(&w, 10.0); /* exactly the threshold: not beyond it */
	assert_int_equal(at(&w, 3), ALARM_EV_NONE);
	assert_int_equal(at(&w, 3 + 59.999), ALARM_EV_NONE); /* hysteresis: 60 s to clear */
	assert_int_equal(at(&w, 63), ALARM_EV_CLEAR);
	assert_int_equal(w.ev.from, ALARM_CRITICAL);
	assert_string_equal(w.s.text, "");
	offset(&w, 10.05);
	assert_int_equal(at(&w, 64), ALARM_EV_RAISE);
	assert_string_equal(w.ev.text, "Time incorrect (off by 10.1 seconds)");
}

/* The critical offset is not held back by the initial grace. */
static void
test_critical_during_grace(void **state)
{
	struct world w;

	(void)state;
	setup(&w);
	w.srv[1].selected = false;
	offset(&w, 15);
	assert_int_equal(at(&w, 5), ALARM_EV_RAISE);
	assert_int_equal(w.ev.to, ALARM_CRITICAL);
}

/* Beyond the panic threshold the daemon refuses the servers: Major, saying how far; back under
 * it, Critical again; then clear. The sequence comes from the offset and selection alone. */
static void
test_critical_major_critical(void **state)
{
	struct world w;

	(void)state;
	setup(&w);
	at(&w, 1); /* b selected */
	offset(&w, 500);
	assert_int_equal(at(&w, 10), ALARM_EV_RAISE);
	assert_int_equal(w.ev.to, ALARM_CRITICAL);
	offset(&w, 2000);
	w.srv[1].selected = false;                   /* ntpd refuses all three */
	assert_int_equal(at(&w, 20), ALARM_EV_NONE); /* lower: waits out the hysteresis */
	assert_int_equal(at(&w, 80), ALARM_EV_CHANGE);
	assert_int_equal(w.ev.from, ALARM_CRITICAL);
	assert_int_equal(w.ev.to, ALARM_MAJOR);
	assert_string_equal(w.ev.text,
	    "Time incorrect (off by 2000.0 seconds): beyond 1000 s the "
	    "time daemon refuses its servers");
	/* 90 s after losing its source the daemon's rejection shows too, in the same Major */
	assert_int_equal(at(&w, 110), ALARM_EV_CHANGE);
	assert_string_equal(w.ev.text,
	    "Time servers not reachable: 10.0.0.1 (rejected at reselection), 10.0.0.2 (rejected at "
	    "reselection), 10.0.0.3 (rejected at reselection); time off by 2000.0 seconds (beyond "
	    "1000 s the time daemon refuses its servers)");
	/* the daemon re-selects at 900 s off: Critical again, at once (higher) */
	offset(&w, 900);
	w.srv[0].selected = true;
	assert_int_equal(at(&w, 120), ALARM_EV_CHANGE);
	assert_int_equal(w.ev.to, ALARM_CRITICAL);
	assert_string_equal(w.ev.text, "Time incorrect (off by 900.0 seconds)");
	offset(&w, 0.002);
	assert_int_equal(at(&w, 130), ALARM_EV_NONE);
	assert_int_equal(at(&w, 190), ALARM_EV_CLEAR);
	assert_int_equal(w.events, 5);
}

static void
test_unusable(void **state)
{
	struct world w;

	(void)state;
	setup(&w);
	at(&w, 1);
	w.srv[0].state = ALARM_SRV_UNUSABLE;
	assert_int_equal(at(&w, 2), ALARM_EV_RAISE);
	assert_int_equal(w.ev.to, ALARM_MAJOR);
	assert_string_equal(w.ev.text, "Time servers not reachable: 10.0.0.1 (unusable)");
	w.srv[2].state = ALARM_SRV_UNUSABLE;
	assert_int_equal(at(&w, 3), ALARM_EV_CHANGE); /* same severity, another server: now */
	assert_string_equal(w.ev.text,
	    "Time servers not reachable: 10.0.0.1 (unusable), 10.0.0.3 (unusable)");
}

static void
test_unreachable_some_then_all(void **state)
{
	struct world w;

	(void)state;
	setup(&w);
	at(&w, 1);
	w.srv[2].state = ALARM_SRV_PENDING; /* no answer yet, not polled enough: nothing */
	assert_int_equal(at(&w, 2), ALARM_EV_NONE);
	w.srv[2].state = ALARM_SRV_UNREACHABLE;
	assert_int_equal(at(&w, 3), ALARM_EV_RAISE);
	assert_int_equal(w.ev.to, ALARM_MINOR);
	assert_string_equal(w.ev.text, "Time servers not reachable: 10.0.0.3 (unreachable)");
	w.srv[0].state = ALARM_SRV_UNREACHABLE;
	assert_int_equal(at(&w, 4), ALARM_EV_CHANGE);
	assert_int_equal(w.ev.to, ALARM_MINOR);
	w.srv[1].state = ALARM_SRV_UNREACHABLE; /* the last one too: Major, at once */
	assert_int_equal(at(&w, 5), ALARM_EV_CHANGE);
	assert_int_equal(w.ev.to, ALARM_MAJOR);
	assert_string_equal(w.ev.text,
	    "Time servers not reachable: 10.0.0.1 (unreachable), "
	    "10.0.0.2 (unreachable), 10.0.0.3 (unreachable)");
	/* de-escalation: one comes back; Minor after the hysteresis, then clear */
	w.srv[1].state = ALARM_SRV_OK;
	assert_int_equal(at(&w, 6), ALARM_EV_NONE);
	assert_int_equal(at(&w, 65.9), ALARM_EV_NONE);
	assert_int_equal(at(&w, 66), ALARM_EV_CHANGE);
	assert_int_equal(w.ev.to, ALARM_MINOR);
	w.srv[0].state = w.srv[2].state = ALARM_SRV_OK;
	assert_int_equal(at(&w, 67), ALARM_EV_NONE);
	assert_int_equal(at(&w, 127), ALARM_EV_CLEAR);
}

/* A condition that comes back within the hysteresis does not flap the alarm. */
static void
test_no_flapping(void **state)
{
	struct world w;

	(void)state;
	setup(&w);
	at(&w, 1);
	w.srv[2].state = ALARM_SRV_UNREACHABLE;
	assert_int_equal(at(&w, 2), ALARM_EV_RAISE);
	for (int i = 0; i < 10; i++) {
		w.srv[2].state = i % 2 ? ALARM_SRV_UNREACHABLE : ALARM_SRV_OK;
		assert_int_equal(at(&w, 3 + 20 * i), ALARM_EV_NONE);
	}
	assert_int_equal(w.events, 1);
}

/* Rejected after a selection: 89 s no, 90 s yes. */
static void
test_rejected_at_reselection_90s(void **state)
{
	struct world w;

	(void)state;
	setup(&w);
	at(&w, 100);
	w.srv[1].selected = false;
	assert_int_equal(at(&w, 200), ALARM_EV_NONE); /* lost its source at 200 */
	assert_int_equal(at(&w, 289), ALARM_EV_NONE);
	assert_int_equal(at(&w, 289.999), ALARM_EV_NONE);
	assert_int_equal(at(&w, 290), ALARM_EV_RAISE);
	assert_int_equal(w.ev.to, ALARM_MAJOR);
	assert_string_equal(w.ev.text,
	    "Time servers not reachable: 10.0.0.1 (rejected at "
	    "reselection), 10.0.0.2 (rejected at reselection), 10.0.0.3 "
	    "(rejected at reselection)");
	w.srv[2].selected = true;
	assert_int_equal(at(&w, 300), ALARM_EV_NONE);
	assert_int_equal(at(&w, 360), ALARM_EV_CLEAR);
}

/* Never selected since watching began: 59:59 no, 60:00 yes. */
static void
test_rejected_at_initial_selection_60min(void **state)
{
	struct world w;

	(void)state;
	setup(&w);
	w.srv[1].selected = false;
	assert_int_equal(at(&w, 1), ALARM_EV_NONE);
	assert_int_equal(at(&w, 59 * 60 + 59), ALARM_EV_NONE);
	assert_int_equal(at(&w, 60 * 60), ALARM_EV_RAISE);
	assert_int_equal(w.ev.to, ALARM_MAJOR);
	assert_string_equal(w.ev.text,
	    "Time servers not reachable: 10.0.0.1 (rejected at initial "
	    "selection), 10.0.0.2 (rejected at initial selection), "
	    "10.0.0.3 (rejected at initial selection)");
}

/* The grace holds back unreachable and unusable until the first selection or 20 min. */
static void
test_grace(void **state)
{
	struct world w;

	(void)state;
	setup(&w);
	w.srv[1].selected = false;
	w.srv[0].state = ALARM_SRV_UNREACHABLE;
	w.srv[2].state = ALARM_SRV_UNUSABLE;
	assert_int_equal(at(&w, 60), ALARM_EV_NONE);
	assert_int_equal(at(&w, 19 * 60 + 59), ALARM_EV_NONE);
	assert_int_equal(at(&w, 20 * 60), ALARM_EV_RAISE); /* grace over: unusable is Major */
	assert_int_equal(w.ev.to, ALARM_MAJOR);
	assert_string_equal(w.ev.text, "Time servers not reachable: 10.0.0.3 (unusable)");

	setup(&w); /* the first selection ends the grace at once */
	w.srv[1].selected = false;
	w.srv[0].state = ALARM_SRV_UNREACHABLE;
	assert_int_equal(at(&w, 10), ALARM_EV_NONE);
	w.srv[1].selected = true;
	assert_int_equal(at(&w, 11), ALARM_EV_RAISE);
	assert_int_equal(w.ev.to, ALARM_MINOR);
}

/* Escalation goes straight up, Minor -> Major -> Critical, each at once. */
static void
test_escalation(void **state)
{
	struct world w;

	(void)state;
	setup(&w);
	at(&w, 1);
	w.srv[0].state = ALARM_SRV_UNREACHABLE;
	assert_int_equal(at(&w, 2), ALARM_EV_RAISE);
	w.srv[2].state = ALARM_SRV_UNUSABLE;
	assert_int_equal(at(&w, 3), ALARM_EV_CHANGE);
	assert_int_equal(w.ev.to, ALARM_MAJOR);
	offset(&w, 12);
	assert_int_equal(at(&w, 4), ALARM_EV_CHANGE);
	assert_int_equal(w.ev.to, ALARM_CRITICAL);
	assert_string_equal(w.s.text, "Time incorrect (off by 12.0 seconds)");
}

/* A daemon that does not answer changes nothing, and no timer runs on what it cannot see. */
static void
test_daemon_silent(void **state)
{
	struct world w;

	(void)state;
	setup(&w);
	at(&w, 1);
	w.srv[2].state = ALARM_SRV_UNREACHABLE;
	at(&w, 2);
	w.in.daemon_answers = false;
	w.srv[2].state = ALARM_SRV_OK;
	for (int i = 0; i < 10; i++)
		assert_int_equal(at(&w, 100 + 100 * i), ALARM_EV_NONE);
	assert_int_equal(w.s.severity, ALARM_MINOR);
}

/* A restart begins watching anew: the initial 60 min apply again (what a timer does across a
 * restart is the agent's choice; this is the model's part). */
static void
test_restart(void **state)
{
	struct world w;

	(void)state;
	setup(&w);
	at(&w, 1);
	w.srv[1].selected = false;
	at(&w, 10);
	alarm_state_init(&w.s, S(50));                    /* restarted */
	assert_int_equal(at(&w, 50 + 90), ALARM_EV_NONE); /* not reselection: initial now */
	assert_int_equal(at(&w, 50 + 3599), ALARM_EV_NONE);
	assert_int_equal(at(&w, 50 + 3600), ALARM_EV_RAISE);
	assert_true(strstr(w.ev.text, "rejected at initial selection") != NULL);
}

static void
test_conditions_and_names(void **state)
{
	struct world w;
	char text[ALARM_TEXT_MAX];

	(void)state;
	setup(&w);
	w.s.ever_selected = true;
	w.srv[0].state = ALARM_SRV_UNREACHABLE;
	assert_int_equal(alarm_conditions(&w.c, &w.s, &w.in, S(1), text, sizeof(text)),
	    ALARM_MINOR);
	assert_string_equal(text, "Time servers not reachable: 10.0.0.1 (unreachable)");
	w.in.n_servers = 0;
	assert_int_equal(alarm_conditions(&w.c, &w.s, &w.in, S(1), text, sizeof(text)),
	    ALARM_CLEARED);
	assert_string_equal(text, "");
	assert_string_equal(alarm_severity_name(ALARM_CRITICAL), "critical");
	assert_string_equal(alarm_severity_name(ALARM_CLEARED), "cleared");
	assert_string_equal(alarm_event_name(ALARM_EV_CHANGE), "change");
	assert_int_equal(ALARM_CRITICAL, 4);
	assert_int_equal(ALARM_MAJOR, 3);
	assert_int_equal(ALARM_MINOR, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_critical_text_and_sign),
	    cmocka_unit_test(test_critical_during_grace),
	    cmocka_unit_test(test_critical_major_critical),
	    cmocka_unit_test(test_unusable),
	    cmocka_unit_test(test_unreachable_some_then_all),
	    cmocka_unit_test(test_no_flapping),
	    cmocka_unit_test(test_rejected_at_reselection_90s),
	    cmocka_unit_test(test_rejected_at_initial_selection_60min),
	    cmocka_unit_test(test_grace),
	    cmocka_unit_test(test_escalation),
	    cmocka_unit_test(test_daemon_silent),
	    cmocka_unit_test(test_restart),
	    cmocka_unit_test(test_conditions_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
