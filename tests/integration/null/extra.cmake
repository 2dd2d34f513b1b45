# The README check needs the null plugin's settings table.
target_link_libraries(integration_null PRIVATE sluice-null-units)
add_dependencies(integration_null sluice-plugin-null sluice-plugin-generate)
