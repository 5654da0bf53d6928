/*
 * plan.h -- a copy of many files as a list of steps, made before any
 * byte moves: the folders to make, the files to move, what mirror
 * --delete removes, and the folders whose times are set once their
 * contents are in.  get -R, put -R, several sources and mirror all
 * build one (walk.c, cmd_mirror.c) and run it here, on one connection
 * or on several (jobs.c).
 */

#ifndef CLIENT_PLAN_H
#define CLIENT_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "cmd.h"

#define PLAN_DEPTH_MAX	64	/* folders deeper than this are refused */
#define PLAN_JOBS_MAX	16	/* -j at most */

enum plan_kind {
	PLAN_DIR = 1,	/* make folder dst (reuse one that is there) */
	PLAN_FILE,	/* move file src to dst */
	PLAN_DEL,	/* remove dst, a file or (is_dir) a folder */
};

/* One step. */
struct plan_item {
	char		*src;	/* get: wire path; put: local path */
	char		*dst;	/* get: local path; put: wire path */
	char		*shown;	/* src (dst for PLAN_DEL) as users see it */
	uint64_t	 size;	/* a file's */
	int64_t		 mtime;	/* the source's */
	uint8_t		 kind;	/* enum plan_kind */
	uint8_t		 is_dir;	/* PLAN_DEL: a folder */
	uint8_t		 resume;	/* go on from what is in place */
	uint8_t		 exists;	/* PLAN_DIR: there already (-n) */
	int		 st;	/* the outcome (exitcode.h) */
};

/* How a plan runs. */
struct plan_opts {
	int		 put;		/* the direction: 0 get, 1 put */
	const char	*verb;		/* "get", "put", "mirror": messages */
	int		 jobs;		/* connections at once (-j) */
	int		 preserve;	/* -p: keep modification times */
	int		 dry_run;	/* -n: say what would be done */
	struct xfer_opts xo;		/* resume, verify, no-clobber */
};

struct plan {
	struct plan_item *v;
	size_t		 n, cap;
	size_t		 files;		/* PLAN_FILE steps */
	uint64_t	 bytes;		/* their sizes */
};

/* Add a step (strings copied).  0, or -1 (ENOMEM). */
int	plan_add(struct plan *p, enum plan_kind kind, const char *src,
	    const char *dst, const char *shown, uint64_t size, int64_t mtime);
void	plan_free(struct plan *p);
/*
 * Run every step: folders made first, in order; then the files, on
 * o->jobs connections; then the removals, deepest first; then, with
 * -p, the folders' times, deepest first.  A failed step is reported
 * and the others go on (a lost connection stops them).  *moved gets
 * the bytes moved.  Returns the worst status.
 */
int	plan_run(struct client *cl, struct plan *p, const struct plan_opts *o,
	    uint64_t *moved);
/*
 * One file step on session s, its time kept under -p; item->st gets
 * the outcome, *moved the bytes.  For plan_run and jobs.c.
 */
int	plan_file(struct session *s, const struct plan_opts *o,
	    struct plan_item *it, uint64_t *moved);
/*
 * rm -r of remote path (wire form), never following a symbolic link;
 * what names it in messages.  A status after the messages.
 */
int	plan_remove(struct client *cl, const char *what, const char *path);
/* The same for a local path. */
int	plan_lremove(const char *what, const char *path);

#endif /* CLIENT_PLAN_H */
