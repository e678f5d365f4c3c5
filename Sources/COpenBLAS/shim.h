// OpenBLAS's CBLAS interface plus its thread-count control, which ae uses
// to keep OpenBLAS single-threaded and own the parallelism itself.
#include <cblas.h>
