/* jarcli.c -- `java -jar CLI.jar ARGS`: a command-line client shipped as a jar
 * (jenkins-cli.jar, ...).  The jar's base name without ".jar" and a trailing
 * version ("jenkins-cli-2.401.jar" -> "jenkins-cli") is looked up in
 * tables/programs; when the tables know it, the words after the jar are split
 * with that entry and the commands table and the verbs of tables/services are
 * applied under its name, as if the CLI had been run by that name.
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"

#include <ctype.h>
#include <string.h>

/* "dir/jenkins-cli-2.401.jar" -> "jenkins-cli" in buf; false when not a jar. */
static bool
jar_name(const struct rword *r, char *buf, size_t cap)
{
	const char *b = memrchr(r->s, '/', r->n);
	size_t n;

	b = b != NULL ? b + 1 : r->s;
	n = r->n - (size_t)(b - r->s);
	if ((r->f & RW_UNKNOWN) || n <= 4 || strncasecmp(b + n - 4, ".jar", 4) != 0)
		return false;
	n -= 4;
	/* a version: -DIGITS[.DIGITS...][-SUFFIX] */
	for (size_t k = 1; k + 1 < n; k++)
		if (b[k] == '-' && isdigit((unsigned char)b[k + 1])) {
			n = k;
			break;
		}
	if (n == 0 || n >= cap)
		return false;
	for (size_t k = 0; k < n; k++)
		buf[k] = (char)tolower((unsigned char)b[k]);
	buf[n] = '\0';
	return true;
}

void
wk_jar_cli(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct prog *pg;
	struct args *a;
	char name[64];
	size_t j = 0, rest;

	if (an->pg == NULL || (strcmp(an->pg->name, "java") != 0 && strcmp(an->pg->name, "jrunscript") != 0))
		return;
	for (; j < an->n; j++) {
		const struct rword *r = &an->rw[j];

		if ((wk_word_is(r, "-jar") || wk_word_is(r, "--jar")) && j + 1 < an->n) {
			j++;
			break;
		}
		if (r->n > 5 && memcmp(r->s, "-jar=", 5) == 0)
			return; /* not a java spelling */
	}
	if (j >= an->n || !jar_name(&an->rw[j], name, sizeof name) || (pg = tables_prog(x->t, name)) == NULL)
		return;
	rest = an->n - j - 1;
	if ((a = arena_zalloc(x->tmp, sizeof *a)) == NULL ||
	    (a->pos = arena_alloc(x->tmp, (rest + 1) * sizeof *a->pos)) == NULL ||
	    (a->opts = arena_alloc(x->tmp, (rest + 1) * sizeof *a->opts)) == NULL ||
	    (a->inl = arena_alloc(x->tmp, (rest + 1) * sizeof *a->inl)) == NULL) {
		wk_oomf(x);
		return;
	}
	wk_split_args(pg, an->rw + j + 1, rest, a);
	{
		const char *sub = NULL;
		struct intent_cmd *c = wk_cmd(an);

		if (pg->sub && a->npos > 0 && (sub = wk_xdup(x, a->pos[0]->s, a->pos[0]->n)) == NULL)
			return;
		if (c->sub == NULL && sub != NULL)
			c->sub = sub;
		if (!wk_apply_cmdrules(x, an->ci, pg->name, sub, a, sub != NULL ? 1 : 0, pg->long1))
			wk_sig(x, an->ci, "jar-cli-other");
	}
}
