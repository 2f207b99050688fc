/* firewall.h: a read-only look at the nftables ruleset of this host (of the network namespace
 * clockwatch runs in), through libnftables in-process with JSON output, judged by nftrules.c.
 * Reading needs CAP_NET_ADMIN; without it the result says so. firewall_stub.c stands in when
 * clockwatch is built without libnftables (-Dnftables=disabled). */
#ifndef CLOCKWATCH_FIREWALL_H
#define CLOCKWATCH_FIREWALL_H

struct doctor_firewall;

/* Fills out: the rules that drop UDP packets of port, or why the ruleset could not be read;
 * also which legacy iptables tables are loaded (rules clockwatch cannot read). */
void firewall_read(unsigned port, struct doctor_firewall *out);

#endif
