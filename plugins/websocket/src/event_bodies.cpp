#include "event_bodies.hpp"

#include <boost/json.hpp>

#include "jwt.hpp"

namespace sluice::websocket {

bool is_valid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

std::shared_ptr<const std::string> envelope_head(std::string_view subscription_id) {
  return std::make_shared<const std::string>("{\"sub\":" + boost::json::serialize(subscription_id) +
                                             ",");
}

const std::shared_ptr<const std::string>& EventBodies::raw() {
  if (!raw_) raw_ = std::make_shared<const std::string>(payload_);
  return raw_;
}

bool EventBodies::raw_is_text() {
  if (!is_text_) is_text_ = is_json_ || is_valid_utf8(payload_);
  return *is_text_;
}

const std::shared_ptr<const std::string>& EventBodies::envelope() {
  if (envelope_) return envelope_;
  std::string out;
  out.reserve(payload_.size() + subject_.size() + 64);
  out += "\"subject\":";
  out += boost::json::serialize(subject_);
  if (key_) {
    out += ",\"key\":";
    out += boost::json::serialize(*key_);
  }
  out += ",\"ts\":";
  out += std::to_string(timestamp_ms_);
  out += ",\"payload\":";
  if (is_json_) {
    out += payload_;
  } else if (raw_is_text()) {
    out += boost::json::serialize(payload_);
  } else {
    out += "\"" + base64url_encode(payload_) + "\",\"encoding\":\"base64url\"";
  }
  out += "}";
  envelope_ = std::make_shared<const std::string>(std::move(out));
  return envelope_;
}

}  // namespace sluice::websocket
