#include "runtime/control_commands.hpp"

#include <boost/json.hpp>

namespace sluice::runtime {

bool ControlCommands::handle(Delivery& delivery, Dispatch& out) const {
  const message::Envelope& request = *delivery.message();
  if (&delivery.source() != &connector_) return false;
  if (!subject_.empty() && request.subject != subject_) return false;
  if (request.reply_to.empty()) return false;
  boost::system::error_code ec;
  auto doc = boost::json::parse(request.payload, ec);
  std::string command;
  if (!ec && doc.is_object())
    if (const auto* c = doc.as_object().if_contains("command"); c && c->is_string())
      command = c->get_string();
  std::string body;
  if (command == "status") {
    body = status_();
  } else if (command == "version") {
    body = boost::json::serialize(boost::json::object{
        {"node_id", node_id_},
        {"version", SLUICE_VERSION},
        {"abi", std::to_string(SLUICE_ABI_MAJOR) + "." + std::to_string(SLUICE_ABI_MINOR)}});
  } else {
    body = boost::json::serialize(boost::json::object{
        {"error", "unknown command '" + command + "'; known: status, version"}});
  }
  auto reply = std::make_shared<message::Envelope>();
  reply->payload = std::move(body);
  reply->reply_to = request.reply_to;
  reply->headers.push_back({"content-type", "application/json"});
  out.send(delivery, Output{OutputKind::kReply, {&connector_, request.reply_to}, reply});
  return true;
}

}  // namespace sluice::runtime
