/*
 * main.c -- tfsd's start: the options (options.c) from the command line
 * and the configuration file, the one-shot commands (-t, -s, the user
 * file's commands), then the server set up in order (root, log, pid
 * file, socket, user, the users file, daemon) and handed over to the
 * worker pool.  The configuration and the users file are read again
 * here on HUP.  Bad usage exits 2, a failure to start exits 1, each
 * with one line on stderr.
 */

#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "acl.h"
#include "addrtab.h"
#include "admin.h"
#include "auth.h"
#include "config.h"
#include "daemon.h"
#include "log.h"
#include "options.h"
#include "pool.h"
#include "proto.h"
#include "sandbox.h"
#include "scoreboard.h"
#include "serve.h"
#include "space.h"
#include "status.h"
#include "users.h"
#include "version.h"
#include "xio.h"

extern char **environ;

/* Client addresses the shared table remembers (failed sign-ins). */
#define MAIN_ADDRESSES	4096

static void	usage_error(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static const char *main_abs_path(const char *);
static void	main_abs_paths(struct tfsd_config *);
static int	main_load(struct tfsd_config *, char *, size_t);
static void	main_ready(void);
static void	main_reread(void);
static void	main_reread_config(void);
static void	main_reread_access(void);
static struct users *main_users(const char *, char *, size_t);
static int	main_allow(struct acl *, char *, size_t);
static void	main_shared_make(void);
static void	main_reload(void);
static void	main_scoreboard(const char *);
static void	main_syslog_check(void);
static const char *main_pidfile(void);
static int	main_command(void);
static int	main_serve(void);

static char		 main_addr[128];	/* "ADDR:PORT" once bound */
static char		 main_startdir[PATH_MAX];
static struct tfsd_config main_cli;		/* the command line's */
static struct optset	 main_given;		/* options it gave */
static struct tfsd_cmd	 main_cmd;
static struct serve_shared main_shared;		/* what workers inherit */
static struct sandbox_status main_sandbox;	/* what it comes to */
static int		 main_sandbox_rc;	/* 1: a part is missing */
static const char	*main_root_warning;	/* serving as root */

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

/*
 * A daemon works from "/" and reopens its files on USR1 and HUP: keep
 * every path absolute, relative to the folder tfsd was started in.
 * Returns path, or a copy kept for the life of the process.
 */
static const char *
main_abs_path(const char *path)
{
	char	*abs;

	if (path == NULL || path[0] == '/') {
		return path;
	}
	if (asprintf(&abs, "%s/%s", main_startdir, path) == -1) {
		err(1, "asprintf");
	}
	return abs;
}

static void
main_abs_paths(struct tfsd_config *c)
{
	char	 root[sizeof(c->root)];

	c->logfile = main_abs_path(c->logfile);
	c->pidfile = main_abs_path(c->pidfile);
	c->users = main_abs_path(c->users);
	if (c->root[0] != '/' && snprintf(root, sizeof(root), "%s/%s",
	    main_startdir, c->root) < (int)sizeof(root)) {
		memcpy(c->root, root, sizeof(root));
	}
}

/*
 * The configuration: the defaults, then the file of -c (but for what
 * the command line gave), then the command line.  0; -1 with err when
 * the file is wrong, -2 when options do not go together.
 */
static int
main_load(struct tfsd_config *c, char *err, size_t errsz)
{
	config_defaults(c);
	if (main_cmd.config != NULL && options_file(main_cmd.config, c,
	    &main_given, err, errsz) == -1) {
		config_free(c);
		return -1;
	}
	options_overlay(c, &main_cli, &main_given);
	if (options_check(c, &main_cmd, err, errsz) == -1) {
		config_free(c);
		return -2;
	}
	main_abs_paths(c);
	return 0;
}

/*
 * HUP: read the configuration again (with -c), then the users file.
 * What is broken is logged and the running version kept.
 */
static void
main_reread(void)
{
	if (main_cmd.config != NULL) {
		main_reread_config();
	}
	main_reread_access();
}

/*
 * The configuration file again.  A broken one is logged and the running
 * one kept; options that only a restart can change keep their old
 * values, and the log says so.
 */
static void
main_reread_config(void)
{
	struct tfsd_config	 next;
	const char		*name;
	char			 err[512];

	if (main_load(&next, err, sizeof(err)) != 0) {
		log_warnx("reload: %s; keeping the running configuration",
		    err);
		return;
	}
	while ((name = options_keep_running(&next, &cfg)) != NULL) {
		log_warnx("reload: --%s changes only with a restart; keeping "
		    "the running value", name);
	}
	next.daemonized = cfg.daemonized;
	config_free(&cfg);
	cfg = next;
	log_setlevel(cfg.verbose);
	log_info("configuration %s read again", main_cmd.config);
}

/* HUP, as systemd is told: reloading, then ready again. */
static void
main_reload(void)
{
	daemon_notify("RELOADING=1\nMONOTONIC_USEC=%lld",
	    (long long)xio_now_ms() * 1000);
	main_reread();
	daemon_notify("READY=1");
}

/*
 * The users file at path (NULL: no users, no sign-in), or NULL with
 * "FILE: why" in err.  *err is "" when there is simply no file to load.
 */
static struct users *
main_users(const char *path, char *err, size_t errsz)
{
	err[0] = '\0';
	if (path == NULL) {
		return NULL;
	}
	return users_load(path, err, errsz);
}

/*
 * The users file and the --allow list again: the workers forked from
 * now on get them.  (options_check() has parsed --allow already.)
 */
static void
main_reread_access(void)
{
	struct users	*next;
	struct acl	 allow;
	char		 err[512];

	if (main_allow(&allow, err, sizeof(err)) == 0) {
		acl_free(&main_shared.allow);
		main_shared.allow = allow;
	} else {
		log_warnx("reload: %s; keeping the running list", err);
	}
	next = main_users(cfg.users, err, sizeof(err));
	if (next == NULL && err[0] != '\0') {
		log_warnx("reload: %s; keeping the users as they were", err);
		return;
	}
	users_free((struct users *)main_shared.users);
	main_shared.users = next;
	if (next != NULL) {
		log_info("users file %s read again: %zu users", cfg.users,
		    users_count(next));
	}
}

/* The --allow list into *allow.  0, or -1 with "--allow ..." in err. */
static int
main_allow(struct acl *allow, char *err, size_t errsz)
{
	char	 why[256];
	int	 i;

	memset(allow, 0, sizeof(*allow));
	for (i = 0; i < cfg.nallow; i++) {
		if (acl_add(allow, cfg.allow[i], why, sizeof(why)) == -1) {
			(void)snprintf(err, errsz, "--allow %s", why);
			acl_free(allow);
			return -1;
		}
	}
	return 0;
}

/*
 * What the master makes once for every worker, after the privilege
 * drop and before the first fork: the users (the file must be the
 * serving user's own), the server secret, the address list, the shared
 * tables; and the sandbox's libraries loaded, its status kept for
 * main_ready().  Exits 1 with one line when something is wrong.
 */
static void
main_shared_make(void)
{
	char	 msg[512];

	main_shared.users = main_users(cfg.users, msg, sizeof(msg));
	if (main_shared.users == NULL && msg[0] != '\0') {
		errx(1, "%s", msg);
	}
	if (main_allow(&main_shared.allow, msg, sizeof(msg)) == -1) {
		errx(1, "%s", msg);
	}
	auth_secret_make(main_shared.secret);
	if ((main_shared.space = space_create(cfg.max_workers)) == NULL ||
	    (main_shared.addrtab = addrtab_create(MAIN_ADDRESSES,
	    cfg.max_workers, ADDRTAB_V6_PREFIX)) == NULL) {
		err(1, "shared memory");
	}
	main_sandbox_rc = sandbox_init(&main_sandbox);
	main_root_warning = sandbox_root_warning(geteuid(), cfg.user);
}

/*
 * The first worker waits for connections: say so, and detach.  Then,
 * once (the listening line comes first on a terminal, for scripts),
 * what the workers' sandbox comes to, and whether it serves as root.
 */
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
	daemon_notify("READY=1\nMAINPID=%ld\nSTATUS=listening on %s",
	    (long)getpid(), main_addr);
	if (main_sandbox_rc != 0) {
		log_warnx("sandbox: %s", main_sandbox.text);
	} else {
		log_info("sandbox: %s", main_sandbox.text);
	}
	if (main_root_warning != NULL) {
		log_warnx("%s", main_root_warning);
	}
}

/*
 * The scoreboard goes in a file beside the pid file, for -s status.  It
 * is made while the pid file is ours, and before root is given up, in
 * the folder root chose for the pid file.
 */
static void
main_scoreboard(const char *pidfile)
{
	char	 path[PATH_MAX];

	if (sb_path(pidfile, path, sizeof(path)) == -1) {
		errx(1, "scoreboard for pid file %s: path too long", pidfile);
	}
	if (sb_backing_open(path) == -1) {
		err(1, "scoreboard %s", path);
	}
}

/*
 * A daemon logs to syslog: where there is none (a container, a chroot)
 * its lines would be lost without a word.  Say so while the terminal
 * still listens, and do not start.
 */
static void
main_syslog_check(void)
{
	if (cfg.logfile != NULL || access(_PATH_LOG, W_OK) == 0) {
		return;
	}
	errx(1, "no syslog here (%s: %s): give --log-file FILE, or run in "
	    "the foreground (-f)", _PATH_LOG, strerror(errno));
}

/*
 * The pid file: -P, or for a daemon without it the default of
 * INTERFACE.md, so that -s finds it.  A server in the foreground writes
 * one only when asked.
 */
static const char *
main_pidfile(void)
{
	static char	 buf[PATH_MAX];
	const char	*rt;

	if (cfg.pidfile != NULL || (cfg.foreground && main_cmd.signame ==
	    NULL)) {
		return cfg.pidfile;
	}
	if (geteuid() == 0) {
		return "/run/tfsd.pid";
	}
	if ((rt = getenv("XDG_RUNTIME_DIR")) != NULL && rt[0] == '/' &&
	    snprintf(buf, sizeof(buf), "%s/tfsd.pid", rt) < (int)sizeof(buf)) {
		return buf;
	}
	(void)snprintf(buf, sizeof(buf), "/tmp/tfsd-%ld.pid", (long)getuid());
	return buf;
}

/* A one-shot command of the command line: its exit status, or -1. */
static int
main_command(void)
{
	if (main_cmd.test) {
		printf("tfsd: configuration ok\n");
		return 0;
	}
	if (main_cmd.signame != NULL && strcmp(main_cmd.signame,
	    "status") == 0) {
		return status_show(main_pidfile(), main_cmd.json, stdout);
	}
	if (main_cmd.signame != NULL) {
		return daemon_signal(main_pidfile(), main_cmd.signame);
	}
	if (main_cmd.set_user != NULL) {
		return admin_set_user(cfg.users, main_cmd.set_user,
		    main_cmd.rights == -1 ? NULL :
		    users_rights_name((uint8_t)main_cmd.rights),
		    main_cmd.home, STDIN_FILENO);
	}
	if (main_cmd.del_user != NULL) {
		return admin_del_user(cfg.users, main_cmd.del_user);
	}
	if (main_cmd.list_users) {
		return admin_list_users(cfg.users, stdout);
	}
	return -1;
}

/* Set the server up in order and serve until a signal stops it. */
static int
main_serve(void)
{
	enum log_dest	 dest;
	int		 listen_fd, root_fd, status;

	root_fd = daemon_open_root();
	dest = cfg.logfile != NULL ? LOG_TO_FILE : cfg.foreground ?
	    LOG_TO_STDERR : LOG_TO_SYSLOG;
	if (log_init(dest, cfg.verbose, "tfsd", cfg.logfile) == -1) {
		err(1, "log file %s", cfg.logfile);
	}
	cfg.pidfile = main_pidfile();
	if (cfg.pidfile != NULL) {
		daemon_pidfile_open(cfg.pidfile);
		main_scoreboard(cfg.pidfile);
	}
	listen_fd = daemon_listen(cfg.listen_addr, cfg.port, main_addr,
	    sizeof(main_addr));
	if (cfg.user != NULL) {
		daemon_drop_privileges(cfg.user);
	}
	main_shared_make();
	if (!cfg.foreground) {
		main_syslog_check();
		daemon_detach();
	}
	daemon_pidfile_write();
	setproctitle("master %s", main_addr);
	status = pool_run(listen_fd, root_fd, &main_shared, main_ready,
	    main_reload);
	sb_backing_remove();
	daemon_cleanup();
	users_free((struct users *)main_shared.users);
	explicit_bzero(main_shared.secret, sizeof(main_shared.secret));
	space_destroy(main_shared.space);
	addrtab_destroy(main_shared.addrtab);
	acl_free(&main_shared.allow);
	return status;
}

int
main(int argc, char *argv[])
{
	char	 msg[512];
	int	 status;

	/* descriptors inherited from whoever started us are not ours */
	closefrom(STDERR_FILENO + 1);
	setproctitle_init(argc, argv, environ);
	if (getcwd(main_startdir, sizeof(main_startdir)) == NULL) {
		err(1, "getcwd");
	}
	config_defaults(&main_cli);
	main_cmd.rights = -1;
	if (options_argv(argc, argv, &main_cli, &main_cmd, &main_given, msg,
	    sizeof(msg)) == -1) {
		usage_error("%s", msg);
	}
	if (main_cmd.help) {
		options_usage(stdout);
		return 0;
	}
	if (main_cmd.version) {
		printf("tfsd %s (TFS/%d)\n", TFS_RELEASE, TFS_VERSION);
		return 0;
	}
	if ((status = main_load(&cfg, msg, sizeof(msg))) != 0) {
		if (status == -2 && !main_cmd.test) {
			usage_error("%s", msg);
		}
		fprintf(stderr, "tfsd: %s\n", msg);
		return 1;
	}
	if ((status = main_command()) != -1) {
		return status;
	}
	return main_serve();
}
