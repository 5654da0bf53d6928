/*
 * ops.c -- one function per TFS/1 request: LIST STAT GET PUT DELETE
 * RENAME MKDIR SUM QUIT.
 *
 * Each checks in the order PROTOCOL.md gives (the frame was decoded by
 * the worker; then the path rules, unknown flags, read-only, the size
 * limit, then the file system) and answers exactly one reply, or the
 * frames of a transfer.  Every name is reached through resolve.c, so
 * beneath the root; after that only descriptors and single components
 * are used.  Knows nothing of sockets beyond its conn.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "body.h"
#include "config.h"
#include "conn.h"
#include "digest.h"
#include "log.h"
#include "ops.h"
#include "partial.h"
#include "path.h"
#include "proto.h"
#include "resolve.h"
#include "xio.h"

/* A child of a listed folder, kept until the list is sorted. */
struct ops_entry {
	char		*name;
	uint64_t	 size;
	int64_t		 mtime;
	uint32_t	 mode;
	uint8_t		 kind;
};

static void	ops_fail(struct ops_req *, unsigned, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	ops_fail_errno(struct ops_req *, int, const char *);
static int	ops_path(struct ops_req *, const struct tfs_str *, char *,
		    int);
static void	ops_send(struct ops_req *, const struct tfs_msg *);
static void	ops_entry_msg(struct tfs_msg *, const struct stat *,
		    const char *);
static int	ops_progress(void *, uint64_t);
static void	ops_body_opts(struct ops_req *, struct body_opts *);
static void	ops_local(struct ops_req *, int);
static int	ops_entry_cmp(const void *, const void *);
static int	ops_name_ok(const char *);
static int	ops_list_read(struct ops_req *, int, struct ops_entry **,
		    size_t *);
static int	ops_rmdir(int, const char *);
static int	ops_upload(struct ops_req *, int, uint64_t);

static void	ops_list(struct ops_req *, const struct tfs_msg *);
static void	ops_stat(struct ops_req *, const struct tfs_msg *);
static void	ops_get(struct ops_req *, const struct tfs_msg *);
static void	ops_put(struct ops_req *, const struct tfs_msg *);
static void	ops_delete(struct ops_req *, const struct tfs_msg *);
static void	ops_rename(struct ops_req *, const struct tfs_msg *);
static void	ops_mkdir(struct ops_req *, const struct tfs_msg *);
static void	ops_sum(struct ops_req *, const struct tfs_msg *);
static void	ops_quit(struct ops_req *, const struct tfs_msg *);

void
ops_dispatch(struct ops_req *r, const struct tfs_msg *m)
{
	r->bytes = 0;
	r->err = 0;
	r->close = 0;
	r->note = NULL;
	r->path[0] = r->to[0] = '\0';
	switch (m->type) {
	case TFS_LIST:
		ops_list(r, m);
		break;
	case TFS_STAT:
		ops_stat(r, m);
		break;
	case TFS_GET:
		ops_get(r, m);
		break;
	case TFS_PUT:
		ops_put(r, m);
		break;
	case TFS_DELETE:
		ops_delete(r, m);
		break;
	case TFS_RENAME:
		ops_rename(r, m);
		break;
	case TFS_MKDIR:
		ops_mkdir(r, m);
		break;
	case TFS_SUM:
		ops_sum(r, m);
		break;
	case TFS_QUIT:
		ops_quit(r, m);
		break;
	default:
		/* the worker passes requests only */
		ops_fail(r, TFS_EUNSUPPORTED, NULL);
		break;
	}
}

/*
 * Answer ERROR code (the table's words when fmt is NULL).  PROTOCOL and
 * TIMEOUT end the connection, as does a reply that cannot be sent.
 */
static void
ops_fail(struct ops_req *r, unsigned code, const char *fmt, ...)
{
	char	 text[512];
	va_list	 ap;

	text[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(text, sizeof(text), fmt, ap);
		va_end(ap);
	}
	r->err = code;
	if (code == TFS_EPROTOCOL || code == TFS_ETIMEOUT) {
		r->close = 1;
	}
	if (conn_send_error(r->conn, code, "%s", text) == -1) {
		r->close = 1;
		r->note = "peer gone";
	}
}

/* Answer the error of a failed system call on the client's path. */
static void
ops_fail_errno(struct ops_req *r, int errnum, const char *what)
{
	enum tfs_err	 code = resolve_err(errnum);
	const char	*why;

	switch (errnum) {
	case EXDEV:
		why = "a symbolic link leads out of the served folder";
		break;
	case ELOOP:
		why = "too many symbolic links, or one the server never "
		    "follows";
		break;
	case RESOLVE_ESPECIAL:
		why = "a special file, not a regular file or folder";
		break;
	case EAGAIN:
		why = "the file kept changing";
		break;
	default:
		why = code == TFS_EIO ? strerror(errnum) : tfs_err_text(code);
		break;
	}
	if (what != NULL) {
		ops_fail(r, code, "%s: %s", what, why);
	} else {
		ops_fail(r, code, "%s", why);
	}
}

/*
 * Check a path from the peer against the rules of PROTOCOL.md and copy
 * it as a C string (the rules exclude NUL).  0, or -1 once BAD_PATH is
 * answered.
 */
static int
ops_path(struct ops_req *r, const struct tfs_str *s, char *out, int flags)
{
	enum path_err	 e;

	e = path_check((const char *)s->p, s->len, flags);
	if (e != PATH_OK) {
		ops_fail(r, TFS_EBAD_PATH, "%s", path_strerror(e));
		return -1;
	}
	if (s->len > 0) {
		memcpy(out, s->p, s->len);
	}
	out[s->len] = '\0';
	return 0;
}

/* Queue one reply frame; a broken socket ends the connection. */
static void
ops_send(struct ops_req *r, const struct tfs_msg *m)
{
	if (!r->close && conn_send(r->conn, m) == -1) {
		r->close = 1;
		r->note = "peer gone";
	}
}

static void
ops_entry_msg(struct tfs_msg *m, const struct stat *st, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->type = TFS_ENTRY;
	m->kind = S_ISDIR(st->st_mode) ? TFS_KIND_DIR : TFS_KIND_FILE;
	m->size = S_ISDIR(st->st_mode) ? 0 : (uint64_t)st->st_size;
	m->mtime = (int64_t)st->st_mtime;
	m->mode = (uint32_t)(st->st_mode & 07777);
	m->name = tfs_str_c(name);
}

/* A transfer moved bytes: tell the master's stall watch. */
static int
ops_progress(void *arg, uint64_t bytes)
{
	struct ops_req	*r = arg;

	r->bytes = bytes;
	if (r->slot != NULL) {
		r->slot->bytes = bytes;
		r->slot->last_progress = xio_now_ms();
	}
	return 0;
}

/*
 * How a body moves for this request: the stall timeout, and no stop in
 * between (a graceful stop lets a transfer under way finish).
 */
static void
ops_body_opts(struct ops_req *r, struct body_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->stall_ms = r->stall_ms;
	o->intr_fd = -1;
	o->progress = ops_progress;
	o->arg = r;
}

/*
 * Long work on the disk alone (hashing a big file, fsync) shows no
 * progress on the wire: step out of the master's stall watch meanwhile,
 * which is there for peers that stop moving, not for slow disks.
 */
static void
ops_local(struct ops_req *r, int local)
{
	if (r->slot != NULL) {
		r->slot->in_request = !local;
		r->slot->last_progress = xio_now_ms();
	}
}

/* Bytewise order of names, as PROTOCOL.md wants for LIST. */
static int
ops_entry_cmp(const void *a, const void *b)
{
	const struct ops_entry	*x = a, *y = b;

	return strcmp(x->name, y->name);
}

/*
 * A name a client could ask for again: no control bytes (those break
 * the path rules, so such an entry could never be reached anyway).
 */
static int
ops_name_ok(const char *name)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			return 0;
		}
	}
	return 1;
}

/*
 * Read the children of folder dfd (r->path) that LIST shows: regular
 * files and folders, symbolic links judged by what they lead to inside
 * the root (a link leading out, nowhere, or to a special file is left
 * out).  Old partials met on the way are expired.  0 or -1 (errno).
 */
static int
ops_list_read(struct ops_req *r, int dfd, struct ops_entry **out,
    size_t *count)
{
	char			 full[PATH_MAX_LEN + 1];
	struct ops_entry	*v = NULL, *nv;
	struct dirent		*de;
	struct stat		 st;
	size_t			 n = 0, cap = 0;
	DIR			*d;
	int			 fd, lfd, saved;

	if ((fd = dup(dfd)) == -1) {
		return -1;
	}
	if ((d = fdopendir(fd)) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0) {
			continue;
		}
		if (partial_reserved(de->d_name)) {
			if (!cfg.read_only) {
				partial_expire(dfd, de->d_name,
				    cfg.partial_max_age);
			}
			continue;
		}
		if (!ops_name_ok(de->d_name) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			if (path_join(r->path, de->d_name, full,
			    sizeof(full)) == -1) {
				continue;
			}
			if ((lfd = resolve_node(r->root, full, &st)) ==
			    -1) {
				continue;
			}
			close(lfd);
		}
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				goto out_nomem;
			}
			v = nv;
		}
		if ((v[n].name = strdup(de->d_name)) == NULL) {
			goto out_nomem;
		}
		v[n].kind = S_ISDIR(st.st_mode) ? TFS_KIND_DIR : TFS_KIND_FILE;
		v[n].size = S_ISDIR(st.st_mode) ? 0 : (uint64_t)st.st_size;
		v[n].mtime = (int64_t)st.st_mtime;
		v[n].mode = (uint32_t)(st.st_mode & 07777);
		n++;
	}
	if (errno != 0) {
		goto out_err;
	}
	closedir(d);
	*out = v;
	*count = n;
	return 0;
out_nomem:
	errno = ENOMEM;
out_err:
	saved = errno;
	while (n > 0) {
		free(v[--n].name);
	}
	free(v);
	closedir(d);
	errno = saved;
	return -1;
}

static void
ops_list(struct ops_req *r, const struct tfs_msg *m)
{
	struct ops_entry	*v = NULL;
	struct tfs_msg		 e;
	size_t			 n = 0, i;
	int			 dfd;

	if (ops_path(r, &m->path, r->path, PATH_ALLOW_ROOT) == -1) {
		return;
	}
	if ((dfd = resolve_dir(r->root, r->path)) == -1) {
		ops_fail_errno(r, errno, NULL);
		return;
	}
	if (ops_list_read(r, dfd, &v, &n) == -1) {
		ops_fail_errno(r, errno, NULL);
		close(dfd);
		return;
	}
	close(dfd);
	if (n > 1) {
		qsort(v, n, sizeof(*v), ops_entry_cmp);
	}
	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof(e));
		e.type = TFS_ENTRY;
		e.kind = v[i].kind;
		e.size = v[i].size;
		e.mtime = v[i].mtime;
		e.mode = v[i].mode;
		e.name = tfs_str_c(v[i].name);
		ops_send(r, &e);
		free(v[i].name);
	}
	free(v);
	memset(&e, 0, sizeof(e));
	e.type = TFS_END;
	e.count = n;
	ops_send(r, &e);
}

static void
ops_stat(struct ops_req *r, const struct tfs_msg *m)
{
	struct tfs_msg	 e;
	struct stat	 st;
	int		 fd;

	if (ops_path(r, &m->path, r->path, PATH_ALLOW_ROOT) == -1) {
		return;
	}
	if ((fd = resolve_node(r->root, r->path, &st)) == -1) {
		ops_fail_errno(r, errno, NULL);
		return;
	}
	close(fd);
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		ops_fail_errno(r, RESOLVE_ESPECIAL, NULL);
		return;
	}
	ops_entry_msg(&e, &st, path_basename(r->path));
	ops_send(r, &e);
}

/*
 * GET: FILE, the DATA frames (body.c), END.  The descriptor holds the
 * inode found at the start, so a PUT renaming a new file into place
 * meanwhile changes nothing here: the reader gets the old version whole.
 * A file shrinking under us (changed in place by someone else) is seen
 * before each frame and answered ERROR IO in place of the rest; a read
 * failing inside a frame cannot be reported in band (its length is on
 * the wire already), so the connection is closed and the client, which
 * never gets END, counts the transfer as failed.
 */
static void
ops_get(struct ops_req *r, const struct tfs_msg *m)
{
	struct body_opts o;
	struct body_stat bs;
	struct tfs_msg	 f;
	struct stat	 st;
	uint64_t	 size;
	int		 fd;

	if (ops_path(r, &m->path, r->path, 0) == -1) {
		return;
	}
	if ((fd = resolve_file(r->root, r->path, &st)) == -1) {
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
	if (r->close) {
		goto out_close;
	}
	ops_body_opts(r, &o);
	switch (body_send(r->conn, fd, m->offset, size - m->offset, &o,
	    &bs)) {
	case BODY_OK:
		break;
	case BODY_SHORT:
		ops_fail(r, TFS_EIO, "the file shrank while being read");
		break;
	default:
		r->close = 1;
		if (errno == ETIMEDOUT) {
			r->err = TFS_ETIMEOUT;
			r->note = "stalled";
		} else if (errno == EIO) {
			r->err = TFS_EIO;
			r->note = "read failed inside a frame";
		} else {
			r->note = "peer gone";
		}
		break;
	}
	r->bytes = bs.done;
out_close:
	close(fd);
}

/*
 * Receive the DATA frames and END of an upload into pfd: want bytes.
 * Returns 0 when all arrived and were written; 1 when they arrived but
 * writing failed (errno; the stream is in step, the connection stays
 * usable); -1 when the connection must end (the error, if any, is
 * answered).
 */
static int
ops_upload(struct ops_req *r, int pfd, uint64_t want)
{
	struct body_opts o;
	struct body_stat bs;
	enum body_rc	 rc;
	int		 werr = 0;

	ops_body_opts(r, &o);
	rc = body_recv(r->conn, pfd, want, &o, &bs);
	if (rc == BODY_WRITE) {
		/* keep reading: the answer comes after END */
		werr = errno;
		/* and give a full disk its space back now */
		if ((werr == ENOSPC || werr == EDQUOT) &&
		    ftruncate(pfd, 0) == -1) {
			log_warn("emptying a partial");
		}
		rc = body_drain(r->conn, want, &o, &bs);
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
			ops_fail(r, TFS_ETIMEOUT, "upload stalled");
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

/*
 * PUT: the bytes go to a locked partial beside the target, renamed into
 * place once all arrived (and were fsynced), so the old version stays
 * whole until then and after any failure.  A partial is kept for RESUME
 * after a disconnect, a stall or a protocol error; it is removed when
 * the disk or the file-size limit is what failed, since keeping it
 * would hold on to the very space that is missing.
 */
static void
ops_put(struct ops_req *r, const struct tfs_msg *m)
{
	struct tfs_msg	 msg;
	struct stat	 st;
	const char	*name;
	uint64_t	 off;
	int		 dfd, pfd, nfd, rc, e, exists;

	if (ops_path(r, &m->path, r->path, 0) == -1) {
		return;
	}
	if (m->flags & ~TFS_PUT_FLAGS) {
		ops_fail(r, TFS_EUNSUPPORTED, "unknown PUT flags 0x%02x",
		    m->flags & ~TFS_PUT_FLAGS);
		return;
	}
	if (cfg.read_only) {
		ops_fail(r, TFS_EDENIED, "the server is read-only");
		return;
	}
	if ((cfg.max_file_size != 0 && m->size > cfg.max_file_size) ||
	    m->size > (uint64_t)INT64_MAX) {
		if (cfg.max_file_size != 0) {
			ops_fail(r, TFS_ETOO_LARGE, "over the limit of %llu "
			    "bytes", (unsigned long long)cfg.max_file_size);
		} else {
			ops_fail(r, TFS_ETOO_LARGE, NULL);
		}
		return;
	}
	if ((dfd = resolve_parent(r->root, r->path, &name)) == -1) {
		ops_fail_errno(r, errno, NULL);
		return;
	}
	/* what the name is now, links inside the root followed */
	exists = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists) {
		if ((nfd = resolve_node(r->root, r->path, &st)) == -1) {
			/* a dangling link is replaced; one leading out not */
			if (errno != ENOENT) {
				ops_fail_errno(r, errno, NULL);
				goto out_dir;
			}
		} else {
			close(nfd);
			if (!S_ISREG(st.st_mode)) {
				ops_fail_errno(r, S_ISDIR(st.st_mode) ?
				    EISDIR : RESOLVE_ESPECIAL, NULL);
				goto out_dir;
			}
		}
		if (m->flags & TFS_PUT_NOCLOBBER) {
			ops_fail(r, TFS_EEXISTS, NULL);
			goto out_dir;
		}
	}
	pfd = partial_open(dfd, name, m->size, m->flags & TFS_PUT_RESUME,
	    &off);
	if (pfd == -1) {
		if (errno == EBUSY) {
			ops_fail(r, TFS_EBUSY, "an upload of this path is in "
			    "progress");
		} else {
			ops_fail_errno(r, errno, NULL);
		}
		goto out_dir;
	}
	memset(&msg, 0, sizeof(msg));
	msg.type = TFS_READY;
	msg.offset = off;
	ops_send(r, &msg);
	if (r->close || conn_flush(r->conn) == -1) {
		r->close = 1;
		r->note = "peer gone";
		goto out_partial;
	}
	rc = ops_upload(r, pfd, m->size - off);
	if (rc == -1) {
		/* kept for RESUME: make what arrived durable like the rest */
		if (cfg.fsync) {
			(void)fdatasync(pfd);
		}
		goto out_partial;
	}
	if (rc == 1) {
		e = errno;
		if (e == ENOSPC || e == EDQUOT || e == EFBIG) {
			partial_discard(dfd, name, pfd);
		}
		ops_fail_errno(r, e, "writing");
		goto out_partial;
	}
	ops_local(r, 1);
	rc = partial_commit(dfd, name, pfd, m->flags & TFS_PUT_NOCLOBBER,
	    cfg.fsync);
	e = errno;
	ops_local(r, 0);
	if (rc == -1) {
		if (e == EEXIST || e == ENOSPC || e == EDQUOT) {
			partial_discard(dfd, name, pfd);
		}
		ops_fail_errno(r, e, NULL);
		goto out_partial;
	}
	memset(&msg, 0, sizeof(msg));
	msg.type = TFS_OK;
	ops_send(r, &msg);
out_partial:
	close(pfd);
out_dir:
	close(dfd);
}

/*
 * Remove the empty folder name of dfd.  Partials and other reserved
 * files never block it: a folder LIST shows empty is empty.  0 or -1.
 */
static int
ops_rmdir(int dfd, const char *name)
{
	struct dirent	*de;
	DIR		*d;
	int		 fd, busy = 0;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1) {
		return -1;
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    !partial_reserved(de->d_name)) {
			busy = 1;
			break;
		}
	}
	if (!busy) {
		rewinddir(d);
		while ((de = readdir(d)) != NULL) {
			if (partial_reserved(de->d_name)) {
				(void)unlinkat(dirfd(d), de->d_name, 0);
			}
		}
	}
	closedir(d);
	if (busy) {
		errno = ENOTEMPTY;
		return -1;
	}
	return unlinkat(dfd, name, AT_REMOVEDIR);
}

/*
 * DELETE: a file, or an empty folder.  A symbolic link is removed
 * itself, never what it leads to.
 */
static void
ops_delete(struct ops_req *r, const struct tfs_msg *m)
{
	struct stat	 st;
	const char	*name;
	int		 dfd, rc;

	if (ops_path(r, &m->path, r->path, 0) == -1) {
		return;
	}
	if (cfg.read_only) {
		ops_fail(r, TFS_EDENIED, "the server is read-only");
		return;
	}
	if ((dfd = resolve_parent(r->root, r->path, &name)) == -1) {
		ops_fail_errno(r, errno, NULL);
		return;
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		ops_fail_errno(r, errno, NULL);
		goto out_dir;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = ops_rmdir(dfd, name);
	} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
		rc = unlinkat(dfd, name, 0);
	} else {
		errno = RESOLVE_ESPECIAL;
		rc = -1;
	}
	if (rc == -1) {
		ops_fail_errno(r, errno, NULL);
	} else {
		struct tfs_msg	 ok = { .type = TFS_OK };

		ops_send(r, &ok);
	}
out_dir:
	close(dfd);
}

/*
 * RENAME: never replaces (RENAME_NOREPLACE), so EXISTS even when to is
 * from itself.  A folder moved inside itself is BAD_PATH: the target
 * path cannot be.
 */
static void
ops_rename(struct ops_req *r, const struct tfs_msg *m)
{
	struct tfs_msg	 ok = { .type = TFS_OK };
	struct stat	 st;
	const char	*sname, *tname;
	int		 sfd, tfd, rc;

	if (ops_path(r, &m->path, r->path, 0) == -1 ||
	    ops_path(r, &m->to, r->to, 0) == -1) {
		return;
	}
	if (cfg.read_only) {
		ops_fail(r, TFS_EDENIED, "the server is read-only");
		return;
	}
	if ((sfd = resolve_parent(r->root, r->path, &sname)) == -1) {
		ops_fail_errno(r, errno, NULL);
		return;
	}
	if ((tfd = resolve_parent(r->root, r->to, &tname)) == -1) {
		ops_fail_errno(r, errno, NULL);
		goto out_src;
	}
	if (fstatat(sfd, sname, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		ops_fail_errno(r, errno, NULL);
		goto out_dst;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) &&
	    !S_ISLNK(st.st_mode)) {
		ops_fail_errno(r, RESOLVE_ESPECIAL, NULL);
		goto out_dst;
	}
	rc = renameat2(sfd, sname, tfd, tname, RENAME_NOREPLACE);
	if (rc == -1 && errno == EINVAL) {
		/* a folder into itself, or no RENAME_NOREPLACE here */
		if (fstatat(tfd, tname, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			errno = EEXIST;
		} else if (errno == ENOENT) {
			rc = renameat(sfd, sname, tfd, tname);
		}
	}
	if (rc == -1 && errno == EINVAL) {
		ops_fail(r, TFS_EBAD_PATH, "a folder cannot move inside "
		    "itself");
	} else if (rc == -1) {
		ops_fail_errno(r, errno, NULL);
	} else {
		ops_send(r, &ok);
	}
out_dst:
	close(tfd);
out_src:
	close(sfd);
}

static void
ops_mkdir(struct ops_req *r, const struct tfs_msg *m)
{
	struct tfs_msg	 ok = { .type = TFS_OK };
	const char	*name;
	int		 dfd;

	if (ops_path(r, &m->path, r->path, 0) == -1) {
		return;
	}
	if (cfg.read_only) {
		ops_fail(r, TFS_EDENIED, "the server is read-only");
		return;
	}
	if ((dfd = resolve_parent(r->root, r->path, &name)) == -1) {
		ops_fail_errno(r, errno, "parent");
		return;
	}
	if (mkdirat(dfd, name, 0777) == -1) {
		ops_fail_errno(r, errno, NULL);
	} else {
		ops_send(r, &ok);
	}
	close(dfd);
}

static void
ops_sum(struct ops_req *r, const struct tfs_msg *m)
{
	uint8_t		 md[DIGEST_SHA256_LEN];
	struct tfs_msg	 d;
	struct stat	 st;
	int		 fd, rc, e;

	if (ops_path(r, &m->path, r->path, 0) == -1) {
		return;
	}
	if ((fd = resolve_file(r->root, r->path, &st)) == -1) {
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

static void
ops_quit(struct ops_req *r, const struct tfs_msg *m)
{
	struct tfs_msg	 ok = { .type = TFS_OK };

	(void)m;
	ops_send(r, &ok);
	r->close = 1;
}
