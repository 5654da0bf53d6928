/*
 * walk.h -- folder trees into plans (plan.h): a remote tree by LIST,
 * a local one by scandir, never deeper than PLAN_DEPTH_MAX levels.
 * Also the trees as lists of entries, for mirror's comparison.
 */

#ifndef CLIENT_WALK_H
#define CLIENT_WALK_H

#include <stdint.h>

#include "plan.h"
#include "remote.h"

/* One thing in a tree, by its path below the tree's top. */
struct wentry {
	char		*rel;		/* "a/b.txt" */
	uint64_t	 size;
	int64_t		 mtime;
	uint8_t		 kind;		/* TFS_KIND_FILE or TFS_KIND_DIR */
	uint8_t		 seen;		/* mirror: matched on the other side */
};

/* A tree, its entries sorted by rel (a folder before what is in it). */
struct wtree {
	struct wentry	*v;
	size_t		 n, cap;
};

/*
 * The tree of remote folder top (wire form) into *t; shown is top as
 * the user typed it, what the verb for messages.  Names no server should
 * send are left out with a warning, and so is what lies deeper than
 * PLAN_DEPTH_MAX levels (an endless tree, a link loop on the server).
 * Returns a status after the messages; *t holds what was found.
 */
int	walk_remote(struct session *s, const char *what, const char *top,
	    const char *shown, struct wtree *t);
/*
 * The tree of local folder top into *t.  Symbolic links are followed
 * only while they stay inside top (and do not loop); others, and what
 * is neither a file nor a folder, are skipped with a warning, as are
 * names the server could not take.
 */
int	walk_local(const char *what, const char *top, struct wtree *t);
void	walk_free(struct wtree *t);
/* The entry of t at rel, or NULL. */
struct wentry *walk_find(struct wtree *t, const char *rel);
/*
 * Add the steps that copy tree t (from src_top, shown as shown) to
 * dst_top: dst_top itself (mtime top_mtime), then each folder and file.
 * put: the direction.  0, or -1 (ENOMEM).
 */
int	walk_plan(struct plan *p, const struct wtree *t, int put,
	    const char *src_top, const char *dst_top, const char *shown,
	    int64_t top_mtime);
/* Join a and b for either side ("" a: b).  0, or -1 when too long. */
int	walk_join(const char *a, const char *b, char *out, size_t outsz);

#endif /* CLIENT_WALK_H */
