// The request target of a WebSocket upgrade ("/ws?token=..&subject=a.b"):
// any bytes split into a path and decoded parameters without crashing, and
// comma lists split into non-empty items.
#include <sluice/common/url_target.hpp>
#include <string>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::common;
  std::string_view text = sluice::fuzz::as_text(data, size);
  UrlTarget target = parse_target(text);
  FUZZ_CHECK(target.path.size() <= text.size());
  for (const auto& [name, value] : target.params) split_list(value);
  for (const auto& item : split_list(text)) FUZZ_CHECK(!item.empty());
  return 0;
}
