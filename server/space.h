/*
 * space.h -- room for uploads.  A PUT is answered NO_SPACE before READY
 * when its file would not fit in the free space of the root's file
 * system, when what unfinished uploads hold would pass --max-partial,
 * or when SPACE_PARTIALS_MAX uploads are unfinished already.  What they
 * hold is kept in shared memory, for all workers: each worker slot's
 * upload in progress, and the partials kept on disk for RESUME as a
 * total that uploads add to and take from and that the partial sweep
 * counts again.
 */

#ifndef SERVER_SPACE_H
#define SERVER_SPACE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Unfinished uploads at most, in progress and kept: each is a file in
 * the served tree, and a client with the write right could otherwise
 * leave a partial in every folder it may create.
 */
#define SPACE_PARTIALS_MAX	1024

struct space;

/* What a PUT is checked against. */
struct space_limit {
	uint64_t	 bytes;		/* --max-partial in bytes, or 0 */
	int		 pct;		/* or N% of the file system, -1 */
};

/*
 * Map the table for nslots worker slots (the master, before forking).
 * NULL with errno.
 */
struct space	*space_create(int nslots);
void		 space_destroy(struct space *sp);

/*
 * A PUT of a file of size bytes, of which the partial holds offset
 * already, from worker slot: reserve its room, or say why not in why
 * (a message for the client) and return -1 (ENOSPC; or errno of
 * fstatvfs on root_fd).  The reservation lasts until space_release().
 */
int		 space_reserve(struct space *sp, int slot, int root_fd,
		    uint64_t size, uint64_t offset,
		    const struct space_limit *lim, char *why, size_t whysz);
/* The slot's upload ended (the master too, when it reaps the worker). */
void		 space_release(struct space *sp, int slot);

/* An upload left its partial of bytes for RESUME. */
void		 space_kept_add(struct space *sp, uint64_t bytes);
/* A kept partial of bytes was resumed, emptied or removed. */
void		 space_kept_take(struct space *sp, uint64_t bytes);
/*
 * The first count of kept partials (the sweep's walk) is due: 1 for
 * the one caller that should walk now, 0 for all others.
 */
int		 space_count_due(struct space *sp);
/* A walk counted the kept partials: count of them, bytes in all. */
void		 space_kept_set(struct space *sp, uint64_t bytes,
		    uint64_t count);
/* What unfinished uploads hold now (tests, status): bytes and count. */
void		 space_held(struct space *sp, uint64_t *bytes,
		    uint64_t *count);

#endif /* SERVER_SPACE_H */
