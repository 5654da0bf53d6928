/*
 * resolve.h -- find a client's path beneath a root (the served folder,
 * or later a user's home), in the kernel (openat2 RESOLVE_BENEATH), so
 * no "..", symbolic link or race leads out of it.  Paths given here
 * have passed path_check() already.
 */

#ifndef SERVER_RESOLVE_H
#define SERVER_RESOLVE_H

#include <sys/stat.h>

#include "proto.h"

/*
 * errno of a special file (fifo, socket, device) met where a regular
 * file or a folder was needed; resolve_err() makes it NOT_A_FILE.
 */
#define RESOLVE_ESPECIAL	ENXIO

/* A folder that paths resolve beneath. */
struct root {
	int		 fd;	/* O_PATH|O_DIRECTORY of the folder */
	/*
	 * Its absolute path with no link in it (realpath): an absolute
	 * link naming a place under it is followed, any other is not.
	 */
	const char	*path;
};

/* How paths are walked. */
enum resolve_by {
	/* openat2(); the walk below once the kernel says it has none */
	RESOLVE_BY_OPENAT2,
	/* one O_NOFOLLOW openat() per component (old kernels, valgrind) */
	RESOLVE_BY_WALK,
};

/*
 * Walk paths by how from now on (the unit tests run every case both
 * ways).  The server never calls it: RESOLVE_BY_OPENAT2 is the start.
 */
void		 resolve_select(enum resolve_by how);
/* O_PATH fd of path with its stat (links inside the root followed). */
int		 resolve_node(const struct root *root, const char *path,
		    struct stat *st);
/*
 * Open the regular file path for reading; *st is its stat.  A folder
 * fails with EISDIR, a special file with RESOLVE_ESPECIAL, and neither
 * is ever opened for reading.
 */
int		 resolve_file(const struct root *root, const char *path,
		    struct stat *st);
/*
 * Open the folder path for reading (O_RDONLY|O_DIRECTORY).  A file
 * fails with ENOTDIR, a special file with RESOLVE_ESPECIAL.
 */
int		 resolve_dir(const struct root *root, const char *path);
/*
 * Open the folder holding path's last component (which need not
 * exist); *name points at that component inside path.  Anything but a
 * folder on the way fails with ENOTDIR.
 */
int		 resolve_parent(const struct root *root, const char *path,
		    const char **name);
/* 1 when a and b are the stat of one inode. */
int		 resolve_same(const struct stat *a, const struct stat *b);
/* The TFS/1 error for errno of the functions above and the *at calls. */
enum tfs_err	 resolve_err(int errnum);

#endif /* SERVER_RESOLVE_H */
