#include "routing/field_ref.hpp"

namespace sluice::routing {

namespace {

// A payload parsed already (by a Lua handler, a transform) is read from its
// DOM for free. Written so it compiles whether or not the Envelope in this
// tree offers json_parsed().
template <class E>
bool dom_ready(const E& e) {
  if constexpr (requires { e.json_parsed(); })
    return e.json_parsed();
  else
    return false;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::optional<FieldRef> FieldRef::compile(std::string_view name, std::string& error) {
  FieldRef ref;
  ref.name_ = std::string(name);
  if (name.empty()) {
    error = "empty field name";
    return std::nullopt;
  }
  if (name == "subject") {
    ref.kind_ = Kind::kSubject;
  } else if (name == "key") {
    ref.kind_ = Kind::kKey;
  } else if (name == "source") {
    ref.kind_ = Kind::kSource;
  } else if (name == "node_id") {
    ref.kind_ = Kind::kNodeId;
  } else if (starts_with(name, "header.") || starts_with(name, "attribute.")) {
    bool header = starts_with(name, "header.");
    ref.kind_ = header ? Kind::kHeader : Kind::kAttribute;
    ref.argument_ = std::string(name.substr(header ? 7 : 10));
    if (ref.argument_.empty()) {
      error = "field '" + std::string(name) + "': missing the " +
              (header ? "header" : "attribute") + " name after the '.'";
      return std::nullopt;
    }
  } else {
    std::string_view path = name == "payload" ? std::string_view() : name;
    if (starts_with(name, "payload.")) path = name.substr(8);
    auto compiled = JsonPath::compile(path, error);
    if (!compiled) return std::nullopt;
    ref.path_ = std::move(*compiled);
  }
  return ref;
}

FieldValue FieldRef::resolve(const MessageContext& m) const {
  switch (kind_) {
    case Kind::kPayload: {
      if (m.scan && !dom_ready(m.message)) return m.scan->read(m.message.payload, path_);
      const boost::json::value* root = m.message.json();
      if (!root) return FieldValue::not_json();
      return FieldValue::of_json(path_.find(*root));
    }
    case Kind::kSubject:
      return FieldValue::of_string(m.message.subject);
    case Kind::kKey:
      return m.message.key ? FieldValue::of_string(*m.message.key) : FieldValue::missing();
    case Kind::kSource:
      return FieldValue::of_string(m.source);
    case Kind::kNodeId:
      return FieldValue::of_string(m.node_id);
    case Kind::kHeader: {
      const std::string* h = m.message.header(argument_);
      return h ? FieldValue::of_string(*h) : FieldValue::missing();
    }
    case Kind::kAttribute: {
      const std::string* a = m.message.attribute(argument_);
      return a ? FieldValue::of_string(*a) : FieldValue::missing();
    }
  }
  return FieldValue::missing();
}

}  // namespace sluice::routing
