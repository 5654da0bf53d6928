/*
 * shell.h -- the interactive shell (readline) and the batch reader.
 */

#ifndef CLIENT_SHELL_H
#define CLIENT_SHELL_H

#include <stdio.h>

struct client;

/*
 * Run the readline shell until quit, Ctrl-D or end of input (ST_OK), or
 * until the connection is lost and cannot be made again (ST_LOST).
 */
int	shell_run(struct client *cl);
/*
 * Run the commands of fp (named name in messages, "-" for stdin) line
 * by line: stop at the first failing one unless its line starts with
 * '-'; skip blank and '#' lines.  Messages while a line runs begin with
 * "NAME:LINE:".  Returns the exit status of the run.
 */
int	shell_batch(struct client *cl, FILE *fp, const char *name);

#endif /* CLIENT_SHELL_H */
