/* firewall_stub.c: firewall_read when clockwatch is built without libnftables
 * (-Dnftables=disabled): doctor says the firewall was not checked, and why. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "firewall.h"

void
firewall_read(unsigned port, struct doctor_firewall *out)
{
	(void)port;
	memset(out, 0, sizeof(*out));
	out->state = DOCTOR_FW_NOT_BUILT;
	snprintf(out->error, sizeof(out->error), "built without libnftables");
}
