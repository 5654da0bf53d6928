/*
 * test_scoreboard.c -- the scoreboard in a file and its reader: the
 * backing file's mode and checks, the path beside the pid file, the
 * totals kept when a slot is released, and -s status's formatting of an
 * image (table and JSON), which must refuse an image that is not this
 * daemon's and clean every string a worker wrote.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "scoreboard.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"

static char	*format(const void *, size_t, pid_t, int, int *);
static void	fill_busy(struct scoreboard *);
static char	*busy_status(struct scoreboard *, int, const char *const *);

static void	test_scoreboard_path(void);
static void	test_scoreboard_backing_file(void);
static void	test_scoreboard_backing_refuses(void);
static void	test_scoreboard_release_totals(void);
static void	test_scoreboard_status_table(void);
static void	test_scoreboard_status_json(void);
static void	test_scoreboard_status_refuses(void);

/* status_format() of an image into a string (caller frees); rc set. */
static char *
format(const void *buf, size_t len, pid_t pid, int json, int *rc)
{
	const char	*why = NULL;
	char		*out = NULL;
	size_t		 outlen = 0;
	FILE		*fp;

	if ((fp = open_memstream(&out, &outlen)) == NULL) {
		*rc = -2;
		return NULL;
	}
	/* now: 5 s after the requests below began */
	*rc = status_format(buf, len, pid, 15000, 1000, json, fp, &why);
	fclose(fp);
	return out;
}

/* Two workers: one idle, one busy with a GET of a hostile name. */
static void
fill_busy(struct scoreboard *sb)
{
	struct sb_slot	*s;

	sb->hdr->started = 900;
	sb->hdr->served = 10;
	sb->hdr->bytes_out = 1000;
	s = sb_slot(sb, 0);
	s->pid = 4001;
	s->state = SB_IDLE;
	s->last_progress = 14000;
	s->served = 2;
	s = sb_slot(sb, 1);
	s->pid = 4002;
	s->state = SB_BUSY;
	s->conn_start = 9000;
	(void)strlcpy(s->peer, "127.0.0.1:5555", sizeof(s->peer));
	/* a compromised worker may write anything: escapes, quotes */
	sb_request_begin(s, "GET", "a \"b\"\x07", "ev\x1b[2Jil\"", 10000);
	s->bytes = 50000;
}

static void
test_scoreboard_path(void)
{
	char	 buf[PATH_MAX];

	CU_ASSERT_EQUAL(sb_path("/nonexistent/tfsd.pid", buf, sizeof(buf)),
	    0);
	CU_ASSERT_STRING_EQUAL(buf, "/nonexistent/tfsd.scoreboard");
	CU_ASSERT_EQUAL(sb_path("/nonexistent/pidfile", buf, sizeof(buf)),
	    0);
	CU_ASSERT_STRING_EQUAL(buf, "/nonexistent/pidfile.scoreboard");
	CU_ASSERT_EQUAL(sb_path("/nonexistent/tfsd.pid", buf, 10), -1);
}

/* The master's file: 0600, the header first, removed at the end. */
static void
test_scoreboard_backing_file(void)
{
	struct scoreboard	 sb;
	struct stat		 st;
	char			 dir[PATH_MAX], path[PATH_MAX + 16];
	int			 fd;

	CU_ASSERT_FATAL(tu_temp_dir(dir, sizeof(dir)) == 0);
	(void)snprintf(path, sizeof(path), "%s/t.scoreboard", dir);
	/* a file left there is taken over and emptied */
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "junk", 4), 4);
	close(fd);
	CU_ASSERT_EQUAL_FATAL(sb_backing_open(path), 0);
	CU_ASSERT_EQUAL_FATAL(sb_init(&sb, 3), 0);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	CU_ASSERT_EQUAL((size_t)st.st_size,
	    SB_HEADER_SIZE + 3 * sizeof(struct sb_slot));
	CU_ASSERT_EQUAL(sb.hdr->magic, SB_MAGIC);
	CU_ASSERT_EQUAL(sb.hdr->nslots, 3);
	CU_ASSERT_EQUAL(sb.hdr->master, getpid());
	sb_free(&sb);
	sb_backing_remove();
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	sb_backing_remove();
	tu_remove_tree(dir);
}

/* A link planted where the file goes is never followed. */
static void
test_scoreboard_backing_refuses(void)
{
	char	 dir[PATH_MAX], path[PATH_MAX + 16], target[PATH_MAX + 16];
	int	 fd;

	CU_ASSERT_FATAL(tu_temp_dir(dir, sizeof(dir)) == 0);
	(void)snprintf(path, sizeof(path), "%s/t.scoreboard", dir);
	(void)snprintf(target, sizeof(target), "%s/victim", dir);
	fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "keep", 4), 4);
	close(fd);
	CU_ASSERT_EQUAL(symlink(target, path), 0);
	CU_ASSERT_EQUAL(sb_backing_open(path), -1);
	CU_ASSERT_EQUAL(unlink(path), 0);
	/* nor a second name of another file */
	CU_ASSERT_EQUAL(link(target, path), 0);
	CU_ASSERT_EQUAL(sb_backing_open(path), -1);
	CU_ASSERT_EQUAL(errno, EPERM);
	tu_remove_tree(dir);
}

/* A reaped worker's counters stay in the totals. */
static void
test_scoreboard_release_totals(void)
{
	struct scoreboard	 sb;
	struct sb_slot		*s;

	CU_ASSERT_EQUAL_FATAL(sb_init(&sb, 2), 0);
	s = sb_slot(&sb, 1);
	s->pid = 77;
	sb_request_begin(s, "PUT", "up", NULL, 1);
	sb_request_end(s, 1, 300, 2);
	sb_request_begin(s, "GET", "down", NULL, 3);
	sb_request_end(s, 0, 200, 4);
	s->served = 2;
	CU_ASSERT_EQUAL(s->requests, 2);
	CU_ASSERT_EQUAL(s->req_start, 0);
	sb_slot_release(&sb, 1);
	CU_ASSERT_EQUAL(s->pid, 0);
	CU_ASSERT_EQUAL(sb.hdr->served, 2);
	CU_ASSERT_EQUAL(sb.hdr->requests, 2);
	CU_ASSERT_EQUAL(sb.hdr->bytes_in, 300);
	CU_ASSERT_EQUAL(sb.hdr->bytes_out, 200);
	CU_ASSERT_PTR_NULL(sb_slot(&sb, 2));
	sb_free(&sb);
}

/*
 * The status of fill_busy's board, table or JSON, checked to hold each
 * of the NULL-ended has; the caller frees it and sb.
 */
static char *
busy_status(struct scoreboard *sb, int json, const char *const *has)
{
	char	*out;
	int	 rc;

	CU_ASSERT_EQUAL_FATAL(sb_init(sb, 4), 0);
	fill_busy(sb);
	out = format(sb->hdr, sb->size, getpid(), json, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	for (; *has != NULL; has++) {
		if (strstr(out, *has) == NULL) {
			printf("\n    no %s in:\n%s", *has, out);
		}
		CU_ASSERT_PTR_NOT_NULL(strstr(out, *has));
	}
	return out;
}

static void
test_scoreboard_status_table(void)
{
	static const char *const has[] = {
		"up 00:01:40",
		"2 workers: 1 busy, 0 waiting, 1 idle",
		"served 12 connections",
		"SLOT",
		"4001 idle",
		"4002 busy",
		"48.8K",
		"9.8K/s",
		"127.0.0.1:5555",
		"GET",
		/* what a worker wrote reaches the terminal cleaned */
		"ev?[2Jil\"",
		NULL,
	};
	struct scoreboard	 sb;
	char			*out;

	out = busy_status(&sb, 0, has);
	CU_ASSERT_PTR_NULL(strchr(out, '\x1b'));
	CU_ASSERT_PTR_NULL(strchr(out, '\x07'));
	free(out);
	sb_free(&sb);
}

static void
test_scoreboard_status_json(void)
{
	static const char *const has[] = {
		"\"uptime\":100,",
		"\"connections\":12,",
		"\"bytes_out\":51000,",
		"\"state\":\"busy\"",
		"\"user\":\"ev?[2Jil\\\"\"",
		"\"path\":\"a \\\"b\\\"?\"",
		"\"seconds\":5,",
		"\"connected\":6,",
		"\"connected\":null,",
		NULL,
	};
	struct scoreboard	 sb;
	char			*out;

	out = busy_status(&sb, 1, has);
	CU_ASSERT_EQUAL(out[strlen(out) - 1], '\n');
	free(out);
	sb_free(&sb);
}

/* Another daemon's, another version's, or a cut image is not shown. */
static void
test_scoreboard_status_refuses(void)
{
	struct scoreboard	 sb;
	char			*out;
	int			 rc;

	CU_ASSERT_EQUAL_FATAL(sb_init(&sb, 4), 0);
	out = format(sb.hdr, sb.size, getpid() + 1, 0, &rc);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_TRUE(out == NULL || *out == '\0');
	free(out);
	out = format(sb.hdr, sb.size - 1, getpid(), 0, &rc);
	CU_ASSERT_EQUAL(rc, -1);
	free(out);
	out = format(sb.hdr, 16, getpid(), 0, &rc);
	CU_ASSERT_EQUAL(rc, -1);
	free(out);
	sb.hdr->slot_size++;
	out = format(sb.hdr, sb.size, getpid(), 0, &rc);
	CU_ASSERT_EQUAL(rc, -1);
	free(out);
	sb.hdr->slot_size--;
	sb.hdr->nslots = 1000000;
	out = format(sb.hdr, sb.size, getpid(), 0, &rc);
	CU_ASSERT_EQUAL(rc, -1);
	free(out);
	sb.hdr->nslots = 4;
	sb.hdr->magic = 0;
	out = format(sb.hdr, sb.size, getpid(), 0, &rc);
	CU_ASSERT_EQUAL(rc, -1);
	free(out);
	sb_free(&sb);
}

CU_TestInfo tests_scoreboard[] = {
	TEST(test_scoreboard_path),
	TEST(test_scoreboard_backing_file),
	TEST(test_scoreboard_backing_refuses),
	TEST(test_scoreboard_release_totals),
	TEST(test_scoreboard_status_table),
	TEST(test_scoreboard_status_json),
	TEST(test_scoreboard_status_refuses),
	CU_TEST_INFO_NULL,
};
