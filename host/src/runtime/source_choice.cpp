#include "runtime/source_choice.hpp"

#include "log/logger.hpp"
#include "runtime/connector.hpp"
#include "runtime/timer_service.hpp"

namespace sluice::runtime {
namespace {
constexpr const char* kComponent = "routing";
constexpr routing::SwitchReason kReasons[] = {
    routing::SwitchReason::kUnhealthy, routing::SwitchReason::kSilent,
    routing::SwitchReason::kPreferred, routing::SwitchReason::kTurn};
}  // namespace

SourceChoice::SourceChoice(const routing::CompiledRoute& route, std::vector<Connector*> members,
                           metrics::Registry& registry, const routing::Clock& clock,
                           TimerService* timers)
    : route_(route.name), members_(std::move(members)), registry_(registry), timers_(timers) {
  metrics::Labels labels{{"route", route_}};
  standby_dropped_ = &registry.counter(
      "sluice_route_standby_dropped_total",
      "Messages from a standby source of a priority/fallback route, acked and dropped", labels);
  standby_paused_ = &registry.counter(
      "sluice_route_standby_paused_total",
      "Offers from a standby source refused for now (standby: pause; the source waits)", labels);
  for (auto reason : kReasons) {
    metrics::Labels l = labels;
    l.emplace_back("reason", std::string(routing::switch_reason_name(reason)));
    switches_.push_back(&registry.counter("sluice_route_source_switches_total",
                                          "Changes of the source a route takes messages from", l));
  }
  selector_ = std::make_unique<routing::SourceSelector>(
      route.sources, members_.size(), clock,
      [this](size_t m) { return members_[m] && members_[m]->health().healthy; },
      [this](const routing::SourceSelector::Switch& s) { on_switch(s); });
  for (size_t m = 0; m < members_.size(); ++m) {
    metrics::Labels l = labels;
    l.emplace_back("connector", members_[m] ? members_[m]->name() : route.from[m].connector);
    registry.sampled_gauge(
        "sluice_route_active_source", "1 for the source a route takes messages from now", l,
        [this, m] { return selector_->active() == m ? 1.0 : 0.0; }, this);
  }
  // Health is asked on the timer thread: never on a source's own thread,
  // which may hold a lock the plugin's health takes.
  if (timers_)
    health_timer_ = timers_->start(routing::SourceSelector::kHealthInterval,
                                   routing::SourceSelector::kHealthInterval,
                                   [this] { selector_->refresh_health(); });
}

SourceChoice::~SourceChoice() {
  if (health_timer_) timers_->cancel(health_timer_);
  registry_.detach(this);
}

std::optional<size_t> SourceChoice::member_of(std::string_view connector) const {
  for (size_t m = 0; m < members_.size(); ++m)
    if (members_[m] && members_[m]->name() == connector) return m;
  return std::nullopt;
}

std::optional<size_t> SourceChoice::member_of(const Connector& connector) const {
  for (size_t m = 0; m < members_.size(); ++m)
    if (members_[m] == &connector) return m;
  return std::nullopt;
}

bool SourceChoice::offer(size_t member, std::chrono::milliseconds wait) {
  if (!pauses()) {
    selector_->note_offer(member);
    return true;
  }
  if (selector_->wait_for_turn(member, wait)) return true;
  standby_paused_->inc();
  return false;
}

bool SourceChoice::take(size_t member) {
  if (selector_->admit(member)) return true;
  standby_dropped_->inc();
  return false;
}

void SourceChoice::on_switch(const routing::SourceSelector::Switch& s) {
  switches_[static_cast<size_t>(s.reason)]->inc();
  const std::string& from = members_[s.from]->name();
  const std::string& to = members_[s.to]->name();
  std::string why;
  switch (s.reason) {
    case routing::SwitchReason::kUnhealthy:
      why = "'" + from + "' reports itself unhealthy";
      break;
    case routing::SwitchReason::kSilent:
      why = "'" + from + "' sent nothing for " + std::to_string(s.quiet.count()) + " ms";
      break;
    case routing::SwitchReason::kPreferred:
      why = "'" + to + "' comes before '" + from + "' and is live again";
      break;
    case routing::SwitchReason::kTurn:
      why = "'" + from + "' had its turn";
      break;
  }
  // Round-robin turns pass many times a second: a debug line, not a warning.
  auto level = s.reason == routing::SwitchReason::kTurn        ? log::Level::kDebug
               : s.reason == routing::SwitchReason::kPreferred ? log::Level::kInfo
                                                               : log::Level::kWarn;
  log::write(level, kComponent,
             "route '" + route_ + "' now takes messages from '" + to + "' (" + why + ")");
}

}  // namespace sluice::runtime
