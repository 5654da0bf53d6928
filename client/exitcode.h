/*
 * exitcode.h -- the exit status of tfs (INTERFACE.md): 0 everything
 * succeeded, 1 a command failed, 2 bad usage, 3 could not connect or the
 * connection was lost, 4 the server refused (sign-in failed or is
 * required, the address is not allowed or has too many connections).
 * Pure rules, so that every mode applies the same.
 */

#ifndef CLIENT_EXITCODE_H
#define CLIENT_EXITCODE_H

enum tfs_status {
	ST_OK = 0,
	ST_FAIL = 1,
	ST_USAGE = 2,
	ST_LOST = 3,
	ST_REFUSED = 4,
};

/* What a session-level outcome (enum sess_rc of session.h) means. */
int	exitcode_from_sess(int rc);
/*
 * The status of a run after commands that ended in a and then b: the
 * worse one, in the order 4, 3, 2, 1, 0.
 */
int	exitcode_merge(int a, int b);
/*
 * Batch mode: 1 if the batch goes on after a command that ended in st
 * (ignore: its line started with '-'), 0 if it stops there.  A lost
 * connection or an interrupt stops it even under '-'.
 */
int	exitcode_batch_continue(int st, int ignore, int interrupted);
/*
 * Batch mode: the status of the run after a command that ended in st on
 * a line with ignore set or not.  A failure on a '-' line that lets the
 * batch go on leaves the status as it was.
 */
int	exitcode_batch_merge(int run, int st, int ignore, int interrupted);
/*
 * Interactive mode: the status the shell exits with when the user leaves
 * (quit, Ctrl-D, end of input: rc SESS_OK) or when the connection could
 * not be made again (rc the session's outcome: 3, or 4 when refused).
 * Failed commands at the prompt are reported, not counted.
 */
int	exitcode_interactive(int rc);
/* Clamp anything else to the five documented values. */
int	exitcode_clamp(int st);

#endif /* CLIENT_EXITCODE_H */
