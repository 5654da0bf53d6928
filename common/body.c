/*
 * body.c -- file bodies on the wire: DATA frames from a descriptor, or
 * into one, then END.
 *
 * Sending picks how each frame leaves by its size.  A small frame is
 * read into the connection's write buffer behind whatever is queued,
 * so that a small GET's FILE, DATA and END go out in one write.  A big
 * one goes as the caller asks: its header (with what was queued, held
 * back with MSG_MORE) then sendfile, so the file's bytes are copied
 * once, from the page cache into the socket; or from a mapping of the
 * file in one sendmsg; or read in BODY_PIECE pieces into a scratch
 * buffer that lasts as long as the connection, and written.  Where
 * sendfile cannot read a file the frame goes on by reading.  Which is
 * fastest depends on where the copies land in the cache: both programs
 * measured it (docs/performance.md) and chose reading.
 *
 * Receiving reads each frame's header first.  A DATA payload is spliced
 * from the socket through a pipe into the file when the caller has a
 * pipe (one copy fewer: the bytes never enter user space), else it
 * passes piece by piece through the read buffer.
 *
 * A minimum rate (body_opts) is judged over the whole transfer, as
 * bytes move: after each frame, and between the pieces a big frame is
 * then sent or received in, so a peer that takes or gives a byte now
 * and then is cut at the end of the window it spoils.  Inside a frame
 * being received the connection judges it too (conn_set_min_rate()).
 *
 * All checks of a body's framing (sizes, END counts, empty DATA) live
 * here, for both programs.  Never knows what a request is.
 */

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "body.h"
#include "xio.h"

/*
 * Frames below this are read into the write buffer behind what is
 * queued, so that they leave with it and with END in one write: they
 * must fit conn.c's 64 KiB with them.  The constants below are
 * measured choices (docs/performance.md); a build may set others with
 * -D to measure again.
 */
#ifndef BODY_SMALL
#define BODY_SMALL	(60 * 1024)
#endif
/* Hold a frame header back with TCP_CORK (1) rather than MSG_MORE (0). */
#ifndef BODY_CORK
#define BODY_CORK	0
#endif
/* The receiving pipe's size: a whole frame, so one splice moves it. */
#ifndef BODY_PIPE_SIZE
#define BODY_PIPE_SIZE	FRAME_MAX
#endif
/* A big DATA frame from a file is read and written this much at a time. */
#ifndef BODY_PIECE
#define BODY_PIECE	(256 * 1024)
#endif
/* Mappings start on a page; 4 KiB divides every page size in use. */
#define BODY_PAGE	4096
/* Scratch for dropping what a failed splice left in the pipe. */
#define BODY_SCRATCH	4096

/* The window of a transfer's minimum rate. */
struct body_rate {
	const struct body_opts	*o;
	struct conn		*c;
	int64_t			 since;		/* when it began */
	uint64_t		 base;		/* bytes moved then */
};

/* One DATA payload on its way from the socket into a file. */
struct body_in {
	int		 fd;		/* -1: dropped */
	uint32_t	 flen;
	size_t		 left;		/* still to take off the wire */
	size_t		 written;	/* into fd so far */
	int		 werr;		/* errno of a failed write, or 0 */
};

/* What a receive is doing across waits: for ticks and the stall limit. */
struct body_rx {
	struct conn		*c;
	const struct body_opts	*o;
	struct body_stat	*st;
	struct conn_wait	 w;
	struct body_rate	 rate;
	uint64_t		 seen;		/* c->bytes_in at the last byte */
	int64_t			 last;		/* when it moved */
};

static void	body_rate_start(struct body_rate *, struct conn *,
		    const struct body_opts *);
static int	body_rate_judge(struct body_rate *);
static int	body_queue_small(struct conn *, int, uint64_t, size_t);
static int	body_send_pieces(struct conn *, int, uint64_t, size_t, int,
		    struct body_rate *);
static int	body_send_mapped(struct conn *, int, uint64_t, size_t);
static int	body_send_file(struct conn *, int, uint64_t, size_t,
		    struct body_rate *);
static int	body_send_frame(struct conn *, int, uint64_t, size_t,
		    const struct body_opts *, struct body_rate *);
static int	body_shrunk(int, uint64_t);
static int	body_progress(const struct body_opts *, uint64_t);
static int	body_waited(struct body_rx *);
static enum body_rc body_take(struct conn *, int, uint64_t,
		    const struct body_opts *, struct body_stat *);
static int	body_take_frame(struct body_rx *, int, uint64_t,
		    enum body_rc *);
static void	body_put(struct body_rx *, struct body_in *, const uint8_t *,
		    size_t);
static enum body_rc body_in_splice(struct body_rx *, struct body_in *);
static enum body_rc body_in_pieces(struct body_rx *, struct body_in *);
static enum body_rc body_stream(struct body_rx *, int, uint32_t);
static void	body_pipe_empty(const struct body_pipe *);
static int	body_pipe_unload(const struct body_pipe *, int);
static enum body_rc body_data_rule(struct body_stat *, uint32_t, uint64_t);
static enum body_rc body_end(const struct conn_frame *, uint64_t, uint64_t,
		    struct body_stat *);
static enum body_rc body_proto(struct body_stat *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

int
body_pipe_open(struct body_pipe *p)
{
	int	 fds[2];

	p->rd = p->wr = -1;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == -1) {
		return -1;
	}
	/* a whole frame at once; a smaller pipe only means more splices */
	(void)fcntl(fds[1], F_SETPIPE_SZ, (int)BODY_PIPE_SIZE);
	p->rd = fds[0];
	p->wr = fds[1];
	return 0;
}

void
body_pipe_close(struct body_pipe *p)
{
	if (p->rd != -1) {
		close(p->rd);
	}
	if (p->wr != -1) {
		close(p->wr);
	}
	p->rd = p->wr = -1;
}

/* The first window of a transfer begins now. */
static void
body_rate_start(struct body_rate *rt, struct conn *c,
    const struct body_opts *o)
{
	rt->o = o;
	rt->c = c;
	rt->since = xio_now_ms();
	rt->base = c->bytes_in + c->bytes_out;
}

/*
 * Bytes moved: once a window of stall_ms has passed, it must have moved
 * min_rate bytes a second, else ETIMEDOUT; then the next one begins.
 * 0 or -1.
 */
static int
body_rate_judge(struct body_rate *rt)
{
	const struct body_opts	*o = rt->o;
	uint64_t		 now_bytes;
	int64_t			 now, spent;

	if (o->min_rate == 0 || o->stall_ms <= 0) {
		return 0;
	}
	now = xio_now_ms();
	if ((spent = now - rt->since) < o->stall_ms) {
		return 0;
	}
	now_bytes = rt->c->bytes_in + rt->c->bytes_out;
	if ((now_bytes - rt->base) * 1000 <
	    (uint64_t)o->min_rate * (uint64_t)spent) {
		errno = ETIMEDOUT;
		return -1;
	}
	rt->since = now;
	rt->base = now_bytes;
	return 0;
}

/* Tell the caller; ECANCELED when it says stop. */
static int
body_progress(const struct body_opts *o, uint64_t done)
{
	if (o->progress != NULL && o->progress(o->arg, done) != 0) {
		errno = ECANCELED;
		return -1;
	}
	return 0;
}

/* 1 when fd no longer holds bytes up to end (it shrank under us). */
static int
body_shrunk(int fd, uint64_t end)
{
	struct stat	 st;

	return fstat(fd, &st) == -1 || (uint64_t)st.st_size < end;
}

/*
 * Queue one small DATA frame read from fd at off behind what is queued.
 * Returns 0; 1 when the file gave fewer bytes or could not be read
 * (nothing queued); -1 when the connection failed.
 */
static int
body_queue_small(struct conn *c, int fd, uint64_t off, size_t len)
{
	uint8_t	*p;
	ssize_t	 n;

	if ((p = conn_queue_space(c, len)) == NULL) {
		return -1;
	}
	n = xio_pread_full(fd, p, len, off);
	if (n == -1 || (size_t)n != len) {
		return 1;
	}
	conn_queue_commit(c, TFS_DATA, len);
	return 0;
}

/*
 * One big DATA frame from fd at off, read piece by piece (BODY_PIECE
 * bytes) into the connection's scratch and written; the header, unless
 * already sent, and what was queued go with the first piece.  The rate
 * is judged between pieces.  Returns 0; 1 when the first piece cannot
 * be read and nothing of the frame was sent; -1 with errno otherwise,
 * EIO for a read failing once the header is out.
 */
static int
body_send_pieces(struct conn *c, int fd, uint64_t off, size_t len,
    int header, struct body_rate *rt)
{
	uint8_t		 hdr[FRAME_HDR_LEN], *buf;
	struct iovec	 iov[2];
	size_t		 done = 0, piece;
	ssize_t		 n;
	int		 cnt;

	if ((buf = conn_scratch(c, BODY_PIECE)) == NULL) {
		return -1;
	}
	frame_header_encode(hdr, TFS_DATA, (uint32_t)len);
	while (done < len) {
		piece = len - done > BODY_PIECE ? BODY_PIECE : len - done;
		n = xio_pread_full(fd, buf, piece, off + done);
		if (n == -1 || (size_t)n != piece) {
			if (done == 0 && header) {
				return 1;
			}
			errno = EIO;
			return -1;
		}
		cnt = 0;
		if (done == 0 && header) {
			iov[cnt].iov_base = hdr;
			iov[cnt++].iov_len = sizeof(hdr);
		}
		iov[cnt].iov_base = buf;
		iov[cnt++].iov_len = piece;
		if (conn_send_iov(c, iov, cnt, 0) == -1) {
			return -1;
		}
		done += piece;
		if (done < len && body_rate_judge(rt) == -1) {
			return -1;
		}
	}
	return 0;
}

/*
 * One big DATA frame from a mapping of fd, header and bytes in one
 * sendmsg: the kernel copies the page cache into the socket once, where
 * body_send_pieces copies it twice.  Only the kernel touches the
 * mapping, so a file that shrinks gives EFAULT (made EIO), never
 * SIGBUS.  Returns 1, nothing sent, when fd cannot be mapped.
 */
static int
body_send_mapped(struct conn *c, int fd, uint64_t off, size_t len)
{
	uint8_t		 hdr[FRAME_HDR_LEN];
	struct iovec	 iov[2];
	uint8_t		*map;
	uint64_t	 start;
	size_t		 maplen;
	int		 r, saved;

	start = off & ~(uint64_t)(BODY_PAGE - 1);
	maplen = len + (size_t)(off - start);
	if (start > (uint64_t)INT64_MAX) {
		return 1;
	}
	map = mmap(NULL, maplen, PROT_READ, MAP_SHARED | MAP_POPULATE, fd,
	    (off_t)start);
	if (map == MAP_FAILED) {
		return 1;
	}
	frame_header_encode(hdr, TFS_DATA, (uint32_t)len);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = map + (off - start);
	iov[1].iov_len = len;
	r = conn_send_iov(c, iov, 2, 0);
	saved = errno == EFAULT ? EIO : errno;
	(void)munmap(map, maplen);
	if (r == -1) {
		errno = saved;
	}
	return r;
}

/*
 * One big DATA frame by sendfile.  The header (with the replies queued
 * before it) is held back with MSG_MORE (or TCP_CORK), so that it
 * leaves in the same segments as the file's first bytes.  Under a
 * minimum rate the bytes go in BODY_PIECE pieces, judged between them.
 * A file sendfile cannot read (EINVAL, ENOSYS, nothing sent) is read
 * and written instead, the header being out already.  0 or -1 with
 * errno; EIO when the file ended inside the frame.
 */
static int
body_send_file(struct conn *c, int fd, uint64_t off, size_t len,
    struct body_rate *rt)
{
	uint8_t		 hdr[FRAME_HDR_LEN];
	struct iovec	 iov[1];
	uint64_t	 sent;
	size_t		 done = 0, piece;
	int		 r = 0, saved;

	frame_header_encode(hdr, TFS_DATA, (uint32_t)len);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	if (BODY_CORK) {
		(void)xio_tcp_cork(c->fd, 1);
	}
	if (conn_send_iov(c, iov, 1, BODY_CORK ? 0 : MSG_MORE) == -1) {
		return -1;
	}
	piece = rt->o->min_rate > 0 ? BODY_PIECE : len;
	while (done < len && r == 0) {
		if (piece > len - done) {
			piece = len - done;
		}
		r = xio_sendfile_full(c->fd, fd, off + done, piece,
		    c->wstall_ms, rt->o->min_rate, c->wintr_fd, &sent);
		c->bytes_out += sent;
		if (r == -1 && sent == 0 && done == 0 &&
		    (errno == EINVAL || errno == ENOSYS)) {
			r = body_send_pieces(c, fd, off, len, 0, rt);
			break;
		}
		done += piece;
		if (r == 0 && done < len && body_rate_judge(rt) == -1) {
			r = -1;
		}
	}
	if (BODY_CORK) {
		saved = errno;
		(void)xio_tcp_cork(c->fd, 0);
		errno = saved;
	}
	return r;
}

/*
 * One DATA frame of len bytes from fd at off, as o->how says.  0; 1 when
 * nothing of it was sent because the file could not give its bytes; -1
 * with errno.
 */
static int
body_send_frame(struct conn *c, int fd, uint64_t off, size_t len,
    const struct body_opts *o, struct body_rate *rt)
{
	int	 r;

	if (len < BODY_SMALL) {
		return body_queue_small(c, fd, off, len);
	}
	switch (o->how) {
	case BODY_MAP:
		if ((r = body_send_mapped(c, fd, off, len)) != 1) {
			return r;
		}
		break;
	case BODY_SENDFILE:
		return body_send_file(c, fd, off, len, rt);
	default:
		break;
	}
	return body_send_pieces(c, fd, off, len, 1, rt);
}

enum body_rc
body_send(struct conn *c, int fd, uint64_t off, uint64_t len,
    const struct body_opts *o, struct body_stat *st)
{
	struct tfs_msg	 end = { .type = TFS_END };
	struct body_rate rate;
	uint64_t	 done = 0;
	uint32_t	 fmax;
	size_t		 chunk;
	enum body_rc	 rc = BODY_OK;
	int		 r;

	memset(st, 0, sizeof(*st));
	body_rate_start(&rate, c, o);
	fmax = o->frame_max == 0 || o->frame_max > FRAME_MAX ? FRAME_MAX :
	    o->frame_max;
	while (done < len) {
		chunk = len - done > fmax ? fmax : (size_t)(len - done);
		/* the first frame is covered by the caller's own fstat */
		if (done > 0 && body_shrunk(fd, off + done + chunk)) {
			rc = BODY_SHORT;
			break;
		}
		r = body_send_frame(c, fd, off + done, chunk, o, &rate);
		if (r != 0) {
			rc = r == 1 ? BODY_SHORT : BODY_BROKEN;
			break;
		}
		done += chunk;
		st->done = done;
		if (body_progress(o, done) == -1 ||
		    body_rate_judge(&rate) == -1) {
			rc = BODY_BROKEN;
			break;
		}
	}
	if (rc == BODY_OK) {
		end.count = len;
		if (conn_send(c, &end) == -1) {
			rc = BODY_BROKEN;
		}
	}
	return rc;
}

static enum body_rc
body_proto(struct body_stat *st, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(st->why, sizeof(st->why), fmt, ap);
	va_end(ap);
	return BODY_PROTO;
}

/* The END that closes a body of len bytes, of which got arrived. */
static enum body_rc
body_end(const struct conn_frame *f, uint64_t got, uint64_t len,
    struct body_stat *st)
{
	struct tfs_msg	 m;

	if (proto_decode(f->type, f->payload, f->len, &m) != PROTO_OK) {
		return body_proto(st, "malformed END");
	}
	if (got != len) {
		return body_proto(st, "END after %llu of %llu bytes",
		    (unsigned long long)got, (unsigned long long)len);
	}
	if (m.count != len) {
		return body_proto(st, "END count %llu, sent %llu",
		    (unsigned long long)m.count, (unsigned long long)got);
	}
	return BODY_OK;
}

/*
 * A DATA frame of flen bytes against a body of len, st->done in: empty
 * and too long are the peer's errors.
 */
static enum body_rc
body_data_rule(struct body_stat *st, uint32_t flen, uint64_t len)
{
	/* the peer's count: never more than it announced */
	if (flen == 0) {
		return body_proto(st, "empty DATA");
	}
	if (flen > len - st->done) {
		return body_proto(st, "more bytes than the %llu announced",
		    (unsigned long long)len);
	}
	return BODY_OK;
}

/*
 * A wait ended with ETIMEDOUT.  Without ticks that is the stall.  With
 * them, tell progress (the bytes of a DATA frame under way included)
 * and wait again, unless no byte came for stall_ms.  0 to wait again,
 * -1 with errno.
 */
static int
body_waited(struct body_rx *x)
{
	size_t	 arrived;
	uint8_t	 type;

	if (x->o->tick_ms <= 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (x->c->bytes_in != x->seen) {
		x->seen = x->c->bytes_in;
		x->last = xio_now_ms();
	} else if (x->o->stall_ms >= 0 &&
	    xio_now_ms() - x->last >= x->o->stall_ms) {
		errno = ETIMEDOUT;
		return -1;
	}
	arrived = conn_in_frame(x->c, &type);
	if (type != TFS_DATA || arrived < FRAME_HDR_LEN) {
		arrived = FRAME_HDR_LEN;
	}
	return body_progress(x->o, x->st->done + arrived - FRAME_HDR_LEN);
}

/* Drop whatever a failed splice left in the pipe. */
static void
body_pipe_empty(const struct body_pipe *p)
{
	uint8_t	 buf[BODY_SCRATCH];
	ssize_t	 n;

	while ((n = read(p->rd, buf, sizeof(buf))) > 0 ||
	    (n == -1 && errno == EINTR)) {
		continue;
	}
}

/*
 * fd takes no splice (EINVAL: a file system without splice_write): what
 * the pipe holds is read and written instead.  0, or -1 with errno (the
 * pipe is then emptied).
 */
static int
body_pipe_unload(const struct body_pipe *p, int fd)
{
	uint8_t	 buf[BODY_SCRATCH];
	ssize_t	 n;

	for (;;) {
		if ((n = read(p->rd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR) {
				continue;
			}
			return 0;	/* EAGAIN: empty */
		}
		if (n == 0) {
			return 0;
		}
		if (xio_write_full(fd, buf, (size_t)n, -1) == -1) {
			body_pipe_empty(p);
			return -1;
		}
	}
}

/* Give n bytes of a payload to inspect, then to fd; a failure is kept. */
static void
body_put(struct body_rx *x, struct body_in *in, const uint8_t *p, size_t n)
{
	const struct body_opts	*o = x->o;

	in->left -= n;
	if (in->werr != 0 || in->fd == -1) {
		return;
	}
	if (o->inspect != NULL && o->inspect(o->arg, p, n) != 0) {
		in->werr = EIO;
	} else if (xio_write_full(in->fd, p, n, -1) == -1) {
		in->werr = errno;
	} else {
		in->written += n;
	}
}

/*
 * Splice what is left of in's payload from the socket through the pipe
 * into in->fd (what the read buffer holds of it is written first).
 * Stops early, BODY_OK, when a write fails or fd takes no splice: what
 * the pipe held is then written by reading it, and the rest of the
 * frame is the caller's.  BODY_OK, BODY_EOF or BODY_BROKEN.
 */
static enum body_rc
body_in_splice(struct body_rx *x, struct body_in *in)
{
	const struct body_pipe	*pp = x->o->pipe;
	const uint8_t		*p;
	size_t			 nb;
	ssize_t			 n;

	if ((nb = conn_payload_buffered(x->c, &p)) > 0) {
		conn_payload_taken(x->c, nb, 0);
		body_put(x, in, p, nb);
	}
	while (in->left > 0 && in->werr == 0) {
		n = xio_splice_in(x->c->fd, pp->wr, in->left, x->w.stall_ms,
		    x->w.intr_fd);
		if (n == -1 && errno == ETIMEDOUT && body_waited(x) == 0) {
			continue;
		}
		if (n <= 0) {
			return n == 0 ? BODY_EOF : BODY_BROKEN;
		}
		conn_payload_taken(x->c, 0, (size_t)n);
		in->left -= (size_t)n;
		if (body_rate_judge(&x->rate) == -1) {
			return BODY_BROKEN;
		}
		if (xio_splice_out(pp->rd, in->fd, (size_t)n) == -1) {
			if (errno == EINVAL &&
			    body_pipe_unload(pp, in->fd) == 0) {
				in->written += (size_t)n;
				break;
			}
			in->werr = errno;
			body_pipe_empty(pp);
			continue;
		}
		in->written += (size_t)n;
		if (in->left > 0 && body_progress(x->o,
		    x->st->done + in->flen - in->left) == -1) {
			return BODY_BROKEN;
		}
	}
	return BODY_OK;
}

/*
 * The rest of in's payload, piece by piece through the read buffer,
 * each written out (or dropped) before the next is read: the bytes are
 * copied from the socket once, into memory that stays in the cache.
 * BODY_OK, BODY_EOF or BODY_BROKEN.
 */
static enum body_rc
body_in_pieces(struct body_rx *x, struct body_in *in)
{
	const uint8_t	*p;
	ssize_t		 n;

	while (in->left > 0) {
		n = conn_payload_read(x->c, &x->w, &p);
		if (n == -1 && errno == ETIMEDOUT && body_waited(x) == 0) {
			continue;
		}
		if (n <= 0) {
			return n == 0 ? BODY_EOF : BODY_BROKEN;
		}
		body_put(x, in, p, (size_t)n);
		if (body_rate_judge(&x->rate) == -1) {
			return BODY_BROKEN;
		}
		if (in->left > 0 && body_progress(x->o,
		    x->st->done + in->flen - in->left) == -1) {
			return BODY_BROKEN;
		}
	}
	return BODY_OK;
}

/*
 * The payload of a DATA frame (flen bytes, its header read) into fd, or
 * dropped when fd is -1: spliced when there is a pipe and nothing to
 * inspect, else through the read buffer.  The frame is always read to
 * its end, so that the stream stays in step after a failed write.  A
 * frame cut short counts in st->done what of it was written: fd then
 * holds exactly st->done bytes of the body.
 */
static enum body_rc
body_stream(struct body_rx *x, int fd, uint32_t flen)
{
	struct body_in	 in;
	enum body_rc	 rc = BODY_OK;

	memset(&in, 0, sizeof(in));
	in.fd = fd;
	in.flen = flen;
	in.left = flen;
	if (fd != -1 && x->o->pipe != NULL && x->o->inspect == NULL) {
		rc = body_in_splice(x, &in);
	}
	if (rc == BODY_OK) {
		rc = body_in_pieces(x, &in);
	}
	if (rc != BODY_OK) {
		x->st->done += in.written;
		return rc;
	}
	x->st->done += flen;
	if (in.werr != 0) {
		errno = in.werr;
		return BODY_WRITE;
	}
	return BODY_OK;
}

/*
 * Take the next frame of the body into fd (-1: drop it): a DATA frame
 * streams into fd (body_stream), never into the frame storage.
 * Returns 1 while the body goes on, 0 with *rc once it ended (BODY_OK
 * after its END) or failed.
 */
static int
body_take_frame(struct body_rx *x, int fd, uint64_t len, enum body_rc *rc)
{
	struct body_stat	*st = x->st;
	struct conn_frame	 f;
	uint32_t		 flen;
	uint8_t			 type;
	int			 r;

	r = conn_read_header(x->c, &x->w, &type, &flen);
	if (r == 1 && type == TFS_DATA) {
		if ((*rc = body_data_rule(st, flen, len)) != BODY_OK ||
		    (*rc = body_stream(x, fd, flen)) != BODY_OK) {
			return 0;
		}
		if (body_progress(x->o, st->done) == -1) {
			*rc = BODY_BROKEN;
			return 0;
		}
		return 1;
	}
	if (r == 1) {
		r = conn_read_frame(x->c, &x->w, &f);
	}
	if (r == -1 && errno == ETIMEDOUT && body_waited(x) == 0) {
		return 1;
	}
	if (r == 0) {
		*rc = BODY_EOF;
		return 0;
	}
	if (r == -1) {
		if (errno != EPROTO) {
			*rc = BODY_BROKEN;
		} else if (conn_frame_error(x->c) == FRAME_ETRUNC) {
			*rc = BODY_EOF;
		} else {
			*rc = body_proto(st, "frame longer than %u bytes",
			    FRAME_MAX);
		}
		return 0;
	}
	if (f.type == TFS_END) {
		*rc = body_end(&f, st->done, len, st);
		return 0;
	}
	st->frame = f;
	*rc = BODY_OTHER;
	return 0;
}

/*
 * Read DATA frames until END: written into fd, or dropped when fd is
 * -1.  st->done counts the payload bytes taken off the wire, and goes
 * on from its value on entry.  With a tick, waits are cut into ticks
 * that call progress; the stall limit then counts time without a byte
 * across them.
 */
static enum body_rc
body_take(struct conn *c, int fd, uint64_t len, const struct body_opts *o,
    struct body_stat *st)
{
	struct body_rx	 x;
	enum body_rc	 rc = BODY_OK;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.o = o;
	x.st = st;
	x.w.idle_ms = x.w.stall_ms = o->tick_ms > 0 ? o->tick_ms :
	    o->stall_ms;
	x.w.intr_fd = o->intr_fd;
	x.w.intr_in_frame = 1;
	x.seen = c->bytes_in;
	x.last = xio_now_ms();
	body_rate_start(&x.rate, c, o);
	while (body_take_frame(&x, fd, len, &rc)) {
		if (body_rate_judge(&x.rate) == -1) {
			rc = BODY_BROKEN;
			break;
		}
	}
	return rc;
}

enum body_rc
body_recv(struct conn *c, int fd, uint64_t len, const struct body_opts *o,
    struct body_stat *st)
{
	memset(st, 0, sizeof(*st));
	return body_take(c, fd, len, o, st);
}

enum body_rc
body_drain(struct conn *c, uint64_t len, const struct body_opts *o,
    struct body_stat *st)
{
	return body_take(c, -1, len, o, st);
}
