/*
 * resolve.h -- find a client's path beneath the served root, in the
 * kernel (openat2 RESOLVE_BENEATH), so no "..", symbolic link or race
 * leads out of it.  Paths given here have passed path_check() already.
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

/*
 * openat2() of path beneath the root (root_fd, of cfg.root) with
 * RESOLVE_BENEATH and RESOLVE_NO_MAGICLINKS ("" is the root itself),
 * absolute links into the root followed too.  flags get O_CLOEXEC.
 * Returns the fd, or -1 with errno (EXDEV: the walk would leave the
 * root).
 */
int		 resolve_openat(int root_fd, const char *path, int flags,
		    mode_t mode);
/* O_PATH fd of path with its stat (links inside the root followed). */
int		 resolve_node(int root_fd, const char *path,
		    struct stat *st);
/*
 * Open the regular file path for reading; *st is its stat.  A folder
 * fails with EISDIR, a special file with RESOLVE_ESPECIAL, and neither
 * is ever opened for reading.
 */
int		 resolve_file(int root_fd, const char *path,
		    struct stat *st);
/*
 * Open the folder path for reading (O_RDONLY|O_DIRECTORY).  A file
 * fails with ENOTDIR, a special file with RESOLVE_ESPECIAL.
 */
int		 resolve_dir(int root_fd, const char *path);
/*
 * Open the folder holding path's last component (which need not
 * exist); *name points at that component inside path.  Anything but a
 * folder on the way fails with ENOTDIR.
 */
int		 resolve_parent(int root_fd, const char *path,
		    const char **name);
/* The TFS/1 error for errno of the functions above and the *at calls. */
enum tfs_err	 resolve_err(int errnum);

#endif /* SERVER_RESOLVE_H */
