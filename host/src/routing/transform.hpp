// A route's `transform`: declarative changes to a JSON payload (rename, then
// set, then remove), compiled once and applied natively to each message
// that passed the route's `where`, before dedup, throttle and `to`.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <sluice/common/json_path.hpp>
#include <string>
#include <vector>

#include "routing/message_context.hpp"
#include "routing/template.hpp"

namespace sluice::routing {

using common::JsonPath;

class Transform {
 public:
  // `spec` is { rename: {from: to}, set: {path: value}, remove: [paths] }
  // (remove may be one path). A `set` value is any JSON value; a string
  // with `${field}` is a template (see Template), and a string that is
  // exactly one `${field}` copies that field with its JSON type. Problems
  // go to `errors` as "<where>.<key>: what is wrong"; nothing when any.
  static std::optional<Transform> compile(const boost::json::value& spec, const std::string& where,
                                          std::vector<std::string>& errors);

  // Applies the transform to `doc`, the parsed payload of the message that
  // `before` describes: templates read that message as it was before any
  // of these changes. Returns "" or what went wrong (a path through a
  // value that is not an object); `doc` may then be half changed.
  std::string apply(const MessageContext& before, boost::json::value& doc) const;

  // Every template the `set` values use (for planning payload reads).
  std::vector<const Template*> templates() const;

 private:
  struct Rename {
    JsonPath from;
    JsonPath to;
  };
  struct Set {
    JsonPath path;
    boost::json::value literal;     // when there is no template
    std::optional<Template> value;  // a string with ${...}
    bool typed = false;             // the template is exactly one ${field}
  };
  std::vector<Rename> renames_;
  std::vector<Set> sets_;
  std::vector<JsonPath> removes_;
};

}  // namespace sluice::routing
