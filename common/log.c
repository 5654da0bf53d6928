/*
 * log.c -- levelled logging to stderr, a file or syslog, in the manner
 * of OpenBSD's log.c.
 *
 * The caller chooses the destination and the level; this only formats
 * and writes.  Each line leaves in a single write(2) on an O_APPEND
 * descriptor, so the lines of many worker processes never interleave.
 * fatal() and fatalx() are the one place in common/ that exits: a
 * process calls them only when it cannot go on.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <vis.h>

#include "log.h"

#define LOG_LINE	4096
#define LOG_IDENT	64
#define LOG_PREFIX	128

static enum log_dest	log_dest = LOG_TO_STDERR;
static enum log_level	log_level = LOG_LVL_INFO;
static char		log_ident[LOG_IDENT];
static char		log_prefix[LOG_PREFIX];
static char		*log_file;
static int		log_fd = -1;
static int		log_journal;	/* stderr is systemd's journal */

static int	log_open_file(void);
static int	log_stderr_journal(void);
static void	log_emit(int, const char *);
static void	log_vlog(int, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
static char	*log_vis_flags(char *, size_t, const void *, size_t, int);

/* Open log_file for appending; the old descriptor stays until it works. */
static int
log_open_file(void)
{
	int	 fd;

	fd = open(log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1) {
		return -1;
	}
	if (log_fd != -1) {
		(void)close(log_fd);
	}
	log_fd = fd;
	return 0;
}

/*
 * 1 when stderr is a stream to systemd's journal (it says so in
 * JOURNAL_STREAM, "DEV:INODE"): lines then start with their syslog
 * priority, "<6>", which the journal keeps as the level.
 */
static int
log_stderr_journal(void)
{
	struct stat		 st;
	const char		*js;
	unsigned long long	 dev, ino;

	if ((js = getenv("JOURNAL_STREAM")) == NULL ||
	    sscanf(js, "%llu:%llu", &dev, &ino) != 2) {
		return 0;
	}
	if (fstat(STDERR_FILENO, &st) == -1) {
		return 0;
	}
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

/*
 * Choose where lines go and which levels are shown.  ident defaults to
 * the program's name.  0, or -1 if the file cannot be opened (lines then
 * go to stderr).
 */
int
log_init(enum log_dest dest, enum log_level level, const char *ident,
    const char *file)
{
	int	 saved;

	if (ident == NULL) {
		ident = getprogname();
	}
	if (ident == NULL) {
		ident = "";
	}
	(void)strlcpy(log_ident, ident, sizeof(log_ident));
	log_level = level;
	if (log_dest == LOG_TO_SYSLOG) {
		closelog();
	}
	if (log_fd != -1) {
		(void)close(log_fd);
		log_fd = -1;
	}
	free(log_file);
	log_file = NULL;
	log_dest = dest;
	switch (dest) {
	case LOG_TO_SYSLOG:
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		break;
	case LOG_TO_FILE:
		if (file == NULL || (log_file = strdup(file)) == NULL ||
		    log_open_file() == -1) {
			saved = file == NULL ? EINVAL : errno;
			log_dest = LOG_TO_STDERR;
			errno = saved;
			return -1;
		}
		break;
	case LOG_TO_STDERR:
		log_journal = log_stderr_journal();
		break;
	}
	return 0;
}

void
log_setlevel(enum log_level level)
{
	log_level = level;
}

int
log_getlevel(void)
{
	return (int)log_level;
}

/* 1 when lines of this level are written: skip building them if not. */
int
log_enabled(enum log_level level)
{
	return log_level >= level;
}

/* After rotation (SIGUSR1): a new file, or a new syslog connection. */
int
log_reopen(void)
{
	switch (log_dest) {
	case LOG_TO_FILE:
		return log_open_file();
	case LOG_TO_SYSLOG:
		closelog();
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		return 0;
	case LOG_TO_STDERR:
		break;
	}
	return 0;
}

void
log_setprefix(const char *fmt, ...)
{
	va_list	 ap;

	log_prefix[0] = '\0';
	if (fmt == NULL) {
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(log_prefix, sizeof(log_prefix), fmt, ap);
	va_end(ap);
}

/*
 * Write one finished message: syslog adds its own stamp and name; the
 * file gets a local time stamp and the pid, since workers share it.
 */
static void
log_emit(int pri, const char *msg)
{
	char		 line[LOG_LINE + LOG_IDENT + 64], stamp[32];
	struct tm	 tm;
	time_t		 now;
	int		 n, fd;

	if (log_dest == LOG_TO_SYSLOG) {
		syslog(pri, "%s", msg);
		return;
	}
	/* a line before log_init() still says who wrote it */
	if (log_ident[0] == '\0' && getprogname() != NULL) {
		(void)strlcpy(log_ident, getprogname(), sizeof(log_ident));
	}
	fd = log_dest == LOG_TO_FILE && log_fd != -1 ? log_fd : STDERR_FILENO;
	if (fd == log_fd) {
		now = time(NULL);
		stamp[0] = '\0';
		if (localtime_r(&now, &tm) != NULL) {
			(void)strftime(stamp, sizeof(stamp),
			    "%Y-%m-%d %H:%M:%S", &tm);
		}
		n = snprintf(line, sizeof(line), "%s %s[%ld]: %s\n", stamp,
		    log_ident, (long)getpid(), msg);
	} else if (log_journal) {
		n = snprintf(line, sizeof(line), "<%d>%s\n", pri, msg);
	} else {
		n = snprintf(line, sizeof(line), "%s: %s\n", log_ident, msg);
	}
	if (n < 0) {
		return;
	}
	if ((size_t)n >= sizeof(line)) {
		/* cut, but keep the line a line */
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* a log line lost to a full disk is not worth a retry loop */
	(void)!write(fd, line, (size_t)n);
}

/* Format, add the prefix and, for log_warn and fatal, strerror(errnum). */
static void
log_vlog(int pri, int errnum, const char *fmt, va_list ap)
{
	char	 msg[LOG_LINE];
	size_t	 len;
	int	 saved = errno;

	msg[0] = '\0';
	if (log_prefix[0] != '\0') {
		(void)snprintf(msg, sizeof(msg), "%s: ", log_prefix);
	}
	len = strlen(msg);
	(void)vsnprintf(msg + len, sizeof(msg) - len, fmt, ap);
	if (errnum != 0) {
		len = strlen(msg);
		(void)snprintf(msg + len, sizeof(msg) - len, ": %s",
		    strerror(errnum));
	}
	log_emit(pri, msg);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vlog(LOG_ERR, saved, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vlog(LOG_ERR, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_LVL_INFO) {
		return;
	}
	va_start(ap, fmt);
	log_vlog(LOG_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_LVL_DEBUG) {
		return;
	}
	va_start(ap, fmt);
	log_vlog(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vlog(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vlog(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

/*
 * Escape len bytes of peer data (NULs included) C-style for a log line:
 * what comes out is printable ASCII, with '"' and '\\' escaped too, so
 * that it can stand between double quotes.  With word, a space becomes
 * \040 and the result is one blank-free field.  Output that does not
 * fit is cut after a whole escape and ends in "...".  Returns dst,
 * always NUL-terminated when dstsz > 0.
 */
static char *
log_vis_flags(char *dst, size_t dstsz, const void *src, size_t len,
    int word)
{
	const unsigned char	*s = src;
	char			 one[8];
	size_t			 i, used = 0, keep = 0, n;
	int			 next;

	if (dstsz == 0) {
		return dst;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == ' ' && word) {
			(void)strlcpy(one, "\\040", sizeof(one));
			n = 4;
		} else if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\' &&
		    s[i] != '"') {
			/*
			 * What vis() leaves alone, without its cost (a calloc
			 * and a multibyte conversion per call): this runs for
			 * every request's path.
			 */
			one[0] = (char)s[i];
			one[1] = '\0';
			n = 1;
		} else {
			next = i + 1 < len ? s[i + 1] : '\0';
			(void)vis(one, s[i], VIS_CSTYLE | VIS_TAB | VIS_NL |
			    VIS_OCTAL | VIS_DQ, next);
			n = strlen(one);
		}
		if (used + n + 1 > dstsz) {
			/* back to the last whole escape with room for "..." */
			used = keep;
			if (used + 4 <= dstsz) {
				memcpy(dst + used, "...", 3);
				used += 3;
			}
			break;
		}
		memcpy(dst + used, one, n);
		used += n;
		if (used + 4 <= dstsz) {
			keep = used;
		}
	}
	dst[used] = '\0';
	return dst;
}

char *
log_vis(char *dst, size_t dstsz, const void *src, size_t len)
{
	return log_vis_flags(dst, dstsz, src, len, 0);
}

char *
log_vis_word(char *dst, size_t dstsz, const void *src, size_t len)
{
	return log_vis_flags(dst, dstsz, src, len, 1);
}
