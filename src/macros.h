/* macros.h: small compiler helpers shared by every module. No state, no functions. */
#ifndef CLOCKWATCH_MACROS_H
#define CLOCKWATCH_MACROS_H

#define CW_MUST_CHECK __attribute__((warn_unused_result))
#define CW_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define CW_NORETURN __attribute__((noreturn))
#define CW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define CW_MIN(a, b) ((a) < (b) ? (a) : (b))
#define CW_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
