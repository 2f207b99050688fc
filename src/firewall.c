/* firewall.c: "list ruleset" through libnftables, its JSON output buffered in memory and handed
 * to nftrules_scan. Nothing is changed: the only command sent is a list. The capability is
 * checked first, so that an unprivileged run says why instead of showing netlink's error. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doctor.h"
#include "firewall.h"
#include "nftrules.h"

#define CAP_NET_ADMIN_BIT 12

/* A bit of this process's effective capabilities, from /proc/self/status. */
static bool
has_cap(unsigned bit)
{
	char line[256];
	bool has = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return true; /* cannot tell: let libnftables say */
	for (int i = 0; i < 128 && fgets(line, sizeof(line), f); i++)
		if (!strncmp(line, "CapEff:", 7))
			has = (strtoull(line + 7, NULL, 16) >> bit) & 1;
	fclose(f);
	return has;
}

/* The legacy iptables tables the kernel has loaded, from /proc/net/ip{,6}_tables_names (only
 * root may read them): "filter nat", "" when none or unreadable. */
static void
legacy_tables(char *buf, size_t len)
{
	static const char *const files[] = {"/proc/net/ip_tables_names",
	    "/proc/net/ip6_tables_names"};
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < 2; i++) {
		char names[256];
		int fd = open(files[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, names, sizeof(names) - 1);
		close(fd);
		if (n <= 0)
			continue;
		names[n] = '\0';
		for (char *save = NULL, *w = strtok_r(names, "\n", &save); w && o < len;
		     w = strtok_r(NULL, "\n", &save))
			if (!strstr(buf, w))
				o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? " " : "", w);
	}
}

static void
read_ruleset(unsigned port, struct doctor_firewall *out)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);

	if (!ctx) {
		out->state = DOCTOR_FW_ERROR;
		snprintf(out->error, sizeof(out->error), "libnftables: cannot create a context");
		return;
	}
	nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
	if (nft_ctx_buffer_output(ctx) || nft_ctx_buffer_error(ctx)) {
		out->state = DOCTOR_FW_ERROR;
		snprintf(out->error, sizeof(out->error), "libnftables: cannot buffer its output");
	} else if (nft_run_cmd_from_buffer(ctx, "list ruleset") != 0) {
		const char *err = nft_ctx_get_error_buffer(ctx);
		bool perm = err && strstr(err, "Operation not permitted");
		out->state = perm ? DOCTOR_FW_NO_PERMISSION : DOCTOR_FW_ERROR;
		snprintf(out->error, sizeof(out->error), "nft list ruleset: %.160s",
		    err && *err ? err : "failed");
		out->error[strcspn(out->error, "\n")] = '\0';
	} else {
		const char *json = nft_ctx_get_output_buffer(ctx);
		enum nftrules_status st =
		    nftrules_scan(json ? json : "", json ? strlen(json) : 0, port, &out->rules);
		out->state = st == NFTRULES_OK ? DOCTOR_FW_READ : DOCTOR_FW_ERROR;
		if (st != NFTRULES_OK)
			snprintf(out->error, sizeof(out->error), "the ruleset: %s (%.120s)",
			    nftrules_strerror(st), out->rules.error);
	}
	nft_ctx_free(ctx);
}

void
firewall_read(unsigned port, struct doctor_firewall *out)
{
	memset(out, 0, sizeof(*out));
	legacy_tables(out->legacy_tables, sizeof(out->legacy_tables));
	if (!has_cap(CAP_NET_ADMIN_BIT)) {
		out->state = DOCTOR_FW_NO_PERMISSION;
		snprintf(out->error, sizeof(out->error), "needs CAP_NET_ADMIN");
		return;
	}
	read_ruleset(port, out);
}
