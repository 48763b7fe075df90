/* spelling.c -- spellings that hide a known command from the tables:
 *
 *  - look-alike dashes in option position (U+2010-U+2015, U+2212, U+FE58,
 *    U+FE63, U+FF0D: `git reset ‐‐hard`, `rm —rf`): the word is matched as if
 *    written with ASCII dashes (an en or em dash, or a horizontal bar, before a
 *    long name stands for "--", as typographic autocorrection makes it), and the
 *    command gets `lookalike-dash` (the program itself sees another word, so the
 *    spelling is a disguise, not a typing habit);
 *  - a program or a subcommand in odd case (`GIT reset`, `git RESET --HARD`):
 *    matched as the lower-case one it spells, with `odd-case`.  git and most
 *    CLIs are case-sensitive, but on a case-insensitive file system (macOS,
 *    Windows) `GIT` finds `git`, and `git RESET` can reach git-reset through the
 *    exec path; scoring the worst reading is the safe side.  Only a subcommand
 *    the commands table knows in lower case is folded (with the long options of
 *    the command, `--HARD`); short options keep their case (-D is not -d).
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"

#include <ctype.h>
#include <string.h>

/* Length of the look-alike dash at s (0 if none); *long_dash for the ones
 * autocorrection makes of "--". */
static size_t
lookalike(const unsigned char *s, size_t n, bool *long_dash)
{
	*long_dash = false;
	if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] >= 0x90 && s[2] <= 0x95) {
		*long_dash = s[2] >= 0x93; /* en dash, em dash, horizontal bar */
		return 3;
	}
	if (n >= 3 && s[0] == 0xE2 && s[1] == 0x88 && s[2] == 0x92) /* minus sign */
		return 3;
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xB9 && (s[2] == 0x98 || s[2] == 0xA3)) /* small em dash, small hyphen */
		return 3;
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBC && s[2] == 0x8D) /* fullwidth hyphen-minus */
		return 3;
	return 0;
}

void
wk_spell_dashes(struct intent_ctx *x, int ci, struct rword *rw, size_t n)
{
	bool flagged = false;

	for (size_t k = 0; k < n; k++) {
		const unsigned char *s = (const unsigned char *)rw[k].s;
		size_t len = rw[k].n, i = 0, dashes = 0, l;
		bool any = false, longd = false, ld;
		char *t;

		/* a quoted message with blanks ("—fix the build") is text, not an option */
		if ((rw[k].f & RW_QUOTED) && memchr(rw[k].s, ' ', rw[k].n) != NULL)
			continue;
		while (i < len) {
			if (s[i] == '-') {
				i++;
			} else if ((l = lookalike(s + i, len - i, &ld)) > 0) {
				i += l;
				any = true;
				longd |= ld;
			} else {
				break;
			}
			dashes++;
		}
		if (!any || i >= len)
			continue;
		/* "—hard" and "––hard" are "--hard"; "–rf" is "-rf" */
		if (dashes == 1 && !(longd && len - i >= 3))
			dashes = 1;
		else
			dashes = 2;
		if ((t = arena_alloc(x->a, dashes + (len - i) + 1)) == NULL) {
			wk_oomf(x);
			return;
		}
		memset(t, '-', dashes);
		memcpy(t + dashes, s + i, len - i);
		t[dashes + len - i] = '\0';
		rw[k].s = t;
		rw[k].n = dashes + len - i;
		if (rw[k].unk_at != SIZE_MAX)
			rw[k].unk_at = rw[k].unk_at > i ? rw[k].unk_at - i + dashes : 0;
		if (!flagged) {
			intent_signal(x, ci, "lookalike-dash", (const char *)s, len);
			flagged = true;
		}
	}
}

static bool
has_upper(const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (isupper((unsigned char)s[k]))
			return true;
	return false;
}

const struct prog *
wk_spell_program(struct intent_ctx *x, int ci, char *name, size_t bl)
{
	char low[256];
	const struct prog *pg;
	struct intent_cmd *c;

	if (bl == 0 || bl >= sizeof low || !has_upper(name, bl))
		return NULL;
	for (size_t k = 0; k < bl; k++)
		low[k] = (char)tolower((unsigned char)name[k]);
	low[bl] = '\0';
	if ((pg = tables_prog(x->t, low)) == NULL)
		return NULL;
	memcpy(name, low, bl + 1);
	c = wk_cmd_at(x, ci);
	c->program = wk_xdup(x, low, bl);
	/* cmd and PowerShell commands are case-insensitive: DEL is normal there */
	if (tables_win(x->t, low) == NULL)
		intent_signal(x, ci, "odd-case", c->argv0 != NULL ? c->argv0 : low, strlen(c->argv0 != NULL ? c->argv0 : low));
	return pg;
}

void
wk_spell_sub(struct intent_ctx *x, int ci, struct args *a)
{
	struct intent_cmd *c = wk_cmd_at(x, ci);
	const struct cmdrule *const *v;
	size_t n, sl;
	char *low;
	bool known = false;

	if (c == NULL || c->program == NULL || c->sub == NULL || !has_upper(c->sub, sl = strlen(c->sub)))
		return;
	if ((low = wk_xdup(x, c->sub, sl)) == NULL)
		return;
	for (size_t k = 0; k < sl; k++)
		low[k] = (char)tolower((unsigned char)low[k]);
	v = tables_cmdrules(x->t, c->program, &n);
	for (size_t k = 0; k < n && !known; k++)
		for (size_t j = 0; j < v[k]->subs.n && !known; j++)
			known = glob_match(v[k]->subs.v[j], low, sl, false);
	if (!known)
		return;
	intent_signal(x, ci, "odd-case", c->sub, sl);
	c->sub = low;
	for (size_t k = 0; k < a->nopts; k++) {
		struct opt *o = &a->opts[k];
		char *f;

		if (o->nlen < 3 || o->name[1] != '-' || !has_upper(o->name, o->nlen))
			continue;
		if ((f = wk_xdup(x, o->name, o->nlen)) == NULL)
			return;
		for (size_t j = 0; j < o->nlen; j++)
			f[j] = (char)tolower((unsigned char)f[j]);
		o->name = f;
	}
}
