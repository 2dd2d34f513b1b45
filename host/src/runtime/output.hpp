// One message on its way to one output, and the completion record the
// plugin gets for it (the ABI's opaque sluice_completion).
#pragma once

#include <sluice/plugin.h>

#include <functional>
#include <optional>
#include <string>

#include "runtime/envelope.hpp"

namespace sluice::runtime {

class Connector;
class Delivery;
struct RouteStats;

// A connector plus a resolved subject: "where to".
struct Target {
  Connector* connector = nullptr;
  std::string subject;
};

enum class OutputKind { kPublish, kReply, kRequest };

using ReplyCallback =
    std::function<void(sluice_status status, const std::string& error, EnvelopePtr reply)>;

struct Output {
  Output() = default;
  Output(OutputKind kind, Target target, EnvelopePtr message,
         std::optional<Target> dead_letter = std::nullopt, RouteStats* route = nullptr)
      : kind(kind),
        target(std::move(target)),
        message(std::move(message)),
        dead_letter(std::move(dead_letter)),
        route(route) {}

  OutputKind kind = OutputKind::kPublish;
  Target target;
  EnvelopePtr message;  // payload, key, headers; the subject comes from target
  std::optional<Target> dead_letter;
  RouteStats* route = nullptr;  // may be null (built-in replies)
  uint32_t timeout_ms = 0;      // requests
  ReplyCallback on_reply;       // requests: called once with the outcome
};

}  // namespace sluice::runtime

// Defined in the global namespace: plugin.h declares the tag there.
struct sluice_completion {
  sluice::runtime::Runtime* runtime = nullptr;
  sluice::runtime::Delivery* delivery = nullptr;  // null for requests from scripts
  sluice::runtime::Output output;
  int attempt = 1;
  bool to_dead_letter = false;
  std::string last_error;
  size_t worker = 0;  // the worker that owns the message's key (retries go back there)
};
