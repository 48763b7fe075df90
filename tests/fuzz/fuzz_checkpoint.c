/* fuzz_checkpoint.c -- libFuzzer target for the audit checkpoint file parser
 * (an exported checkpoint comes back from outside the machine) and the key
 * file parsers.  A checkpoint that parses must format back to the same
 * bytes (modulo a missing final newline) and parse again identically. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "broker/checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ckpt c, d;
	char err[256], buf[CKPT_FILE_MAX];
	uint8_t seed[32], pk[CKPT_PK_LEN];
	size_t n;

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
	(void)ckpt_parse_key_text((const char *)data, size, seed);
	(void)ckpt_parse_pub_line((const char *)data, size, pk);
	return 0;
}
