# The RabbitMQ integration tests talk to rabbitmq-server with their own
# rabbitmq-c client (amqp_client), independent of the plugin.
find_package(PkgConfig REQUIRED)
pkg_check_modules(RABBITMQ_C_TEST REQUIRED IMPORTED_TARGET librabbitmq)
target_link_libraries(integration_rabbitmq PRIVATE PkgConfig::RABBITMQ_C_TEST Boost::json)
add_dependencies(integration_rabbitmq sluice-plugin-rabbitmq sluice-plugin-generate
                 sluice-plugin-file sluice-plugin-null)
