// The file source's checkpoint, as found on disk after any crash or edit:
// loading any bytes gives a position or a clear error (an exception the
// source reports), never a crash; what save() writes loads back the same.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "checkpoint.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::file;
  static const std::string dir = [] {
    // /dev/shm when there is one: save() fsyncs, which costs nothing there.
    std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                     ? std::filesystem::path("/dev/shm")
                                     : std::filesystem::temp_directory_path();
    auto d = base / ("sluice-fuzz-checkpoint-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  const std::string path = dir + "/in.checkpoint";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  CheckpointStore store(path);
  std::optional<FilePosition> loaded;
  try {
    loaded = store.load();
  } catch (const std::runtime_error& e) {
    FUZZ_CHECK(std::string(e.what()).find(path) != std::string::npos);
    return 0;
  }
  if (loaded) {
    FUZZ_CHECK(store.save(*loaded, "/var/log/fuzz.log").empty());
    auto again = store.load();
    FUZZ_CHECK(again && *again == *loaded);
  }
  return 0;
}
