// The runtime's delivery guarantees, driven through the real C ABI with a
// plugin linked into the test: acks after every output, per-key order,
// bounded memory under a stalled sink, retries, dead letters, drain.
#include "runtime/runtime.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "probe_plugin.hpp"
#include "runtime/worker.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

config::ConnectorConfig probe(const std::string& name, const std::string& mode,
                              int max_in_flight = 10000) {
  config::ConnectorConfig c;
  c.name = name;
  c.plugin = "probe";
  c.settings_json = R"({"mode":")" + mode + R"("})";
  c.max_in_flight = max_in_flight;
  c.retry.max_attempts = 3;
  c.retry.initial_backoff_ms = 1;
  c.retry.max_backoff_ms = 5;
  return c;
}

config::RouteConfig route(const std::string& json) {
  config::RouteConfig r;
  r.spec = boost::json::parse(json).as_object();
  return r;
}

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(registry_.add_linked(probe_plugin_descriptor(), "linked"), "");
    cfg_.node_id = "test-node";
    cfg_.workers = 2;
    cfg_.queue_capacity = 1024;
    cfg_.shutdown_timeout_ms = 5000;
    cfg_.state_dir = dir_.path().string();
  }

  runtime::Runtime& start() {
    rt_ = std::make_unique<runtime::Runtime>(cfg_, registry_);
    auto errors = rt_->build();
    EXPECT_TRUE(errors.empty()) << errors.front();
    errors = rt_->start();
    EXPECT_TRUE(errors.empty()) << errors.front();
    return *rt_;
  }

  TempDir dir_;
  loader::PluginRegistry registry_;
  config::Config cfg_;
  std::unique_ptr<runtime::Runtime> rt_;
};

TEST_F(RuntimeTest, Runtime_AcksSourceOnlyAfterEveryOutputCompleted) {
  cfg_.connectors = {probe("src", "record"), probe("slow", "hold"), probe("fast", "record")};
  cfg_.routes = {route(R"({"from":"src","to":["slow","fast"]})")};
  start();
  auto* src = ProbePlugin::get("src");
  auto* slow = ProbePlugin::get("slow");
  ASSERT_EQ(src->emit("hello", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return slow->held() == 1; }, 5s));
  ASSERT_TRUE(wait_until([&] { return ProbePlugin::get("fast")->recorded().size() == 1; }, 5s));
  std::this_thread::sleep_for(50ms);  // give a wrong early ack the chance to show up
  EXPECT_EQ(src->acked(), 0u);
  slow->complete_held();
  ASSERT_TRUE(wait_until([&] { return src->acked() == 1; }, 5s));
  EXPECT_EQ(src->nacked(), 0u);
  EXPECT_TRUE(rt_->shutdown());
}

TEST_F(RuntimeTest, Runtime_KeepsOrderPerKeyAcrossWorkers) {
  cfg_.workers = 4;
  cfg_.connectors = {probe("src", "record"), probe("out", "record")};
  cfg_.routes = {route(R"({"from":"src","to":"out"})")};
  start();
  auto* src = ProbePlugin::get("src");
  constexpr int kKeys = 10, kPerKey = 400;
  for (int i = 0; i < kPerKey; ++i)
    for (int k = 0; k < kKeys; ++k)
      ASSERT_EQ(src->emit(std::to_string(k) + ":" + std::to_string(i), "key" + std::to_string(k)),
                Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src->acked() == kKeys * kPerKey; }, 20s));
  std::map<std::string, int> last;
  for (const auto& r : ProbePlugin::get("out")->recorded()) {
    auto colon = r.payload.find(':');
    auto key = r.payload.substr(0, colon);
    int seq = std::stoi(r.payload.substr(colon + 1));
    auto it = last.find(key);
    if (it != last.end()) {
      EXPECT_EQ(seq, it->second + 1) << "key " << key;
    }
    last[key] = seq;
  }
  EXPECT_EQ(last.size(), static_cast<size_t>(kKeys));
  EXPECT_TRUE(rt_->shutdown());
}

TEST_F(RuntimeTest, Runtime_StalledSinkTurnsIntoBusyWithBoundedInFlight) {
  cfg_.workers = 1;
  cfg_.queue_capacity = 16;
  cfg_.shutdown_timeout_ms = 500;
  cfg_.connectors = {probe("src", "record"), probe("stalled", "hold", 8)};
  cfg_.routes = {route(R"({"from":"src","to":"stalled"})")};
  auto& rt = start();
  auto* src = ProbePlugin::get("src");
  size_t accepted = 0, busy = 0;
  for (int i = 0; i < 20000 && busy < 100; ++i) {
    auto s = src->emit("m" + std::to_string(i), "k" + std::to_string(i), 0);
    if (s == Status::kOk) ++accepted;
    if (s == Status::kBusy) {
      ++busy;
      std::this_thread::sleep_for(1ms);
    }
  }
  EXPECT_GE(busy, 100u) << "a stalled sink must push back on the source";
  // max_in_flight (8) + one popped batch (64) + queue capacity (16).
  EXPECT_LE(accepted, 8u + 64u + 16u);
  EXPECT_LE(rt.in_flight(), 8 + 64 + 16);
  EXPECT_EQ(ProbePlugin::get("stalled")->held(), 8u);
  // Unstick everything so the test ends cleanly.
  std::atomic<bool> done{false};
  std::thread releaser([&] {
    while (!done) {
      ProbePlugin::get("stalled")->complete_held();
      std::this_thread::sleep_for(1ms);
    }
  });
  ASSERT_TRUE(wait_until([&] { return src->acked() == accepted; }, 10s));
  done = true;
  releaser.join();
  EXPECT_TRUE(rt_->shutdown());
}

// emit_batch (ABI 1.2) against a full ingress: the host takes a prefix and
// says how much; offering the rest again loses and duplicates nothing, and
// one key keeps its order.
TEST_F(RuntimeTest, Runtime_BatchEmitTakesAPrefixAndTheRestComesAgain) {
  cfg_.workers = 1;
  cfg_.queue_capacity = 4;
  cfg_.connectors = {probe("src", "record"), probe("stalled", "hold", 2)};
  cfg_.routes = {route(R"({"from":"src","to":"stalled"})")};
  start();
  auto* src = ProbePlugin::get("src");
  auto* stalled = ProbePlugin::get("stalled");
  constexpr size_t kMessages = 400;
  std::vector<std::string> payloads;
  for (size_t i = 0; i < kMessages; ++i) payloads.push_back("m" + std::to_string(i));

  // The sink holds everything: at most 2 in flight, one popped batch and
  // 4 queued can be taken before the host must refuse the rest.
  size_t taken = 0;
  auto offer_rest = [&](uint32_t wait_ms) {
    std::vector<std::string> left(payloads.begin() + static_cast<long>(taken), payloads.end());
    size_t now = 0;
    Status s = src->emit_batch(left, "one-key", wait_ms, now);
    taken += now;
    return s;
  };
  ASSERT_EQ(offer_rest(0), Status::kBusy);
  EXPECT_GT(taken, 0u);
  // Offered until the worker is stuck on the full sink (it holds 2) and its
  // queue is full: from then on nothing can free room.
  const auto& worker = *rt_->workers()[0];
  ASSERT_TRUE(wait_until(
      [&] {
        offer_rest(0);
        return stalled->held() == 2 && worker.depth() == worker.capacity();
      },
      10s));
  EXPECT_LE(taken, 2u + 4u + 4u);
  const size_t stuck = taken;
  ASSERT_EQ(offer_rest(0), Status::kBusy);
  EXPECT_EQ(taken, stuck) << "nothing freed room, so nothing more may be taken";

  // Release the sink and offer what is left until all of it is taken.
  std::atomic<bool> done{false};
  std::thread releaser([&] {
    while (!done) {
      stalled->complete_held();
      std::this_thread::sleep_for(1ms);
    }
  });
  for (int tries = 0; taken < kMessages && tries < 100000; ++tries) {
    Status s = offer_rest(10);
    ASSERT_TRUE(s == Status::kOk || s == Status::kBusy);
  }
  ASSERT_EQ(taken, kMessages);
  ASSERT_TRUE(wait_until([&] { return src->acked() == kMessages; }, 10s)) << src->acked();
  done = true;
  releaser.join();
  std::vector<std::string> got;
  for (const auto& r : stalled->recorded()) got.push_back(r.payload);
  EXPECT_EQ(got, payloads);  // each once, in order
  EXPECT_EQ(src->nacked(), 0u);
  EXPECT_TRUE(rt_->shutdown());
}

// Acks a worker settles in one pass reach the plugin through ack_batch.
TEST_F(RuntimeTest, Runtime_AcksSettledOnAWorkerArriveInBatches) {
  cfg_.workers = 1;
  cfg_.connectors = {probe("src", "record"), probe("sink", "record")};
  cfg_.routes = {route(R"({"from":"src","to":"sink"})")};
  start();
  auto* src = ProbePlugin::get("src");
  std::vector<std::string> payloads(200, "x");
  size_t accepted = 0;
  ASSERT_EQ(src->emit_batch(payloads, "k", 1000, accepted), Status::kOk);
  ASSERT_EQ(accepted, payloads.size());
  ASSERT_TRUE(wait_until([&] { return src->acked() == payloads.size(); }, 10s));
  // The record sink completes inside publish, on the worker: its acks
  // were gathered, so there were fewer calls than messages.
  EXPECT_GT(src->ack_batches(), 0u);
  EXPECT_LT(src->ack_batches(), payloads.size());
  EXPECT_TRUE(rt_->shutdown());
}

TEST_F(RuntimeTest, Runtime_RetriesThenSendsToDeadLetterAndAcks) {
  cfg_.connectors = {probe("src", "record"), probe("broken", "fail"), probe("dlq", "record")};
  cfg_.routes = {route(R"({"from":"src","to":"broken","dead_letter":"dlq:failed"})")};
  start();
  auto* src = ProbePlugin::get("src");
  ASSERT_EQ(src->emit("poison", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src->acked() == 1; }, 5s));
  auto dl = ProbePlugin::get("dlq")->recorded();
  ASSERT_EQ(dl.size(), 1u);
  EXPECT_EQ(dl[0].payload, "poison");
  EXPECT_EQ(dl[0].subject, "failed");
  EXPECT_EQ(dl[0].headers["sluice-error"], "probe sink is failing");
  auto& retries = rt_->metrics().counter("sluice_publish_retries_total", "",
                                         {{"connector", "broken"}, {"plugin", "probe"}});
  EXPECT_EQ(retries.value(), 2);  // 3 attempts
  EXPECT_TRUE(rt_->shutdown());
}

TEST_F(RuntimeTest, Runtime_NacksWhenOutputFailsForGoodWithoutDeadLetter) {
  cfg_.connectors = {probe("src", "record"), probe("refuses", "reject")};
  cfg_.routes = {route(R"({"from":"src","to":"refuses"})")};
  start();
  auto* src = ProbePlugin::get("src");
  ASSERT_EQ(src->emit("x", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src->nacked() == 1; }, 5s));
  EXPECT_EQ(src->acked(), 0u);
  EXPECT_TRUE(rt_->shutdown());
}

TEST_F(RuntimeTest, Runtime_ShutdownWaitsForInFlightAndAcksThem) {
  cfg_.connectors = {probe("src", "record"), probe("slow", "hold")};
  cfg_.routes = {route(R"({"from":"src","to":"slow"})")};
  start();
  auto* src = ProbePlugin::get("src");
  for (int i = 0; i < 10; ++i) ASSERT_EQ(src->emit("m", std::to_string(i)), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return ProbePlugin::get("slow")->held() == 10; }, 5s));
  std::thread later([&] {
    std::this_thread::sleep_for(200ms);
    ProbePlugin::get("slow")->complete_held();
  });
  EXPECT_TRUE(rt_->shutdown());
  later.join();
  // The plugins are gone after shutdown; the counters are not.
  auto& acked = rt_->metrics().counter("sluice_messages_acked_total", "",
                                       {{"connector", "src"}, {"plugin", "probe"}});
  EXPECT_EQ(acked.value(), 10);
}

TEST_F(RuntimeTest, Runtime_WhereFilterDropsAreAckedAndCounted) {
  cfg_.connectors = {probe("src", "record"), probe("out", "record")};
  cfg_.routes = {
      route(R"({"name":"moving","from":"src","where":{"data.SPEED":{"ne":"0.00"}},"to":"out"})")};
  start();
  auto* src = ProbePlugin::get("src");
  ASSERT_EQ(src->emit(R"({"data":{"SPEED":"0.00"}})", "a"), Status::kOk);
  ASSERT_EQ(src->emit(R"({"data":{"SPEED":"12.50"}})", "b"), Status::kOk);
  ASSERT_EQ(src->emit("not json", "c"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src->acked() == 3; }, 5s));
  auto out = ProbePlugin::get("out")->recorded();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, R"({"data":{"SPEED":"12.50"}})");
  auto& filtered = rt_->metrics().counter("sluice_route_filtered_total", "", {{"route", "moving"}});
  auto& parse =
      rt_->metrics().counter("sluice_route_parse_errors_total", "", {{"route", "moving"}});
  EXPECT_EQ(filtered.value(), 2);
  EXPECT_EQ(parse.value(), 1);
  EXPECT_TRUE(rt_->shutdown());
}

TEST_F(RuntimeTest, Runtime_UnroutedMessagesAreAckedAndCounted) {
  cfg_.connectors = {probe("src", "record"), probe("other", "record"), probe("out", "record")};
  cfg_.routes = {route(R"({"from":"other","to":"out"})")};
  start();
  auto* src = ProbePlugin::get("src");
  ASSERT_EQ(src->emit("x", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src->acked() == 1; }, 5s));
  EXPECT_EQ(rt_->metrics().counter("sluice_unrouted_total", "").value(), 1);
  EXPECT_TRUE(rt_->shutdown());
}

TEST_F(RuntimeTest, Runtime_TemplatesSubjectsAndFiltersBySetMembership) {
  cfg_.connectors = {probe("src", "record"), probe("backup", "record")};
  cfg_.routes = {route(
      R"({"from":"src","to":"backup:devices/${data.id}","where":{"data.id":{"in":["a","b"]}}})")};
  start();
  auto* src = ProbePlugin::get("src");
  ASSERT_EQ(src->emit(R"({"data":{"id":"a"}})", "a"), Status::kOk);
  ASSERT_EQ(src->emit(R"({"data":{"id":"z"}})", "z"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src->acked() == 2; }, 5s));
  auto out = ProbePlugin::get("backup")->recorded();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].subject, "devices/a");
  EXPECT_TRUE(rt_->shutdown());
}

TEST_F(RuntimeTest, Runtime_ThrottleKeepsLatestPerKeyAndAcksCoalesced) {
  cfg_.workers = 1;
  cfg_.connectors = {probe("src", "record"), probe("out", "record")};
  cfg_.routes = {route(
      R"({"name":"t","from":"src","to":"out","throttle":{"key":"data.id","rate":2,"burst":1,"keep_latest":true}})")};
  start();
  auto* src = ProbePlugin::get("src");
  // One key, five messages at once: the first goes, the next four coalesce
  // into one held message that goes when the next token frees (~500 ms).
  for (int i = 1; i <= 5; ++i)
    ASSERT_EQ(src->emit(R"({"data":{"id":"dev"},"n":)" + std::to_string(i) + "}", "dev"),
              Status::kOk);
  ASSERT_TRUE(wait_until([&] { return src->acked() == 5; }, 5s));
  auto out = ProbePlugin::get("out")->recorded();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].payload, R"({"data":{"id":"dev"},"n":1})");
  EXPECT_EQ(out[1].payload, R"({"data":{"id":"dev"},"n":5})");
  auto& coalesced = rt_->metrics().counter("sluice_route_coalesced_total", "", {{"route", "t"}});
  EXPECT_EQ(coalesced.value(), 3);
  EXPECT_TRUE(rt_->shutdown());
}

}  // namespace
}  // namespace sluice::test
