/*
 * worker.c -- a worker process: accept a connection on the shared
 * listening socket, have serve.c serve it to its end, repeat; between
 * connections, now and then, sweep old partials and count those kept.
 *
 * The worker keeps its scoreboard slot current for the master (state,
 * peer, connections served) and its process title current for ps.
 *
 * Signals (the contract is in worker.h): SIGHUP or SIGQUIT close the
 * listening descriptor at once (in the handler: close(2) is
 * async-signal-safe, and only then does the socket stop taking
 * connections once the master closed its own) and write to a self-pipe
 * that stays readable: serve.c's wake_fd, so the wait for the next
 * request ends at once, and a request in progress finishes first.
 * SIGUSR2 (the master's, when connections wait and no worker is idle)
 * writes to the same pipe: serve.c then asks worker_told(), which
 * empties it, and closes the connection if it is still the idle one
 * the slot's yield names.  SIGTERM keeps its default: the process
 * ends, and nothing half-written is visible since uploads go to hidden
 * partials.  SIGUSR1 asks for the log file to be reopened between
 * requests.
 *
 * Never forks; never reads a client byte itself.
 */

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl.h"
#include "addrtab.h"
#include "config.h"
#include "frame.h"
#include "log.h"
#include "partial.h"
#include "proto.h"
#include "sandbox.h"
#include "serve.h"
#include "space.h"
#include "worker.h"
#include "xio.h"

/* How often an idle worker wakes to see whether partials need a sweep. */
#define WORKER_SWEEP_S	600
/* What worker_accept() returns when there is no connection to serve. */
#define WORKER_AGAIN	(-1)	/* look at the flags, then wait again */
#define WORKER_DONE	(-2)	/* the listening socket is gone */

static volatile sig_atomic_t	 worker_stopping;
static volatile sig_atomic_t	 worker_yield;
static volatile sig_atomic_t	 worker_reopen;
static volatile sig_atomic_t	 worker_alarm;
static int			 worker_armed;	/* an alarm is pending */
static volatile sig_atomic_t	 worker_listen_fd = -1;
static int			 worker_pipe[2] = { -1, -1 };

static void	worker_sighandler(int);
static int	worker_signals(void);
static unsigned long worker_start(const struct worker_args *);
static int	worker_master_gone(int);
static void	worker_between(void);
static int	worker_told(int);
static void	worker_sweep(const struct worker_args *);
static int	worker_accept(const struct worker_args *,
		    struct sockaddr_storage *, char *, size_t);
static void	worker_confine(const struct worker_args *);
static int	worker_admit(const struct worker_args *, int,
		    const struct sockaddr_storage *, const char *);
static void	worker_refuse(int, unsigned, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
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
	case SIGUSR2:
		worker_yield = 1;
		if (write(worker_pipe[1], "y", 1) == -1) {
			/* full already: the wait ends anyway */
		}
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
	    sigaction(SIGUSR2, &sa, NULL) == -1 ||
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

/*
 * serve.c's told(): a stop is said for good (the pipe stays readable);
 * otherwise the pipe is emptied, and a yield said once.  The handler
 * sets its flag before it writes, so emptying first loses neither.
 * With no flag set and no wait woken the pipe holds nothing that was
 * not seen: the common case costs no system call.
 */
static int
worker_told(int woken)
{
	char	 buf[64];
	int	 yield;

	if (worker_stopping) {
		return SERVE_TOLD_STOP;
	}
	if (!woken && !worker_yield) {
		return 0;
	}
	while (read(worker_pipe[0], buf, sizeof(buf)) > 0) {
		continue;
	}
	yield = worker_yield;
	worker_yield = 0;
	if (worker_stopping) {
		/* came meanwhile: its byte must stay */
		if (write(worker_pipe[1], "x", 1) == -1) {
			/* full: readable anyway */
		}
		return SERVE_TOLD_STOP;
	}
	return yield ? SERVE_TOLD_YIELD : 0;
}

/*
 * Expire old partials if a sweep is due, and count what those kept
 * hold; the server's first count is due at once.  A read-only server
 * writes not.
 */
static void
worker_sweep(const struct worker_args *wa)
{
	struct partial_tally	 t;
	struct space		*sp = wa->shared->space;
	int			 first;

	if (cfg.read_only) {
		return;
	}
	first = space_count_due(sp);
	if (partial_sweep(wa->root.fd, cfg.partial_max_age, first, &t)) {
		space_kept_set(sp, t.bytes, t.count);
	}
}

/*
 * Wait, idle, for the next connection; *ss gets its address and peer
 * its name.  Returns its descriptor, WORKER_AGAIN, or WORKER_DONE.
 */
static int
worker_accept(const struct worker_args *wa, struct sockaddr_storage *ss,
    char *peer, size_t peersz)
{
	socklen_t		 sl = sizeof(*ss);
	int			 fd;

	worker_state(wa->slot, SB_IDLE);
	setproctitle("worker idle");
	/*
	 * SIGALRM ends the wait now and then for a sweep.  Armed once a
	 * period, not per connection: one that fires while a connection
	 * is served only interrupts a wait, which goes on, and the sweep
	 * follows that connection.
	 */
	if (!worker_armed) {
		alarm(WORKER_SWEEP_S);
		worker_armed = 1;
	}
	memset(ss, 0, sizeof(*ss));
	/* non-blocking from the start, as conn_init_ready() wants */
	fd = accept4(worker_listen_fd, (struct sockaddr *)ss, &sl,
	    SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd != -1) {
		/* no getnameinfo(): a scope's name costs a socket */
		(void)acl_peer(ss, peer, peersz);
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

/*
 * Give up what a worker that serves no longer needs: files are created
 * 0644 and folders 0755 whatever the umask, then the sandbox (no new
 * privileges, Landlock beneath the root, the seccomp list).  The master
 * logged what the sandbox comes to; a worker that cannot confine
 * itself does not serve.
 */
static void
worker_confine(const struct worker_args *wa)
{
	struct sandbox_conf	 sc;
	struct sandbox_status	 st;

	(void)sandbox_umask();
	memset(&sc, 0, sizeof(sc));
	sc.root_fd = wa->root.fd;
	sc.read_only = cfg.read_only;
	sc.log_file = cfg.logfile;
	sc.syslog = cfg.logfile == NULL && !cfg.foreground;
	if (sandbox_apply(&sc, &st) == -1) {
		log_warn("sandbox: %s", st.text);
		exit(WORKER_EXIT_FATAL);
	}
	log_debug("sandbox: %s", st.text);
}

/*
 * May the peer at ss be served?  An address outside --allow gets ERROR
 * DENIED in place of HELLO, one past --max-per-ip ERROR BUSY; either
 * is closed at once with a log line (0).  Else the slot now counts for
 * the peer (1).
 */
static int
worker_admit(const struct worker_args *wa, int fd,
    const struct sockaddr_storage *ss, const char *peer)
{
	if (!acl_allows(&wa->shared->allow, ss)) {
		worker_refuse(fd, TFS_EDENIED, "this address may not connect");
		log_info("%s: refused: DENIED (not in --allow)", peer);
		return 0;
	}
	if (addrtab_conn_open(wa->shared->addrtab, wa->id, ss,
	    cfg.max_per_ip) == -1 && errno == EBUSY) {
		worker_refuse(fd, TFS_EBUSY, "too many connections from this "
		    "address (%d at once)", cfg.max_per_ip);
		log_info("%s: refused: BUSY (%d connections, --max-per-ip)",
		    peer, cfg.max_per_ip);
		return 0;
	}
	return 1;
}

/*
 * One ERROR in place of HELLO, then close, in microseconds: the frame
 * goes without waiting (a fresh socket has room for it), what the peer
 * sent already is read so the close is no reset, nothing is waited for.
 */
static void
worker_refuse(int fd, unsigned code, const char *fmt, ...)
{
	struct tfs_msg	 m;
	uint8_t		 buf[FRAME_HDR_LEN + 256];
	char		 text[200];
	va_list		 ap;
	ssize_t		 n;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	memset(&m, 0, sizeof(m));
	m.type = TFS_ERROR;
	m.code = (uint16_t)code;
	m.text = tfs_str_c(text);
	n = proto_encode(&m, buf + FRAME_HDR_LEN, sizeof(buf) - FRAME_HDR_LEN);
	if (n > 0) {
		frame_header_encode(buf, TFS_ERROR, (uint32_t)n);
		(void)send(fd, buf, FRAME_HDR_LEN + (size_t)n,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	}
	(void)shutdown(fd, SHUT_WR);
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
		continue;
	}
	close(fd);
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
	struct body_pipe	 pipe = { -1, -1 };
	struct sockaddr_storage	 ss;
	unsigned long		 limit, served = 0;
	char			 peer[ACL_PEER_MAX];
	int			 fd;

	limit = worker_start(wa);
	memset(&sa, 0, sizeof(sa));
	sa.shared = wa->shared;
	sa.root = wa->root;
	sa.slot_id = wa->id;
	sa.slot = wa->slot;
	sa.wake_fd = worker_pipe[0];
	sa.told = worker_told;
	sa.between = worker_between;
	sa.pipe = &pipe;
	worker_sweep(wa);
	worker_confine(wa);
	while (!worker_stopping) {
		worker_between();
		if (worker_alarm) {
			worker_alarm = 0;
			worker_armed = 0;
			worker_sweep(wa);
		}
		fd = worker_accept(wa, &ss, peer, sizeof(peer));
		if (fd == WORKER_DONE) {
			break;
		}
		/*
		 * The master's end of the pipe is looked at only when a
		 * wait was interrupted, not per connection: its death
		 * also sends SIGTERM (PR_SET_PDEATHSIG).
		 */
		if (fd == WORKER_AGAIN) {
			if (worker_master_gone(wa->master_fd)) {
				break;
			}
			continue;
		}
		if (!worker_admit(wa, fd, &ss, peer)) {
			continue;
		}
		worker_busy(wa->slot, peer);
		/* a yield that came while idle was for no connection */
		(void)worker_told(0);
		serve_conn(&sa, fd, peer, &ss);
		addrtab_conn_close(wa->shared->addrtab, wa->id);
		worker_served(wa->slot, ++served);
		if (limit != 0 && served >= limit) {
			log_debug("served %lu connections: retiring", served);
			break;
		}
	}
	worker_state(wa->slot, SB_EXITING);
	exit(0);
}
