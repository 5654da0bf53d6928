/*
 * test_addrtab.c -- the shared per-address table (addrtab.c) with a
 * clock of the test's own: five failed sign-ins within a minute block,
 * the block grows and is forgotten, an IPv4-mapped peer is its IPv4
 * address and an IPv6 one its /64, a flood of addresses evicts the
 * right entries, connections at once are limited and a killed worker's
 * count is given back by the master; forked processes hammer the
 * table, and one is killed while it holds the lock.  Then the cost.
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "addrtab.h"
#include "suites.h"
#include "testutil.h"

#define T0	((int64_t)1000 * 1000 * 1000)	/* ms: any time will do */
#define SEC	((int64_t)1000)
#define MIN	(60 * SEC)

static struct sockaddr_storage *addr(const char *);
static struct sockaddr_storage *addr_n(int, int);
static int	fail_n(struct addrtab *, const char *, int, int64_t, int64_t);
static int	blocked(struct addrtab *, const char *, int64_t);
static void	hammer(struct addrtab *, int, volatile int *);
static void	churn(struct addrtab *, int);

static void	test_addrtab_five_in_a_minute(void);
static void	test_addrtab_sliding_window(void);
static void	test_addrtab_refused_not_counted(void);
static void	test_addrtab_growing_block(void);
static void	test_addrtab_keys(void);
static void	test_addrtab_flood(void);
static void	test_addrtab_ageing(void);
static void	test_addrtab_conn_limit(void);
static void	test_addrtab_conn_killed(void);
static void	test_addrtab_hammer(void);
static void	test_addrtab_kill_while_locked(void);
static void	test_addrtab_kill_while_writing(void);
static void	test_addrtab_cost(void);

/* A sockaddr for a text address ("6:" first for an AF_INET6 one). */
static struct sockaddr_storage *
addr(const char *s)
{
	static struct sockaddr_storage	 ss;
	struct sockaddr_in		*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6		*s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (strncmp(s, "6:", 2) == 0) {
		s += 2;
	} else if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		return &ss;
	}
	s6->sin6_family = AF_INET6;
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) != 1) {
		abort();
	}
	return &ss;
}

/* The IPv4 address 10.a.b.c for n = a*65536 + b*256 + c, in set k. */
static struct sockaddr_storage *
addr_n(int k, int n)
{
	static struct sockaddr_storage	 ss;
	struct sockaddr_in		*s4 = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	s4->sin_family = AF_INET;
	s4->sin_addr.s_addr = htonl((uint32_t)(10 + k) << 24 |
	    ((uint32_t)n & 0xffffff));
	return &ss;
}

/*
 * n failures from a, every step ms from start; returns the seconds of
 * the block the last one started, or 0.
 */
static int
fail_n(struct addrtab *t, const char *a, int n, int64_t start,
    int64_t step)
{
	int	 i, secs = 0, r = 0;

	for (i = 0; i < n; i++) {
		r = addrtab_auth_failed(t, addr(a), start + i * step, &secs);
	}
	return r ? secs : 0;
}

/* Seconds a is still blocked at now, 0 if it is not. */
static int
blocked(struct addrtab *t, const char *a, int64_t now)
{
	int	 secs;

	if (!addrtab_auth_blocked(t, addr(a), now, &secs)) {
		return 0;
	}
	return secs;
}

static void
test_addrtab_five_in_a_minute(void)
{
	struct addrtab	*t;
	int		 secs;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t = addrtab_create(64, 4, 64));
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.7", 4, T0, 10 * SEC), 0);
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.7", T0 + 40 * SEC), 0);
	/* the fifth, 50 s after the first */
	CU_ASSERT_EQUAL(addrtab_auth_failed(t, addr("192.0.2.7"),
	    T0 + 50 * SEC, &secs), 1);
	CU_ASSERT_EQUAL(secs, 60);
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.7", T0 + 50 * SEC), 60);
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.7", T0 + 50 * SEC + 1), 60);
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.7", T0 + 80 * SEC), 30);
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.7", T0 + 110 * SEC - 1), 1);
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.7", T0 + 110 * SEC), 0);
	/* others are not concerned */
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.8", T0 + 50 * SEC), 0);
	CU_ASSERT_EQUAL(blocked(t, "6:2001:db8::7", T0 + 50 * SEC), 0);
	addrtab_destroy(t);
}

/* The minute slides: five failures only count within any 60 s. */
static void
test_addrtab_sliding_window(void)
{
	struct addrtab	*t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t = addrtab_create(64, 4, 64));
	/* 0, 20, 40, 59.999: four */
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.7", 3, T0, 20 * SEC), 0);
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.7", 1, T0 + MIN - 1, 0), 0);
	/* at 61 s the first is out of the window: still four */
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.7", 1, T0 + 61 * SEC, 0), 0);
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.7", T0 + 61 * SEC), 0);
	/* at 62 s: 20, 40, 59.999, 61, 62 are five within a minute */
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.7", 1, T0 + 62 * SEC, 0), 60);
	/* exactly 60 s between the first and the fifth is not within */
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.9", 4, T0, SEC), 0);
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.9", 1, T0 + MIN, 0), 0);
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.9", 1, T0 + MIN + 1, 0), 60);
	/* one a minute for an hour never blocks */
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.10", 60, T0, 15 * SEC + 1), 0);
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.10", T0 + 16 * MIN), 0);
	addrtab_destroy(t);
}

static void
test_addrtab_refused_not_counted(void)
{
	struct addrtab	*t;
	int		 secs;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t = addrtab_create(64, 4, 64));
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.7", 5, T0, SEC), 60);
	/* attempts during the block fail without counting or extending */
	CU_ASSERT_EQUAL(addrtab_auth_failed(t, addr("192.0.2.7"),
	    T0 + 30 * SEC, &secs), 0);
	CU_ASSERT_EQUAL(secs, 34);
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.7", 20, T0 + 5 * SEC, SEC), 0);
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.7", T0 + 64 * SEC), 0);
	/* after it, the count starts again from zero */
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.7", 4, T0 + 64 * SEC, SEC), 0);
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.7", 1, T0 + 70 * SEC, 0), 120);
	addrtab_destroy(t);
}

/* 1, 2, 4 ... 32 min, then an hour each time; a day later, 1 min. */
static void
test_addrtab_growing_block(void)
{
	static const int	 want[] = {
		60, 120, 240, 480, 960, 1920, 3600, 3600, 3600,
	};
	struct addrtab		*t;
	int64_t			 now = T0;
	size_t			 i;
	int			 secs;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t = addrtab_create(64, 4, 64));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		secs = fail_n(t, "192.0.2.7", 5, now, SEC);
		CU_ASSERT_EQUAL(secs, want[i]);
		now += 4 * SEC + (int64_t)secs * SEC;
		CU_ASSERT_EQUAL(blocked(t, "192.0.2.7", now - 1), 1);
		CU_ASSERT_EQUAL(blocked(t, "192.0.2.7", now), 0);
	}
	/* just under a day after the last block: still an hour */
	now += 24 * 60 * MIN - 1 - 4 * SEC;
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.7", 5, now, SEC), 3600);
	now += 4 * SEC + 3600 * SEC;
	/* a day after it ended: forgotten */
	now += 24 * 60 * MIN;
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.7", 5, now, SEC), 60);
	addrtab_destroy(t);
}

/* IPv4-mapped is IPv4; an IPv6 client is its /64. */
static void
test_addrtab_keys(void)
{
	struct addrtab	*t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t = addrtab_create(64, 4,
	    ADDRTAB_V6_PREFIX));
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.7", 3, T0, SEC), 0);
	CU_ASSERT_EQUAL(fail_n(t, "6:::ffff:192.0.2.7", 2, T0 + 3 * SEC,
	    SEC), 60);
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.7", T0 + 5 * SEC), 59);
	CU_ASSERT_EQUAL(blocked(t, "6:::ffff:192.0.2.7", T0 + 5 * SEC), 59);
	CU_ASSERT_EQUAL(fail_n(t, "2001:db8:0:1::1", 3, T0, SEC), 0);
	CU_ASSERT_EQUAL(fail_n(t, "2001:db8:0:1:ffff::9", 2, T0 + 3 * SEC,
	    SEC), 60);
	CU_ASSERT_EQUAL(blocked(t, "2001:db8:0:1:1:2:3:4", T0 + 5 * SEC), 59);
	CU_ASSERT_EQUAL(blocked(t, "2001:db8:0:2::1", T0 + 5 * SEC), 0);
	CU_ASSERT_EQUAL(blocked(t, "2001:db8::1", T0 + 5 * SEC), 0);
	addrtab_destroy(t);
	/* with a /128 prefix every IPv6 address is its own */
	CU_ASSERT_PTR_NOT_NULL_FATAL(t = addrtab_create(64, 4, 128));
	CU_ASSERT_EQUAL(fail_n(t, "2001:db8:0:1::1", 4, T0, SEC), 0);
	CU_ASSERT_EQUAL(fail_n(t, "2001:db8:0:1::2", 4, T0, SEC), 0);
	CU_ASSERT_EQUAL(blocked(t, "2001:db8:0:1::1", T0 + 5 * SEC), 0);
	addrtab_destroy(t);
	/* bad sizes */
	CU_ASSERT_PTR_NULL(addrtab_create(0, 4, 64));
	CU_ASSERT_PTR_NULL(addrtab_create(64, 0, 64));
	CU_ASSERT_PTR_NULL(addrtab_create(64, 4, 129));
	CU_ASSERT_EQUAL(errno, EINVAL);
}

/* A flood of new addresses evicts its own kind first, never a block. */
static void
test_addrtab_flood(void)
{
	struct addrtab		*t;
	struct addrtab_stats	 st;
	char			 a[32];
	int			 i, secs;

	/* one bucket: every address competes for the same eight places */
	CU_ASSERT_PTR_NOT_NULL_FATAL(t = addrtab_create(ADDRTAB_WAYS, 4, 64));
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.1", 5, T0, SEC), 60);
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.2", 5, T0 + SEC, SEC), 60);
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.3", 5, T0 + 2 * SEC, SEC), 60);
	for (i = 0; i < 1000; i++) {
		CU_ASSERT_EQUAL(addrtab_auth_failed(t, addr_n(0, i),
		    T0 + 10 * SEC + i * 10, &secs), 0);
	}
	addrtab_stats(t, T0 + 30 * SEC, &st);
	CU_ASSERT_EQUAL(st.entries, ADDRTAB_WAYS);
	CU_ASSERT_EQUAL(st.blocked, 3);
	CU_ASSERT_EQUAL(st.evictions, 1000 - (ADDRTAB_WAYS - 3));
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.1", T0 + 30 * SEC), 34);
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.3", T0 + 30 * SEC), 36);
	/* the newest of the flood is still counted: four more block it */
	for (i = 0; i < 4; i++) {
		(void)addrtab_auth_failed(t, addr_n(0, 999), T0 + 31 * SEC,
		    &secs);
	}
	CU_ASSERT_EQUAL(secs, 60);
	/* all eight blocked: a newcomer takes the block ending first */
	for (i = 5; i <= 8; i++) {
		(void)snprintf(a, sizeof(a), "192.0.2.%d", i);
		CU_ASSERT_EQUAL(fail_n(t, a, 5, T0 + 40 * SEC, SEC), 60);
	}
	addrtab_stats(t, T0 + 50 * SEC, &st);
	CU_ASSERT_EQUAL(st.blocked, ADDRTAB_WAYS);
	(void)addrtab_auth_failed(t, addr("192.0.2.100"), T0 + 50 * SEC,
	    &secs);
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.1", T0 + 50 * SEC), 0);
	CU_ASSERT_EQUAL(blocked(t, "192.0.2.2", T0 + 50 * SEC), 15);
	addrtab_stats(t, T0 + 50 * SEC, &st);
	CU_ASSERT_EQUAL(st.blocked, ADDRTAB_WAYS - 1);
	CU_ASSERT_EQUAL(st.evictions, 1000 - (ADDRTAB_WAYS - 3) + 5);
	addrtab_destroy(t);
}

/* Entries that say nothing any more are reused, not evicted. */
static void
test_addrtab_ageing(void)
{
	struct addrtab		*t;
	struct addrtab_stats	 st;
	int			 i, secs;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t = addrtab_create(ADDRTAB_WAYS, 4, 64));
	for (i = 0; i < ADDRTAB_WAYS; i++) {
		(void)addrtab_auth_failed(t, addr_n(0, i), T0, &secs);
	}
	addrtab_stats(t, T0 + MIN - 1, &st);
	CU_ASSERT_EQUAL(st.entries, ADDRTAB_WAYS);
	addrtab_stats(t, T0 + MIN, &st);
	CU_ASSERT_EQUAL(st.entries, 0);
	for (i = 0; i < ADDRTAB_WAYS; i++) {
		(void)addrtab_auth_failed(t, addr_n(1, i), T0 + MIN, &secs);
	}
	addrtab_stats(t, T0 + MIN, &st);
	CU_ASSERT_EQUAL(st.entries, ADDRTAB_WAYS);
	CU_ASSERT_EQUAL(st.evictions, 0);
	/* a block is remembered for a day after it ends (it doubles) */
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.1", 5, T0 + 10 * MIN, SEC), 60);
	addrtab_stats(t, T0 + 20 * MIN, &st);
	CU_ASSERT_EQUAL(st.entries, 1);
	CU_ASSERT_EQUAL(st.blocked, 0);
	addrtab_stats(t, T0 + 11 * MIN + 4 * SEC + 24 * 60 * MIN, &st);
	CU_ASSERT_EQUAL(st.entries, 0);
	addrtab_destroy(t);
}

static void
test_addrtab_conn_limit(void)
{
	struct addrtab	*t;
	const char	*a = "192.0.2.7", *b = "198.51.100.1";

	CU_ASSERT_PTR_NOT_NULL_FATAL(t = addrtab_create(64, 8, 64));
	CU_ASSERT_EQUAL(addrtab_conn_open(t, 0, addr(a), 2), 0);
	CU_ASSERT_EQUAL(addrtab_conn_open(t, 1, addr(a), 2), 0);
	CU_ASSERT_EQUAL(addrtab_conn_open(t, 2, addr(a), 2), -1);
	CU_ASSERT_EQUAL(errno, EBUSY);
	CU_ASSERT_EQUAL(addrtab_conn_open(t, 3, addr("6:::ffff:192.0.2.7"),
	    2), -1);
	CU_ASSERT_EQUAL(addrtab_conn_count(t, addr(a)), 2);
	CU_ASSERT_EQUAL(addrtab_conn_open(t, 2, addr(b), 2), 0);
	CU_ASSERT_EQUAL(addrtab_conn_count(t, addr(b)), 1);
	/* one ends: the slot's next connection replaces its last */
	addrtab_conn_close(t, 0);
	CU_ASSERT_EQUAL(addrtab_conn_open(t, 2, addr(a), 2), 0);
	CU_ASSERT_EQUAL(addrtab_conn_count(t, addr(b)), 0);
	CU_ASSERT_EQUAL(addrtab_conn_count(t, addr(a)), 2);
	/* a slot never counts against itself */
	CU_ASSERT_EQUAL(addrtab_conn_open(t, 1, addr(a), 2), 0);
	/* 0: no limit, but counted */
	CU_ASSERT_EQUAL(addrtab_conn_open(t, 6, addr(a), 0), 0);
	CU_ASSERT_EQUAL(addrtab_conn_count(t, addr(a)), 3);
	/* an IPv6 client is its /64 */
	CU_ASSERT_EQUAL(addrtab_conn_open(t, 4, addr("2001:db8::1"), 1), 0);
	CU_ASSERT_EQUAL(addrtab_conn_open(t, 5, addr("2001:db8::2"), 1), -1);
	CU_ASSERT_EQUAL(addrtab_conn_open(t, 5, addr("2001:db8:0:1::1"), 1),
	    0);
	/* slots out of range */
	CU_ASSERT_EQUAL(addrtab_conn_open(t, 8, addr(a), 2), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(addrtab_conn_open(t, -1, addr(a), 2), -1);
	addrtab_conn_close(t, -1);
	addrtab_conn_close(t, 8);
	CU_ASSERT_EQUAL(addrtab_conn_count(t, addr(a)), 3);
	addrtab_destroy(t);
}

/* A worker killed while connected: the master's reap gives it back. */
static void
test_addrtab_conn_killed(void)
{
	struct addrtab	*t;
	pid_t		 pid;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t = addrtab_create(64, 4, 64));
	if ((pid = fork()) == 0) {
		if (addrtab_conn_open(t, 2, addr("192.0.2.7"), 4) != 0) {
			_exit(1);
		}
		(void)kill(getpid(), SIGKILL);
		_exit(2);
	}
	CU_ASSERT_FATAL(pid != -1);
	CU_ASSERT_EQUAL(tu_wait(pid), -1);
	CU_ASSERT_EQUAL(addrtab_conn_count(t, addr("192.0.2.7")), 1);
	/* what pool.c does for the slot of a worker it reaps */
	addrtab_conn_close(t, 2);
	CU_ASSERT_EQUAL(addrtab_conn_count(t, addr("192.0.2.7")), 0);
	addrtab_destroy(t);
}

#define HAMMER_KIDS	8
#define HAMMER_ITER	20000
#define HAMMER_MAX	3

/*
 * One of the hammering workers, in slot i, started with the others
 * (shm[2]): connections from one shared address under a limit, watched
 * by a counter of its own in shm[0] (shm[1] counts the times it saw
 * more than the limit); four failures from an address of its own,
 * eight from one they all share.
 */
static void
hammer(struct addrtab *t, int i, volatile int *shm)
{
	int	 k, n, secs, spin;

	while (!__atomic_load_n(&shm[2], __ATOMIC_ACQUIRE)) {
		continue;
	}
	for (k = 0; k < HAMMER_ITER; k++) {
		if (addrtab_conn_open(t, i, addr("192.0.2.200"),
		    HAMMER_MAX) == 0) {
			n = __atomic_add_fetch(&shm[0], 1, __ATOMIC_SEQ_CST);
			if (n > HAMMER_MAX) {
				__atomic_add_fetch(&shm[1], 1,
				    __ATOMIC_SEQ_CST);
			}
			/* stay connected a moment, as a worker does */
			for (spin = 0; spin < 200; spin++) {
				__atomic_load_n(&shm[2], __ATOMIC_SEQ_CST);
			}
			__atomic_sub_fetch(&shm[0], 1, __ATOMIC_SEQ_CST);
			addrtab_conn_close(t, i);
		}
		if (k % (HAMMER_ITER / 4) == 0) {
			(void)addrtab_auth_failed(t, addr_n(1, i), T0, &secs);
		}
		if (k % (HAMMER_ITER / 8) == 0) {
			(void)addrtab_auth_failed(t, addr("198.51.100.1"), T0,
			    &secs);
		}
		/* churn: addresses failing long before, first to go */
		(void)addrtab_auth_failed(t, addr_n(2, i * HAMMER_ITER + k),
		    T0 - 10 * MIN, &secs);
	}
}

static void
test_addrtab_hammer(void)
{
	struct addrtab		*t;
	struct addrtab_stats	 st;
	volatile int		*shm;
	pid_t			 pid[HAMMER_KIDS];
	int			 i, secs;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t = addrtab_create(4096, HAMMER_KIDS,
	    64));
	shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(shm != MAP_FAILED);
	for (i = 0; i < HAMMER_KIDS; i++) {
		if ((pid[i] = fork()) == 0) {
			hammer(t, i, shm);
			_exit(0);
		}
	}
	__atomic_store_n(&shm[2], 1, __ATOMIC_RELEASE);
	for (i = 0; i < HAMMER_KIDS; i++) {
		CU_ASSERT(pid[i] != -1 && tu_wait(pid[i]) == 0);
	}
	/* never more than the limit at once, and nothing left counted */
	CU_ASSERT_EQUAL(shm[1], 0);
	CU_ASSERT_EQUAL(addrtab_conn_count(t, addr("192.0.2.200")), 0);
	/* no failure lost: each own address had exactly four */
	for (i = 0; i < HAMMER_KIDS; i++) {
		CU_ASSERT_EQUAL(addrtab_auth_blocked(t, addr_n(1, i), T0,
		    &secs), 0);
		CU_ASSERT_EQUAL(addrtab_auth_failed(t, addr_n(1, i), T0,
		    &secs), 1);
	}
	/* the shared one was blocked once, by its fifth failure */
	CU_ASSERT_EQUAL(addrtab_auth_blocked(t, addr("198.51.100.1"), T0,
	    &secs), 1);
	CU_ASSERT_EQUAL(secs, 60);
	addrtab_stats(t, T0, &st);
	CU_ASSERT_EQUAL(st.blocked, HAMMER_KIDS + 1);
	CU_ASSERT_EQUAL(st.repairs, 0);
	(void)munmap((void *)shm, 4096);
	addrtab_destroy(t);
}

/* A worker killed while it holds the lock must not wedge the others. */
static void
test_addrtab_kill_while_locked(void)
{
	struct addrtab		*t;
	struct addrtab_stats	 st;
	pid_t			 pid;
	char			 c;
	int			 p[2], secs;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t = addrtab_create(64, 4, 64));
	CU_ASSERT_EQUAL(fail_n(t, "192.0.2.7", 4, T0, SEC), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	if ((pid = fork()) == 0) {
		if (addrtab_lock(t) == -1 || write(p[1], "L", 1) != 1) {
			_exit(1);
		}
		for (;;) {
			(void)pause();
		}
	}
	CU_ASSERT_FATAL(pid != -1);
	CU_ASSERT_EQUAL(read(p[0], &c, 1), 1);
	(void)kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(tu_wait(pid), -1);
	(void)close(p[0]);
	(void)close(p[1]);
	/* in a child with an alarm: a wedged lock fails, not hangs, here */
	if ((pid = fork()) == 0) {
		(void)alarm(10);
		if (addrtab_auth_failed(t, addr("192.0.2.7"), T0 + 5 * SEC,
		    &secs) != 1 || secs != 60) {
			_exit(1);
		}
		_exit(addrtab_conn_open(t, 0, addr("192.0.2.7"), 1) == 0 ?
		    0 : 2);
	}
	CU_ASSERT_FATAL(pid != -1);
	CU_ASSERT_EQUAL(tu_wait(pid), 0);
	addrtab_stats(t, T0 + 5 * SEC, &st);
	CU_ASSERT_EQUAL(st.repairs, 1);
	CU_ASSERT_EQUAL(st.blocked, 1);
	addrtab_destroy(t);
}

/* Writers killed at random moments: the table stays usable. */
static void
churn(struct addrtab *t, int round)
{
	int	 k, secs;

	for (k = 0;; k++) {
		(void)addrtab_auth_failed(t, addr_n(round % 4, k & 0xffff),
		    T0 + k, &secs);
	}
}

static void
test_addrtab_kill_while_writing(void)
{
	struct addrtab		*t;
	struct addrtab_stats	 st;
	pid_t			 tester, pid;
	int			 round;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t = addrtab_create(256, 4, 64));
	if ((tester = fork()) == 0) {
		(void)alarm(60);
		for (round = 0; round < 40; round++) {
			if ((pid = fork()) == 0) {
				churn(t, round);
			}
			(void)usleep((useconds_t)(500 + round * 97 % 3000));
			(void)kill(pid, SIGKILL);
			if (tu_wait(pid) != -1) {
				_exit(1);
			}
			addrtab_stats(t, T0, &st);
			if (st.entries > 256 || addrtab_conn_open(t, 1,
			    addr("192.0.2.7"), 1) != 0) {
				_exit(2);
			}
			addrtab_conn_close(t, 1);
		}
		_exit(0);
	}
	CU_ASSERT_FATAL(tester != -1);
	CU_ASSERT_EQUAL(tu_wait(tester), 0);
	addrtab_stats(t, T0, &st);
	printf("\n    40 writers killed, %llu inside the lock ",
	    (unsigned long long)st.repairs);
	addrtab_destroy(t);
}

/* ns per call of fn-like work, for the report. */
#define COST_N	200000

static void
test_addrtab_cost(void)
{
	struct addrtab	*t;
	struct timespec	 a, b;
	double		 ns[3];
	int		 i, secs;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t = addrtab_create(4096, 64, 64));
	for (i = 0; i < 1000; i++) {
		(void)addrtab_auth_failed(t, addr_n(0, i), T0, &secs);
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < COST_N; i++) {
		(void)addrtab_auth_blocked(t, addr_n(0, i % 2000), T0, &secs);
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	ns[0] = ((double)(b.tv_sec - a.tv_sec) * 1e9 +
	    (double)(b.tv_nsec - a.tv_nsec)) / COST_N;
	for (i = 0; i < COST_N; i++) {
		(void)addrtab_auth_failed(t, addr_n(1, i), T0 + i, &secs);
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	ns[1] = ((double)(a.tv_sec - b.tv_sec) * 1e9 +
	    (double)(a.tv_nsec - b.tv_nsec)) / COST_N;
	for (i = 0; i < COST_N; i++) {
		(void)addrtab_conn_open(t, i % 64, addr_n(2, i % 7), 16);
		addrtab_conn_close(t, i % 64);
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	ns[2] = ((double)(b.tv_sec - a.tv_sec) * 1e9 +
	    (double)(b.tv_nsec - a.tv_nsec)) / COST_N;
	printf("\n    auth_blocked %.0f ns, auth_failed %.0f ns, conn_open"
	    "+close %.0f ns (64 slots) ", ns[0], ns[1], ns[2]);
	/* microseconds at most, even under valgrind */
	CU_ASSERT(ns[0] < 50000 && ns[1] < 50000 && ns[2] < 50000);
	addrtab_destroy(t);
}

CU_TestInfo tests_addrtab[] = {
	TEST(test_addrtab_five_in_a_minute),
	TEST(test_addrtab_sliding_window),
	TEST(test_addrtab_refused_not_counted),
	TEST(test_addrtab_growing_block),
	TEST(test_addrtab_keys),
	TEST(test_addrtab_flood),
	TEST(test_addrtab_ageing),
	TEST(test_addrtab_conn_limit),
	TEST(test_addrtab_conn_killed),
	TEST(test_addrtab_hammer),
	TEST(test_addrtab_kill_while_locked),
	TEST(test_addrtab_kill_while_writing),
	TEST(test_addrtab_cost),
	CU_TEST_INFO_NULL,
};
