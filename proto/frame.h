/* frame.h -- incremental msgpack message reader with a size and depth guard.
 *
 * Bytes from a stream go into a msgpack-c unpacker.  Before the unpacker sees
 * them, a small resumable scanner walks the msgpack headers: it enforces the
 * per-message size cap and nesting depth, and rejects any container or string
 * whose declared length could not fit in what is left of the cap, so a peer can
 * never make us allocate from a count it declared. */
#ifndef SG_FRAME_H
#define SG_FRAME_H

#include <stddef.h>
#include <msgpack.h>

typedef struct frame_reader frame_reader;

enum frame_status {
	FRAME_MESSAGE = 1, /* *out holds one whole message */
	FRAME_AGAIN = 0,   /* need more bytes */
	FRAME_ERROR = -1,  /* stream is broken; frame_reader_error() says why */
};

/* Create a reader accepting messages up to cap bytes; NULL on out of memory. */
frame_reader *frame_reader_new(size_t cap);
void frame_reader_free(frame_reader *r);

/* Get a buffer of at least want bytes to read into (libuv alloc_cb). */
char *frame_reader_buffer(frame_reader *r, size_t want, size_t *avail);

/* Tell the reader n bytes were written into the buffer; scans them.
 * Returns FRAME_ERROR if they break the guard (size, depth, bad byte). */
int frame_reader_consumed(frame_reader *r, size_t n);

/* Copy len bytes in (buffer + consumed). */
int frame_reader_feed(frame_reader *r, const void *data, size_t len);

/* Take the next whole message.  On FRAME_MESSAGE the object in *out lives
 * until the next call or until msgpack_unpacked_destroy(out). */
int frame_reader_next(frame_reader *r, msgpack_unpacked *out);

/* Why the stream failed (static string), or NULL. */
const char *frame_reader_error(const frame_reader *r);
/* The protocol error code for that failure (proto.h): SG_ERR_TOO_LARGE when
 * a size limit was broken (the message is over the cap, or a string, binary
 * or container declares more than is left of it), SG_ERR_INTERNAL for out of
 * memory, else SG_ERR_BAD_MESSAGE (not msgpack, nested too deeply).  NULL
 * while the stream is fine. */
const char *frame_reader_error_code(const frame_reader *r);

#endif
