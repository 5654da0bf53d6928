/*
 * remote.h -- the requests of TFS/1 as calls that return data: the
 * entries of a folder, the entry of one path, the requests answered OK,
 * the digest of a file.  Commands and completion both use them.  Prints
 * nothing: a failure is a session result, described in s->errmsg.
 */

#ifndef CLIENT_REMOTE_H
#define CLIENT_REMOTE_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "session.h"

#define REMOTE_MAX_ENTRIES	(4 * 1024 * 1024)	/* more is hostile */

/* One entry of a remote folder, or a STAT (name NULL). */
struct rent {
	char		*name;
	uint64_t	 size;
	int64_t		 mtime;
	uint32_t	 mode;
	uint8_t		 kind;		/* TFS_KIND_FILE or TFS_KIND_DIR */
};

/* The entries of a remote folder, sorted as the server sent them. */
struct rlist {
	struct rent	*ents;
	size_t		 n;
	size_t		 dropped;	/* names left out (see remote_list) */
};

/*
 * LIST of folder path (wire form) into *l.  Names are checked: an entry
 * whose name could not be a single path component ("../x", "a/b",
 * control bytes) is left out, so it is never shown nor used as a local
 * file name.  On failure *l is empty.
 */
enum sess_rc	remote_list(struct session *s, const char *path,
		    struct rlist *l);
void		remote_list_free(struct rlist *l);
/* 1 when a name is one path component the server could have. */
int		remote_name_ok(const uint8_t *p, size_t len);
/* STAT of path into *e (e->name NULL). */
enum sess_rc	remote_stat(struct session *s, const char *path,
		    struct rent *e);
/* STAT of path, which must be a folder: a file is SESS_ERROR NOT_A_DIR. */
enum sess_rc	remote_stat_dir(struct session *s, const char *path);
enum sess_rc	remote_delete(struct session *s, const char *path);
enum sess_rc	remote_mkdir(struct session *s, const char *path);
/*
 * MKDIR path, where a folder already there is as good; a file there is
 * SESS_ERROR NOT_A_DIR.  The root is always there.
 */
enum sess_rc	remote_mkdir_ok(struct session *s, const char *path);
enum sess_rc	remote_rename(struct session *s, const char *from,
		    const char *to);
/* UTIME: the modification time of path. */
enum sess_rc	remote_utime(struct session *s, const char *path,
		    int64_t mtime);
/* SHA-256 of file path by SUM. */
enum sess_rc	remote_sum(struct session *s, const char *path,
		    uint8_t out[DIGEST_SHA256_LEN]);

#endif /* CLIENT_REMOTE_H */
