/* exe_scan.h - the executable stage of a scan (clamscan's cli_scanpe). */
#ifndef VIGIL_SCAN_EXE_SCAN_H
#define VIGIL_SCAN_EXE_SCAN_H

#include "io/source.h"
#include "vigil/vigil.h"

struct vigil_scanner;

/* For an object starting with "MZ": Heuristics.Broken.Executable under
 * VIGIL_SCAN_ALERT_BROKEN, then the section and import hash signatures.
 * Detections go to the scanner's result (their layer is set by the
 * caller). Nothing under VIGIL_SCAN_NO_PE. */
vigil_status exe_scan_pe(struct vigil_scanner *s, const struct source *src);

/* Unpacks a UPX-packed PE and scans the rebuilt image as its child. Call
 * after the object's own detections got their layer path. */
vigil_status exe_unpack_pe(struct vigil_scanner *s, const struct source *src);

#endif
