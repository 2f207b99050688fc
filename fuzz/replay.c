/* replay.c: runs LLVMFuzzerTestOneInput over every file named on the command line, or found
 * (not recursively, dot files skipped) in a directory named there, so a fuzz corpus replays
 * under any compiler in ordinary CI and under the ASan/UBSan build. Each input gets a buffer of
 * exactly its size, as libFuzzer gives it, so an overread is caught. Fails when nothing ran. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long size;
	int r = -1;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "%s: cannot size: %s\n", path, strerror(errno));
		goto out;
	}
	data = malloc(size ? (size_t)size : 1);
	if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "%s: cannot read\n", path);
		goto out;
	}
	LLVMFuzzerTestOneInput(data, (size_t)size);
	r = 0;
out:
	free(data);
	fclose(f);
	return r;
}

static int
not_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Runs path (a file, or the files in a directory); adds to *n and *failed. */
static void
run_path(const char *path, unsigned *n, unsigned *failed)
{
	struct dirent **names;
	struct stat st;
	char sub[4096];

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		(*failed)++;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		*failed += run_file(path) != 0;
		*n += 1;
		return;
	}
	int k = scandir(path, &names, not_dot, alphasort);
	if (k < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		(*failed)++;
		return;
	}
	for (int i = 0; i < k; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
		if (stat(sub, &st) == 0 && S_ISREG(st.st_mode)) {
			*failed += run_file(sub) != 0;
			*n += 1;
		}
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	unsigned n = 0, failed = 0;

	for (int i = 1; i < argc; i++)
		run_path(argv[i], &n, &failed);
	printf("replayed %u input%s, %u unreadable\n", n, n == 1 ? "" : "s", failed);
	return n == 0 || failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
