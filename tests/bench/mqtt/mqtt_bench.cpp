// MQTT benchmark tool (run.sh drives it): a minimal paho.mqtt.c (MQTTAsync)
// publisher with a window of unacknowledged publishes and a subscriber that
// counts and measures end-to-end latency from a send timestamp in the
// payload. The baseline sluice is measured against, and its load generator.
//
//   mqtt_bench publish --url U --topic T --count N --qos Q [--window W]
//   mqtt_bench consume --url U --topic T --count N --qos Q [--timeout S]
//   mqtt_bench relay --url U --topic T --to D --count N --qos Q [--window W]
//       subscribes to T and publishes each message on to D on the same
//       connection (says "ready"): the raw client doing sluice's mqtt -> mqtt
// Each prints one JSON line: messages, bytes, seconds (+ p50_us, p99_us).
#include <MQTTAsync.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Args {
  std::string mode, url = "tcp://127.0.0.1:1883", topic = "bench", to = "bench-out";
  long count = 100000;
  int qos = 0;
  int window = 1000;
  int timeout_s = 120;
};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::mutex mutex;
std::condition_variable wake;
bool connected = false;
bool subscribed = false;
std::atomic<long> outstanding{0};
std::atomic<long> acked{0};
std::atomic<long> received{0};
std::atomic<long> bytes_in{0};
int64_t first_ns = 0, last_ns = 0;
std::vector<int64_t> latencies;
// Relay mode: what arrived, for the main thread to publish (the receive
// callback must not wait for a window: PUBACKs arrive on its thread).
bool relaying = false;
std::deque<std::string> to_relay;

void on_connect(void*, MQTTAsync_successData*) {
  std::lock_guard lock(mutex);
  connected = true;
  wake.notify_all();
}
void on_connect_failure(void*, MQTTAsync_failureData* r) {
  std::fprintf(stderr, "connect failed: %d\n", r ? r->code : 0);
  std::exit(1);
}
void on_subscribe(void*, MQTTAsync_successData*) {
  std::lock_guard lock(mutex);
  subscribed = true;
  wake.notify_all();
}
void on_sent(void*, MQTTAsync_successData*) {
  outstanding.fetch_sub(1);
  acked.fetch_add(1);
  wake.notify_all();
}
void on_send_failure(void*, MQTTAsync_failureData* r) {
  std::fprintf(stderr, "publish failed: %d\n", r ? r->code : 0);
  outstanding.fetch_sub(1);
  wake.notify_all();
}
int on_message(void*, char* topic, int, MQTTAsync_message* m) {
  int64_t now = now_ns();
  std::string_view p(static_cast<const char*>(m->payload), m->payloadlen);
  size_t at = p.find("\"ts\":");
  std::lock_guard lock(mutex);
  if (relaying) to_relay.emplace_back(p);
  if (received == 0) first_ns = now;
  last_ns = now;
  if (at != std::string_view::npos)
    latencies.push_back(now - std::strtoll(p.data() + at + 5, nullptr, 10));
  bytes_in += m->payloadlen;
  received.fetch_add(1);
  wake.notify_all();
  MQTTAsync_freeMessage(&m);
  MQTTAsync_free(topic);
  return 1;
}

MQTTAsync connect(const Args& a, const char* id) {
  MQTTAsync client;
  MQTTAsync_create(&client, a.url.c_str(), id, MQTTCLIENT_PERSISTENCE_NONE, nullptr);
  MQTTAsync_setCallbacks(client, nullptr, nullptr, &on_message, nullptr);
  MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
  o.cleansession = 1;
  o.keepAliveInterval = 30;
  o.maxInflight = a.window + 10;
  o.onSuccess = &on_connect;
  o.onFailure = &on_connect_failure;
  MQTTAsync_connect(client, &o);
  std::unique_lock lock(mutex);
  wake.wait(lock, [] { return connected; });
  return client;
}

void send(MQTTAsync client, const std::string& topic, const std::string& payload, int qos);

int publish(const Args& a) {
  MQTTAsync client = connect(a, ("bench-pub-" + std::to_string(getpid())).c_str());
  int64_t start = now_ns();
  long bytes = 0;
  for (long i = 0; i < a.count; ++i) {
    {
      std::unique_lock lock(mutex);
      wake.wait(lock, [&] { return outstanding.load() < a.window; });
    }
    std::string payload = R"({"device":"d-)" + std::to_string(i % 1000) +
                          R"(","engine":"ON","speed":42,"ts":)" + std::to_string(now_ns()) + "}";
    bytes += static_cast<long>(payload.size());
    send(client, a.topic, payload, a.qos);
  }
  {
    std::unique_lock lock(mutex);
    wake.wait(lock, [] { return outstanding.load() == 0; });
  }
  double secs = (now_ns() - start) / 1e9;
  std::printf("{\"messages\": %ld, \"bytes\": %ld, \"seconds\": %.3f}\n", a.count, bytes, secs);
  MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
  MQTTAsync_disconnect(client, &d);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  MQTTAsync_destroy(&client);
  return 0;
}

void send(MQTTAsync client, const std::string& topic, const std::string& payload, int qos) {
  MQTTAsync_message m = MQTTAsync_message_initializer;
  m.payload = const_cast<char*>(payload.data());
  m.payloadlen = static_cast<int>(payload.size());
  m.qos = qos;
  MQTTAsync_responseOptions r = MQTTAsync_responseOptions_initializer;
  r.onSuccess = &on_sent;
  r.onFailure = &on_send_failure;
  outstanding.fetch_add(1);
  while (MQTTAsync_sendMessage(client, topic.c_str(), &m, &r) != MQTTASYNC_SUCCESS)
    std::this_thread::sleep_for(std::chrono::microseconds(100));
}

// Subscribes to the topic, waits for the SUBACK, says "ready" on stderr.
void subscribe(MQTTAsync client, const Args& a) {
  MQTTAsync_responseOptions r = MQTTAsync_responseOptions_initializer;
  r.onSuccess = &on_subscribe;
  MQTTAsync_subscribe(client, a.topic.c_str(), a.qos, &r);
  {
    std::unique_lock lock(mutex);
    wake.wait(lock, [] { return subscribed; });
  }
  std::fprintf(stderr, "ready\n");
}

int relay(const Args& a) {
  relaying = true;
  MQTTAsync client = connect(a, ("bench-relay-" + std::to_string(getpid())).c_str());
  subscribe(client, a);
  for (long sent = 0; sent < a.count; ++sent) {
    std::string payload;
    {
      std::unique_lock lock(mutex);
      if (!wake.wait_for(lock, std::chrono::seconds(a.timeout_s),
                         [&] { return !to_relay.empty() && outstanding.load() < a.window; })) {
        std::fprintf(stderr, "relay: stalled after %ld\n", sent);
        std::_Exit(3);
      }
      payload = std::move(to_relay.front());
      to_relay.pop_front();
    }
    send(client, a.to, payload, a.qos);
  }
  std::unique_lock lock(mutex);
  wake.wait(lock, [] { return outstanding.load() == 0; });
  std::_Exit(0);
}

int consume(const Args& a) {
  MQTTAsync client = connect(a, ("bench-sub-" + std::to_string(getpid())).c_str());
  subscribe(client, a);
  {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, std::chrono::seconds(a.timeout_s), [&] { return received >= a.count; });
  }
  std::lock_guard lock(mutex);
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0
                             : latencies[static_cast<size_t>(p * (latencies.size() - 1))] / 1000;
  };
  double secs = received > 0 ? (last_ns - first_ns) / 1e9 : 0;
  std::printf(
      "{\"messages\": %ld, \"bytes\": %ld, \"seconds\": %.3f, \"p50_us\": %lld, "
      "\"p99_us\": %lld}\n",
      received.load(), bytes_in.load(), secs, static_cast<long long>(pct(0.5)),
      static_cast<long long>(pct(0.99)));
  std::fflush(stdout);
  std::_Exit(received >= a.count ? 0 : 3);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (argc < 2) {
    std::fprintf(stderr, "usage: mqtt_bench publish|consume --url U --topic T --count N --qos Q\n");
    return 2;
  }
  a.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--url")
      a.url = v;
    else if (k == "--topic")
      a.topic = v;
    else if (k == "--count")
      a.count = std::stol(v);
    else if (k == "--qos")
      a.qos = std::stoi(v);
    else if (k == "--window")
      a.window = std::stoi(v);
    else if (k == "--timeout")
      a.timeout_s = std::stoi(v);
    else if (k == "--to")
      a.to = v;
  }
  if (a.mode == "publish") return publish(a);
  if (a.mode == "consume") return consume(a);
  if (a.mode == "relay") return relay(a);
  std::fprintf(stderr, "unknown mode %s\n", a.mode.c_str());
  return 2;
}
