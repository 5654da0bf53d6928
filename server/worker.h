/*
 * worker.h -- a worker process: accept on the shared listening socket,
 * serve one connection at a time (serve.c), report through its
 * scoreboard slot.
 */

#ifndef SERVER_WORKER_H
#define SERVER_WORKER_H

#include "resolve.h"
#include "scoreboard.h"
#include "serve.h"

struct worker_args {
	const struct serve_shared *shared;	/* the master's */
	int		 listen_fd;
	struct root	 root;		/* the served folder */
	int		 master_fd;	/* read end; EOF = the master died */
	int		 id;		/* slot index */
	uint32_t	 generation;
	struct sb_slot	*slot;
};

/*
 * Exit status of a worker that cannot start at all (root not usable, no
 * memory...).  The master then stops the server instead of forking
 * replacements in a loop.  A worker that ends on its own (--max-requests,
 * told to stop) exits 0; the master replaces it as needed.
 */
#define WORKER_EXIT_FATAL	2

/*
 * The master forks and calls worker_main() in the child with SIGPIPE
 * ignored and the other dispositions at their default; SIGHUP, SIGQUIT,
 * SIGUSR1 and SIGUSR2 blocked (one sent during start-up stays pending:
 * the worker installs its handlers, then unblocks them); the master's
 * private descriptors closed, stdio on /dev/null when daemonized, and
 * PR_SET_PDEATHSIG set to SIGTERM.
 * listen_fd is blocking and shared by all workers: never change its file
 * status flags.  Signals from the master:
 *   SIGHUP   finish gracefully: close listen_fd at once, finish the
 *            request in progress, answer an idle connection ERROR
 *            SHUTTING_DOWN, exit 0 (sent on QUIT, HUP and to retire an
 *            idle worker);
 *   SIGTERM  exit now (the transfer is cut; nothing partial made visible);
 *   SIGUSR1  reopen the log file (log_reopen()) at a safe point;
 *   SIGUSR2  every worker is busy and connections wait: close the
 *            connection if it is still the idle one the slot's yield
 *            names (ERROR TIMEOUT), then accept the next.
 * The worker keeps its slot current: STARTING -> IDLE -> BUSY -> ... ->
 * EXITING, peer, served, and (serve.c) where its connection is (conn,
 * conn_since) and, for the request that runs, in_request,
 * last_progress, bytes, op, path.
 */

/* Serve until told to stop or --max-requests is reached; never returns. */
void	worker_main(const struct worker_args *wa) __attribute__((noreturn));

#endif /* SERVER_WORKER_H */
