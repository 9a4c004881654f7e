// OpenBLAS's CBLAS (with openblas_set_num_threads) and the reference LAPACKE C interface, which Debian links
// against OpenBLAS's LAPACK through the liblapack.so.3 alternative.
#include <cblas.h>
#include <lapacke.h>

// OpenBLAS's own controls of its thread pool, exported by libopenblas 0.3 but declared in no installed header:
// `openblas_read_env` reads the OPENBLAS_* environment again (the library reads it once, when it is loaded), and
// `blas_thread_shutdown_` stops the worker threads, which the next threaded call starts again (as after fork()).
// `openblas_thread_timeout` gives the idle workers' spin limit (log2 of cycles) from the environment last read.
void openblas_read_env(void);
int openblas_thread_timeout(void);
int blas_thread_shutdown_(void);
