/*
 * body.h -- the bytes of a file on the wire: DATA frames, then END
 * (PROTOCOL.md, GET and PUT), sent from a descriptor or received into
 * one.  Shared by the server (GET out, PUT in) and the client (PUT out,
 * GET in).  How a call waits, reports and stops travels with the call
 * in struct body_opts; the connection keeps nothing of it.
 */

#ifndef COMMON_BODY_H
#define COMMON_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"

/* How a big DATA frame leaves (a small one is queued and copied). */
enum body_how {
	BODY_SENDFILE = 0,	/* the header, then sendfile: one copy */
	BODY_MAP,		/* header and a mapping in one sendmsg */
	BODY_READ,		/* read into a buffer, then write: two */
};

/*
 * A pipe that receiving splices through: socket to pipe to file, with
 * no copy to user space.  One per process, made once, as big as a frame.
 */
struct body_pipe {
	int		 rd, wr;
};

/*
 * How one body moves.  stall_ms, tick_ms and intr_fd are for receiving;
 * sending waits as the connection's writes do (conn_init).
 */
struct body_opts {
	uint32_t	 frame_max;	/* largest DATA sent; 0 = FRAME_MAX */
	int		 stall_ms;	/* no byte moved this long: ETIMEDOUT
					   (-1: never) */
	/*
	 * Both ways: fewer bytes a second than this over a window of
	 * stall_ms fail with ETIMEDOUT (0: any rate).  Judged as bytes
	 * move: a big frame is sent in pieces to be judged between them.
	 */
	uint32_t	 min_rate;
	int		 tick_ms;	/* receiving: call progress this often
					   while waiting (0: only on bytes) */
	int		 intr_fd;	/* readable: stop, ECANCELED (-1 none) */
	enum body_how	 how;		/* sending */
	/* receiving: splice DATA through it into fd; NULL: read, write */
	const struct body_pipe *pipe;
	/*
	 * Called as bytes move (and on ticks) with the body bytes moved so
	 * far; while receiving, that counts the bytes of a DATA frame still
	 * arriving.  Non-zero stops the transfer (ECANCELED).  May be NULL.
	 */
	int		(*progress)(void *arg, uint64_t done);
	/*
	 * Receiving: sees every DATA payload before it is written (a
	 * digest of what goes to a pipe).  Non-zero fails the write (EIO).
	 * May be NULL.
	 */
	int		(*inspect)(void *arg, const uint8_t *p, size_t n);
	void		*arg;
};

enum body_rc {
	BODY_OK = 0,	/* every byte and the END moved */
	/*
	 * Sending: the file ended early, found before a frame began, so
	 * the stream is in step and END was not sent (answer ERROR IO).
	 */
	BODY_SHORT,
	/*
	 * The connection failed (errno: ETIMEDOUT, ECANCELED, a socket
	 * error, or EIO when a file read failed inside a frame already
	 * announced).  It cannot be used any further.
	 */
	BODY_BROKEN,
	BODY_EOF,	/* receiving: the peer closed mid-body */
	BODY_PROTO,	/* receiving: the peer broke the rules (st->why) */
	/*
	 * Receiving: writing into fd failed (errno); what is left of the
	 * body is still on the wire (body_drain() skips it).
	 */
	BODY_WRITE,
	/*
	 * Receiving: a frame that is neither DATA nor END arrived (an
	 * ERROR in place of the rest): it is in st->frame.
	 */
	BODY_OTHER,
};

/* What a call did. */
struct body_stat {
	/*
	 * Body bytes moved: receiving, written into fd, a frame cut
	 * short included (fd holds exactly these).  After BODY_WRITE:
	 * taken off the wire, the frame whose write failed included.
	 */
	uint64_t		 done;
	struct conn_frame	 frame;		/* BODY_OTHER */
	char			 why[128];	/* BODY_PROTO */
};

/*
 * Make p, sized for a whole frame where the system allows.  0, or -1
 * with errno (p is then left closed: receive without it).
 */
int		body_pipe_open(struct body_pipe *p);
void		body_pipe_close(struct body_pipe *p);

/*
 * Send bytes off .. off+len-1 of fd as DATA frames, then END len.
 * Frames smaller than 16 KiB are queued behind what is queued (a small
 * GET's FILE, DATA and END leave in one write); nothing is flushed at
 * the end: the caller flushes.  Before every frame but the first the
 * file is checked to still hold its bytes (BODY_SHORT).
 */
enum body_rc	body_send(struct conn *c, int fd, uint64_t off, uint64_t len,
		    const struct body_opts *o, struct body_stat *st);
/*
 * Receive len bytes of DATA frames into fd (written at its offset),
 * then their END: more bytes than len, an empty DATA, or an END whose
 * count is not len are BODY_PROTO.
 */
enum body_rc	body_recv(struct conn *c, int fd, uint64_t len,
		    const struct body_opts *o, struct body_stat *st);
/*
 * After BODY_WRITE: read and drop the rest of a body of len bytes (of
 * which st->done arrived) and its END, with the checks of body_recv.
 */
enum body_rc	body_drain(struct conn *c, uint64_t len,
		    const struct body_opts *o, struct body_stat *st);

#endif /* COMMON_BODY_H */
