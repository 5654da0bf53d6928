/*
 * test_xio.c -- the system-call wrappers over socketpairs and files: full
 * writes against a peer that reads slowly in small pieces, stall
 * timeouts that restart on progress, cancellation through intr_fd,
 * pread of a file range, and the descriptor helpers.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "suites.h"
#include "testutil.h"
#include "xio.h"

#define BIG	(8u * 1024 * 1024)

static pid_t	trickle(int, int, const uint8_t *, size_t, int);

static pid_t	slow_reader(int *);
static void	test_xio_paced(void);
static void	test_xio_write_slow_reader(void);
static void	test_xio_writev_slow_reader(void);
static void	test_xio_read_full_trickle(void);
static void	test_xio_read_timeout(void);
static void	test_xio_stall_restarts(void);
static void	test_xio_write_timeout(void);
static void	test_xio_intr_cancels(void);
static void	test_xio_data_before_intr(void);
static void	test_xio_eof(void);
static void	test_xio_epipe(void);
static void	test_xio_pread_full(void);
static void	test_xio_pipe_read(void);
static void	test_xio_fd_flags(void);
static void	test_xio_nodelay(void);

/*
 * Fork a child that writes p to fd three bytes at a time, gap_ms
 * milliseconds apart, then exits (closing it).
 */
static pid_t
trickle(int fd, int closefd, const uint8_t *p, size_t n, int gap_ms)
{
	size_t	 off = 0, k;
	pid_t	 pid;

	if ((pid = fork()) != 0) {
		return pid;
	}
	(void)close(closefd);
	while (off < n) {
		k = n - off < 3 ? n - off : 3;
		if (write(fd, p + off, k) != (ssize_t)k) {
			_exit(2);
		}
		off += k;
		tu_sleep_ms(gap_ms);
	}
	_exit(0);
}

/* 8 MiB to a peer reading 1 .. 700 bytes at a time, with pauses. */
static void
test_xio_write_slow_reader(void)
{
	uint8_t	*buf;
	pid_t	 pid;
	int	 sv[2];

	buf = malloc(BIG);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	tu_fill(buf, BIG, 0);
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CU_ASSERT_EQUAL(xio_set_nonblock(sv[0], 1), 0);
	pid = tu_slow_reader(sv[1], sv[0], 0, BIG, 700);
	CU_ASSERT_FATAL(pid > 0);
	(void)close(sv[1]);
	CU_ASSERT_EQUAL(xio_write_full(sv[0], buf, BIG, 10000), 0);
	(void)close(sv[0]);
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
	free(buf);
}

/* writev over many small and empty iovecs, against the slow reader. */
static void
test_xio_writev_slow_reader(void)
{
	struct iovec	 iov[64];
	uint8_t		*buf;
	size_t		 off = 0, len = 1u << 20, k;
	pid_t		 pid;
	int		 sv[2], i;

	buf = malloc(len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	tu_fill(buf, len, 100);
	for (i = 0; i < 64; i++) {
		if (i % 5 == 0) {
			k = 0;		/* empty ones in between */
		} else if (i == 63) {
			k = len - off;
		} else {
			k = 13 * 1024 + (size_t)i;
		}
		iov[i].iov_base = buf + off;
		iov[i].iov_len = k;
		off += k;
	}
	CU_ASSERT_EQUAL_FATAL(off, len);
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = tu_slow_reader(sv[1], sv[0], 100, len, 999);
	(void)close(sv[1]);
	CU_ASSERT_EQUAL(xio_writev_full(sv[0], iov, 64, 0, 10000, 0, -1), 0);
	(void)close(sv[0]);
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
	free(buf);
}

/* Bytes arriving three at a time are gathered into one full read. */
static void
test_xio_read_full_trickle(void)
{
	const uint8_t	 msg[] = "the quick brown fox";
	uint8_t		 got[sizeof(msg)];
	pid_t		 pid;
	int		 sv[2];

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = trickle(sv[1], sv[0], msg, sizeof(msg), 2);
	(void)close(sv[1]);
	CU_ASSERT_EQUAL(xio_read_full(sv[0], got, sizeof(got), 5000),
	    (ssize_t)sizeof(got));
	CU_ASSERT_EQUAL(memcmp(got, msg, sizeof(msg)), 0);
	(void)close(sv[0]);
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
}

/* Nothing arrives: ETIMEDOUT after about the time asked, blocking or not. */
static void
test_xio_read_timeout(void)
{
	uint8_t	 b;
	int64_t	 t0, dt;
	int	 sv[2], nb;

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	for (nb = 0; nb < 2; nb++) {
		CU_ASSERT_EQUAL(xio_set_nonblock(sv[0], nb), 0);
		t0 = xio_now_ms();
		errno = 0;
		CU_ASSERT_EQUAL(xio_read_some(sv[0], &b, 1, 100, -1), -1);
		CU_ASSERT_EQUAL(errno, ETIMEDOUT);
		dt = xio_now_ms() - t0;
		CU_ASSERT(dt >= 95 && dt < 2000);
		errno = 0;
		CU_ASSERT_EQUAL(xio_read_full(sv[0], &b, 1, 50), -1);
		CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	}
	/* 0 polls once and gives up at once */
	CU_ASSERT_EQUAL(xio_read_some(sv[0], &b, 1, 0, -1), -1);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	tu_close_pair(sv);
}

/* A stall timeout counts time without progress, not the whole read. */
static void
test_xio_stall_restarts(void)
{
	uint8_t	 msg[24], got[24];
	int64_t	 t0;
	pid_t	 pid;
	int	 sv[2];

	tu_fill(msg, sizeof(msg), 7);
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* 8 pieces 60 ms apart: 480 ms in all, never 250 ms idle */
	pid = trickle(sv[1], sv[0], msg, sizeof(msg), 60);
	(void)close(sv[1]);
	t0 = xio_now_ms();
	CU_ASSERT_EQUAL(xio_read_full(sv[0], got, sizeof(got), 250),
	    (ssize_t)sizeof(got));
	CU_ASSERT(xio_now_ms() - t0 >= 400);
	CU_ASSERT_EQUAL(memcmp(got, msg, sizeof(msg)), 0);
	(void)close(sv[0]);
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
}

/* A peer that never reads: the write stalls and times out. */
static void
test_xio_write_timeout(void)
{
	uint8_t	*buf;
	int	 sv[2];

	buf = calloc(1, BIG);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	errno = 0;
	CU_ASSERT_EQUAL(xio_write_full(sv[0], buf, BIG, 100), -1);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	tu_close_pair(sv);
	free(buf);
}

/* intr_fd readable while waiting: ECANCELED, on sockets and pipes. */
static void
test_xio_intr_cancels(void)
{
	uint8_t	 b;
	int	 sv[2], ip[2], pp[2];

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(ip), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(pp), 0);
	CU_ASSERT_EQUAL(write(ip[1], "x", 1), 1);
	errno = 0;
	CU_ASSERT_EQUAL(xio_read_some(sv[0], &b, 1, -1, ip[0]), -1);
	CU_ASSERT_EQUAL(errno, ECANCELED);
	errno = 0;
	CU_ASSERT_EQUAL(xio_read_some(pp[0], &b, 1, -1, ip[0]), -1);
	CU_ASSERT_EQUAL(errno, ECANCELED);
	errno = 0;
	CU_ASSERT_EQUAL(xio_wait(sv[0], POLLIN, 1000, ip[0]), -1);
	CU_ASSERT_EQUAL(errno, ECANCELED);
	/* closing the write end (a parent gone) cancels too */
	(void)close(ip[1]);
	CU_ASSERT_EQUAL(read(ip[0], &b, 1), 1);
	errno = 0;
	CU_ASSERT_EQUAL(xio_read_some(sv[0], &b, 1, 1000, ip[0]), -1);
	CU_ASSERT_EQUAL(errno, ECANCELED);
	(void)close(ip[0]);
	tu_close_pair(pp);
	tu_close_pair(sv);
}

/* Data already waiting is returned even when intr_fd is readable. */
static void
test_xio_data_before_intr(void)
{
	uint8_t	 b = 0;
	int	 sv[2], ip[2];

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(ip), 0);
	CU_ASSERT_EQUAL(write(ip[1], "x", 1), 1);
	CU_ASSERT_EQUAL(write(sv[1], "d", 1), 1);
	CU_ASSERT_EQUAL(xio_read_some(sv[0], &b, 1, -1, ip[0]), 1);
	CU_ASSERT_EQUAL(b, 'd');
	tu_close_pair(ip);
	tu_close_pair(sv);
}

static void
test_xio_eof(void)
{
	uint8_t	 b[8];
	int	 sv[2];

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CU_ASSERT_EQUAL(write(sv[1], "abc", 3), 3);
	(void)close(sv[1]);
	CU_ASSERT_EQUAL(xio_read_full(sv[0], b, sizeof(b), 1000), 3);
	CU_ASSERT_EQUAL(memcmp(b, "abc", 3), 0);
	CU_ASSERT_EQUAL(xio_read_some(sv[0], b, sizeof(b), 1000, -1), 0);
	(void)close(sv[0]);
}

/* A vanished peer is EPIPE, and no SIGPIPE kills the writer. */
static void
test_xio_epipe(void)
{
	struct iovec	 iov[1];
	char		 b[4] = "abc";
	int		 sv[2];

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	(void)close(sv[1]);
	errno = 0;
	CU_ASSERT_EQUAL(xio_write_full(sv[0], b, sizeof(b), 1000), -1);
	CU_ASSERT_EQUAL(errno, EPIPE);
	iov[0].iov_base = b;
	iov[0].iov_len = sizeof(b);
	errno = 0;
	CU_ASSERT_EQUAL(xio_writev_full(sv[0], iov, 1, 0, 1000, 0, -1), -1);
	CU_ASSERT_EQUAL(errno, EPIPE);
	(void)close(sv[0]);
}

/*
 * A reader that takes 1 KiB every 20 ms (50 KB/s) into a small socket
 * buffer; the writer's waits end as soon as its own bytes move.
 */
static pid_t
slow_reader(int *wfd)
{
	char	 buf[1024];
	int	 sv[2], sz = 4096;
	pid_t	 pid;

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if ((pid = fork()) == 0) {
		(void)close(sv[0]);
		while (read(sv[1], buf, sizeof(buf)) > 0) {
			(void)usleep(20 * 1000);
		}
		_exit(0);
	}
	(void)close(sv[1]);
	CU_ASSERT_EQUAL_FATAL(xio_set_nonblock(sv[0], 1), 0);
	*wfd = sv[0];
	return pid;
}

/*
 * A minimum rate bounds a write to a peer that takes a little now and
 * then, which a stall timeout alone never cuts: every byte it takes
 * starts the wait again.  A peer that keeps the rate is not cut.
 */
static void
test_xio_paced(void)
{
	static uint8_t	 big[4 * 1024 * 1024];
	struct iovec	 iov[1];
	int64_t		 t0;
	pid_t		 pid;
	int		 fd;

	/* 50 KB/s against 1 MB/s: ETIMEDOUT long before the 80 s it takes */
	pid = slow_reader(&fd);
	iov[0].iov_base = big;
	iov[0].iov_len = sizeof(big);
	t0 = xio_now_ms();
	errno = 0;
	CU_ASSERT_EQUAL(xio_writev_full(fd, iov, 1, 0, 500, 1000 * 1000, -1),
	    -1);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	CU_ASSERT(xio_now_ms() - t0 < 10 * 1000);
	(void)close(fd);
	CU_ASSERT_EQUAL(tu_wait(pid), 0);

	/* 50 KB/s against 10 KB/s: 64 KiB arrive whole */
	pid = slow_reader(&fd);
	iov[0].iov_base = big;
	iov[0].iov_len = 64 * 1024;
	CU_ASSERT_EQUAL(xio_writev_full(fd, iov, 1, 0, 500, 10 * 1000, -1),
	    0);
	(void)close(fd);
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
}

static void
test_xio_pread_full(void)
{
	uint8_t	 buf[100], want[100];
	int	 fd;

	fd = tu_pattern_file(1000);
	CU_ASSERT_FATAL(fd != -1);
	tu_fill(want, sizeof(want), 900);
	CU_ASSERT_EQUAL(xio_pread_full(fd, buf, 100, 900), 100);
	CU_ASSERT_EQUAL(memcmp(buf, want, 100), 0);
	CU_ASSERT_EQUAL(xio_pread_full(fd, buf, 100, 950), 50);
	CU_ASSERT_EQUAL(memcmp(buf, want + 50, 50), 0);
	CU_ASSERT_EQUAL(xio_pread_full(fd, buf, 100, 5000), 0);
	CU_ASSERT_EQUAL(xio_pread_full(-1, buf, 1, 0), -1);
	CU_ASSERT_EQUAL(errno, EBADF);
	(void)close(fd);
}

/* Descriptors that are not sockets: pipes with a timeout, plain files. */
static void
test_xio_pipe_read(void)
{
	uint8_t	 b[16];
	int	 p[2], fd;

	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	errno = 0;
	CU_ASSERT_EQUAL(xio_read_some(p[0], b, 1, 50, -1), -1);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	CU_ASSERT_EQUAL(xio_write_full(p[1], "pipe", 4, 1000), 0);
	CU_ASSERT_EQUAL(xio_read_full(p[0], b, 4, 1000), 4);
	CU_ASSERT_EQUAL(memcmp(b, "pipe", 4), 0);
	tu_close_pair(p);

	fd = tu_pattern_file(10);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_SET), 0);
	CU_ASSERT_EQUAL(xio_read_full(fd, b, sizeof(b), -1), 10);
	CU_ASSERT_EQUAL(b[9], tu_pattern(9));
	(void)close(fd);
}

static void
test_xio_fd_flags(void)
{
	int	 p[2];

	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	CU_ASSERT_EQUAL(xio_set_nonblock(p[1], 1), 0);
	CU_ASSERT_NOT_EQUAL(fcntl(p[1], F_GETFL) & O_NONBLOCK, 0);
	CU_ASSERT_EQUAL(xio_set_nonblock(p[1], 0), 0);
	CU_ASSERT_EQUAL(fcntl(p[1], F_GETFL) & O_NONBLOCK, 0);
	tu_close_pair(p);
	CU_ASSERT_EQUAL(xio_set_nonblock(-1, 1), -1);
}

/* TCP_NODELAY on a TCP socket; a socketpair says EOPNOTSUPP. */
static void
test_xio_nodelay(void)
{
	int	 s, sv[2];

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CU_ASSERT_FATAL(s != -1);
	CU_ASSERT_EQUAL(xio_tcp_nodelay(s), 0);
	(void)close(s);
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	errno = 0;
	CU_ASSERT_EQUAL(xio_tcp_nodelay(sv[0]), -1);
	CU_ASSERT(errno == EOPNOTSUPP || errno == ENOPROTOOPT);
	tu_close_pair(sv);
}

CU_TestInfo tests_xio[] = {
	TEST(test_xio_write_slow_reader),
	TEST(test_xio_writev_slow_reader),
	TEST(test_xio_read_full_trickle),
	TEST(test_xio_read_timeout),
	TEST(test_xio_stall_restarts),
	TEST(test_xio_write_timeout),
	TEST(test_xio_intr_cancels),
	TEST(test_xio_data_before_intr),
	TEST(test_xio_eof),
	TEST(test_xio_epipe),
	TEST(test_xio_paced),
	TEST(test_xio_pread_full),
	TEST(test_xio_pipe_read),
	TEST(test_xio_fd_flags),
	TEST(test_xio_nodelay),
	CU_TEST_INFO_NULL,
};
