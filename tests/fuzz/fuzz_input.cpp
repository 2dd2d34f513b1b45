// See fuzz_input.hpp.
#include "fuzz_input.hpp"

#include <cstdio>
#include <cstdlib>

namespace sluice::fuzz {

void invariant_failed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
  std::abort();
}

}  // namespace sluice::fuzz
