// The built-in commands a request on `control_subject` runs (status,
// version), answered as a reply before any route sees the message.
// Consulted by the routing step ahead of the router.
#pragma once

#include <functional>
#include <string>

#include "message/envelope.hpp"
#include "runtime/router.hpp"

namespace sluice::runtime {

class ControlCommands {
 public:
  // `status` gives the JSON `status` answers with (Runtime::status_json).
  ControlCommands(Connector& connector, std::string subject, std::string node_id,
                  std::function<std::string()> status)
      : connector_(connector),
        subject_(std::move(subject)),
        node_id_(std::move(node_id)),
        status_(std::move(status)) {}

  Connector& connector() const { return connector_; }
  // The subject to subscribe to on connector(); "" = everything it emits.
  const std::string& subject() const { return subject_; }

  // Answers `delivery`'s message when it is a control request. False when
  // it is not one (then it is routed as usual).
  bool handle(Delivery& delivery, Dispatch& out) const;

 private:
  Connector& connector_;
  std::string subject_;
  std::string node_id_;
  std::function<std::string()> status_;
};

}  // namespace sluice::runtime
