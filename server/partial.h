/*
 * partial.h -- unfinished uploads: the hidden file a PUT writes in the
 * target's folder before renaming it into place, its lock, the size it
 * was announced with, and the removal of old ones.
 */

#ifndef SERVER_PARTIAL_H
#define SERVER_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

/* 1 when name (a directory entry) is one of the server's own files. */
int	partial_reserved(const char *name);
/* What the kept partials of a tree hold (a sweep's count). */
struct partial_tally {
	uint64_t	 bytes;
	uint64_t	 count;
};

/*
 * Open, create if needed, and lock the partial of name (a component) in
 * folder dirfd for an upload of size bytes.  With resume, a kept partial
 * of the same announced size is continued: *offset is the bytes it
 * holds, and the returned descriptor is positioned there; otherwise it
 * is emptied and *offset is 0.  *had is what the partial held when
 * found (0 for a new one).  Returns the descriptor, or -1 with errno
 * (EBUSY: another upload of name holds the lock).  The lock lasts until
 * the descriptor is closed, or the process dies.
 */
int	partial_open(int dirfd, const char *name, uint64_t size, int resume,
	    uint64_t *offset, uint64_t *had);
/*
 * Move the finished partial fd into place as name: fsync first when
 * dosync, never replacing an existing name when noclobber (EEXIST).
 * 0 or -1 with errno; the partial stays (and stays locked) on failure.
 */
int	partial_commit(int dirfd, const char *name, int fd, int noclobber,
	    int dosync);
/* Remove the partial of name that fd holds locked. */
void	partial_discard(int dirfd, const char *name, int fd);
/*
 * 1 when the partial of name in dirfd is still fd's file (kept, not
 * renamed into place nor removed), with its size in *size; else 0.
 */
int	partial_kept(int dirfd, const char *name, int fd, uint64_t *size);
/*
 * Remove the entry name of dirfd if it is a partial left alone (no
 * upload holds it) for more than max_age seconds.  1 when removed, its
 * size in *size; else 0 or -1 (not a partial, one an upload holds, a
 * young one).
 */
int	partial_expire(int dirfd, const char *name, int max_age,
	    uint64_t *size);
/*
 * Every so often (a quarter of max_age, from 1 minute to 6 hours), or
 * at once when forced, and in one worker at a time, walk the whole tree
 * and expire old partials, counting those kept into *t.  A stamp file
 * in the root says when the last walk began.  1 when it walked (*t is
 * the count), else 0.
 */
int	partial_sweep(int root_fd, int max_age, int force,
	    struct partial_tally *t);

#endif /* SERVER_PARTIAL_H */
