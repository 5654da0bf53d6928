/*
 * config.h -- tfsd's settings, filled once by main.c from the command
 * line and read where they apply.  resolve.c and partial.c never read
 * them: what they need (a root, an age) is passed to each call.
 */

#ifndef SERVER_CONFIG_H
#define SERVER_CONFIG_H

#include <stdint.h>

struct tfsd_config {
	char		 root[4096];	/* absolute, resolved */
	const char	*listen_addr;	/* NULL = "::" dual-stack */
	int		 port;
	int		 foreground;
	int		 workers;	/* pre-forked at start */
	int		 min_spare;
	int		 max_spare;
	int		 max_workers;
	long		 max_requests;	/* 0 = never recycle */
	const char	*pidfile;
	const char	*user;
	const char	*logfile;	/* --log-file; NULL = syslog/stderr */
	int		 read_only;
	int		 idle_timeout;	/* seconds */
	int		 stall_timeout;	/* seconds */
	uint64_t	 max_file_size;	/* 0 = no limit */
	int		 fsync;
	int		 graceful_timeout; /* seconds, 0 = wait */
	/* seconds an unfinished upload is kept unused */
	int		 partial_max_age;
	int		 verbose;	/* enum log_level */
	int		 daemonized;	/* detached from the terminal */
};

/* Defined in config.c, filled by main.c before anything else runs. */
extern struct tfsd_config cfg;

/* Reset c to the defaults of INTERFACE.md. */
void	config_defaults(struct tfsd_config *c);

#endif /* SERVER_CONFIG_H */
