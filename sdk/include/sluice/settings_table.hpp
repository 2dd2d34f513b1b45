// A plugin's settings bound to the fields of its options struct: each
// declaration names the field it fills, so the one table that validates and
// documents a setting (settings.hpp) also reads it, and a plugin never looks
// a setting up by name.
//
//   struct Options {
//     int64_t batch_size = 0;
//     std::optional<std::string> client_id;  // no default: absent stays empty
//   };
//   const SettingsTable<Options>& options_table() {
//     static const SettingsTable<Options> table{
//         field(&Options::batch_size, "batch_size").def(1000).min(1).doc("messages per batch"),
//         field(&Options::client_id, "client_id").doc("client id shown to the server"),
//     };
//     return table;
//   }
//   Options options = options_table().parse(json_text);  // throws ConfigError
//
// The field's C++ type decides the setting's type at compile time:
// std::string -> string, bool -> boolean, any other integer type -> integer
// (a value the field cannot hold is refused), float/double -> number,
// std::vector<std::string> -> list of strings, boost::json::object ->
// mapping, boost::json::value -> any, std::chrono::milliseconds -> integer;
// std::optional<T> is T for a setting without default. choice() maps the
// allowed strings of a setting onto values of any type (an enum, a bool).
#pragma once

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <sluice/settings.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice {

namespace settings_detail {

template <class T>
struct Unwrapped {
  using type = T;
};
template <class T>
struct Unwrapped<std::optional<T>> {
  using type = T;
};

template <class T>
constexpr SettingType setting_type_of() {
  if constexpr (std::is_same_v<T, std::string>) {
    return SettingType::kString;
  } else if constexpr (std::is_same_v<T, bool>) {
    return SettingType::kBoolean;
  } else if constexpr (std::is_integral_v<T> || std::is_same_v<T, std::chrono::milliseconds>) {
    return SettingType::kInteger;
  } else if constexpr (std::is_floating_point_v<T>) {
    return SettingType::kNumber;
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    return SettingType::kStringList;
  } else if constexpr (std::is_same_v<T, boost::json::object>) {
    return SettingType::kObject;
  } else if constexpr (std::is_same_v<T, boost::json::value>) {
    return SettingType::kAny;
  } else {
    static_assert(sizeof(T) == 0,
                  "a setting's field is std::string, bool, an integer, a floating-point number, "
                  "std::vector<std::string>, boost::json::object, boost::json::value, "
                  "std::chrono::milliseconds, or std::optional of one of them");
  }
}

// An integer that passed validation (int64, uint64 or a whole double),
// clamped into T so that it can never wrap around (validation already
// refuses values outside T's range).
template <class T>
T integer_from(const boost::json::value& v) {
  constexpr T lowest = std::numeric_limits<T>::lowest();
  constexpr T highest = std::numeric_limits<T>::max();
  if (v.is_uint64()) {
    uint64_t u = v.get_uint64();
    return std::cmp_greater(u, highest) ? highest : static_cast<T>(u);
  }
  int64_t n = v.is_int64() ? v.get_int64() : static_cast<int64_t>(v.get_double());
  if (std::cmp_less(n, lowest)) return lowest;
  if (std::cmp_greater(n, highest)) return highest;
  return static_cast<T>(n);
}

// The field's value from a JSON value that passed validation for its type.
template <class T>
T value_from(const boost::json::value& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return std::string(v.get_string());
  } else if constexpr (std::is_same_v<T, bool>) {
    return v.get_bool();
  } else if constexpr (std::is_integral_v<T>) {
    return integer_from<T>(v);
  } else if constexpr (std::is_same_v<T, std::chrono::milliseconds>) {
    return std::chrono::milliseconds(integer_from<int64_t>(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v.to_number<double>());
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    std::vector<std::string> out;
    if (v.is_string()) {
      out.emplace_back(v.get_string());
    } else {
      for (const auto& item : v.get_array()) out.emplace_back(item.get_string());
    }
    return out;
  } else if constexpr (std::is_same_v<T, boost::json::object>) {
    return v.get_object();
  } else {
    return v;
  }
}

// A default as the JSON text that the schema and the README show.
template <class T>
std::string json_text(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(value);
  } else if constexpr (std::is_same_v<T, std::chrono::milliseconds>) {
    return std::to_string(value.count());
  } else if constexpr (std::is_floating_point_v<T>) {
    // Shortest round-trip form ("0.2", "0"); Boost.JSON would write "2E-1".
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, static_cast<double>(value));
    return std::string(buffer, result.ptr);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    boost::json::array array;
    for (const auto& item : value) array.emplace_back(item);
    return boost::json::serialize(array);
  } else {
    return boost::json::serialize(boost::json::value(value));
  }
}

}  // namespace settings_detail

// One declared setting with the code that stores its value in Options.
// What SettingsTable holds; made by field() and choice() below.
template <class Options>
struct BoundSetting {
  Setting setting;
  std::function<void(const boost::json::value&, Options&)> fill;
};

// Declaration of a setting that fills a field of type Field (fluent, like
// Setting, but the default is a value of the field's type).
template <class Options, class Field>
class SettingField {
 public:
  using Value = typename settings_detail::Unwrapped<Field>::type;
  static constexpr SettingType kType = settings_detail::setting_type_of<Value>();

  SettingField(std::function<Field&(Options&)> locate, std::string name)
      : setting_(Setting::make(std::move(name), kType)), locate_(std::move(locate)) {
    if constexpr (std::is_integral_v<Value> && !std::is_same_v<Value, bool>) {
      setting_.field_minimum = static_cast<int64_t>(
          std::max<std::intmax_t>(std::numeric_limits<Value>::lowest(), INT64_MIN));
      setting_.field_maximum = static_cast<uint64_t>(std::numeric_limits<Value>::max());
    }
  }

  // A list of strings also accepts one string as its default (a list of one,
  // shown as that string).
  SettingField def(const Value& value) && {
    setting_ = std::move(setting_).def(settings_detail::json_text(value));
    return std::move(*this);
  }
  SettingField def(const char* text) && requires std::is_same_v<Value, std::vector<std::string>> {
    setting_ = std::move(setting_).def(settings_detail::json_text(std::string(text)));
    return std::move(*this);
  }
  SettingField doc(std::string text) && {
    setting_ = std::move(setting_).doc(std::move(text));
    return std::move(*this);
  }
  SettingField require() && {
    setting_ = std::move(setting_).require();
    return std::move(*this);
  }
  SettingField one_of(std::vector<std::string> values) && requires
      std::is_same_v<Value, std::string> {
    setting_ = std::move(setting_).one_of(std::move(values));
    return std::move(*this);
  }
  SettingField min(double v) &&
      requires(kType == SettingType::kInteger || kType == SettingType::kNumber) {
    setting_ = std::move(setting_).min(v);
    return std::move(*this);
  }
  SettingField max(double v) &&
      requires(kType == SettingType::kInteger || kType == SettingType::kNumber) {
    setting_ = std::move(setting_).max(v);
    return std::move(*this);
  }
  SettingField hide() && {
    setting_ = std::move(setting_).hide();
    return std::move(*this);
  }

  operator BoundSetting<Options>() const {
    auto locate = locate_;
    return {setting_, [locate](const boost::json::value& v, Options& options) {
              locate(options) = settings_detail::value_from<Value>(v);
            }};
  }

 private:
  Setting setting_;
  std::function<Field&(Options&)> locate_;
};

// Declaration of a string setting whose allowed values stand for values of
// T: choice(&Options::format, "format", {{"raw", Format::kRaw}, {"json", Format::kJson}}).
template <class Options, class T>
class ChoiceField {
 public:
  ChoiceField(std::function<T&(Options&)> locate, std::string name,
              std::vector<std::pair<std::string, T>> values)
      : setting_(Setting::make(std::move(name), SettingType::kString)),
        locate_(std::move(locate)),
        values_(std::move(values)) {
    std::vector<std::string> names;
    for (const auto& [text, value] : values_) names.push_back(text);
    setting_ = std::move(setting_).one_of(std::move(names));
  }

  // The default, by its name (one of the choices).
  ChoiceField def(const std::string& name) && {
    bool known = false;
    for (const auto& [text, value] : values_) known = known || text == name;
    if (!known)
      throw std::logic_error("default '" + name + "' of '" + setting_.name +
                             "' is not one of its choices");
    setting_ = std::move(setting_).def(settings_detail::json_text(name));
    return std::move(*this);
  }
  ChoiceField doc(std::string text) && {
    setting_ = std::move(setting_).doc(std::move(text));
    return std::move(*this);
  }
  ChoiceField require() && {
    setting_ = std::move(setting_).require();
    return std::move(*this);
  }
  ChoiceField hide() && {
    setting_ = std::move(setting_).hide();
    return std::move(*this);
  }

  operator BoundSetting<Options>() const {
    auto locate = locate_;
    auto values = values_;
    return {setting_, [locate, values](const boost::json::value& v, Options& options) {
              for (const auto& [text, value] : values)
                if (v.get_string() == text) locate(options) = value;
            }};
  }

 private:
  Setting setting_;
  std::function<T&(Options&)> locate_;
  std::vector<std::pair<std::string, T>> values_;
};

// field(&Options::member, "name"), or field(&Options::group, &Group::member,
// "name") for a field of a nested struct.
template <class Options, class Field>
SettingField<Options, Field> field(Field Options::*member, std::string name) {
  return {[member](Options& o) -> Field& { return o.*member; }, std::move(name)};
}
template <class Options, class Group, class Field>
SettingField<Options, Field> field(Group Options::*group, Field Group::*member, std::string name) {
  return {[group, member](Options& o) -> Field& { return (o.*group).*member; }, std::move(name)};
}

template <class Options, class T>
ChoiceField<Options, T> choice(
    T Options::*member, std::string name,
    std::initializer_list<std::pair<const char*, std::type_identity_t<T>>> values) {
  std::vector<std::pair<std::string, T>> named;
  for (const auto& [text, value] : values) named.emplace_back(text, value);
  return {[member](Options& o) -> T& { return o.*member; }, std::move(name), std::move(named)};
}
template <class Options, class Group, class T>
ChoiceField<Options, T> choice(
    Group Options::*group, T Group::*member, std::string name,
    std::initializer_list<std::pair<const char*, std::type_identity_t<T>>> values) {
  std::vector<std::pair<std::string, T>> named;
  for (const auto& [text, value] : values) named.emplace_back(text, value);
  return {[group, member](Options& o) -> T& { return (o.*group).*member; }, std::move(name),
          std::move(named)};
}

// One entry of a SettingsTable: a single declaration, or several declared
// together elsewhere and shared by plugins (the reconnect settings, say).
template <class Options>
struct SettingsGroup {
  template <class F>
  requires std::is_convertible_v<F, BoundSetting<Options>> SettingsGroup(F&& one)
      : bound{static_cast<BoundSetting<Options>>(std::forward<F>(one))} {}
  SettingsGroup(std::vector<BoundSetting<Options>> several) : bound(std::move(several)) {}

  std::vector<BoundSetting<Options>> bound;
};

// The table of one plugin's settings, bound to the fields of Options.
template <class OptionsT>
class SettingsTable {
 public:
  using Options = OptionsT;

  SettingsTable(std::initializer_list<SettingsGroup<Options>> groups) {
    std::vector<Setting> settings;
    for (const auto& group : groups) {
      for (const auto& b : group.bound) {
        settings.push_back(b.setting);
        fills_.push_back(b.fill);
        defaults_.push_back(b.setting.default_json.empty()
                                ? std::nullopt
                                : std::optional(boost::json::parse(b.setting.default_json)));
      }
    }
    spec_ = SettingsSpec(std::move(settings));
  }

  // The declarations alone: what validates and documents the settings.
  const SettingsSpec& spec() const { return spec_; }
  const std::vector<Setting>& settings() const { return spec_.settings(); }

  std::vector<std::string> validate(std::string_view json_text) const {
    return spec_.validate(json_text);
  }
  void validate(const boost::json::object& values, std::vector<std::string>& errors) const {
    spec_.validate(values, errors);
  }

  // Validates and fills every field: from the setting, else from its
  // default, else the field keeps its initial value. Throws ConfigError
  // listing every problem.
  Options parse(std::string_view json_text) const {
    auto errors = spec_.validate(json_text);
    if (!errors.empty()) throw ConfigError(SettingsSpec::join(errors));
    return fill(boost::json::parse(json_text).as_object());
  }
  Options parse(const boost::json::object& values) const {
    std::vector<std::string> errors;
    spec_.validate(values, errors);
    if (!errors.empty()) throw ConfigError(SettingsSpec::join(errors));
    return fill(values);
  }

  std::string schema_json() const { return spec_.schema_json(); }
  std::string markdown_table() const { return spec_.markdown_table(); }

 private:
  Options fill(const boost::json::object& values) const {
    Options options{};
    const auto& settings = spec_.settings();
    for (size_t i = 0; i < settings.size(); ++i) {
      if (const auto* value = values.if_contains(settings[i].name))
        fills_[i](*value, options);
      else if (defaults_[i])
        fills_[i](*defaults_[i], options);
    }
    return options;
  }

  SettingsSpec spec_;
  std::vector<std::function<void(const boost::json::value&, Options&)>> fills_;
  std::vector<std::optional<boost::json::value>> defaults_;
};

}  // namespace sluice
