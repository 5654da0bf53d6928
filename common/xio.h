/*
 * xio.h -- thin system-call wrappers: full reads and writes that survive
 * EINTR, short counts and EAGAIN (waiting in poll with a stall timeout),
 * socket options.  Never interprets bytes.
 *
 * Timeouts are in milliseconds and count time without progress: each
 * byte moved starts the clock again.  -1 waits for ever.  A timeout
 * fails with errno ETIMEDOUT.  On sockets they hold in blocking mode too
 * (MSG_DONTWAIT), and writes never raise SIGPIPE (MSG_NOSIGNAL).
 */

#ifndef COMMON_XIO_H
#define COMMON_XIO_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

/*
 * Wait until fd is ready for events (POLLIN/POLLOUT) or timeout_ms pass.
 * If intr_fd is not -1 and becomes readable first, fail with ECANCELED.
 * Returns 0 when ready, -1 with errno (ETIMEDOUT, ECANCELED, ...).
 */
int	 xio_wait(int fd, short events, int timeout_ms, int intr_fd);
/*
 * Read at least 1 and at most n bytes.  Returns the count, 0 at end of
 * stream, -1 with errno.
 */
ssize_t	 xio_read_some(int fd, void *buf, size_t n, int timeout_ms,
	    int intr_fd);
/* Read exactly n bytes.  Returns n, fewer at end of stream, or -1. */
ssize_t	 xio_read_full(int fd, void *buf, size_t n, int timeout_ms);
/* Write all n bytes.  0 or -1. */
int	 xio_write_full(int fd, const void *buf, size_t n, int timeout_ms);
/*
 * As xio_write_full with send(2) flags for sockets (MSG_MORE to hold a
 * frame header back for the sendfile that follows); flags are ignored
 * for other descriptors.  A wait for room ends with ECANCELED when
 * intr_fd (-1: none) becomes readable.  0 or -1.
 */
int	 xio_send_full(int fd, const void *buf, size_t n, int flags,
	    int timeout_ms, int intr_fd);
/*
 * Write every iovec in full (the array is modified); as above, and with
 * min_rate (bytes a second, 0: none) a wait for room also ends, with
 * ETIMEDOUT, once the peer has taken fewer bytes since the call began
 * than min_rate a second after timeout_ms of credit.
 */
int	 xio_writev_full(int fd, struct iovec *iov, int iovcnt, int flags,
	    int timeout_ms, uint32_t min_rate, int intr_fd);
/*
 * Send n bytes of file fd from off to socket sock with sendfile; *sent
 * counts what went.  A file that ends early fails with EIO; EINVAL or
 * ENOSYS with nothing sent means sendfile cannot read it.  Waits as
 * xio_writev_full().  0 or -1.
 */
int	 xio_sendfile_full(int sock, int fd, uint64_t off, uint64_t n,
	    int timeout_ms, uint32_t min_rate, int intr_fd, uint64_t *sent);
/* splice 1 .. n bytes from socket sock into pipe pw: count, 0 EOF, -1. */
ssize_t	 xio_splice_in(int sock, int pw, size_t n, int timeout_ms,
	    int intr_fd);
/* splice exactly n bytes held by pipe pr into file fd.  0 or -1. */
int	 xio_splice_out(int pr, int fd, size_t n);
/* pread exactly n bytes at off (regular files).  n, fewer at EOF, or -1. */
ssize_t	 xio_pread_full(int fd, void *buf, size_t n, uint64_t off);

/* close(fd) on a failure's way out: errno stays the failure's.  -1. */
int	 xio_close_failed(int fd);
int	 xio_set_nonblock(int fd, int on);
/* TCP_NODELAY; fails with EOPNOTSUPP on sockets that are not TCP. */
int	 xio_tcp_nodelay(int fd);
/* TCP_CORK on or off (on: partial segments wait until it is off). */
int	 xio_tcp_cork(int fd, int on);
/* Milliseconds of CLOCK_MONOTONIC. */
int64_t	 xio_now_ms(void);

#endif /* COMMON_XIO_H */
