// The other per-message routing steps: finding routes by subject among
// many, rendering a subject template, a throttle decision.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>

#include "routing/route_table.hpp"
#include "routing/subject_index.hpp"
#include "routing/template.hpp"
#include "routing/throttle.hpp"

namespace {

using namespace sluice::routing;

void BM_SubjectIndexMatch(benchmark::State& state) {
  const int patterns = static_cast<int>(state.range(0));
  SubjectIndex index;
  std::string error;
  for (int i = 0; i < patterns; ++i) {
    index.add(*SubjectPattern::compile("devices/" + std::to_string(i) + "/+", SubjectSyntax::kMqtt,
                                       error),
              static_cast<SubjectIndex::Id>(i));
  }
  index.add(*SubjectPattern::compile("devices/#", SubjectSyntax::kMqtt, error), 999999);
  std::vector<SubjectIndex::Id> out;
  for (auto _ : state) {
    out.clear();
    index.match("devices/4711/state", out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_SubjectIndexMatch)->Arg(10)->Arg(10000);

void BM_RouteTableMatch(benchmark::State& state) {
  RouteTable table;
  std::vector<std::string> errors;
  for (int i = 0; i < 100; ++i) {
    auto spec = boost::json::parse(R"({"from": "kafka:tracking.)" + std::to_string(i) +
                                   R"(", "to": "out"})");
    table.add(std::move(*compile_route(spec, {}, "r", errors)));
  }
  std::vector<RouteTable::RouteId> out;
  for (auto _ : state) {
    out.clear();
    table.match("kafka", "tracking.42", out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_RouteTableMatch);

void BM_TemplateRenderScanned(benchmark::State& state) {
  std::string error;
  auto t = Template::compile("devices/${data.DEVICE_ID}", error);
  sluice::message::Envelope m;
  m.payload =
      R"({"data":{"DEVICE_ID":"0848086123","LATITUD":"+20.652472","SPEED":"12.50"},"uuid":"x"})";
  std::string out;
  for (auto _ : state) {
    PayloadScan scan;
    t->render(MessageContext{m, "tracking", "node-1", &scan}, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_TemplateRenderScanned);

void BM_ThrottleOfferManyKeys(benchmark::State& state) {
  Throttle throttle(ThrottleSpec{.rate = 10, .burst = 5, .keep_latest = true});
  auto message = std::make_shared<sluice::message::Envelope>();
  std::vector<std::string> keys;
  for (int i = 0; i < 1000; ++i) keys.push_back("device-" + std::to_string(i));
  auto now = std::chrono::steady_clock::now();
  size_t i = 0;
  for (auto _ : state) {
    now += std::chrono::microseconds(10);
    auto d = throttle.offer(keys[i++ % keys.size()], message, now);
    benchmark::DoNotOptimize(d);
    if (i % 64 == 0) throttle.release_due(now, [](const Throttle::Released&) {});
  }
}
BENCHMARK(BM_ThrottleOfferManyKeys);

}  // namespace
