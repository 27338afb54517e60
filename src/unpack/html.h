/* html.h - the HTML walker: the normalised views of an HTML object and the
 * data of its data: URIs. The scan layer runs it on the objects
 * filetype_target() types TARGET_HTML (it is not in formats.def: ClamAV's
 * HTML magic may be anywhere in the object, not in its first bytes). */
#ifndef VIGIL_UNPACK_HTML_H
#define VIGIL_UNPACK_HTML_H

#include "unpack/format.h"

/* clamscan's defaults: HTML files larger than MaxHTMLNormalize are not
 * normalised; larger than MaxHTMLNoTags get no notags view. */
#define HTML_MAX_NORMALIZE ((uint64_t)40 << 20)
#define HTML_MAX_NOTAGS ((size_t)8 << 20)

/* Walks the HTML object u->data[0..u->len): its views through
 * unpack_view(), its data: URIs through unpack_child_under(). Returns
 * VIGIL_OK or VIGIL_ENOMEM. */
vigil_status html_walk(struct unpack *u);

#endif
