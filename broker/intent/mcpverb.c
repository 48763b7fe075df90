/* mcpverb.c -- an MCP tool's verb (see mcpverb.h). */
#include "broker/intent/mcpverb.h"

#include <stdbool.h>
#include <string.h>

#define MCP_WORDS 16   /* words of a name looked at */
#define MCP_WORDLEN 32 /* bytes of a word */

struct words {
	char w[MCP_WORDS][MCP_WORDLEN + 1];
	size_t n;
	bool cut; /* more words, or a longer word, than fit */
};

static bool
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
is_alnum(char c)
{
	return is_lower(c) || is_upper(c) || (c >= '0' && c <= '9');
}

/* Split s into lower-case words: at every other byte and where a lower-case
 * letter or digit is followed by an upper-case one (getFileInfo). */
static void
split(const char *s, size_t n, struct words *w)
{
	size_t len = 0;

	w->n = 0;
	w->cut = false;
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? s[i] : '\0';
		bool brk = i == n || !is_alnum(c) ||
		           (len > 0 && is_upper(c) && i > 0 && (is_lower(s[i - 1]) || (s[i - 1] >= '0' && s[i - 1] <= '9')));

		if (brk && len > 0) {
			w->w[w->n][len > MCP_WORDLEN ? MCP_WORDLEN : len] = '\0';
			if (len > MCP_WORDLEN)
				w->cut = true;
			len = 0;
			if (++w->n == MCP_WORDS) {
				w->cut = w->cut || i < n;
				return;
			}
		}
		if (i < n && is_alnum(c)) {
			if (len < MCP_WORDLEN)
				w->w[w->n][len] = is_upper(c) ? (char)(c - 'A' + 'a') : c;
			len++;
		}
	}
}

/* The word row of w or of its stem (lists, deleted, deleting, updates). */
static const struct mcppat *
word_row(const struct tables *t, const char *w)
{
	static const char *const suffix[] = { "", "s", "es", "d", "ed", "ing" };
	size_t n = strlen(w);

	for (size_t k = 0; k < sizeof suffix / sizeof suffix[0]; k++) {
		size_t sl = strlen(suffix[k]);
		const struct mcppat *m;

		if (n <= sl + 1 || memcmp(w + n - sl, suffix[k], sl) != 0)
			continue;
		if ((m = tables_mcp_word(t, w, n - sl)) != NULL)
			return m;
		if (sl == 3) { /* deleting -> delete */
			char buf[MCP_WORDLEN + 2];

			memcpy(buf, w, n - 3);
			buf[n - 3] = 'e';
			if ((m = tables_mcp_word(t, buf, n - 2)) != NULL)
				return m;
		}
	}
	return NULL;
}

/* Words that write, destroy or run things wherever they stand in a name
 * (get_or_create_user, list_and_delete): other writing verbs (post, run,
 * commit, merge...) are also nouns (list_posts, get_commit,
 * list_workflow_runs) and count only as the verb. */
static bool
strong_word(const char *w)
{
	static const char *const strong[] = { "delete", "remove", "destroy", "drop", "truncate", "purge", "kill",
		"exec", "execute", "eval", "write", "create", "update", "upsert", "insert", "modify", "overwrite",
		"wipe", "erase", "send", "rm", "del", "shell", "bash", "terminal" };
	size_t n = strlen(w);

	for (size_t k = 0; k < sizeof strong / sizeof strong[0]; k++) {
		size_t sl = strlen(strong[k]);

		/* the word itself or it plus s, d, ed, es, ing (deleted, creates) */
		if (n >= sl && memcmp(w, strong[k], sl) == 0 &&
		    (n == sl || strcmp(w + sl, "s") == 0 || strcmp(w + sl, "d") == 0 || strcmp(w + sl, "ed") == 0 ||
		        strcmp(w + sl, "es") == 0 || strcmp(w + sl, "ing") == 0))
			return true;
		/* deleting, executing: the stem without its final e */
		if (strong[k][sl - 1] == 'e' && n == sl + 2 && memcmp(w, strong[k], sl - 1) == 0 &&
		    strcmp(w + sl - 1, "ing") == 0)
			return true;
	}
	return false;
}

static bool
secret_word(const char *w)
{
	static const char *const secret[] = { "secret", "secrets", "credential", "credentials", "password",
		"passwords", "passwd", "token", "tokens", "apikey", "apikeys", "privatekey", "creds" };

	for (size_t k = 0; k < sizeof secret / sizeof secret[0]; k++)
		if (strcmp(w, secret[k]) == 0)
			return true;
	return false;
}

/* Nouns some servers put before every verb (browser_click, page_get_text). */
static bool
namespace_word(const char *w)
{
	static const char *const ns[] = { "browser", "page", "tab", "playwright", "puppeteer", "chrome", "devtools" };

	for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++)
		if (strcmp(w, ns[k]) == 0)
			return true;
	return false;
}

static int
apply_row(struct intent_ctx *x, int ci, const struct mcppat *m, const char *tool, size_t tn, enum effect *peff)
{
	if (m->effect >= 0) {
		intent_add_effect(x, ci, (enum effect)m->effect);
		if (m->effect == EFF_WRITE || m->effect == EFF_DELETE)
			*peff = (enum effect)m->effect;
	}
	return intent_signal_rule(x, ci, &m->r, tool, tn);
}

int
mcp_verb_apply(struct intent_ctx *x, const struct tables *t, int ci, const char *server, size_t sn,
    const char *tool, size_t tn, enum effect *peff)
{
	struct words tw, sw;
	const struct mcppat *verb = NULL, *strong = NULL, *m;
	size_t v = 0;
	bool secret = false;

	*peff = EFF_USE;
	split(tool, tn, &tw);
	split(server != NULL ? server : "", server != NULL ? sn : 0, &sw);
	/* skip the server's name (github_list_issues) and "mcp" before the verb */
	for (size_t s = 0; v < tw.n; v++) {
		if (strcmp(tw.w[v], "mcp") == 0 || (v == 0 && namespace_word(tw.w[v])))
			continue;
		if (s < sw.n && strcmp(tw.w[v], sw.w[s]) == 0) {
			s++;
			continue;
		}
		break;
	}
	if (v < tw.n)
		verb = word_row(t, tw.w[v]);
	for (size_t k = 0; k < tw.n; k++) {
		if (k != v && strong_word(tw.w[k]) && strong == NULL) {
			strong = word_row(t, tw.w[k]);
			if (strong == NULL || strong->effect < 0)
				strong = tables_mcp(t, tw.w[k], strlen(tw.w[k]));
			if (strong != NULL && strong->effect < 0)
				strong = NULL;
		}
		if (secret_word(tw.w[k]))
			secret = true;
	}
	if (verb != NULL && verb->effect >= 0) {
		if (apply_row(x, ci, verb, tool, tn, peff) < 0)
			return -1;
	} else if (verb != NULL && !tw.cut && strong == NULL) {
		/* a reading verb: read-only, unless it reads secrets */
		*peff = EFF_VIEW;
		if (apply_row(x, ci, verb, tool, tn, peff) < 0)
			return -1;
		if (secret && intent_signal(x, ci, "mcp-secret-read", tool, tn) < 0)
			return -1;
		return 0;
	} else if (verb != NULL && strong != NULL) {
		/* a reading verb with a writing word (get_or_create_user): the word decides below */
	} else if (verb == NULL) {
		/* no verb sandgate knows: what the name contains, but never low */
		m = tables_mcp(t, tool, tn);
		if (m != NULL && m->effect >= 0) {
			if (apply_row(x, ci, m, tool, tn, peff) < 0)
				return -1;
		} else if (intent_signal(x, ci, "mcp-unknown", tool, tn) < 0) {
			return -1;
		}
	} else if (intent_signal(x, ci, "mcp-unknown", tool, tn) < 0) {
		return -1; /* a reading verb in a name cut to fit */
	}
	if (strong != NULL && strong != verb && apply_row(x, ci, strong, tool, tn, peff) < 0)
		return -1;
	if (secret && intent_signal(x, ci, "mcp-secret-read", tool, tn) < 0)
		return -1;
	return 0;
}
