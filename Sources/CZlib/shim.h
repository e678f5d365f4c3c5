// zlib for gzip-compressed input. inflateInit2 is a macro that passes the
// header's version and the struct size; Swift cannot call macros.
#include <zlib.h>

static inline int ae_inflate_init_gzip(z_streamp stream) {
    // 15 bits of window, +16: a gzip wrapper (not zlib's or raw deflate).
    return inflateInit2(stream, 15 + 16);
}
