/* risk.c -- reasons and the score (see risk.h). */
#include "broker/intent/risk.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
risk_level(int score)
{
	if (score >= RISK_CRITICAL)
		return "critical";
	if (score >= RISK_HIGH)
		return "high";
	if (score >= RISK_MEDIUM)
		return "medium";
	return "low";
}

struct acc {
	arena *a;
	struct risk_reason *v;
	size_t n, cap;
	size_t dropped;
};

/* Keep the strongest RISK_MAX_REASONS * 4 candidates while collecting. */
static int
add(struct acc *acc, const char *id, const char *text, int weight, const char *part, size_t partlen)
{
	struct risk_reason *nv;

	if (weight <= 0)
		return 0;
	for (size_t k = 0; k < acc->n; k++)
		if (acc->v[k].id == id && acc->v[k].partlen == partlen &&
		    (acc->v[k].part == part || (part != NULL && acc->v[k].part != NULL &&
		                                   memcmp(acc->v[k].part, part, partlen) == 0))) {
			if (weight > acc->v[k].weight)
				acc->v[k].weight = weight;
			return 0;
		}
	if (acc->n >= RISK_MAX_REASONS * 4) {
		size_t weak = 0;

		for (size_t k = 1; k < acc->n; k++)
			if (acc->v[k].weight < acc->v[weak].weight)
				weak = k;
		acc->dropped++;
		if (acc->v[weak].weight >= weight)
			return 0;
		acc->v[weak] = (struct risk_reason){ id, text, weight, part, partlen };
		return 0;
	}
	nv = arena_grow(acc->a, acc->v, acc->n, &acc->cap, sizeof *nv);
	if (nv == NULL)
		return -1;
	acc->v = nv;
	acc->v[acc->n++] = (struct risk_reason){ id, text, weight, part, partlen };
	return 0;
}

static int
by_weight(const void *pa, const void *pb)
{
	const struct risk_reason *a = pa, *b = pb;

	if (a->weight != b->weight)
		return b->weight - a->weight;
	return strcmp(a->id, b->id);
}

/* "TEXT (PATH)" for a target reason. */
static const char *
target_text(arena *a, const struct rule *r, const char *path)
{
	size_t tl = strlen(r->text), pl = strlen(path);
	char *s;

	if (pl > 160)
		pl = 160;
	s = arena_alloc(a, tl + pl + 4);
	if (s == NULL)
		return r->text;
	memcpy(s, r->text, tl);
	memcpy(s + tl, " (", 2);
	memcpy(s + tl + 2, path, pl);
	memcpy(s + tl + 2 + pl, ")", 2);
	return s;
}

/* "TEXT (PATH, created by this session at #N)" */
static const char *
own_text(arena *a, const struct rule *r, const struct intent_target *tg)
{
	size_t n = strlen(r->text) + 200 + 60;
	char *s = arena_alloc(a, n);

	if (s == NULL)
		return r->text;
	snprintf(s, n, "%s (%.160s, created by this session at #%lld)", r->text, tg->path, (long long)tg->created_at);
	return s;
}

/* "NAMED -> WHERE IT LEADS" for a target reached through a link. */
static const char *
link_text(arena *a, const struct intent_target *tg)
{
	size_t tl = strlen(tg->through), pl = strlen(tg->path);
	char *s;

	if (tl > 76)
		for (tl = 76; tl > 0 && ((unsigned char)tg->through[tl] & 0xC0) == 0x80; tl--)
			;
	if (pl > 76)
		for (pl = 76; pl > 0 && ((unsigned char)tg->path[pl] & 0xC0) == 0x80; pl--)
			;
	if ((s = arena_alloc(a, tl + pl + 6)) == NULL)
		return tg->path;
	memcpy(s, tg->through, tl);
	memcpy(s + tl, " \xe2\x86\x92 ", 5);
	memcpy(s + tl + 5, tg->path, pl);
	s[tl + 5 + pl] = '\0';
	return s;
}

/* Reasons of one family do not add up: the same rule, or target rules on
 * the same class of path ("delete:workspace" and
 * "delete-recursive:workspace" are one concern). */
static const char *
family(const char *id)
{
	const char *colon = strchr(id, ':');

	return colon != NULL && strncmp(id, "mcp:", 4) != 0 ? colon : id;
}

int
risk_score(arena *a, const struct tables *t, const struct intent *in, struct risk *out)
{
	struct acc acc = { .a = a };
	double score;
	int top;

	const struct rule *own = tables_rule(t, "own-file");

	memset(out, 0, sizeof *out);
	for (size_t k = 0; k < in->nsigs; k++) {
		const struct intent_signal *s = &in->sigs[k];

		if (add(&acc, s->rule->id, s->rule->text, s->rule->weight, s->part, s->partlen) < 0)
			return -1;
	}
	for (size_t k = 0; k < in->ncmds; k++) {
		const struct intent_cmd *c = intent_cmd(in, k);

		for (size_t j = 0; j < c->ntargets; j++) {
			const struct intent_target *tg = &c->targets[j];
			const struct rule *r = tables_target_rule(t, tg->eff, tg->cls);

			if (r == NULL || r->weight <= 0)
				continue;
			if (tg->created_at > 0 && own != NULL && own->weight < r->weight) {
				/* a file this session created (assess.c provenance_apply) */
				if (add(&acc, own->id, own_text(a, own, tg), own->weight, c->text, c->textlen) < 0)
					return -1;
				continue;
			}
			if (add(&acc, r->id, target_text(a, r, tg->through != NULL ? link_text(a, tg) : tg->path),
			        r->weight, c->text, c->textlen) < 0)
				return -1;
		}
	}
	if (acc.n > 1)
		qsort(acc.v, acc.n, sizeof *acc.v, by_weight);
	top = acc.n > 0 ? acc.v[0].weight : 0;
	score = top;
	{
		/* Other, different reasons of at least medium weight add a share. */
		double share = 0.6;
		const char *seen[8];
		size_t nseen = 0;

		if (acc.n > 0)
			seen[nseen++] = family(acc.v[0].id);
		for (size_t k = 1; k < acc.n && nseen < 8; k++) {
			const char *f = family(acc.v[k].id);
			bool dup = false;

			if (acc.v[k].weight < RISK_MEDIUM)
				break;
			for (size_t j = 0; j < nseen; j++)
				if (strcmp(seen[j], f) == 0)
					dup = true;
			if (dup)
				continue;
			seen[nseen++] = f;
			score += acc.v[k].weight * share;
			share /= 2;
		}
	}
	if (score > 100)
		score = 100;
	if (top < RISK_CRITICAL && score >= RISK_CRITICAL)
		score = RISK_CRITICAL - 1;
	out->score = (int)(score + 0.5);
	if (top < RISK_CRITICAL && out->score >= RISK_CRITICAL)
		out->score = RISK_CRITICAL - 1;
	/* Fail closed: what could not be understood is at least high. */
	if (in->unparsed && out->score < RISK_HIGH)
		out->score = RISK_HIGH;
	out->level = risk_level(out->score);
	out->reasons = acc.v;
	out->nreasons = acc.n < RISK_MAX_REASONS ? acc.n : RISK_MAX_REASONS;
	out->dropped = acc.dropped + (acc.n > RISK_MAX_REASONS ? acc.n - RISK_MAX_REASONS : 0);
	return 0;
}
