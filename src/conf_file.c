/* conf_file.c: reads clockwatch.conf(5) from a file and parses it (conf.c), printing each error
 * as FILE:LINE:COL: MESSAGE. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "conf_file.h"
#include "log.h"
#include "xalloc.h"

#define MAX_CONF_BYTES (1 << 20)

int
conf_load_file(const char *path, bool given, struct conf *c)
{
	char *text = xmalloc(MAX_CONF_BYTES + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = 0, r;

	conf_defaults(c, getenv("STATE_DIRECTORY"));
	if (fd < 0) {
		free(text);
		if (errno == ENOENT && !given)
			return 0;
		log_errno(LOG_LVL_ERROR, -errno, "config %s", path);
		return -1;
	}
	while (n < MAX_CONF_BYTES && (r = read(fd, text + n, MAX_CONF_BYTES - (size_t)n)) > 0)
		n += r;
	close(fd);
	if (n >= MAX_CONF_BYTES) {
		log_error("config %s: larger than %d bytes", path, MAX_CONF_BYTES);
		free(text);
		return -1;
	}
	int rc = conf_parse(c, text, (size_t)n);
	free(text);
	for (size_t i = 0; i < c->n_errors; i++) {
		char line[600];
		conf_format_error(c, i, path, line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
	return rc < 0 ? -1 : 0;
}
