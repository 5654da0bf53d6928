/*
 * ops.h -- the requests of TFS/1, run by a worker on a decoded request.
 *
 * ops.c holds the table of requests, checks what holds for all of them
 * in PROTOCOL.md's order and then calls the request's handler; the
 * handlers live by role in entry.c (LIST, STAT), fetch.c (GET, SUM),
 * dir.c (DELETE, RENAME, MKDIR, UTIME), upload.c (PUT) and signin.c
 * (AUTH, STEP), and answer through the reply helpers of ops.c.
 */

#ifndef SERVER_OPS_H
#define SERVER_OPS_H

#include <stdint.h>

#include "body.h"
#include "conn.h"
#include "path.h"
#include "proto.h"
#include "resolve.h"
#include "scoreboard.h"

/* Short names of WELCOME's rights bits, for the request table. */
#define R_READ		TFS_RIGHT_READ	/* LIST STAT GET SUM */
#define R_WRITE		TFS_RIGHT_WRITE	/* PUT DELETE RENAME MKDIR UTIME */

struct signin;
struct space;

/* One connection, as its requests see it. */
struct ops_ctx {
	struct conn	*conn;
	struct root	 root;		/* every path resolves beneath it */
	unsigned	 rights;	/* R_READ | R_WRITE */
	const char	*user;		/* signed in as; NULL = anonymous */
	struct signin	*signin;	/* AUTH and STEP (signin.h) */
	struct sb_slot	*slot;		/* progress goes here, or NULL */
	int		 slot_id;	/* its index (-1: none) */
	struct space	*space;		/* room for uploads, or NULL */
	int		 stall_ms;	/* a transfer without a byte moved */
	uint32_t	 min_rate;	/* bytes/s over stall_ms, 0: any */
	struct body_pipe *pipe;		/* uploads splice through it: see
					   serve.h; NULL for none */
};

/* One request: whose it is, and what it did (for the log line). */
struct ops_req {
	struct ops_ctx	*ctx;
	/* the path; for AUTH and STEP the name tried (peer bytes) */
	char		 path[PATH_MAX_LEN + 1];
	char		 to[PATH_MAX_LEN + 1];
	uint64_t	 bytes;		/* file bytes moved */
	unsigned	 err;		/* error answered; 0 = success */
	int		 close;		/* the connection must end */
	const char	*note;		/* why it ended, if no reply */
};

/*
 * Serve request m (a decoded C->S request of the table) of r->ctx.
 * Replies are queued, not flushed: the caller flushes once no further
 * request is waiting.  Sets r->err, r->bytes, and r->close when the
 * connection must end (QUIT, PROTOCOL, TIMEOUT, a broken socket).
 */
void	ops_dispatch(struct ops_req *r, const struct tfs_msg *m);

/*
 * For the handlers.  Their paths are checked and copied into r->path
 * (and r->to for RENAME) before they run, and so are the request's
 * flags, the rights, read-only and the size limit.
 */

/*
 * Answer ERROR code (the table's words when fmt is NULL).  PROTOCOL and
 * TIMEOUT end the connection, as does a reply that cannot be sent.
 */
void	ops_fail(struct ops_req *r, unsigned code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Answer the error of errno errnum on the client's path (what: "parent"). */
void	ops_fail_errno(struct ops_req *r, int errnum, const char *what);
/* Queue one reply frame; a broken socket ends the connection. */
void	ops_send(struct ops_req *r, const struct tfs_msg *m);
void	ops_ok(struct ops_req *r);
/* How a file body of this request moves: its stall, its progress. */
void	ops_body_opts(struct ops_req *r, struct body_opts *o);
/* Work on the disk alone begins (1) or ends (0): see ops.c. */
void	ops_local(struct ops_req *r, int local);

/* entry.c */
void	entry_list(struct ops_req *r, const struct tfs_msg *m);
void	entry_stat(struct ops_req *r, const struct tfs_msg *m);
/* fetch.c */
void	fetch_get(struct ops_req *r, const struct tfs_msg *m);
void	fetch_sum(struct ops_req *r, const struct tfs_msg *m);
/* dir.c */
void	dir_delete(struct ops_req *r, const struct tfs_msg *m);
void	dir_rename(struct ops_req *r, const struct tfs_msg *m);
void	dir_mkdir(struct ops_req *r, const struct tfs_msg *m);
void	dir_utime(struct ops_req *r, const struct tfs_msg *m);
/* upload.c */
void	upload_put(struct ops_req *r, const struct tfs_msg *m);

#endif /* SERVER_OPS_H */
