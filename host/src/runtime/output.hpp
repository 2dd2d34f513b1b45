// One message on its way to one output: where it goes, what kind of send
// it is, and where it goes instead when it fails for good.
#pragma once

#include <sluice/plugin.h>

#include <functional>
#include <optional>
#include <string>

#include "message/envelope.hpp"

namespace sluice::runtime {

class Connector;
struct RouteStats;

// A connector plus a resolved subject: "where to".
struct Target {
  Connector* connector = nullptr;
  std::string subject;
};

enum class OutputKind { kPublish, kReply, kRequest };

using ReplyCallback =
    std::function<void(sluice_status status, const std::string& error, message::EnvelopePtr reply)>;

struct Output {
  Output() = default;
  Output(OutputKind kind, Target target, message::EnvelopePtr message,
         std::optional<Target> dead_letter = std::nullopt, RouteStats* route = nullptr)
      : kind(kind),
        target(std::move(target)),
        message(std::move(message)),
        dead_letter(std::move(dead_letter)),
        route(route) {}

  OutputKind kind = OutputKind::kPublish;
  Target target;
  message::EnvelopePtr message;  // payload, key, headers; the subject comes from target
  std::optional<Target> dead_letter;
  RouteStats* route = nullptr;  // may be null (built-in replies)
  uint32_t timeout_ms = 0;      // requests
  ReplyCallback on_reply;       // requests: called once with the outcome
};

}  // namespace sluice::runtime
