// Builds envelopes for routing tests in one expression.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "message/envelope.hpp"

namespace sluice::routing::test {

inline message::EnvelopePtr make_message(std::string payload, std::string subject = "",
                                         std::optional<std::string> key = std::nullopt) {
  auto m = std::make_shared<message::Envelope>();
  m->payload = std::move(payload);
  m->subject = std::move(subject);
  m->key = std::move(key);
  return m;
}

// A fresh envelope with the same content (and nothing parsed yet), so one
// test can read a message both ways: DOM and scanner.
inline message::EnvelopePtr copy_message(const message::Envelope& m) {
  auto c = std::make_shared<message::Envelope>();
  c->payload = m.payload;
  c->subject = m.subject;
  c->key = m.key;
  c->headers = m.headers;
  c->attributes = m.attributes;
  return c;
}

// The 250-byte tracking event used across the routing tests and benchmark.
inline constexpr const char* kTrackingEvent =
    R"({"data":{"DEVICE_ID":"0848086123","LATITUD":"+20.652472","LONGITUD":"-100.391423",)"
    R"("SPEED":"12.50","GPS_DATETIME":"2025-10-18 00:51:16","ENGINE_STATUS":"ON",)"
    R"("SATELLITES":"9"},"metadata":{"source":"gw-1"},)"
    R"("uuid":"6f1c2a4e-8d3b-4b7e-9a51-0c2d3e4f5a6b"})";

}  // namespace sluice::routing::test
