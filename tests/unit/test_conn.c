/*
 * test_conn.c -- a TFS/1 connection over socketpairs: messages both
 * ways, pipelining, big DATA read straight into the payload storage,
 * frames arriving in tiny pieces, idle and stall timeouts, cancellation
 * while idle, end of stream and refused frames; the minimum rate inside
 * a frame and the read deadline.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "conn.h"
#include "suites.h"
#include "testutil.h"
#include "xio.h"

#define MIB	(1024u * 1024)

static int	pair(struct conn *, struct conn *, uint32_t, int);
static const struct conn_wait *W(int);
static int	str_is(struct tfs_str, const char *);

static void	test_conn_roundtrip_messages(void);
static void	test_conn_pipelined_pending(void);
static void	test_conn_lazy_payload(void);
static void	test_conn_big_data(void);
static void	test_conn_tiny_pieces(void);
static void	test_conn_idle_timeout(void);
static void	test_conn_stall_timeout(void);
static void	test_conn_intr_idle_only(void);
static void	test_conn_eof(void);
static void	test_conn_too_big(void);
static void	test_conn_bad_msg(void);
static void	test_conn_send_error(void);
static void	test_conn_large_message(void);
static void	test_conn_min_rate_trickle(void);
static void	test_conn_min_rate_steady(void);
static void	test_conn_deadline(void);

/* The stall limit of the last pair(), for W(). */
static int	t_stall;

/* Two connections joined by a socketpair.  0 or -1. */
static int
pair(struct conn *a, struct conn *b, uint32_t maxp, int stall_ms)
{
	t_stall = stall_ms;
	return tu_conn_pair(a, b, maxp, stall_ms);
}

/* A read's wait: idle ms for a frame, the pair's stall inside it. */
static const struct conn_wait *
W(int idle)
{
	static struct conn_wait	 w;

	w.idle_ms = idle;
	w.stall_ms = t_stall;
	w.intr_fd = -1;
	w.intr_in_frame = 0;
	return &w;
}

static int
str_is(struct tfs_str s, const char *c)
{
	return s.len == strlen(c) && memcmp(s.p, c, s.len) == 0;
}

/* Each kind of message goes through the buffers and back out intact. */
static void
test_conn_roundtrip_messages(void)
{
	static const uint8_t	 dig[TFS_SHA256_LEN] = { 1, 2, 3 };
	struct conn		 a, b;
	struct tfs_msg		 m;
	uint64_t		 sent;

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 1000), 0);
	memset(&m, 0, sizeof(m));
	m.type = TFS_HELLO;
	m.version = TFS_VERSION;
	m.max_payload = FRAME_MAX;
	m.name = tfs_str_c("tfsd test");
	CU_ASSERT_EQUAL(conn_send(&a, &m), 0);
	memset(&m, 0, sizeof(m));
	m.type = TFS_ENTRY;
	m.kind = TFS_KIND_DIR;
	m.mtime = 1700000000;
	m.mode = 0755;
	m.name = tfs_str_c("sub");
	CU_ASSERT_EQUAL(conn_send(&a, &m), 0);
	memset(&m, 0, sizeof(m));
	m.type = TFS_DIGEST;
	m.algo = tfs_str_c("sha256");
	m.digest.p = dig;
	m.digest.len = sizeof(dig);
	CU_ASSERT_EQUAL(conn_send(&a, &m), 0);
	memset(&m, 0, sizeof(m));
	m.type = TFS_DATA;
	m.data = (const uint8_t *)"xyz";
	m.datalen = 3;
	CU_ASSERT_EQUAL(conn_send(&a, &m), 0);
	CU_ASSERT_EQUAL(conn_send_end(&a, 3), 0);
	CU_ASSERT_EQUAL(conn_send_ok(&a), 0);
	CU_ASSERT_EQUAL(a.wlen, 0);
	sent = a.bytes_out;

	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_HELLO);
	CU_ASSERT_EQUAL(m.max_payload, FRAME_MAX);
	CU_ASSERT_TRUE(str_is(m.name, "tfsd test"));
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_ENTRY);
	CU_ASSERT_EQUAL(m.kind, TFS_KIND_DIR);
	CU_ASSERT_EQUAL(m.mtime, 1700000000);
	CU_ASSERT_TRUE(str_is(m.name, "sub"));
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_DIGEST);
	CU_ASSERT_EQUAL(m.digest.len, TFS_SHA256_LEN);
	CU_ASSERT_EQUAL(memcmp(m.digest.p, dig, sizeof(dig)), 0);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_DATA);
	CU_ASSERT_EQUAL(m.datalen, 3);
	CU_ASSERT_EQUAL(memcmp(m.data, "xyz", 3), 0);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_END);
	CU_ASSERT_EQUAL(m.count, 3);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_OK);
	CU_ASSERT_EQUAL(b.bytes_in, sent);
	CU_ASSERT_EQUAL(conn_pending(&b), 0);
	tu_conn_unpair(&a, &b);
}

/* Requests sent back to back are seen as pending after the first. */
static void
test_conn_pipelined_pending(void)
{
	struct conn		 a, b;
	struct tfs_msg		 m;
	struct conn_frame	 f;

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 1000), 0);
	memset(&m, 0, sizeof(m));
	m.type = TFS_LIST;
	m.path = tfs_str_c("");
	CU_ASSERT_EQUAL(conn_send(&a, &m), 0);
	m.type = TFS_STAT;
	m.path = tfs_str_c("a/b");
	CU_ASSERT_EQUAL(conn_send(&a, &m), 0);
	CU_ASSERT_EQUAL(conn_send_frame(&a, TFS_QUIT, NULL, 0), 0);
	CU_ASSERT_EQUAL(b.bytes_in, 0);
	CU_ASSERT_EQUAL(conn_flush(&a), 0);

	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_LIST);
	CU_ASSERT_EQUAL(m.path.len, 0);
	/* STAT: header, u16 and "a/b"; QUIT: header alone */
	CU_ASSERT_EQUAL(conn_pending(&b), 5 + 2 + 3 + 5);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_STAT);
	CU_ASSERT_TRUE(str_is(m.path, "a/b"));
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(1000), &f), 1);
	CU_ASSERT_EQUAL(f.type, TFS_QUIT);
	CU_ASSERT_EQUAL(f.len, 0);
	CU_ASSERT_PTR_NOT_NULL(f.payload);
	CU_ASSERT_EQUAL(conn_pending(&b), 0);
	tu_conn_unpair(&a, &b);
}

/* Empty frames never make the payload storage exist. */
static void
test_conn_lazy_payload(void)
{
	struct conn	 a, b;
	struct tfs_msg	 m;

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 1000), 0);
	CU_ASSERT_EQUAL(conn_send_ok(&a), 0);
	CU_ASSERT_EQUAL(conn_send_frame(&a, TFS_QUIT, NULL, 0), 0);
	CU_ASSERT_EQUAL(conn_flush(&a), 0);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), 1);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_QUIT);
	CU_ASSERT_PTR_NULL(b.payload);
	CU_ASSERT_EQUAL(conn_send_end(&a, 5), 0);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.count, 5);
	CU_ASSERT_PTR_NOT_NULL(b.payload);
	tu_conn_unpair(&a, &b);
}

/* Three 1 MiB DATA frames and a short one, sent by a child. */
static void
test_conn_big_data(void)
{
	struct conn	 a, b;
	struct tfs_msg	 m;
	uint8_t		*buf;
	uint64_t	 got = 0, total = 3 * MIB + 1000;
	size_t		 i, bad = 0;
	pid_t		 pid;

	buf = malloc(total);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	tu_fill(buf, total, 0);
	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 5000), 0);
	if ((pid = fork()) == 0) {
		(void)close(b.fd);
		memset(&m, 0, sizeof(m));
		m.type = TFS_DATA;
		for (i = 0, bad = 0; i < 4 && bad == 0; i++) {
			m.data = buf + i * MIB;
			m.datalen = i < 3 ? MIB : 1000;
			bad = conn_send(&a, &m) == -1;
		}
		if (bad == 0) {
			bad = conn_send_end(&a, total) == -1 ? 2 : 0;
		}
		/* tidy, so that valgrind sees no leak in the child either */
		conn_free(&a);
		conn_free(&b);
		free(buf);
		_exit((int)bad);
	}
	(void)close(a.fd);
	a.fd = -1;
	while (conn_read_msg(&b, W(5000), &m, NULL) == 1 &&
	    m.type == TFS_DATA) {
		for (i = 0; i < m.datalen; i++) {
			bad += m.data[i] != buf[got + i];
		}
		got += m.datalen;
	}
	CU_ASSERT_EQUAL(m.type, TFS_END);
	CU_ASSERT_EQUAL(m.count, total);
	CU_ASSERT_EQUAL(got, total);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(b.bytes_in, total + 5 * 5 + 8);
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
	tu_conn_unpair(&a, &b);
	free(buf);
}

/*
 * A child writes a stream of frames in pieces of 1 .. 7 bytes with
 * pauses; the reader sees the same frames, the 40 KiB one included.
 */
static void
test_conn_tiny_pieces(void)
{
	struct conn	 a, b;
	struct tfs_msg	 m;
	uint8_t		*s, big[40000];
	size_t		 n = 0, off, k, i;
	unsigned int	 seed = 99;
	ssize_t		 r;
	pid_t		 pid;
	int		 j;

	tu_fill(big, sizeof(big), 5);
	s = malloc(sizeof(big) + 1024);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* GET "f" 7, DATA 40000, OK, END 40000 */
	memcpy(s, "\x03\x00\x00\x00\x0b\x00\x01" "f" "\0\0\0\0\0\0\0\x07",
	    16);
	n = 16;
	frame_header_encode(s + n, TFS_DATA, sizeof(big));
	memcpy(s + n + 5, big, sizeof(big));
	n += 5 + sizeof(big);
	frame_header_encode(s + n, TFS_OK, 0);
	n += 5;
	frame_header_encode(s + n, TFS_END, 8);
	memcpy(s + n + 5, "\0\0\0\0\0\0\x9c\x40", 8);
	n += 13;

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 2000), 0);
	if ((pid = fork()) == 0) {
		(void)close(b.fd);
		(void)xio_set_nonblock(a.fd, 0);
		for (off = 0, j = 0; off < n; off += k, j++) {
			k = 1 + (size_t)(rand_r(&seed) % 7);
			k = k > n - off ? n - off : k;
			if ((r = write(a.fd, s + off, k)) <= 0) {
				_exit(1);
			}
			k = (size_t)r;
			if (j % 2000 == 0) {
				tu_sleep_ms(1);
			}
		}
		_exit(0);
	}
	(void)close(a.fd);
	a.fd = -1;
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(2000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_GET);
	CU_ASSERT_TRUE(str_is(m.path, "f"));
	CU_ASSERT_EQUAL(m.offset, 7);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(2000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_DATA);
	CU_ASSERT_EQUAL_FATAL(m.datalen, sizeof(big));
	for (i = 0, k = 0; i < sizeof(big); i++) {
		k += m.data[i] != big[i];
	}
	CU_ASSERT_EQUAL(k, 0);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(2000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_OK);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(2000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_END);
	CU_ASSERT_EQUAL(m.count, 40000);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(2000), &m, NULL), 0);
	CU_ASSERT_EQUAL(b.bytes_in, n);
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
	tu_conn_unpair(&a, &b);
	free(s);
}

static void
test_conn_idle_timeout(void)
{
	struct conn		 a, b;
	struct conn_frame	 f;
	int64_t			 t0;

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 5000), 0);
	t0 = xio_now_ms();
	errno = 0;
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(100), &f), -1);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	CU_ASSERT(xio_now_ms() - t0 < 2000);
	tu_conn_unpair(&a, &b);
}

/* Once a frame has begun, the stall timeout applies, not idle_ms. */
static void
test_conn_stall_timeout(void)
{
	struct conn		 a, b;
	struct conn_frame	 f;
	uint8_t			 hdr[FRAME_HDR_LEN];
	int64_t			 t0;

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 100), 0);
	frame_header_encode(hdr, TFS_LIST, 10);
	CU_ASSERT_EQUAL(write(a.fd, hdr, 3), 3);
	t0 = xio_now_ms();
	errno = 0;
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(-1), &f), -1);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	CU_ASSERT(xio_now_ms() - t0 < 2000);
	tu_conn_unpair(&a, &b);

	/* inside the payload */
	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 100), 0);
	CU_ASSERT_EQUAL(write(a.fd, hdr, 5), 5);
	CU_ASSERT_EQUAL(write(a.fd, "\0\x08" "abcd", 6), 6);
	errno = 0;
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(-1), &f), -1);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	tu_conn_unpair(&a, &b);
}

/*
 * intr_fd ends an idle wait, but not a frame already begun: its rest,
 * sent 100 ms later, is still read.
 */
static void
test_conn_intr_idle_only(void)
{
	struct conn		 a, b;
	struct conn_frame	 f;
	struct conn_wait	 w = { 3000, 3000, -1, 0 };
	uint8_t			 fr[FRAME_HDR_LEN + 2];
	pid_t			 pid;
	int			 ip[2];

	CU_ASSERT_EQUAL_FATAL(pipe2(ip, O_CLOEXEC), 0);
	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 3000), 0);
	w.intr_fd = ip[0];
	CU_ASSERT_EQUAL(write(ip[1], "!", 1), 1);
	errno = 0;
	CU_ASSERT_EQUAL(conn_read_frame(&b, &w, &f), -1);
	CU_ASSERT_EQUAL(errno, ECANCELED);

	frame_header_encode(fr, TFS_SUM, 2);
	fr[5] = 0;
	fr[6] = 0;
	CU_ASSERT_EQUAL(write(a.fd, fr, 4), 4);
	if ((pid = fork()) == 0) {
		tu_sleep_ms(100);
		_exit(write(a.fd, fr + 4, 3) == 3 ? 0 : 1);
	}
	CU_ASSERT_EQUAL(conn_read_frame(&b, &w, &f), 1);
	CU_ASSERT_EQUAL(f.type, TFS_SUM);
	CU_ASSERT_EQUAL(f.len, 2);
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
	/* idle again: cancelled again */
	errno = 0;
	CU_ASSERT_EQUAL(conn_read_frame(&b, &w, &f), -1);
	CU_ASSERT_EQUAL(errno, ECANCELED);
	tu_close_pair(ip);
	tu_conn_unpair(&a, &b);
}

/* End of stream between frames is 0; inside one, truncation. */
static void
test_conn_eof(void)
{
	struct conn		 a, b;
	struct conn_frame	 f;
	uint8_t			 fr[FRAME_HDR_LEN + 4];

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 1000), 0);
	CU_ASSERT_EQUAL(conn_send_ok(&a), 0);
	(void)close(a.fd);
	a.fd = -1;
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(1000), &f), 1);
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(1000), &f), 0);
	tu_conn_unpair(&a, &b);

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 1000), 0);
	memset(fr, 'p', sizeof(fr));
	frame_header_encode(fr, TFS_DATA, 4);
	CU_ASSERT_EQUAL(write(a.fd, fr, 7), 7);
	(void)close(a.fd);
	a.fd = -1;
	errno = 0;
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(1000), &f), -1);
	CU_ASSERT_EQUAL(errno, EPROTO);
	CU_ASSERT_EQUAL(conn_frame_error(&b), FRAME_ETRUNC);
	tu_conn_unpair(&a, &b);
}

/* Over-long lengths: the protocol's and the connection's own limit. */
static void
test_conn_too_big(void)
{
	struct conn		 a, b;
	struct conn_frame	 f;
	uint8_t			 hdr[FRAME_HDR_LEN];

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 1000), 0);
	frame_header_encode(hdr, TFS_DATA, FRAME_MAX + 1);
	CU_ASSERT_EQUAL(write(a.fd, hdr, sizeof(hdr)), 5);
	errno = 0;
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(1000), &f), -1);
	CU_ASSERT_EQUAL(errno, EPROTO);
	CU_ASSERT_EQUAL(conn_frame_error(&b), FRAME_ETOOBIG);
	CU_ASSERT_PTR_NULL(b.payload);
	/* sticky */
	CU_ASSERT_EQUAL(conn_send_ok(&a), 0);
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(1000), &f), -1);
	tu_conn_unpair(&a, &b);

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 1000, 1000), 0);
	frame_header_encode(hdr, TFS_DATA, 1001);
	CU_ASSERT_EQUAL(write(a.fd, hdr, sizeof(hdr)), 5);
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(1000), &f), -1);
	CU_ASSERT_EQUAL(conn_frame_error(&b), FRAME_ETOOBIG);
	tu_conn_unpair(&a, &b);
}

/* A payload that does not decode; an unknown type is skipped whole. */
static void
test_conn_bad_msg(void)
{
	struct conn	 a, b;
	struct tfs_msg	 m;
	enum proto_err	 e;

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 1000), 0);
	CU_ASSERT_EQUAL(conn_send_frame(&a, TFS_LIST, "\0\x09" "ab", 4), 0);
	CU_ASSERT_EQUAL(conn_send_frame(&a, 0x33, "xyz", 3), 0);
	CU_ASSERT_EQUAL(conn_send_frame(&a, TFS_DATA, NULL, 0), 0);
	CU_ASSERT_EQUAL(conn_send_frame(&a, TFS_END, "\0\0\0\0\0\0\0\0\0",
	    9), 0);
	CU_ASSERT_EQUAL(conn_send_ok(&a), 0);
	errno = 0;
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, &e), -1);
	CU_ASSERT_EQUAL(errno, EBADMSG);
	CU_ASSERT_EQUAL(e, PROTO_ESHORT);
	CU_ASSERT_EQUAL(m.type, TFS_LIST);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, &e), -1);
	CU_ASSERT_EQUAL(e, PROTO_EUNKNOWN);
	CU_ASSERT_EQUAL(m.type, 0x33);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, &e), -1);
	CU_ASSERT_EQUAL(e, PROTO_EEMPTY);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), -1);
	CU_ASSERT_EQUAL(errno, EBADMSG);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, &e), 1);
	CU_ASSERT_EQUAL(e, PROTO_OK);
	CU_ASSERT_EQUAL(m.type, TFS_OK);
	tu_conn_unpair(&a, &b);
}

static void
test_conn_send_error(void)
{
	struct conn	 a, b;
	struct tfs_msg	 m;
	char		 longmsg[3000];

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 1000), 0);
	CU_ASSERT_EQUAL(conn_send_error(&a, TFS_ENOT_FOUND, NULL), 0);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_ERROR);
	CU_ASSERT_EQUAL(m.code, TFS_ENOT_FOUND);
	CU_ASSERT_TRUE(str_is(m.text, "no such file or folder"));

	CU_ASSERT_EQUAL(conn_send_error(&a, TFS_EBAD_PATH, "%s: %d", "x/..",
	    4), 0);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), 1);
	CU_ASSERT_EQUAL(m.code, TFS_EBAD_PATH);
	CU_ASSERT_TRUE(str_is(m.text, "x/..: 4"));

	memset(longmsg, 'L', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	CU_ASSERT_EQUAL(conn_send_error(&a, TFS_EIO, "%s", longmsg), 0);
	CU_ASSERT_EQUAL(conn_read_msg(&b, W(1000), &m, NULL), 1);
	CU_ASSERT(m.text.len > 0 && m.text.len < sizeof(longmsg));
	tu_conn_unpair(&a, &b);
}

/* A message bigger than the write buffer (two 64 KiB names). */
static void
test_conn_large_message(void)
{
	struct conn	 a, b;
	struct tfs_msg	 m;
	char		*name;
	pid_t		 pid;

	name = malloc(UINT16_MAX);
	CU_ASSERT_PTR_NOT_NULL_FATAL(name);
	memset(name, 'r', UINT16_MAX);
	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 3000), 0);
	if ((pid = fork()) == 0) {
		(void)close(a.fd);
		free(name);
		if (conn_read_msg(&b, W(3000), &m, NULL) != 1 ||
		    m.type != TFS_OK) {
			_exit(2);
		}
		if (conn_read_msg(&b, W(3000), &m, NULL) != 1 ||
		    m.type != TFS_RENAME || m.path.len != UINT16_MAX ||
		    m.to.len != UINT16_MAX || m.to.p[UINT16_MAX - 1] != 'r') {
			_exit(1);
		}
		conn_free(&a);
		conn_free(&b);
		_exit(0);
	}
	(void)close(b.fd);
	b.fd = -1;
	/* queued before it: flushed first, then the buffer grows */
	CU_ASSERT_EQUAL(conn_send_frame(&a, TFS_OK, NULL, 0), 0);
	memset(&m, 0, sizeof(m));
	m.type = TFS_RENAME;
	m.path.p = (const uint8_t *)name;
	m.path.len = UINT16_MAX;
	m.to = m.path;
	CU_ASSERT_EQUAL(conn_send(&a, &m), 0);
	CU_ASSERT_EQUAL(conn_flush(&a), 0);
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
	tu_conn_unpair(&a, &b);
	free(name);
}

/*
 * Under a minimum rate of 1000 bytes/s judged over 300 ms, a frame whose
 * bytes come one every 40 ms (25 bytes/s) fails with ETIMEDOUT once a
 * window has passed, long before the 5 s stall limit.
 */
static void
test_conn_min_rate_trickle(void)
{
	struct conn		 a, b;
	struct conn_frame	 f;
	uint8_t			 fr[FRAME_HDR_LEN + 100];
	int64_t			 t0;
	pid_t			 pid;

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 5000), 0);
	conn_set_min_rate(&b, 1000, 300);
	frame_header_encode(fr, TFS_LIST, 100);
	memset(fr + FRAME_HDR_LEN, 'x', 100);
	pid = tu_trickle(a.fd, b.fd, fr, sizeof(fr), 1, 40, 0);
	t0 = xio_now_ms();
	errno = 0;
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(5000), &f), -1);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	CU_ASSERT(xio_now_ms() - t0 >= 300);
	CU_ASSERT(xio_now_ms() - t0 < 2000);
	tu_conn_unpair(&a, &b);
	(void)tu_wait(pid);
}

/*
 * A frame that arrives slowly but above the rate (100 bytes every 20
 * ms, 5000 bytes/s, 600 ms for the whole) is read: bytes count, not
 * frames.
 */
static void
test_conn_min_rate_steady(void)
{
	struct conn		 a, b;
	struct conn_frame	 f;
	static uint8_t		 fr[FRAME_HDR_LEN + 3000];
	pid_t			 pid;

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 5000), 0);
	conn_set_min_rate(&b, 1000, 300);
	frame_header_encode(fr, TFS_DATA, 3000);
	memset(fr + FRAME_HDR_LEN, 'y', 3000);
	pid = tu_trickle(a.fd, b.fd, fr, sizeof(fr), 100, 20, 0);
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(5000), &f), 1);
	CU_ASSERT_EQUAL(f.type, TFS_DATA);
	CU_ASSERT_EQUAL(f.len, 3000);
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
	tu_conn_unpair(&a, &b);
}

/*
 * A deadline ends a read whether or not bytes keep coming, and the
 * wait for a first byte too; cleared, the frame is read on.
 */
static void
test_conn_deadline(void)
{
	struct conn		 a, b;
	struct conn_frame	 f;
	uint8_t			 fr[FRAME_HDR_LEN + 40];
	int64_t			 t0;
	pid_t			 pid;

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b, 0, 5000), 0);
	t0 = xio_now_ms();
	conn_set_deadline(&b, t0 + 200);
	errno = 0;
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(-1), &f), -1);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	CU_ASSERT(xio_now_ms() - t0 >= 190);
	CU_ASSERT(xio_now_ms() - t0 < 2000);

	frame_header_encode(fr, TFS_LIST, 40);
	memset(fr + FRAME_HDR_LEN, 'z', 40);
	pid = tu_trickle(a.fd, b.fd, fr, sizeof(fr), 1, 20, 0);
	t0 = xio_now_ms();
	conn_set_deadline(&b, t0 + 300);
	errno = 0;
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(-1), &f), -1);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	CU_ASSERT(xio_now_ms() - t0 < 900);
	conn_set_deadline(&b, 0);
	CU_ASSERT_EQUAL(conn_read_frame(&b, W(5000), &f), 1);
	CU_ASSERT_EQUAL(f.len, 40);
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
	tu_conn_unpair(&a, &b);
}

CU_TestInfo tests_conn[] = {
	TEST(test_conn_roundtrip_messages),
	TEST(test_conn_pipelined_pending),
	TEST(test_conn_lazy_payload),
	TEST(test_conn_big_data),
	TEST(test_conn_tiny_pieces),
	TEST(test_conn_idle_timeout),
	TEST(test_conn_stall_timeout),
	TEST(test_conn_intr_idle_only),
	TEST(test_conn_eof),
	TEST(test_conn_too_big),
	TEST(test_conn_bad_msg),
	TEST(test_conn_send_error),
	TEST(test_conn_large_message),
	TEST(test_conn_min_rate_trickle),
	TEST(test_conn_min_rate_steady),
	TEST(test_conn_deadline),
	CU_TEST_INFO_NULL,
};
