/*
 * dir.c -- the requests that change the entries of folders: DELETE,
 * RENAME, MKDIR, and UTIME (an entry's modification time).
 *
 * DELETE, RENAME and MKDIR work in the folder holding the last
 * component (resolve_parent) and on that name itself: a symbolic link
 * is removed or moved, never what it leads to.  UTIME, like STAT,
 * follows links that stay inside the root.  Never reads or writes a
 * file's bytes.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ops.h"
#include "partial.h"
#include "proto.h"
#include "resolve.h"
#include "space.h"

static int	dir_rmdir(int, const char *, struct space *);
static int	dir_move(int, const char *, int, const char *);
static int	dir_open_entry(const struct root *, const char *);

/*
 * Remove the empty folder name of dfd.  Partials and other reserved
 * files never block it: a folder LIST shows empty is empty (the
 * partials removed leave the total of those kept).  0 or -1.
 */
static int
dir_rmdir(int dfd, const char *name, struct space *sp)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 fd, busy = 0;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1) {
		return -1;
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    !partial_reserved(de->d_name)) {
			busy = 1;
			break;
		}
	}
	if (!busy) {
		rewinddir(d);
		while ((de = readdir(d)) != NULL) {
			if (!partial_reserved(de->d_name) ||
			    fstatat(dirfd(d), de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) == -1) {
				continue;
			}
			if (unlinkat(dirfd(d), de->d_name, 0) == 0 &&
			    S_ISREG(st.st_mode)) {
				space_kept_take(sp, (uint64_t)st.st_size);
			}
		}
	}
	closedir(d);
	if (busy) {
		errno = ENOTEMPTY;
		return -1;
	}
	return unlinkat(dfd, name, AT_REMOVEDIR);
}

/* DELETE: a file, a symbolic link, or an empty folder. */
void
dir_delete(struct ops_req *r, const struct tfs_msg *m)
{
	struct stat	 st;
	const char	*name;
	int		 dfd, rc;

	(void)m;
	if ((dfd = resolve_parent(&r->ctx->root, r->path, &name)) == -1) {
		ops_fail_errno(r, errno, NULL);
		return;
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		ops_fail_errno(r, errno, NULL);
		goto out_dir;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = dir_rmdir(dfd, name, r->ctx->space);
	} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
		rc = unlinkat(dfd, name, 0);
	} else {
		errno = RESOLVE_ESPECIAL;
		rc = -1;
	}
	if (rc == -1) {
		ops_fail_errno(r, errno, NULL);
	} else {
		ops_ok(r);
	}
out_dir:
	close(dfd);
}

/*
 * Move sname of sfd to tname of tfd, never replacing (EEXIST).  0, or
 * -1 with errno; EINVAL is a folder moved inside itself.
 */
static int
dir_move(int sfd, const char *sname, int tfd, const char *tname)
{
	struct stat	 st;
	int		 rc;

	rc = renameat2(sfd, sname, tfd, tname, RENAME_NOREPLACE);
	if (rc == -1 && errno == EINVAL) {
		/* a folder into itself, or no RENAME_NOREPLACE here */
		if (fstatat(tfd, tname, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			errno = EEXIST;
		} else if (errno == ENOENT) {
			rc = renameat(sfd, sname, tfd, tname);
		}
	}
	return rc;
}

/*
 * RENAME: never replaces (RENAME_NOREPLACE), so EXISTS even when to is
 * from itself.  A folder moved inside itself is BAD_PATH: the target
 * path cannot be.
 */
void
dir_rename(struct ops_req *r, const struct tfs_msg *m)
{
	struct stat	 st;
	const char	*sname, *tname;
	int		 sfd, tfd;

	(void)m;
	if ((sfd = resolve_parent(&r->ctx->root, r->path, &sname)) == -1) {
		ops_fail_errno(r, errno, NULL);
		return;
	}
	if ((tfd = resolve_parent(&r->ctx->root, r->to, &tname)) == -1) {
		ops_fail_errno(r, errno, NULL);
		goto out_src;
	}
	if (fstatat(sfd, sname, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		ops_fail_errno(r, errno, NULL);
		goto out_dst;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) &&
	    !S_ISLNK(st.st_mode)) {
		ops_fail_errno(r, RESOLVE_ESPECIAL, NULL);
		goto out_dst;
	}
	if (dir_move(sfd, sname, tfd, tname) == 0) {
		ops_ok(r);
	} else if (errno == EINVAL) {
		ops_fail(r, TFS_EBAD_PATH, "a folder cannot move inside "
		    "itself");
	} else {
		ops_fail_errno(r, errno, NULL);
	}
out_dst:
	close(tfd);
out_src:
	close(sfd);
}

/* MKDIR: the parent must exist. */
void
dir_mkdir(struct ops_req *r, const struct tfs_msg *m)
{
	const char	*name;
	int		 dfd;

	(void)m;
	if ((dfd = resolve_parent(&r->ctx->root, r->path, &name)) == -1) {
		ops_fail_errno(r, errno, "parent");
		return;
	}
	if (mkdirat(dfd, name, 0777) == -1) {
		ops_fail_errno(r, errno, NULL);
	} else {
		ops_ok(r);
	}
	close(dfd);
}

/*
 * Open what path leads to, a regular file or a folder, for reading:
 * special files are refused (RESOLVE_ESPECIAL) without being opened.
 * The descriptor, or -1 with errno.
 */
static int
dir_open_entry(const struct root *root, const char *path)
{
	struct stat	 st;
	int		 fd;

	if ((fd = resolve_node(root, path, &st)) == -1) {
		return -1;
	}
	close(fd);
	if (S_ISDIR(st.st_mode)) {
		return resolve_dir(root, path);
	}
	if (S_ISREG(st.st_mode)) {
		return resolve_file(root, path, &st);
	}
	errno = RESOLVE_ESPECIAL;
	return -1;
}

/*
 * UTIME: the modification time of a file or folder, the access time
 * left alone.  Set through a descriptor of what the path led to, so
 * that a name swapped meanwhile changes nothing outside the root.
 */
void
dir_utime(struct ops_req *r, const struct tfs_msg *m)
{
	struct timespec	 ts[2];
	int		 fd;

	if ((fd = dir_open_entry(&r->ctx->root, r->path)) == -1) {
		ops_fail_errno(r, errno, NULL);
		return;
	}
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = (time_t)m->mtime;
	ts[1].tv_nsec = 0;
	if (futimens(fd, ts) == -1) {
		ops_fail_errno(r, errno, NULL);
	} else {
		ops_ok(r);
	}
	close(fd);
}
