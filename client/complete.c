/*
 * complete.c -- Tab completion in the shell: the glue between readline
 * and the command table.
 *
 * The table says what kind each word of a command is (cmd_arg_kind);
 * remote names come from the listings of rcache.c, local names from
 * readline's own generator.  A failure while completing (no server, a
 * lost connection) only means no matches: it is reported by the next
 * command, never in the middle of the line being typed.  This file
 * runs no command and sends no request of its own.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include "cmd.h"
#include "cmdline.h"
#include "complete.h"
#include "path.h"
#include "rcache.h"

#define COMPLETE_QUOTE_CHARS	" \t\n\"\\'`$<>=;|&{}()*?[]#!~"

static char	**complete_attempt(const char *, int, int);
static char	*complete_cmd_gen(const char *, int);
static char	*complete_remote_gen(const char *, int);
static int	 complete_is_quoted(char *, int);
static char	*complete_rl_quote(char *, int, char *);
static char	*complete_rl_dequote(char *, int);

static struct client		*complete_cl;

char *
complete_dequote(const char *text, int quote)
{
	char	*out, *o;

	if ((out = malloc(strlen(text) + 1)) == NULL) {
		return NULL;
	}
	for (o = out; *text != '\0'; text++) {
		if (quote != '\'' && *text == '\\' && text[1] != '\0' &&
		    (quote == 0 || text[1] == '"' || text[1] == '\\')) {
			text++;
		}
		*o++ = *text;
	}
	*o = '\0';
	return out;
}

char *
complete_quote(const char *name, int quote)
{
	char		*out, *o;
	const char	*p;

	/* at worst every byte becomes four ('\'' for a single quote) */
	if ((out = malloc(strlen(name) * 4 + 1)) == NULL) {
		return NULL;
	}
	for (o = out, p = name; *p != '\0'; p++) {
		if (quote == '\'') {
			if (*p == '\'') {
				/* close, an escaped quote, open again */
				memcpy(o, "'\\''", 4);
				o += 4;
				continue;
			}
		} else if (quote == '"') {
			if (*p == '"' || *p == '\\') {
				*o++ = '\\';
			}
		} else if (strchr(COMPLETE_QUOTE_CHARS, *p) != NULL) {
			*o++ = '\\';
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

int
complete_word_index(const char *line, size_t len, char **cmd)
{
	struct cmdline	 cl;
	int		 idx, i, n = 0, dashdash = 0;

	*cmd = NULL;
	if (cmdline_split_partial(line, len, &cl) == -1) {
		return 0;
	}
	idx = cl.argc - (cl.open ? 1 : 0);
	if (idx > 0) {
		*cmd = strdup(cl.argv[0]);
		for (i = 1; i < idx; i++) {
			if (!dashdash && strcmp(cl.argv[i], "--") == 0) {
				dashdash = 1;
			} else if (dashdash || cl.argv[i][0] != '-' ||
			    cl.argv[i][1] == '\0') {
				n++;
			}
		}
	}
	cmdline_free(&cl);
	return idx > 0 ? n + 1 : 0;
}

static char *
complete_cmd_gen(const char *text, int state)
{
	static size_t	 i, len;
	const char	*name;

	if (state == 0) {
		i = 0;
		len = strlen(text);
	}
	while ((name = cmd_name(i)) != NULL) {
		i++;
		if (strncmp(name, text, len) == 0) {
			return strdup(name);
		}
	}
	return NULL;
}

/*
 * Remote names: text is what was typed of the word (quoting removed by
 * the caller); the folder part is kept as typed, the matching names of
 * that folder follow it, folders with a '/'.
 */
static char *
complete_remote_gen(const char *text, int state)
{
	static const struct rlist	*l;
	static size_t			 i, plen, dlen;
	static char			*word;
	char				 typed[SESSION_PATH_SZ], *out;
	char				 dir[SESSION_PATH_SZ];
	const char			*slash, *name;
	struct rent			*e;
	size_t				 n;

	if (state == 0) {
		free(word);
		word = complete_dequote(text, rl_completion_quote_character);
		l = NULL;
		i = 0;
		if (word == NULL || complete_cl == NULL) {
			return NULL;
		}
		slash = strrchr(word, '/');
		dlen = slash == NULL ? 0 : (size_t)(slash - word) + 1;
		plen = strlen(word) - dlen;
		if (dlen >= sizeof(typed)) {
			return NULL;
		}
		memcpy(typed, word, dlen);
		typed[dlen] = '\0';
		if (path_resolve(complete_cl->sess.cwd, typed, dir,
		    sizeof(dir)) == -1) {
			return NULL;
		}
		l = rcache_get(&complete_cl->cache, &complete_cl->sess, dir);
	}
	if (l == NULL) {
		return NULL;
	}
	while (i < l->n) {
		e = &l->ents[i++];
		name = e->name;
		/* dot files only when a dot was typed, as shells do */
		if (name[0] == '.' && word[dlen] != '.') {
			continue;
		}
		if (strncmp(name, word + dlen, plen) != 0) {
			continue;
		}
		n = dlen + strlen(name) + 2;
		if ((out = malloc(n)) == NULL) {
			return NULL;
		}
		(void)snprintf(out, n, "%.*s%s%s", (int)dlen, word, name,
		    e->kind == TFS_KIND_DIR ? "/" : "");
		return out;
	}
	return NULL;
}

static int
complete_is_quoted(char *text, int index)
{
	int	 n = 0;

	/* an odd run of backslashes before index quotes it */
	while (index > 0 && text[index - 1] == '\\') {
		n++;
		index--;
	}
	return n % 2;
}

static char *
complete_rl_quote(char *name, int match_type, char *qcp)
{
	(void)match_type;
	return complete_quote(name, qcp != NULL ? *qcp : 0);
}

static char *
complete_rl_dequote(char *text, int quote)
{
	return complete_dequote(text, quote);
}

static char **
complete_attempt(const char *text, int start, int end)
{
	char		**m = NULL, *cmd;
	size_t		 len;
	int		 idx;

	(void)end;
	/* never fall back to readline's own file names */
	rl_attempted_completion_over = 1;
	idx = complete_word_index(rl_line_buffer, (size_t)start, &cmd);
	if (idx == 0) {
		m = rl_completion_matches(text, complete_cmd_gen);
		free(cmd);
		return m;
	}
	if (cmd == NULL) {
		return NULL;
	}
	switch (cmd_arg_kind(cmd, idx - 1)) {
	case CMD_ARG_REMOTE:
		rl_filename_completion_desired = 1;
		rl_filename_quoting_desired = 1;
		m = rl_completion_matches(text, complete_remote_gen);
		break;
	case CMD_ARG_LOCAL:
		m = rl_completion_matches(text,
		    rl_filename_completion_function);
		break;
	case CMD_ARG_COMMAND:
		m = rl_completion_matches(text, complete_cmd_gen);
		break;
	default:
		break;
	}
	free(cmd);
	/* a single folder: no blank after its '/', to go on typing */
	if (m != NULL && m[0] != NULL && m[1] == NULL &&
	    (len = strlen(m[0])) > 0 && m[0][len - 1] == '/') {
		rl_completion_suppress_append = 1;
	}
	return m;
}

void
complete_init(struct client *cl)
{
	complete_cl = cl;
	rl_readline_name = "tfs";
	rl_attempted_completion_function = complete_attempt;
	rl_completer_word_break_characters = " \t\n";
	rl_completer_quote_characters = "\"'";
	rl_filename_quote_characters = COMPLETE_QUOTE_CHARS;
	rl_char_is_quoted_p = complete_is_quoted;
	rl_filename_quoting_function = complete_rl_quote;
	rl_filename_dequoting_function = complete_rl_dequote;
}
