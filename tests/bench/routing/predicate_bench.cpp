// What a native `where` costs per message on the 250-byte tracking event,
// parse included: the budget is ~10% of a 1-2M msg/s pass-through, i.e.
// 50-100 ns per message.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <sluice/common/json_path.hpp>

#include "routing/json_scanner.hpp"
#include "routing/predicate.hpp"

namespace {

using sluice::common::JsonPath;
using sluice::routing::JsonScanner;
using sluice::routing::MessageContext;
using sluice::routing::PayloadScan;
using sluice::routing::Predicate;
using sluice::routing::Verdict;

constexpr const char* kTrackingEvent =
    R"({"data":{"DEVICE_ID":"0848086123","LATITUD":"+20.652472","LONGITUD":"-100.391423",)"
    R"("SPEED":"12.50","GPS_DATETIME":"2025-10-18 00:51:16","ENGINE_STATUS":"ON",)"
    R"("SATELLITES":"9"},"metadata":{"source":"gw-1"},)"
    R"("uuid":"6f1c2a4e-8d3b-4b7e-9a51-0c2d3e4f5a6b"})";

Predicate compile(const char* spec) {
  std::vector<std::string> errors;
  return std::move(*Predicate::compile(boost::json::parse(spec), errors));
}

void BM_BoostJsonParse(benchmark::State& state) {
  std::string payload = kTrackingEvent;
  for (auto _ : state) {
    boost::system::error_code ec;
    auto v = boost::json::parse(payload, ec);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(state.iterations() * payload.size());
}
BENCHMARK(BM_BoostJsonParse);

// A reused parser writing into a stack buffer: the least a DOM parse can cost.
void BM_BoostJsonParseReusedBuffer(benchmark::State& state) {
  std::string payload = kTrackingEvent;
  unsigned char buffer[4096];
  boost::json::parser parser;
  for (auto _ : state) {
    boost::json::monotonic_resource mr(buffer, sizeof buffer);
    parser.reset(&mr);
    boost::system::error_code ec;
    parser.write(payload, ec);
    auto v = parser.release();
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(state.iterations() * payload.size());
}
BENCHMARK(BM_BoostJsonParseReusedBuffer);

void BM_ScannerValidate(benchmark::State& state) {
  std::string payload = kTrackingEvent;
  for (auto _ : state) benchmark::DoNotOptimize(JsonScanner::is_valid(payload));
  state.SetBytesProcessed(state.iterations() * payload.size());
}
BENCHMARK(BM_ScannerValidate);

void BM_ScannerFindOneField(benchmark::State& state) {
  std::string payload = kTrackingEvent, error, scratch;
  auto path = JsonPath::compile("data.ENGINE_STATUS", error);
  for (auto _ : state) benchmark::DoNotOptimize(JsonScanner::find(payload, *path, scratch));
}
BENCHMARK(BM_ScannerFindOneField);

enum class Mode { kParseEachMessage, kParsedAlready, kScanEachMessage };

// Envelope::json() parses once per message; invalidate_json() makes each
// iteration a new message without copying the payload. Scanning gets a
// fresh PayloadScan per message, so validation is counted every time.
void run_predicate(benchmark::State& state, const char* spec, Mode mode) {
  Predicate p = compile(spec);
  sluice::message::Envelope m;
  m.payload = kTrackingEvent;
  m.subject = "tracking.data";
  int64_t matched = 0;
  for (auto _ : state) {
    if (mode == Mode::kScanEachMessage) {
      PayloadScan scan;
      matched += p.evaluate(MessageContext{m, "tracking", "node-1", &scan}) == Verdict::kMatch;
    } else {
      if (mode == Mode::kParseEachMessage) m.invalidate_json();
      matched += p.evaluate(MessageContext{m, "tracking", "node-1"}) == Verdict::kMatch;
    }
  }
  if (matched != state.iterations()) state.SkipWithError("predicate did not match");
}

void BM_WhereEquality_WithParse(benchmark::State& state) {
  run_predicate(state, R"({"data.ENGINE_STATUS": "ON"})", Mode::kParseEachMessage);
}
BENCHMARK(BM_WhereEquality_WithParse);

void BM_WhereEquality_ParsedAlready(benchmark::State& state) {
  run_predicate(state, R"({"data.ENGINE_STATUS": "ON"})", Mode::kParsedAlready);
}
BENCHMARK(BM_WhereEquality_ParsedAlready);

constexpr const char* kThreeTests =
    R"({"data.ENGINE_STATUS": "ON", "data.SPEED": {"gt": 0}, "data.DEVICE_ID": {"prefix": "08"}})";

void BM_WhereThreeTests_WithParse(benchmark::State& state) {
  run_predicate(state, kThreeTests, Mode::kParseEachMessage);
}
BENCHMARK(BM_WhereThreeTests_WithParse);

void BM_WhereThreeTests_ParsedAlready(benchmark::State& state) {
  run_predicate(state, kThreeTests, Mode::kParsedAlready);
}
BENCHMARK(BM_WhereThreeTests_ParsedAlready);

void BM_WhereEquality_Scanned(benchmark::State& state) {
  run_predicate(state, R"({"data.ENGINE_STATUS": "ON"})", Mode::kScanEachMessage);
}
BENCHMARK(BM_WhereEquality_Scanned);

void BM_WhereThreeTests_Scanned(benchmark::State& state) {
  run_predicate(state, kThreeTests, Mode::kScanEachMessage);
}
BENCHMARK(BM_WhereThreeTests_Scanned);

void BM_WhereSubjectOnly(benchmark::State& state) {
  run_predicate(state, R"({"subject": {"prefix": "tracking."}})", Mode::kParseEachMessage);
}
BENCHMARK(BM_WhereSubjectOnly);

}  // namespace
