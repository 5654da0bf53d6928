/*
 * login.c -- the client's side of a sign-in (login.h): the SCRAM
 * exchange through GNU SASL, and the password's sources.
 *
 * The password reaches GNU SASL only when it asks for it, after the
 * server's iteration count has been checked, and every copy this file
 * can reach (its own, the library's properties, files read, prompts)
 * is wiped as soon as the proof is made.  Never prints a password, and
 * never does network I/O.
 */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <readpassphrase.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsasl.h>

#include "login.h"
#include "netrc.h"

#define LOGIN_MSG_MAX	4096	/* bytes of a server message we parse */

struct login {
	Gsasl		*ctx;
	Gsasl_session	*sess;
	int		 step;		/* messages made so far */
	int		 failed;	/* a step failed: nothing goes on */
	int		 bad_iter;	/* the server's count is refused */
	char		*out;		/* GNU SASL's last message */
	size_t		 outlen;
	char		 password[LOGIN_PASSWORD_MAX + 1];
};

static int	login_callback(Gsasl *, Gsasl_session *, Gsasl_property);
static void	login_wipe(struct login *);
static void	login_wipe_prop(Gsasl_session *, Gsasl_property);
static int	login_bytes_ok(const char *, size_t);
static enum login_rc login_run(struct login *, const char *, size_t);
static int	login_file_line(const char *, char *, size_t, char *, size_t);

/*
 * GNU SASL asks for the password when it has the server's salt and
 * count: the count is checked first, so that a server cannot make us
 * spin for ever, nor cheapen what it saw.
 */
static int
login_callback(Gsasl *ctx, Gsasl_session *sess, Gsasl_property prop)
{
	struct login	*l = gsasl_session_hook_get(sess);
	const char	*s, *errstr;

	(void)ctx;
	if (l == NULL || prop != GSASL_PASSWORD) {
		return GSASL_NO_CALLBACK;
	}
	s = gsasl_property_fast(sess, GSASL_SCRAM_ITER);
	if (s == NULL || s[strspn(s, "0123456789")] != '\0') {
		l->bad_iter = 1;
		return GSASL_NO_CALLBACK;
	}
	(void)strtonum(s, LOGIN_ITER_MIN, LOGIN_ITER_MAX, &errstr);
	if (errstr != NULL) {
		l->bad_iter = 1;
		return GSASL_NO_CALLBACK;
	}
	return gsasl_property_set(sess, GSASL_PASSWORD, l->password);
}

struct login *
login_new(const char *user, const char *password)
{
	struct login	*l;
	size_t		 ulen = strlen(user), plen = strlen(password);

	if (ulen == 0 || ulen > LOGIN_USER_MAX || plen == 0 ||
	    plen > LOGIN_PASSWORD_MAX) {
		return NULL;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		return NULL;
	}
	memcpy(l->password, password, plen + 1);
	if (gsasl_init(&l->ctx) != GSASL_OK) {
		l->ctx = NULL;
		goto fail;
	}
	gsasl_callback_set(l->ctx, login_callback);
	if (gsasl_client_start(l->ctx, LOGIN_MECH, &l->sess) != GSASL_OK) {
		l->sess = NULL;
		goto fail;
	}
	gsasl_session_hook_set(l->sess, l);
	if (gsasl_property_set(l->sess, GSASL_AUTHID, user) != GSASL_OK) {
		goto fail;
	}
	return l;
fail:
	login_free(l);
	return NULL;
}

/* Wipe a property's value in place, then drop it. */
static void
login_wipe_prop(Gsasl_session *sess, Gsasl_property prop)
{
	const char	*p = gsasl_property_fast(sess, prop);

	if (p != NULL) {
		/* the library's own heap copy: writable, though typed const */
		explicit_bzero((char *)(uintptr_t)p, strlen(p));
	}
	gsasl_property_free(sess, prop);
}

/* The password and what stands for it, everywhere we can reach. */
static void
login_wipe(struct login *l)
{
	explicit_bzero(l->password, sizeof(l->password));
	if (l->sess != NULL) {
		login_wipe_prop(l->sess, GSASL_PASSWORD);
		login_wipe_prop(l->sess, GSASL_SCRAM_SALTED_PASSWORD);
	}
}

void
login_free(struct login *l)
{
	if (l == NULL) {
		return;
	}
	login_wipe(l);
	if (l->out != NULL) {
		explicit_bzero(l->out, l->outlen);
	}
	gsasl_free(l->out);
	if (l->sess != NULL) {
		gsasl_finish(l->sess);
	}
	if (l->ctx != NULL) {
		gsasl_done(l->ctx);
	}
	free(l);
}

/* The server's bytes GNU SASL may see: bounded, printable. */
static int
login_bytes_ok(const char *msg, size_t len)
{
	size_t	 i;

	if (len == 0 || len > LOGIN_MSG_MAX) {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f) {
			return 0;
		}
	}
	return 1;
}

/* One gsasl_step on in; its output replaces the last. */
static enum login_rc
login_run(struct login *l, const char *in, size_t inlen)
{
	int	 rc;

	gsasl_free(l->out);
	l->out = NULL;
	l->outlen = 0;
	rc = gsasl_step(l->sess, in, inlen, &l->out, &l->outlen);
	l->step++;
	l->failed = rc != GSASL_OK && rc != GSASL_NEEDS_MORE;
	switch (rc) {
	case GSASL_OK:
	case GSASL_NEEDS_MORE:
		return LOGIN_OK;
	case GSASL_MECHANISM_PARSE_ERROR:
	case GSASL_BASE64_ERROR:
		return LOGIN_EPROTO;
	case GSASL_AUTHENTICATION_ERROR:
		/* a nonce not ours at step 1, a wrong signature at step 2 */
		return l->step == 3 ? LOGIN_EFORGED : LOGIN_EPROTO;
	case GSASL_NO_PASSWORD:
		return l->bad_iter ? LOGIN_EITER : LOGIN_ERROR;
	default:
		return LOGIN_ERROR;
	}
}

enum login_rc
login_first(struct login *l, const char **msg, size_t *len)
{
	enum login_rc	 rc;

	*msg = NULL;
	*len = 0;
	if (l->step != 0 || l->failed) {
		return LOGIN_ERROR;
	}
	if ((rc = login_run(l, "", 0)) != LOGIN_OK) {
		return rc;
	}
	if (l->out == NULL || l->outlen == 0) {
		return LOGIN_ERROR;
	}
	*msg = l->out;
	*len = l->outlen;
	return LOGIN_OK;
}

enum login_rc
login_challenge(struct login *l, const char *in, size_t inlen,
    const char **msg, size_t *len)
{
	enum login_rc	 rc;

	*msg = NULL;
	*len = 0;
	if (l->step != 1 || l->failed) {
		return LOGIN_ERROR;
	}
	if (!login_bytes_ok(in, inlen)) {
		l->failed = 1;
		login_wipe(l);
		return LOGIN_EPROTO;
	}
	rc = login_run(l, in, inlen);
	/* the proof is made (or never will be): the password is done */
	login_wipe(l);
	if (rc != LOGIN_OK) {
		return rc;
	}
	if (l->out == NULL || l->outlen == 0) {
		return LOGIN_ERROR;
	}
	*msg = l->out;
	*len = l->outlen;
	return LOGIN_OK;
}

enum login_rc
login_final(struct login *l, const char *in, size_t inlen)
{
	if (l->step != 2 || l->failed) {
		return LOGIN_ERROR;
	}
	if (!login_bytes_ok(in, inlen)) {
		l->failed = 1;
		return LOGIN_EPROTO;
	}
	return login_run(l, in, inlen);
}

const char *
login_strerror(enum login_rc rc)
{
	switch (rc) {
	case LOGIN_OK:
		return "signed in";
	case LOGIN_ERROR:
		return "sign-in failed here (memory, or a name or password "
		    "SASLprep refuses)";
	case LOGIN_EPROTO:
		return "the server's sign-in message is malformed";
	case LOGIN_EITER:
		return "the server asks for an iteration count out of bounds";
	case LOGIN_EFORGED:
		return "the server could not prove it knows the password";
	}
	return "unknown sign-in error";
}

/*
 * The first line of path into pw (newline and a CR before it dropped).
 * read(2) into a buffer of ours rather than stdio, whose buffer could
 * not be wiped.  0, or -1 with err.
 */
static int
login_file_line(const char *path, char *pw, size_t pwsz, char *err,
    size_t errsz)
{
	char	 buf[LOGIN_PASSWORD_MAX + 2], *nl = NULL;
	size_t	 n = 0;
	ssize_t	 r = 0;
	int	 fd, ret = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (n < sizeof(buf) && (nl = memchr(buf, '\n', n)) == NULL) {
		r = read(fd, buf + n, sizeof(buf) - n);
		if (r == -1 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		n += (size_t)r;
	}
	if (r == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (nl == NULL && (nl = memchr(buf, '\n', n)) == NULL) {
		nl = buf + n;	/* a file without a newline */
	}
	if (nl > buf && nl[-1] == '\r') {
		nl--;
	}
	n = (size_t)(nl - buf);
	if (n == 0 || n > LOGIN_PASSWORD_MAX || n >= pwsz) {
		snprintf(err, errsz, "%s: first line empty or longer than %d "
		    "bytes", path, LOGIN_PASSWORD_MAX);
		goto out;
	}
	memcpy(pw, buf, n);
	pw[n] = '\0';
	ret = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	(void)close(fd);
	return ret;
}

int
login_password(const struct login_source *src, const char *host,
    const char *user, char *pw, size_t pwsz, char *err, size_t errsz)
{
	struct netrc_entry	 e;
	char			 path[4096], prompt[LOGIN_USER_MAX + 300];
	const char		*env, *netrc = src->netrc;
	int			 r;

	pw[0] = '\0';
	if (src->password_file != NULL) {
		return login_file_line(src->password_file, pw, pwsz, err,
		    errsz);
	}
	if ((env = getenv("TFS_PASSWORD")) != NULL && *env != '\0') {
		if (strlcpy(pw, env, pwsz) < pwsz &&
		    strlen(env) <= LOGIN_PASSWORD_MAX) {
			return 0;
		}
		explicit_bzero(pw, pwsz);
		snprintf(err, errsz, "TFS_PASSWORD: longer than %d bytes",
		    LOGIN_PASSWORD_MAX);
		return -1;
	}
	if (netrc == NULL && netrc_default_path(path, sizeof(path)) == 0) {
		netrc = path;
	}
	if (netrc != NULL) {
		r = netrc_lookup(netrc, host, user, NETRC_DEFAULT, &e, err,
		    errsz);
		if (r == -1) {
			return -1;
		}
		if (r == 1 && e.password != NULL) {
			r = *e.password != '\0' &&
			    strlcpy(pw, e.password, pwsz) < pwsz ? 0 : -1;
			netrc_clear(&e);
			if (r == -1) {
				explicit_bzero(pw, pwsz);
				snprintf(err, errsz, "%s: password for %s "
				    "empty or too long", netrc, host);
			}
			return r;
		}
		netrc_clear(&e);
	}
	if (!src->prompt) {
		snprintf(err, errsz, "no password for %s (--password-file, "
		    "TFS_PASSWORD or ~/.netrc)", user);
		return -1;
	}
	(void)snprintf(prompt, sizeof(prompt), "Password for %s@%s: ", user,
	    host);
	if (readpassphrase(prompt, pw, pwsz, RPP_REQUIRE_TTY) == NULL ||
	    *pw == '\0') {
		explicit_bzero(pw, pwsz);
		snprintf(err, errsz, "no password for %s (%s)", user,
		    errno == ENOTTY ? "no terminal to ask on" :
		    "none typed");
		return -1;
	}
	return 0;
}

int
login_netrc_user(const char *path, const char *host, char *user,
    size_t usersz, char *err, size_t errsz)
{
	struct netrc_entry	 e;
	char			 def[4096];
	int			 r;

	if (path == NULL) {
		if (netrc_default_path(def, sizeof(def)) == -1) {
			return 0;
		}
		path = def;
	}
	/* "machine" entries only: a "default" login signs in everywhere */
	if ((r = netrc_lookup(path, host, NULL, 0, &e, err, errsz)) != 1) {
		return r;
	}
	r = 0;
	if (e.login != NULL && *e.login != '\0') {
		if (strlcpy(user, e.login, usersz) >= usersz) {
			snprintf(err, errsz, "%s: login for %s too long", path,
			    host);
			r = -1;
		} else {
			r = 1;
		}
	}
	netrc_clear(&e);
	return r;
}
