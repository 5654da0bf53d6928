/*
 * entry.c -- the requests answered with ENTRY frames: LIST (the
 * children of a folder, sorted, then END) and STAT (one file or folder).
 *
 * Both describe what a name leads to inside the root, and build the
 * ENTRY from a stat in one place.  LIST shows regular files and folders
 * only: special files, names no request could reach, links leading out
 * or nowhere, and the server's own reserved files are left out (old
 * partials met on the way are expired).  Never changes a client's file.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ops.h"
#include "partial.h"
#include "path.h"
#include "proto.h"
#include "resolve.h"
#include "space.h"

/* The fields of an ENTRY but its name. */
struct entry {
	uint64_t	 size;
	int64_t		 mtime;
	uint32_t	 mode;
	uint8_t		 kind;
};

/* A child of a listed folder, kept until the list is sorted. */
struct entry_child {
	char		*name;
	struct entry	 e;
};

/* The children LIST shows. */
struct entry_list {
	struct entry_child	*v;
	size_t			 n, cap;
};

static void	entry_fill(struct entry *, const struct stat *);
static void	entry_msg(struct tfs_msg *, const struct entry *,
		    const char *);
static int	entry_name_ok(const char *);
static int	entry_shown(struct ops_req *, int, const char *,
		    struct entry *);
static int	entry_add(struct entry_list *, const char *,
		    const struct entry *);
static void	entry_free(struct entry_list *);
static int	entry_read(struct ops_req *, int, struct entry_list *);
static int	entry_cmp(const void *, const void *);

/* The ENTRY fields of st, a regular file or a folder. */
static void
entry_fill(struct entry *e, const struct stat *st)
{
	e->kind = S_ISDIR(st->st_mode) ? TFS_KIND_DIR : TFS_KIND_FILE;
	e->size = S_ISDIR(st->st_mode) ? 0 : (uint64_t)st->st_size;
	e->mtime = (int64_t)st->st_mtime;
	e->mode = (uint32_t)(st->st_mode & 07777);
}

/* The ENTRY message of e under name. */
static void
entry_msg(struct tfs_msg *m, const struct entry *e, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->type = TFS_ENTRY;
	m->kind = e->kind;
	m->size = e->size;
	m->mtime = e->mtime;
	m->mode = e->mode;
	m->name = tfs_str_c(name);
}

/*
 * A name a client could ask for again: no control bytes (those break
 * the path rules, so such an entry could never be reached anyway).
 */
static int
entry_name_ok(const char *name)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			return 0;
		}
	}
	return 1;
}

/*
 * Whether LIST shows the child name of folder dfd (r->path), and as
 * what (*e): a regular file or folder, a symbolic link judged by what
 * it leads to inside the root.  An old partial is expired on the way.
 * 1 shown, 0 left out.
 */
static int
entry_shown(struct ops_req *r, int dfd, const char *name, struct entry *e)
{
	char		 full[PATH_MAX_LEN + 1];
	struct stat	 st;
	uint64_t	 size;
	int		 fd;

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		return 0;
	}
	if (partial_reserved(name)) {
		if (!cfg.read_only && partial_expire(dfd, name,
		    cfg.partial_max_age, &size) == 1) {
			space_kept_take(r->ctx->space, size);
		}
		return 0;
	}
	if (!entry_name_ok(name) ||
	    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		if (path_join(r->path, name, full, sizeof(full)) == -1 ||
		    (fd = resolve_node(&r->ctx->root, full, &st)) == -1) {
			return 0;
		}
		close(fd);
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		return 0;
	}
	entry_fill(e, &st);
	return 1;
}

/* Keep a copy of name with e.  0, or -1 (ENOMEM). */
static int
entry_add(struct entry_list *l, const char *name, const struct entry *e)
{
	struct entry_child	*nv;
	size_t			 cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		if ((nv = reallocarray(l->v, cap, sizeof(*nv))) == NULL) {
			return -1;
		}
		l->v = nv;
		l->cap = cap;
	}
	if ((l->v[l->n].name = strdup(name)) == NULL) {
		return -1;
	}
	l->v[l->n].e = *e;
	l->n++;
	return 0;
}

static void
entry_free(struct entry_list *l)
{
	while (l->n > 0) {
		free(l->v[--l->n].name);
	}
	free(l->v);
	l->v = NULL;
	l->cap = 0;
}

/* Read the children of folder dfd (r->path) that LIST shows.  0 or -1. */
static int
entry_read(struct ops_req *r, int dfd, struct entry_list *l)
{
	struct dirent	*de;
	struct entry	 e;
	DIR		*d;
	int		 fd, saved;

	if ((fd = dup(dfd)) == -1) {
		return -1;
	}
	if ((d = fdopendir(fd)) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			break;
		}
		if (entry_shown(r, dfd, de->d_name, &e) &&
		    entry_add(l, de->d_name, &e) == -1) {
			break;
		}
	}
	saved = errno;
	closedir(d);
	if (saved != 0) {
		entry_free(l);
		errno = saved;
		return -1;
	}
	return 0;
}

/* Bytewise order of names, as PROTOCOL.md wants for LIST. */
static int
entry_cmp(const void *a, const void *b)
{
	const struct entry_child	*x = a, *y = b;

	return strcmp(x->name, y->name);
}

void
entry_list(struct ops_req *r, const struct tfs_msg *m)
{
	struct entry_list	 l = { NULL, 0, 0 };
	struct tfs_msg		 e;
	size_t			 i;
	int			 dfd, rc;

	(void)m;
	if ((dfd = resolve_dir(&r->ctx->root, r->path)) == -1) {
		ops_fail_errno(r, errno, NULL);
		return;
	}
	rc = entry_read(r, dfd, &l);
	close(dfd);
	if (rc == -1) {
		ops_fail_errno(r, errno, NULL);
		return;
	}
	if (l.n > 1) {
		qsort(l.v, l.n, sizeof(*l.v), entry_cmp);
	}
	for (i = 0; i < l.n; i++) {
		entry_msg(&e, &l.v[i].e, l.v[i].name);
		ops_send(r, &e);
	}
	memset(&e, 0, sizeof(e));
	e.type = TFS_END;
	e.count = l.n;
	ops_send(r, &e);
	entry_free(&l);
}

void
entry_stat(struct ops_req *r, const struct tfs_msg *m)
{
	struct entry	 e;
	struct tfs_msg	 msg;
	struct stat	 st;
	int		 fd;

	(void)m;
	if ((fd = resolve_node(&r->ctx->root, r->path, &st)) == -1) {
		ops_fail_errno(r, errno, NULL);
		return;
	}
	close(fd);
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		ops_fail_errno(r, RESOLVE_ESPECIAL, NULL);
		return;
	}
	entry_fill(&e, &st);
	entry_msg(&msg, &e, path_basename(r->path));
	ops_send(r, &msg);
}
