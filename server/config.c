/*
 * config.c -- the one struct tfsd_config of the process and its
 * defaults.  Kept out of main.c so the unit tests, which link every
 * server module but main.c, find cfg too.  Never parses anything:
 * options.c does.
 */

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "proto.h"

struct tfsd_config cfg;

/* The defaults of INTERFACE.md, before the command line is read. */
void
config_defaults(struct tfsd_config *c)
{
	memset(c, 0, sizeof(*c));
	strlcpy(c->root, ".", sizeof(c->root));
	c->listen_addr = NULL;
	c->port = TFS_DEFAULT_PORT;
	c->workers = 4;
	c->min_spare = 2;
	c->max_spare = 8;
	c->max_workers = 64;
	c->max_requests = 0;
	c->idle_timeout = 300;
	c->stall_timeout = 60;
	c->max_file_size = 0;
	c->fsync = 1;
	c->graceful_timeout = 0;
	c->partial_max_age = 86400;
	c->verbose = 1;		/* LOG_LVL_INFO */
	c->anonymous = TFS_RIGHT_READ;
	c->max_per_ip = 16;
	c->first_request_timeout = 10;
	c->min_rate = 1024;
	c->max_partial = 0;
	c->max_partial_pct = 10;
}

void
config_free(struct tfsd_config *c)
{
	while (c->nowned > 0) {
		free(c->owned[--c->nowned]);
	}
}
