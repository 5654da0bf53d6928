/*
 * cmd_mirror.c -- mirror (lftp's): make one folder tree like another,
 * moving only what differs.
 *
 *	mirror [-n] [--delete] [--checksum] [-j N] REMOTE LOCAL
 *	mirror -R [-n] [--delete] [--checksum] [-j N] LOCAL REMOTE
 *
 * Both trees are listed first.  A file is copied when the target lacks
 * it or has another size or modification time (with --checksum: when
 * the sizes or the SHA-256 of SUM differ); times are always kept, so a
 * second run finds nothing to do.  --delete removes what the source no
 * longer has.  The plan then runs as get -R's does (plan.c), on -j N
 * connections.  Ends with a summary line.
 */

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_impl.h"
#include "exitcode.h"
#include "plan.h"
#include "progress.h"
#include "remote.h"
#include "walk.h"
#include "xio.h"

/* One mirror being planned. */
struct mirror {
	struct client	*cl;
	struct plan_opts o;
	int		 delete, checksum;
	char		 src[PATH_MAX], dst[PATH_MAX];	/* the tops */
	const char	*shown_src, *shown_dst;
	int64_t		 src_mtime;
	struct wtree	 st, dt;		/* the trees */
	int		 dst_exists;	/* the target's top, before */
	struct plan	 plan;
	size_t		 same, removed;
	char		 what[PATH_MAX + 32];
};

static int	mirror_tops(struct mirror *, struct cmdctx *);
static int	mirror_walk(struct mirror *);
static int	mirror_differs(struct mirror *, const struct wentry *,
		    const struct wentry *);
static int	mirror_plan(struct mirror *);
static int	mirror_add(struct mirror *, enum plan_kind,
		    const struct wentry *, int);
static void	mirror_summary(struct mirror *, uint64_t, int64_t);

/*
 * The two tops: the source must be a folder; the target is one, or
 * does not exist yet.  ST_OK or a status after the message.
 */
static int
mirror_tops(struct mirror *m, struct cmdctx *x)
{
	struct session	*s = &m->cl->sess;
	struct rent	 e;
	struct stat	 sb;
	enum sess_rc	 rc;
	const char	*rw = m->o.put ? x->argv[1] : x->argv[0];
	const char	*lw = m->o.put ? x->argv[0] : x->argv[1];
	char		*rtop = m->o.put ? m->dst : m->src;
	char		*ltop = m->o.put ? m->src : m->dst;

	m->shown_src = x->argv[0];
	m->shown_dst = x->argv[1];
	if (cmd_rpath(m->cl, x->what, rw, rtop) == -1 ||
	    strlcpy(ltop, lw, PATH_MAX) >= PATH_MAX) {
		return ST_FAIL;
	}
	rc = remote_stat(s, rtop, &e);
	if (rc == SESS_OK && e.kind != TFS_KIND_DIR) {
		rc = session_fail(s, TFS_ENOT_A_DIR);
	}
	if (!m->o.put) {
		m->src_mtime = e.mtime;
		return session_report(s, rc, m->what);
	}
	if (rc != SESS_OK && !(rc == SESS_ERROR &&
	    s->err_code == TFS_ENOT_FOUND)) {
		return session_report(s, rc, m->what);
	}
	if (stat(ltop, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		warnx("%s: %s: not a local folder", m->what, ltop);
		return ST_FAIL;
	}
	m->src_mtime = sb.st_mtime;
	return ST_OK;
}

/* Both trees; a target that does not exist yet is empty. */
static int
mirror_walk(struct mirror *m)
{
	struct session	*s = &m->cl->sess;
	struct rent	 e;
	struct stat	 sb;
	int		 st;

	if (m->o.put) {
		st = walk_local(m->what, m->src, &m->st);
		if (st == ST_OK && remote_stat(s, m->dst, &e) == SESS_OK) {
			m->dst_exists = 1;
			st = walk_remote(s, m->what, m->dst, m->shown_dst,
			    &m->dt);
		}
		return st;
	}
	st = walk_remote(s, m->what, m->src, m->shown_src, &m->st);
	if ((st == ST_OK || st == ST_FAIL) && stat(m->dst, &sb) == 0) {
		m->dst_exists = 1;
		st = exitcode_merge(st, walk_local(m->what, m->dst, &m->dt));
	}
	return st;
}

/*
 * 1 when file d of the target is not file e of the source: size, then
 * time, or with --checksum the SHA-256 of both sides.
 */
static int
mirror_differs(struct mirror *m, const struct wentry *e,
    const struct wentry *d)
{
	uint8_t		 mine[DIGEST_SHA256_LEN], theirs[DIGEST_SHA256_LEN];
	char		 lp[PATH_MAX], rp[PATH_MAX];
	const char	*ltop = m->o.put ? m->src : m->dst;
	const char	*rtop = m->o.put ? m->dst : m->src;
	int		 fd, r;

	if (d->kind != TFS_KIND_FILE || d->size != e->size) {
		return 1;
	}
	if (!m->checksum) {
		return d->mtime != e->mtime;
	}
	if (walk_join(ltop, e->rel, lp, sizeof(lp)) == -1 ||
	    walk_join(rtop, e->rel, rp, sizeof(rp)) == -1 ||
	    remote_sum(&m->cl->sess, rp, theirs) != SESS_OK) {
		return 1;
	}
	if ((fd = open(lp, O_RDONLY | O_CLOEXEC)) == -1) {
		return 1;
	}
	r = digest_sha256_fd(fd, mine);
	close(fd);
	return r == -1 || memcmp(mine, theirs, sizeof(mine)) != 0;
}

/* One step for entry e (of the source, or of the target to remove). */
static int
mirror_add(struct mirror *m, enum plan_kind kind, const struct wentry *e,
    int exists)
{
	char	 src[PATH_MAX], dst[PATH_MAX], sh[PATH_MAX];
	int	 r;

	if (walk_join(m->src, e->rel, src, sizeof(src)) == -1 ||
	    walk_join(m->dst, e->rel, dst, sizeof(dst)) == -1 ||
	    walk_join(kind == PLAN_DEL ? m->shown_dst : m->shown_src, e->rel,
	    sh, sizeof(sh)) == -1) {
		warnx("%s: %s: path too long", m->what, e->rel);
		return ST_FAIL;
	}
	r = plan_add(&m->plan, kind, src, dst, sh, e->size, e->mtime);
	if (r == -1) {
		warnx("%s: out of memory", m->what);
		return ST_FAIL;
	}
	m->plan.v[m->plan.n - 1].is_dir = e->kind == TFS_KIND_DIR;
	m->plan.v[m->plan.n - 1].exists = (uint8_t)exists;
	return ST_OK;
}

/* The steps: what differs, then (--delete) what the source lacks. */
static int
mirror_plan(struct mirror *m)
{
	struct wentry	*e, *d;
	const char	*slash;
	char		 parent[PATH_MAX];
	size_t		 i;
	int		 st = ST_OK;

	if (plan_add(&m->plan, PLAN_DIR, m->src, m->dst, m->shown_src, 0,
	    m->src_mtime) == -1) {
		return ST_FAIL;
	}
	/* -n says mkdir only for what is missing */
	m->plan.v[m->plan.n - 1].exists = (uint8_t)m->dst_exists;
	for (i = 0; i < m->st.n && st != ST_USAGE; i++) {
		e = &m->st.v[i];
		if ((d = walk_find(&m->dt, e->rel)) != NULL) {
			d->seen = 1;
		}
		if (d != NULL && d->kind != e->kind) {
			warnx("%s: %s: a %s on one side, a %s on the other; "
			    "left alone", m->what, e->rel, e->kind ==
			    TFS_KIND_DIR ? "folder" : "file", e->kind ==
			    TFS_KIND_DIR ? "file" : "folder");
			st = ST_FAIL;
		} else if (e->kind == TFS_KIND_DIR) {
			st = exitcode_merge(st, mirror_add(m, PLAN_DIR, e,
			    d != NULL));
		} else if (d == NULL || mirror_differs(m, e, d)) {
			st = exitcode_merge(st, mirror_add(m, PLAN_FILE, e,
			    0));
		} else {
			m->same++;
		}
	}
	for (i = 0; i < m->dt.n && m->delete && st != ST_USAGE; i++) {
		d = &m->dt.v[i];
		if (d->seen) {
			continue;
		}
		/* only the top of what goes: a folder takes its contents */
		if ((slash = strrchr(d->rel, '/')) != NULL) {
			(void)snprintf(parent, sizeof(parent), "%.*s",
			    (int)(slash - d->rel), d->rel);
			if ((e = walk_find(&m->dt, parent)) != NULL &&
			    !e->seen) {
				continue;
			}
		}
		if (mirror_add(m, PLAN_DEL, d, 1) == ST_OK) {
			m->removed++;
		} else {
			st = ST_FAIL;
		}
	}
	return st;
}

/* "mirror: 3 of 10 files copied, 1.5M in 0:02 (750K/s), 1 removed" */
static void
mirror_summary(struct mirror *m, uint64_t moved, int64_t ms)
{
	char	 b[PROGRESS_BYTES_SZ], r[PROGRESS_BYTES_SZ], t[16];

	progress_bytes(b, sizeof(b), moved);
	progress_bytes(r, sizeof(r), ms > 0 ? (uint64_t)((double)moved *
	    1000.0 / (double)ms) : moved);
	progress_time(t, sizeof(t), ms / 1000);
	printf("%s: %zu of %zu files %s, %s (%llu bytes) in %s (%s/s), "
	    "%zu up to date, %zu %sremoved\n", m->o.verb, m->plan.files,
	    m->plan.files + m->same, m->o.dry_run ? "to copy" : "copied",
	    b, (unsigned long long)(m->o.dry_run ? m->plan.bytes : moved),
	    t, r, m->same, m->removed, m->o.dry_run ? "to be " : "");
}

int
cmd_mirror(struct client *cl, struct cmdctx *x)
{
	struct mirror	 m;
	const char	*errstr = NULL, *j;
	uint64_t	 moved = 0;
	int64_t		 t0 = xio_now_ms();
	int		 st;

	memset(&m, 0, sizeof(m));
	m.cl = cl;
	m.o.verb = x->name;
	m.o.put = (x->opts & CMDLINE_OPT('R')) != 0;
	m.o.dry_run = (x->opts & CMDLINE_OPT('n')) != 0;
	m.o.preserve = 1;
	m.o.xo = cl->xo;
	m.o.jobs = 1;
	m.delete = (x->opts & CMDLINE_OPT('e')) != 0;
	m.checksum = (x->opts & CMDLINE_OPT('c')) != 0;
	(void)strlcpy(m.what, x->what, sizeof(m.what));
	if ((j = x->ov.arg['j' - 'A']) != NULL) {
		m.o.jobs = (int)strtonum(j, 1, PLAN_JOBS_MAX, &errstr);
		if (errstr != NULL) {
			warnx("%s: -j %s: %s", x->what, j, errstr);
			return ST_USAGE;
		}
	}
	if ((st = mirror_tops(&m, x)) == ST_OK &&
	    ((st = mirror_walk(&m)) == ST_OK || st == ST_FAIL)) {
		if (st != ST_OK && m.delete) {
			/* what was skipped would look gone from the source */
			warnx("%s: not all was listed: nothing removed",
			    x->what);
			m.delete = 0;
		}
		st = exitcode_merge(st, mirror_plan(&m));
		if (st == ST_OK || st == ST_FAIL) {
			st = exitcode_merge(st, plan_run(cl, &m.plan, &m.o,
			    &moved));
			if (!cl->sess.quiet || m.o.dry_run) {
				mirror_summary(&m, moved, xio_now_ms() - t0);
			}
		}
	}
	walk_free(&m.st);
	walk_free(&m.dt);
	plan_free(&m.plan);
	return st;
}
