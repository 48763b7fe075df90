/* fuzz_pattern.c -- libFuzzer target for the outside-input parsers of the
 * rules work: the pattern language (rule_add, stored rules, imports) and the
 * import parsers (Claude Code settings, Codex .rules, sandgate JSON lines).
 * The first byte picks the parser.  Checks: a parsed pattern's canonical
 * text parses again to the same text; matching never crashes on hostile
 * subjects; every imported rule is a valid pattern; exports of a parsed
 * pattern import back without error; a hostile command line goes through
 * the scorer and the intent adapter (subject_from_intent) and is matched. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/intent/assess.h"
#include "broker/intent/workspace.h"
#include "broker/rules/pattern.h"
#include "cli/rules_import.h"
#include "proto/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct subject *subjects[4];
static assess_tables *tables;
static pattern *probes[4];

/* A few subjects with awkward shapes to match every parsed pattern against. */
static void
make_subjects(void)
{
	static const char *const w1[] = { "git", "push", "origin", "feature/x", "--force" };
	static const char *const w2[] = { "/usr/bin/rm", "-rf", "../../etc", "~/x", "" };
	struct subj_part *p;

	subjects[0] = subject_new(SK_EXEC, "/home/u/p", "/home/u/p", "/home/u");
	p = subject_add_part(subjects[0], SK_EXEC);
	subject_set_words(subjects[0], p, w1, NULL, NULL, 5);
	p = subject_add_part(subjects[0], SK_EXEC);
	subject_set_words(subjects[0], p, w2, NULL, NULL, 5);
	p = subject_add_part(subjects[0], SK_WRITE);
	p->path = strdup("/home/u/p/a b/c*.txt");
	subjects[1] = subject_new(SK_NET, "/", NULL, NULL);
	p = subject_add_part(subjects[1], SK_NET);
	p->host = strdup("a.b.registry.npmjs.org");
	p->port = 443;
	subjects[2] = subject_new(SK_MCP, NULL, NULL, NULL);
	p = subject_add_part(subjects[2], SK_MCP);
	p->server = strdup("github");
	p->tool = strdup("create_issue");
	subjects[3] = subject_new(SK_READ, "/", "/", "/root");
	p = subject_add_part(subjects[3], SK_READ);
	p->path = strdup("/");
}

static void
check_pattern(const char *text, size_t len)
{
	char err[256], why[256];
	pattern *p = pattern_parse(text, len, err, sizeof err), *q;

	if (p == NULL)
		return;
	q = pattern_parse(pattern_text(p), strlen(pattern_text(p)), err, sizeof err);
	if (q == NULL || strcmp(pattern_text(p), pattern_text(q)) != 0) {
		fprintf(stderr, "canonical text does not read back: '%s' -> '%s'\n", pattern_text(p),
		    q ? pattern_text(q) : err);
		abort();
	}
	pattern_free(q);
	for (size_t i = 0; i < 4; i++)
		for (size_t k = 0; k < subjects[i]->nparts; k++)
			(void)pattern_match_part(p, subjects[i], &subjects[i]->parts[k]);
	for (int deny = 0; deny < 2; deny++) {
		char *c = ri_to_claude(pattern_text(p), deny, why, sizeof why);
		char *x = ri_to_codex(pattern_text(p), deny, "n\"o\\te", why, sizeof why);

		if (x != NULL) {
			struct ri_result r = { 0 };

			if (ri_parse(RI_CODEX, "f.rules", NULL, x, strlen(x), &r, err, sizeof err) < 0 ||
			    r.nrules != 1) {
				fprintf(stderr, "codex export does not import back: %s\n", x);
				abort();
			}
			ri_result_free(&r);
		}
		free(c);
		free(x);
	}
	pattern_free(p);
}

static void
check_import(enum ri_format fmt, const char *text, size_t len)
{
	struct ri_result r = { 0 };
	char err[256];

	if (ri_parse(fmt, fmt == RI_CODEX ? "x.rules" : "settings.json", "/home/u", text, len, &r, err,
	        sizeof err) == 0) {
		for (size_t i = 0; i < r.nrules; i++) {
			pattern *p = pattern_parse(r.rules[i].pattern, strlen(r.rules[i].pattern), err, sizeof err);

			if (p == NULL) {
				fprintf(stderr, "import produced an invalid pattern: %s\n", r.rules[i].pattern);
				abort();
			}
			pattern_free(p);
		}
	}
	ri_result_free(&r);
}

/* A command line through the scorer and the adapter, matched against a few
 * patterns. */
static void
check_command(const char *cmd, size_t len)
{
	static const char *const pats[] = { "exec *", "exec npm run test *", "write ./**", "exec ./x/**" };
	msgpack_sbuffer out;
	msgpack_packer pk;
	msgpack_unpacked up, req;
	struct assess_result ar;
	msgpack_sbuffer rb;
	msgpack_packer rpk;
	size_t off = 0, roff = 0;
	char err[256];

	if (tables == NULL) {
		struct ws_list wl = { .n = 0 };

		tables = assess_tables_load(NULL, err, sizeof err);
		/* /home/u/p is made up: a workspace by configuration */
		if (tables != NULL && ws_list_add(&wl, "/home/u/p", "/home/u", err, sizeof err) == 0)
			(void)assess_set_workspaces(tables, &wl);
		ws_list_free(&wl);
		for (size_t i = 0; i < 4; i++)
			probes[i] = pattern_parse(pats[i], strlen(pats[i]), err, sizeof err);
	}
	msgpack_sbuffer_init(&rb);
	msgpack_packer_init(&rpk, &rb, msgpack_sbuffer_write);
	msgpack_pack_map(&rpk, 3);
	rpc_pack_kv_str(&rpk, "kind", "exec");
	rpc_pack_str(&rpk, "command");
	rpc_pack_strn(&rpk, cmd, len);
	rpc_pack_kv_str(&rpk, "cwd", "/home/u/p");
	msgpack_unpacked_init(&req);
	msgpack_unpack_next(&req, rb.data, rb.size, &roff);
	msgpack_sbuffer_init(&out);
	msgpack_packer_init(&pk, &out, msgpack_sbuffer_write);
	msgpack_unpacked_init(&up);
	if (assess_request(tables, &req.data, &pk, &ar) == 0 &&
	    msgpack_unpack_next(&up, out.data, out.size, &off) == MSGPACK_UNPACK_SUCCESS) {
		struct subject *s = subject_from_intent(rpc_map_get(&up.data, "intent"), &req.data, "/home/u");

		for (size_t i = 0; s != NULL && i < s->nparts; i++)
			for (size_t k = 0; k < 4; k++)
				(void)pattern_match_part(probes[k], s, &s->parts[i]);
		subject_free(s);
	}
	msgpack_unpacked_destroy(&up);
	msgpack_unpacked_destroy(&req);
	msgpack_sbuffer_destroy(&out);
	msgpack_sbuffer_destroy(&rb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	char why[256];

	if (subjects[0] == NULL)
		make_subjects();
	if (size < 1 || size > 64 * 1024)
		return 0;
	if ((text = malloc(size)) == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 6) {
	case 0:
		check_pattern(text, size - 1);
		break;
	case 1:
		check_import(RI_CLAUDE, text, size - 1);
		break;
	case 2:
		check_import(RI_CODEX, text, size - 1);
		break;
	case 3:
		check_import(RI_NATIVE, text, size - 1);
		break;
	case 5:
		check_command(text, size - 1);
		break;
	default:
		if (memchr(text, '\0', size - 1) == NULL) {
			char *p = ri_claude_entry(text, "/home/u/p", data[0] & 0x80, why, sizeof why);

			if (p != NULL)
				check_pattern(p, strlen(p));
			free(p);
		}
		break;
	}
	free(text);
	return 0;
}
