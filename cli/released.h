/* released.h -- what a new rule answered besides the requests the person
 * decided (issue #16): printed by `rules add`, `decide g:G --rule N` and
 * `rules undo` ("also allowed #23 npm install -g npm"). */
#ifndef SG_CLI_RELEASED_H
#define SG_CLI_RELEASED_H

#include <msgpack.h>

/* Print the `released` list of a rule_add or group decide answer, one line
 * each, and how to undo the held ones (rule_id). */
void cli_print_released(const msgpack_object *result, long long rule_id);
/* `sandgate rules undo [RULE_ID] [--json]`. */
int rules_undo(int argc, char **argv);

#endif
