// A plugin's settings, declared once in a table: the declaration drives
// config validation (`sluice check`), the JSON Schema in the plugin
// descriptor and the settings table in the plugin's README. Plugins declare
// them through SettingsTable (settings_table.hpp), which also fills a struct.
#pragma once

#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <sluice/common/did_you_mean.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// A configuration problem the user must fix; what() says what and where.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class SettingType {
  kString,
  kInteger,
  kNumber,
  kBoolean,
  kStringList,  // a list of strings; a single string is accepted as a list of one
  kObject,      // a free-form mapping (e.g. pass-through client properties)
  kAny          // anything; the plugin checks it itself (e.g. lists of objects)
};

struct Setting {
  std::string name;
  SettingType type = SettingType::kString;
  // The default as JSON text ("" = no default). Shown in docs and schema.
  std::string default_json;
  std::string description;
  bool required = false;
  // Allowed values for a string setting (empty = any).
  std::vector<std::string> choices;
  std::optional<double> minimum;
  std::optional<double> maximum;
  // The range of the C++ field an integer setting fills (SettingsTable sets
  // it): a value outside is refused rather than clamped. Not in the schema.
  std::optional<int64_t> field_minimum;
  std::optional<uint64_t> field_maximum;
  bool secret = false;  // never echoed back in errors or `sluice plugins`

  // Fluent declaration, e.g.
  //   Setting::integer("batch_size").def("1000").doc("messages per batch").min(1)
  static Setting make(std::string name, SettingType type) {
    Setting s;
    s.name = std::move(name);
    s.type = type;
    return s;
  }
  static Setting string(std::string name) { return make(std::move(name), SettingType::kString); }
  static Setting integer(std::string name) { return make(std::move(name), SettingType::kInteger); }
  static Setting number(std::string name) { return make(std::move(name), SettingType::kNumber); }
  static Setting boolean(std::string name) { return make(std::move(name), SettingType::kBoolean); }
  static Setting list(std::string name) { return make(std::move(name), SettingType::kStringList); }
  static Setting object(std::string name) { return make(std::move(name), SettingType::kObject); }
  static Setting any(std::string name) { return make(std::move(name), SettingType::kAny); }
  // The default, as JSON text: def("10"), def("\"earliest\""), def("true").
  Setting def(std::string json) && {
    default_json = std::move(json);
    return std::move(*this);
  }
  Setting doc(std::string text) && {
    description = std::move(text);
    return std::move(*this);
  }
  Setting require() && {
    required = true;
    return std::move(*this);
  }
  Setting one_of(std::vector<std::string> values) && {
    choices = std::move(values);
    return std::move(*this);
  }
  Setting min(double v) && {
    minimum = v;
    return std::move(*this);
  }
  Setting max(double v) && {
    maximum = v;
    return std::move(*this);
  }
  Setting hide() && {
    secret = true;
    return std::move(*this);
  }
};

inline const char* setting_type_name(SettingType type) {
  switch (type) {
    case SettingType::kString:
      return "string";
    case SettingType::kInteger:
      return "integer";
    case SettingType::kNumber:
      return "number";
    case SettingType::kBoolean:
      return "boolean";
    case SettingType::kStringList:
      return "list of strings";
    case SettingType::kObject:
      return "mapping";
    case SettingType::kAny:
      return "any";
  }
  return "?";
}

// The declarations of one plugin's settings, without the fields they fill.
class SettingsSpec {
 public:
  SettingsSpec() = default;
  SettingsSpec(std::initializer_list<Setting> settings) : settings_(settings) {}
  explicit SettingsSpec(std::vector<Setting> settings) : settings_(std::move(settings)) {}

  const std::vector<Setting>& settings() const { return settings_; }

  const Setting* find(std::string_view name) const {
    for (const auto& s : settings_)
      if (s.name == name) return &s;
    return nullptr;
  }

  // Checks `json_text` against the table. Returns every problem found, each
  // naming the setting. An empty result means valid.
  std::vector<std::string> validate(std::string_view json_text) const {
    std::vector<std::string> errors;
    boost::system::error_code ec;
    auto parsed = boost::json::parse(json_text, ec);
    if (ec || !parsed.is_object()) {
      errors.push_back("settings must be a mapping");
      return errors;
    }
    validate(parsed.as_object(), errors);
    return errors;
  }

  void validate(const boost::json::object& values, std::vector<std::string>& errors) const {
    for (const auto& [key, value] : values) {
      const Setting* s = find(key);
      if (!s) {
        errors.push_back("unknown setting '" + std::string(key) + "'" + suggestion(key));
        continue;
      }
      check_value(*s, value, errors);
    }
    for (const auto& s : settings_)
      if (s.required && !values.contains(s.name))
        errors.push_back("missing required setting '" + s.name + "' (" + s.description + ")");
  }

  // JSON Schema (draft 2020-12) of the settings.
  std::string schema_json() const {
    boost::json::object props;
    boost::json::array required;
    for (const auto& s : settings_) {
      boost::json::object p;
      switch (s.type) {
        case SettingType::kString:
          p["type"] = "string";
          break;
        case SettingType::kInteger:
          p["type"] = "integer";
          break;
        case SettingType::kNumber:
          p["type"] = "number";
          break;
        case SettingType::kBoolean:
          p["type"] = "boolean";
          break;
        case SettingType::kStringList: {
          boost::json::array any_of;
          any_of.push_back(boost::json::object{{"type", "string"}});
          any_of.push_back(boost::json::object{{"type", "array"},
                                               {"items", boost::json::object{{"type", "string"}}}});
          p["anyOf"] = std::move(any_of);
          break;
        }
        case SettingType::kObject:
          p["type"] = "object";
          break;
        case SettingType::kAny:
          break;
      }
      if (!s.description.empty()) p["description"] = s.description;
      if (!s.default_json.empty()) p["default"] = boost::json::parse(s.default_json);
      if (!s.choices.empty()) {
        boost::json::array e;
        for (const auto& c : s.choices) e.emplace_back(c);
        p["enum"] = std::move(e);
      }
      if (s.minimum) p["minimum"] = *s.minimum;
      if (s.maximum) p["maximum"] = *s.maximum;
      if (s.secret) p["writeOnly"] = true;
      props[s.name] = std::move(p);
      if (s.required) required.emplace_back(s.name);
    }
    boost::json::object schema{{"$schema", "https://json-schema.org/draft/2020-12/schema"},
                               {"type", "object"},
                               {"additionalProperties", false}};
    schema["properties"] = std::move(props);
    if (!required.empty()) schema["required"] = std::move(required);
    return boost::json::serialize(schema);
  }

  // The README's settings table (Markdown), generated so docs cannot drift.
  std::string markdown_table() const {
    std::string out = "| setting | type | default | description |\n|---|---|---|---|\n";
    for (const auto& s : settings_) {
      std::string type = setting_type_name(s.type);
      if (!s.choices.empty()) {
        type.clear();
        for (const auto& c : s.choices) type += (type.empty() ? "" : " \\| ") + c;
      }
      std::string def =
          s.required ? "required" : (s.default_json.empty() ? "" : "`" + s.default_json + "`");
      out += "| `" + s.name + "` | " + type + " | " + def + " | " + s.description + " |\n";
    }
    return out;
  }

  static std::string join(const std::vector<std::string>& errors) {
    std::string out;
    for (const auto& e : errors) out += (out.empty() ? "" : "; ") + e;
    return out;
  }

 private:
  void check_value(const Setting& s, const boost::json::value& v,
                   std::vector<std::string>& errors) const {
    auto wrong = [&](const char* what) {
      errors.push_back("setting '" + s.name + "' must be " + what);
    };
    switch (s.type) {
      case SettingType::kString:
        if (!v.is_string()) return wrong("a string");
        if (!s.choices.empty()) {
          bool ok = false;
          std::string list;
          for (const auto& c : s.choices) {
            ok = ok || v.get_string() == c;
            list += (list.empty() ? "" : ", ") + c;
          }
          if (!ok)
            errors.push_back("setting '" + s.name + "' is '" +
                             (s.secret ? std::string("***") : std::string(v.get_string())) +
                             "', expected one of: " + list);
        }
        return;
      case SettingType::kInteger:
        if (v.is_double() && !std::isfinite(v.get_double())) return wrong("a finite integer");
        if (!(v.is_int64() || v.is_uint64() || (v.is_double() && is_integral(v.get_double()))))
          return wrong("an integer");
        break;
      case SettingType::kNumber:
        if (!v.is_number()) return wrong("a number");
        break;
      case SettingType::kBoolean:
        if (!v.is_bool()) return wrong("true or false");
        return;
      case SettingType::kStringList:
        if (v.is_string()) return;
        if (!v.is_array()) return wrong("a string or a list of strings");
        for (const auto& item : v.get_array())
          if (!item.is_string()) return wrong("a list of strings");
        return;
      case SettingType::kObject:
        if (!v.is_object()) return wrong("a mapping");
        return;
      case SettingType::kAny:
        return;
    }
    double n = v.is_double()  ? v.get_double()
               : v.is_int64() ? static_cast<double>(v.get_int64())
                              : static_cast<double>(v.get_uint64());
    // JSON text such as 1e309 parses to infinity; no setting means that.
    if (!std::isfinite(n)) return wrong("a finite number");
    if (s.minimum && n < *s.minimum)
      errors.push_back("setting '" + s.name + "' must be >= " + number_text(*s.minimum));
    else if (s.field_minimum && below(v, *s.field_minimum))
      errors.push_back("setting '" + s.name + "' must be >= " + std::to_string(*s.field_minimum) +
                       " (the least it can hold)");
    if (s.maximum && n > *s.maximum)
      errors.push_back("setting '" + s.name + "' must be <= " + number_text(*s.maximum));
    else if (s.field_maximum && above(v, *s.field_maximum))
      errors.push_back("setting '" + s.name + "' must be <= " + std::to_string(*s.field_maximum) +
                       " (the most it can hold)");
  }

  // Whether an integral JSON number is below / above a field's range,
  // compared exactly for int64 and uint64 values.
  static bool below(const boost::json::value& v, int64_t least) {
    if (v.is_int64()) return v.get_int64() < least;
    if (v.is_uint64()) return false;
    return v.get_double() < static_cast<double>(least);
  }
  static bool above(const boost::json::value& v, uint64_t most) {
    if (v.is_int64()) return v.get_int64() > 0 && static_cast<uint64_t>(v.get_int64()) > most;
    if (v.is_uint64()) return v.get_uint64() > most;
    return v.get_double() > static_cast<double>(most);
  }

  // A whole double within int64_t (the cast of anything else, infinity or
  // NaN included, is undefined).
  static bool is_integral(double d) {
    return std::isfinite(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
           d == static_cast<double>(static_cast<int64_t>(d));
  }

  static std::string number_text(double d) {
    if (d == static_cast<double>(static_cast<int64_t>(d)))
      return std::to_string(static_cast<int64_t>(d));
    return std::to_string(d);
  }

  // "did you mean 'x'?" for a near miss (edit distance <= 2).
  std::string suggestion(std::string_view key) const {
    const Setting* best = nullptr;
    size_t best_distance = 3;
    for (const auto& s : settings_) {
      size_t d = common::edit_distance(key, s.name);
      if (d < best_distance) best = &s, best_distance = d;
    }
    return best ? "; did you mean '" + best->name + "'?" : std::string();
  }

  std::vector<Setting> settings_;
};

}  // namespace sluice
