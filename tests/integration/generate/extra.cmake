# The template language, the pacer and the settings table of the generate
# plugin are tested directly too.
target_link_libraries(integration_generate PRIVATE sluice-generate-units)
add_dependencies(integration_generate sluice-plugin-generate sluice-plugin-file)
