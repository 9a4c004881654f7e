// Part of the validation walk in shim.h: the datatypes of datasets and attributes, checked before libhdf5 converts
// values of them.
//
// libhdf5 1.10 decodes a datatype message without checking that its sizes agree (HDF5 specification, IV.A.2.d
// "Datatype Message"): an enumeration's values are copied with its base type's size, whatever the enumeration's
// own size says; a compound member may lie past the end of the compound; a number's bit fields may lie past its
// bytes. Conversions then read and write past their buffers, which crashes or not depending on what lies around
// them. No file libhdf5 wrote holds such a type (its own API refuses to build one), so the child refuses them all.
#include <hdf5.h>

/// Exit status of a child that found a datatype whose sizes do not agree.
#define BM_H5_VALIDATE_DATATYPE 6

/// Whether the sizes of `type` and of every type inside it agree. Types libhdf5 cannot describe count as
/// consistent: it reports those as errors itself.
static inline int bm_h5_datatype_consistent(hid_t type, int depth) {
    if (depth > 32) return 1;
    size_t size = H5Tget_size(type);
    H5T_class_t kind = H5Tget_class(type);
    int consistent = 1;
    if (kind == H5T_INTEGER || kind == H5T_FLOAT || kind == H5T_BITFIELD) {
        size_t precision = H5Tget_precision(type);
        int offset = H5Tget_offset(type);
        if (size == 0 || precision == 0 || offset < 0 || (size_t)offset + precision > 8 * size) return 0;
        if (kind == H5T_FLOAT) {
            size_t sign = 0, exponent = 0, exponent_bits = 0, mantissa = 0, mantissa_bits = 0;
            if (H5Tget_fields(type, &sign, &exponent, &exponent_bits, &mantissa, &mantissa_bits) < 0) return 1;
            // Conversions read the exponent into a 64-bit integer.
            consistent = sign < 8 * size && exponent_bits > 0 && exponent_bits <= 64 && mantissa_bits > 0
                && exponent + exponent_bits <= 8 * size && mantissa + mantissa_bits <= 8 * size;
        }
    } else if (kind == H5T_ENUM || kind == H5T_ARRAY || (kind == H5T_VLEN && H5Tis_variable_str(type) <= 0)) {
        hid_t base = H5Tget_super(type);
        if (base < 0) return 1;
        size_t base_size = H5Tget_size(base);
        if (kind == H5T_ENUM) consistent = base_size == size;
        if (kind == H5T_ARRAY) {
            hsize_t dimensions[H5S_MAX_RANK];
            int rank = H5Tget_array_ndims(type);
            hsize_t elements = 1;
            if (rank > 0 && rank <= H5S_MAX_RANK && H5Tget_array_dims2(type, dimensions) == rank) {
                for (int axis = 0; axis < rank && consistent; axis++) {
                    consistent = dimensions[axis] == 0 || elements <= (hsize_t)SIZE_MAX / dimensions[axis];
                    elements *= dimensions[axis];
                }
                consistent = consistent && (base_size == 0 || elements <= (hsize_t)SIZE_MAX / base_size)
                    && elements * base_size == size;
            }
        }
        consistent = consistent && bm_h5_datatype_consistent(base, depth + 1);
        H5Tclose(base);
    } else if (kind == H5T_COMPOUND) {
        int members = H5Tget_nmembers(type);
        for (int member = 0; member < members && consistent; member++) {
            hid_t member_type = H5Tget_member_type(type, (unsigned)member);
            if (member_type < 0) continue;
            size_t offset = H5Tget_member_offset(type, (unsigned)member), member_size = H5Tget_size(member_type);
            consistent = offset <= size && member_size <= size - offset
                && bm_h5_datatype_consistent(member_type, depth + 1);
            H5Tclose(member_type);
        }
    }
    return consistent;
}
