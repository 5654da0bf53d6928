/*
 * test_partial.c -- unfinished uploads (partial.c) in a temporary
 * folder: the reserved names, a partial created and locked (BUSY for a
 * second upload), RESUME of the same announced size and a fresh start
 * for any other, commit with and without NOCLOBBER, discard, expiry of
 * old unlocked partials only, the hashed form of long names, and the
 * sweep of a whole tree with its stamp.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "partial.h"
#include "path.h"
#include "suites.h"
#include "testutil.h"

#define PT_XATTR	"user.tfs.size"
/* An age far past any max_age used here. */
#define PT_OLD		(2 * 86400)

static char	 pt_dir[256];
static int	 pt_dfd = -1;
static int	 pt_xattrs;	/* the file system keeps user xattrs */

static int	pt_setup(void);
static void	pt_teardown(void);
static void	pt_file(const char *, const char *, time_t);
static ssize_t	pt_content(const char *, char *, size_t);
static int	pt_exists(const char *);
static int	pt_write(int, const char *);
static int	pt_size_attr(int, char *, size_t);
static void	pt_kept(const char *, uint64_t, const char *);
static void	pt_fresh(int, const char *);
static int	pt_reopen(uint64_t, uint64_t *);

static void	test_partial_reserved(void);
static void	test_partial_create(void);
static void	test_partial_busy(void);
static void	test_partial_resume(void);
static void	test_partial_other_size(void);
static void	test_partial_commit(void);
static void	test_partial_noclobber(void);
static void	test_partial_discard(void);
static void	test_partial_expire(void);
static void	test_partial_long_name(void);
static void	test_partial_sweep(void);

/* What the partial held when partial_open() found it. */
static uint64_t	pt_had;

/* A fresh temporary folder in pt_dir, open as pt_dfd.  0 or -1. */
static int
pt_setup(void)
{
	int	 fd;

	if (tu_temp_dir(pt_dir, sizeof(pt_dir)) == -1 ||
	    (pt_dfd = open(pt_dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		return -1;
	}
	fd = openat(pt_dfd, "probe", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1) {
		return -1;
	}
	pt_xattrs = fsetxattr(fd, PT_XATTR, "1", 1, 0) == 0;
	close(fd);
	return unlinkat(pt_dfd, "probe", 0);
}

static void
pt_teardown(void)
{
	tu_temp_dir_end(pt_dir, &pt_dfd);
}

/* Create name holding text, last written age seconds ago. */
static void
pt_file(const char *name, const char *text, time_t age)
{
	struct timespec	 t[2];
	int		 fd;

	fd = openat(pt_dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_FATAL(pt_write(fd, text) == 0);
	close(fd);
	t[0].tv_sec = t[1].tv_sec = time(NULL) - age;
	t[0].tv_nsec = t[1].tv_nsec = 0;
	CU_ASSERT_FATAL(utimensat(pt_dfd, name, t, AT_SYMLINK_NOFOLLOW) == 0);
}

/* What name holds, NUL-terminated in buf.  Its length, or -1. */
static ssize_t
pt_content(const char *name, char *buf, size_t bufsz)
{
	ssize_t	 n;
	int	 fd;

	if ((fd = openat(pt_dfd, name, O_RDONLY | O_CLOEXEC)) == -1) {
		return -1;
	}
	n = read(fd, buf, bufsz - 1);
	close(fd);
	if (n >= 0) {
		buf[n] = '\0';
	}
	return n;
}

static int
pt_exists(const char *name)
{
	struct stat	 st;

	return fstatat(pt_dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int
pt_write(int fd, const char *text)
{
	size_t	 n = strlen(text);

	return write(fd, text, n) == (ssize_t)n ? 0 : -1;
}

/* The announced size the partial fd records, as text.  0 or -1. */
static int
pt_size_attr(int fd, char *buf, size_t bufsz)
{
	ssize_t	 n;

	if ((n = fgetxattr(fd, PT_XATTR, buf, bufsz - 1)) < 0) {
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/* An upload of name announced as size sent text, then broke off. */
static void
pt_kept(const char *name, uint64_t size, const char *text)
{
	uint64_t	 off;
	int		 fd;

	fd = partial_open(pt_dfd, name, size, 0, &off, &pt_had);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL(off, 0);
	CU_ASSERT(pt_write(fd, text) == 0);
	close(fd);
}

static void
test_partial_reserved(void)
{
	CU_ASSERT_EQUAL(partial_reserved(".tfs-part-a"), 1);
	CU_ASSERT_EQUAL(partial_reserved(".tfs-sweep"), 1);
	CU_ASSERT_EQUAL(partial_reserved(".tfs-"), 1);
	CU_ASSERT_EQUAL(partial_reserved(".tfs"), 0);
	CU_ASSERT_EQUAL(partial_reserved(".tfsx-a"), 0);
	CU_ASSERT_EQUAL(partial_reserved(".TFS-a"), 0);
	CU_ASSERT_EQUAL(partial_reserved("a.tfs-"), 0);
	CU_ASSERT_EQUAL(partial_reserved(".hidden"), 0);
	CU_ASSERT_EQUAL(partial_reserved(""), 0);
}

/*
 * fd is a partial started afresh: empty, at 0, and recording the size
 * announced where the file system keeps xattrs.
 */
static void
pt_fresh(int fd, const char *size)
{
	struct stat	 st;
	char		 attr[32];

	CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_CUR), 0);
	CU_ASSERT(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size == 0);
	if (pt_xattrs) {
		CU_ASSERT(pt_size_attr(fd, attr, sizeof(attr)) == 0 &&
		    strcmp(attr, size) == 0);
	}
}

/*
 * A new folder with the partial of f kept at 4 bytes of 10, opened
 * again with RESUME for size: the descriptor.
 */
static int
pt_reopen(uint64_t size, uint64_t *off)
{
	int	 fd;

	CU_ASSERT_FATAL(pt_setup() == 0);
	pt_kept("f", 10, "abcd");
	fd = partial_open(pt_dfd, "f", size, 1, off, &pt_had);
	CU_ASSERT_FATAL(fd != -1);
	return fd;
}

/* A new partial: hidden beside the target, at 0, its size recorded. */
static void
test_partial_create(void)
{
	struct stat	 st;
	uint64_t	 off = 99;
	int		 fd;

	CU_ASSERT_FATAL(pt_setup() == 0);
	fd = partial_open(pt_dfd, "f", 10, 0, &off, &pt_had);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL(off, 0);
	pt_fresh(fd, "10");
	CU_ASSERT(fstatat(pt_dfd, PATH_RESERVED "part-f", &st,
	    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size == 0);
	CU_ASSERT(!pt_exists("f"));
	close(fd);
	pt_teardown();
}

/* A second upload of a name being uploaded is BUSY until the first ends. */
static void
test_partial_busy(void)
{
	uint64_t	 off;
	int		 fd, fd2;

	CU_ASSERT_FATAL(pt_setup() == 0);
	fd = partial_open(pt_dfd, "f", 10, 0, &off, &pt_had);
	CU_ASSERT_FATAL(fd != -1);
	errno = 0;
	CU_ASSERT_EQUAL(partial_open(pt_dfd, "f", 10, 0, &off, &pt_had), -1);
	CU_ASSERT_EQUAL(errno, EBUSY);
	errno = 0;
	CU_ASSERT_EQUAL(partial_open(pt_dfd, "f", 10, 1, &off, &pt_had), -1);
	CU_ASSERT_EQUAL(errno, EBUSY);
	/* another name is another partial */
	fd2 = partial_open(pt_dfd, "g", 10, 0, &off, &pt_had);
	CU_ASSERT(fd2 != -1);
	close(fd2);
	close(fd);
	fd = partial_open(pt_dfd, "f", 10, 0, &off, &pt_had);
	CU_ASSERT(fd != -1);
	close(fd);
	pt_teardown();
}

/* RESUME of the same announced size goes on where the bytes end. */
static void
test_partial_resume(void)
{
	char		 buf[64];
	uint64_t	 off = 99;
	int		 fd;

	fd = pt_reopen(10, &off);
	if (!pt_xattrs) {
		/* nothing recorded, nothing resumed: a fresh start */
		CU_ASSERT_EQUAL(off, 0);
		close(fd);
		pt_teardown();
		return;
	}
	CU_ASSERT_EQUAL(off, 4);
	CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_CUR), 4);
	CU_ASSERT(pt_write(fd, "efghij") == 0);
	CU_ASSERT_EQUAL(partial_commit(pt_dfd, "f", fd, 0, 0), 0);
	close(fd);
	CU_ASSERT_EQUAL(pt_content("f", buf, sizeof(buf)), 10);
	CU_ASSERT_STRING_EQUAL(buf, "abcdefghij");
	CU_ASSERT(!pt_exists(PATH_RESERVED "part-f"));
	pt_teardown();
}

/*
 * Another announced size, or no RESUME, starts over: the partial is
 * emptied and records the new size.
 */
static void
test_partial_other_size(void)
{
	uint64_t	 off = 99;
	int		 fd;

	fd = pt_reopen(12, &off);
	CU_ASSERT_EQUAL(off, 0);
	CU_ASSERT_EQUAL(pt_had, 4);
	pt_fresh(fd, "12");
	CU_ASSERT(pt_write(fd, "xyz") == 0);
	close(fd);

	/* the same size without RESUME throws the bytes away too */
	off = 99;
	fd = partial_open(pt_dfd, "f", 12, 0, &off, &pt_had);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL(off, 0);
	CU_ASSERT_EQUAL(pt_had, 3);
	pt_fresh(fd, "12");
	close(fd);
	pt_teardown();
}

/*
 * Commit replaces the file in one rename: the new bytes, the old
 * permissions, no size attribute left, no partial left.
 */
static void
test_partial_commit(void)
{
	struct stat	 st, old;
	uint64_t	 off;
	char		 buf[64], attr[32];
	int		 fd, ffd;

	CU_ASSERT_FATAL(pt_setup() == 0);
	pt_file("f", "old", 0);
	CU_ASSERT_FATAL(fchmodat(pt_dfd, "f", 0600, 0) == 0);
	CU_ASSERT_FATAL(fstatat(pt_dfd, "f", &old, 0) == 0);
	fd = partial_open(pt_dfd, "f", 3, 0, &off, &pt_had);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT(pt_write(fd, "new") == 0);
	CU_ASSERT_EQUAL(partial_commit(pt_dfd, "f", fd, 0, 1), 0);
	close(fd);
	CU_ASSERT_EQUAL(pt_content("f", buf, sizeof(buf)), 3);
	CU_ASSERT_STRING_EQUAL(buf, "new");
	CU_ASSERT(fstatat(pt_dfd, "f", &st, 0) == 0 &&
	    (st.st_mode & 07777) == 0600 && st.st_ino != old.st_ino);
	CU_ASSERT(!pt_exists(PATH_RESERVED "part-f"));
	ffd = openat(pt_dfd, "f", O_RDONLY | O_CLOEXEC);
	CU_ASSERT(ffd != -1 && pt_size_attr(ffd, attr, sizeof(attr)) == -1);
	close(ffd);
	pt_teardown();
}

/* NOCLOBBER never replaces (EEXIST, the partial stays), else renames. */
static void
test_partial_noclobber(void)
{
	uint64_t	 off;
	char		 buf[64];
	int		 fd;

	CU_ASSERT_FATAL(pt_setup() == 0);
	pt_file("f", "old", 0);
	fd = partial_open(pt_dfd, "f", 3, 0, &off, &pt_had);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT(pt_write(fd, "new") == 0);
	errno = 0;
	CU_ASSERT_EQUAL(partial_commit(pt_dfd, "f", fd, 1, 0), -1);
	CU_ASSERT_EQUAL(errno, EEXIST);
	CU_ASSERT(pt_content("f", buf, sizeof(buf)) == 3 &&
	    strcmp(buf, "old") == 0);
	CU_ASSERT(pt_exists(PATH_RESERVED "part-f"));
	close(fd);

	fd = partial_open(pt_dfd, "g", 3, 0, &off, &pt_had);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT(pt_write(fd, "gee") == 0);
	CU_ASSERT_EQUAL(partial_commit(pt_dfd, "g", fd, 1, 0), 0);
	close(fd);
	CU_ASSERT(pt_content("g", buf, sizeof(buf)) == 3 &&
	    strcmp(buf, "gee") == 0);
	CU_ASSERT(!pt_exists(PATH_RESERVED "part-g"));
	pt_teardown();
}

/* Discard removes the partial fd holds, and nothing put in its place. */
static void
test_partial_discard(void)
{
	uint64_t	 off;
	int		 fd;

	CU_ASSERT_FATAL(pt_setup() == 0);
	fd = partial_open(pt_dfd, "f", 3, 0, &off, &pt_had);
	CU_ASSERT_FATAL(fd != -1);
	partial_discard(pt_dfd, "f", fd);
	CU_ASSERT(!pt_exists(PATH_RESERVED "part-f"));
	close(fd);

	fd = partial_open(pt_dfd, "f", 3, 0, &off, &pt_had);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_FATAL(renameat(pt_dfd, PATH_RESERVED "part-f", pt_dfd,
	    "moved") == 0);
	pt_file(PATH_RESERVED "part-f", "other", 0);
	partial_discard(pt_dfd, "f", fd);
	CU_ASSERT(pt_exists(PATH_RESERVED "part-f"));
	CU_ASSERT(pt_exists("moved"));
	close(fd);
	pt_teardown();
}

/*
 * Only partials (both forms) unused for longer than max_age, and not
 * locked by an upload, are expired; other names are never touched.
 */
static void
test_partial_expire(void)
{
	static const char	 longp[] = PATH_RESERVED "long-0123abcd";
	struct timespec		 t[2];
	uint64_t		 off, size;
	int			 fd;

	CU_ASSERT_FATAL(pt_setup() == 0);
	pt_file(PATH_RESERVED "part-old", "x", PT_OLD);
	pt_file(PATH_RESERVED "part-young", "x", 60);
	pt_file(longp, "x", PT_OLD);
	pt_file(PATH_RESERVED "sweep", "x", PT_OLD);
	pt_file("plain", "x", PT_OLD);
	fd = partial_open(pt_dfd, "locked", 1, 0, &off, &pt_had);
	CU_ASSERT_FATAL(fd != -1);
	t[0].tv_sec = t[1].tv_sec = time(NULL) - PT_OLD;
	t[0].tv_nsec = t[1].tv_nsec = 0;
	CU_ASSERT_FATAL(futimens(fd, t) == 0);

	CU_ASSERT_EQUAL(partial_expire(pt_dfd, PATH_RESERVED "part-old",
	    3600, &size), 1);
	CU_ASSERT_EQUAL(size, 1);
	CU_ASSERT(partial_expire(pt_dfd, PATH_RESERVED "part-young", 3600,
	    &size) != 1);
	CU_ASSERT_EQUAL(partial_expire(pt_dfd, longp, 3600, &size), 1);
	CU_ASSERT_EQUAL(partial_expire(pt_dfd, PATH_RESERVED "sweep", 3600,
	    &size), -1);
	CU_ASSERT_EQUAL(partial_expire(pt_dfd, "plain", 3600, &size), -1);
	CU_ASSERT_EQUAL(partial_expire(pt_dfd, PATH_RESERVED "part-locked",
	    3600, &size), -1);
	CU_ASSERT(!pt_exists(PATH_RESERVED "part-old"));
	CU_ASSERT(pt_exists(PATH_RESERVED "part-young"));
	CU_ASSERT(!pt_exists(longp));
	CU_ASSERT(pt_exists(PATH_RESERVED "sweep"));
	CU_ASSERT(pt_exists("plain"));
	CU_ASSERT(pt_exists(PATH_RESERVED "part-locked"));

	/* once the upload is gone, its old partial goes too */
	close(fd);
	CU_ASSERT_EQUAL(partial_expire(pt_dfd, PATH_RESERVED "part-locked",
	    3600, &size), 1);
	CU_ASSERT(!pt_exists(PATH_RESERVED "part-locked"));
	pt_teardown();
}

/*
 * A name that leaves no room for the prefix within 255 bytes has its
 * partial under the SHA-256 of the name; one byte shorter keeps it.
 */
static void
test_partial_long_name(void)
{
	static const char	 hashed[] = PATH_RESERVED "long-"
	    "383220fa2f67d1fae841ee98ed0e833679d46285cf9690cfae8abacc10dc208c";
	char			 name[PATH_COMP_MAX + 1], fit[2 * 256];
	char			 buf[8];
	uint64_t		 off;
	int			 fd;

	CU_ASSERT_FATAL(pt_setup() == 0);
	/* 245 bytes: ".tfs-part-" makes exactly 255 */
	memset(name, 'n', 245);
	name[245] = '\0';
	(void)snprintf(fit, sizeof(fit), "%spart-%s", PATH_RESERVED, name);
	CU_ASSERT_EQUAL(strlen(fit), 255);
	fd = partial_open(pt_dfd, name, 1, 0, &off, &pt_had);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT(pt_exists(fit));
	close(fd);

	/* 246 bytes of 'n': hashed */
	name[245] = 'n';
	name[246] = '\0';
	fd = partial_open(pt_dfd, name, 1, 0, &off, &pt_had);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT(pt_exists(hashed));
	CU_ASSERT(pt_write(fd, "L") == 0);
	CU_ASSERT_EQUAL(partial_commit(pt_dfd, name, fd, 1, 0), 0);
	close(fd);
	CU_ASSERT(!pt_exists(hashed));
	CU_ASSERT(pt_content(name, buf, sizeof(buf)) == 1 &&
	    strcmp(buf, "L") == 0);
	pt_teardown();
}

/*
 * The sweep walks the tree once per period: old partials at any depth
 * go, young ones stay and are counted, one an upload holds is not, and
 * a second sweep at once does nothing unless forced.
 */
static void
test_partial_sweep(void)
{
	struct partial_tally	 t;
	uint64_t		 off;
	int			 fd;

	CU_ASSERT_FATAL(pt_setup() == 0);
	CU_ASSERT_FATAL(mkdirat(pt_dfd, "d", 0755) == 0 &&
	    mkdirat(pt_dfd, "d/e", 0755) == 0);
	pt_file(PATH_RESERVED "part-top", "x", PT_OLD);
	pt_file("d/" PATH_RESERVED "part-mid", "x", PT_OLD);
	pt_file("d/e/" PATH_RESERVED "part-deep", "x", PT_OLD);
	pt_file("d/" PATH_RESERVED "part-young", "xyz", 60);
	pt_file("d/e/" PATH_RESERVED "part-kept", "12345", 60);
	fd = partial_open(pt_dfd, "held", 9, 0, &off, &pt_had);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT(pt_write(fd, "held") == 0);
	CU_ASSERT_EQUAL(partial_sweep(pt_dfd, 3600, 0, &t), 1);
	CU_ASSERT(!pt_exists(PATH_RESERVED "part-top"));
	CU_ASSERT(!pt_exists("d/" PATH_RESERVED "part-mid"));
	CU_ASSERT(!pt_exists("d/e/" PATH_RESERVED "part-deep"));
	CU_ASSERT(pt_exists("d/" PATH_RESERVED "part-young"));
	CU_ASSERT(pt_exists(PATH_RESERVED "sweep"));
	CU_ASSERT_EQUAL(t.count, 2);
	CU_ASSERT_EQUAL(t.bytes, 3 + 5);

	pt_file("d/" PATH_RESERVED "part-later", "x", PT_OLD);
	CU_ASSERT_EQUAL(partial_sweep(pt_dfd, 3600, 0, &t), 0);
	CU_ASSERT(pt_exists("d/" PATH_RESERVED "part-later"));
	CU_ASSERT_EQUAL(partial_sweep(pt_dfd, 3600, 1, &t), 1);
	CU_ASSERT(!pt_exists("d/" PATH_RESERVED "part-later"));
	CU_ASSERT_EQUAL(t.count, 2);
	close(fd);
	pt_teardown();
}

CU_TestInfo tests_partial[] = {
	TEST(test_partial_reserved),
	TEST(test_partial_create),
	TEST(test_partial_busy),
	TEST(test_partial_resume),
	TEST(test_partial_other_size),
	TEST(test_partial_commit),
	TEST(test_partial_noclobber),
	TEST(test_partial_discard),
	TEST(test_partial_expire),
	TEST(test_partial_long_name),
	TEST(test_partial_sweep),
	CU_TEST_INFO_NULL,
};
