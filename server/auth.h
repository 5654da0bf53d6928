/*
 * auth.h -- the server's side of one connection's sign-in: SASL
 * SCRAM-SHA-256 (RFC 5802, RFC 7677, GS2 header "n,,") through GNU SASL,
 * against a users table (users.h).  Turns the payloads of AUTH and STEP
 * into what to answer.  Never reads or writes a socket, never sleeps,
 * never logs: the request loop does all three.
 *
 * The request loop, per connection:
 *
 *	a = auth_new(users, secret)	the table and the master's secret
 *	AUTH mech msg  -> auth_start()	CHALLENGE, or an ERROR (below)
 *	STEP msg       -> auth_step()	WELCOME, or ERROR AUTH_FAILED
 *	any other frame while auth_pending(a): ERROR PROTOCOL, close
 *	auth_free(a)			at the end of the connection
 *
 * The answer for each enum auth_rc is written next to it.  After
 * AUTH_WELCOME the connection has the user's rights, and the home in
 * the reply is its root; after anything else it is still anonymous
 * (or still the user it was).  Throttling addresses that fail often is
 * the loop's, and never a sleep: answer AUTH_FAILED at once.  Timeouts
 * are the ordinary ones of a request.
 *
 * A name no user has gets a CHALLENGE like any other, with a salt made
 * from the name and the server secret (HMAC-SHA-256, the same on every
 * attempt and in every worker) and keys made the same way, so the proof
 * fails as a wrong password does, after the same work.
 */

#ifndef SERVER_AUTH_H
#define SERVER_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "users.h"

#define AUTH_MECH	"SCRAM-SHA-256"
#define AUTH_SECRET_LEN	32		/* bytes of the server secret */
#define AUTH_MSG_MAX	4096		/* bytes of a client message */

enum auth_rc {
	AUTH_CHALLENGE,		/* CHALLENGE reply.msg */
	AUTH_WELCOME,		/* WELCOME reply.user reply.rights reply.msg */
	AUTH_FAILED,		/* ERROR AUTH_FAILED; the exchange is over */
	AUTH_UNSUPPORTED,	/* ERROR UNSUPPORTED: another mechanism, or
				   a server without users */
	AUTH_DENIED,		/* ERROR DENIED: AUTH after a sign-in */
	AUTH_PROTOCOL,		/* ERROR PROTOCOL: STEP without an exchange,
				   AUTH during one; then close */
};

/* What to send; valid until the next call on the same struct auth. */
struct auth_reply {
	const char	*msg;		/* CHALLENGE's or WELCOME's message */
	size_t		 len;
	const char	*user;		/* WELCOME: who signed in, */
	uint8_t		 rights;	/* with TFS_RIGHT_* */
	const char	*home;		/* and this root ("" = the root) */
};

struct auth;

/* Fill the server secret; the master calls it once, before forking. */
void		 auth_secret_make(uint8_t secret[AUTH_SECRET_LEN]);
/*
 * A sign-in state for one connection.  users (NULL or empty: sign-in
 * is unsupported) must outlive it; the secret is copied.  NULL when
 * memory or GNU SASL fails.
 */
struct auth	*auth_new(const struct users *users,
		    const uint8_t secret[AUTH_SECRET_LEN]);
void		 auth_free(struct auth *);
/* AUTH: mech and the client-first-message, as they came (any bytes). */
enum auth_rc	 auth_start(struct auth *, const char *mech, size_t mechlen,
		    const char *msg, size_t len, struct auth_reply *);
/* STEP: the client-final-message. */
enum auth_rc	 auth_step(struct auth *, const char *msg, size_t len,
		    struct auth_reply *);
/* 1 between a CHALLENGE and the STEP that answers it. */
int		 auth_pending(const struct auth *);
/*
 * For the log line of the last call: the name tried ("" if none; a
 * name a user may have, but peer bytes still: escape them) ...
 */
const char	*auth_name(const struct auth *);
/* ... and why it failed (the client is never told), or NULL. */
const char	*auth_why(const struct auth *);

#endif /* SERVER_AUTH_H */
