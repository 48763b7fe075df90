/* selfref.c -- text that names sandgate itself (see selfref.h). */
#include "broker/intent/selfref.h"

#include <string.h>

/* Subcommands that act as a reviewer, on the broker or on the hooks. */
static const char *const acting[] = { "decide", "rules", "console", "pending", "broker", "status", "audit",
	"install", "uninstall", "demo", "pane" };

static bool
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	    c == '.';
}

/* Subcommands an agent uses: naming the binary to run them is no signal. */
static const char *const agent_side[] = { "ask", "score", "exec", "hook", "sandbox", "help", "--help", "--version" };

static bool
followed_by_agent_call(const char *e, const char *end)
{
	if (e >= end || (*e != ' ' && *e != '\t'))
		return false;
	while (e < end && (*e == ' ' || *e == '\t'))
		e++;
	for (size_t k = 0; k < sizeof agent_side / sizeof agent_side[0]; k++) {
		size_t l = strlen(agent_side[k]);

		if ((size_t)(end - e) >= l && memcmp(e, agent_side[k], l) == 0 && (e + l == end || !word_char(e[l])))
			return true;
	}
	return false;
}

/* dir as a path in text: followed by its end or a separator.  binary: a
 * mention that runs an agent-side subcommand does not count. */
static const char *
find_dir(const char *text, size_t n, const char *dir, size_t *len, bool binary)
{
	size_t dl;

	if (dir == NULL || (dl = strlen(dir)) < 2)
		return NULL;
	for (const char *p = text; (p = memmem(p, (size_t)(text + n - p), dir, dl)) != NULL; p++) {
		const char *e = p + dl;

		if (e == text + n || !word_char(*e) || *e == '.' || *e == '-') {
			if (binary && followed_by_agent_call(e, text + n))
				continue;
			*len = dl;
			return p;
		}
	}
	return NULL;
}

/* name somewhere in text, with "sandgate" (either case) in the 48 bytes before it. */
static const char *
near_sandgate(const char *text, size_t n, const char *name, size_t *len)
{
	size_t nl = strlen(name);

	for (const char *p = text; (p = memmem(p, (size_t)(text + n - p), name, nl)) != NULL; p++) {
		const char *from = p - text > 48 ? p - 48 : text;

		if (memmem(from, (size_t)(p - from), "sandgate", 8) != NULL ||
		    memmem(from, (size_t)(p - from), "SANDGATE", 8) != NULL) {
			*len = nl;
			return p;
		}
	}
	return NULL;
}

static const char *
anywhere(const char *text, size_t n, const char *name, size_t *len)
{
	const char *p = memmem(text, n, name, strlen(name));

	if (p != NULL)
		*len = strlen(name);
	return p;
}

/* The default runtime dir /tmp/sandgate-UID: the dash followed by the uid, a
 * variable ($UID) or a glob (/tmp/sandgate-*), not another project's
 * directory (/tmp/sandgate-check, a clone of this repository). */
static const char *
default_runtime(const char *text, size_t n, size_t *len)
{
	static const char pre[] = "/tmp/sandgate-";
	const size_t pl = sizeof pre - 1;

	for (const char *p = text; (p = memmem(p, (size_t)(text + n - p), pre, pl)) != NULL; p++) {
		const char *q = p + pl, *e = text + n;

		if (q < e && (*q == '$' || *q == '*' || *q == '?' || *q == '[' || *q == '{')) {
			*len = pl + 1;
			return p;
		}
		while (q < e && *q >= '0' && *q <= '9')
			q++;
		if (q > p + pl && (q == e || !(word_char(*q) || *q == '.' || *q == '-'))) {
			*len = (size_t)(q - p);
			return p;
		}
	}
	return NULL;
}

/* `sandgate SUBCOMMAND` for an acting subcommand. */
static const char *
acting_call(const char *text, size_t n, size_t *len)
{
	for (const char *p = text; (p = memmem(p, (size_t)(text + n - p), "sandgate", 8)) != NULL; p++) {
		const char *q = p + 8, *e = text + n;

		if (p > text && (word_char(p[-1]) && p[-1] != '/' ))
			continue;
		if (q >= e || (*q != ' ' && *q != '\t' && *q != '\'' && *q != '"'))
			continue;
		while (q < e && (*q == ' ' || *q == '\t' || *q == '\'' || *q == '"' || *q == '\\'))
			q++;
		for (size_t k = 0; k < sizeof acting / sizeof acting[0]; k++) {
			size_t l = strlen(acting[k]);

			if ((size_t)(e - q) >= l && memcmp(q, acting[k], l) == 0 && (q + l == e || !word_char(q[l]))) {
				*len = (size_t)(q + l - p);
				return p;
			}
		}
	}
	return NULL;
}

bool
selfref_find(const struct selfref_env *env, const char *text, size_t n, const char **at, size_t *len)
{
	const char *p;

	if (text == NULL || n == 0)
		return false;
	if ((p = find_dir(text, n, env->runtime_dir, len, false)) != NULL ||
	    (p = find_dir(text, n, env->config_dir, len, false)) != NULL ||
	    (p = find_dir(text, n, env->db_path, len, false)) != NULL || (p = find_dir(text, n, env->exe, len, true)) != NULL ||
	    (p = anywhere(text, n, "console.sock", len)) != NULL || (p = anywhere(text, n, "sandgate.db", len)) != NULL ||
	    (p = anywhere(text, n, "SANDGATE_DIR", len)) != NULL || (p = anywhere(text, n, "SANDGATE_DB", len)) != NULL ||
	    (p = anywhere(text, n, ".config/sandgate", len)) != NULL ||
	    (p = default_runtime(text, n, len)) != NULL ||
	    (p = near_sandgate(text, n, "agent.sock", len)) != NULL ||
	    (p = near_sandgate(text, n, "audit.key", len)) != NULL ||
	    (p = near_sandgate(text, n, "broker.lock", len)) != NULL || (p = acting_call(text, n, len)) != NULL) {
		*at = p;
		return true;
	}
	return false;
}
