/* strbuf.c -- a growable NUL-terminated string (strbuf.h). */
#include "proto/strbuf.h"

#include <stdlib.h>
#include <string.h>

void
strbuf_putn(struct strbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *np;

		while (cap < b->n + n + 1)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void
strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_putn(b, s, strlen(s));
}

void
strbuf_putc(struct strbuf *b, char c)
{
	strbuf_putn(b, &c, 1);
}

char *
strbuf_take(struct strbuf *b)
{
	char *p = b->p;

	b->p = NULL;
	b->n = b->cap = 0;
	if (b->oom) {
		free(p);
		return NULL;
	}
	return p != NULL ? p : strdup("");
}
