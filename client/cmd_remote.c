/*
 * cmd_remote.c -- the commands on the server's files that move no file
 * body: ls, stat, cd, pwd, rm, mv, mkdir, sum.  ls, stat, rm and sum
 * take wildcards in any component of their paths (expand.c).
 *
 * The remote working folder lives on the client side: every path a user
 * types is resolved against it before it goes on the wire, and "cd"
 * checks the folder with STAT.  The commands that change a folder drop
 * its cached listing.  Only what a command is asked to print goes to
 * stdout.
 */

#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <readpassphrase.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_impl.h"
#include "cmdline.h"
#include "exitcode.h"
#include "expand.h"
#include "path.h"
#include "plan.h"
#include "print.h"
#include "remote.h"

static int	cmd_sum_local(const char *, const char *, const uint8_t *);
static int	cmd_expand(struct client *, struct cmdctx *, const char *,
		    struct xpaths *);
static int	cmd_expand_args(struct client *, struct cmdctx *,
		    struct xpaths *);
static int	cmd_each(struct client *, struct cmdctx *,
		    int (*)(struct client *, const char *,
		    const struct xpath *, size_t));
static int	cmd_stat_one(struct client *, const char *,
		    const struct xpath *, size_t);
static int	cmd_sum_one(struct client *, const char *,
		    const struct xpath *, size_t);
static int	cmd_ls_cmp(const void *, const void *);
static void	cmd_ls_print(struct rent *, size_t, uint64_t);
static int	cmd_ls_dir(struct client *, struct cmdctx *,
		    const struct xpath *, int);
static int	cmd_rm_ask(struct client *, struct cmdctx *,
		    const struct xpaths *);
static int	cmd_mkdir_parents(struct client *, const char *,
		    const char *);

/* ls's order for qsort: by -t, -S or name, then -r. */
static uint64_t	cmd_ls_flags;

/*
 * word's paths (wildcards expanded) into *out.  ST_OK, or a status
 * after the message (a pattern matching nothing is ST_FAIL).
 */
static int
cmd_expand(struct client *cl, struct cmdctx *x, const char *word,
    struct xpaths *out)
{
	char		 what[SESSION_PATH_SZ + 32];
	enum sess_rc	 rc;

	if ((rc = expand_remote(&cl->sess, cl->sess.cwd, word, out)) ==
	    SESS_OK) {
		return ST_OK;
	}
	(void)snprintf(what, sizeof(what), "%s %s", x->name, word);
	return session_report(&cl->sess, rc, what);
}

/* Every argument's paths into *out, until the connection is gone. */
static int
cmd_expand_args(struct client *cl, struct cmdctx *x, struct xpaths *out)
{
	int	 a, st = ST_OK;

	for (a = 0; a < x->argc && st != ST_LOST && st != ST_REFUSED; a++) {
		st = exitcode_merge(st, cmd_expand(cl, x, x->argv[a], out));
	}
	return st;
}

/*
 * one(cl, what, path, i) for each path the arguments name, what being
 * "COMMAND PATH" for its messages, until the connection is gone.
 */
static int
cmd_each(struct client *cl, struct cmdctx *x,
    int (*one)(struct client *, const char *, const struct xpath *, size_t))
{
	struct xpaths	 ps = { NULL, 0, 0 };
	char		 what[SESSION_PATH_SZ + 32];
	size_t		 i;
	int		 st;

	st = cmd_expand_args(cl, x, &ps);
	for (i = 0; i < ps.n && st != ST_LOST && st != ST_REFUSED; i++) {
		(void)snprintf(what, sizeof(what), "%s %s", x->name,
		    ps.v[i].shown);
		st = exitcode_merge(st, one(cl, what, &ps.v[i], i));
	}
	expand_free(&ps);
	return st;
}

static int
cmd_ls_cmp(const void *pa, const void *pb)
{
	const struct rent	*a = pa, *b = pb;
	int			 r;

	if ((cmd_ls_flags & CMDLINE_OPT('t')) && a->mtime != b->mtime) {
		r = a->mtime > b->mtime ? -1 : 1;
	} else if ((cmd_ls_flags & CMDLINE_OPT('S')) && a->size != b->size) {
		r = a->size > b->size ? -1 : 1;
	} else {
		r = strcmp(a->name, b->name);
	}
	return (cmd_ls_flags & CMDLINE_OPT('r')) ? -r : r;
}

/* Entries as ls shows them, in its order; dot-files only with -a. */
static void
cmd_ls_print(struct rent *v, size_t n, uint64_t flags)
{
	size_t	 i;
	int	 fmt = 0;

	if (flags & CMDLINE_OPT('l')) {
		fmt |= PRINT_LONG;
	}
	if (flags & CMDLINE_OPT('h')) {
		fmt |= PRINT_LONG | PRINT_HUMAN;
	}
	cmd_ls_flags = flags;
	if (n > 1) {
		qsort(v, n, sizeof(*v), cmd_ls_cmp);
	}
	for (i = 0; i < n; i++) {
		if (v[i].name[0] != '.' || (flags & CMDLINE_OPT('a'))) {
			print_entry(&v[i], v[i].name, fmt);
		}
	}
}

/*
 * One folder of ls (a header before it when several things are
 * listed), or, when p is a file, that file.
 */
static int
cmd_ls_dir(struct client *cl, struct cmdctx *x, const struct xpath *p,
    int header)
{
	struct rlist	 l;
	struct rent	 e;
	enum sess_rc	 rc;
	char		 what[SESSION_PATH_SZ + 32];

	(void)snprintf(what, sizeof(what), "ls %s", p->shown);
	if (p->known && p->e.kind == TFS_KIND_FILE) {
		rc = SESS_ERROR;
		cl->sess.err_code = TFS_ENOT_A_DIR;
	} else {
		rc = remote_list(&cl->sess, p->path, &l);
	}
	if (rc == SESS_ERROR && cl->sess.err_code == TFS_ENOT_A_DIR) {
		/* ls of a file shows that file, as ls(1) does */
		if (p->known) {
			e = p->e;
		} else if ((rc = remote_stat(&cl->sess, p->path, &e)) !=
		    SESS_OK) {
			return session_report(&cl->sess, rc, what);
		}
		e.name = (char *)(uintptr_t)p->shown;
		cmd_ls_print(&e, 1, x->opts | CMDLINE_OPT('a'));
		return ST_OK;
	}
	if (rc != SESS_OK) {
		return session_report(&cl->sess, rc, what);
	}
	if (header) {
		printf("\n");
		print_name(stdout, p->shown);
		printf(":\n");
	}
	cmd_ls_print(l.ents, l.n, x->opts);
	remote_list_free(&l);
	return ST_OK;
}

int
cmd_ls(struct client *cl, struct cmdctx *x)
{
	struct xpaths	 ps = { NULL, 0, 0 };
	size_t		 i;
	int		 st, several;

	if (x->argc == 0) {
		st = cmd_expand(cl, x, "", &ps);
	} else {
		st = cmd_expand_args(cl, x, &ps);
	}
	several = ps.n > 1;
	for (i = 0; i < ps.n && st != ST_LOST && st != ST_REFUSED; i++) {
		st = exitcode_merge(st, cmd_ls_dir(cl, x, &ps.v[i],
		    several && !(ps.v[i].known &&
		    ps.v[i].e.kind == TFS_KIND_FILE)));
	}
	expand_free(&ps);
	return st;
}

/* stat of one path: its entry, a blank line between two. */
static int
cmd_stat_one(struct client *cl, const char *what, const struct xpath *p,
    size_t i)
{
	struct rent	 e;
	enum sess_rc	 rc;

	if ((rc = remote_stat(&cl->sess, p->path, &e)) != SESS_OK) {
		return session_report(&cl->sess, rc, what);
	}
	if (i > 0) {
		printf("\n");
	}
	print_stat(p->path, &e);
	return ST_OK;
}

int
cmd_stat(struct client *cl, struct cmdctx *x)
{
	return cmd_each(cl, x, cmd_stat_one);
}

int
cmd_cd(struct client *cl, struct cmdctx *x)
{
	char		 path[SESSION_PATH_SZ];
	enum sess_rc	 rc;

	if (cmd_rpath(cl, x->what, x->argc ? x->argv[0] : "/", path) == -1) {
		return ST_FAIL;
	}
	if ((rc = remote_stat_dir(&cl->sess, path)) != SESS_OK) {
		return session_report(&cl->sess, rc, x->what);
	}
	(void)strlcpy(cl->sess.cwd, path, sizeof(cl->sess.cwd));
	return ST_OK;
}

int
cmd_pwd(struct client *cl, struct cmdctx *x)
{
	(void)x;
	print_rpath(stdout, cl->sess.cwd);
	printf("\n");
	return ST_OK;
}

/*
 * rm -r in the shell asks once, naming what goes, unless -f.  ST_OK
 * to go on.
 */
static int
cmd_rm_ask(struct client *cl, struct cmdctx *x, const struct xpaths *ps)
{
	char	 ans[16], q[SESSION_PATH_SZ + 96];

	if (!cl->interactive || (x->opts & CMDLINE_OPT('f')) ||
	    !(x->opts & CMDLINE_OPT('r'))) {
		return ST_OK;
	}
	if (ps->n == 1) {
		(void)snprintf(q, sizeof(q), "tfs: remove %s and all it "
		    "holds? [y/N] ", ps->v[0].shown);
	} else {
		(void)snprintf(q, sizeof(q), "tfs: remove %zu paths and all "
		    "they hold? [y/N] ", ps->n);
	}
	if (readpassphrase(q, ans, sizeof(ans), RPP_ECHO_ON |
	    RPP_REQUIRE_TTY) == NULL || (ans[0] != 'y' && ans[0] != 'Y')) {
		warnx("%s: nothing removed", x->what);
		return ST_FAIL;
	}
	return ST_OK;
}

int
cmd_rm(struct client *cl, struct cmdctx *x)
{
	struct xpaths	 ps = { NULL, 0, 0 };
	char		 what[SESSION_PATH_SZ + 32];
	enum sess_rc	 rc;
	size_t		 i;
	int		 st;

	st = cmd_expand_args(cl, x, &ps);
	if (ps.n > 0 && (st == ST_OK || st == ST_FAIL) &&
	    cmd_rm_ask(cl, x, &ps) != ST_OK) {
		expand_free(&ps);
		return ST_FAIL;
	}
	for (i = 0; i < ps.n && st != ST_LOST && st != ST_REFUSED; i++) {
		(void)snprintf(what, sizeof(what), "rm %s", ps.v[i].shown);
		if (*ps.v[i].path == '\0') {
			warnx("%s: the root is not removed", what);
			st = exitcode_merge(st, ST_FAIL);
		} else if (x->opts & CMDLINE_OPT('r')) {
			st = exitcode_merge(st, plan_remove(cl, what,
			    ps.v[i].path));
		} else {
			rc = remote_delete(&cl->sess, ps.v[i].path);
			rcache_forget_parent(&cl->cache, ps.v[i].path);
			rcache_forget(&cl->cache, ps.v[i].path);
			st = exitcode_merge(st, session_report(&cl->sess, rc,
			    what));
		}
	}
	expand_free(&ps);
	return st;
}

/* mkdir -p: each folder on the way to path, those there reused. */
static int
cmd_mkdir_parents(struct client *cl, const char *what, const char *path)
{
	struct session	*s = &cl->sess;
	char		 part[SESSION_PATH_SZ];
	const char	*p = path;
	enum sess_rc	 rc = SESS_OK;

	part[0] = '\0';
	while (rc == SESS_OK && *p != '\0') {
		p += strcspn(p, "/");
		(void)snprintf(part, sizeof(part), "%.*s", (int)(p - path),
		    path);
		rc = remote_mkdir_ok(s, part);
		rcache_forget_parent(&cl->cache, part);
		if (*p == '/') {
			p++;
		}
	}
	if (rc == SESS_ERROR && s->err_code == TFS_ENOT_A_DIR) {
		warnx("%s: /%s: a file is in the way", what, part);
		return ST_FAIL;
	}
	return session_report(s, rc, what);
}

int
cmd_mkdir(struct client *cl, struct cmdctx *x)
{
	char		 path[SESSION_PATH_SZ], what[SESSION_PATH_SZ + 16];
	enum sess_rc	 rc;
	int		 a, st = ST_OK;

	for (a = 0; a < x->argc && st != ST_LOST && st != ST_REFUSED; a++) {
		(void)snprintf(what, sizeof(what), "mkdir %s", x->argv[a]);
		if (cmd_rpath(cl, what, x->argv[a], path) == -1) {
			st = exitcode_merge(st, ST_FAIL);
			continue;
		}
		if (x->opts & CMDLINE_OPT('p')) {
			st = exitcode_merge(st, cmd_mkdir_parents(cl, what,
			    path));
			continue;
		}
		rc = remote_mkdir(&cl->sess, path);
		rcache_forget_parent(&cl->cache, path);
		st = exitcode_merge(st, session_report(&cl->sess, rc, what));
	}
	return st;
}

int
cmd_mv(struct client *cl, struct cmdctx *x)
{
	struct session	*s = &cl->sess;
	struct rent	 e;
	char		 from[SESSION_PATH_SZ], to[SESSION_PATH_SZ];
	char		 into[SESSION_PATH_SZ];
	enum sess_rc	 rc;

	if (cmd_rpath(cl, x->what, x->argv[0], from) == -1 ||
	    cmd_rpath(cl, x->what, x->argv[1], to) == -1) {
		return ST_FAIL;
	}
	rc = remote_rename(s, from, to);
	if (rc == SESS_ERROR && s->err_code == TFS_EEXISTS &&
	    *path_basename(from) != '\0' &&
	    remote_stat(s, to, &e) == SESS_OK && e.kind == TFS_KIND_DIR) {
		/* TO is a folder: move FROM into it (never replacing) */
		if (path_join(to, path_basename(from), into,
		    sizeof(into)) == 0) {
			rc = remote_rename(s, from, into);
			rcache_forget(&cl->cache, to);
		} else {
			rc = SESS_ERROR;
		}
	}
	rcache_forget_parent(&cl->cache, from);
	rcache_forget_parent(&cl->cache, to);
	rcache_forget(&cl->cache, from);
	return session_report(s, rc, x->what);
}

/* sum of one path: the server's digest, then the local file's. */
static int
cmd_sum_one(struct client *cl, const char *what, const struct xpath *p,
    size_t i)
{
	uint8_t		 theirs[DIGEST_SHA256_LEN];
	char		 hex[2 * DIGEST_SHA256_LEN + 1];
	enum sess_rc	 rc;

	(void)i;
	if ((rc = remote_sum(&cl->sess, p->path, theirs)) != SESS_OK) {
		return session_report(&cl->sess, rc, what);
	}
	printf("%s  ", digest_hex(theirs, sizeof(theirs), hex));
	print_rpath(stdout, p->path);
	printf("\n");
	return cmd_sum_local(what, p->shown, theirs);
}

int
cmd_sum(struct client *cl, struct cmdctx *x)
{
	return cmd_each(cl, x, cmd_sum_one);
}

/*
 * sum's second half: a local file of that name (the path as typed, else
 * its last component) is compared with the remote digest theirs.
 */
static int
cmd_sum_local(const char *what, const char *arg, const uint8_t *theirs)
{
	uint8_t		 mine[DIGEST_SHA256_LEN];
	char		 hex[2 * DIGEST_SHA256_LEN + 1];
	const char	*local = NULL;
	struct stat	 sb;
	int		 fd, st = ST_OK;

	if (arg[0] != '/' && stat(arg, &sb) == 0 && S_ISREG(sb.st_mode)) {
		local = arg;
	} else if (*path_basename(arg) != '\0' &&
	    stat(path_basename(arg), &sb) == 0 && S_ISREG(sb.st_mode)) {
		local = path_basename(arg);
	}
	if (local == NULL) {
		return ST_OK;
	}
	if ((fd = open(local, O_RDONLY | O_CLOEXEC)) == -1 ||
	    digest_sha256_fd(fd, mine) == -1) {
		warn("%s: local %s", what, local);
		st = ST_FAIL;
	} else if (memcmp(mine, theirs, sizeof(mine)) == 0) {
		printf("local ");
		print_name(stdout, local);
		printf(": matches\n");
	} else {
		printf("local ");
		print_name(stdout, local);
		printf(": differs (%s)\n", digest_hex(mine, sizeof(mine),
		    hex));
		st = ST_FAIL;
	}
	if (fd != -1) {
		close(fd);
	}
	return st;
}
