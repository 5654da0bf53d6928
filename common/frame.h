/*
 * frame.h -- length-prefixed frames of TFS/1: 1 byte type, u32 BE length,
 * then the payload.  Knows nothing of what the types mean.
 */

#ifndef COMMON_FRAME_H
#define COMMON_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FRAME_HDR_LEN	5
#define FRAME_MAX	1048576u	/* largest payload of TFS/1 */

enum frame_err {
	FRAME_OK = 0,
	FRAME_ETOOBIG,		/* length above the decoder's limit */
	FRAME_ETRUNC,		/* stream ended inside a frame */
};

/*
 * Incremental decoder.  Input may be split anywhere.  The payload goes
 * into storage the caller owns (cap bytes); a header announcing more than
 * cap is rejected before a single payload byte is taken, so a peer's
 * length costs nothing.
 */
struct frame_dec {
	uint8_t		 hdr[FRAME_HDR_LEN];
	size_t		 hdr_have;
	uint8_t		 type;
	uint32_t	 len;
	size_t		 have;		/* payload bytes received */
	uint8_t		*buf;
	size_t		 cap;
	int		 ready;		/* a whole frame is in type/len/buf */
	enum frame_err	 err;		/* sticky once set */
};

void		frame_header_encode(uint8_t hdr[FRAME_HDR_LEN], uint8_t type,
		    uint32_t len);
/*
 * 1 when the n bytes at p begin with a whole frame (header and all of
 * its payload), 0 when more bytes are needed.  No limit is checked.
 */
int		frame_whole(const uint8_t *p, size_t n);
/*
 * Bytes of the frame under way that have arrived, header included (0
 * between frames); *type gets its type once the header is complete,
 * else 0.
 */
size_t		frame_dec_arrived(const struct frame_dec *, uint8_t *type);
void		frame_dec_init(struct frame_dec *, uint8_t *buf, size_t cap);
/*
 * Set the payload storage later (buf may be NULL at init, so a connection
 * that only sees empty payloads allocates nothing).  While it is NULL,
 * frame_dec_feed() stops at the first payload byte.
 */
void		frame_dec_setbuf(struct frame_dec *, uint8_t *buf);
/*
 * Consume up to n bytes; stops right after a frame completes.  Returns
 * the bytes consumed, or -1 with d->err set (the decoder stays failed).
 * A length above min(cap, FRAME_MAX) fails with FRAME_ETOOBIG.
 */
ssize_t		frame_dec_feed(struct frame_dec *, const void *in, size_t n);
/* Drop the ready frame and start on the next header. */
void		frame_dec_next(struct frame_dec *);
/* 1 when bytes of an unfinished frame are held (EOF now = truncation). */
int		frame_dec_partial(const struct frame_dec *);
/*
 * The stream ended: 0 between frames, or -1 with d->err = FRAME_ETRUNC
 * when a frame was cut short.
 */
int		frame_dec_eof(struct frame_dec *);
/*
 * Zero-copy path for big payloads: while inside a payload, *p is where
 * the next bytes belong (NULL if no storage is set yet) and the return is
 * how many are still due (0 when not inside a payload).
 * frame_dec_commit() accounts for n bytes put there.
 */
size_t		frame_dec_space(struct frame_dec *, uint8_t **p);
void		frame_dec_commit(struct frame_dec *, size_t n);
/*
 * Account for n payload bytes the caller took elsewhere (never stored
 * here): a payload moved from socket to file without passing through.
 */
void		frame_dec_skip(struct frame_dec *, size_t n);
const char     *frame_strerror(enum frame_err);

#endif /* COMMON_FRAME_H */
