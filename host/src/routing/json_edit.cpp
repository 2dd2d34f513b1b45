#include "routing/json_edit.hpp"

#include <boost/json.hpp>

namespace sluice::routing {

namespace {

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
      return "an array";
    case boost::json::kind::object:
      return "an object";
  }
  return "a value";
}

// The path up to (not including) step `n`, for errors: "the payload" for
// the root.
std::string prefix(const JsonPath& path, size_t n) {
  if (n == 0) return "the payload";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    const auto& step = path.steps()[i];
    if (step.is_index()) {
      out += '[';
      out += std::to_string(step.index);
      out += ']';
    } else {
      if (!out.empty()) out += '.';
      out += step.key;
    }
  }
  return out;
}

// Whether steps [from, end) can all be created as objects: refused before
// anything changes when one of them needs an array.
std::string creatable(const JsonPath& path, size_t from) {
  for (size_t j = from; j < path.steps().size(); ++j)
    if (path.steps()[j].is_index())
      return prefix(path, j) + " is missing (only objects are created on the way)";
  return "";
}

// Removes member `key` keeping the order of the others (object::erase
// moves the last member into the gap).
bool erase_member(boost::json::object& object, std::string_view key) {
  auto gone = object.find(key);
  if (gone == object.end()) return false;
  boost::json::object kept(object.storage());
  kept.reserve(object.size() - 1);
  for (auto it = object.begin(); it != object.end(); ++it)
    if (it != gone) kept.emplace(it->key(), std::move(it->value()));
  object = std::move(kept);
  return true;
}

// The container the last step of `path` lives in, or nullptr.
boost::json::value* find_parent(boost::json::value& root, const JsonPath& path) {
  boost::json::value* cur = &root;
  const auto& steps = path.steps();
  for (size_t i = 0; i + 1 < steps.size(); ++i) {
    const auto& step = steps[i];
    if (step.is_index()) {
      auto* array = cur->if_array();
      if (!array || static_cast<size_t>(step.index) >= array->size()) return nullptr;
      cur = &(*array)[static_cast<size_t>(step.index)];
    } else {
      auto* object = cur->if_object();
      if (!object) return nullptr;
      auto it = object->find(step.key);
      if (it == object->end()) return nullptr;
      cur = &it->value();
    }
  }
  return cur;
}

}  // namespace

std::string set_at(boost::json::value& root, const JsonPath& path, boost::json::value value) {
  const auto& steps = path.steps();
  boost::json::value* cur = &root;
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& step = steps[i];
    const bool last = i + 1 == steps.size();
    if (step.is_index()) {
      auto* array = cur->if_array();
      if (!array) return prefix(path, i) + " is " + std::string(kind_name(*cur)) + ", not an array";
      auto index = static_cast<size_t>(step.index);
      if (index > array->size() || (index == array->size() && !last))
        return prefix(path, i) + " has " + std::to_string(array->size()) + " elements: [" +
               std::to_string(index) + "] is past its end";
      if (index == array->size()) {
        array->push_back(std::move(value));
        return "";
      }
      cur = &(*array)[index];
    } else {
      if (cur->is_null()) {
        if (std::string error = creatable(path, i); !error.empty()) return error;
        cur->emplace_object();
      }
      auto* object = cur->if_object();
      if (!object)
        return prefix(path, i) + " is " + std::string(kind_name(*cur)) + ", not an object";
      if (last) {
        (*object)[step.key] = std::move(value);
        return "";
      }
      auto it = object->find(step.key);
      if (it == object->end() || it->value().is_null()) {
        if (std::string error = creatable(path, i + 1); !error.empty()) return error;
        (*object)[step.key].emplace_object();
        it = object->find(step.key);
      }
      cur = &it->value();
    }
  }
  *cur = std::move(value);  // the empty path: the whole document
  return "";
}

bool remove_at(boost::json::value& root, const JsonPath& path) {
  if (path.steps().empty()) return false;
  boost::json::value* parent = find_parent(root, path);
  if (!parent) return false;
  const auto& step = path.steps().back();
  if (step.is_index()) {
    auto* array = parent->if_array();
    if (!array || static_cast<size_t>(step.index) >= array->size()) return false;
    array->erase(array->begin() + step.index);
    return true;
  }
  auto* object = parent->if_object();
  return object && erase_member(*object, step.key);
}

std::optional<boost::json::value> take_at(boost::json::value& root, const JsonPath& path) {
  if (path.steps().empty()) return std::nullopt;
  boost::json::value* parent = find_parent(root, path);
  if (!parent) return std::nullopt;
  const auto& step = path.steps().back();
  boost::json::value taken;
  if (step.is_index()) {
    auto* array = parent->if_array();
    if (!array || static_cast<size_t>(step.index) >= array->size()) return std::nullopt;
    taken = std::move((*array)[static_cast<size_t>(step.index)]);
    array->erase(array->begin() + step.index);
    return taken;
  }
  auto* object = parent->if_object();
  if (!object) return std::nullopt;
  auto it = object->find(step.key);
  if (it == object->end()) return std::nullopt;
  taken = std::move(it->value());
  erase_member(*object, step.key);
  return taken;
}

}  // namespace sluice::routing
