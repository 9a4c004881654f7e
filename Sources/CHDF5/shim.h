// libhdf5 (Debian's serial build, found through pkg-config `hdf5`). Its predefined type and property-list ids are
// macros that call H5open() and read a global, which Swift cannot import: these inline functions return them.
#include <hdf5.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "datatype_check.h"
#include "global_heap.h"

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

// ---------------------------------------------------------------------------------------------------------------
// Validation walk, run in a forked child process before a file is opened (Datasets/HDF5/HDF5Validation.swift).
//
// libhdf5 trusts the structures of files in the 1.0 format (what h5py writes by default) and the global heap of any
// file: they carry no checksum, and some damaged bytes make it crash or loop forever instead of reporting an error.
// This walk makes libhdf5 read every structure bm's reader can reach — links, object headers, attributes (values
// included), datatypes, dataspaces, layouts, filter pipelines, chunk indexes, variable-length data in the global
// heap and small datasets — so that a crash or a hang happens in the child, never in the process that asked. It is C
// because a child forked from a multi-threaded process may only run code that takes no lock another thread could
// have held (the Swift runtime's); libhdf5's own lock is held by the parent's fork call, and glibc's malloc is
// fork-safe. Errors are ignored: the parent sees them itself, as DataErrors, when it reads.

/// Largest value read into memory during the walk: beyond it a numeric value's bytes are not read (raw numbers that
/// are damaged read as wrong numbers, they cannot crash), and a variable-length one is not either.
#define BM_H5_VALIDATE_SMALL_BYTES ((hsize_t)1 << 20)
#define BM_H5_VALIDATE_VARIABLE_BYTES ((hsize_t)1 << 28)

/// Exit status of a child whose walk found an attribute message that libhdf5 accepted but that cannot be right
/// (below); global_heap.h and datatype_check.h add those of damaged global heap collections and references, and of
/// datatypes whose sizes disagree.
#define BM_H5_VALIDATE_INCONSISTENT 3

typedef struct {
    int depth; long visited;
    int inconsistent;               // 0, or the exit status that refuses the file
    int descriptor;                 // the file, read directly for the header check below
    haddr_t base;                   // where HDF5 addresses start (after a user block, e.g. MATLAB's 512 bytes)
    size_t address_bytes, length_bytes;
    bm_h5_heap_reader heap;         // the file again, for the global heap references of variable-length values
} bm_h5_validate_state;

static inline uint64_t bm_h5_little_endian(const unsigned char *bytes, size_t count) {
    uint64_t value = 0;
    for (size_t index = count; index > 0; index--) value = value << 8 | bytes[index - 1];
    return value;
}

/// Whether the attribute message `message` (`size` bytes) of `object` is consistent: its name, datatype and
/// dataspace, as their own size fields say, and the value libhdf5 decodes after them all fit inside the message.
/// libhdf5 1.10 checks none of this: a damaged size field makes it copy the value from past the end of the header's
/// buffer in memory, which crashes or not depending on what lies beyond — so this child can pass a file that crashes
/// the parent. (Format: HDF5 specification, IV.A.2.m "Attribute Message", versions 1–3.)
static inline int bm_h5_validate_attribute_message(hid_t object, const unsigned char *message, size_t size) {
    if (size < 8) return 0;
    unsigned version = message[0];
    if (version < 1 || version > 3) return 0;
    size_t name = bm_h5_little_endian(message + 2, 2), type = bm_h5_little_endian(message + 4, 2);
    size_t space = bm_h5_little_endian(message + 6, 2);
    size_t offset = version == 3 ? 9 : 8;
    if (version == 1) {
        offset += ((name + 7) & ~(size_t)7) + ((type + 7) & ~(size_t)7) + ((space + 7) & ~(size_t)7);
    } else {
        offset += name + type + space;
    }
    if (offset > size || name == 0) return 0;
    size_t name_start = version == 3 ? 9 : 8;
    if (memchr(message + name_start, 0, name) == NULL) return 0;
    hid_t attribute = H5Aopen(object, (const char *)message + name_start, H5P_DEFAULT);
    if (attribute < 0) return 1;  // libhdf5 refuses it itself (the parent will see that error)
    hsize_t value = H5Aget_storage_size(attribute);
    H5Aclose(attribute);
    return value <= size - offset;
}

/// Checks every attribute message of `object`'s header when it is a version-1 header (the 1.0 format, no
/// checksums), reading the header's chunks from the file itself. Returns 0 when one is inconsistent.
static inline int bm_h5_validate_header(hid_t object, const bm_h5_validate_state *state) {
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t information;
    if (H5Oget_info3(object, &information, H5O_INFO_BASIC) < 0) return 1;
    haddr_t address = 0;
    if (H5VLnative_token_to_addr(object, information.token, &address) < 0) return 1;
#else
    H5O_info_t information;
    if (H5Oget_info2(object, &information, H5O_INFO_BASIC) < 0) return 1;
    haddr_t address = information.addr;
#endif
    if (state->descriptor < 0 || state->address_bytes == 0 || state->address_bytes > 8
        || state->length_bytes == 0 || state->length_bytes > 8) return 1;
    unsigned char prefix[16];
    if (pread(state->descriptor, prefix, 16, (off_t)(state->base + address)) != 16 || prefix[0] != 1) return 1;
    // Chunks to read: the first follows the 16-byte prefix; continuation messages (type 0x10) add others.
    haddr_t chunk_addresses[64];
    size_t chunk_lengths[64], chunks = 1, messages = 0;
    chunk_addresses[0] = state->base + address + 16;
    chunk_lengths[0] = (size_t)bm_h5_little_endian(prefix + 8, 4);
    for (size_t chunk = 0; chunk < chunks; chunk++) {
        size_t length = chunk_lengths[chunk];
        if (length > (1u << 20)) return 1;  // libhdf5 refuses such a header itself
        unsigned char *bytes = malloc(length > 0 ? length : 1);
        if (bytes == NULL) return 1;
        if (pread(state->descriptor, bytes, length, (off_t)chunk_addresses[chunk]) != (ssize_t)length) {
            free(bytes);
            return 1;
        }
        for (size_t at = 0; at + 8 <= length && messages < 65536; messages++) {
            unsigned kind = (unsigned)bm_h5_little_endian(bytes + at, 2);
            size_t size = (size_t)bm_h5_little_endian(bytes + at + 2, 2);
            unsigned flags = bytes[at + 4];
            if (at + 8 + size > length) break;  // libhdf5 reports this one as a corrupt object header
            const unsigned char *message = bytes + at + 8;
            if (kind == 0x0C && !(flags & 0x02) && !bm_h5_validate_attribute_message(object, message, size)) {
                free(bytes);
                return 0;
            }
            size_t continuation = state->address_bytes + state->length_bytes;
            if (kind == 0x10 && size >= continuation && chunks < 64) {
                chunk_addresses[chunks] = state->base + bm_h5_little_endian(message, state->address_bytes);
                chunk_lengths[chunks] = (size_t)bm_h5_little_endian(message + state->address_bytes,
                                                                     state->length_bytes);
                chunks++;
            }
            at += 8 + size;
        }
        free(bytes);
    }
    return 1;
}


/// Reads the value of a dataset or attribute when that is small enough to be safe in memory; a variable-length
/// one only once its global heap references are checked (global_heap.h).
static inline void bm_h5_validate_read_value(hid_t type, hid_t space, int is_attribute, hid_t object,
                                             bm_h5_validate_state *state) {
    if (!bm_h5_datatype_consistent(type, 0)) {
        state->inconsistent = BM_H5_VALIDATE_DATATYPE;
        return;
    }
    hssize_t count = H5Sget_simple_extent_npoints(space);
    if (count <= 0) return;
    int variable = H5Tdetect_class(type, H5T_VLEN) > 0 || H5Tis_variable_str(type) > 0;
    if (variable) {
        state->inconsistent = bm_h5_heap_check_values(&state->heap, type, count, is_attribute, object,
                                                      BM_H5_VALIDATE_VARIABLE_BYTES);
        if (state->inconsistent) return;
    }
    hid_t memory = H5Tget_native_type(type, H5T_DIR_DEFAULT);
    if (memory < 0) return;
    size_t size = H5Tget_size(memory);
    hsize_t bytes = (hsize_t)count * (hsize_t)size;
    if (size > 0 && bytes / (hsize_t)size == (hsize_t)count
        && bytes <= (variable ? BM_H5_VALIDATE_VARIABLE_BYTES : BM_H5_VALIDATE_SMALL_BYTES)) {
        void *buffer = calloc((size_t)count, size);
        if (buffer != NULL) {
            herr_t status = is_attribute ? H5Aread(object, memory, buffer)
                                         : H5Dread(object, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
            // Freed as the parent will free them: damage that corrupted the heap shows when glibc checks it.
            if (status >= 0 && variable) {
#if H5_VERSION_GE(1, 12, 0)
                H5Treclaim(memory, space, H5P_DEFAULT, buffer);
#else
                H5Dvlen_reclaim(memory, space, H5P_DEFAULT, buffer);
#endif
            }
            free(buffer);
        }
    }
    H5Tclose(memory);
}

static inline herr_t bm_h5_validate_attribute(hid_t location, const char *name, const H5A_info_t *info, void *data) {
    (void)info;
    bm_h5_validate_state *state = data;
    if (state->inconsistent) return 1;  // stops the iteration
    hid_t attribute = H5Aopen(location, name, H5P_DEFAULT);
    if (attribute < 0) return 0;
    hid_t type = H5Aget_type(attribute), space = H5Aget_space(attribute);
    if (type >= 0 && space >= 0) bm_h5_validate_read_value(type, space, 1, attribute, state);
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    H5Aclose(attribute);
    return 0;
}

static inline void bm_h5_validate_dataset(hid_t dataset, bm_h5_validate_state *state) {
    hid_t type = H5Dget_type(dataset), space = H5Dget_space(dataset), plist = H5Dget_create_plist(dataset);
    if (plist >= 0) {
        int filters = H5Pget_nfilters(plist);
        for (int index = 0; index < filters && index < 64; index++) {
            unsigned flags = 0, config = 0, values[16];
            size_t value_count = 16;
            char name[64];
            H5Pget_filter2(plist, (unsigned)index, &flags, &value_count, values, sizeof name, name, &config);
        }
        if (H5Pget_layout(plist) == H5D_CHUNKED) {
            hsize_t chunks = 0;
            if (H5Dget_num_chunks(dataset, H5S_ALL, &chunks) >= 0) {
                for (hsize_t chunk = 0; chunk < chunks && chunk < 1000000; chunk++) {
                    hsize_t offset[H5S_MAX_RANK];
                    unsigned mask = 0;
                    haddr_t address = 0;
                    hsize_t size = 0;
                    if (H5Dget_chunk_info(dataset, H5S_ALL, chunk, offset, &mask, &address, &size) < 0) break;
                }
            }
        }
        H5Pclose(plist);
    }
    H5Dget_offset(dataset);
    H5Dget_storage_size(dataset);
    if (type >= 0 && space >= 0) bm_h5_validate_read_value(type, space, 0, dataset, state);
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
}

static inline herr_t bm_h5_validate_link(hid_t group, const char *name, const H5L_info_t *info, void *data);

/// Visits one object (a group's members recursively), its attributes and, for a dataset, its storage.
static inline void bm_h5_validate_object(hid_t object, bm_h5_validate_state *state) {
    // Bounds for damaged files whose links form cycles or huge fans.
    if (state->depth > 64 || ++state->visited > 1000000) return;
    if (!bm_h5_validate_header(object, state)) {
        state->inconsistent = BM_H5_VALIDATE_INCONSISTENT;  // the answer: nothing more to read
        return;
    }
    // In increasing name order, as the parent lists attributes and links (which sorts: other code paths).
    H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, NULL, bm_h5_validate_attribute, state);
    if (state->inconsistent) return;
    H5I_type_t kind = H5Iget_type(object);
    if (kind == H5I_GROUP || kind == H5I_FILE) {
        state->depth++;
        H5Literate(object, H5_INDEX_NAME, H5_ITER_INC, NULL, bm_h5_validate_link, state);
        state->depth--;
    } else if (kind == H5I_DATASET) {
        bm_h5_validate_dataset(object, state);
    }
}

static inline herr_t bm_h5_validate_link(hid_t group, const char *name, const H5L_info_t *info, void *data) {
    (void)info;
    if (((bm_h5_validate_state *)data)->inconsistent) return 1;  // stops the iteration
    hid_t object = H5Oopen(group, name, H5P_DEFAULT);
    if (object < 0) return 0;
    bm_h5_validate_object(object, (bm_h5_validate_state *)data);
    H5Oclose(object);
    return 0;
}

/// A child process made by the raw system call, not glibc's fork(): fork() runs the pthread_atfork handlers, and
/// OpenBLAS's shuts its thread pool down in the parent — while another thread of bm may be waiting inside a BLAS call
/// for that pool, which then waits forever. The child runs only the C walk below and _exit, so it needs none of the
/// state the handlers would have prepared. Returns the child's id in the parent, 0 in the child, -1 on failure.
/// libhdf5's free lists are emptied first, here, where free() may take any arena's lock: their blocks come from every
/// thread's arena, and in the child an arena another thread held at the clone stays locked forever. (Called with
/// libhdf5's lock held, so the lists stay empty until the clone.)
static inline pid_t bm_h5_fork_without_handlers(void) {
    H5garbage_collect();
    return (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, 0UL, 0UL, 0UL);
}

/// Closes every inherited descriptor from 3 up except `keep`.
static inline void bm_h5_validate_close_inherited(int keep) {
#ifdef SYS_close_range
    int closed = (keep <= 3 || syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u) == 0)
        && syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) == 0;
    if (closed) return;
#endif
    long limit = sysconf(_SC_OPEN_MAX);
    if (limit < 0 || limit > 65536) limit = 65536;
    for (int descriptor = 3; descriptor < limit; descriptor++) if (descriptor != keep) close(descriptor);
}

/// The child's whole life, the walk over the file at `path`: returns 0 whether or not libhdf5 reported errors (it
/// returns only when libhdf5 neither crashed, hung nor corrupted the heap in a way glibc detects), or
/// BM_H5_VALIDATE_INCONSISTENT when a structure libhdf5 accepted cannot be right. `ready` is the write end of a
/// pipe the parent waits on (holding libhdf5's lock) until the child has let go of the descriptors it inherited.
/// Those include the parent's open HDF5 files, whose `flock` locks the child would otherwise share and keep, so
/// that the parent could not reopen a file it just wrote.
static inline int bm_h5_validate_file(const char *path, int ready) {
    bm_h5_validate_close_inherited(ready);
    char byte = 1;
    while (write(ready, &byte, 1) < 0 && errno == EINTR) {}
    close(ready);
    // The parent's crash handlers (the Swift runtime's backtracer) must not run here: a crash is the answer, and
    // libhdf5's or glibc's complaints about a damaged file are not the researcher's business.
    signal(SIGSEGV, SIG_DFL); signal(SIGBUS, SIG_DFL); signal(SIGABRT, SIG_DFL); signal(SIGFPE, SIG_DFL);
    signal(SIGILL, SIG_DFL);
    int quiet = open("/dev/null", O_WRONLY);
    if (quiet >= 0) { dup2(quiet, 1); dup2(quiet, 2); }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    // libhdf5 reads memory it never initialised on some damaged files (e.g. H5A__attr_release_table closes the
    // entries of an attribute table whose building failed halfway). What that memory holds depends on earlier
    // allocations, so the same file can pass here and crash the parent, or corrupt its heap. Poisoning every
    // allocation makes such reads deterministic: libhdf5's free lists, emptied before the clone, are kept empty
    // (each block then comes from malloc), and malloc fills each block with 0xa5 bytes, never a valid pointer.
    H5set_free_list_limits(0, 0, 0, 0, 0, 0);
    mallopt(M_PERTURB, 0x5a);
    bm_h5_heap_register_raw_conversion();
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) return 0;
    bm_h5_validate_state state = { 0 };
    state.descriptor = open(path, O_RDONLY);
    hid_t creation = H5Fget_create_plist(file);
    if (creation >= 0) {
        hsize_t user_block = 0;
        if (H5Pget_userblock(creation, &user_block) >= 0) state.base = user_block;
        H5Pget_sizes(creation, &state.address_bytes, &state.length_bytes);
        H5Pclose(creation);
    }
    struct stat information;
    state.heap.descriptor = state.descriptor;
    state.heap.base = state.base;
    state.heap.file_size = state.descriptor >= 0 && fstat(state.descriptor, &information) == 0
                         ? (uint64_t)information.st_size : 0;
    state.heap.address_bytes = state.address_bytes;
    state.heap.length_bytes = state.length_bytes;
    hid_t root = H5Gopen2(file, "/", H5P_DEFAULT);
    if (root >= 0) {
        bm_h5_validate_object(root, &state);
        H5Gclose(root);
    }
    // Closing frees libhdf5's structures for the file, and a request too large for the small bins makes glibc
    // consolidate this arena's fast bins and sort its unsorted chunks, checking each chunk's size and links: a
    // damaged file that corrupted the heap without crashing yet makes glibc abort here, in the child. (Not H5close:
    // it would also flush files the parent has open for writing. Not malloc_trim: it locks every arena in turn,
    // and an arena another thread of the parent held at the clone stays locked in the child forever.)
    H5Fclose(file);
    if (state.descriptor >= 0) close(state.descriptor);
    bm_h5_heap_reader_close(&state.heap);
    void *volatile sorting = malloc(64 * 1024);  // volatile: the compiler may drop a malloc that is only freed
    free(sorting);
    return state.inconsistent;
}
