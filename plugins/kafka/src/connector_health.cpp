#include "connector_health.hpp"

namespace sluice::kafka {

void ConnectorHealth::client_started(Client client, bool reports_group, Clock::time_point now) {
  if (client != Client::kConsumer) return;
  std::lock_guard lock(mutex_);
  consumer_started_ = true;
  reports_group_ = reports_group;
  consumer_started_at_ = now;
}

void ConnectorHealth::brokers_down(Client client, const std::string& reason) {
  std::lock_guard lock(mutex_);
  down_reason_[index(client)] = reason;
  down_[index(client)].store(true);
}

void ConnectorHealth::clear_down(Client client) {
  std::lock_guard lock(mutex_);
  down_[index(client)].store(false);
  down_reason_[index(client)].clear();
}

void ConnectorHealth::fatal(Client client, const std::string& reason) {
  std::lock_guard lock(mutex_);
  fatal_[index(client)] = reason;
}

void ConnectorHealth::group_state(const std::string& state, Clock::time_point) {
  std::lock_guard lock(mutex_);
  group_state_ = state;
  if (state == "up") group_was_up_ = true;
}

Health ConnectorHealth::report(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  Health h;
  auto problem = [&h](const std::string& text) {
    h.healthy = false;
    h.message += (h.message.empty() ? "" : "; ") + text;
  };
  for (Client c : {Client::kConsumer, Client::kProducer}) {
    if (!fatal_[index(c)].empty())
      problem(std::string(name(c)) + " failed for good (restart needed): " + fatal_[index(c)]);
    if (down_[index(c)].load())
      problem(std::string(name(c)) + ": all brokers are down (" + down_reason_[index(c)] + ")");
  }
  if (consumer_started_ && reports_group_) {
    const bool up = group_state_ && *group_state_ == "up";
    const bool late = now - consumer_started_at_ > group_grace_;
    if (!up && (group_was_up_ || late))
      problem("consumer group '" + group_ + "' not joined (state " +
              (group_state_ ? *group_state_ : std::string("unknown")) + ")");
  }
  return h;
}

}  // namespace sluice::kafka
