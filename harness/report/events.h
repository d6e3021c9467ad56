/* `run --json-events`: one JSON object per state change of a cell, for CI log parsers. */
#ifndef RG_EVENTS_H
#define RG_EVENTS_H

/* The event as one line of compact JSON (no newline), for the caller to free():
 * {"t":EPOCH,"scenario":S,"cell":ID,"type":STATE,"detail":D}, t to the millisecond. The
 * strings may hold guest bytes: whatever is not well-formed UTF-8 becomes U+FFFD and control
 * characters are escaped, so the line is valid JSON whatever the guest printed. NULL only
 * when memory runs out. */
char *rg_event_json(double t, const char *scenario, const char *cell, const char *type,
                    const char *detail);

#endif
