#include "cli/json_pretty.hpp"

namespace sluice::cli {
namespace {

void write(const boost::json::value& value, int depth, std::string& out) {
  auto newline = [&](int level) {
    out += '\n';
    out.append(static_cast<size_t>(level) * 2, ' ');
  };
  if (value.is_object() && !value.get_object().empty()) {
    out += '{';
    bool first = true;
    for (const auto& [key, member] : value.get_object()) {
      if (!first) out += ',';
      first = false;
      newline(depth + 1);
      out += boost::json::serialize(boost::json::string(key));
      out += ": ";
      write(member, depth + 1, out);
    }
    newline(depth);
    out += '}';
  } else if (value.is_array() && !value.get_array().empty()) {
    out += '[';
    bool first = true;
    for (const auto& item : value.get_array()) {
      if (!first) out += ',';
      first = false;
      newline(depth + 1);
      write(item, depth + 1, out);
    }
    newline(depth);
    out += ']';
  } else {
    // Scalars, {} and []: Boost.JSON's own text (escapes, numbers).
    out += boost::json::serialize(value);
  }
}

}  // namespace

std::string pretty_json(const boost::json::value& value) {
  std::string out;
  write(value, 0, out);
  out += '\n';
  return out;
}

}  // namespace sluice::cli
