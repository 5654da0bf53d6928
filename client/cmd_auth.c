/*
 * cmd_auth.c -- who the client is: login [USER], whoami, and the shell's
 * sign-in when a command met AUTH_REQUIRED.
 *
 * A sign-in always starts on a fresh connection, so that every later
 * reconnect signs in the same way (session.c).  A failed sign-in asked
 * for here leaves the client as it was, said in words; only the sign-in
 * that the command line asked for is final.  The anonymous rights are
 * never sent by the server: whoami finds them with two requests that
 * change nothing.  Passwords never reach a message.
 */

#include <err.h>
#include <errno.h>
#include <readpassphrase.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_impl.h"
#include "exitcode.h"
#include "login.h"
#include "print.h"
#include "remote.h"

/* A name no one uses: RENAME of it onto itself changes nothing. */
#define CMD_PROBE_NAME	"tfs-whoami-probe"

static int	cmd_signin_as(struct client *, const char *, const char *);
static const char *cmd_rights_word(int, int);
static int	cmd_anon_rights(struct client *, const char *, int *, int *);

/*
 * Sign in as user on a fresh connection.  ST_OK; else the status after
 * the message, with the identity the client had kept.
 */
static int
cmd_signin_as(struct client *cl, const char *user, const char *what)
{
	struct session		*s = &cl->sess;
	struct session_auth	 old = s->auth;
	enum sess_rc		 rc;

	if (strlcpy(s->auth.user, user, sizeof(s->auth.user)) >=
	    sizeof(s->auth.user)) {
		s->auth = old;
		explicit_bzero(&old, sizeof(old));
		warnx("%s: user name too long", what);
		return ST_USAGE;
	}
	explicit_bzero(s->auth.password, sizeof(s->auth.password));
	s->auth.have_password = 0;
	session_drop(s);
	rc = session_ensure(s);
	if (rc == SESS_OK) {
		explicit_bzero(&old, sizeof(old));
		return ST_OK;
	}
	warnx("%s: %s", what, s->errmsg);
	session_auth_clear(&s->auth);
	s->auth = old;
	explicit_bzero(&old, sizeof(old));
	/* asked for here, not on the command line: not final */
	s->final = 0;
	session_drop(s);
	return exitcode_from_sess(rc);
}

int
cmd_signin_ask(struct client *cl)
{
	char		 user[LOGIN_USER_MAX + 1];
	char		 prompt[SESSION_HOST_SZ + 64];
	const char	*me = getenv("USER");

	(void)snprintf(prompt, sizeof(prompt), "tfs: %s asks to sign in; "
	    "user%s%s%s: ", cl->sess.host, me != NULL ? " [" : "",
	    me != NULL ? me : "", me != NULL ? "]" : "");
	if (readpassphrase(prompt, user, sizeof(user),
	    RPP_ECHO_ON | RPP_REQUIRE_TTY) == NULL) {
		warnx("sign in: %s", errno == ENOTTY ? "no terminal to ask "
		    "on" : strerror(errno));
		return ST_REFUSED;
	}
	if (user[0] == '\0' && me != NULL) {
		(void)strlcpy(user, me, sizeof(user));
	}
	if (user[0] == '\0') {
		warnx("sign in: no user given");
		return ST_REFUSED;
	}
	return cmd_signin_as(cl, user, "sign in");
}

int
cmd_login(struct client *cl, struct cmdctx *x)
{
	char		 user[LOGIN_USER_MAX + 1];
	const char	*me = getenv("USER");

	if (x->argc > 0) {
		return cmd_signin_as(cl, x->argv[0], x->what);
	}
	if (!cl->interactive) {
		warnx("%s: name the user (login USER)", x->what);
		return ST_USAGE;
	}
	if (readpassphrase("user: ", user, sizeof(user),
	    RPP_ECHO_ON | RPP_REQUIRE_TTY) == NULL || (user[0] == '\0' &&
	    (me == NULL || strlcpy(user, me, sizeof(user)) >=
	    sizeof(user)))) {
		warnx("%s: no user given", x->what);
		return ST_USAGE;
	}
	return cmd_signin_as(cl, user, x->what);
}

/* "rw", "ro", "none": rights as tfsd's options name them. */
static const char *
cmd_rights_word(int r, int w)
{
	if (r && w) {
		return "rw";
	}
	if (r) {
		return "ro";
	}
	return w ? "wo" : "none";
}

/*
 * What an anonymous connection may do, found by asking: STAT of the
 * root needs the read right; RENAME of a name onto itself needs the
 * write right and never changes anything (EXISTS or NOT_FOUND with it,
 * AUTH_REQUIRED without, DENIED on a read-only server).  0, or a status
 * after the message.
 */
static int
cmd_anon_rights(struct client *cl, const char *what, int *r, int *w)
{
	struct session	*s = &cl->sess;
	struct rent	 e;
	enum sess_rc	 rc;

	rc = remote_stat(s, "", &e);
	*r = rc == SESS_OK;
	if (rc != SESS_OK && !(rc == SESS_REFUSED && s->auth_required) &&
	    rc != SESS_ERROR) {
		return session_report(s, rc, what);
	}
	rc = remote_rename(s, CMD_PROBE_NAME, CMD_PROBE_NAME);
	*w = rc == SESS_OK || (rc == SESS_ERROR &&
	    (s->err_code == TFS_EEXISTS || s->err_code == TFS_ENOT_FOUND));
	if (rc == SESS_LOST || rc == SESS_PROTO || rc == SESS_INTR) {
		return session_report(s, rc, what);
	}
	s->auth_required = 0;
	return ST_OK;
}

int
cmd_whoami(struct client *cl, struct cmdctx *x)
{
	struct session	*s = &cl->sess;
	int		 r, w, st;

	if (s->signed_in) {
		print_name(stdout, s->auth.user);
		printf(" %s\n", cmd_rights_word(
		    (s->rights & TFS_RIGHT_READ) != 0,
		    (s->rights & TFS_RIGHT_WRITE) != 0));
		return ST_OK;
	}
	if ((st = cmd_anon_rights(cl, x->what, &r, &w)) != ST_OK) {
		return st;
	}
	printf("anonymous %s\n", cmd_rights_word(r, w));
	return ST_OK;
}
