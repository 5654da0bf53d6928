/*
 * scoreboard.h -- the table of workers in shared memory.  Each worker
 * writes its own slot; the master reads them (to count idle workers,
 * to spot stalled transfers, to find the connection idle longest when
 * all are busy), clears a slot on reaping, and writes only a slot's
 * yield (then wakes its worker with SIGUSR2).
 */

#ifndef SERVER_SCOREBOARD_H
#define SERVER_SCOREBOARD_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

enum sb_state {
	SB_EMPTY = 0,
	SB_STARTING,
	SB_IDLE,		/* blocked in accept */
	SB_BUSY,		/* serving a connection */
	SB_EXITING,
};

/* Where a busy worker's connection is. */
enum sb_conn {
	SB_CONN_NONE = 0,	/* no connection */
	SB_CONN_FIRST,		/* its first request has not arrived whole */
	SB_CONN_REQUEST,	/* a request is served */
	SB_CONN_IDLE,		/* between requests */
};

struct sb_slot {
	volatile pid_t		 pid;
	volatile uint32_t	 generation;
	volatile int		 state;		/* enum sb_state */
	/* 1 while a request waits on its peer (0 in local work) */
	volatile int		 in_request;
	volatile int64_t	 last_progress;	/* xio_now_ms() */
	volatile uint64_t	 bytes;		/* moved in this request */
	volatile uint64_t	 served;	/* connections served */
	volatile int		 conn;		/* enum sb_conn */
	volatile int64_t	 conn_since;	/* xio_now_ms() it became so */
	/*
	 * The master's: close the connection that has been FIRST or IDLE
	 * since this conn_since (ERROR TIMEOUT): others wait for a worker.
	 */
	volatile int64_t	 yield;
	char			 peer[64];
	char			 op[8];
	char			 path[128];
};

struct scoreboard {
	int		 nslots;
	struct sb_slot	*slots;
};

/* Map nslots shared anonymous slots (before any fork).  0 or -1. */
int		 sb_init(struct scoreboard *sb, int nslots);
void		 sb_free(struct scoreboard *sb);
struct sb_slot	*sb_slot(struct scoreboard *sb, int i);
/* Empty a slot (the master, after reaping its worker). */
void		 sb_slot_clear(struct sb_slot *s);
/* Copy a slot's text field (maybe mid-update) terminated.  Returns dst. */
char		*sb_copy_str(char *dst, size_t dstsz, const char *src,
		    size_t srcsz);

#endif /* SERVER_SCOREBOARD_H */
