// The config loader on any text (what `sluice check` reads): never throws,
// never crashes, and every problem it reports says where and what.
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  // Variables resolve deterministically: FUZZ_EMPTY is empty, FUZZ_UNSET is
  // unset, every other name is its own value.
  auto env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "FUZZ_UNSET") return std::nullopt;
    if (name == "FUZZ_EMPTY") return std::string();
    return std::string(name);
  };
  std::vector<config::Diagnostic> errors;
  config::load_config_text(fuzz::as_text(data, size), "/nonexistent/fuzz/sluice.yaml", errors, env);
  for (const auto& e : errors) {
    FUZZ_CHECK(!e.where.file.empty());
    FUZZ_CHECK(!e.message.empty());
  }
  return 0;
}
