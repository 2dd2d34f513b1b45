// In-memory stand-ins for a test's connectors: one linked "plugin" per
// plugin name the config uses, so the real runtime (connectors, delivery
// engine, router, Lua host) runs unchanged while no .so is loaded and no
// broker is reached. Sources emit what the test sends; outputs record what
// they receive and confirm it at once; requests get the test's stubs.
#pragma once

#include <sluice/plugin.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "loader/plugin_registry.hpp"
#include "message/envelope.hpp"
#include "route_test/test_file.hpp"

namespace sluice::route_test {

// What an output connector received (a publish, or a request a handler sent).
struct ReceivedMessage {
  std::string payload;
  std::optional<std::string> key;
  std::string subject;
  std::vector<message::Header> headers;
  bool request = false;
};

// Everything the stand-ins of one case share: their instances by name, what
// they received, the replies and acks the sources got. Thread-safe: workers
// publish while the test thread reads between steps.
class MemoryBus {
 public:
  MemoryBus(std::vector<RequestStub> stubs, std::map<std::string, StandInBehaviour> behaviour);
  ~MemoryBus();
  MemoryBus(const MemoryBus&) = delete;
  MemoryBus& operator=(const MemoryBus&) = delete;

  // The settings a stand-in connector is created with: they point it at
  // this bus (the plugin's own settings were validated before, if at all).
  std::string settings_json() const;

  // Sends `message` into source connector `connector` as its plugin would
  // (emit). `reply_handle` non-empty makes it a request. Returns the
  // emit status.
  sluice_status send(const std::string& connector, const InputMessage& message,
                     const std::string& reply_handle, uint64_t ack_id);

  std::vector<ReceivedMessage> received(const std::string& connector) const;
  // The reply sent to the request with this handle, if any.
  std::optional<ReceivedMessage> reply(const std::string& handle) const;
  size_t nacked() const;

  // --- called by the stand-in plugin ---
  struct Instance;
  Instance* attach(const sluice_host_api* api, sluice_host* host);
  void detach(Instance* instance);
  sluice_status publish(Instance& from, const sluice_message& message, sluice_completion* done,
                        sluice_error* error);
  sluice_status request(Instance& from, const sluice_message& message, sluice_completion* done,
                        sluice_error* error);
  sluice_status reply(Instance& from, sluice_bytes handle, const sluice_message& message,
                      sluice_completion* done, sluice_error* error);
  void ack(uint64_t ack_id, sluice_outcome outcome);
  bool healthy(const Instance& instance) const;

 private:
  const RequestStub* stub_for(const std::string& connector, const message::Envelope& request) const;

  std::vector<RequestStub> stubs_;
  std::map<std::string, StandInBehaviour> behaviour_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Instance>> instances_;
  std::map<std::string, std::vector<ReceivedMessage>> received_;
  std::map<std::string, ReceivedMessage> replies_;
  std::map<uint64_t, sluice_outcome> outcomes_;
};

// The stand-in plugin descriptors, one per plugin name, each declaring the
// capabilities and subject syntax of the real plugin when it is installed
// (so a route using a connector wrongly fails as it would in `run`), else
// all capabilities and any syntax. Must outlive the registry they are in.
class StandInPlugins {
 public:
  // Registers a stand-in named `name` in `into`, shaped like `real` (may be
  // null). Returns "" or the registry's refusal.
  std::string add(const std::string& name, const loader::LoadedPlugin* real,
                  loader::PluginRegistry& into);

 private:
  std::deque<std::string> names_;
  std::deque<sluice_plugin_descriptor> descriptors_;
};

}  // namespace sluice::route_test
