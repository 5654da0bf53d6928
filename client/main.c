/*
 * main.c -- tfs, the client of TFS/1: options, the HOST[:PORT] argument,
 * and the choice between one command, a batch and the interactive shell.
 *
 * The exit status is 0 only when everything asked for succeeded; 1 a
 * command failed; 2 bad usage; 3 could not connect or the connection was
 * lost; 4 the server refused us (exitcode.c holds the rules).  Who signs
 * in is settled here, once: -u, USER@HOST, or ~/.netrc's login for HOST.
 */

#include <err.h>
#include <getopt.h>
#include <libutil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cmdline.h"
#include "exitcode.h"
#include "intr.h"
#include "login.h"
#include "progress.h"
#include "proto.h"
#include "shell.h"
#include "version.h"

#define MAIN_GO_ON	(-1)		/* main_opts: not an exit status */

enum {
	OPT_VERIFY = 256,
	OPT_RETRY,
	OPT_TIMEOUT,
	OPT_LIMIT,
	OPT_PASSWORD_FILE,
};

/* What the options ask for beyond the client's transfer defaults. */
struct main_args {
	const char	*batch;		/* -b FILE */
	const char	*user;		/* -u NAME */
	const char	*password_file;
	char		 port[SESSION_PORT_SZ];	/* -p PORT, or "" */
	int		 quiet;
	int		 verbose;	/* -v: echo batch commands */
	int		 retry;
	int		 timeout;	/* seconds */
};

static void	usage(FILE *);
static int	main_opts(int, char **, struct client *, struct main_args *);
static int	main_run(struct client *, const char *, int, char **);
static int	main_target(struct client *, const struct main_args *,
		    const char *);
static int	main_user(struct client *, const struct main_args *,
		    const char *);

static const struct option	longopts[] = {
	{ "port",	required_argument,	NULL,	'p' },
	{ "user",	required_argument,	NULL,	'u' },
	{ "password-file", required_argument,	NULL,	OPT_PASSWORD_FILE },
	{ "verbose",	no_argument,		NULL,	'v' },
	{ "batch",	required_argument,	NULL,	'b' },
	{ "quiet",	no_argument,		NULL,	'q' },
	{ "resume",	no_argument,		NULL,	'r' },
	{ "verify",	no_argument,		NULL,	OPT_VERIFY },
	{ "retry",	required_argument,	NULL,	OPT_RETRY },
	{ "timeout",	required_argument,	NULL,	OPT_TIMEOUT },
	{ "limit-rate",	required_argument,	NULL,	OPT_LIMIT },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'V' },
	{ NULL,		0,			NULL,	0 },
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: tfs [options] [USER@]HOST[:PORT] [COMMAND [ARG...]]\n"
	    "  -p, --port PORT      port when HOST has none (default %d)\n"
	    "  -u, --user NAME      sign in as NAME (as NAME@HOST)\n"
	    "      --password-file FILE  the password is FILE's first line\n"
	    "  -b, --batch FILE     run the commands of FILE (- = stdin)\n"
	    "  -q, --quiet          no progress bars, no chatter\n"
	    "  -v, --verbose        echo each batch command as it runs\n"
	    "  -r, --resume         get/put continue a partial transfer\n"
	    "      --verify         check each transfer's SHA-256 with SUM\n"
	    "      --retry N        on a lost connection, reconnect and "
	    "resume, up to N times\n"
	    "      --timeout SEC    give up connecting or waiting for a "
	    "worker (default %d)\n"
	    "      --limit-rate R   at most R bytes/s per transfer (K, M, G)\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        the version\n"
	    "HOST may be [V6ADDR]:PORT.  Without COMMAND, tfs reads commands "
	    "from a\nterminal (a shell with completion) or from stdin; "
	    "\"help\" lists them.\n"
	    "The password: --password-file, else $TFS_PASSWORD, else "
	    "~/.netrc, else\nthe terminal.  Exit status: 0 success, 1 a "
	    "command failed, 2 bad usage,\n3 no connection, 4 refused "
	    "(sign-in).\n", TFS_DEFAULT_PORT, SESSION_TIMEOUT_S);
}

/*
 * The options into cl->xo and *a.  MAIN_GO_ON, or the status tfs exits
 * with at once (-h, -V, bad usage).
 */
static int
main_opts(int argc, char **argv, struct client *cl, struct main_args *a)
{
	const char	*errstr = NULL, *opt = NULL;
	uint64_t	 limit;
	int		 ch;

	/* '+': stop at HOST, so "get -r" keeps its -r */
	while ((ch = getopt_long(argc, argv, "+p:u:b:qvrhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'p':
			if (cmdline_port_ok(optarg) == -1 ||
			    strlcpy(a->port, optarg, sizeof(a->port)) >=
			    sizeof(a->port)) {
				warnx("bad port: %s", optarg);
				return ST_USAGE;
			}
			break;
		case 'u':
			a->user = optarg;
			break;
		case OPT_PASSWORD_FILE:
			a->password_file = optarg;
			break;
		case 'b':
			a->batch = optarg;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case 'r':
			cl->xo.resume = 1;
			break;
		case OPT_VERIFY:
			cl->xo.verify = 1;
			break;
		case OPT_RETRY:
			opt = "--retry";
			a->retry = (int)strtonum(optarg, 0, 1000, &errstr);
			break;
		case OPT_TIMEOUT:
			opt = "--timeout";
			a->timeout = (int)strtonum(optarg, 0, 86400, &errstr);
			break;
		case OPT_LIMIT:
			opt = "--limit-rate";
			if (expand_number(optarg, &limit) == -1) {
				errstr = "not a rate";
			} else {
				cl->xo.limit = limit;
			}
			break;
		case 'h':
			usage(stdout);
			return ST_OK;
		case 'V':
			printf("tfs %s (TFS/%d)\n", TFS_RELEASE, TFS_VERSION);
			return ST_OK;
		default:
			fprintf(stderr, "usage: tfs [options] "
			    "[USER@]HOST[:PORT] "
			    "[COMMAND [ARG...]] (tfs -h tells more)\n");
			return ST_USAGE;
		}
		if (errstr != NULL) {
			warnx("%s %s: %s", opt, optarg, errstr);
			return ST_USAGE;
		}
	}
	return MAIN_GO_ON;
}

/*
 * One command (argc > 0), a batch (-b, or stdin not a terminal), or the
 * interactive shell.  The exit status of the run.
 */
static int
main_run(struct client *cl, const char *batch, int argc, char **argv)
{
	FILE	*fp = stdin;
	int	 st;

	if (argc > 0) {
		/* one command; it connects only if it needs the server */
		st = cmd_run(cl, argc, argv);
		return intr_pending() ? exitcode_merge(st, ST_FAIL) : st;
	}
	if (batch == NULL && isatty(STDIN_FILENO)) {
		return shell_run(cl);
	}
	if (batch != NULL && strcmp(batch, "-") != 0 &&
	    (fp = fopen(batch, "re")) == NULL) {
		warn("%s", batch);
		return ST_FAIL;
	}
	st = shell_batch(cl, fp, batch != NULL ? batch : "-");
	if (fp != stdin) {
		(void)fclose(fp);
	}
	return st;
}

/*
 * Who signs in: -u, USER@ (both only when they agree), else the login of
 * ~/.netrc's machine entry for host.  ST_OK, or the status to exit with.
 */
static int
main_user(struct client *cl, const struct main_args *a, const char *at)
{
	struct session_auth	*au = &cl->sess.auth;
	char			 why[512];
	int			 r;

	if (a->user != NULL && *at != '\0' && strcmp(a->user, at) != 0) {
		warnx("-u %s and %s@ name different users", a->user, at);
		return ST_USAGE;
	}
	if (a->user != NULL && (*a->user == '\0' ||
	    strlcpy(au->user, a->user, sizeof(au->user)) >=
	    sizeof(au->user))) {
		warnx("-u: empty or too long a user name");
		return ST_USAGE;
	}
	if (*at != '\0') {
		(void)strlcpy(au->user, at, sizeof(au->user));
	}
	au->src.password_file = a->password_file;
	au->src.netrc = NULL;
	au->src.prompt = 1;
	if (au->user[0] != '\0') {
		return ST_OK;
	}
	r = login_netrc_user(NULL, cl->sess.host, au->user, sizeof(au->user),
	    why, sizeof(why));
	if (r == -1) {
		/* never anonymous in place of the login it meant */
		warnx("%s", why);
		return ST_REFUSED;
	}
	return ST_OK;
}

/*
 * [USER@]HOST[:PORT] into the session, and who signs in.  ST_OK, or the
 * status to exit with.
 */
static int
main_target(struct client *cl, const struct main_args *a, const char *arg)
{
	const char	*errstr, *rest;
	char		 host[SESSION_HOST_SZ], port[SESSION_PORT_SZ];
	char		 user[LOGIN_USER_MAX + 1];

	if (a->port[0] != '\0') {
		(void)strlcpy(port, a->port, sizeof(port));
	} else {
		(void)snprintf(port, sizeof(port), "%d", TFS_DEFAULT_PORT);
	}
	if (cmdline_user(arg, user, sizeof(user), &rest, &errstr) == -1 ||
	    cmdline_target(rest, host, sizeof(host), port, sizeof(port),
	    &errstr) == -1) {
		warnx("%s: %s", arg, errstr);
		return ST_USAGE;
	}
	session_init(&cl->sess, host, port);
	return main_user(cl, a, user);
}

int
main(int argc, char *argv[])
{
	struct client		 cl;
	struct main_args	 a = { .timeout = SESSION_TIMEOUT_S };
	int			 st;

	memset(&cl, 0, sizeof(cl));
	if ((st = main_opts(argc, argv, &cl, &a)) != MAIN_GO_ON) {
		return st;
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return ST_USAGE;
	}
	if ((st = main_target(&cl, &a, argv[0])) != ST_OK) {
		session_auth_clear(&cl.sess.auth);
		return st;
	}
	if (intr_init() == -1) {
		err(ST_FAIL, "signals");
	}
	cl.sess.retry = a.retry;
	cl.sess.timeout_s = a.timeout;
	cl.sess.quiet = a.quiet;
	cl.verbose = a.verbose;
	progress_enable(!a.quiet && isatty(STDERR_FILENO));

	st = main_run(&cl, a.batch, argc - 1, argv + 1);
	if (!cl.quit) {
		session_quit(&cl.sess);
	}
	session_auth_clear(&cl.sess.auth);
	rcache_clear(&cl.cache);
	if (fflush(stdout) == EOF) {
		st = exitcode_merge(st, ST_FAIL);
	}
	return exitcode_clamp(st);
}
