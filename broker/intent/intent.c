/* intent.c -- from a parsed command line (or a non-shell request) to the
 * commands it would run, what they touch, and the signals the risk scorer
 * weighs.  See intent.h.  This file: the intent context, commands, signals and targets as recorded, what feeds a
 * command's stdin, nested scripts, the walk over the shell tree and the public
 * entry points (intent_begin/end/shell/argv).
 * The families live in their own files: see walk.h. */
#include "broker/intent/walk.h"
#include "broker/intent/fsresolve.h"
#include "broker/intent/globclass.h"
#include "broker/intent/codepaths.h"
#include "broker/intent/selfref.h"
#include "broker/intent/reqfiles.h"
#include "broker/intent/secrets.h"
#include "broker/intent/substlit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void walk_list(struct walk *w, const struct sh_list *l);

bool
wk_oomf(struct intent_ctx *x)
{
	x->oom = true;
	return false;
}

char *
wk_xdup(struct intent_ctx *x, const char *s, size_t n)
{
	char *p = arena_strndup(x->a, s, n);

	if (p == NULL)
		wk_oomf(x);
	return p;
}

struct intent *
intent_get(struct intent_ctx *x)
{
	return x->in;
}


struct intent_cmd *
wk_cmd_at(struct intent_ctx *x, int i)
{
	return i >= 0 && (size_t)i < x->in->ncmds ? intent_cmd(x->in, (size_t)i) : NULL;
}

int
wk_new_cmd(struct walk *w, const char *text, size_t textlen, int stdin_from)
{
	struct intent_ctx *x = w->x;
	struct intent *in = x->in;
	struct intent_cmd *nc, *c;

	if (in->ncmds >= INTENT_MAX_CMDS) {
		in->dropped_cmds++;
		if (!x->large_flagged) {
			x->large_flagged = true;
			intent_signal(x, -1, "too-large", text, textlen);
		}
		return -1;
	}
	if (in->ncmds % INTENT_CHUNK == 0) {
		struct intent_cmd **nch = arena_grow(x->a, in->chunks, in->nchunks, &in->chunkcap, sizeof *nch);

		if (nch == NULL || (nc = arena_alloc(x->a, INTENT_CHUNK * sizeof *nc)) == NULL) {
			wk_oomf(x);
			return -1;
		}
		in->chunks = nch;
		in->chunks[in->nchunks++] = nc;
	}
	c = intent_cmd(in, in->ncmds);
	memset(c, 0, sizeof *c);
	c->text = text;
	c->textlen = textlen;
	c->context = w->context;
	c->via = w->via;
	c->remote = w->remote;
	c->privileged = w->priv;
	c->depth = w->depth;
	c->stdin_from = stdin_from;
	return (int)in->ncmds++;
}

int
intent_add_cmd(struct intent_ctx *x, const char *program, const char *text, size_t textlen)
{
	struct walk w = { .x = x, .stdin_from = -1, .inter = -1 };
	int i = wk_new_cmd(&w, text, textlen, -1);

	if (i >= 0 && program != NULL) {
		intent_cmd(x->in, (size_t)i)->program = program;
		intent_cmd(x->in, (size_t)i)->known = true;
	}
	return x->oom ? -1 : i;
}

void
intent_add_effect(struct intent_ctx *x, int i, enum effect e)
{
	struct intent_cmd *c = wk_cmd_at(x, i);

	if (c != NULL)
		c->effects |= (uint64_t)1 << e;
}

int
intent_signal_rule(struct intent_ctx *x, int i, const struct rule *r, const char *part, size_t partlen)
{
	struct intent *in = x->in;
	struct intent_signal *ns;

	if (r == NULL)
		return 0;
	/* A few signals per rule are enough to show (they score as one). */
	{
		size_t h = ((uintptr_t)r >> 4) % 512;

		for (size_t k = 0; k < 512; k++, h = (h + 1) % 512) {
			if (x->rcount[h].rule == r) {
				if (x->rcount[h].count >= 8)
					return 0;
				x->rcount[h].count++;
				break;
			}
			if (x->rcount[h].rule == NULL) {
				x->rcount[h].rule = r;
				x->rcount[h].count = 1;
				break;
			}
		}
	}
	/* One signal per rule and command is enough. */
	for (size_t k = in->nsigs; k > 0 && k + 64 > in->nsigs; k--)
		if (in->sigs[k - 1].rule == r && in->sigs[k - 1].cmd == i)
			return 0;
	if (in->nsigs >= INTENT_MAX_SIGNALS) {
		/* Keep the strongest: replace the weakest if this one is stronger. */
		size_t weak = 0;

		for (size_t k = 1; k < in->nsigs; k++)
			if (in->sigs[k].rule->weight < in->sigs[weak].rule->weight)
				weak = k;
		if (in->sigs[weak].rule->weight < r->weight)
			in->sigs[weak] = (struct intent_signal){ r, i, part, partlen };
		return 0;
	}
	ns = arena_grow(x->a, in->sigs, in->nsigs, &in->scap, sizeof *ns);
	if (ns == NULL) {
		wk_oomf(x);
		return -1;
	}
	in->sigs = ns;
	in->sigs[in->nsigs++] = (struct intent_signal){ r, i, part, partlen };
	return 0;
}

int
intent_signal(struct intent_ctx *x, int i, const char *rule_id, const char *part, size_t partlen)
{
	return intent_signal_rule(x, i, tables_rule(x->t, rule_id), part, partlen);
}

/* Signal about command i, pointing at its text. */
void
wk_sig(struct intent_ctx *x, int i, const char *rule_id)
{
	struct intent_cmd *c = wk_cmd_at(x, i);

	intent_signal(x, i, rule_id, c != NULL ? c->text : NULL, c != NULL ? c->textlen : 0);
}

void
wk_add_target_ex(struct intent_ctx *x, int i, const char *path, enum pclass cls, enum effect eff, unsigned tf)
{
	struct intent_cmd *c = wk_cmd_at(x, i);
	struct intent_target *nt;
	size_t pl;

	if (c == NULL)
		return;
	/* a repeated target is usually the one just added: look back a little */
	for (size_t k = c->ntargets > 64 ? c->ntargets - 64 : 0; k < c->ntargets; k++)
		if (c->targets[k].eff == eff && strcmp(c->targets[k].path, path) == 0)
			return;
	pl = strlen(path);
	if (c->ntargets >= INTENT_MAX_TARGETS || x->in->target_bytes + pl > INTENT_MAX_TARGET_BYTES) {
		/* a file left out is a part no rule can see: the intent is not whole */
		if (!x->in->dropped_targets) {
			x->in->dropped_targets = true;
			x->in->unparsed = true;
			intent_signal(x, i, "too-large", c->text, c->textlen > 200 ? 200 : c->textlen);
		}
		return;
	}
	nt = arena_grow(x->a, c->targets, c->ntargets, &c->tcap, sizeof *nt);
	if (nt == NULL) {
		wk_oomf(x);
		return;
	}
	x->in->target_bytes += pl;
	c->targets = nt;
	c->targets[c->ntargets++] = (struct intent_target){ .path = path, .cls = cls, .eff = eff,
		.indirect = (tf & TF_INDIRECT) != 0, .glob = (tf & TF_GLOB) != 0, .unknown = (tf & TF_UNKNOWN) != 0 };
	c->effects |= (uint64_t)1 << eff;
}

void
wk_add_target_raw(struct intent_ctx *x, int i, const char *path, enum pclass cls, enum effect eff,
    bool indirect)
{
	/* the pseudo-targets ("(paths from input)") name no file a rule could match */
	wk_add_target_ex(x, i, path, cls, eff, (indirect ? TF_INDIRECT : 0) | (path[0] != '/' ? TF_UNKNOWN : 0));
}

/* Decode one UTF-8 sequence; returns its length (1 for invalid bytes). */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0)
		len = 2, *cp = c & 0x1F;
	else if ((c & 0xF0) == 0xE0)
		len = 3, *cp = c & 0x0F;
	else if ((c & 0xF8) == 0xF0)
		len = 4, *cp = c & 0x07;
	else {
		*cp = 0xFFFD;
		return 1;
	}
	if (len > n) {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		*cp = (*cp << 6) | (s[k] & 0x3F);
	}
	return len;
}

int
intent_scan_text(struct intent_ctx *x, int i, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	bool bidi = false, invis = false, ctrl = false, longl = false;
	size_t linestart = 0;

	for (size_t k = 0; k < len;) {
		uint32_t cp;
		size_t l;

		/* printable ASCII, nearly all of a command line, in a tight loop */
		while (k < len && (unsigned char)(s[k] - 0x20) < 0x5F)
			k++;
		if (k >= len)
			break;
		if (s[k] < 0x80) {
			unsigned char c = s[k];

			if (c == '\n') {
				if (k - linestart > 4096)
					longl = true;
				linestart = k + 1;
			} else if ((c < 0x20 && c != '\t' && !(c == '\r' && k + 1 < len && s[k + 1] == '\n')) || c == 0x7F) {
				ctrl = true;
			}
			k++;
			continue;
		}
		l = utf8_next(s + k, len - k, &cp);
		if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
		    cp == 0x200F || cp == 0x061C)
			bidi = true;
		else if ((cp >= 0x200B && cp <= 0x200D) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF ||
		         cp == 0x00AD || cp == 0x180E || cp == 0x115F || cp == 0x1160 || cp == 0x3164 ||
		         cp == 0xFFA0 || (cp >= 0xE0000 && cp <= 0xE007F))
			invis = true;
		else if (cp >= 0x80 && cp <= 0x9F)
			ctrl = true;
		k += l;
	}
	if (len - linestart > 4096)
		longl = true;
	if (bidi)
		intent_signal(x, i, "obf-bidi", text, len > 200 ? 200 : len);
	if (invis)
		intent_signal(x, i, "obf-invisible", text, len > 200 ? 200 : len);
	if (ctrl)
		intent_signal(x, i, "obf-control", text, len > 200 ? 200 : len);
	if (longl)
		intent_signal(x, i, "obf-long-line", text, 200);
	return x->oom ? -1 : 0;
}

int
intent_scan_self(struct intent_ctx *x, int i, const char *text, size_t len)
{
	struct selfref_env env = { x->env.runtime_dir, x->env.config_dir, x->env.db_path, x->env.exe };
	const char *at;
	size_t n;
	char *what;

	if (!selfref_find(&env, text, len, &at, &n))
		return 0;
	if (i < 0)
		i = x->in->ncmds > 0 ? (int)x->in->ncmds - 1 : intent_add_cmd(x, NULL, text, len > 200 ? 200 : len);
	if (i < 0)
		return x->oom ? -1 : 0;
	if (n > 160)
		n = 160;
	if ((what = arena_alloc(x->a, n + 24)) == NULL)
		return wk_oomf(x), -1;
	memcpy(what, "(names sandgate: ", 17);
	memcpy(what + 17, at, n);
	memcpy(what + 17 + n, ")", 2);
	wk_add_target_ex(x, i, what, PC_SANDGATE, EFF_USE, TF_UNKNOWN);
	intent_signal(x, i, "names-sandgate", at, n);
	return x->oom ? -1 : 0;
}

void
wk_get_stdin_info(struct intent_ctx *x, int from, struct stdin_info *si)
{
	memset(si, 0, sizeof *si);
	for (int i = from, steps = 0; i >= 0 && steps < 16; steps++) {
		const struct intent_cmd *c = wk_cmd_at(x, i);

		if (c == NULL)
			break;
		if ((c->effects & ((uint64_t)1 << EFF_DOWNLOAD)) || ((c->classes & PCL(DOWNLOAD)) && c->nhosts > 0))
			si->dl = true;
		if (c->effects & ((uint64_t)1 << EFF_DECODE))
			si->dec = true;
		if (c->effects & (((uint64_t)1 << EFF_ENV_READ) | ((uint64_t)1 << EFF_SECRETS)))
			si->secret = true;
		for (size_t k = 0; k < c->ntargets; k++)
			if (c->targets[k].cls == PC_SECRET &&
			    (c->targets[k].eff == EFF_READ || c->targets[k].eff == EFF_USE))
				si->secret = true;
		if (steps == 0 && c->content != NULL) {
			si->content = c->content;
			si->len = c->contentlen;
		}
		i = c->stdin_from;
	}
}

static void
report_bad(struct intent_ctx *x, int ci, const struct sh_script *sc)
{
	for (size_t k = 0; k < sc->nbad; k++) {
		const char *p = sc->src + sc->bad[k].off;
		size_t n = sc->bad[k].len;

		x->in->unparsed = true;
		if (strcmp(sc->bad[k].why, "nested too deeply") == 0)
			intent_signal(x, ci, "too-deep", p, n > 200 ? 200 : n);
		else if (strcmp(sc->bad[k].why, "input too large to parse") == 0)
			intent_signal(x, ci, "too-large", p, n > 200 ? 200 : n);
		else
			intent_signal(x, ci, "unparsed", p, n > 200 ? 200 : n);
		intent_code(x, ci, p, n, LANG_CODE, false);
	}
}

void
wk_walk_subst(struct walk *w, const struct sh_list *l, const char *context)
{
	struct walk sw = *w;

	sw.context = context;
	sw.stdin_from = -1;
	walk_list(&sw, l);
}

int
wk_nested_script(struct walk *w, int ci, const char *src, size_t n, const char *context, const char *remote)
{
	struct intent_ctx *x = w->x;
	struct sh_script *sc;
	struct walk nw = *w;

	if (w->depth + 1 > INTENT_MAX_DEPTH) {
		if (!x->deep_flagged) {
			x->deep_flagged = true;
			x->in->unparsed = true;
			intent_signal(x, ci, "too-deep", src, n > 200 ? 200 : n);
			intent_code(x, ci, src, n, LANG_CODE, false);
		}
		return 0;
	}
	sc = sh_parse_in(x->tmp, x->a, src, n);
	if (sc == NULL) {
		wk_oomf(x);
		return -1;
	}
	nw.depth++;
	nw.context = context;
	nw.stdin_from = -1;
	nw.func = NULL;
	if (remote != NULL) {
		nw.remote = remote;
		nw.cwd = NULL;
	}
	walk_list(&nw, sc->list);
	report_bad(x, ci, sc);
	return x->oom ? -1 : 0;
}

/* For the family handlers that work through intent.h (codecalls.c, runs.c):
 * walk src as a shell script run by command i, in the scope of the command
 * being analysed. */
int
intent_nested(struct intent_ctx *x, int i, const char *src, size_t n, const char *context)
{
	const char *cwd = x->cwd_now, *remote = x->remote_now;
	int depth = x->depth_now, rc;
	bool priv = x->priv_now;
	struct walk w = { .x = x, .cwd = cwd != NULL ? cwd : x->in->cwd, .depth = depth, .priv = priv,
		.remote = remote, .stdin_from = -1, .inter = -1 };

	rc = wk_nested_script(&w, i, src, n, context, NULL);
	x->cwd_now = cwd;
	x->depth_now = depth;
	x->priv_now = priv;
	x->remote_now = remote;
	return rc;
}

/* A path named by command i, relative to the cwd it runs in. */
int
intent_add_path_here(struct intent_ctx *x, int i, const char *path, size_t len, enum effect eff)
{
	const char *cwd = x->cwd_now != NULL ? x->cwd_now : x->in->cwd;
	struct walk w = { .x = x, .cwd = cwd, .stdin_from = -1, .inter = -1 };
	struct rword r = { .s = path, .n = len, .unk_at = SIZE_MAX };

	if (len > 0 && path[0] == '~' && (len == 1 || path[1] == '/') && x->env.home != NULL) {
		char *p = arena_alloc(x->a, x->homelen + len);

		if (p == NULL)
			return wk_oomf(x), -1;
		memcpy(p, x->env.home, x->homelen);
		memcpy(p + x->homelen, path + 1, len - 1);
		r.s = p;
		r.n = x->homelen + len - 1;
	}
	for (size_t k = 0; k < r.n; k++)
		if (r.s[k] == '$' || r.s[k] == '`') {
			r.f |= RW_UNKNOWN;
			r.unk_at = k;
			break;
		}
	wk_add_target(&w, i, &r, eff);
	return x->oom ? -1 : 0;
}

bool
intent_secret_name(const struct intent_ctx *x, const char *s, size_t n)
{
	return secrets_var_name(x->t, s, n);
}

const struct tables *
intent_tables(const struct intent_ctx *x)
{
	return x->t;
}

arena *
intent_arena(struct intent_ctx *x)
{
	return x->a;
}

struct intent_cmd *
wk_cmd(struct an *an)
{
	return wk_cmd_at(an->w->x, an->ci);
}

/* Redirections of the command: targets, /dev/tcp, stdout to a file. */
void
wk_apply_redirs(struct walk *w, int ci, struct cmdctx *cc, struct rword *targets, const enum sh_redir_op *ops,
    size_t n)
{
	for (size_t k = 0; k < n; k++) {
		enum effect e;

		switch (ops[k]) {
		case SH_R_IN:
			e = EFF_READ;
			break;
		case SH_R_OUT:
		case SH_R_CLOBBER:
		case SH_R_OUT_ALL:
			e = EFF_OVERWRITE;
			break;
		case SH_R_APPEND:
		case SH_R_APPEND_ALL:
		case SH_R_INOUT:
			e = EFF_WRITE;
			break;
		default:
			continue;
		}
		wk_add_target(w, ci, &targets[k], e);
		if (e != EFF_READ) {
			struct intent_cmd *c = wk_cmd_at(w->x, ci);

			if (c != NULL && c->ntargets > 0 && c->targets[c->ntargets - 1].cls != PC_SPECIAL &&
			    c->targets[c->ntargets - 1].cls != PC_NETWORK)
				cc->stdout_file = true;
		}
	}
}

static int analyze_simple_in(struct walk *w, const struct sh_node *nd, int stdin_from, bool in_pipe, bool bg);

/* Analyse one simple command; its working arrays go back to tmp after. */
static int
analyze_simple(struct walk *w, const struct sh_node *nd, int stdin_from, bool in_pipe, bool bg)
{
	struct arena_mark m = arena_mark(w->x->tmp);
	int ci = analyze_simple_in(w, nd, stdin_from, in_pipe, bg);

	arena_release(w->x->tmp, m);
	return ci;
}

static int
analyze_simple_in(struct walk *w, const struct sh_node *nd, int stdin_from, bool in_pipe, bool bg)
{
	struct intent_ctx *x = w->x;
	struct cmdctx cc = { .text = nd->src, .textlen = nd->srclen, .stdin_from = stdin_from,
		.in_pipe = in_pipe, .bg = bg, .xargs_cls = PC_COUNT };
	struct rvec words = { 0 }, assigns = { 0 }, rt = { 0 };
	enum sh_redir_op *ops = NULL;
	int ci = -1;

	for (size_t k = 0; k < nd->nassigns; k++) {
		size_t before = assigns.n;

		wk_resolve_word(w, &nd->assigns[k], &assigns);
		/* assignments are not split: glue the pieces back */
		if (assigns.n > before + 1) {
			struct rword r = assigns.v[before];
			size_t len = 0, o = 0;
			char *s;

			for (size_t j = before; j < assigns.n; j++)
				len += assigns.v[j].n + 1;
			if ((s = arena_alloc(x->a, len + 1)) == NULL)
				return wk_oomf(x), -1;
			for (size_t j = before; j < assigns.n; j++) {
				if (j > before)
					s[o++] = ' ';
				memcpy(s + o, assigns.v[j].s, assigns.v[j].n);
				o += assigns.v[j].n;
				r.f |= assigns.v[j].f;
			}
			s[o] = '\0';
			r.s = s;
			r.n = o;
			assigns.v[before] = r;
			assigns.n = before + 1;
		}
	}
	for (size_t k = 0; k < nd->nwords; k++)
		wk_resolve_word(w, &nd->words[k], &words);
	if (nd->nredirs > 0 && (ops = arena_alloc(x->tmp, nd->nredirs * sizeof *ops)) == NULL)
		return wk_oomf(x), -1;
	for (size_t k = 0; k < nd->nredirs; k++) {
		const struct sh_redir *r = nd->redirs[k];
		struct rvec one = { 0 };

		if (r->op == SH_R_HEREDOC) {
			wk_resolve_word(w, &r->body, &one);
			if (one.n > 0) {
				/* Unsplit: rebuild the body text from the word. */
				size_t len = 0, o = 0;
				char *s;

				for (size_t j = 0; j < one.n; j++)
					len += one.v[j].n + 1;
				if ((s = arena_alloc(x->a, len + 1)) == NULL)
					return wk_oomf(x), -1;
				for (size_t j = 0; j < one.n; j++) {
					if (j > 0)
						s[o++] = ' ';
					memcpy(s + o, one.v[j].s, one.v[j].n);
					o += one.v[j].n;
				}
				s[o] = '\0';
				cc.stdin_text = r->heredoc_quoted && r->body.nsegs == 1 ? r->body.segs[0].s : s;
				cc.stdin_len = r->heredoc_quoted && r->body.nsegs == 1 ? r->body.segs[0].n : o;
			} else {
				cc.stdin_text = "";
				cc.stdin_len = 0;
			}
			cc.stdin_quoted = r->heredoc_quoted;
			continue;
		}
		wk_resolve_word(w, &r->target, &one);
		if (one.n == 0)
			continue;
		if (r->op == SH_R_HERESTRING) {
			cc.stdin_text = one.v[0].s;
			cc.stdin_len = one.v[0].n;
			continue;
		}
		if (r->op == SH_R_IN && (r->fd == -1 || r->fd == 0)) {
			cc.stdin_file = one.v[0];
			cc.has_stdin_file = true;
		}
		if (r->op == SH_R_DUP_IN || r->op == SH_R_DUP_OUT)
			continue;
		if (!wk_rvec_push(x, &rt, &one.v[0]))
			return -1;
		ops[rt.n - 1] = r->op;
	}
	cc.rtargets = rt.v;
	cc.rops = ops;
	cc.nr = rt.n;
	if (words.n == 0) {
		/* Assignments only (or redirections only). */
		for (size_t k = 0; k < assigns.n; k++) {
			const struct rword *r = &assigns.v[k];
			const char *eq = memchr(r->s, '=', r->n);
			size_t nl;

			if (eq == NULL)
				continue;
			nl = (size_t)(eq - r->s);
			if (nl > 0 && r->s[nl - 1] == '+')
				nl--;
			if (memchr(r->s, '[', nl) != NULL)
				continue;
			wk_var_set(x, r->s, nl, eq + 1, r->n - (size_t)(eq + 1 - r->s), r->f);
			wk_env_assignment(w, -1, r); /* PATH: pathvar.c */
		}
		if (rt.n > 0 || cc.stdin_text != NULL) {
			ci = wk_new_cmd(w, cc.text, cc.textlen, stdin_from);
			wk_apply_redirs(w, ci, &cc, rt.v, ops, rt.n);
		}
		return ci;
	}
	cc.assigns = assigns.v;
	cc.nassigns = assigns.n;
	for (size_t k = 0; k < words.n; k++)
		if (words.v[k].f & RW_IFS) {
			intent_signal(x, -1, "obf-ifs", nd->src, nd->srclen);
			break;
		}
	for (size_t k = 0; k < words.n; k++)
		if ((words.v[k].f & RW_ANSI) && k > 0) {
			intent_signal(x, -1, "obf-ansi", words.v[k].s, words.v[k].n);
			break;
		}
	/* $'\x72\x6d': escapes that spell letters or digits, which need none,
	 * in command position hide what runs (high).  In an argument the walk
	 * judges the decoded word and obf-ansi already says text is hidden. */
	for (size_t k = 0; k < nd->nwords; k++)
		if (nd->words[k].flags & SH_W_ANSI_PLAIN) {
			if (words.n > 0 && words.v[0].w == &nd->words[k])
				intent_signal(x, -1, "obf-ansi-plain", nd->words[k].raw, nd->words[k].rawlen);
			break;
		}
	for (size_t k = 0; k < words.n; k++)
		if (words.v[k].f & RW_PARAM) {
			intent_signal(x, -1, "obf-param", nd->src, nd->srclen);
			break;
		}
	return wk_analyze_words(w, words.v, words.n, &cc);
}

/* Commands in a compound's redirections ({ ...; } > file). */
static void
compound_redirs(struct walk *w, const struct sh_node *nd, int stdin_from)
{
	struct sh_node tmp = *nd;

	if (nd->nredirs == 0)
		return;
	tmp.kind = SH_SIMPLE;
	tmp.nwords = 0;
	tmp.nassigns = 0;
	analyze_simple(w, &tmp, stdin_from, false, false);
}

static void
walk_words(struct walk *w, const struct sh_word *v, size_t n)
{
	struct rvec tmp = { 0 };

	for (size_t k = 0; k < n; k++)
		wk_resolve_word(w, &v[k], &tmp);
}

/* Returns the index of the last command it produced at this level, or -1. */
static int
walk_node(struct walk *w, const struct sh_node *nd, int stdin_from, bool in_pipe, bool bg)
{
	struct intent_ctx *x = w->x;
	size_t before = x->in->ncmds;
	int saved = w->stdin_from;

	if (x->oom)
		return -1;
	if (nd->kind == SH_SIMPLE)
		return analyze_simple(w, nd, stdin_from, in_pipe, bg);
	w->stdin_from = stdin_from;
	switch (nd->kind) {
	case SH_SUBSHELL: {
		struct walk sw = *w;

		walk_list(&sw, nd->lists[0]);
		break;
	}
	case SH_FUNC: {
		struct walk fw = *w;
		char *name = wk_xdup(x, nd->words[0].raw, nd->words[0].rawlen);

		if (name != NULL && x->nfuncs < FUNC_MAX)
			x->funcs[x->nfuncs++] = name;
		fw.func = name;
		fw.stdin_from = -1;
		walk_list(&fw, nd->lists[0]);
		break;
	}
	case SH_FOR:
	case SH_SELECT:
	case SH_CASE:
	case SH_ARITH:
	case SH_COND:
		walk_words(w, nd->words, nd->nwords);
		if (nd->kind == SH_CASE) {
			size_t np = 0;

			for (size_t k = 0; k < nd->nlists; k++)
				np += nd->npats[k];
			walk_words(w, nd->pats, np);
		}
		/* fall through */
	default:
		for (size_t k = 0; k < nd->nlists; k++)
			walk_list(w, nd->lists[k]);
		break;
	}
	w->stdin_from = saved;
	compound_redirs(w, nd, stdin_from);
	return x->in->ncmds > before ? (int)x->in->ncmds - 1 : -1;
}

static bool
is_shell_cmd(const struct intent_cmd *c)
{
	return c != NULL && ((c->effects & ((uint64_t)1 << EFF_SHELL)) ||
	                        ((c->classes & PCL(SHELL)) && (c->effects & ((uint64_t)1 << EFF_EXEC))));
}

static bool
is_net_cmd(const struct intent_cmd *c)
{
	if (c == NULL)
		return false;
	if (c->classes & PCL(RAWNET))
		return true;
	for (size_t k = 0; k < c->ntargets; k++)
		if (c->targets[k].cls == PC_NETWORK)
			return true;
	return false;
}

static void
walk_pipeline(struct walk *w, const struct sh_pipeline *pl, bool bg)
{
	struct intent_ctx *x = w->x;
	int prev = w->stdin_from, mains[64];
	size_t nm = 0;

	for (size_t k = 0; k < pl->ncmds && !x->oom; k++) {
		int from = k == 0 ? w->stdin_from : prev;
		int ci = walk_node(w, pl->cmds[k], from, pl->ncmds > 1, bg);

		if (ci >= 0 && nm < 64)
			mains[nm++] = ci;
		prev = ci;
	}
	/* A shell wired to a network connection: reverse or bind shell. */
	for (size_t k = 0; k < nm; k++) {
		const struct intent_cmd *c = wk_cmd_at(x, mains[k]);

		if (!is_shell_cmd(c))
			continue;
		for (size_t j = 0; j < nm; j++)
			if (is_net_cmd(wk_cmd_at(x, mains[j]))) {
				wk_sig(x, mains[k], "reverse-shell");
				intent_add_effect(x, mains[k], EFF_REMOTE_EXEC);
				break;
			}
	}
}

static bool
newline_between(const char *a, const char *b)
{
	return a != NULL && b != NULL && b > a && b - a < (1 << 20) && memchr(a, '\n', (size_t)(b - a)) != NULL;
}

/* Walk a list.  A list in a new scope starts with no interactive program
 * pending; the top level keeps its state across streamed batches. */
static void
walk_items(struct walk *w, const struct sh_list *l)
{
	struct intent_ctx *x = w->x;

	for (size_t k = 0; l != NULL && k < l->nitems && !x->oom; k++) {
		const struct sh_pipeline *pl = l->items[k].pl;
		size_t before = x->in->ncmds;

		walk_pipeline(w, pl, l->items[k].conn == SH_CONN_BG);
		if (w->inter >= 0 && x->in->ncmds > before && newline_between(w->inter_end, pl->cmds[0]->src)) {
			const struct intent_cmd *c = wk_cmd_at(x, (int)before);

			intent_signal(x, (int)before, "interactive-input", c->text, c->textlen);
			w->inter = -1;
		}
		if (pl->ncmds == 1 && pl->cmds[0]->kind == SH_SIMPLE && x->in->ncmds > before) {
			for (size_t j = before; j < x->in->ncmds; j++)
				if (intent_cmd(x->in, j)->interactive && intent_cmd(x->in, j)->depth == w->depth) {
					w->inter = (int)j;
					w->inter_end = pl->cmds[0]->src + pl->cmds[0]->srclen;
					break;
				}
		}
	}
}

static void
walk_list(struct walk *w, const struct sh_list *l)
{
	int saved = w->inter;

	w->inter = -1;
	walk_items(w, l);
	w->inter = saved;
}

struct intent_ctx *
intent_begin(arena *a, arena *tmp, const struct tables *t, const struct intent_env *env, const char *kind,
    const char *cwd, const char *workspace)
{
	struct intent_ctx *x = arena_zalloc(a, sizeof *x);
	struct intent *in = arena_zalloc(a, sizeof *in);

	if (x == NULL || in == NULL || tmp == NULL || tmp == a)
		return NULL;
	x->a = a;
	x->tmp = tmp;
	x->t = t;
	if (env != NULL)
		x->env = *env;
	x->in = in;
	in->kind = kind;
	/* Only absolute directories count; "/" as a workspace means nothing, and
	 * without a workspace there is none (the cwd is not one). */
	if (cwd != NULL && cwd[0] == '/') {
		size_t l;

		in->cwd = wk_norm_path(x, NULL, cwd, strlen(cwd), &l);
	}
	if (workspace != NULL && workspace[0] == '/') {
		size_t l;

		in->workspace = wk_norm_path(x, NULL, workspace, strlen(workspace), &l);
	}
	if (in->workspace != NULL && strcmp(in->workspace, "/") == 0)
		in->workspace = NULL;
	x->wslen = in->workspace != NULL ? strlen(in->workspace) : 0;
	if (x->env.home != NULL) {
		size_t l;

		x->env.home = x->env.home[0] == '/' ? wk_norm_path(x, NULL, x->env.home, strlen(x->env.home), &l) : NULL;
	}
	x->homelen = x->env.home != NULL ? strlen(x->env.home) : 0;
	if (x->env.home != NULL && x->homelen <= 1)
		x->env.home = NULL, x->homelen = 0;
	return x->oom ? NULL : x;
}

static void
intent_end(struct intent_ctx *x)
{
	free(x->buf);
	free(x->split);
	x->buf = NULL;
	x->split = NULL;
	x->bcap = x->blen = 0;
}

static int
walk_batch(void *arg, const struct sh_script *batch)
{
	struct walk *w = arg;

	walk_items(w, batch->list);
	report_bad(w->x, -1, batch);
	return w->x->oom ? -1 : 0;
}

int
intent_shell(struct intent_ctx *x, const char *src, size_t n)
{
	struct walk w = { .x = x, .cwd = x->in->cwd, .stdin_from = -1, .inter = -1 };
	int rc;

	intent_scan_text(x, -1, src, n);
	rc = sh_parse_stream(x->tmp, x->a, src, n, walk_batch, &w);
	intent_end(x);
	if (rc == 0 && !x->oom)
		intent_scan_self(x, -1, src, n);
	return rc < 0 || x->oom ? -1 : 0;
}

int
intent_argv(struct intent_ctx *x, const char *const *argv, const size_t *lens, size_t argc)
{
	struct walk w = { .x = x, .cwd = x->in->cwd, .stdin_from = -1, .inter = -1 };
	struct cmdctx cc = { .stdin_from = -1, .xargs_cls = PC_COUNT };
	struct rword *rw;
	size_t total = 0, o = 0;
	char *text;

	if (argc == 0)
		return 0;
	if ((rw = arena_zalloc(x->a, argc * sizeof *rw)) == NULL)
		return -1;
	for (size_t k = 0; k < argc; k++)
		total += lens[k] + 1;
	if ((text = arena_alloc(x->a, total + 1)) == NULL)
		return -1;
	for (size_t k = 0; k < argc; k++) {
		rw[k].s = argv[k];
		rw[k].n = lens[k];
		rw[k].unk_at = SIZE_MAX;
		rw[k].f = RW_QUOTED;
		memcpy(text + o, argv[k], lens[k]);
		o += lens[k];
		text[o++] = ' ';
		intent_scan_text(x, -1, argv[k], lens[k]);
	}
	text[o - 1] = '\0';
	cc.text = text;
	cc.textlen = o - 1;
	/* argv words are exact: a program word with spaces is a name, not a command */
	rw[0].f = 0;
	wk_analyze_words(&w, rw, argc, &cc);
	intent_end(x);
	if (!x->oom)
		intent_scan_self(x, -1, text, cc.textlen);
	return x->oom ? -1 : 0;
}
