/* cmd_rules.c -- `sandgate rules list|add|rm|export|import`: remembered
 * decisions from the command line. */
#include "cli/cli.h"
#include "cli/released.h"
#include "proto/wallclock.h"
#include "cli/rules_import.h"
#include "broker/rules/preset.h"
#include "broker/rules/pattern.h"
#include "tui/text.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct add_args {
	const char *effect, *scope, *scope_value, *note, *max_level, *origin;
	char *pattern;
	long long ttl;
	bool critical_ok;
};

/* Seconds from "90", "90s", "10m", "2h", "7d"; -1 if malformed. */
static long long
parse_ttl(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v <= 0)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return v;
	if (strcmp(end, "m") == 0)
		return v <= 100000000LL ? v * 60 : -1;
	if (strcmp(end, "h") == 0)
		return v <= 10000000LL ? v * 3600 : -1;
	if (strcmp(end, "d") == 0)
		return v <= 100000LL ? v * 86400 : -1;
	return -1;
}

static void
pack_add(msgpack_packer *pk, void *arg)
{
	struct add_args *a = arg;
	int n = 4;

	n += a->scope_value != NULL;
	n += a->note != NULL;
	n += a->max_level != NULL;
	n += a->ttl > 0;
	n += a->critical_ok;
	n += a->origin != NULL;
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, (size_t)n);
	rpc_pack_kv_str(pk, "effect", a->effect);
	rpc_pack_kv_str(pk, "pattern", a->pattern);
	rpc_pack_kv_str(pk, "scope", a->scope);
	rpc_pack_kv_str(pk, "reviewer", cli_reviewer_name());
	if (a->scope_value != NULL)
		rpc_pack_kv_str(pk, "scope_value", a->scope_value);
	if (a->note != NULL)
		rpc_pack_kv_str(pk, "note", a->note);
	if (a->max_level != NULL)
		rpc_pack_kv_str(pk, "max_level", a->max_level);
	if (a->ttl > 0)
		rpc_pack_kv_int(pk, "ttl", a->ttl);
	if (a->critical_ok)
		rpc_pack_kv_bool(pk, "critical_ok", true);
	if (a->origin != NULL)
		rpc_pack_kv_str(pk, "origin", a->origin);
}

/* Print one untrusted string escaped for the terminal. */
static void
print_escaped(const msgpack_object *o, size_t max)
{
	char *e = o != NULL && o->type == MSGPACK_OBJECT_STR
	    ? text_escape(o->via.str.ptr, o->via.str.size, max, NULL) : NULL;

	fputs(e != NULL ? e : "-", stdout);
	free(e);
}

/* "allow ≤low exec *", "deny exec rm -rf /": the effect, for an allow the
 * ceiling (the highest risk level it answers; a deny applies at every
 * level), and the pattern, escaped. */
static void
print_rule_phrase(const msgpack_object *r, size_t max)
{
	const msgpack_object *lv = rpc_map_get(r, "max_level");

	if (rpc_str_eq(rpc_map_get(r, "effect"), "deny")) {
		fputs("deny ", stdout);
	} else {
		fputs("allow ≤", stdout);
		print_escaped(lv, 16);
		putchar(' ');
	}
	print_escaped(rpc_map_get(r, "pattern"), max);
}

static void
print_rule_row(const msgpack_object *r)
{
	int64_t id = 0, hits = 0, exp = 0;
	const msgpack_object *o;
	char expires[32] = "never";

	rpc_get_int(rpc_map_get(r, "id"), 0, INT64_MAX, &id);
	rpc_get_int(rpc_map_get(r, "hits"), 0, INT64_MAX, &hits);
	if ((o = rpc_map_get(r, "expires_ms")) != NULL && rpc_get_int(o, 1, INT64_MAX, &exp) == 0) {
		int64_t left = (exp - wall_clock_ms()) / 1000;

		if (left <= 0)
			snprintf(expires, sizeof expires, "expired");
		else if (left < 3600)
			snprintf(expires, sizeof expires, "%lldm%02llds", (long long)left / 60, (long long)left % 60);
		else
			snprintf(expires, sizeof expires, "%lldh", (long long)left / 3600);
	}
	printf("%-5lld ", (long long)id);
	o = rpc_map_get(r, "scope");
	printf("%-9.*s %6lld %-8s ", o != NULL && o->type == MSGPACK_OBJECT_STR ? (int)o->via.str.size : 1,
	    o != NULL && o->type == MSGPACK_OBJECT_STR ? o->via.str.ptr : "?", (long long)hits, expires);
	print_rule_phrase(r, 120);
	o = rpc_map_get(r, "revoked");
	if (o != NULL && o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean)
		fputs("  (revoked)", stdout);
	o = rpc_map_get(r, "scope_value");
	if (o != NULL && o->type == MSGPACK_OBJECT_STR) {
		fputs("  [", stdout);
		print_escaped(o, 40);
		fputs("]", stdout);
	}
	/* issue #17: a rule that may allow high requests, the file it pins */
	o = rpc_map_get(r, "high");
	if (o != NULL && o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean) {
		o = rpc_map_get(r, "max_level");
		fputs(rpc_str_eq(o, "critical") ? "  {critical}" : "  {high}", stdout);
	}
	o = rpc_map_get(r, "pin_path");
	if (o != NULL && o->type == MSGPACK_OBJECT_STR) {
		fputs("  {pinned ", stdout);
		print_escaped(o, 80);
		fputs("}", stdout);
	}
	putchar('\n');
}

static void
pack_all(msgpack_packer *pk, void *arg)
{
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 1);
	rpc_pack_kv_bool(pk, "all", *(bool *)arg);
}

/* Fetch the rule list; 0 and *m on success. */
static int
fetch_rules(const char *cmd, sg_client *c, bool all, struct client_msg *m)
{
	return cli_call(cmd, c, "rules", pack_all, &all, 30000, m);
}

static int
rules_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' }, { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 },
	};
	bool all = false, json = false;
	struct client_msg m;
	const msgpack_object *rules;
	sg_client *c;
	int ch, rc;

	optind = 1;
	while ((ch = cli_getopt("rules list", argc, argv, "aj", opts)) != -1) {
		if (ch == 'a')
			all = true;
		else if (ch == 'j')
			json = true;
		else
			return EXIT_USAGE;
	}
	if (optind < argc) {
		cli_err("rules list", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if ((c = cli_connect("rules list", ROLE_CONSOLE, 5000)) == NULL)
		return EXIT_UNREACHABLE;
	if ((rc = fetch_rules("rules list", c, all, &m)) == EXIT_OK) {
		rules = rpc_map_get(m.msg.result, "rules");
		if (json) {
			json_t *j = mpjson_from_msgpack(rules);

			cli_print_json(j);
			json_decref(j);
		} else if (rules == NULL || rules->type != MSGPACK_OBJECT_ARRAY || rules->via.array.size == 0) {
			printf("no rules\n");
		} else {
			printf("%-5s %-9s %6s %-8s %s\n", "ID", "SCOPE", "HITS", "EXPIRES", "RULE");
			for (uint32_t i = 0; i < rules->via.array.size; i++)
				print_rule_row(&rules->via.array.ptr[i]);
		}
		client_msg_free(&m);
	}
	client_close(c);
	return rc;
}

/* Join argv[from..argc) with spaces (a pattern given as several words). */
static char *
join_words(int argc, char **argv, int from)
{
	size_t n = 1;
	char *s;

	for (int i = from; i < argc; i++)
		n += strlen(argv[i]) + 1;
	if ((s = calloc(1, n)) == NULL)
		return NULL;
	for (int i = from; i < argc; i++) {
		if (i > from)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Long options of `rules add` are recognised anywhere (patterns often hold
 * short flags such as -rf); after "--" every word is pattern. */
static const char *const add_opts[] = {
	"--scope", "--scope-value", "--ttl", "--note", "--max-level", "--critical-ok", "--json",
};

/* The pattern parses as the broker will parse it (a bad kind, quote or
 * glob is a usage error, not a refusal); prints why not. */
static bool
check_pattern(const char *cmd, const char *text)
{
	char err[256];
	pattern *p = pattern_parse(text, strlen(text), err, sizeof err);

	if (p == NULL) {
		char *e = text_escape(text, strlen(text), 200, NULL);

		cli_err(cmd, "bad pattern '%s': %s (docs/RULES.md)", e != NULL ? e : "?", err);
		free(e);
		return false;
	}
	pattern_free(p);
	return true;
}

static int
rules_add(int argc, char **argv)
{
	struct add_args a = { .scope = "global" };
	struct client_msg m;
	bool json = false, dashdash = false;
	char **pos = calloc((size_t)argc + 1, sizeof *pos);
	int npos = 0;
	sg_client *c;
	int rc;

	if (pos == NULL)
		return EXIT_UNREACHABLE;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *eq = strchr(arg, '=');
		size_t k, nopts = sizeof add_opts / sizeof add_opts[0];
		size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);

		for (k = 0; !dashdash && k < nopts; k++)
			if (strlen(add_opts[k]) == len && strncmp(arg, add_opts[k], len) == 0)
				break;
		if (dashdash || k == nopts) {
			if (!dashdash && strcmp(arg, "--") == 0)
				dashdash = true;
			else
				pos[npos++] = argv[i];
			continue;
		}
		if (k < 5) { /* options with a value */
			if (eq != NULL)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				cli_err("rules add", "%s needs a value", add_opts[k]);
				free(pos);
				return EXIT_USAGE;
			}
		}
		switch (k) {
		case 0: a.scope = val; break;
		case 1: a.scope_value = val; break;
		case 2:
			if ((a.ttl = parse_ttl(val)) < 0) {
				cli_err("rules add", "--ttl takes seconds or a number with s, m, h or d");
				free(pos);
				return EXIT_USAGE;
			}
			break;
		case 3: a.note = val; break;
		case 4: a.max_level = val; break;
		case 5: a.critical_ok = true; break;
		default: json = true; break;
		}
	}
	if (npos < 2) {
		cli_err("rules add", "expected allow|deny PATTERN (e.g. `rules add allow 'exec npm run test *'`)");
		free(pos);
		return EXIT_USAGE;
	}
	a.effect = pos[0];
	if (strcmp(a.effect, "allow") != 0 && strcmp(a.effect, "deny") != 0) {
		cli_err("rules add", "the effect is allow or deny, not '%s'", a.effect);
		free(pos);
		return EXIT_USAGE;
	}
	a.pattern = join_words(npos, pos, 1);
	free(pos);
	if (a.pattern == NULL)
		return EXIT_UNREACHABLE;
	if (!cli_check_scope("rules add", "--scope", a.scope) ||
	    (a.max_level != NULL && !cli_check_level("rules add", "--max-level", a.max_level)) ||
	    !check_pattern("rules add", a.pattern)) {
		free(a.pattern);
		return EXIT_USAGE;
	}
	if (a.scope_value == NULL && (strcmp(a.scope, "session") == 0 || strcmp(a.scope, "agent") == 0 ||
	    strcmp(a.scope, "workspace") == 0)) {
		cli_err("rules add", "--scope %s needs --scope-value (the %s)", a.scope,
		    strcmp(a.scope, "session") == 0 ? "session id" : strcmp(a.scope, "agent") == 0
		    ? "agent name" : "workspace directory");
		free(a.pattern);
		return EXIT_USAGE;
	}
	if (a.max_level != NULL && strcmp(a.max_level, "critical") == 0 && !a.critical_ok) {
		cli_err("rules add", "--max-level critical needs --critical-ok (a rule that may allow "
		    "critical requests says so)");
		free(a.pattern);
		return EXIT_USAGE;
	}
	if ((c = cli_connect("rules add", ROLE_CONSOLE, 5000)) == NULL) {
		free(a.pattern);
		return EXIT_UNREACHABLE;
	}
	if ((rc = cli_call("rules add", c, "rule_add", pack_add, &a, 30000, &m)) == EXIT_OK) {
		if (json) {
			json_t *j = mpjson_from_msgpack(m.msg.result);

			cli_print_json(j);
			json_decref(j);
		} else {
			int64_t id = 0;

			rpc_get_int(rpc_map_get(m.msg.result, "id"), 0, INT64_MAX, &id);
			printf("rule %lld: ", (long long)id);
			print_rule_phrase(m.msg.result, 0);
			printf(" (%s)\n", a.scope);
			cli_print_released(m.msg.result, (long long)id); /* issue #16: what else it answered */
		}
		client_msg_free(&m);
	}
	client_close(c);
	free(a.pattern);
	return rc;
}

static void
pack_rm(msgpack_packer *pk, void *arg)
{
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 1);
	rpc_pack_kv_int(pk, "id", *(long long *)arg);
}

/* 1 when rule id exists and is revoked, 0 when not (or unknown: rule_rm
 * says so), -1 when the broker cannot be asked (printed). */
static int
revoked_already(sg_client *c, long long id)
{
	struct client_msg m;
	const msgpack_object *rules;
	int found = 0;

	if (fetch_rules("rules rm", c, true, &m) != EXIT_OK)
		return -1;
	rules = rpc_map_get(m.msg.result, "rules");
	for (uint32_t i = 0; rules != NULL && rules->type == MSGPACK_OBJECT_ARRAY && i < rules->via.array.size; i++) {
		const msgpack_object *r = &rules->via.array.ptr[i], *rv = rpc_map_get(r, "revoked");
		int64_t rid = 0;

		if (rpc_get_int(rpc_map_get(r, "id"), 0, INT64_MAX, &rid) == 0 && rid == id) {
			found = rv != NULL && rv->type == MSGPACK_OBJECT_BOOLEAN && rv->via.boolean;
			break;
		}
	}
	client_msg_free(&m);
	return found;
}

static int
rules_rm(int argc, char **argv)
{
	sg_client *c;
	int rc = EXIT_OK;

	if (argc < 2) {
		cli_err("rules rm", "expected one or more rule ids");
		return EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		char *end;
		long long id = strtoll(argv[i], &end, 10);

		if (*end != '\0' || id < 1) {
			cli_err("rules rm", "'%s' is not a rule id", argv[i]);
			return EXIT_USAGE;
		}
	}
	if ((c = cli_connect("rules rm", ROLE_CONSOLE, 5000)) == NULL)
		return EXIT_UNREACHABLE;
	for (int i = 1; i < argc; i++) {
		long long id = strtoll(argv[i], NULL, 10);
		struct client_msg m;
		int r = revoked_already(c, id);

		if (r == 1) {
			/* the broker answers a second revocation as done; say what it was */
			cli_err("rules rm", "rule %lld was already revoked", id);
			rc = rc == EXIT_OK ? EXIT_DENIED : rc;
			continue;
		}
		if (r < 0) {
			rc = EXIT_UNREACHABLE;
			break;
		}
		r = cli_call("rules rm", c, "rule_rm", pack_rm, &id, 30000, &m);

		if (r == EXIT_OK) {
			printf("rule %lld revoked\n", id);
			client_msg_free(&m);
		} else if (rc == EXIT_OK || r == EXIT_UNREACHABLE) {
			rc = r;
		}
	}
	client_close(c);
	return rc;
}

/* ---- export ---- */

static const char *
map_str(const msgpack_object *m, const char *key, char *buf, size_t cap)
{
	const msgpack_object *o = rpc_map_get(m, key);

	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		return NULL;
	snprintf(buf, cap, "%.*s", (int)o->via.str.size, o->via.str.ptr);
	return buf;
}

static int
rules_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' }, { "output", required_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'a' }, { NULL, 0, NULL, 0 },
	};
	const char *fmt = "sandgate", *outpath = NULL;
	bool all = false;
	struct client_msg m;
	const msgpack_object *rules;
	json_t *allow, *deny;
	FILE *out = stdout;
	sg_client *c;
	int ch, rc, skipped = 0;

	optind = 1;
	while ((ch = cli_getopt("rules export", argc, argv, "f:o:a", opts)) != -1) {
		if (ch == 'f')
			fmt = optarg;
		else if (ch == 'o')
			outpath = optarg;
		else if (ch == 'a')
			all = true;
		else
			return EXIT_USAGE;
	}
	if (ri_format_parse(fmt) <= 0 || optind < argc) {
		cli_err("rules export", "--format is sandgate, claude or codex");
		return EXIT_USAGE;
	}
	if ((c = cli_connect("rules export", ROLE_CONSOLE, 5000)) == NULL)
		return EXIT_UNREACHABLE;
	if ((rc = fetch_rules("rules export", c, false, &m)) != EXIT_OK) {
		client_close(c);
		return rc;
	}
	if (outpath != NULL && (out = fopen(outpath, "w")) == NULL) {
		cli_err("rules export", "cannot write %s: %s", outpath, strerror(errno));
		client_msg_free(&m);
		client_close(c);
		return EXIT_DENIED;
	}
	allow = json_array();
	deny = json_array();
	rules = rpc_map_get(m.msg.result, "rules");
	for (uint32_t i = 0; rules != NULL && rules->type == MSGPACK_OBJECT_ARRAY && i < rules->via.array.size; i++) {
		const msgpack_object *r = &rules->via.array.ptr[i];
		char pat[8192], scope[32], note[4200], why[512], *line;
		bool is_deny = rpc_str_eq(rpc_map_get(r, "effect"), "deny");
		int64_t id = 0;

		rpc_get_int(rpc_map_get(r, "id"), 0, INT64_MAX, &id);
		if (map_str(r, "pattern", pat, sizeof pat) == NULL || map_str(r, "scope", scope, sizeof scope) == NULL)
			continue;
		if (!all && (strcmp(scope, "session") == 0 || strcmp(scope, "once") == 0)) {
			skipped++;
			continue;
		}
		if (strcmp(fmt, "sandgate") == 0) {
			json_t *j = mpjson_from_msgpack(r), *o = json_object();
			static const char *const keep[] = { "effect", "pattern", "scope", "scope_value",
			                                    "expires_ms", "note", "max_level" };

			for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++) {
				json_t *v = json_object_get(j, keep[k]);

				if (v != NULL && !json_is_null(v))
					json_object_set(o, keep[k], v);
			}
			line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
			if (line != NULL)
				fprintf(out, "%s\n", line);
			free(line);
			json_decref(o);
			json_decref(j);
			continue;
		}
		if (strcmp(fmt, "claude") == 0)
			line = ri_to_claude(pat, is_deny, why, sizeof why);
		else
			line = ri_to_codex(pat, is_deny, map_str(r, "note", note, sizeof note), why, sizeof why);
		if (line == NULL) {
			char *e = text_escape(pat, strlen(pat), 100, NULL);

			fprintf(stderr, "sandgate rules export: rule %lld (%s) not exported: %s\n",
			    (long long)id, e != NULL ? e : "?", why);
			free(e);
			skipped++;
			continue;
		}
		if (strcmp(fmt, "claude") == 0)
			json_array_append_new(is_deny ? deny : allow, json_string(line));
		else
			fprintf(out, "%s\n", line);
		free(line);
	}
	if (strcmp(fmt, "claude") == 0) {
		json_t *doc = json_pack("{s:{s:O,s:O}}", "permissions", "allow", allow, "deny", deny);
		char *s = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);

		if (s != NULL)
			fprintf(out, "%s\n", s);
		free(s);
		json_decref(doc);
	}
	if (skipped > 0)
		fprintf(stderr, "sandgate rules export: %d rule(s) not exported (session and once rules "
		    "are left out unless --all)\n", skipped);
	json_decref(allow);
	json_decref(deny);
	if (out != stdout)
		fclose(out);
	client_msg_free(&m);
	client_close(c);
	return EXIT_OK;
}

/* ---- import ---- */

static char *
read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (f == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			char *nb;

			if (cap > RI_MAX_INPUT) {
				snprintf(err, errlen, "%s is larger than %u bytes", path, RI_MAX_INPUT);
				free(buf);
				buf = NULL;
				break;
			}
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				snprintf(err, errlen, "out of memory");
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (f != stdin)
		fclose(f);
	if (buf != NULL) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

struct import_opts {
	const char *fmt, *scope, *scope_value, *max_level;
	bool dry;
	sg_client *c;
	int added, skipped;
};

/* Import one file's text; returns an exit code. */
static int
import_text(struct import_opts *o, const char *name, const char *path, const char *text, size_t len)
{
	struct ri_result res = { 0 };
	char err[512], origin[600];
	int rc = EXIT_OK;

	if (ri_parse((enum ri_format)ri_format_parse(o->fmt), path, getenv("HOME"), text, len, &res,
	        err, sizeof err) < 0) {
		cli_err("rules import", "%s: %s", name, err);
		ri_result_free(&res);
		return EXIT_DENIED;
	}
	snprintf(origin, sizeof origin, "import %s", name);
	for (size_t k = 0; k < res.nrules && rc != EXIT_UNREACHABLE; k++) {
		struct ri_rule *x = &res.rules[k];
		struct add_args a = {
			.effect = x->effect, .pattern = x->pattern, .note = x->note,
			.scope = o->scope != NULL ? o->scope : x->scope != NULL ? x->scope : "global",
			.scope_value = o->scope != NULL ? o->scope_value : x->scope_value,
			.max_level = o->max_level != NULL ? o->max_level : x->max_level, .origin = origin,
			.ttl = x->expires_ms > 0 ? (x->expires_ms - wall_clock_ms() + 999) / 1000 : 0,
		};
		struct client_msg m;
		char *e = text_escape(x->pattern, strlen(x->pattern), 0, NULL);

		if (o->dry) {
			printf("would add: %s %s (%s)\n", x->effect, e != NULL ? e : "?", a.scope);
		} else if (x->expires_ms > 0 && a.ttl <= 0) {
			o->skipped++;
		} else {
			int r = cli_call("rules import", o->c, "rule_add", pack_add, &a, 30000, &m);

			if (r == EXIT_OK) {
				printf("added: %s %s (%s)\n", x->effect, e != NULL ? e : "?", a.scope);
				client_msg_free(&m);
				o->added++;
			} else {
				rc = r;
			}
		}
		free(e);
	}
	for (size_t k = 0; k < res.nskips; k++) {
		char *e = text_escape(res.skips[k].entry, strlen(res.skips[k].entry), 120, NULL);

		fprintf(stderr, "sandgate rules import: %s: not imported: %s: %s\n", name,
		    e != NULL ? e : "?", res.skips[k].why);
		free(e);
		o->skipped++;
	}
	ri_result_free(&res);
	return rc;
}

/* Add the rules of a preset sandgate ships (broker/rules/preset.h); origin
 * "preset NAME" marks them as installed, so the broker's once-per-database
 * install (the `preset` setting) does not add them again. */
static int
import_preset(struct import_opts *o, const struct preset *ps)
{
	char origin[48];
	int rc = EXIT_OK;

	snprintf(origin, sizeof origin, "preset %s", ps->name);
	for (size_t k = 0; k < ps->nrules && rc == EXIT_OK; k++) {
		const struct preset_rule *pr = &ps->rules[k];
		struct add_args a = {
			.effect = pr->effect, .pattern = (char *)pr->pattern, .note = pr->note,
			.scope = o->scope != NULL ? o->scope : "global", .scope_value = o->scope_value,
			.max_level = o->max_level != NULL ? o->max_level : pr->max_level, .origin = origin,
		};
		struct client_msg m;

		if (o->dry) {
			printf("would add: %s %s (%s)\n", pr->effect, pr->pattern, a.scope);
			continue;
		}
		if ((rc = cli_call("rules import", o->c, "rule_add", pack_add, &a, 30000, &m)) == EXIT_OK) {
			printf("added: %s %s (%s)\n", pr->effect, pr->pattern, a.scope);
			client_msg_free(&m);
			o->added++;
		}
	}
	return rc;
}

static int
rules_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' }, { "scope", required_argument, NULL, 's' },
		{ "scope-value", required_argument, NULL, 'v' }, { "dry-run", no_argument, NULL, 'n' },
		{ "max-level", required_argument, NULL, 'l' }, { "preset", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct import_opts o = { .fmt = "auto" };
	const char *preset = NULL;
	const struct preset *ps = NULL;
	int ch, rc = EXIT_OK;

	optind = 1;
	while ((ch = cli_getopt("rules import", argc, argv, "f:s:v:nl:p:", opts)) != -1) {
		switch (ch) {
		case 'f': o.fmt = optarg; break;
		case 's': o.scope = optarg; break;
		case 'v': o.scope_value = optarg; break;
		case 'n': o.dry = true; break;
		case 'l': o.max_level = optarg; break;
		case 'p': preset = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (ri_format_parse(o.fmt) < 0) {
		cli_err("rules import", "--format is auto, sandgate, claude or codex");
		return EXIT_USAGE;
	}
	if ((o.scope != NULL && !cli_check_scope("rules import", "--scope", o.scope)) ||
	    (o.max_level != NULL && !cli_check_level("rules import", "--max-level", o.max_level)))
		return EXIT_USAGE;
	if (optind >= argc && preset == NULL) {
		cli_err("rules import", "expected one or more files (- for stdin) or --preset NAME");
		return EXIT_USAGE;
	}
	if (preset != NULL && (ps = preset_find(preset)) == NULL) {
		cli_err("rules import", "no preset '%s' (presets: %s)", preset, preset_names());
		return EXIT_USAGE;
	}
	if (!o.dry && (o.c = cli_connect("rules import", ROLE_CONSOLE, 5000)) == NULL)
		return EXIT_UNREACHABLE;
	if (ps != NULL)
		rc = import_preset(&o, ps);
	for (int i = optind; i < argc && rc != EXIT_UNREACHABLE; i++) {
		char err[512];
		size_t len;
		char *text = read_file(argv[i], &len, err, sizeof err);
		int r;

		if (text == NULL) {
			cli_err("rules import", "%s", err);
			rc = EXIT_DENIED;
			continue;
		}
		if ((r = import_text(&o, argv[i], argv[i], text, len)) != EXIT_OK)
			rc = r;
		free(text);
	}
	if (o.c != NULL)
		client_close(o.c);
	if (!o.dry)
		printf("%d rule(s) imported, %d entr%s not translated\n", o.added, o.skipped,
		    o.skipped == 1 ? "y" : "ies");
	return rc != EXIT_OK ? rc : o.skipped > 0 ? EXIT_DENIED : EXIT_OK;
}

/* ---- dispatch ---- */

static const struct {
	const char *name;
	int (*run)(int, char **);
} subs[] = {
	{ "list", rules_list }, { "add", rules_add }, { "rm", rules_rm },
	{ "export", rules_export }, { "import", rules_import }, { "undo", rules_undo },
};

static int
run(int argc, char **argv)
{
	if (argc < 2) {
		cli_err("rules", "expected list, add, rm, export or import (see `sandgate rules --help`)");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(argc - 1, argv + 1);
	cli_err("rules", "unknown subcommand '%s' (list, add, rm, export, import)", argv[1]);
	return EXIT_USAGE;
}

const struct cli_cmd cmd_rules = {
	.name = "rules",
	.args = "list|add|rm|export|import ...",
	.summary = "list, add, revoke, export and import remembered decisions",
	.help =
	    "  rules list [--all] [--json]\n"
	    "      active rules (--all: also revoked and expired ones), each as\n"
	    "      `allow ≤LEVEL PATTERN` (LEVEL: the highest risk it answers) or\n"
	    "      `deny PATTERN` (at every level)\n"
	    "  rules add allow|deny PATTERN... [--scope S] [--scope-value V] [--ttl T]\n"
	    "            [--note N] [--max-level L] [--critical-ok] [--json] [-- WORDS...]\n"
	    "      PATTERN: exec npm run test '*' | write ./src/** | read ~/.aws/** |\n"
	    "      net *.npmjs.org:443 | mcp github.create_issue | other TOOL (docs/RULES.md).\n"
	    "      S: once, session, agent, workspace, global (default); V: the session id,\n"
	    "      agent name or workspace dir.  T: 90, 90s, 10m, 2h, 7d (never extended by\n"
	    "      use).  L: the highest risk level an allow applies to (default high);\n"
	    "      critical requests need --critical-ok.\n"
	    "  rules rm ID...\n"
	    "      revoke: the rule stops matching from the next request; a rule revoked\n"
	    "      before is reported as such (exit 1)\n"
	    "  rules undo [ID] [--json]\n"
	    "      take back a rule just added (default: the latest): revoke it and put the\n"
	    "      requests whose answers it still holds (undo_window) back in the queue;\n"
	    "      exits 1 naming those whose answers were already delivered\n"
	    "  rules export [--format sandgate|claude|codex] [-o FILE] [--all]\n"
	    "      sandgate: JSON lines; claude: a settings.json permissions block; codex:\n"
	    "      prefix_rule lines.  Rules that cannot be said exactly are reported, not\n"
	    "      widened.  Session and once rules are left out unless --all.\n"
	    "  rules import [--format auto|sandgate|claude|codex] [--scope S] [--scope-value V]\n"
	    "               [--max-level L] [--dry-run] [--preset routine] FILE...\n"
	    "      Claude Code settings (permissions.allow/deny), Codex .rules files, or an\n"
	    "      export.  Each entry that cannot be translated is reported on stderr.\n"
	    "      Project settings (.claude/settings*.json) import with workspace scope.\n"
	    "      --preset routine: allow what the scorer rates low (commands, reads, writes in\n"
	    "      the workspace and /tmp), so people only see what is new or risky.\n"
	    "\n"
	    "Exit status: 0 done, 1 refused (no such rule, already revoked) or some entries\n"
	    "not imported, 2 usage (including a bad scope, level or pattern), 3 broker\n"
	    "unreachable.\n",
	.run = run,
};
