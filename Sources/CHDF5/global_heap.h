// Part of the validation walk in shim.h: the global heap references of variable-length values, checked before
// libhdf5 follows them.
//
// A variable-length string or sequence is stored as a reference: a 4-byte element count, the address of a global
// heap collection and a 4-byte object index (HDF5 specification, VII "Global Heap Collection", and the "Variable-
// Length" datatype class of IV.A.2.d). libhdf5 1.10 trusts all of it: H5HG_read copies the object its index names
// without checking that the index exists (a wild pointer otherwise), and copies the object's whole size into a
// buffer sized by the reference's count (an overflow when the object is larger). Decoding the collection itself
// trusts each object's size, and a free-space object of size 0 makes it loop forever. Whether any of this crashes
// depends on what lies around libhdf5's buffers, so the child could pass a file that then crashes the parent: the
// child reads the raw references and the collections itself and refuses what libhdf5 would misread.
#include <hdf5.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/// Exit statuses of a child that found a damaged global heap collection, or a reference that does not match it.
#define BM_H5_VALIDATE_HEAP_COLLECTION 4
#define BM_H5_VALIDATE_HEAP_REFERENCE 5

/// One global heap collection as libhdf5 decodes it: for each object index, where its header starts and its size.
typedef struct {
    uint64_t address;               // of the collection (relative to the base address), 0 = slot unused
    size_t count;                   // object indexes 0 ..< count
    size_t *starts;                 // of each object's header from the collection's start, SIZE_MAX = absent
    uint64_t *sizes;
} bm_h5_heap_collection;

#define BM_H5_HEAP_CACHED 8

/// The file's parameters and the collections read so far (a few: references usually follow each other).
typedef struct {
    int descriptor;
    uint64_t base, file_size;
    size_t address_bytes, length_bytes;
    bm_h5_heap_collection cached[BM_H5_HEAP_CACHED];
    size_t next_slot;
} bm_h5_heap_reader;

static inline uint64_t bm_h5_heap_decode(const unsigned char *bytes, size_t count) {
    uint64_t value = 0;
    for (size_t index = count; index > 0; index--) value = value << 8 | bytes[index - 1];
    return value;
}

static inline void bm_h5_heap_reader_close(bm_h5_heap_reader *reader) {
    for (size_t slot = 0; slot < BM_H5_HEAP_CACHED; slot++) {
        free(reader->cached[slot].starts);
        free(reader->cached[slot].sizes);
        reader->cached[slot] = (bm_h5_heap_collection){ 0, 0, NULL, NULL };
    }
}

/// Reads the collection at `address` and walks its objects as libhdf5's H5HG__cache_heap_deserialize does.
/// Returns 0 and fills `collection`, BM_H5_VALIDATE_HEAP_COLLECTION when libhdf5 would misread it, or -1 when
/// libhdf5 refuses it itself (not a collection, or a version it does not know) or memory runs out.
static inline int bm_h5_heap_load(const bm_h5_heap_reader *reader, uint64_t address,
                                  bm_h5_heap_collection *collection) {
    const size_t header = 8 + reader->length_bytes;               // "GCOL", version, 3 reserved, size
    const size_t object_header = 8 + reader->length_bytes;        // index, references, 4 reserved, size
    if (address >= reader->file_size - reader->base || reader->file_size - reader->base - address < header) {
        return BM_H5_VALIDATE_HEAP_COLLECTION;
    }
    unsigned char prefix[16];
    if (pread(reader->descriptor, prefix, header, (off_t)(reader->base + address)) != (ssize_t)header) return -1;
    if (memcmp(prefix, "GCOL", 4) != 0 || prefix[4] != 1) return -1;
    uint64_t size = bm_h5_heap_decode(prefix + 8, reader->length_bytes);
    // libhdf5 reads the whole collection, zeros past the end of the file included (a zero-sized free-space
    // object: an endless loop).
    if (size < header || size > reader->file_size - reader->base - address) return BM_H5_VALIDATE_HEAP_COLLECTION;
    unsigned char *bytes = malloc((size_t)size);
    if (bytes == NULL) return -1;
    if (pread(reader->descriptor, bytes, (size_t)size, (off_t)(reader->base + address)) != (ssize_t)size) {
        free(bytes);
        return -1;
    }
    size_t capacity = 16, count = 1;
    size_t *starts = malloc(capacity * sizeof *starts);
    uint64_t *sizes = malloc(capacity * sizeof *sizes);
    int outcome = 0;
    if (starts == NULL || sizes == NULL) outcome = -1;
    if (outcome == 0) starts[0] = SIZE_MAX;
    for (size_t at = header; outcome == 0 && at < size;) {
        if (size - at < object_header) break;                     // a tail too small for an object: free space
        size_t index = (size_t)bm_h5_heap_decode(bytes + at, 2);
        uint64_t length = bm_h5_heap_decode(bytes + at + 8, reader->length_bytes);
        // Index 0 is the free space, its size counting its header and unpadded; the others are padded to 8 bytes.
        uint64_t need = index == 0 ? length : object_header + ((length + 7) & ~(uint64_t)7);
        if (length > size || need < object_header || need > size - at) {
            outcome = BM_H5_VALIDATE_HEAP_COLLECTION;
            break;
        }
        if (index >= capacity) {
            size_t grown = capacity;
            while (grown <= index) grown *= 2;
            size_t *more_starts = realloc(starts, grown * sizeof *starts);
            if (more_starts != NULL) starts = more_starts;
            uint64_t *more_sizes = more_starts == NULL ? NULL : realloc(sizes, grown * sizeof *sizes);
            if (more_sizes == NULL) { outcome = -1; break; }
            sizes = more_sizes;
            capacity = grown;
        }
        for (; count <= index; count++) starts[count] = SIZE_MAX;
        starts[index] = at;                                       // a repeated index: libhdf5 keeps the last
        sizes[index] = length;
        at += (size_t)need;
    }
    free(bytes);
    if (outcome != 0) {
        free(starts);
        free(sizes);
        return outcome;
    }
    *collection = (bm_h5_heap_collection){ address, count, starts, sizes };
    return 0;
}

/// Checks one disk reference (`reference`: count, collection address, object index) of a variable-length value
/// whose elements take `element_size` bytes on disk (0: unknown, the count is then not compared).
/// Returns 0 when libhdf5 can follow it, or the child's exit status that refuses the file.
static inline int bm_h5_heap_check_reference(bm_h5_heap_reader *reader, const unsigned char *reference,
                                             size_t element_size) {
    uint64_t count = bm_h5_heap_decode(reference, 4);
    uint64_t address = bm_h5_heap_decode(reference + 4, reader->address_bytes);
    uint64_t index = bm_h5_heap_decode(reference + 4 + reader->address_bytes, 4);
    if (address == 0) return 0;                                   // a null value: libhdf5 reads nothing
    bm_h5_heap_collection *collection = NULL;
    for (size_t slot = 0; slot < BM_H5_HEAP_CACHED; slot++) {
        if (reader->cached[slot].starts != NULL && reader->cached[slot].address == address) {
            collection = &reader->cached[slot];
        }
    }
    if (collection == NULL) {
        bm_h5_heap_collection loaded;
        int outcome = bm_h5_heap_load(reader, address, &loaded);
        if (outcome < 0) return 0;                                // libhdf5 reports it as an error itself
        if (outcome > 0) return outcome;
        collection = &reader->cached[reader->next_slot];
        free(collection->starts);
        free(collection->sizes);
        *collection = loaded;
        reader->next_slot = (reader->next_slot + 1) % BM_H5_HEAP_CACHED;
    }
    if (index == 0 || index >= collection->count || collection->starts[index] == SIZE_MAX) {
        return BM_H5_VALIDATE_HEAP_REFERENCE;
    }
    // libhdf5 copies the object's whole size into a buffer of count × element size bytes: a larger object
    // overflows it, a smaller one leaves part of it unset (read as nested references when elements are).
    if (element_size > 0 && (count > UINT64_MAX / element_size || count * element_size != collection->sizes[index])) {
        return BM_H5_VALIDATE_HEAP_REFERENCE;
    }
    return 0;
}

/// The tag of the opaque memory type through which the child reads variable-length values' raw references.
#define BM_H5_HEAP_RAW_TAG "bm: raw variable-length references"

/// A conversion from a variable-length type as the file stores it to the opaque type above (of the same size) that
/// leaves the bytes as they are: reading a value through it gives its references, without following them.
static inline herr_t bm_h5_heap_raw_conversion(hid_t source, hid_t destination, H5T_cdata_t *data, size_t count,
                                               size_t stride, size_t background_stride, void *buffer,
                                               void *background, hid_t transfer) {
    (void)count; (void)stride; (void)background_stride; (void)buffer; (void)background; (void)transfer;
    if (data->command != H5T_CONV_INIT) return 0;
    data->need_bkg = H5T_BKG_NO;
    if (H5Tget_class(destination) != H5T_OPAQUE || H5Tget_size(source) != H5Tget_size(destination)) return -1;
    char *tag = H5Tget_tag(destination);
    int ours = tag != NULL && strcmp(tag, BM_H5_HEAP_RAW_TAG) == 0;
    H5free_memory(tag);
    return ours ? 0 : -1;
}

/// Registers the conversion above (in the child only: the parent never reads raw references).
static inline void bm_h5_heap_register_raw_conversion(void) {
    hid_t variable = H5Tvlen_create(H5T_NATIVE_UCHAR), opaque = H5Tcreate(H5T_OPAQUE, 16);
    if (variable >= 0 && opaque >= 0 && H5Tset_tag(opaque, BM_H5_HEAP_RAW_TAG) >= 0) {
        H5Tregister(H5T_PERS_SOFT, "bm raw variable-length references", variable, opaque,
                    bm_h5_heap_raw_conversion);
    }
    if (variable >= 0) H5Tclose(variable);
    if (opaque >= 0) H5Tclose(opaque);
}

/// Size on disk of one element of the variable-length type `type` (as H5Dget_type or H5Aget_type return it):
/// 1 for a string, the base type's size for a sequence of fixed-size values, a reference's size for a sequence
/// of variable-length values; 0 when unknown (a compound or array holding variable-length members).
static inline size_t bm_h5_heap_element_size(hid_t type, const bm_h5_heap_reader *reader) {
    if (H5Tis_variable_str(type) > 0) return 1;
    hid_t base = H5Tget_super(type);
    if (base < 0) return 0;
    size_t size = 0;
    if (H5Tis_variable_str(base) > 0 || H5Tget_class(base) == H5T_VLEN) {
        size = 8 + reader->address_bytes;
    } else if (H5Tdetect_class(base, H5T_VLEN) <= 0 && H5Tis_variable_str(base) <= 0) {
        size = H5Tget_size(base);
    }
    H5Tclose(base);
    return size;
}

/// Reads the raw references of the `count` values of the variable-length dataset or attribute `object` (of type
/// `type`, a variable-length string or sequence) and checks each. Returns 0, or the exit status that refuses the
/// file. Values libhdf5 cannot read (it reports why itself) and values nested deeper are not checked.
static inline int bm_h5_heap_check_values(bm_h5_heap_reader *reader, hid_t type, hssize_t count, int is_attribute,
                                          hid_t object, hsize_t limit) {
    if (count <= 0 || reader->descriptor < 0 || reader->file_size <= reader->base || reader->address_bytes == 0 || reader->address_bytes > 8
        || reader->length_bytes == 0 || reader->length_bytes > 8) return 0;
    if (H5Tis_variable_str(type) <= 0 && H5Tget_class(type) != H5T_VLEN) return 0;
    size_t reference_size = 8 + reader->address_bytes;
    if ((hsize_t)count > limit / reference_size) return 0;
    size_t element_size = bm_h5_heap_element_size(type, reader);
    hid_t opaque = H5Tcreate(H5T_OPAQUE, reference_size);
    if (opaque < 0) return 0;
    int outcome = 0;
    unsigned char *references = H5Tset_tag(opaque, BM_H5_HEAP_RAW_TAG) < 0 ? NULL
                              : calloc((size_t)count, reference_size);
    if (references != NULL) {
        herr_t status = is_attribute ? H5Aread(object, opaque, references)
                                     : H5Dread(object, opaque, H5S_ALL, H5S_ALL, H5P_DEFAULT, references);
        for (hssize_t index = 0; status >= 0 && outcome == 0 && index < count; index++) {
            outcome = bm_h5_heap_check_reference(reader, references + (size_t)index * reference_size, element_size);
        }
        free(references);
    }
    H5Tclose(opaque);
    return outcome;
}
