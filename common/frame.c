/*
 * frame.c -- length-prefixed frames of TFS/1 on a byte stream.
 *
 * Owns the 5-byte header (type, u32 BE length) and the FRAME_MAX check.
 * The decoder is incremental: input may arrive split at any byte, and a
 * header announcing more than the caller's storage is refused before a
 * single payload byte is accepted, so a hostile length costs nothing.
 * Never knows what a type means and never does I/O.
 */

#include <string.h>

#include "frame.h"

static uint32_t	frame_header_len(const uint8_t *);
static size_t	frame_limit(const struct frame_dec *);
static ssize_t	frame_fail(struct frame_dec *, enum frame_err);
static int	frame_in_payload(const struct frame_dec *);
static size_t	frame_take_header(struct frame_dec *, const uint8_t *,
		    size_t);

void
frame_header_encode(uint8_t hdr[FRAME_HDR_LEN], uint8_t type, uint32_t len)
{
	hdr[0] = type;
	hdr[1] = (uint8_t)(len >> 24);
	hdr[2] = (uint8_t)(len >> 16);
	hdr[3] = (uint8_t)(len >> 8);
	hdr[4] = (uint8_t)len;
}

/* The length field of a header; p holds FRAME_HDR_LEN bytes. */
static uint32_t
frame_header_len(const uint8_t *p)
{
	return (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 8 | (uint32_t)p[4];
}

int
frame_whole(const uint8_t *p, size_t n)
{
	if (n < FRAME_HDR_LEN) {
		return 0;
	}
	return n - FRAME_HDR_LEN >= frame_header_len(p);
}

void
frame_dec_init(struct frame_dec *d, uint8_t *buf, size_t cap)
{
	memset(d, 0, sizeof(*d));
	d->buf = buf;
	d->cap = cap;
}

/*
 * Give the decoder its payload storage late, so that a connection that
 * only ever sees empty payloads never allocates it.  cap is unchanged.
 */
void
frame_dec_setbuf(struct frame_dec *d, uint8_t *buf)
{
	d->buf = buf;
}

/* The largest payload taken: the caller's storage, never above FRAME_MAX. */
static size_t
frame_limit(const struct frame_dec *d)
{
	return d->cap < FRAME_MAX ? d->cap : FRAME_MAX;
}

/* Errors are sticky: a stream that broke framing cannot be resynchronised. */
static ssize_t
frame_fail(struct frame_dec *d, enum frame_err err)
{
	d->err = err;
	return -1;
}

/* 1 once the header is complete and payload bytes are still due. */
static int
frame_in_payload(const struct frame_dec *d)
{
	return d->err == FRAME_OK && !d->ready &&
	    d->hdr_have == FRAME_HDR_LEN && d->have < d->len;
}

/* Take header bytes; returns how many of the n were used. */
static size_t
frame_take_header(struct frame_dec *d, const uint8_t *in, size_t n)
{
	size_t	 want = FRAME_HDR_LEN - d->hdr_have;

	if (n < want) {
		want = n;
	}
	memcpy(d->hdr + d->hdr_have, in, want);
	d->hdr_have += want;
	if (d->hdr_have == FRAME_HDR_LEN) {
		d->type = d->hdr[0];
		d->len = frame_header_len(d->hdr);
		d->have = 0;
	}
	return want;
}

/*
 * Consume up to n bytes; stops right after a frame completes, so the
 * caller sees every frame.  While the payload storage is not set yet
 * (buf NULL), stops at the start of the payload.  Returns the bytes
 * consumed (0 when a frame is already ready), or -1 with d->err set.
 */
ssize_t
frame_dec_feed(struct frame_dec *d, const void *in, size_t n)
{
	const uint8_t	*p = in;
	size_t		 used = 0, take;

	if (d->err != FRAME_OK) {
		return -1;
	}
	if (d->ready) {
		return 0;
	}
	if (d->hdr_have < FRAME_HDR_LEN) {
		used = frame_take_header(d, p, n);
		if (d->hdr_have < FRAME_HDR_LEN) {
			return (ssize_t)used;
		}
		/* len is from the peer: check it before taking payload */
		if (d->len > frame_limit(d)) {
			return frame_fail(d, FRAME_ETOOBIG);
		}
		if (d->len == 0) {
			d->ready = 1;
			return (ssize_t)used;
		}
	}
	if (d->buf == NULL) {
		return (ssize_t)used;
	}
	take = d->len - d->have;
	if (take > n - used) {
		take = n - used;
	}
	memcpy(d->buf + d->have, p + used, take);
	d->have += take;
	used += take;
	if (d->have == d->len) {
		d->ready = 1;
	}
	return (ssize_t)used;
}

void
frame_dec_next(struct frame_dec *d)
{
	if (d->err != FRAME_OK) {
		return;
	}
	d->hdr_have = 0;
	d->type = 0;
	d->len = 0;
	d->have = 0;
	d->ready = 0;
}

int
frame_dec_partial(const struct frame_dec *d)
{
	if (d->ready) {
		return 0;
	}
	return d->hdr_have > 0;
}

size_t
frame_dec_arrived(const struct frame_dec *d, uint8_t *type)
{
	*type = 0;
	if (d->ready || d->hdr_have == 0) {
		return 0;
	}
	if (d->hdr_have < FRAME_HDR_LEN) {
		return d->hdr_have;
	}
	*type = d->type;
	return FRAME_HDR_LEN + d->have;
}

/*
 * The stream ended.  Returns 0 when it ended between frames, or -1 with
 * FRAME_ETRUNC recorded when a frame was cut short.
 */
int
frame_dec_eof(struct frame_dec *d)
{
	if (d->err != FRAME_OK) {
		return -1;
	}
	if (frame_dec_partial(d)) {
		d->err = FRAME_ETRUNC;
		return -1;
	}
	return 0;
}

/*
 * Inside a payload, *p is where the next bytes go (NULL while no storage
 * is set) and the return is how many are still due; 0 otherwise.
 */
size_t
frame_dec_space(struct frame_dec *d, uint8_t **p)
{
	*p = NULL;
	if (!frame_in_payload(d)) {
		return 0;
	}
	if (d->buf != NULL) {
		*p = d->buf + d->have;
	}
	return d->len - d->have;
}

/* Account for n bytes written at frame_dec_space(); never past the frame. */
void
frame_dec_commit(struct frame_dec *d, size_t n)
{
	if (d->buf != NULL) {
		frame_dec_skip(d, n);
	}
}

void
frame_dec_skip(struct frame_dec *d, size_t n)
{
	if (!frame_in_payload(d)) {
		return;
	}
	if (n > d->len - d->have) {
		n = d->len - d->have;
	}
	d->have += n;
	if (d->have == d->len) {
		d->ready = 1;
	}
}

const char *
frame_strerror(enum frame_err err)
{
	switch (err) {
	case FRAME_OK:
		return "no error";
	case FRAME_ETOOBIG:
		return "frame length over the limit";
	case FRAME_ETRUNC:
		return "stream ended inside a frame";
	}
	return "unknown frame error";
}
