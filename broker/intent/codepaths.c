/* codepaths.c -- the files inline code names (see codepaths.h). */
#include "broker/intent/codepaths.h"

#include <string.h>

#define MAX_LITERAL 1024

/* Does a literal read as a path?  A slash, a leading dot or tilde, or a
 * short extension (notes.txt, CLAUDE.md); no blanks, no URL, not a file
 * mode ("w", "rb"). */
static bool
pathish(const char *s, size_t n)
{
	const char *dot;
	size_t ext;

	if (n == 0 || n > MAX_LITERAL)
		return false;
	for (size_t k = 0; k < n; k++)
		if (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r' || s[k] == '\0' || s[k] == '%' ||
		    s[k] == '{' || s[k] == '}' || s[k] == '<' || s[k] == '>' || s[k] == '|' || s[k] == '$')
			return false;
	if (memmem(s, n, "://", 3) != NULL)
		return false;
	if (memchr(s, '/', n) != NULL || s[0] == '~')
		return true;
	if (s[0] == '.' && n > 1)
		return true;
	dot = memrchr(s, '.', n);
	if (dot == NULL || dot == s)
		return false;
	ext = n - (size_t)(dot + 1 - s);
	if (ext == 0 || ext > 8)
		return false;
	/* a method call or module (os.path, sys.argv) is no file name */
	for (const char *q = dot + 1; q < s + n; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_' ||
		      *q == '-'))
			return false;
	return true;
}

static bool file_call_arg(const char *code, size_t q);

size_t
code_path_literals(const char *code, size_t n, bool (*fn)(void *ctx, const char *s, size_t len), void *ctx)
{
	size_t found = 0;

	for (size_t k = 0; k < n; k++) {
		char q = code[k];
		size_t start, e;

		if (q != '\'' && q != '"' && q != '`')
			continue;
		/* a Python triple quote is a text block, not a name */
		if (k + 2 < n && code[k + 1] == q && code[k + 2] == q) {
			const char *end = NULL;

			for (size_t j = k + 3; j + 2 < n; j++)
				if (code[j] == q && code[j + 1] == q && code[j + 2] == q) {
					end = code + j;
					break;
				}
			k = end != NULL ? (size_t)(end - code) + 2 : n;
			continue;
		}
		start = k + 1;
		for (e = start; e < n && code[e] != q && code[e] != '\n'; e++)
			if (code[e] == '\\')
				e++;
		if (e >= n || code[e] != q) {
			k = e;
			continue;
		}
		if (pathish(code + start, e - start) ||
		    (e > start && e - start <= MAX_LITERAL && memchr(code + start, '\0', e - start) == NULL &&
		        file_call_arg(code, k))) {
			found++;
			if (!fn(ctx, code + start, e - start))
				return found;
		}
		k = e;
	}
	return found;
}

/* The end of a quoted literal starting at code[k] (the quote), or n. */
static size_t
skip_literal(const char *code, size_t n, size_t k)
{
	char q = code[k];

	for (k++; k < n && code[k] != q; k++)
		if (code[k] == '\\')
			k++;
	return k < n ? k : n;
}

/* Is code[s..e) one string literal (blanks around it allowed)? */
static bool
one_literal(const char *code, size_t s, size_t e)
{
	size_t end;

	while (s < e && (code[s] == ' ' || code[s] == '\t' || code[s] == '\n'))
		s++;
	while (e > s && (code[e - 1] == ' ' || code[e - 1] == '\t' || code[e - 1] == '\n'))
		e--;
	/* r'...', b"...": prefixes that do not compute anything */
	while (s < e && (code[s] == 'r' || code[s] == 'b' || code[s] == 'u' || code[s] == 'R' || code[s] == 'B'))
		s++;
	if (s >= e || (code[s] != '\'' && code[s] != '"'))
		return false;
	end = skip_literal(code, e, s);
	return end == e - 1;
}

/* Split the call arguments starting after code[open] == '(' into top-level
 * ranges; returns the count (at most max) and *close, the position of ')'. */
static size_t
call_args(const char *code, size_t n, size_t open, size_t *starts, size_t *ends, size_t max, size_t *close)
{
	size_t na = 0, depth = 0, start = open + 1, k;

	for (k = open + 1; k < n; k++) {
		char c = code[k];

		if (c == '\'' || c == '"' || c == '`') {
			k = skip_literal(code, n, k);
			continue;
		}
		if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
			depth--;
		} else if (c == ')' || (c == ',' && depth == 0)) {
			if (na < max && (k > start || na > 0 || c == ',')) {
				starts[na] = start;
				ends[na++] = k;
			}
			start = k + 1;
			if (c == ')')
				break;
		}
	}
	*close = k;
	return na;
}

/* Does an argument name a writing mode ('w', "a+", mode='wb', '>' ...)? */
static bool
write_mode(const char *code, size_t s, size_t e)
{
	for (size_t k = s; k < e; k++) {
		if (code[k] == '\'' || code[k] == '"') {
			size_t end = skip_literal(code, e, k);

			for (size_t j = k + 1; j < end; j++)
				if (code[j] == 'w' || code[j] == 'a' || code[j] == 'x' || code[j] == '+' || code[j] == '>')
					return end - k - 1 <= 4;
			k = end;
		}
	}
	return false;
}

static bool
ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
}

/* Is the identifier just before code[at] (a '(') equal to name? */
static bool
named(const char *code, size_t at, const char *name)
{
	size_t l = strlen(name);

	return at >= l && memcmp(code + at - l, name, l) == 0 && (at == l || !ident_char(code[at - l - 1]));
}

/* Is the literal at code[q] (its opening quote) the first argument of a
 * call that takes a file (open, Path, writeFileSync, ...)? */
static bool
file_call_arg(const char *code, size_t q)
{
	static const char *const calls[] = { "open", "fopen", "Path", "writeFileSync", "writeFile",
		"appendFileSync", "appendFile", "createWriteStream", "file_put_contents", "copyfile", "copy", "move",
		"rename", "renameSync", "symlink", "symlinkSync", "unlink", "unlinkSync", "remove", "rmtree" };
	size_t k = q;

	while (k > 0 && (code[k - 1] == ' ' || code[k - 1] == '\t'))
		k--;
	while (k > 0 && (code[k - 1] == 'r' || code[k - 1] == 'b') && k >= 2 && (code[k - 2] == '(' || code[k - 2] == ' '))
		k--;
	if (k == 0 || code[k - 1] != '(')
		return false;
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
		if (named(code, k - 1, calls[i]))
			return true;
	return false;
}

/* Is code[s..e) a name assigned exactly one string literal in the code
 * (NAME = '...')?  Gives that literal to fn. */
static bool
assigned_literal(const char *code, size_t n, size_t s, size_t e, bool (*fn)(void *, const char *, size_t),
    void *ctx)
{
	size_t len, hits = 0, ls = 0, le = 0;

	while (s < e && (code[s] == ' ' || code[s] == '\t'))
		s++;
	while (e > s && (code[e - 1] == ' ' || code[e - 1] == '\t'))
		e--;
	len = e - s;
	if (len == 0 || len > 64)
		return false;
	for (size_t k = s; k < e; k++)
		if (!ident_char(code[k]))
			return false;
	for (size_t k = 0; k + len < n; k++) {
		size_t j = k + len;

		if (memcmp(code + k, code + s, len) != 0 || (k > 0 && (ident_char(code[k - 1]) || code[k - 1] == '.')) ||
		    ident_char(code[j]))
			continue;
		while (j < n && (code[j] == ' ' || code[j] == '\t'))
			j++;
		if (j >= n || code[j] != '=' || (j + 1 < n && code[j + 1] == '='))
			continue;
		if (k == s)
			continue;
		/* NAME = ... : it must be one literal up to the end of the statement */
		for (j++; j < n && (code[j] == ' ' || code[j] == '\t'); j++)
			;
		{
			size_t end = j;

			while (end < n && code[end] != '\n' && code[end] != ';')
				end++;
			if (!one_literal(code, j, end))
				return false;
			ls = j;
			le = end;
			hits++;
		}
	}
	if (hits == 0)
		return false;
	while (ls < le && code[ls] != '\'' && code[ls] != '"')
		ls++;
	{
		size_t close = skip_literal(code, le, ls);

		if (close > ls + 1 && fn != NULL)
			fn(ctx, code + ls + 1, close - ls - 1);
	}
	return true;
}

bool
code_computed_paths(const char *code, size_t n, bool *writes, bool (*fn)(void *, const char *, size_t),
    void *ctx)
{
	/* calls whose first argument is the file, when they write */
	static const char *const first_arg[] = { "open", "fopen", "writeFileSync", "writeFile", "appendFileSync",
		"appendFile", "createWriteStream", "file_put_contents", "unlink", "unlinkSync", "remove", "rmtree",
		"rmSync", "rmdir", "rmdirSync", "truncate", "truncateSync", "makedirs", "mkdir", "mkdirSync" };
	/* calls every argument of which is a file */
	static const char *const all_args[] = { "copyfile", "copy", "copy2", "copytree", "move", "rename", "renameSync",
		"symlink", "symlinkSync", "link", "linkSync", "copyFile", "copyFileSync", "cp", "cpSync", "mv", "ln" };
	/* methods on a path object: the receiver is the file */
	static const char *const receiver[] = { "write_text", "write_bytes", "touch", "symlink_to", "hardlink_to",
		"unlink", "rmdir", "mkdir" };
	bool computed = false;

	*writes = false;
	for (size_t k = 0; k < n; k++) {
		size_t s, e, name_len;
		bool is_first = false, is_all = false, is_recv = false, is_open = false;

		if (code[k] == '\'' || code[k] == '"' || code[k] == '`') {
			k = skip_literal(code, n, k);
			continue;
		}
		if (code[k] != '(' || k == 0 || !ident_char(code[k - 1]))
			continue;
		e = k;
		s = e;
		while (s > 0 && ident_char(code[s - 1]))
			s--;
		name_len = e - s;
		for (size_t q = 0; q < sizeof first_arg / sizeof first_arg[0]; q++)
			if (strlen(first_arg[q]) == name_len && memcmp(code + s, first_arg[q], name_len) == 0)
				is_first = true, is_open = q < 2;
		for (size_t q = 0; q < sizeof all_args / sizeof all_args[0]; q++)
			if (strlen(all_args[q]) == name_len && memcmp(code + s, all_args[q], name_len) == 0)
				is_all = true;
		for (size_t q = 0; q < sizeof receiver / sizeof receiver[0]; q++)
			if (strlen(receiver[q]) == name_len && memcmp(code + s, receiver[q], name_len) == 0 && s > 0 &&
			    code[s - 1] == '.')
				is_recv = true;
		if (!is_first && !is_all && !is_recv)
			continue;
		{
			size_t st[8], en[8], close, na = call_args(code, n, k, st, en, 8, &close);

			if (is_open) {
				bool w = false;

				for (size_t a = 1; a < na; a++)
					w |= write_mode(code, st[a], en[a]);
				if (!w)
					continue; /* open(p) reads */
			}
			if (is_recv) {
				/* Path('x').write_text(...): the receiver is one literal in a call */
				size_t r = s - 1, depth = 0, j;

				*writes = true;
				if (r == 0 || code[r - 1] != ')') {
					computed = true;
					continue;
				}
				for (j = r - 1; j-- > 0;) {
					if (code[j] == ')')
						depth++;
					else if (code[j] == '(' && depth-- == 0)
						break;
				}
				if (j >= r - 1 || !one_literal(code, j + 1, r - 1) || !named(code, j, "Path"))
					computed = true; /* only Path("...") names its file */
				continue;
			}
			*writes = true;
			for (size_t a = 0; a < (is_all ? na : na > 0 ? 1 : 0); a++)
				if (!one_literal(code, st[a], en[a]) && !assigned_literal(code, n, st[a], en[a], fn, ctx))
					computed = true;
			if (na == 0)
				computed = true;
		}
	}
	return computed;
}
