/* preset.c -- rule sets sandgate ships (preset.h). */
#include "broker/rules/preset.h"

#include <string.h>

static const struct preset_rule routine_rules[] = {
	{ "allow", "exec *", "low", "preset routine: commands the scorer rates low" },
	{ "allow", "read /**", "low", "preset routine: reads the scorer rates low" },
	{ "allow", "write ./**", "low", "preset routine: workspace writes and edits the scorer rates low" },
	{ "allow", "write /tmp/**", "low", "preset routine: /tmp writes the scorer rates low" },
	/* issue #17: what the scorer now rates low outside the four above */
	{ "allow", "write /dev/null", "low", "preset routine: output thrown away" },
	{ "allow", "delete ./**", "low",
	    "preset routine: workspace deletes the scorer rates low (files this session created)" },
	{ "allow", "delete /tmp/**", "low", "preset routine: /tmp deletes the scorer rates low" },
	{ "allow", "mcp *.*", "low", "preset routine: MCP tools the scorer rates low (read-only verbs)" },
	{ "allow", "net localhost", "low", "preset routine: reads of this machine's own services the scorer rates low" },
	{ "allow", "net 127.0.0.1", "low", "preset routine: reads of this machine's own services the scorer rates low" },
	{ "allow", "net [::1]", "low", "preset routine: reads of this machine's own services the scorer rates low" },
};

static const struct preset presets[] = {
	{ "routine", routine_rules, sizeof routine_rules / sizeof routine_rules[0] },
};

const struct preset *
preset_find(const char *name)
{
	for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
		if (strcmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}

const char *
preset_names(void)
{
	return "routine";
}
