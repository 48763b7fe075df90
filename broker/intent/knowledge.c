/* knowledge.c -- low needs positive knowledge (see knowledge.h). */
#include "broker/intent/knowledge.h"

#include <stdbool.h>
#include <string.h>

#include "broker/intent/risk.h"

const char *
sandbox_name(enum sandbox_where s)
{
	switch (s) {
	case SB_SANDBOXED: return "sandboxed";
	case SB_UNSANDBOXED: return "unsandboxed";
	case SB_UNKNOWN: break;
	}
	return "unknown";
}

int
sandbox_by_name(const char *s, size_t n)
{
	static const enum sandbox_where all[] = { SB_UNKNOWN, SB_SANDBOXED, SB_UNSANDBOXED };

	for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
		const char *nm = sandbox_name(all[k]);

		if (strlen(nm) == n && memcmp(nm, s, n) == 0)
			return (int)all[k];
	}
	return -1;
}

/* The option as written (-w, --write, --write=x) is one of l's. */
static bool
flag_in(const struct strlist *l, const char *flag)
{
	size_t fl = strlen(flag);
	const char *eq = memchr(flag, '=', fl);

	if (eq != NULL)
		fl = (size_t)(eq - flag);
	for (size_t k = 0; k < l->n; k++)
		if (strlen(l->v[k]) == fl && memcmp(l->v[k], flag, fl) == 0)
			return true;
	return false;
}

/* w=: with one of these options the files it reads are rewritten in place. */
static void
apply_w(struct intent_cmd *c, const struct prog *pg)
{
	bool on = false;

	for (size_t k = 0; k < c->nflags && !on; k++)
		on = flag_in(&pg->w, c->flags[k]);
	if (!on)
		return;
	for (size_t j = 0; j < c->ntargets; j++)
		if (c->targets[j].eff == EFF_READ) {
			c->targets[j].eff = EFF_OVERWRITE;
			c->effects |= (uint64_t)1 << EFF_OVERWRITE;
		}
}

/* The command runs code of the workspace: a script in it run directly or
 * through a shell or interpreter (a `run` target there), or a subcommand the
 * programs table marks with runs= (make, npm run, cargo test). */
static bool
runs_workspace_code(const struct intent_cmd *c, const struct prog *pg)
{
	for (size_t j = 0; j < c->ntargets; j++)
		if (c->targets[j].eff == EFF_RUN &&
		    (c->targets[j].cls == PC_WORKSPACE || c->targets[j].cls == PC_WORKSPACE_ROOT))
			return true;
	if (pg == NULL || pg->runs.n == 0 || c->remote != NULL)
		return false;
	if (strlist_has(&pg->runs, "*"))
		return true;
	return c->sub != NULL && strlist_has(&pg->runs, c->sub);
}

static bool
is_b64(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+' ||
	       ch == '/' || ch == '=';
}

static bool
is_hex(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

#define BLOB_B64 64   /* base64 characters in a row, with upper, lower and digits */
#define BLOB_HEX 130  /* hex digits in a row: longer than a SHA-512 */

/* A run of text sandgate cannot read: a long base64 run (not a path: few
 * slashes; all three kinds of characters) or a long hex run. */
static bool
has_blob(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i, up = 0, lo = 0, dig = 0, sl = 0, hex = 0, best_hex = 0;

		if (!is_b64((unsigned char)s[i])) {
			i++;
			continue;
		}
		for (; j < n && is_b64((unsigned char)s[j]); j++) {
			unsigned char ch = (unsigned char)s[j];

			up += ch >= 'A' && ch <= 'Z';
			lo += ch >= 'a' && ch <= 'z';
			dig += ch >= '0' && ch <= '9';
			sl += ch == '/';
			hex = is_hex(ch) ? hex + 1 : 0;
			if (hex > best_hex)
				best_hex = hex;
		}
		if (best_hex >= BLOB_HEX)
			return true;
		if (j - i >= BLOB_B64 && up > 0 && lo > 0 && dig > 0 && sl * 20 <= j - i) {
			/* Words are not blobs: base64 of random bytes changes case
			 * or kind at most characters, words and paths rarely. */
			size_t changes = 0;

			for (size_t k = i + 1; k < j; k++) {
				unsigned char a = (unsigned char)s[k - 1], b = (unsigned char)s[k];
				int ka = a >= 'a' && a <= 'z' ? 0 : a >= 'A' && a <= 'Z' ? 1 : 2;
				int kb = b >= 'a' && b <= 'z' ? 0 : b >= 'A' && b <= 'Z' ? 1 : 2;

				changes += ka != kb;
			}
			if (changes * 4 >= j - i)
				return true;
		}
		i = j;
	}
	return false;
}

/* The weight of the request's riskiest reason so far. */
static int
top_weight(const struct tables *t, const struct intent *in)
{
	int top = 0;

	for (size_t k = 0; k < in->nsigs; k++)
		if (in->sigs[k].rule != NULL && in->sigs[k].rule->weight > top)
			top = in->sigs[k].rule->weight;
	for (size_t k = 0; k < in->ncmds; k++) {
		const struct intent_cmd *c = intent_cmd(in, k);

		for (size_t j = 0; j < c->ntargets; j++) {
			const struct rule *r = tables_target_rule(t, c->targets[j].eff, c->targets[j].cls);

			if (r != NULL && r->weight > top)
				top = r->weight;
		}
	}
	return top;
}

/* The path holds a parameter expansion ($NAME, ${...}, $1, $@). */
static bool
names_variable(const char *p)
{
	for (; (p = strchr(p, '$')) != NULL; p++) {
		unsigned char ch = (unsigned char)p[1];

		if (ch == '{' || ch == '_' || ch == '@' || ch == '*' || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			return true;
	}
	return false;
}

static bool
usable(const struct rule *r)
{
	return r != NULL && r->weight > 0;
}

/* A wrapper whose tables/runs row says `outside` (systemd-run) ran command
 * k through the service manager: outside the agent's process tree, its
 * sandbox and its limits (runs-outside).  0, or -1 on out of memory. */
static int
outside_wrappers(struct intent_ctx *x, const struct tables *t, struct intent_cmd *c, int k)
{
	const char *via = c->via;

	while (via != NULL && *via != '\0') {
		size_t l = strcspn(via, " "), nr;
		char name[64];
		const struct runspec *const *rows;

		if (l > 0 && l < sizeof name) {
			memcpy(name, via, l);
			name[l] = '\0';
			rows = tables_runs(t, name, &nr);
			for (size_t j = 0; rows != NULL && j < nr; j++)
				if (rows[j]->outside) {
					if (intent_signal(x, k, "runs-outside", c->text, c->textlen) < 0)
						return -1;
					c->effects |= (uint64_t)1 << EFF_EXEC;
					break;
				}
		}
		via += l;
		via += strspn(via, " ");
	}
	return 0;
}

/* At most this many commands are named by floor reasons of one kind. */
#define FLOOR_NAMED 4

int
knowledge_apply(struct intent_ctx *x, const struct tables *t, enum sandbox_where sb)
{
	struct intent *in = intent_get(x);
	const struct rule *partial = tables_rule(t, "prog-partial");
	const struct rule *unknown = tables_rule(t, "prog-unknown");
	const struct rule *opt_exec = tables_rule(t, "opt-exec");
	const struct rule *runtime = tables_rule(t, "path-runtime");
	const struct rule *blob = tables_rule(t, "opaque-blob");
	const struct rule *ws = sb == SB_UNSANDBOXED ? tables_rule(t, "ws-code-unsandboxed") :
	                        sb == SB_UNKNOWN ? tables_rule(t, "ws-code-sandbox-unknown") : NULL;
	size_t npartial = 0, nruntime = 0, nblob = 0, nws = 0;
	const char *scanned = NULL;
	size_t scanned_len = 0;

	for (size_t k = 0; k < in->ncmds; k++) {
		struct intent_cmd *c = intent_cmd(in, k);
		const struct prog *pg = c->program != NULL ? tables_prog(t, c->program) : NULL;

		if (pg != NULL && pg->w.n > 0)
			apply_w(c, pg);
		if (c->via != NULL && outside_wrappers(x, t, c, (int)k) < 0)
			return -1;
		/* script= on a program that is not a shell: an option whose value
		 * is a command it runs (sort --compress-program, man -P) */
		if (pg != NULL && pg->script.n > 0 && pg->handler != H_SHELL && opt_exec != NULL)
			for (size_t j = 0; j < c->nflags; j++)
				if (flag_in(&pg->script, c->flags[j])) {
					if (intent_signal_rule(x, (int)k, opt_exec, c->text, c->textlen) < 0)
						return -1;
					c->effects |= (uint64_t)1 << EFF_EXEC;
					break;
				}
	}
	if (in->unparsed)
		return 0; /* already at least high */
	/* Floors only lift what would be low; at most two kinds, so they can
	 * make a request medium and never more. */
	if (top_weight(t, in) >= RISK_MEDIUM)
		return 0;
	for (size_t k = 0; k < in->ncmds; k++) {
		const struct intent_cmd *c = intent_cmd(in, k);
		const struct prog *pg = c->program != NULL ? tables_prog(t, c->program) : NULL;
		int rc = 0;

		if ((npartial > 0) + (nruntime > 0) + (nblob > 0) + (nws > 0) >= 2)
			break;

		/* A program the table names without saying what its options do.
		 * (Programs the table does not name at all are prog-unknown.) */
		if (pg != NULL && !pg->known && usable(partial) &&
		    npartial < FLOOR_NAMED && tables_wrapper(t, c->program) == NULL) {
			rc = intent_signal_rule(x, (int)k, partial, c->text, c->textlen);
			npartial++;
		}
		/* A program the tables do not know, run by a path outside the
		 * workspace that the path rules do not weigh (/opt/x/bin/tool). */
		if (rc == 0 && pg == NULL && !c->known && c->program != NULL && unknown != NULL &&
		    unknown->weight > 0 && npartial < FLOOR_NAMED && tables_wrapper(t, c->program) == NULL)
			for (size_t j = 0; j < c->ntargets; j++)
				if (c->targets[j].eff == EFF_RUN && c->targets[j].cls != PC_WORKSPACE &&
				    c->targets[j].cls != PC_WORKSPACE_ROOT) {
					rc = intent_signal_rule(x, (int)k, unknown, c->text, c->textlen);
					npartial++;
					break;
				}
		/* A path only known at run time: a variable sandgate could not
		 * resolve ($FILE, ${1}).  Not the output of a command substitution
		 * ($(git ls-files): the command is analysed and weighed itself) nor
		 * what xargs reads from its input ("(paths from input)"). */
		if (usable(runtime) && nruntime < FLOOR_NAMED)
			for (size_t j = 0; j < c->ntargets && rc == 0; j++)
				if (c->targets[j].cls == PC_UNKNOWN && names_variable(c->targets[j].path)) {
					rc = intent_signal_rule(x, (int)k, runtime, c->targets[j].path,
					    strlen(c->targets[j].path));
					nruntime++;
					break;
				}
		/* An opaque blob in the text (each stretch of text scanned once:
		 * nested commands point into their parent's text). */
		if (rc == 0 && usable(blob) && nblob == 0 && c->text != NULL &&
		    !(scanned != NULL && c->text >= scanned && c->text + c->textlen <= scanned + scanned_len)) {
			scanned = c->text;
			scanned_len = c->textlen;
			if (has_blob(c->text, c->textlen)) {
				rc = intent_signal_rule(x, (int)k, blob, c->text, c->textlen);
				nblob++;
			}
		}
		/* The workspace's own code, where the request says it runs. */
		if (rc == 0 && usable(ws) && nws < FLOOR_NAMED && runs_workspace_code(c, pg)) {
			rc = intent_signal_rule(x, (int)k, ws, c->text, c->textlen);
			nws++;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}
