/* out_host_json.c: the JSON documents of status, peers, assoc and vars (schemas
 * clockwatch.status/1, .peers/1, .assoc/1, .vars/1; clockwatch(1)). Numbers that are not known
 * are null, never 0. */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "out_host.h"
#include "out_json.h"
#include "snapshot.h"
#include "verdict.h"

static json_t *
num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *
service_name(const struct snapshot *s)
{
	return s->primary >= 0 ? json_string(snapshot_daemon_name((enum snap_daemon)s->primary))
	                       : json_null();
}

void
out_json_emit(struct buf *b, json_t *root)
{
	char *out =
	    json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));

	if (out) {
		buf_puts(b, out);
		buf_puts(b, "\n");
		free(out);
	}
	json_decref(root);
}

static json_t *
services_json(const struct snapshot *s)
{
	json_t *a = json_array();

	for (int d = 0; d < SNAP_N_DAEMONS; d++) {
		const struct snap_service *svc = &s->svc[d];
		json_t *o = json_pack("{s:s,s:b,s:b,s:i,s:i,s:s?,s:s?,s:b,s:s?,s:s?,s:s?}", "name",
		    snapshot_daemon_name((enum snap_daemon)d), "installed", svc->installed,
		    "running", svc->running, "pid", svc->pid, "processes", svc->n_running,
		    "program", svc->program[0] ? svc->program : NULL, "config",
		    svc->conf_path[0] ? svc->conf_path : NULL, "answering", svc->answering,
		    "endpoint", svc->endpoint[0] ? svc->endpoint : NULL, "version",
		    svc->version[0] ? svc->version : NULL, "error",
		    svc->error[0] ? svc->error : NULL);
		json_object_set_new(o, "note", svc->note[0] ? json_string(svc->note) : json_null());
		json_object_set_new(o, "can_set_clock",
		    svc->running ? json_boolean(svc->can_set_clock) : json_null());
		json_t *conf = json_array(), *errs = json_array();
		for (size_t i = 0; i < svc->conf.n_sources; i++) {
			const struct daemonconf_source *c = &svc->conf.sources[i];
			json_array_append_new(conf,
			    json_pack("{s:s,s:s,s:i,s:b,s:b,s:b,s:s,s:i}", "kind",
			        daemonconf_kind_name(c->kind), "name", c->name, "port", c->port,
			        "iburst", c->iburst, "prefer", c->prefer, "noselect", c->noselect,
			        "file", c->file, "line", c->line));
		}
		for (size_t i = 0; i < svc->conf.n_errors; i++)
			json_array_append_new(errs,
			    json_pack("{s:s,s:i,s:s}", "file", svc->conf.errors[i].file, "line",
			        svc->conf.errors[i].line, "message", svc->conf.errors[i].msg));
		json_object_set_new(o, "configured_sources", conf);
		json_object_set_new(o, "config_errors", errs);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
kernel_json(const struct snapshot *s)
{
	char st[160];

	if (!s->have_kernel)
		return json_pack("{s:s}", "error", strerror(-s->kernel_err));
	kclock_status_str(s->kernel.status, st, sizeof(st));
	return json_pack("{s:s,s:i,s:s,s:b,s:b,s:f,s:f,s:f,s:f,s:i,s:f,s:i}", "state",
	    kclock_state_name(s->kernel.state), "status", (int)s->kernel.status, "status_names", st,
	    "unsync", s->kernel.unsync, "synchronized", s->kernel.synchronized, "offset_s",
	    s->kernel.offset_s, "frequency_ppm", s->kernel.freq_ppm, "maxerror_s",
	    s->kernel.maxerror_s, "esterror_s", s->kernel.esterror_s, "constant",
	    (int)s->kernel.constant, "tick_ppm", s->kernel.tick_ppm, "tai_offset_s",
	    s->kernel.tai_s);
}

void
out_status_json(struct buf *b, const struct snapshot *s, const struct verdict *v)
{
	json_t *root = json_object(), *sys = json_object();

	json_object_set_new(root, "schema", json_string("clockwatch.status/1"));
	json_object_set_new(root, "service", service_name(s));
	json_object_set_new(root, "services", services_json(s));
	json_object_set_new(sys, "from", json_string(snapshot_origin_name(s->system_from)));
	json_object_set_new(sys, "synchronized",
	    s->have_system ? json_boolean(s->synchronized) : json_null());
	json_object_set_new(sys, "source_name", json_string(s->source_name));
	json_object_set_new(sys, "source_address", json_string(s->source_addr));
	json_object_set_new(sys, "refid", json_string(s->refid));
	json_object_set_new(sys, "stratum",
	    s->stratum >= 0 ? json_integer(s->stratum) : json_null());
	json_object_set_new(sys, "last_sync_age_s", num(s->last_sync_age_s));
	json_object_set_new(sys, "offset_s", num(s->offset_s));
	json_object_set_new(sys, "offset_error_s", num(s->offset_error_s));
	json_object_set_new(sys, "root_delay_s", num(s->root_delay_s));
	json_object_set_new(sys, "root_dispersion_s", num(s->root_disp_s));
	json_object_set_new(sys, "root_distance_s", num(s->root_distance_s));
	json_object_set_new(sys, "frequency_ppm", num(s->freq_ppm));
	json_object_set_new(sys, "update_interval_s", num(s->poll_s));
	json_object_set_new(sys, "leap", json_string(snapshot_leap_name(s->leap)));
	json_object_set_new(root, "system", sys);
	json_object_set_new(root, "kernel", kernel_json(s));
	json_object_set_new(root, "verdict",
	    json_pack("{s:s,s:s}", "level", verdict_level_name(v->level), "text", v->text));
	out_json_emit(b, root);
}

void
out_peers_json(struct buf *b, const struct snapshot *s)
{
	json_t *root = json_object(), *a = json_array();

	for (size_t i = 0; i < s->n_sources; i++) {
		const struct snap_source *src = &s->sources[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(src->name));
		json_object_set_new(o, "address", json_string(src->addr));
		json_object_set_new(o, "tally", json_stringn(&src->tally, 1));
		json_object_set_new(o, "state", json_string(src->state));
		json_object_set_new(o, "type", json_stringn(&src->type, 1));
		json_object_set_new(o, "refid",
		    src->refid[0] ? json_string(src->refid) : json_null());
		json_object_set_new(o, "stratum",
		    src->stratum >= 0 ? json_integer(src->stratum) : json_null());
		json_object_set_new(o, "when_s", num(src->when_s));
		json_object_set_new(o, "poll_s", num(src->poll_s));
		json_object_set_new(o, "reach",
		    src->reach >= 0 ? json_integer(src->reach) : json_null());
		json_object_set_new(o, "delay_s", num(src->delay_s));
		json_object_set_new(o, "offset_s", num(src->offset_s));
		json_object_set_new(o, "offset_error_s", num(src->offset_error_s));
		json_object_set_new(o, "jitter_s", num(src->jitter_s));
		json_object_set_new(o, "samples",
		    src->n_samples >= 0 ? json_integer(src->n_samples) : json_null());
		json_object_set_new(o, "frequency_ppm", num(src->freq_ppm));
		json_object_set_new(o, "frequency_skew_ppm", num(src->freq_skew_ppm));
		json_array_append_new(a, o);
	}
	json_object_set_new(root, "schema", json_string("clockwatch.peers/1"));
	json_object_set_new(root, "service", service_name(s));
	json_object_set_new(root, "from", json_string(snapshot_origin_name(s->sources_from)));
	json_object_set_new(root, "sources", a);
	out_json_emit(b, root);
}

void
out_assoc_json(struct buf *b, const struct snapshot *s)
{
	json_t *root = json_object(), *a = json_array();

	for (size_t i = 0; i < s->n_sources; i++) {
		const struct snap_source *src = &s->sources[i];
		json_t *o = json_object();
		json_object_set_new(o, "ind", json_integer((json_int_t)i + 1));
		json_object_set_new(o, "assid",
		    src->assoc_id >= 0 ? json_integer(src->assoc_id) : json_null());
		json_object_set_new(o, "address", json_string(src->addr));
		json_object_set_new(o, "status",
		    src->status_word >= 0 ? json_integer(src->status_word) : json_null());
		json_object_set_new(o, "configured",
		    src->configured >= 0 ? json_boolean(src->configured) : json_null());
		json_object_set_new(o, "reachable",
		    src->reach >= 0 ? json_boolean(src->reach > 0) : json_null());
		json_object_set_new(o, "auth",
		    src->auth >= 0 ? json_string(snapshot_auth_name(src->auth)) : json_null());
		json_object_set_new(o, "condition", json_string(src->state));
		json_object_set_new(o, "last_event",
		    src->last_event[0] ? json_string(src->last_event) : json_null());
		json_object_set_new(o, "event_count",
		    src->event_count >= 0 ? json_integer(src->event_count) : json_null());
		json_array_append_new(a, o);
	}
	json_object_set_new(root, "schema", json_string("clockwatch.assoc/1"));
	json_object_set_new(root, "service", service_name(s));
	json_object_set_new(root, "associations", a);
	out_json_emit(b, root);
}

void
out_vars_json(struct buf *b, const struct snapshot *s, const struct snap_source *src)
{
	const struct snap_vars *v = src ? &src->vars : &s->system_vars;
	json_t *root = json_object(), *vars = json_object();

	for (size_t i = 0; i < v->n; i++)
		json_object_set_new(vars, v->v[i].name, json_string(v->v[i].value));
	json_object_set_new(root, "schema", json_string("clockwatch.vars/1"));
	json_object_set_new(root, "service", service_name(s));
	json_object_set_new(root, "association",
	    src && src->assoc_id >= 0 ? json_integer(src->assoc_id) : json_null());
	json_object_set_new(root, "address", src ? json_string(src->addr) : json_null());
	json_object_set_new(root, "variables", vars);
	out_json_emit(b, root);
}
