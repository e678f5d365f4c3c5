// HDF5's type and property identifiers are macros that expand to global
// variables behind H5open(); Swift cannot import them, so these inline
// functions hand them over as plain values.
// Debian's serial HDF5, by its full path: without pkg-config, whose flags
// would also link the shared library (Package.swift links the static one).
#include <hdf5/serial/hdf5.h>

static inline hid_t ae_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t ae_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t ae_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t ae_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t ae_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t ae_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t ae_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t ae_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline unsigned ae_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned ae_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned ae_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline hsize_t ae_h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline hid_t ae_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t ae_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t ae_h5p_dataset_access(void) { return H5P_DATASET_ACCESS; }
static inline hid_t ae_h5s_all(void) { return H5S_ALL; }
static inline size_t ae_h5t_variable(void) { return H5T_VARIABLE; }
static inline hid_t ae_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t ae_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t ae_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t ae_h5t_std_u8le(void) { return H5T_STD_U8LE; }

// In a thread-safe HDF5 build (Debian's is one) every thread has its own
// error stack with automatic printing switched on, so printing has to be
// switched off once per thread rather than once per process.
static inline void ae_h5e_silence_this_thread(void) {
    static _Thread_local int silenced = 0;
    if (!silenced) {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        silenced = 1;
    }
}
