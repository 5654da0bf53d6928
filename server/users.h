/*
 * users.h -- the users file of tfsd (--users): one user a line,
 *
 *	name:rights:home:SCRAM-SHA-256$iter:salt$storedkey:serverkey
 *
 * (RFC 5803; salt and keys in base64; rights "ro" or "rw"; home a folder
 * beneath the served root, "" for the root).  Blank lines and lines
 * starting with '#' are kept as they are.  Loads and checks the file,
 * finds a user by name, and rewrites the file atomically.  Never keeps
 * a password: one is only turned into a verifier, then wiped.
 */

#ifndef SERVER_USERS_H
#define SERVER_USERS_H

#include <stddef.h>
#include <stdint.h>

#define USERS_NAME_MAX		255	/* bytes in a name */
#define USERS_LINE_MAX		4608	/* bytes in a line, newline excluded */
#define USERS_MAX		10000	/* users in a file */
#define USERS_FILE_MAX		(8 * 1024 * 1024)	/* bytes in a file */
#define USERS_PASSWORD_MAX	1023	/* bytes in a password */
/*
 * PBKDF2 rounds.  New verifiers get the default; a file may hold
 * others within the bounds, the client's (login.h) LOGIN_ITER_MIN and
 * LOGIN_ITER_MAX: a count a client refuses could never sign in.
 */
#define USERS_ITER_DEFAULT	4096
#define USERS_ITER_MIN		4096	/* RFC 7677's floor */
#define USERS_ITER_MAX		1000000
#define USERS_SALT_LEN		16	/* random bytes in a new salt */
#define USERS_SALT_MIN		8	/* bytes of a salt in the file */
#define USERS_SALT_MAX		64
#define USERS_B64_MAX		88	/* base64 of USERS_SALT_MAX bytes */
#define USERS_KEY_LEN		32	/* SHA-256 */
#define USERS_KEY_B64		44	/* base64 of a key */
/* "SCRAM-SHA-256$" iter ':' salt '$' storedkey ':' serverkey */
#define USERS_VERIFIER_MAX	(14 + 7 + 1 + USERS_B64_MAX + 1 + \
				    USERS_KEY_B64 + 1 + USERS_KEY_B64)

struct user {
	char		*name;
	char		*home;		/* beneath the root; "" is the root */
	uint8_t		 rights;	/* TFS_RIGHT_READ, maybe | WRITE */
	unsigned int	 line;		/* where the file holds it */
	unsigned int	 iter;		/* the verifier: PBKDF2 rounds, */
	char		 salt[USERS_B64_MAX + 1];	/* and base64 */
	char		 storedkey[USERS_KEY_B64 + 1];	/* strings as */
	char		 serverkey[USERS_KEY_B64 + 1];	/* gsasl takes them */
};

struct users;

/*
 * Load and check the file at path: owned by the effective uid, no
 * group or other permission bits, a regular file, every line well
 * formed, no name twice.  NULL with "FILE: why" or "FILE:LINE: why" in
 * err otherwise.  An empty file gives a table without users.
 */
struct users	*users_load(const char *path, char *err, size_t errsz);
void		 users_free(struct users *);
/* The user called name, or NULL.  The pointer lives as long as the table. */
const struct user *users_find(const struct users *, const char *name);
size_t		 users_count(const struct users *);
/* The i-th user in file order (i < users_count). */
const struct user *users_get(const struct users *, size_t i);

/* NULL when name may be a user's name, else why not. */
const char	*users_check_name(const char *name);
/* NULL when home may be a user's home (a wire path or ""), else why not. */
const char	*users_check_home(const char *home);
/* "ro" -> TFS_RIGHT_READ, "rw" -> READ | WRITE, anything else -> -1. */
int		 users_rights_parse(const char *);
const char	*users_rights_name(uint8_t rights);

/*
 * Make a verifier (the text after "home:") for password with iter
 * rounds and a fresh random salt.  0, or -1 with why in err (a
 * password SASLprep refuses).  The password is not kept anywhere.
 */
int		 users_verifier(const char *password, unsigned int iter,
		    char *out, size_t outsz, char *err, size_t errsz);

/*
 * Add name with a verifier for password, or give an existing user a
 * new one.  rights -1 and home NULL keep the user's (a new user gets
 * rw and the root).  The file is created 0600 if missing; it is
 * rewritten through a temporary file, fsync and rename, other lines
 * kept as they were.  0, or -1 with why in err.
 */
int		 users_set(const char *path, const char *name,
		    const char *password, int rights, const char *home,
		    char *err, size_t errsz);
/* Remove name.  0, 1 if there is no such user, -1 with why in err. */
int		 users_del(const char *path, const char *name, char *err,
		    size_t errsz);

#endif /* SERVER_USERS_H */
