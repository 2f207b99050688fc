/* kclock.h: the kernel clock's NTP state as adjtimex(2) reports it, decoded into units
 * (PROTOCOLS.md §5). Pure: the probe (probe_kernel.c) reads, this file only interprets. */
#ifndef CLOCKWATCH_KCLOCK_H
#define CLOCKWATCH_KCLOCK_H

#include <stdbool.h>
#include <stddef.h>

struct timex;

/* Kernel leap-second state, from adjtimex's return value. */
enum kclock_state {
	KCLOCK_OK = 0,
	KCLOCK_INS = 1,   /* a leap second will be inserted at the end of the UTC day */
	KCLOCK_DEL = 2,   /* ... deleted */
	KCLOCK_OOP = 3,   /* a leap second is in progress */
	KCLOCK_WAIT = 4,  /* leap second done, INS/DEL still set */
	KCLOCK_ERROR = 5, /* STA_UNSYNC or STA_CLOCKERR set (or PPS trouble) */
};

/* The kernel's 16 s ceiling on maxerror: reaching it means no daemon has updated it for ~9 h. */
#define KCLOCK_MAXERROR_CAP_S 16.0

struct kclock {
	int state;       /* enum kclock_state, or another value the kernel returned */
	unsigned status; /* STA_* bits as read */
	bool unsync;     /* STA_UNSYNC */
	bool nano;       /* STA_NANO: offset and PPS jitter were in ns */
	/* The kernel's own opinion: STA_UNSYNC clear and maxerror under 16 s. Under chrony without
	 * rtcsync STA_UNSYNC stays set while chrony is synchronized: ask the daemon first. */
	bool synchronized;
	double offset_s;      /* remaining PLL offset; 0 when the kernel PLL is unused (chrony) */
	double freq_ppm;      /* frequency correction, + speeds the clock up */
	double maxerror_s;    /* maximum error */
	double esterror_s;    /* estimated error */
	double tolerance_ppm; /* maximum frequency error */
	double tick_s;        /* length of a tick; chrony moves it for large corrections */
	double tick_ppm;      /* tick's deviation from its nominal 1/USER_HZ, in ppm */
	long constant;        /* PLL time constant */
	int tai_s;            /* TAI - UTC, 0 unless a daemon set it */
	double pps_freq_ppm, pps_jitter_s, pps_stability_ppm;
	int pps_shift;
	long pps_jitter_count, pps_calibration_count, pps_error_count, pps_stability_count;
};

/* Decodes a struct timex read with modes = 0 and the value adjtimex returned. user_hz is the
 * kernel's USER_HZ (sysconf(_SC_CLK_TCK), 100 on Linux) for tick_ppm. */
void kclock_decode(const struct timex *tx, int rc, long user_hz, struct kclock *out);

/* "TIME_OK", "TIME_INS", ..., or "TIME_?" for an unknown value. */
const char *kclock_state_name(int state);

/* Comma-separated STA_* names of the bits in status ("PLL,UNSYNC,NANO"); "" for none. */
void kclock_status_str(unsigned status, char *buf, size_t len);

#endif
