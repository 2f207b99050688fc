/* cw_hist_writer.c: drives hist.c for tests only (never installed), as the agent will: reload the
 * alarm state, then commit checks, each with one alarm event, and say on stdout which ones were
 * acknowledged. tests/integration/test_hist_crash.py kills it with SIGKILL at random moments and
 * then looks in the database; it also runs it on a full and on a read-only file system.
 *
 *   cw-hist-writer DIR N [TEXT_LEN]   commit N checks; prints "start K" (the last event stored
 *                                     when it began), "acked S" after each commit returns 0,
 *                                     "error R MESSAGE" after each that fails (and goes on), and
 *                                     "done acked A errors E seconds T"
 *   cw-hist-writer --read DIR         read-only: prints "last_seq K events N newest S"
 *
 * Check number S (its event's seq) has real_ns = S, so the test can pair events with checks.
 * Exit codes: 0 ran, 1 open failed ("open-error R MESSAGE" on stdout), 2 usage, 3 the store
 * contradicts itself (alarm state against events, or a seq not the one expected). */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hist.h"

#define MAX_N 100000000L

static int
usage(void)
{
	fprintf(stderr, "usage: cw-hist-writer DIR N [TEXT_LEN] | cw-hist-writer --read DIR\n");
	return 2;
}

static struct hist *
open_or_say(const char *dir, bool read_only)
{
	struct hist *h;
	int r = hist_open(dir, read_only, &h);

	if (r < 0) {
		printf("open-error %d %s\n", r, hist_open_error());
		return NULL;
	}
	return h;
}

/* The newest stored event's seq, 0 when none; -1 on error (said on stdout). */
static int64_t
newest_seq(struct hist *h)
{
	struct hist_event ev;
	size_t got;
	int r = hist_events(h, &ev, 1, &got);

	if (r < 0) {
		printf("error %d %s\n", r, hist_strerror(h));
		return -1;
	}
	return got ? ev.seq : 0;
}

static int
cmd_read(const char *dir)
{
	static struct hist_event ev[64];
	struct hist_alarm a;
	struct hist *h = open_or_say(dir, true);
	int64_t newest;
	size_t got;
	int r;

	if (h == NULL)
		return 1;
	r = hist_load_alarm(h, &a);
	if (r == 0)
		r = hist_events(h, ev, CW_ARRAY_LEN(ev), &got);
	if (r < 0) {
		printf("error %d %s\n", r, hist_strerror(h));
		hist_close(h);
		return 1;
	}
	newest = got ? ev[got - 1].seq : 0;
	printf("last_seq %" PRId64 " events %zu newest %" PRId64 "\n", a.last_seq, got, newest);
	hist_close(h);
	return 0;
}

static void
fill(struct hist_check *c, struct hist_event *ev, struct hist_alarm *a, int64_t seq, long text_len)
{
	*c = (struct hist_check){.real_ns = seq,
	    .service = 1,
	    .answering = true,
	    .synchronized = seq % 3 != 0,
	    .offset_s = seq % 2 ? 1e-3 : (double)NAN,
	    .offset_error_s = 1e-4,
	    .root_distance_s = 0.01,
	    .jitter_s = 1e-5,
	    .stratum = 2,
	    .n_sources = 3,
	    .n_reachable = 3,
	    .severity = (int)(seq % 5)};
	*ev = (struct hist_event){.real_ns = seq, .kind = 1, .from = 0, .to = (int)(seq % 5)};
	snprintf(ev->text, sizeof(ev->text), "event %" PRId64 " ", seq);
	for (size_t i = strlen(ev->text); i < (size_t)text_len && i < sizeof(ev->text) - 1; i++)
		ev->text[i] = '.';
	*a = (struct hist_alarm){.valid = true,
	    .severity = (int)(seq % 5),
	    .start_real_ns = 1,
	    .unselected_since_real_ns = -1};
	snprintf(a->text, sizeof(a->text), "state %" PRId64, seq);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The stored state must agree with the stored events: that is what a restart relies on. */
static int
reload(struct hist *h, int64_t *last)
{
	struct hist_alarm a;
	int64_t newest = newest_seq(h);
	int r = hist_load_alarm(h, &a);

	if (r < 0 || newest < 0) {
		printf("error %d %s\n", r, hist_strerror(h));
		return 1;
	}
	*last = a.valid ? a.last_seq : 0;
	printf("start %" PRId64 "\n", *last);
	if (*last != newest) {
		printf("mismatch alarm.last_seq %" PRId64 " newest event %" PRId64 "\n", *last,
		    newest);
		return 3;
	}
	return 0;
}

static int
cmd_write(const char *dir, long n, long text_len)
{
	struct hist *h = open_or_say(dir, false);
	long acked = 0, errors = 0;
	int64_t last;
	double t0;
	int rc;

	if (h == NULL)
		return 1;
	rc = reload(h, &last);
	t0 = now_s();
	for (long i = 0; rc == 0 && i < n; i++) {
		struct hist_check c;
		struct hist_event ev;
		struct hist_alarm a;
		int r;

		fill(&c, &ev, &a, last + 1, text_len);
		r = hist_commit_check(h, &c, &ev, 1, &a);
		if (r < 0) {
			printf("error %d %s\n", r, hist_strerror(h));
			errors++;
		} else if (ev.seq != last + 1) {
			printf("mismatch seq %" PRId64 " want %" PRId64 "\n", ev.seq, last + 1);
			rc = 3;
		} else {
			printf("acked %" PRId64 "\n", ev.seq);
			last = ev.seq;
			acked++;
		}
	}
	if (rc == 0)
		printf("done acked %ld errors %ld seconds %.3f\n", acked, errors, now_s() - t0);
	hist_close(h);
	return rc;
}

int
main(int argc, char **argv)
{
	char *end;
	long n, text_len = 0;

	/* Line-buffered even into a pipe: a line printed is a line the test sees after SIGKILL. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "--read") == 0)
		return cmd_read(argv[2]);
	if (argc != 3 && argc != 4)
		return usage();
	n = strtol(argv[2], &end, 10);
	if (*end || n < 0 || n > MAX_N)
		return usage();
	if (argc == 4) {
		text_len = strtol(argv[3], &end, 10);
		if (*end || text_len < 0 || text_len > 511)
			return usage();
	}
	return cmd_write(argv[1], n, text_len);
}
