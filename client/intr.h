/*
 * intr.h -- the client's signals: SIGINT aborts what is running (through
 * a flag and a self-pipe every wait can watch), SIGWINCH marks the
 * terminal size stale, SIGPIPE is ignored.  Handlers only set flags.
 */

#ifndef CLIENT_INTR_H
#define CLIENT_INTR_H

/* Install the handlers and the self-pipe.  0 or -1. */
int	intr_init(void);
/*
 * In a child just forked: a self-pipe of its own, so that its Ctrl-C
 * and its parent's are told apart.  0 or -1.
 */
int	intr_fork(void);
/* Read end of the self-pipe: readable once Ctrl-C was pressed. */
int	intr_fd(void);
/* 1 when Ctrl-C was pressed since the last intr_clear(). */
int	intr_pending(void);
/* Forget a pending Ctrl-C and drain the pipe. */
void	intr_clear(void);
/* 1 (once) when the window size changed since the last call. */
int	intr_winch_take(void);
/*
 * Sleep ms milliseconds unless Ctrl-C comes first.  0 after the full
 * sleep, -1 when interrupted.
 */
int	intr_sleep(int ms);

#endif /* CLIENT_INTR_H */
