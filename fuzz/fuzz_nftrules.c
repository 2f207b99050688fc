/* fuzz_nftrules.c: nftables ruleset JSON through nftrules_scan. The first byte picks the port
 * (123 mostly); the rest is the text, which need not be terminated. Invariants: a status the
 * header names, the kept findings within their bound and never more than were counted, every
 * string terminated (and the rule's text not empty), a verdict that is drop or reject. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "nftrules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nftrules_result r;

	if (size < 1)
		return 0;
	unsigned port = data[0] < 128 ? 123 : data[0];
	enum nftrules_status st = nftrules_scan((const char *)data + 1, size - 1, port, &r);

	CHECK(st <= NFTRULES_TOO_BIG);
	CHECK(terminated(r.error, sizeof(r.error)));
	CHECK(r.n_hits <= NFTRULES_MAX_HITS && r.n_hits <= r.n_found);
	CHECK(st == NFTRULES_OK || r.n_found == 0);
	for (size_t i = 0; i < r.n_hits; i++) {
		const struct nftrules_hit *h = &r.hits[i];
		CHECK(terminated(h->family, sizeof(h->family)));
		CHECK(terminated(h->table, sizeof(h->table)));
		CHECK(terminated(h->chain, sizeof(h->chain)));
		CHECK(terminated(h->hook, sizeof(h->hook)));
		CHECK(terminated(h->text, sizeof(h->text)) && h->text[0]);
		CHECK(!strcmp(h->verdict, "drop") || !strcmp(h->verdict, "reject"));
	}
	return 0;
}
