/* cw_timesyncd_dump.c: test-only. Calls probe_timesyncd_read once and prints everything it
 * returned as one JSON object on stdout (times as integer ns, so tests compare exactly with
 * busctl's µs), for tests/integration/test_timesyncd.py. Exit status 0 when the read succeeded,
 * 2 when it failed (the JSON still says why), 64 on bad usage.
 *
 * Usage: cw-timesyncd-dump [TIMEOUT_MS]   (default 2000) */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe_timesyncd.h"
#include "timesyncd_msg.h"

static json_t *
servers_json(const struct timesyncd_servers *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->names[i]));
	return json_pack("{s:o, s:I, s:b}", "names", a, "n_total", (json_int_t)l->n_total,
	    "is_truncated", l->is_truncated);
}

static json_t *
msg_json(const struct timesyncd_msg *m)
{
	json_t *o = json_pack("{s:b, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:f, s:f}", "has_sample",
	    m->has_sample, "leap", (int)m->leap, "version", (int)m->version, "mode", (int)m->mode,
	    "stratum", (int)m->stratum, "precision_log2", m->precision_log2, "precision_s",
	    m->precision_s, "root_delay_s", m->root_delay_s, "root_dispersion_s",
	    m->root_dispersion_s, "root_distance_s", m->root_distance_s);
	json_t *ref = json_array();

	for (int i = 0; i < 4; i++)
		json_array_append_new(ref, json_integer(m->refid[i]));
	json_object_set_new(o, "refid", ref);
	json_object_set_new(o, "refid_text", json_string(m->refid_text));
	json_object_set_new(o, "real_originate_ns", json_integer(m->real_originate_ns));
	json_object_set_new(o, "real_receive_ns", json_integer(m->real_receive_ns));
	json_object_set_new(o, "real_transmit_ns", json_integer(m->real_transmit_ns));
	json_object_set_new(o, "real_destination_ns", json_integer(m->real_destination_ns));
	json_object_set_new(o, "is_spike", json_boolean(m->is_spike));
	json_object_set_new(o, "packet_count", json_integer((json_int_t)m->packet_count));
	json_object_set_new(o, "jitter_s", json_real(m->jitter_s));
	json_object_set_new(o, "has_offset", json_boolean(m->has_offset));
	json_object_set_new(o, "offset_s", json_real(m->offset_s));
	json_object_set_new(o, "delay_s", json_real(m->delay_s));
	return o;
}

static json_t *
timedate_json(const struct timedate_state *t)
{
	json_t *o = json_pack("{s:b, s:s}", "is_running", t->is_running, "reason", t->reason);

	if (t->has_ntp)
		json_object_set_new(o, "ntp", json_boolean(t->is_ntp));
	if (t->has_ntp_synchronized)
		json_object_set_new(o, "ntp_synchronized", json_boolean(t->is_ntp_synchronized));
	if (t->has_can_ntp)
		json_object_set_new(o, "can_ntp", json_boolean(t->can_ntp));
	return o;
}

static json_t *
state_json(const struct timesyncd_state *s, int r, double elapsed_s)
{
	json_t *o = json_pack("{s:i, s:s, s:s, s:f, s:b}", "rc", r, "errno_name",
	    r < 0 ? strerrorname_np(-r) : "", "reason", s->reason, "elapsed_s", elapsed_s,
	    "is_running", s->is_running);

	json_object_set_new(o, "server_name", json_string(s->server_name));
	json_object_set_new(o, "server_family", json_integer(s->server_address.family));
	json_object_set_new(o, "server_address", json_string(s->server_address.text));
	json_object_set_new(o, "msg", msg_json(&s->msg));
	json_object_set_new(o, "poll_interval_ns", json_integer(s->poll_interval_ns));
	json_object_set_new(o, "poll_interval_min_ns", json_integer(s->poll_interval_min_ns));
	json_object_set_new(o, "poll_interval_max_ns", json_integer(s->poll_interval_max_ns));
	json_object_set_new(o, "root_distance_max_ns", json_integer(s->root_distance_max_ns));
	json_object_set_new(o, "frequency_scaled", json_integer(s->frequency_scaled));
	json_object_set_new(o, "freq_ppm", json_real(s->freq_ppm));
	json_object_set_new(o, "system_servers", servers_json(&s->system_servers));
	json_object_set_new(o, "link_servers", servers_json(&s->link_servers));
	json_object_set_new(o, "runtime_servers", servers_json(&s->runtime_servers));
	json_object_set_new(o, "fallback_servers", servers_json(&s->fallback_servers));
	json_object_set_new(o, "has_runtime_servers", json_boolean(s->has_runtime_servers));
	json_object_set_new(o, "timedate", timedate_json(&s->timedate));
	return o;
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct timesyncd_state *s = calloc(1, sizeof(*s));
	long timeout_ms = 2000;
	char *end;

	if (argc > 2 || !s) {
		fprintf(stderr, "usage: cw-timesyncd-dump [TIMEOUT_MS]\n");
		return 64;
	}
	if (argc == 2) {
		errno = 0;
		timeout_ms = strtol(argv[1], &end, 10);
		if (errno || *end || end == argv[1]) {
			fprintf(stderr, "cw-timesyncd-dump: bad timeout '%s'\n", argv[1]);
			return 64;
		}
	}
	double t0 = mono_s();
	int r = probe_timesyncd_read(s, (int64_t)timeout_ms * 1000);
	json_t *o = state_json(s, r, mono_s() - t0);
	char *text = json_dumps(o, JSON_SORT_KEYS | JSON_REAL_PRECISION(17));

	if (text)
		puts(text);
	free(text);
	json_decref(o);
	free(s);
	return r < 0 ? 2 : 0;
}
