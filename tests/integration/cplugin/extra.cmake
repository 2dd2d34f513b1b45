# The test reads `sluice plugins --json`; the plugin itself is C-only.
target_link_libraries(integration_cplugin PRIVATE Boost::json)
add_dependencies(integration_cplugin sluice-plugin-file sluice-plugin-generate)
