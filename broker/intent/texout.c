/* texout.c -- files a program's own text writes (texout.h). */
#include "broker/intent/texout.h"
#include "broker/intent/intent.h"

#include <ctype.h>
#include <string.h>

static bool
name_end(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '{' || c == '}' || c == '%';
}

/* After the prefix: blanks, the handle (\name or a number), blanks, an optional '='
 * and blanks, then the file name (braced, or up to a blank, brace, % or the
 * next control sequence). */
static int
one_name(struct intent_ctx *x, int ci, const char *p, const char *e)
{
	const char *b, *q;

	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p < e && *p == '\\') {
		p++;
		while (p < e && (isalpha((unsigned char)*p) || *p == '@'))
			p++;
	} else {
		while (p < e && isdigit((unsigned char)*p))
			p++;
	}
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p < e && *p == '=')
		p++;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p < e && *p == '{') {
		b = ++p;
		q = memchr(p, '}', (size_t)(e - p));
		if (q == NULL)
			q = e;
	} else {
		b = p;
		q = p;
		while (q < e && !name_end(*q) && !(*q == '\\' && q > b))
			q++;
	}
	if (q == b)
		return 0;
	if (*b == '\\') /* a macro (\jobname.aux): TeX's own name, in its directory */
		return 0;
	return intent_add_path_here(x, ci, b, (size_t)(q - b), EFF_OVERWRITE);
}

int
wk_text_outfiles(struct intent_ctx *x, int ci, const struct strlist *pre, const char *s, size_t n)
{
	const char *e = s + n;

	for (size_t k = 0; k < pre->n; k++) {
		size_t pl = strlen(pre->v[k]);
		const char *p = s;

		while (p < e && (p = memmem(p, (size_t)(e - p), pre->v[k], pl)) != NULL) {
			p += pl;
			/* \openoutx is another control sequence */
			if (p < e && isalpha((unsigned char)*p) && pre->v[k][pl - 1] != ' ')
				continue;
			if (one_name(x, ci, p, e) < 0)
				return -1;
		}
	}
	return 0;
}
