/*
 * cmd.c -- the command table of tfs and its dispatch.
 *
 * A line is split into words (cmdline.c), the command is looked up in
 * the table, its options and number of arguments are checked against
 * its row, the connection is made sure of when the command needs the
 * server, and only then does its handler run.  The handlers live in
 * cmd_remote.c, cmd_xfer.c and cmd_local.c; this file never talks to
 * the server itself.
 */

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_impl.h"
#include "cmdline.h"
#include "exitcode.h"
#include "path.h"

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

static int	cmd_help(struct client *, struct cmdctx *);
static int	cmd_quit(struct client *, struct cmdctx *);
static const struct cmd	*cmd_find(const char *);
static int	cmd_bang(int, char **);
static int	cmd_parse(const struct cmd *, int, char **, struct cmdctx *);

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
	{ "login", cmd_login, "", 0, 1, 0, "", "login [USER]",
	    "sign in as USER (the password as on the command line)" },
	{ "whoami", cmd_whoami, "", 0, 0, 1, "", "whoami",
	    "the user and rights: bob rw, anonymous ro" },
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
cmd_rpath(struct client *cl, const char *what, const char *arg, char *out)
{
	if (path_resolve(cl->sess.cwd, arg, out, SESSION_PATH_SZ) == -1) {
		warnx("%s: path too long", what);
		return -1;
	}
	return 0;
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

/* "!cmd args" given as words: they go back together for the shell. */
static int
cmd_bang(int argc, char **argv)
{
	size_t	 len, i;
	char	*line;
	int	 st;

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

/*
 * The words of a call of c checked against its row into *x.  ST_OK, or
 * ST_USAGE after the message.
 */
static int
cmd_parse(const struct cmd *c, int argc, char **argv, struct cmdctx *x)
{
	char	 bad;
	int	 optind;

	memset(x, 0, sizeof(*x));
	if (cmdline_opts(argc, argv, c->opts, &x->opts, &optind, &bad) ==
	    -1) {
		warnx("%s: unknown option -%c; usage: %s", argv[0], bad,
		    c->usage);
		return ST_USAGE;
	}
	x->argc = argc - optind;
	x->argv = argv + optind;
	if (x->argc < c->min || (c->max >= 0 && x->argc > c->max)) {
		warnx("usage: %s", c->usage);
		return ST_USAGE;
	}
	(void)snprintf(x->what, sizeof(x->what), "%s%s%s", c->name,
	    x->argc ? " " : "", x->argc ? x->argv[0] : "");
	return ST_OK;
}

int
cmd_run(struct client *cl, int argc, char **argv)
{
	const struct cmd	*c;
	struct cmdctx		 x;
	enum sess_rc		 rc;
	int			 st;

	if (argc < 1) {
		return ST_OK;
	}
	if (argv[0][0] == '!') {
		return cmd_bang(argc, argv);
	}
	if ((c = cmd_find(argv[0])) == NULL) {
		warnx("%s: unknown command (help lists them)", argv[0]);
		return ST_USAGE;
	}
	if ((st = cmd_parse(c, argc, argv, &x)) != ST_OK) {
		return st;
	}
	if (c->net && (rc = session_ensure(&cl->sess)) != SESS_OK) {
		return session_report(&cl->sess, rc, x.what);
	}
	st = c->fn(cl, &x);
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
