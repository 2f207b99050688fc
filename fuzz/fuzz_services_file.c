/* fuzz_services_file.c: services(5) text through the line parser and both lookups. The first
 * byte picks the port looked up; the rest is the file. Invariants: names, protocols and aliases
 * are terminated and within their bounds, ports within 0..65535, a found entry has the name or
 * port and the protocol asked for and a line within the text. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "services_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_entry(const struct services_entry *e, size_t size)
{
	CHECK(memchr(e->name, '\0', sizeof(e->name)));
	CHECK(memchr(e->proto, '\0', sizeof(e->proto)));
	CHECK(e->port <= 65535);
	CHECK(e->n_aliases <= SERVICES_FILE_MAX_ALIASES);
	for (size_t i = 0; i < e->n_aliases; i++)
		CHECK(memchr(e->aliases[i], '\0', sizeof(e->aliases[i])) && e->aliases[i][0]);
	CHECK(e->line >= 1 && e->line <= size + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct services_entry e;

	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	unsigned port = data[0] < 200 ? 123 : data[0];

	if (services_file_parse_line(text, len, 1, &e)) {
		check_entry(&e, len);
		CHECK(e.name[0] && e.proto[0]);
	}
	if (services_file_find_name(text, len, "ntp", "udp", &e)) {
		check_entry(&e, len);
		CHECK(!strcmp(e.proto, "udp"));
	}
	if (services_file_find_port(text, len, port, "udp", &e)) {
		check_entry(&e, len);
		CHECK(e.port == port && !strcmp(e.proto, "udp"));
	}
	return 0;
}
