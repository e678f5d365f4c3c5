// Only libpng's simplified API (png_image_*) is used: it reports errors as
// return values, so no setjmp/longjmp crosses Swift frames.
#include <png.h>
