/* conf_file.h: clockwatch.conf(5) from a file. */
#ifndef CLOCKWATCH_CONF_FILE_H
#define CLOCKWATCH_CONF_FILE_H

#include <stdbool.h>

#include "macros.h"

struct conf;

#define CONF_DEFAULT_PATH "/etc/clockwatch/clockwatch.conf"

/* Reads and parses path into *c over the defaults (state_dir from $STATE_DIRECTORY); prints its
 * errors to standard error. A missing file is no error unless given (the user named it): the
 * defaults apply. Returns 0 or -1. */
int conf_load_file(const char *path, bool given, struct conf *c) CW_MUST_CHECK;

#endif
