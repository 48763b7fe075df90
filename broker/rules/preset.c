/* preset.c -- rule sets sandgate ships (preset.h). */
#include "broker/rules/preset.h"

#include <string.h>

static const struct preset_rule routine_rules[] = {
	{ "allow", "exec *", "low", "preset routine: commands the scorer rates low" },
	{ "allow", "read /**", "low", "preset routine: reads the scorer rates low" },
	{ "allow", "write ./**", "low", "preset routine: workspace writes and edits the scorer rates low" },
	{ "allow", "write /tmp/**", "low", "preset routine: /tmp writes the scorer rates low" },
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
