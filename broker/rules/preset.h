/* preset.h -- rule sets sandgate ships.
 *
 * "routine" answers what the risk scorer rates low in the places agents
 * normally work (any command, reads, writes in the workspace or /tmp), so
 * that a person is asked only about what is medium or above, unparsed, or a
 * circumvention signal.  The broker installs the preset named by the
 * `preset` setting once per database (docs/RULES.md); `sandgate rules
 * import --preset NAME` adds one by hand. */
#ifndef SG_PRESET_H
#define SG_PRESET_H

#include <stddef.h>

struct preset_rule {
	const char *effect;     /* "allow" | "deny" */
	const char *pattern;
	const char *max_level;  /* the ceiling an allow applies up to */
	const char *note;
};

struct preset {
	const char *name;
	const struct preset_rule *rules;
	size_t nrules;
};

/* The preset called name, or NULL. */
const struct preset *preset_find(const char *name);
/* The names of every preset, comma separated (for messages). */
const char *preset_names(void);

#endif
