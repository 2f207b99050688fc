/* fuzz_nagios_range.c: the plugin range parser (check's -w/-c come from the command line):
 * never crashes, and a range it accepts prints back to one it accepts alike. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nagios.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[128], err[160], back[64];
	struct nagios_range r, r2;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (nagios_range_parse(s, &r, err, sizeof(err)) < 0) {
		if (!memchr(err, 0, sizeof(err)))
			abort();
		return 0;
	}
	if (!(r.start <= r.end))
		abort();
	nagios_range_str(&r, back, sizeof(back));
	if (back[0] && nagios_range_parse(back, &r2, err, sizeof(err)) == 0 &&
	    r2.inside != r.inside)
		abort();
	(void)nagios_range_alert(&r, r.start);
	return 0;
}
