// libFuzzer's driver, linked in by -sanitize=fuzzer. The fuzz targets call it
// from their own main, because SwiftPM renames an executable's main symbol
// and so leaves libFuzzer's main out of the link.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

// What each target's main does: hands the process's arguments and the
// target's entry point to the driver, and returns its status.
static inline int ae_run_fuzzer(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size)) {
    return LLVMFuzzerRunDriver(&argc, &argv, callback);
}
