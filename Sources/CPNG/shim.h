// Swift uses only libpng's simplified API (png_image_*): it reports errors as
// return values. Reading goes through CPNGDecode, whose C keeps the full
// API's setjmp/longjmp inside one C function, so none crosses Swift frames.
#include <png.h>
