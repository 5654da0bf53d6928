/*
 * signin.c -- signing a connection in: AUTH, CHALLENGE, STEP, WELCOME
 * (PROTOCOL.md, Sign-in) over a session, the SCRAM messages made and
 * checked by login.c.
 *
 * A sign-in that fails is final: the session is marked so and never
 * connects again, so a wrong password can never turn into an anonymous
 * run.  A server that cannot prove it knows the password is not the
 * one we meant: its connection is closed before anything else is said.
 * The password is looked for once and kept, wiped at the end, for the
 * reconnects.  Prints nothing: the caller reports s->errmsg.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "login.h"
#include "session.h"

static enum sess_rc	signin_password(struct session *);
static enum sess_rc	signin_refused(struct session *, const char *, ...)
			    __attribute__((format(printf, 2, 3)));
static enum sess_rc	signin_reply(struct session *, struct tfs_msg *,
			    uint8_t);
static enum sess_rc	signin_exchange(struct session *, struct login *);

void
session_auth_clear(struct session_auth *a)
{
	explicit_bzero(a->password, sizeof(a->password));
	a->have_password = 0;
	a->user[0] = '\0';
}

/* A final refusal, in words.  SESS_REFUSED. */
static enum sess_rc
signin_refused(struct session *s, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	s->final = 1;
	session_drop(s);
	return SESS_REFUSED;
}

/* The password, from where login_password looks, once per session. */
static enum sess_rc
signin_password(struct session *s)
{
	struct session_auth	*a = &s->auth;
	char			 why[512];

	if (a->have_password) {
		return SESS_OK;
	}
	if (login_password(&a->src, s->host, a->user, a->password,
	    sizeof(a->password), why, sizeof(why)) == -1) {
		return signin_refused(s, "cannot sign in as %s: %s",
		    a->user, why);
	}
	a->have_password = 1;
	return SESS_OK;
}

/*
 * The server's answer to AUTH or STEP: want (CHALLENGE or WELCOME), an
 * ERROR that refuses us, or a protocol error.
 */
static enum sess_rc
signin_reply(struct session *s, struct tfs_msg *m, uint8_t want)
{
	enum sess_rc	 rc;

	rc = session_recv(s, m, SESSION_REPLY_MS);
	if (rc == SESS_AGAIN) {
		return session_lost(s, ETIMEDOUT);
	}
	if (rc != SESS_OK) {
		return rc;
	}
	if (m->type == TFS_ERROR) {
		switch (m->code) {
		case TFS_EAUTH_FAILED:
			return signin_refused(s, "sign-in as %s failed: wrong "
			    "user or password (AUTH_FAILED)", s->auth.user);
		case TFS_EUNSUPPORTED:
			return signin_refused(s, "%s takes no sign-in "
			    "(UNSUPPORTED)", s->label);
		default:
			rc = session_error(s, m);
			return rc == SESS_ERROR ? signin_refused(s, "sign-in "
			    "as %s refused: %s", s->auth.user, s->errmsg) :
			    rc;
		}
	}
	if (m->type != want) {
		return session_proto(s, "%s in reply to %s",
		    tfs_type_name(m->type), want == TFS_CHALLENGE ? "AUTH" :
		    "STEP");
	}
	return SESS_OK;
}

/* The four messages of a sign-in with l. */
static enum sess_rc
signin_exchange(struct session *s, struct login *l)
{
	struct tfs_msg	 req, m;
	enum login_rc	 lrc;
	enum sess_rc	 rc;
	const char	*out;
	size_t		 outlen;

	if ((lrc = login_first(l, &out, &outlen)) != LOGIN_OK) {
		return signin_refused(s, "cannot sign in as %s: %s",
		    s->auth.user, login_strerror(lrc));
	}
	memset(&req, 0, sizeof(req));
	req.type = TFS_AUTH;
	req.mech = tfs_str_c(LOGIN_MECH);
	req.sasl.p = (const uint8_t *)out;
	req.sasl.len = (uint16_t)outlen;
	if ((rc = session_send(s, &req)) != SESS_OK ||
	    (rc = signin_reply(s, &m, TFS_CHALLENGE)) != SESS_OK) {
		return rc;
	}
	lrc = login_challenge(l, (const char *)m.sasl.p, m.sasl.len, &out,
	    &outlen);
	if (lrc != LOGIN_OK) {
		return signin_refused(s, "sign-in as %s: %s; connection "
		    "closed", s->auth.user, login_strerror(lrc));
	}
	memset(&req, 0, sizeof(req));
	req.type = TFS_STEP;
	req.sasl.p = (const uint8_t *)out;
	req.sasl.len = (uint16_t)outlen;
	if ((rc = session_send(s, &req)) != SESS_OK ||
	    (rc = signin_reply(s, &m, TFS_WELCOME)) != SESS_OK) {
		return rc;
	}
	/* the server's signature: a server that lacks it is an impostor */
	lrc = login_final(l, (const char *)m.sasl.p, m.sasl.len);
	if (lrc != LOGIN_OK) {
		return signin_refused(s, "%s: %s; connection closed",
		    s->label, login_strerror(lrc));
	}
	s->signed_in = 1;
	s->rights = m.rights & (TFS_RIGHT_READ | TFS_RIGHT_WRITE);
	return SESS_OK;
}

enum sess_rc
session_signin(struct session *s)
{
	struct login	*l;
	enum sess_rc	 rc;

	if ((rc = signin_password(s)) != SESS_OK) {
		return rc;
	}
	if ((l = login_new(s->auth.user, s->auth.password)) == NULL) {
		return signin_refused(s, "cannot sign in as %s: %s",
		    s->auth.user, login_strerror(LOGIN_ERROR));
	}
	rc = signin_exchange(s, l);
	login_free(l);
	return rc;
}
