// Compiles a `where` spec (JSON, from YAML or a Lua table) into a Predicate.
//
//   where     := { key: spec, ... }    all entries must hold
//              | [ where, ... ]         all must hold
//   key       := "all" | "any" (a list of where) | "not" (a where)
//              | a field: payload path, subject, key, source, node_id,
//                header.<name>, attribute.<name>, payload.<path>
//   spec      := scalar                 same as { eq: scalar }
//              | [ scalar, ... ]        same as { in: [...] }
//              | { op: operand, ... }   all operators must hold
//   op        := eq ne lt le gt ge in not_in prefix suffix contains exists not
//   in/not_in take a list, or { file: path } with one value per line
#include <algorithm>

#include "routing/predicate.hpp"
#include "routing/predicate_nodes.hpp"
#include "routing/value_list_file.hpp"

namespace sluice::routing {

using predicate_detail::Node;
using predicate_detail::Op;
using predicate_detail::Operand;
using predicate_detail::Test;
using predicate_detail::ValueSet;

namespace {

// Lists longer than this are looked up by hash instead of by scanning.
constexpr size_t kHashedSetThreshold = 8;

constexpr std::string_view kOperatorList =
    "eq, ne, lt, le, gt, ge, in, not_in, prefix, suffix, contains, exists, not";

std::optional<Op> operator_named(std::string_view name) {
  static constexpr std::pair<std::string_view, Op> kOps[] = {
      {"eq", Op::kEq},
      {"ne", Op::kNe},
      {"lt", Op::kLt},
      {"le", Op::kLe},
      {"gt", Op::kGt},
      {"ge", Op::kGe},
      {"in", Op::kIn},
      {"not_in", Op::kNotIn},
      {"prefix", Op::kPrefix},
      {"suffix", Op::kSuffix},
      {"contains", Op::kContains},
      {"exists", Op::kExists},
  };
  for (const auto& [n, op] : kOps)
    if (n == name) return op;
  return std::nullopt;
}

std::string_view kind_name(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return "a number";
    case boost::json::kind::string:
      return "a string";
    case boost::json::kind::array:
      return "a list";
    case boost::json::kind::object:
      return "an object";
  }
  return "?";
}

bool is_scalar(const boost::json::value& v) { return !v.is_array() && !v.is_object(); }

Operand make_operand(const boost::json::value& v) {
  Operand o;
  if (v.is_string()) {
    o.type = Operand::Type::kString;
    o.string = std::string(v.get_string());
    o.string_number = parse_number(o.string);
  } else if (v.is_bool()) {
    o.type = Operand::Type::kBool;
    o.boolean = v.get_bool();
  } else if (v.is_null()) {
    o.type = Operand::Type::kNull;
  } else {
    o.type = Operand::Type::kNumber;
    FieldValue fv = FieldValue::of_json(&v);
    o.number = fv.number;
  }
  return o;
}

}  // namespace

class PredicateCompiler {
 public:
  PredicateCompiler(std::vector<std::string>& errors, std::string_view files_dir)
      : errors_(errors), files_dir_(files_dir) {}

  std::optional<Predicate> run(const boost::json::value& spec, std::string_view context) {
    size_t errors_before = errors_.size();
    Node root = compile_where(spec, std::string(context));
    if (errors_.size() != errors_before) return std::nullopt;
    Predicate p;
    *p.root_ = std::move(root);
    p.fields_ = std::move(fields_);
    for (const auto& f : p.fields_)
      if (f.reads_payload()) p.payload_paths_.push_back(&f.path());
    return p;
  }

 private:
  void error(const std::string& where, std::string what) {
    errors_.push_back(where + ": " + std::move(what));
  }

  Node compile_where(const boost::json::value& spec, const std::string& where) {
    if (spec.is_array()) return compile_list(spec.get_array(), Node::Kind::kAll, where);
    if (!spec.is_object()) {
      error(where, "expected an object of field tests or a list of them, got " +
                       std::string(kind_name(spec)));
      return {};
    }
    Node all;
    all.kind = Node::Kind::kAll;
    for (const auto& entry : spec.get_object()) {
      std::string_view key = entry.key();
      std::string here = where + "." + std::string(key);
      if (key == "all" || key == "any") {
        if (!entry.value().is_array()) {
          error(here,
                "expected a list of conditions, got " + std::string(kind_name(entry.value())));
          continue;
        }
        all.children.push_back(compile_list(
            entry.value().get_array(), key == "all" ? Node::Kind::kAll : Node::Kind::kAny, here));
      } else if (key == "not") {
        all.children.push_back(negate(compile_where(entry.value(), here)));
      } else {
        all.children.push_back(compile_field(key, entry.value(), here));
      }
    }
    return finish(std::move(all));
  }

  Node compile_list(const boost::json::array& list, Node::Kind kind, const std::string& where) {
    Node n;
    n.kind = kind;
    for (size_t i = 0; i < list.size(); ++i)
      n.children.push_back(compile_where(list[i], where + "[" + std::to_string(i) + "]"));
    return finish(std::move(n));
  }

  static Node negate(Node child) {
    Node n;
    n.kind = Node::Kind::kNot;
    n.reads_payload = child.reads_payload;
    n.children.push_back(std::move(child));
    return n;
  }

  // Simplifies and orders children: tests that do not need the payload run
  // first, so a failing subject test saves the JSON parse. Kleene logic does
  // not depend on the order, so this never changes a result.
  static Node finish(Node n) {
    if (n.kind != Node::Kind::kAll && n.kind != Node::Kind::kAny) return n;
    if (n.children.empty()) {
      Node c;
      c.constant = n.kind == Node::Kind::kAll;  // all of nothing holds; any of nothing does not
      return c;
    }
    if (n.children.size() == 1) return std::move(n.children.front());
    std::stable_partition(n.children.begin(), n.children.end(),
                          [](const Node& c) { return !c.reads_payload; });
    for (const auto& c : n.children) n.reads_payload |= c.reads_payload;
    return n;
  }

  uint32_t field_index(std::string_view name, const std::string& where, bool& ok) {
    for (uint32_t i = 0; i < fields_.size(); ++i)
      if (fields_[i].name() == name) return i;
    std::string why;
    auto ref = FieldRef::compile(name, why);
    if (!ref) {
      error(where, why);
      ok = false;
      return 0;
    }
    fields_.push_back(std::move(*ref));
    return static_cast<uint32_t>(fields_.size() - 1);
  }

  Node compile_field(std::string_view name, const boost::json::value& spec,
                     const std::string& where) {
    bool ok = true;
    Node n;
    n.kind = Node::Kind::kField;
    n.field = field_index(name, where, ok);
    if (!ok) return n;
    n.reads_payload = fields_[n.field].reads_payload();

    if (is_scalar(spec)) {
      n.tests.push_back(Test{Op::kEq, make_operand(spec), nullptr, {}, true});
      return n;
    }
    if (spec.is_array()) {
      n.tests.push_back(membership(Op::kIn, spec.get_array(), where));
      return n;
    }
    // An operator object; a `not` inside it negates another operator object
    // on the same field.
    if (spec.get_object().empty()) {
      error(where, "expected at least one operator (" + std::string(kOperatorList) + ")");
      return n;
    }
    std::vector<Node> negated;
    for (const auto& entry : spec.get_object()) {
      std::string_view op_name = entry.key();
      std::string here = where + "." + std::string(op_name);
      const boost::json::value& operand = entry.value();
      if (op_name == "not") {
        negated.push_back(negate(compile_field(name, operand, here)));
        continue;
      }
      if (op_name == "matches") {
        error(here,
              "regular expressions are not supported in native rules (use prefix, "
              "suffix, contains, or a Lua handler)");
        continue;
      }
      auto op = operator_named(op_name);
      if (!op) {
        error(here, "unknown operator '" + std::string(op_name) + "' (expected one of " +
                        std::string(kOperatorList) + ")");
        continue;
      }
      if (auto t = compile_test(*op, operand, here)) n.tests.push_back(std::move(*t));
    }
    if (negated.empty()) return n;
    Node all;
    all.kind = Node::Kind::kAll;
    if (!n.tests.empty()) all.children.push_back(std::move(n));
    for (auto& x : negated) all.children.push_back(std::move(x));
    return finish(std::move(all));
  }

  std::optional<Test> compile_test(Op op, const boost::json::value& operand,
                                   const std::string& where) {
    Test t;
    t.op = op;
    switch (op) {
      case Op::kEq:
      case Op::kNe:
        if (!is_scalar(operand)) {
          error(where, "expected a string, number, boolean or null, got " +
                           std::string(kind_name(operand)));
          return std::nullopt;
        }
        t.operand = make_operand(operand);
        return t;
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe:
        if (!operand.is_number() && !operand.is_string()) {
          error(where, "expected a number (or a string to compare in text order), got " +
                           std::string(kind_name(operand)));
          return std::nullopt;
        }
        t.operand = make_operand(operand);
        return t;
      case Op::kIn:
      case Op::kNotIn:
        if (operand.is_object()) return membership_from_file(op, operand.get_object(), where);
        if (!operand.is_array()) {
          error(where, "expected a list or { file: path }, got " + std::string(kind_name(operand)));
          return std::nullopt;
        }
        return membership(op, operand.get_array(), where);
      case Op::kPrefix:
      case Op::kSuffix:
      case Op::kContains:
        if (operand.is_string()) {
          t.strings.emplace_back(operand.get_string());
          return t;
        }
        if (operand.is_array() && !operand.get_array().empty() &&
            std::all_of(operand.get_array().begin(), operand.get_array().end(),
                        [](const auto& v) { return v.is_string(); })) {
          for (const auto& v : operand.get_array()) t.strings.emplace_back(v.get_string());
          return t;
        }
        error(where, "expected a string or a non-empty list of strings, got " +
                         std::string(kind_name(operand)));
        return std::nullopt;
      case Op::kExists:
        if (!operand.is_bool()) {
          error(where, "expected true or false, got " + std::string(kind_name(operand)));
          return std::nullopt;
        }
        t.exists = operand.get_bool();
        return t;
    }
    return std::nullopt;
  }

  std::optional<Test> membership_from_file(Op op, const boost::json::object& spec,
                                           const std::string& where) {
    const auto* file = spec.if_contains("file");
    if (spec.size() != 1 || !file || !file->is_string() || file->get_string().empty()) {
      error(where, "expected a list or { file: path } (one value per line)");
      return std::nullopt;
    }
    std::string why;
    auto values = read_value_file(std::string(file->get_string()), files_dir_, why);
    if (!values) {
      error(where + ".file", why);
      return std::nullopt;
    }
    return membership(op, *values, where);
  }

  Test membership(Op op, const boost::json::array& list, const std::string& where) {
    auto set = std::make_shared<ValueSet>();
    set->hashed = list.size() > kHashedSetThreshold;
    for (size_t i = 0; i < list.size(); ++i) {
      const auto& v = list[i];
      if (!is_scalar(v)) {
        error(where + "[" + std::to_string(i) + "]",
              "list members must be strings, numbers, booleans or null, got " +
                  std::string(kind_name(v)));
        continue;
      }
      Operand o = make_operand(v);
      switch (o.type) {
        case Operand::Type::kString:
          if (set->hashed)
            set->string_set.insert(o.string);
          else
            set->strings.push_back(o.string);
          if (o.string_number) {
            set->string_numbers.push_back(*o.string_number);
            set->string_number_set.insert(o.string_number->real);
          }
          break;
        case Operand::Type::kNumber:
          set->numbers.push_back(o.number);
          set->number_set.insert(o.number.real);
          break;
        case Operand::Type::kBool:
          (o.boolean ? set->has_true : set->has_false) = true;
          break;
        case Operand::Type::kNull:
          set->has_null = true;
          break;
      }
    }
    Test t;
    t.op = op;
    t.set = std::move(set);
    return t;
  }

  std::vector<std::string>& errors_;
  std::string_view files_dir_;
  std::vector<FieldRef> fields_;
};

std::optional<Predicate> Predicate::compile(const boost::json::value& spec,
                                            std::vector<std::string>& errors,
                                            std::string_view context, std::string_view files_dir) {
  return PredicateCompiler(errors, files_dir).run(spec, context);
}

}  // namespace sluice::routing
