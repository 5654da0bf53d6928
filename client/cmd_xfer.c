/*
 * cmd_xfer.c -- get, put, and their aliases mget and mput: what the
 * words name, where each goes, then a plan (plan.h) that moves it.
 *
 * The rules are sftp's and cp's: each source may hold wildcards in any
 * component; with more than one source (a pattern matching several
 * counts) the last word must be an existing folder, checked before
 * anything moves; a source goes into an existing folder under its own
 * name ("get -R dir there" makes there/dir), and to a new name when
 * the target does not exist.  mget and mput take sources only, into
 * the working folder.  Names from the server were checked by
 * remote_list before they become local names.
 */

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_impl.h"
#include "cmdline.h"
#include "exitcode.h"
#include "expand.h"
#include "intr.h"
#include "path.h"
#include "plan.h"
#include "remote.h"
#include "walk.h"

/* One get or put command being planned. */
struct xcmd {
	struct client	*cl;
	struct cmdctx	*x;
	struct plan_opts o;
	struct plan	 plan;
	struct xpaths	 src;		/* what the source words named */
	int		 tree;		/* -R */
	int		 all;		/* mget/mput: every word a source */
	const char	*target;	/* the last word, or NULL */
	int		 into;		/* the target is a folder */
	char		 tdir[PATH_MAX];  /* that folder (local or wire) */
};

static int	cmd_xfer(struct client *, struct cmdctx *, int, int);
static int	cmd_xfer_opts(struct xcmd *);
static int	cmd_xfer_sources(struct xcmd *);
static int	cmd_xfer_target(struct xcmd *);
static int	cmd_xfer_local_dir(const char *);
static int	cmd_xfer_one(struct xcmd *, struct xpath *);
static int	cmd_xfer_tree(struct xcmd *, const struct xpath *,
		    const char *, const char *);
static int	cmd_xfer_kind(struct xcmd *, struct xpath *);

/* 1 when p names a local folder (or ends in '/'). */
static int
cmd_xfer_local_dir(const char *p)
{
	struct stat	 st;
	size_t		 n = strlen(p);

	if (n > 0 && p[n - 1] == '/') {
		return 1;
	}
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The command's flags into the plan's options.  ST_OK or ST_USAGE. */
static int
cmd_xfer_opts(struct xcmd *c)
{
	const char	*errstr = NULL, *j;
	uint64_t	 f = c->x->opts;

	c->o.xo = c->cl->xo;
	c->o.xo.resume |= (f & (CMDLINE_OPT('a') | CMDLINE_OPT('r'))) != 0;
	c->o.xo.verify |= (f & CMDLINE_OPT('v')) != 0;
	c->o.xo.noclobber |= (f & CMDLINE_OPT('n')) != 0;
	c->o.preserve = (f & CMDLINE_OPT('p')) != 0;
	c->tree = (f & CMDLINE_OPT('R')) != 0;
	c->o.jobs = 1;
	if ((j = c->x->ov.arg['j' - 'A']) != NULL) {
		c->o.jobs = (int)strtonum(j, 1, PLAN_JOBS_MAX, &errstr);
		if (errstr != NULL) {
			warnx("%s: -j %s: %s (1 to %d)", c->x->what, j, errstr,
			    PLAN_JOBS_MAX);
			return ST_USAGE;
		}
	}
	return ST_OK;
}

/*
 * A source named without wildcards: is it there, and a file or a
 * folder?  ST_OK, or a status after the message.
 */
static int
cmd_xfer_kind(struct xcmd *c, struct xpath *p)
{
	struct session	*s = &c->cl->sess;
	struct stat	 sb;
	enum sess_rc	 rc;
	char		 what[PATH_MAX + 32];

	if (p->known) {
		return ST_OK;
	}
	if (!c->o.put && !c->tree && !c->o.preserve) {
		/* GET tells a folder from a file itself (NOT_A_FILE) */
		p->e.kind = TFS_KIND_FILE;
		p->known = 1;
		return ST_OK;
	}
	(void)snprintf(what, sizeof(what), "%s %s", c->o.verb, p->shown);
	if (c->o.put) {
		if (strcmp(p->path, "-") == 0) {
			p->e.kind = TFS_KIND_FILE;
		} else if (stat(p->path, &sb) == -1) {
			warn("%s", what);
			return ST_FAIL;
		} else {
			p->e.kind = S_ISDIR(sb.st_mode) ? TFS_KIND_DIR :
			    TFS_KIND_FILE;
			p->e.size = (uint64_t)sb.st_size;
			p->e.mtime = sb.st_mtime;
		}
	} else if ((rc = remote_stat(s, p->path, &p->e)) != SESS_OK) {
		return session_report(s, rc, what);
	}
	p->known = 1;
	return ST_OK;
}

/* Every source word expanded into c->src.  ST_OK or a status. */
static int
cmd_xfer_sources(struct xcmd *c)
{
	struct session	*s = &c->cl->sess;
	struct cmdctx	*x = c->x;
	enum sess_rc	 rc;
	char		 what[PATH_MAX + 32];
	int		 a, n = x->argc, st = ST_OK;

	if (!c->all && n > 1) {
		c->target = x->argv[--n];
	}
	for (a = 0; a < n; a++) {
		(void)snprintf(what, sizeof(what), "%s %s", c->o.verb,
		    x->argv[a]);
		if (c->o.put) {
			if (expand_local(x->argv[a], &c->src) == -1) {
				warnx("%s: %s", what, errno == ENOENT ?
				    "no match" : strerror(errno));
				st = exitcode_merge(st, ST_FAIL);
			}
		} else if ((rc = expand_remote(s, s->cwd, x->argv[a],
		    &c->src)) != SESS_OK) {
			st = exitcode_merge(st, session_report(s, rc, what));
			if (st == ST_LOST || st == ST_REFUSED) {
				return st;
			}
		}
	}
	if (c->src.n > 1 && c->target != NULL && strcmp(c->target, "-") == 0) {
		warnx("%s: several files cannot go to one stream", x->what);
		return ST_USAGE;
	}
	return st;
}

/*
 * Where the sources go: into a folder (the target when it is one, the
 * working folder without one), or to the target's name.  Several
 * sources need a folder: else ST_FAIL before anything moves.
 */
static int
cmd_xfer_target(struct xcmd *c)
{
	struct session	*s = &c->cl->sess;
	struct rent	 e;
	enum sess_rc	 rc;
	const char	*t = c->target;
	size_t		 n;

	if (t == NULL) {
		c->into = 1;
		(void)strlcpy(c->tdir, c->o.put ? s->cwd : ".",
		    sizeof(c->tdir));
		return ST_OK;
	}
	n = strlen(t);
	if (!c->o.put) {
		c->into = strcmp(t, "-") != 0 && cmd_xfer_local_dir(t);
		(void)strlcpy(c->tdir, t, sizeof(c->tdir));
	} else {
		if (cmd_rpath(c->cl, c->x->what, t, c->tdir) == -1) {
			return ST_FAIL;
		}
		c->into = *c->tdir == '\0' || (n > 0 && t[n - 1] == '/');
		if (!c->into) {
			rc = remote_stat(s, c->tdir, &e);
			if (rc == SESS_OK) {
				c->into = e.kind == TFS_KIND_DIR;
			} else if (rc != SESS_ERROR) {
				return session_report(s, rc, c->x->what);
			}
		}
	}
	if (c->src.n > 1 && !c->into) {
		warnx("%s: %s is not %s folder; with several sources the last "
		    "must be one (nothing copied)", c->x->what, t,
		    c->o.put ? "a remote" : "a local");
		return ST_FAIL;
	}
	return ST_OK;
}

/* A folder source p, copied whole to dst (shown as p->shown). */
static int
cmd_xfer_tree(struct xcmd *c, const struct xpath *p, const char *dst,
    const char *what)
{
	struct wtree	 t = { NULL, 0, 0 };
	int		 st;

	if (c->o.put) {
		st = walk_local(what, p->path, &t);
	} else {
		st = walk_remote(&c->cl->sess, what, p->path, p->shown, &t);
	}
	if (st != ST_LOST && st != ST_REFUSED &&
	    walk_plan(&c->plan, &t, c->o.put, p->path, dst, p->shown,
	    p->e.mtime) == -1) {
		warnx("%s: out of memory", what);
		st = ST_FAIL;
	}
	walk_free(&t);
	return st;
}

/* One source into the plan. */
static int
cmd_xfer_one(struct xcmd *c, struct xpath *p)
{
	char		 dst[PATH_MAX], what[PATH_MAX + 32];
	const char	*base = path_basename(p->path);
	int		 st;

	(void)snprintf(what, sizeof(what), "%s %s", c->o.verb, p->shown);
	if ((st = cmd_xfer_kind(c, p)) != ST_OK) {
		return st;
	}
	if (c->o.put && strcmp(p->path, "-") == 0 && c->into) {
		warnx("%s: stdin needs a REMOTE file name", what);
		return ST_USAGE;
	}
	if (c->o.put && (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
	    *base == '\0')) {
		base = "";
	}
	if (!c->into) {
		(void)strlcpy(dst, c->o.put ? c->tdir : c->target,
		    sizeof(dst));
	} else if (*base == '\0' && p->e.kind == TFS_KIND_DIR) {
		/* the root or "dir/.": its contents go into the folder */
		(void)strlcpy(dst, c->tdir, sizeof(dst));
	} else if (*base == '\0') {
		warnx("%s: give the %s file a name", what, c->o.put ?
		    "remote" : "local");
		return ST_USAGE;
	} else if (walk_join(c->o.put || strcmp(c->tdir, ".") != 0 ?
	    c->tdir : "", base, dst, sizeof(dst)) == -1) {
		warnx("%s: path too long", what);
		return ST_FAIL;
	}
	if (p->e.kind == TFS_KIND_DIR) {
		if (c->tree) {
			return cmd_xfer_tree(c, p, dst, what);
		}
		/* a pattern's folders are passed over; a folder named fails */
		if (c->all || p->matched) {
			if (!c->cl->sess.quiet) {
				warnx("%s: a folder (-R copies folders); "
				    "skipped", what);
			}
			return ST_OK;
		}
		warnx("%s: a folder (%s -R copies folders)", what, c->o.verb);
		return ST_FAIL;
	}
	return plan_add(&c->plan, PLAN_FILE, p->path, dst, p->shown,
	    p->e.size, p->e.mtime) == 0 ? ST_OK : ST_FAIL;
}

/* A status after which nothing more is tried. */
#define CMD_XFER_STOP(st) \
	((st) == ST_LOST || (st) == ST_REFUSED || (st) == ST_USAGE)

static int
cmd_xfer(struct client *cl, struct cmdctx *x, int put, int all)
{
	struct xcmd	 c;
	uint64_t	 moved;
	size_t		 i;
	int		 st, r;

	memset(&c, 0, sizeof(c));
	c.cl = cl;
	c.x = x;
	c.all = all;
	c.o.put = put;
	c.o.verb = x->name;
	if ((st = cmd_xfer_opts(&c)) != ST_OK) {
		return st;
	}
	st = cmd_xfer_sources(&c);
	if (c.src.n == 0 || CMD_XFER_STOP(st)) {
		goto out;
	}
	if ((r = cmd_xfer_target(&c)) != ST_OK) {
		/* nothing is copied */
		st = exitcode_merge(st, r);
		goto out;
	}
	for (i = 0; i < c.src.n && !CMD_XFER_STOP(st) && !intr_pending();
	    i++) {
		st = exitcode_merge(st, cmd_xfer_one(&c, &c.src.v[i]));
	}
	if (c.plan.n > 0 && !CMD_XFER_STOP(st) && !intr_pending()) {
		st = exitcode_merge(st, plan_run(cl, &c.plan, &c.o, &moved));
	}
out:
	expand_free(&c.src);
	plan_free(&c.plan);
	return intr_pending() ? exitcode_merge(st, ST_FAIL) : st;
}

int
cmd_get(struct client *cl, struct cmdctx *x)
{
	return cmd_xfer(cl, x, 0, 0);
}

int
cmd_put(struct client *cl, struct cmdctx *x)
{
	return cmd_xfer(cl, x, 1, 0);
}

int
cmd_mget(struct client *cl, struct cmdctx *x)
{
	return cmd_xfer(cl, x, 0, 1);
}

int
cmd_mput(struct client *cl, struct cmdctx *x)
{
	return cmd_xfer(cl, x, 1, 1);
}
