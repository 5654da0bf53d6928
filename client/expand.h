/*
 * expand.h -- what a path a user typed names: itself, or with wildcards
 * (*, ?, [...] in any component) every path that matches, remote ones
 * found by listing the folders on the way, local ones by glob(3).  Each
 * match keeps two forms: the wire path the requests use, and the path
 * as the user would have typed it, for messages.
 */

#ifndef CLIENT_EXPAND_H
#define CLIENT_EXPAND_H

#include <stddef.h>

#include "remote.h"
#include "session.h"

/* One path a word named. */
struct xpath {
	char		*path;		/* wire form (remote) or local path */
	char		*shown;		/* as typed, wildcards filled in */
	struct rent	 e;		/* remote: what LIST or STAT said */
	int		 known;		/* e is filled */
	int		 matched;	/* found by a pattern */
};

struct xpaths {
	struct xpath	*v;
	size_t		 n, cap;
};

/*
 * The remote paths word names, resolved against the folder cwd (wire
 * form), into *out (appended).  A word without wildcards is itself,
 * unchecked (known 0).  A pattern's matches are sorted, and '*' and '?'
 * never match a leading '.'; none at all is SESS_ERROR NOT_FOUND with
 * errmsg "no match".  SESS_OK, or the session's failure.
 */
enum sess_rc	expand_remote(struct session *s, const char *cwd,
		    const char *word, struct xpaths *out);
/*
 * The local paths word names (glob(3) with ~ and {a,b}) into *out.  A
 * word without wildcards is itself.  0, or -1 with errno (ENOENT: no
 * match; ENOMEM).
 */
int		expand_local(const char *word, struct xpaths *out);
/* Add one path (copied) to *out.  0, or -1 (ENOMEM). */
int		expand_add(struct xpaths *out, const char *path,
		    const char *shown, const struct rent *e);
void		expand_free(struct xpaths *x);
/* 1 when word holds an unescaped '*', '?' or '['. */
int		expand_has_magic(const char *word);

#endif /* CLIENT_EXPAND_H */
