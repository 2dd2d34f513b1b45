// NATS load generator for the benchmark (run.sh).
//
//   nats_loadgen request --url U --subject S --k K --seconds D [--payload P]
//     keeps K requests in flight on one connection for D seconds; each
//     in-flight slot has its own reply subject, and a reply immediately
//     sends the slot's next request. Prints one JSON line: requests, req/s,
//     p50/p99/p999 latency (microseconds), lost (no reply within 2 s).
//
//   nats_loadgen pubsub --url U --in A --out B --count N [--payload P]
//     subscribes to B, publishes N messages to A as fast as the client
//     allows, and reports how many arrived on B and at what rate (from the
//     first publish to the last arrival, or to 2 s of silence).
#include <nats/nats.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string mode, url = "nats://127.0.0.1:4222", subject, in, out;
  std::string payload = R"({"command":"version"})";
  int k = 1;
  double seconds = 5;
  long count = 100000;
};

Args parse(int argc, char** argv) {
  Args a;
  if (argc > 1) a.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string key = argv[i], value = argv[i + 1];
    if (key == "--url")
      a.url = value;
    else if (key == "--subject")
      a.subject = value;
    else if (key == "--in")
      a.in = value;
    else if (key == "--out")
      a.out = value;
    else if (key == "--payload")
      a.payload = value;
    else if (key == "--k")
      a.k = std::max(1, std::atoi(value.c_str()));
    else if (key == "--seconds")
      a.seconds = std::atof(value.c_str());
    else if (key == "--count")
      a.count = std::atol(value.c_str());
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      std::exit(2);
    }
  }
  return a;
}

// `send_asap`: write each message at once (request latency) instead of
// letting cnats batch writes (throughput).
natsConnection* connect(const std::string& url, bool send_asap) {
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  natsOptions_SetURL(opts, url.c_str());
  natsOptions_SetMaxPendingMsgs(opts, 1 << 20);
  natsOptions_SetSendAsap(opts, send_asap);
  natsConnection* nc = nullptr;
  natsStatus s = natsConnection_Connect(&nc, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) {
    std::fprintf(stderr, "cannot connect to %s: %s\n", url.c_str(), natsStatus_GetText(s));
    std::exit(1);
  }
  return nc;
}

double percentile(std::vector<uint32_t>& v, double p) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

struct RequestRun {
  natsConnection* nc = nullptr;
  std::string subject, payload, inbox;
  std::vector<Clock::time_point> sent;
  std::vector<std::string> reply_subjects;
  std::mutex mutex;
  std::vector<uint32_t> latencies_us;
  std::atomic<bool> sending{true};
  std::atomic<long> lost{0};
  std::atomic<int> in_flight{0};

  void send(int slot) {
    {
      std::lock_guard lock(mutex);
      sent[slot] = Clock::now();
    }
    natsConnection_PublishRequest(nc, subject.c_str(), reply_subjects[slot].c_str(), payload.data(),
                                  static_cast<int>(payload.size()));
  }

  static void on_reply(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* self = static_cast<RequestRun*>(closure);
    const char* subj = natsMsg_GetSubject(msg);
    int slot = std::atoi(std::strrchr(subj, '.') + 1);
    natsMsg_Destroy(msg);
    auto now = Clock::now();
    {
      std::lock_guard lock(self->mutex);
      if (slot < 0 || slot >= static_cast<int>(self->sent.size()) ||
          self->sent[slot] == Clock::time_point{})
        return;  // a duplicate or late reply: the slot is not waiting
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - self->sent[slot]);
      self->latencies_us.push_back(static_cast<uint32_t>(us.count()));
      self->sent[slot] = Clock::time_point{};
    }
    if (self->sending.load())
      self->send(slot);
    else
      self->in_flight.fetch_sub(1);
  }
};

int run_request(const Args& a) {
  RequestRun run;
  run.nc = connect(a.url, true);
  run.subject = a.subject;
  run.payload = a.payload;
  natsInbox* inbox = nullptr;
  natsInbox_Create(&inbox);
  run.inbox = inbox;
  natsInbox_Destroy(inbox);
  run.sent.resize(a.k);
  for (int i = 0; i < a.k; ++i) run.reply_subjects.push_back(run.inbox + "." + std::to_string(i));
  natsSubscription* sub = nullptr;
  natsConnection_Subscribe(&sub, run.nc, (run.inbox + ".*").c_str(), &RequestRun::on_reply, &run);
  natsSubscription_SetPendingLimits(sub, -1, -1);
  natsConnection_Flush(run.nc);

  // Warm-up: one request answered before timing starts.
  natsMsg* warm = nullptr;
  if (natsConnection_Request(&warm, run.nc, a.subject.c_str(), a.payload.data(),
                             static_cast<int>(a.payload.size()), 5000) != NATS_OK) {
    std::fprintf(stderr, "no responder on %s\n", a.subject.c_str());
    return 1;
  }
  natsMsg_Destroy(warm);

  auto start = Clock::now();
  run.in_flight = a.k;
  for (int i = 0; i < a.k; ++i) run.send(i);
  auto end_at = start + std::chrono::duration<double>(a.seconds);
  while (Clock::now() < end_at) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // A request without a reply for 2 s is lost: count it, send another.
    std::vector<int> resend;
    {
      std::lock_guard lock(run.mutex);
      auto now = Clock::now();
      for (int i = 0; i < a.k; ++i)
        if (run.sent[i] != Clock::time_point{} && now - run.sent[i] > std::chrono::seconds(2))
          resend.push_back(i);
    }
    for (int i : resend) {
      run.lost.fetch_add(1);
      run.send(i);
    }
  }
  run.sending = false;
  auto drain_until = Clock::now() + std::chrono::seconds(3);
  while (run.in_flight.load() > 0 && Clock::now() < drain_until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<uint32_t> lat;
  {
    std::lock_guard lock(run.mutex);
    lat = run.latencies_us;
  }
  size_t n = lat.size();
  double p50 = percentile(lat, 0.50), p99 = percentile(lat, 0.99), p999 = percentile(lat, 0.999);
  std::printf(
      "{\"mode\":\"request\",\"k\":%d,\"requests\":%zu,\"seconds\":%.3f,\"rps\":%.0f,"
      "\"p50_us\":%.0f,\"p99_us\":%.0f,\"p999_us\":%.0f,\"lost\":%ld}\n",
      a.k, n, elapsed, static_cast<double>(n) / elapsed, p50, p99, p999, run.lost.load());
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(run.nc);
  return 0;
}

struct Counter {
  std::atomic<long> n{0};
  std::atomic<int64_t> last_ns{0};
  static void on_msg(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* self = static_cast<Counter*>(closure);
    natsMsg_Destroy(msg);
    self->n.fetch_add(1);
    self->last_ns.store(Clock::now().time_since_epoch().count());
  }
};

int run_pubsub(const Args& a) {
  natsConnection* pub = connect(a.url, false);
  natsConnection* subc = connect(a.url, false);
  Counter counter;
  natsSubscription* sub = nullptr;
  natsConnection_Subscribe(&sub, subc, a.out.c_str(), &Counter::on_msg, &counter);
  natsSubscription_SetPendingLimits(sub, -1, -1);
  natsConnection_Flush(subc);
  auto start = Clock::now();
  for (long i = 0; i < a.count; ++i) {
    natsConnection_Publish(pub, a.in.c_str(), a.payload.data(), static_cast<int>(a.payload.size()));
    // A round trip now and then keeps the publisher from racing far ahead
    // of the server (core NATS would otherwise drop at slow consumers).
    if (i % 1000 == 999) natsConnection_Flush(pub);
  }
  natsConnection_Flush(pub);
  double publish_s = std::chrono::duration<double>(Clock::now() - start).count();
  long seen = -1;
  auto quiet_since = Clock::now();
  while (counter.n.load() < a.count) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    long now_seen = counter.n.load();
    if (now_seen != seen) {
      seen = now_seen;
      quiet_since = Clock::now();
    } else if (Clock::now() - quiet_since > std::chrono::seconds(2)) {
      break;
    }
  }
  long received = counter.n.load();
  auto last = Clock::time_point(Clock::duration(counter.last_ns.load()));
  double elapsed = received > 0 ? std::chrono::duration<double>(last - start).count() : publish_s;
  std::printf(
      "{\"mode\":\"pubsub\",\"sent\":%ld,\"received\":%ld,\"seconds\":%.3f,\"msgs_per_s\":%.0f,"
      "\"publish_seconds\":%.3f}\n",
      a.count, received, elapsed, static_cast<double>(received) / elapsed, publish_s);
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(pub);
  natsConnection_Destroy(subc);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = parse(argc, argv);
  if (a.mode == "request" && !a.subject.empty()) return run_request(a);
  if (a.mode == "pubsub" && !a.in.empty() && !a.out.empty()) return run_pubsub(a);
  std::fprintf(stderr,
               "usage: nats_loadgen request --url U --subject S --k K --seconds D\n"
               "       nats_loadgen pubsub --url U --in A --out B --count N\n");
  return 2;
}
