/*
 * ops.h -- the requests of TFS/1, one function each, run by a worker
 * on a decoded request.
 */

#ifndef SERVER_OPS_H
#define SERVER_OPS_H

#include <stdint.h>

#include "conn.h"
#include "path.h"
#include "proto.h"
#include "resolve.h"
#include "scoreboard.h"

/* One request: what it needs, and what it did (for the log line). */
struct ops_req {
	struct conn	*conn;
	const struct root *root;	/* paths resolve beneath it */
	struct sb_slot	*slot;		/* progress goes here, or NULL */
	int		 stall_ms;	/* a transfer without a byte moved */
	char		 path[PATH_MAX_LEN + 1];
	char		 to[PATH_MAX_LEN + 1];
	uint64_t	 bytes;		/* file bytes moved */
	unsigned	 err;		/* error answered; 0 = success */
	int		 close;		/* the connection must end */
	const char	*note;		/* why it ended, if no reply */
};

/*
 * Serve request m (a decoded C->S request of the table) on r->conn.
 * Replies are queued, not flushed: the caller flushes once no further
 * request is waiting.  Sets r->err, r->bytes, and r->close when the
 * connection must end (QUIT, PROTOCOL, TIMEOUT, a broken socket).
 */
void	ops_dispatch(struct ops_req *r, const struct tfs_msg *m);

#endif /* SERVER_OPS_H */
