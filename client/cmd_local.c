/*
 * cmd_local.c -- the commands on this side only: lcd, lpwd, lls and
 * !COMMAND.  They never need the server; a lost connection does not
 * stop them.
 */

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_impl.h"
#include "cmdline.h"
#include "exitcode.h"
#include "path.h"
#include "print.h"

static void	cmd_local_entry(const struct stat *, struct rent *);
static int	cmd_shell_wait(pid_t);

int
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

int
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

/* A local file or folder as a listing shows it. */
static void
cmd_local_entry(const struct stat *sb, struct rent *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = S_ISDIR(sb->st_mode) ? TFS_KIND_DIR : TFS_KIND_FILE;
	e->size = S_ISDIR(sb->st_mode) ? 0 : (uint64_t)sb->st_size;
	e->mtime = sb->st_mtime;
	e->mode = sb->st_mode & 07777;
}

int
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
		cmd_local_entry(&sb, &e);
		print_entry(&e, dir, longfmt);
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
			cmd_local_entry(&sb, &e);
			print_entry(&e, names[i]->d_name, longfmt);
		}
		free(names[i]);
	}
	free(names);
	return ST_OK;
}

/* The shell's status: ST_OK when it exited 0. */
static int
cmd_shell_wait(pid_t pid)
{
	int	 r, wst;

	while ((r = waitpid(pid, &wst, 0)) == -1 && errno == EINTR) {
		continue;
	}
	if (r == -1) {
		warn("!");
		return ST_FAIL;
	}
	return WIFEXITED(wst) && WEXITSTATUS(wst) == 0 ? ST_OK : ST_FAIL;
}

int
cmd_shell(const char *line)
{
	struct sigaction	 ign, oint, oquit;
	const char		*sh;
	char			 buf[PATH_MAX + 8];
	pid_t			 pid;
	int			 st = ST_FAIL;

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
	if (pid == -1) {
		warn("!");
	} else {
		st = cmd_shell_wait(pid);
	}
	(void)sigaction(SIGINT, &oint, NULL);
	(void)sigaction(SIGQUIT, &oquit, NULL);
	return st;
}
