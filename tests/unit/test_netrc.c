/*
 * test_netrc.c -- ~/.netrc (client/netrc.c) and where the client's
 * password comes from (client/login.c): the grammar (machine, default,
 * login, password, account, macdef, quotes, backslashes), lookups by
 * host and login, a file that others may read refused when it holds a
 * password, malformed files, and the order of the password's sources.
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "login.h"
#include "netrc.h"
#include "suites.h"
#include "testutil.h"

struct tmp {
	char	 dir[64];
	char	 netrc[96];	/* dir/.netrc */
	char	 pwfile[96];	/* dir/pw */
};

static const char grammar[] =
    "machine alpha login al password \"a b\\\"c\"\n"
    "machine beta\n"
    "\tlogin bo\n"
    "\tpassword bpw\r\n"
    "machine BETA login bo2 password bpw2 account acct\n"
    "macdef init\n"
    "machine evil login ev password evpw\n"
    "\n"
    "machine gamma port 21 password gpw\n"
    "machine delta login dl\n"
    "machine es\\ caped login e\\\\x passwd p\\ q\n"
    "default login dflt password dpw\n";

static void	tmp_open(struct tmp *);
static void	tmp_close(struct tmp *);
static int	look(const char *, const char *, const char *, int,
		    struct netrc_entry *);

static void	pw_is(const struct login_source *, const char *, const char *,
		    int, const char *);

static void	test_netrc_grammar(void);
static void	test_netrc_mode(void);
static void	test_netrc_malformed(void);
static void	test_netrc_password_sources(void);
static void	test_netrc_user(void);

static void
tmp_open(struct tmp *t)
{
	CU_ASSERT_FATAL(tu_temp_dir(t->dir, sizeof(t->dir)) == 0);
	(void)snprintf(t->netrc, sizeof(t->netrc), "%s/.netrc", t->dir);
	(void)snprintf(t->pwfile, sizeof(t->pwfile), "%s/pw", t->dir);
}

static void
tmp_close(struct tmp *t)
{
	(void)unlink(t->netrc);
	(void)unlink(t->pwfile);
	CU_ASSERT_EQUAL(rmdir(t->dir), 0);
}

static int
look(const char *path, const char *host, const char *login, int flags,
    struct netrc_entry *e)
{
	char	 err[256];
	int	 r;

	err[0] = '\0';
	r = netrc_lookup(path, host, login, flags, e, err, sizeof(err));
	if (r == -1) {
		CU_ASSERT(err[0] != '\0');
	}
	return r;
}

/*
 * Lookups in the file grammar: found (1) or not (0), and what; a NULL
 * login or password is one the entry must not have.
 */
static void
test_netrc_grammar(void)
{
	static const struct {
		const char	*host, *login;
		int		 flags, found;
		const char	*want_login, *want_password;
		int		 is_default;
	} cases[] = {
		{ "alpha",	NULL,	0, 1,	"al",	"a b\"c",	0 },
		/* host names without regard to case; logins with */
		{ "ALPHA",	"al",	0, 1,	"al",	"a b\"c",	0 },
		{ "alpha",	"AL",	0, 0,	NULL,	NULL,		0 },
		/* the first entry whose login fits */
		{ "beta",	NULL,	0, 1,	"bo",	"bpw",		0 },
		{ "beta",	"bo2",	0, 1,	"bo2",	"bpw2",		0 },
		{ "beta",	"x",	0, 0,	NULL,	NULL,		0 },
		/* a macro's body is not entries */
		{ "evil",	NULL,	0, 0,	NULL,	NULL,		0 },
		/* no login: any login; unknown words skipped with values */
		{ "gamma",	"anyone", 0, 1,	NULL,	"gpw",		0 },
		{ "delta",	NULL,	0, 1,	"dl",	NULL,		0 },
		{ "es caped",	NULL,	0, 1,	"e\\x",	"p q",		0 },
		{ "nowhere",	NULL,	0, 0,	NULL,	NULL,		0 },
		{ "alph",	NULL,	0, 0,	NULL,	NULL,		0 },
		{ "",		NULL,	0, 0,	NULL,	NULL,		0 },
		/* default only when asked for */
		{ "nowhere",	NULL, NETRC_DEFAULT, 1, "dflt",	"dpw",	1 },
		{ "nowhere",	"x",  NETRC_DEFAULT, 0, NULL,	NULL,	0 },
		/* a machine entry wins over default */
		{ "alpha",	NULL, NETRC_DEFAULT, 1, "al",	"a b\"c", 0 },
		/* and default answers when the machine's login does not fit */
		{ "alpha", "dflt", NETRC_DEFAULT, 1, "dflt", "dpw", 1 },
	};
	struct tmp		 t;
	struct netrc_entry	 e;
	size_t			 i;

	tmp_open(&t);
	tu_put(t.netrc, grammar, 0, 0600);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(look(t.netrc, cases[i].host,
		    cases[i].login, cases[i].flags, &e), cases[i].found);
		if (!cases[i].found) {
			continue;
		}
		tu_assert_str(e.login, cases[i].want_login);
		tu_assert_str(e.password, cases[i].want_password);
		CU_ASSERT_EQUAL(e.is_default, cases[i].is_default);
		netrc_clear(&e);
		CU_ASSERT_PTR_NULL(e.password);
	}
	/* no file: nothing to find */
	(void)unlink(t.netrc);
	CU_ASSERT_EQUAL(look(t.netrc, "alpha", NULL, 0, &e), 0);
	tmp_close(&t);
}

/* Group or others may read it: refused if a password is anywhere. */
static void
test_netrc_mode(void)
{
	static const mode_t	 loose[] = { 0640, 0604, 0644, 0620, 0602,
				    0660, 0666 };
	struct tmp		 t;
	struct netrc_entry	 e;
	char			 err[256], want[256];
	size_t			 i;

	tmp_open(&t);
	for (i = 0; i < sizeof(loose) / sizeof(loose[0]); i++) {
		tu_put(t.netrc, "machine a login x\nmachine b password p\n", 0,
		    loose[i]);
		CU_ASSERT_EQUAL(netrc_lookup(t.netrc, "a", NULL, 0, &e, err,
		    sizeof(err)), -1);
		(void)snprintf(want, sizeof(want), "%s: holds a password and "
		    "group or others may read it (chmod 600 it)", t.netrc);
		CU_ASSERT_STRING_EQUAL(err, want);
		CU_ASSERT_PTR_NULL(e.login);
	}
	tu_put(t.netrc, "machine a login x password p\n", 0, 0600);
	CU_ASSERT_EQUAL(look(t.netrc, "a", NULL, 0, &e), 1);
	netrc_clear(&e);
	tu_put(t.netrc, "machine a login x password p\n", 0, 0400);
	CU_ASSERT_EQUAL(look(t.netrc, "a", NULL, 0, &e), 1);
	netrc_clear(&e);
	/* logins only: nothing to hide */
	tu_put(t.netrc, "machine a login x\n", 0, 0644);
	CU_ASSERT_EQUAL(look(t.netrc, "a", NULL, 0, &e), 1);
	netrc_clear(&e);
	/* a folder is not a .netrc */
	CU_ASSERT_EQUAL(look(t.dir, "a", NULL, 0, &e), -1);
	tmp_close(&t);
}

static void
test_netrc_malformed(void)
{
	static const struct {
		const char	*text;
		size_t		 len;
		const char	*why;
	} t[] = {
		{ "machine a login x\nmachine", 0, ":2: a keyword without" },
		{ "machine a login", 0, ":1: a keyword without" },
		{ "machine a password", 0, ":1: a keyword without" },
		{ "machine a\nmacdef", 0, ":2: a keyword without" },
		{ "machine a password \"abc\n", 0, "quote not closed" },
		{ "machine a login x\0y", 19, "a NUL byte" },
	};
	struct tmp		 tt;
	struct netrc_entry	 e;
	char			 err[256], *big;
	size_t			 i;

	tmp_open(&tt);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		tu_put(tt.netrc, t[i].text, t[i].len, 0600);
		CU_ASSERT_EQUAL(netrc_lookup(tt.netrc, "a", NULL, 0, &e, err,
		    sizeof(err)), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, t[i].why));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, tt.netrc));
	}
	/* a token over the bound */
	big = malloc(NETRC_TOKEN_MAX + 32);
	CU_ASSERT_FATAL(big != NULL);
	memcpy(big, "machine a login ", 16);
	memset(big + 16, 'x', NETRC_TOKEN_MAX + 1);
	big[16 + NETRC_TOKEN_MAX + 1] = '\0';
	tu_put(tt.netrc, big, 0, 0600);
	CU_ASSERT_EQUAL(look(tt.netrc, "a", NULL, 0, &e), -1);
	big[16 + NETRC_TOKEN_MAX] = '\0';
	tu_put(tt.netrc, big, 0, 0600);
	CU_ASSERT_EQUAL(look(tt.netrc, "a", NULL, 0, &e), 1);
	CU_ASSERT_EQUAL(strlen(e.login), NETRC_TOKEN_MAX);
	netrc_clear(&e);
	free(big);
	/* a macro running to the end of the file is fine */
	tu_put(tt.netrc, "machine a login x\nmacdef m\nmachine a login y\n", 0,
	    0600);
	CU_ASSERT_EQUAL(look(tt.netrc, "a", "y", 0, &e), 0);
	tmp_close(&tt);
}

/* --password-file, then TFS_PASSWORD, then .netrc, then the terminal. */
static void
test_netrc_password_sources(void)
{
	struct login_source	 src;
	struct tmp		 t;
	char			*saved_env = NULL, *saved_home = NULL;

	if (getenv("TFS_PASSWORD") != NULL) {
		saved_env = strdup(getenv("TFS_PASSWORD"));
	}
	if (getenv("HOME") != NULL) {
		saved_home = strdup(getenv("HOME"));
	}
	tmp_open(&t);
	memset(&src, 0, sizeof(src));
	src.netrc = t.netrc;
	tu_put(t.netrc, "machine h login u password netrcpw\n"
	    "default password defpw\n", 0, 0600);
	tu_put(t.pwfile, "filepw\r\nsecond line\n", 0, 0600);
	(void)setenv("TFS_PASSWORD", "envpw", 1);

	src.password_file = t.pwfile;
	pw_is(&src, "h", "u", 0, "filepw");
	tu_put(t.pwfile, "\nsecond\n", 0, 0600);
	pw_is(&src, "h", "u", -1, "first line empty");
	tu_put(t.pwfile, "no newline", 0, 0600);
	pw_is(&src, "h", "u", 0, "no newline");
	(void)unlink(t.pwfile);
	pw_is(&src, "h", "u", -1, "");
	src.password_file = NULL;

	pw_is(&src, "h", "u", 0, "envpw");
	(void)setenv("TFS_PASSWORD", "", 1);	/* empty: not given */
	pw_is(&src, "h", "u", 0, "netrcpw");
	(void)unsetenv("TFS_PASSWORD");
	pw_is(&src, "H", "other", 0, "defpw");
	tu_put(t.netrc, "machine h login u password netrcpw\n", 0, 0600);
	pw_is(&src, "elsewhere", "u", -1, "no password for u");
	/* a .netrc others may read stops here: no fall-back */
	tu_put(t.netrc, "machine h login u password netrcpw\n", 0, 0604);
	pw_is(&src, "h", "u", -1, "group or others");

	/* ~/.netrc is $HOME's */
	tu_put(t.netrc, "machine h login u password homepw\n", 0, 0600);
	(void)setenv("HOME", t.dir, 1);
	src.netrc = NULL;
	pw_is(&src, "h", "u", 0, "homepw");

	if (saved_env != NULL) {
		(void)setenv("TFS_PASSWORD", saved_env, 1);
	}
	if (saved_home != NULL) {
		(void)setenv("HOME", saved_home, 1);
	} else {
		(void)unsetenv("HOME");
	}
	free(saved_env);
	free(saved_home);
	tmp_close(&t);
}

/*
 * login_password for user at host returns rc, and then the password is
 * want (rc 0), or the error holds want and no password is left (rc -1).
 */
static void
pw_is(const struct login_source *src, const char *host, const char *user,
    int rc, const char *want)
{
	char	 pw[LOGIN_PASSWORD_MAX + 1], err[256];

	err[0] = '\0';
	CU_ASSERT_EQUAL(login_password(src, host, user, pw, sizeof(pw), err,
	    sizeof(err)), rc);
	if (rc == 0) {
		CU_ASSERT_STRING_EQUAL(pw, want);
	} else {
		CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
		CU_ASSERT_STRING_EQUAL(pw, "");
	}
}

/* Without -u: a "machine" entry's login signs in; "default"'s does not. */
static void
test_netrc_user(void)
{
	struct tmp	 t;
	char		 user[LOGIN_USER_MAX + 1], err[256];

	tmp_open(&t);
	tu_put(t.netrc, "machine h login u password p\nmachine n password q\n"
	    "default login d password r\n", 0, 0600);
	CU_ASSERT_EQUAL(login_netrc_user(t.netrc, "h", user, sizeof(user),
	    err, sizeof(err)), 1);
	CU_ASSERT_STRING_EQUAL(user, "u");
	CU_ASSERT_EQUAL(login_netrc_user(t.netrc, "n", user, sizeof(user),
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(login_netrc_user(t.netrc, "x", user, sizeof(user),
	    err, sizeof(err)), 0);
	(void)chmod(t.netrc, 0644);
	CU_ASSERT_EQUAL(login_netrc_user(t.netrc, "h", user, sizeof(user),
	    err, sizeof(err)), -1);
	(void)unlink(t.netrc);
	CU_ASSERT_EQUAL(login_netrc_user(t.netrc, "h", user, sizeof(user),
	    err, sizeof(err)), 0);
	tmp_close(&t);
}

CU_TestInfo tests_netrc[] = {
	TEST(test_netrc_grammar),
	TEST(test_netrc_mode),
	TEST(test_netrc_malformed),
	TEST(test_netrc_password_sources),
	TEST(test_netrc_user),
	CU_TEST_INFO_NULL,
};
