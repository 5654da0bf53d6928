/*
 * rcache.h -- remote listings kept for a short while, so that pressing
 * Tab twice does not cost two LISTs.  Completion reads them; the
 * commands that change a folder forget its listing.  Neither side knows
 * the other: both only know this cache.
 */

#ifndef CLIENT_RCACHE_H
#define CLIENT_RCACHE_H

#include <stdint.h>

#include "remote.h"
#include "session.h"

#define RCACHE_SLOTS	16		/* folders remembered */
#define RCACHE_MS	60000		/* then listed again */

struct rcache_dir {
	char		*dir;		/* wire form; NULL: a free slot */
	struct rlist	 list;
	int64_t		 when;		/* ms: listed */
};

struct rcache {
	struct rcache_dir	 slot[RCACHE_SLOTS];
};

/*
 * The listing of remote folder dir (wire form): remembered, or listed
 * now over s.  NULL when it cannot be had; the session's failure is left
 * for the next command to meet.
 */
const struct rlist *rcache_get(struct rcache *c, struct session *s,
		    const char *dir);
/* Forget the listing of folder dir. */
void	rcache_forget(struct rcache *c, const char *dir);
/* Forget the listing of the folder that holds path. */
void	rcache_forget_parent(struct rcache *c, const char *path);
/* Forget everything (and free it). */
void	rcache_clear(struct rcache *c);

#endif /* CLIENT_RCACHE_H */
