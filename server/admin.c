/*
 * admin.c -- tfsd --set-user, --del-user and --list-users (admin.h).
 *
 * Asks for the password and turns the options into calls of users.c.
 * Runs before tfsd daemonises, on the admin's terminal, so it reports
 * with warnx(3) and never logs.  Never prints a password or a verifier,
 * and wipes every buffer a password passed through.
 */

#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <readpassphrase.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "users.h"

#define ADMIN_ERR_MAX	(USERS_NAME_MAX + 4200)

static int	admin_read_line(int, char *, size_t);
static int	admin_ask(const char *, char *, size_t);
static int	admin_password(const char *, int, char *, size_t);

/*
 * One line from fd into pw, without its newline (nor a CR before it).
 * read(2), so no stdio buffer keeps a copy.  0, or -1 (errno 0: empty
 * or too long).
 */
static int
admin_read_line(int fd, char *pw, size_t pwsz)
{
	size_t	 n = 0;
	ssize_t	 r;
	char	 c;

	/* byte by byte: what follows the line stays for others */
	for (;;) {
		r = read(fd, &c, 1);
		if (r == -1 && errno == EINTR) {
			continue;
		}
		if (r == -1) {
			return -1;
		}
		if (r == 0 || c == '\n') {
			break;
		}
		if (n + 1 >= pwsz) {
			explicit_bzero(pw, pwsz);
			errno = 0;
			return -1;
		}
		pw[n++] = c;
	}
	c = '\0';
	if (n > 0 && pw[n - 1] == '\r') {
		n--;
	}
	pw[n] = '\0';
	if (n == 0) {
		errno = 0;
		return -1;
	}
	return 0;
}

/* Ask on the terminal without echo.  0 or -1. */
static int
admin_ask(const char *prompt, char *pw, size_t pwsz)
{
	if (readpassphrase(prompt, pw, pwsz, RPP_REQUIRE_TTY) == NULL) {
		return -1;
	}
	return 0;
}

/* The new password of name into pw.  0, or -1 after saying why. */
static int
admin_password(const char *name, int fd, char *pw, size_t pwsz)
{
	char	 again[USERS_PASSWORD_MAX + 2], prompt[USERS_NAME_MAX + 32];
	int	 ret = -1;

	if (!isatty(fd)) {
		if (admin_read_line(fd, pw, pwsz) == -1) {
			warnx("--set-user %s: %s", name, errno != 0 ?
			    strerror(errno) : "no password, or one longer "
			    "than 1023 bytes, on the first line of stdin");
			return -1;
		}
		return 0;
	}
	(void)snprintf(prompt, sizeof(prompt), "Password for %s: ", name);
	if (admin_ask(prompt, pw, pwsz) == -1 ||
	    admin_ask("Again: ", again, sizeof(again)) == -1) {
		warnx("--set-user %s: cannot read the password: %s", name,
		    strerror(errno));
	} else if (strcmp(pw, again) != 0) {
		warnx("--set-user %s: the passwords differ", name);
	} else if (*pw == '\0') {
		warnx("--set-user %s: empty password", name);
	} else {
		ret = 0;
	}
	explicit_bzero(again, sizeof(again));
	if (ret == -1) {
		explicit_bzero(pw, pwsz);
	}
	return ret;
}

int
admin_set_user(const char *file, const char *name, const char *rights,
    const char *home, int in_fd)
{
	char		 pw[USERS_PASSWORD_MAX + 2], err[ADMIN_ERR_MAX];
	const char	*why;
	int		 r = -1, ret;

	if ((why = users_check_name(name)) != NULL) {
		warnx("--set-user %s: %s", name, why);
		return 2;
	}
	if (rights != NULL && (r = users_rights_parse(rights)) == -1) {
		warnx("--rights %s: ro or rw", rights);
		return 2;
	}
	if (home != NULL) {
		home += strspn(home, "/");
		if ((why = users_check_home(home)) != NULL) {
			warnx("--home %s: %s", home, why);
			return 2;
		}
	}
	if (admin_password(name, in_fd, pw, sizeof(pw)) == -1) {
		return 1;
	}
	ret = users_set(file, name, pw, r, home, err, sizeof(err));
	explicit_bzero(pw, sizeof(pw));
	if (ret == -1) {
		warnx("--set-user %s: %s", name, err);
		return 1;
	}
	return 0;
}

int
admin_del_user(const char *file, const char *name)
{
	char	 err[ADMIN_ERR_MAX];
	int	 r;

	if ((r = users_del(file, name, err, sizeof(err))) != 0) {
		warnx("--del-user %s: %s", name, err);
		return 1;
	}
	return 0;
}

int
admin_list_users(const char *file, FILE *out)
{
	const struct user	*u;
	struct users		*t;
	char			 err[ADMIN_ERR_MAX];
	size_t			 i;

	if ((t = users_load(file, err, sizeof(err))) == NULL) {
		warnx("--list-users: %s", err);
		return 1;
	}
	for (i = 0; i < users_count(t); i++) {
		u = users_get(t, i);
		fprintf(out, "%s\t%s\t/%s\n", u->name,
		    users_rights_name(u->rights), u->home);
	}
	users_free(t);
	if (fflush(out) == EOF || ferror(out)) {
		warnx("--list-users: %s", strerror(errno));
		return 1;
	}
	return 0;
}
