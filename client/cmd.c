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
	const char	*longs;		/* long options: "delete=e,..." */
};

static int	cmd_help(struct client *, struct cmdctx *);
static int	cmd_quit(struct client *, struct cmdctx *);
static const struct cmd	*cmd_find(const char *);
static int	cmd_bang(int, char **);
static int	cmd_parse(const struct cmd *, int, char **, struct cmdctx *);
static void	cmd_help_line(const char *, const char *);

static const struct cmd cmd_table[] = {
	{ "ls", cmd_ls, "alhtSr", 0, -1, 1, "r+", "ls [-alhtSr] [PATH...]",
	    "list remote folders or files (-a dot-files too, -l long, "
	    "-h sizes in units, -t by time, -S by size, -r reversed)", NULL },
	{ "stat", cmd_stat, "", 1, -1, 1, "r+", "stat PATH...",
	    "show remote files or folders", NULL },
	{ "cd", cmd_cd, "", 0, 1, 1, "r", "cd [PATH]",
	    "change the remote working folder (no PATH: the root)", NULL },
	{ "pwd", cmd_pwd, "", 0, 0, 0, "", "pwd",
	    "print the remote working folder", NULL },
	{ "get", cmd_get, "aprRvj:", 1, -1, 1, "r+",
	    "get [-apRv] [-j N] REMOTE... [LOCAL]",
	    "download (-R folders, -a resume, -p keep times, -v verify, "
	    "-j N connections; LOCAL - is stdout)", "parallel=j" },
	{ "put", cmd_put, "aprRvnj:", 1, -1, 1, "l+",
	    "put [-apRvn] [-j N] LOCAL... [REMOTE]",
	    "upload (-R folders, -a resume, -p keep times, -v verify, "
	    "-n never replace, -j N connections; LOCAL - is stdin)",
	    "parallel=j" },
	{ "mget", cmd_mget, "aprRvj:", 1, -1, 1, "r+",
	    "mget [-apRv] [-j N] REMOTE...",
	    "get, every word a source, into the local working folder",
	    "parallel=j" },
	{ "mput", cmd_mput, "aprRvnj:", 1, -1, 1, "l+",
	    "mput [-apRvn] [-j N] LOCAL...",
	    "put, every word a source, into the remote working folder",
	    "parallel=j" },
	{ "mirror", cmd_mirror, "Rnecj:", 2, 2, 1, "rl",
	    "mirror [-Rn] [--delete] [--checksum] [-j N] FROM TO",
	    "copy what is missing or differs in size or time, from the "
	    "server (-R: to it); -n only says what it would do",
	    "delete=e,checksum=c,dry-run=n,parallel=j" },
	{ "rm", cmd_rm, "rf", 1, -1, 1, "r+", "rm [-rf] PATH...",
	    "remove remote files or empty folders (-r with their contents, "
	    "-f without asking)", NULL },
	{ "mv", cmd_mv, "", 2, 2, 1, "rr", "mv FROM TO",
	    "rename or move (TO may be a folder; never replaces)", NULL },
	{ "mkdir", cmd_mkdir, "p", 1, -1, 1, "r+", "mkdir [-p] PATH...",
	    "create remote folders (-p: and their parents, no error if "
	    "there)", NULL },
	{ "sum", cmd_sum, "", 1, -1, 1, "r+", "sum PATH...",
	    "SHA-256 of remote files, compared with local ones of those "
	    "names", NULL },
	{ "lcd", cmd_lcd, "", 0, 1, 0, "l", "lcd [DIR]",
	    "change the local working folder", NULL },
	{ "lpwd", cmd_lpwd, "", 0, 0, 0, "", "lpwd",
	    "print the local working folder", NULL },
	{ "lls", cmd_lls, "l", 0, 1, 0, "l", "lls [-l] [DIR]",
	    "list a local folder", NULL },
	{ "login", cmd_login, "", 0, 1, 0, "", "login [USER]",
	    "sign in as USER (the password as on the command line)", NULL },
	{ "whoami", cmd_whoami, "", 0, 0, 1, "", "whoami",
	    "the user and rights: bob rw, anonymous ro", NULL },
	{ "help", cmd_help, "", 0, 1, 0, "c", "help [COMMAND]",
	    "this list, or one command", NULL },
	{ "quit", cmd_quit, "", 0, 0, 0, "", "quit", "leave", NULL },
	{ "exit", cmd_quit, "", 0, 0, 0, "", "exit", "leave", NULL },
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
		printf("%s\n", c->usage);
		cmd_help_line("", c->help);
		return ST_OK;
	}
	for (i = 0; i < CMD_COUNT; i++) {
		cmd_help_line(cmd_table[i].usage, cmd_table[i].help);
	}
	cmd_help_line("!COMMAND", "run a local shell command");
	return ST_OK;
}

/*
 * usage, then help in a column of its own, words wrapped so that no
 * line passes 79 columns (a usage too wide for its column gets a line
 * of its own).
 */
static void
cmd_help_line(const char *usage, const char *help)
{
	const int	 col = 24, width = 79;
	const char	*p = help;
	int		 at, n;

	if ((int)strlen(usage) >= col) {
		printf("%s\n", usage);
		usage = "";
	}
	printf("%-*s", col, usage);
	at = col;
	while (*p != '\0') {
		n = (int)strcspn(p, " ");
		if (at > col && at + 1 + n > width) {
			printf("\n%*s", col, "");
			at = col;
		}
		if (at > col) {
			putchar(' ');
			at++;
		}
		printf("%.*s", n, p);
		at += n;
		p += n;
		while (*p == ' ') {
			p++;
		}
	}
	putchar('\n');
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
	char	 bad[64];
	int	 optind;

	memset(x, 0, sizeof(*x));
	x->name = c->name;
	if (cmdline_getopts(argc, argv, c->opts, c->longs, &x->ov, &optind,
	    bad, sizeof(bad)) == -1) {
		warnx("%s: bad option %s; usage: %s", argv[0], bad, c->usage);
		return ST_USAGE;
	}
	x->opts = x->ov.mask;
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
