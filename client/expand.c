/*
 * expand.c -- wildcards in paths, remote and local.
 *
 * The server has no glob: a remote pattern is walked one component at
 * a time, each component with wildcards matched against the LIST of the
 * folders reached so far.  Names come from remote_list, which has
 * already left out every name that could not be one component, so a
 * match can never climb out of the folder it was found in.  Prints
 * nothing.
 */

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expand.h"
#include "path.h"
#include "rglob.h"

static enum sess_rc	expand_step(struct session *, struct xpaths *,
			    const char *, int, struct xpaths *);
static enum sess_rc	expand_match(struct session *, const struct xpath *,
			    const char *, int, struct xpaths *);
static int		expand_cmp(const void *, const void *);
static void		expand_unescape(const char *, size_t, char *);
static int		expand_shown(const char *, const char *, char *,
			    size_t);

int
expand_has_magic(const char *word)
{
	return rglob_has_magic(word);
}

int
expand_add(struct xpaths *out, const char *path, const char *shown,
    const struct rent *e)
{
	struct xpath	*nv, *x;

	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 8;
		if ((nv = reallocarray(out->v, out->cap, sizeof(*nv))) ==
		    NULL) {
			return -1;
		}
		out->v = nv;
	}
	x = &out->v[out->n];
	memset(x, 0, sizeof(*x));
	if ((x->path = strdup(path)) == NULL ||
	    (x->shown = strdup(shown)) == NULL) {
		free(x->path);
		errno = ENOMEM;
		return -1;
	}
	if (e != NULL) {
		x->e = *e;
		x->e.name = NULL;
		x->known = 1;
	}
	out->n++;
	return 0;
}

void
expand_free(struct xpaths *x)
{
	size_t	 i;

	for (i = 0; i < x->n; i++) {
		free(x->v[i].path);
		free(x->v[i].shown);
	}
	free(x->v);
	memset(x, 0, sizeof(*x));
}

static int
expand_cmp(const void *a, const void *b)
{
	return strcmp(((const struct xpath *)a)->path,
	    ((const struct xpath *)b)->path);
}

/* A path as typed, one more component: "/" + "a" is "/a". */
static int
expand_shown(const char *dir, const char *name, char *out, size_t outsz)
{
	size_t	 n = strlen(dir);
	int	 r;

	r = snprintf(out, outsz, "%s%s%s", dir, n > 0 && dir[n - 1] != '/' ?
	    "/" : "", name);
	return r < 0 || (size_t)r >= outsz ? -1 : 0;
}

/* A component without wildcards, its backslashes taken out. */
static void
expand_unescape(const char *p, size_t n, char *out)
{
	size_t	 i, o = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 1 < n) {
			i++;
		}
		out[o++] = p[i];
	}
	out[o] = '\0';
}

/*
 * The entries of folder at matching pattern comp, into next.  last:
 * the last component (files match too; before it, folders only).
 */
static enum sess_rc
expand_match(struct session *s, const struct xpath *at, const char *comp,
    int last, struct xpaths *next)
{
	struct rlist	 l;
	enum sess_rc	 rc;
	char		 wp[SESSION_PATH_SZ], sp[SESSION_PATH_SZ + 2];
	size_t		 i;

	if ((rc = remote_list(s, at->path, &l)) != SESS_OK) {
		/* a file or a missing folder on the way matches nothing */
		return rc == SESS_ERROR ? SESS_OK : rc;
	}
	for (i = 0; i < l.n && rc == SESS_OK; i++) {
		if ((!last && l.ents[i].kind != TFS_KIND_DIR) ||
		    !rglob_match(comp, l.ents[i].name)) {
			continue;
		}
		if (path_join(at->path, l.ents[i].name, wp, sizeof(wp)) ==
		    -1 ||
		    expand_shown(at->shown, l.ents[i].name, sp, sizeof(sp)) ==
		    -1) {
			continue;
		}
		if (expand_add(next, wp, sp, &l.ents[i]) == -1) {
			rc = SESS_ERROR;
			(void)snprintf(s->errmsg, sizeof(s->errmsg),
			    "out of memory");
		}
	}
	remote_list_free(&l);
	return rc;
}

/* One component of a pattern applied to every path in cur, into next. */
static enum sess_rc
expand_step(struct session *s, struct xpaths *cur, const char *comp,
    int last, struct xpaths *next)
{
	char		 wp[SESSION_PATH_SZ], sp[SESSION_PATH_SZ + 2];
	enum sess_rc	 rc = SESS_OK;
	size_t		 i;

	for (i = 0; i < cur->n && rc == SESS_OK; i++) {
		if (rglob_has_magic(comp)) {
			rc = expand_match(s, &cur->v[i], comp, last, next);
			continue;
		}
		/* ".", ".." and plain names: the wire path folds them */
		if (path_resolve(cur->v[i].path, comp, wp, sizeof(wp)) == -1 ||
		    expand_shown(cur->v[i].shown, comp, sp, sizeof(sp)) ==
		    -1 ||
		    expand_add(next, wp, sp, NULL) == -1) {
			(void)snprintf(s->errmsg, sizeof(s->errmsg),
			    "path too long");
			rc = SESS_ERROR;
		}
	}
	return rc;
}

enum sess_rc
expand_remote(struct session *s, const char *cwd, const char *word,
    struct xpaths *out)
{
	struct xpaths	 cur = { NULL, 0, 0 }, next = { NULL, 0, 0 };
	char		 wp[SESSION_PATH_SZ], comp[PATH_COMP_MAX * 2 + 2];
	const char	*p = word, *e;
	enum sess_rc	 rc = SESS_OK;
	size_t		 n, i;

	if (!rglob_has_magic(word)) {
		if (path_resolve(cwd, word, wp, sizeof(wp)) == -1 ||
		    expand_add(out, wp, word, NULL) == -1) {
			(void)snprintf(s->errmsg, sizeof(s->errmsg),
			    "path too long");
			return SESS_ERROR;
		}
		return SESS_OK;
	}
	if (expand_add(&cur, *word == '/' ? "" : cwd, *word == '/' ? "/" :
	    "", NULL) == -1) {
		return SESS_ERROR;
	}
	while (*p == '/') {
		p++;
	}
	while (*p != '\0' && rc == SESS_OK) {
		e = p + strcspn(p, "/");
		if ((n = (size_t)(e - p)) >= sizeof(comp) / 2) {
			n = sizeof(comp) / 2 - 1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (!rglob_has_magic(comp)) {
			expand_unescape(p, n, comp);
		}
		for (p = e; *p == '/'; p++) {
			continue;
		}
		if (n > 0) {
			rc = expand_step(s, &cur, comp, *p == '\0', &next);
			expand_free(&cur);
			cur = next;
			memset(&next, 0, sizeof(next));
		}
	}
	if (rc == SESS_OK && cur.n == 0) {
		rc = session_fail(s, TFS_ENOT_FOUND);
		(void)snprintf(s->errmsg, sizeof(s->errmsg), "no match");
	}
	if (rc == SESS_OK) {
		qsort(cur.v, cur.n, sizeof(*cur.v), expand_cmp);
		for (i = 0; i < cur.n && rc == SESS_OK; i++) {
			if (expand_add(out, cur.v[i].path, cur.v[i].shown,
			    cur.v[i].known ? &cur.v[i].e : NULL) == -1) {
				rc = SESS_ERROR;
			} else {
				out->v[out->n - 1].matched = 1;
			}
		}
	}
	expand_free(&cur);
	expand_free(&next);
	return rc;
}

int
expand_local(const char *word, struct xpaths *out)
{
	glob_t	 g;
	size_t	 i;
	int	 r;

	if (!rglob_has_magic(word) && word[0] != '~' &&
	    strchr(word, '{') == NULL) {
		return expand_add(out, word, word, NULL);
	}
	memset(&g, 0, sizeof(g));
	if ((r = glob(word, GLOB_TILDE | GLOB_BRACE, NULL, &g)) != 0) {
		globfree(&g);
		errno = r == GLOB_NOMATCH ? ENOENT : ENOMEM;
		return -1;
	}
	for (i = 0; i < g.gl_pathc; i++) {
		if (expand_add(out, g.gl_pathv[i], g.gl_pathv[i], NULL) ==
		    -1) {
			globfree(&g);
			return -1;
		}
		out->v[out->n - 1].matched = g.gl_pathc > 1 ||
		    rglob_has_magic(word);
	}
	globfree(&g);
	return 0;
}
