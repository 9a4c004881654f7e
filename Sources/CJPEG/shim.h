// libjpeg-turbo through its TurboJPEG API, which catches libjpeg's longjmp-based errors in C and returns -1 with a
// message (tjGetErrorStr2), so no longjmp ever crosses a Swift frame.
#include <turbojpeg.h>
