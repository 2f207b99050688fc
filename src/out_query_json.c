/* out_query_json.c: the JSON document of `clockwatch query --json` (schema clockwatch.query/1).
 * Numbers that were not measured are null, never 0. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "buf.h"
#include "out_query.h"
#include "query.h"

static json_t *
num_or_null(bool have, double v)
{
	return have ? json_real(v) : json_null();
}

static json_t *
samples_json(const struct query_target *t)
{
	json_t *a = json_array();

	for (size_t i = 0; i < t->n_samples; i++) {
		const struct filter_sample *s = &t->samples[i];
		json_array_append_new(a,
		    json_pack("{s:f,s:f,s:f,s:I,s:I,s:I,s:I}", "offset_s", s->offset_s, "delay_s",
		        s->delay_s, "dispersion_s", s->dispersion_s, "t1_ns", (json_int_t)s->t1_ns,
		        "t2_ns", (json_int_t)s->t2_ns, "t3_ns", (json_int_t)s->t3_ns, "t4_ns",
		        (json_int_t)s->t4_ns));
	}
	return a;
}

static json_t *
tests_json(unsigned tests)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < FILTER_N_TESTS; i++)
		if (tests & (1u << i))
			json_array_append_new(a, json_string(filter_test_name(i)));
	return a;
}

static json_t *
target_json(const struct query_target *t)
{
	bool m = t->n_samples > 0;
	bool h = t->have_reply;
	char refid[16] = "", note[300];
	json_t *o;

	if (h)
		wire_ntp_format_refid(&t->reply, refid, sizeof(refid));
	query_note(t, note, sizeof(note));
	o = json_pack("{s:s,s:s?,s:i,s:s?,s:s,s:s?}", "host", t->host, "address",
	    t->addr[0] ? t->addr : NULL, "port", t->port, "family",
	    t->family == 0 ? NULL : (t->family == AF_INET6 ? "inet6" : "inet"), "status",
	    query_status_name(t->status), "error", t->status == QUERY_OK ? NULL : t->error);
	json_object_set_new(o, "offset_s", num_or_null(m, t->filt.offset_s));
	json_object_set_new(o, "delay_s", num_or_null(m, t->filt.delay_s));
	json_object_set_new(o, "jitter_s", num_or_null(t->n_samples > 1, t->filt.jitter_s));
	json_object_set_new(o, "dispersion_s", num_or_null(m, t->filt.dispersion_s));
	json_object_set_new(o, "error_bound_s", num_or_null(m, t->error_bound_s));
	json_object_set_new(o, "root_delay_s", num_or_null(h, t->root_delay_s));
	json_object_set_new(o, "root_dispersion_s", num_or_null(h, t->root_disp_s));
	json_object_set_new(o, "root_distance_s", num_or_null(m, t->root_distance_s));
	json_object_set_new(o, "stratum", h ? json_integer(t->reply.stratum) : json_null());
	json_object_set_new(o, "refid", h ? json_string(refid) : json_null());
	json_object_set_new(o, "leap",
	    h ? json_string(query_leap_name(t->reply.leap)) : json_null());
	json_object_set_new(o, "version", h ? json_integer(t->reply.version) : json_null());
	json_object_set_new(o, "poll", h ? json_integer(t->reply.poll) : json_null());
	json_object_set_new(o, "precision", h ? json_integer(t->reply.precision) : json_null());
	json_object_set_new(o, "tally", json_stringn(&t->tally, 1));
	json_object_set_new(o, "kiss_code",
	    t->kiss_code[0] ? json_string(t->kiss_code) : json_null());
	json_object_set_new(o, "failed_tests", tests_json(t->tests));
	json_object_set_new(o, "flash", json_integer(filter_flash(t->tests)));
	json_object_set_new(o, "sent", json_integer(t->n_sent));
	json_object_set_new(o, "received", json_integer((json_int_t)t->n_samples));
	json_object_set_new(o, "dropped",
	    json_pack("{s:i,s:i,s:i,s:i,s:i}", "bogus", t->n_bogus, "duplicate", t->n_duplicate,
	        "malformed", t->n_malformed, "wrong_mode", t->n_wrong_mode, "late", t->n_late));
	json_object_set_new(o, "note", json_string(note));
	json_object_set_new(o, "samples", samples_json(t));
	return o;
}

void
out_query_json(struct buf *b, const struct query_report *r)
{
	json_t *root = json_object(), *targets = json_array();
	char peer[300] = "";

	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(targets, target_json(&r->t[i]));
	if (r->sel.sys_peer >= 0)
		query_remote(&r->t[r->sel.sys_peer], peer, sizeof(peer));
	json_object_set_new(root, "schema", json_string("clockwatch.query/1"));
	json_object_set_new(root, "targets", targets);
	json_object_set_new(root, "selection",
	    json_pack("{s:I,s:b,s:b,s:I,s:I,s:I,s:s?}", "candidates", (json_int_t)r->n_candidates,
	        "majority_possible", r->n_candidates >= 3, "ok", r->sel.ok, "truechimers",
	        (json_int_t)r->sel.n_truechimers, "falsetickers", (json_int_t)r->sel.n_falsetickers,
	        "survivors", (json_int_t)r->sel.n_survivors, "system_peer",
	        r->sel.sys_peer >= 0 ? peer : NULL));
	json_object_set_new(root, "stray_replies", json_integer(r->stray));
	json_object_set_new(root, "local_precision", json_integer(r->local_precision));
	json_object_set_new(root, "kernel_timestamps", json_boolean(r->kernel_rx_ts));
	json_object_set_new(root, "kernel_tx_timestamps", json_boolean(r->kernel_tx_ts));
	json_object_set_new(root, "elapsed_s", json_real(r->elapsed_s));
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	if (s) {
		buf_puts(b, s);
		buf_puts(b, "\n");
		free(s);
	}
	json_decref(root);
}
