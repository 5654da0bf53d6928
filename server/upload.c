/*
 * upload.c -- PUT: what the name is now, the locked partial beside it
 * (partial.c), room for it (space.c), READY, the body received into the
 * partial (body.c), and the commit that renames it into place before OK.
 *
 * The old version stays whole until the commit, and after any failure.
 * A partial is kept for RESUME after a disconnect, a stall or a
 * protocol error; it is removed when the disk or the file-size limit is
 * what failed, since keeping it would hold on to the very space that is
 * missing, and when NOCLOBBER finds the name taken at the end.  While
 * the upload runs its room is reserved for the worker's slot; a kept
 * partial leaves the total of those kept when taken up again, and joins
 * it when left again.  Writes nothing outside the target's folder.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "body.h"
#include "config.h"
#include "conn.h"
#include "log.h"
#include "ops.h"
#include "partial.h"
#include "proto.h"
#include "resolve.h"
#include "space.h"

/*
 * Splice uploads from the socket into the partial (1: the bytes are
 * copied once, from the pipe into the page cache), or read and write
 * them (0): docs/performance.md has the measurements.
 */
#ifndef UPLOAD_SPLICE
#define UPLOAD_SPLICE	1
#endif

/* One upload under way: the target's folder and name, the partial. */
struct upload {
	int		 dfd;
	const char	*name;		/* inside r->path */
	int		 pfd;
	uint64_t	 offset;	/* bytes the partial held already */
	uint64_t	 had;		/* what it held when opened */
};

static int	upload_target(struct ops_req *, const struct tfs_msg *,
		    struct upload *);
static int	upload_open(struct ops_req *, const struct tfs_msg *,
		    struct upload *);
static int	upload_room(struct ops_req *, const struct tfs_msg *,
		    const struct upload *);
static void	upload_end(struct ops_req *, const struct upload *);
static int	upload_ready(struct ops_req *, const struct upload *);
static const struct body_pipe *upload_pipe(struct ops_ctx *);
static int	upload_body(struct ops_req *, int, uint64_t);
static void	upload_write_failed(struct ops_req *, const struct upload *,
		    int);
static void	upload_commit(struct ops_req *, const struct tfs_msg *,
		    const struct upload *);

void
upload_put(struct ops_req *r, const struct tfs_msg *m)
{
	struct upload	 u;

	if (upload_target(r, m, &u) == -1) {
		return;
	}
	if (upload_open(r, m, &u) == -1) {
		goto out_dir;
	}
	if (upload_room(r, m, &u) == -1) {
		goto out_partial;
	}
	if (upload_ready(r, &u) == -1) {
		goto out_room;
	}
	switch (upload_body(r, u.pfd, m->size - u.offset)) {
	case 0:
		upload_commit(r, m, &u);
		break;
	case 1:
		upload_write_failed(r, &u, errno);
		break;
	default:
		/* kept for RESUME: make what arrived durable like the rest */
		if (cfg.fsync) {
			(void)fdatasync(u.pfd);
		}
		break;
	}
out_room:
	upload_end(r, &u);
out_partial:
	close(u.pfd);
out_dir:
	close(u.dfd);
}

/*
 * Open the folder of r->path and look at what the name is now, links
 * inside the root followed: a folder or special file cannot be
 * replaced, a dangling link can, and NOCLOBBER wants nothing there.
 * 0 with u->dfd and u->name, or -1 once the error is answered.
 */
static int
upload_target(struct ops_req *r, const struct tfs_msg *m, struct upload *u)
{
	struct stat	 st;
	int		 fd;

	u->dfd = resolve_parent(&r->ctx->root, r->path, &u->name);
	if (u->dfd == -1) {
		ops_fail_errno(r, errno, NULL);
		return -1;
	}
	if (fstatat(u->dfd, u->name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		return 0;
	}
	if ((fd = resolve_node(&r->ctx->root, r->path, &st)) == -1) {
		/* a dangling link is replaced; one leading out not */
		if (errno != ENOENT) {
			ops_fail_errno(r, errno, NULL);
			goto out_dir;
		}
	} else {
		close(fd);
		if (!S_ISREG(st.st_mode)) {
			ops_fail_errno(r, S_ISDIR(st.st_mode) ? EISDIR :
			    RESOLVE_ESPECIAL, NULL);
			goto out_dir;
		}
	}
	if (m->flags & TFS_PUT_NOCLOBBER) {
		ops_fail(r, TFS_EEXISTS, NULL);
		goto out_dir;
	}
	return 0;
out_dir:
	close(u->dfd);
	return -1;
}

/*
 * Open and lock the partial, resumed or new.  0 with u->pfd and
 * u->offset, or -1 once the error is answered.
 */
static int
upload_open(struct ops_req *r, const struct tfs_msg *m, struct upload *u)
{
	u->pfd = partial_open(u->dfd, u->name, m->size,
	    m->flags & TFS_PUT_RESUME, &u->offset, &u->had);
	if (u->pfd != -1) {
		/* a kept partial is now this upload's, or emptied */
		if (u->had > 0) {
			space_kept_take(r->ctx->space, u->had);
		}
		return 0;
	}
	if (errno == EBUSY) {
		ops_fail(r, TFS_EBUSY, "an upload of this path is in "
		    "progress");
	} else {
		ops_fail_errno(r, errno, NULL);
	}
	return -1;
}

/*
 * Room for the whole file: on the disk, and within what unfinished
 * uploads may hold.  Reserved for the upload, or NO_SPACE answered
 * (-1): a partial being resumed is kept as it was, an empty one
 * removed.
 */
static int
upload_room(struct ops_req *r, const struct tfs_msg *m,
    const struct upload *u)
{
	struct space_limit	 lim;
	char			 why[256];

	lim.bytes = cfg.max_partial;
	lim.pct = cfg.max_partial_pct;
	if (space_reserve(r->ctx->space, r->ctx->slot_id, u->dfd, m->size,
	    u->offset, &lim, why, sizeof(why)) == 0) {
		return 0;
	}
	if (u->offset > 0) {
		space_kept_add(r->ctx->space, u->had);
	} else {
		partial_discard(u->dfd, u->name, u->pfd);
	}
	ops_fail(r, TFS_ENO_SPACE, "%s", why);
	return -1;
}

/*
 * The upload ended: its room is free again, and a partial it leaves
 * for RESUME joins those kept.
 */
static void
upload_end(struct ops_req *r, const struct upload *u)
{
	uint64_t	 size;

	space_release(r->ctx->space, r->ctx->slot_id);
	if (partial_kept(u->dfd, u->name, u->pfd, &size)) {
		space_kept_add(r->ctx->space, size);
	}
}

/* READY, flushed at once: the client waits for it.  0 or -1. */
static int
upload_ready(struct ops_req *r, const struct upload *u)
{
	struct tfs_msg	 msg;

	memset(&msg, 0, sizeof(msg));
	msg.type = TFS_READY;
	msg.offset = u->offset;
	ops_send(r, &msg);
	if (r->close || conn_flush(r->ctx->conn) == -1) {
		r->close = 1;
		r->note = "peer gone";
		return -1;
	}
	return 0;
}

/*
 * The process's pipe, opened on the first upload and kept for the next
 * ones; NULL when there is none (the body is then read and written).
 */
static const struct body_pipe *
upload_pipe(struct ops_ctx *c)
{
	if (!UPLOAD_SPLICE || c->pipe == NULL) {
		return NULL;
	}
	if (c->pipe->rd == -1 && body_pipe_open(c->pipe) == -1) {
		log_warn("a pipe for uploads");
		return NULL;
	}
	return c->pipe;
}

/*
 * Receive the DATA frames and END of an upload into pfd: want bytes.
 * Returns 0 when all arrived and were written; 1 when they arrived but
 * writing failed (errno; the stream is in step, the connection stays
 * usable); -1 when the connection must end (the error, if any, is
 * answered).
 */
static int
upload_body(struct ops_req *r, int pfd, uint64_t want)
{
	struct body_opts o;
	struct body_stat bs;
	enum body_rc	 rc;
	int		 werr = 0;

	ops_body_opts(r, &o);
	o.pipe = upload_pipe(r->ctx);
	rc = body_recv(r->ctx->conn, pfd, want, &o, &bs);
	if (rc == BODY_WRITE) {
		/* keep reading: the answer comes after END */
		werr = errno;
		/* and give a full disk its space back now */
		if ((werr == ENOSPC || werr == EDQUOT) &&
		    ftruncate(pfd, 0) == -1) {
			log_warn("emptying a partial");
		}
		rc = body_drain(r->ctx->conn, want, &o, &bs);
	}
	switch (rc) {
	case BODY_OK:
		if (werr != 0) {
			errno = werr;
			return 1;
		}
		return 0;
	case BODY_BROKEN:
		if (errno == ETIMEDOUT) {
			ops_fail(r, TFS_ETIMEOUT, "upload stalled, or "
			    "slower than %u bytes/s", r->ctx->min_rate);
			break;
		}
		/* FALLTHROUGH */
	case BODY_EOF:
		r->note = "disconnected mid-upload";
		break;
	case BODY_OTHER:
		ops_fail(r, TFS_EPROTOCOL, "%s frame during an upload",
		    tfs_type_name(bs.frame.type));
		break;
	default:
		ops_fail(r, TFS_EPROTOCOL, "%s", bs.why);
		break;
	}
	r->close = 1;
	return -1;
}

/* Writing failed with e: a full disk or the limit gets its space back. */
static void
upload_write_failed(struct ops_req *r, const struct upload *u, int e)
{
	if (e == ENOSPC || e == EDQUOT || e == EFBIG) {
		partial_discard(u->dfd, u->name, u->pfd);
	}
	ops_fail_errno(r, e, "writing");
}

/*
 * Rename the partial into place (fsynced first unless --no-fsync), then
 * OK.  The fsync moves no bytes on the wire: it steps out of the stall
 * watch.
 */
static void
upload_commit(struct ops_req *r, const struct tfs_msg *m,
    const struct upload *u)
{
	int	 rc, e;

	ops_local(r, 1);
	rc = partial_commit(u->dfd, u->name, u->pfd,
	    m->flags & TFS_PUT_NOCLOBBER, cfg.fsync);
	e = errno;
	ops_local(r, 0);
	if (rc == -1) {
		if (e == EEXIST || e == ENOSPC || e == EDQUOT) {
			partial_discard(u->dfd, u->name, u->pfd);
		}
		ops_fail_errno(r, e, NULL);
		return;
	}
	ops_ok(r);
}
