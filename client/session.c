/*
 * session.c -- the client's connection to tfsd.
 *
 * A request goes out only on a connection that is still there: before
 * each one, a server that closed an idle connection (idle timeout, HUP,
 * graceful stop) is noticed without waiting and the connection is made
 * again, so users and scripts never see those closes.  What the server
 * sends is never trusted: an unknown, malformed or out-of-place frame
 * ends the connection with a protocol error, never a crash.
 */

#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "intr.h"
#include "log.h"
#include "session.h"
#include "xio.h"

static enum sess_rc	session_connect(struct session *);
static int		session_backoff_ms(int);
static enum sess_rc	session_first(struct session *, int64_t,
			    struct tfs_msg *);
static enum sess_rc	session_hello(struct session *, int64_t);
static enum sess_rc	session_refusal(struct session *,
			    const struct tfs_msg *);
static const char	*session_words(unsigned, char *, size_t);
static int		session_dial(const struct addrinfo *, int64_t);
static int		session_idle_closed(struct session *);
static int		session_left_ms(int64_t);
static void		session_wait(struct conn_wait *, int, int);

/*
 * A read's wait: idle_ms for a reply to begin, then SESSION_STALL_MS
 * inside it; Ctrl-C ends either unless intr is 0.
 */
static void
session_wait(struct conn_wait *w, int idle_ms, int intr)
{
	w->idle_ms = idle_ms;
	w->stall_ms = SESSION_STALL_MS;
	w->intr_fd = intr ? intr_fd() : -1;
	w->intr_in_frame = 1;
}

void
session_init(struct session *s, const char *host, const char *port)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->timeout_s = SESSION_TIMEOUT_S;
	(void)strlcpy(s->host, host, sizeof(s->host));
	(void)strlcpy(s->port, port, sizeof(s->port));
	if (strchr(host, ':') != NULL) {
		(void)snprintf(s->label, sizeof(s->label), "[%s]:%s", host,
		    port);
	} else {
		(void)snprintf(s->label, sizeof(s->label), "%s:%s", host,
		    port);
	}
}

/* Milliseconds until deadline (-1 = none), at least 0. */
static int
session_left_ms(int64_t deadline)
{
	int64_t	 left;

	if (deadline < 0) {
		return -1;
	}
	left = deadline - xio_now_ms();
	if (left < 0) {
		return 0;
	}
	return left > 0x7fffffff ? 0x7fffffff : (int)left;
}

/*
 * Connect a non-blocking socket to one address before the deadline.
 * The fd, or -1 with errno.
 */
static int
session_dial(const struct addrinfo *ai, int64_t deadline)
{
	socklen_t	 len;
	int		 fd, err, save;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd == -1) {
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
		return fd;
	}
	if (errno != EINPROGRESS) {
		goto out_close;
	}
	if (xio_wait(fd, POLLOUT, session_left_ms(deadline), intr_fd()) ==
	    -1) {
		goto out_close;
	}
	len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1) {
		goto out_close;
	}
	if (err != 0) {
		errno = err;
		goto out_close;
	}
	return fd;
out_close:
	save = errno;
	close(fd);
	errno = save;
	return -1;
}

/*
 * The first frame of a connection into *m.  A server whose workers are
 * all busy leaves us in its listen queue: say so after a second, and
 * give up at the deadline (-1: none).
 */
static enum sess_rc
session_first(struct session *s, int64_t deadline, struct tfs_msg *m)
{
	struct conn_wait w;
	int64_t		 note = xio_now_ms() + SESSION_HELLO_NOTE_MS, until;
	int		 r, noted = 0;

	for (;;) {
		until = noted || (deadline >= 0 && deadline < note) ?
		    deadline : note;
		session_wait(&w, session_left_ms(until), 1);
		if ((r = conn_read_msg(&s->conn, &w, m, NULL)) == 1) {
			return SESS_OK;
		}
		if (r == 0) {
			(void)snprintf(s->errmsg, sizeof(s->errmsg),
			    "%s closed the connection before HELLO", s->label);
			return SESS_LOST;
		}
		if (errno == ECANCELED) {
			return session_intr(s);
		}
		if (errno == EBADMSG || errno == EPROTO) {
			(void)snprintf(s->errmsg, sizeof(s->errmsg),
			    "%s does not speak TFS/1", s->label);
			return SESS_LOST;
		}
		if (errno != ETIMEDOUT) {
			(void)snprintf(s->errmsg, sizeof(s->errmsg),
			    "%s: %s", s->label, strerror(errno));
			return SESS_LOST;
		}
		if (deadline >= 0 && xio_now_ms() >= deadline) {
			(void)snprintf(s->errmsg, sizeof(s->errmsg),
			    "%s: no free server worker after %d s", s->label,
			    s->timeout_s);
			return SESS_LOST;
		}
		if (!noted && !s->quiet) {
			fprintf(stderr, "tfs: waiting for a free server "
			    "worker\xe2\x80\xa6\n");
		}
		noted = 1;
	}
}

/*
 * An ERROR in place of HELLO: a refusal, not a protocol error, told in
 * the server's words (made harmless for the terminal).  SHUTTING_DOWN
 * is a server going away, as a lost connection is (3); DENIED, BUSY and
 * anything else are refusals (4), final: asking again will not help.
 */
static enum sess_rc
session_refusal(struct session *s, const struct tfs_msg *m)
{
	char	 words[128], vis[256];

	(void)session_words(m->code, words, sizeof(words));
	log_vis(vis, sizeof(vis), m->text.p, m->text.len);
	(void)snprintf(s->errmsg, sizeof(s->errmsg),
	    "%s refused the connection: %s%s%s", s->label, vis,
	    *vis != '\0' ? " " : "", words);
	if (m->code == TFS_ESHUTTING_DOWN) {
		return SESS_LOST;
	}
	s->final = 1;
	return SESS_REFUSED;
}

/*
 * HELLO, or the ERROR of a server that will not serve us.
 */
static enum sess_rc
session_hello(struct session *s, int64_t deadline)
{
	struct tfs_msg	 m;
	enum sess_rc	 rc;

	if ((rc = session_first(s, deadline, &m)) != SESS_OK) {
		return rc;
	}
	if (m.type == TFS_ERROR) {
		return session_refusal(s, &m);
	}
	if (m.type != TFS_HELLO) {
		(void)snprintf(s->errmsg, sizeof(s->errmsg),
		    "%s does not speak TFS/1 (first frame %s)", s->label,
		    tfs_type_name(m.type));
		return SESS_LOST;
	}
	if (m.version != TFS_VERSION) {
		(void)snprintf(s->errmsg, sizeof(s->errmsg),
		    "%s speaks TFS/%u, not TFS/%d", s->label, m.version,
		    TFS_VERSION);
		return SESS_LOST;
	}
	s->max_payload = m.max_payload;
	if (s->max_payload == 0 || s->max_payload > FRAME_MAX) {
		s->max_payload = FRAME_MAX;
	}
	return SESS_OK;
}

/* Connect once (no retry).  SESS_OK, SESS_LOST or SESS_INTR. */
static enum sess_rc
session_connect(struct session *s)
{
	struct addrinfo	 hints, *res, *ai;
	enum sess_rc	 rc;
	int64_t		 deadline;
	int		 fd = -1, gai, err = ECONNREFUSED;

	session_drop(s);
	deadline = s->timeout_s > 0 ?
	    xio_now_ms() + (int64_t)s->timeout_s * 1000 : -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((gai = getaddrinfo(s->host, s->port, &hints, &res)) != 0) {
		(void)snprintf(s->errmsg, sizeof(s->errmsg),
		    "cannot resolve %s: %s", s->host, gai == EAI_SYSTEM ?
		    strerror(errno) : gai_strerror(gai));
		return SESS_LOST;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = session_dial(ai, deadline)) != -1) {
			break;
		}
		err = errno;
		if (err == ECANCELED) {
			break;
		}
	}
	freeaddrinfo(res);
	if (fd == -1) {
		if (err == ECANCELED) {
			return session_intr(s);
		}
		(void)snprintf(s->errmsg, sizeof(s->errmsg),
		    "cannot connect to %s: %s", s->label,
		    err == ETIMEDOUT ? "timed out" : strerror(err));
		return SESS_LOST;
	}
	/* Ctrl-C ends any wait, even inside a frame or a blocked write */
	if (conn_init(&s->conn, fd, FRAME_MAX, SESSION_STALL_MS,
	    intr_fd()) == -1) {
		(void)snprintf(s->errmsg, sizeof(s->errmsg), "%s: %s",
		    s->label, strerror(errno));
		close(fd);
		return SESS_LOST;
	}
	s->fd = fd;
	if ((rc = session_hello(s, deadline)) == SESS_OK &&
	    s->auth.user[0] != '\0') {
		/* every connection signs in, the reconnects' too */
		rc = session_signin(s);
	}
	if (rc != SESS_OK) {
		session_drop(s);
	}
	return rc;
}

/* The back-off before attempt n (1-based) of a retry, in ms. */
static int
session_backoff_ms(int attempt)
{
	int	 ms = 500;

	while (--attempt > 0 && ms < 8000) {
		ms *= 2;
	}
	return ms > 8000 ? 8000 : ms;
}

enum sess_rc
session_reconnect(struct session *s, int *attempts)
{
	enum sess_rc	 rc = SESS_LOST;

	session_drop(s);
	while (*attempts < s->retry) {
		(*attempts)++;
		if (intr_sleep(session_backoff_ms(*attempts)) == -1) {
			return session_intr(s);
		}
		if (!s->quiet) {
			fprintf(stderr, "tfs: reconnecting to %s (attempt %d "
			    "of %d)\n", s->label, *attempts, s->retry);
		}
		rc = session_connect(s);
		if (rc == SESS_OK || rc == SESS_INTR || rc == SESS_REFUSED) {
			return rc;
		}
	}
	return rc;
}

/*
 * 1 when the server has closed our idle connection (EOF, a reset, or an
 * ERROR such as TIMEOUT or SHUTTING_DOWN sent before closing), found
 * without waiting.  Anything else unasked for is as bad: 1 as well.
 */
static int
session_idle_closed(struct session *s)
{
	struct conn_wait w;
	struct pollfd	 pfd;
	struct tfs_msg	 m;

	if (conn_pending(&s->conn) == 0) {
		pfd.fd = s->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 0) <= 0) {
			return 0;
		}
	}
	/* whatever it is, it was not asked for */
	session_wait(&w, 0, 1);
	(void)conn_read_msg(&s->conn, &w, &m, NULL);
	return 1;
}

enum sess_rc
session_ensure(struct session *s)
{
	enum sess_rc	 rc;
	int		 attempts = 0;

	if (s->final) {
		/* errmsg still tells why */
		return SESS_REFUSED;
	}
	if (s->fd != -1 && !session_idle_closed(s)) {
		return SESS_OK;
	}
	rc = session_connect(s);
	if (rc == SESS_LOST && s->retry > 0) {
		rc = session_reconnect(s, &attempts);
	}
	return rc;
}

void
session_drop(struct session *s)
{
	if (s->fd == -1) {
		return;
	}
	conn_free(&s->conn);
	close(s->fd);
	s->fd = -1;
	s->signed_in = 0;
	s->rights = 0;
}

void
session_quit(struct session *s)
{
	struct tfs_msg	 m = { .type = TFS_QUIT };
	struct conn_wait w;

	if (s->fd == -1) {
		return;
	}
	if (session_send(s, &m) == SESS_OK) {
		/* OK, then the server closes; neither is worth a wait */
		session_wait(&w, 2000, 0);
		(void)conn_read_msg(&s->conn, &w, &m, NULL);
	}
	session_drop(s);
}

enum sess_rc
session_lost(struct session *s, int errnum)
{
	s->lost_errno = errnum;
	if (errnum == 0) {
		(void)snprintf(s->errmsg, sizeof(s->errmsg),
		    "connection closed by %s", s->label);
	} else if (errnum == ETIMEDOUT) {
		(void)snprintf(s->errmsg, sizeof(s->errmsg),
		    "connection to %s timed out", s->label);
	} else {
		(void)snprintf(s->errmsg, sizeof(s->errmsg),
		    "connection to %s lost: %s", s->label, strerror(errnum));
	}
	session_drop(s);
	return SESS_LOST;
}

enum sess_rc
session_proto(struct session *s, const char *fmt, ...)
{
	char	 what[256];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	(void)snprintf(s->errmsg, sizeof(s->errmsg),
	    "protocol error from %s: %s", s->label, what);
	session_drop(s);
	return SESS_PROTO;
}

enum sess_rc
session_intr(struct session *s)
{
	(void)snprintf(s->errmsg, sizeof(s->errmsg), "interrupted");
	session_drop(s);
	return SESS_INTR;
}

/* An error code in words: "no such file or folder (NOT_FOUND)". */
static const char *
session_words(unsigned code, char *buf, size_t bufsz)
{
	const char	*text = tfs_err_text(code), *name = tfs_err_name(code);

	(void)snprintf(buf, bufsz, "%s (%s)", text != NULL ? text : "error",
	    name != NULL ? name : "?");
	return buf;
}

enum sess_rc
session_fail(struct session *s, unsigned code)
{
	s->err_code = code;
	(void)session_words(code, s->errmsg, sizeof(s->errmsg));
	return SESS_ERROR;
}

int
session_report(struct session *s, enum sess_rc rc, const char *what)
{
	if (rc == SESS_OK) {
		return ST_OK;
	}
	if (rc == SESS_AGAIN) {
		rc = session_lost(s, ETIMEDOUT);
	}
	warnx("%s: %s", what, s->errmsg);
	return exitcode_from_sess(rc);
}

enum sess_rc
session_error(struct session *s, const struct tfs_msg *m)
{
	char	 vis[256];

	if (tfs_err_text(m->code) != NULL && tfs_err_name(m->code) != NULL) {
		(void)session_fail(s, m->code);
	} else {
		/* a code this client does not know: show the server's words */
		s->err_code = m->code;
		log_vis(vis, sizeof(vis), m->text.p, m->text.len);
		(void)snprintf(s->errmsg, sizeof(s->errmsg),
		    "server error %u: %s", m->code, vis);
	}
	switch (m->code) {
	case TFS_EAUTH_REQUIRED:
		/* the shell may sign in and ask again */
		s->auth_required = 1;
		return SESS_REFUSED;
	case TFS_ETIMEOUT:
	case TFS_ESHUTTING_DOWN:
		/* the server closes after these: like a lost connection */
		session_drop(s);
		return SESS_LOST;
	case TFS_EPROTOCOL:
		session_drop(s);
		return SESS_ERROR;
	default:
		return SESS_ERROR;
	}
}

enum sess_rc
session_send(struct session *s, const struct tfs_msg *m)
{
	if (s->fd == -1) {
		return session_lost(s, ENOTCONN);
	}
	if (conn_send(&s->conn, m) == -1 || conn_flush(&s->conn) == -1) {
		if (errno == ECANCELED) {
			/* Ctrl-C while the server was not reading */
			return session_intr(s);
		}
		if (errno == EINVAL || errno == EMSGSIZE) {
			(void)snprintf(s->errmsg, sizeof(s->errmsg),
			    "request too long");
			return SESS_ERROR;
		}
		return session_lost(s, errno);
	}
	return SESS_OK;
}

enum sess_rc
session_recv(struct session *s, struct tfs_msg *m, int idle_ms)
{
	struct conn_wait w;
	enum proto_err	 perr;
	int		 r;

	if (s->fd == -1) {
		return session_lost(s, ENOTCONN);
	}
	session_wait(&w, idle_ms, 1);
	r = conn_read_msg(&s->conn, &w, m, &perr);
	if (r == 1) {
		if (m->type == TFS_HELLO || tfs_type_is_request(m->type)) {
			return session_proto(s, "unexpected %s frame",
			    tfs_type_name(m->type));
		}
		return SESS_OK;
	}
	if (r == 0) {
		return session_lost(s, 0);
	}
	switch (errno) {
	case ETIMEDOUT:
		return SESS_AGAIN;
	case ECANCELED:
		return session_intr(s);
	case EBADMSG:
		return session_proto(s, "malformed %s frame (%s)",
		    tfs_type_name(m->type), proto_strerror(perr));
	case EPROTO:
		if (conn_frame_error(&s->conn) == FRAME_ETRUNC) {
			/* cut inside a frame: the peer went away */
			return session_lost(s, 0);
		}
		return session_proto(s, "bad frame (%s)",
		    frame_strerror(conn_frame_error(&s->conn)));
	default:
		return session_lost(s, errno);
	}
}

enum sess_rc
session_call(struct session *s, const struct tfs_msg *req,
    struct tfs_msg *rep, int idle_ms)
{
	enum sess_rc	 rc;
	int		 again, fresh;

	for (again = 0; again < 2; again++) {
		fresh = s->fd == -1;
		if ((rc = session_ensure(s)) != SESS_OK) {
			return rc;
		}
		if ((rc = session_send(s, req)) != SESS_OK) {
			if (rc == SESS_LOST && !fresh && again == 0) {
				continue;	/* closed while we were idle */
			}
			return rc;
		}
		rc = session_recv(s, rep, idle_ms);
		if (rc == SESS_AGAIN) {
			return session_lost(s, ETIMEDOUT);
		}
		if (rc == SESS_LOST && !fresh && again == 0 &&
		    (s->lost_errno == 0 || s->lost_errno == ECONNRESET)) {
			/* EOF before any reply: say it again */
			continue;
		}
		if (rc != SESS_OK) {
			return rc;
		}
		if (rep->type != TFS_ERROR) {
			return SESS_OK;
		}
		rc = session_error(s, rep);
		if (rc == SESS_LOST && again == 0) {
			continue;	/* TIMEOUT/SHUTTING_DOWN: not served */
		}
		return rc;
	}
	return rc;
}
