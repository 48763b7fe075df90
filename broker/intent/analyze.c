/* analyze.c -- one simple command: analyze_words and its steps (wrappers, program lookup,
 * arguments and cmdrules, builtins that change the walk, the handler of the
 * program, class signals, the argument scan).
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"
#include "broker/intent/db.h"
#include "broker/intent/packages.h"
#include "broker/intent/fsresolve.h"
#include "broker/intent/globclass.h"
#include "broker/intent/codepaths.h"
#include "broker/intent/selfref.h"
#include "broker/intent/reqfiles.h"
#include "broker/intent/privwrap.h"
#include "broker/intent/secrets.h"
#include "broker/intent/substlit.h"
#include "broker/intent/indirect.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool
any_glob(const struct strlist *l, const char *s, size_t n)
{
	for (size_t k = 0; k < l->n; k++)
		if (!glob_first_differs(l->v[k], s, n) && glob_match(l->v[k], s, n, false))
			return true;
	return false;
}

/* Does one table condition hold?  first: index of the first positional
 * after the subcommand. */
static bool
cond_holds(const struct cond *c, const struct args *a, size_t first, bool long1, bool global)
{
	bool r = false;

	switch (c->kind) {
	case CK_FLAG:
		/* a program-wide rule of a program with subcommands looks at
		 * the options before the subcommand (git -c, not git switch -c) */
		for (size_t k = 0; k < c->list.n && !r; k++)
			r = wk_has_flag_upto(a, c->list.v[k], long1, global && first > 0 ? first : SIZE_MAX);
		break;
	case CK_ARG:
		for (size_t k = first; k < a->npos && !r; k++)
			r = any_glob(&c->list, a->pos[k]->s, a->pos[k]->n);
		break;
	case CK_ARG1:
		r = first < a->npos && any_glob(&c->list, a->pos[first]->s, a->pos[first]->n);
		break;
	case CK_LASTARG:
		r = a->nall > 0 && any_glob(&c->list, a->all[a->nall - 1].s, a->all[a->nall - 1].n);
		break;
	case CK_VAL:
		for (size_t k = 0; k < a->nopts && !r; k++) {
			const struct opt *o = &a->opts[k];

			if (o->val != NULL && wk_in_list(&c->list, o->name, o->nlen))
				r = any_glob(&c->vals, o->val->s, o->val->n);
		}
		break;
	case CK_NOARGS:
		r = first >= a->npos;
		break;
	case CK_ARGS:
		r = first < a->npos;
		break;
	case CK_SPEC:
		r = wk_vcs_spec(a, first, &c->list);
		break;
	}
	return c->neg ? !r : r;
}

static bool
rule_holds(const struct cmdrule *r, const struct args *a, size_t first, bool long1)
{
	bool global = r->subs.n == 0 && !r->fallback;

	for (size_t k = 0; k < r->nconds; k++)
		if (!cond_holds(&r->conds[k], a, first, long1, global))
			return false;
	return true;
}

static void
fire(struct intent_ctx *x, int ci, const struct cmdrule *r)
{
	if (r->effect >= 0)
		intent_add_effect(x, ci, (enum effect)r->effect);
	if (r->r.weight > 0) {
		struct intent_cmd *c = wk_cmd_at(x, ci);

		intent_signal_rule(x, ci, &r->r, c->text, c->textlen);
	}
}

/* Apply the commands table; returns true if some rule matched. */
static bool
apply_cmdrules(struct intent_ctx *x, int ci, const char *prog, const char *sub, const struct args *a,
    size_t first, bool long1)
{
	size_t n;
	const struct cmdrule *const *v = tables_cmdrules_for(x->t, prog, sub, &n);
	bool specific = false, any = false, has_fallback = false;
	size_t sublen = sub != NULL ? strlen(sub) : 0;

	for (size_t k = 0; k < n; k++) {
		const struct cmdrule *r = v[k];

		if (r->fallback) {
			has_fallback = true;
			continue;
		}
		if (r->subs.n > 0 && (sub == NULL || !any_glob(&r->subs, sub, sublen)))
			continue;
		if (!rule_holds(r, a, first, long1))
			continue;
		if (r->subs.n > 0)
			specific = true;
		any = true;
		fire(x, ci, r);
	}
	if (wk_services(x, ci, prog, a, first, specific, has_fallback)) /* services.c: CLIs by verb */
		any = true;
	else if (!specific && has_fallback)
		for (size_t k = 0; k < n; k++)
			if (v[k]->fallback && rule_holds(v[k], a, first, long1)) {
				fire(x, ci, v[k]);
				any = true;
			}
	return any;
}

bool
wk_apply_cmdrules(struct intent_ctx *x, int ci, const char *prog, const char *sub, const struct args *a,
    size_t first, bool long1)
{
	return apply_cmdrules(x, ci, prog, sub, a, first, long1);
}

static const char *
base_name(const char *s, size_t n, size_t *bl)
{
	const char *sl = memrchr(s, '/', n);
	const char *b = sl != NULL ? sl + 1 : s;

	*bl = n - (size_t)(b - s);
	return b;
}

static bool
std_bin_dir(const char *s, size_t n)
{
	static const char *const dirs[] = { "/bin/", "/usr/bin/", "/usr/local/bin/", "/sbin/", "/usr/sbin/",
		"/usr/local/sbin/", "/opt/homebrew/bin/", "/usr/libexec/", "/run/current-system/sw/bin/" };

	for (size_t k = 0; k < sizeof dirs / sizeof dirs[0]; k++) {
		size_t dl = strlen(dirs[k]);

		if (n > dl && memcmp(s, dirs[k], dl) == 0 && memchr(s + dl, '/', n - dl) == NULL)
			return true;
	}
	return false;
}

static bool
is_function(struct intent_ctx *x, const char *name)
{
	for (size_t k = 0; k < x->nfuncs; k++)
		if (strcmp(x->funcs[k], name) == 0)
			return true;
	return false;
}

/* Programs whose arguments are data, not commands: a shell path among
 * them is not a shell escape. */
#define DATA_ARGS                                                                                   \
	(PCL(READONLY) | PCL(META) | PCL(PRINT) | PCL(BUILTIN) | PCL(VCS) | PCL(SHELL) | PCL(DB) |      \
	    PCL(CD) | PCL(SOURCE) | PCL(EVAL) | PCL(TRAP) | PCL(INTERP) | PCL(SYSINFO))

/* Is r a file this command line made executable? */
static bool
is_exec_file(struct an *an, const struct rword *r)
{
	struct intent_ctx *x = an->w->x;
	const char *p;
	size_t len;

	if (x->nexecs == 0 || r->n == 0 || r->unk_at == 0)
		return false;
	p = wk_norm_path(x, an->w->cwd, r->s, r->n, &len);
	for (size_t k = 0; p != NULL && k < x->nexecs; k++)
		if (strcmp(x->execs[k], p) == 0)
			return true;
	return false;
}

/* Credentials in the words or here-document of a command, environment
 * dumps and searches for key material (secrets.c). */
static void
secrets_of(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct intent_cmd *c = wk_cmd(an);
	struct secrets_cmd sc = { .prog = c->program, .classes = an->pg != NULL ? an->pg->classes : 0,
		.stdout_file = an->cc->stdout_file };
	struct secrets_word *v;

	for (size_t k = 0; k < an->n && !sc.uses_secret; k++)
		sc.uses_secret = (an->rw[k].f & RW_SECRETVAR) != 0;
	if (!sc.uses_secret && an->cc->stdin_text != NULL && !an->cc->stdin_quoted)
		sc.uses_secret = secrets_text_refs(x->t, an->cc->stdin_text, an->cc->stdin_len);
	if (!sc.uses_secret && !secrets_prog_wanted(sc.prog, sc.classes))
		return;
	if (an->n > 0) {
		if ((v = arena_alloc(x->tmp, an->n * sizeof *v)) == NULL) {
			wk_oomf(x);
			return;
		}
		for (size_t k = 0; k < an->n; k++)
			v[k] = (struct secrets_word){ an->rw[k].s, an->rw[k].n };
		sc.args = v;
		sc.nargs = an->n;
	}
	secrets_command(x, an->ci, &sc);
}

/* Is r a shell and next an option group with p (sh -p, bash -pi): privileged
 * mode, which keeps the effective uid of a setuid program that runs it. */
static bool
shell_keeps_priv(struct intent_ctx *x, const struct rword *r, const struct rword *next)
{
	const struct prog *pg;
	const char *b;
	size_t bl;
	char name[64];

	if (next->n < 2 || next->s[0] != '-' || next->s[1] == '-' || memchr(next->s, 'p', next->n) == NULL)
		return false;
	for (size_t k = 1; k < next->n; k++)
		if (!((next->s[k] >= 'a' && next->s[k] <= 'z') || (next->s[k] >= 'A' && next->s[k] <= 'Z')))
			return false;
	b = base_name(r->s, r->n, &bl);
	if (bl == 0 || bl >= sizeof name)
		return false;
	memcpy(name, b, bl);
	name[bl] = '\0';
	pg = tables_prog(x->t, name);
	return pg != NULL && (pg->classes & PCL(SHELL)) != 0;
}

/* Shell paths, libraries and @files among the arguments. */
static void
arg_scan(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	uint64_t cls = an->pg != NULL ? an->pg->classes : 0;
	bool shell = false, priv = false;

	for (size_t k = 0; k < a->nall; k++) {
		const struct rword *r = &a->all[k];

		if (!(cls & DATA_ARGS)) {
			uint32_t m = wk_code_signals(x, r->s, r->n, LANG_CODE);

			if (m & (1u << CS_PRIVSHELL))
				priv = true;
			if ((m & (1u << CS_SHELL)) || (r->f & RW_SHELLVAR))
				shell = true;
			/* choom -- /bin/sh -p, pexec /bin/sh -p: the shell and its -p are two words */
			if (k + 1 < a->nall && shell_keeps_priv(x, r, &a->all[k + 1]))
				priv = true;
		}
		if (!(cls & (PCL(BUILD) | PCL(TEST) | PCL(READONLY) | PCL(META) | PCL(PRINT) | PCL(FILEOPS) |
		              PCL(DELETE) | PCL(ARCHIVE) | PCL(PKG) | PCL(VCS))) &&
		    r->n > 3 && (memcmp(r->s + r->n - 3, ".so", 3) == 0 || wk_find(r->s, r->n, ".so.", 4) != NULL)) {
			wk_sig(x, an->ci, "so-arg");
			intent_add_effect(x, an->ci, EFF_EXEC);
		}
		if (!(cls & (PCL(PKG) | PCL(VCS) | PCL(CONTAINER) | PCL(CLOUD) | PCL(NET) | PCL(DB) | PCL(PRINT) |
		              PCL(BUILTIN) | PCL(DOWNLOAD))) &&
		    r->n > 1 && r->s[0] == '@' && r->s[1] != '{' && !(r->f & RW_QUOTED && r->w && r->w->raw[0] != '@')) {
			struct rword f = *r;

			f.s++;
			f.n--;
			if (f.unk_at != SIZE_MAX && f.unk_at > 0)
				f.unk_at--;
			wk_sig(x, an->ci, "response-file");
			wk_add_target(an->w, an->ci, &f, EFF_READ);
		}
	}
	if (x->nexecs > 0 && !(cls & (PCL(SHELL) | PCL(INTERP) | PCL(READONLY) | PCL(META) | PCL(PRINT) |
	                                 PCL(PERM) | PCL(FILEOPS) | PCL(DELETE) | PCL(BUILTIN)))) {
		bool hit = false;

		for (size_t k = 0; k < a->nall && !hit; k++)
			hit = is_exec_file(an, &a->all[k]);
		for (size_t k = 0; k < a->ninl && !hit; k++)
			hit = is_exec_file(an, &a->inl[k]);
		if (hit) {
			wk_sig(x, an->ci, "exec-file-arg");
			intent_add_effect(x, an->ci, EFF_EXEC);
		}
	}
	if (priv) {
		wk_sig(x, an->ci, "shell-priv");
		intent_add_effect(x, an->ci, EFF_PRIVILEGE);
	}
	secrets_of(an);
	if (shell || priv) {
		wk_sig(x, an->ci, (cls & PCL(RAWNET)) ? "reverse-shell" : "shell-arg");
		intent_add_effect(x, an->ci, EFF_SHELL);
	}
}

static void
class_signals(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	uint64_t cls = an->pg->classes;
	const struct args *a = an->a;

	if (cls & PCL(SNIFFER)) {
		wk_sig(x, an->ci, "prog-sniffer");
		intent_add_effect(x, an->ci, EFF_NETWORK);
	}
	if (cls & PCL(ACCOUNT)) {
		wk_sig(x, an->ci, "prog-account");
		intent_add_effect(x, an->ci, EFF_PRIVILEGE);
	}
	if (cls & PCL(DISK))
		wk_sig(x, an->ci, "prog-disk");
	if ((cls & PCL(REMOTE)) && an->pg->handler != H_SSH) {
		wk_sig(x, an->ci, "prog-remote");
		intent_add_effect(x, an->ci, EFF_REMOTE_EXEC);
	}
	if ((cls & PCL(TRANSFER)) && an->pg->handler != H_REMOTE_COPY && !an->pg->sub) {
		wk_sig(x, an->ci, "prog-transfer");
		intent_add_effect(x, an->ci, EFF_UPLOAD);
		intent_add_effect(x, an->ci, EFF_DOWNLOAD);
	}
	if (cls & PCL(RAWNET)) {
		wk_sig(x, an->ci, "prog-rawnet");
		intent_add_effect(x, an->ci, EFF_NETWORK);
		if (an->cc->has_stdin_file) {
			wk_sig(x, an->ci, "upload-stdin");
			intent_add_effect(x, an->ci, EFF_UPLOAD);
			wk_add_target(an->w, an->ci, &an->cc->stdin_file, EFF_READ);
			wk_check_exfil(an);
		}
	}
	if (cls & (PCL(RAWNET) | PCL(REMOTE) | PCL(TRANSFER) | PCL(MAIL) | PCL(DOWNLOAD))) {
		struct stdin_info si;

		wk_get_stdin_info(x, an->cc->stdin_from, &si);
		if (an->cc->stdin_from >= 0 && si.secret) {
			wk_sig(x, an->ci, "exfiltrate");
			intent_add_effect(x, an->ci, EFF_EXFILTRATE);
		}
	}
	if ((cls & (PCL(REMOTE) | PCL(MAIL) | PCL(NET))) && !(cls & PCL(RAWNET)) && an->cc->has_stdin_file &&
	    !(cls & PCL(SYSINFO))) {
		wk_sig(x, an->ci, "upload-stdin");
		intent_add_effect(x, an->ci, EFF_UPLOAD);
		wk_add_target(an->w, an->ci, &an->cc->stdin_file, EFF_READ);
		wk_check_exfil(an);
	}
	if ((cls & PCL(DEBUGGER)) && (wk_opt_value(a, "-p") != NULL || wk_opt_value(a, "--pid") != NULL ||
	                                 wk_opt_value(a, "--attach-pid") != NULL))
		wk_sig(x, an->ci, "prog-debugger-attach");
	wk_db_command(an); /* db.c: statements, statement files, servers */
}

/* Program names that hide what runs. */
static void
name_signals(struct intent_ctx *x, int ci, const struct rword *r)
{
	if (r->f & RW_ANSI)
		intent_signal(x, ci, "obf-ansi-cmd", r->s, r->n);
	if (r->f & RW_BRACE)
		intent_signal(x, ci, "obf-brace", r->s, r->n);
	if (r->f & (RW_SUBST | RW_UNKNOWN | RW_PARAM))
		intent_signal(x, ci, "obf-cmd-var", r->s, r->n);
	else if (r->w != NULL && (r->f & (RW_QUOTED | RW_ESCAPED)) && memchr(r->s, '/', r->n) == NULL &&
	         !(r->w->rawlen == r->n + 2 && (r->w->raw[0] == '"' || r->w->raw[0] == '\'')))
		intent_signal(x, ci, "obf-quote-cmd", r->s, r->n);
}

static size_t
join_via(char *buf, size_t cap, size_t len, const char *name)
{
	size_t nl = strlen(name);

	if (len + nl + 2 > cap)
		return len;
	if (len > 0)
		buf[len++] = ' ';
	memcpy(buf + len, name, nl);
	len += nl;
	buf[len] = '\0';
	return len;
}

static const char *const env_split_v[] = { "-S", "--split-string" };

static const struct strlist env_split = { (const char **)env_split_v, 2 };

/* The state of one analyze_words call, shared by its steps. */
struct aw {
	struct walk *w;
	struct intent_ctx *x;
	struct walk lw;          /* the walk of what the command runs (wrappers change it) */
	struct rword *rw;        /* the words ... */
	size_t n, k;             /* ... and the first one not taken by a wrapper */
	struct cmdctx *cc;
	int ci;
	char via[256], name[256];
	size_t vialen, bl;
	const char *priv_user;
	bool priv_here, script_path;
	bool windows; /* analysed as a cmd or PowerShell command (windows.c) */
	int priv_as;             /* enum wrap_as of the priv wrappers (privwrap.h) */
	size_t first_cmd, first_sig; /* where this command's commands and signals start */
	const struct prog *pg;
	struct args *a;
	struct an an;
};

/* How a step ends: go on, the command is analysed, out of memory. */
enum aw_step { AW_ON, AW_DONE, AW_FAIL };

/* One wrapper's own options and arguments. */
struct aw_wrapped {
	size_t j;                    /* the first word of what it runs */
	bool nocmd, shell_opt;
	bool cmd_mode, edit_mode;    /* runuser -u USER CMD; sudo -e FILE */
	const struct rword *script;  /* -c SCRIPT */
};

/* A new command: the shell's redirections and NAME=value prefixes. */
static bool
aw_start(struct aw *s)
{
	struct walk *w = s->w;
	struct cmdctx *cc = s->cc;

	s->via[0] = '\0';
	if (w->via != NULL)
		s->vialen = join_via(s->via, sizeof s->via, 0, w->via);
	s->ci = wk_new_cmd(w, cc->text, cc->textlen, cc->stdin_from);
	if (s->ci < 0)
		return false;
	s->x->cwd_now = w->cwd;
	wk_apply_redirs(w, s->ci, cc, cc->rtargets, cc->rops, cc->nr);
	for (size_t j = 0; j < cc->nassigns; j++)
		wk_env_assignment(w, s->ci, &cc->assigns[j]);
	return true;
}

/* The program word may hold a whole command: 'rm -rf /' quoted. */
static bool
aw_unquote_program(struct aw *s)
{
	struct intent_ctx *x = s->x;
	struct rword *rw = s->rw;
	size_t n = s->n;

	if (n > 0 && (rw[0].f & RW_QUOTED) && !(rw[0].f & RW_UNKNOWN) && memchr(rw[0].s, ' ', rw[0].n) != NULL &&
	    rw[0].n < 4096) {
		struct rvec v = { 0 };
		const char *p = rw[0].s, *e = rw[0].s + rw[0].n;

		while (p < e) {
			struct rword r = rw[0];

			while (p < e && isspace((unsigned char)*p))
				p++;
			if (p >= e)
				break;
			r.s = p;
			while (p < e && !isspace((unsigned char)*p))
				p++;
			r.n = (size_t)(p - r.s);
			r.w = NULL;
			if (!wk_rvec_push(x, &v, &r))
				return false;
		}
		for (size_t j = 1; j < n; j++)
			if (!wk_rvec_push(x, &v, &rw[j]))
				return false;
		s->rw = v.v;
		s->n = v.n;
	}
	return true;
}

/* A Unicode blank inside the program word (rm U+3000 -rf U+3000 /): the
 * shell does not split there, so what runs is not what the reader sees. */
static bool
has_unicode_blank(const char *w, size_t n)
{
	for (size_t k = 0; k + 1 < n; k++) {
		const unsigned char *u = (const unsigned char *)w + k;

		if (u[0] == 0xC2 && u[1] == 0xA0) /* U+00A0 */
			return true;
		if (k + 2 >= n)
			continue;
		if ((u[0] == 0xE2 && u[1] == 0x80 && (u[2] <= 0x8B || u[2] == 0xAF)) || /* U+2000-200B, U+202F */
		    (u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F) ||                   /* U+205F */
		    (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) ||                   /* U+3000 */
		    (u[0] == 0xE1 && u[1] == 0x9A && u[2] == 0x80) ||                   /* U+1680 */
		    (u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF))                     /* U+FEFF */
			return true;
	}
	return false;
}

/* SUDO, Rm: a wrapper or program name the tables do not know whose lower
 * case they do runs that one where file names ignore case (macOS): judge
 * it as that (spelling.c does the same for subcommands). */
static void
aw_fold_case(struct aw *s)
{
	struct intent_ctx *x = s->x;
	char low[sizeof s->name];
	bool upper = false;

	for (size_t k = 0; k < s->bl; k++) {
		upper |= s->name[k] >= 'A' && s->name[k] <= 'Z';
		low[k] = (char)tolower((unsigned char)s->name[k]);
	}
	low[s->bl] = '\0';
	if (!upper || tables_wrapper(x->t, s->name) != NULL || tables_prog(x->t, s->name) != NULL ||
	    (tables_wrapper(x->t, low) == NULL && tables_prog(x->t, low) == NULL))
		return;
	/* cmd and PowerShell names ignore case: DEL is normal there (spelling.c) */
	if (tables_win(x->t, low) == NULL)
		intent_signal(x, s->ci, "odd-case", s->name, s->bl);
	memcpy(s->name, low, s->bl + 1);
}

/* Is word k a wrapper (sudo, env, timeout, xargs, ...)?  Its table entry,
 * with s->name set, or NULL. */
static const struct wrapper *
aw_wrapper_at(struct aw *s)
{
	struct intent_ctx *x = s->x;
	const struct rword *r = &s->rw[s->k];
	const struct wrapper *wr;
	const char *b;

	b = base_name(r->s, r->n, &s->bl);
	if (s->bl == 0 || s->bl >= sizeof s->name)
		return NULL;
	memcpy(s->name, b, s->bl);
	s->name[s->bl] = '\0';
	aw_fold_case(s);
	wr = tables_wrapper(x->t, s->name);
	if (wr == NULL)
		return NULL;
	if (memchr(r->s, '/', r->n) != NULL) {
		if (r->n > 2 && r->s[0] == '.' && r->s[1] == '/' && memchr(r->s + 2, '/', r->n - 2) == NULL) {
			wk_sig(x, s->ci, "suid-copy");
			intent_add_effect(x, s->ci, EFF_PRIVILEGE);
		} else if (!std_bin_dir(r->s, r->n)) {
			return NULL;
		}
	}
	if (wr->sub != NULL) {
		if (s->k + 1 >= s->n || !wk_word_is(&s->rw[s->k + 1], wr->sub))
			return NULL;
		s->k++;
	}
	name_signals(x, s->ci, r);
	return wr;
}

/* A wrapper's options and arguments: where what it runs starts, -c SCRIPT,
 * the user it runs as.  False when out of memory. */
static bool
aw_wrapper_opts(struct aw *s, const struct wrapper *wr, struct aw_wrapped *wd)
{
	struct intent_ctx *x = s->x;
	const struct rword *rw = s->rw;
	size_t n = s->n, j, nl;
	int skipped = 0;

	for (j = s->k + 1; j < n; j++) {
		const struct rword *o = &rw[j];
		const char *eq;

		if (wk_word_is(o, "--")) {
			j++;
			break;
		}
		if (wr->kind == WK_ENV && (eq = memchr(o->s, '=', o->n)) != NULL && eq > o->s &&
		    sh_is_name(o->s, (size_t)(eq - o->s))) {
			wk_env_assignment(s->w, s->ci, o);
			continue;
		}
		if (o->n < 2 || o->s[0] != '-') {
			/* positional arguments of the wrapper itself (timeout 5,
			 * flock FILE); options may follow them */
			if (!wr->args_none && skipped < wr->skip) {
				skipped++;
				continue;
			}
			break;
		}
		eq = memchr(o->s, '=', o->n);
		nl = eq != NULL ? (size_t)(eq - o->s) : o->n;
		if (wk_in_list(&wr->cmdopt, o->s, nl)) { /* pidstat -e CMD */
			j++;
			break;
		}
		wd->cmd_mode |= wk_in_list(&wr->cmdwith, o->s, nl);
		wd->edit_mode |= wk_in_list(&wr->edit, o->s, nl);
		if (wk_in_list(&wr->out, o->s, nl) && (eq != NULL || j + 1 < n)) { /* strace -o FILE */
			struct rword ov = eq != NULL ? *o : rw[j + 1];

			if (eq != NULL) {
				ov.s = eq + 1;
				ov.n = o->n - nl - 1;
				ov.unk_at = o->unk_at == SIZE_MAX ? SIZE_MAX : o->unk_at > nl + 1 ? o->unk_at - nl - 1 : 0;
			}
			wk_add_target(s->w, s->ci, &ov, EFF_WRITE);
		} else if (o->n > 2 && o->s[1] != '-' && wk_in_list(&wr->out, o->s, 2)) { /* strace -oFILE */
			struct rword ov = *o;

			ov.s += 2;
			ov.n -= 2;
			ov.unk_at = o->unk_at == SIZE_MAX ? SIZE_MAX : o->unk_at > 2 ? o->unk_at - 2 : 0;
			wk_add_target(s->w, s->ci, &ov, EFF_WRITE);
		}
		/* script -qc CMD: a script option at the end of a group */
		if (wd->script == NULL && eq == NULL && o->n > 2 && o->s[1] != '-' && j + 1 < n &&
		    wk_in_list(&wr->script, (const char[]){ '-', o->s[o->n - 1] }, 2)) {
			wd->script = &rw[j + 1];
			j++;
			continue;
		}
		if (wk_in_list(&wr->nocmd, o->s, nl))
			wd->nocmd = true;
		if (wk_in_list(&wr->shell, o->s, nl))
			wd->shell_opt = true;
		if (wk_in_list(&wr->script, o->s, nl) || (wr->kind == WK_ENV && wk_in_list(&env_split, o->s, nl))) {
			wd->script = eq != NULL ? NULL : (j + 1 < n ? &rw[j + 1] : NULL);
			if (eq != NULL) {
				struct rword *tmp = arena_alloc(x->a, sizeof *tmp);

				if (tmp == NULL)
					return wk_oomf(x);
				*tmp = *o;
				tmp->s = eq + 1;
				tmp->n = o->n - nl - 1;
				wd->script = tmp;
			}
		}
		if (wk_in_list(&wr->user, o->s, nl))
			s->priv_user = eq != NULL ? eq + 1 : (j + 1 < n ? rw[j + 1].s : NULL);
		if (eq == NULL && (wk_in_list(&wr->v, o->s, nl) || wk_in_list(&wr->script, o->s, nl) ||
		                      wk_in_list(&wr->out, o->s, nl)))
			j++;
	}
	if (wr->args_none && !wd->cmd_mode && !wd->edit_mode && !wr->args_edit) {
		while (j < n && !(rw[j].n > 1 && rw[j].s[0] == '-')) {
			if (wr->kind == WK_PRIV && s->priv_user == NULL)
				s->priv_user = rw[j].s;
			if (wr->files_write) /* script -c CMD FILE: the typescript */
				wk_add_target(s->w, s->ci, &rw[j], EFF_WRITE);
			j++;
		}
		/* su USER -c CMD: options may follow the user */
		for (; j < n; j++) {
			const struct rword *o = &rw[j];

			if (wk_in_list(&wr->script, o->s, o->n) && j + 1 < n)
				wd->script = &rw[++j];
		}
	}
	wd->j = j;
	return true;
}

/* A wrapper that runs a script of its own (sudo sh -c, su -c, watch CMD),
 * or nothing after it: what that is. */
static enum aw_step
aw_wrapper_runs(struct aw *s, const struct wrapper *wr, const struct aw_wrapped *wd)
{
	struct intent_ctx *x = s->x;
	struct intent_cmd *c = wk_cmd_at(x, s->ci);
	const struct rword *rw = s->rw;
	size_t n = s->n, j = wd->j;
	int ci = s->ci;

	c->program = wk_xdup(x, s->name, s->bl);
	c->known = true;
	s->lw.via = s->vialen > 0 ? wk_xdup(x, s->via, s->vialen) : NULL;
	c->via = s->w->via;
	c->privileged = s->lw.priv;
	/* The nested commands keep their context after this call returns: the
	 * wrapper's name from the arena, never from s->name on the stack. */
	if (wd->script != NULL) {
		wk_nested_script(&s->lw, ci, wd->script->s, wd->script->n, wk_xdup(x, s->name, s->bl), NULL);
		if (s->priv_here)
			wk_sig(x, ci, privwrap_rule(s->priv_as, s->priv_user, 0));
	} else if ((wr->kind == WK_JOINED || wr->args_joined) && j < n) {
		size_t len = 0, o = 0;
		char *t;

		for (size_t q = j; q < n; q++)
			len += rw[q].n + 1;
		if ((t = arena_alloc(x->a, len + 1)) == NULL)
			return wk_oomf(x), AW_FAIL;
		for (size_t q = j; q < n; q++) {
			memcpy(t + o, rw[q].s, rw[q].n);
			o += rw[q].n;
			t[o++] = ' ';
		}
		wk_nested_script(&s->lw, ci, t, o - 1, wk_xdup(x, s->name, s->bl), NULL);
		if (s->priv_here)
			wk_sig(x, ci, privwrap_rule(s->priv_as, s->priv_user, 0));
	} else if (wr->kind == WK_ENV) {
		secrets_env_dump(x, ci, s->cc->stdout_file);
	} else if (wr->noargs_shell || wd->shell_opt) {
		wk_sig(x, ci, s->priv_here && s->priv_as == WA_ROOT ? "priv-shell" : "shell-interactive");
		if (s->priv_here && s->priv_as != WA_ROOT)
			wk_sig(x, ci, privwrap_rule(s->priv_as, NULL, 0));
		intent_add_effect(x, ci, EFF_SHELL);
		if (s->priv_here)
			intent_add_effect(x, ci, EFF_PRIVILEGE);
	} else if (wr->kind == WK_XARGS) {
		c->program = "xargs";
	}
	if (s->priv_here)
		intent_add_effect(x, ci, EFF_PRIVILEGE);
	return AW_DONE;
}

/* xargs: what its input paths are, from the command that feeds it. */
static void
aw_xargs(struct aw *s)
{
	struct cmdctx *cc = s->cc;
	const struct intent_cmd *src = wk_cmd_at(s->x, cc->stdin_from);

	cc->xargs_cls = PC_UNKNOWN;
	if (src != NULL && src->ntargets > 0) {
		enum pclass sc = src->targets[0].cls;

		cc->xargs_cls = sc == PC_WORKSPACE_ROOT ? PC_WORKSPACE : sc == PC_HOME_ROOT ? PC_HOME :
		                sc == PC_ROOT ? PC_SYSTEM : sc;
		/* find DIR | xargs rm: the paths are DIR and what is below it */
		if (src->ntargets == 1 && src->targets[0].eff == EFF_LIST && !src->targets[0].glob &&
		    !src->targets[0].unknown && src->targets[0].path[0] == '/')
			cc->xargs_dir = src->targets[0].path;
	}
	s->lw.context = "xargs";
}

/* Wrappers: sudo, env, timeout, xargs, ... in front of the program. */
static enum aw_step
aw_wrappers(struct aw *s)
{
	struct intent_ctx *x = s->x;

	for (int iter = 0; s->k < s->n && iter < 16; iter++) {
		const struct wrapper *wr = aw_wrapper_at(s);
		struct aw_wrapped wd = { 0 };

		if (wr == NULL)
			break;
		if (!aw_wrapper_opts(s, wr, &wd))
			return AW_FAIL;
		s->vialen = join_via(s->via, sizeof s->via, s->vialen, s->name);
		if (wr->kind == WK_PRIV) {
			s->lw.priv = true;
			s->priv_here = true;
			if (wr->as != WA_ROOT)
				s->priv_as = wr->as;
			if (wd.edit_mode || wr->args_edit) {
				/* sudo -e FILE, sudoedit FILE: files edited with its rights */
				struct intent_cmd *c;

				for (size_t j = wd.j; j < s->n; j++)
					if (!(s->rw[j].n > 1 && s->rw[j].s[0] == '-'))
						wk_add_target(s->w, s->ci, &s->rw[j], EFF_OVERWRITE);
				c = wk_cmd_at(x, s->ci);
				c->program = wk_xdup(x, s->name, s->bl);
				c->known = true;
				c->privileged = true;
				c->via = s->w->via;
				intent_add_effect(x, s->ci, EFF_PRIVILEGE);
				wk_sig(x, s->ci, privwrap_rule(wr->as, s->priv_user, 0));
				return AW_DONE;
			}
		}
		if (wd.nocmd) {
			struct intent_cmd *c = wk_cmd_at(x, s->ci);

			s->k = wd.j; /* command -v X, sudo -l: nothing runs */
			c->program = wk_xdup(x, s->name, s->bl);
			c->known = true;
			c->via = s->vialen > 0 ? wk_xdup(x, s->via, s->vialen) : NULL;
			return AW_DONE;
		}
		if (wd.script != NULL || wr->kind == WK_JOINED || (wr->args_joined && wd.j < s->n) || wd.j >= s->n ||
		    (wd.shell_opt && wd.j >= s->n))
			return aw_wrapper_runs(s, wr, &wd);
		if (wr->kind == WK_XARGS)
			aw_xargs(s);
		s->k = wd.j;
	}
	return AW_ON;
}

/* The program: its name, what its spelling hides, its table entry. */
static enum aw_step
aw_program(struct aw *s)
{
	struct intent_ctx *x = s->x;
	struct intent_cmd *c;
	const struct rword *r;
	const char *b;
	int ci = s->ci;

	s->lw.via = s->vialen > 0 ? wk_xdup(x, s->via, s->vialen) : NULL;
	c = wk_cmd_at(x, ci);
	c->via = s->lw.via;
	c->privileged = s->lw.priv;
	c->context = s->lw.context;
	x->depth_now = s->lw.depth, x->priv_now = s->lw.priv, x->remote_now = s->lw.remote;
	if (s->k >= s->n)
		return AW_DONE;
	r = &s->rw[s->k];
	name_signals(x, ci, r);
	if ((r->f & RW_UNKNOWN) && (r->f & RW_SHELLVAR) && r->n == 6) {
		memcpy(s->name, "sh", 3);
		s->bl = 2;
	} else {
		b = base_name(r->s, r->n, &s->bl);
		if (s->bl == 0 || s->bl >= sizeof s->name) {
			b = r->s;
			s->bl = r->n < sizeof s->name - 1 ? r->n : sizeof s->name - 1;
		}
		memcpy(s->name, b, s->bl);
		s->name[s->bl] = '\0';
	}
	c->argv0 = wk_xdup(x, r->s, r->n);
	c->program = wk_xdup(x, s->name, s->bl);
	if (r->n > 1 && r->s[0] == '!') {
		wk_sig(x, ci, "bang-escape");
		intent_add_effect(x, ci, EFF_SHELL);
		return AW_DONE;
	}
	if (has_unicode_blank(r->s, r->n))
		intent_signal(x, ci, "lookalike-blank", r->s, r->n);
	aw_fold_case(s);
	c->program = wk_xdup(x, s->name, s->bl);
	s->pg = tables_prog(x->t, s->name);
	if (s->pg == NULL)
		s->pg = wk_spell_program(x, ci, s->name, s->bl); /* spelling.c: GIT, Rm */
	if (memchr(r->s, '/', r->n) != NULL && !(r->f & RW_UNKNOWN)) {
		const struct prog *pg = s->pg;

		if (r->n > 2 && r->s[0] == '.' && r->s[1] == '/' && memchr(r->s + 2, '/', r->n - 2) == NULL &&
		    (pg != NULL || tables_wrapper(x->t, s->name) != NULL)) {
			wk_sig(x, ci, pg != NULL && (pg->classes & (PCL(INTERP) | PCL(BUILD) | PCL(TEST))) ?
			                  "suid-copy-interp" : "suid-copy");
			intent_add_effect(x, ci, EFF_PRIVILEGE);
		} else if (!std_bin_dir(r->s, r->n)) {
			size_t nt = c->ntargets;

			s->script_path = true;
			wk_add_target(s->w, ci, r, EFF_RUN);
			/* A well-known program's name on an executable in a scratch
			 * directory anyone can write to: it need not be that program. */
			if ((pg != NULL || tables_wrapper(x->t, s->name) != NULL) && c->ntargets > nt &&
			    c->targets[c->ntargets - 1].cls == PC_TMP)
				intent_signal(x, ci, "prog-shadow-tmp", r->s, r->n);
		}
	}
	return AW_ON;
}

/* The arguments: options, subcommand, flags, the cmdrules that match them;
 * privilege from the wrappers. */
static enum aw_step
aw_args(struct aw *s)
{
	struct intent_ctx *x = s->x;
	struct intent_cmd *c = wk_cmd_at(x, s->ci);
	const struct prog *pg = s->pg;
	struct cmdctx *cc = s->cc;
	size_t n = s->n, k = s->k;
	struct args *a;
	int ci = s->ci;

	c->known = pg != NULL || is_function(x, c->program);
	c->classes = pg != NULL ? pg->classes : 0;
	/* curl URL > f: the redirection was recorded before the program was
	 * known; what a downloader writes to is a download (run later: download-exec) */
	if (c->classes & PCL(DOWNLOAD))
		for (size_t j = 0; j < c->ntargets && x->ndl < DL_MAX; j++)
			if (c->targets[j].eff == EFF_WRITE || c->targets[j].eff == EFF_OVERWRITE)
				x->dl[x->ndl++] = c->targets[j].path;
	if (s->w->func != NULL && strcmp(c->program, s->w->func) == 0 && (cc->in_pipe || cc->bg)) {
		wk_sig(x, ci, "fork-bomb");
		intent_add_effect(x, ci, EFF_KILL);
	}
	if ((a = arena_zalloc(x->tmp, sizeof *a)) == NULL ||
	    (a->pos = arena_alloc(x->tmp, (n - k) * sizeof *a->pos)) == NULL ||
	    (a->opts = arena_alloc(x->tmp, (n - k) * sizeof *a->opts)) == NULL ||
	    (a->inl = arena_alloc(x->tmp, (n - k) * sizeof *a->inl)) == NULL)
		return wk_oomf(x), AW_FAIL;
	s->a = a;
	wk_spell_dashes(x, ci, s->rw + k + 1, n - k - 1); /* spelling.c: git reset ‐‐hard */
	wk_split_args(pg, s->rw + k + 1, n - k - 1, a);
	a->cwd = x->env.no_resolve || c->remote != NULL ? NULL : s->w->cwd; /* vcs.c looks at the work tree */
	s->an = (struct an){ .w = s->w, .lw = &s->lw, .ci = ci, .pg = pg, .a = a, .cc = cc, .rw = s->rw + k + 1,
		.n = n - k - 1 };
	if (pg != NULL && pg->sub && a->npos > 0) {
		c->sub = wk_xdup(x, a->pos[0]->s, a->pos[0]->n);
		s->an.first = 1;
		wk_spell_sub(x, ci, a); /* spelling.c: git RESET --HARD */
	}
	if (a->nopts > 0) {
		c->flags = arena_alloc(x->a, a->nopts * sizeof *c->flags);
		if (c->flags == NULL)
			return wk_oomf(x), AW_FAIL;
		for (size_t j = 0; j < a->nopts && j < 32; j++)
			if ((c->flags[c->nflags] = wk_xdup(x, a->opts[j].name, a->opts[j].nlen)) != NULL)
				c->nflags++;
	}
	if (wk_windows(&s->an, c->program)) /* windows.c: cmd and PowerShell commands */
		s->windows = true;
	else if (!apply_cmdrules(x, ci, pg != NULL || s->script_path || c->known ? c->program : "*", c->sub, a,
	        s->an.first, pg != NULL && pg->long1) &&
	    pg == NULL && !s->script_path && !c->known && tables_wrapper(x->t, c->program) == NULL) {
		wk_sig(x, ci, "prog-unknown");
		apply_cmdrules(x, ci, "*", NULL, a, 0, false);
	}
	if (s->priv_here)
		wk_privilege(&s->an, s->priv_user, s->priv_as);
	/* git -c core.pager=CMD, --config-env=KEY=VAR: tables/hooks */
	if (pg != NULL && strcmp(pg->name, "git") == 0)
		for (size_t j = 0; j < a->nopts; j++)
			if (a->opts[j].val != NULL &&
			    (wk_opt_is(&a->opts[j], "-c", 2) || wk_opt_is(&a->opts[j], "--config-env", 12)) &&
			    wk_hook_word(s->w, ci, a->opts[j].val, true, a->opts[j].nlen == 12) < 0)
				return wk_oomf(x), AW_FAIL;
	return AW_ON;
}

/* eval ARGS: the script it runs. */
static enum aw_step
aw_eval(struct aw *s)
{
	struct intent_ctx *x = s->x;
	const struct an *an = &s->an;
	size_t len = 0, o = 0;
	char *t;
	bool unk = false;
	int ci = s->ci;

	for (size_t j = 0; j < an->n; j++) {
		len += an->rw[j].n + 1;
		if (an->rw[j].f & (RW_UNKNOWN | RW_PARAM))
			unk = true;
	}
	if ((t = arena_alloc(x->a, len + 1)) == NULL)
		return wk_oomf(x), AW_FAIL;
	for (size_t j = 0; j < an->n; j++) {
		memcpy(t + o, an->rw[j].s, an->rw[j].n);
		o += an->rw[j].n;
		t[o++] = ' ';
	}
	wk_sig(x, ci, unk ? "obf-eval" : "eval");
	for (size_t j = 0; j < an->n; j++)
		if (an->rw[j].f & RW_DL) {
			wk_sig(x, ci, "download-exec");
			intent_add_effect(x, ci, EFF_DOWNLOAD_EXEC);
		}
	if (o > 0)
		wk_nested_script(&s->lw, ci, t, o - 1, "eval", NULL);
	return AW_ON;
}

/* Builtins that change the walk: cd, export and friends, alias, eval,
 * source, trap. */
static enum aw_step
aw_builtins(struct aw *s)
{
	struct intent_ctx *x = s->x;
	struct walk *w = s->w;
	const struct prog *pg = s->pg;
	const struct args *a = s->a;
	int ci = s->ci;

	if (pg == NULL)
		return AW_ON;
	if (pg->classes & PCL(CD)) {
		if (a->npos == 0)
			w->cwd = x->env.home;
		else if (!(a->pos[0]->f & RW_UNKNOWN) && !wk_word_is(a->pos[0], "-")) {
			size_t len;

			w->cwd = wk_norm_path(x, w->cwd, a->pos[0]->s, a->pos[0]->n, &len);
		} else {
			w->cwd = NULL;
		}
	} else if (strcmp(pg->name, "export") == 0 || strcmp(pg->name, "declare") == 0 ||
	           strcmp(pg->name, "typeset") == 0 || strcmp(pg->name, "local") == 0 ||
	           strcmp(pg->name, "readonly") == 0) {
		for (size_t j = 0; j < a->npos; j++) {
			const char *eq = memchr(a->pos[j]->s, '=', a->pos[j]->n);
			size_t nl = eq != NULL ? (size_t)(eq - a->pos[j]->s) : 0;

			if (nl > 1 && a->pos[j]->s[nl - 1] == '+') /* export PATH+=:DIR */
				nl--;
			if (eq == NULL || !sh_is_name(a->pos[j]->s, nl))
				continue;
			if (a->pos[j]->s + nl == eq) /* (PATH+=: the value appends to one not known) */
				wk_var_set(x, a->pos[j]->s, nl, eq + 1, a->pos[j]->n - (size_t)(eq + 1 - a->pos[j]->s),
				    a->pos[j]->f);
			wk_env_assignment(w, ci, a->pos[j]); /* PATH: pathvar.c */
		}
	} else if (strcmp(pg->name, "alias") == 0) {
		for (size_t j = 0; j < a->npos; j++) {
			const char *eq = memchr(a->pos[j]->s, '=', a->pos[j]->n);

			if (eq == NULL)
				continue;
			/* later commands named NAME run the body instead (indirect.c) */
			wk_alias_defined(x, ci, a->pos[j]->s, (size_t)(eq - a->pos[j]->s), a->pos[j]->s, a->pos[j]->n);
			if (eq + 1 < a->pos[j]->s + a->pos[j]->n)
				wk_nested_script(&s->lw, ci, eq + 1, a->pos[j]->n - (size_t)(eq + 1 - a->pos[j]->s), "alias",
				    NULL);
		}
	} else if (pg->classes & PCL(EVAL)) {
		return aw_eval(s);
	} else if (pg->classes & PCL(SOURCE)) {
		if (a->npos > 0) {
			if ((a->pos[0]->f & RW_PROC) && (a->pos[0]->f & RW_DL)) {
				wk_sig(x, ci, "download-exec");
				intent_add_effect(x, ci, EFF_DOWNLOAD_EXEC);
			} else {
				wk_sig(x, ci, "source-file");
				wk_add_target(w, ci, a->pos[0], EFF_RUN);
			}
		}
	} else if (pg->classes & PCL(TRAP)) {
		if (a->npos > 1) {
			wk_sig(x, ci, "trap-exec");
			wk_nested_script(&s->lw, ci, a->pos[0]->s, a->pos[0]->n, "trap", NULL);
		}
	}
	return AW_ON;
}

/* A program the tables know: the targets its entry names, its handler,
 * the signals of its classes. */
static void
aw_known_program(struct aw *s)
{
	struct intent_ctx *x = s->x;
	const struct prog *pg = s->pg;
	const struct args *a = s->a;
	const struct cmdctx *cc = s->cc;
	struct an *an = &s->an;

	wk_spec_targets(an);
	wk_archive_targets(an);
	wk_link_targets(an);
	wk_chmod_targets(an);
	wk_inline_code(an);
	/* split --filter=CMD, zip -TT CMD: an option's value is a shell command */
	if (pg->handler != H_SHELL)
		for (size_t j = 0; j < a->nopts; j++)
			if (a->opts[j].val != NULL && wk_in_list(&pg->script, a->opts[j].name, a->opts[j].nlen)) {
				intent_signal(x, s->ci, "opt-exec", a->opts[j].word->s, a->opts[j].word->n);
				wk_nested_script(&s->lw, s->ci, a->opts[j].val->s, a->opts[j].val->n, pg->name, NULL);
			}
	switch (pg->handler) {
	case H_SHELL: wk_h_shell(an); break;
	case H_INTERP: wk_h_interp(an); break;
	case H_AWK: wk_h_awk(an); break;
	case H_FIND: wk_h_find(an); break;
	case H_SED: wk_h_sed(an); break;
	case H_TAR: wk_h_tar(an); break;
	case H_SSH: wk_h_ssh(an); break;
	case H_REMOTE_COPY: wk_h_remote_copy(an); break;
	case H_PATCH: wk_h_patch(an); break;
	case H_MOVE: wk_h_move(an); break; /* moveout.c */
	case H_NONE: break;
	}
	wk_runs(an);
	wk_jar_cli(an); /* jarcli.c: java -jar jenkins-cli.jar delete-job */
	if (pg->classes & PCL(PRINT) || strcmp(pg->name, "cat") == 0)
		wk_h_print(an);
	class_signals(an);
	wk_package_command(an); /* packages.c: runners (npx, uvx, ...), downloads named by their URL */
	if ((pg->classes & PCL(INTERACTIVE)) && !an->code_given && a->nopts == 0 &&
	    (a->npos == 0 || (pg->classes & (PCL(EDITOR) | PCL(PAGER) | PCL(TRANSFER) | PCL(REMOTE)))) &&
	    cc->stdin_from < 0 && cc->stdin_text == NULL && !cc->has_stdin_file) {
		wk_cmd_at(x, s->ci)->interactive = true;
		wk_sig(x, s->ci, "prog-interactive");
	}
}

/* Unknown program: path-like arguments are what it works on. */
static void
aw_unknown_program(struct aw *s)
{
	const struct args *a = s->a;

	for (size_t j = 0; j < a->npos; j++) {
		const struct rword *p = a->pos[j];

		if (p->n > 0 && (memchr(p->s, '/', p->n) != NULL || p->s[0] == '~' || (p->s[0] == '.' && p->n > 1)))
			wk_add_target(s->w, s->ci, p, EFF_USE);
	}
	for (size_t j = 0; j < a->nopts; j++) {
		const struct opt *o = &a->opts[j];

		if (o->val != NULL && ((o->nlen == 2 && memcmp(o->name, "-o", 2) == 0) ||
		                          (o->nlen == 8 && memcmp(o->name, "--output", 8) == 0) ||
		                          (o->nlen == 5 && memcmp(o->name, "--out", 5) == 0)))
			wk_add_target(s->w, s->ci, o->val, EFF_WRITE);
	}
}

/* One simple command, its words resolved: a new intent command and what it
 * does.  Returns its index, or -1 when out of memory. */
int
wk_analyze_words(struct walk *w, struct rword *rw, size_t n, struct cmdctx *cc)
{
	struct aw s = { .w = w, .x = w->x, .lw = *w, .rw = rw, .n = n, .cc = cc, .priv_as = WA_ROOT,
		.first_cmd = w->x->in->ncmds, .first_sig = w->x->in->nsigs };
	enum aw_step st;

	if (!aw_start(&s))
		return -1;
	if (!aw_unquote_program(&s))
		return -1;
	if ((st = aw_wrappers(&s)) != AW_ON || (st = aw_program(&s)) != AW_ON || (st = aw_args(&s)) != AW_ON ||
	    (st = aw_builtins(&s)) != AW_ON) {
		if (st == AW_FAIL)
			return -1;
	} else {
		if (s.pg != NULL && !s.windows)
			aw_known_program(&s);
		else if (!s.script_path && !s.windows)
			aw_unknown_program(&s);
		wk_net_analysis(&s.an);
		arg_scan(&s.an);
	}
	/* sudo -u bob rm -rf ...: the level of the rights, against what runs */
	if (s.priv_here && privwrap_escalate(s.x, s.x->t, s.ci, s.first_cmd, s.first_sig) < 0)
		return wk_oomf(s.x), -1;
	return s.ci;
}
