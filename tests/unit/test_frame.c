/*
 * test_frame.c -- the incremental frame decoder: the same frames however
 * the input is split, refusal of over-long lengths before any payload,
 * truncation at end of stream, and the zero-copy path.
 */

#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "frame.h"
#include "suites.h"

#define NFRAMES		6
#define STREAM_MAX	(NFRAMES * (FRAME_HDR_LEN + 3000))

struct got {
	uint8_t		 type;
	uint32_t	 len;
	uint8_t		 sum;	/* xor of the payload */
	uint8_t		 first, last;
};

static const uint32_t	 lens[NFRAMES] = { 0, 1, 5, 255, 2999, 0 };

static size_t	build_stream(uint8_t *);
static void	record(const struct frame_dec *, struct got *);
static int	decode_split(const uint8_t *, size_t, unsigned int,
		    struct got *);
static void	check_frames(const struct got *, int);

static void	test_frame_header_encode(void);
static void	test_frame_whole_stream(void);
static void	test_frame_byte_by_byte(void);
static void	test_frame_random_splits(void);
static void	test_frame_too_big_4g(void);
static void	test_frame_cap_limit(void);
static void	test_frame_frame_max(void);
static void	test_frame_truncated(void);
static void	test_frame_zero_copy(void);
static void	test_frame_late_buffer(void);
static void	test_frame_ready_stops(void);
static void	test_frame_strerror(void);

/* Frames of lens[] with type i+1 and payload bytes (i * 7 + j). */
static size_t
build_stream(uint8_t *s)
{
	size_t		 off = 0;
	uint32_t	 j;
	int		 i;

	for (i = 0; i < NFRAMES; i++) {
		frame_header_encode(s + off, (uint8_t)(i + 1), lens[i]);
		off += FRAME_HDR_LEN;
		for (j = 0; j < lens[i]; j++) {
			s[off++] = (uint8_t)(i * 7 + j);
		}
	}
	return off;
}

static void
record(const struct frame_dec *d, struct got *g)
{
	uint32_t	 j;

	g->type = d->type;
	g->len = d->len;
	g->sum = 0;
	for (j = 0; j < d->len; j++) {
		g->sum ^= d->buf[j];
	}
	g->first = d->len > 0 ? d->buf[0] : 0;
	g->last = d->len > 0 ? d->buf[d->len - 1] : 0;
}

/*
 * Feed n bytes in pieces: seed 0 all at once, 1 byte by byte, otherwise
 * random pieces of 1 .. 700 bytes drawn from seed.  Returns the frames.
 */
static int
decode_split(const uint8_t *s, size_t n, unsigned int seed, struct got *out)
{
	static uint8_t		 buf[4096];
	struct frame_dec	 d;
	size_t			 off = 0, piece;
	ssize_t			 used;
	int			 nf = 0;

	/* the records are compared with memcmp: clear their padding */
	memset(out, 0, NFRAMES * sizeof(*out));
	frame_dec_init(&d, buf, sizeof(buf));
	while (off < n) {
		if (seed == 0) {
			piece = n - off;
		} else if (seed == 1) {
			piece = 1;
		} else {
			piece = 1 + (size_t)(rand_r(&seed) % 700);
		}
		if (piece > n - off) {
			piece = n - off;
		}
		/* a piece may hold several frames: feed until it is used */
		while (piece > 0) {
			used = frame_dec_feed(&d, s + off, piece);
			CU_ASSERT_FATAL(used >= 0);
			off += (size_t)used;
			piece -= (size_t)used;
			if (d.ready) {
				CU_ASSERT_FATAL(nf < NFRAMES);
				record(&d, &out[nf++]);
				frame_dec_next(&d);
			} else {
				CU_ASSERT_EQUAL(piece, 0);
			}
		}
	}
	CU_ASSERT_FALSE(frame_dec_partial(&d));
	CU_ASSERT_EQUAL(frame_dec_eof(&d), 0);
	return nf;
}

static void
check_frames(const struct got *g, int nf)
{
	int	 i;

	CU_ASSERT_EQUAL_FATAL(nf, NFRAMES);
	for (i = 0; i < NFRAMES; i++) {
		CU_ASSERT_EQUAL(g[i].type, i + 1);
		CU_ASSERT_EQUAL(g[i].len, lens[i]);
		if (lens[i] > 0) {
			CU_ASSERT_EQUAL(g[i].first, (uint8_t)(i * 7));
			CU_ASSERT_EQUAL(g[i].last,
			    (uint8_t)(i * 7 + lens[i] - 1));
		}
	}
}

static void
test_frame_header_encode(void)
{
	uint8_t	 h[FRAME_HDR_LEN];
	uint8_t	 want[FRAME_HDR_LEN] = { 0x20, 0x01, 0x02, 0x03, 0x04 };

	frame_header_encode(h, 0x20, 0x01020304);
	CU_ASSERT_EQUAL(memcmp(h, want, sizeof(h)), 0);
}

static void
test_frame_whole_stream(void)
{
	static uint8_t	 s[STREAM_MAX];
	struct got	 g[NFRAMES];
	size_t		 n = build_stream(s);

	check_frames(g, decode_split(s, n, 0, g));
}

static void
test_frame_byte_by_byte(void)
{
	static uint8_t	 s[STREAM_MAX];
	struct got	 whole[NFRAMES], bytes[NFRAMES];
	size_t		 n = build_stream(s);
	int		 nf;

	nf = decode_split(s, n, 0, whole);
	CU_ASSERT_EQUAL_FATAL(decode_split(s, n, 1, bytes), nf);
	check_frames(bytes, nf);
	CU_ASSERT_EQUAL(memcmp(whole, bytes, sizeof(whole)), 0);
}

static void
test_frame_random_splits(void)
{
	static uint8_t	 s[STREAM_MAX];
	struct got	 whole[NFRAMES], split[NFRAMES];
	size_t		 n = build_stream(s);
	unsigned int	 seed;

	decode_split(s, n, 0, whole);
	for (seed = 2; seed < 202; seed++) {
		CU_ASSERT_EQUAL_FATAL(decode_split(s, n, seed, split),
		    NFRAMES);
		CU_ASSERT_EQUAL(memcmp(whole, split, sizeof(whole)), 0);
	}
}

/* A 4 GiB length is refused from the header alone, before any payload. */
static void
test_frame_too_big_4g(void)
{
	struct frame_dec	 d;
	uint8_t			 buf[16], in[FRAME_HDR_LEN + 8];

	memset(buf, 0, sizeof(buf));
	frame_dec_init(&d, buf, sizeof(buf));
	frame_header_encode(in, 0x20, 0xffffffffu);
	memset(in + FRAME_HDR_LEN, 'x', 8);
	CU_ASSERT_EQUAL(frame_dec_feed(&d, in, sizeof(in)), -1);
	CU_ASSERT_EQUAL(d.err, FRAME_ETOOBIG);
	CU_ASSERT_EQUAL(d.have, 0);
	CU_ASSERT_EQUAL(buf[0] == 'x', 0);
	/* sticky: the stream cannot be resynchronised */
	CU_ASSERT_EQUAL(frame_dec_feed(&d, in, 1), -1);
	frame_dec_next(&d);
	CU_ASSERT_EQUAL(d.err, FRAME_ETOOBIG);
	CU_ASSERT_EQUAL(frame_dec_eof(&d), -1);
	CU_ASSERT_EQUAL(d.err, FRAME_ETOOBIG);
}

/* The limit is the caller's storage: cap passes, cap + 1 fails. */
static void
test_frame_cap_limit(void)
{
	struct frame_dec	 d;
	uint8_t			 buf[100], in[FRAME_HDR_LEN + 100];

	memset(in, 'y', sizeof(in));
	frame_dec_init(&d, buf, sizeof(buf));
	frame_header_encode(in, 0x01, 100);
	CU_ASSERT_EQUAL(frame_dec_feed(&d, in, sizeof(in)),
	    (ssize_t)sizeof(in));
	CU_ASSERT_TRUE(d.ready);
	CU_ASSERT_EQUAL(d.len, 100);

	frame_dec_init(&d, buf, sizeof(buf));
	frame_header_encode(in, 0x01, 101);
	CU_ASSERT_EQUAL(frame_dec_feed(&d, in, FRAME_HDR_LEN), -1);
	CU_ASSERT_EQUAL(d.err, FRAME_ETOOBIG);
}

/* Bigger storage does not lift the protocol's own limit. */
static void
test_frame_frame_max(void)
{
	struct frame_dec	 d;
	uint8_t			 hdr[FRAME_HDR_LEN], *p;

	p = malloc(FRAME_MAX + 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	frame_dec_init(&d, p, FRAME_MAX + 2);
	frame_header_encode(hdr, 0x20, FRAME_MAX + 1);
	CU_ASSERT_EQUAL(frame_dec_feed(&d, hdr, sizeof(hdr)), -1);
	CU_ASSERT_EQUAL(d.err, FRAME_ETOOBIG);

	frame_dec_init(&d, p, FRAME_MAX + 2);
	frame_header_encode(hdr, 0x20, FRAME_MAX);
	CU_ASSERT_EQUAL(frame_dec_feed(&d, hdr, sizeof(hdr)), FRAME_HDR_LEN);
	CU_ASSERT_EQUAL(d.err, FRAME_OK);
	CU_ASSERT_TRUE(frame_dec_partial(&d));
	free(p);
}

/* End of stream inside a header or a payload is truncation; between is not. */
static void
test_frame_truncated(void)
{
	struct frame_dec	 d;
	uint8_t			 buf[64], in[FRAME_HDR_LEN + 10];

	frame_header_encode(in, 0x02, 10);
	memset(in + FRAME_HDR_LEN, 'z', 10);

	frame_dec_init(&d, buf, sizeof(buf));
	CU_ASSERT_FALSE(frame_dec_partial(&d));
	CU_ASSERT_EQUAL(frame_dec_eof(&d), 0);

	frame_dec_init(&d, buf, sizeof(buf));
	CU_ASSERT_EQUAL(frame_dec_feed(&d, in, 3), 3);
	CU_ASSERT_TRUE(frame_dec_partial(&d));
	CU_ASSERT_EQUAL(frame_dec_eof(&d), -1);
	CU_ASSERT_EQUAL(d.err, FRAME_ETRUNC);

	frame_dec_init(&d, buf, sizeof(buf));
	CU_ASSERT_EQUAL(frame_dec_feed(&d, in, sizeof(in) - 1),
	    (ssize_t)sizeof(in) - 1);
	CU_ASSERT_FALSE(d.ready);
	CU_ASSERT_TRUE(frame_dec_partial(&d));
	CU_ASSERT_EQUAL(frame_dec_eof(&d), -1);
	CU_ASSERT_EQUAL(d.err, FRAME_ETRUNC);

	/* a whole frame, ready: EOF after it is clean */
	frame_dec_init(&d, buf, sizeof(buf));
	CU_ASSERT_EQUAL(frame_dec_feed(&d, in, sizeof(in)),
	    (ssize_t)sizeof(in));
	CU_ASSERT_TRUE(d.ready);
	CU_ASSERT_FALSE(frame_dec_partial(&d));
	frame_dec_next(&d);
	CU_ASSERT_EQUAL(frame_dec_eof(&d), 0);
}

/* Payload bytes written straight into the decoder's storage. */
static void
test_frame_zero_copy(void)
{
	struct frame_dec	 d;
	uint8_t			 buf[1000], hdr[FRAME_HDR_LEN], *p;
	size_t			 due;

	frame_dec_init(&d, buf, sizeof(buf));
	CU_ASSERT_EQUAL(frame_dec_space(&d, &p), 0);
	frame_header_encode(hdr, 0x20, 600);
	CU_ASSERT_EQUAL(frame_dec_feed(&d, hdr, sizeof(hdr)), FRAME_HDR_LEN);
	due = frame_dec_space(&d, &p);
	CU_ASSERT_EQUAL(due, 600);
	CU_ASSERT_PTR_EQUAL(p, buf);
	memset(p, 'a', 250);
	frame_dec_commit(&d, 250);
	CU_ASSERT_FALSE(d.ready);
	due = frame_dec_space(&d, &p);
	CU_ASSERT_EQUAL(due, 350);
	CU_ASSERT_PTR_EQUAL(p, buf + 250);
	/* mixing: the rest through feed, with a next header behind it */
	{
		uint8_t	 rest[350 + FRAME_HDR_LEN];

		memset(rest, 'b', 350);
		frame_header_encode(rest + 350, 0x41, 0);
		CU_ASSERT_EQUAL(frame_dec_feed(&d, rest, sizeof(rest)), 350);
		CU_ASSERT_TRUE(d.ready);
		CU_ASSERT_EQUAL(buf[249], 'a');
		CU_ASSERT_EQUAL(buf[250], 'b');
		CU_ASSERT_EQUAL(frame_dec_space(&d, &p), 0);
		frame_dec_next(&d);
		CU_ASSERT_EQUAL(frame_dec_feed(&d, rest + 350, FRAME_HDR_LEN),
		    FRAME_HDR_LEN);
		CU_ASSERT_TRUE(d.ready);
		CU_ASSERT_EQUAL(d.type, 0x41);
		CU_ASSERT_EQUAL(d.len, 0);
	}
	/* a commit never runs past the frame */
	frame_dec_init(&d, buf, sizeof(buf));
	frame_header_encode(hdr, 0x20, 10);
	(void)frame_dec_feed(&d, hdr, sizeof(hdr));
	(void)frame_dec_space(&d, &p);
	frame_dec_commit(&d, 50);
	CU_ASSERT_TRUE(d.ready);
	CU_ASSERT_EQUAL(d.have, 10);
}

/* Without storage the decoder stops at the payload; setbuf resumes it. */
static void
test_frame_late_buffer(void)
{
	struct frame_dec	 d;
	uint8_t			 buf[32], in[FRAME_HDR_LEN + 4], *p;

	frame_dec_init(&d, NULL, sizeof(buf));
	frame_header_encode(in, 0x01, 4);
	memcpy(in + FRAME_HDR_LEN, "abcd", 4);
	CU_ASSERT_EQUAL(frame_dec_feed(&d, in, sizeof(in)), FRAME_HDR_LEN);
	CU_ASSERT_EQUAL(frame_dec_space(&d, &p), 4);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(frame_dec_feed(&d, in + FRAME_HDR_LEN, 4), 0);
	frame_dec_setbuf(&d, buf);
	CU_ASSERT_EQUAL(frame_dec_feed(&d, in + FRAME_HDR_LEN, 4), 4);
	CU_ASSERT_TRUE(d.ready);
	CU_ASSERT_EQUAL(memcmp(buf, "abcd", 4), 0);

	/* empty payloads never need storage */
	frame_dec_init(&d, NULL, sizeof(buf));
	frame_header_encode(in, 0x41, 0);
	CU_ASSERT_EQUAL(frame_dec_feed(&d, in, FRAME_HDR_LEN), FRAME_HDR_LEN);
	CU_ASSERT_TRUE(d.ready);
}

/* Feeding stops right after a frame, and takes nothing until next(). */
static void
test_frame_ready_stops(void)
{
	struct frame_dec	 d;
	uint8_t			 buf[32], in[2 * FRAME_HDR_LEN + 2];

	frame_header_encode(in, 0x05, 2);
	in[5] = 'h';
	in[6] = 'i';
	frame_header_encode(in + 7, 0x09, 0);
	frame_dec_init(&d, buf, sizeof(buf));
	CU_ASSERT_EQUAL(frame_dec_feed(&d, in, sizeof(in)), 7);
	CU_ASSERT_TRUE(d.ready);
	CU_ASSERT_EQUAL(frame_dec_feed(&d, in + 7, 5), 0);
	frame_dec_next(&d);
	CU_ASSERT_EQUAL(frame_dec_feed(&d, in + 7, 5), 5);
	CU_ASSERT_TRUE(d.ready);
	CU_ASSERT_EQUAL(d.type, 0x09);
}

static void
test_frame_strerror(void)
{
	CU_ASSERT_PTR_NOT_NULL(frame_strerror(FRAME_OK));
	CU_ASSERT_STRING_NOT_EQUAL(frame_strerror(FRAME_ETOOBIG),
	    frame_strerror(FRAME_ETRUNC));
}

CU_TestInfo tests_frame[] = {
	TEST(test_frame_header_encode),
	TEST(test_frame_whole_stream),
	TEST(test_frame_byte_by_byte),
	TEST(test_frame_random_splits),
	TEST(test_frame_too_big_4g),
	TEST(test_frame_cap_limit),
	TEST(test_frame_frame_max),
	TEST(test_frame_truncated),
	TEST(test_frame_zero_copy),
	TEST(test_frame_late_buffer),
	TEST(test_frame_ready_stops),
	TEST(test_frame_strerror),
	CU_TEST_INFO_NULL,
};
