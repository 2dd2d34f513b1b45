# The pipeline tests run the generate plugin through `sluice run` and read
# its JSON output (its units are tested in tests/unit/generate).
target_link_libraries(integration_generate PRIVATE Boost::json)
add_dependencies(integration_generate sluice-plugin-generate sluice-plugin-file)
