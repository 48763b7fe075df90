/* fuzz_checkpoint.c -- libFuzzer target for what comes back from outside
 * the machine: the audit checkpoint file parser, the one-line checkpoint
 * form of the outside copies (checkpoint file, syslog/journal), the reader
 * of a whole copy (lines with syslog prefixes, other logs, junk), and the
 * key file parsers.  A checkpoint that parses must format back to the same
 * bytes (a file modulo a missing final newline; a line exactly) and parse
 * again identically; every refusal says why. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "broker/record/auditcopy.h"
#include "broker/record/checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ckpt c, d;
	struct copy_src src;
	char err[256], buf[CKPT_LINE_MAX + CKPT_FILE_MAX];
	uint8_t seed[32], pk[CKPT_PK_LEN], dg[CKPT_HASH_LEN];
	size_t n;

	err[0] = '\0';
	if (ckpt_parse((const char *)data, size, &c, err, sizeof err) == 0) {
		(void)ckpt_check(&c);
		n = ckpt_format(&c, buf, sizeof buf);
		if (n == 0 || (n != size && n != size + 1) || memcmp(buf, data, size) != 0)
			abort(); /* accepted text that is not the canonical form */
		if (ckpt_parse(buf, n, &d, err, sizeof err) != 0 || memcmp(&c, &d, sizeof c) != 0)
			abort();
	} else if (strlen(err) == 0) {
		abort(); /* every refusal says why */
	}
	err[0] = '\0';
	if (ckpt_parse_line((const char *)data, size, &c, err, sizeof err) == 0) {
		if (c.version != 2 || ckpt_kind_name(c.kind) == NULL)
			abort();
		(void)ckpt_check(&c);
		ckpt_digest(&c, dg);
		n = ckpt_format_line(&c, buf, sizeof buf);
		if (n != size || memcmp(buf, data, size) != 0)
			abort(); /* a line is accepted only in its canonical form */
		if (ckpt_parse_line(buf, n, &d, err, sizeof err) != 0 || memcmp(&c, &d, sizeof c) != 0)
			abort();
	} else if (strlen(err) == 0) {
		abort();
	}
	/* a whole copy: every line is taken or counted, never trusted blindly */
	if (copy_src_parse((const char *)data, size, NULL, &src, err, sizeof err) == 0) {
		for (size_t i = 0; i < src.n; i++)
			if (src.v[i].c.version != 2 || src.v[i].lineno < 1 || src.v[i].lineno > src.lines)
				abort();
		if (src.n + (size_t)src.bad > (size_t)src.lines)
			abort();
	}
	copy_src_free(&src);
	(void)ckpt_parse_key_text((const char *)data, size, seed);
	(void)ckpt_parse_pub_line((const char *)data, size, pk);
	return 0;
}
