// The JSON scanner that routes read payloads with (no DOM) against
// boost::json on the same bytes: it must accept exactly what boost::json
// accepts, and find the same kind of value (and the same string) at a path.
//   input: path ---- document
#include <boost/json.hpp>
#include <string>

#include "fuzz_input.hpp"
#include "routing/field_value.hpp"
#include "routing/json_scanner.hpp"
#include "sluice/common/json_path.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  using routing::FieldValue;
  using routing::JsonScanner;
  auto parts = fuzz::split_parts(fuzz::as_text(data, size), 2);
  std::string_view doc = parts[1];

  boost::system::error_code ec;
  boost::json::value dom = boost::json::parse(doc, ec);
  bool valid = !ec;
  FUZZ_CHECK(JsonScanner::is_valid(doc) == valid);

  std::string error;
  auto path = common::JsonPath::compile(parts[0], error);
  if (!path) return 0;
  std::string scratch;
  auto found = JsonScanner::validate_and_find(doc, *path, scratch);
  FUZZ_CHECK(found.has_value() == valid);
  if (!valid) return 0;
  FieldValue expected = FieldValue::of_json(path->find(dom));
  FUZZ_CHECK(found->kind == expected.kind);
  if (expected.kind == FieldValue::Kind::kString) FUZZ_CHECK(found->string == expected.string);
  if (expected.kind == FieldValue::Kind::kBool) FUZZ_CHECK(found->boolean == expected.boolean);
  // find() on a document known to be valid agrees with validate_and_find().
  std::string scratch2;
  FieldValue again = JsonScanner::find(doc, *path, scratch2);
  FUZZ_CHECK(again.kind == found->kind);
  return 0;
}
