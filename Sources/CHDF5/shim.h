// HDF5's type and property identifiers are macros that expand to global
// variables behind H5open(); Swift cannot import them, so these inline
// functions hand them over as plain values.
#include <hdf5.h>

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
