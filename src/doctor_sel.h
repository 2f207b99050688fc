/* doctor_sel.h: the part of doctor_judge about what the daemon makes of its sources: selection
 * (no source selected, falsetickers, too few for a majority) and the path's delays (congestion,
 * asymmetry). Pure; each appends its findings to r. */
#ifndef CLOCKWATCH_DOCTOR_SEL_H
#define CLOCKWATCH_DOCTOR_SEL_H

struct doctor_report;
struct doctor_evidence;
struct snapshot;

void doctor_sel_selection(struct doctor_report *r, const struct snapshot *s,
    const struct doctor_evidence *ev);
void doctor_sel_network(struct doctor_report *r, const struct snapshot *s,
    const struct doctor_evidence *ev);

#endif
