/*
 * jobs.h -- the file steps of a plan on several connections at once
 * (-j N): one child process per connection, each signed in like the
 * client, the parent handing out the steps and drawing one progress
 * line for them all.
 */

#ifndef CLIENT_JOBS_H
#define CLIENT_JOBS_H

#include <stdint.h>

#include "plan.h"

/*
 * Run p's PLAN_FILE steps on o->jobs connections.  A child that dies
 * has its step handed to another, resuming from what is in place.
 * *moved gets the bytes moved (added).  Returns the worst status.
 */
int	jobs_run(struct client *cl, struct plan *p, const struct plan_opts *o,
	    uint64_t *moved);

#endif /* CLIENT_JOBS_H */
