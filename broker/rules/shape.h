/* shape.h -- how the commands of a shell line are joined: the connector
 * between each simple command and the next (`|`, `;`, `&`, `&&`, `||`),
 * for the group label (docs/RULES.md, "Groups and suggestions").  The
 * subject (subject.h) has one exec part per simple command but not what
 * joins them; this reads it from the command line itself. */
#ifndef SG_SHAPE_H
#define SG_SHAPE_H

#include <stddef.h>

/* Connector codes, one per gap between consecutive commands. */
#define SHAPE_PIPE '|'
#define SHAPE_SEQ ';'
#define SHAPE_BG '&'
#define SHAPE_AND 'a'
#define SHAPE_OR 'o'
#define SHAPE_UNKNOWN '+' /* the commands do not line up with the line's text */

/* The connectors of cmd[0..n): a malloc'd string of nexec - 1 codes, one
 * per gap between the line's nexec simple commands in source order.  When
 * the line's own simple commands (nested lists, subshells and pipelines
 * flattened; substitutions and `sh -c` bodies are not commands of the line)
 * are not exactly nexec, every code is SHAPE_UNKNOWN: never a guess.  NULL
 * on out of memory or when nexec < 2. */
char *shape_connectors(const char *cmd, size_t n, size_t nexec);

/* How a connector code reads in a label (" | ", " && ", " + " ...). */
const char *shape_conn_text(char code);

#endif
