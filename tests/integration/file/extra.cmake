# The file plugin's pure parts are tested in tests/unit/file and
# tests/unit/common; these tests drive it through `sluice run` (and read its
# JSON output with Boost.JSON).
target_link_libraries(integration_file PRIVATE Boost::json)
add_dependencies(integration_file sluice-plugin-file)
