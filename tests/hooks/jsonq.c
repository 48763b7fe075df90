/* jsonq.c -- the JSON the hook tests need, without jq:
 *   jsonq get FILE PATH          value at PATH (a string raw, else compact JSON)
 *   jsonq dump FILE PATH         value at PATH as compact JSON (UTF-8 kept)
 *   jsonq sub FILE PATH FILE PATH  every key of the first value is in the second
 *                                with an equal value (recursively for objects)
 *   jsonq eq FILE PATH FILE PATH   the two values are equal
 *   jsonq len FILE PATH          number of elements of an array or object
 * FILE "-" is stdin.  PATH is dot-separated keys and array indexes; "" or "."
 * is the whole document.  Exit 0 yes/found, 1 no/missing (with a message),
 * 2 usage or unreadable input.  Test tool only; never installed. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
load(const char *file)
{
	json_error_t e;
	json_t *j = strcmp(file, "-") == 0
	    ? json_loadf(stdin, JSON_ALLOW_NUL | JSON_DECODE_ANY, &e)
	    : json_load_file(file, JSON_ALLOW_NUL | JSON_DECODE_ANY, &e);

	if (j == NULL) {
		fprintf(stderr, "jsonq: %s: %s (line %d)\n", file, e.text, e.line);
		exit(2);
	}
	return j;
}

static json_t *
at(json_t *j, const char *path)
{
	char *copy = strdup(path), *save = NULL;

	for (char *k = strtok_r(copy, ".", &save); j != NULL && k != NULL; k = strtok_r(NULL, ".", &save)) {
		char *end;
		long i = strtol(k, &end, 10);

		j = json_is_array(j) && *end == '\0' ? json_array_get(j, (size_t)i) : json_object_get(j, k);
	}
	free(copy);
	return j;
}

static char *
show(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

/* Every key of want is in got with an equal value; reports the first miss. */
static int
subset(const json_t *want, const json_t *got, const char *where)
{
	const char *k;
	json_t *v;

	if (!json_is_object(want) || !json_is_object(got)) {
		if (json_equal(want, got))
			return 0;
		char *a = show(want), *b = show(got);

		fprintf(stderr, "jsonq: at %s: want %.300s\n               got  %.300s\n", where, a, b ? b : "(missing)");
		free(a);
		free(b);
		return 1;
	}
	json_object_foreach((json_t *)want, k, v) {
		char sub[512];

		snprintf(sub, sizeof sub, "%s.%s", where, k);
		if (subset(v, json_object_get(got, k), sub) != 0)
			return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	json_t *a, *va, *b, *vb;
	int rc;

	if (argc == 4 && (strcmp(argv[1], "get") == 0 || strcmp(argv[1], "dump") == 0 ||
	    strcmp(argv[1], "len") == 0)) {
		a = load(argv[2]);
		if ((va = at(a, argv[3])) == NULL) {
			fprintf(stderr, "jsonq: %s has no %s\n", argv[2], argv[3]);
			return 1;
		}
		if (strcmp(argv[1], "len") == 0) {
			printf("%zu\n", json_is_array(va) ? json_array_size(va) : json_object_size(va));
		} else if (strcmp(argv[1], "get") == 0 && json_is_string(va)) {
			fwrite(json_string_value(va), 1, json_string_length(va), stdout);
			putchar('\n');
		} else {
			char *s = json_dumps(va, JSON_COMPACT | JSON_ENCODE_ANY);

			puts(s);
			free(s);
		}
		json_decref(a);
		return 0;
	}
	if (argc == 6 && (strcmp(argv[1], "sub") == 0 || strcmp(argv[1], "eq") == 0)) {
		a = load(argv[2]);
		b = strcmp(argv[2], argv[4]) == 0 && strcmp(argv[2], "-") == 0 ? json_incref(a) : load(argv[4]);
		va = at(a, argv[3]);
		vb = at(b, argv[5]);
		if (va == NULL) {
			fprintf(stderr, "jsonq: %s has no %s\n", argv[2], argv[3]);
			return 1;
		}
		if (strcmp(argv[1], "sub") == 0) {
			rc = subset(va, vb, argv[5]);
		} else {
			rc = vb != NULL && json_equal(va, vb) ? 0 : 1;
			if (rc != 0) {
				char *x = show(va), *y = vb ? show(vb) : NULL;

				fprintf(stderr, "jsonq: not equal:\n  want %.600s\n  got  %.600s\n", x, y ? y : "(missing)");
				free(x);
				free(y);
			}
		}
		json_decref(a);
		json_decref(b);
		return rc;
	}
	fprintf(stderr, "usage: jsonq get|dump|len FILE PATH | jsonq sub|eq FILE PATH FILE PATH\n");
	return 2;
}
