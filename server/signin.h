/*
 * signin.h -- the requests AUTH and STEP of one connection: the SCRAM
 * exchange of auth.c turned into replies, and a WELCOME turned into the
 * connection's user, rights and root (the user's home).
 */

#ifndef SERVER_SIGNIN_H
#define SERVER_SIGNIN_H

#include <sys/socket.h>

#include <limits.h>
#include <stdint.h>

#include "auth.h"
#include "proto.h"
#include "users.h"

struct ops_req;

/* One connection's sign-in state. */
struct signin {
	const struct users	*users;		/* NULL: no sign-in */
	const uint8_t		*secret;	/* AUTH_SECRET_LEN bytes */
	struct auth		*auth;		/* made by the first AUTH */
	int			 home_fd;	/* the user's root, or -1 */
	char			 user[USERS_NAME_MAX + 1];
	char			 home[PATH_MAX];	/* its path */
};

/* Before the first request: anonymous, nothing allocated. */
void	signin_init(struct signin *si, const struct users *users,
	    const uint8_t *secret);
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
