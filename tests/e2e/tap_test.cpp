// `sluice tap` against a running `sluice run`: the lines it prints are the
// messages the sink really got, filters narrow them, at most four taps are
// open, a tap whose reader stalls drops (and counts) instead of slowing
// routing, and mistakes get clear errors.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "prometheus_parser.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::vector<json::object> json_lines(const std::string& text) {
  std::vector<json::object> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) out.push_back(json::parse(text.substr(pos, end - pos)).as_object());
    pos = end + 1;
  }
  return out;
}

class TapTest : public ::testing::Test {
 protected:
  // gen -> (route on-only: status ON) -> out.jsonl, `rate` messages a second
  // (0: as fast as it goes), `count` of them (0: forever).
  void start(int rate, int count = 0) {
    port_ = free_tcp_port();
    out_ = dir_.path() / "out.jsonl";
    auto config = dir_.path() / "sluice.yaml";
    write_file(config, "node_id: tap-test\nworkers: 2\nstate_dir: " + dir_.path().string() +
                           "/state\nadmin:\n  listen: 127.0.0.1:" + std::to_string(port_) +
                           "\nconnectors:\n"
                           "  gen:\n    plugin: generate\n    rate: " +
                           std::to_string(rate) + "\n    count: " + std::to_string(count) +
                           "\n    payload: '{\"n\":${counter},\"status\":\"${random:ON|OFF}\"}'\n"
                           "    subject: 'orders.${random:eu|us}'\n"
                           "  out:\n    plugin: file\n    path: " +
                           out_.string() +
                           "\nroutes:\n"
                           "  - name: on-only\n    from: gen\n    where: { status: \"ON\" }\n"
                           "    to: out\n");
    proc_.emplace(SluiceProcess::run(config.string()));
    ASSERT_TRUE(wait_until([&] { return admin_get("/healthz").status == 200; }, 20s))
        << proc_->output();
  }
  HttpResponse admin_get(const std::string& target) { return http_get("127.0.0.1", port_, target); }
  double metric(const std::string& name, const std::map<std::string, std::string>& match = {}) {
    return PromText::parse(admin_get("/metrics").body).sum(name, match);
  }
  std::vector<std::string> tap_args(std::vector<std::string> args) {
    args.insert(args.begin(), "tap");
    args.push_back("--admin");
    args.push_back("127.0.0.1:" + std::to_string(port_));
    return args;
  }
  // `sluice tap ARGS` to completion: its exit status (-1: still running
  // after `timeout`), its output in *output.
  int tap(std::vector<std::string> args, std::string* output,
          std::chrono::milliseconds timeout = 60s) {
    return run_sluice(tap_args(std::move(args)), output, {}, timeout);
  }

  TempDir dir_;
  std::filesystem::path out_;
  uint16_t port_ = 0;
  std::optional<SluiceProcess> proc_;
};

TEST_F(TapTest, Tap_LinesAreWhatTheSinkReceived) {
  ASSERT_NO_FATAL_FAILURE(start(400));
  std::string output;
  ASSERT_EQ(tap({"out", "--limit", "20"}, &output), 0) << output;
  auto lines = json_lines(output);
  ASSERT_EQ(lines.size(), 20u) << output;
  std::set<int64_t> tapped;
  for (const auto& line : lines) {
    EXPECT_EQ(line.at("tap"), "out");
    EXPECT_EQ(line.at("connector"), "out");
    EXPECT_EQ(line.at("route"), "on-only");
    EXPECT_EQ(line.at("payload").at("status"), "ON");
    tapped.insert(line.at("payload").at("n").as_int64());
  }
  // Every tapped message is in the file (the sink writes within 100 ms).
  ASSERT_TRUE(wait_until(
      [&] {
        std::set<int64_t> written;
        for (const auto& line : read_lines(out_))
          written.insert(json::parse(line).at("n").as_int64());
        return std::includes(written.begin(), written.end(), tapped.begin(), tapped.end());
      },
      10s));
}

TEST_F(TapTest, Tap_SourceSubjectPatternRouteAndWhereNarrowIt) {
  ASSERT_NO_FATAL_FAILURE(start(400));
  std::string output;
  ASSERT_EQ(tap({"gen", "--limit", "10"}, &output), 0) << output;
  std::set<std::string> statuses;
  for (const auto& line : json_lines(output)) {
    EXPECT_EQ(line.at("tap"), "in");
    EXPECT_EQ(line.at("connector"), "gen");
    statuses.insert(std::string(line.at("payload").at("status").as_string()));
  }
  EXPECT_EQ(json_lines(output).size(), 10u);

  ASSERT_EQ(tap({"gen:orders.eu", "--limit", "10"}, &output), 0) << output;
  for (const auto& line : json_lines(output)) EXPECT_EQ(line.at("subject"), "orders.eu");

  ASSERT_EQ(tap({"on-only", "--limit", "5"}, &output), 0) << output;
  for (const auto& line : json_lines(output)) EXPECT_EQ(line.at("route"), "on-only");

  ASSERT_EQ(tap({"gen", "--where", "status=OFF", "--limit", "10"}, &output), 0) << output;
  ASSERT_EQ(json_lines(output).size(), 10u);
  for (const auto& line : json_lines(output)) EXPECT_EQ(line.at("payload").at("status"), "OFF");

  ASSERT_EQ(tap({"--where", R"({"n":{"lt":0}})", "--limit", "1"}, &output, 3s), -1)
      << "nothing matches: the tap waits until stopped";
}

TEST_F(TapTest, Tap_MistakesGetClearErrors) {
  ASSERT_NO_FATAL_FAILURE(start(50));
  std::string output;
  EXPECT_EQ(tap({"nope"}, &output), 1);
  EXPECT_NE(output.find("no connector or route named 'nope' (there are: gen, out, on-only)"),
            std::string::npos)
      << output;
  EXPECT_EQ(tap({"gen:a.>.b"}, &output), 1);
  EXPECT_NE(output.find("subject pattern 'a.>.b'"), std::string::npos) << output;
  EXPECT_EQ(tap({"--where", R"({"n":{"between":1}})"}, &output), 1);
  EXPECT_NE(output.find("between"), std::string::npos) << output;
  EXPECT_EQ(tap({"--where", "status"}, &output), 1);
  EXPECT_NE(output.find("expected FIELD=VALUE"), std::string::npos) << output;
  EXPECT_EQ(tap({"--limit", "x"}, &output), 1);
  EXPECT_NE(output.find("--limit must be"), std::string::npos) << output;
  EXPECT_EQ(run_sluice({"tap", "--admin", "127.0.0.1:" + std::to_string(free_tcp_port())}, &output),
            1);
  EXPECT_NE(output.find("cannot reach the admin server"), std::string::npos) << output;
}

TEST_F(TapTest, Tap_AtMostFourOpenAndAGoneReaderFreesItsPlace) {
  ASSERT_NO_FATAL_FAILURE(start(50));
  std::vector<SluiceProcess> taps;
  for (int i = 0; i < 4; ++i) taps.push_back(start_sluice(tap_args({})));
  ASSERT_TRUE(wait_until([&] { return metric("sluice_taps_open") == 4; }, 20s));
  std::string output;
  EXPECT_EQ(tap({}, &output), 1);
  EXPECT_NE(output.find("4 taps are open already"), std::string::npos) << output;
  taps.back().signal(SIGKILL);
  ASSERT_TRUE(wait_until([&] { return metric("sluice_taps_open") == 3; }, 20s))
      << "the server did not notice the reader had gone";
  EXPECT_EQ(tap({"--limit", "1"}, &output), 0) << output;
}

TEST_F(TapTest, Tap_AStalledReaderDropsInsteadOfSlowingRouting) {
  // A reader that never reads: its socket buffers fill, then its ring.
  ASSERT_NO_FATAL_FAILURE(start(0, 200000));
  ProcessOptions stalled;
  stalled.stdout_pipe = true;  // never read: the tap blocks writing to it
  auto reader = start_sluice(tap_args({}), {}, stalled);
  ASSERT_TRUE(wait_until([&] { return metric("sluice_taps_open") == 1; }, 20s));
  // Every message still reaches the sink, and the tap's losses are counted.
  ASSERT_TRUE(wait_until(
      [&] {
        return metric("sluice_messages_acked_total", {{"connector", "gen"}}) == 200000;
      },
      120s))
      << proc_->output();
  EXPECT_GT(metric("sluice_tap_dropped_total"), 0);
  EXPECT_EQ(metric("sluice_messages_nacked_total"), 0);
}

}  // namespace
}  // namespace sluice::test
