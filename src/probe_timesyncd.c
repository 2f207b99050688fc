/* probe_timesyncd.c: reads systemd-timesyncd (and, if it runs, timedated) over the system bus
 * with sd-bus. Like dbus.c and service.c (STYLE.md §3.3), one of the few files that may include
 * systemd headers; nothing of sd-bus leaves it.
 *
 * Never activates a service: each name is checked with NameHasOwner first and every call carries
 * the no-auto-start flag, which also covers a daemon that exits between the check and the call.
 * Never hangs: the connection is driven by hand until it is ready, since sd_bus_call waits for
 * authentication on sd-bus's own clock (busctl --timeout=1 took 90 s against a socket that never
 * answers), and every call gets what is left of the caller's budget. The connection is closed
 * without a flush, which could wait on a stuck peer.
 *
 * Values are checked against PROTOCOLS.md §4: each property's signature is compared before it is
 * read, and the NTPMessage and ServerAddress contents go through timesyncd_msg.c. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "probe_timesyncd.h"
#include "timesyncd_msg.h"

#define TS_NAME "org.freedesktop.timesync1"
#define TS_PATH "/org/freedesktop/timesync1"
#define TS_IFACE "org.freedesktop.timesync1.Manager"
#define TD_NAME "org.freedesktop.timedate1"
#define TD_PATH "/org/freedesktop/timedate1"
#define TD_IFACE "org.freedesktop.timedate1"
#define DEFAULT_BUS "unix:path=/run/dbus/system_bus_socket"

/* Bounds on loops driven by what the peer sends. */
#define MAX_CONNECT_STEPS 1000
#define MAX_PROPERTIES 256
#define MAX_LIST_ENTRIES 65536

struct ctx {
	sd_bus *bus;
	int64_t mono_deadline_us;
	int64_t timeout_us;
	struct timesyncd_state *out;
	const char *who; /* "timesyncd" or "timedated": starts each reason */
	char *reason;    /* out->reason or out->timedate.reason */
};

static int fail(struct ctx *c, int r, const char *fmt, ...) CW_PRINTF(3, 4);
static int bad(char *detail, size_t len, const char *fmt, ...) CW_PRINTF(3, 4);

/* Writes "<who>: <message>" into the current reason buffer; returns r. */
static int
fail(struct ctx *c, int r, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->reason, PROBE_TIMESYNCD_REASON_LEN, "%s: ", c->who);

	if (n < 0 || n >= PROBE_TIMESYNCD_REASON_LEN)
		return r;
	va_start(ap, fmt);
	vsnprintf(c->reason + n, PROBE_TIMESYNCD_REASON_LEN - (size_t)n, fmt, ap);
	va_end(ap);
	return r;
}

/* Writes a property reader's detail; returns -EBADMSG. */
static int
bad(char *detail, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, len, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static int64_t
mono_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* What is left of the budget in µs, 0 when it is spent (sd-bus reads 0 as "its default"). */
static uint64_t
remaining_us(const struct ctx *c)
{
	int64_t left = c->mono_deadline_us - mono_now_us();

	return left > 0 ? (uint64_t)left : 0;
}

static const char *
bus_address(void)
{
	const char *a = secure_getenv("DBUS_SYSTEM_BUS_ADDRESS");

	return a && *a ? a : DEFAULT_BUS;
}

/* Turns a failed call into the errno of probe_timesyncd.h and a reason. */
static int
call_failed(struct ctx *c, const char *what, int r, const sd_bus_error *e)
{
	const char *msg = e->message ? e->message : strerror(-r);

	if (sd_bus_error_has_name(e, SD_BUS_ERROR_ACCESS_DENIED) || r == -EACCES || r == -EPERM)
		return fail(c, -EACCES, "access denied (%s: %s)", what, msg);
	if (sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
		return fail(c, -ESRCH, "not running (%s: %s)", what, msg);
	if (sd_bus_error_has_names(e, SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_TIMEOUT) ||
	    r == -ETIMEDOUT)
		return fail(c, -ETIMEDOUT, "no answer within %lld ms (%s)",
		    (long long)(c->timeout_us / 1000), what);
	if (sd_bus_error_has_names(e, SD_BUS_ERROR_UNKNOWN_METHOD, SD_BUS_ERROR_UNKNOWN_OBJECT,
	        SD_BUS_ERROR_UNKNOWN_INTERFACE, SD_BUS_ERROR_UNKNOWN_PROPERTY))
		return fail(c, -EBADMSG, "bad reply (%s: %s)", what, msg);
	return fail(c, r < 0 ? r : -EIO, "%s failed: %s", what, msg);
}

/* Connects and authenticates within the budget. */
static int
connect_bus(struct ctx *c)
{
	const char *address = bus_address();
	int r;

	r = sd_bus_new(&c->bus);
	if (r < 0)
		return fail(c, r, "sd-bus: %s", strerror(-r));
	(void)sd_bus_set_description(c->bus, "clockwatch-timesyncd");
	(void)sd_bus_negotiate_fds(c->bus, 0);
	r = sd_bus_set_address(c->bus, address);
	if (r >= 0)
		r = sd_bus_set_bus_client(c->bus, 1);
	if (r >= 0)
		r = sd_bus_set_method_call_timeout(c->bus, (uint64_t)c->timeout_us);
	if (r >= 0)
		r = sd_bus_start(c->bus);
	for (int i = 0; r >= 0 && i < MAX_CONNECT_STEPS; i++) {
		r = sd_bus_process(c->bus, NULL);
		if (r < 0 || sd_bus_is_ready(c->bus) > 0)
			break;
		if (r > 0)
			continue;
		uint64_t left = remaining_us(c);
		r = left > 0 ? sd_bus_wait(c->bus, left) : -ETIMEDOUT;
	}
	if (r >= 0 && sd_bus_is_ready(c->bus) <= 0)
		r = -ETIMEDOUT;
	if (r < 0)
		return fail(c, r, "no system bus at %s (%s)", address, strerror(-r));
	return 0;
}

/* One method call that cannot activate anything, bounded by the budget. */
static int
call(struct ctx *c, const char *dest, const char *path, const char *iface, const char *member,
    sd_bus_error *err, sd_bus_message **reply, const char *types, ...)
{
	sd_bus_message *m = NULL;
	uint64_t left;
	va_list ap;
	int r;

	r = sd_bus_message_new_method_call(c->bus, &m, dest, path, iface, member);
	if (r < 0)
		goto out;
	r = sd_bus_message_set_auto_start(m, 0);
	if (r < 0)
		goto out;
	va_start(ap, types);
	r = sd_bus_message_appendv(m, types, ap);
	va_end(ap);
	if (r < 0)
		goto out;
	left = remaining_us(c);
	r = left > 0 ? sd_bus_call(c->bus, m, left, err, reply) : -ETIMEDOUT;
out:
	sd_bus_message_unref(m);
	return r;
}

/* *has = whether name has an owner now. */
static int
name_has_owner(struct ctx *c, const char *name, bool *has)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int b = 0, r;

	r = call(c, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
	    "NameHasOwner", &err, &reply, "s", name);
	if (r < 0) {
		r = call_failed(c, "NameHasOwner", r, &err);
		goto out;
	}
	r = sd_bus_message_read(reply, "b", &b);
	if (r < 0)
		r = fail(c, -EBADMSG, "bad NameHasOwner reply (%s)", strerror(-r));
	else
		r = 0;
	*has = b;
out:
	sd_bus_message_unref(reply);
	sd_bus_error_free(&err);
	return r;
}

/* Property readers: each gets the variant's contents, already checked for the signature. They
 * return 0 or -EBADMSG with a detail message. */
typedef int prop_read_fn(sd_bus_message *m, void *field, char *detail, size_t len);

static void
copy_string(char *dst, size_t size, const char *src, bool *is_truncated)
{
	size_t n = strlen(src);

	if (n >= size) {
		n = size - 1;
		if (is_truncated)
			*is_truncated = true;
	}
	memcpy(dst, src, n);
	dst[n] = 0;
}

static int
read_string(sd_bus_message *m, void *field, char *detail, size_t len)
{
	const char *s;
	int r = sd_bus_message_read(m, "s", &s);

	if (r <= 0)
		return bad(detail, len, "unreadable (%s)", strerror(r < 0 ? -r : EBADMSG));
	copy_string(field, PROBE_TIMESYNCD_NAME_LEN, s, NULL);
	return 0;
}

static int
read_usec(sd_bus_message *m, void *field, char *detail, size_t len)
{
	uint64_t us;
	int r = sd_bus_message_read(m, "t", &us);

	if (r <= 0)
		return bad(detail, len, "unreadable (%s)", strerror(r < 0 ? -r : EBADMSG));
	*(int64_t *)field = timesyncd_msg_usec_to_ns(us);
	return 0;
}

static int
read_frequency(sd_bus_message *m, void *field, char *detail, size_t len)
{
	struct timesyncd_state *s = field;
	int64_t v;
	int r = sd_bus_message_read(m, "x", &v);

	if (r <= 0)
		return bad(detail, len, "unreadable (%s)", strerror(r < 0 ? -r : EBADMSG));
	s->frequency_scaled = v;
	s->freq_ppm = timesyncd_msg_freq_ppm(v);
	return 0;
}

static int
read_servers(sd_bus_message *m, void *field, char *detail, size_t len)
{
	struct timesyncd_servers *l = field;
	const char *s;
	int r;

	memset(l, 0, sizeof(*l));
	r = sd_bus_message_enter_container(m, 'a', "s");
	for (size_t i = 0; r > 0; i++) {
		if (i >= MAX_LIST_ENTRIES)
			return bad(detail, len, "more than %d names", MAX_LIST_ENTRIES);
		r = sd_bus_message_read(m, "s", &s);
		if (r <= 0)
			break;
		if (l->n < PROBE_TIMESYNCD_MAX_SERVERS)
			copy_string(l->names[l->n++], PROBE_TIMESYNCD_NAME_LEN, s,
			    &l->is_truncated);
		l->n_total++;
	}
	if (r < 0 || sd_bus_message_exit_container(m) < 0)
		return bad(detail, len, "unreadable list");
	l->is_truncated = l->is_truncated || l->n < l->n_total;
	return 0;
}

static int
read_address(sd_bus_message *m, void *field, char *detail, size_t len)
{
	const void *bytes = NULL;
	size_t n = 0;
	int32_t family;
	int r;

	r = sd_bus_message_enter_container(m, 'r', "iay");
	if (r > 0)
		r = sd_bus_message_read(m, "i", &family);
	if (r > 0)
		r = sd_bus_message_read_array(m, 'y', &bytes, &n);
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r < 0)
		return bad(detail, len, "unreadable (%s)", strerror(-r));
	if (timesyncd_msg_decode_address(family, bytes, n, field, detail, len) != TIMESYNCD_MSG_OK)
		return -EBADMSG;
	return 0;
}

static int
read_message(sd_bus_message *m, void *field, char *detail, size_t len)
{
	struct timesyncd_msg_raw raw;
	const void *ref = NULL;
	int r;

	memset(&raw, 0, sizeof(raw));
	r = sd_bus_message_enter_container(m, 'r', "uuuuittayttttbtt");
	if (r > 0)
		r = sd_bus_message_read(m, "uuuuitt", &raw.leap, &raw.version, &raw.mode,
		    &raw.stratum, &raw.precision, &raw.root_delay_us, &raw.root_dispersion_us);
	if (r > 0)
		r = sd_bus_message_read_array(m, 'y', &ref, &raw.reference_len);
	if (r >= 0)
		r = sd_bus_message_read(m, "ttttbtt", &raw.originate_us, &raw.receive_us,
		    &raw.transmit_us, &raw.destination_us, &raw.spike, &raw.packet_count,
		    &raw.jitter_us);
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r < 0)
		return bad(detail, len, "unreadable (%s)", strerror(-r));
	raw.reference = ref;
	if (timesyncd_msg_decode(&raw, field, detail, len) != TIMESYNCD_MSG_OK)
		return -EBADMSG;
	return 0;
}

/* The Manager properties this probe knows. Those marked required must be in GetAll's answer;
 * the others are left zero when absent (older timesyncd). */
struct prop {
	const char *name;
	const char *sig;
	prop_read_fn *read;
	size_t offset;
	bool is_required;
};

static const struct prop props[] = {
    {"ServerName", "s", read_string, offsetof(struct timesyncd_state, server_name), true},
    {"ServerAddress", "(iay)", read_address, offsetof(struct timesyncd_state, server_address),
        true},
    {"NTPMessage", "(uuuuittayttttbtt)", read_message, offsetof(struct timesyncd_state, msg), true},
    {"PollIntervalUSec", "t", read_usec, offsetof(struct timesyncd_state, poll_interval_ns), true},
    {"PollIntervalMinUSec", "t", read_usec, offsetof(struct timesyncd_state, poll_interval_min_ns),
        false},
    {"PollIntervalMaxUSec", "t", read_usec, offsetof(struct timesyncd_state, poll_interval_max_ns),
        false},
    {"RootDistanceMaxUSec", "t", read_usec, offsetof(struct timesyncd_state, root_distance_max_ns),
        false},
    {"Frequency", "x", read_frequency, 0, false}, /* offset 0: gets the whole state */
    {"SystemNTPServers", "as", read_servers, offsetof(struct timesyncd_state, system_servers),
        false},
    {"LinkNTPServers", "as", read_servers, offsetof(struct timesyncd_state, link_servers), false},
    {"RuntimeNTPServers", "as", read_servers, offsetof(struct timesyncd_state, runtime_servers),
        false},
    {"FallbackNTPServers", "as", read_servers, offsetof(struct timesyncd_state, fallback_servers),
        false},
};

static const struct prop *
prop_find(const char *name, size_t *idx)
{
	for (size_t i = 0; i < CW_ARRAY_LEN(props); i++)
		if (strcmp(props[i].name, name) == 0) {
			*idx = i;
			return &props[i];
		}
	return NULL;
}

/* One {sv} entry of GetAll's answer; *seen gets the property's bit. */
static int
read_entry(struct ctx *c, sd_bus_message *m, unsigned *seen)
{
	char detail[160] = "";
	const char *name, *contents = NULL;
	const struct prop *p;
	size_t idx = 0;
	char type = 0;
	int r;

	r = sd_bus_message_read(m, "s", &name);
	if (r > 0)
		r = sd_bus_message_peek_type(m, &type, &contents);
	if (r <= 0 || type != 'v' || !contents)
		return fail(c, -EBADMSG, "bad reply (GetAll entry)");
	p = prop_find(name, &idx);
	if (!p) { /* a property of a newer timesyncd */
		if (sd_bus_message_skip(m, "v") < 0)
			return fail(c, -EBADMSG, "bad reply (%s)", name);
		return 0;
	}
	if (strcmp(contents, p->sig) != 0)
		return fail(c, -EBADMSG, "bad reply (%s has signature %s, want %s)", p->name,
		    contents, p->sig);
	r = sd_bus_message_enter_container(m, 'v', p->sig);
	if (r == 0)
		r = -EBADMSG;
	if (r > 0)
		r = p->read(m, (char *)c->out + p->offset, detail, sizeof(detail));
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r < 0)
		return fail(c, -EBADMSG, "bad reply (%s: %s)", p->name,
		    detail[0] ? detail : strerror(-r));
	*seen |= 1u << idx;
	return 0;
}

static int
parse_get_all(struct ctx *c, sd_bus_message *m)
{
	unsigned seen = 0;
	size_t idx = 0;
	int r, i;

	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r <= 0)
		return fail(c, -EBADMSG, "bad reply (GetAll answered %s, want a{sv})",
		    sd_bus_message_get_signature(m, 1));
	for (i = 0; i < MAX_PROPERTIES; i++) {
		r = sd_bus_message_enter_container(m, 'e', "sv");
		if (r == 0)
			break;
		if (r > 0)
			r = read_entry(c, m, &seen);
		if (r >= 0 && sd_bus_message_exit_container(m) < 0)
			r = fail(c, -EBADMSG, "bad reply (GetAll)");
		if (r < 0)
			return r;
	}
	if (i == MAX_PROPERTIES || sd_bus_message_exit_container(m) < 0)
		return fail(c, -EBADMSG, "bad reply (GetAll: malformed or too long)");
	for (size_t k = 0; k < CW_ARRAY_LEN(props); k++)
		if (props[k].is_required && !(seen & (1u << k)))
			return fail(c, -EBADMSG, "bad reply (no %s property)", props[k].name);
	c->out->has_runtime_servers = prop_find("RuntimeNTPServers", &idx) && (seen & (1u << idx));
	return 0;
}

static int
read_timesyncd(struct ctx *c)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	bool has = false;
	int r;

	r = name_has_owner(c, TS_NAME, &has);
	if (r < 0)
		return r;
	if (!has)
		return fail(c, -ESRCH, "not running (" TS_NAME " has no owner; not activated)");
	c->out->is_running = true;
	r = call(c, TS_NAME, TS_PATH, "org.freedesktop.DBus.Properties", "GetAll", &err, &reply,
	    "s", TS_IFACE);
	if (r < 0)
		r = call_failed(c, "GetAll", r, &err);
	else
		r = parse_get_all(c, reply);
	if (r == -ESRCH)
		c->out->is_running = false;
	sd_bus_message_unref(reply);
	sd_bus_error_free(&err);
	return r;
}

/* One boolean timedate1 property; on failure a note is added to the timedate reason. */
static void
read_timedate_bool(struct ctx *c, const char *name, bool *has, bool *value)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	size_t used = strlen(c->reason);
	const char *why = NULL;
	int b = 0, r;

	r = call(c, TD_NAME, TD_PATH, "org.freedesktop.DBus.Properties", "Get", &err, &reply, "ss",
	    TD_IFACE, name);
	if (r < 0)
		why = err.message ? err.message : strerror(-r);
	else if (sd_bus_message_read(reply, "v", "b", &b) <= 0)
		why = "not a boolean";
	if (why) {
		snprintf(c->reason + used, PROBE_TIMESYNCD_REASON_LEN - used, "%s%s: %s",
		    used ? "; " : "timedated: ", name, why);
	} else {
		*has = true;
		*value = b;
	}
	sd_bus_message_unref(reply);
	sd_bus_error_free(&err);
}

/* timedate1, only if timedated runs already; its trouble goes to out->timedate.reason. */
static void
read_timedate(struct ctx *c)
{
	struct timedate_state *td = &c->out->timedate;
	bool has = false;

	c->who = "timedated";
	c->reason = td->reason;
	if (name_has_owner(c, TD_NAME, &has) < 0)
		return;
	if (!has) {
		fail(c, 0, "not running (" TD_NAME " has no owner; not activated)");
		return;
	}
	td->is_running = true;
	read_timedate_bool(c, "NTP", &td->has_ntp, &td->is_ntp);
	read_timedate_bool(c, "NTPSynchronized", &td->has_ntp_synchronized,
	    &td->is_ntp_synchronized);
	read_timedate_bool(c, "CanNTP", &td->has_can_ntp, &td->can_ntp);
}

int
probe_timesyncd_read(struct timesyncd_state *out, int64_t timeout_us)
{
	struct ctx c = {.out = out, .timeout_us = timeout_us, .who = "timesyncd"};
	int r;

	memset(out, 0, sizeof(*out));
	c.reason = out->reason;
	if (timeout_us <= 0)
		return fail(&c, -EINVAL, "timeout must be positive");
	int64_t now_us = mono_now_us();
	c.mono_deadline_us = timeout_us < INT64_MAX - now_us ? now_us + timeout_us : INT64_MAX;
	r = connect_bus(&c);
	if (r < 0) {
		snprintf(out->timedate.reason, sizeof(out->timedate.reason),
		    "timedated: not read (no system bus)");
		goto out;
	}
	r = read_timesyncd(&c);
	if (r == 0 || r == -ESRCH)
		read_timedate(&c);
out:
	if (r < 0) {
		/* Keep the reason, is_running and timedate1's values; drop half-read ones. */
		struct timedate_state td = out->timedate;
		char reason[PROBE_TIMESYNCD_REASON_LEN];
		bool is_running = out->is_running;
		memcpy(reason, out->reason, sizeof(reason));
		memset(out, 0, sizeof(*out));
		memcpy(out->reason, reason, sizeof(reason));
		out->is_running = is_running;
		out->timedate = td;
	}
	sd_bus_close_unref(c.bus);
	return r;
}
