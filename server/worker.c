/*
 * worker.c -- a worker process: accept a connection on the shared
 * listening socket, serve its TFS/1 session to the end, repeat.
 *
 * One connection at a time: HELLO, then requests read and dispatched to
 * ops.c in order.  Replies are flushed only when no further request is
 * already buffered, so a pipelining client gets its answers coalesced.
 * The worker keeps its scoreboard slot current for the master and its
 * process title current for ps, and writes one log line per request.
 *
 * Signals (the contract is in worker.h): SIGHUP or SIGQUIT close the
 * listening descriptor at once (in the handler: close(2) is
 * async-signal-safe, and only then does the socket stop taking
 * connections once the master closed its own), let the request in
 * progress finish, and answer an idle connection ERROR SHUTTING_DOWN;
 * a connection that had sent no request yet (accepted as the signal
 * came) gets its first request served if it arrives within a second.
 * The handler also writes to a self-pipe that is the connection's
 * intr_fd, so the wait for the next request ends at once.  SIGTERM
 * keeps its default: the process ends, and nothing half-written is
 * visible since uploads go to hidden partials.  SIGUSR1 asks for the
 * log file to be reopened between requests.
 *
 * Never forks.
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
#include "conn.h"
#include "frame.h"
#include "log.h"
#include "ops.h"
#include "partial.h"
#include "proto.h"
#include "version.h"
#include "worker.h"
#include "xio.h"

#define WORKER_SERVER	"tfsd/" TFS_RELEASE
/* How often an idle worker wakes to see whether partials need a sweep. */
#define WORKER_SWEEP_S	600
/* How long a connection accepted as a stop came may take to ask. */
#define WORKER_GRACE_MS	1000
/* How long, and how much, a closing connection's input is drained. */
#define WORKER_LINGER_MS	2000
#define WORKER_LINGER_MAX	(4u * 1024 * 1024)

struct worker_session {
	const struct worker_args *wa;
	struct conn	 conn;
	struct ops_ctx	 ctx;
	struct ops_req	 req;
	char		 peer[64];
};

static volatile sig_atomic_t	 worker_stopping;
static volatile sig_atomic_t	 worker_reopen;
static volatile sig_atomic_t	 worker_alarm;
static volatile sig_atomic_t	 worker_listen_fd = -1;
static int			 worker_pipe[2] = { -1, -1 };

static void	worker_sighandler(int);
static int	worker_signals(void);
static int	worker_master_gone(int);
static void	worker_peer(const struct sockaddr_storage *, socklen_t,
		    char *, size_t);
static int	worker_ms(int);
static int	worker_request(struct worker_session *, struct conn_frame *);
static void	worker_log(struct worker_session *, uint8_t, int64_t,
		    const char *);
static void	worker_state(struct sb_slot *, int);
static void	worker_linger(int);

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

/* Seconds of the configuration to milliseconds; 0 or less: no limit. */
static int
worker_ms(int seconds)
{
	if (seconds <= 0) {
		return -1;
	}
	if (seconds > 86400 * 24) {
		seconds = 86400 * 24;
	}
	return seconds * 1000;
}

static void
worker_state(struct sb_slot *slot, int state)
{
	if (slot != NULL) {
		slot->state = state;
		slot->last_progress = xio_now_ms();
	}
}

/* One log line per request: peer, op, path, bytes, result, time. */
static void
worker_log(struct worker_session *s, uint8_t type, int64_t start,
    const char *result)
{
	struct ops_req	*r = &s->req;
	char		 path[256], to[256];

	if (!log_enabled(LOG_LVL_INFO)) {
		return;
	}
	log_vis(path, sizeof(path), r->path, strlen(r->path));
	if (type == TFS_RENAME && r->to[0] != '\0') {
		log_vis(to, sizeof(to), r->to, strlen(r->to));
		log_info("%s %s %s -> %s %llu %s %lldms", s->peer,
		    tfs_type_name(type), path, to,
		    (unsigned long long)r->bytes, result,
		    (long long)(xio_now_ms() - start));
		return;
	}
	log_info("%s %s %s %llu %s %lldms", s->peer, tfs_type_name(type),
	    type == TFS_QUIT || !tfs_type_is_request(type) ? "-" :
	    path[0] != '\0' ? path : "/", (unsigned long long)r->bytes,
	    result, (long long)(xio_now_ms() - start));
}

/*
 * Handle one frame read between requests.  Returns 0 to go on with the
 * next, -1 when the connection must end.
 */
static int
worker_request(struct worker_session *s, struct conn_frame *f)
{
	struct sb_slot	*slot = s->wa->slot;
	struct ops_req	*r = &s->req;
	struct tfs_msg	 m;
	enum proto_err	 e;
	char		 what[160], op[8];
	const char	*result;
	int64_t		 start = xio_now_ms();
	size_t		 i;

	r->path[0] = r->to[0] = '\0';
	r->bytes = 0;
	/* the length is known, so an unknown type is skipped */
	if (!tfs_type_known(f->type)) {
		if (conn_send_error(&s->conn, TFS_EUNSUPPORTED,
		    "unknown request type 0x%02x", f->type) == -1) {
			return -1;
		}
		worker_log(s, f->type, start, "UNSUPPORTED");
		return 0;
	}
	if (!tfs_type_is_request(f->type)) {
		(void)conn_send_error(&s->conn, TFS_EPROTOCOL,
		    "%s is not a request", tfs_type_name(f->type));
		worker_log(s, f->type, start, "PROTOCOL");
		return -1;
	}
	if ((e = proto_decode(f->type, f->payload, f->len, &m)) !=
	    PROTO_OK) {
		(void)conn_send_error(&s->conn, TFS_EPROTOCOL, "%s: %s",
		    tfs_type_name(f->type), proto_strerror(e));
		worker_log(s, f->type, start, "PROTOCOL");
		return -1;
	}

	/* show what runs: ps and the scoreboard */
	(void)strlcpy(op, tfs_type_name(f->type), sizeof(op));
	for (i = 0; op[i] != '\0'; i++) {
		if (op[i] >= 'A' && op[i] <= 'Z') {
			op[i] = (char)(op[i] - 'A' + 'a');
		}
	}
	log_vis(what, sizeof(what), m.path.p, m.path.len);
	setproctitle("worker %s %s %s", s->peer, op, what);
	if (slot != NULL) {
		(void)strlcpy(slot->op, tfs_type_name(f->type),
		    sizeof(slot->op));
		(void)strlcpy(slot->path, what, sizeof(slot->path));
		slot->bytes = 0;
		slot->last_progress = start;
		slot->in_request = 1;
	}

	ops_dispatch(r, &m);

	if (slot != NULL) {
		slot->in_request = 0;
		slot->last_progress = xio_now_ms();
	}
	if (r->err != 0) {
		result = tfs_err_name(r->err);
	} else if (r->note != NULL) {
		result = r->note;
	} else {
		result = "OK";
	}
	if (r->err != 0 && r->note != NULL) {
		(void)snprintf(what, sizeof(what), "%s (%s)", result, r->note);
		result = what;
	}
	worker_log(s, f->type, start, result);
	return r->close ? -1 : 0;
}

/*
 * Serve the session on connected socket fd to its end, then close fd.
 * The accept loop below calls it; so does the fuzz target, which is why
 * it is not static (see worker.h).
 */
void
worker_serve(const struct worker_args *wa, int fd, const char *peer)
{
	struct worker_session	*s;
	struct conn_frame	 f;
	struct conn_wait	 w;
	struct tfs_msg		 hello;
	uint8_t			 type;
	int			 n, begun, grace = 0, peer_eof = 0;
	unsigned long		 nreq = 0;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("%s: session", peer);
		close(fd);
		return;
	}
	s->wa = wa;
	(void)strlcpy(s->peer, peer, sizeof(s->peer));
	if (conn_init(&s->conn, fd, FRAME_MAX, worker_ms(cfg.stall_timeout),
	    -1) == -1) {
		log_warn("%s: connection setup", peer);
		goto out_free;
	}
	/* between requests a stop ends the wait; a frame begun is read */
	w.idle_ms = worker_ms(cfg.idle_timeout);
	w.stall_ms = worker_ms(cfg.stall_timeout);
	w.intr_fd = worker_pipe[0];
	w.intr_in_frame = 0;
	s->ctx.conn = &s->conn;
	s->ctx.root = wa->root;
	/* anonymous may do all; --read-only is checked on its own */
	s->ctx.rights = R_READ | R_WRITE;
	s->ctx.user = NULL;
	s->ctx.slot = wa->slot;
	s->ctx.stall_ms = w.stall_ms;
	s->req.ctx = &s->ctx;
	log_debug("%s: connected", peer);

	memset(&hello, 0, sizeof(hello));
	hello.type = TFS_HELLO;
	hello.version = TFS_VERSION;
	hello.max_payload = FRAME_MAX;
	hello.name = tfs_str_c(WORKER_SERVER);
	if (conn_send(&s->conn, &hello) == -1) {
		goto out_conn;
	}
	for (;;) {
		if (worker_reopen) {
			worker_reopen = 0;
			(void)log_reopen();
		}
		if (worker_stopping) {
			if (nreq > 0 || grace) {
				(void)conn_send_error(&s->conn,
				    TFS_ESHUTTING_DOWN, NULL);
				break;
			}
			/*
			 * Told to stop before this connection sent a request:
			 * it was accepted as the signal came, from a client
			 * that expects service, and new workers cannot take
			 * it over.  Its first request counts as one in
			 * progress if it arrives within a moment.
			 */
			grace = 1;
			w.intr_fd = -1;
			w.idle_ms = WORKER_GRACE_MS;
		}
		if (!conn_frame_waiting(&s->conn)) {
			if (conn_flush(&s->conn) == -1) {
				break;
			}
			setproctitle("worker %s idle", peer);
		}
		n = conn_read_frame(&s->conn, &w, &f);
		if (n == 0) {
			peer_eof = 1;
			break;
		}
		if (n == -1) {
			begun = conn_in_frame(&s->conn, &type) > 0;
			if (errno == ETIMEDOUT && grace && !begun) {
				(void)conn_send_error(&s->conn,
				    TFS_ESHUTTING_DOWN, NULL);
			} else if (errno == ETIMEDOUT) {
				(void)conn_send_error(&s->conn, TFS_ETIMEOUT,
				    begun ? "frame stalled for %d s" :
				    "idle for %d s", begun ?
				    cfg.stall_timeout : cfg.idle_timeout);
				log_info("%s: closed: %s", peer,
				    begun ? "stalled" : "idle");
			} else if (errno == ECANCELED && nreq == 0) {
				continue;	/* the grace above */
			} else if (errno == ECANCELED) {
				(void)conn_send_error(&s->conn,
				    TFS_ESHUTTING_DOWN, NULL);
			} else if (errno == EPROTO) {
				(void)conn_send_error(&s->conn, TFS_EPROTOCOL,
				    "%s", frame_strerror(
				    conn_frame_error(&s->conn)));
				log_info("%s: closed: %s", peer, frame_strerror(
				    conn_frame_error(&s->conn)));
			} else {
				log_debug("%s: read: %s", peer,
				    strerror(errno));
			}
			break;
		}
		nreq++;
		if (worker_request(s, &f) == -1) {
			(void)conn_flush(&s->conn);
			break;
		}
	}
out_conn:
	if (!peer_eof) {
		worker_linger(fd);
	}
	conn_free(&s->conn);
out_free:
	free(s);
	close(fd);
}

/*
 * Close gently.  Closing a socket whose input was not all read sends a
 * reset, and a reset can destroy the last reply (ERROR PROTOCOL, TIMEOUT,
 * SHUTTING_DOWN) before the peer has read it.  So send FIN first, then
 * discard what the peer still sends until it closes too, bounded in time
 * and bytes so that no peer can hold the worker.
 */
static void
worker_linger(int fd)
{
	char	 buf[4096];
	int64_t	 deadline = xio_now_ms() + WORKER_LINGER_MS, left;
	size_t	 total = 0;
	ssize_t	 n;

	if (shutdown(fd, SHUT_WR) == -1) {
		return;
	}
	while (total < WORKER_LINGER_MAX) {
		if ((left = deadline - xio_now_ms()) <= 0) {
			break;
		}
		n = xio_read_some(fd, buf, sizeof(buf), (int)left, -1);
		if (n <= 0) {
			break;
		}
		total += (size_t)n;
	}
}

void
worker_main(const struct worker_args *wa)
{
	struct sockaddr_storage	 ss;
	struct sb_slot		*slot = wa->slot;
	socklen_t		 sl;
	unsigned long		 limit = 0, served = 0;
	char			 peer[64];
	int			 fd;

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
	if (cfg.max_requests > 0) {
		/* a little jitter, so the pool does not recycle in step */
		limit = (unsigned long)cfg.max_requests +
		    arc4random_uniform((uint32_t)(cfg.max_requests / 10 + 1));
	}
	if (!cfg.read_only) {
		partial_sweep(wa->root.fd, cfg.partial_max_age);
	}

	while (!worker_stopping) {
		if (worker_reopen) {
			worker_reopen = 0;
			(void)log_reopen();
		}
		if (worker_alarm) {
			worker_alarm = 0;
			if (!cfg.read_only) {
				partial_sweep(wa->root.fd,
				    cfg.partial_max_age);
			}
		}
		if (worker_master_gone(wa->master_fd)) {
			break;
		}
		worker_state(slot, SB_IDLE);
		setproctitle("worker idle");
		sl = sizeof(ss);
		alarm(WORKER_SWEEP_S);
		fd = accept4(worker_listen_fd, (struct sockaddr *)&ss, &sl,
		    SOCK_CLOEXEC);
		alarm(0);
		if (fd == -1) {
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
				continue;
			case EMFILE:
			case ENFILE:
			case ENOBUFS:
			case ENOMEM:
				log_warn("accept");
				(void)usleep(100 * 1000);
				continue;
			default:
				/* EBADF: closed by the stop handler */
				if (!worker_stopping) {
					log_warn("accept");
				}
				goto out;
			}
		}
		worker_peer(&ss, sl, peer, sizeof(peer));
		if (slot != NULL) {
			(void)strlcpy(slot->peer, peer, sizeof(slot->peer));
			slot->op[0] = slot->path[0] = '\0';
			slot->bytes = 0;
			worker_state(slot, SB_BUSY);
		}
		setproctitle("worker %s", peer);
		worker_serve(wa, fd, peer);
		served++;
		if (slot != NULL) {
			slot->served = served;
			slot->peer[0] = slot->op[0] = slot->path[0] = '\0';
		}
		if (limit != 0 && served >= limit) {
			log_debug("served %lu connections: retiring", served);
			break;
		}
		if (!cfg.read_only) {
			partial_sweep(wa->root.fd, cfg.partial_max_age);
		}
	}
out:
	worker_state(slot, SB_EXITING);
	exit(0);
}
