/*
 * exitcode.c -- mapping outcomes to the four exit statuses of tfs.
 *
 * The rule that matters: never 0 after a failure.  A command ignored with
 * '-' in a batch still makes the run end with 1, since INTERFACE.md gives
 * 0 only when all commands succeeded; '-' only means "go on".
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
	if (st < ST_OK || st > ST_LOST) {
		return ST_FAIL;
	}
	return st;
}

int
exitcode_merge(int a, int b)
{
	a = exitcode_clamp(a);
	b = exitcode_clamp(b);
	/* the worse one wins: lost > usage > failed > ok */
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
exitcode_interactive(int lost)
{
	return lost ? ST_LOST : ST_OK;
}
