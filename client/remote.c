/*
 * remote.c -- TFS/1 requests as calls that return data.
 *
 * Everything the server sends is checked here before anyone uses it: a
 * LIST entry of an unknown kind or a reply of the wrong type ends the
 * connection with a protocol error, and names that could not be one
 * path component are dropped, so that "get -R" and mget never write
 * outside their target folder.  Nothing here prints.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "remote.h"

static enum sess_rc	remote_call(struct session *, const struct tfs_msg *);
static enum sess_rc	remote_list_entry(struct session *,
			    const struct tfs_msg *, struct rlist *, size_t *,
			    size_t);
static enum sess_rc	remote_nomem(struct session *);

int
remote_name_ok(const uint8_t *p, size_t len)
{
	if (len == 0 || len > PATH_COMP_MAX || memchr(p, '/', len) != NULL) {
		return 0;
	}
	/* ".", "..", control bytes, ".tfs-": the wire rules for a name */
	return path_check((const char *)p, len, 0) == PATH_OK;
}

void
remote_list_free(struct rlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->ents[i].name);
	}
	free(l->ents);
	memset(l, 0, sizeof(*l));
}

/* Out of memory inside a reply: the rest of it is still on the wire. */
static enum sess_rc
remote_nomem(struct session *s)
{
	session_drop(s);
	(void)snprintf(s->errmsg, sizeof(s->errmsg), "out of memory");
	return SESS_ERROR;
}

/*
 * One frame of a LIST reply before its END (the seen-th): an ENTRY is
 * checked and, when its name may be used, added to l (*cap: room).
 */
static enum sess_rc
remote_list_entry(struct session *s, const struct tfs_msg *m,
    struct rlist *l, size_t *cap, size_t seen)
{
	struct rent	*ne, *e;

	if (m->type == TFS_ERROR) {
		return session_error(s, m);
	}
	if (m->type != TFS_ENTRY) {
		return session_proto(s, "%s in reply to LIST",
		    tfs_type_name(m->type));
	}
	if (m->kind != TFS_KIND_FILE && m->kind != TFS_KIND_DIR) {
		return session_proto(s, "LIST: entry of kind 0x%02x",
		    m->kind);
	}
	if (!remote_name_ok(m->name.p, m->name.len)) {
		/* no request could reach it: never shown, never a file */
		l->dropped++;
		return SESS_OK;
	}
	if (l->n == *cap) {
		if (seen >= REMOTE_MAX_ENTRIES) {
			return session_proto(s, "LIST: too many entries");
		}
		*cap = *cap ? *cap * 2 : 64;
		if ((ne = reallocarray(l->ents, *cap, sizeof(*ne))) == NULL) {
			return remote_nomem(s);
		}
		l->ents = ne;
	}
	e = &l->ents[l->n];
	if ((e->name = strndup((const char *)m->name.p, m->name.len)) ==
	    NULL) {
		return remote_nomem(s);
	}
	e->size = m->size;
	e->mtime = m->mtime;
	e->mode = m->mode;
	e->kind = m->kind;
	l->n++;
	return SESS_OK;
}

enum sess_rc
remote_list(struct session *s, const char *path, struct rlist *l)
{
	struct tfs_msg	 req = { .type = TFS_LIST }, m;
	enum sess_rc	 rc;
	size_t		 cap = 0, seen = 0;

	memset(l, 0, sizeof(*l));
	req.path = tfs_str_c(path);
	rc = session_call(s, &req, &m, SESSION_REPLY_MS);
	while (rc == SESS_OK && m.type != TFS_END) {
		rc = remote_list_entry(s, &m, l, &cap, ++seen);
		if (rc == SESS_OK) {
			rc = session_recv(s, &m, SESSION_REPLY_MS);
		}
	}
	if (rc == SESS_AGAIN) {
		rc = session_lost(s, ETIMEDOUT);
	}
	if (rc == SESS_OK && m.count != seen) {
		rc = session_proto(s, "LIST: END %llu after %zu entries",
		    (unsigned long long)m.count, seen);
	}
	if (rc != SESS_OK) {
		remote_list_free(l);
	}
	return rc;
}

enum sess_rc
remote_stat(struct session *s, const char *path, struct rent *e)
{
	struct tfs_msg	 req = { .type = TFS_STAT }, m;
	enum sess_rc	 rc;

	req.path = tfs_str_c(path);
	if ((rc = session_call(s, &req, &m, SESSION_REPLY_MS)) != SESS_OK) {
		return rc;
	}
	if (m.type != TFS_ENTRY) {
		return session_proto(s, "%s in reply to STAT",
		    tfs_type_name(m.type));
	}
	if (m.kind != TFS_KIND_FILE && m.kind != TFS_KIND_DIR) {
		return session_proto(s, "STAT: bad kind");
	}
	memset(e, 0, sizeof(*e));
	e->size = m.size;
	e->mtime = m.mtime;
	e->mode = m.mode;
	e->kind = m.kind;
	return SESS_OK;
}

enum sess_rc
remote_stat_dir(struct session *s, const char *path)
{
	struct rent	 e;
	enum sess_rc	 rc;

	if ((rc = remote_stat(s, path, &e)) != SESS_OK) {
		return rc;
	}
	return e.kind == TFS_KIND_DIR ? SESS_OK :
	    session_fail(s, TFS_ENOT_A_DIR);
}

/* A request answered by OK. */
static enum sess_rc
remote_call(struct session *s, const struct tfs_msg *req)
{
	struct tfs_msg	 m;
	enum sess_rc	 rc;

	if ((rc = session_call(s, req, &m, SESSION_REPLY_MS)) != SESS_OK) {
		return rc;
	}
	if (m.type != TFS_OK) {
		return session_proto(s, "%s in reply to %s",
		    tfs_type_name(m.type), tfs_type_name(req->type));
	}
	return SESS_OK;
}

enum sess_rc
remote_delete(struct session *s, const char *path)
{
	struct tfs_msg	 req = { .type = TFS_DELETE };

	req.path = tfs_str_c(path);
	return remote_call(s, &req);
}

enum sess_rc
remote_mkdir(struct session *s, const char *path)
{
	struct tfs_msg	 req = { .type = TFS_MKDIR };

	req.path = tfs_str_c(path);
	return remote_call(s, &req);
}

enum sess_rc
remote_mkdir_ok(struct session *s, const char *path)
{
	enum sess_rc	 rc;

	if (*path == '\0') {
		return SESS_OK;
	}
	rc = remote_mkdir(s, path);
	if (rc == SESS_ERROR && s->err_code == TFS_EEXISTS) {
		rc = remote_stat_dir(s, path);
	}
	return rc;
}

enum sess_rc
remote_utime(struct session *s, const char *path, int64_t mtime)
{
	struct tfs_msg	 req = { .type = TFS_UTIME };

	req.path = tfs_str_c(path);
	req.mtime = mtime;
	return remote_call(s, &req);
}

enum sess_rc
remote_rename(struct session *s, const char *from, const char *to)
{
	struct tfs_msg	 req = { .type = TFS_RENAME };

	req.path = tfs_str_c(from);
	req.to = tfs_str_c(to);
	return remote_call(s, &req);
}

enum sess_rc
remote_sum(struct session *s, const char *path,
    uint8_t out[DIGEST_SHA256_LEN])
{
	struct tfs_msg	 req = { .type = TFS_SUM }, rep;
	enum sess_rc	 rc;

	req.path = tfs_str_c(path);
	/* hashing a big file takes the server a while: no reply timeout */
	if ((rc = session_call(s, &req, &rep, -1)) != SESS_OK) {
		return rc;
	}
	if (rep.type != TFS_DIGEST) {
		return session_proto(s, "%s in reply to SUM",
		    tfs_type_name(rep.type));
	}
	if (rep.algo.len != 6 || memcmp(rep.algo.p, "sha256", 6) != 0 ||
	    rep.digest.len != DIGEST_SHA256_LEN) {
		return session_proto(s, "DIGEST is not a SHA-256");
	}
	memcpy(out, rep.digest.p, DIGEST_SHA256_LEN);
	return SESS_OK;
}
