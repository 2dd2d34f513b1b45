#include "checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sluice::file {
namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

uint64_t get_u64(const boost::json::object& o, const char* name) {
  const auto* v = o.if_contains(name);
  if (!v) throw std::runtime_error(std::string("missing field '") + name + "'");
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<uint64_t>(v->get_int64());
  throw std::runtime_error(std::string("field '") + name + "' is not a non-negative integer");
}

// fsync on the directory makes the rename itself durable.
void sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::optional<FilePosition> CheckpointStore::load() const {
  std::ifstream in(path_);
  if (!in) {
    if (!std::filesystem::exists(path_)) return std::nullopt;
    throw std::runtime_error("cannot read checkpoint " + path_);
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    boost::json::value v = boost::json::parse(text.str());
    const auto& o = v.as_object();
    FilePosition p;
    p.file.device = get_u64(o, "device");
    p.file.inode = get_u64(o, "inode");
    p.offset = get_u64(o, "offset");
    return p;
  } catch (const std::exception& e) {
    throw std::runtime_error("checkpoint " + path_ + " is damaged (" + e.what() +
                             "); delete it to start over");
  }
}

std::string CheckpointStore::save(const FilePosition& position,
                                  const std::string& source_path) const {
  boost::json::object o{{"path", source_path},
                        {"device", position.file.device},
                        {"inode", position.file.inode},
                        {"offset", position.offset}};
  std::string text = boost::json::serialize(o) + "\n";

  std::filesystem::path target(path_);
  std::error_code ec;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_text("cannot write checkpoint " + tmp);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  std::string error = ok ? std::string() : errno_text("cannot write checkpoint " + tmp);
  ::close(fd);
  if (!error.empty()) return error;
  if (::rename(tmp.c_str(), path_.c_str()) != 0)
    return errno_text("cannot rename " + tmp + " to " + path_);
  sync_directory(target.parent_path());
  return {};
}

}  // namespace sluice::file
