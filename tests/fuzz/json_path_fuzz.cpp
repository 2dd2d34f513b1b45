// JSON paths ("data.items[2].id") and the edits transforms make with them:
// compiling any text never crashes; after set_at succeeds the path finds the
// value set; after remove_at succeeds it finds nothing; lenient paths never
// throw.
//   input: path ---- document
#include <boost/json.hpp>
#include <string>

#include "fuzz_input.hpp"
#include "routing/json_edit.hpp"
#include "sluice/common/json_path.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  using common::JsonPath;
  auto parts = fuzz::split_parts(fuzz::as_text(data, size), 2);
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(parts[1], ec);
  if (ec) root = boost::json::object{};

  JsonPath::find_lenient(root, parts[0]);
  JsonPath::lenient(parts[0]).find(root);
  std::string error;
  auto path = JsonPath::compile(parts[0], error);
  if (!path) {
    FUZZ_CHECK(!error.empty());
    return 0;
  }
  FUZZ_CHECK(path->find(root) == JsonPath::find_lenient(root, parts[0]));

  boost::json::value edited = root;
  std::string set_error = routing::set_at(edited, *path, boost::json::value("fuzz-marker"));
  if (set_error.empty() && !path->steps().empty()) {
    const boost::json::value* at = path->find(edited);
    FUZZ_CHECK(at != nullptr && *at == boost::json::value("fuzz-marker"));
    FUZZ_CHECK(routing::remove_at(edited, *path));
    FUZZ_CHECK(path->find(edited) == nullptr || path->steps().back().is_index());
  }
  boost::json::value taken = root;
  routing::take_at(taken, *path);
  return 0;
}
