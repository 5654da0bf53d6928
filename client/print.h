/*
 * print.h -- what commands print on stdout: listings in short and long
 * form, the lines of stat, and names from anywhere with their control
 * bytes made harmless.
 */

#ifndef CLIENT_PRINT_H
#define CLIENT_PRINT_H

#include <stdint.h>
#include <stdio.h>

#include "remote.h"

#define PRINT_MODE_SZ	11		/* "drwxr-xr-x" and its NUL */

/* A name from anywhere, with control bytes shown as '?' (as ls does). */
void	print_name(FILE *fp, const char *name);
/* A remote path in wire form as users see it: "/" then the path. */
void	print_rpath(FILE *fp, const char *path);
/* The kind and permission bits as ls -l shows them.  Returns buf. */
char   *print_mode(uint8_t kind, uint32_t mode, char buf[PRINT_MODE_SZ]);
#define PRINT_LONG	0x01	/* print_entry: kind, mode, size, date */
#define PRINT_HUMAN	0x02	/* ... the size in units only */

/*
 * One entry of a listing: its name (folders marked with '/'), or with
 * PRINT_LONG in longfmt kind and mode, size in units and in bytes (with
 * PRINT_HUMAN in units only), date, name.
 */
void	print_entry(const struct rent *e, const char *name, int longfmt);
/* The lines of "stat PATH" for remote path (wire form). */
void	print_stat(const char *path, const struct rent *e);

#endif /* CLIENT_PRINT_H */
