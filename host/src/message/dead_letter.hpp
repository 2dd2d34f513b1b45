// What a dead-letter output receives for a message that failed: one builder,
// used wherever a message is sent to its route's dead letter (a route's
// filter or transform, a script handler, an output that failed for good).
#pragma once

#include <string_view>

#include "message/envelope.hpp"

namespace sluice::message {

// A copy of `m` for a dead letter: same payload, key, subject, headers and
// timestamp, plus a `sluice-error` header saying why and, when an output
// failed, a `sluice-failed-output` header naming its connector. Not the
// attributes nor the reply handle: a dead letter is not a request.
EnvelopePtr dead_letter_of(const Envelope& m, std::string_view error,
                           std::string_view failed_output = {});

}  // namespace sluice::message
