/* fuzz_check.h: CHECK(c) for the fuzz targets: an invariant that does not hold aborts with its
 * text, so libFuzzer keeps the input that broke it. */
#ifndef CLOCKWATCH_FUZZ_CHECK_H
#define CLOCKWATCH_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #c);  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif
