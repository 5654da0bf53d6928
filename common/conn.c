/*
 * conn.c -- one TFS/1 connection: frames in through a read buffer and
 * the incremental decoder, frames out through a write buffer.
 *
 * Small frames are coalesced both ways (one read or write for many);
 * big payloads skip the buffers: they are read straight into the
 * decoder's storage and written with writev.  The payload storage is
 * allocated on the first payload, so a session of empty frames never
 * pays for it, and a large malloc is an mmap whose untouched pages cost
 * no memory.  All waiting is in xio.c; file bodies are body.c's.
 */

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "xio.h"

/*
 * Measured choices (docs/performance.md); a build may set others with
 * -D to measure again.
 */
#ifndef CONN_RBUF
#define CONN_RBUF	(64 * 1024)
#endif
#ifndef CONN_WBUF
#define CONN_WBUF	(64 * 1024)
#endif
/* Payloads at least this big bypass the buffers (zero copy). */
#ifndef CONN_DIRECT
#define CONN_DIRECT	(16 * 1024)
#endif
/* Longest ERROR message conn_send_error formats. */
#define CONN_ERRMSG	1024

static int	conn_payload_alloc(struct conn *);
static int	conn_feed(struct conn *);
static int	conn_limit(struct conn *, int);
static int	conn_rate_judge(struct conn *);
static int	conn_fill(struct conn *, const struct conn_wait *);
static int	conn_more(struct conn *, const struct conn_wait *);
static void	conn_frame_out(struct conn *, struct conn_frame *);
static int	conn_reserve(struct conn *, size_t);

/*
 * Set up c around connected socket fd.  The socket is made non-blocking
 * and TCP_NODELAY (which a socketpair does not have).  0, or -1.
 */
int
conn_init(struct conn *c, int fd, uint32_t max_payload, int wstall_ms,
    int wintr_fd)
{
	if (xio_set_nonblock(fd, 1) == -1) {
		return -1;
	}
	if (xio_tcp_nodelay(fd) == -1 && errno != EOPNOTSUPP &&
	    errno != ENOTSUP && errno != ENOPROTOOPT) {
		return -1;
	}
	return conn_init_ready(c, fd, max_payload, wstall_ms, wintr_fd);
}

int
conn_init_ready(struct conn *c, int fd, uint32_t max_payload,
    int wstall_ms, int wintr_fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->wstall_ms = wstall_ms;
	c->wintr_fd = wintr_fd;
	if (max_payload == 0 || max_payload > FRAME_MAX) {
		max_payload = FRAME_MAX;
	}
	c->rcap = CONN_RBUF;
	c->wcap = CONN_WBUF;
	c->rbuf = malloc(c->rcap);
	c->wbuf = malloc(c->wcap);
	if (c->rbuf == NULL || c->wbuf == NULL) {
		conn_free(c);
		errno = ENOMEM;
		return -1;
	}
	frame_dec_init(&c->dec, NULL, max_payload);
	return 0;
}

void
conn_free(struct conn *c)
{
	free(c->payload);
	free(c->rbuf);
	free(c->wbuf);
	if (c->scratch != NULL) {
		(void)munmap(c->scratch, c->scratch_len);
	}
	c->payload = c->rbuf = c->wbuf = c->scratch = NULL;
	c->scratch_len = 0;
	c->rpos = c->rlen = c->rcap = c->wlen = c->wcap = 0;
}

/*
 * Mapped rather than malloc'd: malloc would keep it in the heap after
 * the free, and an idle process's memory with it.  It lasts as long as
 * the connection, so that a session of many files maps it once.
 */
uint8_t *
conn_scratch(struct conn *c, size_t len)
{
	uint8_t	*p;

	if (c->scratch != NULL && c->scratch_len >= len) {
		return c->scratch;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		return NULL;
	}
	if (c->scratch != NULL) {
		(void)munmap(c->scratch, c->scratch_len);
	}
	c->scratch = p;
	c->scratch_len = len;
	return p;
}

void
conn_set_min_rate(struct conn *c, uint32_t rate, int window_ms)
{
	c->min_rate = window_ms > 0 ? rate : 0;
	c->rate_window_ms = window_ms;
	c->rate_since = 0;
}

void
conn_set_deadline(struct conn *c, int64_t when)
{
	c->deadline = when;
}

/* A wait of ms (-1: for ever) cut at the deadline. */
static int
conn_limit(struct conn *c, int ms)
{
	int64_t	 left;

	if (c->deadline == 0) {
		return ms;
	}
	if ((left = c->deadline - xio_now_ms()) < 0) {
		left = 0;
	}
	return ms < 0 || left < ms ? (int)left : ms;
}

/*
 * Bytes of a frame under way came: once a window has passed since it
 * began, the frame must have moved min_rate bytes a second over it, or
 * the read fails (ETIMEDOUT); else the next window begins.  Judged as
 * bytes come, a peer that sends a byte now and then is cut at the end
 * of the window it spoils, and one that sends nothing by the stall
 * limit of its wait.  0 or -1.
 */
static int
conn_rate_judge(struct conn *c)
{
	int64_t	 now, spent;

	if (c->min_rate == 0 || !frame_dec_partial(&c->dec)) {
		return 0;
	}
	now = xio_now_ms();
	if (c->rate_since == 0) {
		c->rate_since = now;
		c->rate_base = c->bytes_in;
		return 0;
	}
	if ((spent = now - c->rate_since) < c->rate_window_ms) {
		return 0;
	}
	if ((c->bytes_in - c->rate_base) * 1000 <
	    (uint64_t)c->min_rate * (uint64_t)spent) {
		errno = ETIMEDOUT;
		return -1;
	}
	c->rate_since = now;
	c->rate_base = c->bytes_in;
	return 0;
}

/* The storage is sized by the decoder's limit, fixed at conn_init. */
static int
conn_payload_alloc(struct conn *c)
{
	if (c->payload == NULL) {
		if ((c->payload = malloc(c->dec.cap)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		frame_dec_setbuf(&c->dec, c->payload);
	}
	return 0;
}

/*
 * Give the decoder what is buffered.  1 when a frame is ready, 0 when it
 * needs more input, -1 (EPROTO) when the framing broke.
 */
static int
conn_feed(struct conn *c)
{
	uint8_t	*p;
	ssize_t	 n;

	while (c->rpos < c->rlen && !c->dec.ready) {
		n = frame_dec_feed(&c->dec, c->rbuf + c->rpos,
		    c->rlen - c->rpos);
		if (n == -1) {
			errno = EPROTO;
			return -1;
		}
		c->rpos += (size_t)n;
		if (n > 0) {
			continue;
		}
		/* the decoder stops at a payload until it has storage */
		if (c->payload != NULL || frame_dec_space(&c->dec, &p) == 0) {
			break;
		}
		if (conn_payload_alloc(c) == -1) {
			return -1;
		}
	}
	return c->dec.ready;
}

/*
 * Read more input: a big payload still due goes straight into the
 * decoder's storage, anything else into rbuf.  Until a frame has begun
 * the wait is w->idle_ms and w->intr_fd may end it; inside one,
 * w->stall_ms, and intr_fd only with w->intr_in_frame.  Returns 1 when
 * bytes came, 0 at end of stream, -1.
 */
static int
conn_fill(struct conn *c, const struct conn_wait *w)
{
	uint8_t	*p;
	size_t	 due;
	ssize_t	 n;
	int	 begun, intr, ms;

	begun = frame_dec_partial(&c->dec);
	intr = begun && !w->intr_in_frame ? -1 : w->intr_fd;
	due = frame_dec_space(&c->dec, &p);
	if (due > 0 && p == NULL) {
		if (conn_payload_alloc(c) == -1) {
			return -1;
		}
		due = frame_dec_space(&c->dec, &p);
	}
	if (c->deadline != 0 && xio_now_ms() >= c->deadline) {
		errno = ETIMEDOUT;
		return -1;
	}
	ms = conn_limit(c, begun ? w->stall_ms : w->idle_ms);
	if (due >= CONN_DIRECT) {
		n = xio_read_some(c->fd, p, due, ms, intr);
		if (n > 0) {
			frame_dec_commit(&c->dec, (size_t)n);
		}
	} else {
		c->rpos = c->rlen = 0;
		/*
		 * Between frames, with nothing buffered, the peer is most
		 * often still to send (it waits for our reply): wait first
		 * rather than pay for a read that finds nothing.  A stop
		 * (ECANCELED) is left to the read, which serves what came.
		 */
		if (!begun && xio_wait(c->fd, POLLIN, ms, w->intr_fd) ==
		    -1 && errno != ECANCELED) {
			return -1;
		}
		n = xio_read_some(c->fd, c->rbuf, c->rcap,
		    conn_limit(c, ms), intr);
		if (n > 0) {
			c->rlen = (size_t)n;
		}
	}
	if (n > 0) {
		c->bytes_in += (uint64_t)n;
		if (begun && conn_rate_judge(c) == -1) {
			return -1;
		}
	}
	return (int)(n > 0 ? 1 : n);
}

/*
 * conn_fill(), and at end of stream the decoder's verdict: 1 when bytes
 * came, 0 at an end between frames, -1 with errno (EPROTO: the stream
 * ended inside a frame).
 */
static int
conn_more(struct conn *c, const struct conn_wait *w)
{
	int	 r;

	if ((r = conn_fill(c, w)) != 0) {
		return r;
	}
	if (frame_dec_eof(&c->dec) == -1) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static void
conn_frame_out(struct conn *c, struct conn_frame *f)
{
	/* whole: the next frame gets a window of its own */
	c->rate_since = 0;
	f->type = c->dec.type;
	f->len = c->dec.len;
	/* an empty payload still gets a valid pointer */
	f->payload = f->len > 0 ? c->dec.buf : (const uint8_t *)"";
}

/*
 * Read the next frame (see conn.h).  The previous frame's payload is
 * released here, which is why it stays valid until this call.
 */
int
conn_read_frame(struct conn *c, const struct conn_wait *w,
    struct conn_frame *f)
{
	int	 r;

	if (c->dec.ready && !c->held) {
		frame_dec_next(&c->dec);
	}
	c->held = 0;
	for (;;) {
		if (c->dec.err != FRAME_OK) {
			errno = EPROTO;
			return -1;
		}
		if ((r = conn_feed(c)) == -1) {
			return -1;
		}
		if (r == 1) {
			conn_frame_out(c, f);
			return 1;
		}
		if ((r = conn_more(c, w)) <= 0) {
			return r;
		}
		/* a payload read straight in may have completed the frame */
		if (c->dec.ready) {
			conn_frame_out(c, f);
			return 1;
		}
	}
}

/*
 * Header bytes only are given to the decoder, so that it stops at the
 * payload whether or not it has storage for one.
 */
int
conn_read_header(struct conn *c, const struct conn_wait *w, uint8_t *type,
    uint32_t *len)
{
	size_t	 want, n;
	ssize_t	 k;
	int	 r;

	if (c->dec.ready && !c->held) {
		frame_dec_next(&c->dec);
	}
	for (;;) {
		if (c->dec.err != FRAME_OK) {
			errno = EPROTO;
			return -1;
		}
		if (c->dec.ready ||
		    frame_dec_arrived(&c->dec, type) >= FRAME_HDR_LEN) {
			*type = c->dec.type;
			*len = c->dec.len;
			c->held = 1;
			return 1;
		}
		want = FRAME_HDR_LEN - frame_dec_arrived(&c->dec, type);
		if ((n = conn_pending(c)) > 0) {
			k = frame_dec_feed(&c->dec, c->rbuf + c->rpos,
			    n < want ? n : want);
			if (k == -1) {
				errno = EPROTO;
				return -1;
			}
			c->rpos += (size_t)k;
			continue;
		}
		if ((r = conn_more(c, w)) <= 0) {
			return r;
		}
	}
}

size_t
conn_payload_buffered(const struct conn *c, const uint8_t **p)
{
	size_t	 due = c->dec.len - c->dec.have, n = conn_pending(c);

	*p = c->rbuf + c->rpos;
	if (!c->held || c->dec.ready) {
		return 0;
	}
	return n < due ? n : due;
}

void
conn_payload_taken(struct conn *c, size_t buffered, size_t socket)
{
	c->rpos += buffered;
	c->bytes_in += socket;
	frame_dec_skip(&c->dec, buffered + socket);
	if (c->dec.ready) {
		/* taken whole: the next read moves on */
		c->held = 0;
		c->rate_since = 0;
	}
}

/*
 * The payload of a big frame passes through the read buffer, which is
 * small enough to stay in the cache, rather than through the frame
 * storage: the caller writes each piece out before the next is read.
 */
ssize_t
conn_payload_read(struct conn *c, const struct conn_wait *w,
    const uint8_t **p)
{
	size_t	 n, due = c->dec.len - c->dec.have;
	ssize_t	 r;

	if ((n = conn_payload_buffered(c, p)) > 0) {
		conn_payload_taken(c, n, 0);
		return (ssize_t)n;
	}
	if (c->deadline != 0 && xio_now_ms() >= c->deadline) {
		errno = ETIMEDOUT;
		return -1;
	}
	c->rpos = c->rlen = 0;
	r = xio_read_some(c->fd, c->rbuf, due < c->rcap ? due : c->rcap,
	    conn_limit(c, w->stall_ms), w->intr_in_frame ? w->intr_fd : -1);
	if (r > 0) {
		*p = c->rbuf;
		conn_payload_taken(c, 0, (size_t)r);
		if (conn_rate_judge(c) == -1) {
			return -1;
		}
	}
	return r;
}

int
conn_read_msg(struct conn *c, const struct conn_wait *w, struct tfs_msg *m,
    enum proto_err *perr)
{
	struct conn_frame	 f;
	enum proto_err		 e;
	int			 r;

	if (perr != NULL) {
		*perr = PROTO_OK;
	}
	if ((r = conn_read_frame(c, w, &f)) != 1) {
		return r;
	}
	e = proto_decode(f.type, f.payload, f.len, m);
	if (e != PROTO_OK) {
		m->type = f.type;
		if (perr != NULL) {
			*perr = e;
		}
		errno = EBADMSG;
		return -1;
	}
	return 1;
}

size_t
conn_pending(const struct conn *c)
{
	return c->rlen - c->rpos;
}

int
conn_frame_waiting(const struct conn *c)
{
	return frame_whole(c->rbuf + c->rpos, conn_pending(c));
}

size_t
conn_in_frame(const struct conn *c, uint8_t *type)
{
	return frame_dec_arrived(&c->dec, type);
}

enum frame_err
conn_frame_error(const struct conn *c)
{
	return c->dec.err;
}

/*
 * Make room for n more bytes in wbuf: flush what is queued if needed, and
 * grow it for the rare message bigger than the whole buffer (a RENAME of
 * two long names).  0 or -1.
 */
static int
conn_reserve(struct conn *c, size_t n)
{
	uint8_t	*nb;

	if (c->wcap - c->wlen >= n) {
		return 0;
	}
	if (conn_flush(c) == -1) {
		return -1;
	}
	if (c->wcap < n) {
		if ((nb = realloc(c->wbuf, n)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		c->wbuf = nb;
		c->wcap = n;
	}
	return 0;
}

/*
 * What is queued, then the iovecs, in one writev.  On failure the queue
 * is dropped: the connection is broken and must not send half a frame
 * twice.
 */
int
conn_send_iov(struct conn *c, struct iovec *iov, int iovcnt, int flags)
{
	struct iovec	 v[8];
	size_t		 total = c->wlen;
	int		 i, n = 0;

	if (iovcnt < 0 || iovcnt > (int)(sizeof(v) / sizeof(v[0])) - 1) {
		errno = EINVAL;
		return -1;
	}
	if (c->wlen > 0) {
		v[n].iov_base = c->wbuf;
		v[n++].iov_len = c->wlen;
	}
	for (i = 0; i < iovcnt; i++) {
		v[n++] = iov[i];
		total += iov[i].iov_len;
	}
	c->wlen = 0;
	if (xio_writev_full(c->fd, v, n, flags, c->wstall_ms, c->min_rate,
	    c->wintr_fd) == -1) {
		return -1;
	}
	c->bytes_out += total;
	return 0;
}

uint8_t *
conn_queue_space(struct conn *c, size_t len)
{
	if (len > UINT32_MAX) {
		errno = EMSGSIZE;
		return NULL;
	}
	if (conn_reserve(c, FRAME_HDR_LEN + len) == -1) {
		return NULL;
	}
	return c->wbuf + c->wlen + FRAME_HDR_LEN;
}

void
conn_queue_commit(struct conn *c, uint8_t type, size_t len)
{
	frame_header_encode(c->wbuf + c->wlen, type, (uint32_t)len);
	c->wlen += FRAME_HDR_LEN + len;
}

/* Queue a message; a big DATA goes out at once without a copy. */
int
conn_send(struct conn *c, const struct tfs_msg *m)
{
	size_t	 len;
	ssize_t	 n;

	if (!tfs_type_known(m->type)) {
		errno = EINVAL;
		return -1;
	}
	if (m->type == TFS_DATA) {
		return conn_send_frame(c, TFS_DATA, m->data, m->datalen);
	}
	len = proto_encoded_len(m);
	if (conn_reserve(c, FRAME_HDR_LEN + len) == -1) {
		return -1;
	}
	n = proto_encode(m, c->wbuf + c->wlen + FRAME_HDR_LEN,
	    c->wcap - c->wlen - FRAME_HDR_LEN);
	if (n == -1) {
		return -1;
	}
	frame_header_encode(c->wbuf + c->wlen, m->type, (uint32_t)n);
	c->wlen += FRAME_HDR_LEN + (size_t)n;
	return 0;
}

/* Queue a raw frame of any type; no check of the payload's layout. */
int
conn_send_frame(struct conn *c, uint8_t type, const void *p, size_t len)
{
	uint8_t		 hdr[FRAME_HDR_LEN], *q;
	struct iovec	 iov[2];

	if (len > UINT32_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (len >= CONN_DIRECT) {
		/* a big frame: header and payload straight from p */
		frame_header_encode(hdr, type, (uint32_t)len);
		iov[0].iov_base = hdr;
		iov[0].iov_len = sizeof(hdr);
		iov[1].iov_base = (void *)(uintptr_t)p;
		iov[1].iov_len = len;
		return conn_send_iov(c, iov, 2, 0);
	}
	if ((q = conn_queue_space(c, len)) == NULL) {
		return -1;
	}
	if (len > 0) {
		memcpy(q, p, len);
	}
	conn_queue_commit(c, type, len);
	return 0;
}

/*
 * Write out what is queued.  On failure the queue is dropped: the
 * connection is broken and must not send half a frame twice.
 */
int
conn_flush(struct conn *c)
{
	struct iovec	 iov[1];
	size_t		 n = c->wlen;

	if (n == 0) {
		return 0;
	}
	c->wlen = 0;
	iov[0].iov_base = c->wbuf;
	iov[0].iov_len = n;
	if (xio_writev_full(c->fd, iov, 1, 0, c->wstall_ms, c->min_rate,
	    c->wintr_fd) == -1) {
		return -1;
	}
	c->bytes_out += n;
	return 0;
}

int
conn_send_ok(struct conn *c)
{
	struct tfs_msg	 m = { .type = TFS_OK };

	if (conn_send(c, &m) == -1) {
		return -1;
	}
	return conn_flush(c);
}

int
conn_send_end(struct conn *c, uint64_t count)
{
	struct tfs_msg	 m = { .type = TFS_END, .count = count };

	if (conn_send(c, &m) == -1) {
		return -1;
	}
	return conn_flush(c);
}

/*
 * Queue and flush ERROR code.  fmt NULL (or a message that formats to
 * nothing) sends the table's words for code.  Long messages are cut.
 */
int
conn_send_error(struct conn *c, unsigned code, const char *fmt, ...)
{
	struct tfs_msg	 m = { .type = TFS_ERROR };
	char		 text[CONN_ERRMSG];
	const char	*words;
	va_list		 ap;

	text[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(text, sizeof(text), fmt, ap);
		va_end(ap);
	}
	if (text[0] == '\0' && (words = tfs_err_text(code)) != NULL) {
		(void)snprintf(text, sizeof(text), "%s", words);
	}
	m.code = (uint16_t)code;
	m.text = tfs_str_c(text);
	if (conn_send(c, &m) == -1) {
		return -1;
	}
	return conn_flush(c);
}
