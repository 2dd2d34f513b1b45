# The Kafka integration tests run the plugin .so in an in-process test host,
# talk to Kafka (the shared mock cluster or one of their own, made with
# librdkafka's rdkafka_mock.h) through librdkafka directly, and unit-test the
# plugin's units (tracker, settings, statistics) from sluice-kafka-units.
find_package(PkgConfig REQUIRED)
pkg_check_modules(KAFKA_TEST REQUIRED IMPORTED_TARGET rdkafka)
target_link_libraries(integration_kafka PRIVATE sluice-kafka-units PkgConfig::KAFKA_TEST
                      GTest::gmock ${CMAKE_DL_LIBS})
add_dependencies(integration_kafka sluice-plugin-kafka)
