/*
 * path.h -- lexical rules of TFS/1 paths, and the client's joining of a
 * working folder with what a user typed.  Pure: never touches the disk.
 */

#ifndef COMMON_PATH_H
#define COMMON_PATH_H

#include <stddef.h>

#define PATH_MAX_LEN	4095		/* longest path on the wire */
#define PATH_COMP_MAX	255		/* longest component */
#define PATH_RESERVED	".tfs-"		/* prefix kept for the server */

enum path_err {
	PATH_OK = 0,
	PATH_ETOOLONG,		/* over 4095 bytes */
	PATH_EROOT,		/* empty path where a name is needed */
	PATH_EABSOLUTE,		/* leading '/' */
	PATH_EEMPTY,		/* empty component: a//b, trailing / */
	PATH_EDOT,		/* component "." */
	PATH_EDOTDOT,		/* component ".." */
	PATH_ECOMPLONG,		/* component over 255 bytes */
	PATH_ECTRL,		/* byte < 0x20 or 0x7f */
	PATH_ERESERVED,		/* component starting with ".tfs-" */
};

#define PATH_ALLOW_ROOT	0x01	/* "" is valid (LIST, STAT) */

/* Check a wire path against every rule; the first broken one is told. */
enum path_err	 path_check(const char *p, size_t len, int flags);
const char	*path_strerror(enum path_err);

/*
 * Client side: resolve arg against the remote working folder cwd (both
 * wire-form: "" is the root, no leading '/').  A leading '/' in arg starts
 * from the root; "." and ".." are folded; ".." at the root stays there.
 * Returns 0, or -1 when out would overflow (outsz bytes, NUL included).
 */
int		 path_resolve(const char *cwd, const char *arg, char *out,
		    size_t outsz);
/* Last component of a wire or local path ("a/b" -> "b", "" -> ""). */
const char	*path_basename(const char *p);
/* Join dir and name with one '/' (dir "" gives name).  0 or -1. */
int		 path_join(const char *dir, const char *name, char *out,
		    size_t outsz);

#endif /* COMMON_PATH_H */
