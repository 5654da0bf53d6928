/*
 * pool.h -- the master's loop: pre-fork workers on the listening socket,
 * keep the idle ones between --min-spare and --max-spare, fork at once
 * when connections wait and no worker is idle, reap and replace them,
 * and act on the signals of INTERFACE.md.
 */

#ifndef SERVER_POOL_H
#define SERVER_POOL_H

/* Workers get SIGTERM, then SIGKILL this long after (ms). */
#define POOL_KILL_DELAY_MS	3000
/* A transfer is killed after --stall-timeout plus this (ms). */
#define POOL_STALL_MARGIN_MS	5000
/*
 * After a look at the listening socket's queue the master leaves it
 * unwatched this long (ms): a socket that stays readable while workers
 * start, or while an idle one is about to accept, must not spin it.
 */
#define POOL_QUEUE_MS		10
/*
 * At --max-workers, a connection idle (or without a whole first
 * request) at least this long (ms) may be closed for one that waits;
 * a new one has this long at least to ask.
 */
#define POOL_YIELD_MIN_MS	100
/* Back-off between forks when workers die young, at most (ms). */
#define POOL_MAX_BACKOFF_MS	5000
/* This many deaths in a row before any reached idle stop the server. */
#define POOL_MAX_START_FAILURES	10

#include "serve.h"

/*
 * Serve until a signal stops the server.  Workers get shared as it is
 * when they are forked.  ready() is called once, when the first worker
 * waits for connections; reload() on HUP, before the new workers
 * start, to read the configuration (and shared) again.  Returns the
 * exit status: 0 after a signalled stop, 1 when the workers cannot
 * start.
 */
int	pool_run(int listen_fd, int root_fd, struct serve_shared *shared,
	    void (*ready)(void), void (*reload)(void));

#endif /* SERVER_POOL_H */
