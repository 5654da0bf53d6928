/*
 * bench.h -- what every benchmark program does alike: listen on a free
 * loopback port, write without blocking, and refuse a bad option
 * argument.
 *
 * Header-only (static inline): the Makefile builds every tests/bench/X.c
 * on its own, and a program may use any part of it.
 */

#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

/*
 * A socket listening on 127.0.0.1, on a port the kernel picks; its
 * address goes to *sin.  Exits 1 on failure.
 */
static inline int
bench_listen(int backlog, struct sockaddr_in *sin)
{
	socklen_t	 len = sizeof(*sin);
	int		 fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		err(1, "socket");
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)sin, sizeof(*sin)) == -1 ||
	    listen(fd, backlog) == -1) {
		err(1, "bind 127.0.0.1");
	}
	if (getsockname(fd, (struct sockaddr *)sin, &len) == -1) {
		err(1, "getsockname");
	}
	return fd;
}

/*
 * One write(2) on a non-blocking socket, past EINTR: the bytes written,
 * 0 when the socket is full, -1 on an error.
 */
static inline ssize_t
bench_write_some(int fd, const void *p, size_t n)
{
	ssize_t	 w;

	for (;;) {
		if ((w = write(fd, p, n)) != -1) {
			return w;
		}
		if (errno == EAGAIN) {
			return 0;
		}
		if (errno != EINTR) {
			return -1;
		}
	}
}

/* After getopt's switch: exit 2 when strtonum refused ch's argument. */
static inline void
bench_optarg(int ch, const char *errstr)
{
	if (errstr != NULL) {
		errx(2, "-%c %s: %s", ch, optarg, errstr);
	}
}

#endif /* BENCH_BENCH_H */
