// ${VAR} / ${VAR:-default} / $${ expansion on any text: never crashes, and
// text without a `$` comes back unchanged and without problems.
#include <optional>
#include <string>
#include <vector>

#include "config/env_interpolation.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  std::string_view text = fuzz::as_text(data, size);
  auto env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "FUZZ_UNSET") return std::nullopt;
    if (name == "FUZZ_EMPTY") return std::string();
    if (name == "FUZZ_NESTED") return std::string("${FUZZ_UNSET}");  // never re-expanded
    return std::string(name);
  };
  std::vector<std::string> problems;
  std::string out = config::interpolate_env(text, env, problems);
  if (text.find('$') == std::string_view::npos) {
    FUZZ_CHECK(out == text);
    FUZZ_CHECK(problems.empty());
  }
  return 0;
}
