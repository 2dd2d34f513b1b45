# The file plugin's line I/O, checkpoint and settings code is compiled into
# the test too, so it is tested directly as well as through `sluice run`.
set(file_plugin_dir ${CMAKE_SOURCE_DIR}/plugins/file)
target_sources(integration_file PRIVATE
  ${file_plugin_dir}/checkpoint.cpp
  ${file_plugin_dir}/file_settings.cpp
  ${file_plugin_dir}/io/line_format.cpp)
target_include_directories(integration_file PRIVATE ${file_plugin_dir})
target_link_libraries(integration_file PRIVATE sluice::sdk)
add_dependencies(integration_file sluice-plugin-file)
# The sinks' write chunking and tail repair, tested directly.
target_sources(integration_file PRIVATE
  ${file_plugin_dir}/io/batch_writer.cpp
  ${file_plugin_dir}/io/interruptible_output.cpp
  ${file_plugin_dir}/io/tail_repair.cpp)
target_link_libraries(integration_file PRIVATE Threads::Threads)
