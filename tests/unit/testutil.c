/*
 * testutil.c -- helpers shared by the unit tests (see testutil.h).
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "conn.h"
#include "testutil.h"

static int	tu_write_all(int, const uint8_t *, size_t);
static int	tu_remove_one(const char *, const struct stat *, int,
		    struct FTW *);

/* A cheap mix of the offset, so that shifted data never compares equal. */
uint8_t
tu_pattern(uint64_t i)
{
	uint64_t	 x = i * 0x9e3779b97f4a7c15ULL;

	return (uint8_t)(x >> 56 ^ i);
}

void
tu_fill(uint8_t *buf, size_t n, uint64_t start)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		buf[i] = tu_pattern(start + i);
	}
}

/* Plain write loop: the helpers must not depend on the code under test. */
static int
tu_write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t	 r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r == -1 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
tu_pattern_file(uint64_t n)
{
	char		 path[64];
	uint8_t		 buf[65536];
	uint64_t	 done = 0;
	size_t		 k;
	int		 fd;

	if ((fd = tu_temp_file(path, NULL, 0)) == -1) {
		return -1;
	}
	(void)unlink(path);
	while (done < n) {
		k = n - done > sizeof(buf) ? sizeof(buf) : (size_t)(n - done);
		tu_fill(buf, k, done);
		if (tu_write_all(fd, buf, k) == -1) {
			(void)close(fd);
			return -1;
		}
		done += k;
	}
	return fd;
}

int
tu_temp_file(char *path, const void *data, size_t n)
{
	const char	*dir = getenv("TMPDIR");
	int		 fd;

	if (dir == NULL || *dir == '\0') {
		dir = "/tmp";
	}
	if (snprintf(path, 64, "%s/tfs-unit.XXXXXX", dir) >= 64) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1) {
		return -1;
	}
	if (n > 0 && tu_write_all(fd, data, n) == -1) {
		(void)close(fd);
		(void)unlink(path);
		return -1;
	}
	return fd;
}

int
tu_conn_pair(struct conn *a, struct conn *b, uint32_t maxp, int stall_ms)
{
	int	 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		return -1;
	}
	if (conn_init(a, sv[0], maxp, stall_ms, -1) == -1 ||
	    conn_init(b, sv[1], maxp, stall_ms, -1) == -1) {
		return -1;
	}
	return 0;
}

void
tu_conn_unpair(struct conn *a, struct conn *b)
{
	if (a->fd != -1) {
		(void)close(a->fd);
	}
	if (b->fd != -1) {
		(void)close(b->fd);
	}
	conn_free(a);
	conn_free(b);
}

void
tu_sleep_ms(int ms)
{
	struct timespec	 ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
		continue;
	}
}

void
tu_close_pair(const int fds[2])
{
	(void)close(fds[0]);
	(void)close(fds[1]);
}

pid_t
tu_slow_reader(int fd, int closefd, uint64_t start, uint64_t n,
    size_t maxpiece)
{
	struct timespec	 nap = { 0, 200 * 1000 };
	uint8_t		 buf[4096];
	uint64_t	 got = 0;
	unsigned int	 seed = 12345, reads = 0;
	size_t		 want, i;
	ssize_t		 r;
	pid_t		 pid;

	if ((pid = fork()) != 0) {
		return pid;
	}
	if (closefd != -1) {
		(void)close(closefd);
	}
	if (maxpiece > sizeof(buf)) {
		maxpiece = sizeof(buf);
	}
	for (;;) {
		want = 1 + (size_t)(rand_r(&seed) % maxpiece);
		r = read(fd, buf, want);
		if (r == -1 && errno == EINTR) {
			continue;
		}
		if (r == -1) {
			_exit(2);
		}
		if (r == 0) {
			break;
		}
		for (i = 0; i < (size_t)r; i++) {
			if (got + i >= n || buf[i] != tu_pattern(start +
			    got + i)) {
				_exit(3);
			}
		}
		got += (size_t)r;
		/* a slow peer: the writer must meet EAGAIN and wait */
		if (++reads % 64 == 0) {
			(void)nanosleep(&nap, NULL);
		}
	}
	_exit(got == n ? 0 : 4);
}

pid_t
tu_trickle(int fd, int closefd, const void *buf, size_t n, size_t piece,
    int every_ms, int linger_ms)
{
	const uint8_t	*p = buf;
	size_t		 done = 0, k;
	pid_t		 pid;

	if ((pid = fork()) != 0) {
		return pid;
	}
	if (closefd != -1) {
		(void)close(closefd);
	}
	(void)signal(SIGPIPE, SIG_IGN);
	while (done < n) {
		k = n - done < piece ? n - done : piece;
		if (write(fd, p + done, k) != (ssize_t)k) {
			_exit(1);
		}
		done += k;
		if (done < n) {
			tu_sleep_ms(every_ms);
		}
	}
	tu_sleep_ms(linger_ms);
	_exit(0);
}

int
tu_wait(pid_t pid)
{
	int	 st;

	while (waitpid(pid, &st, 0) == -1) {
		if (errno != EINTR) {
			return -1;
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
tu_temp_dir(char *path, size_t pathsz)
{
	const char	*dir = getenv("TMPDIR");
	char		 made[PATH_MAX], real[PATH_MAX];

	if (dir == NULL || *dir == '\0') {
		dir = "/tmp";
	}
	if (snprintf(made, sizeof(made), "%s/tfs-unit.XXXXXX", dir) >=
	    (int)sizeof(made) || mkdtemp(made) == NULL) {
		return -1;
	}
	/* tests compare link targets with it: no link on the way */
	if (realpath(made, real) == NULL ||
	    strlcpy(path, real, pathsz) >= pathsz) {
		(void)rmdir(made);
		return -1;
	}
	return 0;
}

static int
tu_remove_one(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP) {
		(void)rmdir(path);
	} else {
		(void)unlink(path);
	}
	return 0;
}

void
tu_remove_tree(const char *path)
{
	/* depth first, links removed themselves, never followed */
	(void)nftw(path, tu_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void
tu_assert_str(const char *got, const char *want)
{
	if (want == NULL) {
		CU_ASSERT_PTR_NULL(got);
	} else {
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_STRING_EQUAL(got, want);
	}
}

void
tu_temp_dir_end(char *path, int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
	if (path[0] != '\0') {
		tu_remove_tree(path);
		path[0] = '\0';
	}
}

void
tu_put(const char *path, const char *text, size_t n, mode_t mode)
{
	int	 fd;

	n = n == 0 ? strlen(text) : n;
	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_FATAL(write(fd, text, n) == (ssize_t)n);
	CU_ASSERT_FATAL(fchmod(fd, mode) == 0);
	(void)close(fd);
}
