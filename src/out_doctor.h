/* out_doctor.h: `clockwatch doctor`'s output: the findings grouped in checklist order, one line
 * each with its level, then its evidence and remedy, wrapped for 80 columns; or one JSON
 * document (schema clockwatch.doctor/1, clockwatch(1)). Pure renderers of a doctor_report. */
#ifndef CLOCKWATCH_OUT_DOCTOR_H
#define CLOCKWATCH_OUT_DOCTOR_H

#include <stdbool.h>

struct buf;
struct doctor_report;

/* color: ANSI colours on the level tags (the caller decides: a terminal, no NO_COLOR). */
void out_doctor_text(struct buf *b, const struct doctor_report *r, bool color);
void out_doctor_json(struct buf *b, const struct doctor_report *r);

#endif
