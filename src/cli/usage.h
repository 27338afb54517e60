/* usage.h - the help texts of vigil and vigil scan. */
#ifndef VIGIL_CLI_USAGE_H
#define VIGIL_CLI_USAGE_H

#include <stdio.h>

/* Writes the help of `vigil scan` (every option, the exit codes). */
void usage_scan(FILE *f);

#endif
