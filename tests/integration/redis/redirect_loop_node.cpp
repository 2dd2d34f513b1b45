// A node that redirects to itself forever (see redirect_loop_node.hpp).
#include "redirect_loop_node.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::test::redis {

namespace {

// One RESP command (an array of bulk strings) from the front of `buffer`,
// removed from it; nullopt until it is complete.
std::optional<std::vector<std::string>> take_command(std::string& buffer) {
  size_t pos = 0;
  auto line = [&]() -> std::optional<std::string> {
    size_t end = buffer.find("\r\n", pos);
    if (end == std::string::npos) return std::nullopt;
    std::string text = buffer.substr(pos, end - pos);
    pos = end + 2;
    return text;
  };
  auto header = line();
  if (!header || header->empty() || (*header)[0] != '*') return std::nullopt;
  std::vector<std::string> args;
  for (int n = std::stoi(header->substr(1)); n > 0; --n) {
    auto size = line();
    if (!size) return std::nullopt;
    size_t len = std::stoul(size->substr(1));
    if (buffer.size() < pos + len + 2) return std::nullopt;
    args.push_back(buffer.substr(pos, len));
    pos += len + 2;
  }
  buffer.erase(0, pos);
  return args;
}

std::string bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

RedirectLoopNode::RedirectLoopNode() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("RedirectLoopNode: cannot listen on 127.0.0.1");
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

RedirectLoopNode::~RedirectLoopNode() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
}

void RedirectLoopNode::serve() {
  struct Client {
    int fd;
    std::string in;
  };
  std::vector<Client> clients;
  std::string self = "127.0.0.1:" + std::to_string(port_);
  while (!stop_) {
    std::vector<pollfd> fds = {{listen_fd_, POLLIN, 0}};
    for (const auto& c : clients) fds.push_back({c.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
    if (fds[0].revents & POLLIN) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) clients.push_back({fd, {}});
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Client& c = clients[i - 1];
      char chunk[4096];
      ssize_t n = ::read(c.fd, chunk, sizeof chunk);
      if (n <= 0) {
        ::close(c.fd);
        c.fd = -1;
        continue;
      }
      c.in.append(chunk, static_cast<size_t>(n));
      std::string out;
      while (auto args = take_command(c.in)) {
        std::string verb = args->empty() ? "" : upper((*args)[0]);
        if (verb == "PING") {
          out += "+PONG\r\n";
        } else if (verb == "CLIENT" || verb == "AUTH" || verb == "ASKING") {
          out += "+OK\r\n";
        } else if (verb == "CLUSTER") {  // SLOTS: every slot is ours
          out += "*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n" + bulk("127.0.0.1") + ":" +
                 std::to_string(port_) + "\r\n";
        } else if (verb == "SUBSCRIBE" || verb == "PSUBSCRIBE") {
          std::string kind = verb == "SUBSCRIBE" ? "subscribe" : "psubscribe";
          for (size_t k = 1; k < args->size(); ++k)
            out += "*3\r\n" + bulk(kind) + bulk((*args)[k]) + ":" + std::to_string(k) + "\r\n";
        } else {
          out += "-MOVED 866 " + self + "\r\n";
        }
      }
      if (!out.empty()) [[maybe_unused]]
        ssize_t w = ::write(c.fd, out.data(), out.size());
    }
    std::erase_if(clients, [](const Client& c) { return c.fd < 0; });
  }
  for (const auto& c : clients) ::close(c.fd);
}

}  // namespace sluice::test::redis
