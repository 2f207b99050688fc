/* fuzz_daemonconf.c: the configuration readers of chrony, ntpd and timesyncd. The first byte picks
 * the reader (and for chrony whether it is a sources file); the rest is one file's text, fed
 * whole and then again split in two files, as includes are. Invariants: the bounds hold, every
 * kept string is terminated and every error names its file and a line within the text. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemonconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct daemonconf *c, size_t size)
{
	if (c->n_sources > DAEMONCONF_MAX_SOURCES || c->n_includes > DAEMONCONF_MAX_INCLUDES ||
	    c->n_errors > DAEMONCONF_MAX_ERRORS)
		abort();
	for (size_t i = 0; i < c->n_sources; i++) {
		const struct daemonconf_source *s = &c->sources[i];
		if (!memchr(s->name, 0, sizeof(s->name)) || !s->name[0] || s->line == 0 ||
		    s->line > size + 1 || (unsigned)s->kind > DAEMONCONF_FALLBACK)
			abort();
	}
	for (size_t i = 0; i < c->n_includes; i++)
		if (!memchr(c->includes[i].path, 0, sizeof(c->includes[i].path)))
			abort();
	for (size_t i = 0; i < c->n_errors; i++)
		if (!memchr(c->errors[i].msg, 0, sizeof(c->errors[i].msg)) ||
		    c->errors[i].line == 0 || c->errors[i].line > size + 1)
			abort();
}

static void
parse(struct daemonconf *c, unsigned which, const char *text, size_t len, const char *file)
{
	switch (which % 4) {
	case 0:
		daemonconf_parse_chrony(c, text, len, file, false);
		break;
	case 1:
		daemonconf_parse_chrony(c, text, len, file, true);
		break;
	case 2:
		daemonconf_parse_ntpd(c, text, len, file);
		break;
	default:
		daemonconf_parse_timesyncd(c, text, len, file);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct daemonconf c;

	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;

	daemonconf_init(&c);
	parse(&c, data[0], text, len, "a.conf");
	check(&c, len);
	daemonconf_fini(&c);

	daemonconf_init(&c);
	parse(&c, data[0], text, len / 2, "a.conf");
	parse(&c, data[0], text + len / 2, len - len / 2, "b.conf");
	check(&c, len);
	daemonconf_fini(&c);
	return 0;
}
