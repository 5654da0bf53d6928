/*
 * fuzz_frame.c -- libFuzzer target for the network-facing decoders.
 *
 * The input is a byte stream from a hostile peer.  It is decoded twice:
 * once fed whole, once in pieces whose sizes (and whether a piece goes
 * through frame_dec_feed or the zero-copy space/commit path) are drawn
 * from the input's first byte; both must give the same frames and the
 * same final state.  Every complete frame goes through proto_decode, and
 * every message that decodes must encode back to the very same payload.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "path.h"
#include "proto.h"

#define MAXFRAMES	4096

struct seen {
	uint8_t		 type;
	uint32_t	 len;
	uint32_t	 hash;
};

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint8_t		 pay_a[FRAME_MAX], pay_b[FRAME_MAX];
static uint8_t		 enc[FRAME_MAX + 2 * 65536];
static struct seen	 seen_a[MAXFRAMES], seen_b[MAXFRAMES];

static uint32_t	rnd(uint32_t *);
static uint32_t	fnv(const uint8_t *, size_t);
static void	check_msg(const struct frame_dec *);
static void	take(const struct frame_dec *, struct seen *, size_t *);
static size_t	run_whole(const uint8_t *, size_t, size_t,
		    struct frame_dec *);
static size_t	run_split(const uint8_t *, size_t, size_t, uint32_t,
		    struct frame_dec *);

static uint32_t
rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static uint32_t
fnv(const uint8_t *p, size_t n)
{
	uint32_t	 h = 2166136261u;
	size_t		 i;

	for (i = 0; i < n; i++) {
		h = (h ^ p[i]) * 16777619u;
	}
	return h;
}

/* A frame that decodes must re-encode to exactly its payload. */
static void
check_msg(const struct frame_dec *d)
{
	struct tfs_msg	 m;
	enum proto_err	 e;
	ssize_t		 n;

	e = proto_decode(d->type, d->buf, d->len, &m);
	if (m.type != d->type) {
		abort();
	}
	if (e != PROTO_OK) {
		if (e == PROTO_EUNKNOWN && tfs_type_known(d->type)) {
			abort();
		}
		return;
	}
	/* paths from the wire go straight to the rules */
	(void)path_check((const char *)m.path.p, m.path.len, PATH_ALLOW_ROOT);
	(void)path_check((const char *)m.to.p, m.to.len, 0);
	if (proto_encoded_len(&m) != d->len) {
		abort();
	}
	n = proto_encode(&m, enc, sizeof(enc));
	if (n != (ssize_t)d->len || memcmp(enc, d->buf, d->len) != 0) {
		abort();
	}
	/* one byte less room must be refused, never overflowed */
	if (d->len > 0 && proto_encode(&m, enc, d->len - 1) != -1) {
		abort();
	}
}

static void
take(const struct frame_dec *d, struct seen *s, size_t *ns)
{
	if (*ns < MAXFRAMES) {
		s[*ns].type = d->type;
		s[*ns].len = d->len;
		s[*ns].hash = fnv(d->buf, d->len);
		(*ns)++;
	}
}

/* Feed everything at once (as often as frames complete). */
static size_t
run_whole(const uint8_t *p, size_t n, size_t cap, struct frame_dec *d)
{
	size_t	 off = 0, ns = 0;
	ssize_t	 used;

	frame_dec_init(d, pay_a, cap);
	while (off < n) {
		used = frame_dec_feed(d, p + off, n - off);
		if (used < 0) {
			break;
		}
		off += (size_t)used;
		if (d->ready) {
			check_msg(d);
			take(d, seen_a, &ns);
			frame_dec_next(d);
		} else if (off < n) {
			abort();	/* stopped early without a frame */
		}
	}
	return ns;
}

/* Feed in random pieces, sometimes through the zero-copy path. */
static size_t
run_split(const uint8_t *p, size_t n, size_t cap, uint32_t seed,
    struct frame_dec *d)
{
	size_t	 off = 0, ns = 0, piece, due;
	ssize_t	 used;
	uint8_t	*dst;

	frame_dec_init(d, pay_b, cap);
	while (off < n) {
		piece = 1 + rnd(&seed) % 64;
		if (piece > n - off) {
			piece = n - off;
		}
		due = frame_dec_space(d, &dst);
		if (due > 0 && (rnd(&seed) & 1)) {
			if (piece > due) {
				piece = due;
			}
			memcpy(dst, p + off, piece);
			frame_dec_commit(d, piece);
			used = (ssize_t)piece;
		} else {
			used = frame_dec_feed(d, p + off, piece);
			if (used < 0) {
				break;
			}
		}
		off += (size_t)used;
		if (d->ready) {
			take(d, seen_b, &ns);
			frame_dec_next(d);
		}
	}
	return ns;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 caps[4] = { FRAME_MAX, 64, 0, 70000 };
	struct frame_dec	 a, b;
	size_t			 na, nb, cap;

	if (size < 1) {
		return 0;
	}
	cap = caps[data[0] & 3];
	na = run_whole(data + 1, size - 1, cap, &a);
	nb = run_split(data + 1, size - 1, cap, data[0], &b);
	if (na != nb || memcmp(seen_a, seen_b, na * sizeof(seen_a[0])) != 0) {
		abort();
	}
	if (a.err != b.err || frame_dec_partial(&a) != frame_dec_partial(&b)) {
		abort();
	}
	if (frame_dec_eof(&a) != frame_dec_eof(&b) || a.err != b.err) {
		abort();
	}
	return 0;
}
