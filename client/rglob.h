/*
 * rglob.h -- glob patterns over remote names (mget).  The server has no
 * glob: the client lists the folder and matches the names itself with
 * fnmatch(3).  Pure.
 */

#ifndef CLIENT_RGLOB_H
#define CLIENT_RGLOB_H

#include <stddef.h>

/* 1 when pat holds an unescaped '*', '?' or '['. */
int	rglob_has_magic(const char *pat);
/*
 * Split pat at its last '/': the folder part goes to dir ("" when none;
 * "/" kept for "/x"), and *base points at the last component.  0, or -1
 * when dir does not fit.
 */
int	rglob_split(const char *pat, char *dir, size_t dirsz,
	    const char **base);
/*
 * 1 when name matches pat as a shell would: '*' and '?' do not match a
 * leading '.', nor '/'.  A pattern without magic matches only itself
 * (backslash escapes removed).
 */
int	rglob_match(const char *pat, const char *name);
/*
 * Indices (into names) of the n names matching pat, in order, into out
 * (room for n).  Returns how many matched.
 */
size_t	rglob_filter(const char *pat, const char *const *names, size_t n,
	    size_t *out);

#endif /* CLIENT_RGLOB_H */
