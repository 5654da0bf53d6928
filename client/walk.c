/*
 * walk.c -- listing whole trees, remote and local.
 *
 * What a server sends is not trusted: names that could not be one path
 * component were left out by remote_list (and are counted here, with a
 * warning), and a tree deeper than PLAN_DEPTH_MAX levels is cut there
 * with an error, so a server that serves an endless tree, or a folder
 * that links to its own parent, cannot make the client loop.  Locally,
 * a symbolic link is followed only while it stays inside the tree and
 * does not lead back to a folder on the way down.  Prints warnings.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "intr.h"
#include "path.h"
#include "walk.h"

/* A local walk: the top's real path and the folders on the way down. */
struct walk_local {
	const char	*what;
	char		 real[PATH_MAX];
	dev_t		 dev[PLAN_DEPTH_MAX + 2];
	ino_t		 ino[PLAN_DEPTH_MAX + 2];
	struct wtree	*t;
};

static int	walk_add(struct wtree *, const char *, uint8_t, uint64_t,
		    int64_t);
static int	walk_rdir(struct session *, const char *, const char *,
		    const char *, const char *, int, struct wtree *);
static int	walk_ldir(struct walk_local *, const char *, const char *,
		    int);
static int	walk_lentry(struct walk_local *, const char *, const char *,
		    int);
static int	walk_cmp(const void *, const void *);

int
walk_join(const char *a, const char *b, char *out, size_t outsz)
{
	size_t	 n = strlen(a);
	int	 r;

	if (*b == '\0') {
		r = snprintf(out, outsz, "%s", a);
	} else if (n == 0) {
		r = snprintf(out, outsz, "%s", b);
	} else {
		r = snprintf(out, outsz, "%s%s%s", a, a[n - 1] == '/' ? "" :
		    "/", b);
	}
	return r < 0 || (size_t)r >= outsz ? -1 : 0;
}

static int
walk_add(struct wtree *t, const char *rel, uint8_t kind, uint64_t size,
    int64_t mtime)
{
	struct wentry	*nv, *e;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		if ((nv = reallocarray(t->v, t->cap, sizeof(*nv))) == NULL) {
			return -1;
		}
		t->v = nv;
	}
	e = &t->v[t->n];
	memset(e, 0, sizeof(*e));
	if ((e->rel = strdup(rel)) == NULL) {
		return -1;
	}
	e->kind = kind;
	e->size = size;
	e->mtime = mtime;
	t->n++;
	return 0;
}

void
walk_free(struct wtree *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].rel);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static int
walk_cmp(const void *a, const void *b)
{
	return strcmp(((const struct wentry *)a)->rel,
	    ((const struct wentry *)b)->rel);
}

struct wentry *
walk_find(struct wtree *t, const char *rel)
{
	struct wentry	 key;

	if (t->n == 0) {
		/* bsearch wants an array, even an empty one */
		return NULL;
	}
	key.rel = (char *)(uintptr_t)rel;
	return bsearch(&key, t->v, t->n, sizeof(*t->v), walk_cmp);
}

/*
 * One remote folder dir (wire form; rel below the top, shown as typed)
 * and what is below it, depth levels down.
 */
static int
walk_rdir(struct session *s, const char *what, const char *dir,
    const char *rel, const char *shown, int depth, struct wtree *t)
{
	struct rlist	 l;
	enum sess_rc	 rc;
	char		 wp[SESSION_PATH_SZ], r2[SESSION_PATH_SZ];
	char		 s2[SESSION_PATH_SZ + 2];
	size_t		 i;
	int		 st = ST_OK;

	if (depth > PLAN_DEPTH_MAX) {
		warnx("%s: %s: more than %d levels deep (a loop?); not "
		    "copied", what, shown, PLAN_DEPTH_MAX);
		return ST_FAIL;
	}
	if ((rc = remote_list(s, dir, &l)) != SESS_OK) {
		return session_report(s, rc, what);
	}
	if (l.dropped > 0) {
		warnx("%s: %s: %zu names no server should send (with '/', "
		    "'..' or control bytes, or empty); skipped", what, shown,
		    l.dropped);
		st = ST_FAIL;
	}
	for (i = 0; i < l.n && st != ST_LOST && st != ST_REFUSED &&
	    !intr_pending(); i++) {
		if (path_join(dir, l.ents[i].name, wp, sizeof(wp)) == -1 ||
		    walk_join(rel, l.ents[i].name, r2, sizeof(r2)) == -1 ||
		    walk_join(shown, l.ents[i].name, s2, sizeof(s2)) == -1) {
			warnx("%s: %s/%s: path too long", what, shown,
			    l.ents[i].name);
			st = exitcode_merge(st, ST_FAIL);
			continue;
		}
		if (walk_add(t, r2, l.ents[i].kind, l.ents[i].size,
		    l.ents[i].mtime) == -1) {
			warnx("%s: out of memory", what);
			st = ST_FAIL;
			break;
		}
		if (l.ents[i].kind == TFS_KIND_DIR) {
			st = exitcode_merge(st, walk_rdir(s, what, wp, r2, s2,
			    depth + 1, t));
		}
	}
	remote_list_free(&l);
	return st;
}

int
walk_remote(struct session *s, const char *what, const char *top,
    const char *shown, struct wtree *t)
{
	int	 st;

	st = walk_rdir(s, what, top, "", shown, 1, t);
	if (t->n > 1) {
		qsort(t->v, t->n, sizeof(*t->v), walk_cmp);
	}
	return st;
}

/*
 * One local entry nm of folder dir (rel below the top), depth levels
 * down: a file, a folder to walk, a link to follow or to skip.
 */
static int
walk_lentry(struct walk_local *w, const char *path, const char *rel,
    int depth)
{
	struct stat	 sb, lsb;
	char		 real[PATH_MAX];
	size_t		 n = strlen(w->real);
	int		 k;

	if (lstat(path, &lsb) == -1 || stat(path, &sb) == -1) {
		warn("%s: %s", w->what, path);
		return ST_FAIL;
	}
	if (S_ISLNK(lsb.st_mode) && (realpath(path, real) == NULL ||
	    strncmp(real, w->real, n) != 0 || (real[n] != '/' &&
	    real[n] != '\0'))) {
		warnx("%s: %s: a symbolic link out of the tree; skipped",
		    w->what, path);
		return ST_FAIL;
	}
	if (S_ISREG(sb.st_mode)) {
		return walk_add(w->t, rel, TFS_KIND_FILE, (uint64_t)sb.st_size,
		    sb.st_mtime) == 0 ? ST_OK : ST_FAIL;
	}
	if (!S_ISDIR(sb.st_mode)) {
		warnx("%s: %s: not a regular file or folder; skipped",
		    w->what, path);
		return ST_FAIL;
	}
	for (k = 0; k < depth; k++) {
		if (w->dev[k] == sb.st_dev && w->ino[k] == sb.st_ino) {
			warnx("%s: %s: a link back to a folder above it; "
			    "skipped", w->what, path);
			return ST_FAIL;
		}
	}
	if (depth > PLAN_DEPTH_MAX) {
		warnx("%s: %s: more than %d levels deep; not copied",
		    w->what, path, PLAN_DEPTH_MAX);
		return ST_FAIL;
	}
	if (walk_add(w->t, rel, TFS_KIND_DIR, 0, sb.st_mtime) == -1) {
		return ST_FAIL;
	}
	w->dev[depth] = sb.st_dev;
	w->ino[depth] = sb.st_ino;
	return walk_ldir(w, path, rel, depth + 1);
}

/* The entries of local folder dir (rel below the top). */
static int
walk_ldir(struct walk_local *w, const char *dir, const char *rel, int depth)
{
	struct dirent	**names = NULL;
	char		  path[PATH_MAX], r2[PATH_MAX];
	const char	 *nm;
	int		  n, i, st = ST_OK;

	if ((n = scandir(dir, &names, NULL, alphasort)) == -1) {
		warn("%s: %s", w->what, dir);
		return ST_FAIL;
	}
	for (i = 0; i < n; i++) {
		nm = names[i]->d_name;
		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 ||
		    st == ST_LOST || intr_pending()) {
			/* nothing */
		} else if (walk_join(dir, nm, path, sizeof(path)) == -1 ||
		    walk_join(rel, nm, r2, sizeof(r2)) == -1) {
			warnx("%s: %s/%s: path too long", w->what, dir, nm);
			st = exitcode_merge(st, ST_FAIL);
		} else if (!remote_name_ok((const uint8_t *)nm, strlen(nm))) {
			warnx("%s: %s: a name the server cannot take; skipped",
			    w->what, path);
			st = exitcode_merge(st, ST_FAIL);
		} else {
			st = exitcode_merge(st, walk_lentry(w, path, r2,
			    depth));
		}
		free(names[i]);
	}
	free(names);
	return st;
}

int
walk_local(const char *what, const char *top, struct wtree *t)
{
	struct walk_local	 w;
	struct stat		 sb;
	int			 st;

	memset(&w, 0, sizeof(w));
	w.what = what;
	w.t = t;
	if (realpath(top, w.real) == NULL || stat(top, &sb) == -1) {
		warn("%s: %s", what, top);
		return ST_FAIL;
	}
	w.dev[0] = sb.st_dev;
	w.ino[0] = sb.st_ino;
	st = walk_ldir(&w, top, "", 1);
	if (t->n > 1) {
		qsort(t->v, t->n, sizeof(*t->v), walk_cmp);
	}
	return st;
}

int
walk_plan(struct plan *p, const struct wtree *t, int put, const char *src_top,
    const char *dst_top, const char *shown, int64_t top_mtime)
{
	char		 src[PATH_MAX], dst[PATH_MAX], sh[PATH_MAX];
	const struct wentry *e;
	size_t		 i;

	(void)put;
	if (plan_add(p, PLAN_DIR, src_top, dst_top, shown, 0, top_mtime) ==
	    -1) {
		return -1;
	}
	for (i = 0; i < t->n; i++) {
		e = &t->v[i];
		if (walk_join(src_top, e->rel, src, sizeof(src)) == -1 ||
		    walk_join(dst_top, e->rel, dst, sizeof(dst)) == -1 ||
		    walk_join(shown, e->rel, sh, sizeof(sh)) == -1) {
			continue;
		}
		if (plan_add(p, e->kind == TFS_KIND_DIR ? PLAN_DIR : PLAN_FILE,
		    src, dst, sh, e->size, e->mtime) == -1) {
			return -1;
		}
	}
	return 0;
}
