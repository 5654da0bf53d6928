/*
 * complete.h -- Tab completion for the shell: command names, remote
 * paths (from the listings of rcache.h) and local paths, with the
 * quoting rules of cmdline.c.
 */

#ifndef CLIENT_COMPLETE_H
#define CLIENT_COMPLETE_H

#include <stddef.h>

struct client;

/* Hook completion into readline for client cl. */
void	complete_init(struct client *cl);
/*
 * Remove the quoting of a word being typed: backslashes outside quotes,
 * \" and \\ inside double quotes, nothing inside single quotes (quote is
 * the quote the word opened with, or 0).  Returns a malloc'd string.
 */
char   *complete_dequote(const char *text, int quote);
/*
 * Quote name for the line: inside quote (0, '"' or '\'') as the splitter
 * of cmdline.c reads it back.  Returns a malloc'd string.
 */
char   *complete_quote(const char *name, int quote);
/*
 * Which word of a partly typed line (len bytes) is being completed:
 * 0 the command, else 1 + the index of the positional argument (options
 * skipped).  *cmd gets a malloc'd copy of the command word (or NULL).
 */
int	complete_word_index(const char *line, size_t len, char **cmd);

#endif /* CLIENT_COMPLETE_H */
