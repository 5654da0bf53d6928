/*
 * exitcode.c -- mapping outcomes to the five exit statuses of tfs.
 *
 * The rule that matters: never 0 after a failure that counts.  In a
 * batch, a '-' line says "this may fail": its failure is reported and
 * the batch goes on with the status it had (as sftp -b and make do),
 * unless the connection is gone or Ctrl-C was pressed.
 */

#include "exitcode.h"
#include "session.h"

int
exitcode_from_sess(int rc)
{
	switch (rc) {
	case SESS_OK:
		return ST_OK;
	case SESS_LOST:
		return ST_LOST;
	case SESS_REFUSED:
		return ST_REFUSED;
	case SESS_ERROR:
	case SESS_PROTO:
	case SESS_INTR:
	default:
		return ST_FAIL;
	}
}

int
exitcode_clamp(int st)
{
	if (st < ST_OK || st > ST_REFUSED) {
		return ST_FAIL;
	}
	return st;
}

int
exitcode_merge(int a, int b)
{
	a = exitcode_clamp(a);
	b = exitcode_clamp(b);
	/* the worse one wins: refused > lost > usage > failed > ok */
	return a > b ? a : b;
}

int
exitcode_batch_continue(int st, int ignore, int interrupted)
{
	if (interrupted) {
		return 0;
	}
	if (st == ST_OK) {
		return 1;
	}
	if (st == ST_LOST) {
		return 0;
	}
	return ignore;
}

int
exitcode_batch_merge(int run, int st, int ignore, int interrupted)
{
	if (ignore && exitcode_batch_continue(st, 1, interrupted)) {
		return exitcode_clamp(run);
	}
	return exitcode_merge(run, st);
}

int
exitcode_interactive(int rc)
{
	switch (rc) {
	case SESS_OK:
		return ST_OK;
	case SESS_REFUSED:
		return ST_REFUSED;
	default:
		return ST_LOST;
	}
}
