// The host's own copy of a message while it is routed: owns its bytes and
// parses the payload as JSON lazily (once, only when a rule or script reads
// a field). Knows nothing of delivery: the runtime's Delivery record holds it.
#pragma once

#include <sluice/plugin.h>

#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <sluice/common/json_text.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::message {

struct Header {
  std::string name;
  std::string value;
};

class Envelope;
using EnvelopePtr = std::shared_ptr<Envelope>;

class Envelope {
 public:
  Envelope() = default;
  Envelope(const Envelope&) = delete;
  Envelope& operator=(const Envelope&) = delete;

  // Copies a borrowed C message.
  static EnvelopePtr from_c(const sluice_message& m);

  // Message content (mutable while the message is being routed by one
  // worker; outputs see it read-only).
  std::string payload;
  std::optional<std::string> key;
  std::string subject;
  std::vector<Header> headers;
  std::vector<Header> attributes;
  int64_t timestamp_ms = 0;
  std::string reply_to;  // non-empty: this message is a request

  // The name of the connector it came from; empty for messages the host
  // made (replies, dead letters).
  std::string origin;

  const std::string* header(std::string_view name) const {
    for (const auto& h : headers)
      if (h.name == name) return &h.value;
    return nullptr;
  }
  const std::string* attribute(std::string_view name) const {
    for (const auto& a : attributes)
      if (a.name == name) return &a.value;
    return nullptr;
  }
  std::string_view routing_key() const { return key ? std::string_view(*key) : subject; }

  // The payload parsed as JSON, or nullptr when it is not JSON. Parsed on
  // first use only. Not thread-safe: one worker owns a message while
  // routing it.
  const boost::json::value* json() const;
  // True once json() parsed the payload successfully (it is then free).
  bool json_parsed() const { return json_state_ == JsonState::kParsed; }
  // The parse error text when json() returned nullptr.
  const std::string& json_error() const { return json_error_; }
  // Call after changing `payload` so the next json() parses it again.
  void invalidate_json() {
    json_state_ = JsonState::kUnparsed;
    json_.reset();
  }
  // Replaces the parsed form (after a transformation) and reserialises the
  // payload from it.
  void set_json(boost::json::value v);
  // Changes the parsed payload in place (`edit(boost::json::value&)`) and
  // reserialises `payload` from it; numbers the edit did not change keep
  // their text (see common/json_text.hpp). False, with nothing changed,
  // when the payload is not JSON. Only for an envelope no one else holds
  // (see copy_content): outputs read theirs from other threads.
  template <class Edit>
  bool edit_json(Edit&& edit) {
    if (!json()) return false;
    auto originals = common::NumberTexts::of(payload);
    edit(*json_);
    payload = common::to_json_text(*json_, &originals);
    return true;
  }

  // Fills a C view of this message; `storage` keeps the header arrays alive.
  struct CView {
    sluice_message message;
    std::vector<sluice_header> headers;
    std::vector<sluice_header> attributes;
  };
  void to_c(CView& view) const;

 private:
  friend EnvelopePtr copy_content(const Envelope& m);
  enum class JsonState { kUnparsed, kParsed, kInvalid };
  mutable JsonState json_state_ = JsonState::kUnparsed;
  mutable std::optional<boost::json::value> json_;
  mutable std::string json_error_;
};

// A copy of `m` to change (a transform, msg:set): payload, key, subject,
// headers, attributes, timestamp, reply handle and origin, and the parsed
// payload when it has one.
EnvelopePtr copy_content(const Envelope& m);

// Looks up a dotted path with [index] steps ("data.items[2].id") in a
// parsed document. Returns nullptr when any step is missing.
const boost::json::value* find_path(const boost::json::value& root, std::string_view path);

}  // namespace sluice::message
