// OpenBLAS's CBLAS (with openblas_set_num_threads) and the reference LAPACKE C interface, which Debian links
// against OpenBLAS's LAPACK through the liblapack.so.3 alternative.
#include <cblas.h>
#include <lapacke.h>
