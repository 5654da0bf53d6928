/*
 * commands.c -- what each command of tfs does.
 *
 * The remote working folder lives here, on the client side: every path a
 * user types is resolved against it (common/path.c) before it goes on the
 * wire, and "cd" checks the folder with STAT.  Names that come back from
 * the server are checked before they are used as local file names (get
 * -R, mget), so a hostile server cannot write outside the target folder.
 * Only what a command is asked to print goes to stdout.
 */

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "complete.h"
#include "exitcode.h"
#include "intr.h"
#include "path.h"
#include "progress.h"
#include "rglob.h"

#define CMD_MAX_ENTRIES	(4 * 1024 * 1024)  /* a LIST bigger is hostile */
#define CMD_PATH	(PATH_MAX_LEN + 1)

struct cmdctx;

struct cmd {
	const char	*name;
	int		(*fn)(struct client *, struct cmdctx *);
	const char	*opts;		/* option letters */
	int		 min, max;	/* positional arguments (-1: any) */
	int		 net;		/* needs the server */
	const char	*args;		/* per argument: r remote, l local,
					   c command; a final '+' repeats */
	const char	*usage;
	const char	*help;
};

/*
 * One transfer command's run: the connection it uses, its options (the
 * client's, with the command's flags), and its files' total line.
 */
struct xjob {
	struct session		*s;
	struct xfer_opts	 o;
	struct progress_total	 t;
};

struct cmdctx {
	const struct cmd *cmd;
	int		 argc;		/* positional arguments */
	char		**argv;
	uint64_t	 opts;
	char		 what[1024];	/* "get big.iso", for messages */
};

static int	cmd_ls(struct client *, struct cmdctx *);
static int	cmd_stat(struct client *, struct cmdctx *);
static int	cmd_cd(struct client *, struct cmdctx *);
static int	cmd_pwd(struct client *, struct cmdctx *);
static int	cmd_get(struct client *, struct cmdctx *);
static int	cmd_put(struct client *, struct cmdctx *);
static int	cmd_mget(struct client *, struct cmdctx *);
static int	cmd_mput(struct client *, struct cmdctx *);
static int	cmd_each_path(struct client *, struct cmdctx *, uint8_t,
		    const char *);
static int	cmd_rm(struct client *, struct cmdctx *);
static int	cmd_mv(struct client *, struct cmdctx *);
static int	cmd_mkdir(struct client *, struct cmdctx *);
static int	cmd_sum(struct client *, struct cmdctx *);
static int	cmd_lcd(struct client *, struct cmdctx *);
static int	cmd_lpwd(struct client *, struct cmdctx *);
static int	cmd_lls(struct client *, struct cmdctx *);
static int	cmd_help(struct client *, struct cmdctx *);
static int	cmd_quit(struct client *, struct cmdctx *);
static int	cmd_shell(const char *);

static const struct cmd	*cmd_find(const char *);
static int	cmd_rpath(struct client *, const char *, const char *, char *);
static enum sess_rc cmd_stat_path(struct session *, const char *,
		    struct rent *);
static enum sess_rc cmd_simple(struct session *, const struct tfs_msg *);
static void	cmd_putname(FILE *, const char *);
static void	cmd_print_entry(const struct rent *, const char *, int);
static void	cmd_modestr(uint8_t, uint32_t, char *);
static void	cmd_xjob_start(struct client *, const struct cmdctx *,
		    struct xjob *);
static void	cmd_xjob_end(struct xjob *);
static int	cmd_get_tree(struct xjob *, const char *, const char *);
static int	cmd_put_tree(struct xjob *, const char *, const char *);
static int	cmd_get_one(struct xjob *, const char *, const char *,
		    const char *);
static int	cmd_put_one(struct xjob *, const char *, const char *,
		    const char *);
static int	cmd_mkdir_ok(struct xjob *, const char *, const char *);
static void	cmd_forget_parent(const char *);
static int	cmd_is_localdir(const char *);

static const struct cmd cmd_table[] = {
	{ "ls", cmd_ls, "l", 0, 1, 1, "r", "ls [-l] [PATH]",
	    "list a remote folder (-l: kind, mode, size, date)" },
	{ "stat", cmd_stat, "", 1, 1, 1, "r", "stat PATH",
	    "show a remote file or folder" },
	{ "cd", cmd_cd, "", 0, 1, 1, "r", "cd [PATH]",
	    "change the remote working folder (no PATH: the root)" },
	{ "pwd", cmd_pwd, "", 0, 0, 0, "", "pwd",
	    "print the remote working folder" },
	{ "get", cmd_get, "rRv", 1, 2, 1, "rl", "get [-rRv] REMOTE [LOCAL]",
	    "download (LOCAL may be a folder, - is stdout; -r resume, "
	    "-R a whole folder, -v verify)" },
	{ "put", cmd_put, "rRvn", 1, 2, 1, "lr", "put [-rRvn] LOCAL [REMOTE]",
	    "upload (REMOTE may be a folder, LOCAL - is stdin; -r resume, "
	    "-R a whole folder, -v verify, -n never replace)" },
	{ "mget", cmd_mget, "rv", 1, -1, 1, "r+", "mget [-rv] PATTERN...",
	    "download the remote files matching each pattern" },
	{ "mput", cmd_mput, "rvn", 1, -1, 1, "l+", "mput [-rvn] PATTERN...",
	    "upload the local files matching each pattern" },
	{ "rm", cmd_rm, "", 1, -1, 1, "r+", "rm PATH...",
	    "remove remote files or empty folders" },
	{ "mv", cmd_mv, "", 2, 2, 1, "rr", "mv FROM TO",
	    "rename or move (TO may be a folder; never replaces)" },
	{ "mkdir", cmd_mkdir, "", 1, -1, 1, "r+", "mkdir PATH...",
	    "create remote folders" },
	{ "sum", cmd_sum, "", 1, 1, 1, "r", "sum PATH",
	    "SHA-256 of a remote file, compared with a local one of that "
	    "name" },
	{ "lcd", cmd_lcd, "", 0, 1, 0, "l", "lcd [DIR]",
	    "change the local working folder" },
	{ "lpwd", cmd_lpwd, "", 0, 0, 0, "", "lpwd",
	    "print the local working folder" },
	{ "lls", cmd_lls, "l", 0, 1, 0, "l", "lls [-l] [DIR]",
	    "list a local folder" },
	{ "help", cmd_help, "", 0, 1, 0, "c", "help [COMMAND]",
	    "this list, or one command" },
	{ "quit", cmd_quit, "", 0, 0, 0, "", "quit", "leave" },
	{ "exit", cmd_quit, "", 0, 0, 0, "", "exit", "leave" },
};
#define CMD_COUNT	(sizeof(cmd_table) / sizeof(cmd_table[0]))

static const struct cmd *
cmd_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < CMD_COUNT; i++) {
		if (strcmp(cmd_table[i].name, name) == 0) {
			return &cmd_table[i];
		}
	}
	return NULL;
}

const char *
cmd_name(size_t i)
{
	return i < CMD_COUNT ? cmd_table[i].name : NULL;
}

enum cmd_arg
cmd_arg_kind(const char *name, int argi)
{
	const struct cmd	*c;
	size_t			 n;
	char			 k;

	if ((c = cmd_find(name)) == NULL || argi < 0) {
		return CMD_ARG_NONE;
	}
	n = strlen(c->args);
	if (n > 0 && c->args[n - 1] == '+') {
		n--;
		k = (size_t)argi < n ? c->args[argi] : c->args[n - 1];
	} else if ((size_t)argi < n) {
		k = c->args[argi];
	} else {
		return CMD_ARG_NONE;
	}
	switch (k) {
	case 'r':
		return CMD_ARG_REMOTE;
	case 'l':
		return CMD_ARG_LOCAL;
	case 'c':
		return CMD_ARG_COMMAND;
	default:
		return CMD_ARG_NONE;
	}
}

int
cmd_name_ok(const uint8_t *p, size_t len)
{
	if (len == 0 || len > PATH_COMP_MAX || memchr(p, '/', len) != NULL) {
		return 0;
	}
	/* ".", "..", control bytes, ".tfs-": the wire rules for a name */
	return path_check((const char *)p, len, 0) == PATH_OK;
}

void
cmd_list_free(struct rent *ents, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(ents[i].name);
	}
	free(ents);
}

enum sess_rc
cmd_list(struct session *s, const char *path, struct rent **entsp,
    size_t *np)
{
	struct tfs_msg	 req = { .type = TFS_LIST }, m;
	struct rent	*ents = NULL, *ne;
	size_t		 n = 0, cap = 0, seen = 0;
	enum sess_rc	 rc;

	*entsp = NULL;
	*np = 0;
	req.path = tfs_str_c(path);
	rc = session_call(s, &req, &m, SESSION_REPLY_MS);
	for (;;) {
		if (rc == SESS_AGAIN) {
			rc = session_lost(s, ETIMEDOUT);
		}
		if (rc != SESS_OK) {
			goto fail;
		}
		if (m.type == TFS_END) {
			if (m.count != seen) {
				rc = session_proto(s, "LIST: END %llu after "
				    "%zu entries", (unsigned long long)m.count,
				    seen);
				goto fail;
			}
			break;
		}
		if (m.type == TFS_ERROR) {
			rc = session_error(s, &m);
			goto fail;
		}
		if (m.type != TFS_ENTRY) {
			rc = session_proto(s, "%s in reply to LIST",
			    tfs_type_name(m.type));
			goto fail;
		}
		if (m.kind != TFS_KIND_FILE && m.kind != TFS_KIND_DIR) {
			rc = session_proto(s, "LIST: entry of kind 0x%02x",
			    m.kind);
			goto fail;
		}
		seen++;
		if (!cmd_name_ok(m.name.p, m.name.len)) {
			/*
			 * A name no request could reach ("../x", control
			 * bytes): never shown, never a local file name.
			 */
			rc = session_recv(s, &m, SESSION_REPLY_MS);
			continue;
		}
		if (n == cap) {
			if (seen >= CMD_MAX_ENTRIES) {
				rc = session_proto(s, "LIST: too many "
				    "entries");
				goto fail;
			}
			cap = cap ? cap * 2 : 64;
			if ((ne = reallocarray(ents, cap, sizeof(*ents))) ==
			    NULL) {
				session_drop(s);
				(void)snprintf(s->errmsg, sizeof(s->errmsg),
				    "out of memory");
				rc = SESS_ERROR;
				goto fail;
			}
			ents = ne;
		}
		ents[n].name = strndup((const char *)m.name.p, m.name.len);
		if (ents[n].name == NULL) {
			session_drop(s);
			(void)snprintf(s->errmsg, sizeof(s->errmsg),
			    "out of memory");
			rc = SESS_ERROR;
			goto fail;
		}
		ents[n].size = m.size;
		ents[n].mtime = m.mtime;
		ents[n].mode = m.mode;
		ents[n].kind = m.kind;
		n++;
		rc = session_recv(s, &m, SESSION_REPLY_MS);
	}
	*entsp = ents;
	*np = n;
	return SESS_OK;
fail:
	cmd_list_free(ents, n);
	return rc;
}

/* STAT path into *e (e->name left NULL). */
static enum sess_rc
cmd_stat_path(struct session *s, const char *path, struct rent *e)
{
	struct tfs_msg	 req = { .type = TFS_STAT }, m;
	enum sess_rc	 rc;

	req.path = tfs_str_c(path);
	if ((rc = session_call(s, &req, &m, SESSION_REPLY_MS)) != SESS_OK) {
		return rc;
	}
	if (m.type != TFS_ENTRY) {
		return session_proto(s, "%s in reply to STAT",
		    tfs_type_name(m.type));
	}
	if (m.kind != TFS_KIND_FILE && m.kind != TFS_KIND_DIR) {
		return session_proto(s, "STAT: bad kind");
	}
	memset(e, 0, sizeof(*e));
	e->size = m.size;
	e->mtime = m.mtime;
	e->mode = m.mode;
	e->kind = m.kind;
	return SESS_OK;
}

/* A request answered by OK. */
static enum sess_rc
cmd_simple(struct session *s, const struct tfs_msg *req)
{
	struct tfs_msg	 m;
	enum sess_rc	 rc;

	if ((rc = session_call(s, req, &m, SESSION_REPLY_MS)) != SESS_OK) {
		return rc;
	}
	if (m.type != TFS_OK) {
		return session_proto(s, "%s in reply to %s",
		    tfs_type_name(m.type), tfs_type_name(req->type));
	}
	return SESS_OK;
}

/* arg resolved against the remote working folder into out (CMD_PATH). */
static int
cmd_rpath(struct client *cl, const char *what, const char *arg, char *out)
{
	if (path_resolve(cl->sess.cwd, arg, out, CMD_PATH) == -1) {
		warnx("%s: path too long", what);
		return -1;
	}
	return 0;
}

/* Drop completion's listing of the folder holding path. */
static void
cmd_forget_parent(const char *path)
{
	const char	*base = path_basename(path);
	char		 dir[CMD_PATH];
	size_t		 n = (size_t)(base - path);

	if (n > 0) {
		n--;	/* the '/' */
	}
	if (n >= sizeof(dir)) {
		complete_forget_all();
		return;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	complete_forget(dir);
}

/* A name from anywhere, with control bytes shown as '?' (as ls does). */
static void
cmd_putname(FILE *fp, const char *name)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		(void)putc(*p < 0x20 || *p == 0x7f ? '?' : *p, fp);
	}
}

static void
cmd_modestr(uint8_t kind, uint32_t mode, char *buf)
{
	static const char	 rwx[] = "rwxrwxrwx";
	int			 i;

	buf[0] = kind == TFS_KIND_DIR ? 'd' : '-';
	for (i = 0; i < 9; i++) {
		buf[i + 1] = (mode & (1u << (8 - i))) ? rwx[i] : '-';
	}
	buf[10] = '\0';
}

/*
 * One entry: the name (folders marked with '/'), or with longfmt kind
 * and mode, size in units and in bytes, date, name.
 */
static void
cmd_print_entry(const struct rent *e, const char *name, int longfmt)
{
	char		 mode[12], human[8], date[32];
	struct tm	 tm;
	time_t		 t = (time_t)e->mtime;

	if (longfmt) {
		cmd_modestr(e->kind, e->mode, mode);
		if (localtime_r(&t, &tm) == NULL ||
		    strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm) == 0) {
			(void)strlcpy(date, "?", sizeof(date));
		}
		if (e->kind == TFS_KIND_DIR) {
			(void)strlcpy(human, "-", sizeof(human));
		} else {
			progress_bytes(human, sizeof(human), e->size);
		}
		printf("%s %5s %13llu  %s  ", mode, human,
		    (unsigned long long)e->size, date);
	}
	cmd_putname(stdout, name);
	printf("%s\n", e->kind == TFS_KIND_DIR ? "/" : "");
}

/*
 * Begin a transfer command: its options are the client's, with the
 * command's flags (-r resume, -v verify, -n never replace) on top.
 */
static void
cmd_xjob_start(struct client *cl, const struct cmdctx *x, struct xjob *j)
{
	j->s = &cl->sess;
	j->o = cl->xo;
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

static int
cmd_ls(struct client *cl, struct cmdctx *x)
{
	struct rent	*ents, e;
	char		 path[CMD_PATH];
	enum sess_rc	 rc;
	size_t		 n, i;
	int		 longfmt = (x->opts & CMDLINE_OPT('l')) != 0;

	if (cmd_rpath(cl, x->what, x->argc ? x->argv[0] : "", path) == -1) {
		return ST_FAIL;
	}
	rc = cmd_list(&cl->sess, path, &ents, &n);
	if (rc == SESS_ERROR && cl->sess.err_code == TFS_ENOT_A_DIR) {
		/* ls of a file shows that file, as ls(1) does */
		if ((rc = cmd_stat_path(&cl->sess, path, &e)) != SESS_OK) {
			return session_report(&cl->sess, rc, x->what);
		}
		cmd_print_entry(&e, x->argv[0], longfmt);
		return ST_OK;
	}
	if (rc != SESS_OK) {
		return session_report(&cl->sess, rc, x->what);
	}
	for (i = 0; i < n; i++) {
		cmd_print_entry(&ents[i], ents[i].name, longfmt);
	}
	cmd_list_free(ents, n);
	return ST_OK;
}

static int
cmd_stat(struct client *cl, struct cmdctx *x)
{
	struct rent	 e;
	char		 path[CMD_PATH], mode[12], human[8], date[64];
	struct tm	 tm;
	time_t		 t;
	enum sess_rc	 rc;

	if (cmd_rpath(cl, x->what, x->argv[0], path) == -1) {
		return ST_FAIL;
	}
	if ((rc = cmd_stat_path(&cl->sess, path, &e)) != SESS_OK) {
		return session_report(&cl->sess, rc, x->what);
	}
	t = (time_t)e.mtime;
	if (localtime_r(&t, &tm) == NULL || strftime(date, sizeof(date),
	    "%Y-%m-%d %H:%M:%S %z", &tm) == 0) {
		(void)strlcpy(date, "?", sizeof(date));
	}
	cmd_modestr(e.kind, e.mode, mode);
	printf("path:  /");
	cmd_putname(stdout, path);
	printf("\nkind:  %s\n", e.kind == TFS_KIND_DIR ? "folder" : "file");
	printf("size:  %llu (%s)\n", (unsigned long long)e.size,
	    progress_bytes(human, sizeof(human), e.size));
	printf("mode:  %04o %s\n", e.mode & 07777, mode);
	printf("mtime: %s (%lld)\n", date, (long long)e.mtime);
	return ST_OK;
}

static int
cmd_cd(struct client *cl, struct cmdctx *x)
{
	struct rent	 e;
	char		 path[CMD_PATH];
	enum sess_rc	 rc;

	if (cmd_rpath(cl, x->what, x->argc ? x->argv[0] : "/", path) == -1) {
		return ST_FAIL;
	}
	if ((rc = cmd_stat_path(&cl->sess, path, &e)) != SESS_OK) {
		return session_report(&cl->sess, rc, x->what);
	}
	if (e.kind != TFS_KIND_DIR) {
		warnx("%s: %s (%s)", x->what, tfs_err_text(TFS_ENOT_A_DIR),
		    tfs_err_name(TFS_ENOT_A_DIR));
		return ST_FAIL;
	}
	(void)strlcpy(cl->sess.cwd, path, sizeof(cl->sess.cwd));
	return ST_OK;
}

static int
cmd_pwd(struct client *cl, struct cmdctx *x)
{
	(void)x;
	printf("/");
	cmd_putname(stdout, cl->sess.cwd);
	printf("\n");
	return ST_OK;
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

static int
cmd_put_one(struct xjob *j, const char *what, const char *local,
    const char *rpath)
{
	uint64_t	 moved;
	int		 st;

	st = xfer_put(j->s, &j->o, what, local, rpath, &moved);
	cmd_forget_parent(rpath);
	if (st == ST_OK) {
		progress_total_add(&j->t, moved);
	}
	return st;
}

/*
 * get -R: remote folder rdir into local folder ldir (created, or reused
 * when it exists), recursively.  Buffers are on the heap: a deep tree
 * must not exhaust the stack.
 */
static int
cmd_get_tree(struct xjob *j, const char *rdir, const char *ldir)
{
	struct rent	*ents = NULL;
	struct stat	 sb;
	enum sess_rc	 rc;
	size_t		 n = 0, i;
	char		*rp, *lp, *what;
	int		 st = ST_OK, r;

	rp = malloc(CMD_PATH);
	lp = malloc(PATH_MAX);
	what = malloc(CMD_PATH + 16);
	if (rp == NULL || lp == NULL || what == NULL) {
		warnx("get -R: out of memory");
		st = ST_FAIL;
		goto out;
	}
	(void)snprintf(what, CMD_PATH + 16, "get /%s", rdir);
	if (mkdir(ldir, 0777) == -1 && (errno != EEXIST ||
	    stat(ldir, &sb) == -1 || !S_ISDIR(sb.st_mode))) {
		warn("%s: %s", what, ldir);
		st = ST_FAIL;
		goto out;
	}
	if ((rc = cmd_list(j->s, rdir, &ents, &n)) != SESS_OK) {
		st = session_report(j->s, rc, what);
		goto out;
	}
	for (i = 0; i < n && st != ST_LOST && !intr_pending(); i++) {
		if (path_join(rdir, ents[i].name, rp, CMD_PATH) == -1 ||
		    path_join(ldir, ents[i].name, lp, PATH_MAX) == -1) {
			warnx("get /%s/%s: path too long", rdir,
			    ents[i].name);
			st = exitcode_merge(st, ST_FAIL);
			continue;
		}
		if (ents[i].kind == TFS_KIND_DIR) {
			r = cmd_get_tree(j, rp, lp);
		} else {
			(void)snprintf(what, CMD_PATH + 16, "get /%s", rp);
			r = cmd_get_one(j, what, rp, lp);
		}
		st = exitcode_merge(st, r);
	}
out:
	cmd_list_free(ents, n);
	free(rp);
	free(lp);
	free(what);
	return st;
}

static int
cmd_get(struct client *cl, struct cmdctx *x)
{
	struct xjob		 j;
	struct rent		 e;
	char			 rpath[CMD_PATH], local[PATH_MAX];
	const char		*base, *arg;
	enum sess_rc		 rc;
	int			 st, n;

	if (cmd_rpath(cl, x->what, x->argv[0], rpath) == -1) {
		return ST_FAIL;
	}
	base = path_basename(rpath);
	cmd_xjob_start(cl, x, &j);
	if (x->opts & CMDLINE_OPT('R')) {
		if ((rc = cmd_stat_path(&cl->sess, rpath, &e)) != SESS_OK) {
			st = session_report(&cl->sess, rc, x->what);
			goto out;
		}
		if (e.kind != TFS_KIND_DIR) {
			warnx("%s: %s (%s)", x->what,
			    tfs_err_text(TFS_ENOT_A_DIR),
			    tfs_err_name(TFS_ENOT_A_DIR));
			st = ST_FAIL;
			goto out;
		}
		/* LOCAL is the folder itself, created or reused */
		arg = x->argc > 1 ? x->argv[1] : (*base ? base : ".");
		st = cmd_get_tree(&j, rpath, arg);
		goto out;
	}
	if (*base == '\0') {
		warnx("%s: the root is a folder (get -R fetches folders)",
		    x->what);
		st = ST_FAIL;
		goto out;
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
		st = ST_FAIL;
		goto out;
	}
	st = cmd_get_one(&j, x->what, rpath, local);
out:
	cmd_xjob_end(&j);
	return st;
}

/*
 * MKDIR rpath, reusing a folder that exists.  ST_OK or a status after
 * the message.
 */
static int
cmd_mkdir_ok(struct xjob *j, const char *what, const char *rpath)
{
	struct tfs_msg	 req = { .type = TFS_MKDIR };
	struct rent	 e;
	enum sess_rc	 rc;

	if (*rpath == '\0') {
		return ST_OK;	/* the root is there */
	}
	req.path = tfs_str_c(rpath);
	rc = cmd_simple(j->s, &req);
	cmd_forget_parent(rpath);
	if (rc == SESS_ERROR && j->s->err_code == TFS_EEXISTS) {
		rc = cmd_stat_path(j->s, rpath, &e);
		if (rc == SESS_OK && e.kind != TFS_KIND_DIR) {
			warnx("%s: /%s: %s (%s)", what, rpath,
			    tfs_err_text(TFS_ENOT_A_DIR),
			    tfs_err_name(TFS_ENOT_A_DIR));
			return ST_FAIL;
		}
	}
	return session_report(j->s, rc, what);
}

/*
 * put -R: local folder ldir into remote folder rdir, folders created
 * top-down (existing ones reused).  Symbolic links to folders are not
 * followed, so a link loop cannot recurse for ever.
 */
static int
cmd_put_tree(struct xjob *j, const char *ldir, const char *rdir)
{
	struct dirent	**names = NULL;
	struct stat	 sb, lsb;
	char		*rp, *lp, *what;
	const char	*nm;
	int		 n = 0, i, st = ST_OK, r;

	rp = malloc(CMD_PATH);
	lp = malloc(PATH_MAX);
	what = malloc(PATH_MAX + 16);
	if (rp == NULL || lp == NULL || what == NULL) {
		warnx("put -R: out of memory");
		st = ST_FAIL;
		goto out;
	}
	(void)snprintf(what, PATH_MAX + 16, "put %s", ldir);
	if ((st = cmd_mkdir_ok(j, what, rdir)) != ST_OK) {
		goto out;
	}
	if ((n = scandir(ldir, &names, NULL, alphasort)) == -1) {
		warn("%s", what);
		n = 0;
		st = ST_FAIL;
		goto out;
	}
	for (i = 0; i < n && st != ST_LOST && !intr_pending(); i++) {
		nm = names[i]->d_name;
		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0) {
			continue;
		}
		if (path_join(ldir, nm, lp, PATH_MAX) == -1 ||
		    path_join(rdir, nm, rp, CMD_PATH) == -1) {
			warnx("%s/%s: path too long", what, nm);
			st = exitcode_merge(st, ST_FAIL);
			continue;
		}
		(void)snprintf(what, PATH_MAX + 16, "put %s", lp);
		if (!cmd_name_ok((const uint8_t *)nm, strlen(nm))) {
			warnx("%s: a name the server cannot take; skipped",
			    what);
			st = exitcode_merge(st, ST_FAIL);
			continue;
		}
		if (lstat(lp, &lsb) == -1 || stat(lp, &sb) == -1) {
			warn("%s", what);
			st = exitcode_merge(st, ST_FAIL);
			continue;
		}
		if (S_ISDIR(sb.st_mode) && !S_ISLNK(lsb.st_mode)) {
			r = cmd_put_tree(j, lp, rp);
		} else if (S_ISREG(sb.st_mode)) {
			r = cmd_put_one(j, what, lp, rp);
		} else {
			if (!j->o.quiet) {
				warnx("%s: not a regular file or folder; "
				    "skipped", what);
			}
			continue;
		}
		st = exitcode_merge(st, r);
	}
out:
	for (i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
	free(rp);
	free(lp);
	free(what);
	return st;
}

static int
cmd_put(struct client *cl, struct cmdctx *x)
{
	struct xjob		 j;
	struct rent		 e;
	char			 rpath[CMD_PATH], tmp[CMD_PATH];
	const char		*local = x->argv[0], *base;
	size_t			 len;
	enum sess_rc		 rc;
	int			 st, dir = 0;

	cmd_xjob_start(cl, x, &j);
	base = path_basename(local);
	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0) {
		/* "dir/" or "." names a folder by its parent's view */
		base = NULL;
	}
	if (strcmp(local, "-") == 0 && x->argc < 2) {
		warnx("%s: stdin needs a REMOTE name", x->what);
		st = ST_USAGE;
		goto out;
	}
	if (x->argc > 1) {
		if (cmd_rpath(cl, x->what, x->argv[1], rpath) == -1) {
			st = ST_FAIL;
			goto out;
		}
		len = strlen(x->argv[1]);
		dir = *rpath == '\0' || x->argv[1][len - 1] == '/';
		if (!dir && !(x->opts & CMDLINE_OPT('R')) &&
		    strcmp(local, "-") != 0) {
			/* REMOTE may name a folder to put the file into */
			rc = cmd_stat_path(&cl->sess, rpath, &e);
			if (rc == SESS_OK && e.kind == TFS_KIND_DIR) {
				dir = 1;
			} else if (rc == SESS_LOST || rc == SESS_PROTO ||
			    rc == SESS_INTR) {
				st = session_report(&cl->sess, rc, x->what);
				goto out;
			}
		}
		if (dir && !(x->opts & CMDLINE_OPT('R'))) {
			if (base == NULL || strcmp(local, "-") == 0) {
				warnx("%s: give the remote file a name",
				    x->what);
				st = ST_USAGE;
				goto out;
			}
			if (path_join(rpath, base, tmp, sizeof(tmp)) == -1) {
				warnx("%s: path too long", x->what);
				st = ST_FAIL;
				goto out;
			}
			(void)strlcpy(rpath, tmp, sizeof(rpath));
		}
	} else {
		if (base == NULL) {
			warnx("%s: give the remote folder a name", x->what);
			st = ST_USAGE;
			goto out;
		}
		if (path_join(cl->sess.cwd, base, rpath, sizeof(rpath)) ==
		    -1) {
			warnx("%s: path too long", x->what);
			st = ST_FAIL;
			goto out;
		}
	}
	if (x->opts & CMDLINE_OPT('R')) {
		if (!cmd_is_localdir(local)) {
			warnx("%s: not a folder", x->what);
			st = ST_FAIL;
			goto out;
		}
		st = cmd_put_tree(&j, local, rpath);
		goto out;
	}
	st = cmd_put_one(&j, x->what, local, rpath);
out:
	cmd_xjob_end(&j);
	return st;
}

static int
cmd_mget(struct client *cl, struct cmdctx *x)
{
	struct xjob		 j;
	struct rent		*ents;
	enum sess_rc		 rc;
	char			 dirpat[CMD_PATH], dir[CMD_PATH];
	char			 rp[CMD_PATH], what[CMD_PATH + 16];
	const char		*base, **names = NULL;
	size_t			 n, i, k, *idx = NULL;
	int			 st = ST_OK, a;

	cmd_xjob_start(cl, x, &j);
	for (a = 0; a < x->argc && st != ST_LOST && !intr_pending(); a++) {
		(void)snprintf(what, sizeof(what), "mget %s", x->argv[a]);
		if (rglob_split(x->argv[a], dirpat, sizeof(dirpat), &base) ==
		    -1 || cmd_rpath(cl, what, dirpat, dir) == -1) {
			st = exitcode_merge(st, ST_FAIL);
			continue;
		}
		if (!rglob_has_magic(base)) {
			/* a plain name: just that file */
			if (path_join(dir, base, rp, sizeof(rp)) == -1) {
				warnx("%s: path too long", what);
				st = exitcode_merge(st, ST_FAIL);
				continue;
			}
			st = exitcode_merge(st, cmd_get_one(&j, what, rp,
			    path_basename(rp)));
			continue;
		}
		if ((rc = cmd_list(&cl->sess, dir, &ents, &n)) != SESS_OK) {
			st = exitcode_merge(st, session_report(&cl->sess, rc,
			    what));
			continue;
		}
		names = calloc(n + 1, sizeof(*names));
		idx = calloc(n + 1, sizeof(*idx));
		if (names == NULL || idx == NULL) {
			warnx("%s: out of memory", what);
			st = exitcode_merge(st, ST_FAIL);
			goto next;
		}
		for (i = 0; i < n; i++) {
			names[i] = ents[i].name;
		}
		k = rglob_filter(base, names, n, idx);
		for (i = 0; i < k && st != ST_LOST && !intr_pending(); i++) {
			if (ents[idx[i]].kind != TFS_KIND_FILE) {
				continue;
			}
			if (path_join(dir, ents[idx[i]].name, rp,
			    sizeof(rp)) == -1) {
				continue;
			}
			(void)snprintf(what, sizeof(what), "mget /%s", rp);
			st = exitcode_merge(st, cmd_get_one(&j, what, rp,
			    ents[idx[i]].name));
		}
		if (k == 0) {
			warnx("%s: no match", what);
			st = exitcode_merge(st, ST_FAIL);
		}
next:
		free(names);
		free(idx);
		names = NULL;
		idx = NULL;
		cmd_list_free(ents, n);
	}
	cmd_xjob_end(&j);
	return st;
}

static int
cmd_mput(struct client *cl, struct cmdctx *x)
{
	struct xjob		 j;
	struct stat		 sb;
	glob_t			 g;
	char			 rp[CMD_PATH], what[PATH_MAX + 16];
	const char		*base;
	size_t			 i;
	int			 st = ST_OK, a, r;

	cmd_xjob_start(cl, x, &j);
	for (a = 0; a < x->argc && st != ST_LOST && !intr_pending(); a++) {
		(void)snprintf(what, sizeof(what), "mput %s", x->argv[a]);
		memset(&g, 0, sizeof(g));
		r = glob(x->argv[a], GLOB_TILDE | GLOB_BRACE, NULL, &g);
		if (r == GLOB_NOMATCH) {
			warnx("%s: no match", what);
			st = exitcode_merge(st, ST_FAIL);
			continue;
		}
		if (r != 0) {
			warnx("%s: glob failed", what);
			st = exitcode_merge(st, ST_FAIL);
			globfree(&g);
			continue;
		}
		for (i = 0; i < g.gl_pathc && st != ST_LOST &&
		    !intr_pending(); i++) {
			(void)snprintf(what, sizeof(what), "mput %s",
			    g.gl_pathv[i]);
			if (stat(g.gl_pathv[i], &sb) == -1) {
				warn("%s", what);
				st = exitcode_merge(st, ST_FAIL);
				continue;
			}
			if (!S_ISREG(sb.st_mode)) {
				if (!j.o.quiet) {
					warnx("%s: not a regular file; "
					    "skipped", what);
				}
				continue;
			}
			base = path_basename(g.gl_pathv[i]);
			if (path_join(cl->sess.cwd, base, rp, sizeof(rp)) ==
			    -1) {
				warnx("%s: path too long", what);
				st = exitcode_merge(st, ST_FAIL);
				continue;
			}
			st = exitcode_merge(st, cmd_put_one(&j, what,
			    g.gl_pathv[i], rp));
		}
		globfree(&g);
	}
	cmd_xjob_end(&j);
	return st;
}

/*
 * rm and mkdir: one request of the given type per PATH argument, each
 * reported on its own; the cached listings it changes are dropped.
 */
static int
cmd_each_path(struct client *cl, struct cmdctx *x, uint8_t type,
    const char *verb)
{
	struct tfs_msg	 req = { .type = type };
	char		 path[CMD_PATH], what[CMD_PATH + 16];
	enum sess_rc	 rc;
	int		 a, st = ST_OK;

	for (a = 0; a < x->argc && st != ST_LOST; a++) {
		(void)snprintf(what, sizeof(what), "%s %s", verb, x->argv[a]);
		if (cmd_rpath(cl, what, x->argv[a], path) == -1) {
			st = exitcode_merge(st, ST_FAIL);
			continue;
		}
		req.path = tfs_str_c(path);
		rc = cmd_simple(&cl->sess, &req);
		cmd_forget_parent(path);
		complete_forget(path);
		st = exitcode_merge(st, session_report(&cl->sess, rc, what));
	}
	return st;
}

static int
cmd_rm(struct client *cl, struct cmdctx *x)
{
	return cmd_each_path(cl, x, TFS_DELETE, "rm");
}

static int
cmd_mv(struct client *cl, struct cmdctx *x)
{
	struct tfs_msg	 req = { .type = TFS_RENAME };
	struct rent	 e;
	char		 from[CMD_PATH], to[CMD_PATH], into[CMD_PATH];
	enum sess_rc	 rc;

	if (cmd_rpath(cl, x->what, x->argv[0], from) == -1 ||
	    cmd_rpath(cl, x->what, x->argv[1], to) == -1) {
		return ST_FAIL;
	}
	req.path = tfs_str_c(from);
	req.to = tfs_str_c(to);
	rc = cmd_simple(&cl->sess, &req);
	if (rc == SESS_ERROR && cl->sess.err_code == TFS_EEXISTS &&
	    *path_basename(from) != '\0' &&
	    cmd_stat_path(&cl->sess, to, &e) == SESS_OK &&
	    e.kind == TFS_KIND_DIR) {
		/* TO is a folder: move FROM into it (never replacing) */
		if (path_join(to, path_basename(from), into,
		    sizeof(into)) == 0) {
			req.to = tfs_str_c(into);
			rc = cmd_simple(&cl->sess, &req);
			complete_forget(to);
		} else {
			rc = SESS_ERROR;
		}
	}
	cmd_forget_parent(from);
	cmd_forget_parent(to);
	complete_forget(from);
	return session_report(&cl->sess, rc, x->what);
}

static int
cmd_mkdir(struct client *cl, struct cmdctx *x)
{
	return cmd_each_path(cl, x, TFS_MKDIR, "mkdir");
}

static int
cmd_sum(struct client *cl, struct cmdctx *x)
{
	uint8_t		 theirs[DIGEST_SHA256_LEN], mine[DIGEST_SHA256_LEN];
	char		 hex[2 * DIGEST_SHA256_LEN + 1], path[CMD_PATH];
	const char	*local = NULL, *arg = x->argv[0];
	struct stat	 sb;
	enum sess_rc	 rc;
	int		 fd, st = ST_OK;

	if (cmd_rpath(cl, x->what, arg, path) == -1) {
		return ST_FAIL;
	}
	if ((rc = xfer_sum(&cl->sess, path, theirs)) != SESS_OK) {
		return session_report(&cl->sess, rc, x->what);
	}
	printf("%s  /", digest_hex(theirs, sizeof(theirs), hex));
	cmd_putname(stdout, path);
	printf("\n");
	/* a local file of that name: the path as typed, else its name */
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
		cmd_putname(stdout, local);
		printf(": matches\n");
	} else {
		printf("local ");
		cmd_putname(stdout, local);
		printf(": differs (%s)\n", digest_hex(mine, sizeof(mine),
		    hex));
		st = ST_FAIL;
	}
	if (fd != -1) {
		close(fd);
	}
	return st;
}

static int
cmd_lcd(struct client *cl, struct cmdctx *x)
{
	const char	*dir;

	(void)cl;
	dir = x->argc ? x->argv[0] : getenv("HOME");
	if (dir == NULL) {
		warnx("%s: HOME is not set", x->what);
		return ST_FAIL;
	}
	if (chdir(dir) == -1) {
		warn("%s: %s", x->what, dir);
		return ST_FAIL;
	}
	return ST_OK;
}

static int
cmd_lpwd(struct client *cl, struct cmdctx *x)
{
	char	 buf[PATH_MAX];

	(void)cl;
	if (getcwd(buf, sizeof(buf)) == NULL) {
		warn("%s", x->what);
		return ST_FAIL;
	}
	printf("%s\n", buf);
	return ST_OK;
}

static int
cmd_lls(struct client *cl, struct cmdctx *x)
{
	struct dirent	**names;
	struct stat	 sb;
	struct rent	 e;
	char		 p[PATH_MAX];
	const char	*dir = x->argc ? x->argv[0] : ".";
	int		 n, i, longfmt = (x->opts & CMDLINE_OPT('l')) != 0;

	(void)cl;
	if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
		memset(&e, 0, sizeof(e));
		e.kind = TFS_KIND_FILE;
		e.size = (uint64_t)sb.st_size;
		e.mtime = sb.st_mtime;
		e.mode = sb.st_mode & 07777;
		cmd_print_entry(&e, dir, longfmt);
		return ST_OK;
	}
	if ((n = scandir(dir, &names, NULL, alphasort)) == -1) {
		warn("%s: %s", x->what, dir);
		return ST_FAIL;
	}
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' &&
		    path_join(dir, names[i]->d_name, p, sizeof(p)) == 0 &&
		    stat(p, &sb) == 0) {
			memset(&e, 0, sizeof(e));
			e.kind = S_ISDIR(sb.st_mode) ? TFS_KIND_DIR :
			    TFS_KIND_FILE;
			e.size = S_ISDIR(sb.st_mode) ? 0 :
			    (uint64_t)sb.st_size;
			e.mtime = sb.st_mtime;
			e.mode = sb.st_mode & 07777;
			cmd_print_entry(&e, names[i]->d_name, longfmt);
		}
		free(names[i]);
	}
	free(names);
	return ST_OK;
}

static int
cmd_help(struct client *cl, struct cmdctx *x)
{
	const struct cmd	*c;
	size_t			 i;

	(void)cl;
	if (x->argc == 1) {
		if ((c = cmd_find(x->argv[0])) == NULL) {
			warnx("help: no command %s", x->argv[0]);
			return ST_USAGE;
		}
		printf("%s\n    %s\n", c->usage, c->help);
		return ST_OK;
	}
	for (i = 0; i < CMD_COUNT; i++) {
		printf("%-28s %s\n", cmd_table[i].usage, cmd_table[i].help);
	}
	printf("%-28s %s\n", "!COMMAND", "run a local shell command");
	return ST_OK;
}

static int
cmd_quit(struct client *cl, struct cmdctx *x)
{
	(void)x;
	session_quit(&cl->sess);
	cl->quit = 1;
	return ST_OK;
}

/* !COMMAND, or a shell of one's own for a bare "!". */
static int
cmd_shell(const char *line)
{
	struct sigaction	 ign, oint, oquit;
	const char		*sh;
	char			 buf[PATH_MAX + 8];
	pid_t			 pid;
	int			 r, wst, st;

	while (*line == ' ' || *line == '\t') {
		line++;
	}
	if (*line == '\0') {
		if ((sh = getenv("SHELL")) == NULL || *sh == '\0') {
			sh = "/bin/sh";
		}
		if (snprintf(buf, sizeof(buf), "exec %s", sh) >=
		    (int)sizeof(buf)) {
			warnx("!: SHELL too long");
			return ST_FAIL;
		}
		line = buf;
	}
	(void)fflush(stdout);
	(void)fflush(stderr);
	/* as system(3): Ctrl-C and Ctrl-\ are for the command alone */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	(void)sigaction(SIGINT, &ign, &oint);
	(void)sigaction(SIGQUIT, &ign, &oquit);
	if ((pid = fork()) == 0) {
		(void)signal(SIGINT, SIG_DFL);
		(void)signal(SIGQUIT, SIG_DFL);
		/* tfs ignores SIGPIPE; a pipeline of the user's must not */
		(void)signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	st = ST_FAIL;
	if (pid == -1) {
		warn("!");
	} else {
		while ((r = waitpid(pid, &wst, 0)) == -1 && errno == EINTR) {
			continue;
		}
		if (r == -1) {
			warn("!");
		} else if (WIFEXITED(wst) && WEXITSTATUS(wst) == 0) {
			st = ST_OK;
		}
	}
	(void)sigaction(SIGINT, &oint, NULL);
	(void)sigaction(SIGQUIT, &oquit, NULL);
	return st;
}

int
cmd_run(struct client *cl, int argc, char **argv)
{
	struct cmdctx	 x;
	enum sess_rc	 rc;
	size_t		 len, i;
	char		*line, bad;
	int		 optind, st;

	if (argc < 1) {
		return ST_OK;
	}
	if (argv[0][0] == '!') {
		/* the words after "!" go back together for the shell */
		for (len = 1, i = 0; i < (size_t)argc; i++) {
			len += strlen(argv[i]) + 1;
		}
		if ((line = malloc(len)) == NULL) {
			warnx("!: out of memory");
			return ST_FAIL;
		}
		(void)strlcpy(line, argv[0] + 1, len);
		for (i = 1; i < (size_t)argc; i++) {
			(void)strlcat(line, " ", len);
			(void)strlcat(line, argv[i], len);
		}
		st = cmd_shell(line);
		free(line);
		return st;
	}
	memset(&x, 0, sizeof(x));
	if ((x.cmd = cmd_find(argv[0])) == NULL) {
		warnx("%s: unknown command (help lists them)", argv[0]);
		return ST_USAGE;
	}
	if (cmdline_opts(argc, argv, x.cmd->opts, &x.opts, &optind, &bad) ==
	    -1) {
		warnx("%s: unknown option -%c; usage: %s", argv[0], bad,
		    x.cmd->usage);
		return ST_USAGE;
	}
	x.argc = argc - optind;
	x.argv = argv + optind;
	if (x.argc < x.cmd->min || (x.cmd->max >= 0 && x.argc > x.cmd->max)) {
		warnx("usage: %s", x.cmd->usage);
		return ST_USAGE;
	}
	(void)snprintf(x.what, sizeof(x.what), "%s%s%s", x.cmd->name,
	    x.argc ? " " : "", x.argc ? x.argv[0] : "");
	if (x.cmd->net && (rc = session_ensure(&cl->sess)) != SESS_OK) {
		return session_report(&cl->sess, rc, x.what);
	}
	st = x.cmd->fn(cl, &x);
	if (fflush(stdout) == EOF && errno != EPIPE) {
		warn("stdout");
		st = exitcode_merge(st, ST_FAIL);
	}
	return st;
}

int
cmd_run_line(struct client *cl, const char *line)
{
	struct cmdline	 words;
	const char	*errstr = NULL;
	int		 st;

	while (*line == ' ' || *line == '\t') {
		line++;
	}
	if (*line == '!') {
		return cmd_shell(line + 1);
	}
	if (cmdline_split(line, &words, &errstr) == -1) {
		warnx("%s", errstr != NULL ? errstr : "bad line");
		return ST_USAGE;
	}
	st = cmd_run(cl, words.argc, words.argv);
	cmdline_free(&words);
	return st;
}
