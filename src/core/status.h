/* status.h - internal helpers of the status and limit tables. */
#ifndef VIGIL_CORE_STATUS_H
#define VIGIL_CORE_STATUS_H

#include "vigil/vigil.h"

/* Returns the detection name of a hit limit under --alert-exceeds-max
 * ("Heuristics.Limits.Exceeded.MaxFileSize", ...), static; NULL for a bit
 * that is not one limit. */
const char *limit_detection_name(unsigned bit);

#endif
