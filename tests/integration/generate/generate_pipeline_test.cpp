// The generate plugin through the real `sluice` binary: exact counts, the
// rate measured over about two seconds, keys that agree with payloads, and
// template errors reported by `sluice check`.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <set>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

std::string generate_yaml(const TempDir& dir, const std::string& generator,
                          const std::string& sink_extra = "") {
  return "workers: 1\n"
         "admin: { enabled: false }\n"
         "state_dir: " +
         dir.file("state") +
         "\n"
         "connectors:\n"
         "  gen: { plugin: generate" +
         generator +
         " }\n"
         "  out: { plugin: file, mode: sink, path: \"" +
         dir.file("out.txt") + "\"" + sink_extra +
         " }\n"
         "routes:\n"
         "  - from: gen\n"
         "    to: out\n";
}

TEST(Generate, EmitsExactlyCountMessagesThenFinishes) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"),
             generate_yaml(dir, ", count: 10000, payload: \"msg $${counter}\""));
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"});
  auto status = sluice.wait(120s);
  ASSERT_TRUE(status.has_value()) << sluice.output();
  ASSERT_EQ(*status, 0) << sluice.output();
  auto lines = read_lines(dir.file("out.txt"));
  ASSERT_EQ(lines.size(), 10000u);
  for (size_t i = 0; i < lines.size(); ++i) ASSERT_EQ(lines[i], "msg " + std::to_string(i + 1));
}

TEST(Generate, KeepsTheConfiguredRate) {
  TempDir dir;
  const double kRate = 200;
  write_file(dir.file("sluice.yaml"),
             generate_yaml(dir, ", rate: 200, payload: \"$${counter}\"", ", flush_interval_ms: 5"));
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));
  // Measure between two points after start-up, over about two seconds.
  ASSERT_TRUE(wait_until([&] { return count_lines(dir.file("out.txt")) >= 50; }, 30s))
      << sluice.output();
  auto t1 = std::chrono::steady_clock::now();
  size_t n1 = count_lines(dir.file("out.txt"));
  ASSERT_FALSE(wait_until([&] { return !sluice.running(); }, 2s)) << sluice.output();
  auto t2 = std::chrono::steady_clock::now();
  size_t n2 = count_lines(dir.file("out.txt"));
  sluice.stop();
  double seconds = std::chrono::duration<double>(t2 - t1).count();
  double rate = static_cast<double>(n2 - n1) / seconds;
  std::cout << "[ measured ] " << rate << " messages/s (configured " << kRate << ")\n";
  EXPECT_NEAR(rate, kRate, kRate * 0.2);
}

TEST(Generate, VariablesMakeKeyAndPayloadAgree) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"),
             generate_yaml(dir,
                           ", count: 2000, seed: 1, vars: { device: \"veh-${randint:1:1000:4}\" }, "
                           "key: \"$${device}\", subject: \"tracking.data\", payload: "
                           "'{\"DEVICE_ID\":\"${var:device}\",\"ts\":$${now_ms},"
                           "\"lat\":${randfloat:48.05:48.25:5},\"speed\":${randint:0:130},"
                           "\"ENGINE_STATUS\":\"${random:ON|OFF}\"}'",
                           ", format: json"));
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"});
  auto status = sluice.wait(120s);
  ASSERT_TRUE(status.has_value()) << sluice.output();
  ASSERT_EQ(*status, 0) << sluice.output();
  std::set<std::string> devices;
  auto lines = read_lines(dir.file("out.txt"));
  ASSERT_EQ(lines.size(), 2000u);
  for (const auto& line : lines) {
    auto o = boost::json::parse(line).as_object();
    EXPECT_EQ(o.at("subject").as_string(), "tracking.data");
    const auto& payload = o.at("payload").as_object();
    EXPECT_EQ(o.at("key").as_string(), payload.at("DEVICE_ID").as_string());
    devices.insert(std::string(payload.at("DEVICE_ID").as_string()));
  }
  EXPECT_GT(devices.size(), 500u) << "2000 picks among 1000 devices";
}

TEST(Generate, CheckReportsTemplateErrors) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"), generate_yaml(dir, ", payload: \"x ${bogus:1}\""));
  std::string output;
  int status = run_sluice({"check", "-c", dir.file("sluice.yaml")}, &output);
  EXPECT_NE(status, 0) << output;
  EXPECT_NE(output.find("unknown placeholder"), std::string::npos) << output;
  EXPECT_NE(output.find("column 3"), std::string::npos) << output;
}

}  // namespace
}  // namespace sluice::test
