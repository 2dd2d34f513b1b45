#include "route_test/case_runner.hpp"

#include <future>
#include <set>

#include "lua/script_host.hpp"
#include "route_test/expectation_check.hpp"
#include "runtime/runtime.hpp"
#include "runtime/virtual_timer_service.hpp"

namespace sluice::route_test {
namespace {

// Until every worker has nothing left to do: the stand-ins complete at
// once and timers only fire when the test advances the clock, so once the
// queues are empty nothing moves until the next step.
void settle(const runtime::Runtime& rt) {
  for (const auto& worker : rt.workers()) {
    while (true) {
      std::promise<size_t> left;
      auto future = left.get_future();
      runtime::Worker* w = worker.get();
      w->post([&left, w] { left.set_value(w->depth()); });
      if (future.get() == 0) break;
    }
  }
}

// Fires every timer due up to `until`, each at its own virtual moment,
// letting what it started finish before the next.
void advance(const runtime::Runtime& rt, runtime::VirtualTimerService& timers,
             routing::Clock::time_point until) {
  while (timers.fire_next(until)) settle(rt);
  settle(rt);
}

// What throttles still hold when a case ends is released by running the
// virtual clock on, so that every delivery settles before the runtime goes
// (not part of the case's results, which were taken before).
void drain(const runtime::Runtime& rt, runtime::VirtualTimerService& timers) {
  for (int i = 0; i < 1'000'000 && rt.in_flight() > 0; ++i) {
    auto due = timers.next_due();
    if (!due) break;
    timers.fire_next(*due);
    settle(rt);
  }
}

std::string at(const config::SourceLocation& where) { return where.str() + ": "; }

}  // namespace

std::vector<std::string> CaseRunner::prepare() {
  std::vector<std::string> errors;
  std::vector<config::Diagnostic> diagnostics;
  config_ = config::load_config(file_.config_path, diagnostics);
  for (const auto& d : diagnostics) errors.push_back(d.str());
  if (!errors.empty()) return errors;
  installed_.load_directories(loader::plugin_search_path(config_.plugin_path));
  std::set<std::string> plugins;
  for (const auto& cc : config_.connectors) {
    const loader::LoadedPlugin* real = installed_.find(cc.plugin);
    if (real) {
      // The stand-in takes any settings; the real plugin, when installed,
      // still says what is wrong with them, as `sluice check` would.
      char buf[4096] = "";
      sluice_error err{sizeof(sluice_error), buf, sizeof buf};
      if (real->descriptor->vtable->validate(cc.settings_json.c_str(), &err) != SLUICE_OK)
        errors.push_back(cc.where.str() + ": connector '" + cc.name + "' (" + cc.plugin +
                         "): " + (buf[0] ? buf : "invalid settings"));
    }
    if (!cc.plugin.empty() && plugins.insert(cc.plugin).second) {
      if (std::string why = stand_ins_.add(cc.plugin, real, registry_); !why.empty())
        errors.push_back(cc.where.str() + ": connector '" + cc.name + "': " + why);
    }
  }
  for (const auto& c : file_.cases) check_names(c, errors);
  return errors;
}

void CaseRunner::check_names(const TestCase& c, std::vector<std::string>& errors) const {
  std::set<std::string> known;
  for (const auto& cc : config_.connectors) known.insert(cc.name);
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  auto check = [&](const std::string& name, const config::SourceLocation& where) {
    if (!known.count(name))
      errors.push_back(at(where) + "case '" + c.name + "': no connector named '" + name + "' in " +
                       file_.config_path + " (connectors: " + list + ")");
  };
  for (const auto& s : c.steps)
    if (s.kind == Step::Kind::kSend) check(s.connector, s.where);
  for (const auto& e : c.expect) check(e.connector, e.where);
  for (const auto& s : c.stubs) check(s.connector, s.where);
  for (const auto& [name, b] : c.connectors) check(name, c.where);
}

CaseOutcome CaseRunner::run(const TestCase& c) const {
  CaseOutcome outcome;
  MemoryBus bus(c.stubs, c.connectors);
  config::Config cfg = config_;
  // One worker: messages are routed in the order the case sends them.
  cfg.workers = 1;
  cfg.admin.enabled = false;
  for (auto& cc : cfg.connectors) cc.settings_json = bus.settings_json();
  auto owned_timers = std::make_unique<runtime::VirtualTimerService>();
  runtime::VirtualTimerService& timers = *owned_timers;
  runtime::Runtime rt(cfg, registry_, std::move(owned_timers));
  lua::attach_script(rt);
  auto errors = rt.build();
  if (errors.empty()) errors = rt.start();
  if (!errors.empty()) {
    outcome.diff = errors;
    return outcome;
  }

  uint64_t next_ack_id = 1;
  std::vector<std::pair<const Step*, std::string>> requests;  // step, reply handle
  for (const auto& step : c.steps) {
    if (step.kind == Step::Kind::kAdvance) {
      advance(rt, timers, timers.clock().now() + std::chrono::milliseconds(step.advance_ms));
      continue;
    }
    for (const auto& m : step.messages) {
      std::string handle;
      if (step.request) {
        handle = "reply-" + std::to_string(requests.size() + 1);
        requests.emplace_back(&step, handle);
      }
      sluice_status s = bus.send(step.connector, m, handle, next_ack_id++);
      if (s != SLUICE_OK)
        outcome.diff.push_back(at(step.where) + "'" + step.connector +
                               "' could not take the message (emit status " +
                               std::to_string(static_cast<int>(s)) + ")");
      settle(rt);
    }
  }

  for (const auto& e : c.expect)
    for (auto& line : check_output(e, bus.received(e.connector)))
      outcome.diff.push_back(std::move(line));
  for (const auto& [step, handle] : requests) {
    auto reply = bus.reply(handle);
    std::string where = "reply to the request at " + step->where.str();
    if (step->expect_no_reply && reply) {
      outcome.diff.push_back(where + ": expected none, got one");
      outcome.diff.push_back("  + " + describe(*reply));
    } else if (step->reply && !reply) {
      outcome.diff.push_back(where + ": expected one, got none");
      outcome.diff.push_back("  - " + describe(*step->reply));
    } else if (step->reply) {
      auto why = mismatches(*step->reply, *reply);
      for (const auto& w : why) outcome.diff.push_back(where + ": " + w);
      if (!why.empty()) {
        outcome.diff.push_back("  - " + describe(*step->reply));
        outcome.diff.push_back("  + " + describe(*reply));
      }
    }
  }
  if (c.nacked && *c.nacked != bus.nacked())
    outcome.diff.push_back("nacked: " + std::to_string(*c.nacked) + " expected, " +
                           std::to_string(bus.nacked()) + " source messages were nacked");

  drain(rt, timers);
  rt.shutdown(std::chrono::steady_clock::now());
  outcome.passed = outcome.diff.empty();
  return outcome;
}

}  // namespace sluice::route_test
