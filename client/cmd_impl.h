/*
 * cmd_impl.h -- what the handlers of the command table share: the call
 * they get and the handlers themselves.  For cmd*.c only; the shell and
 * completion see the table through cmd.h.
 */

#ifndef CLIENT_CMD_IMPL_H
#define CLIENT_CMD_IMPL_H

#include <stdint.h>

#include "cmd.h"
#include "cmdline.h"

/* One call of a command, its options parsed (cmdline_opts). */
struct cmdctx {
	const char	*name;		/* the command's */
	int		 argc;		/* positional arguments */
	char		**argv;
	uint64_t	 opts;		/* CMDLINE_OPT bits */
	struct cmdline_optv ov;		/* and the options' arguments */
	char		 what[1024];	/* "get big.iso", for messages */
};

/*
 * The handlers of the table: each returns an exit status (exitcode.h)
 * after its own messages.
 */
/* cmd_remote.c */
int	cmd_ls(struct client *, struct cmdctx *);
int	cmd_stat(struct client *, struct cmdctx *);
int	cmd_cd(struct client *, struct cmdctx *);
int	cmd_pwd(struct client *, struct cmdctx *);
int	cmd_rm(struct client *, struct cmdctx *);
int	cmd_mv(struct client *, struct cmdctx *);
int	cmd_mkdir(struct client *, struct cmdctx *);
int	cmd_sum(struct client *, struct cmdctx *);
/* cmd_xfer.c */
int	cmd_get(struct client *, struct cmdctx *);
int	cmd_put(struct client *, struct cmdctx *);
int	cmd_mget(struct client *, struct cmdctx *);
int	cmd_mput(struct client *, struct cmdctx *);
/* cmd_mirror.c */
int	cmd_mirror(struct client *, struct cmdctx *);
/* cmd_auth.c */
int	cmd_login(struct client *, struct cmdctx *);
int	cmd_whoami(struct client *, struct cmdctx *);
/* cmd_local.c */
int	cmd_lcd(struct client *, struct cmdctx *);
int	cmd_lpwd(struct client *, struct cmdctx *);
int	cmd_lls(struct client *, struct cmdctx *);
/* !COMMAND, or a shell of one's own for a bare "!" (cmd_local.c). */
int	cmd_shell(const char *line);

/*
 * arg resolved against the remote working folder into out
 * (SESSION_PATH_SZ).  0, or -1 after a message naming what.
 */
int	cmd_rpath(struct client *cl, const char *what, const char *arg,
	    char *out);

#endif /* CLIENT_CMD_IMPL_H */
