/*
 * progress.c -- progress bars on stderr.
 *
 * The formatting functions are pure and never write more than the width
 * they are given; the drawing side only asks the clock, the terminal's
 * width (again after SIGWINCH) and writes one "\r...\033[K" per redraw.
 * Nothing here ever touches stdout: it belongs to the commands' output.
 */

#include <sys/ioctl.h>

#include <libutil.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "intr.h"
#include "progress.h"
#include "xio.h"

#define PROGRESS_NAME_MIN	8	/* shortest name field worth showing */
#define PROGRESS_BAR_MIN	12	/* narrowest bar, brackets included */
#define PROGRESS_BAR_MAX	42

static size_t	progress_name(char *, size_t, const char *, size_t, int);
static int	progress_begin(char *, size_t, int *);
static size_t	progress_fields(char *, size_t, const struct progress_view *,
		    size_t, int);
static size_t	progress_left(char *, size_t, const struct progress_view *,
		    size_t, size_t);
static void	progress_draw(struct progress *, int64_t);
static int	progress_width(void);
static void	progress_put(const char *, size_t);

static int	progress_on;
static int	progress_cols;

char *
progress_bytes(char *buf, size_t bufsz, uint64_t n)
{
	char	 tmp[PROGRESS_BYTES_SZ];

	if (n > INT64_MAX) {
		n = INT64_MAX;
	}
	/* 5 bytes: at most 4 characters, "1023" never shows ("1.0K") */
	if (humanize_number(tmp, 5, (int64_t)n, "", HN_AUTOSCALE,
	    HN_DECIMAL | HN_NOSPACE | HN_B) == -1) {
		(void)strlcpy(tmp, "?", sizeof(tmp));
	}
	(void)strlcpy(buf, tmp, bufsz);
	return buf;
}

char *
progress_time(char *buf, size_t bufsz, int64_t secs)
{
	if (secs < 0 || secs > 99 * 3600 + 59 * 60 + 59) {
		(void)snprintf(buf, bufsz, "--:--");
	} else if (secs < 3600) {
		(void)snprintf(buf, bufsz, "%d:%02d", (int)(secs / 60),
		    (int)(secs % 60));
	} else {
		(void)snprintf(buf, bufsz, "%d:%02d:%02d", (int)(secs / 3600),
		    (int)(secs / 60 % 60), (int)(secs % 60));
	}
	return buf;
}

int64_t
progress_eta(uint64_t done, uint64_t total, double rate)
{
	double	 left;

	if (done >= total) {
		return 0;
	}
	if (rate < 1.0) {
		return -1;
	}
	left = (double)(total - done) / rate;
	if (left > 1e9) {
		return -1;
	}
	/* round up: "0:00" only once it is done */
	return (int64_t)left + ((double)(int64_t)left < left ? 1 : 0);
}

double
progress_smooth(double old, double sample)
{
	if (old <= 0.0) {
		return sample;
	}
	/* an exponential average: steady, yet follows a change in ~1 s */
	return old * 0.7 + sample * 0.3;
}

/*
 * name into a field of exactly field bytes: cut with "..." when too long
 * (never inside a UTF-8 sequence), padded with blanks when pad is set.
 */
static size_t
progress_name(char *out, size_t outsz, const char *name, size_t field,
    int pad)
{
	size_t	 len = strlen(name), n, o;

	if (field + 1 > outsz) {
		field = outsz - 1;
	}
	if (len <= field) {
		n = len;
		memcpy(out, name, n);
		o = n;
	} else {
		n = field >= 6 ? field - 3 : field;
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80) {
			n--;
		}
		memcpy(out, name, n);
		o = n;
		if (field >= 6) {
			memcpy(out + o, "...", 3);
			o += 3;
		}
	}
	while (pad && o < field) {
		out[o++] = ' ';
	}
	out[o] = '\0';
	return o;
}

/*
 * Start a line of at most *width columns in buf: empty, and *width cut
 * to what buf holds.  0 when not even one column fits.
 */
static int
progress_begin(char *buf, size_t bufsz, int *width)
{
	if (bufsz == 0) {
		return 0;
	}
	buf[0] = '\0';
	if (*width < 1) {
		return 0;
	}
	if ((size_t)*width >= bufsz) {
		*width = (int)(bufsz - 1);
	}
	return 1;
}

/*
 * The fields right of the bar into right: the widest set of percentage,
 * bytes, rate and ETA that leaves field columns of width for the name.
 * Returns its length.
 */
static size_t
progress_fields(char *right, size_t rightsz, const struct progress_view *v,
    size_t field, int width)
{
	char		 bytes[PROGRESS_BYTES_SZ], hb[PROGRESS_BYTES_SZ];
	char		 pct[8], rate[16], eta[24], t[16];
	unsigned	 percent;
	size_t		 rlen = 0;
	int64_t		 secs;
	int		 level;

	percent = v->total == 0 ? 100 :
	    (unsigned)((double)v->done * 100.0 / (double)v->total);
	(void)snprintf(pct, sizeof(pct), "%3u%%", percent > 100 ? 100 :
	    percent);
	progress_bytes(bytes, sizeof(bytes), v->done);
	if (v->rate >= 1.0) {
		progress_bytes(hb, sizeof(hb), (uint64_t)v->rate);
		(void)snprintf(rate, sizeof(rate), "%s/s", hb);
	} else {
		(void)snprintf(rate, sizeof(rate), "--/s");
	}
	if (v->stalled) {
		(void)snprintf(eta, sizeof(eta), "- stalled -");
	} else if ((secs = progress_eta(v->done, v->total, v->rate)) >= 0) {
		(void)snprintf(eta, sizeof(eta), "ETA %s",
		    progress_time(t, sizeof(t), secs));
	} else {
		(void)snprintf(eta, sizeof(eta), "ETA --:--");
	}
	for (level = 0; level < 4; level++) {
		if (level == 0) {
			(void)snprintf(right, rightsz, " %s %4s %6s %11s",
			    pct, bytes, rate, eta);
		} else if (level == 1) {
			(void)snprintf(right, rightsz, " %s %4s %11s", pct,
			    bytes, eta);
		} else if (level == 2) {
			(void)snprintf(right, rightsz, " %s %11s", pct, eta);
		} else {
			(void)snprintf(right, rightsz, " %s", pct);
		}
		rlen = strlen(right);
		if (rlen + field <= (size_t)width) {
			break;
		}
	}
	return rlen;
}

/*
 * Left of the fields, in room columns: the name, then a bar as wide as
 * what is left (capped); or the name alone when a bar does not fit
 * beside field columns of it.  Returns the length.
 */
static size_t
progress_left(char *buf, size_t bufsz, const struct progress_view *v,
    size_t room, size_t field)
{
	char	 name[512];
	size_t	 namelen = strlen(v->name), bar, inner, fill, i, o;

	if (room < field + 1 + PROGRESS_BAR_MIN) {
		return progress_name(buf, bufsz, v->name, room, 1);
	}
	field = namelen < room - 1 - PROGRESS_BAR_MIN ? namelen :
	    room - 1 - PROGRESS_BAR_MIN;
	bar = room - field - 1;
	if (bar > PROGRESS_BAR_MAX) {
		bar = PROGRESS_BAR_MAX;
	}
	progress_name(name, sizeof(name), v->name, room - bar - 1, 1);
	o = (size_t)snprintf(buf, bufsz, "%s [", name);
	inner = bar - 2;
	fill = v->total == 0 ? inner :
	    (size_t)((double)inner * (double)v->done / (double)v->total);
	if (fill > inner) {
		fill = inner;
	}
	for (i = 0; i < inner; i++) {
		buf[o++] = i < fill ? '=' : (i == fill ? '>' : ' ');
	}
	buf[o++] = ']';
	buf[o] = '\0';
	return o;
}

size_t
progress_format(char *buf, size_t bufsz, const struct progress_view *v,
    int width)
{
	char		 right[64];
	size_t		 rlen, namelen, field, o;

	if (!progress_begin(buf, bufsz, &width)) {
		return 0;
	}
	/* the widest set of fields that leaves room for some of the name */
	namelen = strlen(v->name);
	field = namelen < PROGRESS_NAME_MIN ? namelen : PROGRESS_NAME_MIN;
	rlen = progress_fields(right, sizeof(right), v, field, width);
	if (rlen > (size_t)width) {
		/* not even the percentage fits: as much of it as does */
		(void)strlcpy(buf, right + 1, (size_t)width + 1);
		return strlen(buf);
	}
	o = progress_left(buf, bufsz, v, (size_t)width - rlen, field);
	(void)strlcpy(buf + o, right, bufsz - o);
	return strlen(buf);
}

size_t
progress_format_final(char *buf, size_t bufsz, const char *name,
    unsigned nfiles, uint64_t bytes, int64_t ms, int width)
{
	char	 b[PROGRESS_BYTES_SZ], r[PROGRESS_BYTES_SZ];
	char	 t[16], tail[96], head[64], nm[512];
	double	 rate;
	size_t	 tlen, hlen;

	if (!progress_begin(buf, bufsz, &width)) {
		return 0;
	}
	if (ms < 1) {
		ms = 1;
	}
	rate = (double)bytes * 1000.0 / (double)ms;
	(void)snprintf(tail, sizeof(tail), " %s in %s (%s/s)",
	    progress_bytes(b, sizeof(b), bytes),
	    progress_time(t, sizeof(t), (ms + 500) / 1000),
	    progress_bytes(r, sizeof(r), (uint64_t)rate));
	if (nfiles > 0) {
		(void)snprintf(head, sizeof(head), "total: %u file%s,", nfiles,
		    nfiles == 1 ? "" : "s");
		name = head;
	}
	tlen = strlen(tail);
	hlen = strlen(name);
	if (tlen + 1 > (size_t)width) {
		/* drop the name; cut the rest to the width */
		(void)strlcpy(buf, tail + 1, (size_t)width + 1);
		return strlen(buf);
	}
	if (hlen + tlen > (size_t)width) {
		hlen = (size_t)width - tlen;
	}
	progress_name(nm, sizeof(nm), name, hlen, 0);
	(void)snprintf(buf, bufsz, "%s%s", nm, tail);
	return strlen(buf);
}

/* Columns of the terminal on stderr, asked again after SIGWINCH. */
static int
progress_width(void)
{
	struct winsize	 ws;

	if (progress_cols == 0 || intr_winch_take()) {
		progress_cols = 80;
		if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 &&
		    ws.ws_col > 0) {
			progress_cols = ws.ws_col;
		}
	}
	return progress_cols;
}

static void
progress_put(const char *s, size_t n)
{
	ssize_t	 w;

	/* stderr is unbuffered; a failed write of a bar is not worth more */
	while (n > 0 && (w = write(STDERR_FILENO, s, n)) > 0) {
		s += w;
		n -= (size_t)w;
	}
}

void
progress_enable(int on)
{
	progress_on = on;
}

void
progress_start(struct progress *p, const char *name, uint64_t offset,
    uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->on = progress_on;
	(void)strlcpy(p->name, name, sizeof(p->name));
	p->base = p->done = p->draw_done = offset;
	p->total = total;
	p->t0 = p->t_bytes = xio_now_ms();
	if (p->on) {
		progress_draw(p, p->t0);
	}
}

static void
progress_draw(struct progress *p, int64_t now)
{
	struct progress_view	 v;
	char			 line[1024];
	size_t			 n;
	int64_t			 dt;

	dt = now - p->t_draw;
	if (p->drawn && dt > 0) {
		p->rate = progress_smooth(p->rate,
		    (double)(p->done - p->draw_done) * 1000.0 / (double)dt);
	}
	p->t_draw = now;
	p->draw_done = p->done;
	v.name = p->name;
	v.done = p->done;
	v.total = p->total;
	v.rate = p->rate;
	v.stalled = now - p->t_bytes >= PROGRESS_STALL_MS;
	line[0] = '\r';
	n = 1 + progress_format(line + 1, sizeof(line) - 8, &v,
	    progress_width() - 1);
	memcpy(line + n, "\033[K", 3);
	progress_put(line, n + 3);
	p->drawn = 1;
}

void
progress_update(struct progress *p, uint64_t done)
{
	int64_t	 now;

	if (done == p->done && p->drawn) {
		progress_tick(p);
		return;
	}
	now = xio_now_ms();
	if (done != p->done) {
		p->t_bytes = now;
	}
	p->done = done;
	if (p->on && now - p->t_draw >= PROGRESS_INTERVAL_MS) {
		progress_draw(p, now);
	}
}

void
progress_tick(struct progress *p)
{
	int64_t	 now;

	if (!p->on) {
		return;
	}
	now = xio_now_ms();
	if (now - p->t_draw >= PROGRESS_INTERVAL_MS) {
		progress_draw(p, now);
	}
}

void
progress_break(struct progress *p)
{
	if (p->on && p->drawn) {
		progress_put("\n", 1);
		p->drawn = 0;
	}
}

void
progress_end(struct progress *p, int ok)
{
	char	 line[1024];
	size_t	 n;

	if (!p->on) {
		return;
	}
	if (!ok) {
		progress_break(p);
		return;
	}
	line[0] = '\r';
	n = 1 + progress_format_final(line + 1, sizeof(line) - 8, p->name, 0,
	    p->done - p->base, xio_now_ms() - p->t0, progress_width() - 1);
	memcpy(line + n, "\033[K\n", 4);
	progress_put(line, n + 4);
	p->drawn = 0;
}

void
progress_total_start(struct progress_total *t)
{
	memset(t, 0, sizeof(*t));
	t->t0 = xio_now_ms();
}

void
progress_total_add(struct progress_total *t, uint64_t bytes)
{
	t->files++;
	t->bytes += bytes;
}

void
progress_total_end(struct progress_total *t)
{
	char	 line[1024];
	size_t	 n;

	if (!progress_on || t->files < 2) {
		return;
	}
	n = progress_format_final(line, sizeof(line) - 8, "", t->files,
	    t->bytes, xio_now_ms() - t->t0, progress_width() - 1);
	memcpy(line + n, "\033[K\n", 4);
	progress_put(line, n + 4);
}
