/* doctor_net.h: the part of doctor_judge about reaching each time source, in seed 000's
 * checklist order: do the configured servers resolve and answer clockwatch's own queries
 * (server down, UDP 123 blocked, or the daemon not receiving), the daemon's packet counters,
 * reach and the flash bits or failed tests, kiss-o'-death. Pure; each appends its findings
 * to r. Selection and delays: doctor_sel.h. */
#ifndef CLOCKWATCH_DOCTOR_NET_H
#define CLOCKWATCH_DOCTOR_NET_H

struct doctor_report;
struct doctor_evidence;
struct snapshot;

void doctor_net_servers(struct doctor_report *r, const struct snapshot *s,
    const struct doctor_evidence *ev);
void doctor_net_counters(struct doctor_report *r, const struct snapshot *s,
    const struct doctor_evidence *ev);
void doctor_net_reach(struct doctor_report *r, const struct snapshot *s);
void
doctor_net_kod(struct doctor_report *r, const struct snapshot *s, const struct doctor_evidence *ev);

#endif
