/* log.c -- timestamped one-line log messages. */
#include "proto/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static FILE *log_file;

void
log_set_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;

	if (f != NULL) {
		setvbuf(f, NULL, _IOLBF, 0);
		log_file = f;
	}
}

int
log_fd(void)
{
	return log_file != NULL ? fileno(log_file) : -1;
}

void
log_msg(const char *fmt, ...)
{
	FILE *f = log_file != NULL ? log_file : stderr;
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	va_list ap;

	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	fprintf(f, "%s sandgate-broker: ", stamp);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}
