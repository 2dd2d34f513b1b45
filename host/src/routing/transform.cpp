#include "routing/transform.hpp"

#include <boost/json.hpp>

#include "routing/json_edit.hpp"

namespace sluice::routing {

namespace {

std::optional<JsonPath> compile_path(const boost::json::value& v, const std::string& where,
                                     std::vector<std::string>& errors) {
  if (!v.is_string() || v.get_string().empty()) {
    errors.push_back(where + ": expected a payload path such as \"data.DEVICE_ID\"");
    return std::nullopt;
  }
  std::string why;
  auto path = JsonPath::compile(v.get_string(), why);
  if (!path) errors.push_back(where + ": " + why);
  return path;
}

// A field's value as JSON, for a `set` value that is exactly one ${field}.
std::optional<boost::json::value> to_json(const FieldValue& v) {
  if (v.json) return *v.json;
  switch (v.kind) {
    case FieldValue::Kind::kMissing:
    case FieldValue::Kind::kNotJson:
      return std::nullopt;
    case FieldValue::Kind::kNull:
      return boost::json::value(nullptr);
    case FieldValue::Kind::kBool:
      return boost::json::value(v.boolean);
    case FieldValue::Kind::kString:
      return boost::json::value(boost::json::string_view(v.string.data(), v.string.size()));
    case FieldValue::Kind::kNumber:
    case FieldValue::Kind::kObject:
    case FieldValue::Kind::kArray: {
      boost::system::error_code ec;
      auto parsed = boost::json::parse(v.raw, ec);
      if (ec) return std::nullopt;
      return parsed;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Transform> Transform::compile(const boost::json::value& spec,
                                            const std::string& where,
                                            std::vector<std::string>& errors) {
  const size_t errors_before = errors.size();
  if (!spec.is_object()) {
    errors.push_back(where + ": expected an object with rename, set and/or remove");
    return std::nullopt;
  }
  Transform t;
  for (const auto& entry : spec.get_object()) {
    std::string_view key = entry.key();
    const auto& value = entry.value();
    std::string here = where + "." + std::string(key);
    if (key == "rename") {
      if (!value.is_object()) {
        errors.push_back(here + ": expected an object of \"from.path\": \"to.path\"");
        continue;
      }
      for (const auto& r : value.get_object()) {
        std::string at = here + "." + std::string(r.key());
        auto from = compile_path(boost::json::value(r.key()), at, errors);
        auto to = compile_path(r.value(), at, errors);
        if (from && to) t.renames_.push_back({std::move(*from), std::move(*to)});
      }
    } else if (key == "set") {
      if (!value.is_object()) {
        errors.push_back(here + ": expected an object of \"path\": value");
        continue;
      }
      for (const auto& s : value.get_object()) {
        std::string at = here + "." + std::string(s.key());
        auto path = compile_path(boost::json::value(s.key()), at, errors);
        if (!path) continue;
        Set set{std::move(*path), s.value(), std::nullopt, false};
        if (s.value().is_string() &&
            std::string_view(s.value().get_string()).find("${") != std::string_view::npos) {
          std::string why;
          set.value = Template::compile(s.value().get_string(), why);
          if (!set.value) {
            errors.push_back(at + ": " + why);
            continue;
          }
          const auto& fields = set.value->fields();
          set.typed = fields.size() == 1 && set.value->text() == "${" + fields.front().name() + "}";
        }
        t.sets_.push_back(std::move(set));
      }
    } else if (key == "remove") {
      if (value.is_string()) {
        if (auto p = compile_path(value, here, errors)) t.removes_.push_back(std::move(*p));
      } else if (value.is_array()) {
        const auto& list = value.get_array();
        for (size_t i = 0; i < list.size(); ++i)
          if (auto p = compile_path(list[i], here + "[" + std::to_string(i) + "]", errors))
            t.removes_.push_back(std::move(*p));
      } else {
        errors.push_back(here + ": expected a list of payload paths");
      }
    } else {
      errors.push_back(here + ": unknown key '" + std::string(key) +
                       "' (expected rename, set, remove)");
    }
  }
  if (errors.size() != errors_before) return std::nullopt;
  if (t.renames_.empty() && t.sets_.empty() && t.removes_.empty()) {
    errors.push_back(where + ": nothing to do (give rename, set or remove)");
    return std::nullopt;
  }
  return t;
}

std::string Transform::apply(const MessageContext& before, boost::json::value& doc) const {
  // Every value is taken before anything changes (templates may read `doc`).
  std::vector<std::optional<boost::json::value>> values;
  values.reserve(sets_.size());
  std::string text;
  for (const Set& set : sets_) {
    if (!set.value) {
      values.emplace_back(set.literal);
    } else if (set.typed) {
      values.push_back(to_json(set.value->fields().front().resolve(before)));
    } else {
      set.value->render(before, text);
      values.emplace_back(boost::json::string(text));
    }
  }
  for (const Rename& r : renames_) {
    auto moved = take_at(doc, r.from);
    if (!moved) continue;
    if (std::string error = set_at(doc, r.to, std::move(*moved)); !error.empty())
      return "rename " + r.from.text() + " to " + r.to.text() + ": " + error;
  }
  for (size_t i = 0; i < sets_.size(); ++i) {
    if (!values[i]) continue;  // ${field} of a field that is not there
    if (std::string error = set_at(doc, sets_[i].path, std::move(*values[i])); !error.empty())
      return "set " + sets_[i].path.text() + ": " + error;
  }
  for (const JsonPath& path : removes_) remove_at(doc, path);
  return "";
}

std::vector<const Template*> Transform::templates() const {
  std::vector<const Template*> out;
  for (const Set& set : sets_)
    if (set.value) out.push_back(&*set.value);
  return out;
}

}  // namespace sluice::routing
