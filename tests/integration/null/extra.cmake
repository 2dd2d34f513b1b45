# The README check needs the null plugin's settings table.
target_sources(integration_null PRIVATE ${CMAKE_SOURCE_DIR}/plugins/null/null_settings.cpp)
target_include_directories(integration_null PRIVATE ${CMAKE_SOURCE_DIR}/plugins/null)
target_link_libraries(integration_null PRIVATE sluice::sdk)
add_dependencies(integration_null sluice-plugin-null sluice-plugin-generate)
