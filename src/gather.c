/* gather.c: the order of probing: what runs and how it is configured, the kernel, then the
 * daemon itself. The daemon asked is the one given, else the one running (the first of
 * chronyd, ntpd, timesyncd when several run: that conflict is itself the verdict). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gather.h"
#include "kclock.h"
#include "probe_chronyd.h"
#include "probe_detect.h"
#include "probe_kernel.h"
#include "probe_ntpd.h"
#include "snapshot.h"
#include "sock.h"

int
gather_service_from_name(const char *name)
{
	if (!strcmp(name, "chronyd") || !strcmp(name, "chrony"))
		return SNAP_CHRONYD;
	if (!strcmp(name, "ntpd") || !strcmp(name, "ntpsec"))
		return SNAP_NTPD;
	if (!strcmp(name, "timesyncd") || !strcmp(name, "systemd-timesyncd"))
		return SNAP_TIMESYNCD;
	return -1;
}

static int
choose(const struct snapshot *s, int wanted)
{
	if (wanted >= 0)
		return wanted;
	for (int d = 0; d < SNAP_N_DAEMONS; d++)
		if (s->svc[d].running)
			return d;
	return -1;
}

void
gather_host(struct snapshot *s, const struct gather_opts *o)
{
	struct probe_detect_opts dopts = {{NULL}};
	int r;

	s->real_ns = sock_realtime_ns();
	if (o->service >= 0 && o->service < SNAP_N_DAEMONS)
		dopts.conf[o->service] = o->conf;
	probe_detect(s, &dopts);
	r = probe_kernel_read(&s->kernel);
	s->have_kernel = r == 0;
	s->kernel_err = r;
	s->primary = choose(s, o->service);
	switch (s->primary) {
	case SNAP_CHRONYD: {
		struct probe_chronyd_opts co = {o->socket, o->address, o->timeout_ns, o->want_vars};
		r = probe_chronyd(s, &co); /* on failure the reason is in the snapshot */
		break;
	}
	case SNAP_NTPD: {
		struct probe_ntpd_opts no = {o->address, o->timeout_ns, o->want_vars};
		r = probe_ntpd(s, &no); /* on failure the reason is in the snapshot */
		break;
	}
	case SNAP_TIMESYNCD:
		s->svc[s->primary].asked = true;
		snprintf(s->svc[s->primary].error, sizeof(s->svc[0].error),
		    "reading %s is not implemented yet (see the issue tracker)",
		    snapshot_daemon_name((enum snap_daemon)s->primary));
		break;
	default:
		break;
	}
}
