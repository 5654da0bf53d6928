/*
 * test_print.c -- what listings print (print.c): mode strings, names
 * with control bytes made harmless, remote paths, and the short and
 * long forms of an entry.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "print.h"
#include "suites.h"

static char	*capture_name(void (*)(FILE *, const char *), const char *);
static char	*capture_entry(const struct rent *, const char *, int);

static void	test_print_mode(void);
static void	test_print_name(void);
static void	test_print_entry(void);

/* What fn printed for s, in a malloc'd string (NULL on failure). */
static char *
capture_name(void (*fn)(FILE *, const char *), const char *s)
{
	FILE	*fp;
	char	*buf = NULL;
	size_t	 len = 0;

	if ((fp = open_memstream(&buf, &len)) == NULL) {
		return NULL;
	}
	fn(fp, s);
	(void)fclose(fp);
	return buf;
}

/* What print_entry wrote to stdout, in a malloc'd string. */
static char *
capture_entry(const struct rent *e, const char *name, int longfmt)
{
	char	 path[] = "/tmp/tfs-test-print.XXXXXX", *buf;
	long	 n;
	FILE	*fp;
	int	 fd, saved;

	if ((fd = mkstemp(path)) == -1) {
		return NULL;
	}
	(void)unlink(path);
	(void)fflush(stdout);
	saved = dup(STDOUT_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	print_entry(e, name, longfmt);
	(void)fflush(stdout);
	(void)dup2(saved, STDOUT_FILENO);
	close(saved);
	fp = fdopen(fd, "r");
	if (fp == NULL || fseek(fp, 0, SEEK_END) == -1 ||
	    (n = ftell(fp)) < 0 || (buf = calloc(1, (size_t)n + 1)) == NULL) {
		return NULL;
	}
	rewind(fp);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		buf[0] = '\0';
	}
	(void)fclose(fp);
	return buf;
}

static void
test_print_mode(void)
{
	char	 buf[PRINT_MODE_SZ];

	CU_ASSERT_STRING_EQUAL(print_mode(TFS_KIND_DIR, 0755, buf),
	    "drwxr-xr-x");
	CU_ASSERT_STRING_EQUAL(print_mode(TFS_KIND_FILE, 0644, buf),
	    "-rw-r--r--");
	CU_ASSERT_STRING_EQUAL(print_mode(TFS_KIND_FILE, 0, buf),
	    "----------");
	/* setuid, setgid and sticky bits are not shown */
	CU_ASSERT_STRING_EQUAL(print_mode(TFS_KIND_FILE, 07777, buf),
	    "-rwxrwxrwx");
	CU_ASSERT_STRING_EQUAL(print_mode(TFS_KIND_FILE, 0421, buf),
	    "-r---w---x");
}

/* Control bytes never reach the terminal; other bytes pass as they are. */
static void
test_print_name(void)
{
	char	*s;

	s = capture_name(print_name, "a\x01" "b\x1b[2J\x7f\n");
	CU_ASSERT_STRING_EQUAL(s, "a?b?[2J??");
	free(s);
	s = capture_name(print_name, "r\xc3\xa9sum\xc3\xa9 x.txt");
	CU_ASSERT_STRING_EQUAL(s, "r\xc3\xa9sum\xc3\xa9 x.txt");
	free(s);
	s = capture_name(print_rpath, "");
	CU_ASSERT_STRING_EQUAL(s, "/");
	free(s);
	s = capture_name(print_rpath, "a/b\tc");
	CU_ASSERT_STRING_EQUAL(s, "/a/b?c");
	free(s);
}

static void
test_print_entry(void)
{
	struct rent	 dir = { NULL, 0, 0, 0755, TFS_KIND_DIR };
	struct rent	 file = { NULL, 1536, 0, 0640, TFS_KIND_FILE };
	char		*s;

	s = capture_entry(&dir, "sub", 0);
	CU_ASSERT_STRING_EQUAL(s, "sub/\n");
	free(s);
	s = capture_entry(&file, "f\x01", 0);
	CU_ASSERT_STRING_EQUAL(s, "f?\n");
	free(s);
	s = capture_entry(&file, "f", 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(strncmp(s, "-rw-r-----  1.5K          1536  ", 32), 0);
	CU_ASSERT_EQUAL(strcmp(s + strlen(s) - 4, "  f\n"), 0);
	free(s);
	s = capture_entry(&dir, "d", 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(strncmp(s, "drwxr-xr-x     -             0  ", 32), 0);
	CU_ASSERT_EQUAL(strcmp(s + strlen(s) - 5, "  d/\n"), 0);
	free(s);
}

CU_TestInfo tests_print[] = {
	TEST(test_print_mode),
	TEST(test_print_name),
	TEST(test_print_entry),
	CU_TEST_INFO_NULL,
};
