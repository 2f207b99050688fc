/* services_file.h: the services(5) database (/etc/services) as text: "name port/protocol
 * [aliases...] [# comment]", one entry a line. Seed 000's checklist starts with it: does it name
 * UDP port 123 "ntp"? Pure: the caller reads the file and gives its text; nothing here opens,
 * logs or allocates. Bounded: lines longer than SERVICES_FILE_MAX_LINE are skipped, names and
 * aliases are cut at their bounds. */
#ifndef CLOCKWATCH_SERVICES_FILE_H
#define CLOCKWATCH_SERVICES_FILE_H

#include <stdbool.h>
#include <stddef.h>

#define SERVICES_FILE_MAX_LINE 4096
#define SERVICES_FILE_NAME_MAX 63 /* longer names and aliases are cut */
#define SERVICES_FILE_PROTO_MAX 15
#define SERVICES_FILE_MAX_ALIASES 8

struct services_entry {
	char name[SERVICES_FILE_NAME_MAX + 1];
	unsigned port; /* 0..65535 */
	char proto[SERVICES_FILE_PROTO_MAX + 1];
	char aliases[SERVICES_FILE_MAX_ALIASES][SERVICES_FILE_NAME_MAX + 1];
	size_t n_aliases;
	unsigned line; /* 1-based */
};

/* Parses one line (len bytes, no newline needed). Returns true for an entry; false for a blank
 * or comment line or one that is not an entry (no port/proto, port out of range). */
bool services_file_parse_line(const char *line, size_t len, unsigned line_no,
    struct services_entry *out);

/* The first entry of the protocol proto ("udp") whose name or an alias is name. */
bool services_file_find_name(const char *text, size_t len, const char *name, const char *proto,
    struct services_entry *out);
/* The first entry of the protocol proto for the port. */
bool services_file_find_port(const char *text, size_t len, unsigned port, const char *proto,
    struct services_entry *out);

#endif
