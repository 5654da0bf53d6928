/*
 * admin.h -- the user commands of tfsd: --set-user, --del-user and
 * --list-users on the --users file.  Each is what main() runs for its
 * option, returns the exit status (0 done, 1 failed, 2 bad usage: a
 * value no user may have) and prints one line on stderr when it fails.
 */

#ifndef SERVER_ADMIN_H
#define SERVER_ADMIN_H

#include <stdio.h>

/*
 * --set-user name [--rights ro|rw] [--home dir]: rights and home NULL
 * keep the user's (new users: rw, the root); a leading '/' of home is
 * the root's.  The password is asked twice without echo when in_fd is
 * a terminal (on /dev/tty), else it is the first line read from in_fd.
 */
int	admin_set_user(const char *file, const char *name, const char *rights,
	    const char *home, int in_fd);
/* --del-user name: 1 when there is no such user. */
int	admin_del_user(const char *file, const char *name);
/* --list-users: "name<TAB>rights<TAB>/home" a line on out. */
int	admin_list_users(const char *file, FILE *out);

#endif /* SERVER_ADMIN_H */
