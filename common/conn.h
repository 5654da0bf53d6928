/*
 * conn.h -- a TFS/1 connection: buffered frame reading through the
 * incremental decoder and coalesced frame writing.  Shared by the
 * server's workers and the client.  File bodies (DATA frames from or
 * into a descriptor) are body.c's.
 *
 * The socket is put in non-blocking mode; every wait goes through poll.
 * How long a read may wait, and what may stop it, is given with each
 * read; writes obey the limits given once at conn_init.  What a server
 * asks of its peer beyond that (a minimum rate inside a frame, a
 * deadline for its first request) is set on the connection, off unless
 * set.
 */

#ifndef COMMON_CONN_H
#define COMMON_CONN_H

#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "proto.h"

/* How long one read may wait, and what may end the wait. */
struct conn_wait {
	int		 idle_ms;	/* for a frame's first byte; -1 ever */
	int		 stall_ms;	/* inside a frame, without a byte */
	int		 intr_fd;	/* readable: stop (ECANCELED), or -1 */
	/*
	 * Set: intr_fd also ends a wait inside a frame (the client's
	 * Ctrl-C).  Clear: a frame begun is always read to its end.
	 */
	int		 intr_in_frame;
};

struct conn {
	int		 fd;
	int		 wstall_ms;	/* writes: no room this long */
	int		 wintr_fd;	/* writes: readable = stop, or -1 */
	struct frame_dec dec;
	int		 held;		/* the ready frame is not yet read */
	uint8_t		*payload;	/* the decoder's storage */
	uint8_t		*rbuf;
	size_t		 rpos, rlen, rcap;
	uint8_t		*wbuf;
	size_t		 wlen, wcap;
	uint64_t	 bytes_in, bytes_out;
	uint8_t		*scratch;	/* conn_scratch(), or NULL */
	size_t		 scratch_len;
	/* conn_set_min_rate(), and the window of the frame under way */
	uint32_t	 min_rate;
	int		 rate_window_ms;
	int64_t		 rate_since;	/* 0: no window running */
	uint64_t	 rate_base;	/* bytes_in when it began */
	int64_t		 deadline;	/* conn_set_deadline(); 0: none */
};

/* A frame just read; payload stays valid until the next conn_read. */
struct conn_frame {
	uint8_t		 type;
	uint32_t	 len;
	const uint8_t	*payload;
};

/*
 * Set up c around connected socket fd: made non-blocking, TCP_NODELAY
 * where it is TCP.  max_payload (0 or above FRAME_MAX: FRAME_MAX) is the
 * largest payload accepted; its storage is allocated on the first frame
 * that has a payload.  A write that finds no room for wstall_ms fails
 * with ETIMEDOUT, and with ECANCELED once wintr_fd (-1: none) becomes
 * readable.  0, or -1 with errno (ENOMEM, or fcntl's).
 */
int	conn_init(struct conn *c, int fd, uint32_t max_payload,
	    int wstall_ms, int wintr_fd);
/*
 * conn_init() for a socket that is non-blocking and TCP_NODELAY already
 * (accepted with SOCK_NONBLOCK from a listening socket that has
 * TCP_NODELAY, which accepted sockets inherit): two system calls fewer
 * per connection.
 */
int	conn_init_ready(struct conn *c, int fd, uint32_t max_payload,
	    int wstall_ms, int wintr_fd);
/* Free the buffers; closes nothing (the fd is the caller's). */
void	conn_free(struct conn *c);
/*
 * For body.c: len bytes of scratch that last as long as c, mapped on
 * first use (and again, bigger, if a later call asks for more).  NULL
 * with errno.
 */
uint8_t	*conn_scratch(struct conn *c, size_t len);
/*
 * A frame the peer has begun must arrive at rate bytes a second at
 * least, judged over each window_ms since its first bytes (bytes count,
 * not frames): a read that finds it slower fails with ETIMEDOUT.  A
 * write (conn_send_iov, conn_flush) is held to the same rate: it fails
 * with ETIMEDOUT once the peer takes its bytes slower than rate after
 * the stall time of credit (xio_writev_full).  rate 0 (the default)
 * asks for none.
 */
void	conn_set_min_rate(struct conn *c, uint32_t rate, int window_ms);
/*
 * Reads fail with ETIMEDOUT once xio_now_ms() reaches when, frame begun
 * or not (0, the default: no deadline).
 */
void	conn_set_deadline(struct conn *c, int64_t when);

/*
 * Read the next frame, waiting as w says.  Returns 1 with *f filled, 0
 * on end of stream between frames, -1 with errno: ETIMEDOUT (idle or
 * stall), ECANCELED (intr_fd), EPROTO (frame error: conn_frame_error()
 * tells which), or the socket's error.  A frame begun when a wait ends
 * is kept: the next call reads on where this one stopped.
 */
int	conn_read_frame(struct conn *c, const struct conn_wait *w,
	    struct conn_frame *f);
/*
 * Read a frame and decode it.  As conn_read_frame; errno EBADMSG when
 * the payload does not decode (*perr tells why, if not NULL; the frame's
 * type is in m->type).
 */
int	conn_read_msg(struct conn *c, const struct conn_wait *w,
	    struct tfs_msg *m, enum proto_err *perr);
/* Input bytes already buffered, whole frames or not. */
size_t	conn_pending(const struct conn *c);
/*
 * 1 when a whole frame waits in the read buffer: a reply may then wait
 * to go out with the next one.  A frame only partly here does not count.
 */
int	conn_frame_waiting(const struct conn *c);
/*
 * Bytes of a frame under way that have arrived, header included (0
 * between frames); *type gets its type once its header is complete.
 */
size_t	conn_in_frame(const struct conn *c, uint8_t *type);
/* Why the framing broke (FRAME_OK while it has not). */
enum frame_err conn_frame_error(const struct conn *c);

/* Queue a message; flushed when the buffer fills or on conn_flush. */
int	conn_send(struct conn *c, const struct tfs_msg *m);
/* Queue a raw frame (any type, any payload: tests and DATA). */
int	conn_send_frame(struct conn *c, uint8_t type, const void *p,
	    size_t len);
int	conn_flush(struct conn *c);
/* Shorthands that queue and flush. */
int	conn_send_ok(struct conn *c);
int	conn_send_end(struct conn *c, uint64_t count);
/* fmt NULL sends the error table's words for code. */
int	conn_send_error(struct conn *c, unsigned code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * For body.c, which may move a DATA payload itself.  conn_read_header()
 * reads until the next frame's header is complete and leaves its
 * payload unread: 1 with *type and *len, 0 at end of stream between
 * frames, -1 as conn_read_frame.  Then either conn_read_frame() reads
 * the frame as usual, or the caller takes the payload: what of it is in
 * the read buffer (conn_payload_buffered()) and the rest straight off
 * the socket, and accounts for both with conn_payload_taken().
 */
int	conn_read_header(struct conn *c, const struct conn_wait *w,
	    uint8_t *type, uint32_t *len);
size_t	conn_payload_buffered(const struct conn *c, const uint8_t **p);
void	conn_payload_taken(struct conn *c, size_t buffered, size_t socket);
/*
 * The next piece of the held frame's payload, taken at once: what the
 * read buffer holds of it, else 1 .. (the read buffer's size) bytes
 * read into that buffer, waiting as w says inside a frame (and as the
 * deadline and the minimum rate say).  *p points at them until the
 * next read.  Returns the count, 0 at end of stream, -1 with errno as
 * conn_read_frame.
 */
ssize_t	conn_payload_read(struct conn *c, const struct conn_wait *w,
	    const uint8_t **p);

/*
 * For body.c, which fills frames from files.  conn_queue_space() makes
 * room for a frame of len payload bytes behind what is queued and
 * returns where the payload goes (NULL with errno); conn_queue_commit()
 * then queues it.  Nothing is queued until the commit.
 */
uint8_t	*conn_queue_space(struct conn *c, size_t len);
void	 conn_queue_commit(struct conn *c, uint8_t type, size_t len);
/*
 * Write what is queued, then the iovecs, in one go; flags MSG_MORE when
 * more of the same frame follows at once (sendfile).  0 or -1.
 */
int	 conn_send_iov(struct conn *c, struct iovec *iov, int iovcnt,
	    int flags);

#endif /* COMMON_CONN_H */
