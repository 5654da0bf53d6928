/*
 * signin.h -- the requests AUTH and STEP of one connection: the SCRAM
 * exchange of auth.c turned into replies, a WELCOME turned into the
 * connection's user, rights and root (the user's home), and failures
 * counted against the peer's address for all workers (addrtab.c).
 */

#ifndef SERVER_SIGNIN_H
#define SERVER_SIGNIN_H

#include <sys/socket.h>

#include <limits.h>
#include <stdint.h>

#include "auth.h"
#include "proto.h"
#include "serve.h"
#include "users.h"

struct ops_req;

/* One connection's sign-in state. */
struct signin {
	const struct users	*users;		/* NULL: no sign-in */
	const uint8_t		*secret;	/* AUTH_SECRET_LEN bytes */
	struct addrtab		*addrtab;	/* failures per address */
	const struct sockaddr_storage *addr;	/* the peer's, or NULL */
	const char		*peer;		/* its name, for the log */
	struct auth		*auth;		/* made by the first AUTH */
	int			 home_fd;	/* the user's root, or -1 */
	char			 user[USERS_NAME_MAX + 1];
	char			 home[PATH_MAX];	/* its path */
};

/*
 * Before the first request: anonymous, nothing allocated.  The users,
 * the secret and the address table are sh's; addr (NULL: unknown, no
 * failure counted) and peer must outlive si.
 */
void	signin_init(struct signin *si, const struct serve_shared *sh,
	    const struct sockaddr_storage *addr, const char *peer);
/* At the end of the connection: what the sign-in holds is released. */
void	signin_end(struct signin *si);
/*
 * 1 between a CHALLENGE and the STEP that answers it: any other frame
 * is then a protocol error.
 */
int	signin_pending(const struct signin *si);

/*
 * The handlers of the request table.  They set r->path to the name
 * tried (peer bytes: the log escapes them) and r->note to why a
 * sign-in failed, for the log line only: the client is told
 * AUTH_FAILED and nothing more.
 */
void	signin_auth(struct ops_req *r, const struct tfs_msg *m);
void	signin_step(struct ops_req *r, const struct tfs_msg *m);

#endif /* SERVER_SIGNIN_H */
