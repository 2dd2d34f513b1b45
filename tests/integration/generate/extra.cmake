# The template language, the pacer and the settings table of the generate
# plugin are tested directly too.
set(generate_plugin_dir ${CMAKE_SOURCE_DIR}/plugins/generate)
target_sources(integration_generate PRIVATE
  ${generate_plugin_dir}/template.cpp
  ${generate_plugin_dir}/generate_settings.cpp)
target_include_directories(integration_generate PRIVATE ${generate_plugin_dir})
target_link_libraries(integration_generate PRIVATE sluice::sdk)
add_dependencies(integration_generate sluice-plugin-generate sluice-plugin-file)
