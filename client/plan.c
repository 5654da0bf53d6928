/*
 * plan.c -- running a plan (plan.h) on the client's connection, or on
 * several through jobs.c.
 *
 * Every step names what the user typed in its messages ("get docs/a"),
 * never the server's partial files.  Folders are made before what goes
 * in them and get their times after it, since writing into a folder
 * changes its time.  Every change on the server drops the cached
 * listing of the folder it touched.  This file moves no byte itself:
 * transfer.c does.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "intr.h"
#include "jobs.h"
#include "path.h"
#include "plan.h"
#include "print.h"
#include "progress.h"
#include "remote.h"

static int	plan_dir(struct client *, const struct plan_opts *,
		    struct plan_item *);
static int	plan_del(struct client *, const struct plan_opts *,
		    struct plan_item *);
static int	plan_times(struct client *, const struct plan_opts *,
		    struct plan_item *);
static int	plan_ltime(const char *, const char *, int64_t);
static int	plan_regular(const char *);
static void	plan_say(const struct plan_opts *, const char *,
		    const struct plan_item *);
static int	plan_files(struct client *, struct plan *,
		    const struct plan_opts *, uint64_t *);
static int	plan_rdelete(struct client *, const char *, const char *,
		    int);

int
plan_add(struct plan *p, enum plan_kind kind, const char *src,
    const char *dst, const char *shown, uint64_t size, int64_t mtime)
{
	struct plan_item	*nv, *it;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		if ((nv = reallocarray(p->v, p->cap, sizeof(*nv))) == NULL) {
			return -1;
		}
		p->v = nv;
	}
	it = &p->v[p->n];
	memset(it, 0, sizeof(*it));
	it->src = strdup(src != NULL ? src : "");
	it->dst = strdup(dst != NULL ? dst : "");
	it->shown = strdup(shown);
	if (it->src == NULL || it->dst == NULL || it->shown == NULL) {
		free(it->src);
		free(it->dst);
		free(it->shown);
		errno = ENOMEM;
		return -1;
	}
	it->kind = (uint8_t)kind;
	it->size = size;
	it->mtime = mtime;
	if (kind == PLAN_FILE) {
		p->files++;
		p->bytes += size;
	}
	p->n++;
	return 0;
}

void
plan_free(struct plan *p)
{
	size_t	 i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].src);
		free(p->v[i].dst);
		free(p->v[i].shown);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* -n: one line on stdout for a step that is not taken. */
static void
plan_say(const struct plan_opts *o, const char *act,
    const struct plan_item *it)
{
	printf("%s ", act);
	print_name(stdout, it->shown);
	if (it->kind == PLAN_FILE) {
		printf(" -> ");
		if (o->put) {
			print_rpath(stdout, it->dst);
		} else {
			print_name(stdout, it->dst);
		}
	}
	printf("\n");
}

/* 1 when path is a regular file (not "-", a device, a fifo). */
static int
plan_regular(const char *path)
{
	struct stat	 sb;

	return strcmp(path, "-") != 0 && lstat(path, &sb) == 0 &&
	    S_ISREG(sb.st_mode);
}

/* The local mtime of path (futimens would follow the same name). */
static int
plan_ltime(const char *what, const char *path, int64_t mtime)
{
	struct timespec	 ts[2];

	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = (time_t)mtime;
	ts[1].tv_nsec = 0;
	if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) == -1) {
		warn("%s: set the time of %s", what, path);
		return ST_FAIL;
	}
	return ST_OK;
}

int
plan_file(struct session *s, const struct plan_opts *o,
    struct plan_item *it, uint64_t *moved)
{
	struct xfer_opts xo = o->xo;
	char		 what[PATH_MAX + 32];
	enum sess_rc	 rc;
	int		 st;

	(void)snprintf(what, sizeof(what), "%s %s", o->verb, it->shown);
	*moved = 0;
	if (it->resume) {
		xo.resume = 1;
	}
	if (o->put) {
		st = xfer_put(s, &xo, what, it->src, it->dst, moved);
		if (st == ST_OK && o->preserve && strcmp(it->src, "-") != 0) {
			rc = remote_utime(s, it->dst, it->mtime);
			st = session_report(s, rc, what);
		}
	} else {
		st = xfer_get(s, &xo, what, it->src, it->dst, moved);
		if (st == ST_OK && o->preserve && plan_regular(it->dst)) {
			st = plan_ltime(what, it->dst, it->mtime);
		}
	}
	it->st = st;
	return st;
}

/* Make the folder of a PLAN_DIR step, or reuse the one there. */
static int
plan_dir(struct client *cl, const struct plan_opts *o, struct plan_item *it)
{
	struct session	*s = &cl->sess;
	struct stat	 sb;
	char		 what[PATH_MAX + 32];
	enum sess_rc	 rc;

	(void)snprintf(what, sizeof(what), "%s %s", o->verb, it->shown);
	if (o->put) {
		rc = remote_mkdir_ok(s, it->dst);
		rcache_forget_parent(&cl->cache, it->dst);
		if (rc == SESS_ERROR && s->err_code == TFS_ENOT_A_DIR) {
			warnx("%s: /%s: a file is in the way", what, it->dst);
			return ST_FAIL;
		}
		return session_report(s, rc, what);
	}
	if (mkdir(it->dst, 0777) == -1 && (errno != EEXIST ||
	    stat(it->dst, &sb) == -1 || !S_ISDIR(sb.st_mode))) {
		warn("%s: %s", what, it->dst);
		return ST_FAIL;
	}
	return ST_OK;
}

/*
 * rm -r of remote path: DELETE first, which removes a file, an empty
 * folder or a symbolic link itself (never what it points to); only a
 * folder NOT_EMPTY is listed and emptied, then removed.  So a link is
 * never followed.  ST_OK or a status after the message.
 */
static int
plan_rdelete(struct client *cl, const char *what, const char *path,
    int depth)
{
	struct session	*s = &cl->sess;
	struct rlist	 l;
	enum sess_rc	 rc;
	char		 child[SESSION_PATH_SZ];
	size_t		 i;
	int		 st = ST_OK;

	rc = remote_delete(s, path);
	rcache_forget_parent(&cl->cache, path);
	if (rc != SESS_ERROR || s->err_code != TFS_ENOT_EMPTY) {
		rcache_forget(&cl->cache, path);
		return session_report(s, rc, what);
	}
	if (depth >= PLAN_DEPTH_MAX) {
		warnx("%s: /%s: deeper than %d levels; not removed", what,
		    path, PLAN_DEPTH_MAX);
		return ST_FAIL;
	}
	if ((rc = remote_list(s, path, &l)) != SESS_OK) {
		return session_report(s, rc, what);
	}
	for (i = 0; i < l.n && st != ST_LOST && !intr_pending(); i++) {
		if (path_join(path, l.ents[i].name, child, sizeof(child)) ==
		    -1) {
			st = exitcode_merge(st, ST_FAIL);
			continue;
		}
		st = exitcode_merge(st, plan_rdelete(cl, what, child,
		    depth + 1));
	}
	remote_list_free(&l);
	if (st != ST_OK) {
		return st;
	}
	rc = remote_delete(s, path);
	rcache_forget(&cl->cache, path);
	return session_report(s, rc, what);
}

int
plan_remove(struct client *cl, const char *what, const char *path)
{
	return plan_rdelete(cl, what, path, 0);
}

/* A PLAN_DEL step: the target side's file or folder (with contents). */
static int
plan_del(struct client *cl, const struct plan_opts *o, struct plan_item *it)
{
	char	 what[PATH_MAX + 32];

	(void)snprintf(what, sizeof(what), "%s: rm %s", o->verb, it->shown);
	if (o->put) {
		return plan_rdelete(cl, what, it->dst, 0);
	}
	return plan_lremove(what, it->dst);
}

int
plan_lremove(const char *what, const char *path)
{
	struct dirent	**names = NULL;
	struct stat	  sb;
	char		  child[PATH_MAX];
	int		  n, i, st = ST_OK;

	if (lstat(path, &sb) == -1) {
		warn("%s: %s", what, path);
		return ST_FAIL;
	}
	/* a link is removed itself, never what it points to */
	if (!S_ISDIR(sb.st_mode)) {
		if (unlink(path) == -1) {
			warn("%s: %s", what, path);
			return ST_FAIL;
		}
		return ST_OK;
	}
	if ((n = scandir(path, &names, NULL, alphasort)) == -1) {
		warn("%s: %s", what, path);
		return ST_FAIL;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 &&
		    strcmp(names[i]->d_name, "..") != 0) {
			if (path_join(path, names[i]->d_name, child,
			    sizeof(child)) == -1) {
				st = ST_FAIL;
			} else {
				st = exitcode_merge(st, plan_lremove(what,
				    child));
			}
		}
		free(names[i]);
	}
	free(names);
	if (st == ST_OK && rmdir(path) == -1) {
		warn("%s: %s", what, path);
		st = ST_FAIL;
	}
	return st;
}

/* -p: a folder's time, once all that goes in it is in. */
static int
plan_times(struct client *cl, const struct plan_opts *o,
    struct plan_item *it)
{
	char		 what[PATH_MAX + 32];
	enum sess_rc	 rc;

	(void)snprintf(what, sizeof(what), "%s %s", o->verb, it->shown);
	if (!o->put) {
		return plan_ltime(what, it->dst, it->mtime);
	}
	if (*it->dst == '\0') {
		/* the root's time is the server's */
		return ST_OK;
	}
	rc = remote_utime(&cl->sess, it->dst, it->mtime);
	rcache_forget_parent(&cl->cache, it->dst);
	return session_report(&cl->sess, rc, what);
}

/* The PLAN_FILE steps on this connection, one after the other. */
static int
plan_files(struct client *cl, struct plan *p, const struct plan_opts *o,
    uint64_t *moved)
{
	struct progress_total	 t;
	uint64_t		 n;
	size_t			 i;
	int			 st = ST_OK, r;

	progress_total_start(&t);
	for (i = 0; i < p->n && st != ST_LOST && st != ST_REFUSED &&
	    !intr_pending(); i++) {
		if (p->v[i].kind != PLAN_FILE || p->v[i].st != ST_OK) {
			continue;
		}
		r = plan_file(&cl->sess, o, &p->v[i], &n);
		if (o->put) {
			rcache_forget_parent(&cl->cache, p->v[i].dst);
		}
		*moved += n;
		if (r == ST_OK) {
			progress_total_add(&t, n);
		}
		st = exitcode_merge(st, r);
	}
	progress_total_end(&t);
	return st;
}

int
plan_run(struct client *cl, struct plan *p, const struct plan_opts *o,
    uint64_t *moved)
{
	size_t	 i;
	int	 st = ST_OK, r;

	*moved = 0;
	for (i = 0; i < p->n; i++) {
		if (o->dry_run && !(p->v[i].kind == PLAN_DIR &&
		    p->v[i].exists)) {
			plan_say(o, p->v[i].kind == PLAN_DEL ? "rm" :
			    p->v[i].kind == PLAN_DIR ? "mkdir" : o->put ?
			    "put" : "get", &p->v[i]);
		}
	}
	if (o->dry_run) {
		return ST_OK;
	}
	for (i = 0; i < p->n && st != ST_LOST && st != ST_REFUSED; i++) {
		if (p->v[i].kind == PLAN_DIR) {
			r = plan_dir(cl, o, &p->v[i]);
			p->v[i].st = r;
			st = exitcode_merge(st, r);
		}
	}
	if (st != ST_LOST && st != ST_REFUSED) {
		r = o->jobs > 1 && p->files > 1 ?
		    jobs_run(cl, p, o, moved) : plan_files(cl, p, o, moved);
		st = exitcode_merge(st, r);
	}
	for (i = p->n; i > 0 && st != ST_LOST && st != ST_REFUSED &&
	    !intr_pending(); i--) {
		if (p->v[i - 1].kind == PLAN_DEL) {
			st = exitcode_merge(st, plan_del(cl, o, &p->v[i - 1]));
		}
	}
	for (i = p->n; o->preserve && i > 0 && st != ST_LOST &&
	    st != ST_REFUSED && !intr_pending(); i--) {
		if (p->v[i - 1].kind == PLAN_DIR && p->v[i - 1].st == ST_OK) {
			st = exitcode_merge(st, plan_times(cl, o,
			    &p->v[i - 1]));
		}
	}
	if (intr_pending()) {
		st = exitcode_merge(st, ST_FAIL);
	}
	return st;
}
