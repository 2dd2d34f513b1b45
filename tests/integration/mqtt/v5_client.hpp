// A minimal MQTT 5 client for the tests (paho.mqtt.c's synchronous
// MQTTClient): publishes with response topic and correlation data, and
// receives what its subscriptions deliver. Independent of the plugin.
#pragma once

#include <MQTTClient.h>

#include <chrono>
#include <optional>
#include <string>

#include "support/net.hpp"

namespace sluice::test::mqtt {

struct V5Message {
  std::string topic;
  std::string payload;
  std::string correlation;
  std::string response_topic;
};

class V5Client {
 public:
  V5Client(const HostPort& broker, const std::string& client_id);
  ~V5Client();
  V5Client(const V5Client&) = delete;
  V5Client& operator=(const V5Client&) = delete;

  bool connected() const { return connected_; }
  void subscribe(const std::string& filter, int qos);
  void publish(const std::string& topic, const std::string& payload, int qos,
               const std::string& response_topic = "", const std::string& correlation = "");
  std::optional<V5Message> receive(std::chrono::milliseconds timeout);

 private:
  MQTTClient client_ = nullptr;
  bool connected_ = false;
};

}  // namespace sluice::test::mqtt
