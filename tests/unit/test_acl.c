/*
 * test_acl.c -- --allow lists (acl.c): tables of CIDR texts that parse
 * (and how they print back) and that do not, then of lists and peers,
 * IPv4, IPv6 and IPv4-mapped, allowed and refused.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "acl.h"
#include "suites.h"

static int	peer(const char *, struct sockaddr_storage *);
static int	list(const char *, struct acl *);

static void	test_acl_parse_good(void);
static void	test_acl_parse_bad(void);
static void	test_acl_match(void);
static void	test_acl_empty_and_other(void);
static void	test_acl_addr(void);
static void	test_acl_peer(void);

/* Texts that parse, and their canonical form. */
static const struct {
	const char	*in;
	const char	*out;
} good[] = {
	{ "192.0.2.7",			"192.0.2.7/32" },
	{ "192.0.2.7/32",		"192.0.2.7/32" },
	{ "192.0.2.0/24",		"192.0.2.0/24" },
	{ "192.0.2.128/25",		"192.0.2.128/25" },
	{ "10.0.0.0/8",			"10.0.0.0/8" },
	{ "0.0.0.0/0",			"0.0.0.0/0" },
	{ "0.0.0.0",			"0.0.0.0/32" },
	{ "255.255.255.255",		"255.255.255.255/32" },
	{ "::1",			"::1/128" },
	{ "::",				"::/128" },
	{ "::/0",			"::/0" },
	{ "2001:db8::/32",		"2001:db8::/32" },
	{ "2001:DB8::/32",		"2001:db8::/32" },
	{ "2001:db8:0:0:0:0:0:1",	"2001:db8::1/128" },
	{ "2001:db8::1/128",		"2001:db8::1/128" },
	{ "fe80::/10",			"fe80::/10" },
	{ "2001:db8:8000::/33",		"2001:db8:8000::/33" },
	/* IPv4-mapped entries are IPv4 entries */
	{ "::ffff:192.0.2.0/120",	"192.0.2.0/24" },
	{ "::ffff:192.0.2.7",		"192.0.2.7/32" },
	{ "::ffff:0:0/96",		"0.0.0.0/0" },
	{ "::fffe:0:0/95",		"::fffe:0:0/95" },
};

/* Texts that must be refused. */
static const char *bad[] = {
	"", "/", "/24", "192.0.2", "192.0.2.0.1", "256.0.0.1", "1.2.3.-1",
	"192.0.2.07", "0x7f.0.0.1", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/-1",
	"1.2.3.4/+8", "1.2.3.0/024", "1.2.3.0/ 24", "1.2.3.0/24 ", " 1.2.3.4",
	"1.2.3.4/32/32", "1.2.3.4/8x", "1.2.3.4/99999999999999999999",
	"192.0.2.1/24", "10.0.0.1/8", "1.2.3.4/0",
	"::1/129", "::/-0", "::1/01", "fe80::1%eth0", "fe80::1%1",
	"2001:db8::1/32", "[::1]", "[::1]/128", "::g", ":::", "1::2::3",
	"2001:db8::/32/1", "localhost", "any", "*",
	"1111:2222:3333:4444:5555:6666:7777:8888:9999",
	"0000:0000:0000:0000:0000:0000:0000:0000:0000/128",
};

/* Lists, peers ("6:" forces an AF_INET6 sockaddr), and the answer. */
static const struct {
	const char	*list;
	const char	*peer;
	int		 allowed;
} cases[] = {
	{ "10.0.0.0/8",		"10.1.2.3",		1 },
	{ "10.0.0.0/8",		"10.255.255.255",	1 },
	{ "10.0.0.0/8",		"11.0.0.1",		0 },
	{ "10.0.0.0/8",		"9.255.255.255",	0 },
	{ "10.0.0.0/8",		"6:::ffff:10.1.2.3",	1 },
	{ "10.0.0.0/8",		"6:::ffff:11.0.0.1",	0 },
	{ "10.0.0.0/8",		"2001:db8::1",		0 },
	{ "10.0.0.0/8",		"::a01:203",		0 },
	{ "192.0.2.7",		"192.0.2.7",		1 },
	{ "192.0.2.7",		"192.0.2.8",		0 },
	{ "192.0.2.7",		"6:::ffff:192.0.2.7",	1 },
	{ "192.0.2.128/25",	"192.0.2.128",		1 },
	{ "192.0.2.128/25",	"192.0.2.255",		1 },
	{ "192.0.2.128/25",	"192.0.2.127",		0 },
	{ "192.0.2.0/31",	"192.0.2.1",		1 },
	{ "192.0.2.0/31",	"192.0.2.2",		0 },
	{ "0.0.0.0/0",		"203.0.113.9",		1 },
	{ "0.0.0.0/0",		"6:::ffff:203.0.113.9",	1 },
	{ "0.0.0.0/0",		"::1",			0 },
	{ "0.0.0.0/0",		"2001:db8::1",		0 },
	{ "::/0",		"2001:db8::1",		1 },
	{ "::/0",		"203.0.113.9",		1 },
	{ "::1",		"::1",			1 },
	{ "::1",		"::2",			0 },
	{ "::1",		"127.0.0.1",		0 },
	{ "2001:db8::/32",	"2001:db8:ffff:ffff::1", 1 },
	{ "2001:db8::/32",	"2001:db9::1",		0 },
	{ "2001:db8::/32",	"2001:db7:ffff::1",	0 },
	{ "2001:db8::/32",	"10.0.0.1",		0 },
	{ "2001:db8:8000::/33",	"2001:db8:8000::1",	1 },
	{ "2001:db8:8000::/33",	"2001:db8:7fff::1",	0 },
	{ "fe80::/10",		"febf::1",		1 },
	{ "fe80::/10",		"fec0::1",		0 },
	{ "::ffff:192.0.2.0/120", "192.0.2.99",		1 },
	{ "::ffff:192.0.2.0/120", "192.0.3.99",		0 },
	{ "127.0.0.0/8 ::1",	"127.0.0.1",		1 },
	{ "127.0.0.0/8 ::1",	"::1",			1 },
	{ "127.0.0.0/8 ::1",	"::2",			0 },
	{ "127.0.0.0/8 ::1",	"128.0.0.1",		0 },
	{ "192.0.2.0/24 198.51.100.0/24 2001:db8::/48",
				"198.51.100.200",	1 },
	{ "192.0.2.0/24 198.51.100.0/24 2001:db8::/48",
				"2001:db8:0:ffff::1",	1 },
	{ "192.0.2.0/24 198.51.100.0/24 2001:db8::/48",
				"2001:db8:1::1",	0 },
	{ "192.0.2.0/24 198.51.100.0/24 2001:db8::/48",
				"203.0.113.1",		0 },
};

/* A sockaddr for a text address; "6:" before an IPv4-mapped one. */
static int
peer(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strncmp(s, "6:", 2) == 0) {
		s += 2;
	} else if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(50000);
		return 0;
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(50000);
	return inet_pton(AF_INET6, s, &s6->sin6_addr) == 1 ? 0 : -1;
}

/* Build a list from space-separated texts.  0 or -1. */
static int
list(const char *texts, struct acl *acl)
{
	char	 buf[256], err[128], *p, *w;

	memset(acl, 0, sizeof(*acl));
	(void)strlcpy(buf, texts, sizeof(buf));
	for (p = buf; (w = strsep(&p, " ")) != NULL;) {
		if (acl_add(acl, w, err, sizeof(err)) == -1) {
			printf("\n    %s ", err);
			return -1;
		}
	}
	return 0;
}

static void
test_acl_parse_good(void)
{
	struct acl_net	 net, again;
	char		 err[128], out[ACL_FORMAT_MAX];
	size_t		 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err[0] = '\0';
		if (acl_parse(good[i].in, &net, err, sizeof(err)) != 0) {
			printf("\n    %s: refused: %s ", good[i].in, err);
			CU_FAIL("a good text refused");
			continue;
		}
		(void)acl_format(&net, out, sizeof(out));
		if (strcmp(out, good[i].out) != 0) {
			printf("\n    %s -> %s, not %s ", good[i].in, out,
			    good[i].out);
		}
		CU_ASSERT_STRING_EQUAL(out, good[i].out);
		/* and the canonical text parses to the same network */
		CU_ASSERT_EQUAL(acl_parse(out, &again, NULL, 0), 0);
		CU_ASSERT(memcmp(&again, &net, sizeof(net)) == 0);
	}
}

static void
test_acl_parse_bad(void)
{
	struct acl_net	 net;
	char		 err[160];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (acl_parse(bad[i], &net, err, sizeof(err)) != -1) {
			printf("\n    \"%s\": accepted ", bad[i]);
			CU_FAIL("a bad text accepted");
			continue;
		}
		/* the reason names the text */
		CU_ASSERT(strncmp(err, bad[i], strlen(bad[i])) == 0);
		CU_ASSERT(strlen(err) > strlen(bad[i]) + 2);
	}
	CU_ASSERT_EQUAL(acl_parse("192.0.2.1/24", &net, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "host bits") != NULL);
	/* no buffer for the reason is fine */
	CU_ASSERT_EQUAL(acl_parse("nope", &net, NULL, 0), -1);
}

static void
test_acl_match(void)
{
	struct sockaddr_storage	 ss;
	struct acl		 acl;
	size_t			 i;
	int			 got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(list(cases[i].list, &acl), 0);
		CU_ASSERT_EQUAL_FATAL(peer(cases[i].peer, &ss), 0);
		got = acl_allows(&acl, &ss);
		if (got != cases[i].allowed) {
			printf("\n    [%s] %s: %d, not %d ", cases[i].list,
			    cases[i].peer, got, cases[i].allowed);
		}
		CU_ASSERT_EQUAL(got, cases[i].allowed);
		acl_free(&acl);
	}
}

static void
test_acl_empty_and_other(void)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_un	*sun = (struct sockaddr_un *)&ss;
	struct acl		 acl;
	char			 err[128];

	memset(&acl, 0, sizeof(acl));
	CU_ASSERT_EQUAL(peer("203.0.113.9", &ss), 0);
	CU_ASSERT_EQUAL(acl_allows(&acl, &ss), 1);
	CU_ASSERT_EQUAL(peer("2001:db8::1", &ss), 0);
	CU_ASSERT_EQUAL(acl_allows(&acl, &ss), 1);
	/* not an IP peer: allowed only when nothing is checked */
	memset(&ss, 0, sizeof(ss));
	sun->sun_family = AF_UNIX;
	CU_ASSERT_EQUAL(acl_allows(&acl, &ss), 1);
	CU_ASSERT_EQUAL(acl_add(&acl, "::/0", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(acl_allows(&acl, &ss), 0);
	/* a refused text leaves the list as it was */
	CU_ASSERT_EQUAL(acl_add(&acl, "::/200", err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(acl.n, 1);
	acl_free(&acl);
	CU_ASSERT_EQUAL(acl.n, 0);
	CU_ASSERT_PTR_NULL(acl.nets);
}

static void
test_acl_addr(void)
{
	struct sockaddr_storage	 a, b;
	uint8_t			 ka[16], kb[16];

	CU_ASSERT_EQUAL(peer("192.0.2.7", &a), 0);
	CU_ASSERT_EQUAL(peer("6:::ffff:192.0.2.7", &b), 0);
	CU_ASSERT_EQUAL(acl_addr(&a, ka), 0);
	CU_ASSERT_EQUAL(acl_addr(&b, kb), 0);
	CU_ASSERT(memcmp(ka, kb, 16) == 0);
	CU_ASSERT_EQUAL(peer("::1", &b), 0);
	CU_ASSERT_EQUAL(acl_addr(&b, kb), 0);
	CU_ASSERT(memcmp(ka, kb, 16) != 0);
	memset(&b, 0, sizeof(b));
	b.ss_family = AF_UNIX;
	CU_ASSERT_EQUAL(acl_addr(&b, kb), -1);
}

/* Peers as log lines name them. */
static void
test_acl_peer(void)
{
	static const struct {
		const char	*peer;
		uint32_t	 scope;
		const char	*text;
	} v[] = {
		{ "192.0.2.7",		0, "192.0.2.7:50000" },
		{ "6:::ffff:192.0.2.7",	0, "192.0.2.7:50000" },
		{ "2001:db8::1",	0, "[2001:db8::1]:50000" },
		{ "::1",		0, "[::1]:50000" },
		{ "fe80::1",		2, "[fe80::1%2]:50000" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 4294967295u,
		    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295]:"
		    "50000" },
	};
	struct sockaddr_storage	 ss;
	char			 buf[ACL_PEER_MAX], small[8];
	size_t			 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(peer(v[i].peer, &ss), 0);
		((struct sockaddr_in6 *)&ss)->sin6_scope_id = v[i].scope;
		CU_ASSERT_STRING_EQUAL(acl_peer(&ss, buf, sizeof(buf)),
		    v[i].text);
	}
	CU_ASSERT_STRING_EQUAL(acl_peer(&ss, small, sizeof(small)), "?");
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	CU_ASSERT_STRING_EQUAL(acl_peer(&ss, buf, sizeof(buf)), "?");
}

CU_TestInfo tests_acl[] = {
	TEST(test_acl_parse_good),
	TEST(test_acl_parse_bad),
	TEST(test_acl_match),
	TEST(test_acl_empty_and_other),
	TEST(test_acl_addr),
	TEST(test_acl_peer),
	CU_TEST_INFO_NULL,
};
