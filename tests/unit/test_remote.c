/*
 * test_remote.c -- the client's requests as calls (remote.c) against a
 * scripted server: hostile names left out of a listing, END counts,
 * replies of the wrong kind, ERROR in place of entries, a folder that
 * is a file, and MKDIR where the folder is already there.
 */

#include <string.h>

#include <CUnit/CUnit.h>

#include "remote.h"
#include "suites.h"
#include "testsrv.h"

static void	test_remote_name_ok(void);
static void	test_remote_list_names(void);
static void	test_remote_list_count(void);
static void	test_remote_list_errors(void);
static void	test_remote_stat_dir(void);
static void	test_remote_mkdir_ok(void);

struct name_case {
	const char	*name;
	size_t		 len;		/* 0: strlen */
	int		 ok;
};

static void
test_remote_name_ok(void)
{
	static const struct name_case	 cases[] = {
		{ "a", 0, 1 },
		{ "a b.txt", 0, 1 },
		{ ".hidden", 0, 1 },
		{ "r\xc3\xa9sum\xc3\xa9", 0, 1 },
		{ ".tfs", 0, 1 },
		{ "", 0, 0 },
		{ ".", 0, 0 },
		{ "..", 0, 0 },
		{ "a/b", 0, 0 },
		{ "../x", 0, 0 },
		{ "/etc", 0, 0 },
		{ "x\n", 0, 0 },
		{ "\x1b[2J", 0, 0 },
		{ "del\x7f", 0, 0 },
		{ ".tfs-part", 0, 0 },
		{ "a\0b", 3, 0 },
	};
	char	 longname[PATH_COMP_MAX + 2];
	size_t	 i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].name);
		CU_ASSERT_EQUAL(remote_name_ok((const uint8_t *)cases[i].name,
		    len), cases[i].ok);
	}
	memset(longname, 'n', sizeof(longname));
	CU_ASSERT_TRUE(remote_name_ok((const uint8_t *)longname,
	    PATH_COMP_MAX));
	CU_ASSERT_FALSE(remote_name_ok((const uint8_t *)longname,
	    PATH_COMP_MAX + 1));
}

/* Names no request could reach are dropped; the rest keep their order. */
static void
test_remote_list_names(void)
{
	struct testsrv_step	 step = { TFS_LIST, {
		testsrv_entry(TFS_KIND_FILE, "../evil", 1),
		testsrv_entry(TFS_KIND_FILE, "a/b", 2),
		testsrv_entry(TFS_KIND_FILE, "b.txt", 3),
		testsrv_entry(TFS_KIND_FILE, ".tfs-part", 4),
		testsrv_entry(TFS_KIND_FILE, "ctl\x01", 5),
		testsrv_entry(TFS_KIND_DIR, "sub", 0),
		testsrv_end_count(6),
	}, 7 };
	struct session		 s;
	struct rlist		 l;
	pid_t			 pid;

	CU_ASSERT_FATAL((pid = testsrv_start(&s, &step, 1)) > 0);
	CU_ASSERT_EQUAL(remote_list(&s, "", &l), SESS_OK);
	CU_ASSERT_EQUAL_FATAL(l.n, 2);
	CU_ASSERT_STRING_EQUAL(l.ents[0].name, "b.txt");
	CU_ASSERT_EQUAL(l.ents[0].size, 3);
	CU_ASSERT_EQUAL(l.ents[0].kind, TFS_KIND_FILE);
	CU_ASSERT_EQUAL(l.ents[0].mode, 0644);
	CU_ASSERT_STRING_EQUAL(l.ents[1].name, "sub");
	CU_ASSERT_EQUAL(l.ents[1].kind, TFS_KIND_DIR);
	remote_list_free(&l);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_EQUAL(testsrv_end(&s, pid), 0);
}

/* END must count every entry sent, dropped ones included. */
static void
test_remote_list_count(void)
{
	struct testsrv_step	 step = { TFS_LIST, {
		testsrv_entry(TFS_KIND_FILE, "a", 1),
		testsrv_end_count(2),
	}, 2 };
	struct session		 s;
	struct rlist		 l;
	pid_t			 pid;

	CU_ASSERT_FATAL((pid = testsrv_start(&s, &step, 1)) > 0);
	CU_ASSERT_EQUAL(remote_list(&s, "d", &l), SESS_PROTO);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_PTR_NULL(l.ents);
	CU_ASSERT_EQUAL(s.fd, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.errmsg, "END 2 after 1"));
	CU_ASSERT_EQUAL(testsrv_end(&s, pid), 0);
}

/* ERROR in place of the listing; an entry of no known kind. */
static void
test_remote_list_errors(void)
{
	struct testsrv_step	 steps[] = {
		{ TFS_LIST, { testsrv_error(TFS_ENOT_A_DIR) }, 1 },
		{ TFS_LIST, { testsrv_entry('x', "odd", 1),
		    testsrv_end_count(1) }, 2 },
	};
	struct session		 s;
	struct rlist		 l;
	pid_t			 pid;

	CU_ASSERT_FATAL((pid = testsrv_start(&s, steps, 2)) > 0);
	CU_ASSERT_EQUAL(remote_list(&s, "f", &l), SESS_ERROR);
	CU_ASSERT_EQUAL(s.err_code, TFS_ENOT_A_DIR);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.errmsg, "(NOT_A_DIR)"));
	CU_ASSERT_EQUAL(s.fd != -1, 1);
	CU_ASSERT_EQUAL(remote_list(&s, "g", &l), SESS_PROTO);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_EQUAL(testsrv_end(&s, pid), 0);
}

/* A folder that turns out to be a file is NOT_A_DIR, in the server's words. */
static void
test_remote_stat_dir(void)
{
	struct testsrv_step	 steps[] = {
		{ TFS_STAT, { testsrv_entry(TFS_KIND_DIR, "d", 0) }, 1 },
		{ TFS_STAT, { testsrv_entry(TFS_KIND_FILE, "f", 9) }, 1 },
	};
	struct session		 s;
	pid_t			 pid;

	CU_ASSERT_FATAL((pid = testsrv_start(&s, steps, 2)) > 0);
	CU_ASSERT_EQUAL(remote_stat_dir(&s, "d"), SESS_OK);
	CU_ASSERT_EQUAL(remote_stat_dir(&s, "f"), SESS_ERROR);
	CU_ASSERT_EQUAL(s.err_code, TFS_ENOT_A_DIR);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.errmsg, "(NOT_A_DIR)"));
	CU_ASSERT_EQUAL(testsrv_end(&s, pid), 0);
}

/* MKDIR of a folder already there is fine; of a file, NOT_A_DIR. */
static void
test_remote_mkdir_ok(void)
{
	struct testsrv_step	 steps[] = {
		{ TFS_MKDIR, { testsrv_ok() }, 1 },
		{ TFS_MKDIR, { testsrv_error(TFS_EEXISTS) }, 1 },
		{ TFS_STAT, { testsrv_entry(TFS_KIND_DIR, "d", 0) }, 1 },
		{ TFS_MKDIR, { testsrv_error(TFS_EEXISTS) }, 1 },
		{ TFS_STAT, { testsrv_entry(TFS_KIND_FILE, "f", 1) }, 1 },
	};
	struct session		 s;
	pid_t			 pid;

	CU_ASSERT_FATAL((pid = testsrv_start(&s, steps, 5)) > 0);
	CU_ASSERT_EQUAL(remote_mkdir_ok(&s, ""), SESS_OK);
	CU_ASSERT_EQUAL(remote_mkdir_ok(&s, "new"), SESS_OK);
	CU_ASSERT_EQUAL(remote_mkdir_ok(&s, "d"), SESS_OK);
	CU_ASSERT_EQUAL(remote_mkdir_ok(&s, "f"), SESS_ERROR);
	CU_ASSERT_EQUAL(s.err_code, TFS_ENOT_A_DIR);
	CU_ASSERT_EQUAL(testsrv_end(&s, pid), 0);
}

CU_TestInfo tests_remote[] = {
	TEST(test_remote_name_ok),
	TEST(test_remote_list_names),
	TEST(test_remote_list_count),
	TEST(test_remote_list_errors),
	TEST(test_remote_stat_dir),
	TEST(test_remote_mkdir_ok),
	CU_TEST_INFO_NULL,
};
