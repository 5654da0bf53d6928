/*
 * session.h -- the client's connection to one tfsd: connecting (with
 * --timeout, the HELLO wait and --retry back-off), sending requests and
 * reading replies, and making the connection again when the server closed
 * it between requests.  Owns the socket.  Prints only the notices of
 * waiting for a free worker and of reconnecting (unless quiet); every
 * failure is described in s->errmsg, printed only when the caller asks
 * session_report.
 */

#ifndef CLIENT_SESSION_H
#define CLIENT_SESSION_H

#include <stdint.h>

#include "conn.h"
#include "login.h"
#include "path.h"
#include "proto.h"

#define SESSION_HOST_SZ		256	/* a host name or address, NUL */
#define SESSION_PORT_SZ		16	/* a port as typed, NUL */
#define SESSION_PATH_SZ		(PATH_MAX_LEN + 1)  /* a wire path, NUL */
#define SESSION_REPLY_MS	60000	/* longest wait for a reply */
#define SESSION_STALL_MS	60000	/* no progress inside a transfer */
#define SESSION_HELLO_NOTE_MS	1000	/* then say we are waiting */
#define SESSION_TIMEOUT_S	30	/* --timeout: connect and HELLO */

enum sess_rc {
	SESS_OK = 0,
	SESS_ERROR,	/* the server answered ERROR: s->err_code */
	SESS_LOST,	/* could not connect, or the connection broke */
	SESS_PROTO,	/* a malformed or unexpected reply; dropped */
	SESS_INTR,	/* Ctrl-C; the connection was dropped */
	SESS_AGAIN,	/* session_recv: nothing within the wait asked */
	SESS_REFUSED,	/* the server will not serve us: a refusal in
			   place of HELLO, a failed sign-in, or
			   AUTH_REQUIRED (s->auth_required) */
};

/*
 * Whom every connection signs in as, and where the password comes from.
 * The password is looked for once, at the first sign-in, and kept for
 * the reconnects; session_auth_clear wipes it.
 */
struct session_auth {
	char		 user[LOGIN_USER_MAX + 1];	/* "": anonymous */
	char		 password[LOGIN_PASSWORD_MAX + 1];
	int		 have_password;
	struct login_source src;
};

struct session {
	char		 host[SESSION_HOST_SZ];
	char		 port[SESSION_PORT_SZ];
	char		 label[300];	/* "host:port" or "[v6]:port" */
	int		 timeout_s;	/* connecting and waiting for HELLO */
	int		 retry;		/* --retry N */
	int		 quiet;		/* -q: no chatter */
	int		 fd;		/* -1: not connected */
	struct conn	 conn;
	uint32_t	 max_payload;	/* HELLO's, at most FRAME_MAX */
	char		 cwd[SESSION_PATH_SZ];	/* remote folder, wire form */
	unsigned	 err_code;	/* of the last ERROR */
	int		 lost_errno;	/* of the last loss (0: EOF) */
	char		 errmsg[1024];	/* words for the last failure */
	struct session_auth auth;
	int		 signed_in;	/* this connection: WELCOME seen */
	uint8_t		 rights;	/* WELCOME's TFS_RIGHT_* */
	/* a refusal that no reconnect can mend: never connect again */
	int		 final;
	int		 auth_required;	/* a request met AUTH_REQUIRED */
};

void	session_init(struct session *s, const char *host, const char *port);
/*
 * Be connected before a request: connect when not, and notice (without
 * blocking) a server that closed the connection or said TIMEOUT or
 * SHUTTING_DOWN while we were idle, then connect again.  With --retry,
 * failed attempts are repeated with back-off.  SESS_OK or SESS_LOST.
 */
enum sess_rc	session_ensure(struct session *s);
/*
 * Connect again after a loss: up to s->retry attempts in all (*attempts
 * counts those made so far), each after a growing back-off.
 */
enum sess_rc	session_reconnect(struct session *s, int *attempts);
/*
 * Sign in on the connection, now anonymous, as s->auth says (signin.c);
 * session_connect calls it after every HELLO when a user is set.
 * SESS_OK; SESS_REFUSED (no password, AUTH_FAILED, a server without
 * users, or one that could not prove it knows the password: then the
 * connection is closed); or as session_call.
 */
enum sess_rc	session_signin(struct session *s);
/* Wipe the password and forget the user. */
void	session_auth_clear(struct session_auth *a);
/* Drop the connection (after an error that leaves it unusable). */
void	session_drop(struct session *s);
/* Say QUIT politely, then close. */
void	session_quit(struct session *s);

/* Queue m and flush.  SESS_OK or SESS_LOST. */
enum sess_rc	session_send(struct session *s, const struct tfs_msg *m);
/*
 * Read the next reply into m (valid until the next read).  idle_ms as for
 * conn_read_msg; SESS_AGAIN when it passed.  ERROR replies come back as
 * SESS_OK with m->type TFS_ERROR (see session_error).  A request type, or
 * a frame that does not decode, is SESS_PROTO.
 */
enum sess_rc	session_recv(struct session *s, struct tfs_msg *m,
		    int idle_ms);
/*
 * One request and its first reply.  Makes sure of the connection first,
 * and sends the request again on a fresh connection once if the server
 * turned out to have closed the old one (EOF or ERROR TIMEOUT /
 * SHUTTING_DOWN before any reply).  An ERROR reply gives SESS_ERROR with
 * s->err_code and s->errmsg set.
 */
enum sess_rc	session_call(struct session *s, const struct tfs_msg *req,
		    struct tfs_msg *rep, int idle_ms);
/*
 * Record ERROR reply m as the last failure and return SESS_ERROR (or
 * SESS_LOST for the errors after which the server closes: PROTOCOL,
 * TIMEOUT, SHUTTING_DOWN; the connection is then dropped).
 */
enum sess_rc	session_error(struct session *s, const struct tfs_msg *m);
/* Record a protocol failure ("unexpected FILE reply"), drop, SESS_PROTO. */
enum sess_rc	session_proto(struct session *s, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* Record a lost connection from errno, drop it, SESS_LOST. */
enum sess_rc	session_lost(struct session *s, int errnum);
/* Record Ctrl-C ("interrupted"), drop the connection, SESS_INTR. */
enum sess_rc	session_intr(struct session *s);
/*
 * Record an error the client found itself (cd to a file) in the words
 * the server would have used: err_code and "text (NAME)".  SESS_ERROR.
 */
enum sess_rc	session_fail(struct session *s, unsigned code);
/*
 * Print "tfs: WHAT: <s->errmsg>" unless rc is SESS_OK, and return the
 * exit status for rc (exitcode.h).
 */
int		session_report(struct session *s, enum sess_rc rc,
		    const char *what);

#endif /* CLIENT_SESSION_H */
