/*
 * worker.c -- a worker process: accept a connection on the shared
 * listening socket, have serve.c serve it to its end, repeat; between
 * connections, now and then, sweep old partials.
 *
 * The worker keeps its scoreboard slot current for the master (state,
 * peer, connections served) and its process title current for ps.
 *
 * Signals (the contract is in worker.h): SIGHUP or SIGQUIT close the
 * listening descriptor at once (in the handler: close(2) is
 * async-signal-safe, and only then does the socket stop taking
 * connections once the master closed its own) and write to a self-pipe
 * that stays readable: serve.c's stop_fd, so the wait for the next
 * request ends at once, and a request in progress finishes first.
 * SIGTERM keeps its default: the process ends, and nothing half-written
 * is visible since uploads go to hidden partials.  SIGUSR1 asks for the
 * log file to be reopened between requests.
 *
 * Never forks; never reads a client byte itself.
 */

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "partial.h"
#include "serve.h"
#include "worker.h"
#include "xio.h"

/* How often an idle worker wakes to see whether partials need a sweep. */
#define WORKER_SWEEP_S	600
/* What worker_accept() returns when there is no connection to serve. */
#define WORKER_AGAIN	(-1)	/* look at the flags, then wait again */
#define WORKER_DONE	(-2)	/* the listening socket is gone */

static volatile sig_atomic_t	 worker_stopping;
static volatile sig_atomic_t	 worker_reopen;
static volatile sig_atomic_t	 worker_alarm;
static volatile sig_atomic_t	 worker_listen_fd = -1;
static int			 worker_pipe[2] = { -1, -1 };

static void	worker_sighandler(int);
static int	worker_signals(void);
static unsigned long worker_start(const struct worker_args *);
static int	worker_master_gone(int);
static void	worker_between(void);
static void	worker_sweep(const struct worker_args *);
static int	worker_accept(const struct worker_args *, char *, size_t);
static void	worker_peer(const struct sockaddr_storage *, socklen_t,
		    char *, size_t);
static void	worker_state(struct sb_slot *, int);
static void	worker_busy(struct sb_slot *, const char *);
static void	worker_served(struct sb_slot *, unsigned long);

static void
worker_sighandler(int sig)
{
	int	 saved = errno, fd;

	switch (sig) {
	case SIGUSR1:
		worker_reopen = 1;
		break;
	case SIGALRM:
		worker_alarm = 1;
		break;
	default:
		worker_stopping = 1;
		if ((fd = worker_listen_fd) != -1) {
			worker_listen_fd = -1;
			close(fd);
		}
		if (write(worker_pipe[1], "x", 1) == -1) {
			/* full already: the wait ends anyway */
		}
		break;
	}
	errno = saved;
}

/*
 * Install the worker's handlers without SA_RESTART, so that a blocking
 * accept4() returns EINTR and the loop looks at the flags.  0 or -1.
 */
static int
worker_signals(void)
{
	struct sigaction	 sa;
	sigset_t		 none;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = worker_sighandler;
	if (sigaction(SIGHUP, &sa, NULL) == -1 ||
	    sigaction(SIGQUIT, &sa, NULL) == -1 ||
	    sigaction(SIGUSR1, &sa, NULL) == -1 ||
	    sigaction(SIGALRM, &sa, NULL) == -1) {
		return -1;
	}
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1) {
		return -1;
	}
	sigemptyset(&none);
	return sigprocmask(SIG_SETMASK, &none, NULL);
}

/* 1 when the master's pipe says it is gone (EOF), without waiting. */
static int
worker_master_gone(int fd)
{
	struct pollfd	 pfd;
	char		 buf[64];

	if (fd == -1) {
		return 0;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) != 1) {
		return 0;
	}
	return read(fd, buf, sizeof(buf)) == 0;
}

/* "192.0.2.7:50312", "[2001:db8::1]:50312" (v4-mapped shown as v4). */
static void
worker_peer(const struct sockaddr_storage *ss, socklen_t len, char *out,
    size_t outsz)
{
	char		 host[INET6_ADDRSTRLEN], serv[8];
	const char	*h = host;
	int		 n;

	if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host),
	    serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		(void)strlcpy(out, "?", outsz);
		return;
	}
	if (ss->ss_family == AF_INET6 && strncmp(host, "::ffff:", 7) == 0 &&
	    strchr(host + 7, ':') == NULL) {
		h = host + 7;
	}
	if (strchr(h, ':') != NULL) {
		n = snprintf(out, outsz, "[%s]:%s", h, serv);
	} else {
		n = snprintf(out, outsz, "%s:%s", h, serv);
	}
	if (n < 0 || (size_t)n >= outsz) {
		(void)strlcpy(out, "?", outsz);
	}
}

static void
worker_state(struct sb_slot *slot, int state)
{
	if (slot != NULL) {
		slot->state = state;
		slot->last_progress = xio_now_ms();
	}
}

/*
 * Set the process up to serve: its slot, its log prefix, the self-pipe
 * and the handlers, the master's death noticed.  Returns the number of
 * connections to serve before retiring (0: never); exits when the
 * worker cannot start (WORKER_EXIT_FATAL) or the master is gone (0).
 */
static unsigned long
worker_start(const struct worker_args *wa)
{
	struct sb_slot	*slot = wa->slot;

	if (slot != NULL) {
		slot->pid = getpid();
		slot->generation = wa->generation;
		slot->served = 0;
		worker_state(slot, SB_STARTING);
	}
	log_setprefix("worker %d", wa->id);
	if (pipe2(worker_pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_warn("pipe");
		exit(WORKER_EXIT_FATAL);
	}
	worker_listen_fd = wa->listen_fd;
	if (worker_signals() == -1) {
		log_warn("signals");
		exit(WORKER_EXIT_FATAL);
	}
	/* the master may have died before PR_SET_PDEATHSIG was in place */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (worker_master_gone(wa->master_fd)) {
		exit(0);
	}
	if (fcntl(wa->root.fd, F_GETFD) == -1) {
		log_warn("root descriptor");
		exit(WORKER_EXIT_FATAL);
	}
	if (cfg.max_requests <= 0) {
		return 0;
	}
	/* a little jitter, so the pool does not recycle in step */
	return (unsigned long)cfg.max_requests +
	    arc4random_uniform((uint32_t)(cfg.max_requests / 10 + 1));
}

/* A safe point (between connections, between requests): SIGUSR1. */
static void
worker_between(void)
{
	if (worker_reopen) {
		worker_reopen = 0;
		(void)log_reopen();
	}
}

/* Expire old partials if a sweep is due; a read-only server writes not. */
static void
worker_sweep(const struct worker_args *wa)
{
	if (!cfg.read_only) {
		partial_sweep(wa->root.fd, cfg.partial_max_age);
	}
}

/*
 * Wait, idle, for the next connection; peer gets its name.  Returns
 * its descriptor, WORKER_AGAIN, or WORKER_DONE.
 */
static int
worker_accept(const struct worker_args *wa, char *peer, size_t peersz)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	int			 fd;

	worker_state(wa->slot, SB_IDLE);
	setproctitle("worker idle");
	/* SIGALRM ends the wait now and then for a sweep */
	alarm(WORKER_SWEEP_S);
	fd = accept4(worker_listen_fd, (struct sockaddr *)&ss, &sl,
	    SOCK_CLOEXEC);
	alarm(0);
	if (fd != -1) {
		worker_peer(&ss, sl, peer, peersz);
		return fd;
	}
	switch (errno) {
	case EINTR:
	case EAGAIN:
	case ECONNABORTED:
	case EPROTO:
	case ENETDOWN:
	case ENOPROTOOPT:
	case EHOSTDOWN:
	case ENONET:
	case EHOSTUNREACH:
	case EOPNOTSUPP:
	case ENETUNREACH:
		return WORKER_AGAIN;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		log_warn("accept");
		(void)usleep(100 * 1000);
		return WORKER_AGAIN;
	default:
		/* EBADF: closed by the stop handler */
		if (!worker_stopping) {
			log_warn("accept");
		}
		return WORKER_DONE;
	}
}

/* A connection from peer is being served. */
static void
worker_busy(struct sb_slot *slot, const char *peer)
{
	if (slot != NULL) {
		(void)strlcpy(slot->peer, peer, sizeof(slot->peer));
		slot->op[0] = slot->path[0] = slot->user[0] = '\0';
		slot->bytes = 0;
		slot->conn_start = xio_now_ms();
		worker_state(slot, SB_BUSY);
	}
	setproctitle("worker %s", peer);
}

/* A connection ended; served in all so far. */
static void
worker_served(struct sb_slot *slot, unsigned long served)
{
	if (slot != NULL) {
		slot->served = served;
		slot->peer[0] = slot->op[0] = slot->path[0] = '\0';
		slot->user[0] = '\0';
		slot->conn_start = 0;
	}
}

void
worker_main(const struct worker_args *wa)
{
	struct serve_args	 sa;
	unsigned long		 limit, served = 0;
	char			 peer[64];
	int			 fd;

	limit = worker_start(wa);
	memset(&sa, 0, sizeof(sa));
	sa.root = wa->root;
	sa.slot = wa->slot;
	sa.stop_fd = worker_pipe[0];
	sa.between = worker_between;
	worker_sweep(wa);
	while (!worker_stopping) {
		worker_between();
		if (worker_alarm) {
			worker_alarm = 0;
			worker_sweep(wa);
		}
		if (worker_master_gone(wa->master_fd)) {
			break;
		}
		if ((fd = worker_accept(wa, peer, sizeof(peer))) ==
		    WORKER_AGAIN) {
			continue;
		}
		if (fd == WORKER_DONE) {
			break;
		}
		worker_busy(wa->slot, peer);
		serve_conn(&sa, fd, peer);
		worker_served(wa->slot, ++served);
		if (limit != 0 && served >= limit) {
			log_debug("served %lu connections: retiring", served);
			break;
		}
		worker_sweep(wa);
	}
	worker_state(wa->slot, SB_EXITING);
	exit(0);
}
