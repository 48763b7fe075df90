/* pathglob.c -- a path with a part known only at run time, as a glob.
 *
 * `cat /proc/$(pgrep -f app)/environ`, `cat /home/$USER/.aws/credentials`:
 * the expansion in the middle is unknown, but the literal parts around it
 * still say what the path is.  The word's unknown parts (an unresolved
 * $NAME, ${...}, $(...) or `...`, as words.c leaves them in the resolved
 * text) become "*", so the paths table can judge the result like any other
 * glob (/proc/STAR/environ is a secret, /home/STAR/.aws/credentials too).
 * Only words with literal text after their first unknown part are turned
 * into globs: a path that ends in the unknown part is judged by the
 * directory it starts in (paths.c), as before.
 */
#include "broker/intent/walk.h"
#include "broker/intent/arena.h"

#include <string.h>

/* Length of the expansion starting at s[0] ('$' or '`'), at most n. */
static size_t
expansion_len(const char *s, size_t n)
{
	size_t k;

	if (n == 0)
		return 0;
	if (s[0] == '`') {
		for (k = 1; k < n; k++)
			if (s[k] == '`' && s[k - 1] != '\\')
				return k + 1;
		return n;
	}
	if (n < 2)
		return 1;
	if (s[1] == '(' || s[1] == '{') {
		char open = s[1], close = open == '(' ? ')' : '}';
		int depth = 0;

		for (k = 1; k < n; k++) {
			if (s[k] == open)
				depth++;
			else if (s[k] == close && --depth == 0)
				return k + 1;
		}
		return n;
	}
	for (k = 1; k < n && (s[k] == '_' || (s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
	                          (k > 1 && s[k] >= '0' && s[k] <= '9'));
	     k++)
		;
	if (k == 1 && n > 1 && strchr("@*#?$!-0123456789", s[1]) != NULL)
		k = 2; /* $1, $$, $@ ... */
	return k;
}

/* The glob for r (its unknown parts as "*") in the arena, or NULL when r has
 * no literal text after its first unknown part or is not worth it. */
char *
wk_runtime_glob(struct intent_ctx *x, const struct rword *r, size_t *outlen)
{
	size_t n = r->n, k, o;
	bool lit_after = false;
	char *g;

	if (r->unk_at == SIZE_MAX || r->unk_at >= n || n > 4096)
		return NULL;
	if ((g = arena_alloc(x->tmp, n + 2)) == NULL)
		return NULL;
	memcpy(g, r->s, r->unk_at);
	o = r->unk_at;
	for (k = r->unk_at; k < n;) {
		char ch = r->s[k];

		if (ch == '$' || ch == '`') {
			size_t e = expansion_len(r->s + k, n - k);

			if (e == 0)
				e = 1;
			if (o == 0 || g[o - 1] != '*')
				g[o++] = '*';
			k += e;
			continue;
		}
		/* a glob character in the literal text stays one; a quote would not
		 * survive the shell: drop it */
		if (ch != '"' && ch != '\'') {
			g[o++] = ch;
			lit_after = true;
		}
		k++;
	}
	g[o] = '\0';
	if (!lit_after)
		return NULL;
	*outlen = o;
	return g;
}

/* A Windows drive path (C:/Users/x, "D:\work\app"): agents under Git Bash,
 * MSYS or Cygwin name files so, and there it is absolute, /c/Users/x.  The
 * MSYS spelling in the arena (backslashes as slashes), or NULL when s is not
 * one. */
char *
wk_drive_path(struct intent_ctx *x, const char *s, size_t n, size_t *outlen)
{
	char *p;

	if (n < 3 || s[1] != ':' || (s[2] != '/' && s[2] != '\\') ||
	    !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return NULL;
	if ((p = arena_alloc(x->tmp, n + 1)) == NULL)
		return NULL;
	p[0] = '/';
	p[1] = (char)(s[0] | 0x20);
	for (size_t k = 2; k < n; k++)
		p[k] = s[k] == '\\' ? '/' : s[k];
	p[n] = '\0';
	*outlen = n;
	return p;
}
