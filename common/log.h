/*
 * log.h -- logging with levels to stderr, a file or syslog.  Callers
 * decide where; this only writes.
 */

#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LVL_QUIET = 0,	/* warnings only */
	LOG_LVL_INFO,		/* + one line per event */
	LOG_LVL_DEBUG,		/* + details */
};

enum log_dest {
	LOG_TO_STDERR,
	LOG_TO_SYSLOG,
	LOG_TO_FILE,
};

/* file is used with LOG_TO_FILE.  0, or -1 if the file cannot be opened. */
int	log_init(enum log_dest dest, enum log_level level, const char *ident,
	    const char *file);
void	log_setlevel(enum log_level level);
int	log_getlevel(void);
/* 1 when log_info (LOG_LVL_INFO) or log_debug lines would be written. */
int	log_enabled(enum log_level level);
/* Reopen the log file (after rotation), or reconnect to syslog. 0 or -1. */
int	log_reopen(void);
/* Set a prefix like "worker 3" put before every line (NULL clears it). */
void	log_setprefix(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/*
 * Escape peer-supplied bytes for a log line (vis C-style, '"' and '\\'
 * included): printable ASCII that can stand between double quotes.
 * Returns dst.
 */
char   *log_vis(char *dst, size_t dstsz, const void *src, size_t len);
/* The same, with spaces as \040 too: one field without blanks. */
char   *log_vis_word(char *dst, size_t dstsz, const void *src, size_t len);

#endif /* COMMON_LOG_H */
