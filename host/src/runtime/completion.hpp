// One output's send, from the first attempt to its outcome: the record a
// plugin gets as the ABI's opaque sluice_completion.
//
// Ownership: the DeliveryEngine owns a record as a CompletionPtr. Only while
// a plugin holds it (a publish, request or reply returned OK and the plugin
// has not called complete() yet) is it released to the plugin; complete()
// adopts it back, exactly once. Retries carry it through timers and the
// worker queue in a CompletionBox.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "runtime/output.hpp"

namespace sluice::runtime {
class Delivery;
class DeliveryEngine;
}  // namespace sluice::runtime

// Defined in the global namespace: plugin.h declares the tag there.
struct sluice_completion {
  sluice::runtime::DeliveryEngine* engine = nullptr;
  // The source message's record; this send holds one reference on it,
  // settled once when the send is settled. Null for a request of no
  // message's (DeliveryEngine::dispatch_unowned).
  sluice::runtime::Delivery* delivery = nullptr;
  sluice::runtime::Output output;
  int attempt = 1;
  bool to_dead_letter = false;
  std::string last_error;
  size_t worker = 0;  // the worker that owns the message's key (retries go back there)
};

namespace sluice::runtime {
using CompletionPtr = std::unique_ptr<sluice_completion>;
// std::function needs a copyable callable: the box is shared by the copies,
// and the one call that runs takes the record out.
using CompletionBox = std::shared_ptr<CompletionPtr>;
}  // namespace sluice::runtime
