/* theme.c -- theme files: parse "role = fg [bg] [attr...]" lines over a base. */
#include "tui/theme.h"
#include "tui/text.h"
#include "proto/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct theme_blob {
	const char *name;
	const unsigned char *data;
	size_t len;
};
/* Generated at build time from themes/ (embed_themes.cmake). */
extern const struct theme_blob theme_blobs[];
extern const size_t theme_nblobs;

struct theme {
	char name[40];
	struct theme_style roles[TR_COUNT];
};

static const char *const role_names[TR_COUNT] = {
	[TR_NORMAL] = "normal", [TR_DIM] = "dim", [TR_HEADER] = "header",
	[TR_TITLE] = "title", [TR_BORDER] = "border", [TR_SELECTED] = "selected",
	[TR_STATUS] = "status", [TR_ERROR] = "error", [TR_KEY] = "key",
	[TR_RISK_UNKNOWN] = "risk_unknown", [TR_RISK_LOW] = "risk_low",
	[TR_RISK_MEDIUM] = "risk_medium", [TR_RISK_HIGH] = "risk_high",
	[TR_RISK_CRITICAL] = "risk_critical", [TR_DIFF_ADD] = "diff_add",
	[TR_DIFF_DEL] = "diff_del", [TR_DIFF_CONTEXT] = "diff_context",
	[TR_DIFF_HUNK] = "diff_hunk", [TR_LINE_NUMBER] = "line_number",
	[TR_ESCAPED] = "escaped", [TR_MARK_ADD] = "mark_add", [TR_MARK_DEL] = "mark_del",
	[TR_MARK_DIFFERS] = "mark_differs", [TR_ALLOW] = "allow", [TR_DENY] = "deny",
	[TR_PROMPT] = "prompt", [TR_CONNECTED] = "connected",
	[TR_DISCONNECTED] = "disconnected", [TR_ALERT] = "alert",
};

/* The base every theme starts from: attributes only, so it reads on a
 * monochrome terminal and with NO_COLOR. */
static const unsigned base_attrs[TR_COUNT] = {
	[TR_DIM] = THEME_DIM, [TR_HEADER] = THEME_REVERSE, [TR_TITLE] = THEME_BOLD,
	[TR_BORDER] = THEME_DIM, [TR_SELECTED] = THEME_REVERSE, [TR_ERROR] = THEME_BOLD,
	[TR_KEY] = THEME_BOLD, [TR_RISK_UNKNOWN] = THEME_DIM, [TR_RISK_MEDIUM] = THEME_UNDERLINE,
	[TR_RISK_HIGH] = THEME_BOLD, [TR_RISK_CRITICAL] = THEME_BOLD | THEME_REVERSE,
	[TR_DIFF_ADD] = THEME_BOLD, [TR_DIFF_DEL] = THEME_DIM, [TR_DIFF_HUNK] = THEME_UNDERLINE,
	[TR_LINE_NUMBER] = THEME_DIM, [TR_ESCAPED] = THEME_REVERSE, [TR_MARK_ADD] = THEME_BOLD,
	[TR_MARK_DEL] = THEME_DIM, [TR_MARK_DIFFERS] = THEME_BOLD | THEME_UNDERLINE,
	[TR_ALLOW] = THEME_BOLD, [TR_DENY] = THEME_BOLD, [TR_PROMPT] = THEME_BOLD,
	[TR_DISCONNECTED] = THEME_BOLD | THEME_REVERSE, [TR_ALERT] = THEME_BOLD | THEME_REVERSE,
};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{ "bold", THEME_BOLD }, { "dim", THEME_DIM }, { "underline", THEME_UNDERLINE },
	{ "reverse", THEME_REVERSE }, { "italic", THEME_ITALIC }, { "standout", THEME_STANDOUT },
	{ "none", 0 },
};

static const char *const colour_names[16] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
	"bright-black", "bright-red", "bright-green", "bright-yellow", "bright-blue",
	"bright-magenta", "bright-cyan", "bright-white",
};

theme *
theme_new(void)
{
	theme *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	for (int r = 0; r < TR_COUNT; r++) {
		t->roles[r].fg = t->roles[r].bg = (struct theme_color){ -1, -1 };
		t->roles[r].attrs = base_attrs[r];
	}
	return t;
}

void
theme_free(theme *t)
{
	free(t);
}

const char *theme_name(const theme *t) { return t->name; }
const struct theme_style *theme_style(const theme *t, enum theme_role r) { return &t->roles[r]; }
const char *theme_role_name(enum theme_role r) { return r < TR_COUNT ? role_names[r] : "?"; }

int
theme_role_by_name(const char *s, size_t n)
{
	for (int r = 0; r < TR_COUNT; r++)
		if (strlen(role_names[r]) == n && memcmp(role_names[r], s, n) == 0)
			return r;
	return -1;
}

size_t theme_builtin_count(void) { return theme_nblobs; }
const char *theme_builtin_name(size_t i) { return i < theme_nblobs ? theme_blobs[i].name : NULL; }

const char *
theme_builtin_text(const char *name, size_t *len)
{
	for (size_t i = 0; i < theme_nblobs; i++)
		if (strcmp(theme_blobs[i].name, name) == 0) {
			*len = theme_blobs[i].len;
			return (const char *)theme_blobs[i].data;
		}
	return NULL;
}

/* ---- parsing ---- */

struct parse {
	theme *t;
	const char *fname;
	int line, depth;
	char *err;
	size_t errlen;
};

static int apply_depth(theme *t, const char *text, size_t len, const char *fname, int depth,
    char *err, size_t errlen);

/* Report "FILE:LINE: message"; the file name and any quoted token from the
 * file go through text_escape, so a hostile file cannot reach the terminal. */
static int __attribute__((format(printf, 2, 3)))
perr(struct parse *p, const char *fmt, ...)
{
	char msg[256];
	char *fn = text_escape(p->fname, strlen(p->fname), 120, NULL);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", fn != NULL ? fn : "theme", p->line, msg);
	free(fn);
	return -1;
}

/* An escaped, cut copy of a token for error messages (static buffer). */
static const char *
tok_show(const char *s, size_t n)
{
	static char buf[64];
	char *e = text_escape(s, n, 40, NULL);

	snprintf(buf, sizeof buf, "%s", e != NULL ? e : "?");
	free(e);
	return buf;
}

static bool
tok_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Parse "default", a name, 0-255, or "N/name"; 0 on success. */
static int
parse_colour(const char *s, size_t n, struct theme_color *c)
{
	const char *slash = memchr(s, '/', n);

	if (slash != NULL) {
		struct theme_color a, b;

		if (parse_colour(s, (size_t)(slash - s), &a) < 0 ||
		    parse_colour(slash + 1, n - (size_t)(slash - s) - 1, &b) < 0 ||
		    memchr(slash + 1, '/', n - (size_t)(slash - s) - 1) != NULL || b.c256 > 15)
			return -1;
		c->c256 = a.c256;
		c->c16 = b.c16;
		return 0;
	}
	if (tok_eq(s, n, "default") || tok_eq(s, n, "-")) {
		c->c256 = c->c16 = -1;
		return 0;
	}
	for (short i = 0; i < 16; i++)
		if (tok_eq(s, n, colour_names[i]) || (i == 8 && (tok_eq(s, n, "grey") || tok_eq(s, n, "gray")))) {
			c->c256 = c->c16 = i;
			return 0;
		}
	if (n >= 1 && n <= 3) {
		int v = 0;

		for (size_t i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			v = v * 10 + (s[i] - '0');
		}
		if (v > 255)
			return -1;
		c->c256 = (short)v;
		c->c16 = (short)(v < 16 ? v : -1); /* no 16-colour fallback given */
		return 0;
	}
	return -1;
}

static int
parse_attr(const char *s, size_t n, unsigned *bits)
{
	for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
		if (tok_eq(s, n, attr_names[i].name)) {
			*bits |= attr_names[i].bit;
			return 0;
		}
	return -1;
}

/* Next whitespace-separated token of [*pos, end); NULL at the end. */
static const char *
next_tok(const char **pos, const char *end, size_t *n)
{
	const char *s = *pos, *e;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end)
		return NULL;
	e = s;
	while (e < end && *e != ' ' && *e != '\t')
		e++;
	*n = (size_t)(e - s);
	*pos = e;
	return s;
}

/* "role = fg [bg] [attr...]" */
static int
parse_style(struct parse *p, int role, const char *v, const char *end)
{
	struct theme_style st = { { -1, -1 }, { -1, -1 }, 0 };
	const char *tok;
	size_t n;
	int ncolours = 0;
	bool attrs = false;

	while ((tok = next_tok(&v, end, &n)) != NULL) {
		struct theme_color c;

		if (!attrs && ncolours < 2 && parse_colour(tok, n, &c) == 0) {
			if (ncolours++ == 0)
				st.fg = c;
			else
				st.bg = c;
		} else if (parse_attr(tok, n, &st.attrs) == 0) {
			attrs = true;
		} else {
			return perr(p, "'%s' is not a colour or attribute (colours: default, black..white, "
			    "bright-black..bright-white, 0-255, N/name; attributes: bold dim underline "
			    "reverse italic standout none)", tok_show(tok, n));
		}
	}
	if (ncolours == 0 && !attrs)
		return perr(p, "role '%s' has no value", role_names[role]);
	p->t->roles[role] = st;
	return 0;
}

static int
parse_line(struct parse *p, const char *s, const char *end)
{
	const char *eq, *k, *ke, *v;
	size_t kn;
	int role;

	for (const char *c = s; c < end; c++)
		if (*c == '#') {
			end = c;
			break;
		}
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	if (s == end)
		return 0;
	for (const char *c = s; c < end; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return perr(p, "control character in line");
	if ((eq = memchr(s, '=', (size_t)(end - s))) == NULL)
		return perr(p, "expected 'role = colour [background] [attributes]', got '%s'",
		    tok_show(s, (size_t)(end - s)));
	k = s;
	ke = eq;
	while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
		ke--;
	kn = (size_t)(ke - k);
	v = eq + 1;
	if (tok_eq(k, kn, "name"))
		return 0; /* informational */
	if (tok_eq(k, kn, "inherit")) {
		size_t n, blen;
		const char *name = next_tok(&v, end, &n), *text;
		char bname[40];

		if (name == NULL || n >= sizeof bname || next_tok(&v, end, &kn) != NULL)
			return perr(p, "inherit takes one built-in theme name");
		memcpy(bname, name, n);
		bname[n] = '\0';
		if ((text = theme_builtin_text(bname, &blen)) == NULL)
			return perr(p, "no built-in theme '%s' to inherit", tok_show(name, n));
		if (p->depth + 1 >= THEME_MAX_DEPTH)
			return perr(p, "inherit nested deeper than %d", THEME_MAX_DEPTH);
		return apply_depth(p->t, text, blen, bname, p->depth + 1, p->err, p->errlen);
	}
	if ((role = theme_role_by_name(k, kn)) < 0)
		return perr(p, "unknown role '%s'", tok_show(k, kn));
	return parse_style(p, role, v, end);
}

static int
apply_depth(theme *t, const char *text, size_t len, const char *fname, int depth,
    char *err, size_t errlen)
{
	struct parse p = { .t = t, .fname = fname, .depth = depth, .err = err, .errlen = errlen };
	const char *s = text, *end = text + len;

	if (len > THEME_MAX_BYTES)
		return perr(&p, "file is larger than %d bytes", THEME_MAX_BYTES);
	if (memchr(text, '\0', len) != NULL)
		return perr(&p, "file contains a NUL byte");
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl != NULL ? nl : end;

		p.line++;
		if (le - s > THEME_MAX_LINE)
			return perr(&p, "line longer than %d bytes", THEME_MAX_LINE);
		if (parse_line(&p, s, le) < 0)
			return -1;
		s = nl != NULL ? nl + 1 : end;
	}
	return 0;
}

int
theme_apply(theme *t, const char *text, size_t len, const char *fname, char *err, size_t errlen)
{
	return apply_depth(t, text, len, fname, 0, err, errlen);
}

/* Read a regular file of at most THEME_MAX_BYTES; 1 read, 0 absent, -1 error. */
static int
read_small_file(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > THEME_MAX_BYTES) {
		snprintf(err, errlen, "%s: not a regular file of at most %d bytes", path, THEME_MAX_BYTES);
		close(fd);
		return -1;
	}
	buf = malloc(THEME_MAX_BYTES + 1);
	while (buf != NULL && got <= THEME_MAX_BYTES &&
	    (n = read(fd, buf + got, THEME_MAX_BYTES + 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*out = buf;
	*len = got;
	return 1;
}

static bool
valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", name[i]) == NULL)
			return false;
	return true;
}

theme *
theme_load(const char *name, char *err, size_t errlen)
{
	char *dir = paths_config_dir(), *tdir = NULL, *path = NULL, *text = NULL, file[48];
	const char *builtin;
	size_t len = 0;
	theme *t;
	int r = 0;

	if (!valid_name(name)) {
		char *e = text_escape(name, strlen(name), 40, NULL);

		snprintf(err, errlen, "theme name '%s' must be 1-32 letters, digits, - or _", e ? e : "?");
		free(e);
		free(dir);
		return NULL;
	}
	if ((t = theme_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(dir);
		return NULL;
	}
	snprintf(t->name, sizeof t->name, "%s", name);
	snprintf(file, sizeof file, "%s.theme", name);
	if (dir != NULL && (tdir = paths_join(dir, "themes")) != NULL && (path = paths_join(tdir, file)) != NULL)
		r = read_small_file(path, &text, &len, err, errlen);
	if (r > 0)
		r = theme_apply(t, text, len, path, err, errlen);
	else if (r == 0 && (builtin = theme_builtin_text(name, &len)) != NULL)
		r = theme_apply(t, builtin, len, file, err, errlen);
	else if (r == 0) {
		char list[256] = "";

		for (size_t i = 0; i < theme_nblobs; i++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
			    theme_blobs[i].name);
		snprintf(err, errlen, "no theme '%s' (built-in: %s; or put %s in %s)", name, list, file,
		    tdir != NULL ? tdir : "$XDG_CONFIG_HOME/sandgate/themes");
		r = -1;
	}
	free(text);
	free(path);
	free(tdir);
	free(dir);
	if (r < 0) {
		theme_free(t);
		return NULL;
	}
	return t;
}
