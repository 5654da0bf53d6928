/*
 * print.c -- the output of listings and stat.
 *
 * Names come from the server or the local disk, and a terminal obeys
 * control bytes: every name goes out through print_name, never raw.
 * Writes only to stdout (or the stream given); never to stderr, which
 * belongs to errors and progress bars.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "print.h"
#include "progress.h"
#include "proto.h"

static void	print_date(char *, size_t, int64_t, const char *);

void
print_name(FILE *fp, const char *name)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		(void)putc(*p < 0x20 || *p == 0x7f ? '?' : *p, fp);
	}
}

void
print_rpath(FILE *fp, const char *path)
{
	(void)putc('/', fp);
	print_name(fp, path);
}

char *
print_mode(uint8_t kind, uint32_t mode, char buf[PRINT_MODE_SZ])
{
	static const char	 rwx[] = "rwxrwxrwx";
	int			 i;

	buf[0] = kind == TFS_KIND_DIR ? 'd' : '-';
	for (i = 0; i < 9; i++) {
		buf[i + 1] = (mode & (1u << (8 - i))) ? rwx[i] : '-';
	}
	buf[10] = '\0';
	return buf;
}

/* mtime in local time as fmt says, or "?" when it cannot be shown. */
static void
print_date(char *buf, size_t bufsz, int64_t mtime, const char *fmt)
{
	struct tm	 tm;
	time_t		 t = (time_t)mtime;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, bufsz, fmt, &tm) == 0) {
		(void)strlcpy(buf, "?", bufsz);
	}
}

void
print_entry(const struct rent *e, const char *name, int longfmt)
{
	char	 mode[PRINT_MODE_SZ], human[PROGRESS_BYTES_SZ], date[32];

	if (longfmt) {
		print_date(date, sizeof(date), e->mtime, "%Y-%m-%d %H:%M");
		if (e->kind == TFS_KIND_DIR) {
			(void)strlcpy(human, "-", sizeof(human));
		} else {
			progress_bytes(human, sizeof(human), e->size);
		}
		if (longfmt & PRINT_HUMAN) {
			printf("%s %5s  %s  ", print_mode(e->kind, e->mode,
			    mode), human, date);
		} else {
			printf("%s %5s %13llu  %s  ",
			    print_mode(e->kind, e->mode, mode), human,
			    (unsigned long long)e->size, date);
		}
	}
	print_name(stdout, name);
	printf("%s\n", e->kind == TFS_KIND_DIR ? "/" : "");
}

void
print_stat(const char *path, const struct rent *e)
{
	char	 mode[PRINT_MODE_SZ], human[PROGRESS_BYTES_SZ], date[64];

	print_date(date, sizeof(date), e->mtime, "%Y-%m-%d %H:%M:%S %z");
	printf("path:  ");
	print_rpath(stdout, path);
	printf("\nkind:  %s\n", e->kind == TFS_KIND_DIR ? "folder" : "file");
	printf("size:  %llu (%s)\n", (unsigned long long)e->size,
	    progress_bytes(human, sizeof(human), e->size));
	printf("mode:  %04o %s\n", e->mode & 07777,
	    print_mode(e->kind, e->mode, mode));
	printf("mtime: %s (%lld)\n", date, (long long)e->mtime);
}
