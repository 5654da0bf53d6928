/*
 * fetch.c -- the requests that read a whole regular file: GET (its
 * bytes, from an offset, as body.c's DATA frames) and SUM (its SHA-256).
 *
 * The file is opened once through resolve.c, and only what was a
 * regular file is ever opened for reading.  Never writes to the file
 * system.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "body.h"
#include "digest.h"
#include "ops.h"
#include "proto.h"
#include "resolve.h"

/*
 * How GET's big frames leave, and their size (0: the largest TFS/1
 * allows).  Read in pieces and written beats sendfile over loopback:
 * the receiver copies what the server just wrote from the shared cache
 * rather than the page cache from memory.  docs/performance.md has the
 * measurements; a build may choose others (-DFETCH_HOW=BODY_SENDFILE)
 * to measure again.
 */
#ifndef FETCH_HOW
#define FETCH_HOW	BODY_READ
#endif
#ifndef FETCH_FRAME
#define FETCH_FRAME	0
#endif

static void	fetch_body(struct ops_req *, int, uint64_t, uint64_t);

/*
 * GET: FILE, the DATA frames (body.c), END.  The descriptor holds the
 * inode found at the start, so a PUT renaming a new file into place
 * meanwhile changes nothing here: the reader gets the old version whole.
 */
void
fetch_get(struct ops_req *r, const struct tfs_msg *m)
{
	struct tfs_msg	 f;
	struct stat	 st;
	uint64_t	 size;
	int		 fd;

	if ((fd = resolve_file(&r->ctx->root, r->path, &st)) == -1) {
		ops_fail_errno(r, errno, NULL);
		return;
	}
	size = (uint64_t)st.st_size;
	if (m->offset > size) {
		ops_fail(r, TFS_ERANGE, "offset %llu beyond the end (%llu)",
		    (unsigned long long)m->offset, (unsigned long long)size);
		goto out_close;
	}
	memset(&f, 0, sizeof(f));
	f.type = TFS_FILE;
	f.size = size;
	f.offset = m->offset;
	ops_send(r, &f);
	if (!r->close) {
		fetch_body(r, fd, m->offset, size - m->offset);
	}
out_close:
	close(fd);
}

/*
 * Bytes off .. off+len-1 of fd, then END.  A file shrinking under us
 * (changed in place by someone else) is seen before each frame and
 * answered ERROR IO in place of the rest; a read failing inside a frame
 * cannot be reported in band (its length is on the wire already), so
 * the connection is closed and the client, which never gets END, counts
 * the transfer as failed.
 */
static void
fetch_body(struct ops_req *r, int fd, uint64_t off, uint64_t len)
{
	struct body_opts o;
	struct body_stat bs;

	ops_body_opts(r, &o);
	o.how = FETCH_HOW;
	o.frame_max = FETCH_FRAME;
	switch (body_send(r->ctx->conn, fd, off, len, &o, &bs)) {
	case BODY_OK:
		break;
	case BODY_SHORT:
		ops_fail(r, TFS_EIO, "the file shrank while being read");
		break;
	default:
		r->close = 1;
		if (errno == ETIMEDOUT) {
			r->err = TFS_ETIMEOUT;
			r->note = "stalled, or too slow";
		} else if (errno == EIO) {
			r->err = TFS_EIO;
			r->note = "read failed inside a frame";
		} else {
			r->note = "peer gone";
		}
		break;
	}
	r->bytes = bs.done;
}

/* SUM: hashing steps out of the stall watch, as it moves no bytes. */
void
fetch_sum(struct ops_req *r, const struct tfs_msg *m)
{
	uint8_t		 md[DIGEST_SHA256_LEN];
	struct tfs_msg	 d;
	struct stat	 st;
	int		 fd, rc, e;

	(void)m;
	if ((fd = resolve_file(&r->ctx->root, r->path, &st)) == -1) {
		ops_fail_errno(r, errno, NULL);
		return;
	}
	ops_local(r, 1);
	rc = digest_sha256_fd(fd, md);
	e = errno;
	ops_local(r, 0);
	close(fd);
	if (rc == -1) {
		ops_fail_errno(r, e, "reading");
		return;
	}
	r->bytes = (uint64_t)st.st_size;
	memset(&d, 0, sizeof(d));
	d.type = TFS_DIGEST;
	d.algo = tfs_str_c("sha256");
	d.digest.p = md;
	d.digest.len = sizeof(md);
	ops_send(r, &d);
}
