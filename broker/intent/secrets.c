/* secrets.c -- credentials read through the environment, searches for key
 * material, archives of the home directory, and where they go (see
 * secrets.h and docs/RISK.md "Secrets"). */
#include "broker/intent/secrets.h"
#include "broker/intent/globclass.h"

#include <ctype.h>
#include <string.h>

#define BIT(e) ((uint64_t)1 << (e))

/* --- variable names ---------------------------------------------------------------------- */

/* Could a pattern match a text starting with c?  (a quick filter: most
 * patterns start with a letter) */
static inline bool
may_start(const char *pat, char c)
{
	return pat[0] == c || pat[0] == '*' || pat[0] == '?' || pat[0] == '[';
}

static bool var_name_uncached(const struct tables *t, const char *s, size_t n);

/* Scripts repeat their variables: the answers for the last names seen,
 * per thread, keyed by the tables they came from. */
#define VCACHE 256
static __thread struct {
	const struct tables *t;
	unsigned char n;
	char name[39];
	bool secret;
} vcache[VCACHE];

bool
secrets_var_name(const struct tables *t, const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t slot;
	bool r;

	if (t == NULL || n == 0 || n > sizeof vcache[0].name)
		return t != NULL && n > 0 && var_name_uncached(t, s, n);
	for (size_t k = 0; k < n; k++)
		h = (h ^ (unsigned char)s[k]) * 16777619u;
	slot = h % VCACHE;
	if (vcache[slot].t == t && vcache[slot].n == n && memcmp(vcache[slot].name, s, n) == 0)
		return vcache[slot].secret;
	r = var_name_uncached(t, s, n);
	vcache[slot].t = t;
	vcache[slot].n = (unsigned char)n;
	memcpy(vcache[slot].name, s, n);
	vcache[slot].secret = r;
	return r;
}

static bool
var_name_uncached(const struct tables *t, const char *s, size_t n)
{
	char up[128];
	const struct secretpat *const *v;
	size_t nv;

	if (t == NULL || n == 0 || n >= sizeof up)
		return false;
	for (size_t k = 0; k < n; k++) {
		unsigned char c = (unsigned char)s[k];

		if (islower(c))
			return false; /* a script's own variable, not the environment's */
		if (!isupper(c) && !isdigit(c) && c != '_')
			return false;
		up[k] = (char)c;
	}
	up[n] = '\0';
	v = tables_secrets(t, &nv);
	/* whole names first: the first that matches decides */
	for (size_t k = 0; k < nv; k++)
		if (v[k]->kind == SK_NAME && may_start(v[k]->pat, up[0]) && glob_match(v[k]->pat, up, n, false))
			return v[k]->secret;
	/* then the words: cut at '_' and digits */
	for (size_t i = 0; i < n;) {
		size_t j;

		while (i < n && (up[i] == '_' || isdigit((unsigned char)up[i])))
			i++;
		j = i;
		while (j < n && up[j] != '_' && !isdigit((unsigned char)up[j]))
			j++;
		if (j > i) {
			char w[128];

			memcpy(w, up + i, j - i);
			w[j - i] = '\0';
			for (size_t k = 0; k < nv; k++)
				if (v[k]->kind == SK_WORD && may_start(v[k]->pat, w[0]) && glob_match(v[k]->pat, w, j - i, false)) {
					if (v[k]->secret)
						return true;
					break;
				}
		}
		i = j;
	}
	return false;
}

bool
secrets_seg_value(const struct sh_seg *sg)
{
	const char *r;
	size_t n;

	if (sg->kind != SH_SEG_VAR)
		return false;
	if (!sg->complex || sg->inner == NULL)
		return !(sg->complex && (sg->s[-1] == '#' || sg->s[-1] == '!'));
	if (sg->s[-1] == '#' || sg->s[-1] == '!')
		return false; /* ${#X}: its length; ${!X}: what it names */
	r = sg->inner->raw;
	n = sg->inner->rawlen;
	if (n >= 1 && (r[0] == '+' || r[0] == '?'))
		return false;
	if (n >= 2 && r[0] == ':' && (r[1] == '+' || r[1] == '?'))
		return false;
	return true;
}

static bool
name_char(unsigned char c)
{
	return isalnum(c) || c == '_';
}

bool
secrets_text_refs(const struct tables *t, const char *s, size_t n)
{
	for (const char *p = s, *e = s + n; p < e && (p = memchr(p, '$', (size_t)(e - p))) != NULL; p++) {
		const char *q = p + 1, *b;

		if (q < e && *q == '{')
			q++;
		b = q;
		while (q < e && name_char((unsigned char)*q))
			q++;
		if (q > b && secrets_var_name(t, b, (size_t)(q - b))) {
			/* ${X:+w} and ${#X} do not give the value */
			if (b > p + 1 && q < e && (*q == '+' || *q == '?' || (*q == ':' && q + 1 < e &&
			                                                          (q[1] == '+' || q[1] == '?'))))
				continue;
			return true;
		}
	}
	return false;
}

/* --- programs ------------------------------------------------------------------------------- */

enum search_mode { SM_NONE, SM_GREP, SM_RECURSIVE, SM_FIND, SM_FD, SM_LOCATE };

static const struct {
	const char *name;
	enum search_mode mode;
} searchers[] = {
	{ "grep", SM_GREP }, { "egrep", SM_GREP }, { "fgrep", SM_GREP }, { "zgrep", SM_GREP },
	{ "ugrep", SM_GREP }, { "rg", SM_RECURSIVE }, { "ag", SM_RECURSIVE }, { "ack", SM_RECURSIVE },
	{ "ack-grep", SM_RECURSIVE }, { "pt", SM_RECURSIVE }, { "sift", SM_RECURSIVE },
	{ "find", SM_FIND }, { "bfs", SM_FIND }, { "gfind", SM_FIND }, { "fd", SM_FD }, { "fdfind", SM_FD },
	{ "locate", SM_LOCATE }, { "plocate", SM_LOCATE }, { "mlocate", SM_LOCATE }, { "slocate", SM_LOCATE },
};

static enum search_mode
search_mode(const char *prog)
{
	for (size_t k = 0; k < sizeof searchers / sizeof searchers[0]; k++)
		if (searchers[k].name[0] == prog[0] && strcmp(searchers[k].name, prog) == 0)
			return searchers[k].mode;
	return SM_NONE;
}

static bool
is_prog(const char *prog, const char *const *names)
{
	for (; *names != NULL; names++)
		if ((*names)[0] == prog[0] && strcmp(prog, *names) == 0)
			return true;
	return false;
}

/* The shell's variable builtins that print variables without arguments. */
static const char *const var_builtins[] = { "export", "declare", "typeset", "set", "local", "readonly", NULL };

bool
secrets_prog_wanted(const char *prog, uint64_t classes)
{
	return prog != NULL && ((classes & PCL(ENVDUMP)) || search_mode(prog) != SM_NONE ||
	                           is_prog(prog, var_builtins));
}

/* Programs whose use of a credential shows nothing and sends nothing. */
static const char *const quiet_progs[] = { "[", "test", "[[", ":", "true", "false", "export", "declare",
	"typeset", "local", "readonly", "unset", "set", "shift", "let", NULL };

static bool
word_eq(const struct secrets_word *w, const char *s)
{
	return w->n == strlen(s) && memcmp(w->s, s, w->n) == 0;
}

static void
emit(struct intent_ctx *x, int ci, const char *rule, enum effect e)
{
	const struct intent_cmd *c = ci >= 0 && (size_t)ci < intent_get(x)->ncmds ? intent_cmd(intent_get(x), (size_t)ci) : NULL;

	intent_signal(x, ci, rule, c != NULL ? c->text : NULL, c != NULL ? (c->textlen > 200 ? 200 : c->textlen) : 0);
	intent_add_effect(x, ci, e);
}

void
secrets_env_dump(struct intent_ctx *x, int ci, bool stdout_file)
{
	emit(x, ci, stdout_file ? "env-read" : "env-dump", EFF_ENV_READ);
}

/* printenv, env, set, export, declare, ...: what they print. */
static void
var_dump(struct intent_ctx *x, int ci, const struct secrets_cmd *sc)
{
	const struct tables *t = intent_tables(x);
	bool envdump = (sc->classes & PCL(ENVDUMP)) != 0, names = false, secret = false, funcs = false, p = false;

	if (strcmp(sc->prog, "set") == 0) {
		if (sc->nargs == 0) /* set -o, set -e, set -- a b: no variables */
			secrets_env_dump(x, ci, sc->stdout_file);
		return;
	}
	for (size_t k = 0; k < sc->nargs; k++) {
		const struct secrets_word *w = &sc->args[k];

		if (w->n > 1 && (w->s[0] == '-' || w->s[0] == '+')) {
			if (!envdump && (memchr(w->s, 'f', w->n) != NULL || memchr(w->s, 'F', w->n) != NULL))
				funcs = true; /* declare -f: functions, not variables */
			if (memchr(w->s, 'p', w->n) != NULL)
				p = true;
			continue;
		}
		if (word_eq(w, "--"))
			continue;
		names = true;
		/* printenv NAME, declare -p NAME: one variable */
		if (memchr(w->s, '=', w->n) == NULL && secrets_var_name(t, w->s, w->n))
			secret = true;
	}
	if (secret && (envdump || p))
		emit(x, ci, sc->stdout_file ? "env-read" : "secret-var", EFF_ENV_READ);
	else if (!names && !funcs && strcmp(sc->prog, "local") != 0 && strcmp(sc->prog, "readonly") != 0)
		secrets_env_dump(x, ci, sc->stdout_file);
}

/* --- searches ------------------------------------------------------------------------------- */

/* Does the text a search looks for name key material?  names: it is a
 * file name (a glob or a regular expression), so the secret names of the
 * paths table count too -- when the pattern spells them (*.pem, id_rsa,
 * .env*), not when it merely could match one (*, *.json). */
static bool
pattern_secret(const struct tables *t, const char *s, size_t n, bool names)
{
	const struct secretpat *const *v;
	size_t nv;
	char lit[256], pz[256];
	size_t ln = 0;

	if (n == 0 || n >= sizeof pz)
		return false;
	v = tables_secrets(t, &nv);
	for (size_t k = 0; k < nv; k++)
		if (v[k]->kind == SK_SEARCH && glob_match(v[k]->pat, s, n, true))
			return v[k]->secret;
	if (!names)
		return false;
	for (size_t k = 0; k < n; k++)
		if (strchr("*?[]^$\\()+|", s[k]) == NULL)
			lit[ln++] = s[k];
	lit[ln] = '\0';
	if (ln == 0 || (ln == 1 && lit[0] == '.'))
		return false; /* "*", "*.*": every name, not a chosen one */
	memcpy(pz, s, n);
	pz[n] = '\0';
	for (int pass = 1; pass <= 2; pass++) {
		const struct pathpat *const *pv = tables_paths(t, pass, &nv);

		for (size_t k = 0; k < nv; k++) {
			char sh[256];
			size_t o = 0;

			if (pv[k]->cls != PC_SECRET || !pv[k]->base)
				continue;
			if (glob_match(pv[k]->pat, lit, ln, true))
				return true; /* *.pem, .env, credentials.json */
			if (s[0] == '*')
				continue; /* *.json is every JSON file, not credentials.json */
			for (const char *q = pv[k]->pat; *q && o < sizeof sh - 1; q++)
				if (*q != '*')
					sh[o++] = *q;
			sh[o] = '\0';
			if (o > 1 && glob_match(pz, sh, o, true))
				return true; /* id_*, .env*, cred* */
		}
	}
	return false;
}

/* How sensitive is the place a search looks in? */
enum scope { SC_NONE, SC_HOME, SC_SENSITIVE, SC_BROAD };

static enum scope
class_scope(enum pclass c)
{
	switch (c) {
	case PC_ROOT:
	case PC_HOME_ROOT:
		return SC_BROAD;
	case PC_SECRET:
	case PC_HOME_DOTFILE:
	case PC_AGENT_CONFIG:
	case PC_SYSTEM:
	case PC_SANDGATE:
		return SC_SENSITIVE;
	case PC_HOME:
	case PC_OUTSIDE:
	case PC_UNKNOWN:
		return SC_HOME;
	default:
		return SC_NONE;
	}
}

static enum scope
cmd_scope(struct intent_ctx *x, int ci, bool locate)
{
	const struct intent *in = intent_get(x);
	const struct intent_cmd *c = intent_cmd(in, (size_t)ci);
	enum scope s = SC_NONE;
	bool any = false;

	if (locate)
		return SC_BROAD; /* the database of every file on the disk */
	for (size_t k = 0; k < c->ntargets; k++) {
		const struct intent_target *tg = &c->targets[k];
		enum scope ts;

		if (tg->eff != EFF_READ && tg->eff != EFF_LIST && tg->eff != EFF_VIEW && tg->eff != EFF_USE)
			continue;
		any = true;
		if (tg->glob) {
			/* a pattern looks where its literal directory is (its own class is
			 * the worst file it could match, not where the search runs) */
			size_t dl = glob_literal_dir(tg->path, strlen(tg->path));

			ts = dl > 0 ? class_scope(intent_classify(x, tg->path, dl)) : SC_HOME;
			if (dl == 1)
				ts = SC_BROAD;
		} else {
			ts = class_scope(tg->cls);
		}
		/* /home, /Users, /root: every user's home */
		if (tg->cls == PC_SYSTEM && (strcmp(tg->path, "/home") == 0 || strcmp(tg->path, "/Users") == 0 ||
		                                strcmp(tg->path, "/root") == 0))
			ts = SC_BROAD;
		if (ts > s)
			s = ts;
	}
	if (!any && in->cwd != NULL) /* no directory named: the working directory */
		s = class_scope(intent_classify(x, in->cwd, strlen(in->cwd)));
	return s;
}

static void
judge_search(struct intent_ctx *x, int ci, bool key, bool content, enum scope s)
{
	if (key && (s == SC_BROAD || s == SC_SENSITIVE))
		emit(x, ci, "search-secrets", EFF_SECRETS);
	else if (key && s == SC_HOME)
		emit(x, ci, "search-secrets-near", EFF_SECRETS);
	else if (content && s == SC_BROAD)
		emit(x, ci, "search-broad", EFF_SECRETS);
}

/* Is option word w (without its value) in the list l? */
static bool
opt_in(const struct strlist *l, const char *s, size_t n)
{
	for (size_t k = 0; l != NULL && k < l->n; k++)
		if (strlen(l->v[k]) == n && memcmp(l->v[k], s, n) == 0)
			return true;
	return false;
}

static void
search(struct intent_ctx *x, int ci, const struct secrets_cmd *sc, enum search_mode m)
{
	const struct tables *t = intent_tables(x);
	const struct prog *pg = tables_prog(t, sc->prog);
	const struct strlist *vl = pg != NULL ? &pg->v : NULL, *pl = pg != NULL ? &pg->p : NULL;
	bool recursive = m != SM_GREP, key = false, have_popt = false, first_pos = true, in_expr = false;

	for (size_t k = 0; k < sc->nargs; k++) {
		const struct secrets_word *w = &sc->args[k];
		const char *eq;
		size_t nl;

		if (m == SM_FIND) {
			static const char *const name_opts[] = { "-name", "-iname", "-path", "-ipath", "-wholename",
				"-iwholename", "-regex", "-iregex", "-lname", "-ilname", NULL };

			if (w->n > 0 && (w->s[0] == '-' || w->s[0] == '(' || w->s[0] == '!'))
				in_expr = true;
			if (in_expr && k + 1 < sc->nargs) {
				for (size_t j = 0; name_opts[j] != NULL; j++)
					if (word_eq(w, name_opts[j]) &&
					    pattern_secret(t, sc->args[k + 1].s, sc->args[k + 1].n, true))
						key = true;
			}
			continue;
		}
		if (w->n > 1 && w->s[0] == '-') {
			eq = memchr(w->s, '=', w->n);
			nl = eq != NULL ? (size_t)(eq - w->s) : w->n;
			if (word_eq(w, "--")) {
				continue;
			}
			if (w->s[1] != '-') {
				/* a cluster of short options: -rni, -e PATTERN, -ePATTERN */
				for (size_t j = 1; j < w->n; j++) {
					char o[3] = { '-', w->s[j], '\0' };

					if (m == SM_GREP && (w->s[j] == 'r' || w->s[j] == 'R'))
						recursive = true;
					if (opt_in(pl, o, 2)) {
						have_popt = true;
						if (w->s[j] != 'f') {
							if (j + 1 < w->n)
								key |= pattern_secret(t, w->s + j + 1, w->n - j - 1, m != SM_GREP);
							else if (k + 1 < sc->nargs)
								key |= pattern_secret(t, sc->args[k + 1].s, sc->args[k + 1].n, false);
						}
						if (j + 1 >= w->n)
							k++;
						break;
					}
					if (m == SM_FD && (w->s[j] == 'e') && k + 1 < sc->nargs && j + 1 >= w->n) {
						char ext[128];
						size_t en = sc->args[k + 1].n < sizeof ext - 3 ? sc->args[k + 1].n : sizeof ext - 3;

						ext[0] = '*';
						ext[1] = '.';
						memcpy(ext + 2, sc->args[k + 1].s, en);
						key |= pattern_secret(t, ext, en + 2, true);
						k++;
						break;
					}
					if (opt_in(vl, o, 2)) {
						if (m == SM_GREP && w->s[j] == 'd' && k + 1 < sc->nargs && j + 1 >= w->n &&
						    word_eq(&sc->args[k + 1], "recurse"))
							recursive = true;
						if (j + 1 >= w->n)
							k++;
						break;
					}
				}
				continue;
			}
			if (m == SM_GREP && (memcmp(w->s, "--recursive", nl > 11 ? 11 : nl) == 0 && nl == 11))
				recursive = true;
			if (m == SM_GREP && nl == 23 && memcmp(w->s, "--dereference-recursive", 23) == 0)
				recursive = true;
			if (m == SM_GREP && eq != NULL && nl == 13 && memcmp(w->s, "--directories", 13) == 0 &&
			    w->n - nl - 1 == 7 && memcmp(eq + 1, "recurse", 7) == 0)
				recursive = true;
			if (opt_in(pl, w->s, nl)) {
				have_popt = true;
				if (nl != 6 || memcmp(w->s, "--file", 6) != 0) {
					if (eq != NULL)
						key |= pattern_secret(t, eq + 1, w->n - nl - 1, false);
					else if (k + 1 < sc->nargs)
						key |= pattern_secret(t, sc->args[k + 1].s, sc->args[k + 1].n, false);
				}
				if (eq == NULL)
					k++;
			} else if (m == SM_FD && nl == 11 && memcmp(w->s, "--extension", 11) == 0) {
				const char *v = eq != NULL ? eq + 1 : k + 1 < sc->nargs ? sc->args[k + 1].s : NULL;
				size_t vn = eq != NULL ? w->n - nl - 1 : k + 1 < sc->nargs ? sc->args[k + 1].n : 0;
				char ext[128];

				if (v != NULL && vn < sizeof ext - 3) {
					ext[0] = '*';
					ext[1] = '.';
					memcpy(ext + 2, v, vn);
					key |= pattern_secret(t, ext, vn + 2, true);
				}
				if (eq == NULL)
					k++;
			} else if (eq == NULL && opt_in(vl, w->s, nl)) {
				k++;
			}
			continue;
		}
		/* a positional word: the pattern first (unless -e gave it), then paths */
		if (m == SM_LOCATE) {
			key |= pattern_secret(t, w->s, w->n, true);
		} else if (first_pos && !have_popt) {
			key |= pattern_secret(t, w->s, w->n, m == SM_FD);
			first_pos = false;
		}
	}
	if (m == SM_GREP && !recursive) {
		/* grep PATTERN FILE...: the files are judged by their own class */
		return;
	}
	judge_search(x, ci, key, m == SM_GREP || m == SM_RECURSIVE, cmd_scope(x, ci, m == SM_LOCATE));
}

void
secrets_tool_search(struct intent_ctx *x, int ci, const char *tool, const char *pattern, size_t n)
{
	bool content, key;

	if (tool == NULL || ci < 0 || (size_t)ci >= intent_get(x)->ncmds)
		return;
	if (strcmp(tool, "Grep") == 0 || strcmp(tool, "search_file_content") == 0 || strcmp(tool, "grep_search") == 0)
		content = true;
	else if (strcmp(tool, "Glob") == 0 || strcmp(tool, "glob") == 0)
		content = false;
	else
		return;
	key = false;
	if (pattern != NULL) {
		/* a Glob pattern is a path: its last component is the name looked for */
		const char *p = pattern;
		size_t pn = n;

		if (!content) {
			const char *sl = memrchr(pattern, '/', n);

			if (sl != NULL) {
				p = sl + 1;
				pn = n - (size_t)(p - pattern);
			}
		}
		key = pattern_secret(intent_tables(x), p, pn, !content);
	}
	judge_search(x, ci, key, content, cmd_scope(x, ci, false));
}

/* --- commands ------------------------------------------------------------------------------- */

void
secrets_command(struct intent_ctx *x, int ci, const struct secrets_cmd *sc)
{
	enum search_mode m;

	if (ci < 0 || sc->prog == NULL)
		return;
	if ((sc->classes & PCL(ENVDUMP)) || is_prog(sc->prog, var_builtins))
		var_dump(x, ci, sc);
	if ((m = search_mode(sc->prog)) != SM_NONE)
		search(x, ci, sc, m);
	if (!sc->uses_secret || is_prog(sc->prog, quiet_progs))
		return;
	if ((sc->classes & PCL(PRINT)) || strcmp(sc->prog, "cat") == 0)
		emit(x, ci, sc->stdout_file ? "env-read" : "secret-var", EFF_ENV_READ);
	else
		emit(x, ci, "secret-var-use", EFF_ENV_READ);
}

/* --- the whole request ----------------------------------------------------------------------- */

static bool
sub_is_network(const char *sub)
{
	static const char *const subs[] = { "push", "pull", "fetch", "clone", "ls-remote", "login", "publish",
		"upload", "send", "request", "api", NULL };

	return sub != NULL && is_prog(sub, subs);
}

static bool
is_network(const struct intent_cmd *c)
{
	if (c->effects & (BIT(EFF_DOWNLOAD) | BIT(EFF_UPLOAD) | BIT(EFF_NETWORK) | BIT(EFF_REMOTE_EXEC) |
	                     BIT(EFF_DOWNLOAD_EXEC) | BIT(EFF_EXFILTRATE) | BIT(EFF_PUBLISH)))
		return true;
	if (c->classes & (PCL(NET) | PCL(DOWNLOAD) | PCL(RAWNET) | PCL(REMOTE) | PCL(TRANSFER) | PCL(MAIL)))
		return true;
	if (c->nhosts > 0 || c->remote != NULL)
		return true;
	for (size_t k = 0; k < c->ntargets; k++)
		if (c->targets[k].cls == PC_NETWORK)
			return true;
	return sub_is_network(c->sub);
}

static bool
reads_home(const struct intent_cmd *c)
{
	for (size_t k = 0; k < c->ntargets; k++) {
		const struct intent_target *tg = &c->targets[k];

		if (tg->eff != EFF_READ && tg->eff != EFF_USE)
			continue;
		if (tg->cls == PC_HOME_ROOT || tg->cls == PC_ROOT ||
		    (tg->cls == PC_SYSTEM && (strcmp(tg->path, "/home") == 0 || strcmp(tg->path, "/Users") == 0)))
			return true;
	}
	return false;
}

static bool
reads_secret_file(const struct intent_cmd *c)
{
	for (size_t k = 0; k < c->ntargets; k++)
		if (c->targets[k].cls == PC_SECRET && (c->targets[k].eff == EFF_READ || c->targets[k].eff == EFF_USE))
			return true;
	return false;
}

/* Is c a source of secrets for what follows: a credential variable or the
 * environment (env-read), a search for keys or an archive or copy of them
 * (secrets, from this file or the walk).  The rules of tables/commands
 * that read stored secrets (gh auth login, vault) speak to their own
 * service and are left out. */
static bool
is_source(const struct intent_cmd *c)
{
	if (c->effects & BIT(EFF_ENV_READ))
		return true;
	return (c->effects & BIT(EFF_SECRETS)) &&
	       ((c->classes & (PCL(ARCHIVE) | PCL(FILEOPS) | PCL(TRANSFER))) ||
	           search_mode(c->program != NULL ? c->program : "") != SM_NONE);
}

void
secrets_finish(struct intent_ctx *x)
{
	struct intent *in = intent_get(x);
	size_t n = in->ncmds, nsrc = 0;
	const char *written[32];
	size_t nw = 0;

	/* archives and copies of the whole home directory (or of a directory of
	 * keys: their own targets already say so; these mark the command as a
	 * source for what follows) */
	for (size_t k = 0; k < n; k++) {
		struct intent_cmd *c = intent_cmd(in, k);

		if (!(c->classes & (PCL(ARCHIVE) | PCL(FILEOPS) | PCL(TRANSFER))))
			continue;
		if (reads_home(c))
			emit(x, (int)k, "archive-home", EFF_SECRETS);
		else if (reads_secret_file(c) && !(c->classes & PCL(READONLY)))
			intent_add_effect(x, (int)k, EFF_SECRETS);
	}
	for (size_t k = 0; k < n; k++) {
		const struct intent_cmd *c = intent_cmd(in, k);

		if (!is_source(c))
			continue;
		nsrc++;
		for (size_t j = 0; j < c->ntargets && nw < 32; j++)
			if (c->targets[j].eff == EFF_WRITE || c->targets[j].eff == EFF_OVERWRITE)
				written[nw++] = c->targets[j].path;
	}
	if (nsrc == 0)
		return;
	for (size_t k = 0; k < n; k++) {
		const struct intent_cmd *c = intent_cmd(in, k);
		bool self = is_source(c);

		if (c->effects & BIT(EFF_EXFILTRATE))
			continue;
		if (!is_network(c))
			continue;
		/* a source elsewhere in the request, or this very command */
		if (self || nsrc > 0) {
			emit(x, (int)k, "exfil-env", EFF_EXFILTRATE);
			continue;
		}
		for (size_t j = 0; j < c->ntargets; j++)
			for (size_t w = 0; w < nw; w++)
				if (strcmp(c->targets[j].path, written[w]) == 0)
					emit(x, (int)k, "exfil-env", EFF_EXFILTRATE);
	}
}
