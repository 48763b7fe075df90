/* score_res.h -- the harness test_knowledge.c and test_netfam.c share: score
 * a command with the real tables (AT, set by the test) in the workspace WS and
 * read back its level, score, reason ids and sandbox.  Include after cmocka.h,
 * msgpack.h and broker/intent/assess.h. */
#ifndef SG_TEST_SCORE_RES_H
#define SG_TEST_SCORE_RES_H

static assess_tables *AT;
static const char *WS = "/home/dev/proj";

struct res {
	int score;
	const char *level;
	char reasons[512]; /* rule ids, space-separated, with spaces around */
	char sandbox[32];
};

/* Copy the string at key in map m into buf. */
static void
get_str(const msgpack_object *m, const char *key, char *buf, size_t n)
{
	buf[0] = '\0';
	for (uint32_t k = 0; m->type == MSGPACK_OBJECT_MAP && k < m->via.map.size; k++) {
		const msgpack_object *ko = &m->via.map.ptr[k].key, *v = &m->via.map.ptr[k].val;

		if (ko->type == MSGPACK_OBJECT_STR && ko->via.str.size == strlen(key) &&
		    memcmp(ko->via.str.ptr, key, ko->via.str.size) == 0 && v->type == MSGPACK_OBJECT_STR)
			snprintf(buf, n, "%.*s", (int)v->via.str.size, v->via.str.ptr);
	}
}

static const msgpack_object *
get(const msgpack_object *m, const char *key)
{
	for (uint32_t k = 0; m->type == MSGPACK_OBJECT_MAP && k < m->via.map.size; k++) {
		const msgpack_object *ko = &m->via.map.ptr[k].key;

		if (ko->type == MSGPACK_OBJECT_STR && ko->via.str.size == strlen(key) &&
		    memcmp(ko->via.str.ptr, key, ko->via.str.size) == 0)
			return &m->via.map.ptr[k].val;
	}
	return NULL;
}

static void
parse_out(const msgpack_sbuffer *sb, const struct assess_result *r, struct res *out)
{
	msgpack_unpacked up;
	size_t off = 0;

	memset(out, 0, sizeof *out);
	out->score = r->score;
	out->level = r->level;
	strcpy(out->reasons, " ");
	msgpack_unpacked_init(&up);
	assert_int_equal(msgpack_unpack_next(&up, sb->data, sb->size, &off), MSGPACK_UNPACK_SUCCESS);
	{
		const msgpack_object *in = get(&up.data, "intent"), *rk = get(&up.data, "risk");
		const msgpack_object *rs = rk != NULL ? get(rk, "reasons") : NULL;

		assert_non_null(in);
		get_str(in, "sandbox", out->sandbox, sizeof out->sandbox);
		for (uint32_t k = 0; rs != NULL && k < rs->via.array.size; k++) {
			char id[64];

			get_str(&rs->via.array.ptr[k], "id", id, sizeof id);
			if (strlen(out->reasons) + strlen(id) + 2 < sizeof out->reasons) {
				strcat(out->reasons, id);
				strcat(out->reasons, " ");
			}
		}
	}
	msgpack_unpacked_destroy(&up);
}

static void
score_with(assess_tables *at, const char *cmd, struct res *out)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct assess_result r;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	assert_int_equal(assess_command(at, cmd, strlen(cmd), WS, WS, &pk, &r), 0);
	parse_out(&sb, &r, out);
	msgpack_sbuffer_destroy(&sb);
}

static void
score(const char *cmd, struct res *out)
{
	score_with(AT, cmd, out);
}

static bool
has_reason(const struct res *r, const char *id)
{
	char pat[80];

	snprintf(pat, sizeof pat, " %s ", id);
	return strstr(r->reasons, pat) != NULL;
}

#endif
