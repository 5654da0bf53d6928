/*
 * serve.c -- one connection, from HELLO to its end.
 *
 * Requests are read and dispatched to ops.c in order.  Replies are
 * flushed only when no further request is already buffered, so a
 * pipelining client gets its answers coalesced.  Between requests the
 * idle timeout applies, inside a frame the stall timeout and the
 * minimum rate; the first request must arrive whole within the
 * first-request timeout.  The slot and the process title show the
 * request that runs, and each request gets one log line.
 *
 * A stop (told through wake_fd) ends the wait for the next request at
 * once: an idle connection gets ERROR SHUTTING_DOWN, a request in
 * progress (or whose frame has begun) finishes first, and a connection
 * that has sent nothing yet (accepted as the stop came, from a client
 * that expects service) has its first request served if it arrives
 * within a second.  A yield (the master's, when every worker is busy
 * and connections wait) ends a connection still idle, or still without
 * a whole first request, with ERROR TIMEOUT.  The slot says which of
 * these a connection is in, and since when.  Closing after PROTOCOL or
 * SHUTTING_DOWN lingers, so that the last reply is not lost to a
 * reset; after TIMEOUT it does not wait for a peer that sends nothing.
 *
 * Per-connection work (who the peer is, what it may do) belongs here;
 * never accepts, forks, or sets a signal handler.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conn.h"
#include "frame.h"
#include "log.h"
#include "ops.h"
#include "proto.h"
#include "serve.h"
#include "signin.h"
#include "version.h"
#include "xio.h"

#define SERVE_NAME	"tfsd/" TFS_RELEASE
/* How long a connection accepted as a stop came may take to ask. */
#define SERVE_GRACE_MS	1000
/* A path as logged: escaped, and cut beyond this. */
#define SERVE_LOG_PATH	1024
/* How long, and how much, a closing connection's input is drained. */
#define SERVE_LINGER_MS		2000
#define SERVE_LINGER_MAX	(4u * 1024 * 1024)

/* A connection being served. */
struct serve {
	const struct serve_args *a;
	struct conn	 conn;
	struct conn_wait wait;		/* for the next request */
	struct ops_ctx	 ctx;
	struct ops_req	 req;
	struct signin	 signin;
	char		 peer[64];
	/* the request's paths as sent, escaped for its log line */
	char		 vpath[SERVE_LOG_PATH];
	char		 vto[SERVE_LOG_PATH];
	int		 has_path, has_to;
	unsigned long	 nreq;		/* requests read */
	int		 grace;		/* stopping, first request awaited */
	int		 peer_eof;	/* the peer closed between requests */
	int		 quick;		/* close without lingering */
};

static int	serve_ms(int);
static int	serve_first_ms(void);
static int	serve_setup(struct serve *, const struct serve_args *, int,
		    const char *, const struct sockaddr_storage *);
static int	serve_hello(struct serve *);
static void	serve_loop(struct serve *);
static int	serve_told(const struct serve *, int);
static int	serve_stop(struct serve *);
static int	serve_yield(struct serve *);
static void	serve_phase(struct serve *, int);
static int	serve_read_failed(struct serve *, int);
static int	serve_request(struct serve *, const struct conn_frame *);
static int	serve_refuse(struct serve *, const struct conn_frame *,
		    struct tfs_msg *, int64_t);
static void	serve_show(struct serve *, const struct tfs_msg *, int64_t);
static void	serve_done(struct serve *, uint8_t, int64_t);
static void	serve_log(struct serve *, uint8_t, int64_t, const char *,
		    const char *);
static void	serve_quote(char *, size_t, int, const char *);
static void	serve_result(char *, size_t, const char *, const char *);
static void	serve_linger(int, int);

void
serve_conn(const struct serve_args *a, int fd, const char *peer,
    const struct sockaddr_storage *ss)
{
	struct serve	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("%s: session", peer);
		close(fd);
		return;
	}
	if (serve_setup(s, a, fd, peer, ss) == -1) {
		log_warn("%s: connection setup", peer);
		goto out_free;
	}
	log_debug("%s: connected", peer);
	if (serve_hello(s) == 0) {
		serve_loop(s);
	}
	/* ended: nothing to close for a waiting client any more */
	serve_phase(s, SB_CONN_NONE);
	if (!s->peer_eof) {
		serve_linger(fd, s->quick);
	}
	signin_end(&s->signin);
	conn_free(&s->conn);
out_free:
	free(s);
	close(fd);
}

/* Seconds of the configuration to milliseconds; 0 or less: no limit. */
static int
serve_ms(int seconds)
{
	if (seconds <= 0) {
		return -1;
	}
	if (seconds > 86400 * 24) {
		seconds = 86400 * 24;
	}
	return seconds * 1000;
}

/*
 * How long a connection has after HELLO to send its first request
 * whole: the first-request timeout, or the idle timeout if shorter.
 */
static int
serve_first_ms(void)
{
	int	 first = serve_ms(cfg.first_request_timeout);
	int	 idle = serve_ms(cfg.idle_timeout);

	if (first == -1 || (idle != -1 && idle < first)) {
		return idle;
	}
	return first;
}

/*
 * The connection, its waits, and what its requests may do: it starts
 * anonymous, with the rights of --anonymous (--read-only is a check of
 * its own).  0, or -1 with errno.
 */
static int
serve_setup(struct serve *s, const struct serve_args *a, int fd,
    const char *peer, const struct sockaddr_storage *ss)
{
	s->a = a;
	(void)strlcpy(s->peer, peer, sizeof(s->peer));
	if (conn_init_ready(&s->conn, fd, FRAME_MAX,
	    serve_ms(cfg.stall_timeout), -1) == -1) {
		return -1;
	}
	conn_set_min_rate(&s->conn, cfg.min_rate, serve_ms(cfg.stall_timeout));
	/*
	 * Between requests what the worker is told ends the wait, a frame
	 * begun too: a yield closes a connection whose request is still
	 * arriving, a stop reads it on.
	 */
	s->wait.idle_ms = serve_ms(cfg.idle_timeout);
	s->wait.stall_ms = serve_ms(cfg.stall_timeout);
	s->wait.intr_fd = a->wake_fd;
	s->wait.intr_in_frame = 1;
	s->ctx.conn = &s->conn;
	s->ctx.root = a->root;
	s->ctx.rights = (unsigned)cfg.anonymous;
	s->ctx.user = NULL;
	signin_init(&s->signin, a->shared, ss, s->peer);
	s->ctx.signin = &s->signin;
	s->ctx.slot = a->slot;
	s->ctx.slot_id = a->slot_id;
	s->ctx.space = a->shared->space;
	s->ctx.stall_ms = s->wait.stall_ms;
	s->ctx.min_rate = cfg.min_rate;
	s->ctx.pipe = a->pipe;
	s->req.ctx = &s->ctx;
	return 0;
}

/*
 * Queue HELLO: the server speaks first, and the first request's time
 * begins.  0 or -1.
 */
static int
serve_hello(struct serve *s)
{
	struct tfs_msg	 hello;
	int		 first = serve_first_ms();

	if (first != -1) {
		conn_set_deadline(&s->conn, xio_now_ms() + first);
	}

	memset(&hello, 0, sizeof(hello));
	hello.type = TFS_HELLO;
	hello.version = TFS_VERSION;
	hello.max_payload = FRAME_MAX;
	hello.name = tfs_str_c(SERVE_NAME);
	return conn_send(&s->conn, &hello);
}

/* Read and serve requests until the connection ends. */
static void
serve_loop(struct serve *s)
{
	struct conn_frame	 f;
	int			 n, woken = 0;

	serve_phase(s, SB_CONN_FIRST);
	for (;;) {
		if (s->a->between != NULL) {
			s->a->between();
		}
		n = serve_told(s, woken);
		woken = 0;
		if ((n == SERVE_TOLD_STOP && serve_stop(s) == -1) ||
		    (n == SERVE_TOLD_YIELD && serve_yield(s) == -1)) {
			break;
		}
		if (!conn_frame_waiting(&s->conn)) {
			if (conn_flush(&s->conn) == -1) {
				break;
			}
			setproctitle("worker %s idle", s->peer);
		}
		n = conn_read_frame(&s->conn, &s->wait, &f);
		if (n == 0) {
			s->peer_eof = 1;
			break;
		}
		if (n == -1) {
			woken = errno == ECANCELED;
			if (serve_read_failed(s, errno) == 0) {
				continue;
			}
			break;
		}
		if (s->nreq++ == 0) {
			conn_set_deadline(&s->conn, 0);
		}
		if (serve_request(s, &f) == -1) {
			(void)conn_flush(&s->conn);
			break;
		}
	}
}

/* What the worker was told (SERVE_TOLD_*), or 0; woken as told() says. */
static int
serve_told(const struct serve *s, int woken)
{
	if (s->a->wake_fd == -1 || s->a->told == NULL) {
		return 0;
	}
	return s->a->told(woken);
}

/*
 * Told to stop between requests: end an idle connection with ERROR
 * SHUTTING_DOWN (-1).  A request whose frame has begun is read on and
 * served first (0): the stop no longer ends the waits.  One that sent
 * no request yet was accepted as the stop came, from a client that
 * expects service, and new workers cannot take it over: its first
 * request counts as one in progress if it arrives within a moment (0,
 * go on).
 */
static int
serve_stop(struct serve *s)
{
	uint8_t	 type;

	s->wait.intr_fd = -1;
	if (conn_in_frame(&s->conn, &type) > 0) {
		return 0;
	}
	if (s->nreq > 0 || s->grace) {
		(void)conn_send_error(&s->conn, TFS_ESHUTTING_DOWN, NULL);
		return -1;
	}
	s->grace = 1;
	s->wait.idle_ms = SERVE_GRACE_MS;
	return 0;
}

/*
 * Told to give up the connection the slot's yield names: if this one
 * is still idle (or still without a whole first request) since then,
 * end it with ERROR TIMEOUT (-1); else it has moved on since the master
 * looked, and goes on (0).
 */
static int
serve_yield(struct serve *s)
{
	struct sb_slot	*slot = s->a->slot;
	int64_t		 since;

	if (slot == NULL || slot->yield == 0 || slot->yield !=
	    slot->conn_since || (slot->conn != SB_CONN_FIRST &&
	    slot->conn != SB_CONN_IDLE)) {
		return 0;
	}
	since = slot->conn_since;
	(void)conn_send_error(&s->conn, TFS_ETIMEOUT, "every worker is "
	    "busy: closing the connections idle longest");
	log_info("%s: closed: %s for %lld ms while every worker was busy",
	    s->peer, slot->conn == SB_CONN_FIRST ? "no whole first request" :
	    "idle", (long long)(xio_now_ms() - since));
	s->quick = 1;
	return -1;
}

/* Where the connection is (enum sb_conn), for the master's eyes. */
static void
serve_phase(struct serve *s, int conn)
{
	struct sb_slot	*slot = s->a->slot;

	if (slot != NULL) {
		slot->conn = conn;
		slot->conn_since = xio_now_ms();
	}
}

/*
 * Reading the next request failed with errnum: answer what can be
 * answered.  0 to wait again (the worker was told something: the loop
 * asks what), -1 when the connection ends.
 */
static int
serve_read_failed(struct serve *s, int errnum)
{
	enum frame_err	 fe;
	uint8_t		 type;
	int		 begun;

	begun = conn_in_frame(&s->conn, &type) > 0;
	if (errnum == ECANCELED) {
		/* the loop asks what the worker was told */
		return 0;
	}
	/* a peer that let time pass is not waited for at the close */
	s->quick = errnum == ETIMEDOUT;
	if (errnum == ETIMEDOUT && s->grace && !begun) {
		(void)conn_send_error(&s->conn, TFS_ESHUTTING_DOWN, NULL);
	} else if (errnum == ETIMEDOUT && s->nreq == 0) {
		(void)conn_send_error(&s->conn, TFS_ETIMEOUT, "no whole first "
		    "request within %d s", serve_first_ms() / 1000);
		log_info("%s: closed: %s", s->peer, begun ?
		    "first request too slow" : "no first request");
	} else if (errnum == ETIMEDOUT) {
		(void)conn_send_error(&s->conn, TFS_ETIMEOUT,
		    begun ? "frame stalled for %d s" : "idle for %d s",
		    begun ? cfg.stall_timeout : cfg.idle_timeout);
		log_info("%s: closed: %s", s->peer, begun ? "stalled" :
		    "idle");
	} else if (errnum == EPROTO) {
		fe = conn_frame_error(&s->conn);
		(void)conn_send_error(&s->conn, TFS_EPROTOCOL, "%s",
		    frame_strerror(fe));
		log_info("%s: closed: %s", s->peer, frame_strerror(fe));
	} else {
		log_debug("%s: read: %s", s->peer, strerror(errnum));
	}
	return -1;
}

/*
 * Serve one frame read between requests.  0 to go on with the next,
 * -1 when the connection must end.
 */
static int
serve_request(struct serve *s, const struct conn_frame *f)
{
	struct ops_req	*r = &s->req;
	struct tfs_msg	 m;
	int64_t		 start = xio_now_ms();
	int		 rc;

	r->path[0] = r->to[0] = '\0';
	r->bytes = 0;
	if (signin_pending(&s->signin) && f->type != TFS_STEP) {
		/* the exchange is the only thing a client may do meanwhile */
		(void)conn_send_error(&s->conn, TFS_EPROTOCOL,
		    "%s during a sign-in exchange", tfs_type_name(f->type));
		serve_log(s, f->type, start, "PROTOCOL", "sign-in pending");
		return -1;
	}
	if ((rc = serve_refuse(s, f, &m, start)) != 1) {
		return rc;
	}
	serve_show(s, &m, start);
	ops_dispatch(r, &m);
	serve_done(s, f->type, start);
	return r->close ? -1 : 0;
}

/*
 * Decode frame f into m.  What is not a request of the table is
 * answered here: an unknown type is skipped (its length is known), a
 * known type out of place or a malformed payload is a protocol error.
 * 1 to serve m, 0 to go on with the next, -1 to end.
 */
static int
serve_refuse(struct serve *s, const struct conn_frame *f, struct tfs_msg *m,
    int64_t start)
{
	enum proto_err	 e;

	s->has_path = s->has_to = 0;
	if (!tfs_type_known(f->type)) {
		if (conn_send_error(&s->conn, TFS_EUNSUPPORTED,
		    "unknown request type 0x%02x", f->type) == -1) {
			return -1;
		}
		serve_log(s, f->type, start, "UNSUPPORTED", NULL);
		return 0;
	}
	if (!tfs_type_is_request(f->type)) {
		(void)conn_send_error(&s->conn, TFS_EPROTOCOL,
		    "%s is not a request", tfs_type_name(f->type));
		serve_log(s, f->type, start, "PROTOCOL", NULL);
		return -1;
	}
	if ((e = proto_decode(f->type, f->payload, f->len, m)) != PROTO_OK) {
		(void)conn_send_error(&s->conn, TFS_EPROTOCOL, "%s: %s",
		    tfs_type_name(f->type), proto_strerror(e));
		serve_log(s, f->type, start, "PROTOCOL", NULL);
		return -1;
	}
	return 1;
}

/*
 * Show what runs, in ps and in the slot, for the master's stall watch
 * and for -s status; keep its paths for the log line, since m's bytes
 * live in a buffer that the request's own frames will overwrite.
 */
static void
serve_show(struct serve *s, const struct tfs_msg *m, int64_t start)
{
	char		 op[8], user[64];
	size_t		 i;

	(void)strlcpy(op, tfs_type_name(m->type), sizeof(op));
	for (i = 0; op[i] != '\0'; i++) {
		if (op[i] >= 'A' && op[i] <= 'Z') {
			op[i] = (char)(op[i] - 'A' + 'a');
		}
	}
	s->has_path = m->path.p != NULL;
	s->has_to = m->to.p != NULL;
	log_vis(s->vpath, sizeof(s->vpath), m->path.p, m->path.len);
	log_vis(s->vto, sizeof(s->vto), m->to.p, m->to.len);
	setproctitle("worker %s %s %.160s", s->peer, op, s->vpath);
	user[0] = '\0';
	if (s->ctx.user != NULL) {
		log_vis(user, sizeof(user), s->ctx.user, strlen(s->ctx.user));
	}
	sb_request_begin(s->a->slot, tfs_type_name(m->type), s->vpath, user,
	    start);
	serve_phase(s, SB_CONN_REQUEST);
}

/* The request of type ended: out of the stall watch, and its log line. */
static void
serve_done(struct serve *s, uint8_t type, int64_t start)
{
	struct ops_req	*r = &s->req;
	const char	*result;

	sb_request_end(s->a->slot, type == TFS_PUT, r->bytes, xio_now_ms());
	serve_phase(s, SB_CONN_IDLE);
	if ((type == TFS_AUTH || type == TFS_STEP) && r->path[0] != '\0') {
		/* the name tried stands where a path would */
		s->has_path = 1;
		log_vis(s->vpath, sizeof(s->vpath), r->path,
		    strlen(r->path));
	}
	if (r->err != 0) {
		result = tfs_err_name(r->err);
	} else if (r->note != NULL) {
		/* it ended without a reply: the peer went, or stalled */
		result = "ABORTED";
	} else {
		result = "OK";
	}
	serve_log(s, type, start, result != NULL ? result : "ERROR",
	    r->note);
}

/* A path field of a log line: "escaped", or - when there is none. */
static void
serve_quote(char *dst, size_t dstsz, int has, const char *v)
{
	if (!has) {
		(void)strlcpy(dst, "-", dstsz);
	} else {
		(void)snprintf(dst, dstsz, "\"%s\"", v);
	}
}

/*
 * The result field: one token, the reason of a cut transfer after a
 * colon, in lower case with a '-' for each run of other bytes
 * ("ABORTED:peer-gone").
 */
static void
serve_result(char *dst, size_t dstsz, const char *result, const char *note)
{
	size_t	 n;
	int	 dash = 0;

	n = strlcpy(dst, result, dstsz);
	if (note == NULL || n + 2 >= dstsz) {
		return;
	}
	dst[n++] = ':';
	for (; *note != '\0' && n + 1 < dstsz; note++) {
		if ((*note >= 'a' && *note <= 'z') ||
		    (*note >= '0' && *note <= '9')) {
			dst[n++] = *note;
			dash = 0;
		} else if (*note >= 'A' && *note <= 'Z') {
			dst[n++] = (char)(*note - 'A' + 'a');
			dash = 0;
		} else if (!dash) {
			dst[n++] = '-';
			dash = 1;
		}
	}
	dst[n] = '\0';
}

/*
 * One log line per request, its fields split by blanks (tfsd(8),
 * LOGGING): PEER USER REQUEST PATH TO RESULT BYTES MS.  USER is "-"
 * when anonymous, PATH and TO are quoted and escaped as the client sent
 * them, or "-" when the request has none.  QUIT is a line at -v only:
 * one per connection would say nothing.
 */
static void
serve_log(struct serve *s, uint8_t type, int64_t start, const char *result,
    const char *note)
{
	void		(*say)(const char *, ...);
	char		 user[4 * 64 + 1], path[SERVE_LOG_PATH + 2];
	char		 to[SERVE_LOG_PATH + 2], res[64];

	say = type == TFS_QUIT ? log_debug : log_info;
	if (!log_enabled(type == TFS_QUIT ? LOG_LVL_DEBUG : LOG_LVL_INFO)) {
		return;
	}
	if (s->ctx.user == NULL) {
		(void)strlcpy(user, "-", sizeof(user));
	} else if (strcmp(s->ctx.user, "-") == 0) {
		(void)strlcpy(user, "\\055", sizeof(user));
	} else {
		log_vis_word(user, sizeof(user), s->ctx.user,
		    strlen(s->ctx.user));
	}
	serve_quote(path, sizeof(path), s->has_path, s->vpath);
	serve_quote(to, sizeof(to), s->has_to, s->vto);
	serve_result(res, sizeof(res), result, note);
	say("%s %s %s %s %s %s %llu %lld", s->peer, user, tfs_type_name(type),
	    path, to, res, (unsigned long long)s->req.bytes,
	    (long long)(xio_now_ms() - start));
}

/*
 * Close gently.  Closing a socket whose input was not all read sends a
 * reset, and a reset can destroy the last reply (ERROR PROTOCOL, TIMEOUT,
 * SHUTTING_DOWN) before the peer has read it.  So send FIN first, then
 * discard what the peer still sends until it closes too, bounded in time
 * and bytes so that no peer can hold the worker.  quick: discard only
 * what has arrived already (after a timeout, whose peer may well never
 * close: waiting for it would hand the worker to it again).
 */
static void
serve_linger(int fd, int quick)
{
	char	 buf[4096];
	int64_t	 deadline = xio_now_ms() + SERVE_LINGER_MS, left;
	size_t	 total = 0;
	ssize_t	 n;

	if (shutdown(fd, SHUT_WR) == -1) {
		return;
	}
	while (total < SERVE_LINGER_MAX) {
		if ((left = deadline - xio_now_ms()) <= 0) {
			break;
		}
		n = xio_read_some(fd, buf, sizeof(buf), quick ? 0 : (int)left,
		    -1);
		if (n <= 0) {
			break;
		}
		total += (size_t)n;
	}
}
