// The compiled form of a Predicate (internal to predicate*.cpp): a tree of
// logical nodes whose leaves run tests on one field each.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "routing/field_value.hpp"
#include "routing/string_hash.hpp"

namespace sluice::routing::predicate_detail {

// A literal written in the spec, with its number reading precomputed.
struct Operand {
  enum class Type : uint8_t { kNull, kBool, kNumber, kString };
  Type type = Type::kNull;
  bool boolean = false;
  Number number;                        // kNumber
  std::string string;                   // kString
  std::optional<Number> string_number;  // kString that reads as a number ("12.50")
};

// Members of an `in` list, split by type; hashed when the list is long.
struct ValueSet {
  std::vector<std::string> strings;  // used when short
  StringSet string_set;              // used when long
  bool hashed = false;
  std::vector<Number> numbers;         // from JSON numbers
  std::vector<Number> string_numbers;  // from strings that read as numbers
  std::unordered_set<double> number_set;
  std::unordered_set<double> string_number_set;
  bool has_null = false;
  bool has_true = false;
  bool has_false = false;
};

enum class Op : uint8_t {
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,
  kNotIn,
  kPrefix,
  kSuffix,
  kContains,
  kExists,
};

struct Test {
  Op op = Op::kEq;
  Operand operand;
  std::shared_ptr<const ValueSet> set;  // kIn, kNotIn
  std::vector<std::string> strings;     // kPrefix, kSuffix, kContains: any of them
  bool exists = true;                   // kExists
};

struct Node {
  enum class Kind : uint8_t { kConst, kAll, kAny, kNot, kField };
  Kind kind = Kind::kConst;
  bool constant = true;  // kConst
  bool reads_payload = false;
  uint32_t field = 0;  // kField: index into Predicate::fields()
  std::vector<Test> tests;
  std::vector<Node> children;
};

}  // namespace sluice::routing::predicate_detail
