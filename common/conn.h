/*
 * conn.h -- a TFS/1 connection: buffered frame reading through the
 * incremental decoder, coalesced frame writing, DATA from a file range.
 * Shared by the server's workers and the client.
 *
 * The socket is put in non-blocking mode; every wait goes through poll
 * with the connection's stall timeout.
 */

#ifndef COMMON_CONN_H
#define COMMON_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "proto.h"

struct conn {
	int		 fd;
	int		 intr_fd;	/* readable = stop waiting while idle */
	/*
	 * Set: intr_fd also ends waits inside a frame and for room to
	 * write (the client's Ctrl-C).  Clear: a request under way always
	 * finishes (the server's graceful stop).
	 */
	int		 intr_always;
	int		 stall_ms;	/* no progress inside a frame/transfer */
	uint32_t	 max_payload;	/* largest payload accepted */
	struct frame_dec dec;
	uint8_t		*payload;	/* max_payload bytes, for dec */
	uint8_t		*rbuf;
	size_t		 rpos, rlen, rcap;
	uint8_t		*wbuf;
	size_t		 wlen, wcap;
	uint64_t	 bytes_in, bytes_out;
	/*
	 * Called after each chunk of a conn_send_file transfer with the
	 * bytes sent so far; a non-zero return aborts it (errno ECANCELED).
	 */
	int		(*progress)(void *arg, uint64_t done);
	void		*progress_arg;
	/*
	 * conn_send_file sends a big DATA frame from a mapping of the file
	 * rather than through a read buffer (the client's PUT; see conn.c).
	 */
	int		 map_file;
};

/* A frame just read; payload stays valid until the next conn_read. */
struct conn_frame {
	uint8_t		 type;
	uint32_t	 len;
	const uint8_t	*payload;
};

/*
 * Set up c around connected socket fd: made non-blocking, TCP_NODELAY
 * where it is TCP.  max_payload 0 or above FRAME_MAX means FRAME_MAX; the
 * payload storage is allocated on the first frame that has a payload.
 * 0, or -1 with errno (ENOMEM, or fcntl's).
 */
int	conn_init(struct conn *c, int fd, uint32_t max_payload, int stall_ms);
/* Free the buffers; closes nothing (the fd is the caller's). */
void	conn_free(struct conn *c);

/*
 * Read the next frame.  Until its first byte arrives, wait up to idle_ms
 * (-1 = for ever) and give up if c->intr_fd becomes readable; once a frame
 * has begun, wait at most c->stall_ms without progress (and stop on
 * intr_fd too when c->intr_always is set).
 * Returns 1 with *f filled, 0 on end of stream between frames, -1 with
 * errno: ETIMEDOUT (idle or stall), ECANCELED (intr_fd), EPROTO (frame
 * error: too big, or truncated; see c->dec.err), or the socket's error.
 */
int	conn_read_frame(struct conn *c, int idle_ms, struct conn_frame *f);
/* Read a frame and decode it.  As conn_read_frame; errno EBADMSG when the
 * payload does not decode (*perr tells why, if not NULL). */
int	conn_read_msg(struct conn *c, int idle_ms, struct tfs_msg *m,
	    enum proto_err *perr);
/* Input bytes already buffered (a pipelined request is waiting). */
size_t	conn_pending(const struct conn *c);

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
 * Send bytes off .. off+len-1 of file fd as DATA frames of at most
 * c->max_payload bytes, calling c->progress.  Does
 * not send FILE or END.  A frame smaller than 16 KiB is read into the
 * write buffer and stays queued (conn_flush or the next flushing send
 * writes it); a big one flushes what was queued before it.  A file
 * shorter than off+len fails with EIO.  0 or -1 with errno.
 */
int	conn_send_file(struct conn *c, int fd, uint64_t off, uint64_t len);

#endif /* COMMON_CONN_H */
