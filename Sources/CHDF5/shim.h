// libhdf5 (Debian's serial build, found through pkg-config `hdf5`). Its predefined type and property-list ids are
// macros that call H5open() and read a global, which Swift cannot import: these inline functions return them.
#include <hdf5.h>

static inline hid_t bm_h5_default(void) { return H5P_DEFAULT; }
static inline hid_t bm_h5s_all(void) { return H5S_ALL; }
static inline unsigned bm_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned bm_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned bm_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }

static inline hid_t bm_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t bm_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t bm_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t bm_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t bm_h5p_group_create(void) { return H5P_GROUP_CREATE; }

static inline hid_t bm_h5t_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t bm_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t bm_h5t_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t bm_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t bm_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t bm_h5t_std_i8le(void) { return H5T_STD_I8LE; }
static inline hid_t bm_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t bm_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t bm_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t bm_h5t_c_s1(void) { return H5T_C_S1; }
static inline size_t bm_h5t_variable(void) { return H5T_VARIABLE; }
