/* table.h -- a small chained hash table from byte-string keys to pointers.
 * The table copies keys; values are owned by the caller. */
#ifndef SG_TABLE_H
#define SG_TABLE_H

#include <stddef.h>

typedef struct table table;

table *table_new(void);
void table_free(table *t);
/* Insert or replace; 0 on success, -1 on out of memory. */
int table_put(table *t, const void *key, size_t klen, void *val);
void *table_get(const table *t, const void *key, size_t klen);
/* Remove and return the value, or NULL. */
void *table_del(table *t, const void *key, size_t klen);
size_t table_count(const table *t);

#endif
