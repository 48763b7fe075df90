/* auditcopy.c -- the audit checkpoints' copies outside the database. */
#include "broker/record/auditcopy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#define SUFFIX ".checkpoints"
/* Lines longer than this are not checkpoints (they are skipped whole). */
#define READ_LINE_MAX 4096
/* Most checkpoints of one log kept from one copy. */
#define COPY_MAX_LINES (16 * 1024 * 1024)

char *
auditcopy_path(const char *setting, const char *db_path, bool *none)
{
	size_t n;
	char *p;

	*none = false;
	if (setting != NULL && strcmp(setting, "none") == 0) {
		*none = true;
		return NULL;
	}
	if (setting != NULL && setting[0] != '\0')
		return strdup(setting);
	n = strlen(db_path);
	if (n > 3 && strcmp(db_path + n - 3, ".db") == 0)
		n -= 3;
	if ((p = malloc(n + sizeof SUFFIX)) == NULL)
		return NULL;
	memcpy(p, db_path, n);
	memcpy(p + n, SUFFIX, sizeof SUFFIX);
	return p;
}

static void
open_syslog(void)
{
	static bool opened;

	if (!opened) {
		openlog("sandgate", LOG_PID, LOG_AUTHPRIV);
		opened = true;
	}
}

void
auditcopy_syslog(int priority, const char *fmt, ...)
{
	va_list ap;

	open_syslog();
	va_start(ap, fmt);
	vsyslog(LOG_AUTHPRIV | priority, fmt, ap);
	va_end(ap);
}

static ssize_t
write_all(int fd, const char *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, p + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return (ssize_t)done;
}

/* Open the checkpoint file for appending: a regular file of ours, never
 * blocking.  The fd, or -1 with err. */
static int
open_copy(const struct auditcopy *o, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO put in the file's place must not stall the writer */
	fd = open(o->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the checkpoint file %s: %s", o->path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		snprintf(err, errlen, "the checkpoint file %s is not a regular file of ours: not written", o->path);
		close(fd);
		return -1;
	}
	return fd;
}

int
auditcopy_probe(const struct auditcopy *o, char *err, size_t errlen)
{
	int fd;

	if (o->path == NULL)
		return 0;
	if ((fd = open_copy(o, err, errlen)) < 0)
		return -1;
	close(fd);
	return 0;
}

int
auditcopy_publish(const struct auditcopy *o, const struct ckpt *c, char *err, size_t errlen)
{
	char line[CKPT_LINE_MAX + 2];
	size_t n = ckpt_format_line(c, line, sizeof line - 1);
	int fd, rc = 0;

	if (n == 0) {
		snprintf(err, errlen, "checkpoint #%lld cannot be formatted", (long long)c->idx);
		return -1;
	}
	if (o->syslog) {
		open_syslog();
		syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", line);
	}
	if (o->path == NULL)
		return 0;
	line[n++] = '\n';
	if ((fd = open_copy(o, err, errlen)) < 0)
		return -1;
	if (write_all(fd, line, n) < 0 || (o->fsync && fdatasync(fd) < 0)) {
		snprintf(err, errlen, "cannot append to the checkpoint file %s: %s", o->path, strerror(errno));
		rc = -1;
	}
	close(fd);
	return rc;
}

/* ---- reading a copy back ---- */

static int
keep_line(struct copy_src *s, const struct ckpt *c, int64_t lineno, size_t *cap)
{
	if (s->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct copy_line *nv;

		if (ncap > COPY_MAX_LINES || (nv = realloc(s->v, ncap * sizeof *nv)) == NULL)
			return -1;
		s->v = nv;
		*cap = ncap;
	}
	s->v[s->n].c = *c;
	s->v[s->n].lineno = lineno;
	s->n++;
	return 0;
}

/* One line (without its newline; len bytes, may hold NULs). */
static int
take_line(struct copy_src *s, const char *line, size_t len, const uint8_t *log_id, size_t *cap)
{
	const char *at = memmem(line, len, CKPT_LINE_MAGIC, sizeof CKPT_LINE_MAGIC - 1);
	struct ckpt c;
	char why[160];

	s->lines++;
	if (at == NULL)
		return 0;
	if (ckpt_parse_line(at, len - (size_t)(at - line), &c, why, sizeof why) < 0) {
		if (s->bad++ == 0) {
			s->bad_line = s->lines;
			snprintf(s->bad_why, sizeof s->bad_why, "%s", why);
		}
		return 0;
	}
	if (log_id != NULL && memcmp(c.log_id, log_id, CKPT_LOG_ID_LEN) != 0) {
		if (s->other == 0 || c.time_ms >= s->other_ms) {
			memcpy(s->other_log, c.log_id, CKPT_LOG_ID_LEN);
			s->other_seq = c.seq;
			s->other_ms = c.time_ms;
		}
		s->other++;
		return 0;
	}
	return keep_line(s, &c, s->lines, cap);
}

/* Read every line of f into s (s->name set); 0 or -1 with err. */
static int
read_stream(FILE *f, const uint8_t *log_id, struct copy_src *s, char *err, size_t errlen)
{
	char *buf = malloc(READ_LINE_MAX + 1);
	size_t cap = 0, len = 0;
	bool skipping = false;
	int c;

	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while ((c = getc_unlocked(f)) != EOF) {
		if (c != '\n') {
			if (len < READ_LINE_MAX)
				buf[len++] = (char)c;
			else
				skipping = true;
			continue;
		}
		if (skipping)
			s->lines++; /* too long to be a checkpoint: skipped */
		else if (take_line(s, buf, len, log_id, &cap) < 0)
			goto oom;
		len = 0;
		skipping = false;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read %s: %s", s->name, strerror(errno));
		free(buf);
		return -1;
	}
	if (len > 0 && !skipping && take_line(s, buf, len, log_id, &cap) < 0)
		goto oom;
	free(buf);
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory or more than %d checkpoints", s->name, COPY_MAX_LINES);
	free(buf);
	return -1;
}

int
copy_src_read(const char *path, const uint8_t *log_id, struct copy_src *s, char *err, size_t errlen)
{
	bool in = strcmp(path, "-") == 0;
	FILE *f;
	int fd, rc;

	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", in ? "stdin" : path);
	fd = in ? dup(0) : open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			return 1;
		snprintf(err, errlen, "cannot read %s: %s", s->name,
		    e == ELOOP ? "it is a symbolic link (refused)" : strerror(e));
		return -1;
	}
	if (!in) {
		struct stat st;

		/* a FIFO or a device in its place would stall or feed us forever */
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "cannot read %s: not a regular file (refused)", s->name);
			close(fd);
			return -1;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", s->name, strerror(errno));
		close(fd);
		return -1;
	}
	rc = read_stream(f, log_id, s, err, errlen);
	fclose(f);
	return rc;
}

int
copy_src_parse(const char *buf, size_t len, const uint8_t *log_id, struct copy_src *s, char *err, size_t errlen)
{
	FILE *f;
	int rc;

	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "memory");
	if (len == 0)
		return 0;
	if ((f = fmemopen((void *)buf, len, "r")) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = read_stream(f, log_id, s, err, errlen);
	fclose(f);
	return rc;
}

void
copy_src_free(struct copy_src *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
