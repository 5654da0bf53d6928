/*
 * auth.c -- one connection's sign-in, server side (auth.h).
 *
 * GNU SASL runs SCRAM and parses the peer's messages; this file checks
 * what it can before handing bytes over (size, control bytes, the GS2
 * header, a name a user could have), answers the library's questions
 * about the user from the users table, and makes the stand-in answers
 * for names no user has.  Never does I/O, never sleeps, never logs.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsasl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"
#include "users.h"

#define AUTH_GS2	"n,,n="		/* no channel binding, no authzid */

struct auth {
	Gsasl			*ctx;
	Gsasl_session		*sess;		/* the exchange, or NULL */
	const struct users	*users;
	const struct user	*user;		/* the name's user, or NULL */
	int			 signed_in;
	uint8_t			 secret[AUTH_SECRET_LEN];
	char			 name[USERS_NAME_MAX + 1];
	const char		*why;		/* of the last failure */
	char			*out;		/* GNU SASL's last message */
	size_t			 outlen;
	/* what a name without a user is answered: same forms, same sizes */
	char			 fake_salt[USERS_B64_MAX + 1];
	char			 fake_stored[USERS_KEY_B64 + 1];
	char			 fake_server[USERS_KEY_B64 + 1];
};

static int	auth_callback(Gsasl *, Gsasl_session *, Gsasl_property);
static int	auth_set_iter(Gsasl_session *, unsigned int);
static int	auth_bytes_ok(const char *, size_t);
static int	auth_peek_name(struct auth *, const char *, size_t);
static void	auth_fake(struct auth *);
static void	auth_derive(const struct auth *, const char *, char *, size_t,
		    size_t);
static void	auth_end(struct auth *);
static enum auth_rc auth_fail(struct auth *, const char *);

void
auth_secret_make(uint8_t secret[AUTH_SECRET_LEN])
{
	arc4random_buf(secret, AUTH_SECRET_LEN);
}

struct auth *
auth_new(const struct users *users, const uint8_t secret[AUTH_SECRET_LEN])
{
	struct auth	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		return NULL;
	}
	if (gsasl_init(&a->ctx) != GSASL_OK) {
		free(a);
		return NULL;
	}
	gsasl_callback_set(a->ctx, auth_callback);
	a->users = users;
	memcpy(a->secret, secret, AUTH_SECRET_LEN);
	return a;
}

void
auth_free(struct auth *a)
{
	if (a == NULL) {
		return;
	}
	auth_end(a);
	gsasl_free(a->out);
	gsasl_done(a->ctx);
	explicit_bzero(a, sizeof(*a));
	free(a);
}

int
auth_pending(const struct auth *a)
{
	return a->sess != NULL;
}

const char *
auth_name(const struct auth *a)
{
	return a->name;
}

const char *
auth_why(const struct auth *a)
{
	return a->why;
}

/* Drop the exchange (GNU SASL's session); the last output stays. */
static void
auth_end(struct auth *a)
{
	if (a->sess != NULL) {
		gsasl_finish(a->sess);
		a->sess = NULL;
	}
	a->user = NULL;
}

static enum auth_rc
auth_fail(struct auth *a, const char *why)
{
	a->why = why;
	auth_end(a);
	return AUTH_FAILED;
}

/*
 * Bytes GNU SASL may see: a bounded size and no control byte (SCRAM
 * messages are printable, and a NUL would cut the AuthMessage it
 * builds with "%s").
 */
static int
auth_bytes_ok(const char *msg, size_t len)
{
	size_t	 i;

	if (len == 0 || len > AUTH_MSG_MAX) {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f) {
			return 0;
		}
	}
	return 1;
}

/*
 * The name of a client-first-message "n,,n=NAME,r=...", unescaped
 * (=2C is ',', =3D is '='), into a->name.  0, or -1 when the header is
 * not "n,," or the name is one no user can have: such a message fails
 * before GNU SASL sees it (whose SASLprep check leaks on a name that
 * maps to nothing).
 */
static int
auth_peek_name(struct auth *a, const char *msg, size_t len)
{
	size_t	 i, n = 0;

	if (len < strlen(AUTH_GS2) ||
	    memcmp(msg, AUTH_GS2, strlen(AUTH_GS2)) != 0) {
		return -1;
	}
	for (i = strlen(AUTH_GS2); i < len && msg[i] != ','; i++) {
		if (n == USERS_NAME_MAX) {
			return -1;
		}
		if (msg[i] != '=') {
			a->name[n++] = msg[i];
		} else if (len - i >= 3 && memcmp(msg + i, "=2C", 3) == 0) {
			a->name[n++] = ',';
			i += 2;
		} else if (len - i >= 3 && memcmp(msg + i, "=3D", 3) == 0) {
			a->name[n++] = '=';
			i += 2;
		} else {
			return -1;
		}
	}
	a->name[n] = '\0';
	if (i == len) {
		return -1;
	}
	return users_check_name(a->name) == NULL ? 0 : -1;
}

/*
 * out = base64 of the first n bytes of HMAC-SHA-256(secret, label NUL
 * name): fixed for a name while the secret is, unrelated across names.
 */
static void
auth_derive(const struct auth *a, const char *label, char *out,
    size_t outsz, size_t n)
{
	unsigned char	 in[32 + USERS_NAME_MAX + 1], md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	size_t		 llen = strlen(label) + 1, nlen = strlen(a->name);

	memcpy(in, label, llen);
	memcpy(in + llen, a->name, nlen);
	if (HMAC(EVP_sha256(), a->secret, AUTH_SECRET_LEN, in, llen + nlen,
	    md, &mdlen) == NULL || mdlen < n || outsz < (n + 2) / 3 * 4 + 1) {
		/* cannot happen with SHA-256; still never answer a constant */
		arc4random_buf(md, sizeof(md));
	}
	(void)EVP_EncodeBlock((unsigned char *)out, md, (int)n);
	explicit_bzero(md, sizeof(md));
}

/*
 * The stand-ins for a name without a user.  Made for every name, known
 * or not, so that both take the same work.
 */
static void
auth_fake(struct auth *a)
{
	auth_derive(a, "tfs salt", a->fake_salt, sizeof(a->fake_salt),
	    USERS_SALT_LEN);
	auth_derive(a, "tfs stored key", a->fake_stored,
	    sizeof(a->fake_stored), USERS_KEY_LEN);
	auth_derive(a, "tfs server key", a->fake_server,
	    sizeof(a->fake_server), USERS_KEY_LEN);
}

static int
auth_set_iter(Gsasl_session *sess, unsigned int iter)
{
	char	 buf[16];

	(void)snprintf(buf, sizeof(buf), "%u", iter);
	return gsasl_property_set(sess, GSASL_SCRAM_ITER, buf);
}

/*
 * GNU SASL asks for the verifier of the name it parsed, which
 * auth_peek_name has already looked up (auth_start checks that the two
 * agree).  A name without a user gets the stand-ins.
 */
static int
auth_callback(Gsasl *ctx, Gsasl_session *sess, Gsasl_property prop)
{
	struct auth		*a = gsasl_session_hook_get(sess);
	const struct user	*u;

	(void)ctx;
	if (a == NULL) {
		return GSASL_NO_CALLBACK;
	}
	u = a->user;
	switch (prop) {
	case GSASL_SCRAM_ITER:
		return auth_set_iter(sess, u != NULL ? u->iter :
		    USERS_ITER_DEFAULT);
	case GSASL_SCRAM_SALT:
		return gsasl_property_set(sess, prop,
		    u != NULL ? u->salt : a->fake_salt);
	case GSASL_SCRAM_STOREDKEY:
		return gsasl_property_set(sess, prop,
		    u != NULL ? u->storedkey : a->fake_stored);
	case GSASL_SCRAM_SERVERKEY:
		return gsasl_property_set(sess, prop,
		    u != NULL ? u->serverkey : a->fake_server);
	default:
		/* never a password: GNU SASL would then derive keys */
		return GSASL_NO_CALLBACK;
	}
}

enum auth_rc
auth_start(struct auth *a, const char *mech, size_t mechlen,
    const char *msg, size_t len, struct auth_reply *r)
{
	const char	*authid;
	int		 rc;

	memset(r, 0, sizeof(*r));
	gsasl_free(a->out);
	a->out = NULL;
	a->why = NULL;
	a->name[0] = '\0';
	if (a->sess != NULL) {
		a->why = "AUTH during an exchange";
		auth_end(a);
		return AUTH_PROTOCOL;
	}
	if (a->signed_in) {
		a->why = "AUTH after a sign-in";
		return AUTH_DENIED;
	}
	if (mechlen != strlen(AUTH_MECH) || memcmp(mech, AUTH_MECH,
	    mechlen) != 0) {
		a->why = "unknown mechanism";
		return AUTH_UNSUPPORTED;
	}
	if (users_count(a->users) == 0) {
		a->why = "no users";
		return AUTH_UNSUPPORTED;
	}
	if (!auth_bytes_ok(msg, len) || auth_peek_name(a, msg, len) == -1) {
		a->name[0] = '\0';	/* half a name is no name */
		return auth_fail(a, "malformed client-first-message");
	}
	a->user = users_find(a->users, a->name);
	auth_fake(a);
	if ((rc = gsasl_server_start(a->ctx, AUTH_MECH, &a->sess)) !=
	    GSASL_OK) {
		a->sess = NULL;
		return auth_fail(a, gsasl_strerror(rc));
	}
	gsasl_session_hook_set(a->sess, a);
	rc = gsasl_step(a->sess, msg, len, &a->out, &a->outlen);
	if (rc != GSASL_NEEDS_MORE || a->out == NULL || a->outlen == 0) {
		return auth_fail(a, rc == GSASL_NEEDS_MORE ||
		    rc == GSASL_MECHANISM_PARSE_ERROR ?
		    "malformed client-first-message" : gsasl_strerror(rc));
	}
	authid = gsasl_property_fast(a->sess, GSASL_AUTHID);
	if (authid == NULL || strcmp(authid, a->name) != 0) {
		return auth_fail(a, "malformed client-first-message");
	}
	r->msg = a->out;
	r->len = a->outlen;
	return AUTH_CHALLENGE;
}

enum auth_rc
auth_step(struct auth *a, const char *msg, size_t len,
    struct auth_reply *r)
{
	int	 rc;

	memset(r, 0, sizeof(*r));
	gsasl_free(a->out);
	a->out = NULL;
	a->why = NULL;
	if (a->sess == NULL) {
		a->why = "STEP without an exchange";
		return AUTH_PROTOCOL;
	}
	if (!auth_bytes_ok(msg, len)) {
		return auth_fail(a, "malformed client-final-message");
	}
	rc = gsasl_step(a->sess, msg, len, &a->out, &a->outlen);
	if (rc != GSASL_OK || a->user == NULL) {
		/* the proof: a wrong password, or another exchange's */
		return auth_fail(a, a->user == NULL ? "unknown user" :
		    rc == GSASL_AUTHENTICATION_ERROR ? "wrong proof" :
		    rc == GSASL_MECHANISM_PARSE_ERROR ||
		    rc == GSASL_BASE64_ERROR ?
		    "malformed client-final-message" : gsasl_strerror(rc));
	}
	if (a->out == NULL || a->outlen == 0) {
		return auth_fail(a, "no server-final-message");
	}
	r->msg = a->out;
	r->len = a->outlen;
	r->user = a->name;
	r->rights = a->user->rights;
	r->home = a->user->home;
	a->signed_in = 1;
	/* the reply points at the table, not at the session */
	gsasl_finish(a->sess);
	a->sess = NULL;
	return AUTH_WELCOME;
}
