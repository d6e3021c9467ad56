/* qcow2 overlays: the copy-on-write layers a cell writes, so images are never modified. */
#ifndef RG_OVERLAY_H
#define RG_OVERLAY_H

#include "util/error.h"

/* Creates path as a qcow2 overlay whose backing file is backing (made absolute). */
int rg_overlay_create(const char *backing, const char *path, struct rg_error *err);

#endif
