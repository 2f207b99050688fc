/* kclock.c: adjtimex fields to units. freq, ppsfreq, stabil and tolerance are "scaled ppm"
 * (ppm * 2^16); maxerror and esterror are always us; offset and PPS jitter are ns with STA_NANO,
 * us without. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/timex.h>

#include "kclock.h"
#include "macros.h"

#define SCALED_PPM 65536.0

static const char *const state_names[] = {
    "TIME_OK",
    "TIME_INS",
    "TIME_DEL",
    "TIME_OOP",
    "TIME_WAIT",
    "TIME_ERROR",
};

static const char *const status_names[16] = {
    "PLL",
    "PPSFREQ",
    "PPSTIME",
    "FLL",
    "INS",
    "DEL",
    "UNSYNC",
    "FREQHOLD",
    "PPSSIGNAL",
    "PPSJITTER",
    "PPSWANDER",
    "PPSERROR",
    "CLOCKERR",
    "NANO",
    "MODE",
    "CLK",
};

void
kclock_decode(const struct timex *tx, int rc, long user_hz, struct kclock *out)
{
	double fine = (tx->status & STA_NANO) ? 1e-9 : 1e-6;

	memset(out, 0, sizeof(*out));
	out->state = rc;
	out->status = (unsigned)tx->status;
	out->unsync = tx->status & STA_UNSYNC;
	out->nano = tx->status & STA_NANO;
	out->offset_s = (double)tx->offset * fine;
	out->freq_ppm = (double)tx->freq / SCALED_PPM;
	out->maxerror_s = (double)tx->maxerror * 1e-6;
	out->esterror_s = (double)tx->esterror * 1e-6;
	out->tolerance_ppm = (double)tx->tolerance / SCALED_PPM;
	out->tick_s = (double)tx->tick * 1e-6;
	if (user_hz > 0)
		out->tick_ppm = ((double)tx->tick * (double)user_hz - 1e6);
	out->constant = tx->constant;
	out->tai_s = tx->tai;
	out->pps_freq_ppm = (double)tx->ppsfreq / SCALED_PPM;
	out->pps_jitter_s = (double)tx->jitter * fine;
	out->pps_stability_ppm = (double)tx->stabil / SCALED_PPM;
	out->pps_shift = tx->shift;
	out->pps_jitter_count = tx->jitcnt;
	out->pps_calibration_count = tx->calcnt;
	out->pps_error_count = tx->errcnt;
	out->pps_stability_count = tx->stbcnt;
	out->synchronized = !out->unsync && out->maxerror_s < KCLOCK_MAXERROR_CAP_S;
}

const char *
kclock_state_name(int state)
{
	if (state < 0 || (size_t)state >= CW_ARRAY_LEN(state_names))
		return "TIME_?";
	return state_names[state];
}

void
kclock_status_str(unsigned status, char *buf, size_t len)
{
	size_t o = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (unsigned i = 0; i < 16 && o < len; i++)
		if (status & (1u << i))
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "," : "",
			    status_names[i]);
}
