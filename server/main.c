/*
 * main.c -- tfsd's command line: read the options of INTERFACE.md into
 * cfg, then set the server up in order (root, log, pid file, socket,
 * user, daemon) and hand over to the worker pool.  Bad usage exits 2,
 * a failure to start exits 1, each with one line on stderr.
 */

#include <sys/types.h>

#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "pool.h"
#include "proto.h"
#include "version.h"

extern char **environ;

static void	usage(FILE *, int) __attribute__((noreturn));
static void	usage_error(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static long long number(const char *, const char *, long long, long long);
static int	main_number(int, const char *);
static const char *main_options(int, char *[]);
static void	main_ready(void);
static void	main_check(void);
static const char *main_abs_path(const char *);

enum {
	OPT_MIN_SPARE = 256,
	OPT_MAX_SPARE,
	OPT_MAX_REQUESTS,
	OPT_READ_ONLY,
	OPT_IDLE_TIMEOUT,
	OPT_STALL_TIMEOUT,
	OPT_MAX_FILE_SIZE,
	OPT_NO_FSYNC,
	OPT_GRACEFUL_TIMEOUT,
	OPT_LOG_FILE,
	OPT_PARTIAL_MAX_AGE,
};

static const struct option longopts[] = {
	{ "root",		required_argument, NULL, 'r' },
	{ "listen",		required_argument, NULL, 'l' },
	{ "port",		required_argument, NULL, 'p' },
	{ "foreground",		no_argument,	   NULL, 'f' },
	{ "workers",		required_argument, NULL, 'w' },
	{ "min-spare",		required_argument, NULL, OPT_MIN_SPARE },
	{ "max-spare",		required_argument, NULL, OPT_MAX_SPARE },
	{ "max-workers",	required_argument, NULL, 'm' },
	{ "max-requests",	required_argument, NULL, OPT_MAX_REQUESTS },
	{ "pidfile",		required_argument, NULL, 'P' },
	{ "user",		required_argument, NULL, 'u' },
	{ "read-only",		no_argument, NULL, OPT_READ_ONLY },
	{ "idle-timeout",	required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "stall-timeout",	required_argument, NULL, OPT_STALL_TIMEOUT },
	{ "max-file-size",	required_argument, NULL, OPT_MAX_FILE_SIZE },
	{ "no-fsync",		no_argument,	NULL, OPT_NO_FSYNC },
	{ "graceful-timeout",	required_argument, NULL,
	    OPT_GRACEFUL_TIMEOUT },
	{ "log-file",		required_argument, NULL, OPT_LOG_FILE },
	{ "partial-max-age",	required_argument, NULL,
	    OPT_PARTIAL_MAX_AGE },
	{ "signal",		required_argument, NULL, 's' },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "quiet",		no_argument,	   NULL, 'q' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL,			0,		   NULL, 0 }
};

static char	 main_addr[128];	/* "ADDR:PORT" once bound */

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
"usage: tfsd [options]\n"
"  -r, --root DIR             folder served (default .)\n"
"  -l, --listen ADDR          address to bind (default :: = IPv6 and IPv4)\n"
"  -p, --port PORT            TCP port, 0 picks a free one (default %d)\n"
"  -f, --foreground           do not daemonize; log to stderr\n"
"  -w, --workers N            workers pre-forked at start (default 4)\n"
"      --min-spare N          idle workers kept at least (default 2)\n"
"      --max-spare N          idle workers kept at most (default 8)\n"
"  -m, --max-workers N        hard cap on workers (default 64)\n"
"      --max-requests N       replace a worker after N connections\n"
"                             (default 0 = never)\n"
"  -P, --pidfile FILE         write and lock a pid file\n"
"  -u, --user USER            drop root privileges to USER after binding\n"
"      --read-only            refuse PUT, DELETE, RENAME, MKDIR\n"
"      --idle-timeout SEC     close idle connections (default 300)\n"
"      --stall-timeout SEC    abort stalled transfers (default 60)\n"
"      --max-file-size BYTES  refuse larger uploads\n"
"      --no-fsync             no fsync before an upload is acknowledged\n"
"      --graceful-timeout SEC on QUIT/HUP cut transfers after SEC (0 = wait)\n"
"      --partial-max-age SEC  keep unfinished uploads for RESUME this long\n"
"                             (default 86400)\n"
"      --log-file FILE        log to FILE instead of stderr or syslog\n"
"  -s, --signal stop|quit|reload|reopen\n"
"                             signal the daemon named by -P and exit\n"
"  -v, --verbose              more logging\n"
"  -q, --quiet                less logging\n"
"  -h, --help                 this help\n"
"  -V, --version              version\n", TFS_DEFAULT_PORT);
	exit(status);
}

/* Bad usage: one line on stderr, exit 2. */
static void
usage_error(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "tfsd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see tfsd -h)\n");
	exit(2);
}

/* A number from the command line, or a usage error naming the option. */
static long long
number(const char *opt, const char *s, long long min, long long max)
{
	const char	*errstr;
	long long	 n;

	n = strtonum(s, min, max, &errstr);
	if (errstr != NULL) {
		usage_error("%s %s: %s (%lld to %lld)", opt, s, errstr, min,
		    max);
	}
	return n;
}

/* Options that only make sense together. */
static void
main_check(void)
{
	if (cfg.min_spare > cfg.max_spare) {
		usage_error("--min-spare %d is above --max-spare %d",
		    cfg.min_spare, cfg.max_spare);
	}
	if (cfg.workers > cfg.max_workers) {
		usage_error("--workers %d is above --max-workers %d",
		    cfg.workers, cfg.max_workers);
	}
}

/*
 * The log file is reopened on SIGUSR1, after the daemon moved to "/":
 * keep it absolute.
 */
static const char *
main_abs_path(const char *path)
{
	char	 cwd[PATH_MAX], *abs;

	if (path[0] == '/') {
		return path;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		err(1, "getcwd");
	}
	if (asprintf(&abs, "%s/%s", cwd, path) == -1) {
		err(1, "asprintf");
	}
	return abs;
}

/* The first worker waits for connections: say so, and detach. */
static void
main_ready(void)
{
	char	 line[sizeof(main_addr) + sizeof(cfg.root) + 64];

	snprintf(line, sizeof(line), "tfsd: listening on %s root=%s "
	    "workers=%d", main_addr, cfg.root, cfg.workers);
	if (cfg.daemonized || cfg.logfile != NULL) {
		log_info("%s", line + strlen("tfsd: "));
	}
	daemon_ready(line);
}

/*
 * A numeric option into cfg.  1 when ch is one, 0 when it is not;
 * a value out of range is a usage error.
 */
static int
main_number(int ch, const char *arg)
{
	switch (ch) {
	case 'p':
		cfg.port = (int)number("-p", arg, 0, 65535);
		break;
	case 'w':
		cfg.workers = (int)number("-w", arg, 1, 4096);
		break;
	case OPT_MIN_SPARE:
		cfg.min_spare = (int)number("--min-spare", arg, 0, 4096);
		break;
	case OPT_MAX_SPARE:
		cfg.max_spare = (int)number("--max-spare", arg, 1, 4096);
		break;
	case 'm':
		cfg.max_workers = (int)number("-m", arg, 1, 4096);
		break;
	case OPT_MAX_REQUESTS:
		cfg.max_requests = (long)number("--max-requests", arg, 0,
		    LONG_MAX);
		break;
	case OPT_IDLE_TIMEOUT:
		cfg.idle_timeout = (int)number("--idle-timeout", arg, 1,
		    INT_MAX / 1000);
		break;
	case OPT_STALL_TIMEOUT:
		cfg.stall_timeout = (int)number("--stall-timeout", arg, 1,
		    INT_MAX / 1000);
		break;
	case OPT_MAX_FILE_SIZE:
		cfg.max_file_size = (uint64_t)number("--max-file-size", arg,
		    0, LLONG_MAX);
		break;
	case OPT_GRACEFUL_TIMEOUT:
		cfg.graceful_timeout = (int)number("--graceful-timeout", arg,
		    0, INT_MAX / 1000);
		break;
	case OPT_PARTIAL_MAX_AGE:
		cfg.partial_max_age = (int)number("--partial-max-age", arg,
		    1, INT_MAX);
		break;
	default:
		return 0;
	}
	return 1;
}

/*
 * Read the command line into cfg.  Returns the name given to -s, or
 * NULL; exits on -h, -V and bad usage.
 */
static const char *
main_options(int argc, char *argv[])
{
	const char	*signame = NULL;
	int		 ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":r:l:p:fw:m:P:u:s:vqhV",
	    longopts, NULL)) != -1) {
		if (main_number(ch, optarg)) {
			continue;
		}
		switch (ch) {
		case 'r':
			if (strlcpy(cfg.root, optarg, sizeof(cfg.root)) >=
			    sizeof(cfg.root)) {
				usage_error("-r %s: path too long", optarg);
			}
			break;
		case 'l':
			cfg.listen_addr = optarg;
			break;
		case 'f':
			cfg.foreground = 1;
			break;
		case 'P':
			cfg.pidfile = optarg;
			break;
		case 'u':
			cfg.user = optarg;
			break;
		case OPT_READ_ONLY:
			cfg.read_only = 1;
			break;
		case OPT_NO_FSYNC:
			cfg.fsync = 0;
			break;
		case OPT_LOG_FILE:
			cfg.logfile = optarg;
			break;
		case 's':
			if (daemon_signal_number(optarg) == -1) {
				usage_error("-s %s: not one of stop, quit, "
				    "reload, reopen", optarg);
			}
			signame = optarg;
			break;
		case 'v':
			cfg.verbose = LOG_LVL_DEBUG;
			break;
		case 'q':
			cfg.verbose = LOG_LVL_QUIET;
			break;
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("tfsd %s (TFS/%d)\n", TFS_RELEASE, TFS_VERSION);
			exit(0);
		case ':':
			if (optopt != 0) {
				usage_error("option -%c needs a value",
				    optopt);
			}
			usage_error("option %s needs a value",
			    argv[optind - 1]);
		default:
			if (optopt != 0) {
				usage_error("unknown option -%c", optopt);
			}
			usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		usage_error("unexpected argument %s", argv[optind]);
	}
	return signame;
}

int
main(int argc, char *argv[])
{
	const char	*signame;
	int		 listen_fd, root_fd, status;
	enum log_dest	 dest;

	/* descriptors inherited from whoever started us are not ours */
	closefrom(STDERR_FILENO + 1);
	config_defaults(&cfg);
	setproctitle_init(argc, argv, environ);
	signame = main_options(argc, argv);
	if (signame != NULL) {
		if (cfg.pidfile == NULL) {
			usage_error("-s needs -P FILE");
		}
		return daemon_signal(cfg.pidfile, signame);
	}
	main_check();

	root_fd = daemon_open_root();
	if (cfg.logfile != NULL) {
		cfg.logfile = main_abs_path(cfg.logfile);
		dest = LOG_TO_FILE;
	} else {
		dest = cfg.foreground ? LOG_TO_STDERR : LOG_TO_SYSLOG;
	}
	if (log_init(dest, cfg.verbose, "tfsd", cfg.logfile) == -1) {
		err(1, "log file %s", cfg.logfile);
	}
	if (cfg.pidfile != NULL) {
		cfg.pidfile = main_abs_path(cfg.pidfile);
		daemon_pidfile_open(cfg.pidfile);
	}
	listen_fd = daemon_listen(cfg.listen_addr, cfg.port, main_addr,
	    sizeof(main_addr));
	if (cfg.user != NULL) {
		daemon_drop_privileges(cfg.user);
	}
	if (!cfg.foreground) {
		daemon_detach();
	}
	daemon_pidfile_write();
	setproctitle("master %s", main_addr);

	status = pool_run(listen_fd, root_fd, main_ready);
	daemon_cleanup();
	return status;
}
