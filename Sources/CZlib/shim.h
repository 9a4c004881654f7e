// zlib (Debian zlib1g-dev): raw deflate/inflate for NPZ members and crc32 for zip integrity checks.
#include <zlib.h>
