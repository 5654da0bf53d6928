/*
 * test_options.c -- tfsd's option table: the command line, the
 * configuration file (values, flags, comments, errors with FILE:LINE),
 * the command line winning over the file, what a reload keeps, and the
 * --help text fitting 80 columns.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "log.h"
#include "options.h"
#include "proto.h"
#include "suites.h"
#include "testutil.h"

static int	parse(struct tfsd_config *, struct tfsd_cmd *,
		    struct optset *, char *, size_t, ...);
static int	from_file(const char *, struct tfsd_config *,
		    const struct optset *, char *, size_t);

static void	test_options_argv(void);
static void	test_options_argv_errors(void);
static void	test_options_file(void);
static void	test_options_file_errors(void);
static void	test_options_cli_wins(void);
static void	test_options_check(void);
static void	test_options_keep_running(void);
static void	test_options_usage_width(void);

/* options_argv over the NULL-terminated words after errsz. */
static int
parse(struct tfsd_config *c, struct tfsd_cmd *m, struct optset *given,
    char *err, size_t errsz, ...)
{
	char		*argv[32];
	va_list		 ap;
	int		 argc = 0;

	argv[argc++] = (char *)"tfsd";
	va_start(ap, errsz);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL) {
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	config_defaults(c);
	memset(m, 0, sizeof(*m));
	m->rights = -1;
	memset(given, 0, sizeof(*given));
	return options_argv(argc, argv, c, m, given, err, errsz);
}

/* options_file over a temporary file holding text. */
static int
from_file(const char *text, struct tfsd_config *c, const struct optset *skip,
    char *err, size_t errsz)
{
	char	 path[64];
	int	 fd, r;

	if ((fd = tu_temp_file(path, text, strlen(text))) == -1) {
		return -2;
	}
	(void)close(fd);
	r = options_file(path, c, skip, err, errsz);
	(void)unlink(path);
	return r;
}

static void
test_options_argv(void)
{
	struct tfsd_config	 c;
	struct tfsd_cmd		 m;
	struct optset		 g;
	char			 err[256];

	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), "-r", "/srv",
	    "-p", "0", "--workers", "3", "--no-fsync", "--anonymous", "rw",
	    "--allow", "10.0.0.0/8", "--allow", "::1", "--max-partial",
	    "2G", "-v", "-s", "status", "--json", NULL), 0);
	CU_ASSERT_STRING_EQUAL(c.root, "/srv");
	CU_ASSERT_EQUAL(c.port, 0);
	CU_ASSERT_EQUAL(c.workers, 3);
	CU_ASSERT_EQUAL(c.fsync, 0);
	CU_ASSERT_EQUAL(c.anonymous, TFS_RIGHT_READ | TFS_RIGHT_WRITE);
	CU_ASSERT_EQUAL(c.nallow, 2);
	CU_ASSERT_STRING_EQUAL(c.allow[1], "::1");
	CU_ASSERT_EQUAL(c.max_partial, 2ULL << 30);
	CU_ASSERT_EQUAL(c.max_partial_pct, -1);
	CU_ASSERT_EQUAL(c.verbose, LOG_LVL_DEBUG);
	CU_ASSERT_STRING_EQUAL(m.signame, "status");
	CU_ASSERT_EQUAL(m.json, 1);
	/* untouched ones keep the defaults of INTERFACE.md */
	CU_ASSERT_EQUAL(c.max_workers, 64);
	CU_ASSERT_EQUAL(c.min_rate, 1024);
	CU_ASSERT_EQUAL(c.first_request_timeout, 10);
	CU_ASSERT_EQUAL(c.max_per_ip, 16);
	CU_ASSERT_NOT_EQUAL(g.bits, 0);
}

static void
test_options_argv_errors(void)
{
	struct tfsd_config	 c;
	struct tfsd_cmd		 m;
	struct optset		 g;
	char			 err[256];

	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), "--bogus",
	    NULL), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown option --bogus");
	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), "-w", "0",
	    NULL), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "1 to 4096"));
	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), "-w", NULL), -1);
	CU_ASSERT_STRING_EQUAL(err, "option -w needs a value");
	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), "--anonymous",
	    "all", NULL), -1);
	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), "--rights",
	    "none", NULL), -1);
	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), "-s", "boom",
	    NULL), -1);
	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), "--max-partial",
	    "101%", NULL), -1);
	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err),
	    "--max-file-size", "12Q", NULL), -1);
	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), "extra", NULL),
	    -1);
	CU_ASSERT_STRING_EQUAL(err, "unexpected argument extra");
}

static void
test_options_file(void)
{
	struct tfsd_config	 c;
	struct optset		 none = { 0 };
	char			 err[256];

	config_defaults(&c);
	CU_ASSERT_EQUAL(from_file("# tfsd.conf\n\n  root /srv/lib  \n"
	    "workers 3   # trailing comment\nforeground\nno-fsync yes\n"
	    "read-only no\nallow 192.0.2.0/24\nallow 2001:db8::/32\n"
	    "max-partial 25%\nusers /etc/tfsd/users\nverbose on\n", &c,
	    &none, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.root, "/srv/lib");
	CU_ASSERT_EQUAL(c.workers, 3);
	CU_ASSERT_EQUAL(c.foreground, 1);
	CU_ASSERT_EQUAL(c.fsync, 0);
	CU_ASSERT_EQUAL(c.read_only, 0);
	CU_ASSERT_EQUAL(c.nallow, 2);
	CU_ASSERT_EQUAL(c.max_partial_pct, 25);
	CU_ASSERT_STRING_EQUAL(c.users, "/etc/tfsd/users");
	CU_ASSERT_EQUAL(c.verbose, LOG_LVL_DEBUG);
	/* the file's strings are the configuration's own */
	CU_ASSERT_EQUAL(c.nowned, 3);
	config_free(&c);
	CU_ASSERT_EQUAL(c.nowned, 0);
}

/* The first error, named FILE:LINE, and nothing after it applied. */
static void
test_options_file_errors(void)
{
	static const struct {
		const char	*text;
		int		 line;
		const char	*what;
	} t[] = {
		{ "workers 2\nbogus 1\n", 2, "bogus: no such option" },
		{ "signal stop\n", 1, "signal: only on the command line" },
		{ "set-user bob\n", 1, "only on the command line" },
		{ "\n\nworkers\n", 3, "workers needs a value" },
		{ "workers many\n", 1, "invalid" },
		{ "foreground maybe\n", 1, "not yes or no" },
		{ "anonymous sometimes\n", 1, "not none|ro|rw" },
	};
	struct tfsd_config	 c;
	struct optset		 none = { 0 };
	char			 err[256], want[32];
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		config_defaults(&c);
		CU_ASSERT_EQUAL(from_file(t[i].text, &c, &none, err,
		    sizeof(err)), -1);
		(void)snprintf(want, sizeof(want), ":%d: ", t[i].line);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, t[i].what));
		config_free(&c);
	}
	config_defaults(&c);
	CU_ASSERT_EQUAL(options_file("/nonexistent/tfsd.conf", &c, &none,
	    err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/tfsd.conf"));
}

/* What the command line gave is not read from the file, and wins. */
static void
test_options_cli_wins(void)
{
	struct tfsd_config	 cli, c;
	struct tfsd_cmd		 m;
	struct optset		 g;
	char			 err[256];

	CU_ASSERT_EQUAL(parse(&cli, &m, &g, err, sizeof(err), "-w", "7",
	    "--allow", "127.0.0.1", NULL), 0);
	config_defaults(&c);
	CU_ASSERT_EQUAL(from_file("workers 2\nmax-workers 9\nallow 10.1.1.1\n"
	    "allow 10.2.2.2\n", &c, &g, err, sizeof(err)), 0);
	options_overlay(&c, &cli, &g);
	CU_ASSERT_EQUAL(c.workers, 7);
	CU_ASSERT_EQUAL(c.max_workers, 9);
	CU_ASSERT_EQUAL(c.nallow, 1);
	CU_ASSERT_STRING_EQUAL(c.allow[0], "127.0.0.1");
	config_free(&c);
}

static void
test_options_check(void)
{
	struct tfsd_config	 c;
	struct tfsd_cmd		 m;
	struct optset		 g;
	char			 err[256];

	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), NULL), 0);
	CU_ASSERT_EQUAL(options_check(&c, &m, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), "--anonymous",
	    "none", NULL), 0);
	CU_ASSERT_EQUAL(options_check(&c, &m, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), "--set-user",
	    "bob", NULL), 0);
	CU_ASSERT_EQUAL(options_check(&c, &m, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), "--rights", "ro",
	    "--users", "u", NULL), 0);
	CU_ASSERT_EQUAL(options_check(&c, &m, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), "-w", "9", "-m",
	    "8", NULL), 0);
	CU_ASSERT_EQUAL(options_check(&c, &m, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(parse(&c, &m, &g, err, sizeof(err), "--json", NULL),
	    0);
	CU_ASSERT_EQUAL(options_check(&c, &m, err, sizeof(err)), -1);
}

/* A reload keeps what needs a restart, one option at a time. */
static void
test_options_keep_running(void)
{
	struct tfsd_config	 cur, next;
	struct optset		 none = { 0 };
	char			 err[256];
	const char		*name;
	int			 n = 0;

	config_defaults(&cur);
	CU_ASSERT_EQUAL(from_file("port 1234\nlisten ::1\nworkers 2\n", &cur,
	    &none, err, sizeof(err)), 0);
	config_defaults(&next);
	CU_ASSERT_EQUAL(from_file("port 999\nlisten 127.0.0.1\nworkers 5\n",
	    &next, &none, err, sizeof(err)), 0);
	while ((name = options_keep_running(&next, &cur)) != NULL) {
		n++;
		CU_ASSERT(strcmp(name, "port") == 0 ||
		    strcmp(name, "listen") == 0);
	}
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(next.port, 1234);
	CU_ASSERT_EQUAL(next.workers, 5);
	/* the kept string outlives the configuration it came from */
	config_free(&cur);
	CU_ASSERT_STRING_EQUAL(next.listen_addr, "::1");
	config_free(&next);
}

static void
test_options_usage_width(void)
{
	char	*buf = NULL, *line, *save = NULL;
	size_t	 len = 0, i;
	FILE	*fp;
	int	 wide = 0, names = 0;

	fp = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	options_usage(fp);
	(void)fclose(fp);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		wide += strlen(line) >= 80;
	}
	CU_ASSERT_EQUAL(wide, 0);
	free(buf);
	for (i = 0; options_name(i) != NULL; i++) {
		names++;
	}
	CU_ASSERT(names > 30);
}

CU_TestInfo tests_options[] = {
	TEST(test_options_argv),
	TEST(test_options_argv_errors),
	TEST(test_options_file),
	TEST(test_options_file_errors),
	TEST(test_options_cli_wins),
	TEST(test_options_check),
	TEST(test_options_keep_running),
	TEST(test_options_usage_width),
	CU_TEST_INFO_NULL,
};
