/*
 * daemon.c -- what tfsd does before it serves: resolve and open the
 * root, bind the listening socket, lock the pid file, give up root,
 * detach from the terminal; and -s, which signals a running daemon.
 *
 * Until the server is ready, failures are told on the terminal with
 * err(3) and exit 1: the command that started a daemon waits on a pipe
 * and returns 0 only once the daemon listens and its pid file holds its
 * pid.  Never touches client data.
 */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libutil.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "xio.h"

static void	daemon_format_addr(const struct sockaddr_storage *, char *,
		    size_t);
static void	daemon_stdio_null(void);
static int	daemon_bind_one(const struct addrinfo *, int);
static pid_t	daemon_pid_read(int);

static struct pidfh	*daemon_pfh;
static const char	*daemon_pidpath;
static pid_t		 daemon_master;	/* owns the pid file */
static int		 daemon_ready_fd = -1;	/* to who started us */

static const struct {
	const char	*name;
	int		 sig;
} daemon_signals[] = {
	{ "stop",	SIGTERM },
	{ "quit",	SIGQUIT },
	{ "reload",	SIGHUP },
	{ "reopen",	SIGUSR1 },
};

/*
 * Resolve cfg.root to an absolute path in place (before anything else,
 * since a daemon works from "/") and open it for the workers.
 */
int
daemon_open_root(void)
{
	char	 real[PATH_MAX];
	int	 fd;

	if (realpath(cfg.root, real) == NULL) {
		err(1, "root %s", cfg.root);
	}
	if (strlcpy(cfg.root, real, sizeof(cfg.root)) >= sizeof(cfg.root)) {
		errx(1, "root %s: path too long", real);
	}
	fd = open(cfg.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1) {
		err(1, "root %s", cfg.root);
	}
	return fd;
}

/* "ADDR:PORT", an IPv6 address in brackets. */
static void
daemon_format_addr(const struct sockaddr_storage *ss, char *buf,
    size_t bufsz)
{
	char	 host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(buf, bufsz, "[%s]:%u", host, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(buf, bufsz, "%s:%u", host, ntohs(s4->sin_port));
	}
}

/* A listening socket on ai, or -1 with errno. */
static int
daemon_bind_one(const struct addrinfo *ai, int dual)
{
	int	 fd, on = 1, off = 0;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd == -1) {
		return -1;
	}
	/* a restart must not wait for the old connections' TIME_WAIT */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1) {
		goto out_close;
	}
	/* "::" means IPv4 too, whatever net.ipv6.bindv6only says */
	if (ai->ai_family == AF_INET6 && dual &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof(off)) == -1) {
		goto out_close;
	}
	/* accepted sockets inherit it: conn_init_ready() needs no call */
	if (xio_tcp_nodelay(fd) == -1) {
		goto out_close;
	}
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, DAEMON_BACKLOG) == -1) {
		goto out_close;
	}
	return fd;
out_close:
	return xio_close_failed(fd);
}

/*
 * Bind addr:port (addr NULL is "::", IPv6 and IPv4, or "0.0.0.0" on a
 * host without IPv6).  Exits 1 with one clear line on failure.
 */
int
daemon_listen(const char *addr, int port, char *desc, size_t descsz)
{
	struct addrinfo		 hints, *res, *ai;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);
	const char		*host = addr != NULL ? addr : "::";
	char			 portstr[16];
	int			 fd = -1, gai, dual, saved = 0;

	dual = strcmp(host, "::") == 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%d", port);
	gai = getaddrinfo(host, portstr, &hints, &res);
	if (gai != 0) {
		errx(1, "listen address %s: %s", host, gai_strerror(gai));
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		fd = daemon_bind_one(ai, dual);
		if (fd == -1 && saved == 0) {
			saved = errno;
		}
	}
	freeaddrinfo(res);
	if (fd == -1 && addr == NULL && saved == EAFNOSUPPORT) {
		/* no IPv6 in this kernel: the default falls back to IPv4 */
		return daemon_listen("0.0.0.0", port, desc, descsz);
	}
	if (fd == -1) {
		errno = saved;
		if (strchr(host, ':') != NULL) {
			err(1, "bind [%s]:%d", host, port);
		}
		err(1, "bind %s:%d", host, port);
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1) {
		err(1, "getsockname");
	}
	daemon_format_addr(&ss, desc, descsz);
	return fd;
}

/*
 * Create and lock the pid file.  A file left by a killed daemon holds no
 * lock and is taken over; a locked one means a daemon runs: refuse.
 * (pidfile_open() could read the other pid itself, but not with the
 * newline that ends ours.)
 */
void
daemon_pidfile_open(const char *path)
{
	pid_t	 other;
	int	 fd;

	daemon_pfh = pidfile_open(path, 0644, NULL);
	if (daemon_pfh == NULL) {
		if (errno == EEXIST) {
			other = -1;
			if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
				other = daemon_pid_read(fd);
				close(fd);
			}
			if (other > 0) {
				errx(1, "already running as pid %ld "
				    "(pid file %s)", (long)other, path);
			}
			errx(1, "another tfsd holds pid file %s", path);
		}
		err(1, "pid file %s", path);
	}
	daemon_pidpath = path;
	daemon_master = getpid();
	atexit(daemon_cleanup);
}

/*
 * Write our pid, and a newline as scripts and other daemons' files have
 * it (pidfile_write() leaves it out).
 */
void
daemon_pidfile_write(void)
{
	char	 line[32];
	int	 fd, n;

	if (daemon_pfh == NULL) {
		return;
	}
	daemon_master = getpid();
	fd = pidfile_fileno(daemon_pfh);
	n = snprintf(line, sizeof(line), "%ld\n", (long)daemon_master);
	if (ftruncate(fd, 0) == -1 || pwrite(fd, line, (size_t)n, 0) != n) {
		err(1, "pid file %s", daemon_pidpath);
	}
}

/* Give up root for user, for good; the socket is bound already. */
void
daemon_drop_privileges(const char *user)
{
	struct passwd	*pw;
	uid_t		 uid;
	gid_t		 gid;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		if (errno != 0) {
			err(1, "user %s", user);
		}
		errx(1, "user %s: no such user", user);
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (geteuid() != 0) {
		if (uid == geteuid()) {
			return;
		}
		errx(1, "-u %s: only root can change user", user);
	}
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1) {
		err(1, "cannot become user %s", user);
	}
	/* a way back would make all of the above pointless */
	if (uid != 0 && setuid(0) != -1) {
		errx(1, "still root after dropping to user %s", user);
	}
	/* the workers serve the root as this user: say so now if they can't */
	if (access(cfg.root, R_OK | X_OK) == -1) {
		err(1, "root %s as user %s", cfg.root, user);
	}
}

/*
 * Double fork into a new session.  The starting command waits on a pipe
 * for the daemon's "ready" byte: exit 0 with it, 1 without (the daemon
 * has said why on the terminal, which it keeps until ready).
 */
void
daemon_detach(void)
{
	int	 fds[2], status;
	pid_t	 pid;
	ssize_t	 n;
	char	 c = 0;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		err(1, "pipe");
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		err(1, "fork");
	}
	if (pid > 0) {
		close(fds[1]);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR) {
			continue;
		}
		do {
			n = read(fds[0], &c, 1);
		} while (n == -1 && errno == EINTR);
		_exit(n == 1 && c == 'R' ? 0 : 1);
	}
	close(fds[0]);
	if (setsid() == -1) {
		err(1, "setsid");
	}
	if ((pid = fork()) == -1) {
		err(1, "fork");
	}
	if (pid > 0) {
		_exit(0);
	}
	/* not a session leader: can never get a controlling terminal */
	if (chdir("/") == -1) {
		err(1, "chdir /");
	}
	daemon_ready_fd = fds[1];
	daemon_master = getpid();
	cfg.daemonized = 1;
}

static void
daemon_stdio_null(void)
{
	int	 fd;

	if ((fd = open("/dev/null", O_RDWR)) == -1) {
		return;
	}
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO) {
		close(fd);
	}
}

void
daemon_ready(const char *line)
{
	char	 c = 'R';

	fprintf(stderr, "%s\n", line);
	fflush(stderr);
	if (daemon_ready_fd == -1) {
		return;
	}
	daemon_stdio_null();
	if (write(daemon_ready_fd, &c, 1) != 1) {
		log_warn("telling the starting command we are ready");
	}
	close(daemon_ready_fd);
	daemon_ready_fd = -1;
}

/*
 * In a new worker: the pid file lock and the ready pipe belong to the
 * master alone (the lock must die with it), and a daemon's workers never
 * write to the terminal.
 */
void
daemon_child(void)
{
	if (daemon_pfh != NULL) {
		/* closes our descriptor; the master's keeps the lock */
		pidfile_close(daemon_pfh);
		daemon_pfh = NULL;
	}
	if (daemon_ready_fd != -1) {
		close(daemon_ready_fd);
		daemon_ready_fd = -1;
	}
	if (cfg.daemonized) {
		daemon_stdio_null();
	}
}

void
daemon_cleanup(void)
{
	if (daemon_pfh == NULL || getpid() != daemon_master) {
		return;
	}
	if (pidfile_remove(daemon_pfh) == -1 && errno != ENOENT) {
		log_warn("removing pid file %s", daemon_pidpath);
	}
	daemon_pfh = NULL;
}

/*
 * Tell the service manager how we are (sd_notify(3)): READY=1 once
 * serving, RELOADING=1 and READY=1 around a reload, STOPPING=1.  Only
 * when systemd asked for it (NOTIFY_SOCKET): otherwise not even the
 * message is built.
 */
void
daemon_notify(const char *fmt, ...)
{
	static int	 asked = -1;
	char		 msg[256];
	va_list		 ap;
	int		 r;

	if (asked == -1) {
		asked = getenv("NOTIFY_SOCKET") != NULL;
	}
	if (!asked) {
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((r = sd_notify(0, msg)) < 0) {
		errno = -r;
		log_warn("sd_notify %.*s", (int)strcspn(msg, "\n"), msg);
	}
}

int
daemon_signal_number(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(daemon_signals) / sizeof(daemon_signals[0]);
	    i++) {
		if (strcmp(name, daemon_signals[i].name) == 0) {
			return daemon_signals[i].sig;
		}
	}
	return -1;
}

/* The pid a pid file's first line holds, or -1. */
static pid_t
daemon_pid_read(int fd)
{
	char		 buf[32];
	const char	*errstr;
	long long	 pid;
	ssize_t		 n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0) {
		return -1;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	pid = strtonum(buf, 1, INT32_MAX, &errstr);
	return errstr != NULL ? -1 : (pid_t)pid;
}

/*
 * The pid of the daemon that holds pidfile locked.  A pid file nobody
 * holds locked is stale: its pid may belong to another process by now,
 * so it is never trusted.  The pid, or -1 after a clear line on stderr.
 */
pid_t
daemon_running(const char *pidfile)
{
	pid_t	 pid;
	int	 fd;

	if ((fd = open(pidfile, O_RDONLY | O_CLOEXEC)) == -1) {
		warn("pid file %s (is tfsd running?)", pidfile);
		return -1;
	}
	if ((pid = daemon_pid_read(fd)) == -1) {
		warnx("pid file %s holds no pid", pidfile);
		goto out_close;
	}
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		warnx("tfsd is not running (stale pid file %s names pid %ld)",
		    pidfile, (long)pid);
		pid = -1;
	} else if (errno != EWOULDBLOCK) {
		warn("pid file %s", pidfile);
		pid = -1;
	}
out_close:
	close(fd);
	return pid;
}

/*
 * -s: signal the daemon of the pid file.  0 once delivered, 1 with a
 * clear line otherwise.
 */
int
daemon_signal(const char *pidfile, const char *name)
{
	pid_t	 pid;
	int	 sig;

	if ((sig = daemon_signal_number(name)) == -1) {
		warnx("-s %s: unknown signal name", name);
		return 2;
	}
	if ((pid = daemon_running(pidfile)) == -1) {
		return 1;
	}
	if (kill(pid, sig) == -1) {
		warn("signal %s to pid %ld", name, (long)pid);
		return 1;
	}
	return 0;
}
