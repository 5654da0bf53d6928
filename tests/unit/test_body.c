/*
 * test_body.c -- file bodies on the wire (body.c) over socketpairs and
 * loopback TCP: a file range sent in frames of a given size by each way
 * of sending (sendfile, a mapping, reads) and received into a file by
 * each way of receiving (splice through a pipe, reads), small frames
 * coalesced with what is queued, a file that shrinks between frames,
 * progress that stops a transfer, every rule a receiver checks, a failed
 * write drained, ticks, stalls and Ctrl-C; a minimum rate both ways.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "body.h"
#include "suites.h"
#include "testutil.h"
#include "xio.h"

#define MIB	(1024u * 1024)

struct counts {
	uint64_t	 calls;
	uint64_t	 last;
	int		 stop_after;	/* calls; 0 = never */
	int		 shrink_fd;	/* truncate it on the first call */
	int		 backwards;	/* a call reported less than before */
};

static int	pair(struct conn *, struct conn *);
static int	count(void *, uint64_t);
static int	seen_bytes(void *, const uint8_t *, size_t);
static int	tcp_pair(int *, int *);
static pid_t	tcp_sender(struct conn *, int, uint64_t, uint64_t,
		    enum body_how);
static int	check_file(int, uint64_t, uint64_t);
static void	sender(struct conn *, int, uint64_t, uint64_t, uint32_t,
		    enum body_how) __attribute__((noreturn));
static enum body_rc recv_raw(const void *, size_t, uint64_t, int,
		    struct body_stat *);

static void	test_body_range(void);
static void	test_body_small_queued(void);
static void	test_body_empty(void);
static void	test_body_progress_stops(void);
static void	test_body_shrinks(void);
static void	test_body_recv_rules(void);
static void	test_body_write_drain(void);
static void	test_body_inspect(void);
static void	test_body_ticks_stall(void);
static void	test_body_intr(void);
static void	test_body_tcp(void);
static void	test_body_splice_write_drain(void);
static void	test_body_splice_refused(void);
static void	test_body_min_rate_recv(void);
static void	test_body_min_rate_send(void);
static size_t	lay_frames(uint8_t *, int, uint32_t);

/* A joined pair with the default payload limit and a 5 s stall limit. */
static int
pair(struct conn *a, struct conn *b)
{
	return tu_conn_pair(a, b, 0, 5000);
}

static int
count(void *arg, uint64_t done)
{
	struct counts	*c = arg;

	c->calls++;
	if (done < c->last) {
		c->backwards = 1;
	}
	c->last = done;
	if (c->shrink_fd != -1 && ftruncate(c->shrink_fd, 1000) == -1) {
		return 1;
	}
	return c->stop_after != 0 && c->calls >= (uint64_t)c->stop_after;
}

/* A connected loopback TCP pair.  0 or -1. */
static int
tcp_pair(int *cli, int *srv)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 l;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		return -1;
	}
	if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(l, 1) == -1 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) == -1 ||
	    (*cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(*cli, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (*srv = accept4(l, NULL, NULL, SOCK_CLOEXEC)) == -1) {
		(void)close(l);
		return -1;
	}
	(void)close(l);
	return 0;
}

/* 1 when fd holds exactly pattern bytes start .. start+n-1. */
/*
 * A TCP connection, b on this end, whose other end is a child sending
 * len bytes of fd from off as how says.  The child's pid.
 */
static pid_t
tcp_sender(struct conn *b, int fd, uint64_t off, uint64_t len,
    enum body_how how)
{
	struct conn	 a;
	pid_t		 pid;
	int		 cli = -1, srv = -1;

	CU_ASSERT_EQUAL_FATAL(tcp_pair(&cli, &srv), 0);
	CU_ASSERT_EQUAL_FATAL(conn_init(&a, srv, 0, 5000, -1), 0);
	if ((pid = fork()) == 0) {
		(void)close(cli);
		sender(&a, fd, off, len, 0, how);
	}
	(void)close(srv);
	conn_free(&a);
	CU_ASSERT_EQUAL_FATAL(conn_init(b, cli, 0, 5000, -1), 0);
	return pid;
}

static int
check_file(int fd, uint64_t start, uint64_t n)
{
	uint8_t		 buf[65536];
	uint64_t	 i = 0;
	ssize_t		 r;
	size_t		 k;

	if (lseek(fd, 0, SEEK_END) != (off_t)n) {
		return 0;
	}
	while (i < n) {
		r = pread(fd, buf, sizeof(buf), (off_t)i);
		if (r <= 0) {
			return 0;
		}
		for (k = 0; k < (size_t)r; k++) {
			if (buf[k] != tu_pattern(start + i + k)) {
				return 0;
			}
		}
		i += (uint64_t)r;
	}
	return 1;
}

/* Child: body_send of fd's range, flushed; exit 0 on BODY_OK. */
static void
sender(struct conn *a, int fd, uint64_t off, uint64_t len, uint32_t fmax,
    enum body_how how)
{
	struct body_opts	 o;
	struct body_stat	 st;
	int			 ok;

	memset(&o, 0, sizeof(o));
	o.frame_max = fmax;
	o.how = how;
	ok = body_send(a, fd, off, len, &o, &st) == BODY_OK &&
	    conn_flush(a) == 0 && st.done == len;
	conn_free(a);
	_exit(ok ? 0 : 1);
}

/*
 * A range of a 4 MiB file in frames of 256 KiB, sent each way and
 * received each way into a file: every byte right, progress called as
 * pieces arrive (at least once a frame, never going back), END counted.
 */
static void
test_body_range(void)
{
	static const enum body_how hows[] = { BODY_SENDFILE, BODY_MAP,
		BODY_READ };
	struct conn		 a, b;
	struct body_opts	 o;
	struct body_stat	 st;
	struct body_pipe	 bp;
	struct counts		 c;
	uint64_t		 off = 54321, len = 3 * MIB + 17;
	size_t			 i;
	pid_t			 pid;
	int			 fd, out, spliced;

	fd = tu_pattern_file(4 * MIB);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL_FATAL(body_pipe_open(&bp), 0);
	for (i = 0; i < 2 * sizeof(hows) / sizeof(hows[0]); i++) {
		spliced = i % 2;
		out = tu_pattern_file(0);
		CU_ASSERT_FATAL(out != -1);
		CU_ASSERT_EQUAL_FATAL(pair(&a, &b), 0);
		if ((pid = fork()) == 0) {
			(void)close(b.fd);
			sender(&a, fd, off, len, 256 * 1024, hows[i / 2]);
		}
		(void)close(a.fd);
		a.fd = -1;
		memset(&o, 0, sizeof(o));
		memset(&c, 0, sizeof(c));
		c.shrink_fd = -1;
		o.stall_ms = 5000;
		o.intr_fd = -1;
		o.pipe = spliced ? &bp : NULL;
		o.progress = count;
		o.arg = &c;
		CU_ASSERT_EQUAL(body_recv(&b, out, len, &o, &st), BODY_OK);
		CU_ASSERT_EQUAL(st.done, len);
		CU_ASSERT(c.calls >= 13 && !c.backwards);
		CU_ASSERT_EQUAL(c.last, len);
		CU_ASSERT_EQUAL(b.bytes_in, len + 13 * 5 + 5 + 8);
		CU_ASSERT(check_file(out, off, len));
		CU_ASSERT_EQUAL(tu_wait(pid), 0);
		tu_conn_unpair(&a, &b);
		(void)close(out);
	}
	body_pipe_close(&bp);
	(void)close(fd);
}

/*
 * A small body is queued behind a reply already queued: nothing is
 * written until the flush, then reply, DATA and END arrive together.
 */
static void
test_body_small_queued(void)
{
	struct conn		 a, b;
	struct body_opts	 o;
	struct body_stat	 st;
	struct tfs_msg		 m = { .type = TFS_FILE, .size = 1000 };
	struct conn_wait	 w = { 1000, 1000, -1, 0 };
	int			 fd;

	fd = tu_pattern_file(1000);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL_FATAL(pair(&a, &b), 0);
	memset(&o, 0, sizeof(o));
	CU_ASSERT_EQUAL(conn_send(&a, &m), 0);
	CU_ASSERT_EQUAL(body_send(&a, fd, 0, 1000, &o, &st), BODY_OK);
	CU_ASSERT_EQUAL(a.bytes_out, 0);
	CU_ASSERT_EQUAL(conn_flush(&a), 0);
	CU_ASSERT_EQUAL(a.bytes_out, 5 + 16 + 5 + 1000 + 5 + 8);
	CU_ASSERT_EQUAL(conn_read_msg(&b, &w, &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_FILE);
	CU_ASSERT_EQUAL(conn_read_msg(&b, &w, &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_DATA);
	CU_ASSERT_EQUAL(m.datalen, 1000);
	CU_ASSERT_EQUAL(m.data[999], tu_pattern(999));
	CU_ASSERT_EQUAL(conn_read_msg(&b, &w, &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_END);
	CU_ASSERT_EQUAL(m.count, 1000);
	tu_conn_unpair(&a, &b);
	(void)close(fd);
}

/* An empty body is END 0 alone, both ways. */
static void
test_body_empty(void)
{
	struct conn		 a, b;
	struct body_opts	 o;
	struct body_stat	 st;
	struct counts		 c = { 0, 0, 0, -1, 0 };
	int			 fd;

	fd = tu_pattern_file(10);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL_FATAL(pair(&a, &b), 0);
	memset(&o, 0, sizeof(o));
	o.stall_ms = 1000;
	o.intr_fd = -1;
	o.progress = count;
	o.arg = &c;
	CU_ASSERT_EQUAL(body_send(&a, fd, 10, 0, &o, &st), BODY_OK);
	CU_ASSERT_EQUAL(conn_flush(&a), 0);
	CU_ASSERT_EQUAL(a.bytes_out, 5 + 8);
	CU_ASSERT_EQUAL(c.calls, 0);
	CU_ASSERT_EQUAL(body_recv(&b, -1, 0, &o, &st), BODY_OK);
	CU_ASSERT_EQUAL(st.done, 0);
	tu_conn_unpair(&a, &b);
	(void)close(fd);
}

/* A progress callback that says stop ends the transfer: ECANCELED. */
static void
test_body_progress_stops(void)
{
	struct conn		 a, b;
	struct body_opts	 o;
	struct body_stat	 st;
	struct counts		 c = { 0, 0, 1, -1, 0 };
	int			 fd;

	/* frames too big to be queued: the first one leaves at once */
	fd = tu_pattern_file(300000);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL_FATAL(pair(&a, &b), 0);
	memset(&o, 0, sizeof(o));
	o.frame_max = 65536;
	o.progress = count;
	o.arg = &c;
	errno = 0;
	CU_ASSERT_EQUAL(body_send(&a, fd, 0, 300000, &o, &st), BODY_BROKEN);
	CU_ASSERT_EQUAL(errno, ECANCELED);
	CU_ASSERT_EQUAL(st.done, 65536);
	CU_ASSERT_EQUAL(a.bytes_out, 65536 + 5);
	tu_conn_unpair(&a, &b);
	(void)close(fd);
}

/*
 * The file shrinks after the first frame: the second is never begun
 * (BODY_SHORT), no END goes out, and the stream is in step.
 */
static void
test_body_shrinks(void)
{
	struct conn		 a, b;
	struct body_opts	 o;
	struct body_stat	 st;
	struct counts		 c = { 0, 0, 0, -1, 0 };
	struct conn_wait	 w = { 1000, 1000, -1, 0 };
	struct tfs_msg		 m;
	int			 fd;

	fd = tu_pattern_file(100000);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL_FATAL(pair(&a, &b), 0);
	c.shrink_fd = fd;
	memset(&o, 0, sizeof(o));
	o.frame_max = 20000;
	o.progress = count;
	o.arg = &c;
	CU_ASSERT_EQUAL(body_send(&a, fd, 0, 100000, &o, &st), BODY_SHORT);
	CU_ASSERT_EQUAL(st.done, 20000);
	CU_ASSERT_EQUAL(conn_send_ok(&a), 0);
	CU_ASSERT_EQUAL(conn_read_msg(&b, &w, &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_DATA);
	CU_ASSERT_EQUAL(m.datalen, 20000);
	CU_ASSERT_EQUAL(conn_read_msg(&b, &w, &m, NULL), 1);
	CU_ASSERT_EQUAL(m.type, TFS_OK);
	tu_conn_unpair(&a, &b);
	(void)close(fd);
}

/*
 * Feed raw bytes to body_recv of a len-byte body: dropped, or with
 * spliced set, spliced into a file.
 */
static enum body_rc
recv_raw(const void *raw, size_t n, uint64_t len, int spliced,
    struct body_stat *st)
{
	struct conn		 a, b;
	struct body_opts	 o;
	struct body_pipe	 bp;
	enum body_rc		 rc;
	int			 out = -1;

	if (spliced && (body_pipe_open(&bp) == -1 ||
	    (out = tu_pattern_file(0)) == -1)) {
		return (enum body_rc)-1;
	}
	if (pair(&a, &b) == -1) {
		return (enum body_rc)-1;
	}
	if (xio_write_full(a.fd, raw, n, 1000) == -1) {
		tu_conn_unpair(&a, &b);
		return (enum body_rc)-1;
	}
	(void)close(a.fd);
	a.fd = -1;
	memset(&o, 0, sizeof(o));
	o.stall_ms = 1000;
	o.intr_fd = -1;
	o.pipe = spliced ? &bp : NULL;
	rc = body_recv(&b, out, len, &o, st);
	tu_conn_unpair(&a, &b);
	if (spliced) {
		body_pipe_close(&bp);
		(void)close(out);
	}
	return rc;
}

#define D3	"\x20\0\0\0\x03" "abc"
#define END3	"\x21\0\0\0\x08" "\0\0\0\0\0\0\0\x03"

/* Every rule a receiver checks, one broken at a time. */
static void
test_body_recv_rules(void)
{
	static const struct {
		const char	*raw;
		size_t		 n;
		uint64_t	 len;
		enum body_rc	 rc;
		const char	*why;
	} t[] = {
		{ D3 END3, 21, 3, BODY_OK, "" },
		{ "\x20\0\0\0\0" D3 END3, 26, 3, BODY_PROTO, "empty DATA" },
		{ D3 D3, 16, 3, BODY_PROTO, "more bytes than the 3 announced" },
		{ D3 "\x21\0\0\0\x08" "\0\0\0\0\0\0\0\x03", 21, 4,
		    BODY_PROTO, "END after 3 of 4 bytes" },
		{ D3 "\x21\0\0\0\x08" "\0\0\0\0\0\0\0\x09", 21, 3,
		    BODY_PROTO, "END count 9, sent 3" },
		{ D3 "\x21\0\0\0\x02" "\0\0", 15, 3, BODY_PROTO,
		    "malformed END" },
		{ "\x20\x00\x10\x00\x01", 5, 3, BODY_PROTO,
		    "frame longer than 1048576 bytes" },
		{ D3 "\x20\0\0\0\x03" "ab", 15, 6, BODY_EOF, "" },
		{ D3, 8, 6, BODY_EOF, "" },
		{ D3 "\x7f\0\0\0\x04" "\0\x0c\0\0", 17, 6, BODY_OTHER, "" },
	};
	struct body_stat	 st;
	enum body_rc		 rc;
	size_t			 i;

	for (i = 0; i < 2 * sizeof(t) / sizeof(t[0]); i++) {
		rc = recv_raw(t[i / 2].raw, t[i / 2].n, t[i / 2].len, i % 2,
		    &st);
		CU_ASSERT_EQUAL(rc, t[i / 2].rc);
		if (rc == BODY_PROTO) {
			CU_ASSERT_STRING_EQUAL(st.why, t[i / 2].why);
		}
		if (rc == BODY_OTHER) {
			CU_ASSERT_EQUAL(st.frame.type, TFS_ERROR);
			CU_ASSERT_EQUAL(st.frame.len, 4);
			CU_ASSERT_EQUAL(st.done, 3);
		}
	}
}

/*
 * A write that fails (a read-only descriptor) is BODY_WRITE with the
 * frame counted; body_drain then reads the rest and the END in step.
 */
static void
test_body_write_drain(void)
{
	struct conn		 a, b;
	struct body_opts	 o;
	struct body_stat	 st;
	char			 path[64];
	int			 fd, ro;

	fd = tu_pattern_file(50000);
	CU_ASSERT_FATAL(fd != -1);
	ro = tu_temp_file(path, "", 0);
	CU_ASSERT_FATAL(ro != -1);
	(void)close(ro);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	(void)unlink(path);
	CU_ASSERT_FATAL(ro != -1);
	CU_ASSERT_EQUAL_FATAL(pair(&a, &b), 0);
	memset(&o, 0, sizeof(o));
	o.frame_max = 10000;
	o.stall_ms = 1000;
	o.intr_fd = -1;
	CU_ASSERT_EQUAL(body_send(&a, fd, 0, 50000, &o, &st), BODY_OK);
	CU_ASSERT_EQUAL(conn_send_ok(&a), 0);
	errno = 0;
	CU_ASSERT_EQUAL(body_recv(&b, ro, 50000, &o, &st), BODY_WRITE);
	CU_ASSERT_EQUAL(errno, EBADF);
	CU_ASSERT_EQUAL(st.done, 10000);
	CU_ASSERT_EQUAL(body_drain(&b, 50000, &o, &st), BODY_OK);
	CU_ASSERT_EQUAL(st.done, 50000);
	/* in step: the OK after the body is the next frame */
	CU_ASSERT_EQUAL(body_recv(&b, -1, 0, &o, &st), BODY_OTHER);
	CU_ASSERT_EQUAL(st.frame.type, TFS_OK);
	tu_conn_unpair(&a, &b);
	(void)close(fd);
	(void)close(ro);
}

static int
seen_bytes(void *arg, const uint8_t *p, size_t n)
{
	uint64_t	*sum = arg;
	size_t		 i;

	for (i = 0; i < n; i++) {
		sum[0] += p[i];
	}
	sum[1] += n;
	return 0;
}

/* inspect sees every payload byte, in order, before it is written. */
static void
test_body_inspect(void)
{
	struct conn		 a, b;
	struct body_opts	 o;
	struct body_stat	 st;
	uint64_t		 sum[2] = { 0, 0 }, want = 0, i;
	int			 fd, out;

	fd = tu_pattern_file(70000);
	out = tu_pattern_file(0);
	CU_ASSERT_FATAL(fd != -1 && out != -1);
	for (i = 0; i < 70000; i++) {
		want += tu_pattern(i);
	}
	CU_ASSERT_EQUAL_FATAL(pair(&a, &b), 0);
	memset(&o, 0, sizeof(o));
	o.frame_max = 30000;
	CU_ASSERT_EQUAL(body_send(&a, fd, 0, 70000, &o, &st), BODY_OK);
	CU_ASSERT_EQUAL(conn_flush(&a), 0);
	o.stall_ms = 1000;
	o.intr_fd = -1;
	o.inspect = seen_bytes;
	o.arg = sum;
	CU_ASSERT_EQUAL(body_recv(&b, out, 70000, &o, &st), BODY_OK);
	CU_ASSERT_EQUAL(sum[1], 70000);
	CU_ASSERT_EQUAL(sum[0], want);
	CU_ASSERT(check_file(out, 0, 70000));
	tu_conn_unpair(&a, &b);
	(void)close(fd);
	(void)close(out);
}

/*
 * With ticks, progress is called while nothing arrives, and the stall
 * limit counts across ticks: a silent peer is cut after stall_ms, not
 * after the first tick.
 */
static void
test_body_ticks_stall(void)
{
	struct conn		 a, b;
	struct body_opts	 o;
	struct body_stat	 st;
	struct counts		 c = { 0, 0, 0, -1, 0 };
	int64_t			 t0, ms;

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b), 0);
	memset(&o, 0, sizeof(o));
	o.stall_ms = 400;
	o.tick_ms = 50;
	o.intr_fd = -1;
	o.progress = count;
	o.arg = &c;
	/* a DATA frame begun: 3 of its 10 bytes */
	CU_ASSERT_EQUAL(write(a.fd, "\x20\0\0\0\x0a" "abc", 8), 8);
	t0 = xio_now_ms();
	errno = 0;
	CU_ASSERT_EQUAL(body_recv(&b, -1, 10, &o, &st), BODY_BROKEN);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	ms = xio_now_ms() - t0;
	CU_ASSERT(ms >= 350 && ms < 3000);
	CU_ASSERT(c.calls >= 3);
	/* the bytes of the frame under way count as progress shown */
	CU_ASSERT_EQUAL(c.last, 3);
	tu_conn_unpair(&a, &b);
}

/* intr_fd ends the wait, inside a frame too. */
static void
test_body_intr(void)
{
	struct conn		 a, b;
	struct body_opts	 o;
	struct body_stat	 st;
	int			 ip[2];

	CU_ASSERT_EQUAL_FATAL(pipe2(ip, O_CLOEXEC), 0);
	CU_ASSERT_EQUAL_FATAL(pair(&a, &b), 0);
	CU_ASSERT_EQUAL(write(a.fd, "\x20\0\0\0\x0a" "abc", 8), 8);
	CU_ASSERT_EQUAL(write(ip[1], "!", 1), 1);
	memset(&o, 0, sizeof(o));
	o.stall_ms = 5000;
	o.intr_fd = ip[0];
	errno = 0;
	CU_ASSERT_EQUAL(body_recv(&b, -1, 10, &o, &st), BODY_BROKEN);
	CU_ASSERT_EQUAL(errno, ECANCELED);
	(void)close(ip[0]);
	(void)close(ip[1]);
	tu_conn_unpair(&a, &b);
}

/* Real TCP, each way of sending, spliced into a file. */
static void
test_body_tcp(void)
{
	static const enum body_how hows[] = { BODY_SENDFILE, BODY_MAP,
		BODY_READ };
	struct conn		 b;
	struct body_opts	 o;
	struct body_stat	 st;
	struct body_pipe	 bp;
	size_t			 i;
	pid_t			 pid;
	int			 fd, out;

	fd = tu_pattern_file(2 * MIB + 3);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL_FATAL(body_pipe_open(&bp), 0);
	for (i = 0; i < sizeof(hows) / sizeof(hows[0]); i++) {
		out = tu_pattern_file(0);
		CU_ASSERT_FATAL(out != -1);
		pid = tcp_sender(&b, fd, 3, 2 * MIB, hows[i]);
		memset(&o, 0, sizeof(o));
		o.stall_ms = 5000;
		o.intr_fd = -1;
		o.pipe = &bp;
		CU_ASSERT_EQUAL(body_recv(&b, out, 2 * MIB, &o, &st),
		    BODY_OK);
		CU_ASSERT(check_file(out, 3, 2 * MIB));
		CU_ASSERT_EQUAL(tu_wait(pid), 0);
		(void)close(b.fd);
		conn_free(&b);
		(void)close(out);
	}
	body_pipe_close(&bp);
	(void)close(fd);
}

/*
 * A spliced write that fails (a read-only file) still takes the rest of
 * its frame: BODY_WRITE with that frame counted, then body_drain reads
 * on in step.
 */
static void
test_body_splice_write_drain(void)
{
	struct conn		 a, b;
	struct body_opts	 o;
	struct body_stat	 st;
	struct body_pipe	 bp;
	char			 path[64];
	pid_t			 pid;
	int			 fd, ro;

	fd = tu_pattern_file(3 * MIB);
	ro = tu_temp_file(path, "", 0);
	CU_ASSERT_FATAL(fd != -1 && ro != -1);
	(void)close(ro);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	(void)unlink(path);
	CU_ASSERT_FATAL(ro != -1);
	CU_ASSERT_EQUAL_FATAL(body_pipe_open(&bp), 0);
	CU_ASSERT_EQUAL_FATAL(pair(&a, &b), 0);
	if ((pid = fork()) == 0) {
		(void)close(b.fd);
		sender(&a, fd, 0, 3 * MIB, 0, BODY_SENDFILE);
	}
	(void)close(a.fd);
	a.fd = -1;
	memset(&o, 0, sizeof(o));
	o.stall_ms = 5000;
	o.intr_fd = -1;
	o.pipe = &bp;
	errno = 0;
	CU_ASSERT_EQUAL(body_recv(&b, ro, 3 * MIB, &o, &st), BODY_WRITE);
	CU_ASSERT_EQUAL(errno, EBADF);
	CU_ASSERT_EQUAL(st.done, MIB);
	CU_ASSERT_EQUAL(body_drain(&b, 3 * MIB, &o, &st), BODY_OK);
	CU_ASSERT_EQUAL(st.done, 3 * MIB);
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
	tu_conn_unpair(&a, &b);
	body_pipe_close(&bp);
	(void)close(fd);
	(void)close(ro);
}

/*
 * A file that refuses splice (EINVAL: O_APPEND here, a file system
 * without splice_write elsewhere) gets every byte all the same: what
 * the pipe held is read and written, and the rest of the frame read.
 */
static void
test_body_splice_refused(void)
{
	struct conn		 b;
	struct body_opts	 o;
	struct body_stat	 st;
	struct body_pipe	 bp;
	char			 path[64];
	pid_t			 pid;
	int			 fd, out;

	fd = tu_pattern_file(3 * MIB + 7);
	out = tu_temp_file(path, "", 0);
	CU_ASSERT_FATAL(fd != -1 && out != -1);
	(void)close(out);
	out = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	(void)unlink(path);
	CU_ASSERT_FATAL(out != -1);
	CU_ASSERT_EQUAL_FATAL(body_pipe_open(&bp), 0);
	pid = tcp_sender(&b, fd, 7, 3 * MIB, BODY_SENDFILE);
	memset(&o, 0, sizeof(o));
	o.stall_ms = 5000;
	o.intr_fd = -1;
	o.pipe = &bp;
	CU_ASSERT_EQUAL(body_recv(&b, out, 3 * MIB, &o, &st), BODY_OK);
	CU_ASSERT_EQUAL(st.done, 3 * MIB);
	CU_ASSERT(check_file(out, 7, 3 * MIB));
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
	(void)close(b.fd);
	conn_free(&b);
	body_pipe_close(&bp);
	(void)close(out);
	(void)close(fd);
}

/*
 * n DATA frames of size bytes each, then END, into buf (at least n *
 * (size + 5) + 13 bytes).  Returns the bytes laid.
 */
static size_t
lay_frames(uint8_t *buf, int n, uint32_t size)
{
	size_t	 off = 0;
	int	 i;

	for (i = 0; i < n; i++) {
		frame_header_encode(buf + off, TFS_DATA, size);
		tu_fill(buf + off + FRAME_HDR_LEN, size, (uint64_t)i * size);
		off += FRAME_HDR_LEN + size;
	}
	frame_header_encode(buf + off, TFS_END, 8);
	off += FRAME_HDR_LEN;
	for (i = 7; i >= 0; i--) {
		buf[off++] = (uint8_t)(((uint64_t)n * size) >> (8 * i));
	}
	return off;
}

/*
 * Receiving under a minimum rate of 1000 bytes/s over 300 ms windows:
 * whole frames of 10 bytes every 50 ms (200 bytes/s) fail with
 * ETIMEDOUT well before the stall limit; frames of 1000 bytes every
 * 20 ms arrive whole.
 */
static void
test_body_min_rate_recv(void)
{
	static uint8_t		 buf[200 * (1000 + FRAME_HDR_LEN) + 16];
	struct conn		 a, b;
	struct body_opts	 o;
	struct body_stat	 st;
	size_t			 n;
	int64_t			 t0;
	pid_t			 pid;
	int			 out;

	memset(&o, 0, sizeof(o));
	o.stall_ms = 300;
	o.min_rate = 1000;
	o.intr_fd = -1;

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b), 0);
	n = lay_frames(buf, 100, 10);
	pid = tu_trickle(a.fd, b.fd, buf, n, FRAME_HDR_LEN + 10, 50, 0);
	t0 = xio_now_ms();
	errno = 0;
	CU_ASSERT_EQUAL(body_recv(&b, -1, 1000, &o, &st), BODY_BROKEN);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	CU_ASSERT(xio_now_ms() - t0 < 2000);
	tu_conn_unpair(&a, &b);
	(void)tu_wait(pid);

	CU_ASSERT_EQUAL_FATAL(pair(&a, &b), 0);
	out = tu_pattern_file(0);
	CU_ASSERT_FATAL(out != -1);
	n = lay_frames(buf, 30, 1000);
	pid = tu_trickle(a.fd, b.fd, buf, n, FRAME_HDR_LEN + 1000, 20, 0);
	CU_ASSERT_EQUAL(body_recv(&b, out, 30000, &o, &st), BODY_OK);
	CU_ASSERT(check_file(out, 0, 30000));
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
	tu_conn_unpair(&a, &b);
	(void)close(out);
}

/*
 * Sending under a minimum rate: to a quick reader every byte arrives
 * (big frames go out in pieces, judged between them); to a reader that
 * takes 4 KiB every 10 ms (about 400 KB/s), 2 MB/s over 300 ms windows
 * fails with ETIMEDOUT in a few windows, far from the 5 s stall.
 */
static void
test_body_min_rate_send(void)
{
	struct conn		 a, b;
	struct body_opts	 o;
	struct body_stat	 st;
	uint8_t			 chunk[4096];
	int64_t			 t0;
	pid_t			 pid;
	int			 cli = -1, srv = -1, fd, out;

	fd = tu_pattern_file(8 * MIB);
	CU_ASSERT_FATAL(fd != -1);
	memset(&o, 0, sizeof(o));
	o.stall_ms = 300;
	o.intr_fd = -1;

	out = tu_pattern_file(0);
	CU_ASSERT_FATAL(out != -1);
	CU_ASSERT_EQUAL_FATAL(tcp_pair(&cli, &srv), 0);
	CU_ASSERT_EQUAL_FATAL(conn_init(&a, srv, 0, 5000, -1), 0);
	if ((pid = fork()) == 0) {
		(void)close(cli);
		o.min_rate = 1;
		_exit(body_send(&a, fd, 5, 2 * MIB + 3, &o, &st) == BODY_OK &&
		    conn_flush(&a) == 0 ? 0 : 1);
	}
	(void)close(srv);
	conn_free(&a);
	CU_ASSERT_EQUAL_FATAL(conn_init(&b, cli, 0, 5000, -1), 0);
	o.stall_ms = 5000;
	CU_ASSERT_EQUAL(body_recv(&b, out, 2 * MIB + 3, &o, &st), BODY_OK);
	CU_ASSERT(check_file(out, 5, 2 * MIB + 3));
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
	(void)close(b.fd);
	conn_free(&b);
	(void)close(out);

	CU_ASSERT_EQUAL_FATAL(tcp_pair(&cli, &srv), 0);
	if ((pid = fork()) == 0) {
		(void)close(srv);
		while (read(cli, chunk, sizeof(chunk)) > 0) {
			tu_sleep_ms(10);
		}
		_exit(0);
	}
	(void)close(cli);
	CU_ASSERT_EQUAL_FATAL(conn_init(&a, srv, 0, 5000, -1), 0);
	o.stall_ms = 300;
	o.min_rate = 2000000;
	t0 = xio_now_ms();
	errno = 0;
	CU_ASSERT_EQUAL(body_send(&a, fd, 0, 8 * MIB, &o, &st), BODY_BROKEN);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	CU_ASSERT(xio_now_ms() - t0 < 4000);
	(void)close(srv);
	conn_free(&a);
	(void)tu_wait(pid);
	(void)close(fd);
}

CU_TestInfo tests_body[] = {
	TEST(test_body_range),
	TEST(test_body_small_queued),
	TEST(test_body_empty),
	TEST(test_body_progress_stops),
	TEST(test_body_shrinks),
	TEST(test_body_recv_rules),
	TEST(test_body_write_drain),
	TEST(test_body_inspect),
	TEST(test_body_ticks_stall),
	TEST(test_body_intr),
	TEST(test_body_tcp),
	TEST(test_body_splice_write_drain),
	TEST(test_body_splice_refused),
	TEST(test_body_min_rate_recv),
	TEST(test_body_min_rate_send),
	CU_TEST_INFO_NULL,
};
