/* xalloc.h: allocation wrappers that never return NULL: on exhaustion they print and abort. */
#ifndef CLOCKWATCH_XALLOC_H
#define CLOCKWATCH_XALLOC_H

#include <stddef.h>

/* malloc/calloc/realloc/strdup that abort with a message when memory is exhausted. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* realloc for nmemb elements of size bytes, with overflow checking. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);

#endif
