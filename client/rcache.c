/*
 * rcache.c -- a few remote listings, each kept for RCACHE_MS.
 *
 * A listing that is stale or forgotten is listed again on the next
 * request; when every slot is taken, the oldest gives way.  Never
 * prints: a LIST that fails only means that there is nothing to offer.
 */

#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "rcache.h"
#include "xio.h"

static void	rcache_slot_free(struct rcache_dir *);
static struct rcache_dir *rcache_slot_take(struct rcache *);

static void
rcache_slot_free(struct rcache_dir *d)
{
	free(d->dir);
	remote_list_free(&d->list);
	memset(d, 0, sizeof(*d));
}

/* A free slot, or the oldest one emptied. */
static struct rcache_dir *
rcache_slot_take(struct rcache *c)
{
	struct rcache_dir	*d, *old = NULL;
	size_t			 i;

	for (i = 0; i < RCACHE_SLOTS; i++) {
		d = &c->slot[i];
		if (d->dir == NULL) {
			return d;
		}
		if (old == NULL || d->when < old->when) {
			old = d;
		}
	}
	rcache_slot_free(old);
	return old;
}

const struct rlist *
rcache_get(struct rcache *c, struct session *s, const char *dir)
{
	struct rcache_dir	*d;
	struct rlist		 l;
	int64_t			 now = xio_now_ms();
	size_t			 i;

	for (i = 0; i < RCACHE_SLOTS; i++) {
		d = &c->slot[i];
		if (d->dir != NULL && strcmp(d->dir, dir) == 0) {
			if (now - d->when < RCACHE_MS) {
				return &d->list;
			}
			rcache_slot_free(d);
		}
	}
	if (remote_list(s, dir, &l) != SESS_OK) {
		return NULL;
	}
	d = rcache_slot_take(c);
	if ((d->dir = strdup(dir)) == NULL) {
		remote_list_free(&l);
		return NULL;
	}
	d->list = l;
	d->when = now;
	return &d->list;
}

void
rcache_forget(struct rcache *c, const char *dir)
{
	size_t	 i;

	for (i = 0; i < RCACHE_SLOTS; i++) {
		if (c->slot[i].dir != NULL &&
		    strcmp(c->slot[i].dir, dir) == 0) {
			rcache_slot_free(&c->slot[i]);
		}
	}
}

void
rcache_forget_parent(struct rcache *c, const char *path)
{
	const char	*base = path_basename(path);
	char		 dir[SESSION_PATH_SZ];
	size_t		 n = (size_t)(base - path);

	if (n > 0) {
		n--;	/* the '/' */
	}
	if (n >= sizeof(dir)) {
		rcache_clear(c);
		return;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	rcache_forget(c, dir);
}

void
rcache_clear(struct rcache *c)
{
	size_t	 i;

	for (i = 0; i < RCACHE_SLOTS; i++) {
		if (c->slot[i].dir != NULL) {
			rcache_slot_free(&c->slot[i]);
		}
	}
}
