/*
 * serve.h -- one TFS/1 connection served from HELLO to its end: the
 * requests read in order and dispatched to ops.c, the timeouts, the
 * grace of a stop, the closing linger and one log line per request.
 */

#ifndef SERVER_SERVE_H
#define SERVER_SERVE_H

#include <sys/socket.h>

#include <stdint.h>

#include "acl.h"
#include "auth.h"
#include "body.h"
#include "resolve.h"
#include "scoreboard.h"
#include "users.h"

struct addrtab;
struct space;

/*
 * What the master makes once, before forking, for every connection of
 * every worker.  A worker sees it as it was when the worker was forked:
 * a reload makes new workers for what it changes.
 */
struct serve_shared {
	const struct users	*users;		/* --users; NULL: none */
	uint8_t			 secret[AUTH_SECRET_LEN];
	struct space		*space;		/* room for uploads */
	struct acl		 allow;		/* --allow; empty: all */
	struct addrtab		*addrtab;	/* per address, all workers */
};

/* What told() says the worker was told. */
#define SERVE_TOLD_STOP		1	/* stop (for good) */
#define SERVE_TOLD_YIELD	2	/* give up the idle connection the
					   slot's yield names */

/* What serving a connection needs from the process that accepted it. */
struct serve_args {
	const struct serve_shared *shared;
	struct root	 root;		/* the served folder */
	struct sb_slot	*slot;		/* what runs is shown here, or NULL */
	int		 slot_id;	/* its index, or -1 */
	/*
	 * Readable when the worker is told something, and from then on
	 * once told to stop; -1 when nothing but the connection's own
	 * timeouts ends a wait.
	 */
	int		 wake_fd;
	/*
	 * What wake_fd says: SERVE_TOLD_STOP, SERVE_TOLD_YIELD (said once,
	 * and wake_fd emptied), or 0.  woken: a wait found wake_fd
	 * readable; without it told() may answer from flags alone, with no
	 * system call.  NULL with wake_fd -1.
	 */
	int		(*told)(int woken);
	/* Called between requests, where a log file may be reopened. */
	void		(*between)(void);
	/*
	 * The process's pipe that uploads splice through, opened by the
	 * first upload and kept (closed: rd and wr -1); NULL for none.
	 */
	struct body_pipe *pipe;
};

/*
 * Serve the connection on socket fd (non-blocking, and TCP_NODELAY
 * where it is TCP: conn_init_ready()): HELLO, then its requests until it
 * ends (QUIT, end of stream, PROTOCOL, TIMEOUT, a stop), then close fd.
 * A stop lets the request in progress finish and answers an idle
 * connection ERROR SHUTTING_DOWN; one that has sent no request yet
 * gets its first served if it arrives within a second.  A yield ends
 * the connection with ERROR TIMEOUT if it is still idle (or still
 * without a whole first request) since the time the slot's yield
 * names.  peer is the name used in log lines, ss the peer's address
 * (NULL: not known; then no failed sign-in is counted against it).
 * Never exits; sets no signal handler.
 */
void	serve_conn(const struct serve_args *a, int fd, const char *peer,
	    const struct sockaddr_storage *ss);

#endif /* SERVER_SERVE_H */
