/*
 * signin.c -- AUTH and STEP of one connection (signin.h).
 *
 * auth.c runs the SCRAM exchange; this file answers with its results
 * and, after WELCOME, makes the user's home the connection's root:
 * resolved beneath the served folder like any client path, so a home
 * that is missing, a file, or a symbolic link leading out fails the
 * sign-in (logged for the administrator, AUTH_FAILED for the client).
 * The auth state is made on the first AUTH only: a connection that
 * never signs in never pays for GNU SASL.
 *
 * Failed sign-ins count against the peer's address in a table all
 * workers share: ADDRTAB_FAIL_MAX within a minute, and that address
 * gets AUTH_FAILED at once, saying for how long, for a time that grows
 * with each block.  Never logs a password or a proof, nor sends the
 * client why a sign-in failed; never sleeps.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addrtab.h"
#include "auth.h"
#include "config.h"
#include "log.h"
#include "ops.h"
#include "proto.h"
#include "resolve.h"
#include "signin.h"
#include "xio.h"

static int	signin_home(struct ops_req *, const char *, const char *);
static void	signin_failed(struct ops_req *, const char *);
static int	signin_blocked(struct ops_req *);
static void	signin_name(struct ops_req *, const char *);

void
signin_init(struct signin *si, const struct serve_shared *sh,
    const struct sockaddr_storage *addr, const char *peer)
{
	memset(si, 0, sizeof(*si));
	si->users = sh->users;
	si->secret = sh->secret;
	si->addrtab = addr != NULL ? sh->addrtab : NULL;
	si->addr = addr;
	si->peer = peer;
	si->home_fd = -1;
}

void
signin_end(struct signin *si)
{
	auth_free(si->auth);
	si->auth = NULL;
	if (si->home_fd != -1) {
		close(si->home_fd);
		si->home_fd = -1;
	}
}

int
signin_pending(const struct signin *si)
{
	return si->auth != NULL && auth_pending(si->auth);
}

/* The name tried goes where the log line shows a path. */
static void
signin_name(struct ops_req *r, const char *name)
{
	(void)strlcpy(r->path, name, sizeof(r->path));
}

/*
 * AUTH_FAILED, the same words whatever went wrong; why is for the log.
 * The failure counts against the peer's address, in every worker: the
 * one that blocks it says so in the log.
 */
static void
signin_failed(struct ops_req *r, const char *why)
{
	struct signin	*si = r->ctx->signin;
	int		 secs;

	ops_fail(r, TFS_EAUTH_FAILED, NULL);
	r->note = why;
	if (si->addrtab != NULL && addrtab_auth_failed(si->addrtab, si->addr,
	    xio_now_ms(), &secs) == 1) {
		log_warnx("%s: %d failed sign-ins within %d s: no sign-in "
		    "from this address for %d s", si->peer, ADDRTAB_FAIL_MAX,
		    ADDRTAB_WINDOW_MS / 1000, secs);
	}
}

/*
 * An address that failed too often is refused at once, with how long
 * it must wait: no worker sleeps to slow a guesser down.  1 when
 * answered so.
 */
static int
signin_blocked(struct ops_req *r)
{
	struct signin	*si = r->ctx->signin;
	int		 secs;

	if (si->addrtab == NULL || r->ctx->user != NULL ||
	    addrtab_auth_blocked(si->addrtab, si->addr, xio_now_ms(),
	    &secs) == 0) {
		return 0;
	}
	ops_fail(r, TFS_EAUTH_FAILED, "too many failed sign-ins from this "
	    "address: try again in %d s", secs);
	r->note = "address blocked";
	return 1;
}

void
signin_auth(struct ops_req *r, const struct tfs_msg *m)
{
	struct signin		*si = r->ctx->signin;
	struct auth_reply	 reply;
	struct tfs_msg		 out;
	enum auth_rc		 rc;

	if (signin_blocked(r)) {
		return;
	}
	if (si->auth == NULL && (si->auth = auth_new(si->users,
	    si->secret)) == NULL) {
		ops_fail(r, TFS_EIO, "sign-in is not available now");
		r->note = "no memory for a sign-in";
		return;
	}
	rc = auth_start(si->auth, (const char *)m->mech.p, m->mech.len,
	    (const char *)m->sasl.p, m->sasl.len, &reply);
	signin_name(r, auth_name(si->auth));
	switch (rc) {
	case AUTH_CHALLENGE:
		memset(&out, 0, sizeof(out));
		out.type = TFS_CHALLENGE;
		out.sasl.p = (const uint8_t *)reply.msg;
		out.sasl.len = (uint16_t)reply.len;
		ops_send(r, &out);
		break;
	case AUTH_UNSUPPORTED:
		ops_fail(r, TFS_EUNSUPPORTED, "%s",
		    si->users == NULL || users_count(si->users) == 0 ?
		    "this server has no users" : "only " AUTH_MECH);
		break;
	case AUTH_DENIED:
		ops_fail(r, TFS_EDENIED, "already signed in");
		break;
	case AUTH_PROTOCOL:
		ops_fail(r, TFS_EPROTOCOL, "AUTH during a sign-in exchange");
		break;
	default:
		signin_failed(r, auth_why(si->auth));
		break;
	}
}

void
signin_step(struct ops_req *r, const struct tfs_msg *m)
{
	struct signin		*si = r->ctx->signin;
	struct auth_reply	 reply;
	struct tfs_msg		 out;
	enum auth_rc		 rc;

	if (si->auth == NULL) {
		ops_fail(r, TFS_EPROTOCOL, "STEP without an exchange");
		return;
	}
	rc = auth_step(si->auth, (const char *)m->sasl.p, m->sasl.len,
	    &reply);
	signin_name(r, auth_name(si->auth));
	if (rc == AUTH_PROTOCOL) {
		ops_fail(r, TFS_EPROTOCOL, "STEP without an exchange");
		return;
	}
	if (rc != AUTH_WELCOME) {
		signin_failed(r, auth_why(si->auth));
		return;
	}
	if (signin_home(r, reply.user, reply.home) == -1) {
		/* the proof was good, the account is not: start over, and
		   this is no guess to count against the address */
		auth_free(si->auth);
		si->auth = NULL;
		ops_fail(r, TFS_EAUTH_FAILED, NULL);
		r->note = "home folder not usable";
		return;
	}
	(void)strlcpy(si->user, reply.user, sizeof(si->user));
	r->ctx->user = si->user;
	r->ctx->rights = reply.rights;
	memset(&out, 0, sizeof(out));
	out.type = TFS_WELCOME;
	out.user = tfs_str_c(si->user);
	/* what the user may do here: a read-only server takes no change */
	out.rights = cfg.read_only ? reply.rights & TFS_RIGHT_READ :
	    reply.rights;
	out.sasl.p = (const uint8_t *)reply.msg;
	out.sasl.len = (uint16_t)reply.len;
	ops_send(r, &out);
}

/*
 * Make user's home ("" is the served folder) the connection's root:
 * looked up beneath the served folder with its confinement, kept open
 * for the connection's life.  Its path, for the links that name it
 * absolutely, is where the kernel found it.  0, or -1 after a log line.
 */
static int
signin_home(struct ops_req *r, const char *user, const char *home)
{
	struct signin	*si = r->ctx->signin;
	struct stat	 st;
	char		 proc[64];
	ssize_t		 n;
	int		 fd;

	if (home[0] == '\0') {
		return 0;
	}
	if ((fd = resolve_node(&r->ctx->root, home, &st)) == -1) {
		log_warn("user %s: home %s", user, home);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_warnx("user %s: home %s is not a folder", user, home);
		close(fd);
		return -1;
	}
	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlinkat(AT_FDCWD, proc, si->home, sizeof(si->home) - 1);
	if (n <= 0 || si->home[0] != '/') {
		n = snprintf(si->home, sizeof(si->home), "%s/%s",
		    r->ctx->root.path, home);
		if (n < 0 || (size_t)n >= sizeof(si->home)) {
			log_warnx("user %s: home %s: path too long", user,
			    home);
			close(fd);
			return -1;
		}
	} else {
		si->home[n] = '\0';
	}
	si->home_fd = fd;
	r->ctx->root.fd = fd;
	r->ctx->root.path = si->home;
	return 0;
}
