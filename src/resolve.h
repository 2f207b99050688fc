/* resolve.h: resolve many host names at once without blocking the loop. Numeric addresses are
 * answered at once; names go to glibc's getaddrinfo_a, which signals an eventfd when one ends. */
#ifndef CLOCKWATCH_RESOLVE_H
#define CLOCKWATCH_RESOLVE_H

#include <stddef.h>

#include "macros.h"

struct addrinfo;
struct resolve;

/* Starts resolving n hosts for UDP with family AF_UNSPEC, AF_INET or AF_INET6. Returns NULL and
 * *err = -errno if the batch could not be started. */
struct resolve *resolve_start(const char *const *hosts, size_t n, int family, int *err);

/* Readable (POLLIN) whenever more results may be ready; call resolve_drain() then. */
int resolve_fd(const struct resolve *r);
void resolve_drain(struct resolve *r);

/* Result of host i: 1 done (*res is the list, owned by r; or *res NULL and *errstr set),
 * 0 still pending. */
int resolve_result(struct resolve *r, size_t i, const struct addrinfo **res, const char **errstr);

/* Frees everything; requests still running in glibc are cancelled or parked until exit. */
void resolve_free(struct resolve *r);

#endif
