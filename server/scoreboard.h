/*
 * scoreboard.h -- the table of workers in shared memory.  Each worker
 * writes its own slot; the master reads them (to count idle workers,
 * to spot stalled transfers, to find the connection idle longest when
 * all are busy), clears a slot on reaping, and writes only a slot's
 * yield (then wakes its worker with SIGUSR2).  With a pid file, the
 * memory is a file beside it that "tfsd -s status" reads from another
 * process: a header, then the slots.
 */

#ifndef SERVER_SCOREBOARD_H
#define SERVER_SCOREBOARD_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define SB_MAGIC	0x31534654u	/* "TFS1" on little-endian hosts */
#define SB_VERSION	1
#define SB_HEADER_SIZE	128		/* the slots start here */

enum sb_state {
	SB_EMPTY = 0,
	SB_STARTING,
	SB_IDLE,		/* blocked in accept */
	SB_BUSY,		/* serving a connection */
	SB_EXITING,
};

/* The server as a whole; written by the master only. */
struct sb_header {
	uint32_t		 magic;
	uint32_t		 version;
	uint32_t		 slot_size;	/* sizeof(struct sb_slot) */
	uint32_t		 nslots;
	volatile pid_t		 master;
	int64_t			 started;	/* time(3) at start */
	/* the counters of workers already reaped */
	volatile uint64_t	 served;	/* connections */
	volatile uint64_t	 requests;
	volatile uint64_t	 bytes_in;	/* file bytes uploaded */
	volatile uint64_t	 bytes_out;	/* file bytes downloaded */
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
	char			 peer[64];
	char			 op[8];
	char			 path[128];
	/* for -s status: what this worker did, and since when */
	volatile uint64_t	 requests;	/* requests finished */
	volatile uint64_t	 bytes_in;	/* of requests finished */
	volatile uint64_t	 bytes_out;
	volatile int64_t	 conn_start;	/* xio_now_ms(); 0 = none */
	volatile int64_t	 req_start;	/* 0 = no request runs */
	char			 user[64];	/* escaped; "" = anonymous */
	/* where the connection is, for the master when all are busy */
	volatile int		 conn;		/* enum sb_conn */
	volatile int64_t	 conn_since;	/* xio_now_ms() it became so */
	/*
	 * The master's: close the connection that has been FIRST or IDLE
	 * since this conn_since (ERROR TIMEOUT): others wait for a worker.
	 */
	volatile int64_t	 yield;
};

struct scoreboard {
	int		 nslots;
	struct sb_header *hdr;
	struct sb_slot	*slots;
	size_t		 size;		/* bytes mapped */
};

/*
 * Create the file at path (mode 0600, emptied) that the next sb_init()
 * maps instead of anonymous memory, so that another process can read
 * the pool.  Call it while holding the pid file's lock, before giving up
 * privileges.  The file is removed at exit by the process that calls
 * sb_init() (or this one, if none does).  0, or -1 with errno.
 */
int		 sb_backing_open(const char *path);
/* Remove the backing file now (the master, at the end).  Idempotent. */
void		 sb_backing_remove(void);
/*
 * The scoreboard's file for a pid file: beside it, ".pid" replaced by
 * ".scoreboard" (symbolic links to the pid file followed first).  0, or
 * -1 when it does not fit.
 */
int		 sb_path(const char *pidfile, char *buf, size_t bufsz);

/* Map nslots shared slots (before any fork).  0 or -1. */
int		 sb_init(struct scoreboard *sb, int nslots);
void		 sb_free(struct scoreboard *sb);
struct sb_slot	*sb_slot(struct scoreboard *sb, int i);
/* Empty a slot (the master, after reaping its worker). */
void		 sb_slot_clear(struct sb_slot *s);
/* Add slot i's counters to the header's, then empty it (on reaping). */
void		 sb_slot_release(struct scoreboard *sb, int i);
/* Copy a slot's text field (maybe mid-update) terminated.  Returns dst. */
char		*sb_copy_str(char *dst, size_t dstsz, const char *src,
		    size_t srcsz);

/* The worker's side, for serve.c: a request begins, a request ends. */
void		 sb_request_begin(struct sb_slot *s, const char *op,
		    const char *path, const char *user, int64_t now);
void		 sb_request_end(struct sb_slot *s, int upload,
		    uint64_t bytes, int64_t now);

#endif /* SERVER_SCOREBOARD_H */
