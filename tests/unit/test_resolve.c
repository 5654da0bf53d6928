/*
 * test_resolve.c -- resolve.c in a temporary tree, every case run twice:
 * through openat2() and through the walk of one O_NOFOLLOW openat() per
 * component that stands in for it (resolve_select()).  Links that lead
 * out (absolute, relative, to the root's parent, a chain leaving and
 * coming back, a sibling whose name starts with the root's), ".." in
 * paths and links, links inside (relative and absolute) followed, paths
 * through a file, a fifo never opened for reading, dangling links and
 * loops; the TFS/1 error of each errno; and proof that the selection
 * really walks (openat2 made to fail under seccomp in a child).
 */

#include <sys/types.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "resolve.h"
#include "suites.h"
#include "testutil.h"

/* Which resolve_* a case calls. */
enum rt_fn {
	RT_NODE,
	RT_FILE,
	RT_DIR,
	RT_PARENT,
};

/*
 * One lookup: on success the descriptor must be the inode of same (a
 * name below the temporary folder, not followed if a link), and for
 * RT_PARENT the name must point at the path's last component.  Else
 * errno is err.
 */
struct rt_case {
	enum rt_fn	 fn;
	const char	*path;
	int		 err;
	const char	*same;
};

/* The tree under a temporary folder: "%R" is the root's path. */
struct rt_link {
	const char	*name;
	const char	*target;
};

static char		 rt_top[256];		/* the temporary folder */
static char		 rt_rootpath[300];	/* rt_top/root */
static int		 rt_top_fd = -1;
static struct root	 rt_root = { -1, NULL };

/* The plain files of the tree, each holding its own name. */
static const char	*rt_files[] = {
	"root/a", "root/d/b", "outside/secret", "rootx/f",
};

static const struct rt_link rt_links[] = {
	/* inside: followed */
	{ "root/rel",		"d/b" },
	{ "root/dlink",		"d" },
	{ "root/d/up",		"../a" },
	{ "root/dotdotin",	"d/.." },
	{ "root/absin",		"%R/d/b" },
	{ "root/absroot",	"%R" },
	{ "root/absdir",	"%R/d/" },
	{ "root/absdots",	"%R/d/../a" },
	{ "root/hop1",		"hop2" },
	{ "root/hop2",		"absin" },
	{ "root/fifolink",	"fifo" },
	/* out: refused */
	{ "root/etc",		"/etc" },
	{ "root/up2",		"../.." },
	{ "root/parent",	".." },
	{ "root/out",		"../outside" },
	{ "root/outsecret",	"%R/../outside/secret" },
	{ "root/d/esc",		"../../outside/secret" },
	{ "root/chain",		"../outside/back" },
	{ "outside/back",	"%R/a" },
	{ "root/reenter",	"../root/a" },
	{ "root/rootx",		"%Rx/f" },
	/* nowhere */
	{ "root/dangling",	"nowhere" },
	{ "root/loop",		"loop" },
	{ "root/loopa",		"loopb" },
	{ "root/loopb",		"loopa" },
};

static const struct rt_case rt_cases[] = {
	/* plain names */
	{ RT_NODE,	"",		0,		"root" },
	{ RT_DIR,	"",		0,		"root" },
	{ RT_FILE,	"a",		0,		"root/a" },
	{ RT_DIR,	"d/sub",	0,		"root/d/sub" },
	{ RT_FILE,	"nope",		ENOENT,		NULL },
	/* links that stay inside */
	{ RT_FILE,	"rel",		0,		"root/d/b" },
	{ RT_DIR,	"dlink",	0,		"root/d" },
	{ RT_FILE,	"dlink/b",	0,		"root/d/b" },
	{ RT_FILE,	"d/up",		0,		"root/a" },
	{ RT_DIR,	"dotdotin",	0,		"root" },
	{ RT_FILE,	"hop1",		0,		"root/d/b" },
	/* absolute links into the root */
	{ RT_FILE,	"absin",	0,		"root/d/b" },
	{ RT_DIR,	"absroot",	0,		"root" },
	{ RT_FILE,	"absroot/d/b",	0,		"root/d/b" },
	{ RT_DIR,	"absdir",	0,		"root/d" },
	{ RT_FILE,	"absdir/up",	0,		"root/a" },
	{ RT_FILE,	"absdots",	0,		"root/a" },
	/* links out */
	{ RT_NODE,	"etc",		EXDEV,		NULL },
	{ RT_FILE,	"etc/passwd",	EXDEV,		NULL },
	{ RT_NODE,	"up2",		EXDEV,		NULL },
	{ RT_NODE,	"parent",	EXDEV,		NULL },
	{ RT_DIR,	"parent",	EXDEV,		NULL },
	{ RT_NODE,	"out",		EXDEV,		NULL },
	{ RT_FILE,	"out/secret",	EXDEV,		NULL },
	{ RT_FILE,	"outsecret",	EXDEV,		NULL },
	{ RT_FILE,	"d/esc",	EXDEV,		NULL },
	{ RT_FILE,	"chain",	EXDEV,		NULL },
	{ RT_FILE,	"reenter",	EXDEV,		NULL },
	{ RT_FILE,	"rootx",	EXDEV,		NULL },
	{ RT_PARENT,	"out/x",	EXDEV,		NULL },
	/* ".." in the path itself (path_check refuses it before) */
	{ RT_FILE,	"d/../a",	0,		"root/a" },
	{ RT_NODE,	"..",		EXDEV,		NULL },
	{ RT_NODE,	"../root/a",	EXDEV,		NULL },
	{ RT_NODE,	"d/../../root",	EXDEV,		NULL },
	{ RT_NODE,	"nothere/../a",	ENOENT,		NULL },
	{ RT_NODE,	"a/../a",	ENOTDIR,	NULL },
	/* through a file, or the wrong kind */
	{ RT_NODE,	"a/x",		ENOTDIR,	NULL },
	{ RT_FILE,	"a/x",		ENOTDIR,	NULL },
	{ RT_PARENT,	"a/x",		ENOTDIR,	NULL },
	{ RT_PARENT,	"fifo/x",	ENOTDIR,	NULL },
	{ RT_NODE,	"fifo/x",	ENOTDIR,	NULL },
	{ RT_DIR,	"a",		ENOTDIR,	NULL },
	{ RT_FILE,	"d",		EISDIR,		NULL },
	{ RT_FILE,	"dlink",	EISDIR,		NULL },
	/* special files: looked at, never opened for reading */
	{ RT_NODE,	"fifo",		0,		"root/fifo" },
	{ RT_FILE,	"fifo",		RESOLVE_ESPECIAL, NULL },
	{ RT_FILE,	"fifolink",	RESOLVE_ESPECIAL, NULL },
	{ RT_DIR,	"fifo",		RESOLVE_ESPECIAL, NULL },
	/* dangling links and loops */
	{ RT_NODE,	"dangling",	ENOENT,		NULL },
	{ RT_FILE,	"dangling",	ENOENT,		NULL },
	{ RT_NODE,	"loop",		ELOOP,		NULL },
	{ RT_NODE,	"loopa",	ELOOP,		NULL },
	{ RT_FILE,	"loopa/x",	ELOOP,		NULL },
	/* the folder of a last component, which need not exist */
	{ RT_PARENT,	"a",		0,		"root" },
	{ RT_PARENT,	"dangling",	0,		"root" },
	{ RT_PARENT,	"d/new",	0,		"root/d" },
	{ RT_PARENT,	"dlink/new",	0,		"root/d" },
	{ RT_PARENT,	"absdir/new",	0,		"root/d" },
	{ RT_PARENT,	"nope/x",	ENOENT,		NULL },
};

#define RT_NCASES	(sizeof(rt_cases) / sizeof(rt_cases[0]))
#define RT_NLINKS	(sizeof(rt_links) / sizeof(rt_links[0]))

static int	rt_setup(void);
static void	rt_teardown(void);
static const char *rt_last(const char *);
static int	rt_call(const struct root *, const struct rt_case *,
		    const char **, struct stat *);
static void	rt_check(const struct root *, const struct rt_case *,
		    enum resolve_by);
static void	rt_run(enum resolve_by);
static int	rt_watch(const char *);
static int	rt_opened(int, const char *);
static void	rt_no_openat2(int);
static int	rt_child_finds(enum resolve_by, int);

static void	test_resolve_openat2(void);
static void	test_resolve_walk(void);
static void	test_resolve_slash_root(void);
static void	test_resolve_fifo_not_opened(void);
static void	test_resolve_select(void);
static void	test_resolve_err(void);

/*
 * Lay the tree: root/ with a, d/b, d/sub/, a fifo and the links above;
 * outside/secret and rootx/f beside it.  0, or -1.
 */
static int
rt_setup(void)
{
	char		 target[PATH_MAX];
	const char	*t;
	size_t		 i;
	int		 fd;

	if (tu_temp_dir(rt_top, sizeof(rt_top)) == -1 ||
	    (rt_top_fd = open(rt_top, O_PATH | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		return -1;
	}
	(void)snprintf(rt_rootpath, sizeof(rt_rootpath), "%s/root", rt_top);
	if (mkdirat(rt_top_fd, "root", 0755) == -1 ||
	    mkdirat(rt_top_fd, "root/d", 0755) == -1 ||
	    mkdirat(rt_top_fd, "root/d/sub", 0755) == -1 ||
	    mkdirat(rt_top_fd, "outside", 0755) == -1 ||
	    mkdirat(rt_top_fd, "rootx", 0755) == -1 ||
	    mkfifoat(rt_top_fd, "root/fifo", 0644) == -1) {
		return -1;
	}
	for (i = 0; i < sizeof(rt_files) / sizeof(rt_files[0]); i++) {
		t = rt_files[i];
		fd = openat(rt_top_fd, t, O_WRONLY | O_CREAT | O_CLOEXEC,
		    0644);
		if (fd == -1 || write(fd, t, strlen(t)) == -1) {
			return -1;
		}
		close(fd);
	}
	for (i = 0; i < RT_NLINKS; i++) {
		t = rt_links[i].target;
		if (strncmp(t, "%R", 2) == 0) {
			(void)snprintf(target, sizeof(target), "%s%s",
			    rt_rootpath, t + 2);
			t = target;
		}
		if (symlinkat(t, rt_top_fd, rt_links[i].name) == -1) {
			return -1;
		}
	}
	rt_root.fd = open(rt_rootpath, O_PATH | O_DIRECTORY | O_CLOEXEC);
	rt_root.path = rt_rootpath;
	return rt_root.fd == -1 ? -1 : 0;
}

static void
rt_teardown(void)
{
	resolve_select(RESOLVE_BY_OPENAT2);
	if (rt_root.fd != -1) {
		close(rt_root.fd);
		rt_root.fd = -1;
	}
	tu_temp_dir_end(rt_top, &rt_top_fd);
}

/* Where the last component of path begins. */
static const char *
rt_last(const char *path)
{
	const char	*slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Run the lookup of c; the descriptor's stat goes in *st.  0 or -1. */
static int
rt_call(const struct root *root, const struct rt_case *c,
    const char **name, struct stat *st)
{
	int	 fd = -1, saved;

	*name = NULL;
	switch (c->fn) {
	case RT_NODE:
		fd = resolve_node(root, c->path, st);
		break;
	case RT_FILE:
		fd = resolve_file(root, c->path, st);
		break;
	case RT_DIR:
		fd = resolve_dir(root, c->path);
		break;
	case RT_PARENT:
		fd = resolve_parent(root, c->path, name);
		break;
	}
	if (fd == -1) {
		return -1;
	}
	saved = fstat(fd, st);
	close(fd);
	return saved;
}

/* One case against the tree; failures name the case and the mode. */
static void
rt_check(const struct root *root, const struct rt_case *c,
    enum resolve_by how)
{
	struct stat	 st, want;
	const char	*name;
	int		 rc, ok;

	errno = 0;
	rc = rt_call(root, c, &name, &st);
	if (c->err != 0) {
		ok = rc == -1 && errno == c->err;
	} else {
		ok = rc == 0 && fstatat(rt_top_fd, c->same, &want,
		    AT_SYMLINK_NOFOLLOW) == 0 && resolve_same(&st, &want) &&
		    (c->fn != RT_PARENT || name == rt_last(c->path));
	}
	if (!ok) {
		fprintf(stderr, "\n  %s: fn %d \"%s\": rc %d errno %d (%s), "
		    "want %d ", how == RESOLVE_BY_WALK ? "walk" : "openat2",
		    c->fn, c->path, rc, errno, strerror(errno), c->err);
	}
	CU_ASSERT(ok);
}

/*
 * Every case of the table, walking how; and nothing outside the root
 * was opened meanwhile (the links out lead there).
 */
static void
rt_run(enum resolve_by how)
{
	char	 path[sizeof(rt_top) + 16];
	size_t	 i;
	int	 in;

	CU_ASSERT_FATAL(rt_setup() == 0);
	(void)snprintf(path, sizeof(path), "%s/outside", rt_top);
	in = rt_watch(path);
	CU_ASSERT_FATAL(in != -1);
	resolve_select(how);
	for (i = 0; i < RT_NCASES; i++) {
		rt_check(&rt_root, &rt_cases[i], how);
	}
	CU_ASSERT(!rt_opened(in, NULL));
	close(in);
	rt_teardown();
}

static void
test_resolve_openat2(void)
{
	rt_run(RESOLVE_BY_OPENAT2);
}

static void
test_resolve_walk(void)
{
	rt_run(RESOLVE_BY_WALK);
}

/*
 * A root of "/" holds every absolute link: the same tree seen from
 * there follows absin and absroot, and ".." above "/" still fails.
 */
static void
test_resolve_slash_root(void)
{
	static const enum resolve_by	 hows[] = {
		RESOLVE_BY_OPENAT2, RESOLVE_BY_WALK
	};
	struct root	 slash;
	struct rt_case	 c;
	char		 path[3][sizeof(rt_rootpath) + 16];
	size_t		 i, k;

	CU_ASSERT_FATAL(rt_setup() == 0);
	slash.fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	slash.path = "/";
	CU_ASSERT_FATAL(slash.fd != -1);
	/* the same names, from "/" (without the leading slash) */
	(void)snprintf(path[0], sizeof(path[0]), "%s/absin",
	    rt_rootpath + 1);
	(void)snprintf(path[1], sizeof(path[1]), "%s/absroot/d/b",
	    rt_rootpath + 1);
	(void)snprintf(path[2], sizeof(path[2]), "%s/chain",
	    rt_rootpath + 1);
	for (k = 0; k < 2; k++) {
		resolve_select(hows[k]);
		for (i = 0; i < 3; i++) {
			memset(&c, 0, sizeof(c));
			c.fn = RT_FILE;
			c.path = path[i];
			c.same = i == 2 ? "root/a" : "root/d/b";
			rt_check(&slash, &c, hows[k]);
		}
		c.fn = RT_NODE;
		c.path = "..";
		c.err = EXDEV;
		rt_check(&slash, &c, hows[k]);
	}
	close(slash.fd);
	rt_teardown();
}

/* An inotify descriptor watching folder path for opens.  -1 on error. */
static int
rt_watch(const char *path)
{
	int	 in;

	if ((in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		return -1;
	}
	if (inotify_add_watch(in, path, IN_OPEN) == -1) {
		close(in);
		return -1;
	}
	return in;
}

/*
 * 1 when watch in saw an open of name (NULL: of anything in the
 * folder, the folder itself left out).
 */
static int
rt_opened(int in, const char *name)
{
	char				 buf[8192]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*ev;
	ssize_t				 n;
	char				*p;
	int				 seen = 0;

	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			if (ev->len == 0) {
				continue;
			}
			if (name == NULL || strcmp(ev->name, name) == 0) {
				seen = 1;
			}
		}
	}
	return seen;
}

/*
 * A fifo (directly, through a link, or as a folder on the way) is only
 * ever looked at with O_PATH, which inotify does not report; the
 * watch itself is checked on a plain file first.
 */
static void
test_resolve_fifo_not_opened(void)
{
	static const enum resolve_by	 hows[] = {
		RESOLVE_BY_OPENAT2, RESOLVE_BY_WALK
	};
	static const char		*paths[] = {
		"fifo", "fifolink", "fifo/x"
	};
	struct stat	 st;
	size_t		 i, k;
	int		 in, fd;

	CU_ASSERT_FATAL(rt_setup() == 0);
	in = rt_watch(rt_rootpath);
	CU_ASSERT_FATAL(in != -1);
	fd = resolve_file(&rt_root, "a", &st);
	CU_ASSERT(fd != -1);
	close(fd);
	CU_ASSERT(rt_opened(in, "a"));
	for (k = 0; k < 2; k++) {
		resolve_select(hows[k]);
		for (i = 0; i < 3; i++) {
			CU_ASSERT(resolve_file(&rt_root, paths[i], &st) == -1);
			CU_ASSERT(resolve_dir(&rt_root, paths[i]) == -1);
			fd = resolve_node(&rt_root, paths[i], &st);
			if (fd != -1) {
				close(fd);
			}
		}
	}
	CU_ASSERT(!rt_opened(in, "fifo"));
	close(in);
	rt_teardown();
}

/*
 * From now on openat2() fails with errnum in this process (a forked
 * child: a seccomp filter is for good).
 */
static void
rt_no_openat2(int errnum)
{
	struct sock_filter	 filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO |
		    ((uint32_t)errnum & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog	 prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1) {
		_exit(9);
	}
}

/*
 * In a child where openat2 fails with errnum, resolve "rel" walking
 * how: exit status 0 found root/d/b, 1 failed with errnum, 2 other.
 */
static int
rt_child_finds(enum resolve_by how, int errnum)
{
	struct stat	 st, want;
	pid_t		 pid;
	int		 fd;

	if ((pid = fork()) == -1) {
		return -1;
	}
	if (pid == 0) {
		rt_no_openat2(errnum);
		resolve_select(how);
		fd = resolve_file(&rt_root, "rel", &st);
		if (fd == -1) {
			_exit(errno == errnum ? 1 : 2);
		}
		_exit(fstatat(rt_top_fd, "root/d/b", &want,
		    AT_SYMLINK_NOFOLLOW) == 0 && resolve_same(&st, &want) ?
		    0 : 2);
	}
	return tu_wait(pid);
}

/*
 * The walk needs no openat2 at all; the default uses it (a refusal
 * shows), and takes the walk on its own when the kernel has none.
 */
static void
test_resolve_select(void)
{
	CU_ASSERT_FATAL(rt_setup() == 0);
	CU_ASSERT_EQUAL(rt_child_finds(RESOLVE_BY_WALK, EPERM), 0);
	CU_ASSERT_EQUAL(rt_child_finds(RESOLVE_BY_OPENAT2, EPERM), 1);
	CU_ASSERT_EQUAL(rt_child_finds(RESOLVE_BY_OPENAT2, ENOSYS), 0);
	rt_teardown();
}

static void
test_resolve_err(void)
{
	static const struct {
		int		 errnum;
		enum tfs_err	 code;
	} map[] = {
		{ EXDEV,		TFS_EDENIED },
		{ ELOOP,		TFS_EDENIED },
		{ EACCES,		TFS_EDENIED },
		{ EPERM,		TFS_EDENIED },
		{ EROFS,		TFS_EDENIED },
		{ RESOLVE_ESPECIAL,	TFS_ENOT_A_FILE },
		{ EISDIR,		TFS_ENOT_A_FILE },
		{ ENOTDIR,		TFS_ENOT_A_DIR },
		{ ENOENT,		TFS_ENOT_FOUND },
		{ EEXIST,		TFS_EEXISTS },
		{ ENOTEMPTY,		TFS_ENOT_EMPTY },
		{ ENOSPC,		TFS_ENO_SPACE },
		{ EDQUOT,		TFS_ENO_SPACE },
		{ EFBIG,		TFS_ETOO_LARGE },
		{ ENAMETOOLONG,		TFS_EBAD_PATH },
		{ EAGAIN,		TFS_EIO },
		{ EIO,			TFS_EIO },
		{ EBADF,		TFS_EIO },
	};
	size_t	 i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (resolve_err(map[i].errnum) != map[i].code) {
			fprintf(stderr, "\n  errno %d: %d, want %d ",
			    map[i].errnum, resolve_err(map[i].errnum),
			    map[i].code);
		}
		CU_ASSERT_EQUAL(resolve_err(map[i].errnum), map[i].code);
	}
}

CU_TestInfo tests_resolve[] = {
	TEST(test_resolve_openat2),
	TEST(test_resolve_walk),
	TEST(test_resolve_slash_root),
	TEST(test_resolve_fifo_not_opened),
	TEST(test_resolve_select),
	TEST(test_resolve_err),
	CU_TEST_INFO_NULL,
};
