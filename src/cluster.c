/* cluster.c: the cluster's clocks against each other (cluster.h), and their rendering. */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cluster.h"
#include "conf.h"
#include "out_json.h"
#include "select.h"
#include "strutil.h"
#include "xalloc.h"

void
cluster_judge(struct cluster_node *nodes, size_t n, double threshold_s, struct cluster_verdict *v)
{
	struct select_cand *c = xcalloc(n ? n : 1, sizeof(*c));
	size_t *idx = xcalloc(n ? n : 1, sizeof(*idx));
	struct select_result res;
	double lo = INFINITY, hi = -INFINITY;
	size_t k = 0;

	memset(v, 0, sizeof(*v));
	v->n_nodes = n;
	v->threshold_s = threshold_s;
	v->centre_s = NAN;
	for (size_t i = 0; i < n; i++) {
		struct cluster_node *nd = &nodes[i];
		nd->outlier = false;
		nd->off_majority_s = NAN;
		if (nd->self) {
			nd->measured = true;
			nd->offset_s = 0;
		}
		if (!nd->measured || !isfinite(nd->offset_s))
			continue;
		double err = isfinite(nd->error_s) ? nd->error_s : 0;
		c[k].offset_s = nd->offset_s;
		c[k].root_distance_s = fmax(err, threshold_s / 2);
		c[k].jitter_s = 0;
		c[k].stratum = 1;
		idx[k++] = i;
		lo = fmin(lo, nd->offset_s);
		hi = fmax(hi, nd->offset_s);
	}
	v->n_measured = k;
	v->spread_s = k ? hi - lo : 0;
	v->exceeded = k > 1 && v->spread_s > threshold_s;
	select_run(c, k, &res);
	v->majority = res.ok && k >= 3;
	if (v->majority) {
		v->centre_s = (res.low_s + res.high_s) / 2;
		for (size_t j = 0; j < k; j++) {
			struct cluster_node *nd = &nodes[idx[j]];
			nd->off_majority_s = nd->offset_s - v->centre_s;
			/* an outlier is a falseticker of the intersection, and far enough from the
			 * majority to matter */
			if (c[j].tally == SELECT_TALLY_FALSETICKER &&
			    fabs(nd->off_majority_s) > threshold_s / 2) {
				nd->outlier = true;
				v->n_outliers++;
			}
		}
	}
	if (v->exceeded) {
		size_t len = (size_t)snprintf(v->text, sizeof(v->text),
		    "Time differs between nodes by more than %.1f seconds: ", threshold_s);
		if (v->majority && v->n_outliers) {
			bool first = true;
			for (size_t i = 0; i < n && len < sizeof(v->text); i++) {
				if (!nodes[i].outlier)
					continue;
				len += (size_t)snprintf(v->text + len, sizeof(v->text) - len,
				    "%s%s off by %.1f seconds", first ? "" : ", ", nodes[i].name,
				    fabs(nodes[i].off_majority_s));
				first = false;
			}
			if (len < sizeof(v->text))
				snprintf(v->text + len, sizeof(v->text) - len,
				    " (spread %.1f seconds)", v->spread_s);
		} else if (len < sizeof(v->text)) {
			snprintf(v->text + len, sizeof(v->text) - len,
			    "no majority agrees (spread %.1f seconds)", v->spread_s);
		}
	}
	free(c);
	free(idx);
}

static const char *
role_name(int role)
{
	return role == CONF_ROLE_CONTROL ? "control" : role == CONF_ROLE_PAYLOAD ? "payload" : "";
}

void
out_cluster_text(struct buf *b, const struct cluster_node *nodes, size_t n,
    const struct cluster_verdict *v)
{
	char off[48], dly[48], maj[48];

	buf_printf(b, "%-16s %-8s %-22s %14s %12s %14s  %s\n", "node", "role", "address", "offset",
	    "delay", "from majority", "state");
	for (size_t i = 0; i < n; i++) {
		const struct cluster_node *nd = &nodes[i];
		char where[96];
		snprintf(where, sizeof(where), strchr(nd->addr, ':') ? "[%s]:%u" : "%s:%u",
		    nd->addr, nd->port);
		if (nd->self)
			snprintf(where, sizeof(where), "(this node)");
		if (!nd->measured) {
			buf_printf(b, "%-16s %-8s %-22s %14s %12s %14s  not measured: %s\n",
			    nd->name, role_name(nd->role), where, "-", "-", "-", nd->error);
			continue;
		}
		strutil_fmt_seconds(off, sizeof(off), nd->offset_s, true);
		if (nd->self)
			snprintf(dly, sizeof(dly), "-");
		else
			strutil_fmt_seconds(dly, sizeof(dly), nd->delay_s, false);
		if (isfinite(nd->off_majority_s))
			strutil_fmt_seconds(maj, sizeof(maj), nd->off_majority_s, true);
		else
			snprintf(maj, sizeof(maj), "-");
		buf_printf(b, "%-16s %-8s %-22s %14s %12s %14s  %s%s\n", nd->name,
		    role_name(nd->role), where, off, dly, maj, nd->outlier ? "OUTLIER" : "ok",
		    !nd->self && !nd->synchronized ? " (its time service is not synchronized)"
		                                   : "");
	}
	strutil_fmt_seconds(off, sizeof(off), v->spread_s, false);
	buf_printf(b, "\n%zu of %zu nodes measured, spread %s (threshold %.1f s): ", v->n_measured,
	    v->n_nodes, off, v->threshold_s);
	if (v->exceeded)
		buf_printf(b, "CRITICAL: %s\n", v->text);
	else
		buf_printf(b, "within the threshold\n");
}

static json_t *
num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

void
out_cluster_json(struct buf *b, const struct cluster_node *nodes, size_t n,
    const struct cluster_verdict *v)
{
	json_t *root = json_object(), *arr = json_array();

	json_object_set_new(root, "schema", json_string("clockwatch.cluster/1"));
	json_object_set_new(root, "threshold_s", json_real(v->threshold_s));
	json_object_set_new(root, "nodes_total", json_integer((json_int_t)v->n_nodes));
	json_object_set_new(root, "nodes_measured", json_integer((json_int_t)v->n_measured));
	json_object_set_new(root, "spread_s", json_real(v->spread_s));
	json_object_set_new(root, "majority", json_boolean(v->majority));
	json_object_set_new(root, "exceeded", json_boolean(v->exceeded));
	json_object_set_new(root, "text", json_string(v->text));
	for (size_t i = 0; i < n; i++) {
		const struct cluster_node *nd = &nodes[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(nd->name));
		json_object_set_new(o, "role",
		    nd->role ? json_string(role_name(nd->role)) : json_null());
		json_object_set_new(o, "self", json_boolean(nd->self));
		json_object_set_new(o, "address", nd->self ? json_null() : json_string(nd->addr));
		json_object_set_new(o, "port", nd->self ? json_null() : json_integer(nd->port));
		json_object_set_new(o, "measured", json_boolean(nd->measured));
		json_object_set_new(o, "error",
		    nd->measured ? json_null() : json_string(nd->error));
		json_object_set_new(o, "offset_s", nd->measured ? num(nd->offset_s) : json_null());
		json_object_set_new(o, "delay_s",
		    nd->measured && !nd->self ? num(nd->delay_s) : json_null());
		json_object_set_new(o, "from_majority_s", num(nd->off_majority_s));
		json_object_set_new(o, "outlier", json_boolean(nd->outlier));
		json_object_set_new(o, "synchronized",
		    nd->measured && !nd->self ? json_boolean(nd->synchronized) : json_null());
		json_object_set_new(o, "stratum",
		    nd->measured && !nd->self && nd->stratum >= 0 ? json_integer(nd->stratum)
		                                                  : json_null());
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "nodes", arr);
	out_json_emit(b, root);
}
