/*
 * test_log.c -- logging: levels, prefix, strerror on log_warn and fatal,
 * the line formats of the stderr and file targets, reopening after
 * rotation, fatalx's exit status, and escaping of peer bytes.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "log.h"
#include "suites.h"
#include "testutil.h"

static char	*slurp(const char *);

static void	test_log_file_levels(void);
static void	test_log_stderr_format(void);
static void	test_log_reopen(void);
static void	test_log_fatal_exits(void);
static void	test_log_bad_file(void);
static void	test_log_vis(void);

/* The whole of a small file as a string (caller frees), or NULL. */
static char *
slurp(const char *path)
{
	char	*buf;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		return NULL;
	}
	buf = calloc(1, 65536);
	if (buf != NULL) {
		n = read(fd, buf, 65535);
		if (n < 0) {
			free(buf);
			buf = NULL;
		}
	}
	(void)close(fd);
	return buf;
}

static void
test_log_file_levels(void)
{
	char	 path[64], *s;
	int	 fd;

	fd = tu_temp_file(path, NULL, 0);
	CU_ASSERT_FATAL(fd != -1);
	(void)close(fd);
	CU_ASSERT_EQUAL_FATAL(log_init(LOG_TO_FILE, LOG_LVL_INFO, "tfstest",
	    path), 0);
	CU_ASSERT_EQUAL(log_getlevel(), LOG_LVL_INFO);
	log_info("info %d", 1);
	log_debug("debug hidden");
	log_setlevel(LOG_LVL_DEBUG);
	log_debug("debug %s", "shown");
	log_setprefix("worker %d", 3);
	errno = ENOENT;
	log_warn("open %s", "x");
	CU_ASSERT_EQUAL(errno, ENOENT);
	log_setprefix(NULL);
	log_setlevel(LOG_LVL_QUIET);
	log_info("info hidden");
	log_warnx("warnx %c", 'w');
	(void)log_init(LOG_TO_STDERR, LOG_LVL_INFO, NULL, NULL);

	s = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "tfstest["));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "]: info 1\n"));
	CU_ASSERT_PTR_NULL(strstr(s, "hidden"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "]: debug shown\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s,
	    "]: worker 3: open x: No such file or directory\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "]: warnx w\n"));
	/* a time stamp first: "YYYY-MM-DD HH:MM:SS " */
	CU_ASSERT(strlen(s) > 20 && s[4] == '-' && s[10] == ' ' &&
	    s[13] == ':');
	free(s);
	(void)unlink(path);
}

/* stderr lines are "ident: prefix: message", one write each. */
static void
test_log_stderr_format(void)
{
	char	 path[64], *s;
	pid_t	 pid;
	int	 fd;

	fd = tu_temp_file(path, NULL, 0);
	CU_ASSERT_FATAL(fd != -1);
	if ((pid = fork()) == 0) {
		if (dup2(fd, STDERR_FILENO) == -1) {
			_exit(1);
		}
		(void)log_init(LOG_TO_STDERR, LOG_LVL_QUIET, "tfsd", NULL);
		log_setprefix("worker %d", 7);
		log_warnx("192.0.2.7: GET %s: %s", "a/b.txt", "denied");
		log_info("not shown");
		_exit(0);
	}
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
	(void)close(fd);
	s = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s,
	    "tfsd: worker 7: 192.0.2.7: GET a/b.txt: denied\n");
	free(s);
	(void)unlink(path);
}

/* After the file is moved away, log_reopen starts a new one. */
static void
test_log_reopen(void)
{
	char	 path[64], old[80], *s;
	int	 fd;

	fd = tu_temp_file(path, NULL, 0);
	CU_ASSERT_FATAL(fd != -1);
	(void)close(fd);
	(void)snprintf(old, sizeof(old), "%s.0", path);
	CU_ASSERT_EQUAL_FATAL(log_init(LOG_TO_FILE, LOG_LVL_INFO, "t", path),
	    0);
	log_info("before");
	CU_ASSERT_EQUAL(rename(path, old), 0);
	CU_ASSERT_EQUAL(log_reopen(), 0);
	log_info("after");
	(void)log_init(LOG_TO_STDERR, LOG_LVL_INFO, NULL, NULL);
	s = slurp(old);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "before"));
	CU_ASSERT_PTR_NULL(strstr(s, "after"));
	free(s);
	s = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "after"));
	CU_ASSERT_PTR_NULL(strstr(s, "before"));
	free(s);
	(void)unlink(path);
	(void)unlink(old);
}

/* fatal and fatalx log their line and exit 1; fatal adds strerror. */
static void
test_log_fatal_exits(void)
{
	char	 path[64], *s;
	pid_t	 pid;
	int	 fd, which;

	for (which = 0; which < 2; which++) {
		fd = tu_temp_file(path, NULL, 0);
		CU_ASSERT_FATAL(fd != -1);
		(void)close(fd);
		if ((pid = fork()) == 0) {
			if (log_init(LOG_TO_FILE, LOG_LVL_QUIET, "t",
			    path) == -1) {
				_exit(9);
			}
			errno = EACCES;
			if (which == 0) {
				fatalx("cannot go on: %d", 42);
			}
			fatal("chroot %s", "/srv");
		}
		CU_ASSERT_EQUAL(tu_wait(pid), 1);
		s = slurp(path);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_PTR_NOT_NULL(strstr(s, which == 0 ?
		    "]: cannot go on: 42\n" :
		    "]: chroot /srv: Permission denied\n"));
		free(s);
		(void)unlink(path);
	}
}

static void
test_log_bad_file(void)
{
	CU_ASSERT_EQUAL(log_init(LOG_TO_FILE, LOG_LVL_INFO, "t",
	    "/nonexistent-dir/x.log"), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_EQUAL(log_init(LOG_TO_FILE, LOG_LVL_INFO, "t", NULL), -1);
	CU_ASSERT_EQUAL(log_init(LOG_TO_STDERR, LOG_LVL_INFO, NULL, NULL), 0);
}

/*
 * Peer bytes come out C-escaped, NULs included, and cut with "...";
 * a word has no blank in it: a space is \040 too.
 */
static void
test_log_vis(void)
{
	static const struct {
		char		*(*fn)(char *, size_t, const void *, size_t);
		const char	*in;
		size_t		 len;
		size_t		 outsz;		/* 0: all of out */
		const char	*want;
	} cases[] = {
		/* fn, in and its length, out's size (0: all), the result */
		{ log_vis, "a\nb\tc", 5, 0, "a\\nb\\tc" },
		{ log_vis, "x\0y", 3, 0, "x\\0y" },
		{ log_vis, "\x1b[0m\x7f", 5, 0, "\\033[0m\\177" },
		{ log_vis, "a\\b", 3, 0, "a\\\\b" },
		{ log_vis, "", 0, 0, "" },
		{ log_vis, "abcdefghijklmn", 14, 10, "abcdef..." },
		{ log_vis, "abcdefghi", 9, 10, "abcdefghi" },
		/* an escape is never cut in half */
		{ log_vis, "abcde\n\n\n", 8, 10, "abcde..." },
		{ log_vis, "abcdef", 6, 3, "" },
		/* quotes are escaped, so the result can stand between them */
		{ log_vis, "a \"b\"", 5, 0, "a \\\"b\\\"" },
		/* bytes that are not ASCII come out in octal, never raw */
		{ log_vis, "\xff\xc3\xa9", 3, 0, "\\377\\303\\251" },
		{ log_vis_word, "a b\tc", 5, 0, "a\\040b\\tc" },
		{ log_vis_word, "alice", 5, 0, "alice" },
		{ log_vis_word, "a b c d", 7, 8, "a..." },
	};
	char	 out[64];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_STRING_EQUAL(cases[i].fn(out, cases[i].outsz != 0 ?
		    cases[i].outsz : sizeof(out), cases[i].in, cases[i].len),
		    cases[i].want);
	}
}

CU_TestInfo tests_log[] = {
	TEST(test_log_file_levels),
	TEST(test_log_stderr_format),
	TEST(test_log_reopen),
	TEST(test_log_fatal_exits),
	TEST(test_log_bad_file),
	TEST(test_log_vis),
	CU_TEST_INFO_NULL,
};
