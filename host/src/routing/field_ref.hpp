// Names a value a rule or template reads from a message: a payload path
// ("data.SPEED"), or one of the envelope's own fields (subject, key, source,
// node_id, header.<name>, attribute.<name>). Compiled once, read per message.
#pragma once

#include <optional>
#include <sluice/common/json_path.hpp>
#include <string>
#include <string_view>

#include "routing/field_value.hpp"
#include "routing/message_context.hpp"

namespace sluice::routing {

using common::JsonPath;

class FieldRef {
 public:
  enum class Kind : uint8_t { kPayload, kSubject, kKey, kSource, kNodeId, kHeader, kAttribute };

  // "subject", "key", "source", "node_id", "header.<name>",
  // "attribute.<name>" are the envelope's; "payload.<path>" reads the payload
  // explicitly (for a payload member named like one of those); anything
  // else is a payload path.
  static std::optional<FieldRef> compile(std::string_view name, std::string& error);

  // Reads the value; kNotJson when it needs the payload and the payload is
  // not JSON. Parses the payload at most once per message (Envelope::json),
  // or scans it when the context carries a PayloadScan.
  FieldValue resolve(const MessageContext& m) const;

  Kind kind() const { return kind_; }
  bool reads_payload() const { return kind_ == Kind::kPayload; }
  const std::string& name() const { return name_; }
  const JsonPath& path() const { return path_; }

 private:
  Kind kind_ = Kind::kPayload;
  std::string name_;
  std::string argument_;  // header or attribute name
  JsonPath path_;
};

}  // namespace sluice::routing
