// How many publishes and requests of this process's MQTT connectors wait
// for something only paho's receive thread can read (PUBACK, PUBCOMP, a
// reply). paho.mqtt.c runs one receive thread for every MQTTAsync client
// of the process, and that thread also runs messageArrived: a callback that
// waited for room in sluice while such an answer is pending could wait for
// itself (mqtt -> mqtt: the sink's completions free the room). Process-wide
// because paho's thread is.
#pragma once

#include <atomic>
#include <cstdint>

namespace sluice::mqtt {

inline std::atomic<int64_t>& awaiting_acks() {
  static std::atomic<int64_t> count{0};
  return count;
}

}  // namespace sluice::mqtt
