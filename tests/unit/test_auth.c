/*
 * test_auth.c -- sign-in, both sides (server/auth.c, client/login.c):
 * a wrong password, a name no user has (the same salt every time, the
 * same time as a wrong password), truncated, replayed and hostile SCRAM
 * messages, requests out of order, a server that forges its signature
 * or asks for a hostile iteration count, and whole exchanges, timed.
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "auth.h"
#include "login.h"
#include "proto.h"
#include "suites.h"
#include "users.h"

#define ALICE_PW	"correct horse"
#define BOB_PW		"bobs password"
#define RUNS		9		/* timing samples, odd for a median */

/* Verifiers made outside the code under test (Python's hashlib). */
static const char users_text[] =
    "# test users\n"
    "alice:rw:pub/alice:SCRAM-SHA-256$4096:dGZzLWFsaWNlLXNhbHQxNg==$"
    "ist7vw/R1qHv3hK25IkFSLqaSalURhEWvhMSMbuBIgw=:"
    "pgiUFli4KGjTwviD0qJ/+NjqM+r0YkftMQWVxm/fpK8=\n"
    "bob:ro::SCRAM-SHA-256$4096:dGZzLWJvYi1zYWx0LTAxNg==$"
    "J5OuUgZ91NdV/jAh8KfkyUddVxf55VbtLPihDrmUR0U=:"
    "tm83W69NmHDithsj5hGVvAqSFBxfQzD4lWTXOrfPi+8=\n";

static const uint8_t	secret[AUTH_SECRET_LEN] =
    "0123456789abcdef0123456789abcde";

static struct users	*table_load(const char *);
static struct auth	*auth_fixture(struct users **);
static enum auth_rc	 sign_in(struct auth *, const char *, const char *,
			    enum login_rc *);
static enum auth_rc	 start(struct auth *, const char *, size_t,
			    struct auth_reply *);
static enum auth_rc	 challenge(struct auth *, struct login *, char *,
			    size_t);
static char		*field(const char *, size_t, const char *);
static char		*bare_start(struct auth *);
static double		 now_ms(void);
static double		 server_ms(struct auth *, const char *, const char *);
static int		 cmp_double(const void *, const void *);
static double		 median_ms(struct auth *, const char *, const char *);

static void	test_auth_happy(void);
static void	test_auth_wrong_password(void);
static void	test_auth_unknown_user(void);
static void	test_auth_unknown_timing(void);
static void	test_auth_truncated(void);
static void	test_auth_replayed(void);
static void	test_auth_nonce_mismatch(void);
static void	test_auth_hostile_first(void);
static void	test_auth_hostile_final(void);
static void	test_auth_unsupported(void);
static void	test_auth_order(void);
static void	test_auth_forged_signature(void);
static void	test_auth_hostile_server(void);
static void	test_auth_set_then_sign_in(void);
static void	test_auth_cost(void);

/* A users table from text, through a 0600 file that is gone again. */
static struct users *
table_load(const char *text)
{
	char		 path[] = "/tmp/tfs-auth.XXXXXX", err[256];
	struct users	*u;
	int		 fd;

	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_FATAL(write(fd, text, strlen(text)) ==
	    (ssize_t)strlen(text));
	(void)close(fd);
	u = users_load(path, err, sizeof(err));
	if (u == NULL) {
		fprintf(stderr, "%s\n", err);
	}
	(void)unlink(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	return u;
}

static struct auth *
auth_fixture(struct users **u)
{
	struct auth	*a;

	*u = table_load(users_text);
	a = auth_new(*u, secret);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	return a;
}

/* AUTH with the mechanism and msg (a string of n bytes). */
static enum auth_rc
start(struct auth *a, const char *msg, size_t n, struct auth_reply *r)
{
	return auth_start(a, AUTH_MECH, strlen(AUTH_MECH), msg, n, r);
}

/*
 * AUTH from l, then its client-final-message for the CHALLENGE into
 * out (outsz bytes, a string).  The rc of the AUTH.
 */
static enum auth_rc
challenge(struct auth *a, struct login *l, char *out, size_t outsz)
{
	struct auth_reply	 r;
	enum auth_rc		 rc;
	const char		*m;
	size_t			 n;

	CU_ASSERT_EQUAL_FATAL(login_first(l, &m, &n), LOGIN_OK);
	if ((rc = start(a, m, n, &r)) != AUTH_CHALLENGE) {
		return rc;
	}
	CU_ASSERT_EQUAL_FATAL(login_challenge(l, r.msg, r.len, &m, &n),
	    LOGIN_OK);
	CU_ASSERT_FATAL(n < outsz);
	memcpy(out, m, n);
	out[n] = '\0';
	return rc;
}

/* A whole sign-in; the server's last answer, and the client's verdict. */
static enum auth_rc
sign_in(struct auth *a, const char *user, const char *pw,
    enum login_rc *lrc)
{
	struct auth_reply	 r;
	struct login		*l;
	enum auth_rc		 rc;
	char			 fin[1024];

	*lrc = LOGIN_ERROR;
	l = login_new(user, pw);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	if ((rc = challenge(a, l, fin, sizeof(fin))) == AUTH_CHALLENGE) {
		rc = auth_step(a, fin, strlen(fin), &r);
		if (rc == AUTH_WELCOME) {
			*lrc = login_final(l, r.msg, r.len);
		}
	}
	login_free(l);
	return rc;
}

/* A copy of attribute key ("s=") of a SCRAM message, or NULL. */
static char *
field(const char *msg, size_t len, const char *key)
{
	const char	*p, *end = msg + len, *q;

	for (p = msg; p < end; p = q + 1) {
		q = memchr(p, ',', (size_t)(end - p));
		q = q == NULL ? end : q;
		if ((size_t)(q - p) >= strlen(key) &&
		    memcmp(p, key, strlen(key)) == 0) {
			return strndup(p + strlen(key),
			    (size_t)(q - p) - strlen(key));
		}
	}
	return NULL;
}

static void
test_auth_happy(void)
{
	struct users	*u;
	struct auth	*a;
	struct login	*l;
	struct auth_reply r;
	enum login_rc	 lrc;
	char		 fin[1024];

	a = auth_fixture(&u);
	CU_ASSERT_EQUAL(sign_in(a, "bob", BOB_PW, &lrc), AUTH_WELCOME);
	CU_ASSERT_EQUAL(lrc, LOGIN_OK);
	auth_free(a);

	/* the reply carries who, what and where */
	a = auth_new(u, secret);
	l = login_new("alice", ALICE_PW);
	CU_ASSERT_EQUAL_FATAL(challenge(a, l, fin, sizeof(fin)),
	    AUTH_CHALLENGE);
	CU_ASSERT(auth_pending(a));
	CU_ASSERT_EQUAL_FATAL(auth_step(a, fin, strlen(fin), &r),
	    AUTH_WELCOME);
	CU_ASSERT(!auth_pending(a));
	CU_ASSERT_STRING_EQUAL(r.user, "alice");
	CU_ASSERT_EQUAL(r.rights, TFS_RIGHT_READ | TFS_RIGHT_WRITE);
	CU_ASSERT_STRING_EQUAL(r.home, "pub/alice");
	CU_ASSERT(r.len > 2 && memcmp(r.msg, "v=", 2) == 0);
	CU_ASSERT_EQUAL(login_final(l, r.msg, r.len), LOGIN_OK);
	CU_ASSERT_PTR_NULL(auth_why(a));
	login_free(l);
	auth_free(a);
	users_free(u);
}

static void
test_auth_wrong_password(void)
{
	struct users	*u;
	struct auth	*a;
	enum login_rc	 lrc;

	a = auth_fixture(&u);
	CU_ASSERT_EQUAL(sign_in(a, "alice", "Correct horse", &lrc),
	    AUTH_FAILED);
	CU_ASSERT(!auth_pending(a));
	CU_ASSERT_STRING_EQUAL(auth_name(a), "alice");
	CU_ASSERT_STRING_EQUAL(auth_why(a), "wrong proof");
	/* another user's password */
	CU_ASSERT_EQUAL(sign_in(a, "alice", BOB_PW, &lrc), AUTH_FAILED);
	/* the connection may try again, and then succeed */
	CU_ASSERT_EQUAL(sign_in(a, "alice", ALICE_PW, &lrc), AUTH_WELCOME);
	CU_ASSERT_EQUAL(lrc, LOGIN_OK);
	auth_free(a);
	users_free(u);
}

static void
test_auth_unknown_user(void)
{
	static const uint8_t	 other[AUTH_SECRET_LEN] = "another secret";
	struct users		*u;
	struct auth		*a, *b, *c;
	struct auth_reply	 r;
	struct login		*l;
	const char		*m;
	size_t			 n;
	char			*salt[4], *iter;
	enum login_rc		 lrc;
	int			 i;

	a = auth_fixture(&u);
	b = auth_new(u, secret);	/* another worker, same secret */
	c = auth_new(u, other);		/* another server */
	for (i = 0; i < 4; i++) {
		l = login_new(i == 3 ? "mallory" : "eve", "pw");
		CU_ASSERT_EQUAL_FATAL(login_first(l, &m, &n), LOGIN_OK);
		CU_ASSERT_EQUAL_FATAL(start(i == 1 ? b : i == 2 ? c : a, m, n,
		    &r), AUTH_CHALLENGE);
		salt[i] = field(r.msg, r.len, "s=");
		iter = field(r.msg, r.len, "i=");
		CU_ASSERT_EQUAL(auth_step(i == 1 ? b : i == 2 ? c : a, "x", 1,
		    &r), AUTH_FAILED);
		CU_ASSERT_PTR_NOT_NULL_FATAL(salt[i]);
		/* looks like a real user's: 16 bytes, the usual count */
		CU_ASSERT_EQUAL(strlen(salt[i]), 24);
		CU_ASSERT_STRING_EQUAL(iter, "4096");
		free(iter);
		login_free(l);
	}
	CU_ASSERT_STRING_EQUAL(salt[0], salt[1]);
	CU_ASSERT_STRING_NOT_EQUAL(salt[0], salt[2]);
	CU_ASSERT_STRING_NOT_EQUAL(salt[0], salt[3]);
	for (i = 0; i < 4; i++) {
		free(salt[i]);
	}
	auth_free(b);
	auth_free(c);
	/* the proof fails, whatever the password */
	CU_ASSERT_EQUAL(sign_in(a, "eve", "pw", &lrc), AUTH_FAILED);
	CU_ASSERT_STRING_EQUAL(auth_why(a), "unknown user");
	CU_ASSERT_EQUAL(sign_in(a, "eve", ALICE_PW, &lrc), AUTH_FAILED);
	CU_ASSERT(!auth_pending(a));
	auth_free(a);
	users_free(u);
}

static double
now_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The server's time for one failed sign-in: AUTH and STEP only. */
static double
server_ms(struct auth *a, const char *user, const char *pw)
{
	struct auth_reply	 r;
	struct login		*l;
	const char		*m;
	size_t			 n;
	double			 t0, t;

	l = login_new(user, pw);
	CU_ASSERT_EQUAL_FATAL(login_first(l, &m, &n), LOGIN_OK);
	t0 = now_ms();
	CU_ASSERT_EQUAL_FATAL(start(a, m, n, &r), AUTH_CHALLENGE);
	t = now_ms() - t0;
	CU_ASSERT_EQUAL_FATAL(login_challenge(l, r.msg, r.len, &m, &n),
	    LOGIN_OK);
	t0 = now_ms();
	CU_ASSERT_EQUAL(auth_step(a, m, n, &r), AUTH_FAILED);
	t += now_ms() - t0;
	login_free(l);
	return t;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median_ms(struct auth *a, const char *user, const char *pw)
{
	double	 t[RUNS];
	int	 i;

	for (i = 0; i < RUNS; i++) {
		t[i] = server_ms(a, user, pw);
	}
	qsort(t, RUNS, sizeof(t[0]), cmp_double);
	return t[RUNS / 2];
}

/* An unknown name takes as long as a wrong password, within a factor. */
static void
test_auth_unknown_timing(void)
{
	struct users	*u;
	struct auth	*a;
	double		 known, unknown, lo, hi;

	a = auth_fixture(&u);
	(void)median_ms(a, "bob", "warm up");
	known = median_ms(a, "alice", "wrong");
	unknown = median_ms(a, "nobody", "wrong");
	lo = known < unknown ? known : unknown;
	hi = known < unknown ? unknown : known;
	printf("\n    server side of a failed sign-in: wrong password "
	    "%.3f ms, unknown user %.3f ms ", known, unknown);
	/* generous: scheduling noise on a shared machine */
	CU_ASSERT(hi < 3 * lo + 0.2);
	auth_free(a);
	users_free(u);
}

/*
 * AUTH for alice with a fixed client nonce, without a client: a new
 * exchange is then cheap.  The whole nonce of the CHALLENGE, to free.
 */
static char *
bare_start(struct auth *a)
{
	static const char	 m[] = "n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL";
	struct auth_reply	 r;

	CU_ASSERT_EQUAL_FATAL(start(a, m, strlen(m), &r), AUTH_CHALLENGE);
	return field(r.msg, r.len, "r=");
}

/* Every prefix of both client messages fails cleanly. */
static void
test_auth_truncated(void)
{
	struct users		*u;
	struct auth		*a;
	struct auth_reply	 r;
	struct login		*l;
	const char		*m;
	char			 first[512], fin[1024], *proof, *nonce;
	size_t			 n, i;

	a = auth_fixture(&u);
	l = login_new("alice", ALICE_PW);
	CU_ASSERT_EQUAL_FATAL(login_first(l, &m, &n), LOGIN_OK);
	CU_ASSERT_FATAL(n < sizeof(first));
	memcpy(first, m, n);
	for (i = 0; i < n; i++) {
		/* "n,,n=alice,r=" and anything longer still has a nonce */
		if (start(a, first, i, &r) == AUTH_CHALLENGE) {
			CU_ASSERT(i > strlen("n,,n=alice,r="));
			CU_ASSERT_EQUAL(auth_step(a, "", 0, &r), AUTH_FAILED);
		} else {
			CU_ASSERT(!auth_pending(a));
		}
	}
	login_free(l);

	/* a real proof, in exchanges whose nonces have the same length */
	l = login_new("alice", ALICE_PW);
	CU_ASSERT_EQUAL_FATAL(challenge(a, l, fin, sizeof(fin)),
	    AUTH_CHALLENGE);
	proof = field(fin, strlen(fin), "p=");
	CU_ASSERT_EQUAL(auth_step(a, "", 0, &r), AUTH_FAILED);
	login_free(l);
	for (i = 0;; i++) {
		nonce = bare_start(a);
		n = (size_t)snprintf(fin, sizeof(fin), "c=biws,r=%s,p=%s",
		    nonce, proof);
		free(nonce);
		if (i == n) {
			break;
		}
		CU_ASSERT_EQUAL(auth_step(a, fin, i, &r), AUTH_FAILED);
		CU_ASSERT(!auth_pending(a));
	}
	/* whole, the proof belongs to another exchange */
	CU_ASSERT_EQUAL(auth_step(a, fin, n, &r), AUTH_FAILED);
	CU_ASSERT_STRING_EQUAL(auth_why(a), "wrong proof");
	free(proof);
	auth_free(a);
	users_free(u);
}

/* A client-final-message from another exchange fails: its nonce. */
static void
test_auth_replayed(void)
{
	struct users		*u;
	struct auth		*a, *b;
	struct auth_reply	 r;
	struct login		*l1, *l2;
	char			 fin1[1024], fin2[1024];

	a = auth_fixture(&u);
	b = auth_new(u, secret);
	l1 = login_new("alice", ALICE_PW);
	l2 = login_new("alice", ALICE_PW);
	CU_ASSERT_EQUAL_FATAL(challenge(a, l1, fin1, sizeof(fin1)),
	    AUTH_CHALLENGE);
	CU_ASSERT_EQUAL_FATAL(challenge(b, l2, fin2, sizeof(fin2)),
	    AUTH_CHALLENGE);
	CU_ASSERT_EQUAL(auth_step(a, fin2, strlen(fin2), &r), AUTH_FAILED);
	CU_ASSERT_EQUAL(auth_step(b, fin1, strlen(fin1), &r), AUTH_FAILED);
	login_free(l1);
	login_free(l2);

	/* a message that succeeded once does not succeed again */
	l1 = login_new("alice", ALICE_PW);
	CU_ASSERT_EQUAL_FATAL(challenge(a, l1, fin1, sizeof(fin1)),
	    AUTH_CHALLENGE);
	CU_ASSERT_EQUAL(auth_step(a, fin1, strlen(fin1), &r), AUTH_WELCOME);
	auth_free(a);
	a = auth_new(u, secret);
	l2 = login_new("alice", ALICE_PW);
	CU_ASSERT_EQUAL_FATAL(challenge(a, l2, fin2, sizeof(fin2)),
	    AUTH_CHALLENGE);
	CU_ASSERT_EQUAL(auth_step(a, fin1, strlen(fin1), &r), AUTH_FAILED);
	login_free(l1);
	login_free(l2);
	auth_free(a);
	auth_free(b);
	users_free(u);
}

/* The nonce, the channel binding or the proof changed: all fail. */
static void
test_auth_nonce_mismatch(void)
{
	static const char	*edits[] = { "r=", "c=", "p=" };
	struct users		*u;
	struct auth		*a;
	struct auth_reply	 r;
	struct login		*l;
	char			 fin[1024], *p;
	size_t			 i;

	a = auth_fixture(&u);
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		l = login_new("alice", ALICE_PW);
		CU_ASSERT_EQUAL_FATAL(challenge(a, l, fin, sizeof(fin)),
		    AUTH_CHALLENGE);
		p = strstr(fin, edits[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		/* one base64 letter further on, still well formed */
		p[3] = p[3] == 'A' ? 'B' : 'A';
		CU_ASSERT_EQUAL(auth_step(a, fin, strlen(fin), &r),
		    AUTH_FAILED);
		login_free(l);
	}
	auth_free(a);
	users_free(u);
}

static void
test_auth_hostile_first(void)
{
	static const struct {
		const char	*msg;
		size_t		 len;	/* 0: strlen */
		enum auth_rc	 rc;
	} t[] = {
		{ "", 0, AUTH_FAILED },
		{ "n,,n=alice", 0, AUTH_FAILED },
		{ "n,,n=alice,r=", 0, AUTH_FAILED },
		{ "n,,n=,r=abc", 0, AUTH_FAILED },
		{ "y,,n=alice,r=abc", 0, AUTH_FAILED },
		{ "p=tls-unique,,n=alice,r=abc", 0, AUTH_FAILED },
		{ "n,a=bob,n=alice,r=abc", 0, AUTH_FAILED },
		{ "n,,n=al\tice,r=abc", 0, AUTH_FAILED },
		{ "n,,n=alice,r=a\0b", 16, AUTH_FAILED },
		{ "n,,n=a:b,r=abc", 0, AUTH_FAILED },
		{ "n,,n=al=41ice,r=abc", 0, AUTH_FAILED },
		{ "n,,n=alice=2,r=abc", 0, AUTH_FAILED },
		/* SASLprep maps a soft hyphen to nothing */
		{ "n,,n=\xc2\xad,r=abc", 0, AUTH_FAILED },
		{ "n,,n=\xff\xfe,r=abc", 0, AUTH_FAILED },
		{ "n,,n=Alice,r=abc", 0, AUTH_CHALLENGE },	/* unknown */
		{ "n,,n=a=2Cb,r=abc", 0, AUTH_CHALLENGE },
		{ "n,,n=alice,r=abc,x=ext", 0, AUTH_CHALLENGE },
		{ "n,,n=alice,r=abc", 0, AUTH_CHALLENGE },
	};
	struct users		*u;
	struct auth		*a;
	struct auth_reply	 r;
	char			 big[AUTH_MSG_MAX + 2];
	size_t			 i;

	a = auth_fixture(&u);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CU_ASSERT_EQUAL(start(a, t[i].msg, t[i].len != 0 ? t[i].len :
		    strlen(t[i].msg), &r), t[i].rc);
		if (t[i].rc == AUTH_CHALLENGE) {
			CU_ASSERT(auth_pending(a));
			CU_ASSERT_EQUAL(auth_step(a, "x", 1, &r), AUTH_FAILED);
		}
		CU_ASSERT(!auth_pending(a));
	}
	memset(big, 'a', sizeof(big));
	memcpy(big, "n,,n=alice,r=", 13);
	CU_ASSERT_EQUAL(start(a, big, sizeof(big), &r), AUTH_FAILED);
	memset(big, 'a', sizeof(big));
	memcpy(big, "n,,n=", 5);
	big[USERS_NAME_MAX + 6] = ',';
	CU_ASSERT_EQUAL(start(a, big, USERS_NAME_MAX + 10, &r), AUTH_FAILED);
	auth_free(a);
	users_free(u);
}

static void
test_auth_hostile_final(void)
{
	static const char	*t[] = {
		"", "c=biws", "c=biws,r=", "p=AAAA", "c=biws,r=x,p=",
		"c=biws,r=x,p=!!!!", "c=,r=x,p=AAAA", "c=biws,p=AAAA,r=x",
		"c=eSws,r=x,p=AAAA", "c=biws,r=x,e=1,p=AAAA",
	};
	struct users		*u;
	struct auth		*a;
	struct auth_reply	 r;
	struct login		*l;
	char			 fin[1024], *nonce, msg[1200];
	size_t			 i;

	a = auth_fixture(&u);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		free(bare_start(a));
		CU_ASSERT_EQUAL(auth_step(a, t[i], strlen(t[i]), &r),
		    AUTH_FAILED);
	}
	/* the right nonce, a proof of the wrong length or base64 */
	for (i = 0; i < 3; i++) {
		nonce = bare_start(a);
		(void)snprintf(msg, sizeof(msg), "c=biws,r=%s,p=%s", nonce,
		    i == 0 ? "AAAA" : i == 1 ? "!!!!" : "AAAA=AAA");
		CU_ASSERT_EQUAL(auth_step(a, msg, strlen(msg), &r),
		    AUTH_FAILED);
		free(nonce);
	}
	/* a NUL inside an otherwise good message */
	l = login_new("alice", ALICE_PW);
	CU_ASSERT_EQUAL_FATAL(challenge(a, l, fin, sizeof(fin)),
	    AUTH_CHALLENGE);
	fin[strlen(fin) - 1] = '\0';
	CU_ASSERT_EQUAL(auth_step(a, fin, strlen(fin) + 1, &r), AUTH_FAILED);
	login_free(l);
	auth_free(a);
	users_free(u);
}

static void
test_auth_unsupported(void)
{
	struct users		*u, *none;
	struct auth		*a;
	struct auth_reply	 r;
	static const char	 m[] = "n,,n=alice,r=abc";

	a = auth_fixture(&u);
	CU_ASSERT_EQUAL(auth_start(a, "SCRAM-SHA-1", 11, m, strlen(m), &r),
	    AUTH_UNSUPPORTED);
	CU_ASSERT_EQUAL(auth_start(a, "scram-sha-256", 13, m, strlen(m), &r),
	    AUTH_UNSUPPORTED);
	CU_ASSERT_EQUAL(auth_start(a, "SCRAM-SHA-256\0", 14, m, strlen(m),
	    &r), AUTH_UNSUPPORTED);
	CU_ASSERT_EQUAL(auth_start(a, "PLAIN", 5, m, strlen(m), &r),
	    AUTH_UNSUPPORTED);
	CU_ASSERT(!auth_pending(a));
	auth_free(a);
	/* a server without users */
	a = auth_new(NULL, secret);
	CU_ASSERT_EQUAL(start(a, m, strlen(m), &r), AUTH_UNSUPPORTED);
	auth_free(a);
	none = table_load("# nobody yet\n");
	a = auth_new(none, secret);
	CU_ASSERT_EQUAL(start(a, m, strlen(m), &r), AUTH_UNSUPPORTED);
	auth_free(a);
	users_free(none);
	users_free(u);
}

/* Requests out of order, as the request loop must never let through. */
static void
test_auth_order(void)
{
	struct users		*u;
	struct auth		*a;
	struct auth_reply	 r;
	enum login_rc		 lrc;
	static const char	 m[] = "n,,n=alice,r=abc";

	a = auth_fixture(&u);
	CU_ASSERT_EQUAL(auth_step(a, "c=biws", 6, &r), AUTH_PROTOCOL);
	CU_ASSERT_EQUAL(start(a, m, strlen(m), &r), AUTH_CHALLENGE);
	CU_ASSERT_EQUAL(start(a, m, strlen(m), &r), AUTH_PROTOCOL);
	CU_ASSERT(!auth_pending(a));
	CU_ASSERT_EQUAL(auth_step(a, "c=biws", 6, &r), AUTH_PROTOCOL);
	CU_ASSERT_EQUAL(sign_in(a, "bob", BOB_PW, &lrc), AUTH_WELCOME);
	CU_ASSERT_EQUAL(start(a, m, strlen(m), &r), AUTH_DENIED);
	CU_ASSERT_EQUAL(auth_step(a, "c=biws", 6, &r), AUTH_PROTOCOL);
	auth_free(a);
	users_free(u);
}

/* The client refuses a server-final-message that does not prove it. */
static void
test_auth_forged_signature(void)
{
	static const char	*bad[] = { "", "v=", "x=abc", "e=other-error",
				    "v=AAAA", "v=!!!" };
	struct users		*u;
	struct auth		*a;
	struct auth_reply	 r;
	struct login		*l, *l2;
	char			 fin[1024], final1[256], forged[256];
	size_t			 i;

	a = auth_fixture(&u);
	/* a signature one letter off */
	l = login_new("alice", ALICE_PW);
	CU_ASSERT_EQUAL_FATAL(challenge(a, l, fin, sizeof(fin)),
	    AUTH_CHALLENGE);
	CU_ASSERT_EQUAL_FATAL(auth_step(a, fin, strlen(fin), &r),
	    AUTH_WELCOME);
	CU_ASSERT_FATAL(r.len < sizeof(final1));
	memcpy(final1, r.msg, r.len);
	final1[r.len] = '\0';
	memcpy(forged, final1, r.len + 1);
	forged[2] = forged[2] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(login_final(l, forged, strlen(forged)),
	    LOGIN_EFORGED);
	login_free(l);
	auth_free(a);

	/* the genuine signature of another exchange */
	a = auth_new(u, secret);
	l2 = login_new("alice", ALICE_PW);
	CU_ASSERT_EQUAL_FATAL(challenge(a, l2, fin, sizeof(fin)),
	    AUTH_CHALLENGE);
	CU_ASSERT_EQUAL(login_final(l2, final1, strlen(final1)),
	    LOGIN_EFORGED);
	login_free(l2);
	auth_free(a);

	/* what is not a server-final-message at all */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a = auth_new(u, secret);
		l = login_new("alice", ALICE_PW);
		CU_ASSERT_EQUAL_FATAL(challenge(a, l, fin, sizeof(fin)),
		    AUTH_CHALLENGE);
		CU_ASSERT_NOT_EQUAL(login_final(l, bad[i], strlen(bad[i])),
		    LOGIN_OK);
		login_free(l);
		auth_free(a);
	}
	users_free(u);
}

/* A server asking for hostile rounds, another nonce, a broken salt. */
static void
test_auth_hostile_server(void)
{
	static const struct {
		const char	*fmt;	/* %s: the client's nonce */
		enum login_rc	 rc;
	} t[] = {
		{ "r=%sXYZ,s=c2FsdHNhbHQ=,i=4095", LOGIN_EITER },
		{ "r=%sXYZ,s=c2FsdHNhbHQ=,i=1000001", LOGIN_EITER },
		{ "r=%sXYZ,s=c2FsdHNhbHQ=,i=4294971392", LOGIN_EITER },
		{ "r=%sXYZ,s=c2FsdHNhbHQ=,i=18446744073709555712",
		    LOGIN_EPROTO },
		{ "r=%sXYZ,s=c2FsdHNhbHQ=,i=0", LOGIN_EPROTO },
		{ "r=other%s,s=c2FsdHNhbHQ=,i=4096", LOGIN_EPROTO },
		{ "r=%sXYZ,s=!!!!,i=4096", LOGIN_EPROTO },
		{ "r=%sXYZ,i=4096", LOGIN_EPROTO },
		{ "r=%s,s=c2FsdHNhbHQ=,i=4096", LOGIN_OK },
		{ "r=%sXYZ,s=c2FsdHNhbHQ=,i=4096", LOGIN_OK },
	};
	struct login	*l;
	const char	*m;
	char		*nonce, msg[512];
	size_t		 n, i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		l = login_new("alice", ALICE_PW);
		CU_ASSERT_EQUAL_FATAL(login_first(l, &m, &n), LOGIN_OK);
		nonce = field(m, n, "r=");
		(void)snprintf(msg, sizeof(msg), t[i].fmt, nonce);
		CU_ASSERT_EQUAL(login_challenge(l, msg, strlen(msg), &m, &n),
		    t[i].rc);
		/* nothing goes on after a failure */
		if (t[i].rc != LOGIN_OK) {
			CU_ASSERT_EQUAL(login_final(l, "v=AAAA", 6),
			    LOGIN_ERROR);
		}
		free(nonce);
		login_free(l);
	}
	/* calls out of order */
	l = login_new("alice", ALICE_PW);
	CU_ASSERT_EQUAL(login_challenge(l, "r=a,s=b,i=1", 11, &m, &n),
	    LOGIN_ERROR);
	CU_ASSERT_EQUAL(login_first(l, &m, &n), LOGIN_OK);
	CU_ASSERT_EQUAL(login_first(l, &m, &n), LOGIN_ERROR);
	login_free(l);
	CU_ASSERT_PTR_NULL(login_new("", "pw"));
	CU_ASSERT_PTR_NULL(login_new("alice", ""));
}

/* users_set's verifiers are what a client signs in with. */
static void
test_auth_set_then_sign_in(void)
{
	char		 dir[] = "/tmp/tfs-auth.XXXXXX", path[64], err[256];
	struct users	*u;
	struct auth	*a;
	enum login_rc	 lrc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/users", dir);
	CU_ASSERT_EQUAL_FATAL(users_set(path, "carol", "s3cret \xc3\xa9t\xc3"
	    "\xa9", -1, NULL, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(users_set(path, "dave", "dave's", TFS_RIGHT_READ,
	    "d", err, sizeof(err)), 0);
	u = users_load(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	a = auth_new(u, secret);
	CU_ASSERT_EQUAL(sign_in(a, "carol", "s3cret \xc3\xa9t\xc3\xa9", &lrc),
	    AUTH_WELCOME);
	CU_ASSERT_EQUAL(lrc, LOGIN_OK);
	auth_free(a);
	a = auth_new(u, secret);
	CU_ASSERT_EQUAL(sign_in(a, "dave", "dave", &lrc), AUTH_FAILED);
	CU_ASSERT_EQUAL(sign_in(a, "dave", "dave's", &lrc), AUTH_WELCOME);
	auth_free(a);
	users_free(u);
	(void)unlink(path);
	(void)rmdir(dir);
}

/* What one sign-in costs at the default count, client and server. */
static void
test_auth_cost(void)
{
	struct users		*u;
	struct auth		*a;
	struct auth_reply	 r;
	struct login		*l;
	const char		*m;
	size_t			 n;
	double			 t0, cli = 0, srv = 0;
	int			 i;

	a = auth_fixture(&u);
	for (i = 0; i < RUNS; i++) {
		auth_free(a);
		a = auth_new(u, secret);
		t0 = now_ms();
		l = login_new("alice", ALICE_PW);
		CU_ASSERT_EQUAL_FATAL(login_first(l, &m, &n), LOGIN_OK);
		cli += now_ms() - t0;
		t0 = now_ms();
		CU_ASSERT_EQUAL_FATAL(start(a, m, n, &r), AUTH_CHALLENGE);
		srv += now_ms() - t0;
		t0 = now_ms();
		CU_ASSERT_EQUAL_FATAL(login_challenge(l, r.msg, r.len, &m, &n),
		    LOGIN_OK);
		cli += now_ms() - t0;
		t0 = now_ms();
		CU_ASSERT_EQUAL_FATAL(auth_step(a, m, n, &r), AUTH_WELCOME);
		srv += now_ms() - t0;
		t0 = now_ms();
		CU_ASSERT_EQUAL(login_final(l, r.msg, r.len), LOGIN_OK);
		login_free(l);
		cli += now_ms() - t0;
	}
	printf("\n    one sign-in at %d rounds: client %.2f ms, server %.3f "
	    "ms ", USERS_ITER_DEFAULT, cli / RUNS, srv / RUNS);
	auth_free(a);
	users_free(u);
}

CU_TestInfo tests_auth[] = {
	TEST(test_auth_happy),
	TEST(test_auth_wrong_password),
	TEST(test_auth_unknown_user),
	TEST(test_auth_unknown_timing),
	TEST(test_auth_truncated),
	TEST(test_auth_replayed),
	TEST(test_auth_nonce_mismatch),
	TEST(test_auth_hostile_first),
	TEST(test_auth_hostile_final),
	TEST(test_auth_unsupported),
	TEST(test_auth_order),
	TEST(test_auth_forged_signature),
	TEST(test_auth_hostile_server),
	TEST(test_auth_set_then_sign_in),
	TEST(test_auth_cost),
	CU_TEST_INFO_NULL,
};
