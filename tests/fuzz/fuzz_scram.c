/*
 * fuzz_scram.c -- libFuzzer target for the sign-in: the SCRAM messages
 * a hostile peer sends, to the server (server/auth.c and the GNU SASL
 * parsers behind it) and to the client (client/login.c, included
 * below, since fuzz targets link only the server's files).
 *
 * data[0] picks a mode and a user; the rest splits at its first '\n'
 * into A and B:
 *   mode 0  server: AUTH A, then STEP B, where "%N" in B stands for the
 *           nonce of the CHALLENGE, so the proof check is reached;
 *   mode 1  server: AUTH with mechanism A and message B, and calls out
 *           of order (STEP first, AUTH during an exchange);
 *   mode 2  server against a real client (GNU SASL given alice's salted
 *           password, so each proof is cheap): A edits the
 *           client-first-message, B the client-final-message;
 *   mode 3  client: login.c signs in as alice; A is the
 *           server-first-message ("%N": the client's nonce), B the
 *           server-final-message.
 * Beyond the sanitizers, the run aborts when an untouched exchange of
 * alice's fails, when a name without a user or a made-up proof gets
 * WELCOME, or when the client takes a made-up server signature.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsasl.h>

#include "auth.h"
#include "proto.h"
#include "users.h"

/* The client's side, with the password's sources that it brings. */
#include "../../client/login.c"
#include "../../client/netrc.c"

#define FS_MAX_INPUT	8192
#define FS_ALICE_PW	"correct horse"

static const char fs_users[] =
    "alice:rw:pub/alice:SCRAM-SHA-256$4096:dGZzLWFsaWNlLXNhbHQxNg==$"
    "ist7vw/R1qHv3hK25IkFSLqaSalURhEWvhMSMbuBIgw=:"
    "pgiUFli4KGjTwviD0qJ/+NjqM+r0YkftMQWVxm/fpK8=\n"
    "bob:ro::SCRAM-SHA-256$4096:dGZzLWJvYi1zYWx0LTAxNg==$"
    "J5OuUgZ91NdV/jAh8KfkyUddVxf55VbtLPihDrmUR0U=:"
    "tm83W69NmHDithsj5hGVvAqSFBxfQzD4lWTXOrfPi+8=\n"
    "a,b=c:ro:x:SCRAM-SHA-256$4096:dGZzLWJvYi1zYWx0LTAxNg==$"
    "J5OuUgZ91NdV/jAh8KfkyUddVxf55VbtLPihDrmUR0U=:"
    "tm83W69NmHDithsj5hGVvAqSFBxfQzD4lWTXOrfPi+8=\n";
static const uint8_t	 fs_secret[AUTH_SECRET_LEN] = "fuzz secret";
static const char	*fs_names[] = { "alice", "bob", "nobody", "a,b=c" };

static struct users	*fs_table;
static Gsasl		*fs_cctx;
static char		 fs_salted[2 * GSASL_HASH_SHA256_SIZE + 1];

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fs_init(void);
static size_t	fs_subst(const char *, size_t, const char *, char *, size_t);
static size_t	fs_edit(const uint8_t *, size_t, const char *, size_t,
		    char *, size_t);
static void	fs_raw(const char *, size_t, const char *, size_t);
static void	fs_order(const char *, size_t, const char *, size_t);
static void	fs_client(unsigned int, const uint8_t *, size_t,
		    const uint8_t *, size_t);
static void	fs_login(const char *, size_t, const char *, size_t);

/* The users table, and alice's salted password for the raw client. */
static void
fs_init(void)
{
	char		 path[] = "/tmp/fuzz-scram.XXXXXX", err[256];
	char		 salted[GSASL_HASH_MAX_SIZE], ck[GSASL_HASH_MAX_SIZE];
	char		 sk[GSASL_HASH_MAX_SIZE], st[GSASL_HASH_MAX_SIZE];
	size_t		 i;
	int		 fd;

	if ((fd = mkstemp(path)) == -1 ||
	    write(fd, fs_users, strlen(fs_users)) !=
	    (ssize_t)strlen(fs_users)) {
		abort();
	}
	(void)close(fd);
	fs_table = users_load(path, err, sizeof(err));
	(void)unlink(path);
	if (fs_table == NULL || gsasl_init(&fs_cctx) != GSASL_OK ||
	    gsasl_scram_secrets_from_password(GSASL_HASH_SHA256, FS_ALICE_PW,
	    4096, "tfs-alice-salt16", 16, salted, ck, sk, st) != GSASL_OK) {
		abort();
	}
	for (i = 0; i < GSASL_HASH_SHA256_SIZE; i++) {
		(void)snprintf(fs_salted + 2 * i, 3, "%02x",
		    (unsigned char)salted[i]);
	}
}

/* in with every "%N" replaced by nonce, into out.  The length. */
static size_t
fs_subst(const char *in, size_t n, const char *nonce, char *out,
    size_t outsz)
{
	size_t	 i, o = 0, nl = strlen(nonce);

	for (i = 0; i < n; i++) {
		if (i + 1 < n && in[i] == '%' && in[i + 1] == 'N' &&
		    o + nl <= outsz) {
			memcpy(out + o, nonce, nl);
			o += nl;
			i++;
		} else if (o < outsz) {
			out[o++] = in[i];
		}
	}
	return o;
}

/*
 * msg edited by ops into out: ops[0] % 5 is none, truncate at ops[1],
 * overwrite at ops[1] with ops[2..], insert there, append ops[1..].
 */
static size_t
fs_edit(const uint8_t *ops, size_t n, const char *msg, size_t len,
    char *out, size_t outsz)
{
	size_t	 pos, k;

	if (len + n > outsz) {
		abort();
	}
	memcpy(out, msg, len);
	if (n < 2) {
		return len;
	}
	pos = ops[1] % (len + 1);
	k = n - 2;
	switch (ops[0] % 5) {
	case 1:
		return pos;
	case 2:
		k = pos + k > len ? len - pos : k;
		memcpy(out + pos, ops + 2, k);
		return len;
	case 3:
		memmove(out + pos + k, out + pos, len - pos);
		memcpy(out + pos, ops + 2, k);
		return len + k;
	case 4:
		memcpy(out + len, ops + 1, n - 1);
		return len + n - 1;
	default:
		return len;
	}
}

/* Mode 0: the client's messages as they come. */
static void
fs_raw(const char *a, size_t alen, const char *b, size_t blen)
{
	struct auth_reply	 r;
	struct auth		*s;
	char			*nonce, fin[FS_MAX_INPUT * 4];
	const char		*p;
	size_t			 n;

	if ((s = auth_new(fs_table, fs_secret)) == NULL) {
		abort();
	}
	if (auth_start(s, AUTH_MECH, strlen(AUTH_MECH), a, alen, &r) ==
	    AUTH_CHALLENGE) {
		p = memmem(r.msg, r.len, "r=", 2);
		n = p == NULL ? 0 : strcspn(p + 2, ",");
		nonce = p == NULL ? strdup("") : strndup(p + 2, n);
		n = fs_subst(b, blen, nonce, fin, sizeof(fin));
		free(nonce);
		/* a proof made up of fuzz bytes never passes */
		if (auth_step(s, fin, n, &r) != AUTH_FAILED ||
		    auth_pending(s)) {
			abort();
		}
	} else if (auth_pending(s)) {
		abort();
	}
	auth_free(s);
}

/* Mode 1: any mechanism, and requests out of order. */
static void
fs_order(const char *a, size_t alen, const char *b, size_t blen)
{
	struct auth_reply	 r;
	struct auth		*s;
	enum auth_rc		 rc;

	if ((s = auth_new(fs_table, fs_secret)) == NULL) {
		abort();
	}
	if (auth_step(s, b, blen, &r) != AUTH_PROTOCOL) {
		abort();
	}
	rc = auth_start(s, a, alen, b, blen, &r);
	if (rc != AUTH_CHALLENGE && rc != AUTH_FAILED &&
	    rc != AUTH_UNSUPPORTED) {
		abort();
	}
	if (rc == AUTH_UNSUPPORTED && alen == strlen(AUTH_MECH) &&
	    memcmp(a, AUTH_MECH, alen) == 0) {
		abort();
	}
	if (rc == AUTH_CHALLENGE &&
	    (auth_start(s, a, alen, b, blen, &r) != AUTH_PROTOCOL ||
	    auth_pending(s))) {
		abort();
	}
	auth_free(s);
}

/* Mode 2: a real client's messages, edited. */
static void
fs_client(unsigned int who, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen)
{
	struct auth_reply	 r;
	struct auth		*s;
	Gsasl_session		*c;
	char			*out = NULL, msg[FS_MAX_INPUT * 2];
	size_t			 outlen = 0, n;
	int			 same, rc;

	if ((s = auth_new(fs_table, fs_secret)) == NULL ||
	    gsasl_client_start(fs_cctx, AUTH_MECH, &c) != GSASL_OK ||
	    gsasl_property_set(c, GSASL_AUTHID, fs_names[who]) != GSASL_OK ||
	    gsasl_property_set(c, GSASL_SCRAM_SALTED_PASSWORD, fs_salted) !=
	    GSASL_OK ||
	    gsasl_step(c, "", 0, &out, &outlen) != GSASL_NEEDS_MORE) {
		abort();
	}
	n = fs_edit(a, alen, out, outlen, msg, sizeof(msg));
	same = n == outlen && memcmp(msg, out, n) == 0;
	gsasl_free(out);
	out = NULL;
	if (auth_start(s, AUTH_MECH, strlen(AUTH_MECH), msg, n, &r) !=
	    AUTH_CHALLENGE) {
		if (same) {
			abort();
		}
		goto out;
	}
	/* the client may refuse an edited exchange's challenge */
	if (gsasl_step(c, r.msg, r.len, &out, &outlen) != GSASL_NEEDS_MORE) {
		goto out;
	}
	n = fs_edit(b, blen, out, outlen, msg, sizeof(msg));
	same = same && n == outlen && memcmp(msg, out, n) == 0;
	gsasl_free(out);
	out = NULL;
	rc = auth_step(s, msg, n, &r);
	/* alice with her password, untouched: in, and the server proven */
	if (same && who == 0 && (rc != AUTH_WELCOME ||
	    gsasl_step(c, r.msg, r.len, &out, &outlen) != GSASL_OK)) {
		abort();
	}
	if (rc == AUTH_WELCOME && (who != 0 || r.rights !=
	    (TFS_RIGHT_READ | TFS_RIGHT_WRITE) ||
	    strcmp(r.home, "pub/alice") != 0)) {
		abort();
	}
out:
	gsasl_free(out);
	gsasl_finish(c);
	auth_free(s);
}

/* Mode 3: what a hostile server sends to login.c. */
static void
fs_login(const char *a, size_t alen, const char *b, size_t blen)
{
	struct login	*l;
	const char	*m, *p;
	char		*nonce, first[FS_MAX_INPUT * 4];
	size_t		 n;

	if ((l = login_new("alice", FS_ALICE_PW)) == NULL ||
	    login_first(l, &m, &n) != LOGIN_OK ||
	    (p = memmem(m, n, ",r=", 3)) == NULL) {
		abort();
	}
	nonce = strndup(p + 3, n - (size_t)(p + 3 - m));
	n = fs_subst(a, alen, nonce, first, sizeof(first));
	free(nonce);
	if (login_challenge(l, first, n, &m, &n) == LOGIN_OK &&
	    login_final(l, b, blen) == LOGIN_OK) {
		/* no server here knows alice's keys to sign with */
		abort();
	}
	login_free(l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nl, *a, *b;
	size_t		 alen, blen;

	if (fs_table == NULL) {
		fs_init();
	}
	if (size < 1 || size > FS_MAX_INPUT) {
		return 0;
	}
	a = data + 1;
	nl = memchr(a, '\n', size - 1);
	alen = nl == NULL ? size - 1 : (size_t)(nl - a);
	b = nl == NULL ? a + alen : nl + 1;
	blen = size - 1 - alen - (nl != NULL);
	switch (data[0] & 3) {
	case 0:
		fs_raw((const char *)a, alen, (const char *)b, blen);
		break;
	case 1:
		fs_order((const char *)a, alen, (const char *)b, blen);
		break;
	case 2:
		fs_client((data[0] >> 2) % 4, a, alen, b, blen);
		break;
	default:
		fs_login((const char *)a, alen, (const char *)b, blen);
		break;
	}
	return 0;
}
