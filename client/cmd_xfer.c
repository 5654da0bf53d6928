/*
 * cmd_xfer.c -- the commands that move files: get, put, mget, mput, and
 * the folder trees of get -R and put -R.
 *
 * A command builds its struct xjob once (the connection, its options,
 * the total line) and hands it down; nothing of a transfer is kept in
 * the client or in globals.  Names that come back from the server were
 * checked by remote_list before they become local file names, so a
 * hostile server cannot write outside the target folder.  The bytes
 * themselves move in transfer.c.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_impl.h"
#include "cmdline.h"
#include "exitcode.h"
#include "intr.h"
#include "path.h"
#include "progress.h"
#include "remote.h"
#include "rglob.h"

/*
 * One transfer command's run: the connection it uses, its options (the
 * client's, with the command's flags), the listings it makes stale, and
 * the total line of its files.
 */
struct xjob {
	struct session		*s;
	struct xfer_opts	 o;
	struct rcache		*cache;
	struct progress_total	 t;
};

/*
 * The paths of one level of a -R walk, on the heap: a deep tree must not
 * exhaust the stack.
 */
struct xlevel {
	char	 rp[SESSION_PATH_SZ];	/* an entry's remote path */
	char	 lp[PATH_MAX];		/* its local path */
	char	 what[PATH_MAX + 16];	/* "get /a/b", for messages */
};

static void	cmd_xjob_start(struct client *, const struct cmdctx *,
		    struct xjob *);
static void	cmd_xjob_end(struct xjob *);
static int	cmd_get_one(struct xjob *, const char *, const char *,
		    const char *);
static int	cmd_put_one(struct xjob *, const char *, const char *,
		    const char *);
static int	cmd_get_tree(struct xjob *, const char *, const char *);
static int	cmd_get_entry(struct xjob *, struct xlevel *, const char *,
		    const char *, const struct rent *);
static int	cmd_put_tree(struct xjob *, const char *, const char *);
static int	cmd_put_entry(struct xjob *, struct xlevel *, const char *,
		    const char *, const char *);
static int	cmd_mkdir_ok(struct xjob *, const char *, const char *);
static int	cmd_get_file(struct xjob *, struct cmdctx *, const char *);
static int	cmd_put_target(struct xjob *, struct cmdctx *, char *);
static int	cmd_mget_match(struct xjob *, const char *, const char *,
		    const char *);
static int	cmd_mget_pattern(struct client *, struct xjob *,
		    const char *);
static int	cmd_mput_pattern(struct xjob *, const char *, const char *);
static int	cmd_is_localdir(const char *);

/*
 * Begin a transfer command: its options are the client's, with the
 * command's flags (-r resume, -v verify, -n never replace) on top.
 */
static void
cmd_xjob_start(struct client *cl, const struct cmdctx *x, struct xjob *j)
{
	j->s = &cl->sess;
	j->o = cl->xo;
	j->cache = &cl->cache;
	if (x->opts & CMDLINE_OPT('r')) {
		j->o.resume = 1;
	}
	if (x->opts & CMDLINE_OPT('v')) {
		j->o.verify = 1;
	}
	if (x->opts & CMDLINE_OPT('n')) {
		j->o.noclobber = 1;
	}
	progress_total_start(&j->t);
}

/* The total line, when more than one file moved. */
static void
cmd_xjob_end(struct xjob *j)
{
	progress_total_end(&j->t);
}

/* One download with its message label, counted in the total. */
static int
cmd_get_one(struct xjob *j, const char *what, const char *rpath,
    const char *local)
{
	uint64_t	 moved;
	int		 st;

	st = xfer_get(j->s, &j->o, what, rpath, local, &moved);
	if (st == ST_OK) {
		progress_total_add(&j->t, moved);
	}
	return st;
}

/* One upload, likewise; the listing of its folder is stale after it. */
static int
cmd_put_one(struct xjob *j, const char *what, const char *local,
    const char *rpath)
{
	uint64_t	 moved;
	int		 st;

	st = xfer_put(j->s, &j->o, what, local, rpath, &moved);
	rcache_forget_parent(j->cache, rpath);
	if (st == ST_OK) {
		progress_total_add(&j->t, moved);
	}
	return st;
}

static int
cmd_is_localdir(const char *p)
{
	struct stat	 st;
	size_t		 n = strlen(p);

	if (n > 0 && p[n - 1] == '/') {
		return 1;
	}
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * get -R: remote folder rdir into local folder ldir (created, or reused
 * when it exists), recursively.
 */
static int
cmd_get_tree(struct xjob *j, const char *rdir, const char *ldir)
{
	struct xlevel	*v;
	struct rlist	 l = { NULL, 0 };
	struct stat	 sb;
	enum sess_rc	 rc;
	size_t		 i;
	int		 st = ST_OK;

	if ((v = malloc(sizeof(*v))) == NULL) {
		warnx("get -R: out of memory");
		return ST_FAIL;
	}
	(void)snprintf(v->what, sizeof(v->what), "get /%s", rdir);
	if (mkdir(ldir, 0777) == -1 && (errno != EEXIST ||
	    stat(ldir, &sb) == -1 || !S_ISDIR(sb.st_mode))) {
		warn("%s: %s", v->what, ldir);
		st = ST_FAIL;
	} else if ((rc = remote_list(j->s, rdir, &l)) != SESS_OK) {
		st = session_report(j->s, rc, v->what);
	}
	for (i = 0; i < l.n && st != ST_LOST && !intr_pending(); i++) {
		st = exitcode_merge(st, cmd_get_entry(j, v, rdir, ldir,
		    &l.ents[i]));
	}
	remote_list_free(&l);
	free(v);
	return st;
}

/* One entry e of remote folder rdir, into local folder ldir. */
static int
cmd_get_entry(struct xjob *j, struct xlevel *v, const char *rdir,
    const char *ldir, const struct rent *e)
{
	if (path_join(rdir, e->name, v->rp, sizeof(v->rp)) == -1 ||
	    path_join(ldir, e->name, v->lp, sizeof(v->lp)) == -1) {
		warnx("get /%s/%s: path too long", rdir, e->name);
		return ST_FAIL;
	}
	if (e->kind == TFS_KIND_DIR) {
		return cmd_get_tree(j, v->rp, v->lp);
	}
	(void)snprintf(v->what, sizeof(v->what), "get /%s", v->rp);
	return cmd_get_one(j, v->what, v->rp, v->lp);
}

/*
 * MKDIR rpath for put -R, reusing a folder that exists.  ST_OK or a
 * status after the message.
 */
static int
cmd_mkdir_ok(struct xjob *j, const char *what, const char *rpath)
{
	enum sess_rc	 rc;

	rc = remote_mkdir_ok(j->s, rpath);
	rcache_forget_parent(j->cache, rpath);
	if (rc == SESS_ERROR && j->s->err_code == TFS_ENOT_A_DIR) {
		warnx("%s: /%s: %s", what, rpath, j->s->errmsg);
		return ST_FAIL;
	}
	return session_report(j->s, rc, what);
}

/*
 * put -R: local folder ldir into remote folder rdir, folders created
 * top-down (existing ones reused).
 */
static int
cmd_put_tree(struct xjob *j, const char *ldir, const char *rdir)
{
	struct xlevel	 *v;
	struct dirent	**names = NULL;
	int		  n = 0, i, st;

	if ((v = malloc(sizeof(*v))) == NULL) {
		warnx("put -R: out of memory");
		return ST_FAIL;
	}
	(void)snprintf(v->what, sizeof(v->what), "put %s", ldir);
	if ((st = cmd_mkdir_ok(j, v->what, rdir)) == ST_OK &&
	    (n = scandir(ldir, &names, NULL, alphasort)) == -1) {
		warn("%s", v->what);
		n = 0;
		st = ST_FAIL;
	}
	for (i = 0; i < n && st != ST_LOST && !intr_pending(); i++) {
		st = exitcode_merge(st, cmd_put_entry(j, v, ldir, rdir,
		    names[i]->d_name));
	}
	for (i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
	free(v);
	return st;
}

/*
 * One entry nm of local folder ldir, into remote folder rdir.  Symbolic
 * links to folders are not followed, so a link loop cannot recurse for
 * ever; what is neither a file nor a folder is skipped.
 */
static int
cmd_put_entry(struct xjob *j, struct xlevel *v, const char *ldir,
    const char *rdir, const char *nm)
{
	struct stat	 sb, lsb;

	if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0) {
		return ST_OK;
	}
	if (path_join(ldir, nm, v->lp, sizeof(v->lp)) == -1 ||
	    path_join(rdir, nm, v->rp, sizeof(v->rp)) == -1) {
		warnx("put %s/%s: path too long", ldir, nm);
		return ST_FAIL;
	}
	(void)snprintf(v->what, sizeof(v->what), "put %s", v->lp);
	if (!remote_name_ok((const uint8_t *)nm, strlen(nm))) {
		warnx("%s: a name the server cannot take; skipped", v->what);
		return ST_FAIL;
	}
	if (lstat(v->lp, &lsb) == -1 || stat(v->lp, &sb) == -1) {
		warn("%s", v->what);
		return ST_FAIL;
	}
	if (S_ISDIR(sb.st_mode) && !S_ISLNK(lsb.st_mode)) {
		return cmd_put_tree(j, v->lp, v->rp);
	}
	if (S_ISREG(sb.st_mode)) {
		return cmd_put_one(j, v->what, v->lp, v->rp);
	}
	if (!j->s->quiet) {
		warnx("%s: not a regular file or folder; skipped", v->what);
	}
	return ST_OK;
}

/*
 * get of one file rpath: LOCAL is a name, a folder to put it in, or "-"
 * (stdout); without LOCAL, the remote file's name here.
 */
static int
cmd_get_file(struct xjob *j, struct cmdctx *x, const char *rpath)
{
	char		 local[PATH_MAX];
	const char	*base = path_basename(rpath);
	int		 n;

	if (*base == '\0') {
		warnx("%s: the root is a folder (get -R fetches folders)",
		    x->what);
		return ST_FAIL;
	}
	if (x->argc < 2) {
		n = snprintf(local, sizeof(local), "%s", base);
	} else if (strcmp(x->argv[1], "-") != 0 &&
	    cmd_is_localdir(x->argv[1])) {
		n = path_join(x->argv[1], base, local, sizeof(local));
	} else {
		n = snprintf(local, sizeof(local), "%s", x->argv[1]);
	}
	if (n < 0 || (size_t)n >= sizeof(local)) {
		warnx("%s: local path too long", x->what);
		return ST_FAIL;
	}
	return cmd_get_one(j, x->what, rpath, local);
}

int
cmd_get(struct client *cl, struct cmdctx *x)
{
	struct xjob	 j;
	char		 rpath[SESSION_PATH_SZ];
	const char	*base, *local;
	enum sess_rc	 rc;
	int		 st;

	if (cmd_rpath(cl, x->what, x->argv[0], rpath) == -1) {
		return ST_FAIL;
	}
	cmd_xjob_start(cl, x, &j);
	if (!(x->opts & CMDLINE_OPT('R'))) {
		st = cmd_get_file(&j, x, rpath);
	} else if ((rc = remote_stat_dir(j.s, rpath)) != SESS_OK) {
		st = session_report(j.s, rc, x->what);
	} else {
		/* LOCAL is the folder itself, created or reused */
		base = path_basename(rpath);
		local = x->argc > 1 ? x->argv[1] : (*base ? base : ".");
		st = cmd_get_tree(&j, rpath, local);
	}
	cmd_xjob_end(&j);
	return st;
}

/*
 * put's remote path into rpath (SESSION_PATH_SZ): REMOTE as given, or
 * LOCAL's name inside REMOTE when that is a folder, or LOCAL's name in
 * the working folder.  ST_OK, or a status after the message.
 */
static int
cmd_put_target(struct xjob *j, struct cmdctx *x, char *rpath)
{
	struct rent	 e;
	const char	*local = x->argv[0], *base = path_basename(local);
	const char	*remote = x->argc > 1 ? x->argv[1] : NULL;
	char		 tmp[SESSION_PATH_SZ];
	enum sess_rc	 rc;
	int		 tree = (x->opts & CMDLINE_OPT('R')) != 0, dir;
	int		 in = strcmp(local, "-") == 0;

	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0) {
		/* "dir/" or "." names a folder by its parent's view */
		base = NULL;
	}
	if (remote == NULL) {
		if (in || base == NULL) {
			warnx(in ? "%s: stdin needs a REMOTE name" :
			    "%s: give the remote folder a name", x->what);
			return ST_USAGE;
		}
		if (path_join(j->s->cwd, base, rpath, SESSION_PATH_SZ) ==
		    -1) {
			warnx("%s: path too long", x->what);
			return ST_FAIL;
		}
		return ST_OK;
	}
	if (path_resolve(j->s->cwd, remote, rpath, SESSION_PATH_SZ) == -1) {
		warnx("%s: path too long", x->what);
		return ST_FAIL;
	}
	dir = *rpath == '\0' ||
	    (*remote != '\0' && remote[strlen(remote) - 1] == '/');
	if (!dir && !tree && !in) {
		/* REMOTE may name a folder to put the file into */
		rc = remote_stat(j->s, rpath, &e);
		if (rc == SESS_OK && e.kind == TFS_KIND_DIR) {
			dir = 1;
		} else if (rc == SESS_LOST || rc == SESS_PROTO ||
		    rc == SESS_INTR) {
			return session_report(j->s, rc, x->what);
		}
	}
	if (!dir || tree) {
		return ST_OK;
	}
	if (base == NULL || in) {
		warnx("%s: give the remote file a name", x->what);
		return ST_USAGE;
	}
	if (path_join(rpath, base, tmp, sizeof(tmp)) == -1) {
		warnx("%s: path too long", x->what);
		return ST_FAIL;
	}
	(void)strlcpy(rpath, tmp, SESSION_PATH_SZ);
	return ST_OK;
}

int
cmd_put(struct client *cl, struct cmdctx *x)
{
	struct xjob	 j;
	char		 rpath[SESSION_PATH_SZ];
	const char	*local = x->argv[0];
	int		 st;

	cmd_xjob_start(cl, x, &j);
	if ((st = cmd_put_target(&j, x, rpath)) != ST_OK) {
		/* nothing to do */
	} else if (!(x->opts & CMDLINE_OPT('R'))) {
		st = cmd_put_one(&j, x->what, local, rpath);
	} else if (!cmd_is_localdir(local)) {
		warnx("%s: not a folder", x->what);
		st = ST_FAIL;
	} else {
		st = cmd_put_tree(&j, local, rpath);
	}
	cmd_xjob_end(&j);
	return st;
}

/*
 * The files of remote folder dir whose names match pattern base.  what
 * names the pattern in messages.
 */
static int
cmd_mget_match(struct xjob *j, const char *what, const char *dir,
    const char *base)
{
	struct rlist	 l;
	const struct rent *e;
	char		 rp[SESSION_PATH_SZ], w[SESSION_PATH_SZ + 16];
	const char	**names = NULL;
	size_t		 i, k, *idx = NULL;
	enum sess_rc	 rc;
	int		 st = ST_OK;

	if ((rc = remote_list(j->s, dir, &l)) != SESS_OK) {
		return session_report(j->s, rc, what);
	}
	names = calloc(l.n + 1, sizeof(*names));
	idx = calloc(l.n + 1, sizeof(*idx));
	if (names == NULL || idx == NULL) {
		warnx("%s: out of memory", what);
		st = ST_FAIL;
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		names[i] = l.ents[i].name;
	}
	k = rglob_filter(base, names, l.n, idx);
	for (i = 0; i < k && st != ST_LOST && !intr_pending(); i++) {
		e = &l.ents[idx[i]];
		if (e->kind != TFS_KIND_FILE ||
		    path_join(dir, e->name, rp, sizeof(rp)) == -1) {
			continue;
		}
		(void)snprintf(w, sizeof(w), "mget /%s", rp);
		st = exitcode_merge(st, cmd_get_one(j, w, rp, e->name));
	}
	if (k == 0) {
		warnx("%s: no match", what);
		st = ST_FAIL;
	}
out:
	free(names);
	free(idx);
	remote_list_free(&l);
	return st;
}

/* mget of one pattern: wildcards in its last component only. */
static int
cmd_mget_pattern(struct client *cl, struct xjob *j, const char *pat)
{
	char		 dirpat[SESSION_PATH_SZ], dir[SESSION_PATH_SZ];
	char		 rp[SESSION_PATH_SZ], what[SESSION_PATH_SZ + 16];
	const char	*base;

	(void)snprintf(what, sizeof(what), "mget %s", pat);
	if (rglob_split(pat, dirpat, sizeof(dirpat), &base) == -1 ||
	    cmd_rpath(cl, what, dirpat, dir) == -1) {
		return ST_FAIL;
	}
	if (rglob_has_magic(base)) {
		return cmd_mget_match(j, what, dir, base);
	}
	/* a plain name: just that file */
	if (path_join(dir, base, rp, sizeof(rp)) == -1) {
		warnx("%s: path too long", what);
		return ST_FAIL;
	}
	return cmd_get_one(j, what, rp, path_basename(rp));
}

int
cmd_mget(struct client *cl, struct cmdctx *x)
{
	struct xjob	 j;
	int		 st = ST_OK, a;

	cmd_xjob_start(cl, x, &j);
	for (a = 0; a < x->argc && st != ST_LOST && !intr_pending(); a++) {
		st = exitcode_merge(st, cmd_mget_pattern(cl, &j, x->argv[a]));
	}
	cmd_xjob_end(&j);
	return st;
}

/* mput of one local pattern: its regular files into remote folder cwd. */
static int
cmd_mput_pattern(struct xjob *j, const char *cwd, const char *pat)
{
	struct stat	 sb;
	glob_t		 g;
	char		 rp[SESSION_PATH_SZ], what[PATH_MAX + 16];
	size_t		 i;
	int		 st = ST_OK, r;

	(void)snprintf(what, sizeof(what), "mput %s", pat);
	memset(&g, 0, sizeof(g));
	if ((r = glob(pat, GLOB_TILDE | GLOB_BRACE, NULL, &g)) != 0) {
		warnx(r == GLOB_NOMATCH ? "%s: no match" : "%s: glob failed",
		    what);
		globfree(&g);
		return ST_FAIL;
	}
	for (i = 0; i < g.gl_pathc && st != ST_LOST && !intr_pending(); i++) {
		(void)snprintf(what, sizeof(what), "mput %s", g.gl_pathv[i]);
		if (stat(g.gl_pathv[i], &sb) == -1) {
			warn("%s", what);
			st = exitcode_merge(st, ST_FAIL);
		} else if (!S_ISREG(sb.st_mode)) {
			if (!j->s->quiet) {
				warnx("%s: not a regular file; skipped",
				    what);
			}
		} else if (path_join(cwd, path_basename(g.gl_pathv[i]), rp,
		    sizeof(rp)) == -1) {
			warnx("%s: path too long", what);
			st = exitcode_merge(st, ST_FAIL);
		} else {
			st = exitcode_merge(st, cmd_put_one(j, what,
			    g.gl_pathv[i], rp));
		}
	}
	globfree(&g);
	return st;
}

int
cmd_mput(struct client *cl, struct cmdctx *x)
{
	struct xjob	 j;
	int		 st = ST_OK, a;

	cmd_xjob_start(cl, x, &j);
	for (a = 0; a < x->argc && st != ST_LOST && !intr_pending(); a++) {
		st = exitcode_merge(st, cmd_mput_pattern(&j, cl->sess.cwd,
		    x->argv[a]));
	}
	cmd_xjob_end(&j);
	return st;
}
