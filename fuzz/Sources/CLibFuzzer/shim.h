// libFuzzer's driver, linked in by -sanitize=fuzzer. The fuzz targets call it
// from their own main, because SwiftPM renames an executable's main symbol
// and so leaves libFuzzer's main out of the link.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
