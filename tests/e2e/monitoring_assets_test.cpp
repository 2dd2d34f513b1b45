// The Grafana dashboard and Prometheus alerting rules shipped in packaging/:
// every metric their PromQL queries must exist on /metrics of a real
// `sluice run`, so a renamed metric breaks this test instead of leaving an
// empty panel or an alert that can never fire.
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "prometheus_parser.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

std::filesystem::path dashboard_path() {
  return std::filesystem::path(source_dir()) / "packaging/grafana/sluice-dashboard.json";
}
std::filesystem::path rules_path() {
  return std::filesystem::path(source_dir()) / "packaging/prometheus/sluice-alerts.yml";
}

boost::json::value read_dashboard() { return boost::json::parse(read_file(dashboard_path())); }

// A PromQL expression and where it was found, for failure messages.
struct Query {
  std::string where;
  std::string expr;
};

// Every query of the dashboard: panel targets (also in collapsed rows) and
// the templating variables' label_values(...) queries.
void collect_panel_queries(const boost::json::array& panels, std::vector<Query>& out) {
  for (const auto& p : panels) {
    const auto& panel = p.as_object();
    std::string title = panel.contains("title") ? std::string(panel.at("title").as_string()) : "";
    if (const auto* targets = panel.if_contains("targets")) {
      for (const auto& t : targets->as_array())
        if (const auto* expr = t.as_object().if_contains("expr"))
          out.push_back({"panel '" + title + "'", std::string(expr->as_string())});
    }
    if (const auto* nested = panel.if_contains("panels"))
      collect_panel_queries(nested->as_array(), out);
  }
}

std::vector<Query> dashboard_queries(const boost::json::value& dashboard) {
  std::vector<Query> out;
  collect_panel_queries(dashboard.at("panels").as_array(), out);
  for (const auto& v : dashboard.at("templating").at("list").as_array()) {
    const auto& var = v.as_object();
    std::string where = "variable '" + std::string(var.at("name").as_string()) + "'";
    if (const auto* d = var.if_contains("definition"))
      out.push_back({where, std::string(d->as_string())});
    if (const auto* q = var.if_contains("query"); q && q->is_object())
      out.push_back({where, std::string(q->at("query").as_string())});
  }
  return out;
}

std::vector<Query> rule_queries() {
  std::vector<Query> out;
  YAML::Node rules = YAML::LoadFile(rules_path().string());
  for (const auto& group : rules["groups"])
    for (const auto& rule : group["rules"]) {
      std::string name =
          rule["alert"] ? rule["alert"].as<std::string>() : rule["record"].as<std::string>();
      out.push_back({"rule '" + name + "'", rule["expr"].as<std::string>()});
    }
  return out;
}

// The sluice_* identifiers a PromQL expression reads. Label values and
// strings cannot hold one by accident here: the shipped queries only match
// instance/connector/route against dashboard variables.
std::set<std::string> metric_names(const std::string& expr) {
  static const std::regex kName("(^|[^A-Za-z0-9_:])(sluice_[A-Za-z0-9_:]+)");
  std::set<std::string> out;
  for (std::sregex_iterator it(expr.begin(), expr.end(), kName), end; it != end; ++it)
    out.insert((*it)[2].str());
  return out;
}

// Where promtool is, or "" when it is not installed.
std::string find_in_path(const std::string& program) {
  std::stringstream path(env_or_empty("PATH"));
  std::string dir;
  while (std::getline(path, dir, ':')) {
    auto candidate = std::filesystem::path(dir) / program;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

// A pipeline that registers every host metric: a source and a sink
// connector, a YAML route with a dead_letter output, and a Lua handler (the
// only owner of sluice_script_errors_total).
class MonitoringAssetsTest : public ::testing::Test {
 protected:
  static constexpr int kMessages = 200;

  void start() {
    port_ = free_tcp_port();
    write_file(dir_.path() / "handlers.lua",
               "sluice.on(\"gen\", function(msg) end, { name = \"lua-handler\" })\n");
    auto config = dir_.path() / "sluice.yaml";
    write_file(config, "node_id: monitoring-test\nworkers: 2\nstate_dir: " + dir_.path().string() +
                           "/state\nadmin:\n  listen: 127.0.0.1:" + std::to_string(port_) +
                           "\nscript: handlers.lua\n" + R"(connectors:
  gen:
    plugin: generate
    count: )" + std::to_string(kMessages) +
                           R"(
    payload: '{"n":${counter}}'
  sink:
    plugin: "null"
routes:
  - name: everything
    from: gen
    to: sink
    dead_letter: sink
)");
    proc_.emplace(SluiceProcess::run(config.string()));
  }

  // /metrics once every generated message is acknowledged (so the counters
  // and the latency histogram have moved).
  PromText settled_metrics() {
    PromText text;
    bool settled = wait_until(
        [&] {
          auto r = http_get("127.0.0.1", port_, "/metrics");
          if (r.status != 200) return false;
          text = PromText::parse(r.body);
          return text.sum("sluice_messages_acked_total", {{"connector", "gen"}}) == kMessages;
        },
        30s);
    EXPECT_TRUE(settled) << proc_->output();
    return text;
  }

  TempDir dir_;
  uint16_t port_ = 0;
  std::optional<SluiceProcess> proc_;
};

TEST(MonitoringAssets, Dashboard_IsGrafanaJsonWithAPrometheusDatasourceInput) {
  auto dashboard = read_dashboard();
  const auto& inputs = dashboard.at("__inputs").as_array();
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].at("name").as_string(), "DS_PROMETHEUS");
  EXPECT_EQ(inputs[0].at("pluginId").as_string(), "prometheus");
  EXPECT_FALSE(dashboard.at("title").as_string().empty());
  // Every panel that queries must use the input, or the import leaves it
  // pointing at a datasource the user does not have.
  for (const auto& p : dashboard.at("panels").as_array()) {
    const auto& panel = p.as_object();
    if (!panel.contains("targets")) continue;
    EXPECT_EQ(panel.at("datasource").at("uid").as_string(), "${DS_PROMETHEUS}")
        << panel.at("title");
    for (const auto& t : panel.at("targets").as_array())
      EXPECT_EQ(t.at("datasource").at("uid").as_string(), "${DS_PROMETHEUS}") << panel.at("title");
  }
}

TEST(MonitoringAssets, Dashboard_PanelIdsAreUnique) {
  std::set<int64_t> ids;
  auto dashboard = read_dashboard();
  for (const auto& p : dashboard.at("panels").as_array())
    EXPECT_TRUE(ids.insert(p.at("id").as_int64()).second) << "duplicate id " << p.at("id");
}

TEST(MonitoringAssets, Rules_PassPromtoolCheck) {
  std::string promtool = find_in_path("promtool");
  if (promtool.empty())
    GTEST_SKIP() << "promtool is not installed (Debian: apt-get install prometheus; "
                    "scripts/bootstrap.sh --for test installs it)";
  std::string output;
  EXPECT_EQ(run_command({promtool, "check", "rules", rules_path().string()}, {}, &output), 0)
      << output;
}

TEST_F(MonitoringAssetsTest, EveryMetricQueriedByDashboardAndRulesIsOnMetrics) {
  ASSERT_NO_FATAL_FAILURE(start());
  PromText metrics = settled_metrics();
  // Family names and sample names: a histogram is queried through its
  // _bucket, _sum and _count samples.
  std::set<std::string> exported;
  for (const auto& [name, family] : metrics.families()) {
    exported.insert(name);
    for (const auto& s : family.samples) exported.insert(s.name);
  }

  std::vector<Query> queries = dashboard_queries(read_dashboard());
  size_t dashboard_count = queries.size();
  auto rules = rule_queries();
  queries.insert(queries.end(), rules.begin(), rules.end());
  // A parser that found nothing would pass vacuously.
  EXPECT_GE(dashboard_count, 20u);
  EXPECT_GE(rules.size(), 5u);

  std::set<std::string> queried;
  for (const auto& q : queries) {
    auto names = metric_names(q.expr);
    EXPECT_FALSE(names.empty()) << q.where << " queries no sluice metric: " << q.expr;
    for (const auto& name : names) {
      queried.insert(name);
      EXPECT_TRUE(exported.count(name))
          << q.where << " queries " << name << ", which /metrics does not export: " << q.expr;
    }
  }
  // What the issue asks the dashboard and the alerts to cover.
  for (const char* needed :
       {"sluice_messages_in_total", "sluice_messages_out_total", "sluice_route_matched_total",
        "sluice_route_dropped_total", "sluice_route_dead_lettered_total", "sluice_in_flight",
        "sluice_queue_depth", "sluice_end_to_end_latency_seconds_bucket",
        "sluice_messages_failed_total", "sluice_connector_up", "sluice_circuit_state"})
    EXPECT_TRUE(queried.count(needed)) << needed << " is queried by neither dashboard nor rules";
}

TEST(MonitoringAssets, MetricNames_FindsIdentifiersButNotPartsOfOtherNames) {
  auto names = metric_names(
      "histogram_quantile(0.9, sum by (le) (rate(sluice_a_bucket{x=\"y\"}[5m]))) / "
      "my_sluice_b + sluice_c:rate5m");
  EXPECT_EQ(names, (std::set<std::string>{"sluice_a_bucket", "sluice_c:rate5m"}));
}

}  // namespace
}  // namespace sluice::test
