// Evaluation of a compiled Predicate: three-valued (match, no match, could
// not tell because the payload is not JSON), Kleene logic for all/any/not.
#include "routing/predicate.hpp"

#include <algorithm>

#include "routing/predicate_nodes.hpp"

namespace sluice::routing {

using predicate_detail::Node;
using predicate_detail::Op;
using predicate_detail::Operand;
using predicate_detail::Test;
using predicate_detail::ValueSet;

Predicate::Predicate() : root_(std::make_unique<Node>()) {}
Predicate::~Predicate() = default;
Predicate::Predicate(Predicate&&) noexcept = default;
Predicate& Predicate::operator=(Predicate&&) noexcept = default;

bool Predicate::always_matches() const {
  return root_->kind == Node::Kind::kConst && root_->constant;
}

bool Predicate::reads_payload() const { return root_->reads_payload; }

namespace {

bool equals(const FieldValue& v, const Operand& o) {
  switch (o.type) {
    case Operand::Type::kString:
      if (v.kind == FieldValue::Kind::kString) return v.string == o.string;
      if (v.kind == FieldValue::Kind::kNumber && o.string_number)
        return compare_numbers(v.number, *o.string_number) == 0;
      return false;
    case Operand::Type::kNumber: {
      auto n = v.as_number();
      return n && compare_numbers(*n, o.number) == 0;
    }
    case Operand::Type::kBool:
      return v.kind == FieldValue::Kind::kBool && v.boolean == o.boolean;
    case Operand::Type::kNull:
      return v.kind == FieldValue::Kind::kNull;
  }
  return false;
}

// Ordering: numerically when the operand is a number (or a numeric string)
// and the field reads as one; else lexicographically between strings (so
// "2025-10-18 00:51:16" style timestamps compare as expected).
bool ordered(const FieldValue& v, const Operand& o, Op op) {
  int c;
  const Number* operand_number = o.type == Operand::Type::kNumber ? &o.number
                                 : o.string_number                ? &*o.string_number
                                                                  : nullptr;
  if (operand_number) {
    auto n = v.as_number();
    if (!n) return false;
    c = compare_numbers(*n, *operand_number);
  } else {
    if (v.kind != FieldValue::Kind::kString) return false;
    int r = v.string.compare(o.string);
    c = (r > 0) - (r < 0);
  }
  switch (op) {
    case Op::kLt:
      return c < 0;
    case Op::kLe:
      return c <= 0;
    case Op::kGt:
      return c > 0;
    case Op::kGe:
      return c >= 0;
    default:
      return false;
  }
}

bool contains_number(const std::vector<Number>& list, const std::unordered_set<double>& set,
                     bool hashed, const Number& n) {
  if (hashed) return set.count(n.real) != 0;
  for (const auto& x : list)
    if (compare_numbers(x, n) == 0) return true;
  return false;
}

bool member(const FieldValue& v, const ValueSet& s) {
  switch (v.kind) {
    case FieldValue::Kind::kString: {
      bool found = s.hashed
                       ? s.string_set.find(v.string) != s.string_set.end()
                       : std::find(s.strings.begin(), s.strings.end(), v.string) != s.strings.end();
      if (found) return true;
      if (s.numbers.empty()) return false;
      auto n = parse_number(v.string);
      return n && contains_number(s.numbers, s.number_set, s.hashed, *n);
    }
    case FieldValue::Kind::kNumber:
      return contains_number(s.numbers, s.number_set, s.hashed, v.number) ||
             contains_number(s.string_numbers, s.string_number_set, s.hashed, v.number);
    case FieldValue::Kind::kBool:
      return v.boolean ? s.has_true : s.has_false;
    case FieldValue::Kind::kNull:
      return s.has_null;
    default:
      return false;
  }
}

bool text_test(const FieldValue& v, const Test& t) {
  if (v.kind != FieldValue::Kind::kString) return false;
  for (const auto& s : t.strings) {
    bool ok = t.op == Op::kPrefix ? v.string.substr(0, s.size()) == s
              : t.op == Op::kSuffix
                  ? v.string.size() >= s.size() && v.string.substr(v.string.size() - s.size()) == s
                  : v.string.find(s) != std::string_view::npos;
    if (ok) return true;
  }
  return false;
}

bool run_test(const FieldValue& v, const Test& t) {
  switch (t.op) {
    case Op::kEq:
      return equals(v, t.operand);
    case Op::kNe:
      return !equals(v, t.operand);
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
      return ordered(v, t.operand, t.op);
    case Op::kIn:
      return member(v, *t.set);
    case Op::kNotIn:
      return !member(v, *t.set);
    case Op::kPrefix:
    case Op::kSuffix:
    case Op::kContains:
      return text_test(v, t);
    case Op::kExists:
      return (v.kind != FieldValue::Kind::kMissing) == t.exists;
  }
  return false;
}

Verdict eval(const Node& node, const std::vector<FieldRef>& fields, const MessageContext& m) {
  switch (node.kind) {
    case Node::Kind::kConst:
      return node.constant ? Verdict::kMatch : Verdict::kNoMatch;
    case Node::Kind::kField: {
      FieldValue v = fields[node.field].resolve(m);
      if (v.kind == FieldValue::Kind::kNotJson) return Verdict::kNotJson;
      for (const Test& t : node.tests)
        if (!run_test(v, t)) return Verdict::kNoMatch;
      return Verdict::kMatch;
    }
    case Node::Kind::kNot: {
      Verdict r = eval(node.children.front(), fields, m);
      if (r == Verdict::kNotJson) return r;
      return r == Verdict::kMatch ? Verdict::kNoMatch : Verdict::kMatch;
    }
    case Node::Kind::kAll: {
      bool unknown = false;
      for (const Node& c : node.children) {
        Verdict r = eval(c, fields, m);
        if (r == Verdict::kNoMatch) return r;
        unknown |= r == Verdict::kNotJson;
      }
      return unknown ? Verdict::kNotJson : Verdict::kMatch;
    }
    case Node::Kind::kAny: {
      bool unknown = false;
      for (const Node& c : node.children) {
        Verdict r = eval(c, fields, m);
        if (r == Verdict::kMatch) return r;
        unknown |= r == Verdict::kNotJson;
      }
      return unknown ? Verdict::kNotJson : Verdict::kNoMatch;
    }
  }
  return Verdict::kNoMatch;
}

}  // namespace

Verdict Predicate::evaluate(const MessageContext& m) const {
  // The first payload field read notes all of this rule's fields in one
  // validating pass (a rule decided by the subject alone reads none),
  // unless the caller planned a wider set (CompiledRoute::payload_paths).
  if (!m.scan || payload_paths_.empty() || !m.scan->planned().empty())
    return eval(*root_, fields_, m);
  m.scan->plan(payload_paths_);
  Verdict v = eval(*root_, fields_, m);
  m.scan->plan({});
  return v;
}

}  // namespace sluice::routing
