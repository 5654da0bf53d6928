/*
 * test_sandbox.c -- the worker sandbox (sandbox.c), applied in forked
 * children over a temporary root: work beneath the root goes on
 * (read, write, rename and link across folders, truncate, list, lock,
 * map, digest, poll, sleep, signals), the world outside is EACCES,
 * execve, new sockets and the rest of the forbidden calls kill with
 * SIGSYS, each Landlock ABI from 1 up behaves as documented, and the
 * start-up rules on root and modes.  What the kernel (or valgrind)
 * cannot do is skipped with a note.
 */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <netdb.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "acl.h"
#include "digest.h"
#include "log.h"
#include "sandbox.h"
#include "suites.h"

/* A temporary tree: root/ is served; out/ and the log folder are not. */
struct sbt {
	char	 dir[64];
	char	 root[128];
	char	 out[128];
	char	 logdir[128];
	char	 log[160];
	int	 root_fd;
	int	 lfd;		/* listening on 127.0.0.1 */
	int	 cfd;		/* connected to lfd, not yet accepted */
	int	 tfd;		/* a TCP socket, neither bound nor connected */
	pid_t	 parent;	/* the test runner, as a worker's master */
	struct sockaddr_in sin;	/* lfd's address */
};

/* A check inside the child: on failure say where and why, exit 1. */
#define SBT_CHECK(cond, what) do {					\
	if (!(cond)) {							\
		sbt_fail(__LINE__, what);				\
	}								\
} while (0)

/* One child in a fresh tree, and how it must end. */
struct sbt_case {
	const char	*what;
	int	 abi, seccomp;		/* what sbt_can must find */
	int	 read_only, syslog, abi_max;	/* the conf's */
	void	(*fn)(struct sbt *, long);
	long	 arg;
	int	(*ended)(int);		/* sbt_ok or sbt_sigsys */
};

static int	sbt_msg_fd = -1;
static volatile sig_atomic_t sbt_sigs;

static int	sbt_setup(struct sbt *);
static void	sbt_cleanup(struct sbt *);
static int	sbt_rm(const char *, const struct stat *, int, struct FTW *);
static int	sbt_sockets(struct sbt *);
static void	sbt_fail(int, const char *) __attribute__((noreturn));
static void	sbt_conf(const struct sbt *, struct sandbox_conf *);
static int	sbt_run(struct sbt *, const struct sandbox_conf *,
		    void (*)(struct sbt *, long), long,
		    struct sandbox_status *);
static int	sbt_ok(int);
static int	sbt_sigsys(int);
static void	sbt_skip(const char *);
static int	sbt_can(int, int);
static int	sbt_begin(int, int, struct sbt *, struct sandbox_conf *);
static void	sbt_handler(int);

static void	sbt_files(struct sbt *, long);
static void	sbt_outside(struct sbt *, long);
static void	sbt_read_only(struct sbt *, long);
static void	sbt_log_folder(struct sbt *, long);
static void	sbt_log_closed(struct sbt *, long);
static void	sbt_work(struct sbt *, long);
static void	sbt_forbidden(struct sbt *, long);
static void	sbt_syslog(struct sbt *, long);
static void	sbt_tcp(struct sbt *, long);
static void	sbt_abi(struct sbt *, long);
static void	sbt_abort(struct sbt *, long);
static void	sbt_umask(struct sbt *, long);
static void	sbt_cost(struct sbt *, long);
static void	sbt_nothing(struct sbt *, long);
static void	sbt_execve(struct sbt *, long);
static void	sbt_socket(struct sbt *, long);
static int	sbt_unix(const char *, size_t);

static void	test_sandbox_init(void);
static void	test_sandbox_children(void);
static void	test_sandbox_outside(void);
static void	test_sandbox_log_folder(void);
static void	test_sandbox_forbidden(void);
static void	test_sandbox_syslog(void);
static void	test_sandbox_abis(void);
static void	test_sandbox_abort_exit(void);
static void	test_sandbox_root_warning(void);
static void	test_sandbox_umask(void);
static void	test_sandbox_cost(void);
static void	sbt_peer_names(struct sbt *, long);

static int
sbt_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return 0;
}

/* Make the tree.  0, or -1 (the test then fails). */
static int
sbt_setup(struct sbt *t)
{
	int	 fd;

	memset(t, 0, sizeof(*t));
	t->root_fd = t->lfd = t->cfd = t->tfd = -1;
	t->parent = getpid();
	if (sbt_sockets(t) == -1) {
		return -1;
	}
	(void)strlcpy(t->dir, "/tmp/tfs-sandbox.XXXXXX", sizeof(t->dir));
	if (mkdtemp(t->dir) == NULL) {
		return -1;
	}
	(void)snprintf(t->root, sizeof(t->root), "%s/root", t->dir);
	(void)snprintf(t->out, sizeof(t->out), "%s/out", t->dir);
	(void)snprintf(t->logdir, sizeof(t->logdir), "%s/log", t->dir);
	(void)snprintf(t->log, sizeof(t->log), "%s/tfsd.log", t->logdir);
	if (mkdir(t->root, 0755) == -1 || mkdir(t->out, 0755) == -1 ||
	    mkdir(t->logdir, 0755) == -1) {
		return -1;
	}
	if ((t->root_fd = open(t->root, O_PATH | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		return -1;
	}
	if (mkdirat(t->root_fd, "a", 0755) == -1 ||
	    mkdirat(t->root_fd, "b", 0755) == -1) {
		return -1;
	}
	fd = openat(t->root_fd, "a/f", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, "hello\n", 6) != 6) {
		return -1;
	}
	(void)close(fd);
	fd = open(t->log, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, "old\n", 4) != 4) {
		return -1;
	}
	(void)close(fd);
	(void)snprintf(t->out + strlen(t->out), sizeof(t->out) -
	    strlen(t->out), "/secret");
	fd = open(t->out, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, "secret\n", 7) != 7) {
		return -1;
	}
	(void)close(fd);
	return 0;
}

/* The worker's kind of sockets, made before the sandbox.  0 or -1. */
static int
sbt_sockets(struct sbt *t)
{
	socklen_t	 len = sizeof(t->sin);

	memset(&t->sin, 0, sizeof(t->sin));
	t->sin.sin_family = AF_INET;
	t->sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((t->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(t->lfd, (struct sockaddr *)&t->sin, sizeof(t->sin)) == -1 ||
	    listen(t->lfd, 8) == -1 ||
	    getsockname(t->lfd, (struct sockaddr *)&t->sin, &len) == -1) {
		return -1;
	}
	t->cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (t->cfd == -1 || connect(t->cfd, (struct sockaddr *)&t->sin,
	    sizeof(t->sin)) == -1) {
		return -1;
	}
	t->tfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	return t->tfd == -1 ? -1 : 0;
}

static void
sbt_cleanup(struct sbt *t)
{
	if (t->root_fd != -1) {
		(void)close(t->root_fd);
	}
	if (t->lfd != -1) {
		(void)close(t->lfd);
	}
	if (t->cfd != -1) {
		(void)close(t->cfd);
	}
	if (t->tfd != -1) {
		(void)close(t->tfd);
	}
	if (t->dir[0] != '\0') {
		(void)nftw(t->dir, sbt_rm, 16, FTW_DEPTH | FTW_PHYS);
	}
}

/* In the child: tell the parent what failed, then end. */
static void
sbt_fail(int line, const char *what)
{
	char	 buf[256];
	int	 n, saved = errno;

	n = snprintf(buf, sizeof(buf), "line %d: %s (errno %d: %s)\n", line,
	    what, saved, strerror(saved));
	if (n > 0 && sbt_msg_fd != -1) {
		(void)!write(sbt_msg_fd, buf, (size_t)n);
	}
	_exit(1);
}

static void
sbt_conf(const struct sbt *t, struct sandbox_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->root_fd = t->root_fd;
	c->log_file = t->log;
}

/*
 * Fork; the child applies conf, sends its status, runs fn(t, arg) and
 * exits 0 (or 1 from SBT_CHECK).  Returns the child's wait status after
 * printing what it said; st gets its sandbox status.
 */
static int
sbt_run(struct sbt *t, const struct sandbox_conf *conf,
    void (*fn)(struct sbt *, long), long arg, struct sandbox_status *st)
{
	struct sandbox_status	 cst;
	char			 msg[1024];
	ssize_t			 n;
	size_t			 got = 0;
	pid_t			 pid;
	int			 fds[2], status;

	memset(st, 0, sizeof(*st));
	if (pipe2(fds, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		return -1;
	}
	if (pid == 0) {
		(void)close(fds[0]);
		sbt_msg_fd = fds[1];
		if (sandbox_apply(conf, &cst) == -1) {
			sbt_fail(__LINE__, cst.text);
		}
		if (write(fds[1], &cst, sizeof(cst)) != sizeof(cst)) {
			_exit(3);
		}
		fn(t, arg);
		_exit(0);
	}
	(void)close(fds[1]);
	while (got < sizeof(msg) - 1 &&
	    (n = read(fds[0], msg + got, sizeof(msg) - 1 - got)) > 0) {
		got += (size_t)n;
	}
	(void)close(fds[0]);
	msg[got] = '\0';
	if (got >= sizeof(cst)) {
		memcpy(st, msg, sizeof(cst));
		if (got > sizeof(cst)) {
			printf("\n    child: %s", msg + sizeof(cst));
		}
	} else if (got > 0) {
		printf("\n    child: %s", msg);
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			return -1;
		}
	}
	return status;
}

static int
sbt_ok(int status)
{
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int
sbt_sigsys(int status)
{
	return status != -1 && WIFSIGNALED(status) &&
	    WTERMSIG(status) == SIGSYS;
}

static void
sbt_skip(const char *why)
{
	printf("\n    skipped: %s ", why);
	CU_PASS(why);
}

/*
 * 1 when this process can test what needs Landlock at abi (or seccomp
 * when abi is 0); else says why not.
 */
static int
sbt_can(int abi, int seccomp)
{
	struct sandbox_status	 st;

	(void)sandbox_init(&st);
	if (abi > 0 && st.abi < abi) {
		sbt_skip(st.abi == 0 ? st.text : "an older Landlock ABI");
		return 0;
	}
	if (abi > 0 && st.landlock == 0) {
		sbt_skip(st.text);
		return 0;
	}
	if (seccomp && st.seccomp == SANDBOX_SECCOMP_OFF) {
		sbt_skip(st.text);
		return 0;
	}
	return 1;
}

/*
 * sbt_can, then a fresh tree and the default conf for it: 1, or 0 when
 * the test is skipped.
 */
static int
sbt_begin(int abi, int seccomp, struct sbt *t, struct sandbox_conf *c)
{
	if (!sbt_can(abi, seccomp)) {
		return 0;
	}
	CU_ASSERT_EQUAL_FATAL(sbt_setup(t), 0);
	sbt_conf(t, c);
	return 1;
}

static void
sbt_handler(int sig)
{
	(void)sig;
	sbt_sigs++;
}

static void
sbt_nothing(struct sbt *t, long arg)
{
	(void)t;
	(void)arg;
}

/* Beneath the root: everything the server does to files and folders. */
static void
sbt_files(struct sbt *t, long arg)
{
	char	 buf[16];
	DIR	*d;
	int	 fd, n = 0;

	(void)arg;
	fd = openat(t->root_fd, "a/f", O_RDONLY | O_CLOEXEC);
	SBT_CHECK(fd != -1, "open a file beneath the root");
	SBT_CHECK(read(fd, buf, 6) == 6 && memcmp(buf, "hello\n", 6) == 0,
	    "read it");
	(void)close(fd);
	fd = openat(t->root_fd, "a/new", O_RDWR | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0644);
	SBT_CHECK(fd != -1, "create a file");
	SBT_CHECK(write(fd, "abcdef", 6) == 6, "write it");
	SBT_CHECK(ftruncate(fd, 2) == 0, "ftruncate");
	SBT_CHECK(fsetxattr(fd, "user.tfs.t", "1", 1, 0) == 0 ||
	    errno == ENOTSUP, "fsetxattr");
	SBT_CHECK(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync");
	SBT_CHECK(flock(fd, LOCK_EX | LOCK_NB) == 0, "flock");
	SBT_CHECK(fchmod(fd, 0640) == 0, "fchmod");
	SBT_CHECK(futimens(fd, NULL) == 0, "futimens");
	(void)close(fd);
	fd = openat(t->root_fd, "a/new", O_WRONLY | O_TRUNC | O_CLOEXEC);
	SBT_CHECK(fd != -1, "open with O_TRUNC");
	(void)close(fd);
	SBT_CHECK(renameat(t->root_fd, "a/new", t->root_fd, "b/moved") == 0,
	    "rename across folders");
	SBT_CHECK(renameat2(t->root_fd, "b/moved", t->root_fd, "b/m2",
	    RENAME_NOREPLACE) == 0, "renameat2 NOREPLACE");
	SBT_CHECK(linkat(t->root_fd, "b/m2", t->root_fd, "a/linked", 0) == 0,
	    "link across folders");
	SBT_CHECK(unlinkat(t->root_fd, "a/linked", 0) == 0, "unlink");
	SBT_CHECK(mkdirat(t->root_fd, "c", 0755) == 0, "mkdir");
	SBT_CHECK(renameat(t->root_fd, "c", t->root_fd, "a/c") == 0,
	    "move a folder");
	SBT_CHECK(unlinkat(t->root_fd, "a/c", AT_REMOVEDIR) == 0, "rmdir");
	fd = openat(t->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	SBT_CHECK(fd != -1 && (d = fdopendir(fd)) != NULL, "open the root");
	while (readdir(d) != NULL) {
		n++;
	}
	(void)closedir(d);
	SBT_CHECK(n == 4, "list the root: . .. a b");
}

/* Outside the root: nothing can be opened for reading or writing. */
static void
sbt_outside(struct sbt *t, long arg)
{
	char	 path[192];
	int	 fd;

	(void)arg;
	SBT_CHECK(open(t->out, O_RDONLY | O_CLOEXEC) == -1 &&
	    errno == EACCES, "read a file outside");
	SBT_CHECK(open("/etc/passwd", O_RDONLY | O_CLOEXEC) == -1 &&
	    errno == EACCES, "read /etc/passwd");
	SBT_CHECK(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC) == -1 &&
	    errno == EACCES, "list /");
	SBT_CHECK(openat(t->root_fd, "../out/secret", O_RDONLY |
	    O_CLOEXEC) == -1 && errno == EACCES, "read ../out/secret");
	(void)snprintf(path, sizeof(path), "%s/out/new", t->dir);
	SBT_CHECK(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644) == -1 &&
	    errno == EACCES, "create a file outside");
	SBT_CHECK(renameat(t->root_fd, "a/f", AT_FDCWD, path) == -1 &&
	    (errno == EACCES || errno == EXDEV), "move a file out");
	SBT_CHECK(symlinkat("f", t->root_fd, "a/sym") == -1 &&
	    errno == EACCES, "make a symbolic link");
	SBT_CHECK(mknodat(t->root_fd, "a/fifo", S_IFIFO | 0644, 0) == -1 &&
	    errno == EACCES, "make a fifo");
	/* a file already open stays usable: that is how stderr works */
	fd = openat(t->root_fd, "a/f", O_RDONLY | O_CLOEXEC);
	SBT_CHECK(fd != -1, "open a file beneath the root");
	(void)close(fd);
}

static void
sbt_read_only(struct sbt *t, long arg)
{
	int	 fd;

	(void)arg;
	fd = openat(t->root_fd, "a/f", O_RDONLY | O_CLOEXEC);
	SBT_CHECK(fd != -1, "read a file");
	(void)close(fd);
	SBT_CHECK(openat(t->root_fd, "a/f", O_WRONLY | O_CLOEXEC) == -1 &&
	    errno == EACCES, "write a file");
	SBT_CHECK(openat(t->root_fd, "a/g", O_WRONLY | O_CREAT | O_CLOEXEC,
	    0644) == -1 && errno == EACCES, "create a file");
	SBT_CHECK(mkdirat(t->root_fd, "c", 0755) == -1 && errno == EACCES,
	    "mkdir");
	SBT_CHECK(unlinkat(t->root_fd, "a/f", 0) == -1 && errno == EACCES,
	    "unlink");
	SBT_CHECK(renameat(t->root_fd, "a/f", t->root_fd, "a/g") == -1 &&
	    errno == EACCES, "rename");
}

/* The log file: appended, reopened after rotation; never read. */
static void
sbt_log_folder(struct sbt *t, long arg)
{
	char	 path[192];
	int	 fd;

	(void)arg;
	fd = open(t->log, O_WRONLY | O_APPEND | O_CLOEXEC);
	SBT_CHECK(fd != -1 && write(fd, "x\n", 2) == 2, "append to the log");
	(void)close(fd);
	(void)snprintf(path, sizeof(path), "%s/rotated.log", t->logdir);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	SBT_CHECK(fd != -1, "create a new log after rotation");
	(void)close(fd);
	SBT_CHECK(open(t->log, O_RDONLY | O_CLOEXEC) == -1 &&
	    errno == EACCES, "read the log");
	SBT_CHECK(open(t->log, O_WRONLY | O_TRUNC | O_CLOEXEC) == -1 &&
	    errno == EACCES, "truncate the log");
	SBT_CHECK(unlinkat(AT_FDCWD, t->log, 0) == -1 && errno == EACCES,
	    "remove the log");
	SBT_CHECK(log_init(LOG_TO_FILE, LOG_LVL_INFO, "sbt", t->log) == 0,
	    "log_init on the file");
	log_info("sandboxed line");
	SBT_CHECK(log_reopen() == 0, "log_reopen");
	log_info("after reopen");
}

/* What a worker does between and during requests still works. */
static void
sbt_work(struct sbt *t, long arg)
{
	struct sockaddr_storage	 ss;
	struct sigaction	 sa;
	struct itimerval	 it;
	struct pollfd		 pfd;
	struct statfs		 sfs;
	struct timespec		 ts;
	struct tm		 tm;
	uint8_t			 md[DIGEST_SHA256_LEN];
	socklen_t		 sl = sizeof(ss);
	char			 buf[64], *p;
	time_t			 now;
	off_t			 off;
	int			 fd, afd, pp[2], on = 1;

	(void)arg;
	afd = accept4(t->lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
	SBT_CHECK(afd != -1, "accept4");
	SBT_CHECK(setsockopt(afd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &on,
	    sizeof(on)) == 0, "TCP_NODELAY");
	sl = sizeof(ss);
	SBT_CHECK(getpeername(afd, (struct sockaddr *)&ss, &sl) == 0,
	    "getpeername");
	SBT_CHECK(send(t->cfd, "ping", 4, 0) == 4, "send");
	pfd.fd = afd;
	pfd.events = POLLIN;
	SBT_CHECK(poll(&pfd, 1, 5000) == 1, "poll");
	SBT_CHECK(recv(afd, buf, sizeof(buf), MSG_DONTWAIT) == 4, "recv");
	SBT_CHECK(shutdown(afd, SHUT_WR) == 0, "shutdown");
	(void)close(afd);

	fd = openat(t->root_fd, "a/f", O_RDONLY | O_CLOEXEC);
	SBT_CHECK(fd != -1, "open");
	p = mmap(NULL, 6, PROT_READ, MAP_SHARED, fd, 0);
	SBT_CHECK(p != MAP_FAILED && memcmp(p, "hello\n", 6) == 0,
	    "map a file");
	(void)munmap(p, 6);
	SBT_CHECK(digest_sha256_fd(fd, md) == 0, "SHA-256 (libcrypto)");
	SBT_CHECK(pread(fd, buf, 6, 0) == 6, "pread");
	SBT_CHECK(fstatfs(fd, &sfs) == 0, "fstatfs");
	SBT_CHECK(pipe2(pp, O_CLOEXEC) == 0, "pipe2");
	(void)fcntl(pp[1], F_SETPIPE_SZ, 65536);
	off = 0;
	SBT_CHECK(sendfile(pp[1], fd, &off, 6) == 6, "sendfile");
	(void)close(fd);
	fd = openat(t->root_fd, "a/spliced", O_WRONLY | O_CREAT | O_CLOEXEC,
	    0644);
	SBT_CHECK(fd != -1 && splice(pp[0], NULL, fd, NULL, 6, 0) == 6,
	    "splice");
	(void)close(fd);

	SBT_CHECK((p = malloc(1 << 20)) != NULL, "malloc");
	memset(p, 1, 1 << 20);
	SBT_CHECK((p = realloc(p, 16 << 20)) != NULL, "realloc");
	free(p);
	SBT_CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0, "clock_gettime");
	now = time(NULL);
	SBT_CHECK(localtime_r(&now, &tm) != NULL &&
	    strftime(buf, sizeof(buf), "%F %T %Z", &tm) > 0, "local time");
	SBT_CHECK(arc4random_uniform(10) < 10, "arc4random");
	SBT_CHECK(usleep(1000) == 0, "usleep");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sbt_handler;
	SBT_CHECK(sigaction(SIGALRM, &sa, NULL) == 0 &&
	    sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
	SBT_CHECK(raise(SIGUSR1) == 0 && sbt_sigs == 1, "raise");
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 20000;
	SBT_CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer");
	SBT_CHECK(poll(NULL, 0, 5000) == -1 && errno == EINTR &&
	    sbt_sigs == 2, "a timer interrupts poll");
	(void)alarm(600);
	(void)alarm(0);
}

/* Calls the filter forbids; SBT_PARENT stands for the parent's pid. */
#define SBT_PARENT	(-7777)
static const struct {
	const char	*name;
	long		 nr;
	long		 a[6];
	int		 wide;		/* allowed for ASan's runtime */
} sbt_calls[] = {
	{ "execveat", SYS_execveat, { -1, 0, 0, 0, 0, 0 }, 0 },
	{ "socket AF_INET6", SYS_socket, { AF_INET6, SOCK_DGRAM, 0 }, 0 },
	{ "socket AF_UNIX", SYS_socket, { AF_UNIX, SOCK_STREAM, 0 }, 0 },
	{ "socket AF_NETLINK", SYS_socket, { AF_NETLINK, SOCK_RAW, 0 }, 0 },
	{ "socketpair", SYS_socketpair, { AF_UNIX, SOCK_STREAM, 0, 0 }, 0 },
	{ "connect", SYS_connect, { 0, 0, 0 }, 0 },
	{ "bind", SYS_bind, { 0, 0, 0 }, 0 },
	{ "listen", SYS_listen, { 0, 0 }, 0 },
	{ "fork", SYS_clone, { SIGCHLD, 0, 0, 0, 0 }, 1 },
	{ "clone3", SYS_clone3, { 0, 0 }, 0 },
	{ "vfork", SYS_vfork, { 0 }, 0 },
	{ "ptrace", SYS_ptrace, { 0 /* TRACEME */, 0, 0, 0 }, 1 },
	{ "mmap PROT_EXEC", SYS_mmap, { 0, 4096, PROT_READ | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 }, 0 },
	{ "mprotect PROT_EXEC", SYS_mprotect, { 0, 4096,
	    PROT_READ | PROT_EXEC }, 0 },
	{ "kill the master", SYS_kill, { SBT_PARENT, 0 }, 0 },
	{ "tgkill the master", SYS_tgkill, { SBT_PARENT, SBT_PARENT, 0 }, 0 },
	{ "setuid", SYS_setuid, { 0 }, 0 },
	{ "setresuid", SYS_setresuid, { 0, 0, 0 }, 0 },
	{ "setgid", SYS_setgid, { 0 }, 0 },
	{ "setgroups", SYS_setgroups, { 0, 0 }, 0 },
	{ "capset", SYS_capset, { 0, 0 }, 0 },
	{ "mount", SYS_mount, { 0, 0, 0, 0, 0 }, 0 },
	{ "umount2", SYS_umount2, { 0, 0 }, 0 },
	{ "chroot", SYS_chroot, { 0 }, 0 },
	{ "pivot_root", SYS_pivot_root, { 0, 0 }, 0 },
	{ "unshare", SYS_unshare, { 0x10000000 /* CLONE_NEWUSER */ }, 0 },
	{ "setns", SYS_setns, { -1, 0 }, 0 },
	{ "bpf", SYS_bpf, { 0, 0, 0 }, 0 },
	{ "perf_event_open", SYS_perf_event_open, { 0, 0, -1, -1, 0 }, 0 },
	{ "keyctl", SYS_keyctl, { 0, 0, 0, 0, 0 }, 0 },
	{ "add_key", SYS_add_key, { 0, 0, 0, 0, 0 }, 0 },
	{ "prctl", SYS_prctl, { 4 /* PR_SET_DUMPABLE */, 1, 0, 0, 0 }, 1 },
	{ "seccomp", SYS_seccomp, { 0, 0, 0 }, 0 },
	{ "ioctl TIOCSTI", SYS_ioctl, { 0, 0x5412, 0 }, 0 },
	{ "symlinkat", SYS_symlinkat, { 0, -1, 0 }, 0 },
	{ "mknodat", SYS_mknodat, { -1, 0, 0, 0 }, 0 },
	{ "fchmodat", SYS_fchmodat, { -1, 0, 0 }, 0 },
	{ "fchown", SYS_fchown, { -1, 0, 0 }, 0 },
	{ "process_vm_writev", SYS_process_vm_writev, { 1, 0, 0, 0, 0, 0 },
	    0 },
	{ "memfd_create", SYS_memfd_create, { 0, 0 }, 0 },
	{ "io_uring_setup", SYS_io_uring_setup, { 1, 0 }, 0 },
	{ "userfaultfd", SYS_userfaultfd, { 0 }, 0 },
	{ "landlock_create_ruleset", SYS_landlock_create_ruleset,
	    { 0, 0, 1 }, 0 },
	{ "pidfd_open", SYS_pidfd_open, { 1, 0 }, 0 },
	{ "init_module", SYS_init_module, { 0, 0, 0 }, 0 },
	{ "reboot", SYS_reboot, { 0, 0, 0, 0 }, 0 },
	{ "uname", SYS_uname, { 0 }, 0 },
};
#define SBT_NCALLS	(int)(sizeof(sbt_calls) / sizeof(sbt_calls[0]))

/* Make forbidden call number arg; the filter must kill before it ends. */
static void
sbt_forbidden(struct sbt *t, long arg)
{
	long	 a[6];
	int	 i;

	for (i = 0; i < 6; i++) {
		a[i] = sbt_calls[arg].a[i];
		if (a[i] == SBT_PARENT) {
			a[i] = (long)t->parent;
		}
	}
	(void)syscall(sbt_calls[arg].nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	/* still alive: a forked copy must not run the parent's tests */
	_exit(0);
}

/*
 * syslog's reconnection works; other sockets still kill (arg 1); an
 * abstract socket is out of scope from Landlock ABI 6 (arg 2).
 */
static void
sbt_syslog(struct sbt *t, long arg)
{
	struct sockaddr_un	 sun;
	int			 fd;

	if (arg == 1) {
		(void)socket(AF_INET, SOCK_STREAM, 0);
		_exit(0);
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	SBT_CHECK(fd != -1, "an AF_UNIX socket");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (arg == 2) {
		(void)snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
		    "tfs-sbt-%ld", (long)t->parent);
		SBT_CHECK(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ==
		    -1 && errno == EPERM, "connect to an abstract socket");
	}
	(void)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/log.sock",
	    t->dir);
	SBT_CHECK(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0,
	    "connect to the log socket");
	SBT_CHECK(send(fd, "<14>sbt: one", 12, 0) == 12, "send a line");
	(void)close(fd);
	/* glibc's syslog(): socket, connect, send, and again on failure */
	openlog("sbt", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	syslog(LOG_INFO, "sandboxed syslog line");
	closelog();
}

/*
 * Landlock (ABI 4) refuses TCP even where the filter lets connect by;
 * with arg set, the connection is expected to be made.
 */
static void
sbt_tcp(struct sbt *t, long arg)
{
	int	 r;

	r = connect(t->tfd, (struct sockaddr *)&t->sin, sizeof(t->sin));
	if (arg) {
		SBT_CHECK(r == 0, "TCP connect without Landlock's net rules");
	} else {
		SBT_CHECK(r == -1 && errno == EACCES, "TCP connect");
	}
}

/* At Landlock ABI arg: cross-folder renames work; outside is closed. */
static void
sbt_abi(struct sbt *t, long arg)
{
	int	 fd;

	SBT_CHECK(renameat(t->root_fd, "a/f", t->root_fd, "b/f") == 0,
	    "rename across folders");
	fd = openat(t->root_fd, "b/f", O_WRONLY | O_TRUNC | O_CLOEXEC);
	SBT_CHECK(fd != -1, "truncate beneath the root");
	(void)close(fd);
	fd = open(t->out, O_RDONLY | O_CLOEXEC);
	if (arg >= 2) {
		SBT_CHECK(fd == -1 && errno == EACCES, "read outside");
	} else {
		/* ABI 1 is not used at all */
		SBT_CHECK(fd != -1, "read outside without Landlock");
	}
}

static void
sbt_abort(struct sbt *t, long arg)
{
	(void)t;
	if (arg) {
		/* atexit handlers, stdio, and LeakSanitizer under ASan */
		exit(0);
	}
	abort();
}

/* A cheap call, timed: what the filter adds to each system call. */
static void
sbt_cost(struct sbt *t, long arg)
{
	struct timespec	 a, b;
	char		 line[128];
	double		 ns;
	int		 i, n;

	(void)t;
	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < arg; i++) {
		(void)syscall(SYS_getpid);
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 +
	    (double)(b.tv_nsec - a.tv_nsec)) / (double)arg;
	n = snprintf(line, sizeof(line), "%.0f", ns);
	SBT_CHECK(n > 0 && write(STDOUT_FILENO, line, (size_t)n) == n,
	    "report");
}

static void
test_sandbox_init(void)
{
	struct sandbox_status	 probe, st;
	struct sandbox_conf	 c;
	struct sbt		 t;
	int			 rc;

	rc = sandbox_init(&probe);
	CU_ASSERT(rc == 0 || rc == 1);
	CU_ASSERT(probe.text[0] != '\0');
	printf("\n    %s: %s ", rc == 0 ? "complete" : "warn", probe.text);
	CU_ASSERT_EQUAL_FATAL(sbt_setup(&t), 0);
	sbt_conf(&t, &c);
	/* the master's prediction is what each worker gets */
	CU_ASSERT(sbt_ok(sbt_run(&t, &c, sbt_nothing, 0, &st)));
	CU_ASSERT_STRING_EQUAL(st.text, probe.text);
	CU_ASSERT_EQUAL(st.landlock, probe.landlock);
	CU_ASSERT_EQUAL(st.seccomp, probe.seccomp);
	if (rc == 0) {
		CU_ASSERT(st.landlock >= 2);
		CU_ASSERT_EQUAL(st.seccomp, SANDBOX_SECCOMP_ON);
	}
	sbt_cleanup(&t);
}

static void
test_sandbox_outside(void)
{
	struct sandbox_status	 st;
	struct sandbox_conf	 c;
	struct sbt		 t;

	if (!sbt_begin(2, 0, &t, &c)) {
		return;
	}
	/* Landlock alone: seccomp would kill symlinkat and mknodat first */
	c.landlock_only = 1;
	CU_ASSERT(sbt_ok(sbt_run(&t, &c, sbt_outside, 0, &st)));
	/* and with the filter too, as a worker runs */
	c.landlock_only = 0;
	CU_ASSERT(sbt_sigsys(sbt_run(&t, &c, sbt_outside, 0, &st)) ||
	    st.seccomp == SANDBOX_SECCOMP_OFF);
	sbt_cleanup(&t);
}

static void
sbt_log_closed(struct sbt *t, long arg)
{
	(void)arg;
	SBT_CHECK(open(t->log, O_WRONLY | O_APPEND | O_CLOEXEC) == -1 &&
	    errno == EACCES, "append to the log");
}

static void
test_sandbox_log_folder(void)
{
	struct sandbox_status	 st;
	struct sandbox_conf	 c;
	struct sbt		 t;
	char			 buf[512];
	ssize_t			 n;
	int			 fd;

	if (!sbt_begin(3, 0, &t, &c)) {
		return;
	}
	CU_ASSERT(sbt_ok(sbt_run(&t, &c, sbt_log_folder, 0, &st)));
	fd = open(t.log, O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(fd != -1);
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	buf[n > 0 ? n : 0] = '\0';
	CU_ASSERT(strstr(buf, "sbt[") != NULL);
	CU_ASSERT(strstr(buf, "sandboxed line") != NULL);
	CU_ASSERT(strstr(buf, "after reopen") != NULL);
	/* without --log-file, the folder is as closed as the rest */
	c.log_file = NULL;
	CU_ASSERT(sbt_ok(sbt_run(&t, &c, sbt_log_closed, 0, &st)));
	sbt_cleanup(&t);
}

static void
sbt_execve(struct sbt *t, long arg)
{
	char	*argv[] = { "true", NULL };

	(void)t;
	(void)arg;
	(void)execve("/bin/true", argv, NULL);
	_exit(0);
}

static void
sbt_socket(struct sbt *t, long arg)
{
	(void)t;
	(void)socket((int)arg, SOCK_STREAM | SOCK_CLOEXEC, 0);
	_exit(0);
}

/* Each forbidden call in its own child: each must die of SIGSYS. */
static void
test_sandbox_forbidden(void)
{
	struct sandbox_status	 st;
	struct sandbox_conf	 c;
	struct sbt		 t;
	long			 i;
	int			 status, wide;

	if (!sbt_begin(0, 1, &t, &c)) {
		return;
	}
	(void)sandbox_init(&st);
	wide = st.seccomp == SANDBOX_SECCOMP_WIDE;
	for (i = 0; i < SBT_NCALLS; i++) {
		if (wide && sbt_calls[i].wide) {
			continue;
		}
		status = sbt_run(&t, &c, sbt_forbidden, i, &st);
		if (!sbt_sigsys(status)) {
			printf("\n    %s: not killed (status 0x%x) ",
			    sbt_calls[i].name, status);
		}
		CU_ASSERT(sbt_sigsys(status));
	}
	if (wide) {
		sbt_skip("fork, ptrace, prctl: allowed under ASan");
	}
	sbt_cleanup(&t);
}

/* Bind an AF_UNIX datagram socket at path, or abstract when path[0] is 0. */
static int
sbt_unix(const char *path, size_t len)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

static void
test_sandbox_syslog(void)
{
	struct sandbox_status	 st;
	struct sandbox_conf	 c;
	struct sbt		 t;
	char			 path[108], buf[64];
	int			 fd, afd;
	long			 arg = 0;

	CU_ASSERT_EQUAL_FATAL(sbt_setup(&t), 0);
	(void)snprintf(path, sizeof(path), "%s/log.sock", t.dir);
	CU_ASSERT_FATAL((fd = sbt_unix(path, strlen(path))) != -1);
	memset(path, 0, sizeof(path));
	(void)snprintf(path + 1, sizeof(path) - 1, "tfs-sbt-%ld",
	    (long)getpid());
	CU_ASSERT_FATAL((afd = sbt_unix(path, sizeof(path))) != -1);
	(void)sandbox_init(&st);
	if (st.landlock >= 6) {
		arg = 2;
	}
	sbt_conf(&t, &c);
	c.syslog = 1;
	CU_ASSERT(sbt_ok(sbt_run(&t, &c, sbt_syslog, arg, &st)));
	CU_ASSERT(recv(fd, buf, sizeof(buf), MSG_DONTWAIT) == 12 &&
	    memcmp(buf, "<14>sbt: one", 12) == 0);
	if (st.seccomp != SANDBOX_SECCOMP_OFF) {
		CU_ASSERT(sbt_sigsys(sbt_run(&t, &c, sbt_syslog, 1, &st)));
	}
	(void)close(fd);
	(void)close(afd);
	sbt_cleanup(&t);
}

/* Every ABI this kernel has, from 1: what the status and the doc say. */
static void
test_sandbox_abis(void)
{
	struct sandbox_status	 st, probe;
	struct sandbox_conf	 c;
	struct sbt		 t;
	int			 abi;

	if (!sbt_can(1, 0)) {
		return;
	}
	(void)sandbox_init(&probe);
	for (abi = 1; abi <= probe.abi; abi++) {
		CU_ASSERT_EQUAL_FATAL(sbt_setup(&t), 0);
		sbt_conf(&t, &c);
		c.abi_max = abi;
		CU_ASSERT(sbt_ok(sbt_run(&t, &c, sbt_abi, abi, &st)));
		CU_ASSERT_EQUAL(st.abi, probe.abi);
		CU_ASSERT_EQUAL(st.landlock, abi >= 2 ? abi : 0);
		if (abi == 1) {
			CU_ASSERT(strstr(st.text, "landlock off (abi 1") ==
			    st.text);
		}
		sbt_cleanup(&t);
	}
}

static void
test_sandbox_abort_exit(void)
{
	struct sandbox_status	 st;
	struct sandbox_conf	 c;
	struct sbt		 t;
	int			 status;

	CU_ASSERT_EQUAL_FATAL(sbt_setup(&t), 0);
	sbt_conf(&t, &c);
	/* abort() must end in SIGABRT, not in a forbidden call */
	status = sbt_run(&t, &c, sbt_abort, 0, &st);
	CU_ASSERT(status != -1 && WIFSIGNALED(status) &&
	    WTERMSIG(status) == SIGABRT);
	CU_ASSERT(sbt_ok(sbt_run(&t, &c, sbt_abort, 1, &st)));
	sbt_cleanup(&t);
}

static void
test_sandbox_root_warning(void)
{
	CU_ASSERT_PTR_NOT_NULL(sandbox_root_warning(0, NULL));
	CU_ASSERT(strstr(sandbox_root_warning(0, NULL), "without -u") !=
	    NULL);
	/* -u root, or a user whose uid is 0 */
	CU_ASSERT_PTR_NOT_NULL(sandbox_root_warning(0, "root"));
	CU_ASSERT(strstr(sandbox_root_warning(0, "toor"), "root's rights") !=
	    NULL);
	CU_ASSERT_PTR_NULL(sandbox_root_warning(1000, NULL));
	CU_ASSERT_PTR_NULL(sandbox_root_warning(65534, "nobody"));
}

/* Modes 0644 and 0755 whatever the umask, with the modes ops.c passes. */
static void
sbt_umask(struct sbt *t, long arg)
{
	struct stat	 st;
	int		 fd;

	(void)arg;
	(void)umask(077);
	SBT_CHECK(sandbox_umask() == 077, "the umask replaced");
	fd = openat(t->root_fd, "a/new", O_WRONLY | O_CREAT | O_CLOEXEC,
	    0644);
	SBT_CHECK(fd != -1 && fstat(fd, &st) == 0 &&
	    (st.st_mode & 07777) == 0644, "a file is 0644");
	SBT_CHECK(mkdirat(t->root_fd, "d1", 0755) == 0 &&
	    fstatat(t->root_fd, "d1", &st, 0) == 0 &&
	    (st.st_mode & 07777) == 0755, "a folder made 0755 is 0755");
	SBT_CHECK(mkdirat(t->root_fd, "d2", 0777) == 0 &&
	    fstatat(t->root_fd, "d2", &st, 0) == 0 &&
	    (st.st_mode & 07777) == 0755, "a folder made 0777 is 0755");
	(void)umask(0);
	SBT_CHECK(sandbox_umask() == 0, "from umask 0");
	SBT_CHECK(mkdirat(t->root_fd, "d3", 0777) == 0 &&
	    fstatat(t->root_fd, "d3", &st, 0) == 0 &&
	    (st.st_mode & 07777) == 0755, "from umask 0, 0777 is 0755");
}

static void
test_sandbox_umask(void)
{
	struct sbt	 t;
	pid_t		 pid;
	int		 status;

	CU_ASSERT_EQUAL_FATAL(sbt_setup(&t), 0);
	/* before the sandbox, as a worker calls it: no filter here */
	if ((pid = fork()) == 0) {
		sbt_umask(&t, 0);
		_exit(0);
	}
	CU_ASSERT_FATAL(pid != -1);
	CU_ASSERT(waitpid(pid, &status, 0) == pid && sbt_ok(status));
	sbt_cleanup(&t);
}

static void
test_sandbox_cost(void)
{
	struct sandbox_status	 st;
	struct sandbox_conf	 c;
	struct sbt		 t;
	struct timespec		 a, b;
	double			 ns;
	pid_t			 pid;
	int			 i, status;

	CU_ASSERT_EQUAL_FATAL(sbt_setup(&t), 0);
	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 200000; i++) {
		(void)syscall(SYS_getpid);
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 +
	    (double)(b.tv_nsec - a.tv_nsec)) / 200000.0;
	printf("\n    getpid(): %.0f ns without the filter, with it: ", ns);
	fflush(stdout);
	sbt_conf(&t, &c);
	CU_ASSERT(sbt_ok(sbt_run(&t, &c, sbt_cost, 200000, &st)));
	printf(" ns (%s) ", st.text);
	/* and what applying it costs a new worker */
	if ((pid = fork()) == 0) {
		(void)clock_gettime(CLOCK_MONOTONIC, &a);
		if (sandbox_apply(&c, &st) == -1) {
			_exit(1);
		}
		(void)clock_gettime(CLOCK_MONOTONIC, &b);
		printf("\n    sandbox_apply(): %.0f us ",
		    ((double)(b.tv_sec - a.tv_sec) * 1e9 +
		    (double)(b.tv_nsec - a.tv_nsec)) / 1000.0);
		fflush(stdout);
		_exit(0);
	}
	CU_ASSERT(pid != -1 && waitpid(pid, &status, 0) == pid &&
	    sbt_ok(status));
	sbt_cleanup(&t);
}

/*
 * A link-local peer named for the log: getnameinfo() opens a socket to
 * name the scope (arg 1) and dies; acl_peer() does not (arg 0).
 */
static void
sbt_peer_names(struct sbt *t, long arg)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;
	char			 host[INET6_ADDRSTRLEN + 16], serv[8];

	(void)t;
	memset(&ss, 0, sizeof(ss));
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(50000);
	s6->sin6_scope_id = 1;
	SBT_CHECK(inet_pton(AF_INET6, "fe80::1", &s6->sin6_addr) == 1,
	    "inet_pton");
	if (arg) {
		(void)getnameinfo((struct sockaddr *)&ss, sizeof(*s6), host,
		    sizeof(host), serv, sizeof(serv),
		    NI_NUMERICHOST | NI_NUMERICSERV);
		return;
	}
	SBT_CHECK(strcmp(acl_peer(&ss, host, sizeof(host)),
	    "[fe80::1%1]:50000") == 0, "acl_peer");
}

/* The children that need nothing but the default conf, one tree each. */
static void
test_sandbox_children(void)
{
	static const struct sbt_case	 cases[] = {
		/* what, abi, seccomp, read_only, syslog, abi_max: sbt_can
		   and the conf; then fn, arg and how the child ends */
		{ "files", 0, 0, 0, 0, 0, sbt_files, 0, sbt_ok },
		{ "read-only", 2, 0, 1, 0, 0, sbt_read_only, 0, sbt_ok },
		{ "work", 0, 0, 0, 0, 0, sbt_work, 0, sbt_ok },
		{ "execve", 0, 1, 0, 0, 0, sbt_execve, 0, sbt_sigsys },
		{ "AF_INET", 0, 1, 0, 0, 0, sbt_socket, AF_INET, sbt_sigsys },
		{ "AF_INET6", 0, 1, 0, 0, 0, sbt_socket, AF_INET6,
		    sbt_sigsys },
		/* acl_peer() names a link-local peer; getnameinfo() dies */
		{ "acl_peer", 0, 1, 0, 0, 0, sbt_peer_names, 0, sbt_ok },
		{ "getnameinfo", 0, 1, 0, 0, 0, sbt_peer_names, 1,
		    sbt_sigsys },
		{ "TCP", 4, 0, 0, 1, 0, sbt_tcp, 0, sbt_ok },
		/* below ABI 4 Landlock knows no TCP: the connection is made */
		{ "TCP, ABI 3", 4, 0, 0, 1, 3, sbt_tcp, 1, sbt_ok },
	};
	const struct sbt_case	*k;
	struct sandbox_status	 st;
	struct sandbox_conf	 c;
	struct sbt		 t;
	int			 status;

	for (k = cases; k < cases + sizeof(cases) / sizeof(cases[0]); k++) {
		if (!sbt_begin(k->abi, k->seccomp, &t, &c)) {
			continue;
		}
		c.read_only = k->read_only;
		c.syslog = k->syslog;
		c.abi_max = k->abi_max;
		status = sbt_run(&t, &c, k->fn, k->arg, &st);
		if (!k->ended(status)) {
			printf("\n    %s: status 0x%x ", k->what, status);
		}
		CU_ASSERT(k->ended(status));
		sbt_cleanup(&t);
	}
}

CU_TestInfo tests_sandbox[] = {
	TEST(test_sandbox_init),
	TEST(test_sandbox_children),
	TEST(test_sandbox_outside),
	TEST(test_sandbox_log_folder),
	TEST(test_sandbox_forbidden),
	TEST(test_sandbox_syslog),
	TEST(test_sandbox_abis),
	TEST(test_sandbox_abort_exit),
	TEST(test_sandbox_root_warning),
	TEST(test_sandbox_umask),
	TEST(test_sandbox_cost),
	CU_TEST_INFO_NULL,
};
