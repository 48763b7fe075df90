/* fs.c -- the filesystem family: find, sed, tar and other archives, patch, chmod,
 * the targets a program's table entry names (spec_targets), links (ln, cp -s)
 * and resolving paths on disk through links (broker/intent/fsresolve.h).
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"
#include "broker/intent/fsresolve.h"
#include "broker/intent/globclass.h"
#include "broker/intent/codepaths.h"
#include "broker/intent/selfref.h"
#include "broker/intent/reqfiles.h"
#include "broker/intent/outopts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* sed: in-place edits and the e/w/r commands of its script. */
static void
sed_script(struct an *an, const char *t, size_t n)
{
	struct intent_ctx *x = an->w->x;
	size_t k = 0;

	while (k < n) {
		char c;

		while (k < n && (isspace((unsigned char)t[k]) || t[k] == ';' || t[k] == '{' || t[k] == '}'))
			k++;
		if (k >= n)
			break;
		/* address: N, $, /re/, \cREc, first~step, ranges, ! */
		for (int parts = 0; parts < 2 && k < n; parts++) {
			if (isdigit((unsigned char)t[k])) {
				while (k < n && (isdigit((unsigned char)t[k]) || t[k] == '~'))
					k++;
			} else if (t[k] == '$') {
				k++;
			} else if (t[k] == '/' || t[k] == '\\') {
				char d = t[k] == '\\' && k + 1 < n ? t[++k] : '/';

				for (k++; k < n && t[k] != d; k++)
					if (t[k] == '\\')
						k++;
				k++;
				while (k < n && (t[k] == 'I' || t[k] == 'M'))
					k++;
			}
			if (k < n && t[k] == ',' && parts == 0) {
				k++;
				if (k < n && (t[k] == '+' || t[k] == '~'))
					k++;
				continue;
			}
			break;
		}
		while (k < n && (t[k] == ' ' || t[k] == '!'))
			k++;
		if (k >= n)
			break;
		c = t[k++];
		if (c == 's' || c == 'y') {
			char d;
			int parts = 0;

			if (k >= n)
				break;
			d = t[k++];
			while (k < n && parts < 2) {
				if (t[k] == '\\')
					k++;
				else if (t[k] == d)
					parts++;
				k++;
			}
			while (k < n && t[k] != ';' && t[k] != '\n' && t[k] != '}') {
				if (c == 's' && t[k] == 'e') {
					wk_sig(x, an->ci, "sed-exec");
					intent_add_effect(x, an->ci, EFF_EXEC);
				}
				if (c == 's' && t[k] == 'w') {
					const char *e = memchr(t + k, '\n', n - k);
					size_t j = k + 1;
					struct rword r;

					while (j < n && t[j] == ' ')
						j++;
					r = (struct rword){ .s = t + j, .n = (e != NULL ? (size_t)(e - t) : n) - j, .unk_at = SIZE_MAX };
					wk_sig(x, an->ci, "sed-write");
					wk_add_target(an->w, an->ci, &r, EFF_WRITE);
					k = e != NULL ? (size_t)(e - t) : n;
					break;
				}
				k++;
			}
			continue;
		}
		if (c == 'e' || c == 'w' || c == 'W' || c == 'r' || c == 'R') {
			const char *e = memchr(t + k, '\n', n - k);
			size_t end = e != NULL ? (size_t)(e - t) : n, j = k;
			struct rword r;

			while (j < end && t[j] == ' ')
				j++;
			r = (struct rword){ .s = t + j, .n = end - j, .unk_at = SIZE_MAX };
			if (c == 'e') {
				wk_sig(x, an->ci, "sed-exec");
				intent_add_effect(x, an->ci, EFF_EXEC);
				if (r.n > 0)
					wk_nested_script(an->lw, an->ci, r.s, r.n, "sed e", NULL);
			} else if (c == 'w' || c == 'W') {
				wk_sig(x, an->ci, "sed-write");
				wk_add_target(an->w, an->ci, &r, EFF_WRITE);
			} else {
				wk_add_target(an->w, an->ci, &r, EFF_READ);
			}
			k = end;
			continue;
		}
		if (c == 'a' || c == 'i' || c == 'c') {
			/* text to the end of the line; a trailing backslash continues it */
			for (;;) {
				const char *e = memchr(t + k, '\n', n - k);
				size_t end = e != NULL ? (size_t)(e - t) : n;

				k = end;
				if (end == n || end == 0 || t[end - 1] != '\\')
					break;
				k = end + 1;
			}
			continue;
		}
		if (c == ':' || c == 'b' || c == 't' || c == 'T') {
			while (k < n && t[k] != ';' && t[k] != '\n')
				k++;
			continue;
		}
		/* single-letter commands: p d n q ... */
		while (k < n && t[k] != ';' && t[k] != '\n' && t[k] != '}' && !isalpha((unsigned char)t[k]))
			k++;
	}
}

void
wk_h_sed(struct an *an)
{
	const struct args *a = an->a;
	bool scripts = false, inplace = wk_has_flag(a, "-i", false) || wk_has_flag(a, "--in-place", false);
	size_t k = 0;

	for (size_t j = 0; j < a->nopts; j++) {
		const struct opt *o = &a->opts[j];

		if (o->val == NULL)
			continue;
		if ((o->nlen == 2 && memcmp(o->name, "-e", 2) == 0) ||
		    (o->nlen == 12 && memcmp(o->name, "--expression", 12) == 0)) {
			sed_script(an, o->val->s, o->val->n);
			scripts = true;
		} else if ((o->nlen == 2 && memcmp(o->name, "-f", 2) == 0) ||
		           (o->nlen == 6 && memcmp(o->name, "--file", 6) == 0)) {
			wk_add_target(an->w, an->ci, o->val, EFF_RUN);
			scripts = true;
		}
		if (o->nlen > 2 && memcmp(o->name, "-i", 2) == 0)
			inplace = true;
	}
	if (!scripts && a->npos > 0) {
		sed_script(an, a->pos[0]->s, a->pos[0]->n);
		k = 1;
	}
	for (; k < a->npos; k++)
		wk_add_target(an->w, an->ci, a->pos[k], inplace ? EFF_OVERWRITE : EFF_READ);
}

/* find: start paths, -delete (whole trees when before any test), -exec. */
static bool
find_is_test(const struct rword *r)
{
	static const char *const tests[] = { "-name", "-iname", "-path", "-ipath", "-wholename",
		"-iwholename", "-regex", "-iregex", "-type", "-xtype", "-size", "-empty", "-newer", "-mtime",
		"-mmin", "-atime", "-amin", "-ctime", "-cmin", "-user", "-group", "-perm", "-links", "-inum",
		"-samefile", "-lname", "-ilname", "-uid", "-gid", "-nouser", "-nogroup", "-used", "-readable",
		"-writable", "-executable", "-fstype", "-context", "-newermt", "-anewer", "-cnewer", "-false" };

	for (size_t k = 0; k < sizeof tests / sizeof tests[0]; k++)
		if (wk_word_is(r, tests[k]))
			return true;
	return false;
}

void
wk_h_find(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct rword *rw = an->rw;
	size_t n = an->n, k = 0, nstart = 0;
	const struct rword *starts[16];
	struct rword dot = { .s = ".", .n = 1, .unk_at = SIZE_MAX };
	bool tests = false, negated = false, scratch = false;

	while (k < n && (wk_word_is(&rw[k], "-H") || wk_word_is(&rw[k], "-L") || wk_word_is(&rw[k], "-P")))
		k++;
	while (k < n && rw[k].n > 0 && rw[k].s[0] != '-' && !wk_word_is(&rw[k], "(") && !wk_word_is(&rw[k], "!") &&
	       !wk_word_is(&rw[k], "\\(")) {
		if (nstart < 16)
			starts[nstart++] = &rw[k];
		k++;
	}
	if (nstart == 0)
		starts[nstart++] = &dot;
	for (size_t s = 0; s < nstart; s++)
		wk_add_target(an->w, an->ci, starts[s], EFF_LIST);
	/* in a scratch directory (/tmp) everything in it is scratch, not the
	 * directory itself: there -type keeps narrowing (rm -rf /tmp/STAR is not /tmp) */
	if (an->w->cwd != NULL && starts[0]->unk_at == SIZE_MAX) {
		size_t pl = 0;
		char *p = wk_norm_path(x, an->w->cwd, starts[0]->s, starts[0]->n, &pl), *ch;

		if (p != NULL && (ch = arena_alloc(x->tmp, pl + 3)) != NULL) {
			memcpy(ch, p, pl);
			memcpy(ch + (pl == 1 ? 0 : pl), "/_", 3);
			scratch = intent_classify(x, ch, pl == 1 ? 2 : pl + 2) == PC_TMP;
		}
	}
	for (; k < n; k++) {
		const struct rword *r = &rw[k];

		/* a test only narrows what is deleted when it picks files by what
		 * they are: -type (all files, all directories) and negated tests
		 * (everything but ./keep) still take the tree, .git included */
		if (wk_word_is(r, "!") || wk_word_is(r, "-not")) {
			negated = true;
			continue;
		}
		if (find_is_test(r)) {
			if (scratch || (!negated && !wk_word_is(r, "-type") && !wk_word_is(r, "-xtype")))
				tests = true;
			negated = false;
			if (!wk_word_is(r, "-empty") && !wk_word_is(r, "-nouser") && !wk_word_is(r, "-nogroup") &&
			    !wk_word_is(r, "-readable") && !wk_word_is(r, "-writable") && !wk_word_is(r, "-executable") &&
			    !wk_word_is(r, "-false"))
				k++; /* its argument */
			continue;
		}
		negated = false;
		if (wk_word_is(r, "-delete")) {
			for (size_t s = 0; s < nstart; s++) {
				if (!tests) {
					wk_add_target(an->w, an->ci, starts[s], EFF_DELETE_RECURSIVE);
				} else {
					struct rword child = *starts[s];
					char *p = arena_alloc(x->a, child.n + 4);

					if (p == NULL) {
						wk_oomf(x);
						return;
					}
					memcpy(p, child.s, child.n);
					memcpy(p + child.n, "/**", 4);
					child.s = p;
					child.n += 3;
					child.f = (child.f & ~(unsigned)RW_GLOB) | RW_SYNGLOB;
					wk_add_target(an->w, an->ci, &child, EFF_DELETE);
				}
			}
			continue;
		}
		if ((wk_word_is(r, "-fprint") || wk_word_is(r, "-fprint0") || wk_word_is(r, "-fls") || wk_word_is(r, "-fprintf")) &&
		    k + 1 < n) {
			wk_add_target(an->w, an->ci, &rw[k + 1], EFF_OVERWRITE);
			k += wk_word_is(r, "-fprintf") ? 2 : 1;
			continue;
		}
		if (wk_word_is(r, "-exec") || wk_word_is(r, "-execdir") || wk_word_is(r, "-ok") || wk_word_is(r, "-okdir")) {
			size_t j = k + 1, m = 0;
			struct rword *inner;

			while (j < n && !wk_word_is(&rw[j], ";") && !wk_word_is(&rw[j], "+") && !wk_word_is(&rw[j], "\\;"))
				j++;
			inner = arena_alloc(x->a, (j - k) * sizeof *inner + 1);
			if (inner == NULL) {
				wk_oomf(x);
				return;
			}
			for (size_t q = k + 1; q < j; q++) {
				inner[m] = rw[q];
				if (memmem(rw[q].s, rw[q].n, "{}", 2) != NULL) {
					/* {} is each file found: with no test before, the
					 * start path itself and everything in it */
					const struct rword *st = starts[0];
					char *p = arena_alloc(x->a, st->n + 4);

					if (p == NULL) {
						wk_oomf(x);
						return;
					}
					memcpy(p, st->s, st->n);
					memcpy(p + st->n, "/**", 4);
					inner[m].s = p;
					inner[m].n = tests ? st->n + 3 : st->n;
					inner[m].f = (st->f & ~(unsigned)RW_GLOB) | (tests ? RW_SYNGLOB : 0);
					inner[m].unk_at = st->unk_at;
				}
				m++;
			}
			if (m > 0) {
				struct cmdctx cc2 = { .text = an->cc->text, .textlen = an->cc->textlen, .stdin_from = -1,
					.xargs_cls = PC_COUNT };
				struct walk fw = *an->lw;

				fw.context = "find -exec";
				wk_analyze_words(&fw, inner, m, &cc2);
			}
			k = j;
			continue;
		}
	}
}

/* tar: create, extract or list; the archive and the directory. */
void
wk_h_tar(struct an *an)
{
	const struct args *a = an->a;
	char mode = 0;
	const struct rword *archive = wk_opt_value(a, "-f"), *dir = wk_opt_value(a, "-C");
	size_t k = 0;

	if (archive == NULL)
		archive = wk_opt_value(a, "--file");
	if (dir == NULL)
		dir = wk_opt_value(a, "--directory");
	/* "tar xzf ARCHIVE" (bundled, no dash) */
	if (an->n > 0 && an->rw[0].n > 0 && an->rw[0].s[0] != '-' && a->npos > 0 && a->pos[0] == &an->rw[0]) {
		const struct rword *b = &an->rw[0];

		for (size_t j = 0; j < b->n; j++)
			if (strchr("cxtru", b->s[j]) != NULL && mode == 0)
				mode = b->s[j];
		k = 1;
		if (memchr(b->s, 'f', b->n) != NULL && archive == NULL && a->npos > 1) {
			archive = a->pos[1];
			k = 2;
		}
	}
	for (size_t j = 0; j < a->nopts && mode == 0; j++) {
		const struct opt *o = &a->opts[j];

		if (o->nlen >= 2 && o->name[1] != '-') {
			for (size_t q = 1; q < o->nlen; q++)
				if (strchr("cxtru", o->name[q]) != NULL) {
					mode = o->name[q];
					break;
				}
		} else if (o->nlen == 9 && memcmp(o->name, "--extract", 9) == 0) {
			mode = 'x';
		} else if (o->nlen == 8 && memcmp(o->name, "--create", 8) == 0) {
			mode = 'c';
		} else if (o->nlen == 6 && memcmp(o->name, "--list", 6) == 0) {
			mode = 't';
		}
	}
	if (mode == 'x') {
		struct rword here = { .s = ".", .n = 1, .unk_at = SIZE_MAX };

		if (archive != NULL)
			wk_add_target(an->w, an->ci, archive, EFF_READ);
		wk_add_target(an->w, an->ci, dir != NULL ? dir : &here, EFF_WRITE);
	} else if (mode == 'c' || mode == 'r' || mode == 'u') {
		if (archive != NULL)
			wk_add_target(an->w, an->ci, archive, EFF_WRITE);
		for (; k < a->npos; k++)
			wk_add_target(an->w, an->ci, a->pos[k], EFF_READ);
	} else if (archive != NULL) {
		wk_add_target(an->w, an->ci, archive, EFF_READ);
	}
}

/* apply_patch PATCH (Codex's patch tool run as a command, the envelope as its
 * argument or on stdin): every file its headers name. */
void
wk_h_patch(struct an *an)
{
	static const enum effect op_eff[] = { [RQ_READ] = EFF_VIEW, [RQ_LIST] = EFF_LIST, [RQ_WRITE] = EFF_WRITE,
		[RQ_EDIT] = EFF_OVERWRITE, [RQ_DELETE] = EFF_DELETE };
	struct intent_ctx *x = an->w->x;
	const char *text = an->a->npos > 0 ? an->a->pos[0]->s : an->cc->stdin_text;
	size_t n = an->a->npos > 0 ? an->a->pos[0]->n : an->cc->stdin_len;
	struct req_files rf = { 0 };

	if (text == NULL) {
		/* the patch comes from a pipe or a file: its files are not known */
		wk_add_target_raw(x, an->ci, "(files of a patch read at run time)", PC_UNKNOWN, EFF_WRITE, true);
		return;
	}
	if (an->a->npos > 0 && an->a->pos[0]->unk_at != SIZE_MAX)
		wk_add_target_raw(x, an->ci, "(files of a patch built at run time)", PC_UNKNOWN, EFF_WRITE, true);
	if (req_patch_files(x->a, text, n, &rf) < 0) {
		wk_oomf(x);
		return;
	}
	if (rf.bad != NULL) {
		x->in->unparsed = true;
		wk_sig(x, an->ci, "unparsed");
	}
	for (size_t k = 0; k < rf.n; k++) {
		struct rword r = { .s = rf.v[k].path, .n = rf.v[k].len, .unk_at = SIZE_MAX };

		wk_add_target(an->w, an->ci, &r, op_eff[rf.v[k].op]);
	}
}

/* A program's own path arguments, from its t= spec. */
void
wk_spec_targets(struct an *an)
{
	const struct prog *pg = an->pg;
	const struct args *a = an->a;
	size_t first = an->first, np = a->npos;
	bool rec = false;

	if (pg == NULL || pg->nt == 0)
		return;
	for (size_t k = 0; k < pg->rec.n && !rec; k++)
		rec = wk_has_flag(a, pg->rec.v[k], pg->long1);
	for (size_t k = 0; k < pg->nt; k++) {
		const struct tspec *ts = &pg->t[k];
		bool pat_opt = false;

		if (ts->kind == TS_SKIP1 || ts->kind == TS_SKIP2) {
			for (size_t j = 0; j < pg->p.n && !pat_opt; j++)
				pat_opt = wk_has_flag(a, pg->p.v[j], pg->long1);
			if (!pat_opt)
				first += ts->kind == TS_SKIP1 ? 1 : 2;
		}
	}
	for (size_t k = 0; k < pg->nt; k++) {
		const struct tspec *ts = &pg->t[k];
		enum effect e = ts->eff == EFF_DELETE && rec ? EFF_DELETE_RECURSIVE : ts->eff;

		/* ls, stat, du, wc: they look at files without printing them */
		if (e == EFF_READ && (pg->classes & PCL(META)))
			e = EFF_LIST;

		switch (ts->kind) {
		case TS_ALL:
			for (size_t j = first; j < np; j++)
				wk_add_target(an->w, an->ci, a->pos[j], e);
			break;
		case TS_LAST:
			if (np > first)
				wk_add_target(an->w, an->ci, a->pos[np - 1], e);
			break;
		case TS_REST:
			for (size_t j = first; j + 1 < np; j++)
				wk_add_target(an->w, an->ci, a->pos[j], e);
			break;
		case TS_FIRST:
			if (np > first)
				wk_add_target(an->w, an->ci, a->pos[first], e);
			break;
		case TS_SECOND: /* uniq IN OUT */
			if (np > first + 1)
				wk_add_target(an->w, an->ci, a->pos[first + 1], e);
			break;
		case TS_OPT:
			if (!outopt_sub_ok(&ts->subs, wk_cmd(an)->sub))
				break;
			for (size_t j = 0; j < a->nopts; j++) {
				const struct opt *o = &a->opts[j];
				bool is = wk_opt_is(o, ts->opt, strlen(ts->opt)) ||
				          (o->grp[0] == '\0' && outopt_long_is(o->name, o->nlen, ts->opt, pg->abbrev));

				if (is && o->val != NULL)
					wk_add_target(an->w, an->ci, o->val, e);
				else if (is && ts->subs.n > 0 && o->npos_before < np)
					/* git format-patch -o DIR: a subcommand's own option
					 * takes the word after it */
					wk_add_target(an->w, an->ci, a->pos[o->npos_before], e);
			}
			break;
		case TS_KV: {
			size_t kl = strlen(ts->opt);

			for (size_t j = 0; j < a->nall; j++) {
				const struct rword *r = &a->all[j];

				if (r->n > kl && memcmp(r->s, ts->opt, kl) == 0) {
					struct rword v = *r;

					v.s += kl;
					v.n -= kl;
					v.unk_at = r->unk_at == SIZE_MAX ? SIZE_MAX : r->unk_at > kl ? r->unk_at - kl : 0;
					wk_add_target(an->w, an->ci, &v, e);
				}
			}
			break;
		}
		case TS_SKIP1:
		case TS_SKIP2:
			break;
		}
	}
	if (an->cc->xargs_cls != PC_COUNT) {
		for (size_t k = 0; k < pg->nt; k++)
			if (pg->t[k].kind <= TS_FIRST) {
				enum effect e = pg->t[k].eff == EFF_DELETE && rec ? EFF_DELETE_RECURSIVE : pg->t[k].eff;

				if (an->cc->xargs_dir != NULL) {
					size_t dl = strlen(an->cc->xargs_dir);
					char *p = arena_alloc(an->w->x->a, dl + 4);
					struct rword r = { .s = p, .n = dl + 3, .f = RW_SYNGLOB, .unk_at = SIZE_MAX };

					if (p == NULL) {
						wk_oomf(an->w->x);
						return;
					}
					memcpy(p, an->cc->xargs_dir, dl);
					memcpy(p + dl, "/**", 4);
					wk_add_target(an->w, an->ci, &r, e);
				} else {
					wk_add_target_raw(an->w->x, an->ci, "(paths from input)", an->cc->xargs_cls, e, false);
				}
				break;
			}
	}
}

/* Archivers with subcommands (7z, rar, arj, ar): "x ARCHIVE DIR" writes
 * into DIR, "a ARCHIVE FILES" writes the archive. */
void
wk_archive_targets(struct an *an)
{
	static const char *const extract[] = { "x", "e", "extract", "unpack" };
	static const char *const add[] = { "a", "add", "c", "create", "r", "u", "update", "q", "m" };
	const struct args *a = an->a;
	const char *sub = wk_cmd(an)->sub;

	if (!(an->pg->classes & PCL(ARCHIVE)) || !an->pg->sub || sub == NULL || a->npos < 2)
		return;
	for (size_t k = 0; k < sizeof extract / sizeof extract[0]; k++)
		if (strcmp(sub, extract[k]) == 0) {
			wk_add_target(an->w, an->ci, a->pos[1], EFF_READ);
			if (a->npos >= 3)
				wk_add_target(an->w, an->ci, a->pos[a->npos - 1], EFF_WRITE);
			return;
		}
	for (size_t k = 0; k < sizeof add / sizeof add[0]; k++)
		if (strcmp(sub, add[k]) == 0) {
			wk_add_target(an->w, an->ci, a->pos[1], EFF_WRITE);
			for (size_t j = 2; j < a->npos; j++)
				wk_add_target(an->w, an->ci, a->pos[j], EFF_READ);
			return;
		}
}

#define FS_MAX_ALIAS 6

#define FS_MAX_VLINKS 16

#define FS_BUDGET 256   /* paths looked up on disk per request: a few system calls each */

#define FS_MEMO 64      /* ... and remembered within it (scripts repeat their paths) */

struct fs_state {
	struct {
		const char *real, *named;
		size_t rl, nl;
	} alias[FS_MAX_ALIAS]; /* real paths of the anchors (workspace, home, ...) -> as named */
	size_t nalias;
	struct {
		const char *link, *target;
		size_t ll;
	} vlink[FS_MAX_VLINKS]; /* links this command line makes, for the commands after them */
	size_t nvlinks;
	struct {
		const char *raw, *out;
		size_t rl;
		unsigned flags;
		int n;
		struct fsr_result res;
	} memo[FS_MEMO];
	unsigned looked;
	bool over;
	char raw[2 * FSR_MAX_PATH + 2];
	char out[FSR_MAX_PATH + 2];
};

static void
fs_alias(struct fs_state *fs, const char *real, const char *named)
{
	size_t rl, nl, k;

	if (real == NULL || named == NULL || real[0] != '/' || named[0] != '/' || strcmp(real, named) == 0 ||
	    strcmp(real, "/") == 0 || fs->nalias >= FS_MAX_ALIAS)
		return;
	rl = strlen(real);
	nl = strlen(named);
	while (nl > 1 && named[nl - 1] == '/')
		nl--;
	/* longest real path first: the workspace's may lie under the home's */
	for (k = fs->nalias; k > 0 && fs->alias[k - 1].rl < rl; k--)
		fs->alias[k] = fs->alias[k - 1];
	fs->alias[k].real = real;
	fs->alias[k].rl = rl;
	fs->alias[k].named = named;
	fs->alias[k].nl = nl;
	fs->nalias++;
}

/* The directory part of a file path (an arena string), or NULL. */
static const char *
fs_dir_of(struct intent_ctx *x, const char *p)
{
	const char *sl = p != NULL ? strrchr(p, '/') : NULL;

	if (sl == NULL || sl == p)
		return NULL;
	return arena_strndup(x->a, p, (size_t)(sl - p));
}

static struct fs_state *
fs_get(struct intent_ctx *x)
{
	struct fs_state *fs = x->fs;

	if (fs != NULL)
		return fs;
	if ((fs = arena_zalloc(x->a, sizeof *fs)) == NULL) {
		wk_oomf(x);
		return NULL;
	}
	fs_alias(fs, x->env.workspace_real, x->in->workspace);
	fs_alias(fs, x->env.home_real, x->env.home);
	fs_alias(fs, x->env.config_real, x->env.config_dir);
	fs_alias(fs, x->env.runtime_real, x->env.runtime_dir);
	/* db_real is the real path of the database's directory */
	fs_alias(fs, x->env.db_real, fs_dir_of(x, x->env.db_path));
	x->fs = fs;
	return fs;
}

/* p with a real anchor prefix replaced by the anchor as named (so that the
 * real path of a file in a linked workspace still classes as workspace). */
const char *
wk_fs_as_named(struct intent_ctx *x, const char *p, size_t *len)
{
	struct fs_state *fs;
	char *q;

	if (x->env.workspace_real == NULL && x->env.home_real == NULL && x->env.config_real == NULL &&
	    x->env.runtime_real == NULL && x->env.db_real == NULL)
		return p;
	if ((fs = fs_get(x)) == NULL)
		return p;
	for (size_t k = 0; k < fs->nalias; k++) {
		size_t rl = fs->alias[k].rl, nl = fs->alias[k].nl;

		if (*len < rl || memcmp(p, fs->alias[k].real, rl) != 0 || (*len > rl && p[rl] != '/'))
			continue;
		if ((q = arena_alloc(x->a, nl + *len - rl + 1)) == NULL) {
			wk_oomf(x);
			return p;
		}
		memcpy(q, fs->alias[k].named, nl);
		memcpy(q + nl, p + rl, *len - rl);
		*len = nl + *len - rl;
		q[*len] = '\0';
		return q;
	}
	return p;
}

/* The class of a resolved path; a glob as its last part stands for the directory. */
static enum pclass
fs_classify(struct intent_ctx *x, const char *p, size_t len, bool glob)
{
	const char *sl = memrchr(p, '/', len);

	if (glob && sl != NULL) {
		const char *last = sl + 1;
		size_t ll = len - (size_t)(last - p);

		if ((ll == 1 && last[0] == '*') || (ll == 2 && memcmp(last, ".*", 2) == 0) ||
		    (ll == 3 && memcmp(last, "*.*", 3) == 0))
			return intent_classify(x, p, sl > p ? (size_t)(sl - p) : 1);
	}
	return intent_classify(x, p, len);
}

/* /dev, /proc and /sys hold links that mean something else to the agent
 * (/dev/stdout, /proc/self); they are classed by name. */
static bool
fs_skip(const char *p)
{
	static const char *const skip[] = { "/dev", "/proc", "/sys" };

	for (size_t k = 0; k < sizeof skip / sizeof skip[0]; k++) {
		size_t n = strlen(skip[k]);

		if (strncmp(p, skip[k], n) == 0 && (p[n] == '\0' || p[n] == '/'))
			return true;
	}
	return false;
}

/* fsr_resolve into fs->out, at most FS_BUDGET times per request (each
 * distinct path once).  -2 when over the budget: the request then has one
 * path-unresolved signal, since what was not looked at is not known. */
static int
fs_lookup(struct intent_ctx *x, struct fs_state *fs, int i, const char *raw, size_t rn, unsigned flags,
    struct fsr_result *res)
{
	uint32_t h = 2166136261u;
	size_t slot;
	int n;

	for (size_t k = 0; k < rn; k++)
		h = (h ^ (unsigned char)raw[k]) * 16777619u;
	slot = (h ^ flags) % FS_MEMO;
	if (fs->memo[slot].raw != NULL && fs->memo[slot].rl == rn && fs->memo[slot].flags == flags &&
	    memcmp(fs->memo[slot].raw, raw, rn) == 0) {
		*res = fs->memo[slot].res;
		if (fs->memo[slot].n >= 0)
			memcpy(fs->out, fs->memo[slot].out, (size_t)fs->memo[slot].n + 1);
		return fs->memo[slot].n;
	}
	if (fs->looked >= FS_BUDGET) {
		static const char why[] = "(more paths than sandgate looks up on disk per request)";

		if (!fs->over)
			intent_signal(x, i, "path-unresolved", why, sizeof why - 1);
		fs->over = true;
		return -2;
	}
	fs->looked++;
	n = fsr_resolve(raw, rn, flags, fs->out, sizeof fs->out, res);
	if (rn <= 1024) {
		const char *rc = arena_strndup(x->a, raw, rn);
		const char *oc = n >= 0 ? arena_strndup(x->a, fs->out, (size_t)n) : "";

		if (rc != NULL && oc != NULL) {
			fs->memo[slot].raw = rc;
			fs->memo[slot].rl = rn;
			fs->memo[slot].flags = flags;
			fs->memo[slot].out = oc;
			fs->memo[slot].n = n;
			fs->memo[slot].res = *res;
		}
	}
	return n;
}

/* The path the agent names, as the kernel will look it up: the cwd and the
 * word joined, ".." not folded (after a link it means the link target's
 * parent).  A link this command line made earlier stands in for the file
 * system.  NULL when it cannot be built. */
static const char *
fs_raw(struct walk *w, struct fs_state *fs, const struct rword *r, const char *path, size_t *n)
{
	size_t pl = strlen(path);

	for (size_t k = fs->nvlinks; k > 0; k--) {
		size_t ll = fs->vlink[k - 1].ll, tl = strlen(fs->vlink[k - 1].target);

		if (pl < ll || memcmp(path, fs->vlink[k - 1].link, ll) != 0 || (pl > ll && path[ll] != '/'))
			continue;
		if (tl + pl - ll > 2 * FSR_MAX_PATH)
			return NULL;
		memcpy(fs->raw, fs->vlink[k - 1].target, tl);
		memcpy(fs->raw + tl, path + ll, pl - ll);
		*n = tl + pl - ll;
		fs->raw[*n] = '\0';
		return fs->raw;
	}
	if (r->s[0] == '/') {
		*n = r->n;
		return r->s;
	}
	if (w->cwd == NULL || strlen(w->cwd) + 1 + r->n > 2 * FSR_MAX_PATH)
		return NULL;
	*n = (size_t)snprintf(fs->raw, sizeof fs->raw, "%s/%.*s", w->cwd, (int)r->n, r->s);
	return fs->raw;
}

/* Resolve the path of a target against the file system; where links take
 * it elsewhere, the place they lead to is a target too (the request must be
 * judged, and covered by rules, as both). */
void
wk_fs_target(struct walk *w, int i, const struct rword *r, const char *path, enum effect eff, bool indirect)
{
	struct intent_ctx *x = w->x;
	struct intent_cmd *c = wk_cmd_at(x, i);
	struct fs_state *fs;
	struct fsr_result res;
	const char *raw;
	size_t rn = 0, gl = SIZE_MAX, rlen;
	unsigned flags = FSR_FOLLOW_LAST;
	bool glob = (r->f & RW_GLOB) != 0;
	char *rp;
	const char *named;
	enum pclass rcls;
	int n;

	if (x->env.no_resolve || c == NULL || c->remote != NULL || path == NULL || path[0] != '/' ||
	    r->unk_at != SIZE_MAX || r->n == 0 || fs_skip(path) || (fs = fs_get(x)) == NULL)
		return;
	if ((raw = fs_raw(w, fs, r, path, &rn)) == NULL) {
		intent_signal(x, i, "path-unresolved", path, strlen(path));
		return;
	}
	if (glob) {
		/* resolve the directory before the first glob (a glob in a linked
		 * directory lists the link's target) */
		for (size_t k = 0; k < rn && gl == SIZE_MAX; k++)
			if (raw[k] == '*' || raw[k] == '?' || raw[k] == '[')
				gl = k;
		while (gl != SIZE_MAX && gl > 0 && raw[gl - 1] != '/')
			gl--;
		if (gl == SIZE_MAX || gl <= 1)
			return;
		n = fs_lookup(x, fs, i, raw, gl - 1, FSR_FOLLOW_LAST, &res);
	} else {
		/* `rm link` removes the link; `rm -r link/` what it points at */
		if ((eff == EFF_DELETE || eff == EFF_DELETE_RECURSIVE) && raw[rn - 1] != '/')
			flags = 0;
		n = fs_lookup(x, fs, i, raw, rn, flags, &res);
	}
	if (n == -2)
		return;
	if (n < 0 || res.status == FSR_LOOP || (res.status == FSR_DENIED && wk_writes(eff))) {
		intent_signal(x, i, "path-unresolved", path, strlen(path));
		if (n < 0)
			return;
	}
	if (glob) {
		size_t tail = rn - gl;

		if ((size_t)n + 1 + tail >= sizeof fs->out)
			return;
		fs->out[n] = '/';
		memcpy(fs->out + n + 1, raw + gl, tail);
		n += (int)(1 + tail);
		fs->out[n] = '\0';
	}
	rlen = (size_t)n;
	named = wk_fs_as_named(x, fs->out, &rlen);
	if (named == fs->out) {
		if ((rp = arena_strndup(x->a, fs->out, rlen)) == NULL) {
			wk_oomf(x);
			return;
		}
		named = rp;
	}
	if (glob) {
		size_t l2;
		const char *np = wk_norm_path(x, NULL, named, rlen, &l2);

		if (np == NULL)
			return;
		named = np;
		rlen = l2;
	}
	if ((eff == EFF_WRITE || eff == EFF_OVERWRITE) && res.exists && res.regular && res.nlink > 1)
		intent_signal(x, i, "write-hardlink", path, strlen(path));
	if (strcmp(named, path) == 0)
		return;
	rcls = fs_classify(x, named, rlen, glob);
	{
		size_t before = c->ntargets;

		wk_add_target_ex(x, i, named, rcls, eff, (indirect ? TF_INDIRECT : 0) | (glob ? TF_GLOB : 0));
		if (c->ntargets > before) {
			c->targets[c->ntargets - 1].through = path;
		} else {
			bool dup = false;

			for (size_t k = 0; k < c->ntargets && !dup; k++)
				dup = c->targets[k].eff == eff && strcmp(c->targets[k].path, named) == 0;
			if (!dup)
				x->in->unparsed = true; /* no room to record where a link leads: a person decides */
		}
	}
}

/* The last component of a word (an arena string). */
static const char *
fs_base(struct intent_ctx *x, const struct rword *r)
{
	size_t n = r->n;
	const char *b;

	while (n > 1 && r->s[n - 1] == '/')
		n--;
	b = memrchr(r->s, '/', n);
	b = b != NULL ? b + 1 : r->s;
	return arena_strndup(x->a, b, n - (size_t)(b - r->s));
}

/* The value of -t / --target-directory, also at the end of a group (-st DIR). */
static const struct rword *
link_target_dir(const struct args *a)
{
	for (size_t k = 0; k < a->nopts; k++) {
		const struct opt *o = &a->opts[k];

		if (o->val == NULL)
			continue;
		if ((o->nlen == 18 && memcmp(o->name, "--target-directory", 18) == 0) ||
		    (o->nlen >= 2 && o->name[0] == '-' && o->name[1] != '-' && o->name[o->nlen - 1] == 't'))
			return o->val;
	}
	return NULL;
}

static bool
link_sensitive(enum pclass c)
{
	return c == PC_SECRET || c == PC_PERSISTENCE || c == PC_AGENT_CONFIG || c == PC_SANDGATE ||
	       c == PC_SYSTEM || c == PC_HOME_DOTFILE || c == PC_HOME_ROOT || c == PC_ROOT || c == PC_DEVICE;
}

/* Judge one link: link (a path as written, relative to the cwd) to target
 * (as written: relative to the link's directory for a symbolic link, to the
 * cwd for a hard link or ln -r). */
static void
link_one(struct an *an, const struct rword *target, const struct rword *link, const char *link_base, bool sym,
    bool from_cwd)
{
	struct walk *w = an->w;
	struct intent_ctx *x = w->x;
	struct fs_state *fs = fs_get(x);
	const char *lpath, *tpath, *treal = NULL, *dir;
	size_t ll, tl, rl = 0;
	enum pclass tc, rc = PC_COUNT;
	struct fsr_result res;
	char *part;
	int n;

	if (fs == NULL || w->cwd == NULL)
		return;
	if (link->unk_at != SIZE_MAX || (link->f & RW_GLOB) ||
	    (lpath = wk_norm_path(x, w->cwd, link->s, link->n, &ll)) == NULL)
		lpath = NULL;
	if (lpath != NULL && link_base != NULL) {
		size_t bl = strlen(link_base);
		char *j = arena_alloc(x->a, ll + bl + 2);

		if (j == NULL)
			return (void)wk_oomf(x);
		memcpy(j, lpath, ll);
		j[ll] = '/';
		memcpy(j + ll + 1, link_base, bl + 1);
		lpath = j;
		ll += bl + 1;
	}
	if (target->unk_at != SIZE_MAX || (target->f & RW_GLOB)) {
		tc = PC_UNKNOWN;
		tpath = arena_strndup(x->a, target->s, target->n);
	} else {
		dir = sym && !from_cwd && lpath != NULL && target->s[0] != '/' ? fs_dir_of(x, lpath) : w->cwd;
		if (dir == NULL)
			dir = "/";
		if ((tpath = wk_norm_path(x, dir, target->s, target->n, &tl)) == NULL)
			return;
		tc = intent_classify(x, tpath, tl);
		/* where it really leads (the target may be a link itself) */
		n = x->env.no_resolve ? -1 : fs_lookup(x, fs, an->ci, tpath, tl, FSR_FOLLOW_LAST, &res);
		if (n > 0 && strcmp(fs->out, tpath) != 0) {
			size_t len = (size_t)n;
			const char *nm = wk_fs_as_named(x, fs->out, &len);

			treal = nm == fs->out ? arena_strndup(x->a, fs->out, len) : nm;
			rl = len;
			if (treal != NULL && strcmp(treal, tpath) != 0)
				rc = intent_classify(x, treal, rl);
			else
				treal = NULL;
		}
	}
	if (tpath == NULL)
		return (void)wk_oomf(x);
	/* later commands of this line write through the new link */
	if (lpath != NULL && tc != PC_UNKNOWN && fs->nvlinks < FS_MAX_VLINKS) {
		fs->vlink[fs->nvlinks].link = lpath;
		fs->vlink[fs->nvlinks].ll = strlen(lpath);
		fs->vlink[fs->nvlinks].target = treal != NULL ? treal : tpath;
		fs->nvlinks++;
	}
	{
		const char *shown = treal != NULL ? treal : tpath;
		size_t pn = strlen(lpath != NULL ? lpath : "?") + strlen(shown) + 8;

		if ((part = arena_alloc(x->a, pn)) == NULL)
			return (void)wk_oomf(x);
		snprintf(part, pn, "%s \xe2\x86\x92 %s", lpath != NULL ? lpath : "?", shown);
	}
	if (link_sensitive(tc) || (rc != PC_COUNT && link_sensitive(rc)))
		intent_signal(x, an->ci, sym ? "link-sensitive" : "hardlink-sensitive", part, strlen(part));
	else if ((tc != PC_WORKSPACE && tc != PC_WORKSPACE_ROOT) ||
	         (rc != PC_COUNT && rc != PC_WORKSPACE && rc != PC_WORKSPACE_ROOT))
		intent_signal(x, an->ci, "link-out", part, strlen(part));
}

/* ln [-s] TARGET... LINK|DIR, ln -t DIR TARGET..., link T L, cp -s / cp -l. */
void
wk_link_targets(struct an *an)
{
	const struct prog *pg = an->pg;
	const struct args *a = an->a;
	const char *name = pg->name;
	bool sym = false, is_ln = strcmp(name, "ln") == 0, rel = false, into_dir = false, no_dir = false;
	const struct rword *tdir, *dest = NULL;
	size_t first = an->first, np = a->npos, last;

	if (is_ln) {
		sym = wk_has_flag(a, "-s", false) || wk_has_flag(a, "--symbolic", false);
		rel = wk_has_flag(a, "-r", false) || wk_has_flag(a, "--relative", false);
		no_dir = wk_has_flag(a, "-T", false) || wk_has_flag(a, "--no-target-directory", false);
	} else if (strcmp(name, "cp") == 0) {
		sym = wk_has_flag(a, "-s", false) || wk_has_flag(a, "--symbolic-link", false);
		if (!sym && !wk_has_flag(a, "-l", false) && !wk_has_flag(a, "--link", false))
			return;
	} else if (strcmp(name, "link") != 0) {
		return;
	}
	if (np <= first)
		return;
	tdir = link_target_dir(a);
	if (tdir != NULL) {
		dest = tdir;
		into_dir = true;
		last = np;
	} else if (np - first == 1) {
		/* ln -s /etc: a link named etc in the cwd */
		static const struct rword here = { .s = ".", .n = 1, .unk_at = SIZE_MAX };

		dest = &here;
		into_dir = true;
		last = np;
	} else {
		dest = a->pos[np - 1];
		last = np - 1;
		into_dir = !no_dir && (np - first > 2 || (dest->n > 0 && dest->s[dest->n - 1] == '/'));
		if (!into_dir && !no_dir && dest->unk_at == SIZE_MAX && !(dest->f & RW_GLOB) && an->w->cwd != NULL) {
			/* an existing directory gets the link inside it */
			size_t dl;
			const char *dp = wk_norm_path(an->w->x, an->w->cwd, dest->s, dest->n, &dl);
			struct stat st;

			into_dir = dp != NULL && !an->w->x->env.no_resolve && stat(dp, &st) == 0 && S_ISDIR(st.st_mode);
		}
	}
	for (size_t k = first; k < last; k++) {
		const char *base = into_dir ? fs_base(an->w->x, a->pos[k]) : NULL;

		link_one(an, a->pos[k], dest, base, sym, rel);
	}
}

/* Does a chmod mode add execute permission? */
static bool
makes_exec(const struct rword *m)
{
	if (m->n > 0 && isdigit((unsigned char)m->s[0])) {
		for (size_t k = m->n >= 3 ? m->n - 3 : 0; k < m->n; k++)
			if ((m->s[k] - '0') & 1)
				return true;
		return false;
	}
	return memchr(m->s, 'x', m->n) != NULL && (memchr(m->s, '+', m->n) != NULL || memchr(m->s, '=', m->n) != NULL);
}

/* Does a chmod mode give every user read or write access? */
static bool
opens_to_all(const struct rword *m)
{
	if (m->n > 0 && isdigit((unsigned char)m->s[0]))
		return (m->s[m->n - 1] - '0') & 6;
	for (size_t k = 0; k + 1 < m->n; k++)
		if ((m->s[k] == 'o' || m->s[k] == 'a' || (m->s[k] == '+' && k == 0)) &&
		    memchr(m->s + k, '+', m->n - k) != NULL &&
		    (memchr(m->s + k, 'r', m->n - k) != NULL || memchr(m->s + k, 'w', m->n - k) != NULL))
			return true;
	return false;
}

/* chmod: files made executable (for the commands after it) and modes that
 * open protected files to every user. */
void
wk_chmod_targets(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	int ci = an->ci;

	if (strcmp(an->pg->name, "chmod") != 0 || a->npos <= 1)
		return;
	if (makes_exec(a->pos[0]))
		for (size_t j = 0; j < wk_cmd_at(x, ci)->ntargets && x->nexecs < DL_MAX; j++)
			x->execs[x->nexecs++] = wk_cmd_at(x, ci)->targets[j].path;
	if (opens_to_all(a->pos[0]))
		for (size_t j = 0; j < wk_cmd_at(x, ci)->ntargets; j++) {
			enum pclass tc = wk_cmd_at(x, ci)->targets[j].cls;

			if (tc == PC_SECRET || tc == PC_SYSTEM || tc == PC_PERSISTENCE || tc == PC_SANDGATE ||
			    tc == PC_AGENT_CONFIG) {
				wk_sig(x, ci, "chmod-open-protected");
				break;
			}
		}
}
