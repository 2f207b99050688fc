/* cw_test.h: what every unit test includes: cmocka (with the headers it needs first) and asserts
 * for doubles, 64-bit values and substrings that print both sides. cmocka 1.1.5 compares only as
 * float, which cannot tell 15 s from 15.000001 s. Test-only; not part of cw-core. */
#ifndef CLOCKWATCH_CW_TEST_H
#define CLOCKWATCH_CW_TEST_H

/* cmocka.h needs these four before it. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
/* clang-format on */

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* |got - want| <= eps; eps 0 asks for the exact value. NaN never passes. */
#define assert_double_near(got, want, eps)                                                         \
	cw_assert_double((got), (want), (eps), #got, __FILE__, __LINE__)
#define assert_double_exact(got, want) assert_double_near(got, want, 0.0)
/* 64-bit values shown in hex, as NTP timestamps are read. */
#define assert_u64_equal(got, want) cw_assert_u64((got), (want), #got, __FILE__, __LINE__)
#define assert_contains(s, sub) cw_assert_contains((s), (sub), #s, __FILE__, __LINE__)
#define assert_i64_equal(got, want) cw_assert_i64((got), (want), #got, __FILE__, __LINE__)

/* The table row under test, named in failure messages; set it in table-driven loops. */
static const char *cw_case __attribute__((unused));

static inline void
cw_print_case(void)
{
	if (cw_case)
		print_error("case: %s\n", cw_case);
}

static inline void
cw_assert_double(double got, double want, double eps, const char *expr, const char *file, int line)
{
	if (fabs(got - want) <= eps)
		return;
	cw_print_case();
	print_error("%s:%d: %s = %.17g, want %.17g (+/- %g)\n", file, line, expr, got, want, eps);
	_fail(file, line);
}

static inline void
cw_assert_u64(uint64_t got, uint64_t want, const char *expr, const char *file, int line)
{
	if (got == want)
		return;
	cw_print_case();
	print_error("%s:%d: %s = 0x%016" PRIx64 ", want 0x%016" PRIx64 "\n", file, line, expr, got,
	    want);
	_fail(file, line);
}

static inline void
cw_assert_contains(const char *s, const char *sub, const char *expr, const char *file, int line)
{
	if (s && strstr(s, sub))
		return;
	cw_print_case();
	print_error("%s:%d: %s = \"%s\", want it to contain \"%s\"\n", file, line, expr,
	    s ? s : "(null)", sub);
	_fail(file, line);
}

static inline void
cw_assert_i64(int64_t got, int64_t want, const char *expr, const char *file, int line)
{
	if (got == want)
		return;
	cw_print_case();
	print_error("%s:%d: %s = %" PRId64 ", want %" PRId64 "\n", file, line, expr, got, want);
	_fail(file, line);
}

/* Reads dir/name into a malloc'ed buffer of exactly its size (so ASan sees any overread), plus a
 * NUL after the data when nul (not counted in *len); NULL and *len 0 when it does not exist. */
static inline uint8_t *
cw_load(const char *dir, const char *name, size_t *len, bool nul)
{
	char path[512];
	uint8_t *data;
	long n = 0;
	FILE *f;

	*len = 0;
	snprintf(path, sizeof(path), "%s%s", dir, name);
	if (!(f = fopen(path, "rb")))
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		fail_msg("%s: cannot size", path);
	data = malloc((size_t)n + (nul ? 1 : 0) + (n == 0));
	assert_non_null(data);
	if (fread(data, 1, (size_t)n, f) != (size_t)n)
		fail_msg("%s: short read", path);
	fclose(f);
	if (nul)
		data[n] = '\0';
	*len = (size_t)n;
	return data;
}

#endif
