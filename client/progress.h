/*
 * progress.h -- progress bars of transfers on stderr.  The line is built
 * by pure functions (progress_format*) that the unit tests drive; struct
 * progress decides when to draw (at most PROGRESS_INTERVAL_MS apart) and
 * smooths the rate.
 */

#ifndef CLIENT_PROGRESS_H
#define CLIENT_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#define PROGRESS_INTERVAL_MS	250	/* at most ~4 redraws a second */
#define PROGRESS_STALL_MS	5000	/* "- stalled -" after this */
#define PROGRESS_BYTES_SZ	8	/* progress_bytes' "1.5K" and a NUL */

/* What one progress line shows. */
struct progress_view {
	const char	*name;
	uint64_t	 done;		/* bytes of the file present so far */
	uint64_t	 total;		/* size of the file */
	double		 rate;		/* smoothed bytes/s (0: unknown) */
	int		 stalled;	/* no byte for PROGRESS_STALL_MS */
};

/*
 * Format the live line into buf, at most width columns (width - 1 is
 * the usual choice, so the terminal never wraps).  Returns its length.
 */
size_t	progress_format(char *buf, size_t bufsz, const struct progress_view *v,
	    int width);
/*
 * The last line of a file: "NAME SIZE in TIME (RATE/s)", or with
 * nfiles > 0 the total line "total: N files, SIZE in TIME (RATE/s)".
 * bytes are the bytes moved (not a resumed prefix).  Returns its length.
 */
size_t	progress_format_final(char *buf, size_t bufsz, const char *name,
	    unsigned nfiles, uint64_t bytes, int64_t ms, int width);
/* n in at most 4 characters: "999B", "1.5K", "12M" (PROGRESS_BYTES_SZ). */
char   *progress_bytes(char *buf, size_t bufsz, uint64_t n);
/* Seconds as "M:SS" or "H:MM:SS" ("--:--" when unknown or huge). */
char   *progress_time(char *buf, size_t bufsz, int64_t secs);
/* Seconds left at rate, or -1 when unknown. */
int64_t	progress_eta(uint64_t done, uint64_t total, double rate);
/* New smoothed rate from the old one and a sample. */
double	progress_smooth(double old, double sample);

/* A transfer being shown. */
struct progress {
	int		 on;		/* drawing at all (tty, not -q) */
	char		 name[256];
	uint64_t	 base;		/* offset it started at (resume) */
	uint64_t	 total;
	uint64_t	 done;
	int64_t		 t0;		/* ms: start */
	int64_t		 t_draw;	/* ms: last draw */
	int64_t		 t_bytes;	/* ms: last byte seen */
	uint64_t	 draw_done;	/* done at the last draw */
	double		 rate;
	int		 drawn;		/* a line is on the screen */
};

/* A multi-file operation (mget, mput, -R): the total line. */
struct progress_total {
	unsigned	 files;
	uint64_t	 bytes;
	int64_t		 t0;
};

/* Turn bars on or off for the whole run (stderr a tty and not -q). */
void	progress_enable(int on);
void	progress_start(struct progress *p, const char *name, uint64_t offset,
	    uint64_t total);
/* Bytes present now; redraws when the interval has passed. */
void	progress_update(struct progress *p, uint64_t done);
/* Nothing arrived: redraw if due, so that "stalled" shows. */
void	progress_tick(struct progress *p);
/* Done: the final line when ok, else end the bar's line. */
void	progress_end(struct progress *p, int ok);
/* Get the cursor to a fresh line before an error message. */
void	progress_break(struct progress *p);

void	progress_total_start(struct progress_total *t);
void	progress_total_add(struct progress_total *t, uint64_t bytes);
/* Print the total line (only for more than one file). */
void	progress_total_end(struct progress_total *t);

#endif /* CLIENT_PROGRESS_H */
