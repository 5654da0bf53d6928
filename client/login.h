/*
 * login.h -- the client's side of a sign-in: SASL SCRAM-SHA-256 (RFC
 * 5802, RFC 7677, GS2 header "n,,") through GNU SASL, checking the
 * server's signature; and where the password comes from.  Never reads
 * or writes a socket and never prints a password.
 *
 * The client session, after HELLO (and after every reconnect):
 *
 *	l = login_new(user, password)
 *	login_first(l)           -> send AUTH LOGIN_MECH msg
 *	CHALLENGE msg            -> login_challenge(l) -> send STEP msg
 *	WELCOME user rights msg  -> login_final(l): LOGIN_OK, signed in
 *	ERROR AUTH_FAILED        -> wrong user or password (exit 4)
 *	login_free(l)
 *
 * Any rc but LOGIN_OK ends the sign-in: LOGIN_EFORGED and LOGIN_EPROTO
 * from login_final mean the server does not know the password (or is
 * broken): close the connection, never go on as anonymous.
 */

#ifndef CLIENT_LOGIN_H
#define CLIENT_LOGIN_H

#include <stddef.h>

#define LOGIN_MECH		"SCRAM-SHA-256"
/*
 * PBKDF2 rounds a server may ask for: fewer make a stolen exchange
 * cheap to guess from, more make the client spin.  The bounds of the
 * server's users file (users.h USERS_ITER_MIN, USERS_ITER_MAX).
 */
#define LOGIN_ITER_MIN		4096
#define LOGIN_ITER_MAX		1000000
#define LOGIN_USER_MAX		255	/* bytes in a user name */
#define LOGIN_PASSWORD_MAX	1023	/* bytes in a password */

enum login_rc {
	LOGIN_OK = 0,
	LOGIN_ERROR,		/* here: memory, SASLprep, call order */
	LOGIN_EPROTO,		/* the server's message is malformed or not
				   for this exchange (its nonce) */
	LOGIN_EITER,		/* the server asks for too few or many
				   rounds */
	LOGIN_EFORGED,		/* the server's signature is wrong */
};

struct login;

/*
 * A sign-in as user with password (copied; wiped once the proof is
 * made, and at the latest by login_free).  NULL when memory or GNU
 * SASL fails, or the name or password is empty or too long.
 */
struct login	*login_new(const char *user, const char *password);
void		 login_free(struct login *);
/* The client-first-message for AUTH; valid until the next call. */
enum login_rc	 login_first(struct login *, const char **msg, size_t *len);
/* CHALLENGE's server-first-message -> the client-final-message. */
enum login_rc	 login_challenge(struct login *, const char *in,
		    size_t inlen, const char **msg, size_t *len);
/* WELCOME's server-final-message: LOGIN_OK only if it proves the server. */
enum login_rc	 login_final(struct login *, const char *in, size_t inlen);
const char	*login_strerror(enum login_rc);

/* Where the password comes from, first to last. */
struct login_source {
	const char	*password_file;	/* --password-file: its first line */
					/* then $TFS_PASSWORD */
	const char	*netrc;		/* then this file (NULL: ~/.netrc) */
	int		 prompt;	/* then, if 1, the terminal, no echo */
};

/*
 * The password of user at host (as typed, no port) into pw.  0, or -1
 * with one line in err: no source had one, a refused .netrc, an empty
 * password.  pw is wiped on failure; the caller wipes it after use.
 */
int		 login_password(const struct login_source *, const char *host,
		    const char *user, char *pw, size_t pwsz, char *err,
		    size_t errsz);
/*
 * With no user given: the login of the "machine" entry for host in the
 * .netrc at path (NULL: ~/.netrc).  1 with user filled, 0 none (stay
 * anonymous), -1 with err (a refused .netrc).
 */
int		 login_netrc_user(const char *path, const char *host,
		    char *user, size_t usersz, char *err, size_t errsz);

#endif /* CLIENT_LOGIN_H */
