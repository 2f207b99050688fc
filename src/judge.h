/* judge.h: from a snapshot to the alarm's input (alarm.h), and, for the stateless
 * `clockwatch check`, to the alarm state the daemon's own memory implies: its uptime stands in
 * for "since watching began", its last clock update for "a source was selected" and for how
 * long none has been. Pure. */
#ifndef CLOCKWATCH_JUDGE_H
#define CLOCKWATCH_JUDGE_H

#include <stddef.h>
#include <stdint.h>

struct alarm_input;
struct alarm_server;
struct alarm_state;
struct snapshot;

/* A source whose reach register is 0 is unreachable once the daemon has run for this many of
 * its poll intervals (the register then covers only failed polls); before, it is pending. */
#define JUDGE_REACH_POLLS 8

/* Fills in from s, using servers[max] for the server list. */
void judge_alarm_input(const struct snapshot *s, struct alarm_server *servers, size_t max,
    struct alarm_input *in);

/* The alarm state a check at now_ns (monotonic) starts from, from the daemon's memory. */
void judge_stateless_state(const struct snapshot *s, int64_t now_ns, struct alarm_state *st);

#endif
