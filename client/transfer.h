/*
 * transfer.h -- moving one file each way over a session: GET into a
 * partial file renamed into place only when complete, PUT from a file
 * (or spooled stdin), resume, --retry across lost connections, SHA-256
 * verification with SUM, and the progress bar.  Errors are printed here
 * as "tfs: WHAT: ..." and the return is an exit status (exitcode.h).
 */

#ifndef CLIENT_TRANSFER_H
#define CLIENT_TRANSFER_H

#include <stdint.h>

#include "session.h"

struct xfer_opts {
	int		 resume;	/* -r: continue a partial transfer */
	int		 verify;	/* --verify, -v: SUM afterwards */
	int		 noclobber;	/* put -n: never replace */
	uint64_t	 limit;		/* --limit-rate, bytes/s (0: none) */
	/* as bytes move: the bytes this transfer moved so far (or NULL) */
	void		(*tick)(void *arg, uint64_t moved);
	void		*tick_arg;
};

/*
 * Fetch rpath (wire form) into local ("-": stdout).  Bytes go to the
 * partial file beside local (.NAME.tfs-part), renamed to local once END
 * matched (and the digest, when verifying).  *moved gets the bytes
 * received.  Returns ST_OK, ST_FAIL or ST_LOST.
 */
int	xfer_get(struct session *s, const struct xfer_opts *o,
	    const char *what, const char *rpath, const char *local,
	    uint64_t *moved);
/* Store local ("-": stdin, spooled first) as rpath.  As xfer_get. */
int	xfer_put(struct session *s, const struct xfer_opts *o,
	    const char *what, const char *local, const char *rpath,
	    uint64_t *moved);

#endif /* CLIENT_TRANSFER_H */
