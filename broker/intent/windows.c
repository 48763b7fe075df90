/* windows.c -- Windows commands an agent may run under WSL, pwsh or cmd:
 * `del /s /q C:\`, `rd /s /q`, `Remove-Item -Recurse -Force`, `format c:`,
 * `cmd /c …`, `powershell -c …` and `-EncodedCommand`, `iex (New-Object
 * Net.WebClient).DownloadString(…)`, `reg delete`, `bcdedit`, `diskpart`,
 * `cipher /w`.  tables/windows says what each command's arguments are (files it
 * deletes, reads or writes, a command line it runs); the rules and weights are in
 * tables/commands under the lower-case name (cmd and PowerShell ignore case) and
 * tables/rules, so these commands are scored by the same effects as their Unix
 * equivalents.  Windows paths are classed like Unix ones: a drive root is `root`,
 * C:\Windows and C:\Program Files are `system`, C:\Users\NAME is a home
 * directory, %USERPROFILE%\… and ~\… are under the home.
 *
 * The shell parser removed the backslashes of unquoted words (C:\Windows reads
 * C:Windows), so the words are taken from their source text.
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define WIN_MAX_WORDS 256

static bool
ieq(const char *a, size_t an, const char *b)
{
	return strlen(b) == an && strncasecmp(a, b, an) == 0;
}

static bool
istarts(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);

	return n >= pl && strncasecmp(s, p, pl) == 0;
}

static const char *
imem(const char *h, size_t hn, const char *nd)
{
	size_t nn = strlen(nd);

	for (size_t k = 0; nn <= hn && k <= hn - nn; k++)
		if (strncasecmp(h + k, nd, nn) == 0)
			return h + k;
	return NULL;
}

/* The word as written (backslashes kept, quotes removed), lower case when fold. */
static struct rword
source_word(struct intent_ctx *x, const struct rword *r, bool fold)
{
	struct rword o = *r;
	const char *src = r->s;
	size_t n = r->n;
	char *t;
	size_t m = 0;

	if (r->w != NULL && r->w->raw != NULL && r->w->rawlen > 0 && r->w->rawlen < 4096 &&
	    memchr(r->w->raw, '`', r->w->rawlen) == NULL && memmem(r->w->raw, r->w->rawlen, "$(", 2) == NULL &&
	    (memchr(r->w->raw, '\\', r->w->rawlen) != NULL || memchr(r->w->raw, '$', r->w->rawlen) != NULL)) {
		src = r->w->raw;
		n = r->w->rawlen;
	}
	if ((t = arena_alloc(x->a, n + 1)) == NULL) {
		wk_oomf(x);
		return o;
	}
	for (size_t k = 0; k < n; k++) {
		char ch = src[k];

		if (src != r->s && (ch == '"' || ch == '\''))
			continue;
		t[m++] = fold ? (char)tolower((unsigned char)ch) : ch;
	}
	t[m] = '\0';
	o.s = t;
	o.n = m;
	o.w = NULL;
	return o;
}

/* A cmd switch: /s, /q, /f:x, /w:C: (a slash, a letter or two, maybe :value). */
static bool
slash_switch(const char *s, size_t n)
{
	size_t k = 1;

	if (n < 2 || s[0] != '/' || !isalpha((unsigned char)s[1]))
		return false;
	while (k < n && isalpha((unsigned char)s[k]))
		k++;
	return (k == n && n <= 4) || (k < n && s[k] == ':');
}

static bool
drive_path(const char *s, size_t n)
{
	return n >= 2 && isalpha((unsigned char)s[0]) && s[1] == ':' && (n == 2 || s[2] == '\\' || s[2] == '/');
}

/* Does the word look like Windows: a drive, a backslash, %VAR%, $env:, a /x switch? */
static bool
windows_word(const struct rword *r)
{
	return drive_path(r->s, r->n) || memchr(r->s, '\\', r->n) != NULL || slash_switch(r->s, r->n) ||
	       istarts(r->s, r->n, "%") || istarts(r->s, r->n, "$env:");
}

/* A Windows path as a path sandgate classes: the agent's home for the profile,
 * /mnt/c-like forms are not needed (the class is decided here). */
static void
win_target(struct an *an, const struct rword *r, enum effect eff)
{
	struct intent_ctx *x = an->w->x;
	const char *home = x->env.home != NULL ? x->env.home : "/home/unknown";
	char *p, *q;
	const char *s = r->s, *rest = NULL;
	size_t n = r->n, len;
	enum pclass cls = PC_UNKNOWN;
	static const char *const homevars[] = { "%userprofile%", "$env:userprofile", "%homepath%", "$home", "~",
		"%homedrive%%homepath%" };
	static const char *const sysvars[] = { "%systemroot%", "%windir%", "$env:windir", "$env:systemroot",
		"%programfiles%", "%programfiles(x86)%", "$env:programfiles", "%programdata%", "$env:programdata",
		"%systemdrive%", "$env:systemdrive" };
	static const char *const tmpvars[] = { "%temp%", "%tmp%", "$env:temp", "$env:tmp" };

	if (n == 0 || (p = arena_alloc(x->a, n + strlen(home) + 2)) == NULL)
		return;
	for (size_t k = 0; k < sizeof homevars / sizeof homevars[0]; k++)
		if (istarts(s, n, homevars[k]) &&
		    (n == strlen(homevars[k]) || s[strlen(homevars[k])] == '\\' || s[strlen(homevars[k])] == '/')) {
			rest = s + strlen(homevars[k]);
			break;
		}
	/* C:\Users\NAME\rest is under a home directory */
	if (rest == NULL && drive_path(s, n) && n > 9 && istarts(s + 3, n - 3, "users") && (s[8] == '\\' || s[8] == '/')) {
		const char *e = s + 9;

		while (e < s + n && *e != '\\' && *e != '/')
			e++;
		if (e > s + 9 && !ieq(s + 9, (size_t)(e - s - 9), "public") && !ieq(s + 9, (size_t)(e - s - 9), "default"))
			rest = e;
	}
	if (rest != NULL) {
		len = (size_t)snprintf(p, n + strlen(home) + 2, "%s%.*s", home, (int)(s + n - rest), rest);
		for (q = p; *q; q++)
			if (*q == '\\')
				*q = '/';
		while (len > 1 && p[len - 1] == '/')
			p[--len] = '\0';
		cls = intent_classify(x, p, len);
		wk_add_target_raw(x, an->ci, p, cls, eff, false);
		return;
	}
	for (size_t k = 0; k < sizeof sysvars / sizeof sysvars[0]; k++)
		if (istarts(s, n, sysvars[k]))
			cls = PC_SYSTEM;
	for (size_t k = 0; k < sizeof tmpvars / sizeof tmpvars[0]; k++)
		if (istarts(s, n, tmpvars[k]))
			cls = PC_TMP;
	if (cls == PC_UNKNOWN && drive_path(s, n)) {
		const char *t = s + 2;
		size_t tn = n - 2;

		while (tn > 0 && (*t == '\\' || *t == '/'))
			t++, tn--;
		if (tn == 0 || ieq(t, tn, "*") || ieq(t, tn, "*.*"))
			cls = PC_ROOT;
		else if (istarts(t, tn, "windows") || istarts(t, tn, "program files") || istarts(t, tn, "programdata") ||
		         istarts(t, tn, "boot") || istarts(t, tn, "recovery") || istarts(t, tn, "system volume information") ||
		         istarts(t, tn, "$recycle.bin") || ieq(t, tn, "users") || ieq(t, tn, "users\\") || ieq(t, tn, "users/") ||
		         istarts(t, tn, "users\\*") || istarts(t, tn, "users/*"))
			cls = PC_SYSTEM;
		else
			cls = PC_OUTSIDE;
	} else if (cls == PC_UNKNOWN && (istarts(s, n, "hklm") || istarts(s, n, "hkey_local_machine") ||
	                                    istarts(s, n, "hkcr") || istarts(s, n, "registry::"))) {
		cls = imem(s, n, "currentversion\\run") != NULL || imem(s, n, "currentversion/run") != NULL ? PC_PERSISTENCE
		                                                                                         : PC_SYSTEM;
	} else if (cls == PC_UNKNOWN && (istarts(s, n, "hkcu") || istarts(s, n, "hkey_current_user"))) {
		cls = imem(s, n, "currentversion\\run") != NULL || imem(s, n, "currentversion/run") != NULL ? PC_PERSISTENCE
		                                                                                         : PC_HOME_DOTFILE;
	} else if (cls == PC_UNKNOWN && n >= 2 && s[0] == '\\' && s[1] == '\\') {
		cls = PC_OUTSIDE; /* \\server\share */
	}
	if (cls != PC_UNKNOWN) {
		memcpy(p, s, n);
		p[n] = '\0';
		wk_add_target_raw(x, an->ci, p, cls, eff, false);
		return;
	}
	/* relative, or a Unix path: as the Unix walk classes it */
	{
		struct rword u = *r;

		memcpy(p, s, n);
		p[n] = '\0';
		for (q = p; *q; q++)
			if (*q == '\\')
				*q = '/';
		u.s = p;
		u.n = n;
		wk_add_target(an->w, an->ci, &u, eff);
	}
}

static bool
prefix_of(const struct strlist *l, const char *s, size_t n)
{
	for (size_t k = 0; k < l->n; k++) {
		size_t ln = strlen(l->v[k]);

		if (n == ln && strncasecmp(l->v[k], s, n) == 0)
			return true;
		/* PowerShell takes any unambiguous prefix of a parameter: -rec, -r */
		if (l->v[k][0] == '-' && n >= 2 && n < ln && s[0] == '-' && strncasecmp(l->v[k], s, n) == 0)
			return true;
	}
	return false;
}

/* PowerShell text: fetched code run (iex … DownloadString), then the
 * statements as commands. */
static void
pwsh_text(struct an *an, const char *t, size_t n)
{
	struct intent_ctx *x = an->w->x;
	static const char *const fetch[] = { "downloadstring", "downloadfile", "downloaddata", "invoke-webrequest",
		"invoke-restmethod", "iwr ", "irm ", "start-bitstransfer", "net.webclient", "http://", "https://" };
	static const char *const run[] = { "iex", "invoke-expression", "start-process", "invoke-command", "& ",
		".invoke(", "scriptblock]::create" };
	bool f = false, r = false;

	for (size_t k = 0; k < sizeof fetch / sizeof fetch[0]; k++)
		f |= imem(t, n, fetch[k]) != NULL;
	for (size_t k = 0; k < sizeof run / sizeof run[0]; k++)
		r |= imem(t, n, run[k]) != NULL;
	for (const char *u = t; (u = imem(u, n - (size_t)(u - t), "http")) != NULL; u += 4) {
		size_t m = 0;

		while (u + m < t + n && !isspace((unsigned char)u[m]) && u[m] != '\'' && u[m] != '"' && u[m] != ')')
			m++;
		if (m > 8 && (istarts(u, m, "http://") || istarts(u, m, "https://")))
			intent_add_url(x, an->ci, u, m);
	}
	if (f && r) {
		wk_sig(x, an->ci, "download-exec");
		intent_add_effect(x, an->ci, EFF_DOWNLOAD_EXEC);
	} else if (f) {
		wk_sig(x, an->ci, "download");
		intent_add_effect(x, an->ci, EFF_DOWNLOAD);
	}
	wk_nested_script(an->lw, an->ci, t, n, "powershell", NULL);
}

/* powershell -EncodedCommand: base64 of UTF-16LE text. */
static void
pwsh_encoded(struct an *an, const struct rword *b64)
{
	struct intent_ctx *x = an->w->x;
	size_t cap = b64->n, bin = 0, m = 0;
	unsigned char *buf;
	char *txt;

	wk_sig(x, an->ci, "ps-encoded");
	intent_add_effect(x, an->ci, EFF_DECODE);
	if (cap == 0 || cap > 65536 || (buf = arena_alloc(x->tmp, cap)) == NULL || (txt = arena_alloc(x->a, cap)) == NULL)
		return;
	if (sodium_base642bin(buf, cap, b64->s, b64->n, " \n\r\t", &bin, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 &&
	    sodium_base642bin(buf, cap, b64->s, b64->n, " \n\r\t", &bin, NULL,
	        sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
		return;
	for (size_t k = 0; k + 1 < bin; k += 2)
		if (buf[k + 1] == 0 && buf[k] != 0)
			txt[m++] = buf[k] == '\\' ? '/' : (char)buf[k];
	if (m > 0)
		pwsh_text(an, txt, m);
}

static void
run_cmd_line(struct an *an, const struct rword *w, size_t n, const char *context)
{
	struct intent_ctx *x = an->w->x;
	size_t len = 0, o = 0;
	char *t;

	for (size_t k = 0; k < n; k++)
		len += w[k].n + 1;
	if (len == 0 || (t = arena_alloc(x->a, len + 1)) == NULL)
		return;
	for (size_t k = 0; k < n; k++) {
		memcpy(t + o, w[k].s, w[k].n);
		o += w[k].n;
		t[o++] = ' ';
	}
	t[o - 1] = '\0';
	/* a backslash is a path separator there, never an escape (PowerShell's is `) */
	for (size_t k = 0; k + 1 < o; k++)
		if (t[k] == '\\')
			t[k] = '/';
	/* cmd and PowerShell syntax read with a POSIX shell's parser: not fully understood */
	wk_sig(x, an->ci, "win-shell");
	if (strcmp(context, "powershell") == 0)
		pwsh_text(an, t, o - 1);
	else
		wk_nested_script(an->lw, an->ci, t, o - 1, context, NULL);
}

bool
wk_windows(struct an *an, const char *program)
{
	struct intent_ctx *x = an->w->x;
	const struct winrow *row;
	const struct rword *pw = an->rw - 1; /* the program word */
	struct rword prog, *w;
	char name[128];
	size_t nl, n = an->n < WIN_MAX_WORDS ? an->n : WIN_MAX_WORDS;
	struct args *a;
	bool rec = false, any = false;
	enum effect eff;

	if (program == NULL)
		return false;
	/* the common case first: a name no Windows row has, written without a backslash */
	{
		size_t pl = strlen(program);

		if (pl >= sizeof name)
			return false;
		for (size_t k = 0; k < pl; k++)
			name[k] = (char)tolower((unsigned char)program[k]);
		name[pl] = '\0';
		if (pl > 4 && (strcmp(name + pl - 4, ".exe") == 0 || strcmp(name + pl - 4, ".com") == 0))
			name[pl - 4] = '\0';
		if (tables_win(x->t, name) == NULL &&
		    (pw->w == NULL || pw->w->raw == NULL || memchr(pw->w->raw, '\\', pw->w->rawlen) == NULL))
			return false;
	}
	prog = source_word(x, pw, true);
	{
		const char *b = prog.s, *e = prog.s + prog.n;

		for (const char *p = prog.s; p < e; p++)
			if (*p == '\\' || *p == '/')
				b = p + 1;
		nl = (size_t)(e - b);
		if (nl > 4 && (memcmp(e - 4, ".exe", 4) == 0 || memcmp(e - 4, ".com", 4) == 0))
			nl -= 4;
		if (nl == 0 || nl >= sizeof name)
			return false;
		memcpy(name, b, nl);
		name[nl] = '\0';
	}
	if ((row = tables_win(x->t, name)) == NULL)
		return false;
	if ((w = arena_alloc(x->tmp, (n + 1) * sizeof *w)) == NULL)
		return wk_oomf(x);
	for (size_t k = 0; k < n; k++)
		w[k] = source_word(x, &an->rw[k], row->args != WA_CMD && row->args != WA_PWSH && row->args != WA_EVAL);
	if (row->args != WA_PWSH && (row->dual || tables_prog(x->t, name) != NULL)) {
		bool win = false;

		for (size_t k = 0; k < n && !win; k++)
			win = windows_word(&w[k]);
		if (!win)
			return false;
	}
	{
		struct intent_cmd *c = wk_cmd_at(x, an->ci);

		c->program = wk_xdup(x, name, nl);
		c->known = true;
		c->sub = NULL;
	}
	if ((a = arena_zalloc(x->tmp, sizeof *a)) == NULL || (a->pos = arena_alloc(x->tmp, (n + 1) * sizeof *a->pos)) == NULL ||
	    (a->opts = arena_alloc(x->tmp, (n + 1) * sizeof *a->opts)) == NULL ||
	    (a->inl = arena_alloc(x->tmp, (n + 1) * sizeof *a->inl)) == NULL)
		return wk_oomf(x);
	wk_split_args(NULL, w, n, a);
	/* the rules of tables/commands for the lower-case name */
	any = wk_apply_cmdrules(x, an->ci, name, NULL, a, 0, false);
	switch (row->args) {
	case WA_CMD:
		/* cmd /c CMD, cmd /k CMD: the rest is a command line */
		for (size_t k = 0; k < n; k++)
			if (ieq(w[k].s, w[k].n, "/c") || ieq(w[k].s, w[k].n, "/k") || ieq(w[k].s, w[k].n, "/r")) {
				if (k + 1 < n)
					run_cmd_line(an, w + k + 1, n - k - 1, "cmd /c");
				return true;
			}
		if (n == 0) {
			wk_sig(x, an->ci, "shell-interactive");
			intent_add_effect(x, an->ci, EFF_SHELL);
		}
		return true;
	case WA_PWSH:
		for (size_t k = 0; k < n; k++) {
			const struct rword *o = &w[k];

			if (o->n < 2 || o->s[0] != '-') {
				run_cmd_line(an, w + k, n - k, "powershell");
				return true;
			}
			if (prefix_of(&row->path, o->s, o->n) && k + 1 < n) { /* -EncodedCommand, -enc, -e, -ec */
				pwsh_encoded(an, &w[k + 1]);
				return true;
			}
			if (ieq(o->s, o->n, "-c") || (o->n >= 3 && o->n <= 8 && strncasecmp(o->s, "-command", o->n) == 0)) {
				if (k + 1 < n)
					run_cmd_line(an, w + k + 1, n - k - 1, "powershell");
				return true;
			}
			if (ieq(o->s, o->n, "-f") || (o->n >= 3 && o->n <= 5 && strncasecmp(o->s, "-file", o->n) == 0)) {
				wk_sig(x, an->ci, "source-file");
				if (k + 1 < n)
					win_target(an, &w[k + 1], EFF_RUN);
				return true;
			}
			if (istarts(o->s, o->n, "-ex") && k + 1 < n && ieq(w[k + 1].s, w[k + 1].n, "bypass"))
				wk_sig(x, an->ci, "ps-bypass");
			if (prefix_of(&row->v, o->s, o->n))
				k++;
		}
		wk_sig(x, an->ci, "shell-interactive");
		intent_add_effect(x, an->ci, EFF_SHELL);
		return true;
	case WA_EVAL: {
		struct stdin_info si;

		/* iwr URL | iex: the downloaded text runs */
		wk_get_stdin_info(x, an->cc->stdin_from, &si);
		if (an->cc->stdin_from >= 0 && si.dl) {
			wk_sig(x, an->ci, "download-exec");
			intent_add_effect(x, an->ci, EFF_DOWNLOAD_EXEC);
		} else {
			wk_sig(x, an->ci, "eval");
		}
		if (n > 0)
			run_cmd_line(an, w, n, "powershell");
		return true;
	}
	case WA_NONE:
		if (!any)
			wk_sig(x, an->ci, "win-other");
		return true;
	default:
		break;
	}
	eff = row->args == WA_READ ? EFF_READ : row->args == WA_WRITE ? EFF_WRITE : row->args == WA_CHOWN ? EFF_CHOWN :
	      row->args == WA_CHMOD ? EFF_CHMOD : row->args == WA_USE ? EFF_USE : EFF_DELETE;
	for (size_t k = 0; k < n; k++)
		if ((w[k].n > 1 && (w[k].s[0] == '-' || slash_switch(w[k].s, w[k].n))) && prefix_of(&row->rec, w[k].s, w[k].n))
			rec = true;
	if (eff == EFF_DELETE && rec)
		eff = EFF_DELETE_RECURSIVE;
	for (size_t k = 0; k < n; k++) {
		const struct rword *o = &w[k];

		if (o->n > 1 && o->s[0] == '-') {
			if (prefix_of(&row->path, o->s, o->n) && k + 1 < n)
				win_target(an, &w[++k], eff);
			else if (prefix_of(&row->v, o->s, o->n))
				k++;
			continue;
		}
		if (slash_switch(o->s, o->n)) {
			/* takeown /f PATH, icacls: a switch whose value is the path */
			if (prefix_of(&row->path, o->s, o->n) && k + 1 < n)
				win_target(an, &w[++k], eff);
			else if (prefix_of(&row->v, o->s, o->n))
				k++;
			continue;
		}
		if (row->args == WA_CHMOD && k > 0)
			continue; /* icacls PATH /grant …: the first is the path */
		win_target(an, o, eff);
	}
	return true;
}
