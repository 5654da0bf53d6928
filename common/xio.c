/*
 * xio.c -- thin system-call wrappers: the only place that loops over
 * EINTR, short counts and EAGAIN.
 *
 * Sockets are read and written with MSG_DONTWAIT (and MSG_NOSIGNAL), so
 * a timeout holds whether or not the descriptor is in non-blocking mode
 * and a peer that went away gives EPIPE, not SIGPIPE.  Other descriptors
 * are polled before each call when a timeout or intr_fd is given.  A
 * timeout counts time without progress: every byte moved restarts it.
 * Never interprets the bytes it moves.
 */

#include <sys/types.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "xio.h"

/* Largest single sendfile call: Linux moves at most about 2 GiB at once. */
#define XIO_SENDFILE_MAX	(1U << 30)

/* What a write has earned under a minimum rate (xio_pace). */
struct xio_credit {
	int64_t		 start;		/* when the write began */
	uint64_t	 moved;		/* bytes the peer has taken since */
	uint32_t	 min_rate;	/* bytes a second; 0: none */
};

static int	xio_again(int, short, int, const struct xio_credit *, int);
static int	xio_pace(const struct xio_credit *, int);
static int	xio_poll_first(int, int, int);
static ssize_t	xio_try_read(int, void *, size_t);
static ssize_t	xio_try_write(int, const void *, size_t, int);
static ssize_t	xio_try_writev(int, struct iovec *, int, int);
static void	xio_iov_advance(struct iovec **, int *, size_t);

int64_t
xio_now_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait for events on fd, or intr_fd readable (ECANCELED), or timeout_ms
 * without either (ETIMEDOUT).  A signal does not restart the clock.
 * Errors and hang-ups on fd count as ready: the next call reports them.
 */
int
xio_wait(int fd, short events, int timeout_ms, int intr_fd)
{
	struct pollfd	 pfd[2];
	int64_t		 deadline = 0, left;
	int		 n, nfds = intr_fd == -1 ? 1 : 2, wait_ms;

	if (timeout_ms >= 0) {
		deadline = xio_now_ms() + timeout_ms;
	}
	for (;;) {
		pfd[0].fd = fd;
		pfd[0].events = events;
		pfd[0].revents = 0;
		pfd[1].fd = intr_fd;
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		wait_ms = -1;
		if (timeout_ms >= 0) {
			left = deadline - xio_now_ms();
			wait_ms = left < 0 ? 0 : (int)left;
		}
		n = poll(pfd, (nfds_t)nfds, wait_ms);
		if (n == -1) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		if (n == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (nfds == 2 && pfd[1].revents != 0) {
			errno = ECANCELED;
			return -1;
		}
		if (pfd[0].revents & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
		if (pfd[0].revents != 0) {
			return 0;
		}
	}
}

/*
 * A call on non-blocking fd failed: 0 when it is worth trying again
 * (EINTR, or fd became ready for events), else -1 with errno (the
 * call's own, or xio_wait's).  A write under a minimum rate (cr, NULL
 * for none) waits no longer than its credit allows.
 */
static int
xio_again(int fd, short events, int timeout_ms, const struct xio_credit *cr,
    int intr_fd)
{
	if (errno == EINTR) {
		return 0;
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK) {
		return -1;
	}
	if (cr != NULL && (timeout_ms = xio_pace(cr, timeout_ms)) == -1) {
		return -1;
	}
	return xio_wait(fd, events, timeout_ms, intr_fd);
}

/*
 * How long a write that began at cr->start and has moved cr->moved
 * bytes may now wait for room: timeout_ms, and under a minimum rate
 * no longer than those bytes have earned.  The peer starts with
 * timeout_ms of credit and each byte it takes adds 1/min_rate s, so one
 * that takes a byte now and then cannot hold a write for ever, as a wait
 * that starts again at every byte would let it.  -1 with ETIMEDOUT when the credit
 * is spent.
 */
static int
xio_pace(const struct xio_credit *cr, int timeout_ms)
{
	int64_t	 left;

	if (cr->min_rate == 0 || timeout_ms < 0) {
		return timeout_ms;
	}
	left = cr->start + timeout_ms +
	    (int64_t)(cr->moved * 1000 / cr->min_rate) - xio_now_ms();
	if (left <= 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	return left < timeout_ms ? (int)left : timeout_ms;
}

/*
 * For descriptors that are not sockets (no MSG_DONTWAIT): wait before
 * the call only when a timeout or intr_fd asks for it, so that plain
 * files and pipes without limits cost no extra poll.
 */
static int
xio_poll_first(int fd, int timeout_ms, int intr_fd)
{
	if (timeout_ms < 0 && intr_fd == -1) {
		return 0;
	}
	return xio_wait(fd, POLLIN, timeout_ms, intr_fd);
}

/* One read attempt; ENOTSOCK makes the caller fall back to read(2). */
static ssize_t
xio_try_read(int fd, void *buf, size_t n)
{
	return recv(fd, buf, n, MSG_DONTWAIT);
}

/* One write attempt on a socket, or write(2) when it is not one. */
static ssize_t
xio_try_write(int fd, const void *buf, size_t n, int flags)
{
	ssize_t	 r;

	r = send(fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL | flags);
	if (r == -1 && errno == ENOTSOCK) {
		r = write(fd, buf, n);
	}
	return r;
}

static ssize_t
xio_try_writev(int fd, struct iovec *iov, int iovcnt, int flags)
{
	struct msghdr	 mh = { 0 };
	ssize_t		 r;

	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)iovcnt;
	r = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL | flags);
	if (r == -1 && errno == ENOTSOCK) {
		r = writev(fd, iov, iovcnt);
	}
	return r;
}

/*
 * Read at least 1 and at most n bytes.  Returns the count, 0 at end of
 * stream, -1 with errno (ETIMEDOUT, ECANCELED, or read's).  intr_fd is
 * only looked at while there is nothing to read: data already waiting
 * is returned first.
 */
ssize_t
xio_read_some(int fd, void *buf, size_t n, int timeout_ms, int intr_fd)
{
	ssize_t	 r;
	int	 sock = 1;

	if (n > SSIZE_MAX) {
		n = SSIZE_MAX;
	}
	for (;;) {
		if (sock) {
			r = xio_try_read(fd, buf, n);
			if (r == -1 && errno == ENOTSOCK) {
				sock = 0;
				continue;
			}
		} else {
			if (xio_poll_first(fd, timeout_ms, intr_fd) == -1) {
				return -1;
			}
			r = read(fd, buf, n);
		}
		if (r >= 0) {
			return r;
		}
		if (xio_again(fd, POLLIN, timeout_ms, NULL, intr_fd) == -1) {
			return -1;
		}
	}
}

/* Read exactly n bytes.  Returns n, fewer at end of stream, or -1. */
ssize_t
xio_read_full(int fd, void *buf, size_t n, int timeout_ms)
{
	uint8_t	*p = buf;
	size_t	 got = 0;
	ssize_t	 r;

	while (got < n) {
		r = xio_read_some(fd, p + got, n - got, timeout_ms, -1);
		if (r == -1) {
			return -1;
		}
		if (r == 0) {
			break;
		}
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/*
 * Write all n bytes; flags are send(2) flags (MSG_MORE) for sockets and
 * are ignored for other descriptors.  0 or -1.
 */
int
xio_send_full(int fd, const void *buf, size_t n, int flags, int timeout_ms,
    int intr_fd)
{
	const uint8_t	*p = buf;
	ssize_t		 r;

	while (n > 0) {
		r = xio_try_write(fd, p, n, flags);
		if (r >= 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		if (xio_again(fd, POLLOUT, timeout_ms, NULL, intr_fd) == -1) {
			return -1;
		}
	}
	return 0;
}

int
xio_write_full(int fd, const void *buf, size_t n, int timeout_ms)
{
	return xio_send_full(fd, buf, n, 0, timeout_ms, -1);
}

/* Step over r bytes written: drop the iovecs done, trim the next one. */
static void
xio_iov_advance(struct iovec **iov, int *iovcnt, size_t r)
{
	while (*iovcnt > 0 && r >= (*iov)->iov_len) {
		r -= (*iov)->iov_len;
		(*iov)++;
		(*iovcnt)--;
	}
	if (*iovcnt > 0 && r > 0) {
		(*iov)->iov_base = (uint8_t *)(*iov)->iov_base + r;
		(*iov)->iov_len -= r;
	}
}

/*
 * Write every iovec in full (the array is modified); flags as for
 * xio_send_full.  0 or -1.
 */
int
xio_writev_full(int fd, struct iovec *iov, int iovcnt, int flags,
    int timeout_ms, uint32_t min_rate, int intr_fd)
{
	struct xio_credit cr = { xio_now_ms(), 0, min_rate };
	ssize_t		 r;

	/* empty iovecs in front would make a zero-byte call look like EOF */
	xio_iov_advance(&iov, &iovcnt, 0);
	while (iovcnt > 0) {
		r = xio_try_writev(fd, iov, iovcnt, flags);
		if (r >= 0) {
			xio_iov_advance(&iov, &iovcnt, (size_t)r);
			cr.moved += (uint64_t)r;
			continue;
		}
		if (xio_again(fd, POLLOUT, timeout_ms, &cr, intr_fd) == -1) {
			return -1;
		}
	}
	return 0;
}

/*
 * Send n bytes of file fd from offset off to socket sock with sendfile,
 * waiting for room as xio_send_full does (the socket is non-blocking).
 * *sent counts what went out.  A file that ended early gives sendfile 0:
 * EIO rather than a spin.  0, or -1 with errno (EINVAL or ENOSYS with
 * nothing sent: sendfile cannot read this file; send it otherwise).
 */
int
xio_sendfile_full(int sock, int fd, uint64_t off, uint64_t n,
    int timeout_ms, uint32_t min_rate, int intr_fd, uint64_t *sent)
{
	struct xio_credit cr = { xio_now_ms(), 0, min_rate };
	off_t		 pos;
	ssize_t		 r;
	size_t		 chunk;

	*sent = 0;
	if (off > (uint64_t)INT64_MAX || n > (uint64_t)INT64_MAX - off) {
		errno = EINVAL;
		return -1;
	}
	pos = (off_t)off;
	while (*sent < n) {
		chunk = n - *sent > XIO_SENDFILE_MAX ? XIO_SENDFILE_MAX :
		    (size_t)(n - *sent);
		r = sendfile(sock, fd, &pos, chunk);
		if (r > 0) {
			*sent += (uint64_t)r;
			cr.moved = *sent;
			continue;
		}
		if (r == 0) {
			errno = EIO;
			return -1;
		}
		if (xio_again(sock, POLLOUT, timeout_ms, &cr, intr_fd) == -1) {
			return -1;
		}
	}
	return 0;
}

/*
 * Move at least 1 and at most n bytes from socket sock into pipe pw with
 * splice, waiting for input as xio_read_some does.  Returns the count, 0
 * at end of stream, -1 with errno.
 */
ssize_t
xio_splice_in(int sock, int pw, size_t n, int timeout_ms, int intr_fd)
{
	ssize_t	 r;

	for (;;) {
		r = splice(sock, NULL, pw, NULL, n,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (r >= 0) {
			return r;
		}
		if (xio_again(sock, POLLIN, timeout_ms, NULL, intr_fd) == -1) {
			return -1;
		}
	}
}

/*
 * Move exactly n bytes from pipe pr (which holds them) into file fd at
 * its offset with splice.  0, or -1 with errno (a failed write: the
 * bytes left stay in the pipe).
 */
int
xio_splice_out(int pr, int fd, size_t n)
{
	ssize_t	 r;

	while (n > 0) {
		r = splice(pr, NULL, fd, NULL, n, SPLICE_F_MOVE);
		if (r > 0) {
			n -= (size_t)r;
			continue;
		}
		if (r == 0) {
			errno = EIO;
			return -1;
		}
		if (errno != EINTR) {
			return -1;
		}
	}
	return 0;
}

/* pread exactly n bytes at off (regular files).  n, fewer at EOF, or -1. */
ssize_t
xio_pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	uint8_t	*p = buf;
	size_t	 got = 0;
	ssize_t	 r;

	if (n > SSIZE_MAX || off > (uint64_t)INT64_MAX - n) {
		errno = EINVAL;
		return -1;
	}
	while (got < n) {
		r = pread(fd, p + got, n - got, (off_t)(off + got));
		if (r == -1) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		if (r == 0) {
			break;
		}
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int
xio_close_failed(int fd)
{
	int	 saved = errno;

	(void)close(fd);
	errno = saved;
	return -1;
}

int
xio_set_nonblock(int fd, int on)
{
	int	 fl, nfl;

	if ((fl = fcntl(fd, F_GETFL)) == -1) {
		return -1;
	}
	nfl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	if (nfl != fl && fcntl(fd, F_SETFL, nfl) == -1) {
		return -1;
	}
	return 0;
}

/*
 * Frames are small and a reply's last frame must not wait for a delayed
 * acknowledgement.  Fails with EOPNOTSUPP on sockets that are not TCP.
 */
int
xio_tcp_nodelay(int fd)
{
	int	 on = 1;

	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

int
xio_tcp_cork(int fd, int on)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
}
