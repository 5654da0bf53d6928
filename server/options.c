/*
 * options.c -- every option of tfsd in one table, and the three readers
 * of it: the command line (getopt_long), the configuration file
 * (tfsd.conf(5): one "name value" per line, the long names, '#'
 * comments) and --help.
 *
 * A value is checked the same way wherever it comes from, by the row's
 * kind.  Rows marked CLI (actions such as -s, --set-user) are refused in
 * a file; rows marked RESTART cannot change on HUP.  Never exits and
 * never prints but --help: main.c decides what a failure means.
 */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <libutil.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "log.h"
#include "options.h"
#include "proto.h"

/* How a row's value is read. */
enum optkind {
	K_FLAG,		/* no value: int = 1 (a file may say yes or no) */
	K_UNFLAG,	/* no value: int = 0 (--no-fsync) */
	K_INT,		/* int within min .. max */
	K_LONG,		/* long within min .. max */
	K_SIZE,		/* bytes, with K, M, G, T: uint64_t */
	K_PARTIAL,	/* bytes, or N% of the root's file system */
	K_STR,		/* const char * */
	K_ROOT,		/* the root's char array */
	K_ALLOW,	/* one more CIDR */
	K_RIGHTS,	/* none, ro or rw: TFS_RIGHT_* bits */
	K_LEVEL,	/* no value: int = min (-v, -q) */
	K_SIGNAL,	/* a -s name */
};

#define CLI	0x01		/* the command line only */
#define RESTART	0x02		/* not taken on HUP */
#define CMD	0x04		/* the field is in struct tfsd_cmd */

struct optdef {
	const char	*name;
	int		 ch;		/* short option, or 0 */
	enum optkind	 kind;
	size_t		 off;		/* of the field */
	long long	 min, max;
	unsigned	 flags;
	const char	*arg;		/* its value in --help, NULL: none */
	const char	*help;
};

#define C(f)	offsetof(struct tfsd_config, f)
#define M(f)	offsetof(struct tfsd_cmd, f)
#define SECS	(INT_MAX / 1000)

static const struct optdef optdefs[] = {
	{ "root", 'r', K_ROOT, C(root), 0, 0, 0, "DIR",
	    "folder served (default .)" },
	{ "listen", 'l', K_STR, C(listen_addr), 0, 0, RESTART, "ADDR",
	    "address to bind (default :: = IPv6 and IPv4)" },
	{ "port", 'p', K_INT, C(port), 0, 65535, RESTART, "PORT",
	    "TCP port, 0 picks a free one (default 10069)" },
	{ "foreground", 'f', K_FLAG, C(foreground), 0, 0, RESTART, NULL,
	    "do not daemonize; log to stderr" },
	{ "workers", 'w', K_INT, C(workers), 1, 4096, 0, "N",
	    "workers pre-forked at start (default 4)" },
	{ "min-spare", 0, K_INT, C(min_spare), 0, 4096, 0, "N",
	    "idle workers kept at least (default 2)" },
	{ "max-spare", 0, K_INT, C(max_spare), 1, 4096, 0, "N",
	    "idle workers kept at most (default 8)" },
	{ "max-workers", 'm', K_INT, C(max_workers), 1, 4096, RESTART, "N",
	    "hard cap on workers (default 64)" },
	{ "max-requests", 0, K_LONG, C(max_requests), 0, LONG_MAX, 0, "N",
	    "replace a worker after N connections (0 = never)" },
	{ "pidfile", 'P', K_STR, C(pidfile), 0, 0, RESTART, "FILE",
	    "write and lock a pid file" },
	{ "user", 'u', K_STR, C(user), 0, 0, RESTART, "USER",
	    "drop root privileges to USER after binding" },
	{ "read-only", 0, K_FLAG, C(read_only), 0, 0, 0, NULL,
	    "refuse every change (PUT, DELETE, RENAME, ...)" },
	{ "anonymous", 0, K_RIGHTS, C(anonymous), 0, 3, 0, "none|ro|rw",
	    "what anonymous connections may do (default ro)" },
	{ "users", 0, K_STR, C(users), 0, 0, 0, "FILE",
	    "the users who may sign in (default none)" },
	{ "allow", 0, K_ALLOW, C(allow), 0, 0, 0, "CIDR",
	    "serve only these addresses (repeatable)" },
	{ "max-per-ip", 0, K_INT, C(max_per_ip), 0, 100000, 0, "N",
	    "connections at once per address (16; 0 = any)" },
	{ "idle-timeout", 0, K_INT, C(idle_timeout), 1, SECS, 0, "SEC",
	    "close connections idle this long (default 300)" },
	{ "first-request-timeout", 0, K_INT, C(first_request_timeout), 1,
	    SECS, 0, "SEC", "the first request must come within (default 10)" },
	{ "stall-timeout", 0, K_INT, C(stall_timeout), 1, SECS, 0, "SEC",
	    "window a transfer's rate is judged on (60)" },
	{ "min-rate", 0, K_INT, C(min_rate), 0, INT_MAX, 0, "BYTES",
	    "bytes/s a transfer must keep up (default 1024)" },
	{ "max-file-size", 0, K_SIZE, C(max_file_size), 0, 0, 0, "BYTES",
	    "larger uploads answer TOO_LARGE (default none)" },
	{ "max-partial", 0, K_PARTIAL, C(max_partial), 0, 0, 0, "BYTES|N%",
	    "what unfinished uploads may hold (default 10%)" },
	{ "partial-max-age", 0, K_INT, C(partial_max_age), 1, INT_MAX, 0,
	    "SEC", "keep unfinished uploads this long (86400)" },
	{ "no-fsync", 0, K_UNFLAG, C(fsync), 0, 0, 0, NULL,
	    "no fsync before an upload is acknowledged" },
	{ "graceful-timeout", 0, K_INT, C(graceful_timeout), 0, SECS, 0,
	    "SEC", "on QUIT/HUP cut transfers after SEC (0 = wait)" },
	{ "log-file", 0, K_STR, C(logfile), 0, 0, RESTART, "FILE",
	    "log to FILE instead of stderr or syslog" },
	{ "verbose", 'v', K_LEVEL, C(verbose), LOG_LVL_DEBUG, 0, 0, NULL,
	    "more logging" },
	{ "quiet", 'q', K_LEVEL, C(verbose), LOG_LVL_QUIET, 0, 0, NULL,
	    "less logging" },
	{ "config", 'c', K_STR, M(config), 0, 0, CLI | CMD, "FILE",
	    "read options from FILE (the command line wins)" },
	{ "test-config", 't', K_FLAG, M(test), 0, 0, CLI | CMD, NULL,
	    "check the options and the file of -c, then exit" },
	{ "signal", 's', K_SIGNAL, M(signame), 0, 0, CLI | CMD,
	    "stop|quit|reload|reopen|status",
	    "signal the daemon, or show its workers; exit" },
	{ "json", 0, K_FLAG, M(json), 0, 0, CLI | CMD, NULL,
	    "-s status prints JSON" },
	{ "set-user", 0, K_STR, M(set_user), 0, 0, CLI | CMD, "NAME",
	    "add NAME to --users FILE, or set its password" },
	{ "rights", 0, K_RIGHTS, M(rights), 1, 3, CLI | CMD, "ro|rw",
	    "with --set-user: its rights (new users: rw)" },
	{ "home", 0, K_STR, M(home), 0, 0, CLI | CMD, "DIR",
	    "with --set-user: its home in the root" },
	{ "del-user", 0, K_STR, M(del_user), 0, 0, CLI | CMD, "NAME",
	    "remove NAME from --users FILE" },
	{ "list-users", 0, K_FLAG, M(list_users), 0, 0, CLI | CMD, NULL,
	    "print the users of --users FILE" },
	{ "help", 'h', K_FLAG, M(help), 0, 0, CLI | CMD, NULL, "this help" },
	{ "version", 'V', K_FLAG, M(version), 0, 0, CLI | CMD, NULL,
	    "the version" },
};
#define NOPTS	(sizeof(optdefs) / sizeof(optdefs[0]))

static const char *const signames[] = {
	"stop", "quit", "reload", "reopen", "status",
};

static void	*opt_field(const struct optdef *, struct tfsd_config *,
		    struct tfsd_cmd *);
static int	 opt_set(const struct optdef *, struct tfsd_config *,
		    struct tfsd_cmd *, const char *, int, char *, size_t);
static int	 opt_set_str(const struct optdef *, struct tfsd_config *, void *,
		    const char *, int, char *, size_t);
static int	 opt_number(const struct optdef *, const char *, long long *,
		    char *, size_t);
static int	 opt_rights(const char *, long long, int *);
static int	 opt_yesno(const char *, int *);
static const struct optdef *opt_find(const char *);
static size_t	 opt_size(const struct optdef *);
static void	 opt_hand_over(struct tfsd_config *, struct tfsd_config *,
		    const char *);
static int	 opt_partial(struct tfsd_config *, const struct optdef *,
		    const char *, char *, size_t);
static int	 opt_err(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	 file_line(char *, const char **, const char **);

const char *
options_name(size_t i)
{
	return i < NOPTS ? optdefs[i].name : NULL;
}

static int
opt_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

static const struct optdef *
opt_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NOPTS; i++) {
		if (strcmp(optdefs[i].name, name) == 0) {
			return &optdefs[i];
		}
	}
	return NULL;
}

static void *
opt_field(const struct optdef *d, struct tfsd_config *c, struct tfsd_cmd *m)
{
	return (char *)((d->flags & CMD) ? (void *)m : (void *)c) + d->off;
}

/* "ro" and "rw", and "none" where min allows it (--anonymous). */
static int
opt_rights(const char *v, long long min, int *out)
{
	if (strcmp(v, "none") == 0 && min == 0) {
		*out = 0;
	} else if (strcmp(v, "ro") == 0) {
		*out = TFS_RIGHT_READ;
	} else if (strcmp(v, "rw") == 0) {
		*out = TFS_RIGHT_READ | TFS_RIGHT_WRITE;
	} else {
		return -1;
	}
	return 0;
}

static int
opt_yesno(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };
	size_t	 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* A number for d: an integer in range, or bytes with a unit. */
static int
opt_number(const struct optdef *d, const char *v, long long *out,
    char *err, size_t errsz)
{
	const char	*errstr;
	uint64_t	 n;

	if (d->kind == K_SIZE || d->kind == K_PARTIAL) {
		if (expand_number(v, &n) == -1 || n > (uint64_t)LLONG_MAX) {
			return opt_err(err, errsz, "--%s %s: not a size "
			    "(bytes, or with K, M, G, T)", d->name, v);
		}
		*out = (long long)n;
		return 0;
	}
	*out = strtonum(v, d->min, d->max, &errstr);
	if (errstr != NULL) {
		return opt_err(err, errsz, "--%s %s: %s (%lld to %lld)",
		    d->name, v, errstr, d->min, d->max);
	}
	return 0;
}

/* --max-partial: bytes, or N% of the root's file system. */
static int
opt_partial(struct tfsd_config *c, const struct optdef *d, const char *v,
    char *err, size_t errsz)
{
	const char	*errstr;
	char		 pct[8];
	long long	 n;
	size_t		 len = strlen(v);

	if (len > 1 && v[len - 1] == '%') {
		if (len > sizeof(pct)) {
			return opt_err(err, errsz, "--%s %s: not a "
			    "percentage", d->name, v);
		}
		memcpy(pct, v, len - 1);
		pct[len - 1] = '\0';
		n = strtonum(pct, 0, 100, &errstr);
		if (errstr != NULL) {
			return opt_err(err, errsz, "--%s %s: not a percentage "
			    "(0%% to 100%%)", d->name, v);
		}
		c->max_partial = 0;
		c->max_partial_pct = (int)n;
		return 0;
	}
	if (opt_number(d, v, &n, err, errsz) == -1) {
		return -1;
	}
	c->max_partial = (uint64_t)n;
	c->max_partial_pct = -1;
	return 0;
}

/*
 * String s, if from owns it, is now to's: kept across a reload that
 * frees from.
 */
static void
opt_hand_over(struct tfsd_config *from, struct tfsd_config *to,
    const char *s)
{
	int	 i;

	for (i = 0; i < from->nowned; i++) {
		if (from->owned[i] == s && to->nowned < CONFIG_OWNED_MAX) {
			to->owned[to->nowned++] = from->owned[i];
			from->owned[i] = from->owned[--from->nowned];
			return;
		}
	}
}

/* Bytes of row d's field. */
static size_t
opt_size(const struct optdef *d)
{
	switch (d->kind) {
	case K_ROOT:
		return sizeof(((struct tfsd_config *)NULL)->root);
	case K_SIZE:
		return sizeof(uint64_t);
	case K_STR:
	case K_SIGNAL:
		return sizeof(const char *);
	case K_LONG:
		return sizeof(long);
	default:
		return sizeof(int);
	}
}

/*
 * K_STR and K_ALLOW: a string, copied when it comes from a file (the
 * line's buffer goes; the command line's strings stay).
 */
static int
opt_set_str(const struct optdef *d, struct tfsd_config *c, void *f,
    const char *v, int infile, char *err, size_t errsz)
{
	char	*copy;

	if (d->kind == K_ALLOW && c->nallow >= CONFIG_ALLOW_MAX) {
		return opt_err(err, errsz, "--allow: more than %d entries",
		    CONFIG_ALLOW_MAX);
	}
	if (infile) {
		if (c->nowned >= CONFIG_OWNED_MAX ||
		    (copy = strdup(v)) == NULL) {
			return opt_err(err, errsz, "out of memory");
		}
		c->owned[c->nowned++] = copy;
		v = copy;
	}
	if (d->kind == K_ALLOW) {
		c->allow[c->nallow++] = v;
	} else {
		*(const char **)f = v;
	}
	return 0;
}

/*
 * Give row d the value v (NULL for a flag on the command line), from a
 * file when infile.  Strings from a file are copied and owned by c.
 */
static int
opt_set(const struct optdef *d, struct tfsd_config *c, struct tfsd_cmd *m,
    const char *v, int infile, char *err, size_t errsz)
{
	void		*f = opt_field(d, c, m);
	long long	 n;
	size_t		 i;
	int		 on = 1, r;

	switch (d->kind) {
	case K_FLAG:
	case K_UNFLAG:
	case K_LEVEL:
		if (v != NULL && opt_yesno(v, &on) == -1) {
			return opt_err(err, errsz, "%s %s: not yes or no",
			    d->name, v);
		}
		if (d->kind == K_LEVEL) {
			*(int *)f = on ? (int)d->min : LOG_LVL_INFO;
		} else {
			*(int *)f = d->kind == K_FLAG ? on : !on;
		}
		return 0;
	case K_INT:
	case K_LONG:
	case K_SIZE:
		if (opt_number(d, v, &n, err, errsz) == -1) {
			return -1;
		}
		if (d->kind == K_INT) {
			*(int *)f = (int)n;
		} else if (d->kind == K_LONG) {
			*(long *)f = (long)n;
		} else {
			*(uint64_t *)f = (uint64_t)n;
		}
		return 0;
	case K_PARTIAL:
		return opt_partial(c, d, v, err, errsz);
	case K_RIGHTS:
		if (opt_rights(v, d->min, &r) == -1) {
			return opt_err(err, errsz, "--%s %s: not %s", d->name,
			    v, d->arg);
		}
		*(int *)f = r;
		return 0;
	case K_SIGNAL:
		for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++) {
			if (strcmp(v, signames[i]) == 0) {
				*(const char **)f = signames[i];
				return 0;
			}
		}
		return opt_err(err, errsz, "-s %s: not one of %s", v, d->arg);
	case K_ROOT:
		if (strlcpy(c->root, v, sizeof(c->root)) >= sizeof(c->root)) {
			return opt_err(err, errsz, "--%s: path too long",
			    d->name);
		}
		return 0;
	default:
		break;
	}
	return opt_set_str(d, c, f, v, infile, err, errsz);
}

int
options_argv(int argc, char **argv, struct tfsd_config *c,
    struct tfsd_cmd *cmd, struct optset *given, char *err, size_t errsz)
{
	struct option	 lo[NOPTS + 1];
	char		 so[2 * NOPTS + 3], *s = so;
	size_t		 i;
	int		 ch;

	memset(lo, 0, sizeof(lo));
	*s++ = ':';
	for (i = 0; i < NOPTS; i++) {
		lo[i].name = optdefs[i].name;
		lo[i].has_arg = optdefs[i].arg != NULL ? required_argument :
		    no_argument;
		lo[i].val = optdefs[i].ch != 0 ? optdefs[i].ch : 256 + (int)i;
		if (optdefs[i].ch != 0) {
			*s++ = (char)optdefs[i].ch;
			if (optdefs[i].arg != NULL) {
				*s++ = ':';
			}
		}
	}
	*s = '\0';
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (ch == ':') {
			return opt_err(err, errsz, "option %s needs a value",
			    argv[optind - 1]);
		}
		for (i = 0; i < NOPTS; i++) {
			if (ch == lo[i].val) {
				break;
			}
		}
		if (ch == '?' || i == NOPTS) {
			if (optopt != 0) {
				return opt_err(err, errsz, "unknown option "
				    "-%c", optopt);
			}
			return opt_err(err, errsz, "unknown option %s",
			    argv[optind - 1]);
		}
		if (opt_set(&optdefs[i], c, cmd, optarg, 0, err, errsz) ==
		    -1) {
			return -1;
		}
		given->bits |= (uint64_t)1 << i;
	}
	if (optind < argc) {
		return opt_err(err, errsz, "unexpected argument %s",
		    argv[optind]);
	}
	return 0;
}

/*
 * Split a line of a configuration file in place: *name and *value (NULL
 * when there is none), comments and blanks dropped.  0 for a line with
 * nothing, 1 with a name.
 */
static int
file_line(char *line, const char **name, const char **value)
{
	char	*p, *end;

	if ((p = strchr(line, '#')) != NULL) {
		*p = '\0';
	}
	for (p = line; isspace((unsigned char)*p); p++) {
		continue;
	}
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1])) {
		*--end = '\0';
	}
	if (*p == '\0') {
		return 0;
	}
	*name = p;
	*value = NULL;
	for (; *p != '\0' && !isspace((unsigned char)*p); p++) {
		continue;
	}
	if (*p != '\0') {
		*p++ = '\0';
		while (isspace((unsigned char)*p)) {
			p++;
		}
		*value = p;
	}
	return 1;
}

int
options_file(const char *path, struct tfsd_config *c,
    const struct optset *skip, char *err, size_t errsz)
{
	const struct optdef	*d;
	const char		*name, *value;
	char			*line = NULL, msg[256];
	size_t			 cap = 0;
	ssize_t			 n;
	FILE			*fp;
	int			 lineno = 0, ret = -1;

	if ((fp = fopen(path, "re")) == NULL) {
		return opt_err(err, errsz, "%s: %s", path, strerror(errno));
	}
	while ((n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (memchr(line, '\0', (size_t)n) != NULL) {
			opt_err(err, errsz, "%s:%d: a NUL byte", path, lineno);
			goto out;
		}
		if (file_line(line, &name, &value) == 0) {
			continue;
		}
		if ((d = opt_find(name)) == NULL || (d->flags & CLI)) {
			opt_err(err, errsz, "%s:%d: %s: %s", path, lineno, name,
			    d == NULL ? "no such option" :
			    "only on the command line");
			goto out;
		}
		if (d->arg != NULL && value == NULL) {
			opt_err(err, errsz, "%s:%d: %s needs a value", path,
			    lineno, name);
			goto out;
		}
		if (skip->bits & ((uint64_t)1 << (d - optdefs))) {
			continue;
		}
		if (opt_set(d, c, NULL, value, 1, msg, sizeof(msg)) == -1) {
			opt_err(err, errsz, "%s:%d: %s", path, lineno, msg);
			goto out;
		}
	}
	if (ferror(fp)) {
		opt_err(err, errsz, "%s: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(line);
	fclose(fp);
	return ret;
}

int
options_check(const struct tfsd_config *c, const struct tfsd_cmd *cmd,
    char *err, size_t errsz)
{
	struct acl_net	 net;
	char		 why[256];
	int		 i;

	if (c->min_spare > c->max_spare) {
		return opt_err(err, errsz, "--min-spare %d is above "
		    "--max-spare %d", c->min_spare, c->max_spare);
	}
	if (c->workers > c->max_workers) {
		return opt_err(err, errsz, "--workers %d is above "
		    "--max-workers %d", c->workers, c->max_workers);
	}
	for (i = 0; i < c->nallow; i++) {
		if (acl_parse(c->allow[i], &net, why, sizeof(why)) == -1) {
			return opt_err(err, errsz, "--allow %s", why);
		}
	}
	if (c->anonymous == 0 && c->users == NULL) {
		return opt_err(err, errsz, "--anonymous none without --users "
		    "would serve no one");
	}
	if ((cmd->set_user != NULL || cmd->del_user != NULL ||
	    cmd->list_users) && c->users == NULL) {
		return opt_err(err, errsz, "--set-user, --del-user and "
		    "--list-users need --users FILE");
	}
	if ((cmd->rights != -1 || cmd->home != NULL) &&
	    cmd->set_user == NULL) {
		return opt_err(err, errsz, "--rights and --home go with "
		    "--set-user");
	}
	if (cmd->json && (cmd->signame == NULL ||
	    strcmp(cmd->signame, "status") != 0)) {
		return opt_err(err, errsz, "--json goes with -s status");
	}
	return 0;
}

void
options_overlay(struct tfsd_config *dst, const struct tfsd_config *src,
    const struct optset *given)
{
	const struct optdef	*d;
	size_t			 i;

	for (i = 0; i < NOPTS; i++) {
		d = &optdefs[i];
		if (!(given->bits & ((uint64_t)1 << i)) || (d->flags & CMD)) {
			continue;
		}
		if (d->kind == K_ALLOW) {
			/* the command line's list replaces the file's */
			memcpy(dst->allow, src->allow, sizeof(dst->allow));
			dst->nallow = src->nallow;
		} else if (d->kind == K_PARTIAL) {
			dst->max_partial = src->max_partial;
			dst->max_partial_pct = src->max_partial_pct;
		} else {
			memcpy((char *)dst + d->off,
			    (const char *)src + d->off, opt_size(d));
		}
	}
}

const char *
options_keep_running(struct tfsd_config *next, struct tfsd_config *cur)
{
	const struct optdef	*d;
	const char		*a = NULL, *b;
	size_t			 i;
	int			 same;

	for (i = 0; i < NOPTS; i++) {
		d = &optdefs[i];
		if (!(d->flags & RESTART)) {
			continue;
		}
		if (d->kind == K_STR) {
			memcpy(&a, (const char *)cur + d->off, sizeof(a));
			memcpy(&b, (const char *)next + d->off, sizeof(b));
			same = a == b || (a != NULL && b != NULL &&
			    strcmp(a, b) == 0);
		} else {
			same = memcmp((const char *)cur + d->off,
			    (const char *)next + d->off, opt_size(d)) == 0;
		}
		if (!same) {
			memcpy((char *)next + d->off,
			    (const char *)cur + d->off, opt_size(d));
			if (d->kind == K_STR) {
				opt_hand_over(cur, next, a);
			}
			return d->name;
		}
	}
	return NULL;
}

void
options_usage(FILE *fp)
{
	const struct optdef	*d;
	char			 left[64];
	size_t			 i;

	fprintf(fp, "usage: tfsd [options]\n");
	for (i = 0; i < NOPTS; i++) {
		d = &optdefs[i];
		if (d->ch != 0) {
			(void)snprintf(left, sizeof(left), "-%c, --%s%s%s",
			    d->ch, d->name, d->arg ? " " : "",
			    d->arg ? d->arg : "");
		} else {
			(void)snprintf(left, sizeof(left), "    --%s%s%s",
			    d->name, d->arg ? " " : "", d->arg ? d->arg : "");
		}
		if (strlen(left) > 28) {
			fprintf(fp, "  %s\n  %-28s %s\n", left, "", d->help);
		} else {
			fprintf(fp, "  %-28s %s\n", left, d->help);
		}
	}
}
