/*
 * config.h -- tfsd's settings, filled by main.c from the command line
 * and the configuration file (options.c), read again on HUP, and read
 * where they apply.  resolve.c and partial.c never read them: what they
 * need (a root, an age) is passed to each call.
 */

#ifndef SERVER_CONFIG_H
#define SERVER_CONFIG_H

#include <stdint.h>

#define CONFIG_ALLOW_MAX	64	/* --allow entries */
#define CONFIG_OWNED_MAX	160	/* strings a configuration file gave */

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
	int		 anonymous;	/* TFS_RIGHT_* of connections not
					   signed in */
	const char	*users;		/* --users FILE; NULL: no sign-in */
	const char	*allow[CONFIG_ALLOW_MAX];	/* CIDRs; none: all */
	int		 nallow;
	int		 max_per_ip;	/* connections at once; 0 = no limit */
	int		 first_request_timeout;	/* seconds */
	uint32_t	 min_rate;	/* bytes/s over the stall window */
	uint64_t	 max_partial;	/* bytes unfinished uploads may hold */
	int		 max_partial_pct; /* or this % of the file system, -1 */
	int		 daemonized;	/* set once detached from the terminal */
	/* strings read from a configuration file, freed with it */
	char		*owned[CONFIG_OWNED_MAX];
	int		 nowned;
};

/* Defined in config.c, filled by main.c before anything else runs. */
extern struct tfsd_config cfg;

/* Reset c to the defaults of INTERFACE.md. */
void	config_defaults(struct tfsd_config *c);
/* Free the strings c owns (those a configuration file gave). */
void	config_free(struct tfsd_config *c);

#endif /* SERVER_CONFIG_H */
