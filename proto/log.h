/* log.h -- the broker's log: stderr in the foreground, broker.log otherwise. */
#ifndef SG_LOG_H
#define SG_LOG_H

void log_set_file(const char *path);
/* The log file's descriptor, or -1 when logging to stderr. */
int log_fd(void);
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
