/*
 * ops.c -- the requests of TFS/1 as one table, the checks they all go
 * through, and the helpers their handlers answer with.
 *
 * A request is a row: its handler, how many paths it takes and their
 * path_check() flags, the right it needs, and the flag bits it knows.
 * Before any handler runs, ops_check() refuses in PROTOCOL.md's order
 * (Paths, "Checks run in this order"; the frame and its fields were
 * decoded by the worker): the path rules, unknown flags, rights,
 * read-only, the size limit.  Then the handler touches the file system,
 * beneath the connection's root only, and answers exactly one reply or
 * the frames of a transfer.  Knows nothing of sockets beyond its conn.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "body.h"
#include "config.h"
#include "conn.h"
#include "ops.h"
#include "path.h"
#include "proto.h"
#include "resolve.h"
#include "signin.h"
#include "xio.h"

/* A request type: who serves it, and what is checked before. */
struct ops_op {
	uint8_t		 type;
	void		(*handler)(struct ops_req *, const struct tfs_msg *);
	int		 paths;		/* n: 0, 1 (path), 2 (path, to) */
	int		 path_flags;	/* of path_check(), for each */
	unsigned	 needs;		/* R_READ, R_WRITE, or none */
	uint8_t		 flags;		/* flag bits it knows */
};

static void	ops_quit(struct ops_req *, const struct tfs_msg *);
static const struct ops_op *ops_find(uint8_t);
static int	ops_check(struct ops_req *, const struct ops_op *,
		    const struct tfs_msg *);
static int	ops_path(struct ops_req *, const struct tfs_str *, char *,
		    int);
static int	ops_progress(void *, uint64_t);

static const struct ops_op ops_table[] = {
	/* type       handler      n  path flags      needs    flags */
	{ TFS_LIST,   entry_list,  1, PATH_ALLOW_ROOT, R_READ,  0 },
	{ TFS_STAT,   entry_stat,  1, PATH_ALLOW_ROOT, R_READ,  0 },
	{ TFS_GET,    fetch_get,   1, 0,              R_READ,  0 },
	{ TFS_PUT,    upload_put,  1, 0,              R_WRITE, TFS_PUT_FLAGS },
	{ TFS_DELETE, dir_delete,  1, 0,              R_WRITE, 0 },
	{ TFS_RENAME, dir_rename,  2, 0,              R_WRITE, 0 },
	{ TFS_MKDIR,  dir_mkdir,   1, 0,              R_WRITE, 0 },
	{ TFS_SUM,    fetch_sum,   1, 0,              R_READ,  0 },
	{ TFS_UTIME,  dir_utime,   1, 0,              R_WRITE, 0 },
	{ TFS_QUIT,   ops_quit,    0, 0,              0,       0 },
	{ TFS_AUTH,   signin_auth, 0, 0,              0,       0 },
	{ TFS_STEP,   signin_step, 0, 0,              0,       0 },
};

void
ops_dispatch(struct ops_req *r, const struct tfs_msg *m)
{
	const struct ops_op	*op;

	r->bytes = 0;
	r->err = 0;
	r->close = 0;
	r->note = NULL;
	r->path[0] = r->to[0] = '\0';
	if ((op = ops_find(m->type)) == NULL) {
		/* the worker passes requests only: one the table lacks */
		ops_fail(r, TFS_EUNSUPPORTED, NULL);
		return;
	}
	if (ops_check(r, op, m) == 0) {
		op->handler(r, m);
	}
}

static const struct ops_op *
ops_find(uint8_t type)
{
	size_t	 i;

	for (i = 0; i < sizeof(ops_table) / sizeof(ops_table[0]); i++) {
		if (ops_table[i].type == type) {
			return &ops_table[i];
		}
	}
	return NULL;
}

/*
 * What holds for every request, in PROTOCOL.md's order; the first rule
 * broken answers.  Only PUT has flags and announces a size: the others
 * decode with both 0, which no rule refuses.  0, or -1 once answered.
 */
static int
ops_check(struct ops_req *r, const struct ops_op *op,
    const struct tfs_msg *m)
{
	const struct ops_ctx	*c = r->ctx;

	if ((op->paths >= 1 &&
	    ops_path(r, &m->path, r->path, op->path_flags) == -1) ||
	    (op->paths >= 2 &&
	    ops_path(r, &m->to, r->to, op->path_flags) == -1)) {
		return -1;
	}
	if (m->flags & ~op->flags) {
		ops_fail(r, TFS_EUNSUPPORTED, "unknown %s flags 0x%02x",
		    tfs_type_name(m->type), m->flags & ~op->flags);
		return -1;
	}
	if (op->needs & ~c->rights) {
		/* signing in may help the anonymous, not a user */
		ops_fail(r, c->user == NULL ? TFS_EAUTH_REQUIRED :
		    TFS_EDENIED, NULL);
		return -1;
	}
	if ((op->needs & R_WRITE) && cfg.read_only) {
		ops_fail(r, TFS_EDENIED, "the server is read-only");
		return -1;
	}
	if (cfg.max_file_size != 0 && m->size > cfg.max_file_size) {
		ops_fail(r, TFS_ETOO_LARGE, "over the limit of %llu bytes",
		    (unsigned long long)cfg.max_file_size);
		return -1;
	}
	/* an offset in a file must fit off_t */
	if (m->size > (uint64_t)INT64_MAX) {
		ops_fail(r, TFS_ETOO_LARGE, NULL);
		return -1;
	}
	return 0;
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

static void
ops_quit(struct ops_req *r, const struct tfs_msg *m)
{
	(void)m;
	ops_ok(r);
	r->close = 1;
}

void
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
	if (conn_send_error(r->ctx->conn, code, "%s", text) == -1) {
		r->close = 1;
		r->note = "peer gone";
	}
}

void
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

void
ops_send(struct ops_req *r, const struct tfs_msg *m)
{
	if (!r->close && conn_send(r->ctx->conn, m) == -1) {
		r->close = 1;
		r->note = "peer gone";
	}
}

void
ops_ok(struct ops_req *r)
{
	struct tfs_msg	 ok = { .type = TFS_OK };

	ops_send(r, &ok);
}

/* A transfer moved bytes: tell the master's stall watch. */
static int
ops_progress(void *arg, uint64_t bytes)
{
	struct ops_req	*r = arg;
	struct sb_slot	*slot = r->ctx->slot;

	r->bytes = bytes;
	if (slot != NULL) {
		slot->bytes = bytes;
		slot->last_progress = xio_now_ms();
	}
	return 0;
}

/*
 * The stall timeout and the minimum rate, and no stop in between (a
 * graceful stop lets a transfer under way finish).
 */
void
ops_body_opts(struct ops_req *r, struct body_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->stall_ms = r->ctx->stall_ms;
	o->min_rate = r->ctx->min_rate;
	o->intr_fd = -1;
	o->progress = ops_progress;
	o->arg = r;
}

/*
 * Long work on the disk alone (hashing a big file, fsync) shows no
 * progress on the wire: step out of the master's stall watch meanwhile,
 * which is there for peers that stop moving, not for slow disks.
 */
void
ops_local(struct ops_req *r, int local)
{
	struct sb_slot	*slot = r->ctx->slot;

	if (slot != NULL) {
		slot->in_request = !local;
		slot->last_progress = xio_now_ms();
	}
}
