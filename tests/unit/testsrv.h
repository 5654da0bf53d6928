/*
 * testsrv.h -- a scripted TFS/1 server for the client's unit tests: a
 * session whose connection is one end of a socketpair, and a forked
 * child at the other end that answers each request with the replies of
 * its step.  No network, no tfsd.
 */

#ifndef TESTS_UNIT_TESTSRV_H
#define TESTS_UNIT_TESTSRV_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "session.h"

#define TESTSRV_REPLIES	8

/* One request the child expects, and what it answers. */
struct testsrv_step {
	uint8_t		 req;			/* request type expected */
	struct tfs_msg	 rep[TESTSRV_REPLIES];
	size_t		 n;
};

/*
 * Set s up connected to a child that plays steps in order.  Returns the
 * child's pid, or -1.
 */
pid_t	testsrv_start(struct session *s, const struct testsrv_step *steps,
	    size_t nsteps);
/*
 * Drop s and wait for the child: 0 when every request came as expected
 * and nothing more followed, else non-zero.
 */
int	testsrv_end(struct session *s, pid_t pid);

/* Reply builders. */
struct tfs_msg	testsrv_entry(uint8_t kind, const char *name, uint64_t size);
struct tfs_msg	testsrv_end_count(uint64_t count);
struct tfs_msg	testsrv_error(unsigned code);
struct tfs_msg	testsrv_ok(void);

#endif /* TESTS_UNIT_TESTSRV_H */
