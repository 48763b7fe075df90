/* demo_check.c -- the README demo's payloads (cli/demo_payloads.h) are real
 * hook input: each parses with its adapter into a request, its key is in the
 * request's tool_input and nowhere else's, and its answer is allow, deny,
 * remember (its group is decided and remembered), rule (a remembered rule
 * answers it) or none.  Test tool only. */
#include "cli/demo_payloads.h"
#include "cli/hook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(void)
{
	char *inputs[DEMO_PAYLOADS] = { 0 };
	int bad = 0;

	for (size_t i = 0; i < DEMO_PAYLOADS; i++) {
		const struct demo_payload *d = &demo_payloads[i];
		const struct hook_adapter *a = hook_adapter_find(d->adapter);
		enum hook_event ev;
		char err[600];
		json_t *req = a != NULL ? hook_parse(a, d->payload, strlen(d->payload), &ev, err, sizeof err) : NULL;

		if (req == NULL) {
			fprintf(stderr, "demo payload %zu (%s): %s\n", i, d->adapter, a ? err : "no such adapter");
			bad++;
			continue;
		}
		inputs[i] = json_dumps(json_object_get(req, "tool_input"), JSON_COMPACT);
		if (d->answer != NULL && strcmp(d->answer, "allow") != 0 && strcmp(d->answer, "deny") != 0 &&
		    strcmp(d->answer, "remember") != 0 && strcmp(d->answer, "rule") != 0) {
			fprintf(stderr, "demo payload %zu: answer %s\n", i, d->answer);
			bad++;
		}
		json_decref(req);
	}
	for (size_t i = 0; i < DEMO_PAYLOADS; i++)
		for (size_t j = 0; j < DEMO_PAYLOADS; j++)
			if (inputs[j] != NULL && (strstr(inputs[j], demo_payloads[i].key) != NULL) != (i == j)) {
				fprintf(stderr, "demo key '%s' (payload %zu) %s payload %zu\n", demo_payloads[i].key,
				    i, i == j ? "is missing from" : "also matches", j);
				bad++;
			}
	for (size_t i = 0; i < DEMO_PAYLOADS; i++)
		free(inputs[i]);
	if (bad == 0)
		printf("ok - %zu demo payloads parse and match their keys\n", DEMO_PAYLOADS);
	return bad != 0;
}
