/*
 * serve.h -- one TFS/1 connection served from HELLO to its end: the
 * requests read in order and dispatched to ops.c, the timeouts, the
 * grace of a stop, the closing linger and one log line per request.
 */

#ifndef SERVER_SERVE_H
#define SERVER_SERVE_H

#include "body.h"
#include "resolve.h"
#include "scoreboard.h"

/* What serving a connection needs from the process that accepted it. */
struct serve_args {
	struct root	 root;		/* the served folder */
	struct sb_slot	*slot;		/* what runs is shown here, or NULL */
	/*
	 * Readable once the worker is told to stop, and from then on; -1
	 * when nothing but the connection's own timeouts ends a wait.
	 */
	int		 stop_fd;
	/* Called between requests, where a log file may be reopened. */
	void		(*between)(void);
	/*
	 * The process's pipe that uploads splice through, opened by the
	 * first upload and kept (closed: rd and wr -1); NULL for none.
	 */
	struct body_pipe *pipe;
};

/*
 * Serve the connection on socket fd: HELLO, then its requests until it
 * ends (QUIT, end of stream, PROTOCOL, TIMEOUT, a stop), then close fd.
 * A stop lets the request in progress finish and answers an idle
 * connection ERROR SHUTTING_DOWN; one that has sent no request yet
 * gets its first served if it arrives within a second.  peer is the
 * name used in log lines.  Never exits; sets no signal handler.
 */
void	serve_conn(const struct serve_args *a, int fd, const char *peer);

#endif /* SERVER_SERVE_H */
