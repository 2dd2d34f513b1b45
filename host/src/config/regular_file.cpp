#include "config/regular_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::config {
namespace {

std::string size_text(std::size_t bytes) {
  if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
  return std::to_string(bytes) + " bytes";
}

std::string stat_problem(const struct stat& st, std::size_t max_bytes) {
  if (S_ISDIR(st.st_mode)) return "it is a directory";
  if (S_ISFIFO(st.st_mode)) return "it is a named pipe (FIFO), not a regular file";
  if (S_ISCHR(st.st_mode)) return "it is a character device, not a regular file";
  if (S_ISBLK(st.st_mode)) return "it is a block device, not a regular file";
  if (S_ISSOCK(st.st_mode)) return "it is a socket, not a regular file";
  if (!S_ISREG(st.st_mode)) return "it is not a regular file";
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    return "it is " + std::to_string(st.st_size) + " bytes, over the limit of " +
           size_text(max_bytes);
  }
  return "";
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string regular_file_problem(const std::string& path, std::size_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::strerror(errno);
  return stat_problem(st, max_bytes);
}

std::string read_regular_file(const std::string& path, std::size_t max_bytes, std::string& text) {
  // O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever.
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return std::strerror(errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return std::strerror(errno);
  if (std::string problem = stat_problem(st, max_bytes); !problem.empty()) return problem;
  text.clear();
  text.reserve(static_cast<std::size_t>(st.st_size));
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::strerror(errno);
    }
    // The file may grow between fstat and here.
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) {
      return "it grew beyond the limit of " + size_text(max_bytes) + " while being read";
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return "";
}

}  // namespace sluice::config
