/*
 * body.c -- file bodies on the wire: DATA frames from a descriptor, or
 * into one, then END.
 *
 * Sending picks how each frame leaves by its size.  A small frame is
 * read into the connection's write buffer behind whatever is queued,
 * so that a small GET's FILE, DATA and END go out in one write.  A big
 * one is read in BODY_PIECE pieces and written with what was queued
 * before it, or, when the caller asks (opts.map), sent from a mapping of
 * the file in one sendmsg.  Receiving reads whole frames through the
 * connection and writes their payload at the descriptor's offset.
 *
 * All checks of a body's framing (sizes, END counts, empty DATA) live
 * here, for both programs.  Never knows what a request is.
 */

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "body.h"
#include "xio.h"

/* Frames below this are queued in the write buffer (conn.c's limit). */
#define BODY_SMALL	(16 * 1024)
/* A big DATA frame from a file is read and written this much at a time. */
#ifndef BODY_PIECE
#define BODY_PIECE	(256 * 1024)
#endif
/* Mappings start on a page; 4 KiB divides every page size in use. */
#define BODY_PAGE	4096

static int	body_queue_small(struct conn *, int, uint64_t, size_t);
static int	body_send_pieces(struct conn *, int, uint64_t, size_t,
		    uint8_t *);
static int	body_send_mapped(struct conn *, int, uint64_t, size_t);
static int	body_shrunk(int, uint64_t);
static int	body_progress(const struct body_opts *, uint64_t);
static enum body_rc body_take(struct conn *, int, uint64_t,
		    const struct body_opts *, struct body_stat *);
static enum body_rc body_end(const struct conn_frame *, uint64_t, uint64_t,
		    struct body_stat *);
static enum body_rc body_proto(struct body_stat *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

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
 * One big DATA frame from fd at off, read into buf (BODY_PIECE bytes)
 * piece by piece and written, the header and what was queued going with
 * the first piece.  Returns 0; 1 when the first piece cannot be read
 * (nothing of the frame sent); -1 with errno otherwise, EIO for a read
 * failing once the header is out.
 */
static int
body_send_pieces(struct conn *c, int fd, uint64_t off, size_t len,
    uint8_t *buf)
{
	uint8_t		 hdr[FRAME_HDR_LEN];
	struct iovec	 iov[2];
	size_t		 done = 0, piece;
	ssize_t		 n;
	int		 cnt;

	frame_header_encode(hdr, TFS_DATA, (uint32_t)len);
	while (done < len) {
		piece = len - done > BODY_PIECE ? BODY_PIECE : len - done;
		n = xio_pread_full(fd, buf, piece, off + done);
		if (n == -1 || (size_t)n != piece) {
			if (done == 0) {
				return 1;
			}
			errno = EIO;
			return -1;
		}
		cnt = 0;
		if (done == 0) {
			iov[cnt].iov_base = hdr;
			iov[cnt++].iov_len = sizeof(hdr);
		}
		iov[cnt].iov_base = buf;
		iov[cnt++].iov_len = piece;
		if (conn_send_iov(c, iov, cnt) == -1) {
			return -1;
		}
		done += piece;
	}
	return 0;
}

/*
 * One big DATA frame from a mapping of fd, header and bytes in one
 * sendmsg: the kernel copies the page cache into the socket once, where
 * body_send_pieces copies it twice.  For a PUT over loopback the server
 * is the receiver and its copies decide the speed, and the sender's
 * single copy leaves the bytes in cache for it: 1 GiB PUT from about
 * 50 % to 55-70 % of the stream ceiling in interleaved runs.  Only the
 * kernel touches the mapping, so a file that shrinks gives EFAULT (made
 * EIO), never SIGBUS.  Returns 1, nothing sent, when fd cannot be
 * mapped: the caller reads it instead.
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
	r = conn_send_iov(c, iov, 2);
	saved = errno == EFAULT ? EIO : errno;
	(void)munmap(map, maplen);
	if (r == -1) {
		errno = saved;
	}
	return r;
}

enum body_rc
body_send(struct conn *c, int fd, uint64_t off, uint64_t len,
    const struct body_opts *o, struct body_stat *st)
{
	struct tfs_msg	 end = { .type = TFS_END };
	uint64_t	 done = 0;
	uint32_t	 fmax;
	size_t		 chunk;
	uint8_t		*buf = NULL;
	enum body_rc	 rc = BODY_OK;
	int		 r, saved;

	memset(st, 0, sizeof(*st));
	fmax = o->frame_max == 0 || o->frame_max > FRAME_MAX ? FRAME_MAX :
	    o->frame_max;
	while (done < len) {
		chunk = len - done > fmax ? fmax : (size_t)(len - done);
		/* the first frame is covered by the caller's own fstat */
		if (done > 0 && body_shrunk(fd, off + done + chunk)) {
			rc = BODY_SHORT;
			break;
		}
		r = 1;
		if (chunk < BODY_SMALL) {
			r = body_queue_small(c, fd, off + done, chunk);
		} else if (o->map) {
			r = body_send_mapped(c, fd, off + done, chunk);
		}
		if (r == 1 && chunk >= BODY_SMALL) {
			/*
			 * Per transfer, and mapped rather than malloc'd:
			 * malloc would keep it in the heap after the free,
			 * and an idle worker's memory with it.
			 */
			if (buf == NULL && (buf = mmap(NULL, BODY_PIECE,
			    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0)) == MAP_FAILED) {
				buf = NULL;
				r = -1;
			} else {
				r = body_send_pieces(c, fd, off + done, chunk,
				    buf);
			}
		}
		if (r != 0) {
			rc = r == 1 ? BODY_SHORT : BODY_BROKEN;
			break;
		}
		done += chunk;
		st->done = done;
		if (body_progress(o, done) == -1) {
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
	if (buf != NULL) {
		saved = errno;
		(void)munmap(buf, BODY_PIECE);
		errno = saved;
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
	struct conn_wait	 w;
	struct conn_frame	 f;
	uint64_t		 seen = c->bytes_in;
	int64_t			 last = xio_now_ms();
	size_t			 arrived;
	uint8_t			 type;
	int			 r;

	w.idle_ms = w.stall_ms = o->tick_ms > 0 ? o->tick_ms : o->stall_ms;
	w.intr_fd = o->intr_fd;
	w.intr_in_frame = 1;
	for (;;) {
		r = conn_read_frame(c, &w, &f);
		if (r == 0) {
			return BODY_EOF;
		}
		if (r == -1 && errno == ETIMEDOUT && o->tick_ms > 0) {
			if (c->bytes_in != seen) {
				seen = c->bytes_in;
				last = xio_now_ms();
			} else if (o->stall_ms >= 0 &&
			    xio_now_ms() - last >= o->stall_ms) {
				errno = ETIMEDOUT;
				return BODY_BROKEN;
			}
			arrived = conn_in_frame(c, &type);
			if (type != TFS_DATA || arrived < FRAME_HDR_LEN) {
				arrived = FRAME_HDR_LEN;
			}
			if (body_progress(o, st->done + arrived -
			    FRAME_HDR_LEN) == -1) {
				return BODY_BROKEN;
			}
			continue;
		}
		if (r == -1) {
			if (errno != EPROTO) {
				return BODY_BROKEN;
			}
			if (conn_frame_error(c) == FRAME_ETRUNC) {
				return BODY_EOF;
			}
			return body_proto(st, "frame longer than %u bytes",
			    FRAME_MAX);
		}
		if (f.type == TFS_END) {
			return body_end(&f, st->done, len, st);
		}
		if (f.type != TFS_DATA) {
			st->frame = f;
			return BODY_OTHER;
		}
		/* the peer's count: never more than it announced */
		if (f.len == 0) {
			return body_proto(st, "empty DATA");
		}
		if (f.len > len - st->done) {
			return body_proto(st, "more bytes than the %llu "
			    "announced", (unsigned long long)len);
		}
		st->done += f.len;
		if (fd != -1) {
			if (o->inspect != NULL &&
			    o->inspect(o->arg, f.payload, f.len) != 0) {
				errno = EIO;
				return BODY_WRITE;
			}
			if (xio_write_full(fd, f.payload, f.len, -1) == -1) {
				return BODY_WRITE;
			}
		}
		if (body_progress(o, st->done) == -1) {
			return BODY_BROKEN;
		}
	}
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
