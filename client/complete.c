/*
 * complete.c -- Tab completion in the shell.
 *
 * Remote names come from LIST of the folder being completed.  Listings
 * are cached per folder for a short while, so pressing Tab twice does not
 * cost two round trips, and the commands that change a folder (put, rm,
 * mv, mkdir) drop its entry.  A failure while completing (no server, a
 * lost connection) only means no matches: it is reported by the next
 * command, never in the middle of the line being typed.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include "cmdline.h"
#include "commands.h"
#include "complete.h"
#include "path.h"
#include "xio.h"

#define COMPLETE_CACHE		16	/* folders remembered */
#define COMPLETE_CACHE_MS	60000	/* then listed again */
#define COMPLETE_QUOTE_CHARS	" \t\n\"\\'`$<>=;|&{}()*?[]#!~"

struct complete_dir {
	char		*dir;		/* wire form, NULL: free slot */
	struct rent	*ents;
	size_t		 n;
	int64_t		 when;
};

static char	**complete_attempt(const char *, int, int);
static char	*complete_cmd_gen(const char *, int);
static char	*complete_remote_gen(const char *, int);
static int	 complete_is_quoted(char *, int);
static char	*complete_rl_quote(char *, int, char *);
static char	*complete_rl_dequote(char *, int);
static struct complete_dir *complete_lookup(const char *);
static void	 complete_slot_free(struct complete_dir *);

static struct client		*complete_cl;
static struct complete_dir	 complete_cache[COMPLETE_CACHE];

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

static void
complete_slot_free(struct complete_dir *d)
{
	free(d->dir);
	cmd_list_free(d->ents, d->n);
	memset(d, 0, sizeof(*d));
}

void
complete_forget(const char *dir)
{
	size_t	 i;

	for (i = 0; i < COMPLETE_CACHE; i++) {
		if (complete_cache[i].dir != NULL &&
		    strcmp(complete_cache[i].dir, dir) == 0) {
			complete_slot_free(&complete_cache[i]);
		}
	}
}

void
complete_forget_all(void)
{
	size_t	 i;

	for (i = 0; i < COMPLETE_CACHE; i++) {
		if (complete_cache[i].dir != NULL) {
			complete_slot_free(&complete_cache[i]);
		}
	}
}

/* The listing of remote folder dir: cached, or fetched (NULL: none). */
static struct complete_dir *
complete_lookup(const char *dir)
{
	struct complete_dir	*d, *old = NULL;
	struct rent		*ents;
	int64_t			 now = xio_now_ms();
	size_t			 i, n;

	for (i = 0; i < COMPLETE_CACHE; i++) {
		d = &complete_cache[i];
		if (d->dir != NULL && strcmp(d->dir, dir) == 0) {
			if (now - d->when < COMPLETE_CACHE_MS) {
				return d;
			}
			complete_slot_free(d);
		}
	}
	if (complete_cl == NULL ||
	    session_ensure(&complete_cl->sess) != SESS_OK ||
	    cmd_list(&complete_cl->sess, dir, &ents, &n) != SESS_OK) {
		return NULL;
	}
	/* a free slot, or the oldest */
	for (i = 0; i < COMPLETE_CACHE; i++) {
		d = &complete_cache[i];
		if (d->dir == NULL) {
			old = d;
			break;
		}
		if (old == NULL || d->when < old->when) {
			old = d;
		}
	}
	if (old->dir != NULL) {
		complete_slot_free(old);
	}
	if ((old->dir = strdup(dir)) == NULL) {
		cmd_list_free(ents, n);
		return NULL;
	}
	old->ents = ents;
	old->n = n;
	old->when = now;
	return old;
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
	static struct complete_dir	*d;
	static size_t			 i, plen, dlen;
	static char			*word;
	char				 typed[PATH_MAX_LEN + 1], *out;
	char				 dir[PATH_MAX_LEN + 1];
	const char			*slash, *name;
	struct rent			*e;
	size_t				 n;

	if (state == 0) {
		free(word);
		word = complete_dequote(text, rl_completion_quote_character);
		d = NULL;
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
		d = complete_lookup(dir);
	}
	if (d == NULL) {
		return NULL;
	}
	while (i < d->n) {
		e = &d->ents[i++];
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
