/*
 * conn.c -- one TFS/1 connection: frames in through a read buffer and
 * the incremental decoder, frames out through a write buffer, and DATA
 * from a file range.
 *
 * Small frames are coalesced both ways (one read or write for many);
 * big payloads skip the buffers: they are read straight into the
 * decoder's storage and written with writev.  The payload
 * storage (max_payload bytes) is allocated on the first payload, so a
 * session of empty frames never pays for it, and a large malloc is an
 * mmap whose untouched pages cost no memory.  All waiting is in xio.c.
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

#define CONN_RBUF	(64 * 1024)
#define CONN_WBUF	(64 * 1024)
/* Payloads at least this big bypass the buffers (zero copy). */
#define CONN_DIRECT	(16 * 1024)
/* A big DATA frame from a file is read and written this much at a time. */
#ifndef CONN_PIECE
#define CONN_PIECE	(256 * 1024)
#endif
/* Mappings start on a page; 4 KiB divides every page size in use. */
#define CONN_PAGE	4096
/* Longest ERROR message conn_send_error formats. */
#define CONN_ERRMSG	1024

static int	conn_payload_alloc(struct conn *);
static int	conn_feed(struct conn *);
static int	conn_fill(struct conn *, int);
static void	conn_frame_out(struct conn *, struct conn_frame *);
static int	conn_reserve(struct conn *, size_t);
static int	conn_send_direct(struct conn *, uint8_t, const void *,
		    size_t);
static int	conn_queue_file(struct conn *, int, uint64_t, size_t);
static int	conn_send_chunk(struct conn *, int, uint64_t, size_t,
		    uint8_t *);
static int	conn_send_mapped(struct conn *, int, uint64_t, size_t);
static int	conn_wintr(const struct conn *);

/* The descriptor that may end a wait for room to write, or -1. */
static int
conn_wintr(const struct conn *c)
{
	return c->intr_always ? c->intr_fd : -1;
}

/*
 * Set up c around connected socket fd.  max_payload 0 or above FRAME_MAX
 * means FRAME_MAX.  The socket is made non-blocking and TCP_NODELAY
 * (which a socketpair does not have).  0, or -1 with errno.
 */
int
conn_init(struct conn *c, int fd, uint32_t max_payload, int stall_ms)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->intr_fd = -1;
	c->stall_ms = stall_ms;
	if (max_payload == 0 || max_payload > FRAME_MAX) {
		max_payload = FRAME_MAX;
	}
	c->max_payload = max_payload;
	if (xio_set_nonblock(fd, 1) == -1) {
		return -1;
	}
	if (xio_tcp_nodelay(fd) == -1 && errno != EOPNOTSUPP &&
	    errno != ENOTSUP && errno != ENOPROTOOPT) {
		return -1;
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
	frame_dec_init(&c->dec, NULL, c->max_payload);
	return 0;
}

void
conn_free(struct conn *c)
{
	free(c->payload);
	free(c->rbuf);
	free(c->wbuf);
	c->payload = c->rbuf = c->wbuf = NULL;
	c->rpos = c->rlen = c->rcap = c->wlen = c->wcap = 0;
}

/*
 * The storage is sized by the decoder's limit, fixed at conn_init, not by
 * c->max_payload, which a caller may lower afterwards to size what it
 * sends: the decoder would otherwise write past a smaller buffer.
 */
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
 * the wait is idle_ms and intr_fd may cancel it; inside one, stall_ms.
 * Returns the bytes read, 0 at end of stream, -1.
 */
static int
conn_fill(struct conn *c, int idle_ms)
{
	uint8_t	*p;
	size_t	 due;
	ssize_t	 n;
	int	 begun;

	begun = frame_dec_partial(&c->dec);
	due = frame_dec_space(&c->dec, &p);
	if (due > 0 && p == NULL) {
		if (conn_payload_alloc(c) == -1) {
			return -1;
		}
		due = frame_dec_space(&c->dec, &p);
	}
	if (due >= CONN_DIRECT) {
		n = xio_read_some(c->fd, p, due, c->stall_ms,
		    c->intr_always ? c->intr_fd : -1);
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
		if (!begun && xio_wait(c->fd, POLLIN, idle_ms,
		    c->intr_fd) == -1 && errno != ECANCELED) {
			return -1;
		}
		n = xio_read_some(c->fd, c->rbuf, c->rcap,
		    begun ? c->stall_ms : idle_ms,
		    begun && !c->intr_always ? -1 : c->intr_fd);
		if (n > 0) {
			c->rlen = (size_t)n;
		}
	}
	if (n > 0) {
		c->bytes_in += (uint64_t)n;
	}
	return (int)(n > 0 ? 1 : n);
}

static void
conn_frame_out(struct conn *c, struct conn_frame *f)
{
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
conn_read_frame(struct conn *c, int idle_ms, struct conn_frame *f)
{
	int	 r;

	if (c->dec.ready) {
		frame_dec_next(&c->dec);
	}
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
		if ((r = conn_fill(c, idle_ms)) == -1) {
			return -1;
		}
		if (r == 0) {
			if (frame_dec_eof(&c->dec) == -1) {
				errno = EPROTO;
				return -1;
			}
			return 0;
		}
		/* a payload read straight in may have completed the frame */
		if (c->dec.ready) {
			conn_frame_out(c, f);
			return 1;
		}
	}
}

int
conn_read_msg(struct conn *c, int idle_ms, struct tfs_msg *m,
    enum proto_err *perr)
{
	struct conn_frame	 f;
	enum proto_err		 e;
	int			 r;

	if (perr != NULL) {
		*perr = PROTO_OK;
	}
	if ((r = conn_read_frame(c, idle_ms, &f)) != 1) {
		return r;
	}
	e = proto_decode(f.type, f.payload, f.len, m);
	if (e != PROTO_OK) {
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

/* A big frame: flush what is queued, then header and payload in one go. */
static int
conn_send_direct(struct conn *c, uint8_t type, const void *p, size_t len)
{
	uint8_t		 hdr[FRAME_HDR_LEN];
	struct iovec	 iov[2];

	if (conn_flush(c) == -1) {
		return -1;
	}
	frame_header_encode(hdr, type, (uint32_t)len);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)p;
	iov[1].iov_len = len;
	if (xio_writev_full(c->fd, iov, 2, c->stall_ms,
	    conn_wintr(c)) == -1) {
		return -1;
	}
	c->bytes_out += sizeof(hdr) + len;
	return 0;
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
	if (len > UINT32_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (len >= CONN_DIRECT) {
		return conn_send_direct(c, type, p, len);
	}
	if (conn_reserve(c, FRAME_HDR_LEN + len) == -1) {
		return -1;
	}
	frame_header_encode(c->wbuf + c->wlen, type, (uint32_t)len);
	if (len > 0) {
		memcpy(c->wbuf + c->wlen + FRAME_HDR_LEN, p, len);
	}
	c->wlen += FRAME_HDR_LEN + len;
	return 0;
}

/*
 * Write out what is queued.  On failure the queue is dropped: the
 * connection is broken and must not send half a frame twice.
 */
int
conn_flush(struct conn *c)
{
	size_t	 n = c->wlen;

	if (n == 0) {
		return 0;
	}
	c->wlen = 0;
	if (xio_send_full(c->fd, c->wbuf, n, 0, c->stall_ms,
	    conn_wintr(c)) == -1) {
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

/*
 * Queue one small DATA frame read from fd at off into wbuf, behind
 * whatever is queued, so that a small GET's FILE, DATA and END leave in
 * one write: for a few KiB that beats a write of their own.  Nothing is
 * queued if the file gives fewer bytes (EIO) or the read fails.
 */
static int
conn_queue_file(struct conn *c, int fd, uint64_t off, size_t len)
{
	ssize_t	 n;

	if (conn_reserve(c, FRAME_HDR_LEN + len) == -1) {
		return -1;
	}
	n = xio_pread_full(fd, c->wbuf + c->wlen + FRAME_HDR_LEN, len, off);
	if (n == -1) {
		return -1;
	}
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	frame_header_encode(c->wbuf + c->wlen, TFS_DATA, (uint32_t)len);
	c->wlen += FRAME_HDR_LEN + len;
	return 0;
}

/*
 * One big DATA frame from fd at off, read into buf (CONN_PIECE bytes)
 * piece by piece and written with what was queued before it.  Not
 * sendfile, though it copies once more: on loopback the receiver then
 * copies straight from the page cache, pages no CPU cache holds, and
 * that copy decides the speed; after pread the pages it copies are the
 * ones just written, still in cache.  Measured with `make bench` on the
 * 1 GiB GET: 13-16 % faster than sendfile, and pieces of 256 KiB
 * beat 64 KiB, 128 KiB and 1 MiB.  A file that gives
 * fewer bytes than the header announced fails with EIO.
 */
static int
conn_send_chunk(struct conn *c, int fd, uint64_t off, size_t len,
    uint8_t *buf)
{
	uint8_t		 hdr[FRAME_HDR_LEN];
	struct iovec	 iov[3];
	size_t		 done = 0, piece, queued;
	ssize_t		 n;
	int		 cnt;

	frame_header_encode(hdr, TFS_DATA, (uint32_t)len);
	while (done < len) {
		piece = len - done > CONN_PIECE ? CONN_PIECE : len - done;
		if ((n = xio_pread_full(fd, buf, piece, off + done)) == -1) {
			return -1;
		}
		if ((size_t)n != piece) {
			errno = EIO;
			return -1;
		}
		cnt = 0;
		queued = c->wlen;
		if (done == 0) {
			/* what is queued and the header go with the first */
			c->wlen = 0;
			if (queued > 0) {
				iov[cnt].iov_base = c->wbuf;
				iov[cnt++].iov_len = queued;
			}
			iov[cnt].iov_base = hdr;
			iov[cnt++].iov_len = sizeof(hdr);
			c->bytes_out += queued + sizeof(hdr);
		}
		iov[cnt].iov_base = buf;
		iov[cnt++].iov_len = piece;
		if (xio_writev_full(c->fd, iov, cnt, c->stall_ms,
		    conn_wintr(c)) == -1) {
			return -1;
		}
		c->bytes_out += piece;
		done += piece;
	}
	return 0;
}

/*
 * One big DATA frame from a mapping of fd, header and bytes in one
 * sendmsg: the kernel copies the page cache into the socket once, where
 * conn_send_chunk copies it twice.  For a PUT over loopback the server
 * is the receiver and its copies decide the speed, and the sender's
 * single copy leaves the bytes in cache for it: 1 GiB PUT from about
 * 50 % to 55-70 % of the stream ceiling in interleaved runs.  Only the
 * kernel touches the mapping, so a file that shrinks gives EFAULT (made
 * EIO), never SIGBUS.  Returns 1, nothing sent, when fd cannot be
 * mapped: the caller reads it instead.
 */
static int
conn_send_mapped(struct conn *c, int fd, uint64_t off, size_t len)
{
	uint8_t		 hdr[FRAME_HDR_LEN];
	struct iovec	 iov[3];
	uint8_t		*map;
	uint64_t	 start;
	size_t		 maplen, queued;
	int		 cnt = 0, r, saved;

	start = off & ~(uint64_t)(CONN_PAGE - 1);
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
	queued = c->wlen;
	c->wlen = 0;
	if (queued > 0) {
		iov[cnt].iov_base = c->wbuf;
		iov[cnt++].iov_len = queued;
	}
	iov[cnt].iov_base = hdr;
	iov[cnt++].iov_len = sizeof(hdr);
	iov[cnt].iov_base = map + (off - start);
	iov[cnt++].iov_len = len;
	r = xio_writev_full(c->fd, iov, cnt, c->stall_ms,
	    conn_wintr(c));
	saved = errno == EFAULT ? EIO : errno;
	(void)munmap(map, maplen);
	if (r == -1) {
		errno = saved;
		return -1;
	}
	c->bytes_out += queued + sizeof(hdr) + len;
	return 0;
}

/*
 * Send bytes off .. off+len-1 of fd as DATA frames of at most
 * c->max_payload bytes (the client sets it to the server's HELLO value
 * when that is smaller): a frame below CONN_DIRECT is queued like any
 * small message, a big one sent at once.
 */
int
conn_send_file(struct conn *c, int fd, uint64_t off, uint64_t len)
{
	uint64_t	 done = 0;
	size_t		 chunk;
	uint8_t		*buf = NULL;
	int		 r = 0, saved;

	while (done < len) {
		chunk = len - done > c->max_payload ?
		    c->max_payload : (size_t)(len - done);
		r = 1;
		if (chunk < CONN_DIRECT) {
			r = conn_queue_file(c, fd, off + done, chunk);
		} else if (c->map_file) {
			r = conn_send_mapped(c, fd, off + done, chunk);
		}
		if (r != 1) {
			/* sent, or failed */
		} else if (buf == NULL && (buf = mmap(NULL, CONN_PIECE,
		    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0)) == MAP_FAILED) {
			buf = NULL;
			r = -1;
		} else {
			r = conn_send_chunk(c, fd, off + done, chunk, buf);
		}
		if (r == -1) {
			break;
		}
		done += chunk;
		if (c->progress != NULL &&
		    c->progress(c->progress_arg, done) != 0) {
			errno = ECANCELED;
			r = -1;
			break;
		}
	}
	/*
	 * Per transfer, and mapped rather than malloc'd: malloc would keep
	 * it in the heap after free, and an idle worker's memory with it.
	 */
	if (buf != NULL) {
		saved = errno;
		(void)munmap(buf, CONN_PIECE);
		errno = saved;
	}
	return r;
}
