/*
 * users.c -- the users file (users.h): reading it with the checks the
 * server relies on, finding a user, making verifiers, and the atomic
 * rewrites behind tfsd --set-user and --del-user.
 *
 * Owns the file's format.  Never logs and never exits: a failure is a
 * message in the caller's buffer, printed on the terminal by tfsd before
 * it daemonises or by an admin command.  Never holds a password longer
 * than the call that turns it into a verifier.
 */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsasl.h>
#include <openssl/evp.h>

#include "path.h"
#include "proto.h"
#include "users.h"
#include "xio.h"

#define USERS_STR2(x)	#x
#define USERS_STR(x)	USERS_STR2(x)
#define USERS_PREFIX	"SCRAM-SHA-256$"

struct users {
	struct user	*v;		/* file order */
	struct user	**byname;	/* sorted by name, for lookups */
	size_t		 n;
};

/* An edit under way: the folder locked, the file read and checked. */
struct users_edit {
	const char	*path;
	int		 dirfd;
	char		*buf;		/* the file as it was */
	size_t		 len;
	struct users	*u;
};

static int	users_read(const char *, int, char **, size_t *, char *,
		    size_t);
static int	users_parse(const char *, const char *, size_t,
		    struct users *, char *, size_t);
static const char *users_line_copy(const char *, size_t, char *, size_t);
static const char *users_parse_line(char *, struct user *);
static const char *users_parse_verifier(char *, struct user *);
static int	users_b64_len(const char *, size_t, size_t);
static int	users_index(const char *, struct users *, char *, size_t);
static int	users_cmp(const void *, const void *);
static int	users_cmp_key(const void *, const void *);
static void	users_clear(struct user *);
static int	users_edit_begin(struct users_edit *, const char *, char *,
		    size_t);
static void	users_edit_end(struct users_edit *);
static int	users_edit_commit(struct users_edit *, const char *,
		    const char *, char *, size_t);
static int	users_line_is(const char *, size_t, const char *);
static int	users_write(struct users_edit *, const char *, size_t,
		    char *, size_t);

/*
 * Read the whole file into *bufp (NUL-terminated, *lenp bytes), after
 * the checks that make it trustworthy: a regular file of ours that
 * nobody else may read or write, and not larger than the bound.  A
 * missing file is an empty one when missing_ok.
 */
static int
users_read(const char *path, int missing_ok, char **bufp, size_t *lenp,
    char *err, size_t errsz)
{
	struct stat	 st;
	char		*buf;
	size_t		 len;
	int		 fd, saved;

	*bufp = NULL;
	*lenp = 0;
	/* O_NONBLOCK: a fifo must not hang us; fstat refuses it next */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		if (errno == ENOENT && missing_ok &&
		    (*bufp = strdup("")) != NULL) {
			return 0;
		}
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s: not a regular file", path);
		goto out_close;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errsz, "%s: owned by uid %u, not by uid %u "
		    "(the server's user)", path, (unsigned)st.st_uid,
		    (unsigned)geteuid());
		goto out_close;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(err, errsz, "%s: mode %04o lets group or others in "
		    "(chmod 600 it)", path, (unsigned)(st.st_mode & 07777));
		goto out_close;
	}
	if (st.st_size > USERS_FILE_MAX) {
		snprintf(err, errsz, "%s: larger than %d bytes", path,
		    USERS_FILE_MAX);
		goto out_close;
	}
	len = (size_t)st.st_size;
	if ((buf = malloc(len + 1)) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto out_close;
	}
	if (xio_read_full(fd, buf, len, -1) != (ssize_t)len) {
		saved = errno;
		snprintf(err, errsz, "%s: %s", path, strerror(saved));
		free(buf);
		goto out_close;
	}
	buf[len] = '\0';
	(void)close(fd);
	*bufp = buf;
	*lenp = len;
	return 0;
out_close:
	(void)close(fd);
	return -1;
}

/*
 * Copy one line (n bytes at p, newline excluded) into line, a string.
 * NULL, or why the line is refused.
 */
static const char *
users_line_copy(const char *p, size_t n, char *line, size_t linesz)
{
	size_t	 i;

	if (n > USERS_LINE_MAX || n >= linesz) {
		return "line longer than " USERS_STR(USERS_LINE_MAX) " bytes";
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
			return "control byte in line";
		}
	}
	memcpy(line, p, n);
	line[n] = '\0';
	return NULL;
}

/* Every line of buf into u, then the index by name.  0 or -1 with err. */
static int
users_parse(const char *path, const char *buf, size_t len, struct users *u,
    char *err, size_t errsz)
{
	char		 line[USERS_LINE_MAX + 1];
	const char	*p, *end = buf + len, *nl, *why;
	struct user	*v;
	size_t		 cap = 0;
	unsigned int	 lineno = 0;

	for (p = buf; p < end; p = nl == NULL ? end : nl + 1) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		why = users_line_copy(p, (size_t)((nl == NULL ? end : nl) - p),
		    line, sizeof(line));
		if (why == NULL && (line[0] == '\0' || line[0] == '#')) {
			continue;
		}
		if (why == NULL && u->n == USERS_MAX) {
			why = "more than " USERS_STR(USERS_MAX) " users";
		}
		if (why == NULL && u->n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			v = reallocarray(u->v, cap, sizeof(*v));
			if (v == NULL) {
				why = strerror(ENOMEM);
			} else {
				u->v = v;
			}
		}
		if (why == NULL) {
			why = users_parse_line(line, &u->v[u->n]);
		}
		if (why != NULL) {
			snprintf(err, errsz, "%s:%u: %s", path, lineno, why);
			explicit_bzero(line, sizeof(line));
			return -1;
		}
		u->v[u->n++].line = lineno;
	}
	explicit_bzero(line, sizeof(line));
	return users_index(path, u, err, errsz);
}

/* name:rights:home:verifier into u.  NULL, or why the line is refused. */
static const char *
users_parse_line(char *line, struct user *u)
{
	char		*rights, *home, *ver;
	const char	*why;
	int		 r;

	memset(u, 0, sizeof(*u));
	if ((rights = strchr(line, ':')) == NULL ||
	    (home = strchr(rights + 1, ':')) == NULL ||
	    (ver = strchr(home + 1, ':')) == NULL) {
		return "expected name:rights:home:verifier";
	}
	*rights++ = '\0';
	*home++ = '\0';
	*ver++ = '\0';
	if ((why = users_check_name(line)) != NULL) {
		return why;
	}
	if ((r = users_rights_parse(rights)) == -1) {
		return "rights are neither ro nor rw";
	}
	if ((why = users_check_home(home)) != NULL) {
		return why;
	}
	if ((why = users_parse_verifier(ver, u)) != NULL) {
		return why;
	}
	u->rights = (uint8_t)r;
	u->name = strdup(line);
	u->home = strdup(home);
	if (u->name == NULL || u->home == NULL) {
		users_clear(u);
		return strerror(ENOMEM);
	}
	return NULL;
}

/* SCRAM-SHA-256$iter:salt$storedkey:serverkey into u. */
static const char *
users_parse_verifier(char *v, struct user *u)
{
	char		*salt, *stored, *server;
	const char	*errstr;
	long long	 iter;

	if (strncmp(v, USERS_PREFIX, strlen(USERS_PREFIX)) != 0) {
		return "verifier does not start with " USERS_PREFIX;
	}
	v += strlen(USERS_PREFIX);
	if ((salt = strchr(v, ':')) == NULL ||
	    (stored = strchr(salt + 1, '$')) == NULL ||
	    (server = strchr(stored + 1, ':')) == NULL) {
		return "verifier is not " USERS_PREFIX
		    "iter:salt$storedkey:serverkey";
	}
	*salt++ = '\0';
	*stored++ = '\0';
	*server++ = '\0';
	/* digits only: strtonum would take a sign or leading blanks */
	iter = strtonum(v, USERS_ITER_MIN, USERS_ITER_MAX, &errstr);
	if (errstr != NULL || v[strspn(v, "0123456789")] != '\0') {
		return "iteration count is not " USERS_STR(USERS_ITER_MIN)
		    " .. " USERS_STR(USERS_ITER_MAX);
	}
	if (users_b64_len(salt, USERS_SALT_MIN, USERS_SALT_MAX) == -1) {
		return "salt is not base64 of " USERS_STR(USERS_SALT_MIN)
		    " .. " USERS_STR(USERS_SALT_MAX) " bytes";
	}
	if (users_b64_len(stored, USERS_KEY_LEN, USERS_KEY_LEN) == -1 ||
	    users_b64_len(server, USERS_KEY_LEN, USERS_KEY_LEN) == -1) {
		return "a key is not base64 of " USERS_STR(USERS_KEY_LEN)
		    " bytes";
	}
	u->iter = (unsigned int)iter;
	/* the lengths were bounded by the decoding */
	(void)strlcpy(u->salt, salt, sizeof(u->salt));
	(void)strlcpy(u->storedkey, stored, sizeof(u->storedkey));
	(void)strlcpy(u->serverkey, server, sizeof(u->serverkey));
	return NULL;
}

/* 0 when s is base64 of min .. max bytes, else -1. */
static int
users_b64_len(const char *s, size_t min, size_t max)
{
	char	*bin = NULL;
	size_t	 n = strlen(s), binlen = 0;
	int	 ok;

	/* bound the text first: 4 characters for every 3 bytes */
	if (n == 0 || n > (max + 2) / 3 * 4) {
		return -1;
	}
	if (gsasl_base64_from(s, n, &bin, &binlen) != GSASL_OK) {
		return -1;
	}
	ok = binlen >= min && binlen <= max;
	if (bin != NULL) {
		explicit_bzero(bin, binlen);
	}
	gsasl_free(bin);
	return ok ? 0 : -1;
}

static int
users_cmp(const void *a, const void *b)
{
	const struct user	*ua = *(const struct user *const *)a;
	const struct user	*ub = *(const struct user *const *)b;

	return strcmp(ua->name, ub->name);
}

static int
users_cmp_key(const void *key, const void *elem)
{
	const struct user	*u = *(const struct user *const *)elem;

	return strcmp(key, u->name);
}

/* Sort the index by name; a name met twice refuses the file. */
static int
users_index(const char *path, struct users *u, char *err, size_t errsz)
{
	const struct user	*a, *b;
	size_t			 i;

	if (u->n == 0) {
		return 0;
	}
	if ((u->byname = reallocarray(NULL, u->n, sizeof(*u->byname))) ==
	    NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < u->n; i++) {
		u->byname[i] = &u->v[i];
	}
	qsort(u->byname, u->n, sizeof(*u->byname), users_cmp);
	for (i = 1; i < u->n; i++) {
		a = u->byname[i - 1];
		b = u->byname[i];
		if (strcmp(a->name, b->name) != 0) {
			continue;
		}
		if (a->line > b->line) {
			a = b;
			b = u->byname[i - 1];
		}
		snprintf(err, errsz, "%s:%u: user %s already on line %u",
		    path, b->line, a->name, a->line);
		return -1;
	}
	return 0;
}

struct users *
users_load(const char *path, char *err, size_t errsz)
{
	struct users	*u;
	char		*buf;
	size_t		 len;

	if (users_read(path, 0, &buf, &len, err, errsz) == -1) {
		return NULL;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
	} else if (users_parse(path, buf, len, u, err, errsz) == -1) {
		users_free(u);
		u = NULL;
	}
	/* verifiers are secrets too: offline guessing, a forged server */
	explicit_bzero(buf, len);
	free(buf);
	return u;
}

static void
users_clear(struct user *u)
{
	free(u->name);
	free(u->home);
	explicit_bzero(u, sizeof(*u));
}

void
users_free(struct users *u)
{
	size_t	 i;

	if (u == NULL) {
		return;
	}
	for (i = 0; i < u->n; i++) {
		users_clear(&u->v[i]);
	}
	free(u->v);
	free(u->byname);
	free(u);
}

const struct user *
users_find(const struct users *u, const char *name)
{
	struct user	**p;

	if (u == NULL || u->n == 0) {
		return NULL;
	}
	p = bsearch(name, u->byname, u->n, sizeof(*u->byname), users_cmp_key);
	return p == NULL ? NULL : *p;
}

size_t
users_count(const struct users *u)
{
	return u == NULL ? 0 : u->n;
}

const struct user *
users_get(const struct users *u, size_t i)
{
	return u == NULL || i >= u->n ? NULL : &u->v[i];
}

/*
 * A name must survive the trip through SCRAM: clients send the SASLprep
 * form of what they were given, and the server looks that up as it is.
 */
const char *
users_check_name(const char *name)
{
	const char	*p;
	char		*prep = NULL;
	int		 same;

	if (*name == '\0') {
		return "empty name";
	}
	if (strlen(name) > USERS_NAME_MAX) {
		return "name longer than " USERS_STR(USERS_NAME_MAX) " bytes";
	}
	for (p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			return "control byte in name";
		}
		if (*p == ':') {
			return "':' in name";
		}
	}
	if (gsasl_saslprep(name, GSASL_ALLOW_UNASSIGNED, &prep, NULL) !=
	    GSASL_OK) {
		return "name refused by SASLprep (RFC 4013)";
	}
	same = strcmp(prep, name) == 0;
	gsasl_free(prep);
	return same ? NULL : "name not in SASLprep form (RFC 4013)";
}

const char *
users_check_home(const char *home)
{
	enum path_err	 e;

	if (strchr(home, ':') != NULL) {
		return "':' in home";
	}
	e = path_check(home, strlen(home), PATH_ALLOW_ROOT);
	if (e != PATH_OK) {
		/* the same words a client would get for that path */
		switch (e) {
		case PATH_EABSOLUTE:
			return "home starts with '/' (it is beneath the root)";
		default:
			return path_strerror(e);
		}
	}
	return NULL;
}

int
users_rights_parse(const char *s)
{
	if (strcmp(s, "ro") == 0) {
		return TFS_RIGHT_READ;
	}
	if (strcmp(s, "rw") == 0) {
		return TFS_RIGHT_READ | TFS_RIGHT_WRITE;
	}
	return -1;
}

const char *
users_rights_name(uint8_t rights)
{
	return (rights & TFS_RIGHT_WRITE) != 0 ? "rw" : "ro";
}

int
users_verifier(const char *password, unsigned int iter, char *out,
    size_t outsz, char *err, size_t errsz)
{
	unsigned char	 salt[USERS_SALT_LEN];
	char		 salted[GSASL_HASH_MAX_SIZE];
	char		 client[GSASL_HASH_MAX_SIZE];
	char		 server[GSASL_HASH_MAX_SIZE];
	char		 stored[GSASL_HASH_MAX_SIZE];
	char		 b64salt[USERS_B64_MAX + 1];
	char		 b64stored[USERS_KEY_B64 + 1];
	char		 b64server[USERS_KEY_B64 + 1];
	int		 rc, n, ret = -1;

	arc4random_buf(salt, sizeof(salt));
	rc = gsasl_scram_secrets_from_password(GSASL_HASH_SHA256, password,
	    iter, (const char *)salt, sizeof(salt), salted, client, server,
	    stored);
	if (rc != GSASL_OK) {
		snprintf(err, errsz, "password: %s",
		    rc == GSASL_SASLPREP_ERROR ?
		    "refused by SASLprep (RFC 4013)" : gsasl_strerror(rc));
		goto out;
	}
	(void)EVP_EncodeBlock((unsigned char *)b64salt, salt, sizeof(salt));
	(void)EVP_EncodeBlock((unsigned char *)b64stored,
	    (unsigned char *)stored, USERS_KEY_LEN);
	(void)EVP_EncodeBlock((unsigned char *)b64server,
	    (unsigned char *)server, USERS_KEY_LEN);
	n = snprintf(out, outsz, USERS_PREFIX "%u:%s$%s:%s", iter, b64salt,
	    b64stored, b64server);
	if (n < 0 || (size_t)n >= outsz) {
		snprintf(err, errsz, "verifier longer than its buffer");
		goto out;
	}
	ret = 0;
out:
	/* the salted password and ClientKey are as good as the password */
	explicit_bzero(salted, sizeof(salted));
	explicit_bzero(client, sizeof(client));
	explicit_bzero(server, sizeof(server));
	explicit_bzero(stored, sizeof(stored));
	return ret;
}

/*
 * Lock the file's folder (flock: admin commands wait for each other;
 * readers need no lock since the file is replaced by rename), then read
 * and check the file: an edit starts only from a file the server would
 * load.
 */
static int
users_edit_begin(struct users_edit *e, const char *path, char *err,
    size_t errsz)
{
	char		 dir[PATH_MAX], *slash;
	struct stat	 st;

	memset(e, 0, sizeof(*e));
	e->path = path;
	e->dirfd = -1;
	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir)) {
		snprintf(err, errsz, "%s: %s", path, strerror(ENAMETOOLONG));
		return -1;
	}
	if ((slash = strrchr(dir, '/')) == NULL) {
		(void)strlcpy(dir, ".", sizeof(dir));
	} else {
		slash[slash == dir ? 1 : 0] = '\0';
	}
	e->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (e->dirfd == -1 || flock(e->dirfd, LOCK_EX) == -1) {
		snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		snprintf(err, errsz, "%s: a symbolic link (the rewrite would "
		    "replace the link)", path);
		goto fail;
	}
	if (users_read(path, 1, &e->buf, &e->len, err, errsz) == -1) {
		goto fail;
	}
	if ((e->u = calloc(1, sizeof(*e->u))) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (users_parse(path, e->buf, e->len, e->u, err, errsz) == -1) {
		goto fail;
	}
	return 0;
fail:
	users_edit_end(e);
	return -1;
}

static void
users_edit_end(struct users_edit *e)
{
	if (e->buf != NULL) {
		explicit_bzero(e->buf, e->len);
		free(e->buf);
	}
	users_free(e->u);
	if (e->dirfd != -1) {
		(void)close(e->dirfd);	/* drops the lock */
	}
	memset(e, 0, sizeof(*e));
	e->dirfd = -1;
}

/* 1 when the raw line p (n bytes, no newline) is user name's. */
static int
users_line_is(const char *p, size_t n, const char *name)
{
	size_t	 len = strlen(name);

	return n > len && p[len] == ':' && memcmp(p, name, len) == 0;
}

/*
 * Write the file again with name's line replaced by line, or dropped
 * when line is NULL; a new name goes at the end.  Every other line is
 * copied as it was.
 */
static int
users_edit_commit(struct users_edit *e, const char *name, const char *line,
    char *err, size_t errsz)
{
	const char	*p, *end = e->buf + e->len, *nl;
	char		*out;
	size_t		 o = 0, n, add = line == NULL ? 0 : strlen(line);
	int		 done = 0, ret;

	if ((out = malloc(e->len + add + 2)) == NULL) {
		snprintf(err, errsz, "%s: %s", e->path, strerror(errno));
		return -1;
	}
	for (p = e->buf; p < end; p = nl == NULL ? end : nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl == NULL ? end : nl) - p);
		if (!done && users_line_is(p, n, name)) {
			done = 1;
			if (line != NULL) {
				memcpy(out + o, line, add);
				o += add;
				out[o++] = '\n';
			}
			continue;
		}
		memcpy(out + o, p, n);
		o += n;
		if (nl != NULL) {
			out[o++] = '\n';
		}
	}
	if (!done && line != NULL) {
		if (o > 0 && out[o - 1] != '\n') {
			out[o++] = '\n';
		}
		memcpy(out + o, line, add);
		o += add;
		out[o++] = '\n';
	}
	ret = users_write(e, out, o, err, errsz);
	explicit_bzero(out, o);
	free(out);
	return ret;
}

/* Temporary file beside the file, 0600, fsync, rename, fsync the folder. */
static int
users_write(struct users_edit *e, const char *text, size_t len, char *err,
    size_t errsz)
{
	char	 tmp[PATH_MAX];
	int	 fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", e->path) >=
	    sizeof(tmp)) {
		snprintf(err, errsz, "%s: %s", e->path,
		    strerror(ENAMETOOLONG));
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) == -1 ||
	    xio_write_full(fd, text, len, -1) == -1 || fsync(fd) == -1) {
		saved = errno;
		(void)close(fd);
		goto fail;
	}
	if (close(fd) == -1 || rename(tmp, e->path) == -1) {
		saved = errno;
		goto fail;
	}
	if (fsync(e->dirfd) == -1) {
		snprintf(err, errsz, "%s: written, but fsync of its "
		    "folder: %s", e->path, strerror(errno));
		return -1;
	}
	return 0;
fail:
	(void)unlink(tmp);
	snprintf(err, errsz, "%s: %s", e->path, strerror(saved));
	return -1;
}

int
users_set(const char *path, const char *name, const char *password,
    int rights, const char *home, char *err, size_t errsz)
{
	struct users_edit	 e;
	const struct user	*old;
	char			 ver[USERS_VERIFIER_MAX + 1];
	char			 line[USERS_LINE_MAX + 1];
	const char		*why;
	int			 n, ret = -1;

	if ((why = users_check_name(name)) != NULL ||
	    (home != NULL && (why = users_check_home(home)) != NULL)) {
		snprintf(err, errsz, "%s", why);
		return -1;
	}
	if (rights != -1 && rights != TFS_RIGHT_READ &&
	    rights != (TFS_RIGHT_READ | TFS_RIGHT_WRITE)) {
		snprintf(err, errsz, "rights are neither ro nor rw");
		return -1;
	}
	if (*password == '\0' || strlen(password) > USERS_PASSWORD_MAX) {
		snprintf(err, errsz, "password empty or longer than %d bytes",
		    USERS_PASSWORD_MAX);
		return -1;
	}
	if (users_verifier(password, USERS_ITER_DEFAULT, ver, sizeof(ver),
	    err, errsz) == -1) {
		return -1;
	}
	if (users_edit_begin(&e, path, err, errsz) == -1) {
		goto out;
	}
	old = users_find(e.u, name);
	if (old == NULL && users_count(e.u) >= USERS_MAX) {
		snprintf(err, errsz, "%s: already %d users", path, USERS_MAX);
		goto out_end;
	}
	if (rights == -1) {
		rights = old != NULL ? old->rights :
		    TFS_RIGHT_READ | TFS_RIGHT_WRITE;
	}
	if (home == NULL) {
		home = old != NULL ? old->home : "";
	}
	n = snprintf(line, sizeof(line), "%s:%s:%s:%s", name,
	    users_rights_name((uint8_t)rights), home, ver);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		snprintf(err, errsz, "line longer than %d bytes",
		    USERS_LINE_MAX);
		goto out_end;
	}
	ret = users_edit_commit(&e, name, line, err, errsz);
out_end:
	users_edit_end(&e);
out:
	explicit_bzero(ver, sizeof(ver));
	explicit_bzero(line, sizeof(line));
	return ret;
}

int
users_del(const char *path, const char *name, char *err, size_t errsz)
{
	struct users_edit	 e;
	int			 ret;

	if (users_edit_begin(&e, path, err, errsz) == -1) {
		return -1;
	}
	if (users_find(e.u, name) == NULL) {
		snprintf(err, errsz, "%s: no user %s", path, name);
		ret = 1;
	} else {
		ret = users_edit_commit(&e, name, NULL, err, errsz);
	}
	users_edit_end(&e);
	return ret;
}
