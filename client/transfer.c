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
 * This file never calls readline and never writes to stdout except the
 * bytes of "get REMOTE -".
 */

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
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
#include "transfer.h"
#include "xio.h"

#define XFER_TICK_MS	250		/* redraw / Ctrl-C check while idle */
#define XFER_LOCAL	100		/* a local failure, already reported */
#define XFER_DONE_MS	(10 * 60 * 1000)  /* wait for PUT's OK (fsync) */
#define XFER_BUSY_TRIES	10		/* put -r meeting its own old upload */
#define XFER_BUSY_MS	300

/* What a GET or PUT in progress needs across its attempts. */
struct xfer_state {
	struct session		*s;
	const struct xfer_opts	*o;
	const char		*what;
	struct progress		 prog;
	uint64_t		 size;		/* announced size */
	uint64_t		 off;		/* bytes in place */
	uint64_t		 moved;		/* bytes moved by this run */
	int			 sized;		/* size known from an attempt */
	int64_t			 t0;		/* for --limit-rate */
	uint64_t		 limit_base;
	EVP_MD_CTX		*md;		/* digest of a direct sink */
	const char		*sink;		/* its name, for messages */
};

static enum sess_rc	xfer_get_once(struct xfer_state *, const char *, int,
			    int);
static enum sess_rc	xfer_put_once(struct xfer_state *, const char *, int,
			    uint8_t);
static int		xfer_progress(void *, uint64_t);
static int		xfer_digest(void *, const uint8_t *, size_t);
static void		xfer_body_opts(struct xfer_state *, struct body_opts *);
static enum sess_rc	xfer_body_failed(struct xfer_state *, enum body_rc,
			    const struct body_stat *, const char *);
static int		xfer_limit(struct xfer_state *, uint64_t);
static int		xfer_spool_stdin(const char *);
static int		xfer_special(const char *);
static int		xfer_verify(struct xfer_state *, const char *, int,
			    const uint8_t *);

int
xfer_report(struct session *s, enum sess_rc rc, const char *what)
{
	if (rc == SESS_OK) {
		return ST_OK;
	}
	if (rc == SESS_AGAIN) {
		rc = session_lost(s, ETIMEDOUT);
	}
	warnx("%s: %s", what, s->errmsg);
	return exitcode_from_sess(rc);
}

int
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

enum sess_rc
xfer_sum(struct session *s, const char *rpath,
    uint8_t out[DIGEST_SHA256_LEN])
{
	struct tfs_msg	 req = { .type = TFS_SUM }, rep;
	enum sess_rc	 rc;

	req.path = tfs_str_c(rpath);
	/* hashing a big file takes the server a while: no reply timeout */
	if ((rc = session_call(s, &req, &rep, -1)) != SESS_OK) {
		return rc;
	}
	if (rep.type != TFS_DIGEST) {
		return session_proto(s, "%s in reply to SUM",
		    tfs_type_name(rep.type));
	}
	if (rep.algo.len != 6 || memcmp(rep.algo.p, "sha256", 6) != 0 ||
	    rep.digest.len != DIGEST_SHA256_LEN) {
		return session_proto(s, "DIGEST is not a SHA-256");
	}
	memcpy(out, rep.digest.p, DIGEST_SHA256_LEN);
	return SESS_OK;
}

/*
 * Compare the local digest (of fd from its start, or given) with SUM of
 * rpath.  ST_OK, or a status after the message.
 */
static int
xfer_verify(struct xfer_state *x, const char *rpath, int fd,
    const uint8_t *given)
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
	if ((rc = xfer_sum(x->s, rpath, theirs)) != SESS_OK) {
		return xfer_report(x->s, rc, x->what);
	}
	if (memcmp(mine, theirs, sizeof(mine)) != 0) {
		warnx("%s: SHA-256 mismatch: local %s, server %s", x->what,
		    digest_hex(mine, sizeof(mine), h1),
		    digest_hex(theirs, sizeof(theirs), h2));
		return ST_FAIL;
	}
	return ST_OK;
}

/*
 * One GET attempt from x->off.  The partial fd (or a direct sink: stdout,
 * a device) grows as DATA arrives; x->off follows it, so a retry resumes
 * where this one broke.
 */
static enum sess_rc
xfer_get_once(struct xfer_state *x, const char *rpath, int fd, int direct)
{
	struct session	*s = x->s;
	struct tfs_msg	 req = { .type = TFS_GET }, m;
	struct body_opts o;
	struct body_stat bs;
	enum sess_rc	 rc;
	enum body_rc	 brc;
	uint64_t	 want;

	req.path = tfs_str_c(rpath);
	req.offset = x->off;
	rc = session_call(s, &req, &m, SESSION_REPLY_MS);
	if (rc == SESS_ERROR && s->err_code == TFS_ERANGE && x->off > 0 &&
	    !direct) {
		/* the partial is longer than the file now: start over */
		if (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == -1) {
			warn("%s: truncate the partial file", x->what);
			return XFER_LOCAL;
		}
		x->off = 0;
		req.offset = 0;
		rc = session_call(s, &req, &m, SESSION_REPLY_MS);
	}
	if (rc != SESS_OK) {
		return rc;
	}
	if (m.type != TFS_FILE) {
		return session_proto(s, "%s in reply to GET",
		    tfs_type_name(m.type));
	}
	if (m.offset != x->off || m.offset > m.size) {
		return session_proto(s, "FILE at offset %llu, asked %llu",
		    (unsigned long long)m.offset,
		    (unsigned long long)x->off);
	}
	if (x->sized && m.size != x->size) {
		session_drop(s);
		(void)snprintf(s->errmsg, sizeof(s->errmsg),
		    "the file changed on the server during the transfer");
		/* what we hold belongs to another version: drop it */
		if (!direct) {
			if (ftruncate(fd, 0) == -1) {
				warn("%s: truncate the partial file", x->what);
			}
			x->off = 0;
		}
		return SESS_ERROR;
	}
	x->size = m.size;
	x->sized = 1;
	want = m.size - m.offset;
	progress_start(&x->prog, path_basename(rpath), x->off, x->size);

	xfer_body_opts(x, &o);
	if (x->md != NULL) {
		o.inspect = xfer_digest;
	}
	brc = body_recv(&s->conn, fd, want, &o, &bs);
	x->off += bs.done;
	x->moved += bs.done;
	if (brc == BODY_WRITE) {
		warn("%s: write %s", x->what, direct ? x->sink :
		    "the partial file");
		session_drop(s);
		return XFER_LOCAL;
	}
	return xfer_body_failed(x, brc, &bs, "GET");
}

/*
 * A body's outcome as a session result: ERROR in place of the rest, the
 * peer's protocol errors, Ctrl-C, a stall or a lost connection.
 */
static enum sess_rc
xfer_body_failed(struct xfer_state *x, enum body_rc rc,
    const struct body_stat *bs, const char *op)
{
	struct session	*s = x->s;
	struct tfs_msg	 m;

	switch (rc) {
	case BODY_OK:
		return SESS_OK;
	case BODY_OTHER:
		if (proto_decode(bs->frame.type, bs->frame.payload,
		    bs->frame.len, &m) == PROTO_OK && m.type == TFS_ERROR) {
			return session_error(s, &m);
		}
		return session_proto(s, "%s during %s",
		    tfs_type_name(bs->frame.type), op);
	case BODY_PROTO:
		return session_proto(s, "%s", bs->why);
	case BODY_EOF:
		return session_lost(s, 0);
	default:
		if (errno == ECANCELED) {
			(void)snprintf(s->errmsg, sizeof(s->errmsg),
			    "interrupted");
			session_drop(s);
			return SESS_INTR;
		}
		return session_lost(s, errno);
	}
}

int
xfer_get(struct session *s, const struct xfer_opts *o, const char *what,
    const char *rpath, const char *local, uint64_t *moved)
{
	struct xfer_state	 x;
	char			 part[4096], tmp[8];
	uint8_t			 md[DIGEST_SHA256_LEN];
	struct stat		 st;
	enum sess_rc		 rc;
	int			 fd, direct, attempts = 0, st_out = ST_FAIL;
	int			 ownfd = -1;
	unsigned int		 mdlen;

	memset(&x, 0, sizeof(x));
	x.s = s;
	x.o = o;
	x.what = what;
	/*
	 * "-" and an existing device or fifo (/dev/null, a tape, a pipe)
	 * take the bytes as they come: no partial file beside them, and
	 * never a rename that would put a regular file in their place.
	 */
	direct = strcmp(local, "-") == 0 || xfer_special(local);
	x.sink = strcmp(local, "-") == 0 ? "to stdout" : local;
	*moved = 0;
	if (direct) {
		fd = STDOUT_FILENO;
		if (strcmp(local, "-") != 0 &&
		    (fd = ownfd = open(local, O_WRONLY | O_CLOEXEC)) == -1) {
			warn("%s: %s", what, local);
			return ST_FAIL;
		}
		if (o->verify && ((x.md = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(x.md, EVP_sha256(), NULL) != 1)) {
			warnx("%s: SHA-256 unavailable", what);
			goto out;
		}
	} else {
		if (xfer_partname(local, part, sizeof(part)) == -1) {
			warn("%s: %s", what, local);
			return ST_FAIL;
		}
		fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC |
		    (o->resume ? 0 : O_TRUNC), 0666);
		if (fd == -1) {
			warn("%s: %s", what, part);
			return ST_FAIL;
		}
		if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
		    lseek(fd, 0, SEEK_END) == -1) {
			warnx("%s: %s: not a usable partial file", what, part);
			goto out_close;
		}
		x.off = (uint64_t)st.st_size;
		if (x.off > 0 && !o->quiet) {
			fprintf(stderr, "tfs: %s: resuming at %s (%llu "
			    "bytes)\n", what, progress_bytes(tmp, sizeof(tmp),
			    x.off), (unsigned long long)x.off);
		}
	}
	x.t0 = xio_now_ms();
	for (;;) {
		rc = xfer_get_once(&x, rpath, fd, direct);
		if (rc == SESS_OK || (int)rc == XFER_LOCAL) {
			break;
		}
		if (rc != SESS_LOST || attempts >= s->retry) {
			break;
		}
		progress_break(&x.prog);
		if (!o->quiet) {
			warnx("%s: %s", what, s->errmsg);
		}
		rc = session_reconnect(s, &attempts);
		if (rc != SESS_OK) {
			break;
		}
		if (!o->quiet && x.off > 0) {
			fprintf(stderr, "tfs: %s: resuming at %s (%llu "
			    "bytes)\n", what, progress_bytes(tmp, sizeof(tmp),
			    x.off), (unsigned long long)x.off);
		}
		x.t0 = xio_now_ms();
		x.limit_base = x.moved;
	}
	*moved = x.moved;
	if (rc != SESS_OK) {
		progress_end(&x.prog, 0);
		if ((int)rc == XFER_LOCAL) {
			goto out_close;
		}
		if (rc == SESS_AGAIN) {
			rc = session_lost(s, ETIMEDOUT);
		}
		st_out = exitcode_from_sess(rc);
		/* one line says both what broke and what is left */
		if (!direct && x.off > 0 && !o->quiet) {
			warnx("%s: %s; partial download kept in %s (get -r "
			    "resumes)", what, s->errmsg, part);
		} else {
			warnx("%s: %s", what, s->errmsg);
		}
		goto out_close;
	}
	progress_end(&x.prog, 1);
	if (o->verify) {
		if (direct) {
			if (EVP_DigestFinal_ex(x.md, md, &mdlen) != 1) {
				warnx("%s: SHA-256 failed", what);
				goto out;
			}
			st_out = xfer_verify(&x, rpath, -1, md);
			if (st_out != ST_OK) {
				goto out;
			}
		} else if ((st_out = xfer_verify(&x, rpath, fd, NULL)) !=
		    ST_OK) {
			/* a partial known to be wrong is worth nothing */
			(void)unlink(part);
			if (st_out == ST_FAIL) {
				warnx("%s: download discarded", what);
			}
			goto out_close;
		}
	}
	if (direct) {
		st_out = ST_OK;
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		warn("%s: %s", what, part);
		st_out = ST_FAIL;
		goto out;
	}
	fd = -1;
	if (rename(part, local) == -1) {
		warn("%s: rename %s to %s", what, part, local);
		st_out = ST_FAIL;
		goto out;
	}
	st_out = ST_OK;
out_close:
	if (!direct && fd != -1) {
		/* nothing came and nothing was there: leave no litter */
		if (x.off == 0 && st_out != ST_OK) {
			(void)unlink(part);
		}
		close(fd);
	}
out:
	if (ownfd != -1 && close(ownfd) == -1 && st_out == ST_OK) {
		warn("%s: %s", what, local);
		st_out = ST_FAIL;
	}
	if (x.md != NULL) {
		EVP_MD_CTX_free(x.md);
	}
	return st_out;
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
 * A body's progress, both ways: done bytes of this attempt, on top of
 * the x->off it started from.  The bar, --limit-rate and Ctrl-C.
 */
static int
xfer_progress(void *arg, uint64_t done)
{
	struct xfer_state	*x = arg;

	progress_update(&x->prog, x->off + done);
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
 * One PUT attempt.  flags may ask RESUME; READY says where to start.
 */
static enum sess_rc
xfer_put_once(struct xfer_state *x, const char *rpath, int fd, uint8_t flags)
{
	struct session	*s = x->s;
	struct tfs_msg	 req = { .type = TFS_PUT }, m;
	struct body_opts o;
	struct body_stat bs;
	enum sess_rc	 rc;
	enum body_rc	 brc;
	int		 save, waited = 0;
	char		 tmp[8];

	req.path = tfs_str_c(rpath);
	req.size = x->size;
	req.flags = flags;
	if ((rc = session_call(s, &req, &m, SESSION_REPLY_MS)) != SESS_OK) {
		return rc;
	}
	if (m.type != TFS_READY) {
		return session_proto(s, "%s in reply to PUT",
		    tfs_type_name(m.type));
	}
	if (m.offset > x->size) {
		return session_proto(s, "READY at %llu of %llu bytes",
		    (unsigned long long)m.offset,
		    (unsigned long long)x->size);
	}
	if (m.offset > 0 && !x->o->quiet && m.offset != x->off) {
		fprintf(stderr, "tfs: %s: resuming at %s (%llu bytes)\n",
		    x->what, progress_bytes(tmp, sizeof(tmp), m.offset),
		    (unsigned long long)m.offset);
	}
	x->off = m.offset;
	progress_start(&x->prog, path_basename(rpath), x->off, x->size);

	xfer_body_opts(x, &o);
	o.how = BODY_MAP;
	brc = body_send(&s->conn, fd, x->off, x->size - x->off, &o, &bs);
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
		save = errno;
		if (save == ECANCELED) {
			(void)snprintf(s->errmsg, sizeof(s->errmsg),
			    "interrupted");
			session_drop(s);
			return SESS_INTR;
		}
		/* the server may have said why before it stopped reading */
		if (session_recv(s, &m, 1000) == SESS_OK &&
		    m.type == TFS_ERROR) {
			return session_error(s, &m);
		}
		return session_lost(s, save);
	}
	x->off = x->size;
	/* the server fsyncs and renames before OK: allow it time */
	for (;;) {
		rc = session_recv(s, &m, XFER_TICK_MS);
		if (rc != SESS_AGAIN) {
			break;
		}
		waited += XFER_TICK_MS;
		if (intr_pending() || waited >= XFER_DONE_MS) {
			break;
		}
	}
	if (rc == SESS_AGAIN) {
		if (intr_pending()) {
			(void)snprintf(s->errmsg, sizeof(s->errmsg),
			    "interrupted");
			session_drop(s);
			return SESS_INTR;
		}
		return session_lost(s, ETIMEDOUT);
	}
	if (rc != SESS_OK) {
		return rc;
	}
	if (m.type == TFS_ERROR) {
		return session_error(s, &m);
	}
	if (m.type != TFS_OK) {
		return session_proto(s, "%s after the upload",
		    tfs_type_name(m.type));
	}
	return SESS_OK;
}

/*
 * PUT announces its size, so stdin goes to an unlinked temporary file
 * first.  The fd, or -1 after a message.
 */
static int
xfer_spool_stdin(const char *what)
{
	char		 path[4096], buf[65536];
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

int
xfer_put(struct session *s, const struct xfer_opts *o, const char *what,
    const char *local, const char *rpath, uint64_t *moved)
{
	struct xfer_state	 x;
	struct stat		 st;
	enum sess_rc		 rc;
	uint8_t			 flags = 0;
	int			 fd, attempts = 0, busy = 0, st_out = ST_FAIL;

	memset(&x, 0, sizeof(x));
	x.s = s;
	x.o = o;
	x.what = what;
	*moved = 0;
	if (strcmp(local, "-") == 0) {
		if ((fd = xfer_spool_stdin(what)) == -1) {
			return ST_FAIL;
		}
	} else if ((fd = open(local, O_RDONLY | O_CLOEXEC)) == -1) {
		warn("%s: %s", what, local);
		return ST_FAIL;
	}
	if (fstat(fd, &st) == -1) {
		warn("%s: %s", what, local);
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		warnx("%s: %s: not a regular file", what, local);
		goto out_close;
	}
	x.size = (uint64_t)st.st_size;
	if (o->resume) {
		flags |= TFS_PUT_RESUME;
	}
	if (o->noclobber) {
		flags |= TFS_PUT_NOCLOBBER;
	}
	x.t0 = xio_now_ms();
	for (;;) {
		rc = xfer_put_once(&x, rpath, fd, flags);
		if (rc == SESS_OK || (int)rc == XFER_LOCAL) {
			break;
		}
		if (rc == SESS_ERROR && s->err_code == TFS_EBUSY &&
		    (flags & TFS_PUT_RESUME) && busy++ < XFER_BUSY_TRIES &&
		    intr_sleep(XFER_BUSY_MS) == 0) {
			/*
			 * Resuming right after a cut, the "other upload" is
			 * most likely our own, which the server has not yet
			 * seen end: give it a moment.
			 */
			continue;
		}
		if (rc != SESS_LOST || attempts >= s->retry) {
			break;
		}
		progress_break(&x.prog);
		if (!o->quiet) {
			warnx("%s: %s", what, s->errmsg);
		}
		if ((rc = session_reconnect(s, &attempts)) != SESS_OK) {
			break;
		}
		/* the server kept what it had: continue from there */
		flags |= TFS_PUT_RESUME;
		x.t0 = xio_now_ms();
		x.limit_base = x.moved;
	}
	*moved = x.moved;
	if (rc != SESS_OK) {
		progress_end(&x.prog, 0);
		if ((int)rc != XFER_LOCAL) {
			st_out = xfer_report(s, rc, what);
		}
		goto out_close;
	}
	progress_end(&x.prog, 1);
	st_out = o->verify ? xfer_verify(&x, rpath, fd, NULL) : ST_OK;
out_close:
	close(fd);
	return st_out;
}
