#include "message/dead_letter.hpp"

namespace sluice::message {

EnvelopePtr dead_letter_of(const Envelope& m, std::string_view error,
                           std::string_view failed_output) {
  auto copy = std::make_shared<Envelope>();
  copy->payload = m.payload;
  copy->key = m.key;
  copy->subject = m.subject;
  copy->headers = m.headers;
  copy->headers.push_back({"sluice-error", std::string(error)});
  if (!failed_output.empty())
    copy->headers.push_back({"sluice-failed-output", std::string(failed_output)});
  copy->timestamp_ms = m.timestamp_ms;
  return copy;
}

}  // namespace sluice::message
