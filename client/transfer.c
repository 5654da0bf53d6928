/*
 * transfer.c -- get and put of one file over a session, with progress.
 *
 * A download never leaves a short file under its final name: bytes go
 * to ".NAME.tfs-part" beside it, and only an END whose count matches
 * what arrived (and, when asked, a matching SHA-256) renames it into
 * place.  Ctrl-C, a lost connection or a server error keep the partial
 * file for a later "get -r".  Uploads need no such care on this side:
 * the server keeps its own partial for PUT's RESUME flag.
 *
 * Both directions run through one driver: an attempt asks (GET or PUT,
 * whose reply says where the body starts), then moves the body; after a
 * lost connection the driver reconnects (--retry) and the next attempt
 * goes on from what is in place.
 *
 * This file never calls readline and never writes to stdout except the
 * bytes of "get REMOTE -".
 */

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "body.h"
#include "exitcode.h"
#include "intr.h"
#include "path.h"
#include "progress.h"
#include "remote.h"
#include "transfer.h"
#include "xio.h"

#define XFER_PART_SUFFIX ".tfs-part"	/* ".NAME.tfs-part" beside NAME */
#define XFER_TICK_MS	250		/* redraw / Ctrl-C check while idle */
#define XFER_DONE_MS	(10 * 60 * 1000)  /* wait for PUT's OK (fsync) */
#define XFER_BUSY_TRIES	10		/* put -r meeting its own old upload */
#define XFER_BUSY_MS	300
/*
 * How bodies move (docs/performance.md has the measurements): PUT's
 * frames are read in pieces and written (faster here than a mapping or
 * sendfile, whose copy reads the page cache from memory on the
 * critical path), and GET's are spliced into a regular file (one copy
 * fewer).  A build may choose others with -D to measure again.
 */
#ifndef XFER_PUT_HOW
#define XFER_PUT_HOW	BODY_READ
#endif
#ifndef XFER_GET_SPLICE
#define XFER_GET_SPLICE	1
#endif
/* A smaller GET goes through the read buffer: a pipe costs four calls. */
#ifndef XFER_SPLICE_MIN
#define XFER_SPLICE_MIN	(256 * 1024)
#endif

/* How an attempt, or one step of it, ended. */
enum xfer_rc {
	XFER_OK = 0,
	XFER_FAILED,	/* the session failed: x->rc, and s->errmsg */
	XFER_LOCAL,	/* a local file failed: reported, never retried */
};

struct xfer_state;

/* One direction: the two steps of an attempt. */
struct xfer_way {
	/* the request and its reply: x->off and x->size are then known */
	enum xfer_rc	(*ask)(struct xfer_state *);
	/* the body from x->off on, and what ends it */
	enum xfer_rc	(*move)(struct xfer_state *);
	/* BUSY to a resuming ask may be our own upload, cut a moment ago */
	int		 busy_is_ours;
};

/* One GET or PUT across its attempts. */
struct xfer_state {
	struct session		*s;
	const struct xfer_opts	*o;
	const char		*what;	/* "get a.txt", for messages */
	const char		*rpath;
	int			 fd;	/* the local file, or GET's sink */
	int			 direct; /* GET into stdout or a device */
	const char		*sink;	/* its name, for messages */
	EVP_MD_CTX		*md;	/* the digest of what went into it */
	char			 part[PATH_MAX];  /* GET's partial file */
	int			 resume; /* go on from what is in place */
	enum sess_rc		 rc;	/* after XFER_FAILED */
	struct progress		 prog;
	uint64_t		 size;	/* announced size */
	uint64_t		 off;	/* bytes in place */
	uint64_t		 moved;	/* bytes moved by this run */
	int			 sized;	/* size known from an attempt */
	int64_t			 t0;	/* for --limit-rate */
	uint64_t		 limit_base;
};

static void		xfer_init(struct xfer_state *, struct session *,
			    const struct xfer_opts *, const char *,
			    const char *);
static enum xfer_rc	xfer_sess(struct xfer_state *, enum sess_rc);
static enum xfer_rc	xfer_drive(struct xfer_state *,
			    const struct xfer_way *);
static enum xfer_rc	xfer_get_ask(struct xfer_state *);
static enum xfer_rc	xfer_get_move(struct xfer_state *);
static enum xfer_rc	xfer_get_end(struct xfer_state *, enum body_rc,
			    const struct body_stat *);
static int		xfer_get_drop(struct xfer_state *);
static int		xfer_get_open(struct xfer_state *, const char *);
static int		xfer_get_keep(struct xfer_state *, const char *);
static int		xfer_get_failed(struct xfer_state *);
static int		xfer_get_close(struct xfer_state *, const char *,
			    int);
static enum xfer_rc	xfer_put_ask(struct xfer_state *);
static enum xfer_rc	xfer_put_move(struct xfer_state *);
static enum xfer_rc	xfer_put_acked(struct xfer_state *);
static int		xfer_put_open(struct xfer_state *, const char *);
static int		xfer_progress(void *, uint64_t);
static int		xfer_digest(void *, const uint8_t *, size_t);
static void		xfer_body_opts(struct xfer_state *,
			    struct body_opts *);
static int		xfer_limit(struct xfer_state *, uint64_t);
static int		xfer_partname(const char *, char *, size_t);
static int		xfer_spool_stdin(const char *);
static int		xfer_special(const char *);
static int		xfer_verify(struct xfer_state *, int, const uint8_t *);

static const struct xfer_way	xfer_get_way = {
	xfer_get_ask, xfer_get_move, 0
};
static const struct xfer_way	xfer_put_way = {
	xfer_put_ask, xfer_put_move, 1
};

static void
xfer_init(struct xfer_state *x, struct session *s, const struct xfer_opts *o,
    const char *what, const char *rpath)
{
	memset(x, 0, sizeof(*x));
	x->s = s;
	x->o = o;
	x->what = what;
	x->rpath = rpath;
	x->fd = -1;
	x->resume = o->resume;
}

/* A session's outcome as a step's: anything but SESS_OK failed. */
static enum xfer_rc
xfer_sess(struct xfer_state *x, enum sess_rc rc)
{
	x->rc = rc;
	return rc == SESS_OK ? XFER_OK : XFER_FAILED;
}

/*
 * The one retry loop of both directions.  Each attempt asks, says where
 * it resumes, and moves the body.  A lost connection is made again (up
 * to --retry attempts in all) and the next attempt goes on from what is
 * in place.  An upload resuming right after a cut may meet its own old
 * upload, which the server has not yet seen end (BUSY): that is waited
 * out a little.  The progress bar is ended here.  XFER_FAILED leaves the
 * session's outcome in x->rc.
 */
static enum xfer_rc
xfer_drive(struct xfer_state *x, const struct xfer_way *w)
{
	struct session	*s = x->s;
	enum xfer_rc	 r;
	char		 tmp[PROGRESS_BYTES_SZ];
	int		 attempts = 0, busy = 0;

	x->t0 = xio_now_ms();
	for (;;) {
		if ((r = w->ask(x)) == XFER_OK) {
			if (x->off > 0 && !x->s->quiet) {
				fprintf(stderr, "tfs: %s: resuming at %s "
				    "(%llu bytes)\n", x->what,
				    progress_bytes(tmp, sizeof(tmp), x->off),
				    (unsigned long long)x->off);
			}
			progress_start(&x->prog, path_basename(x->rpath),
			    x->off, x->size);
			r = w->move(x);
		}
		if (r != XFER_FAILED) {
			break;
		}
		if (w->busy_is_ours && x->resume && x->rc == SESS_ERROR &&
		    s->err_code == TFS_EBUSY && busy++ < XFER_BUSY_TRIES &&
		    intr_sleep(XFER_BUSY_MS) == 0) {
			continue;
		}
		if (x->rc != SESS_LOST || attempts >= s->retry) {
			break;
		}
		progress_break(&x->prog);
		if (!x->s->quiet) {
			warnx("%s: %s", x->what, s->errmsg);
		}
		if (xfer_sess(x, session_reconnect(s, &attempts)) != XFER_OK) {
			break;
		}
		x->resume = 1;
		x->t0 = xio_now_ms();
		x->limit_base = x->moved;
	}
	progress_end(&x->prog, r == XFER_OK);
	return r;
}

/*
 * --limit-rate: sleep until moved, the bytes moved by this run, fit the
 * rate since t0.  0, or -1 when Ctrl-C cut the sleep.
 */
static int
xfer_limit(struct xfer_state *x, uint64_t moved)
{
	int64_t	 due, now;

	if (x->o->limit == 0) {
		return intr_pending() ? -1 : 0;
	}
	due = x->t0 + (int64_t)((double)(moved - x->limit_base) *
	    1000.0 / (double)x->o->limit);
	while ((now = xio_now_ms()) < due) {
		progress_tick(&x->prog);
		if (intr_sleep((int)(due - now > XFER_TICK_MS ?
		    XFER_TICK_MS : due - now)) == -1) {
			return -1;
		}
	}
	return intr_pending() ? -1 : 0;
}

/*
 * A body's progress, both ways: done bytes of this attempt, on top of
 * the x->off it started from.  The bar, --limit-rate and Ctrl-C.
 */
static int
xfer_progress(void *arg, uint64_t done)
{
	struct xfer_state	*x = arg;

	progress_update(&x->prog, x->off + done);
	if (x->o->tick != NULL) {
		x->o->tick(x->o->tick_arg, x->moved + done);
	}
	return xfer_limit(x, x->moved + done) == -1 ? 1 : 0;
}

/* A direct sink cannot be read back: hash what goes into it. */
static int
xfer_digest(void *arg, const uint8_t *p, size_t n)
{
	struct xfer_state	*x = arg;

	if (EVP_DigestUpdate(x->md, p, n) != 1) {
		warnx("%s: SHA-256 failed", x->what);
		return -1;
	}
	return 0;
}

/*
 * How a body of this transfer moves: the stall limit counted here across
 * ticks that redraw the bar and show "stalled", Ctrl-C, and frames no
 * bigger than the server takes.
 */
static void
xfer_body_opts(struct xfer_state *x, struct body_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->frame_max = x->s->max_payload;
	o->stall_ms = SESSION_STALL_MS;
	o->tick_ms = XFER_TICK_MS;
	o->intr_fd = intr_fd();
	o->progress = xfer_progress;
	o->arg = x;
}

/*
 * Compare the local digest (of fd from its start, or given) with SUM of
 * the remote file.  ST_OK, or a status after the message.
 */
static int
xfer_verify(struct xfer_state *x, int fd, const uint8_t *given)
{
	uint8_t		 mine[DIGEST_SHA256_LEN], theirs[DIGEST_SHA256_LEN];
	char		 h1[2 * DIGEST_SHA256_LEN + 1];
	char		 h2[2 * DIGEST_SHA256_LEN + 1];
	enum sess_rc	 rc;

	if (given != NULL) {
		memcpy(mine, given, sizeof(mine));
	} else if (lseek(fd, 0, SEEK_SET) == -1 ||
	    digest_sha256_fd(fd, mine) == -1) {
		warn("%s: SHA-256 of the local file", x->what);
		return ST_FAIL;
	}
	if ((rc = remote_sum(x->s, x->rpath, theirs)) != SESS_OK) {
		return session_report(x->s, rc, x->what);
	}
	if (memcmp(mine, theirs, sizeof(mine)) != 0) {
		warnx("%s: SHA-256 mismatch: local %s, server %s", x->what,
		    digest_hex(mine, sizeof(mine), h1),
		    digest_hex(theirs, sizeof(theirs), h2));
		return ST_FAIL;
	}
	return ST_OK;
}

/* The partial file's name for local ("dir/.name.tfs-part").  0 or -1. */
static int
xfer_partname(const char *local, char *out, size_t outsz)
{
	const char	*base = path_basename(local);
	int		 n;

	n = snprintf(out, outsz, "%.*s.%s%s", (int)(base - local), local,
	    base, XFER_PART_SUFFIX);
	if (n < 0 || (size_t)n >= outsz || *base == '\0') {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* 1 when local exists and is neither a regular file nor a folder. */
static int
xfer_special(const char *local)
{
	struct stat	 st;

	return stat(local, &st) == 0 && !S_ISREG(st.st_mode) &&
	    !S_ISDIR(st.st_mode);
}

/*
 * Where GET's bytes go.  "-" and an existing device or fifo (/dev/null,
 * a tape, a pipe) take them as they come: no partial file beside them,
 * and never a rename that would put a regular file in their place.
 * Anything else gets the partial file, kept from before under -r.  0,
 * or -1 after a message (xfer_get_close still closes what is open).
 */
static int
xfer_get_open(struct xfer_state *x, const char *local)
{
	struct stat	 st;

	x->direct = strcmp(local, "-") == 0 || xfer_special(local);
	x->sink = strcmp(local, "-") == 0 ? "to stdout" : local;
	if (x->direct) {
		x->fd = STDOUT_FILENO;
		if (strcmp(local, "-") != 0 &&
		    (x->fd = open(local, O_WRONLY | O_CLOEXEC)) == -1) {
			warn("%s: %s", x->what, local);
			return -1;
		}
		if (x->o->verify && ((x->md = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(x->md, EVP_sha256(), NULL) != 1)) {
			warnx("%s: SHA-256 unavailable", x->what);
			return -1;
		}
		return 0;
	}
	if (xfer_partname(local, x->part, sizeof(x->part)) == -1) {
		warn("%s: %s", x->what, local);
		return -1;
	}
	if (x->resume && lstat(x->part, &st) == -1 && errno == ENOENT &&
	    lstat(local, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    rename(local, x->part) == -1) {
		/* sftp's reget: a shorter file of that name is a partial */
		warn("%s: %s", x->what, local);
		return -1;
	}
	x->fd = open(x->part, O_RDWR | O_CREAT | O_CLOEXEC |
	    (x->resume ? 0 : O_TRUNC), 0666);
	if (x->fd == -1) {
		warn("%s: %s", x->what, x->part);
		return -1;
	}
	if (fstat(x->fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    lseek(x->fd, 0, SEEK_END) == -1) {
		warnx("%s: %s: not a usable partial file", x->what, x->part);
		return -1;
	}
	x->off = (uint64_t)st.st_size;
	return 0;
}

/* Empty the partial file: what it holds is of no use.  0 or -1. */
static int
xfer_get_drop(struct xfer_state *x)
{
	if (ftruncate(x->fd, 0) == -1 || lseek(x->fd, 0, SEEK_SET) == -1) {
		warn("%s: truncate the partial file", x->what);
		return -1;
	}
	x->off = 0;
	return 0;
}

/*
 * GET from x->off.  A partial longer than the file is now (RANGE) is
 * emptied and the file asked from its start; a size other than an
 * earlier attempt's means another version: what is held is dropped.
 */
static enum xfer_rc
xfer_get_ask(struct xfer_state *x)
{
	struct session	*s = x->s;
	struct tfs_msg	 req = { .type = TFS_GET }, m;
	enum sess_rc	 rc;

	req.path = tfs_str_c(x->rpath);
	req.offset = x->off;
	rc = session_call(s, &req, &m, SESSION_REPLY_MS);
	if (rc == SESS_ERROR && s->err_code == TFS_ERANGE && x->off > 0 &&
	    !x->direct) {
		if (xfer_get_drop(x) == -1) {
			return XFER_LOCAL;
		}
		req.offset = 0;
		rc = session_call(s, &req, &m, SESSION_REPLY_MS);
	}
	if (rc != SESS_OK) {
		return xfer_sess(x, rc);
	}
	if (m.type != TFS_FILE) {
		return xfer_sess(x, session_proto(s, "%s in reply to GET",
		    tfs_type_name(m.type)));
	}
	if (m.offset != x->off || m.offset > m.size) {
		return xfer_sess(x, session_proto(s, "FILE at offset %llu, "
		    "asked %llu", (unsigned long long)m.offset,
		    (unsigned long long)x->off));
	}
	if (x->sized && m.size != x->size) {
		session_drop(s);
		(void)snprintf(s->errmsg, sizeof(s->errmsg),
		    "the file changed on the server during the transfer");
		if (!x->direct) {
			(void)xfer_get_drop(x);
			x->off = 0;
		}
		return xfer_sess(x, SESS_ERROR);
	}
	x->size = m.size;
	x->sized = 1;
	return XFER_OK;
}

/*
 * GET's body into the partial file or the sink; x->off follows it.  A
 * regular file takes the bytes spliced from the socket through a pipe,
 * one copy fewer.  A sink does not: a device or a pipe is some
 * consumer's, which copies the bytes anyway.  Nor does a transfer under
 * --limit-rate: it gains nothing, and splice's big reads let the
 * kernel's receive window grow until the server has sent most of the
 * file in one burst, which is what the limit is there to prevent.
 */
static enum xfer_rc
xfer_get_move(struct xfer_state *x)
{
	struct body_pipe pipe = { -1, -1 };
	struct body_opts o;
	struct body_stat bs;
	enum body_rc	 brc;
	int		 saved;

	xfer_body_opts(x, &o);
	if (x->md != NULL) {
		o.inspect = xfer_digest;
	}
	if (XFER_GET_SPLICE && !x->direct && x->o->limit == 0 &&
	    x->size - x->off >= XFER_SPLICE_MIN &&
	    body_pipe_open(&pipe) == 0) {
		o.pipe = &pipe;
	}
	brc = body_recv(&x->s->conn, x->fd, x->size - x->off, &o, &bs);
	saved = errno;
	body_pipe_close(&pipe);
	errno = saved;
	x->off += bs.done;
	x->moved += bs.done;
	if (brc == BODY_WRITE) {
		warn("%s: write %s", x->what, x->direct ? x->sink :
		    "the partial file");
		session_drop(x->s);
		return XFER_LOCAL;
	}
	return xfer_get_end(x, brc, &bs);
}

/*
 * How GET's body ended: ERROR in place of the rest, the peer's protocol
 * errors, Ctrl-C, a stall or a lost connection.
 */
static enum xfer_rc
xfer_get_end(struct xfer_state *x, enum body_rc rc,
    const struct body_stat *bs)
{
	struct session	*s = x->s;
	struct tfs_msg	 m;

	switch (rc) {
	case BODY_OK:
		return XFER_OK;
	case BODY_OTHER:
		if (proto_decode(bs->frame.type, bs->frame.payload,
		    bs->frame.len, &m) == PROTO_OK && m.type == TFS_ERROR) {
			return xfer_sess(x, session_error(s, &m));
		}
		return xfer_sess(x, session_proto(s, "%s during GET",
		    tfs_type_name(bs->frame.type)));
	case BODY_PROTO:
		return xfer_sess(x, session_proto(s, "%s", bs->why));
	case BODY_EOF:
		return xfer_sess(x, session_lost(s, 0));
	default:
		if (errno == ECANCELED) {
			return xfer_sess(x, session_intr(s));
		}
		return xfer_sess(x, session_lost(s, errno));
	}
}

/*
 * Everything arrived: check it when asked, then put the partial file in
 * place.  A partial file known to be wrong is worth nothing: removed.
 */
static int
xfer_get_keep(struct xfer_state *x, const char *local)
{
	uint8_t		 md[DIGEST_SHA256_LEN];
	unsigned int	 mdlen;
	int		 st;

	if (x->direct) {
		if (!x->o->verify) {
			return ST_OK;
		}
		if (EVP_DigestFinal_ex(x->md, md, &mdlen) != 1) {
			warnx("%s: SHA-256 failed", x->what);
			return ST_FAIL;
		}
		return xfer_verify(x, -1, md);
	}
	if (x->o->verify && (st = xfer_verify(x, x->fd, NULL)) != ST_OK) {
		(void)unlink(x->part);
		if (st == ST_FAIL) {
			warnx("%s: download discarded", x->what);
		}
		return st;
	}
	st = close(x->fd);
	x->fd = -1;
	if (st == -1) {
		warn("%s: %s", x->what, x->part);
		return ST_FAIL;
	}
	if (rename(x->part, local) == -1) {
		warn("%s: rename %s to %s", x->what, x->part, local);
		return ST_FAIL;
	}
	return ST_OK;
}

/* A failed download: one line says both what broke and what is left. */
static int
xfer_get_failed(struct xfer_state *x)
{
	if (x->direct || x->off == 0 || x->s->quiet) {
		return session_report(x->s, x->rc, x->what);
	}
	warnx("%s: %s; partial download kept in %s (get -r resumes)",
	    x->what, x->s->errmsg, x->part);
	return exitcode_from_sess(x->rc);
}

/*
 * Close what xfer_get_open opened; st is the outcome so far, returned
 * unless closing a device fails it.  A partial file that got nothing and
 * held nothing is litter: removed.
 */
static int
xfer_get_close(struct xfer_state *x, const char *local, int st)
{
	if (!x->direct && x->fd != -1) {
		if (x->off == 0 && st != ST_OK) {
			(void)unlink(x->part);
		}
		close(x->fd);
	} else if (x->direct && x->fd != -1 && strcmp(local, "-") != 0 &&
	    close(x->fd) == -1 && st == ST_OK) {
		warn("%s: %s", x->what, local);
		st = ST_FAIL;
	}
	if (x->md != NULL) {
		EVP_MD_CTX_free(x->md);
	}
	return st;
}

int
xfer_get(struct session *s, const struct xfer_opts *o, const char *what,
    const char *rpath, const char *local, uint64_t *moved)
{
	struct xfer_state	 x;
	enum xfer_rc		 r;
	int			 st = ST_FAIL;

	xfer_init(&x, s, o, what, rpath);
	if (xfer_get_open(&x, local) == 0) {
		r = xfer_drive(&x, &xfer_get_way);
		if (r == XFER_OK) {
			st = xfer_get_keep(&x, local);
		} else if (r == XFER_FAILED) {
			st = xfer_get_failed(&x);
		}
	}
	*moved = x.moved;
	return xfer_get_close(&x, local, st);
}

/*
 * PUT of x->size bytes.  RESUME when going on from what is in place;
 * READY says where the server wants the bytes from.
 */
static enum xfer_rc
xfer_put_ask(struct xfer_state *x)
{
	struct session	*s = x->s;
	struct tfs_msg	 req = { .type = TFS_PUT }, m;
	enum sess_rc	 rc;

	req.path = tfs_str_c(x->rpath);
	req.size = x->size;
	req.flags = (x->resume ? TFS_PUT_RESUME : 0) |
	    (x->o->noclobber ? TFS_PUT_NOCLOBBER : 0);
	if ((rc = session_call(s, &req, &m, SESSION_REPLY_MS)) != SESS_OK) {
		return xfer_sess(x, rc);
	}
	if (m.type != TFS_READY) {
		return xfer_sess(x, session_proto(s, "%s in reply to PUT",
		    tfs_type_name(m.type)));
	}
	if (m.offset > x->size) {
		return xfer_sess(x, session_proto(s, "READY at %llu of %llu "
		    "bytes", (unsigned long long)m.offset,
		    (unsigned long long)x->size));
	}
	x->off = m.offset;
	return XFER_OK;
}

/* PUT's body from x->off, then the server's OK. */
static enum xfer_rc
xfer_put_move(struct xfer_state *x)
{
	struct session	*s = x->s;
	struct tfs_msg	 m;
	struct body_opts o;
	struct body_stat bs;
	enum body_rc	 brc;
	int		 save;

	xfer_body_opts(x, &o);
	o.how = XFER_PUT_HOW;
	brc = body_send(&s->conn, x->fd, x->off, x->size - x->off, &o, &bs);
	x->moved += bs.done;
	if (brc == BODY_OK && conn_flush(&s->conn) == -1) {
		brc = BODY_BROKEN;
	}
	if (brc == BODY_SHORT || (brc == BODY_BROKEN && errno == EIO)) {
		warnx("%s: the local file shrank while it was sent",
		    x->what);
		session_drop(s);
		return XFER_LOCAL;
	}
	if (brc != BODY_OK) {
		if ((save = errno) == ECANCELED) {
			return xfer_sess(x, session_intr(s));
		}
		/* the server may have said why before it stopped reading */
		if (session_recv(s, &m, 1000) == SESS_OK &&
		    m.type == TFS_ERROR) {
			return xfer_sess(x, session_error(s, &m));
		}
		return xfer_sess(x, session_lost(s, save));
	}
	x->off = x->size;
	return xfer_put_acked(x);
}

/* The server fsyncs and renames before its OK: allow it time. */
static enum xfer_rc
xfer_put_acked(struct xfer_state *x)
{
	struct session	*s = x->s;
	struct tfs_msg	 m;
	enum sess_rc	 rc;
	int		 waited = 0;

	while ((rc = session_recv(s, &m, XFER_TICK_MS)) == SESS_AGAIN) {
		if (intr_pending()) {
			return xfer_sess(x, session_intr(s));
		}
		if ((waited += XFER_TICK_MS) >= XFER_DONE_MS) {
			return xfer_sess(x, session_lost(s, ETIMEDOUT));
		}
	}
	if (rc != SESS_OK) {
		return xfer_sess(x, rc);
	}
	if (m.type == TFS_ERROR) {
		return xfer_sess(x, session_error(s, &m));
	}
	if (m.type != TFS_OK) {
		return xfer_sess(x, session_proto(s, "%s after the upload",
		    tfs_type_name(m.type)));
	}
	return XFER_OK;
}

/*
 * PUT announces its size, so stdin goes to an unlinked temporary file
 * first.  The fd, or -1 after a message.
 */
static int
xfer_spool_stdin(const char *what)
{
	char		 path[PATH_MAX], buf[65536];
	const char	*dir;
	ssize_t		 n;
	int		 fd;

	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0') {
		dir = "/tmp";
	}
	if (snprintf(path, sizeof(path), "%s/tfs-stdin.XXXXXX", dir) >=
	    (int)sizeof(path)) {
		warnx("%s: TMPDIR too long", what);
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1) {
		warn("%s: %s", what, path);
		return -1;
	}
	(void)unlink(path);
	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n == 0) {
			break;
		}
		if (n == -1) {
			if (errno == EINTR && !intr_pending()) {
				continue;
			}
			warn("%s: read stdin", what);
			goto out_close;
		}
		if (xio_write_full(fd, buf, (size_t)n, -1) == -1) {
			warn("%s: spool stdin", what);
			goto out_close;
		}
	}
	if (lseek(fd, 0, SEEK_SET) == -1) {
		warn("%s: spool stdin", what);
		goto out_close;
	}
	return fd;
out_close:
	close(fd);
	return -1;
}

/*
 * The regular file local ("-": stdin, spooled) to upload, its size in
 * x->size.  The fd, or -1 after a message.
 */
static int
xfer_put_open(struct xfer_state *x, const char *local)
{
	struct stat	 st;
	int		 fd;

	if (strcmp(local, "-") == 0) {
		if ((fd = xfer_spool_stdin(x->what)) == -1) {
			return -1;
		}
	} else if ((fd = open(local, O_RDONLY | O_CLOEXEC)) == -1) {
		warn("%s: %s", x->what, local);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		warn("%s: %s", x->what, local);
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		warnx("%s: %s: not a regular file", x->what, local);
		goto out_close;
	}
	x->size = (uint64_t)st.st_size;
	return fd;
out_close:
	close(fd);
	return -1;
}

int
xfer_put(struct session *s, const struct xfer_opts *o, const char *what,
    const char *local, const char *rpath, uint64_t *moved)
{
	struct xfer_state	 x;
	enum xfer_rc		 r;
	int			 st = ST_FAIL;

	*moved = 0;
	xfer_init(&x, s, o, what, rpath);
	if ((x.fd = xfer_put_open(&x, local)) == -1) {
		return ST_FAIL;
	}
	r = xfer_drive(&x, &xfer_put_way);
	*moved = x.moved;
	if (r == XFER_OK) {
		st = o->verify ? xfer_verify(&x, x.fd, NULL) : ST_OK;
	} else if (r == XFER_FAILED) {
		st = session_report(s, x.rc, what);
	}
	close(x.fd);
	return st;
}
