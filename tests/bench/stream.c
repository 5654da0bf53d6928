/*
 * stream.c -- the streaming ceiling of this machine: a minimal sender
 * and receiver moving N bytes over one loopback TCP connection with
 * plain write(2)/read(2) of -b bytes from one buffer, or of a file's
 * bytes (-f: sendfile(2); -f with -r: read(2) then write(2)), reporting
 * MB/s (10^6 bytes per second) as seen by the receiver.  With -o the
 * receiver also writes what it reads to a file: the least a PUT does
 * (-o with -s: splice(2) socket -> pipe -> file, no user-space copy).
 *
 * The sender is a forked child; the receiver times from accept to end of
 * stream, so connection set-up is included as it is for tfs.  Talks to
 * 127.0.0.1 only.  Stops after -n bytes or -d seconds, whichever first.
 */

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static double	stream_now(void);
static void	stream_send(const struct sockaddr_in *, uint64_t total,
		    size_t bufsz, const char *file, int rw, double deadline);
static void	usage(void);

static double
stream_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The sender: connect, push total bytes (or until the deadline), close. */
static void
stream_send(const struct sockaddr_in *sin, uint64_t total, size_t bufsz,
    const char *file, int rw, double deadline)
{
	struct stat	 st;
	uint8_t		*buf = NULL;
	uint64_t	 sent = 0;
	off_t		 off;
	ssize_t		 n;
	size_t		 k;
	int		 s, fd = -1, one = 1;

	if ((s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		err(1, "socket");
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s, (const struct sockaddr *)sin, sizeof(*sin)) == -1) {
		err(1, "connect");
	}
	if (file != NULL) {
		if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1 ||
		    fstat(fd, &st) == -1) {
			err(1, "%s", file);
		}
		if ((uint64_t)st.st_size < total) {
			total = (uint64_t)st.st_size;
		}
	}
	if (fd == -1 || rw) {
		if ((buf = malloc(bufsz)) == NULL) {
			err(1, "malloc");
		}
		memset(buf, 'x', bufsz);
	}
	off = 0;
	while (sent < total) {
		k = total - sent < bufsz ? (size_t)(total - sent) : bufsz;
		if (fd != -1 && !rw) {
			n = sendfile(s, fd, &off, k);
		} else {
			if (fd != -1) {
				n = pread(fd, buf, k, off);
				if (n <= 0) {
					err(1, "read %s", file);
				}
				k = (size_t)n;
				off += n;
			}
			n = write(s, buf, k);	/* blocking: all of k */
		}
		if (n == -1) {
			if (errno == EINTR) {
				continue;
			}
			err(1, "send");
		}
		sent += (uint64_t)n;
		/* Checking the clock once per 64 writes costs nothing. */
		if ((sent / bufsz) % 64 == 0 && stream_now() > deadline) {
			break;
		}
	}
	close(s);
	free(buf);
	_exit(0);
}

static void
usage(void)
{
	fprintf(stderr, "usage: stream [-b bufsize] [-d seconds] "
	    "[-f file [-r]] [-n bytes] [-o file [-s]]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin;
	const char		*file = NULL, *out = NULL, *errstr = NULL;
	uint8_t			*buf;
	uint64_t		 total = 1ULL << 30, got = 0;
	size_t			 k;
	double			 t0, t1, secs = 60;
	size_t			 bufsz = 1 << 20;
	ssize_t			 n;
	pid_t			 pid;
	int			 ch, lfd, s, status, ofd = -1, rw = 0, one = 1;
	int			 spl = 0, pfd[2];
	ssize_t			 m;

	while ((ch = getopt(argc, argv, "b:d:f:n:o:rs")) != -1) {
		switch (ch) {
		case 'b':
			bufsz = (size_t)strtonum(optarg, 1, 1 << 26, &errstr);
			break;
		case 'd':
			secs = atof(optarg);
			errstr = secs > 0 ? NULL : "invalid";
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			total = (uint64_t)strtonum(optarg, 1, LLONG_MAX,
			    &errstr);
			break;
		case 'o':
			out = optarg;
			break;
		case 'r':
			rw = 1;
			break;
		case 's':
			spl = 1;
			break;
		default:
			usage();
		}
		bench_optarg(ch, errstr);
	}
	if (argc != optind) {
		usage();
	}

	lfd = bench_listen(1, &sin);
	if ((buf = malloc(bufsz)) == NULL) {
		err(1, "malloc");
	}
	if (out != NULL && (ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644)) == -1) {
		err(1, "%s", out);
	}

	t0 = stream_now();
	switch (pid = fork()) {
	case -1:
		err(1, "fork");
	case 0:
		close(lfd);
		stream_send(&sin, total, bufsz, file, rw, t0 + secs);
		/* NOTREACHED */
	}
	if ((s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
		err(1, "accept");
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (spl && ofd != -1) {
		if (pipe2(pfd, O_CLOEXEC) == -1) {
			err(1, "pipe");
		}
		(void)fcntl(pfd[1], F_SETPIPE_SZ, (int)bufsz);
	}
	for (;;) {
		if (spl && ofd != -1) {
			n = splice(s, NULL, pfd[1], NULL, bufsz, SPLICE_F_MOVE);
			if (n == -1) {
				err(1, "splice from the socket");
			}
			if (n == 0) {
				break;
			}
			got += (uint64_t)n;
			for (m = n; m > 0; m -= k) {
				k = (size_t)splice(pfd[0], NULL, ofd, NULL,
				    (size_t)m, SPLICE_F_MOVE);
				if ((ssize_t)k <= 0) {
					err(1, "splice to %s", out);
				}
			}
			continue;
		}
		n = read(s, buf, bufsz);
		if (n == -1) {
			if (errno == EINTR) {
				continue;
			}
			err(1, "read");
		}
		if (n == 0) {
			break;
		}
		got += (uint64_t)n;
		if (ofd != -1 && write(ofd, buf, (size_t)n) != n) {
			err(1, "write %s", out);
		}
	}
	t1 = stream_now();
	if (ofd != -1) {
		close(ofd);
	}
	close(s);
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		errx(1, "the sender failed");
	}
	printf("stream bytes=%llu bufsize=%zu source=%s sink=%s secs=%.3f "
	    "mbps=%.1f\n", (unsigned long long)got, bufsz,
	    file == NULL ? "memory" : rw ? "read" : "sendfile",
	    out == NULL ? "memory" : spl ? "splice-file" : "file",
	    t1 - t0, (double)got / (t1 - t0) / 1e6);
	return 0;
}
