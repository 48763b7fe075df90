/* transfer.c -- storage and backup clients that copy between this machine and
 * somewhere else (rclone copy, aws s3 cp, gsutil cp, gcloud storage cp, az
 * storage blob upload, azcopy copy, s3cmd put, restic backup -r rest:…, borg
 * create ssh://…): which way the data goes.  The rows are the `copy` lines of
 * tables/services, keyed by the program and its command words
 * ("aws.s3.cp"): what a remote location looks like (remote=), where the
 * destination is (the last argument, the first one with to=first, or the value
 * of a to= option) and which options name local sources (from=); dir= fixes the
 * direction (az storage blob upload).
 *
 * Local files copied to a remote location are an upload (read targets, so a
 * secret among them is exfiltration); a remote location copied here is a
 * download (the local destination is written).  net.c turns the answer into
 * its one upload/download decision.
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"

#include <ctype.h>
#include <string.h>

static bool
is_remote(const struct svcrow *row, const struct rword *r)
{
	if (r->n == 0 || r->s[0] == '/' || r->s[0] == '.' || r->s[0] == '~' || r->s[0] == '-')
		return false;
	for (size_t k = 0; k < row->remote.n; k++)
		if (glob_match(row->remote.v[k], r->s, r->n, true))
			return true;
	return false;
}

/* The value of option name in the command's words (NAME VALUE or NAME=VALUE). */
static const struct rword *
raw_opt(const struct an *an, const struct strlist *names, struct rword *tmp)
{
	for (size_t k = 0; k < an->n; k++) {
		const struct rword *r = &an->rw[k];

		for (size_t j = 0; j < names->n; j++) {
			size_t nl = strlen(names->v[j]);

			if (r->n == nl && memcmp(r->s, names->v[j], nl) == 0 && k + 1 < an->n)
				return &an->rw[k + 1];
			if (r->n > nl + 1 && memcmp(r->s, names->v[j], nl) == 0 && r->s[nl] == '=') {
				*tmp = *r;
				tmp->s += nl + 1;
				tmp->n -= nl + 1;
				tmp->unk_at = r->unk_at == SIZE_MAX ? SIZE_MAX : r->unk_at > nl + 1 ? r->unk_at - nl - 1 : 0;
				return tmp;
			}
		}
	}
	return NULL;
}

/* Is r the value of an option (so not an argument)? */
static bool
is_opt_value(const struct an *an, const struct rword *r)
{
	for (size_t k = 0; k < an->a->nopts; k++)
		if (an->a->opts[k].val == r)
			return true;
	return false;
}

/* The copy row for the command and how many positional words name it. */
static const struct svcrow *
find_row(const struct an *an, size_t *nwords)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	char key[128];
	size_t o, lens[4], nl = 0;

	if (!tables_svc_prog(x->t, SVK_COPY, an->pg->name))
		return NULL;
	o = strlen(an->pg->name);
	if (o >= sizeof key)
		return NULL;
	memcpy(key, an->pg->name, o);
	for (size_t k = 0; k < a->npos && k < 3; k++) {
		const struct rword *r = a->pos[k];

		if (r->n == 0 || o + 1 + r->n >= sizeof key || (r->f & RW_UNKNOWN))
			break;
		key[o++] = '.';
		for (size_t j = 0; j < r->n; j++)
			key[o++] = (char)tolower((unsigned char)r->s[j]);
		lens[nl++] = o;
	}
	for (;;) {
		const struct svcrow *row = tables_svc(x->t, SVK_COPY, key, nl > 0 ? lens[nl - 1] : strlen(an->pg->name));

		if (row != NULL) {
			*nwords = nl;
			return row;
		}
		if (nl == 0)
			return NULL;
		nl--;
	}
}

int
wk_transfer(struct an *an)
{
	const struct args *a = an->a;
	const struct svcrow *row;
	const struct rword *dst = NULL;
	struct rword tmp, tmp2;
	size_t first, lastrem = SIZE_MAX, firstrem = SIZE_MAX;
	bool up = false, down = false;

	if (an->pg == NULL || (row = find_row(an, &first)) == NULL)
		return 0;
	if (wk_has_flag(a, "--dry-run", false) || wk_has_flag(a, "--dryrun", false))
		return 0; /* nothing moves */
	for (size_t k = first; k < a->npos; k++)
		if (is_remote(row, a->pos[k])) {
			if (firstrem == SIZE_MAX)
				firstrem = k;
			lastrem = k;
		}
	if (row->to.n > 0) {
		/* restic backup -r REPO PATHS: the destination is an option's value */
		dst = raw_opt(an, &row->to, &tmp);
		if (dst != NULL && (row->dir == 1 || is_remote(row, dst))) {
			for (size_t k = first; k < a->npos; k++)
				if (a->pos[k] != dst && !is_opt_value(an, a->pos[k]))
					wk_add_target(an->w, an->ci, a->pos[k], EFF_READ), up = true;
			if (row->dir == 1)
				up = true;
		} else if (dst != NULL && row->dir == 2) {
			wk_add_target(an->w, an->ci, dst, EFF_WRITE);
			down = true;
		}
	} else if (row->to_first) {
		/* borg create REPO::ARCHIVE PATHS */
		if (first < a->npos && is_remote(row, a->pos[first])) {
			for (size_t k = first + 1; k < a->npos; k++)
				wk_add_target(an->w, an->ci, a->pos[k], EFF_READ), up = true;
		}
	} else if (lastrem != SIZE_MAX) {
		/* SRC... DST: local sources before a remote destination go up; a
		 * remote source before a local destination comes down */
		for (size_t k = first; k < lastrem; k++)
			if (!is_remote(row, a->pos[k]))
				wk_add_target(an->w, an->ci, a->pos[k], EFF_READ), up = true;
		if (!up) {
			/* s3cmd get s3://b/x: into the cwd when no destination is named */
			down = true;
			for (size_t k = firstrem + 1; k < a->npos; k++)
				if (!is_remote(row, a->pos[k])) {
					wk_add_target(an->w, an->ci, a->pos[k], EFF_WRITE);
					break;
				}
		}
	}
	if (row->from.n > 0 && (dst = raw_opt(an, &row->from, &tmp2)) != NULL) {
		if (row->dir == 2) {
			wk_add_target(an->w, an->ci, dst, EFF_WRITE);
			down = true;
		} else {
			wk_add_target(an->w, an->ci, dst, EFF_READ);
			up = true;
		}
	}
	if (!up && !down && row->dir != 0 && row->to.n == 0) {
		/* az storage blob upload with no file named */
		up = row->dir == 1;
		down = row->dir == 2;
	}
	return up ? 2 : down ? 4 : 0;
}
