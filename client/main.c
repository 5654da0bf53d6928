/*
 * main.c -- tfs, the client of TFS/1: options, the HOST[:PORT] argument,
 * and the choice between one command, a batch and the interactive shell.
 *
 * The exit status is 0 only when everything asked for succeeded; 1 a
 * command failed; 2 bad usage; 3 could not connect or the connection was
 * lost (exitcode.c holds the rules).
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
};

/* What the options ask for beyond the client's transfer defaults. */
struct main_args {
	const char	*batch;		/* -b FILE */
	char		 port[SESSION_PORT_SZ];	/* -p PORT, or "" */
	int		 quiet;
	int		 retry;
	int		 timeout;	/* seconds */
};

static void	usage(FILE *);
static int	main_opts(int, char **, struct client *, struct main_args *);
static int	main_run(struct client *, const char *, int, char **);

static const struct option	longopts[] = {
	{ "port",	required_argument,	NULL,	'p' },
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
	    "usage: tfs [options] HOST[:PORT] [COMMAND [ARG...]]\n"
	    "  -p, --port PORT      port when HOST has none (default %d)\n"
	    "  -b, --batch FILE     run the commands of FILE (- = stdin)\n"
	    "  -q, --quiet          no progress bars, no chatter\n"
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
	    "Exit status: 0 success, 1 a command failed, 2 bad usage, "
	    "3 no connection.\n", TFS_DEFAULT_PORT, SESSION_TIMEOUT_S);
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
	while ((ch = getopt_long(argc, argv, "+p:b:qrhV", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'p':
			if (cmdline_port_ok(optarg) == -1 ||
			    strlcpy(a->port, optarg, sizeof(a->port)) >=
			    sizeof(a->port)) {
				warnx("bad port: %s", optarg);
				return ST_USAGE;
			}
			break;
		case 'b':
			a->batch = optarg;
			break;
		case 'q':
			a->quiet = 1;
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
			fprintf(stderr, "usage: tfs [options] HOST[:PORT] "
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
	st = shell_batch(cl, fp);
	if (fp != stdin) {
		(void)fclose(fp);
	}
	return st;
}

int
main(int argc, char *argv[])
{
	struct client		 cl;
	struct main_args	 a = { .timeout = SESSION_TIMEOUT_S };
	const char		*errstr;
	char			 host[SESSION_HOST_SZ], port[SESSION_PORT_SZ];
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
	if (a.port[0] != '\0') {
		(void)strlcpy(port, a.port, sizeof(port));
	} else {
		(void)snprintf(port, sizeof(port), "%d", TFS_DEFAULT_PORT);
	}
	if (cmdline_target(argv[0], host, sizeof(host), port, sizeof(port),
	    &errstr) == -1) {
		warnx("%s: %s", argv[0], errstr);
		return ST_USAGE;
	}
	if (intr_init() == -1) {
		err(ST_FAIL, "signals");
	}
	session_init(&cl.sess, host, port);
	cl.sess.retry = a.retry;
	cl.sess.timeout_s = a.timeout;
	cl.sess.quiet = a.quiet;
	progress_enable(!a.quiet && isatty(STDERR_FILENO));

	st = main_run(&cl, a.batch, argc - 1, argv + 1);
	if (!cl.quit) {
		session_quit(&cl.sess);
	}
	rcache_clear(&cl.cache);
	if (fflush(stdout) == EOF) {
		st = exitcode_merge(st, ST_FAIL);
	}
	return exitcode_clamp(st);
}
