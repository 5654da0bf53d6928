/*
 * status.h -- "tfsd -s status": the running daemon's scoreboard, read
 * from the file beside its pid file, as a table or as JSON.
 */

#ifndef SERVER_STATUS_H
#define SERVER_STATUS_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/*
 * Print the pool of the daemon that holds pidfile locked on out: totals,
 * then one line per worker (or one JSON object).  Returns the exit
 * status: 0, or 1 after a line on stderr (no daemon runs, or it has no
 * scoreboard).
 */
int	status_show(const char *pidfile, int json, FILE *out);

/*
 * Print the scoreboard image buf (len bytes, as read from the file) of
 * the daemon pid, as seen at now_ms (xio_now_ms()) and now (time(3)).
 * The image comes from a less trusted process: every field is checked
 * and every string cleaned.  0, or -1 with a reason in *why when it is
 * no scoreboard of this version and this daemon.
 */
int	status_format(const void *buf, size_t len, pid_t pid, int64_t now_ms,
	    time_t now, int json, FILE *out, const char **why);

#endif /* SERVER_STATUS_H */
