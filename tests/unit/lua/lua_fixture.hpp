// A Runtime with linked probe connectors and a script written to a temp
// file, for tests that drive Lua handlers through the real pipeline.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "lua/script_host.hpp"
#include "lua_probe.hpp"
#include "runtime/runtime.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test {

inline config::ConnectorConfig lprobe(const std::string& name, const std::string& mode = "record") {
  config::ConnectorConfig c;
  c.name = name;
  c.plugin = "lprobe";
  c.settings_json = R"({"mode":")" + mode + R"("})";
  c.retry.max_attempts = 2;
  c.retry.initial_backoff_ms = 1;
  c.retry.max_backoff_ms = 2;
  return c;
}

class LuaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(registry_.add_linked(lua_probe_descriptor(), "linked"), "");
    cfg_.node_id = "test-node";
    cfg_.workers = 2;
    cfg_.queue_capacity = 1024;
    cfg_.shutdown_timeout_ms = 5000;
    cfg_.state_dir = dir_.path().string();
    cfg_.connectors = {lprobe("src"), lprobe("out"), lprobe("dlq"), lprobe("broken", "fail")};
    cfg_.script = dir_.file("routes.lua");
  }

  void TearDown() override {
    if (rt_) {
      EXPECT_TRUE(rt_->shutdown());
    }
  }

  void script(const std::string& text) { write_file(cfg_.script, text); }

  // Builds the runtime; returns the build errors joined ("" = started).
  std::string try_start() {
    rt_ = std::make_unique<runtime::Runtime>(cfg_, registry_);
    lua::attach_script(*rt_);
    auto errors = rt_->build();
    if (errors.empty()) errors = rt_->start();
    std::string joined;
    for (const auto& e : errors) joined += e + "\n";
    return joined;
  }

  runtime::Runtime& start(const std::string& text) {
    script(text);
    std::string errors = try_start();
    EXPECT_EQ(errors, "");
    return *rt_;
  }

  LuaProbe& src() { return *LuaProbe::get("src"); }
  LuaProbe& out() { return *LuaProbe::get("out"); }
  LuaProbe& dlq() { return *LuaProbe::get("dlq"); }

  double counter(const std::string& name, const metrics::Labels& labels) {
    return rt_->metrics().counter(name, "", labels).value();
  }

  TempDir dir_;
  loader::PluginRegistry registry_;
  config::Config cfg_;
  std::unique_ptr<runtime::Runtime> rt_;
};

inline boost::json::object parse_object(const std::string& text) {
  return boost::json::parse(text).as_object();
}

}  // namespace sluice::test
