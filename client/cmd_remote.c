/*
 * cmd_remote.c -- the commands on the server's files that move no file
 * body: ls, stat, cd, pwd, rm, mv, mkdir, sum.
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
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd_impl.h"
#include "cmdline.h"
#include "exitcode.h"
#include "path.h"
#include "print.h"
#include "remote.h"

static int	cmd_each_path(struct client *, struct cmdctx *,
		    enum sess_rc (*)(struct session *, const char *),
		    const char *);
static int	cmd_sum_local(struct cmdctx *, const char *,
		    const uint8_t *);

int
cmd_ls(struct client *cl, struct cmdctx *x)
{
	struct rlist	 l;
	struct rent	 e;
	char		 path[SESSION_PATH_SZ];
	enum sess_rc	 rc;
	size_t		 i;
	int		 longfmt = (x->opts & CMDLINE_OPT('l')) != 0;

	if (cmd_rpath(cl, x->what, x->argc ? x->argv[0] : "", path) == -1) {
		return ST_FAIL;
	}
	rc = remote_list(&cl->sess, path, &l);
	if (rc == SESS_ERROR && cl->sess.err_code == TFS_ENOT_A_DIR) {
		/* ls of a file shows that file, as ls(1) does */
		if ((rc = remote_stat(&cl->sess, path, &e)) != SESS_OK) {
			return session_report(&cl->sess, rc, x->what);
		}
		print_entry(&e, x->argv[0], longfmt);
		return ST_OK;
	}
	if (rc != SESS_OK) {
		return session_report(&cl->sess, rc, x->what);
	}
	for (i = 0; i < l.n; i++) {
		print_entry(&l.ents[i], l.ents[i].name, longfmt);
	}
	remote_list_free(&l);
	return ST_OK;
}

int
cmd_stat(struct client *cl, struct cmdctx *x)
{
	struct rent	 e;
	char		 path[SESSION_PATH_SZ];
	enum sess_rc	 rc;

	if (cmd_rpath(cl, x->what, x->argv[0], path) == -1) {
		return ST_FAIL;
	}
	if ((rc = remote_stat(&cl->sess, path, &e)) != SESS_OK) {
		return session_report(&cl->sess, rc, x->what);
	}
	print_stat(path, &e);
	return ST_OK;
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
 * rm and mkdir: op on each PATH argument, each reported on its own; the
 * cached listings it changes are dropped.
 */
static int
cmd_each_path(struct client *cl, struct cmdctx *x,
    enum sess_rc (*op)(struct session *, const char *), const char *verb)
{
	char		 path[SESSION_PATH_SZ], what[SESSION_PATH_SZ + 16];
	enum sess_rc	 rc;
	int		 a, st = ST_OK;

	for (a = 0; a < x->argc && st != ST_LOST; a++) {
		(void)snprintf(what, sizeof(what), "%s %s", verb, x->argv[a]);
		if (cmd_rpath(cl, what, x->argv[a], path) == -1) {
			st = exitcode_merge(st, ST_FAIL);
			continue;
		}
		rc = op(&cl->sess, path);
		rcache_forget_parent(&cl->cache, path);
		rcache_forget(&cl->cache, path);
		st = exitcode_merge(st, session_report(&cl->sess, rc, what));
	}
	return st;
}

int
cmd_rm(struct client *cl, struct cmdctx *x)
{
	return cmd_each_path(cl, x, remote_delete, "rm");
}

int
cmd_mkdir(struct client *cl, struct cmdctx *x)
{
	return cmd_each_path(cl, x, remote_mkdir, "mkdir");
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

int
cmd_sum(struct client *cl, struct cmdctx *x)
{
	uint8_t		 theirs[DIGEST_SHA256_LEN];
	char		 hex[2 * DIGEST_SHA256_LEN + 1];
	char		 path[SESSION_PATH_SZ];
	enum sess_rc	 rc;

	if (cmd_rpath(cl, x->what, x->argv[0], path) == -1) {
		return ST_FAIL;
	}
	if ((rc = remote_sum(&cl->sess, path, theirs)) != SESS_OK) {
		return session_report(&cl->sess, rc, x->what);
	}
	printf("%s  ", digest_hex(theirs, sizeof(theirs), hex));
	print_rpath(stdout, path);
	printf("\n");
	return cmd_sum_local(x, path, theirs);
}

/*
 * sum's second half: a local file of that name (the path as typed, else
 * its last component) is compared with the remote digest theirs.
 */
static int
cmd_sum_local(struct cmdctx *x, const char *path, const uint8_t *theirs)
{
	uint8_t		 mine[DIGEST_SHA256_LEN];
	char		 hex[2 * DIGEST_SHA256_LEN + 1];
	const char	*local = NULL, *arg = x->argv[0];
	struct stat	 sb;
	int		 fd, st = ST_OK;

	if (arg[0] != '/' && stat(arg, &sb) == 0 && S_ISREG(sb.st_mode)) {
		local = arg;
	} else if (*path_basename(path) != '\0' &&
	    stat(path_basename(path), &sb) == 0 && S_ISREG(sb.st_mode)) {
		local = path_basename(path);
	}
	if (local == NULL) {
		return ST_OK;
	}
	if ((fd = open(local, O_RDONLY | O_CLOEXEC)) == -1 ||
	    digest_sha256_fd(fd, mine) == -1) {
		warn("%s: local %s", x->what, local);
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
