/*
 * resolve.c -- find a client's path beneath a root: the served folder,
 * or any other given as a struct root (never read from the settings).
 *
 * Every lookup is one openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
 * from the root's descriptor: "..", absolute links and links whose
 * target leaves the root fail in the kernel, atomically with the walk,
 * so a folder swapped for a symbolic link mid-request cannot lead out
 * either.  Links that stay inside are followed; an absolute link naming
 * a place inside the root (which openat2 refuses) is translated into a
 * relative path first, and that is opened with openat2 again.  Callers
 * then work relative to the descriptors returned here, never by name
 * from the root again.
 *
 * A link leading out of the root answers DENIED (EXDEV), as a web
 * server answers 403 for a link it will not follow: the name is there,
 * the server refuses to go where it points.  It is not BAD_PATH, which
 * PROTOCOL.md reserves for lexical rules checked before touching the
 * file system, and not NOT_FOUND, which would send a user hunting for a
 * typo.
 *
 * Where openat2 is missing (kernels before 5.6, valgrind) a walk of one
 * O_NOFOLLOW openat() per component stands in for it, with the same
 * link translation; resolve_select() picks it on purpose.
 *
 * Special files are only ever opened O_PATH, which never calls a
 * driver's open, so a fifo or device can neither block a worker nor be
 * poked by it.  Never sends anything to the peer.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/openat2.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "path.h"
#include "proto.h"
#include "resolve.h"
#include "xio.h"

/* openat2 gives EAGAIN when a rename races a ".." walk: try again. */
#define RESOLVE_TRIES	8
/* Links followed in one path at most, as the kernel's 40. */
#define RESOLVE_MAXLINKS	40
/* A path being rewritten, with room for the link targets spliced in. */
#define RESOLVE_BUF	(2 * (PATH_MAX_LEN + 1))

static int	resolve_beneath(int, const char *, int, mode_t);
static int	resolve_walk(int, const char *, int, mode_t);
static int	resolve_pop(char *, char *, size_t);
static int	resolve_prepend(char *, size_t, const char *);
static int	resolve_append(char *, size_t, const char *);
static int	resolve_up(char *);
static ssize_t	resolve_link(int, const char *, const char *, int, char *,
		    size_t);
static int	resolve_splice(const struct root *, char *, size_t, char *,
		    const char *);
static int	resolve_expand(const struct root *, const char *, char *,
		    size_t);
static int	resolve_openat(const struct root *, const char *, int,
		    mode_t);
static int	resolve_still(int, const struct stat *, struct stat *);
static int	resolve_file_fast(const struct root *, const char *,
		    struct stat *);

/* How paths are walked; openat2 found missing turns this to the walk. */
static enum resolve_by	 resolve_by = RESOLVE_BY_OPENAT2;

void
resolve_select(enum resolve_by how)
{
	resolve_by = how;
}

/*
 * One openat2() beneath dirfd, again while a rename races it.  Without
 * openat2 (a kernel before 5.6, or valgrind) the walk below stands in.
 */
static int
resolve_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how	 how;
	long		 fd = -1;
	int		 i;

	if (resolve_by == RESOLVE_BY_WALK) {
		return resolve_walk(dirfd, path, flags, mode);
	}
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	/* openat2 rejects a mode without O_CREAT */
	how.mode = (flags & O_CREAT) ? mode : 0;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	for (i = 0; i < RESOLVE_TRIES; i++) {
		fd = syscall(SYS_openat2, dirfd, *path != '\0' ? path : ".",
		    &how, sizeof(how));
		if (fd != -1 || errno != EAGAIN) {
			break;
		}
	}
	if (fd == -1 && errno == ENOSYS) {
		resolve_by = RESOLVE_BY_WALK;
		return resolve_walk(dirfd, path, flags, mode);
	}
	return (int)fd;
}

/*
 * The stand-in for openat2: one component at a time, each opened
 * O_NOFOLLOW beneath the last, so no link is ever followed (ELOOP when
 * one is met: resolve_expand() then rewrites the path) and ".." is
 * refused (EXDEV).  Unlike openat2 it cannot see a folder moved out of
 * the root by someone else while it walks through it.
 */
static int
resolve_walk(int dirfd, const char *path, int flags, mode_t mode)
{
	char		 rest[RESOLVE_BUF], comp[NAME_MAX + 1];
	struct stat	 st;
	int		 cur, next, saved;

	if (strlcpy(rest, path, sizeof(rest)) >= sizeof(rest)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (rest[0] == '\0') {
		return openat(dirfd, ".", flags | O_CLOEXEC, mode);
	}
	if ((cur = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		return -1;
	}
	for (;;) {
		if (resolve_pop(rest, comp, sizeof(comp)) == -1) {
			goto out_close;
		}
		if (comp[0] == '\0' || strcmp(comp, ".") == 0) {
			continue;
		}
		if (strcmp(comp, "..") == 0) {
			errno = EXDEV;
			goto out_close;
		}
		if (rest[0] == '\0') {
			next = openat(cur, comp,
			    flags | O_NOFOLLOW | O_CLOEXEC, mode);
		} else {
			next = openat(cur, comp, O_PATH | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		}
		if (next == -1) {
			/* a link where a folder was wanted: ELOOP, as above */
			saved = errno;
			if (fstatat(cur, comp, &st,
			    AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
				saved = ELOOP;
			}
			errno = saved;
			goto out_close;
		}
		close(cur);
		cur = next;
		if (rest[0] == '\0') {
			break;
		}
	}
	/* O_PATH|O_NOFOLLOW opens a link itself: not what was asked */
	if ((flags & O_PATH) && fstat(cur, &st) == 0 && S_ISLNK(st.st_mode)) {
		errno = ELOOP;
		goto out_close;
	}
	return cur;
out_close:
	return xio_close_failed(cur);
}

/*
 * Take the first component of rest (a '/'-separated list) into comp
 * and drop it from rest.  0, or -1 (ENAMETOOLONG).
 */
static int
resolve_pop(char *rest, char *comp, size_t compsz)
{
	char	*slash;
	size_t	 n;

	slash = strchr(rest, '/');
	n = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
	if (n >= compsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(comp, rest, n);
	comp[n] = '\0';
	if (slash != NULL) {
		memmove(rest, slash + 1, strlen(slash + 1) + 1);
	} else {
		rest[0] = '\0';
	}
	return 0;
}

/* rest = head "/" rest.  0, or -1 (ENAMETOOLONG). */
static int
resolve_prepend(char *rest, size_t restsz, const char *head)
{
	char	 tmp[RESOLVE_BUF];
	int	 n;

	n = snprintf(tmp, sizeof(tmp), "%s%s%s", head,
	    *head != '\0' && *rest != '\0' ? "/" : "", rest);
	if (n < 0 || (size_t)n >= sizeof(tmp) || (size_t)n >= restsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(rest, tmp, (size_t)n + 1);
	return 0;
}

/* out = out "/" comp ("" gives comp).  0, or -1 (ENAMETOOLONG). */
static int
resolve_append(char *out, size_t outsz, const char *comp)
{
	size_t	 n = strlen(out);

	if (snprintf(out + n, outsz - n, "%s%s", n ? "/" : "", comp) >=
	    (int)(outsz - n)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Drop out's last component for a "..".  0, or -1 (EXDEV: the root). */
static int
resolve_up(char *out)
{
	char	*slash;

	if (out[0] == '\0') {
		errno = EXDEV;
		return -1;
	}
	slash = strrchr(out, '/');
	*(slash != NULL ? slash : out) = '\0';
	return 0;
}

/*
 * What comp is in the folder dir (a path without links) beneath
 * root_fd: a link (its target goes in target; returns its length), or
 * a plain name (0), missing names included when nothing follows
 * (openat2 will tell).  When more follows (more) it must be a folder,
 * as in the kernel's walk, else a later ".." would undo a name that is
 * missing or a file ("nothere/../a" is not "a"): -1 with errno then.
 */
static ssize_t
resolve_link(int root_fd, const char *dir, const char *comp, int more,
    char *target, size_t targetsz)
{
	struct stat	 st;
	ssize_t		 len = -1;
	int		 dfd, found, serr;

	dfd = resolve_beneath(root_fd, dir, O_PATH | O_DIRECTORY, 0);
	if (dfd == -1) {
		return -1;
	}
	found = fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0;
	serr = errno;
	if (found && S_ISLNK(st.st_mode)) {
		/* EINVAL: no longer a link, replaced meanwhile */
		len = readlinkat(dfd, comp, target, targetsz - 1);
	}
	close(dfd);
	if (len > 0) {
		target[len] = '\0';
		return len;
	}
	if (more && !found) {
		errno = serr;
		return -1;
	}
	if (more && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/*
 * Put link target in front of what is left of the path (rest), as the
 * kernel does: an absolute target under root->path restarts from the
 * root (out emptied), a relative one goes on from out.  An absolute
 * target anywhere else fails EXDEV.  0 or -1 with errno.
 */
static int
resolve_splice(const struct root *root, char *rest, size_t restsz,
    char *out, const char *target)
{
	size_t	 rootlen = strlen(root->path);

	if (target[0] != '/') {
		return resolve_prepend(rest, restsz, target);
	}
	/* the root "/" holds every absolute target */
	if (rootlen == 1) {
		rootlen = 0;
	}
	if (strncmp(target, root->path, rootlen) != 0 ||
	    (target[rootlen] != '/' && target[rootlen] != '\0')) {
		errno = EXDEV;
		return -1;
	}
	out[0] = '\0';
	return resolve_prepend(rest, restsz, target + rootlen);
}

/*
 * openat2 refuses every absolute link, even one naming a place inside
 * the root (ln -s /srv/lib/a /srv/lib/b is common), and PROTOCOL.md
 * says links that stay inside are followed.  So rewrite path into one
 * without links: an absolute target under the root's path restarts the
 * walk from the root, a relative one is spliced in, ".." above the root
 * or a target anywhere else fails EXDEV.  This only translates: the
 * caller opens the result with openat2 again, which still refuses
 * anything leading out, a race included.  0 or -1 with errno.
 */
static int
resolve_expand(const struct root *root, const char *path, char *out,
    size_t outsz)
{
	char		 rest[RESOLVE_BUF], comp[NAME_MAX + 1];
	char		 target[RESOLVE_BUF];
	ssize_t		 len;
	int		 links = 0;

	if (strlcpy(rest, path, sizeof(rest)) >= sizeof(rest)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	out[0] = '\0';
	while (rest[0] != '\0') {
		if (resolve_pop(rest, comp, sizeof(comp)) == -1) {
			return -1;
		}
		if (comp[0] == '\0' || strcmp(comp, ".") == 0) {
			continue;
		}
		if (strcmp(comp, "..") == 0) {
			if (resolve_up(out) == -1) {
				return -1;
			}
			continue;
		}
		len = resolve_link(root->fd, out, comp, rest[0] != '\0',
		    target, sizeof(target));
		if (len == -1) {
			return -1;
		}
		if (len == 0) {
			if (resolve_append(out, outsz, comp) == -1) {
				return -1;
			}
			continue;
		}
		if (++links > RESOLVE_MAXLINKS) {
			errno = ELOOP;
			return -1;
		}
		if (resolve_splice(root, rest, sizeof(rest), out, target) ==
		    -1) {
			return -1;
		}
	}
	return 0;
}

/*
 * Open path beneath root with RESOLVE_BENEATH and RESOLVE_NO_MAGICLINKS
 * ("" is the root itself), absolute links into the root followed too.
 * flags get O_CLOEXEC.  Returns the fd, or -1 with errno (EXDEV: the
 * walk would leave the root).
 */
static int
resolve_openat(const struct root *root, const char *path, int flags,
    mode_t mode)
{
	char	 plain[RESOLVE_BUF];
	int	 fd;

	fd = resolve_beneath(root->fd, path, flags, mode);
	if (fd == -1 && (errno == EXDEV || errno == ELOOP)) {
		/* perhaps a link openat2 (or the walk) will not take */
		if (resolve_expand(root, path, plain, sizeof(plain)) == -1) {
			return -1;
		}
		fd = resolve_beneath(root->fd, plain, flags, mode);
	}
	return fd;
}

int
resolve_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int
resolve_node(const struct root *root, const char *path, struct stat *st)
{
	int	 fd, saved;

	if ((fd = resolve_openat(root, path, O_PATH, 0)) == -1) {
		return -1;
	}
	if (fstat(fd, st) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * fd, with its stat in *st, when it is still the regular file pst saw;
 * else -1, fd closed.
 */
static int
resolve_still(int fd, const struct stat *pst, struct stat *st)
{
	if (fstat(fd, st) == 0 && S_ISREG(st->st_mode) &&
	    resolve_same(st, pst)) {
		return fd;
	}
	close(fd);
	return -1;
}

/*
 * The common case in three calls: stat the path from the root, and
 * only if that is a regular file open it for reading with openat2
 * beneath the root, without the link translation of resolve_openat.
 * Both walks start at root->fd and follow the same relative links, so
 * when openat2 succeeds it found the inode fstatat saw (".." above the
 * root and absolute links, where the two could differ, fail openat2).
 * What fstatat saw outside the root is never shown: anything but a
 * regular file, or any failure, goes the careful way below, which
 * gives the answer.  A swap in between is caught as it is there.
 * Returns the descriptor, or -1 to go the careful way.
 */
static int
resolve_file_fast(const struct root *root, const char *path,
    struct stat *st)
{
	struct stat	 pst;
	int		 fd;

	if (fstatat(root->fd, *path != '\0' ? path : ".", &pst,
	    AT_NO_AUTOMOUNT) == -1 || !S_ISREG(pst.st_mode)) {
		return -1;
	}
	fd = resolve_beneath(root->fd, path,
	    O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (fd == -1) {
		return -1;
	}
	return resolve_still(fd, &pst, st);
}

/*
 * Look first with O_PATH, then open for reading only what was a regular
 * file, and check the inode did not change in between (a file swapped
 * for a fifo is then opened O_NONBLOCK at worst, and refused).
 */
int
resolve_file(const struct root *root, const char *path, struct stat *st)
{
	struct stat	 pst;
	int		 pfd, fd, i;

	if ((fd = resolve_file_fast(root, path, st)) != -1) {
		return fd;
	}
	for (i = 0; i < RESOLVE_TRIES; i++) {
		if ((pfd = resolve_node(root, path, &pst)) == -1) {
			return -1;
		}
		close(pfd);
		if (S_ISDIR(pst.st_mode)) {
			errno = EISDIR;
			return -1;
		}
		if (!S_ISREG(pst.st_mode)) {
			errno = RESOLVE_ESPECIAL;
			return -1;
		}
		fd = resolve_openat(root, path,
		    O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
		if (fd == -1) {
			return -1;
		}
		if (resolve_still(fd, &pst, st) != -1) {
			return fd;
		}
	}
	errno = EAGAIN;
	return -1;
}

int
resolve_dir(const struct root *root, const char *path)
{
	struct stat	 st;
	int		 pfd, fd, saved;

	if ((pfd = resolve_node(root, path, &st)) == -1) {
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		close(pfd);
		errno = S_ISREG(st.st_mode) ? ENOTDIR : RESOLVE_ESPECIAL;
		return -1;
	}
	/* "." of the O_PATH descriptor: the very folder looked at */
	fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	saved = errno;
	close(pfd);
	errno = saved;
	return fd;
}

int
resolve_parent(const struct root *root, const char *path,
    const char **name)
{
	char		 dir[PATH_MAX_LEN + 1];
	const char	*slash;
	size_t		 n;
	int		 fd;

	if ((slash = strrchr(path, '/')) == NULL) {
		*name = path;
		dir[0] = '\0';
	} else {
		*name = slash + 1;
		n = (size_t)(slash - path);
		if (n >= sizeof(dir)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	fd = resolve_dir(root, dir);
	/* a path through a file or a special file: not a folder */
	if (fd == -1 && errno == RESOLVE_ESPECIAL) {
		errno = ENOTDIR;
	}
	return fd;
}

enum tfs_err
resolve_err(int errnum)
{
	switch (errnum) {
	case EXDEV:		/* a link leads out of the root */
	case ELOOP:		/* a magic link, or links going round */
		return TFS_EDENIED;
	case RESOLVE_ESPECIAL:
	case EISDIR:
		return TFS_ENOT_A_FILE;
	case EAGAIN:		/* the file kept changing under us */
		return TFS_EIO;
	default:
		return tfs_err_from_errno(errnum);
	}
}
