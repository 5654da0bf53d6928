/*
 * cmdline.c -- splitting what a user typed into words, a command's
 * options, batch lines and the HOST[:PORT] argument.
 *
 * Pure functions only: the shell, the batch reader, completion and the
 * unit tests all see exactly the same quoting rules.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

/* Where a scan of a line is. */
struct cmdline_scan {
	const char	*line;
	size_t		 len;
	size_t		 i;		/* next byte of line */
	size_t		 o;		/* next byte of the words' storage */
};

static int	cmdline_scan(const char *, size_t, struct cmdline *, int,
		    const char **);
static int	cmdline_word(struct cmdline_scan *, char *);
static int	cmdline_quoted(struct cmdline_scan *, char *, char);
static int	cmdline_blank(char);
static int	cmdline_long(const char *, const char *, char *);
static int	cmdline_set(struct cmdline_optv *, const char *, char,
		    const char *, int *, int, char **);

static int
cmdline_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The splitter behind cmdline_split and cmdline_split_partial.  Each word
 * takes at most as many bytes as it spans in the line and ends where a
 * blank (or the end) was, so len + 1 bytes hold every word.
 */
static int
cmdline_scan(const char *line, size_t len, struct cmdline *cl, int tolerant,
    const char **errstr)
{
	struct cmdline_scan	 sc = { line, len, 0, 0 };
	int			 r;

	memset(cl, 0, sizeof(*cl));
	cl->buf = malloc(len + 1);
	cl->argv = calloc(len / 2 + 2, sizeof(char *));
	if (cl->buf == NULL || cl->argv == NULL) {
		cmdline_free(cl);
		if (errstr != NULL) {
			*errstr = "out of memory";
		}
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		while (sc.i < len && cmdline_blank(line[sc.i])) {
			sc.i++;
		}
		if (sc.i >= len) {
			break;
		}
		cl->last_start = sc.i;
		cl->argv[cl->argc++] = cl->buf + sc.o;
		r = cmdline_word(&sc, cl->buf);
		cl->buf[sc.o++] = '\0';
		if (r == 0) {
			continue;
		}
		/* the line ended inside this word */
		if (r == 1 || tolerant) {
			cl->open = 1;
			break;
		}
		if (errstr != NULL) {
			*errstr = r == 2 ? "unterminated quote" :
			    "trailing backslash";
		}
		cmdline_free(cl);
		errno = EINVAL;
		return -1;
	}
	cl->argv[cl->argc] = NULL;
	return 0;
}

/*
 * One word from sc->i into buf at sc->o.  0 when a blank ended it, 1
 * when the line did, 2 inside a quote, 3 after a backslash.
 */
static int
cmdline_word(struct cmdline_scan *sc, char *buf)
{
	const char	*line = sc->line;
	char		 q;

	while (sc->i < sc->len) {
		q = line[sc->i];
		if (cmdline_blank(q)) {
			return 0;
		}
		if (q == '\'' || q == '"') {
			if (cmdline_quoted(sc, buf, q) == -1) {
				return 2;
			}
		} else if (q == '\\') {
			if (sc->i + 1 >= sc->len) {
				sc->i++;
				return 3;
			}
			buf[sc->o++] = line[sc->i + 1];
			sc->i += 2;
		} else {
			buf[sc->o++] = q;
			sc->i++;
		}
	}
	return 1;
}

/*
 * A quoted part of a word, sc->i at its opening quote q: '...' keeps
 * everything, "..." all but the escapes \" and \\.  0, or -1 when the
 * line ends before the closing quote.
 */
static int
cmdline_quoted(struct cmdline_scan *sc, char *buf, char q)
{
	const char	*line = sc->line;

	for (sc->i++; sc->i < sc->len && line[sc->i] != q; sc->i++) {
		if (q == '"' && line[sc->i] == '\\' && sc->i + 1 < sc->len &&
		    (line[sc->i + 1] == '"' || line[sc->i + 1] == '\\')) {
			sc->i++;
		}
		buf[sc->o++] = line[sc->i];
	}
	if (sc->i >= sc->len) {
		return -1;
	}
	sc->i++;
	return 0;
}

int
cmdline_split(const char *line, struct cmdline *cl, const char **errstr)
{
	return cmdline_scan(line, strlen(line), cl, 0, errstr);
}

int
cmdline_split_partial(const char *line, size_t len, struct cmdline *cl)
{
	return cmdline_scan(line, len, cl, 1, NULL);
}

void
cmdline_free(struct cmdline *cl)
{
	free(cl->argv);
	free(cl->buf);
	memset(cl, 0, sizeof(*cl));
}

/* cmdline_getopts with no long options and no letter taking an argument. */
int
cmdline_opts(int argc, char **argv, const char *allowed, uint64_t *mask,
    int *optind, char *bad)
{
	struct cmdline_optv	 ov;
	char			 word[8];
	int			 r;

	r = cmdline_getopts(argc, argv, allowed, "", &ov, optind, word,
	    sizeof(word));
	*mask = ov.mask;
	if (r == -1) {
		/* "-x", or "--..." whose '-' is the letter refused */
		*bad = word[1];
	}
	return r;
}

/*
 * The letter long option name (up to '=' or its end) stands for in
 * longs, into *c.  0, or -1 when it is not there.
 */
static int
cmdline_long(const char *longs, const char *name, char *c)
{
	size_t		 n = strcspn(name, "=");
	const char	*p = longs;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && p[n] == '=' &&
		    p[n + 1] != '\0') {
			*c = p[n + 1];
			return 0;
		}
		if ((p = strchr(p, ',')) != NULL) {
			p++;
		}
	}
	return -1;
}

/*
 * Set letter c in ov; when allowed says it takes an argument, that is
 * inl (the rest of the word, or NULL) or the next word (*i moves on).
 * 0, or -1 when the argument is missing.
 */
static int
cmdline_set(struct cmdline_optv *ov, const char *allowed, char c,
    const char *inl, int *i, int argc, char **argv)
{
	const char	*p = strchr(allowed, c);

	ov->mask |= CMDLINE_OPT(c);
	if (p == NULL || p[1] != ':') {
		return inl == NULL ? 0 : -1;
	}
	if (inl != NULL && *inl != '\0') {
		ov->arg[c - 'A'] = inl;
		return 0;
	}
	if (*i + 1 >= argc) {
		return -1;
	}
	ov->arg[c - 'A'] = argv[++*i];
	return 0;
}

int
cmdline_getopts(int argc, char **argv, const char *allowed,
    const char *longs, struct cmdline_optv *ov, int *optind, char *bad,
    size_t badsz)
{
	const char	*p, *eq, *q;
	char		 c;
	int		 i;

	memset(ov, 0, sizeof(*ov));
	for (i = 1; i < argc; i++) {
		p = argv[i];
		if (p[0] != '-' || p[1] == '\0') {
			break;
		}
		if (strcmp(p, "--") == 0) {
			i++;
			break;
		}
		if (p[1] == '-') {
			eq = strchr(p, '=');
			if (cmdline_long(longs, p + 2, &c) == -1 ||
			    cmdline_set(ov, allowed, c, eq != NULL ? eq + 1 :
			    NULL, &i, argc, argv) == -1) {
				(void)snprintf(bad, badsz, "%.*s", eq != NULL ?
				    (int)(eq - p) : (int)strlen(p), p);
				*optind = i;
				return -1;
			}
			continue;
		}
		for (p++; *p != '\0'; p++) {
			c = *p;
			if (c < 'A' || c > 'z' || c == ':' ||
			    (q = strchr(allowed, c)) == NULL ||
			    cmdline_set(ov, allowed, c, q[1] == ':' ? p + 1 :
			    NULL, &i, argc, argv) == -1) {
				(void)snprintf(bad, badsz, "-%c", c);
				*optind = i;
				return -1;
			}
			if (q[1] == ':') {
				/* the rest of the word was its argument */
				break;
			}
		}
	}
	*optind = i;
	return 0;
}

const char *
cmdline_batch(const char *line, int *ignore)
{
	*ignore = 0;
	while (cmdline_blank(*line)) {
		line++;
	}
	if (*line == '-') {
		*ignore = 1;
		line++;
	}
	if (*line == '\0' || *line == '#') {
		/* "-" alone or "-#..." is nothing to run either */
		*ignore = 0;
		return NULL;
	}
	return line;
}

int
cmdline_user(const char *arg, char *user, size_t usersz, const char **rest,
    const char **errstr)
{
	const char	*at = strrchr(arg, '@');
	size_t		 n;

	*rest = arg;
	if (usersz == 0) {
		*errstr = "no room for a user";
		return -1;
	}
	user[0] = '\0';
	if (at == NULL) {
		return 0;
	}
	if ((n = (size_t)(at - arg)) == 0) {
		*errstr = "empty user before '@'";
		return -1;
	}
	if (n >= usersz) {
		*errstr = "user name too long";
		return -1;
	}
	memcpy(user, arg, n);
	user[n] = '\0';
	*rest = at + 1;
	return 0;
}

int
cmdline_port_ok(const char *port)
{
	long	 v = 0;
	size_t	 i;

	if (port[0] == '\0' || strlen(port) > 5) {
		return -1;
	}
	for (i = 0; port[i] != '\0'; i++) {
		if (port[i] < '0' || port[i] > '9') {
			return -1;
		}
		v = v * 10 + (port[i] - '0');
	}
	return v >= 1 && v <= 65535 ? 0 : -1;
}

int
cmdline_target(const char *arg, char *host, size_t hostsz, char *port,
    size_t portsz, const char **errstr)
{
	const char	*h, *p = NULL, *c;
	size_t		 hlen;

	if (arg[0] == '[') {
		/* [v6addr] or [v6addr]:port */
		if ((c = strchr(arg, ']')) == NULL) {
			*errstr = "missing ']'";
			return -1;
		}
		h = arg + 1;
		hlen = (size_t)(c - h);
		if (c[1] == ':') {
			p = c + 2;
		} else if (c[1] != '\0') {
			*errstr = "junk after ']'";
			return -1;
		}
	} else if ((c = strchr(arg, ':')) != NULL && strchr(c + 1, ':') ==
	    NULL) {
		/* one colon: host:port */
		h = arg;
		hlen = (size_t)(c - arg);
		p = c + 1;
	} else {
		/* no colon, or a bare IPv6 address with several */
		h = arg;
		hlen = strlen(arg);
	}
	if (hlen == 0) {
		*errstr = "empty host";
		return -1;
	}
	if (hlen >= hostsz) {
		*errstr = "host name too long";
		return -1;
	}
	if (p != NULL) {
		if (cmdline_port_ok(p) == -1 || strlen(p) >= portsz) {
			*errstr = "bad port";
			return -1;
		}
		memcpy(port, p, strlen(p) + 1);
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	return 0;
}
