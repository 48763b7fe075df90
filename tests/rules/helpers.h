/* helpers.h -- build subjects by hand for the rules unit tests. */
#ifndef SG_TEST_RULES_HELPERS_H
#define SG_TEST_RULES_HELPERS_H

#include "broker/rules/subject.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define WS "/home/u/proj"
#define HOME_DIR "/home/u"

/* Split a space-separated command into words; a word starting with '$' is
 * dynamic.  Returns the new part. */
static inline struct subj_part *
add_cmd(struct subject *s, const char *cmd)
{
	const char *w[64];
	size_t lens[64];
	bool dyn[64];
	size_t n = 0;
	const char *p = cmd;
	struct subj_part *part = subject_add_part(s, SK_EXEC);

	while (*p && n < 64) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		w[n] = p;
		lens[n] = strcspn(p, " ");
		dyn[n] = *p == '$';
		p += lens[n];
		n++;
	}
	subject_set_words(s, part, w, lens, dyn, n);
	return part;
}

/* An exec subject from commands separated by " ; " (one part each). */
static inline struct subject *
exec_subject(const char *cwd, const char *line)
{
	struct subject *s = subject_new(SK_EXEC, cwd, WS, HOME_DIR);
	char *copy = strdup(line), *save = NULL, *tok;

	for (tok = strtok_r(copy, ";", &save); tok != NULL; tok = strtok_r(NULL, ";", &save))
		add_cmd(s, tok);
	free(copy);
	return s;
}

static inline struct subject *
file_subject(enum subj_kind k, const char *cwd, const char *path)
{
	struct subject *s = subject_new(k, cwd, WS, HOME_DIR);
	struct subj_part *part = subject_add_part(s, k);

	part->path = subject_resolve(s, path, strlen(path));
	return s;
}

static inline struct subject *
net_subject(const char *host, int port)
{
	struct subject *s = subject_new(SK_NET, WS, WS, HOME_DIR);
	struct subj_part *part = subject_add_part(s, SK_NET);

	part->host = strdup(host);
	part->port = port;
	return s;
}

static inline struct subject *
mcp_subject(const char *server, const char *tool)
{
	struct subject *s = subject_new(SK_MCP, WS, WS, HOME_DIR);
	struct subj_part *part = subject_add_part(s, SK_MCP);

	part->server = strdup(server);
	part->tool = strdup(tool);
	return s;
}

/* Add a redirection write part to an exec subject. */
static inline void
add_redirect(struct subject *s, const char *path)
{
	struct subj_part *part = subject_add_part(s, SK_WRITE);

	part->path = subject_resolve(s, path, strlen(path));
}

#endif
