/* strbuf.h -- a growable NUL-terminated string.  Out of memory is sticky:
 * later appends do nothing and strbuf_take returns NULL, so callers check
 * once at the end.  Start from a zeroed struct strbuf. */
#ifndef SG_STRBUF_H
#define SG_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *p;
	size_t n, cap;
	bool oom;
};

void strbuf_putn(struct strbuf *b, const char *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_putc(struct strbuf *b, char c);
/* The string (the caller frees it; "" if nothing was added), or NULL after
 * running out of memory.  The buffer is spent either way. */
char *strbuf_take(struct strbuf *b);

#endif
