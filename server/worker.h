/*
 * worker.h -- a worker process: accept on the shared listening socket,
 * serve one TFS/1 session at a time (requests dispatched to ops.c),
 * report through its scoreboard slot.
 */

#ifndef SERVER_WORKER_H
#define SERVER_WORKER_H

#include "scoreboard.h"

struct worker_args {
	int		 listen_fd;
	int		 root_fd;	/* O_PATH|O_DIRECTORY of cfg.root */
	int		 master_fd;	/* read end; EOF = the master died */
	int		 id;		/* slot index */
	uint32_t	 generation;
	struct sb_slot	*slot;
};

/* Serve until told to stop or --max-requests is reached; never returns. */
void	worker_main(const struct worker_args *wa) __attribute__((noreturn));

#endif /* SERVER_WORKER_H */
