/* hex.h -- the value of one hexadecimal digit (either case), or -1. */
#ifndef SG_PROTO_HEX_H
#define SG_PROTO_HEX_H

static inline int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
