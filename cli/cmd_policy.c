/* cmd_policy.c -- `sandgate policy show [--agent A] [--uid U] [--json]`: the
 * effective escalation policy (issue #15) read from the same config file the
 * broker reads, each value with where it came from (broker/escpolicy.h). */
#include "cli/cli.h"
#include "broker/config.h"
#include "proto/paths.h"

#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
line(json_t *arr, const char *key, const char *value, const char *src)
{
	if (arr != NULL) {
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "key", key, "value", value, "source", src));
		return;
	}
	printf("%-22s %-28s # %s\n", key, value, src);
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agent", required_argument, NULL, 'a' },
		{ "uid", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *agent = NULL, *uidarg = NULL;
	bool json = false;
	uid_t uid = getuid();
	gid_t gid = getgid();
	struct config cfg;
	struct esc_effective e;
	char *dir, *path, err[512], key[64], val[64], who[160];
	json_t *arr = NULL;
	int c;

	if (argc >= 2 && argv[1][0] == '-' && strcmp(argv[1], "-") != 0)
		return cli_bad_arg("policy", argv[1]);
	if (argc < 2 || strcmp(argv[1], "show") != 0) {
		cli_err("policy", "expected `policy show [--agent A] [--uid U] [--json]`");
		return EXIT_USAGE;
	}
	argc--, argv++;
	optind = 1;
	while ((c = cli_getopt("policy", argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'a': agent = optarg; break;
		case 'u': uidarg = optarg; break;
		case 'j': json = true; break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_err("policy", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (uidarg != NULL) {
		struct passwd *pw;
		char *end;

		if (strspn(uidarg, "0123456789") == strlen(uidarg) && *uidarg != '\0') {
			unsigned long n = strtoul(uidarg, &end, 10);

			uid = (uid_t)n;
			pw = getpwuid(uid);
		} else {
			pw = getpwnam(uidarg);
			if (pw == NULL) {
				cli_err("policy", "no user named '%s'", uidarg);
				return EXIT_USAGE;
			}
			uid = pw->pw_uid;
		}
		gid = pw != NULL ? pw->pw_gid : (gid_t)-1;
	}
	dir = paths_config_dir();
	path = dir != NULL ? paths_join(dir, "config") : NULL;
	free(dir);
	if (path == NULL) {
		cli_err("policy", "cannot tell where the config file is");
		return EXIT_UNREACHABLE;
	}
	config_defaults(&cfg);
	if (config_load(&cfg, path, err, sizeof err) < 0) {
		cli_err("policy", "config: %s", err);
		free(path);
		return EXIT_DENIED;
	}
	escpolicy_resolve(&cfg.esc, agent, true, uid, gid, &e);
	snprintf(who, sizeof who, "agent %s, uid %lu", agent != NULL ? agent : "(any)", (unsigned long)uid);
	if (json) {
		arr = json_array();
	} else {
		printf("# effective escalation policy for %s\n# config: %s\n", who, path);
	}
	for (int l = 0; l < ESC_LEVELS; l++) {
		snprintf(key, sizeof key, "escalate.%s", esc_level_name(l));
		esc_format_ms(e.escalate_ms[l], val, sizeof val);
		line(arr, key, val, e.escalate_src[l]);
	}
	for (int l = 0; l < ESC_LEVELS; l++) {
		snprintf(key, sizeof key, "expire.%s", esc_level_name(l));
		esc_format_ms(e.expire_ms[l], val, sizeof val);
		line(arr, key, val, e.expire_src[l]);
	}
	for (int l = 0; l < ESC_LEVELS; l++) {
		snprintf(key, sizeof key, "quorum.%s", esc_level_name(l));
		snprintf(val, sizeof val, "%d", e.quorum[l]);
		line(arr, key, val, e.quorum_src[l]);
	}
	{
		char src[64];
		const struct escpolicy *p = &cfg.esc;

#define SRC(ln) (ln > 0 ? (snprintf(src, sizeof src, "line %d", ln), src) : "default")
		line(arr, "quorum_deny", p->quorum_deny_any ? "any" : "all", SRC(p->quorum_deny_line));
		line(arr, "pager", p->pager[0] != '\0' ? p->pager : "none", SRC(p->pager_line));
		esc_format_ms(p->pager_timeout_ms, val, sizeof val);
		line(arr, "pager_timeout", val, SRC(p->pager_timeout_line));
		snprintf(val, sizeof val, "%s", p->notify_bell && p->notify_tmux ? "bell,tmux" : p->notify_bell ? "bell"
		    : p->notify_tmux ? "tmux" : "none");
		line(arr, "notify", val, SRC(p->notify_line));
		snprintf(val, sizeof val, "%d s", cfg.timeout_s);
		line(arr, "timeout", val, "the request's own timeout, else this (config `timeout`)");
#undef SRC
	}
	if (json) {
		json_t *o = json_pack("{s:s?, s:I, s:s, s:o}", "agent", agent, "uid", (json_int_t)uid, "config", path,
		    "values", arr);

		cli_print_json(o);
		json_decref(o);
	}
	free(path);
	return EXIT_OK;
}

const struct cli_cmd cmd_policy = {
	.name = "policy",
	.args = "show [--agent A] [--uid U] [--json]",
	.summary = "show the effective escalation policy and where each value comes from",
	.help =
	    "  show         print escalate.LEVEL, expire.LEVEL, quorum.LEVEL, pager, ... in force\n"
	    "  --agent A    for requests of agent A (its policy.agent.A baseline)\n"
	    "  --uid U      for requests from uid (or user name) U (policy.uid / policy.group)\n"
	    "               default: your own uid\n"
	    "  --json       one JSON object: {agent, uid, config, values: [{key, value, source}]}\n"
	    "\n"
	    "Reads the config file the broker reads ($XDG_CONFIG_HOME/sandgate/config).\n"
	    "Exit status: 0 shown, 1 the config file is invalid (the broker would refuse it), 2 usage.\n",
	.run = run,
};
