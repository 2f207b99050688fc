/* web_assets.h: the dashboard's files (web/ and uPlot from npm), embedded at build time by
 * tools/embed-web so the agent serves them without reading files or reaching the internet. */
#ifndef CLOCKWATCH_WEB_ASSETS_H
#define CLOCKWATCH_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *route; /* "/", "/static/app.js", ... */
	const char *content_type;
	const unsigned char *data;
	size_t len;
	const char *etag;
};

extern const struct web_asset web_assets[];
extern const size_t web_n_assets;

#endif
