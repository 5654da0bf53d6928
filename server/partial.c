/*
 * partial.c -- unfinished uploads.
 *
 * A PUT of dir/name writes dir/.tfs-part-<name> (names too long for the
 * prefix become .tfs-long-<sha256 of name>), in the same folder so the
 * final renameat2() is atomic: a reader sees the old file or the new
 * one, never a mix.  The partial is locked with flock(), which the
 * kernel drops when the worker closes it or dies, so a crashed upload
 * never stays BUSY.  The announced size is kept in the partial's
 * user.tfs.size extended attribute; RESUME continues only a partial of
 * the same size.  On a file system without user xattrs nothing is
 * resumed (every PUT starts at 0), which is slow but never wrong.
 *
 * Partials unused for max_age seconds (mtime: the last byte written)
 * are removed when LIST reads their folder, and by a walk of the whole
 * tree that one worker at a time makes every max_age / 4, counting on
 * the way what the partials it keeps hold.  A partial whose lock is
 * held is never expired.
 *
 * Owns these files only: never talks to the peer, never touches a name
 * outside the reserved ".tfs-" space except by the final rename.
 */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "digest.h"
#include "log.h"
#include "partial.h"
#include "path.h"
#include "resolve.h"
#include "xio.h"

#define PARTIAL_PREFIX	PATH_RESERVED "part-"
#define PARTIAL_LONG	PATH_RESERVED "long-"
#define PARTIAL_XATTR	"user.tfs.size"
#define PARTIAL_STAMP	PATH_RESERVED "sweep"
#define PARTIAL_TRIES	8
/* The deepest folder the walk enters. */
#define PARTIAL_DEPTH	64
#define PARTIAL_NAMELEN	256

static int	partial_name(const char *, char *, size_t);
static int	partial_ours(const char *);
static int	partial_size(int, uint64_t *);
static int	partial_visit(int, const char *, int, int, uint64_t *);
static void	partial_walk(int, int, int, struct partial_tally *);

int
partial_reserved(const char *name)
{
	return strncmp(name, PATH_RESERVED, sizeof(PATH_RESERVED) - 1) == 0;
}

/* A partial (not some other reserved file such as the sweep stamp). */
static int
partial_ours(const char *name)
{
	return strncmp(name, PARTIAL_PREFIX, sizeof(PARTIAL_PREFIX) - 1) ==
	    0 || strncmp(name, PARTIAL_LONG, sizeof(PARTIAL_LONG) - 1) == 0;
}

/*
 * The partial's name for name.  A name that leaves no room for the
 * prefix is hashed; the second prefix keeps the two forms apart, so no
 * client-chosen name can land on another one's partial.  0 or -1.
 */
static int
partial_name(const char *name, char *out, size_t outsz)
{
	uint8_t		 md[DIGEST_SHA256_LEN];
	char		 hex[2 * DIGEST_SHA256_LEN + 1];
	unsigned int	 mdlen = 0;
	int		 n;

	n = snprintf(out, outsz, "%s%s", PARTIAL_PREFIX, name);
	if (n >= 0 && (size_t)n < outsz && n <= 255) {
		return 0;
	}
	if (EVP_Digest(name, strlen(name), md, &mdlen, EVP_sha256(), NULL) !=
	    1 || mdlen != sizeof(md)) {
		errno = EIO;
		return -1;
	}
	n = snprintf(out, outsz, "%s%s", PARTIAL_LONG,
	    digest_hex(md, sizeof(md), hex));
	if (n < 0 || (size_t)n >= outsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* The size the partial fd was announced with.  0, or -1 if unknown. */
static int
partial_size(int fd, uint64_t *size)
{
	char		 buf[32];
	const char	*errstr;
	ssize_t		 n;

	n = fgetxattr(fd, PARTIAL_XATTR, buf, sizeof(buf) - 1);
	if (n <= 0) {
		return -1;
	}
	buf[n] = '\0';
	*size = (uint64_t)strtonum(buf, 0, LLONG_MAX, &errstr);
	return errstr == NULL ? 0 : -1;
}

int
partial_open(int dirfd, const char *name, uint64_t size, int resume,
    uint64_t *offset, uint64_t *had)
{
	char		 pname[PARTIAL_NAMELEN], buf[32];
	struct stat	 st, nst;
	uint64_t	 was;
	int		 fd = -1, i, saved;

	*offset = 0;
	*had = 0;
	if (partial_name(name, pname, sizeof(pname)) == -1) {
		return -1;
	}
	/*
	 * Lock, then check the name still is the inode locked: the holder
	 * before us may have renamed it into place, or a sweep removed it.
	 */
	for (i = 0; i < PARTIAL_TRIES; i++) {
		fd = openat(dirfd, pname, O_RDWR | O_CREAT | O_NOFOLLOW |
		    O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
		if (fd == -1) {
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
			saved = errno;
			close(fd);
			errno = saved == EWOULDBLOCK ? EBUSY : saved;
			return -1;
		}
		if (fstat(fd, &st) == -1) {
			goto out_close;
		}
		if (!S_ISREG(st.st_mode)) {
			errno = EIO;
			goto out_close;
		}
		if (fstatat(dirfd, pname, &nst, AT_SYMLINK_NOFOLLOW) == 0 &&
		    resolve_same(&st, &nst)) {
			break;
		}
		close(fd);
		fd = -1;
	}
	if (fd == -1) {
		errno = EAGAIN;
		return -1;
	}
	*had = (uint64_t)st.st_size;
	if (resume && partial_size(fd, &was) == 0 && was == size &&
	    (uint64_t)st.st_size <= size) {
		*offset = (uint64_t)st.st_size;
	}
	if (*offset == 0) {
		/*
		 * Only a partial with bytes is emptied: on ext4 a truncate
		 * to 0 makes the last close start writeback of all that was
		 * written since (auto_da_alloc), 0.3 s for 1 GiB that the
		 * client waits for, even with --no-fsync.
		 */
		if (st.st_size != 0 && ftruncate(fd, 0) == -1) {
			goto out_close;
		}
		(void)snprintf(buf, sizeof(buf), "%" PRIu64, size);
		/* without xattrs the upload works, it just cannot resume */
		(void)fsetxattr(fd, PARTIAL_XATTR, buf, strlen(buf), 0);
	}
	if (lseek(fd, (off_t)*offset, SEEK_SET) == -1) {
		goto out_close;
	}
	return fd;
out_close:
	return xio_close_failed(fd);
}

int
partial_commit(int dirfd, const char *name, int fd, int noclobber,
    int dosync)
{
	char		 pname[PARTIAL_NAMELEN];
	struct stat	 st;
	int		 r;

	if (partial_name(name, pname, sizeof(pname)) == -1) {
		return -1;
	}
	if (dosync && fsync(fd) == -1) {
		return -1;
	}
	(void)fremovexattr(fd, PARTIAL_XATTR);
	/* a replaced file keeps its permissions */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode)) {
		(void)fchmod(fd, st.st_mode & 07777);
	}
	r = renameat2(dirfd, pname, dirfd, name,
	    noclobber ? RENAME_NOREPLACE : 0);
	if (r == -1 && noclobber && errno == EINVAL) {
		/* no RENAME_NOREPLACE here: link(2) refuses atomically too */
		if ((r = linkat(dirfd, pname, dirfd, name, 0)) == 0) {
			(void)unlinkat(dirfd, pname, 0);
		}
	}
	if (r == -1) {
		return -1;
	}
	/* the data is safe; the new name survives a crash once this ran */
	if (dosync && fsync(dirfd) == -1) {
		log_warn("fsync of the folder of %s", name);
	}
	return 0;
}

void
partial_discard(int dirfd, const char *name, int fd)
{
	char		 pname[PARTIAL_NAMELEN];
	struct stat	 st, nst;

	if (partial_name(name, pname, sizeof(pname)) == -1) {
		return;
	}
	if (fstat(fd, &st) == 0 &&
	    fstatat(dirfd, pname, &nst, AT_SYMLINK_NOFOLLOW) == 0 &&
	    resolve_same(&st, &nst)) {
		(void)unlinkat(dirfd, pname, 0);
	}
}

int
partial_kept(int dirfd, const char *name, int fd, uint64_t *size)
{
	char		 pname[PARTIAL_NAMELEN];
	struct stat	 st, nst;

	*size = 0;
	if (partial_name(name, pname, sizeof(pname)) == -1 ||
	    fstat(fd, &st) == -1 ||
	    fstatat(dirfd, pname, &nst, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !resolve_same(&st, &nst)) {
		return 0;
	}
	*size = (uint64_t)st.st_size;
	return 1;
}

int
partial_expire(int dirfd, const char *name, int max_age, uint64_t *size)
{
	return partial_visit(dirfd, name, max_age, 0, size);
}

/*
 * partial_expire(), which looks at a young partial no further.  With
 * count, every partial no upload holds is locked a moment to tell, and
 * its size given.
 */
static int
partial_visit(int dirfd, const char *name, int max_age, int count,
    uint64_t *size)
{
	struct stat	 st, nst;
	int		 fd, ret = -1;

	*size = 0;
	if (!partial_ours(name)) {
		return -1;
	}
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (!count && time(NULL) - st.st_mtime <= max_age)) {
		goto out_close;
	}
	/* an upload in progress holds the lock: leave it, and uncounted */
	if (flock(fd, LOCK_EX | LOCK_NB) == -1 || fstat(fd, &st) == -1) {
		goto out_close;
	}
	*size = (uint64_t)st.st_size;
	ret = 0;
	if (time(NULL) - st.st_mtime > max_age &&
	    fstatat(dirfd, name, &nst, AT_SYMLINK_NOFOLLOW) == 0 &&
	    resolve_same(&st, &nst) && unlinkat(dirfd, name, 0) == 0) {
		log_debug("removed an unfinished upload unused for %ld s",
		    (long)(time(NULL) - st.st_mtime));
		ret = 1;
	}
out_close:
	close(fd);
	return ret;
}

/*
 * Expire the partials of folder dirfd and of the folders below it,
 * without following symbolic links (they may lead anywhere); count
 * those kept into *t.
 */
static void
partial_walk(int dirfd, int max_age, int depth, struct partial_tally *t)
{
	struct dirent	*de;
	struct stat	 st;
	uint64_t	 size;
	DIR		*d;
	int		 fd, sub;

	if ((fd = dup(dirfd)) == -1) {
		return;
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0) {
			continue;
		}
		if (partial_reserved(de->d_name)) {
			if (partial_visit(dirfd, de->d_name, max_age, 1,
			    &size) == 0) {
				t->bytes += size;
				t->count++;
			}
			continue;
		}
		if (depth >= PARTIAL_DEPTH) {
			continue;
		}
		if (de->d_type == DT_UNKNOWN) {
			if (fstatat(dirfd, de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) == -1 ||
			    !S_ISDIR(st.st_mode)) {
				continue;
			}
		} else if (de->d_type != DT_DIR) {
			continue;
		}
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (sub != -1) {
			partial_walk(sub, max_age, depth + 1, t);
			close(sub);
		}
	}
	closedir(d);
}

int
partial_sweep(int root_fd, int max_age, int force, struct partial_tally *t)
{
	struct stat	 st;
	time_t		 every;
	int		 fd, dfd, walked = 0;

	memset(t, 0, sizeof(*t));
	every = max_age / 4;
	if (every < 60) {
		every = 60;
	} else if (every > 6 * 3600) {
		every = 6 * 3600;
	}
	fd = openat(root_fd, PARTIAL_STAMP, O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
	if (fd == -1) {
		return 0;
	}
	/* another worker is walking now */
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		goto out_close;
	}
	/* a new stamp has the time of its creation: walk at once then */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || (!force &&
	    st.st_size > 0 && time(NULL) - st.st_mtime < every)) {
		goto out_close;
	}
	/* stamp first, so a walk that dies is not retried in a loop */
	if (ftruncate(fd, 0) == -1 || write(fd, "x", 1) != 1) {
		goto out_close;
	}
	/* root_fd is O_PATH: readdir needs the folder open for reading */
	if ((dfd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1) {
		partial_walk(dfd, max_age, 0, t);
		close(dfd);
		walked = 1;
	}
out_close:
	close(fd);
	return walked;
}
