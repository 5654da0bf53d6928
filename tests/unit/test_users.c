/*
 * test_users.c -- the users file (server/users.c) and the commands on
 * it (server/admin.c): files refused for their owner, mode, lines,
 * duplicates or size; lookups; set, delete and list, atomic and 0600,
 * other lines kept; names and homes no user may have; the password
 * read from stdin.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "admin.h"
#include "proto.h"
#include "suites.h"
#include "testutil.h"
#include "users.h"

#define V1	"SCRAM-SHA-256$4096:dGZzLWFsaWNlLXNhbHQxNg==$" \
		"ist7vw/R1qHv3hK25IkFSLqaSalURhEWvhMSMbuBIgw=:" \
		"pgiUFli4KGjTwviD0qJ/+NjqM+r0YkftMQWVxm/fpK8="
#define KEY	"ist7vw/R1qHv3hK25IkFSLqaSalURhEWvhMSMbuBIgw="

struct tmp {
	char	 dir[64];
	char	 path[96];		/* dir/users */
};

static void	tmp_open(struct tmp *);
static void	tmp_close(struct tmp *);
static char	*slurp(const char *);
static int	load_err(const char *, char *, size_t);
static void	refused(const char *, const char *);
static int	quiet_begin(void);
static void	quiet_end(int);
static int	stdin_fd(const char *);

static void	test_users_load(void);
static void	test_users_mode(void);
static void	test_users_owner(void);
static void	test_users_malformed(void);
static void	test_users_duplicate(void);
static void	test_users_bounds(void);
static void	test_users_names(void);
static void	test_users_verifier(void);
static void	test_users_set(void);
static void	test_users_del(void);
static void	test_users_set_refused(void);
static void	test_users_admin(void);

static void
tmp_open(struct tmp *t)
{
	CU_ASSERT_FATAL(tu_temp_dir(t->dir, sizeof(t->dir)) == 0);
	(void)snprintf(t->path, sizeof(t->path), "%s/users", t->dir);
}

/* Remove the folder and whatever a test left in it. */
static void
tmp_close(struct tmp *t)
{
	struct dirent	*de;
	char		 p[400];
	DIR		*d;

	if ((d = opendir(t->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0) {
				continue;
			}
			(void)snprintf(p, sizeof(p), "%s/%s", t->dir,
			    de->d_name);
			(void)unlink(p);
		}
		(void)closedir(d);
	}
	CU_ASSERT_EQUAL(rmdir(t->dir), 0);
}

/* The whole file as a string, to free; NULL if there is none. */
static char *
slurp(const char *path)
{
	char	*buf;
	FILE	*f;
	long	 n;

	if ((f = fopen(path, "r")) == NULL) {
		return NULL;
	}
	(void)fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	CU_ASSERT_FATAL(buf != NULL && fread(buf, 1, (size_t)n, f) ==
	    (size_t)n);
	(void)fclose(f);
	return buf;
}

/* users_load: 0 and the table freed, or -1 with the message in err. */
static int
load_err(const char *path, char *err, size_t errsz)
{
	struct users	*u;

	err[0] = '\0';
	if ((u = users_load(path, err, errsz)) == NULL) {
		CU_ASSERT(err[0] != '\0');
		return -1;
	}
	users_free(u);
	return 0;
}

/* users_load of path fails, and its message holds why. */
static void
refused(const char *path, const char *why)
{
	char	 err[512];

	CU_ASSERT_EQUAL(load_err(path, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, why));
}

/* stderr to /dev/null while the admin commands say what they must. */
static int
quiet_begin(void)
{
	int	 saved, null;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(saved != -1 && null != -1);
	(void)dup2(null, STDERR_FILENO);
	(void)close(null);
	return saved;
}

static void
quiet_end(int saved)
{
	fflush(stderr);
	(void)dup2(saved, STDERR_FILENO);
	(void)close(saved);
}

/* A pipe's read end that yields text, then the end of the input. */
static int
stdin_fd(const char *text)
{
	int	 p[2];

	CU_ASSERT_FATAL(pipe(p) == 0);
	CU_ASSERT_FATAL(write(p[1], text, strlen(text)) ==
	    (ssize_t)strlen(text));
	(void)close(p[1]);
	return p[0];
}

static void
test_users_load(void)
{
	struct tmp		 t;
	struct users		*u;
	const struct user	*a;
	char			 err[512];

	tmp_open(&t);
	tu_put(t.path, "# users\n\n"
	    "zoe:rw::" V1 "\n"
	    "# a comment line\n"
	    "al ice:ro:pub/al ice:" V1 "\n"
	    "b,=b:rw:x/y/z:" V1, 0, 0600);	/* no newline at the end */
	u = users_load(t.path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	CU_ASSERT_EQUAL(users_count(u), 3);
	CU_ASSERT_STRING_EQUAL(users_get(u, 0)->name, "zoe");
	CU_ASSERT_STRING_EQUAL(users_get(u, 2)->name, "b,=b");
	CU_ASSERT_PTR_NULL(users_get(u, 3));
	a = users_find(u, "al ice");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->rights, TFS_RIGHT_READ);
	CU_ASSERT_STRING_EQUAL(a->home, "pub/al ice");
	CU_ASSERT_EQUAL(a->line, 5);
	CU_ASSERT_EQUAL(a->iter, 4096);
	CU_ASSERT_STRING_EQUAL(a->salt, "dGZzLWFsaWNlLXNhbHQxNg==");
	CU_ASSERT_STRING_EQUAL(a->storedkey, KEY);
	a = users_find(u, "zoe");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->rights, TFS_RIGHT_READ | TFS_RIGHT_WRITE);
	CU_ASSERT_STRING_EQUAL(a->home, "");
	CU_ASSERT_PTR_NOT_NULL(users_find(u, "b,=b"));
	CU_ASSERT_PTR_NULL(users_find(u, "Zoe"));
	CU_ASSERT_PTR_NULL(users_find(u, "al"));
	CU_ASSERT_PTR_NULL(users_find(u, ""));
	users_free(u);
	/* an empty file: a table without users */
	tu_put(t.path, "", 0, 0600);
	u = users_load(t.path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	CU_ASSERT_EQUAL(users_count(u), 0);
	CU_ASSERT_PTR_NULL(users_find(u, "zoe"));
	users_free(u);
	CU_ASSERT_PTR_NULL(users_find(NULL, "zoe"));
	tmp_close(&t);
}

/* Group or other permission bits refuse the file; so does a non-file. */
static void
test_users_mode(void)
{
	static const mode_t	 bad[] = { 0640, 0604, 0660, 0620, 0602,
				    0610, 0601, 0644, 0666 };
	struct tmp		 t;
	char			 err[512], want[512];
	size_t			 i;

	tmp_open(&t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tu_put(t.path, "zoe:rw::" V1 "\n", 0, bad[i]);
		CU_ASSERT_EQUAL(load_err(t.path, err, sizeof(err)), -1);
		(void)snprintf(want, sizeof(want), "%s: mode %04o lets group "
		    "or others in (chmod 600 it)", t.path, (unsigned)bad[i]);
		CU_ASSERT_STRING_EQUAL(err, want);
	}
	tu_put(t.path, "zoe:rw::" V1 "\n", 0, 0600);
	CU_ASSERT_EQUAL(load_err(t.path, err, sizeof(err)), 0);
	tu_put(t.path, "zoe:rw::" V1 "\n", 0, 0400);
	CU_ASSERT_EQUAL(load_err(t.path, err, sizeof(err)), 0);
	refused(t.dir, "not a regular file");
	(void)unlink(t.path);
	refused(t.path, "No such file");
	tmp_close(&t);
}

/* A file of another user's is refused, whatever its mode. */
static void
test_users_owner(void)
{
	struct tmp	 t;

	if (geteuid() != 0) {
		/* root's, and only readable by others: the owner is told */
		refused("/etc/passwd", "owned by uid 0, not by");
		return;
	}
	tmp_open(&t);
	tu_put(t.path, "zoe:rw::" V1 "\n", 0, 0600);
	CU_ASSERT_EQUAL_FATAL(chown(t.path, 65534, 65534), 0);
	refused(t.path, "owned by uid 65534, not by uid 0");
	tmp_close(&t);
}

static void
test_users_malformed(void)
{
	static const struct {
		const char	*line;
		const char	*why;
	} t[] = {
		{ "zoe", "expected name:rights:home:verifier" },
		{ "zoe:rw:" V1, "verifier does not start" },
		{ "zoe:rw::", "verifier does not start" },
		{ ":rw::" V1, "empty name" },
		{ "zoe:rx::" V1, "rights are neither" },
		{ "zoe:RW::" V1, "rights are neither" },
		{ "zoe::::" V1, "rights are neither" },
		{ "zoe:rw:../x:" V1, "component '..'" },
		{ "zoe:rw:/abs:" V1, "home starts with '/'" },
		{ "zoe:rw:a//b:" V1, "empty component" },
		{ "zoe:rw:a/:" V1, "empty component" },
		{ "zoe:rw:.tfs-x:" V1, "reserved" },
		{ "zo\te:rw::" V1, "control byte in line" },
		{ "zoe:rw::" V1 "\r", "control byte in line" },
		{ "zoe:rw::SCRAM-SHA-1$4096:" "dGZzLWFsaWNlLXNhbHQxNg==$"
		    KEY ":" KEY, "verifier does not start" },
		{ "zoe:rw::SCRAM-SHA-256$4096:c2FsdA==" KEY ":" KEY,
		    "verifier is not" },
		{ "zoe:rw::SCRAM-SHA-256$4095:dGZzLWFsaWNlLXNhbHQxNg==$"
		    KEY ":" KEY, "iteration count" },
		{ "zoe:rw::SCRAM-SHA-256$+4096:dGZzLWFsaWNlLXNhbHQxNg==$"
		    KEY ":" KEY, "iteration count" },
		{ "zoe:rw::SCRAM-SHA-256$ 4096:dGZzLWFsaWNlLXNhbHQxNg==$"
		    KEY ":" KEY, "iteration count" },
		{ "zoe:rw::SCRAM-SHA-256$1000001:dGZzLWFsaWNlLXNhbHQxNg==$"
		    KEY ":" KEY, "iteration count" },
		{ "zoe:rw::SCRAM-SHA-256$4096:c2FsdA==$" KEY ":" KEY,
		    "salt is not" },
		{ "zoe:rw::SCRAM-SHA-256$4096:!!!!!!!!!!!!$" KEY ":" KEY,
		    "salt is not" },
		{ "zoe:rw::SCRAM-SHA-256$4096:$" KEY ":" KEY, "salt is not" },
		{ "zoe:rw::SCRAM-SHA-256$4096:dGZzLWFsaWNlLXNhbHQxNg==$"
		    "AAAA:" KEY, "a key is not" },
		{ "zoe:rw::SCRAM-SHA-256$4096:dGZzLWFsaWNlLXNhbHQxNg==$"
		    KEY ":" KEY "A", "a key is not" },
		{ "zoe:rw::SCRAM-SHA-256$4096:dGZzLWFsaWNlLXNhbHQxNg==$"
		    KEY ":", "a key is not" },
		{ "zoe:rw::SCRAM-SHA-256$4096:dGZzLWFsaWNlLXNhbHQxNg==$"
		    KEY ":" KEY ":x", "a key is not" },
	};
	struct tmp	 tt;
	char		 text[1024], err[512], want[128];
	size_t		 i;

	tmp_open(&tt);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		/* line 3, after a good line and a comment */
		(void)snprintf(text, sizeof(text), "al:ro::%s\n#\n%s\n", V1,
		    t[i].line);
		tu_put(tt.path, text, 0, 0600);
		CU_ASSERT_EQUAL(load_err(tt.path, err, sizeof(err)), -1);
		(void)snprintf(want, sizeof(want), "%s:3: ", tt.path);
		CU_ASSERT_NSTRING_EQUAL(err, want, strlen(want));
		if (strstr(err, t[i].why) == NULL) {
			fprintf(stderr, "\n%s: got %s\n", t[i].line, err);
		}
		CU_ASSERT_PTR_NOT_NULL(strstr(err, t[i].why));
	}
	/* a NUL byte in a line */
	(void)unlink(tt.path);
	CU_ASSERT_EQUAL(load_err(tt.path, err, sizeof(err)), -1);
	tu_put(tt.path, "zo\0e:rw::x\n", 11, 0600);
	refused(tt.path, ":1: control byte");
	tmp_close(&tt);
}

static void
test_users_duplicate(void)
{
	struct tmp	 t;
	char		 err[512], want[256];

	tmp_open(&t);
	tu_put(t.path, "zoe:rw::" V1 "\nal:ro::" V1 "\n\nzoe:ro:x:" V1 "\n",
	    0, 0600);
	CU_ASSERT_EQUAL(load_err(t.path, err, sizeof(err)), -1);
	(void)snprintf(want, sizeof(want), "%s:4: user zoe already on line 1",
	    t.path);
	CU_ASSERT_STRING_EQUAL(err, want);
	/* names differ by case: two users */
	tu_put(t.path, "zoe:rw::" V1 "\nZoe:ro::" V1 "\n", 0, 0600);
	CU_ASSERT_EQUAL(load_err(t.path, err, sizeof(err)), 0);
	tmp_close(&t);
}

/* A huge file, a huge line, too many users: refused, not swallowed. */
static void
test_users_bounds(void)
{
	struct tmp	 t;
	char		 err[512], *text, *p;
	size_t		 i, sz;
	int		 fd;

	tmp_open(&t);
	sz = (size_t)(USERS_MAX + 1) * (sizeof(V1) + 16) + 1;
	text = malloc(sz);
	CU_ASSERT_FATAL(text != NULL);
	for (i = 0, p = text; i < USERS_MAX + 1; i++) {
		p += snprintf(p, sz - (size_t)(p - text), "u%zu:rw::%s\n", i,
		    V1);
	}
	tu_put(t.path, text, 0, 0600);
	refused(t.path, ":10001: more than 10000 users");
	/* exactly the bound is fine */
	*strstr(text, "u10000:") = '\0';
	tu_put(t.path, text, 0, 0600);
	CU_ASSERT_EQUAL(load_err(t.path, err, sizeof(err)), 0);
	free(text);

	text = malloc(USERS_LINE_MAX + 2);
	CU_ASSERT_FATAL(text != NULL);
	memset(text, 'x', USERS_LINE_MAX + 1);
	text[USERS_LINE_MAX + 1] = '\0';
	tu_put(t.path, text, 0, 0600);
	refused(t.path, ":1: line longer than 4608");
	free(text);

	/* sparse: nothing is read past the size check */
	tu_put(t.path, "", 0, 0600);
	fd = open(t.path, O_WRONLY);
	CU_ASSERT_FATAL(fd != -1 && ftruncate(fd, USERS_FILE_MAX + 1) == 0);
	(void)close(fd);
	refused(t.path, "larger than");
	tmp_close(&t);
}

static void
test_users_names(void)
{
	static const char	*bad_names[] = { "", "a:b", "a\nb", "a\x7f",
				    "\xc2\xad", "\xef\xbc\xa1",
				    "a\xc2\xa0" "b", "\xff" };
	static const char	*good_names[] = { "a", "Zoe", "a b", "a,b=c",
				    "\xc3\xa9t\xc3\xa9", "user@example.org" };
	static const char	*bad_homes[] = { "/", "/a", "a/", "..",
				    "a/../b", "a:b", ".tfs-x", "a\tb", "." };
	static const char	*good_homes[] = { "", "a", "a/b", ".hidden",
				    "r\xc3\xa9sum\xc3\xa9" };
	char			 long_name[USERS_NAME_MAX + 2];
	size_t			 i;

	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		CU_ASSERT_PTR_NOT_NULL(users_check_name(bad_names[i]));
	}
	for (i = 0; i < sizeof(good_names) / sizeof(good_names[0]); i++) {
		CU_ASSERT_PTR_NULL(users_check_name(good_names[i]));
	}
	for (i = 0; i < sizeof(bad_homes) / sizeof(bad_homes[0]); i++) {
		CU_ASSERT_PTR_NOT_NULL(users_check_home(bad_homes[i]));
	}
	for (i = 0; i < sizeof(good_homes) / sizeof(good_homes[0]); i++) {
		CU_ASSERT_PTR_NULL(users_check_home(good_homes[i]));
	}
	memset(long_name, 'n', sizeof(long_name));
	long_name[USERS_NAME_MAX] = '\0';
	CU_ASSERT_PTR_NULL(users_check_name(long_name));
	long_name[USERS_NAME_MAX] = 'n';
	long_name[USERS_NAME_MAX + 1] = '\0';
	CU_ASSERT_PTR_NOT_NULL(users_check_name(long_name));
	CU_ASSERT_EQUAL(users_rights_parse("ro"), TFS_RIGHT_READ);
	CU_ASSERT_EQUAL(users_rights_parse("rw"),
	    TFS_RIGHT_READ | TFS_RIGHT_WRITE);
	CU_ASSERT_EQUAL(users_rights_parse("wr"), -1);
	CU_ASSERT_EQUAL(users_rights_parse(""), -1);
	CU_ASSERT_STRING_EQUAL(users_rights_name(TFS_RIGHT_READ), "ro");
}

static void
test_users_verifier(void)
{
	char	 v1[USERS_VERIFIER_MAX + 1], v2[USERS_VERIFIER_MAX + 1];
	char	 err[256], small[32];

	CU_ASSERT_EQUAL_FATAL(users_verifier("pw", USERS_ITER_DEFAULT, v1,
	    sizeof(v1), err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(users_verifier("pw", USERS_ITER_DEFAULT, v2,
	    sizeof(v2), err, sizeof(err)), 0);
	CU_ASSERT_NSTRING_EQUAL(v1, "SCRAM-SHA-256$4096:", 19);
	/* 16 random bytes of salt: base64 of 24, then two keys of 44 */
	CU_ASSERT_EQUAL(strlen(v1), 19 + 24 + 1 + 44 + 1 + 44);
	CU_ASSERT_STRING_NOT_EQUAL(v1, v2);
	CU_ASSERT_EQUAL(users_verifier("pw", 4096, small, sizeof(small), err,
	    sizeof(err)), -1);
	/* SASLprep prohibits control characters in a password */
	CU_ASSERT_EQUAL(users_verifier("p\x01w", 4096, v1, sizeof(v1), err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "SASLprep"));
}

static void
test_users_set(void)
{
	struct tmp		 t;
	struct users		*u;
	const struct user	*a;
	struct stat		 st;
	char			 err[512], *text, key[USERS_KEY_B64 + 1];

	tmp_open(&t);
	/* a new file, 0600 whatever the umask */
	CU_ASSERT_EQUAL_FATAL(users_set(t.path, "zoe", "pw", -1, NULL, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(stat(t.path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	u = users_load(t.path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	a = users_find(u, "zoe");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->rights, TFS_RIGHT_READ | TFS_RIGHT_WRITE);
	CU_ASSERT_STRING_EQUAL(a->home, "");
	(void)strlcpy(key, a->storedkey, sizeof(key));
	users_free(u);

	/* rights and home given, then kept; a new password each time */
	CU_ASSERT_EQUAL(users_set(t.path, "zoe", "pw", TFS_RIGHT_READ, "z",
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(users_set(t.path, "al", "pw2", -1, "a/b", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(users_set(t.path, "zoe", "new", -1, NULL, err,
	    sizeof(err)), 0);
	u = users_load(t.path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	CU_ASSERT_EQUAL(users_count(u), 2);
	a = users_find(u, "zoe");
	CU_ASSERT_EQUAL(a->rights, TFS_RIGHT_READ);
	CU_ASSERT_STRING_EQUAL(a->home, "z");
	CU_ASSERT_STRING_NOT_EQUAL(a->storedkey, key);
	CU_ASSERT_EQUAL(a->line, 1);	/* changed in place */
	CU_ASSERT_STRING_EQUAL(users_find(u, "al")->home, "a/b");
	CU_ASSERT_EQUAL(users_find(u, "al")->rights,
	    TFS_RIGHT_READ | TFS_RIGHT_WRITE);
	users_free(u);

	/* comments, blank lines and the order of other lines are kept */
	tu_put(t.path, "# header\nal:ro::" V1 "\n\n# zoe next\nzoe:rw:q:" V1
	    "\n# end", 0, 0600);
	CU_ASSERT_EQUAL(users_set(t.path, "zoe", "pw", -1, "", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(users_set(t.path, "new", "pw", -1, NULL, err,
	    sizeof(err)), 0);
	text = slurp(t.path);
	CU_ASSERT_NSTRING_EQUAL(text, "# header\nal:ro::" V1 "\n\n"
	    "# zoe next\nzoe:rw::SCRAM-SHA-256$4096:",
	    strlen("# header\nal:ro::" V1 "\n\n# zoe next\nzoe:rw::"
	    "SCRAM-SHA-256$4096:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n# end\nnew:rw::SCRAM-"));
	CU_ASSERT_EQUAL(text[strlen(text) - 1], '\n');
	free(text);
	CU_ASSERT_EQUAL(stat(t.path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	tmp_close(&t);	/* and no temporary file left: rmdir succeeds */
}

static void
test_users_del(void)
{
	struct tmp	 t;
	char		 err[512], *text;

	tmp_open(&t);
	tu_put(t.path, "# x\nal:ro::" V1 "\nzoe:rw::" V1 "\nbo:rw::" V1, 0,
	    0600);
	CU_ASSERT_EQUAL(users_del(t.path, "zoe", err, sizeof(err)), 0);
	text = slurp(t.path);
	CU_ASSERT_STRING_EQUAL(text, "# x\nal:ro::" V1 "\nbo:rw::" V1);
	free(text);
	CU_ASSERT_EQUAL(users_del(t.path, "zoe", err, sizeof(err)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no user zoe"));
	CU_ASSERT_EQUAL(users_del(t.path, "b", err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(users_del(t.path, "bo", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(users_del(t.path, "al", err, sizeof(err)), 0);
	text = slurp(t.path);
	CU_ASSERT_STRING_EQUAL(text, "# x\n");
	free(text);
	(void)unlink(t.path);
	CU_ASSERT_EQUAL(users_del(t.path, "al", err, sizeof(err)), 1);
	tmp_close(&t);
}

/* What set and delete refuse; the file stays as it was. */
static void
test_users_set_refused(void)
{
	struct tmp	 t;
	char		 err[512], link[128], *text;

	tmp_open(&t);
	CU_ASSERT_EQUAL(users_set(t.path, "a:b", "pw", -1, NULL, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(users_set(t.path, "a", "pw", -1, "../x", err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(users_set(t.path, "a", "pw", 4, NULL, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(users_set(t.path, "a", "", -1, NULL, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(access(t.path, F_OK), -1);
	/* a file the server would refuse is not rewritten */
	tu_put(t.path, "al:ro::" V1 "\n", 0, 0644);
	CU_ASSERT_EQUAL(users_set(t.path, "a", "pw", -1, NULL, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "mode 0644"));
	CU_ASSERT_EQUAL(users_del(t.path, "al", err, sizeof(err)), -1);
	tu_put(t.path, "al:ro::" V1 "\nbroken\n", 0, 0600);
	CU_ASSERT_EQUAL(users_set(t.path, "a", "pw", -1, NULL, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":2: expected"));
	text = slurp(t.path);
	CU_ASSERT_STRING_EQUAL(text, "al:ro::" V1 "\nbroken\n");
	free(text);
	/* a link would be replaced by a file, not followed */
	(void)snprintf(link, sizeof(link), "%s/link", t.dir);
	CU_ASSERT_EQUAL_FATAL(symlink("users", link), 0);
	CU_ASSERT_EQUAL(users_set(link, "a", "pw", -1, NULL, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "symbolic link"));
	tmp_close(&t);
}

static void
test_users_admin(void)
{
	struct tmp	 t;
	struct users	*u;
	char		 err[512], *out = NULL;
	size_t		 outlen = 0;
	FILE		*f;
	int		 fd, q;

	tmp_open(&t);
	fd = stdin_fd("first pw\nnot read\n");
	CU_ASSERT_EQUAL(admin_set_user(t.path, "zoe", NULL, NULL, fd), 0);
	(void)close(fd);
	fd = stdin_fd("p\r\n");
	CU_ASSERT_EQUAL(admin_set_user(t.path, "al", "ro", "/pub/al", fd), 0);
	(void)close(fd);
	u = users_load(t.path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	CU_ASSERT_STRING_EQUAL(users_find(u, "al")->home, "pub/al");
	users_free(u);

	f = open_memstream(&out, &outlen);
	CU_ASSERT_EQUAL(admin_list_users(t.path, f), 0);
	(void)fclose(f);
	CU_ASSERT_STRING_EQUAL(out, "zoe\trw\t/\nal\tro\t/pub/al\n");
	free(out);

	q = quiet_begin();
	fd = stdin_fd("");			/* no password */
	CU_ASSERT_EQUAL(admin_set_user(t.path, "bo", NULL, NULL, fd), 1);
	(void)close(fd);
	fd = stdin_fd("\nsecond line\n");	/* an empty one */
	CU_ASSERT_EQUAL(admin_set_user(t.path, "bo", NULL, NULL, fd), 1);
	(void)close(fd);
	fd = stdin_fd("pw\n");
	CU_ASSERT_EQUAL(admin_set_user(t.path, "bo", "rx", NULL, fd), 2);
	CU_ASSERT_EQUAL(admin_set_user(t.path, "b:o", NULL, NULL, fd), 2);
	CU_ASSERT_EQUAL(admin_set_user(t.path, "bo", NULL, "a/../..", fd), 2);
	(void)close(fd);
	CU_ASSERT_EQUAL(admin_del_user(t.path, "bo"), 1);
	CU_ASSERT_EQUAL(admin_list_users(t.dir, stdout), 1);
	quiet_end(q);

	CU_ASSERT_EQUAL(admin_del_user(t.path, "zoe"), 0);
	f = open_memstream(&out, &outlen);
	CU_ASSERT_EQUAL(admin_list_users(t.path, f), 0);
	(void)fclose(f);
	CU_ASSERT_STRING_EQUAL(out, "al\tro\t/pub/al\n");
	CU_ASSERT_PTR_NULL(strstr(out, "SCRAM"));
	free(out);
	tmp_close(&t);
}

CU_TestInfo tests_users[] = {
	TEST(test_users_load),
	TEST(test_users_mode),
	TEST(test_users_owner),
	TEST(test_users_malformed),
	TEST(test_users_duplicate),
	TEST(test_users_bounds),
	TEST(test_users_names),
	TEST(test_users_verifier),
	TEST(test_users_set),
	TEST(test_users_del),
	TEST(test_users_set_refused),
	TEST(test_users_admin),
	CU_TEST_INFO_NULL,
};
