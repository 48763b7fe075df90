/* pathvar.c -- PATH set on the command line (see pathvar.h). */
#include "broker/intent/pathvar.h"

#include <string.h>

/* Is the entry the previous value: $PATH or ${PATH} (left as written:
 * sandgate does not know the environment's PATH)? */
static bool
is_prev(const char *s, size_t n)
{
	return (n == 5 && memcmp(s, "$PATH", 5) == 0) || (n == 7 && memcmp(s, "${PATH}", 7) == 0);
}

/* Does one entry lead somewhere a person should look at? */
static bool
entry_outside(struct walk *w, const char *s, size_t n)
{
	struct intent_ctx *x = w->x;
	char buf[4096];
	const char *p;
	size_t len;
	enum pclass c;

	if (is_prev(s, n))
		return false;
	if (memchr(s, '$', n) != NULL || memchr(s, '`', n) != NULL)
		return true; /* named at run time */
	if (n >= 1 && s[0] == '~' && (n == 1 || s[1] == '/')) {
		size_t hl = x->env.home != NULL ? strlen(x->env.home) : 0;

		if (hl == 0 || hl + n >= sizeof buf)
			return true;
		memcpy(buf, x->env.home, hl);
		memcpy(buf + hl, s + 1, n - 1);
		s = buf;
		n = hl + n - 1;
	}
	if (n == 0) {
		s = ".";
		n = 1; /* an empty entry is the cwd */
	}
	if (s[0] != '/' && w->cwd == NULL)
		return true;
	if ((p = wk_norm_path(x, w->cwd, s, n, &len)) == NULL)
		return true;
	if (tables_bindir(x->t, p, len))
		return false;
	c = intent_classify(x, p, len);
	return c != PC_WORKSPACE && c != PC_WORKSPACE_ROOT;
}

void
wk_path_var(struct walk *w, int ci, const struct rword *r)
{
	const char *eq = memchr(r->s, '=', r->n), *v, *e;

	if (eq == NULL)
		return;
	v = eq + 1;
	e = r->s + r->n;
	for (;;) {
		const char *c = memchr(v, ':', (size_t)(e - v));
		size_t n = c != NULL ? (size_t)(c - v) : (size_t)(e - v);

		if (entry_outside(w, v, n)) {
			intent_signal(w->x, ci, "path-override", n > 0 ? v : r->s, n > 0 ? n : r->n);
			return;
		}
		if (c == NULL)
			break;
		v = c + 1;
	}
}
